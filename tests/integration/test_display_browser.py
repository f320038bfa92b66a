"""Notebook display, checked in a real browser: the ``_repr_html_`` of plans, project status (version timeline
and snapshot list), deployment history and drift reports, rendered by headless Chromium.

The page carries a small script that measures the rendered layout (bounding boxes of the timeline's dots and
environment badges, the collapsible SQL blocks, injected elements) and writes it into the DOM; ``--dump-dom``
returns it, so the assertions are about what the browser laid out, not about the HTML string. Screenshots of
the plan and the timeline are written to ``test-artifacts/`` (git-ignored; kept by CI as artifacts).

Needs Debian's ``chromium`` package (``/usr/bin/chromium``); skipped without it. No Spark: the values come
from a project on the in-memory store.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import schemax
from schemax.adapters.memory import MemoryStore
from schemax.analyze.evidence import Evidence, Verdict
from schemax.core.environment import DeploymentRecord, StatementRecord
from schemax.services.deploy import Deployment
from schemax.services.history import History, ProjectStatus

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("SCHEMAX_CHROMIUM", "/usr/bin/chromium")
HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned=1">'

pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)),
    reason=f"headless browser not found at {CHROMIUM}: apt-get install -y chromium (or set SCHEMAX_CHROMIUM)",
)

# Measures the rendered page; the result lands in <pre id="layout"> for --dump-dom.
LAYOUT_SCRIPT = """
<script>
(function () {
  function box(el) { const r = el.getBoundingClientRect();
    return {x: r.left, y: r.top, w: r.width, h: r.height, r: r.right, b: r.bottom}; }
  const out = {timelines: [], tables: [], details: [], badges: [], pwned: !!window.__pwned,
               scripts: document.querySelectorAll('script').length,
               imgs: document.querySelectorAll('img').length, sections: {}};
  document.querySelectorAll('svg').forEach(function (svg) {
    const s = box(svg);
    out.timelines.push({svg: s,
      dots: Array.from(svg.querySelectorAll('circle')).map(box),
      labels: Array.from(svg.querySelectorAll('text')).map(function (t) {
        return {text: t.textContent, box: box(t)}; }),
      flags: Array.from(svg.querySelectorAll('rect')).map(box)});
  });
  document.querySelectorAll('table').forEach(function (t) {
    out.tables.push({rows: t.querySelectorAll('tr').length, box: box(t)}); });
  document.querySelectorAll('details').forEach(function (d) {
    const closed = box(d); d.open = true; const opened = box(d);
    const pre = d.querySelector('pre');
    out.details.push({summary: d.querySelector('summary').textContent, closed: closed.h, opened: opened.h,
                      pre_visible: !!pre && box(pre).h > 0});
  });
  document.querySelectorAll('.badge').forEach(function (b) {
    const st = getComputedStyle(b);
    out.badges.push({text: b.textContent, box: box(b), bg: st.backgroundColor, color: st.color}); });
  document.querySelectorAll('section').forEach(function (s) {
    out.sections[s.id] = {box: box(s), text: s.innerText.slice(0, 4000)}; });
  document.getElementById('layout').textContent = JSON.stringify(out);
})();
</script>
"""


def _page(sections: dict[str, str], title: str) -> str:
    body = "".join(f"<section id='{k}'><h3>{k}</h3>{v}</section>" for k, v in sections.items())
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>"
        f"<style>body{{margin:16px;background:#fff}} section{{margin-bottom:24px}}</style></head>"
        f"<body>{body}<pre id='layout' style='display:none'></pre>{LAYOUT_SCRIPT}</body></html>"
    )


class Browser:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--user-data-dir={self.tmp / 'profile'}",
            *args,
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
        assert proc.returncode == 0, f"chromium failed ({proc.returncode}): {proc.stderr[-2000:]}"
        return proc

    def layout(self, html: str, name: str) -> dict[str, Any]:
        page = self.tmp / f"{name}.html"
        page.write_text(html, encoding="utf-8")
        dom = self._run("--dump-dom", page.as_uri()).stdout
        m = re.search(r"<pre id=\"layout\"[^>]*>(.*?)</pre>", dom, re.S)
        assert m and m.group(1), f"the layout script did not run:\n{dom[:2000]}"
        import html as html_lib

        return json.loads(html_lib.unescape(m.group(1)))

    def screenshot(self, html: str, name: str, size: str = "1200,900") -> Path:
        page = self.tmp / f"{name}.html"
        page.write_text(html, encoding="utf-8")
        ARTIFACTS.mkdir(exist_ok=True)
        target = ARTIFACTS / f"{name}.png"
        target.unlink(missing_ok=True)
        self._run(f"--screenshot={target}", f"--window-size={size}", page.as_uri())
        assert target.is_file() and target.stat().st_size > 5_000, "empty screenshot"
        assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        return target


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    tmp = tmp_path_factory.mktemp("chromium")
    yield Browser(tmp)
    shutil.rmtree(tmp / "profile", ignore_errors=True)


@pytest.fixture(scope="module")
def project() -> schemax.Project:
    return make_project()


def make_project() -> schemax.Project:
    """A project with three snapshots, on the in-memory store."""
    p = schemax.Project.create(None, "shop", store=MemoryStore(), author="ann")
    with p.batch():
        p.create_catalog("shop")
        p.create_schema("shop.sales", comment="Sales")
        p.create_table(
            "shop.sales.customers",
            [
                schemax.Column("id", "BIGINT", nullable=False),
                schemax.Column("name", "STRING", comment=HOSTILE),
            ],
        )
        p.create_table(
            "shop.sales.orders",
            [
                schemax.Column("id", "BIGINT", nullable=False),
                schemax.Column("customer_id", "BIGINT"),
                schemax.Column("status", "STRING"),
                schemax.Column("legacy_code", "STRING"),
            ],
            comment="Orders",
        )
        p.create_view(
            "shop.sales.open_orders", "SELECT id, status FROM shop.sales.orders WHERE status = 'open'"
        )
    p.snapshot("Initial schema")
    p.add_column("shop.sales.orders", "email", "STRING", comment="Customer e-mail")
    p.snapshot(f"E-mail {HOSTILE}")
    p.drop_column("shop.sales.orders", "legacy_code")
    p.rename_column("shop.sales.orders", "status", "order_status")
    p.snapshot("Cleanup", bump="major")
    for env in ("dev", "test", "production"):
        p.add_environment(env, {"shop": f"{env}_shop"})
    return p


DEPLOYED = {"dev": "1.0.0", "test": "0.2.0", "production": "0.2.0"}


def _status(project: schemax.Project) -> ProjectStatus:
    return ProjectStatus(
        project=project.name,
        latest_snapshot="1.0.0",
        uncommitted_ops=0,
        deployed={**DEPLOYED, "sandbox": None},
        unfinished={"test": "dep_x (failed)"},
        snapshots=project.snapshots(),
    )


def _history() -> History:
    def dep(
        i: int,
        env: str,
        status: str,
        frm: str | None,
        to: str,
        statements: list[tuple[str, str]],
        error: str | None = None,
    ) -> Deployment:
        dep_id = f"dep_{i:016x}"
        rec = DeploymentRecord(
            deployment_id=dep_id,
            project="shop",
            environment=env,
            status=status,  # type: ignore[arg-type]
            kind="deploy",
            started_at=f"2026-05-0{i}T10:00:00Z",
            deployed_by="ann",
            from_version=frm,
            to_version=to,
            applied=sum(s == "applied" for _, s in statements),
            statement_count=len(statements),
            error=error,
        )
        stmts = [
            StatementRecord(deployment_id=dep_id, seq=n, sql=sql, status=st, risk="safe")  # type: ignore[arg-type]
            for n, (sql, st) in enumerate(statements, start=1)
        ]
        return Deployment(rec, stmts)

    return History(
        [
            dep(
                3,
                "test",
                "failed",
                "0.1.0",
                "0.2.0",
                [
                    (
                        "ALTER TABLE `test_shop`.`sales`.`orders` ADD COLUMNS (`email` STRING "
                        "COMMENT 'Customer e-mail')",
                        "applied",
                    ),
                    ("ALTER TABLE `test_shop`.`sales`.`orders` DROP COLUMN `legacy_code`", "failed"),
                ],
                error=f"statement 2 failed: {HOSTILE}",
            ),
            dep(
                2,
                "dev",
                "success",
                "0.1.0",
                "1.0.0",
                [
                    (
                        "ALTER TABLE `dev_shop`.`sales`.`orders` RENAME COLUMN `status` TO `order_status`",
                        "applied",
                    )
                ],
            ),
            dep(
                1,
                "dev",
                "success",
                None,
                "0.1.0",
                [("CREATE SCHEMA IF NOT EXISTS `dev_shop`.`sales`", "applied")],
            ),
        ]
    )


def _plan(project: schemax.Project) -> Any:
    try:
        return project.diff("0.1.0", "1.0.0")
    except ImportError as exc:
        pytest.skip(f"the planner is not available yet ({exc})")


def _drift_report() -> Any:
    try:
        from schemax.drift import DriftFinding, DriftReport
    except ImportError as exc:
        pytest.skip(f"drift reports are not available yet ({exc})")
    orders = "prod_shop.sales.orders"
    return DriftReport(
        environment="prod",
        expected_version="1.0.0",
        scanned={"tables": 2, "views": 1},
        findings=(
            DriftFinding(
                object_type="column",
                object_name=f"{orders}.hand_made",
                issue="extra",
                actual="STRING",
                owner=orders,
            ),
            DriftFinding(
                object_type="column",
                object_name=f"{orders}.status",
                issue="modified",
                detail="comment",
                expected="Order status",
                actual=HOSTILE,
                owner=orders,
            ),
            DriftFinding(
                object_type="table",
                object_name="prod_shop.sales.customers",
                issue="missing",
                owner="prod_shop.sales.customers",
            ),
        ),
    )


# ------------------------------------------------------------------------------------------------------


def _assert_no_injection(layout: dict[str, Any]) -> None:
    assert layout["pwned"] is False
    assert layout["scripts"] == 1, "a value was rendered as a <script> element"
    assert layout["imgs"] == 0, "a value was rendered as an <img> element"


def test_timeline_and_snapshot_list(browser: Browser, project: schemax.Project) -> None:
    status = _status(project)
    layout = browser.layout(_page({"status": status._repr_html_()}, "timeline"), "timeline")
    _assert_no_injection(layout)

    (timeline,) = layout["timelines"]
    svg = timeline["svg"]
    assert svg["w"] > 300 and svg["h"] > 60
    dots = timeline["dots"]
    assert len(dots) == 3, "one dot per snapshot"
    assert [d["x"] for d in dots] == sorted(d["x"] for d in dots), "oldest on the left"
    assert len({round(d["y"]) for d in dots}) == 1, "dots sit on one line"
    for box in dots + timeline["flags"] + [lbl["box"] for lbl in timeline["labels"]]:
        assert svg["x"] - 0.5 <= box["x"] and box["r"] <= svg["r"] + 0.5, f"outside the timeline: {box}"
        assert svg["y"] - 0.5 <= box["y"] and box["b"] <= svg["b"] + 0.5, f"outside the timeline: {box}"

    flags = timeline["flags"]
    assert len(flags) == 3, "one badge per deployed environment (sandbox has nothing deployed)"
    labels = {lbl["text"]: lbl["box"] for lbl in timeline["labels"]}
    assert {"0.1.0", "0.2.0", "1.0.0"} <= set(labels) and {"dev", "test", "production"} <= set(labels)
    for env in ("dev", "test", "production"):
        label = labels[env]
        flag = next(
            f
            for f in flags
            if f["x"] - 0.5 <= label["x"]
            and label["r"] <= f["r"] + 0.5
            and f["y"] - 0.5 <= label["y"]
            and label["b"] <= f["b"] + 0.5
        )
        version = DEPLOYED[env]
        dot = dots[["0.1.0", "0.2.0", "1.0.0"].index(version)]
        assert abs((flag["x"] + flag["r"]) / 2 - (dot["x"] + dot["r"]) / 2) < 1, (
            f"{env} badge not above {version}"
        )
        assert flag["b"] <= dot["y"] + 0.5, f"{env} badge overlaps its dot"
    for i, a in enumerate(flags):  # stacked badges (test and production run 0.2.0) never overlap
        for b in flags[i + 1 :]:
            assert a["b"] <= b["y"] + 0.5 or b["b"] <= a["y"] + 0.5 or a["r"] <= b["x"] or b["r"] <= a["x"]

    versions = sorted(
        (lbl["box"] for lbl in timeline["labels"] if re.fullmatch(r"\d+\.\d+\.\d+", lbl["text"])),
        key=lambda b: b["x"],
    )
    assert all(a["r"] <= b["x"] for a, b in zip(versions, versions[1:], strict=False)), (
        "version labels overlap"
    )

    snapshot_table = layout["tables"][-1]
    assert snapshot_table["rows"] == 1 + 3
    env_badges = sorted(b["text"] for b in layout["badges"])
    assert env_badges == ["dev", "production", "test"], "one 'deployed to' badge per environment"
    assert all(b["box"]["w"] > 10 and b["bg"] != b["color"] for b in layout["badges"])
    text = layout["sections"]["status"]["text"]
    assert "<script>window.__pwned = 1</script>" in text, "the hostile snapshot name is shown as text"
    assert "dep_x (failed)" in text

    shot = browser.screenshot(_page({"status": status._repr_html_()}, "timeline"), "timeline")
    assert shot.name == "timeline.png"


def test_long_timeline_stays_readable(browser: Browser) -> None:
    p = schemax.Project.create(None, "long", store=MemoryStore(), author="ann")
    p.create_catalog("c")
    for i in range(40):
        p.snapshot(f"step {i}", bump="patch")
    versions = [s.version for s in p.snapshots()]
    deployed = {"dev": versions[-1], "qa": versions[-1], "staging": versions[20], "production": versions[0]}
    status = ProjectStatus(
        project="long",
        latest_snapshot=versions[-1],
        uncommitted_ops=0,
        deployed=deployed,
        snapshots=p.snapshots(),
    )
    layout = browser.layout(_page({"status": status._repr_html_()}, "long"), "long")
    (timeline,) = layout["timelines"]
    assert len(timeline["dots"]) == 40
    assert timeline["svg"]["w"] <= 2400
    labels = sorted(
        (lbl["box"] for lbl in timeline["labels"] if lbl["text"] in versions), key=lambda b: b["x"]
    )
    assert 5 <= len(labels) <= 40
    assert all(a["r"] <= b["x"] for a, b in zip(labels, labels[1:], strict=False)), "version labels overlap"
    assert len(timeline["flags"]) == 4
    for box in timeline["flags"]:
        assert timeline["svg"]["x"] - 0.5 <= box["x"] and box["r"] <= timeline["svg"]["r"] + 0.5


def test_deployment_history(browser: Browser) -> None:
    history = _history()
    layout = browser.layout(_page({"history": history._repr_html_()}, "history"), "history")
    _assert_no_injection(layout)
    assert len(layout["details"]) == 3, "one collapsible SQL block per deployment"
    for d in layout["details"]:
        assert re.fullmatch(r"\d+ statement\(s\)", d["summary"].strip())
        assert d["opened"] > d["closed"] and d["pre_visible"], "opening shows the SQL"
    statuses = [b["text"] for b in layout["badges"]]
    assert statuses.count("failed") == 2 and statuses.count("success") == 2
    colors = {b["text"]: b["bg"] for b in layout["badges"]}
    assert (
        colors["failed"] != colors["success"] != colors["applied"] or colors["success"] == colors["applied"]
    )
    assert colors["failed"] != colors["success"]
    text = layout["sections"]["history"]["text"]
    assert "0.1.0 → 0.2.0" in text and "statement 2 failed" in text


def test_plan(browser: Browser, project: schemax.Project) -> None:
    plan = _plan(project)
    html = plan._repr_html_()
    layout = browser.layout(_page({"plan": html}, "plan"), "plan")
    _assert_no_injection(layout)
    text = layout["sections"]["plan"]["text"]
    assert "legacy_code" in text and "order_status" in text
    assert layout["details"], "the SQL is collapsible"
    assert any(d["pre_visible"] or d["opened"] > d["closed"] for d in layout["details"])
    assert layout["sections"]["plan"]["box"]["h"] > 100
    browser.screenshot(_page({"plan": html}, "plan"), "plan")


def test_plan_with_preflight_evidence(browser: Browser, project: schemax.Project) -> None:
    plan = _plan(project)
    index = next(i for i, f in enumerate(plan.findings) if f.code == "SX101")
    checked = plan.with_evidence({index: Evidence(
        Verdict.LOSES_DATA, "2 non-NULL values of legacy_code become unreadable", 2, (HOSTILE,), "values",
        f"SELECT count(*) AS n_rows, count_if(`legacy_code` IS NOT NULL) AS check_0 FROM t -- {HOSTILE}")})
    layout = browser.layout(_page({"plan": checked._repr_html_()}, "plan-evidence"), "plan-evidence")
    _assert_no_injection(layout)
    text = layout["sections"]["plan"]["text"]
    assert "loses data: 2 non-NULL values of legacy_code become unreadable" in text
    assert HOSTILE in text, "a sample value is shown as text"


def test_drift_report(browser: Browser) -> None:
    report = _drift_report()
    layout = browser.layout(_page({"drift": report._repr_html_()}, "drift"), "drift")
    _assert_no_injection(layout)
    text = layout["sections"]["drift"]["text"]
    assert "hand_made" in text and "extra" in text and "modified" in text and "missing" in text
    assert HOSTILE in text, "the hostile value is shown as text"
    assert len(layout["details"]) >= 2, "findings grouped per table, collapsible"
    browser.screenshot(_page({"drift": report._repr_html_()}, "drift"), "drift")


def test_everything_on_one_page(browser: Browser, project: schemax.Project) -> None:
    """What a notebook shows one cell after another: no style of one breaks another."""
    sections = {
        "status": _status(project)._repr_html_(),
        "history": _history()._repr_html_(),
        "project": project._repr_html_(),
    }
    layout = browser.layout(_page(sections, "all"), "all")
    _assert_no_injection(layout)
    boxes = [layout["sections"][k]["box"] for k in sections]
    for a, b in zip(boxes, boxes[1:], strict=False):
        assert a["b"] <= b["y"] + 0.5, "sections overlap"
    assert all(b["h"] > 40 for b in boxes)
