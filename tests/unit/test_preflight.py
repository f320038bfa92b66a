"""Preflight without Spark: the probe SQL (golden strings), the evidence wording and rendering (plan script,
plan HTML, error), the service on a scripted executor (folding, fallback, timeout, sampling), the deploy
step (refusal before anything is recorded or run, defaults per environment, opt-out, forcing) and the
rehearsal's scratch naming and cleanup."""

from __future__ import annotations

import io
import re
import threading
import time
from typing import Any

import pytest

import schemax
from schemax.adapters.memory import MemoryStore
from schemax.analyze.evidence import CostClass, CostThresholds, Evidence, TableCost, Verdict, human_bytes
from schemax.cli import EXIT_BLOCKED, build_parser, exit_code_for
from schemax.cli.exits import error_doc, report_error
from schemax.display import plan_html
from schemax.errors import PreflightFailedError, SqlError
from schemax.plan import UNITY_CATALOG, Plan
from schemax.plan.describe import describe
from schemax.plan.probes import PROBES, evidence_for, probes_for, table_cost
from schemax.plan.scratch import needed, rehearsal_plan, scratch_prefix, scratch_schemas
from schemax.services.preflight import run_preflight

ORDERS = "`prod_shop`.`sales`.`orders`"
OLD = "`prod_shop`.`sales`.`old`"


def _design() -> schemax.Project:
    p = schemax.Project.in_memory("shop")
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.create_table("shop.sales.orders", [
        schemax.Column("id", "BIGINT", nullable=False), schemax.Column("email", "STRING"),
        schemax.Column("amount", "DOUBLE"), schemax.Column("code", "STRING"),
        schemax.Column("notes", "STRING")])
    p.add_primary_key("shop.sales.orders", ["id"])
    p.create_table("shop.sales.old", [schemax.Column("id", "BIGINT")])
    p.snapshot("v1")
    return p


def _change(p: schemax.Project) -> None:
    p.set_column_nullable("shop.sales.orders", "email", False)
    p.add_check_constraint("shop.sales.orders", "positive", "amount > 0")
    p.change_column_type("shop.sales.orders", "code", "INT")
    p.drop_column("shop.sales.orders", "notes")
    p.drop_table("shop.sales.old")
    p.add_column("shop.sales.orders", "region", "STRING", nullable=False)
    p.snapshot("v2")


@pytest.fixture()
def plan() -> Plan:
    p = _design()
    _change(p)
    return p.diff("0.1.0", "0.2.0", catalogs={"shop": "prod_shop"})


def _names(plan: Plan) -> dict[str, str]:
    return {tid: f"`prod_shop`.`sales`.`{t.name}`" for tid, t in plan.before.tables.items()}


# ------------------------------------------------------------------------------------------------------
# the probe SQL builder (pure)


def test_probe_sql_folds_every_check_on_a_table_into_one_query(plan: Plan) -> None:
    probes = probes_for(plan.findings, plan.before.tables, _names(plan), plan.after.tables)
    assert [p.name for p in probes] == [OLD, ORDERS]
    old, orders = probes
    assert old.detail_sql == f"DESCRIBE DETAIL {OLD}"
    assert old.count_sql() == f"SELECT count(*) AS n_rows FROM {OLD}"
    assert orders.detail_sql == f"DESCRIBE DETAIL {ORDERS}"
    assert orders.count_sql() == (
        "SELECT count(*) AS n_rows, "
        "count_if(`notes` IS NOT NULL) AS check_0, "
        "count_if(`code` IS NOT NULL AND TRY_CAST(`code` AS INT) IS NULL) AS check_1, "
        "count_if(`code` IS NOT NULL AND NOT (TRY_CAST(TRY_CAST(`code` AS INT) AS STRING) <=> `code`)) "
        "AS check_2, "
        "count_if(NOT coalesce((amount > 0), false)) AS check_3, "
        "count_if(`email` IS NULL) AS check_4 "
        f"FROM {ORDERS}"
    )
    assert orders.count_sql(10) == orders.count_sql() + " TABLESAMPLE (10 PERCENT)"
    samples = [orders.sample_sql(c) for c in orders.checks]
    assert samples == [
        None,  # a dropped column's values are not shown
        f"SELECT `code` AS sample_0 FROM {ORDERS} WHERE `code` IS NOT NULL AND "
        "TRY_CAST(`code` AS INT) IS NULL LIMIT 3",
        f"SELECT `code` AS sample_0 FROM {ORDERS} WHERE `code` IS NOT NULL AND "
        "NOT (TRY_CAST(TRY_CAST(`code` AS INT) AS STRING) <=> `code`) LIMIT 3",
        f"SELECT `id` AS sample_0 FROM {ORDERS} WHERE NOT coalesce((amount > 0), false) LIMIT 3",
        f"SELECT `id` AS sample_0 FROM {ORDERS} WHERE `email` IS NULL LIMIT 3",
    ]
    assert orders.check_sql(orders.checks[4]) == f"SELECT count_if(`email` IS NULL) AS check_4 FROM {ORDERS}"
    assert orders.rows_sql == f"SELECT count(*) AS n_rows FROM {ORDERS}"
    # every data-dependent finding is answered by exactly one probe, every other finding by none
    answered = sorted(plan.findings[fp.index].code for p in probes for fp in p.findings)
    assert answered == ["SX101", "SX102", "SX301", "SX302", "SX303", "SX305", "SX401"]


