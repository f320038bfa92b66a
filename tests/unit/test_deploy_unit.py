"""Deployment orchestration without Spark: an in-memory store and an engine that records SQL."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest

import schemax
from helpers import FailingExecutor
from schemax.adapters.memory import MemoryStore
from schemax.core.environment import LockRecord, StatementRecord
from schemax.core.tracking import table_definition_hash
from schemax.drift import map_to_physical
from schemax.errors import SqlError
from schemax.plan import UNITY_CATALOG
from schemax.ports import ObservedCatalog
from schemax.services.deploy import Deployer, schedule
from schemax.services.drift import DriftService
from schemax.services.rollback import plan_rollback


class FakeEngine:
    """Accepts every statement (optionally failing one), answers DESCRIBE HISTORY with version 7."""

    def __init__(self, fail_on: str | None = None) -> None:
        self.sql: list[str] = []
        self.queries: list[str] = []
        self.fail_on = fail_on
        self._lock = threading.Lock()

    def execute(self, sql: str, params: Any = None) -> None:
        if self.fail_on and self.fail_on in sql:
            raise SqlError(sql, "boom", "error")
        with self._lock:
            self.sql.append(sql)

    def query(self, sql: str, params: Any = None) -> list[dict[str, Any]]:
        with self._lock:
            self.queries.append(sql)
        if sql.startswith("DESCRIBE HISTORY"):
            return [{"version": 7}]
        return [{"u": "tester"}]


@pytest.fixture()
def project() -> schemax.Project:
    p = schemax.Project.create(FakeEngine(), "shop", store=MemoryStore(), author="tester")
    p._capabilities = UNITY_CATALOG  # what the fake engine claims to be
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    for t in ("a", "b", "c"):
        p.create_table(f"shop.sales.{t}", [schemax.Column("id", "BIGINT", nullable=False),
                                           schemax.Column("v", "STRING")])
    p.add_environment("dev", {"shop": "dev_shop"})
    p.snapshot("v1", version="1.0.0")
    return p


def deployer(p: schemax.Project, engine: Any, **kw: Any) -> Deployer:
    return Deployer(p.records, engine, author=p.author, capabilities=UNITY_CATALOG, **kw)


def test_deploy_records_before_running_and_finishes(project: schemax.Project) -> None:
    engine = FakeEngine()
    seen_records: list[int] = []

    def before(seq: int, st: StatementRecord) -> None:  # the record exists before the first statement runs
        seen_records.append(len(project.store.read_deployments(project.name, "dev")))

    dep = deployer(project, engine, before_statement=before).deploy("dev")
    assert seen_records and all(n == 1 for n in seen_records)
    assert dep.status == "success" and dep.to_version == "1.0.0" and dep.from_version is None
    assert [s.status for s in dep.statements] == ["applied"] * len(dep.statements)
    assert len(engine.sql) == len(dep.statements)
    assert engine.sql[0].startswith("CREATE CATALOG")
    assert project.store.read_lock(project.name, "dev") is None  # released


def test_breaking_changes_refused_with_findings(project: schemax.Project) -> None:
    deployer(project, FakeEngine()).deploy("dev")
    project.drop_column("shop.sales.a", "v")
    project.snapshot("drop")
    engine = FakeEngine()
    with pytest.raises(schemax.BreakingChangeError) as err:
        deployer(project, engine).deploy("dev")
    assert [f.code for f in err.value.findings] == ["SX101"]
    assert engine.sql == []  # nothing ran
    dep = deployer(project, engine).deploy("dev", allow_breaking=True)
    assert any("DROP COLUMN" in s for s in engine.sql)
    assert dep.table_versions  # the Delta version before the destructive step is recorded
    assert list(dep.table_versions.values()) == [7]


def test_failure_is_recorded_then_resumed_without_reapplying(project: schemax.Project) -> None:
    engine = FakeEngine(fail_on="`b`")
    with pytest.raises(schemax.ExecutionError) as err:
        deployer(project, engine, max_workers=1).deploy("dev")
    failed = project.history("dev")[0]
    assert failed.status == "failed" and err.value.deployment_id == failed.deployment_id
    assert err.value.applied == failed.applied == len(engine.sql)
    bad = [s for s in failed.statements if s.status == "failed"]
    assert len(bad) == 1 and "`b`" in bad[0].sql and bad[0].error
    applied_before = list(engine.sql)
    engine.fail_on = None
    resumed = deployer(project, engine).deploy("dev")
    assert resumed.kind == "resume" and resumed.status == "success"
    rerun = engine.sql[len(applied_before):]
    assert not set(rerun) & set(applied_before)  # nothing applied twice
    # then the tracking stamp of each table with statements left (b and c), whatever the resume skips
    stamps = [s.sql for s in resumed.statements if s.change_kinds == ("stamp",)]
    assert [s.split(" SET ")[0] for s in stamps] == [
        "ALTER TABLE `dev_shop`.`sales`.`b`", "ALTER TABLE `dev_shop`.`sales`.`c`"]
    assert set(stamps) <= set(rerun)
    assert len(applied_before) + len(rerun) - len(stamps) == len(failed.statements)


def test_lock_held_refuses_and_expired_lock_is_taken(project: schemax.Project) -> None:
    store = project.store
    store.acquire_lock(LockRecord(project.name, "dev", "other#1", "2026-01-01", "2999-01-01"), "2026-01-01")
    with pytest.raises(schemax.DeploymentLockedError) as err:
        deployer(project, FakeEngine()).deploy("dev")
    assert err.value.holder == "other#1" and err.value.environment == "dev"
    store.release_lock(project.name, "dev", "other#1")
    store.acquire_lock(LockRecord(project.name, "dev", "dead#2", "2000-01-01", "2000-01-02"), "2000-01-01")
    assert deployer(project, FakeEngine()).deploy("dev").status == "success"


def test_interrupted_deployment_is_detected_and_resumed(project: schemax.Project) -> None:
    engine = FakeEngine()

    class Killed(BaseException):
        pass

    def die(seq: int, st: StatementRecord) -> None:
        if seq == 3:
            raise Killed()

    with pytest.raises(Killed):
        deployer(project, engine, before_statement=die, max_workers=1).deploy("dev")
    # the process "died": its record says in_progress; the lock was released by finally, as a crash
    # would not — simulate an expired lock by leaving none
    assert project.history("dev")[0].status == "in_progress"
    resumed = deployer(project, engine).deploy("dev")
    assert resumed.kind == "resume" and resumed.status == "success"
    kinds = [d.status for d in project.history("dev")]
    assert kinds == ["success", "failed"]


def test_approval_and_confirmation(project: schemax.Project) -> None:
    project.update_environment("dev", require_approval=True, require_confirmation=True)
    with pytest.raises(schemax.SchemaxError, match="approved"):
        deployer(project, FakeEngine()).deploy("dev", confirm="dev")
    approval = project.approve("dev", "1.0.0", comment="looks good")
    assert approval["by"] == "tester"
    with pytest.raises(schemax.SchemaxError, match="confirm"):
        deployer(project, FakeEngine()).deploy("dev")
    assert deployer(project, FakeEngine()).deploy("dev", confirm="dev").status == "success"


def test_schedule_runs_tables_concurrently_and_barriers_alone() -> None:
    def st(seq: int, obj: str, kinds: tuple[str, ...] = ("add_column",)) -> StatementRecord:
        return StatementRecord("d", seq, f"s{seq}", object_id=obj, change_kinds=kinds)

    stmts = [st(1, "sch_1", ("create_schema",)), st(2, "tbl_a"), st(3, "tbl_b"), st(4, "tbl_a"),
             st(5, "viw_v", ("create_view",)), st(6, "tbl_c")]
    waves = schedule(stmts)
    assert [[[s.seq for s in chain] for chain in wave] for wave in waves] == [
        [[1]], [[2, 4], [3]], [[5]], [[6]]]


def test_dry_run_runs_nothing(project: schemax.Project) -> None:
    engine = FakeEngine()
    dep = deployer(project, engine).deploy("dev", dry_run=True)
    assert dep.statements and engine.sql == []
    assert len(project.history("dev")) == 0


def test_fault_at_every_index_then_resume() -> None:
    p = schemax.Project.create(FakeEngine(), "faults", store=MemoryStore(), author="t")
    p._capabilities = UNITY_CATALOG
    p.create_catalog("shop")
    p.create_schema("shop.s")
    tables = [f"shop.s.t{i}" for i in range(5)]
    for t in tables:
        p.create_table(t, [schemax.Column("id", "BIGINT", nullable=False), schemax.Column("v", "STRING")])
    p.snapshot("v1", version="1.0.0")
    for t in tables:
        p.add_column(t, "extra", "INT", comment="added")
        p.rename_column(t, "v", "value")
    p.snapshot("v2", version="2.0.0")
    n = None
    for index in range(1, 21):
        env = f"e{index}"
        p.add_environment(env, {"shop": "spark_catalog"}, schema_prefix=f"{env}_")
        deployer(p, FakeEngine()).deploy(env, "1.0.0")
        failing = FailingExecutor(FakeEngine(), index)
        plan = deployer(p, failing).plan(env, "2.0.0")
        n = len(plan.statements)
        with pytest.raises(schemax.ExecutionError):
            deployer(p, failing, max_workers=3).deploy(env, "2.0.0", allow_breaking=True)
        first = list(failing.inner.sql)
        resumed = deployer(p, failing).deploy(env, "2.0.0", allow_breaking=True)
        stamps = {s.sql for s in resumed.statements if s.change_kinds == ("stamp",)}
        assert stamps  # the tables with statements left are stamped again at the end
        ran = [s for s in failing.inner.sql if s not in stamps]
        assert len(ran) == n and len(set(ran)) == n  # each exactly once (stamps aside)
        assert set(first) <= set(ran)
        assert p.status().deployed[env] == "2.0.0"
    assert n == 20


def test_a_mapping_key_in_another_case_names_the_physical_catalog_in_records_and_restores() -> None:
    """Issue 14: with ``{"Shop": "dev_shop"}`` for the logical catalog ``shop`` the plan named ``dev_shop``
    but the deployment recorded (DESCRIBE HISTORY) and a data rollback RESTOREd a table of ``shop``."""
    engine = FakeEngine()
    p = schemax.Project.create(engine, "cased", store=MemoryStore(), author="tester")
    p._capabilities = UNITY_CATALOG
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.create_table("shop.sales.a", [schemax.Column("id", "BIGINT"), schemax.Column("v", "STRING")])
    p.add_environment("dev", {"Shop": "dev_shop"})
    p.snapshot("v1", version="1.0.0")
    deployer(p, engine).deploy("dev")
    p.drop_column("shop.sales.a", "v")
    p.snapshot("v2", version="2.0.0")
    dep = deployer(p, engine).deploy("dev", allow_breaking=True)
    assert dep.table_versions == {"`dev_shop`.`sales`.`a`": 7}
    assert "DESCRIBE HISTORY `dev_shop`.`sales`.`a` LIMIT 1" in engine.queries
    before, restore = plan_rollback(p.records, deployer(p, engine), "dev", "1.0.0", True)
    assert restore == {"`dev_shop`.`sales`.`a`": 7}
    engine.sql.clear()
    back = deployer(p, engine).deploy("dev", "1.0.0", allow_breaking=True, kind="rollback", before=before,
                                      restore=restore)
    assert back.status == "success"
    assert engine.sql[0] == "RESTORE TABLE `dev_shop`.`sales`.`a` TO VERSION AS OF 7"
    assert not any("`shop`." in s for s in engine.sql)


def test_a_mapping_with_keys_differing_only_in_case_is_refused(project: schemax.Project) -> None:
    with pytest.raises(schemax.ValidationError, match="differ only in case"):
        project.add_environment("two", {"shop": "a", "SHOP": "b"})
    with pytest.raises(schemax.ValidationError, match="differ only in case"):
        project.update_environment("dev", catalogs={"shop": "dev_shop", "Shop": "other"})
    assert project.environment("dev").catalogs == {"shop": "dev_shop"}


# -- protocol upgrades an earlier deployment made (issue 10) ----------------------------------------------

def _masked(sql: str) -> str:
    """A plan script with the values that differ per run (time, snapshot id, definition hash) masked."""
    return re.sub(r"'schemax\.(deployed_at|snapshot|hash)' = '[^']*'", r"'schemax.\1' = '…'", sql)


@pytest.fixture()
def wide() -> schemax.Project:
    p = schemax.Project.create(FakeEngine(), "feat", store=MemoryStore(), author="tester")
    p._capabilities = UNITY_CATALOG
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.create_table("shop.sales.a", [schemax.Column("id", "BIGINT"), schemax.Column("v", "STRING"),
                                    schemax.Column("w", "STRING"), schemax.Column("n", "SMALLINT"),
                                    schemax.Column("m", "SMALLINT")])
    p.add_environment("dev", {"shop": "dev_shop"})
    p.snapshot("v1", version="1.0.0")
    deployer(p, FakeEngine()).deploy("dev")
    return p


SECOND_PLAN = """\
-- schemax plan: 2.0.0 -> 3.0.0
-- target: shop -> dev_shop; engine: Unity Catalog
-- 5 statement(s) for 4 change(s) (1 destructive, 1 breaking)
-- findings: 4 (2 blocking)
--   SX101 DESTRUCTIVE shop.sales.a.value: DROP COLUMN shop.sales.a.value: the column and every value in \
it are removed.
--     impact: Queries, jobs and dashboards that select 'value' fail, and its data is gone for every \
reader. Delta drops it in metadata only: until old versions are vacuumed, RESTORE to the table version \
recorded before the deploy brings it back. Remove the column from its readers (or copy the data) before \
deploying.
--   SX201 BREAKING shop.sales.a.w: column shop.sales.a.w is renamed to word.
--     impact: Queries, jobs and dashboards that use 'w' fail; they must use 'word'. Update readers in the \
same release (views can be updated in the same plan).
--   SX304 WARNING shop.sales.a.m: column shop.sales.a.m widens from SMALLINT to INT in place (no data is \
rewritten).
--     impact: Existing values fit. Consumers with a fixed schema see the new type: streaming reads of the \
table stop and must restart (with schema tracking), and jobs or external readers that expect SMALLINT may \
need updating.
--   SX304 WARNING shop.sales.a.n: column shop.sales.a.n widens from INT to BIGINT in place (no data is \
rewritten).
--     impact: Existing values fit. Consumers with a fixed schema see the new type: streaming reads of the \
table stop and must restart (with schema tracking), and jobs or external readers that expect INT may need \
updating.

