"""Polish a reviewer sees: no Python ``None`` and no ``1 columns`` in any text or HTML people read (every
golden plan in all its renderings, the history, status and snapshot views, the command line's text), and
one colour per environment in every view."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest
from test_errors import FakeEngine

import schemax
from schemax.adapters.memory import MemoryStore
from schemax.cli import run
from schemax.core.words import count, plural, shown
from schemax.display import ENV_PALETTE, deployment_html, env_badge, env_colour, env_label, timeline_svg
from schemax.plan import UNITY_CATALOG
from schemax.plan.describe import describe

CASES_DIR = Path(__file__).resolve().parents[1] / "cases"
sys.path.insert(0, str(CASES_DIR))

import make_cases  # noqa: E402

NAMES = sorted(p.name for p in CASES_DIR.iterdir() if (p / "before.json").is_file())
#: words ending in "s" that are singular
_SINGULAR_S = {"is", "was", "has", "its", "this", "status", "class", "access", "alias", "process", "bytes"}
_ONE_PLURAL = re.compile(r"(?<![\w.,'\"`-])1 ([a-z]+s)\b")
_NONE = re.compile(r"\bNone\b")


def blemishes(text: str) -> list[str]:
    """What a reviewer should never read: Python's None, or one of a plural."""
    found = [m.group(0) for m in _NONE.finditer(text)]
    found += [m.group(0) for m in _ONE_PLURAL.finditer(text) if m.group(1) not in _SINGULAR_S]
    return found


def test_the_checker_finds_what_it_looks_for() -> None:
    assert blemishes("create table with 1 columns") == ["1 columns"]
    assert blemishes("comment None -> 'x'") == ["None"]
    assert blemishes("1 column, 2 columns, 11 columns, 0.1 seconds, 1 statement(s), status 1 is") == []
    assert count(1, "column") == "1 column" and count(0, "column") == "0 columns"
    assert count(2, "query") == "2 queries" and plural("property") == "properties"
    assert shown(None) == "none" and shown("gross") == "'gross'" and shown(3) == "3"


@pytest.mark.parametrize("name", NAMES)
def test_no_none_and_no_one_of_a_plural_in_a_golden_plan(name: str) -> None:
    before, after, conf = make_cases.load(CASES_DIR / name)
    plan = make_cases.plan_for(before, after, conf)
    texts = {"markdown": plan.to_markdown(), "html": plan._repr_html_(), "sql": plan.sql,
             "repr": repr(plan), "reverse": plan.reverse_sql(),
             "describe": "\n".join(describe(c) for c in plan.changes)}
    for what, text in texts.items():
        assert blemishes(text) == [], f"{name} {what}"


def test_goldens_on_disk_hold_no_blemish() -> None:
    for path in sorted(CASES_DIR.glob("*/review.*")) + sorted(CASES_DIR.glob("*/expected.sql")):
        assert blemishes(path.read_text(encoding="utf-8")) == [], path


@pytest.fixture()
def deployed(monkeypatch: pytest.MonkeyPatch) -> schemax.Project:
    """One catalog, one schema, one table of one column (the counts that say "1 ..."), deployed to two
    environments, then a failed deployment."""
    engine, store = FakeEngine(), MemoryStore()
    p = schemax.Project.create(engine, "shop", store=store, author="tester")
    p._capabilities = UNITY_CATALOG
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.create_table("shop.sales.a", [schemax.Column("id", "BIGINT")])
    p.add_environment("dev", {"shop": "dev_shop"}, allow_drift=True)
    p.add_environment("prod", {"shop": "prod_shop"}, allow_drift=True)
    p.snapshot("v1", version="1.0.0")
    p.deploy("dev")
    p.add_column("shop.sales.a", "v", "STRING", comment="a value")
    p.snapshot("v2", version="1.1.0")
    engine.fail_on = "ADD COLUMNS"
    with pytest.raises(schemax.ExecutionError):
        p.deploy("dev")
    engine.fail_on = None
    monkeypatch.setattr("schemax.cli.context.select_engine", lambda request, note: engine)
    monkeypatch.setattr("schemax.cli.context.store_name", lambda args: store)
    monkeypatch.setenv("SCHEMAX_AUTHOR", "ci")
    return p