def test_probe_names_live_columns_when_the_plan_renames_them() -> None:
    p = _design()
    p.rename_column("shop.sales.orders", "amount", "total")
    p.add_check_constraint("shop.sales.orders", "positive", "total > 0")
    p.set_column_nullable("shop.sales.orders", "total", False)
    p.snapshot("v2")
    plan = p.diff("0.1.0", "0.2.0", catalogs={"shop": "prod_shop"})
    (orders,) = probes_for(plan.findings, plan.before.tables, _names(plan), plan.after.tables)
    conditions = [c.condition for c in orders.checks]
    assert "NOT coalesce((`amount` > 0), false)" in conditions  # the CHECK as the live table names it
    assert "`amount` IS NULL" in conditions


def test_probes_skip_tables_the_environment_does_not_hold_yet() -> None:
    p = schemax.Project.in_memory("shop")
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.snapshot("v1")
    p.create_table("shop.sales.t", [schemax.Column("id", "BIGINT", nullable=False)])
    p.add_check_constraint("shop.sales.t", "c", "id > 0")
    p.snapshot("v2")
    plan = p.diff("0.1.0", "0.2.0")
    assert probes_for(plan.findings, plan.before.tables, _names(plan)) == []


def test_every_probe_is_for_a_finding_code_that_exists() -> None:
    from schemax.analyze.rules import RULES_BY_CODE

    assert set(PROBES) <= set(RULES_BY_CODE)
    assert all(code[2] in "134" for code in PROBES)  # destructive, data-dependent, protocol upgrades


# ------------------------------------------------------------------------------------------------------
# evidence: verdicts and wording


def _judge(plan: Plan, counts: dict[str, int], *, samples: dict[str, list[dict[str, Any]]] | None = None,
           sampled: float | None = None, errors: dict[str, str] | None = None,
           rows: int | None = None) -> dict[str, Evidence]:
    out = {}
    thresholds = CostThresholds()
    for probe in probes_for(plan.findings, plan.before.tables, _names(plan), plan.after.tables):
        found = evidence_for(probe, counts=counts, cost=table_cost({"sizeInBytes": 2048, "numFiles": 2},
                                                                   counts.get("n_rows"), thresholds),
                             samples=samples, query=probe.count_sql(sampled), sampled_percent=sampled,
                             errors=errors, rows=rows)
        out.update({plan.findings[i].code: e for i, e in found.items()})
    return out


def test_evidence_wording_when_the_data_makes_statements_fail(plan: Plan) -> None:
    ev = _judge(plan, {"n_rows": 12, "check_0": 5, "check_1": 2, "check_2": 4, "check_3": 1, "check_4": 12},
                samples={"check_4": [{"sample_0": 3}, {"sample_0": 7}, {"sample_0": 9}],
                         "check_1": [{"sample_0": "abc"}, {"sample_0": "1.5"}],
                         "check_3": [{"sample_0": 4}]})
    table = "; table small: 2.0 KiB in 2 files, 12 rows"
    assert ev["SX302"].summary == "will fail: 12 rows hold NULL in email (e.g. id 3, 7, 9)" + table
    assert ev["SX303"].summary == "will fail: 1 row violates CHECK positive (amount > 0) (e.g. id 4)" + table
    assert ev["SX305"].summary == ("will fail: 2 values of code do not convert to INT "
                                   "(e.g. values 'abc', '1.5')" + table)
    assert ev["SX301"].summary == ("will fail: the table holds 12 rows, and a NOT NULL column without a "
                                   "DEFAULT leaves them NULL" + table)
    assert ev["SX101"].verdict is Verdict.LOSES_DATA
    assert ev["SX101"].summary.startswith("loses data: 5 non-NULL values of notes become unreadable")
    assert ev["SX102"].summary.startswith("loses data: 12 rows become unreadable")
    assert ev["SX401"].verdict is Verdict.SAFE
    assert all(e.query.startswith("SELECT count(*) AS n_rows") for e in ev.values())
    assert ev["SX302"].count == 12 and ev["SX302"].samples == ("3", "7", "9") and ev["SX302"].will_fail