-- destructive: the column's data is no longer readable (files keep it until VACUUM after a REORG)
ALTER TABLE `dev_shop`.`sales`.`a` DROP COLUMNS IF EXISTS (`value`);

-- breaking
ALTER TABLE `dev_shop`.`sales`.`a` RENAME COLUMN `w` TO `word`;

-- INT -> BIGINT in place (no data rewritten); cannot be narrowed back
ALTER TABLE `dev_shop`.`sales`.`a` ALTER COLUMN `n` TYPE BIGINT;

-- SMALLINT -> INT in place (no data rewritten); cannot be narrowed back
ALTER TABLE `dev_shop`.`sales`.`a` ALTER COLUMN `m` TYPE INT;

ALTER TABLE `dev_shop`.`sales`.`a` SET TBLPROPERTIES ('schemax.deployed_at' = '…', 'schemax.deployment' = \
'(planned)', 'schemax.environment' = 'dev', 'schemax.hash' = '…', 'schemax.snapshot' = '…', \
'schemax.version' = '3.0.0');
"""


def test_column_mapping_and_type_widening_an_earlier_deployment_enabled_are_not_enabled_again(
        wide: schemax.Project) -> None:
    p = wide
    p.rename_column("shop.sales.a", "v", "value")
    p.change_column_type("shop.sales.a", "n", "INT")
    p.snapshot("v2", version="2.0.0")
    first = deployer(p, FakeEngine()).deploy("dev", allow_breaking=True)
    tid = p.state().find("shop.sales.a")
    assert tid is not None
    upgrades = {"delta.columnMapping.mode": "name", "delta.enableTypeWidening": "true"}
    assert first.plan is not None and first.plan.features == {tid: upgrades}
    assert first.features == {tid: upgrades}  # recorded with the deployment
    assert {"SX401", "SX402"} <= {f.code for f in first.plan.findings}

    p.rename_column("shop.sales.a", "w", "word")  # needs column mapping again
    p.drop_column("shop.sales.a", "value")  # and so does a drop
    p.change_column_type("shop.sales.a", "n", "BIGINT")  # needs type widening again
    p.change_column_type("shop.sales.a", "m", "INT")
    p.snapshot("v3", version="3.0.0")
    plan = deployer(p, FakeEngine()).plan("dev")
    assert _masked(plan.sql) == SECOND_PLAN  # no SET TBLPROPERTIES upgrade, no SX401 / SX402
    assert plan.features == {} and plan.existing_features == {tid: upgrades}
    # the tracking hashes the design's definition, not the definition with the remembered features
    hashed = [s for s in plan.statements if "'schemax.hash'" in s.sql]
    assert f"'schemax.hash' = '{table_definition_hash(p.state().tables[tid])}'" in hashed[0].sql
    second = deployer(p, FakeEngine()).deploy("dev", allow_breaking=True)
    assert second.features == {tid: upgrades}  # kept: a protocol upgrade is never undone


def test_column_defaults_an_earlier_deployment_enabled_are_not_enabled_again(wide: schemax.Project) -> None:
    p = wide
    p.add_column("shop.sales.a", "d", "INT", default="0")
    p.snapshot("v2", version="2.0.0")
    first = deployer(p, FakeEngine()).deploy("dev", allow_breaking=True)
    assert first.plan is not None and "SX404" in {f.code for f in first.plan.findings}
    assert any("'delta.feature.allowColumnDefaults' = 'supported'" in s.sql for s in first.plan.statements)
    p.set_column_default("shop.sales.a", "d", None)  # no column holds a DEFAULT any more
    p.snapshot("v3", version="3.0.0")
    deployer(p, FakeEngine()).deploy("dev", allow_breaking=True)
    p.set_column_default("shop.sales.a", "v", "'x'")
    p.snapshot("v4", version="4.0.0")
    plan = deployer(p, FakeEngine()).plan("dev")
    assert not any("allowColumnDefaults" in s.sql for s in plan.statements)
    assert "SX404" not in {f.code for f in plan.findings}
    assert [s.sql for s in plan.statements][0] == (
        "ALTER TABLE `dev_shop`.`sales`.`a` ALTER COLUMN `v` SET DEFAULT 'x'")


def test_rollbacks_keep_the_features_and_dropped_tables_take_theirs(wide: schemax.Project) -> None:
    p = wide
    p.rename_column("shop.sales.a", "v", "value")
    p.snapshot("v2", version="2.0.0")
    deployer(p, FakeEngine()).deploy("dev", allow_breaking=True)
    tid = p.state().find("shop.sales.a")
    assert tid is not None
    engine = FakeEngine()
    back = deployer(p, engine).deploy("dev", "1.0.0", allow_breaking=True, kind="rollback",
                                      before=deployer(p, engine).deployed("dev").state)
    assert engine.sql[0] == "ALTER TABLE `dev_shop`.`sales`.`a` RENAME COLUMN `value` TO `v`"  # no upgrade
    assert back.features == {tid: {"delta.columnMapping.mode": "name"}}
    p.drop_table("shop.sales.a")
    p.snapshot("v3", version="3.0.0")
    dropped = deployer(p, FakeEngine()).deploy("dev", "3.0.0", allow_breaking=True)
    assert dropped.features == {}


def test_a_data_rollback_forgets_the_features_of_the_tables_it_restores(wide: schemax.Project) -> None:
    """RESTORE TO VERSION brings back a table's old properties (column mapping off again): after a data
    rollback the next deployment that drops a column enables column mapping again (the README cell, then
    its job, failed here with DELTA_UNSUPPORTED_DROP_COLUMN)."""
    p = wide
    engine = FakeEngine()
    p.drop_column("shop.sales.a", "v")
    p.snapshot("v2", version="2.0.0")
    first = deployer(p, engine).deploy("dev", allow_breaking=True)
    tid = p.state().find("shop.sales.a")
    assert tid is not None and first.features == {tid: {"delta.columnMapping.mode": "name"}}
    before, restore = plan_rollback(p.records, deployer(p, engine), "dev", "1.0.0", True)
    assert restore  # the drop recorded the table's Delta version
    back = deployer(p, engine).deploy("dev", "1.0.0", allow_breaking=True, kind="rollback", before=before,
                                      restore=restore)
    assert back.status == "success" and not back.features.get(tid)  # nothing remembered for it
    again = deployer(p, engine).plan("dev", "2.0.0")
    sql = [s.sql for s in again.statements]
    assert sql[0] == ("ALTER TABLE `dev_shop`.`sales`.`a` SET TBLPROPERTIES "
                      "('delta.columnMapping.mode' = 'name')")
    assert sql[1].startswith("ALTER TABLE `dev_shop`.`sales`.`a` DROP COLUMN")


def test_a_data_rollback_to_a_version_the_environment_skipped_restores_only_what_came_after_it(
        wide: schemax.Project) -> None:
    """``make demo``: dev ran 1.0.0 and 3.0.0 (a rename, then a drop), skipping 2.0.0; rolling back to 2.0.0
    with its data restored the table to before the *rename* too (the walk back only stopped at a deployment
    of exactly 2.0.0), and the rename then failed without column mapping (DELTA_UNSUPPORTED_RENAME_COLUMN)."""
    p = wide
    engine = FakeEngine()
    p.rename_column("shop.sales.a", "v", "value")
    p.snapshot("v2", version="2.0.0")
    deployer(p, engine).deploy("dev", allow_breaking=True)  # 1.0.0 -> 2.0.0: recorded, destructive-ish
    p.add_column("shop.sales.a", "note", "STRING")
    p.snapshot("v2.1", version="2.1.0")  # never deployed to dev
    p.drop_column("shop.sales.a", "w")
    p.snapshot("v3", version="3.0.0")
    third = deployer(p, engine).deploy("dev", allow_breaking=True)  # 2.0.0 -> 3.0.0 skips 2.1.0
    (name,) = third.table_versions
    before, restore = plan_rollback(p.records, deployer(p, engine), "dev", "2.1.0", True)
    assert restore == {name: third.table_versions[name]}  # only the drop's version, not the rename's
    table = before.tables[p.state().find("shop.sales.a") or ""]
    assert [c.name for c in table.columns] == ["id", "value", "w", "n", "m"]  # as 2.0.0 left it
    engine.sql.clear()
    back = deployer(p, engine).deploy("dev", "2.1.0", allow_breaking=True, kind="rollback", before=before,
                                      restore=restore, allow_data_loss=True)
    assert back.status == "success"
    assert not any("RENAME COLUMN" in s for s in engine.sql)
    assert any("ADD COLUMNS (`note` STRING)" in s for s in engine.sql)


def test_drift_does_not_report_remembered_features(wide: schemax.Project) -> None:
    p = wide
    p.rename_column("shop.sales.a", "v", "value")
    p.snapshot("v2", version="2.0.0")
    dep = deployer(p, FakeEngine()).deploy("dev", allow_breaking=True)
    assert dep.plan is not None
    live = map_to_physical(p.state(), {"shop": "dev_shop"})
    tid = next(iter(live.tables))
    stamped = dict(_tracking_pairs(dep.plan))
    table = live.tables[tid]
    live = live.model_copy(update={"tables": {tid: table.model_copy(update={"properties": {
        **table.properties, **stamped, "delta.columnMapping.mode": "name",
        "delta.columnMapping.maxColumnId": "5",
        "delta.minReaderVersion": "2", "delta.minWriterVersion": "5"}})}})

    class Live:
        def read(self, scope: Any) -> ObservedCatalog:
            return ObservedCatalog(state=live)

    report = DriftService(p.records, FakeEngine(), author="t", reader=Live()).check("dev", record=False)
    assert not report.drifted, report.findings


def _tracking_pairs(plan: Any) -> list[tuple[str, str]]:
    (stamp,) = [s for s in plan.statements if "'schemax.hash'" in s.sql]
    return re.findall(r"'(schemax\.[a-z_]+)' = '([^']*)'", stamp.sql)
