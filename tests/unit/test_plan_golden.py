"""Golden planner cases: ``tests/cases/<name>/`` holds before/after states, the target, the expected script.

The plan of every case must render byte for byte to ``expected.sql`` (the script without its findings
lines) and report the finding codes of ``findings.json``. ``SCHEMAX_UPDATE_GOLDEN=1`` rewrites both from
the current planner, for a human to review as a diff. ``tests/cases/make_cases.py`` (re)builds the states.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
import sqlglot

CASES_DIR = Path(__file__).resolve().parents[1] / "cases"
sys.path.insert(0, str(CASES_DIR))

import make_cases  # noqa: E402

from schemax.plan import apply_changes, diff  # noqa: E402

UPDATE = os.environ.get("SCHEMAX_UPDATE_GOLDEN") == "1"
NAMES = sorted(p.name for p in CASES_DIR.iterdir() if (p / "before.json").is_file())


def test_there_are_enough_cases() -> None:
    assert len(NAMES) >= 40
    assert set(NAMES) == set(make_cases.CASES), (
        "run tests/cases/make_cases.py after adding or removing a case"
    )


@pytest.mark.parametrize("name", NAMES)
def test_states_match_their_generator(name: str) -> None:
    before, after, conf = make_cases.load(CASES_DIR / name)
    built_before, built_after, built_conf = make_cases.build(name)
    assert (before, after, conf) == (built_before, built_after, built_conf)


@pytest.mark.parametrize("name", NAMES)
def test_plan_matches_expected_sql(name: str) -> None:
    case_dir = CASES_DIR / name
    before, after, conf = make_cases.load(case_dir)
    plan = make_cases.plan_for(before, after, conf)
    sql = make_cases.golden_sql(plan)
    expected = case_dir / "expected.sql"
    if UPDATE:
        expected.write_text(sql, encoding="utf-8")
    assert expected.is_file(), f"{expected} missing: run with SCHEMAX_UPDATE_GOLDEN=1"
    assert sql == expected.read_text(encoding="utf-8")
    # the plan is deterministic and describes exactly the difference between the states
    assert make_cases.golden_sql(make_cases.plan_for(before, after, conf)) == sql
    assert apply_changes(before, diff(before, after)) == after


@pytest.mark.parametrize("name", NAMES)
def test_findings_match_expected_codes(name: str) -> None:
    analyze = pytest.importorskip("schemax.analyze")
    case_dir = CASES_DIR / name
    before, after, conf = make_cases.load(case_dir)
    codes = sorted({f.code for f in analyze.analyze(diff(before, after), before, after)})
    path = case_dir / "findings.json"
    if UPDATE:
        path.write_text(json.dumps(codes) + "\n", encoding="utf-8")
    assert codes == json.loads(path.read_text(encoding="utf-8"))


def parse(sql: str) -> None:
    # sqlglot cannot read `COMMENT ON … IS NULL` (Databricks and Spark can: it removes the comment)
    if sql.startswith("COMMENT ON ") and sql.endswith(" IS NULL"):
        sql = sql[: -len("NULL")] + "''"
    sqlglot.parse_one(sql, read="databricks")


@pytest.mark.parametrize("name", NAMES)
def test_every_statement_parses_as_databricks_sql(name: str) -> None:
    before, after, conf = make_cases.load(CASES_DIR / name)
    for st in make_cases.plan_for(before, after, conf).statements:
        parse(st.sql)
        for part in (st.reverse or "").split(";\n"):
            if part:
                parse(part)