def test_evidence_wording_when_the_data_is_clean(plan: Plan) -> None:
    ev = _judge(plan, {"n_rows": 0, "check_0": 0, "check_1": 0, "check_2": 0, "check_3": 0, "check_4": 0})
    assert ev["SX302"].summary.startswith("safe: 0 rows hold NULL in email; table small")
    assert ev["SX303"].summary.startswith("safe: 0 rows violate CHECK positive (amount > 0)")
    assert ev["SX305"].summary.startswith("safe: 0 values of code change when cast to INT")
    assert ev["SX301"].summary.startswith("safe: the table is empty (0 rows)")
    assert ev["SX101"].summary.startswith("safe: notes holds no values (0 non-NULL)")
    assert ev["SX102"].summary.startswith("safe: the table is empty (0 rows)")
    assert all(e.verdict is Verdict.SAFE for e in ev.values())


def test_a_cast_that_changes_values_loses_data_but_does_not_fail(plan: Plan) -> None:
    ev = _judge(plan, {"n_rows": 3, "check_0": 0, "check_1": 0, "check_2": 2, "check_3": 0, "check_4": 0},
                samples={"check_2": [{"sample_0": "007"}, {"sample_0": " 8"}]})
    assert ev["SX305"].verdict is Verdict.LOSES_DATA
    assert ev["SX305"].summary.startswith("loses data: 2 values of code change when cast to INT "
                                          "(e.g. values '007', ' 8')")


def test_a_sample_can_prove_a_failure_but_never_safety(plan: Plan) -> None:
    ev = _judge(plan, {"n_rows": 100, "check_0": 0, "check_1": 0, "check_2": 0, "check_3": 0, "check_4": 3},
                sampled=10.0, rows=1000)
    assert ev["SX302"].verdict is Verdict.WILL_FAIL
    assert ev["SX302"].text == "3 rows hold NULL in email in a 10% sample"
    assert ev["SX303"].verdict is Verdict.UNKNOWN and "sample cannot prove" in ev["SX303"].text
    assert ev["SX301"].text.startswith("the table holds 1,000 rows")  # the exact count, not the sample's


def test_a_failed_check_is_unknown_and_hides_no_other(plan: Plan) -> None:
    ev = _judge(plan, {"n_rows": 5, "check_0": 0, "check_1": 0, "check_2": 0, "check_4": 0},
                errors={"check_3": "[UNRESOLVED_COLUMN] amount"})
    assert ev["SX303"].verdict is Verdict.UNKNOWN
    assert "UNRESOLVED_COLUMN" in ev["SX303"].text
    assert ev["SX302"].verdict is Verdict.SAFE


def test_cost_classes_and_sizes() -> None:
    t = CostThresholds()
    assert (t.classify(None), t.classify(0), t.classify((1 << 30) - 1)) == (
        CostClass.UNKNOWN, CostClass.SMALL, CostClass.SMALL)
    assert t.classify(1 << 30) is CostClass.MEDIUM and t.classify(100 << 30) is CostClass.LARGE
    assert CostThresholds(100, 1000).classify(5000) is CostClass.LARGE
    assert t.describe() == "small < 1.0 GiB <= medium < 100.0 GiB <= large"
    assert human_bytes(512) == "512 B" and human_bytes(1536) == "1.5 KiB"
    assert TableCost(CostClass.LARGE, 3 << 40, 12000, 1).describe() == "large: 3.0 TiB in 12,000 files, 1 row"
    assert TableCost(CostClass.UNKNOWN).describe() == "unknown"