def test_no_blemish_in_history_status_snapshots_and_the_command_line(deployed: schemax.Project) -> None:
    p = deployed
    texts = {"history html": p.history()._repr_html_(), "history repr": repr(p.history()),
             "status html": p.status()._repr_html_(), "status": str(p.status()),
             "project html": p._repr_html_(), "plan html": p.plan("prod")._repr_html_(),
             "plan markdown": p.plan("prod").to_markdown()}
    for argv in (["status"], ["history"], ["history", "--sql"], ["plan", "prod"], ["plan", "prod", "--sql"],
                 ["snapshot", "list"], ["env", "list"], ["ops", "--all"], ["diff", "empty", "1.1.0"],
                 ["plan", "dev", "--format", "markdown"], ["deploy", "prod", "--dry-run"]):
        out, err = io.StringIO(), io.StringIO()
        run(["--project", "shop", *argv], out, err)
        texts[" ".join(argv)] = out.getvalue() + err.getvalue()
    for what, text in texts.items():
        assert blemishes(text) == [], f"{what}: {blemishes(text)}\n{text[:2000]}"
    assert "(nothing) → 1.0.0" in texts["history html"]  # the first deployment came from nothing


def test_one_colour_per_environment_in_every_view(deployed: schemax.Project) -> None:
    p = deployed
    p.deploy("prod", to="1.0.0")
    colours = {env: env_colour(env) for env in ("dev", "prod", "test", "staging", "analytics")}
    assert len(set(colours.values())) == len(colours)  # the well-known names and one more differ
    status_colours = {"#1a7f37", "#cf222e", "#9a6700", "#6e7781"}
    assert set(ENV_PALETTE).isdisjoint(status_colours)
    assert all(env_colour(e) in ENV_PALETTE for e in ("a", "b", "Reporting", "x" * 40))
    assert env_colour("Dev") == env_colour("dev")
    views = {"timeline": timeline_svg(p.snapshots(), {"dev": "1.0.0", "prod": "1.0.0"}),
             "status": p.status()._repr_html_(), "history": deployment_html(list(p.history())),
             "badge": env_badge("dev") + env_badge("prod"), "label": env_label("dev") + env_label("prod")}
    for what, html in views.items():
        for env in ("dev", "prod"):
            assert colours[env] in html, f"{env}'s colour missing from the {what}"
        other = set(ENV_PALETTE) - {colours["dev"], colours["prod"]}
        assert not any(c in html for c in other), f"{what} shows a colour of no environment"
    timeline = views["timeline"]
    for env in ("dev", "prod"):  # the flag of each environment is filled with its colour
        flag = re.search(rf"data-env='{env}'[^>]*><rect[^>]*fill='([^']+)'", timeline)
        assert flag is not None and flag.group(1) == colours[env]


def test_no_blemish_in_a_drift_report_of_one_of_each() -> None:
    from schemax.drift.report import DriftFinding, DriftReport

    finding = DriftFinding.from_dict({"issue": "modified", "object_type": "column", "object_name":
                                      "shop.sales.a.v", "detail": "comment", "expected": None,
                                      "actual": "x", "owner": "shop.sales.a"})
    report = DriftReport(findings=(finding,), scanned={"catalogs": 1, "schemas": 1, "tables": 1,
                                                       "columns": 1}, queries=1, environment="dev")
    for text in (report.summary(), report._repr_html_()):
        assert blemishes(text) == [], text
    assert "1 catalog, 1 schema, 1 table, 1 column" in report.summary()
    assert "1 catalog query" in report._repr_html_()


def test_wide_sql_wraps_in_the_history_view(deployed: schemax.Project) -> None:
    html = deployed.history()._repr_html_()
    rules = re.findall(r"\.sx pre\{([^}]*)\}", html)
    assert any("white-space:pre-wrap" in r and "overflow-wrap:anywhere" in r for r in rules), rules
    # (a long identifier breaks too, not only at spaces)
    assert "<pre>" in html  # the statements are in that block