# ------------------------------------------------------------------------------------------------------
# rendering: a plan without evidence renders as before; with evidence it shows it


def test_plan_renderings_show_evidence_only_after_a_preflight(plan: Plan) -> None:
    ev = Evidence(Verdict.WILL_FAIL, "12 rows hold NULL in email", 12, ("3", "7", "9"), "id",
                  f"SELECT count(*) AS n_rows, count_if(`email` IS NULL) AS check_0 FROM {ORDERS}")
    index = next(i for i, f in enumerate(plan.findings) if f.code == "SX302")
    checked = plan.with_evidence({index: ev})
    assert plan.with_evidence({}).script() == plan.script()
    assert plan.with_evidence({}).to_json() == plan.to_json()
    assert plan_html(plan.with_evidence({}), describe) == plan_html(plan, describe)
    assert "evidence" not in plan.to_json() and "sx-evidence" not in plan._repr_html_()
    # the script's header
    header = checked.script().split("\n\n")[0]
    assert "--     evidence: will fail: 12 rows hold NULL in email (e.g. id 3, 7, 9)" in header
    assert checked.script().split("\n\n")[1:] == plan.script().split("\n\n")[1:]  # statements unchanged
    # the JSON export
    finding = next(f for f in checked.to_dict()["findings"] if f["code"] == "SX302")
    assert finding["evidence"]["verdict"] == "will_fail" and finding["evidence"]["count"] == 12
    assert finding["evidence"]["samples"] == ["3", "7", "9"]
    # the HTML review screen
    html = checked._repr_html_()
    assert ("<span class='sx-evidence sx-ev-will_fail' title='SELECT count(*) AS n_rows, "
            "count_if(`email` IS NULL)") in html
    assert "will fail: 12 rows hold NULL in email (e.g. id 3, 7, 9)</span>" in html
    assert "preflight: <b>1 will fail</b>" in html and ".sx-plan .sx-ev-will_fail{" in html
    assert checked.evidence == [checked.findings[index]] and plan.evidence == []
    # evidence is not part of a finding's identity
    assert checked.findings == plan.findings


def test_the_refusal_names_the_evidence(plan: Plan) -> None:
    ev = _judge(plan, {"n_rows": 12, "check_0": 0, "check_1": 0, "check_2": 0, "check_3": 0, "check_4": 12},
                samples={"check_4": [{"sample_0": 3}]})
    checked = plan.with_evidence({i: ev[f.code] for i, f in enumerate(plan.findings) if f.code in ev})
    failing = [f for f in checked.evidence if f.evidence.will_fail]
    err = PreflightFailedError("prod", failing)
    first = str(err).split("\n")[0]
    assert first.startswith("preflight on 'prod': 2 statement(s) will fail on the data: SX302 "
                            "shop.sales.orders.email: will fail: 12 rows hold NULL in email (e.g. id 3)")
    assert first.endswith("(and 1 more)")
    assert "SX301 shop.sales.orders.region: will fail: the table holds 12 rows" in str(err)
    assert err.blocked and err.environment == "prod" and err.findings == failing


# ------------------------------------------------------------------------------------------------------
# the service on a scripted executor


class DataEngine:
    """Accepts every statement; answers DESCRIBE DETAIL, the probes' counts (``counts``: a substring of a
    check's condition -> its count) and their samples, the way Spark would. ``fail_on``: queries holding
    it raise SqlError; ``slow``: seconds every count waits."""

    def __init__(self, counts: dict[str, int] | None = None, rows: int = 10, size: int = 4096,
                 fail_on: str | None = None, slow: float = 0.0) -> None:
        self.counts = counts or {}
        self.rows = rows
        self.size = size
        self.fail_on = fail_on
        self.slow = slow
        self.sql: list[str] = []
        self.queries: list[str] = []
        self._lock = threading.Lock()

    def execute(self, sql: str, params: Any = None) -> None:
        if self.fail_on and self.fail_on in sql:
            raise SqlError(sql, "[DELTA_NEW_CHECK_CONSTRAINT_VIOLATION] boom", "error")
        with self._lock:
            self.sql.append(sql)

    def _count(self, condition: str) -> int:
        return next((n for key, n in self.counts.items() if key in condition), 0)

    def query(self, sql: str, params: Any = None) -> list[dict[str, Any]]:
        with self._lock:
            self.queries.append(sql)
        if self.fail_on and self.fail_on in sql:
            raise SqlError(sql, "[UNRESOLVED_COLUMN] no such column", "analysis")
        if sql.startswith("DESCRIBE DETAIL"):
            return [{"format": "delta", "sizeInBytes": self.size, "numFiles": 3}]
        if sql.startswith("DESCRIBE HISTORY"):
            return [{"version": 7}]
        if " AS sample_0 " in sql:
            return [{"sample_0": i} for i in (3, 7, 9)]
        if sql.startswith("SELECT count"):
            time.sleep(self.slow)
            row: dict[str, Any] = {"n_rows": self.rows} if "AS n_rows" in sql else {}
            for cond, alias in re.findall(r"count_if\((.*?)\) AS (check_\d+)", sql):
                row[alias] = self._count(cond)
            return [row]
        return [{"u": "tester"}]


def _project(engine: Any, **env: Any) -> schemax.Project:
    p = schemax.Project.create(engine, "shop", store=MemoryStore(), author="tester")
    p._capabilities = UNITY_CATALOG
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.create_table("shop.sales.orders", [schemax.Column("id", "BIGINT", nullable=False),
                                         schemax.Column("email", "STRING"),
                                         schemax.Column("amount", "DOUBLE")])
    p.add_environment("prod", {"shop": "prod_shop"}, allow_drift=True, **env)
    p.add_environment("dev", {"shop": "dev_shop"}, allow_drift=True)
    p.snapshot("v1", version="1.0.0")
    p.deploy("prod", preflight=False)
    p.deploy("dev")
    p.set_column_nullable("shop.sales.orders", "email", False)
    p.add_check_constraint("shop.sales.orders", "positive", "amount > 0")
    p.snapshot("v2", version="2.0.0")
    return p


def test_preflight_queries_each_table_once_and_attaches_evidence() -> None:
    engine = DataEngine({"IS NULL": 2, "amount > 0": 0})
    p = _project(engine)
    engine.queries.clear()
    engine.sql.clear()
    result = p.preflight("prod")
    assert [q.split(" FROM ")[0] for q in engine.queries] == [
        "DESCRIBE DETAIL `prod_shop`.`sales`.`orders`",
        "SELECT count(*) AS n_rows, count_if(NOT coalesce((amount > 0), false)) AS check_0, "
        "count_if(`email` IS NULL) AS check_1",
        "SELECT `id` AS sample_0",  # samples only for the check that found rows
    ]
    by_code = {f.code: f.evidence for f in result.findings}
    assert by_code["SX302"].summary.startswith("will fail: 2 rows hold NULL in email (e.g. id 3, 7, 9)")
    assert by_code["SX303"].verdict is Verdict.SAFE
    assert not result.ok and [f.code for f in result.failing] == ["SX302"]
    assert result.tables[0].cost is not None and result.tables[0].cost.cost_class is CostClass.SMALL
    assert result.plan.findings[0].evidence is not None  # the plan comes back with its evidence
    assert "will fail" in result._repr_html_() and result.to_dict()["will_fail"] == 1
    assert result.lines()[0].startswith(
        "preflight prod: 2 finding(s) checked on 1 table(s) with 3 query(ies)")
    assert engine.sql == []  # read-only


def test_a_failing_fold_falls_back_to_each_check_alone() -> None:
    engine = DataEngine({"IS NULL": 0}, fail_on="amount > 0")
    p = _project(engine)
    engine.queries.clear()
    result = p.preflight("prod")
    by_code = {f.code: f.evidence for f in result.findings}
    assert by_code["SX303"].verdict is Verdict.UNKNOWN and "UNRESOLVED_COLUMN" in by_code["SX303"].text
    assert by_code["SX302"].verdict is Verdict.SAFE  # the bad check did not hide the good one
    assert result.ok  # unknown is not a proof


def test_large_tables_by_a_lowered_threshold_and_sampling() -> None:
    engine = DataEngine({"IS NULL": 0}, size=5000, rows=1000)
    p = _project(engine)
    result = p.preflight("prod", thresholds=CostThresholds(small_below_bytes=100, large_from_bytes=1000))
    assert result.tables[0].cost == TableCost(CostClass.LARGE, 5000, 3, 1000)
    engine.queries.clear()
    sampled = p.preflight("prod", sample_above_bytes=1000)
    assert any(q.endswith("TABLESAMPLE (10 PERCENT)") for q in engine.queries)
    assert all(f.evidence.verdict is Verdict.UNKNOWN for f in sampled.findings)  # zeros in a sample


def test_a_table_that_does_not_answer_in_time_is_unknown() -> None:
    engine = DataEngine({"IS NULL": 5}, slow=1.0)
    p = _project(engine)
    started = time.monotonic()
    result = p.preflight("prod", timeout=0.2)
    assert time.monotonic() - started < 0.9
    assert all(f.evidence.verdict is Verdict.UNKNOWN for f in result.findings)
    assert "timed out after 0.2s" in result.findings[0].evidence.text
    assert result.ok and result.tables[0].error == "timed out after 0.2s"


# ------------------------------------------------------------------------------------------------------
# the deploy step


def test_production_deploy_is_refused_before_anything_is_recorded_or_run() -> None:
    engine = DataEngine({"IS NULL": 12})
    p = _project(engine)
    deployments = len(p.history("prod"))
    engine.sql.clear()
    with pytest.raises(PreflightFailedError) as err:
        p.deploy("prod")
    assert [f.code for f in err.value.findings] == ["SX302"]
    assert "will fail: 12 rows hold NULL in email (e.g. id 3, 7, 9)" in str(err.value)
    assert len(p.history("prod")) == deployments  # nothing recorded
    assert engine.sql == []  # nothing ran
    assert p.store.read_lock(p.name, "prod") is None  # the lock is released
    # the same data, preflight switched off for this deploy: it runs
    dep = p.deploy("prod", preflight=False)
    assert dep.status == "success" and any("SET NOT NULL" in s for s in engine.sql)


def test_dry_run_runs_the_preflight_too() -> None:
    engine = DataEngine({"IS NULL": 1})
    p = _project(engine)
    with pytest.raises(PreflightFailedError):
        p.deploy("prod", dry_run=True)


def test_preflight_defaults_per_environment_and_can_be_switched() -> None:
    engine = DataEngine({"IS NULL": 12})
    p = _project(engine)
    assert p.environment("prod").preflight_on_deploy and not p.environment("dev").preflight_on_deploy
    engine.queries.clear()
    assert p.deploy("dev").status == "success"  # not production: no preflight by default
    assert not any(q.startswith("DESCRIBE DETAIL") for q in engine.queries)
    p.update_environment("prod", preflight=False)  # opted out
    assert not p.environment("prod").preflight_on_deploy
    assert p.deploy("prod").status == "success"
    p.set_column_nullable("shop.sales.orders", "amount", False)
    p.snapshot("v3", version="3.0.0")
    with pytest.raises(PreflightFailedError):  # forced on for one deploy
        p.deploy("dev", preflight=True)
    p.add_environment("qa", {"shop": "qa_shop"}, preflight=True, allow_drift=True)
    assert p.environment("qa").preflight is True and p.environment("qa").preflight_on_deploy


def test_a_clean_preflight_lets_the_deploy_run() -> None:
    engine = DataEngine({})
    p = _project(engine)
    dep = p.deploy("prod")
    assert dep.status == "success"
    assert any(q.startswith("DESCRIBE DETAIL") for q in engine.queries)


# ------------------------------------------------------------------------------------------------------
# the rehearsal


def test_rehearsal_plan_is_retargeted_not_rewritten(plan: Plan) -> None:
    prefix = scratch_prefix("abc123")
    scratch = rehearsal_plan(plan, prefix)
    assert len(scratch.statements) == len(plan.statements)
    for real, rehearsed in zip(plan.statements, scratch.statements, strict=True):
        assert rehearsed.sql == real.sql.replace("`prod_shop`.`sales`",
                                                 "`prod_shop`.`sx_rehearsal_abc123_sales`")
    tables, views = needed(scratch)
    assert sorted(plan.before.tables[t].name for t in tables) == ["old", "orders"] and views == []
    create, drop = scratch_schemas(scratch, scratch.target, tables)
    assert create == drop == ["`prod_shop`.`sx_rehearsal_abc123_sales`"]


def test_rehearse_copies_runs_times_and_drops_and_records_nothing() -> None:
    engine = DataEngine({})
    p = _project(engine)
    deployments = len(p.history("prod"))
    engine.sql.clear()
    result = p.deploy("prod", rehearse=True)
    assert result.ok and result.prefix.startswith("sx_rehearsal_")
    scratch = f"`prod_shop`.`{result.prefix}sales`"
    assert engine.sql[0] == f"CREATE SCHEMA IF NOT EXISTS {scratch}"
    assert engine.sql[1] == f"CREATE TABLE {scratch}.`orders` SHALLOW CLONE `prod_shop`.`sales`.`orders`"
    assert engine.sql[-1] == f"DROP SCHEMA IF EXISTS {scratch} CASCADE"
    ran = engine.sql[2:-1]
    assert ran == [s.sql for s in result.statements] and all(scratch in s for s in ran)
    assert all(s.status == "applied" and s.seconds is not None for s in result.statements)
    assert [c.mode for c in result.copies] == ["shallow_clone"]
    assert len(p.history("prod")) == deployments  # nothing recorded
    assert "every statement ran" in result._repr_html_() and result.to_dict()["ok"] is True


def test_a_rehearsal_failure_stops_the_run_and_still_drops_the_scratch() -> None:
    engine = DataEngine({}, fail_on="ADD CONSTRAINT")
    p = _project(engine)
    engine.sql.clear()
    result = p.rehearse("prod")
    assert not result.ok
    (failed,) = result.failures
    assert "ADD CONSTRAINT" in failed.sql and "DELTA_NEW_CHECK_CONSTRAINT_VIOLATION" in (failed.error or "")
    after = result.statements[failed.seq:]
    assert all(s.status == "not_run" for s in after)
    assert engine.sql[-1].startswith("DROP SCHEMA IF EXISTS `prod_shop`.`sx_rehearsal_")
    assert "failed" in "\n".join(result.lines())


def test_a_clone_the_engine_refuses_falls_back_to_an_empty_copy() -> None:
    engine = DataEngine({}, fail_on="SHALLOW CLONE")
    p = _project(engine)
    engine.sql.clear()
    result = p.rehearse("prod")
    assert [c.mode for c in result.copies] == ["empty_copy"] and result.empty_copies
    assert any(s.endswith("LIKE `prod_shop`.`sales`.`orders`") for s in engine.sql)


def test_run_preflight_without_data_dependent_findings_queries_nothing() -> None:
    p = schemax.Project.in_memory("shop")
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.snapshot("v1")
    plan = p.diff(None, "0.1.0")
    engine = DataEngine()
    env = schemax.core.environment.Environment(name="prod")
    result = run_preflight(plan, env, engine)
    assert result.findings == [] and engine.queries == [] and result.ok


# ------------------------------------------------------------------------------------------------------
# the command line


def test_cli_parses_preflight_and_the_deploy_options() -> None:
    args = build_parser().parse_args(["preflight", "prod", "--timeout", "5", "--large-from-bytes", "10"])
    assert (args.command, args.env, args.timeout, args.large_from_bytes) == ("preflight", "prod", 5.0, 10)
    args = build_parser().parse_args(["deploy", "prod", "--rehearse", "--no-preflight"])
    assert args.rehearse is True and args.preflight is False
    assert build_parser().parse_args(["deploy", "prod"]).preflight is None
    assert build_parser().parse_args(["deploy", "prod", "--preflight"]).preflight is True


def test_a_preflight_refusal_reports_its_evidence(plan: Plan) -> None:
    ev = _judge(plan, {"n_rows": 2, "check_0": 0, "check_1": 0, "check_2": 0, "check_3": 0, "check_4": 2},
                samples={"check_4": [{"sample_0": 3}, {"sample_0": 7}]})
    checked = plan.with_evidence({i: ev[f.code] for i, f in enumerate(plan.findings) if f.code == "SX302"})
    err = PreflightFailedError("prod", checked.evidence)
    assert exit_code_for(err) == EXIT_BLOCKED
    doc = error_doc(err, EXIT_BLOCKED)
    assert doc["blocked"] is True and doc["environment"] == "prod"
    assert doc["findings"][0]["evidence"]["summary"].startswith("will fail: 2 rows hold NULL in email")
    out, errs = io.StringIO(), io.StringIO()
    report_error(err, EXIT_BLOCKED, None, out, errs)
    shown = errs.getvalue()
    assert "  SX302 shop.sales.orders.email: will fail: 2 rows hold NULL in email (e.g. id 3, 7)" in shown
    assert "schemax: blocked: preflight on 'prod'" in shown
