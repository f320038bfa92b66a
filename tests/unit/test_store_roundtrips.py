"""The Delta store's SQL on a fake engine (tests/fake_delta.py): the Store contract, and how many
statements each user-facing operation sends to the engine besides its DDL (issue 12).

Counts are machine-independent: the same statements reach a laptop's Spark and a SQL warehouse, where
each costs a round trip, so asserting them is asserting the design.
"""

from __future__ import annotations

import pytest

from fake_delta import FakeDeltaEngine
from helpers import FailingExecutor
from schemax.adapters.delta_store import TABLES, DeltaStore
from schemax.services.deploy import Deployer
from store_contract import StoreContract

LOCATION = "spark_catalog.sx_fake"


@pytest.fixture(scope="module")
def store() -> DeltaStore:
    st = DeltaStore(FakeDeltaEngine(LOCATION), LOCATION)
    st.ensure()
    return st


class TestFakeDeltaStoreContract(StoreContract):
    def commits(self, store: DeltaStore) -> int:
        return store.executor.commits["ops"]


# -------------------------------------------------------------------------------------------------
# round trips per operation (the table of issue 12)

import re  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import schemax  # noqa: E402
from schemax.adapters.recording import RecordingExecutor  # noqa: E402

STORE = "spark_catalog.sx_rt"


def store_statements(rec: RecordingExecutor, action: Callable[[], Any]) -> tuple[Any, list[str]]:
    """What ``action`` sent to the engine that is not the plan's DDL (statements naming the store, and
    engine questions such as DESCRIBE HISTORY)."""
    rec.clear()
    result = action()
    engine: FakeDeltaEngine = rec.inner  # type: ignore[assignment]
    ddl = set(engine.ddl)
    return result, [s for s in rec.sql if s not in ddl]


def design(p: schemax.Project, tables: int, schemas: int, tag: str) -> None:
    with p.batch():
        p.create_catalog("rt")
        for s in range(schemas):
            p.create_schema(f"rt.s{s}")
        for i in range(tables):
            p.create_table(f"rt.s{i % schemas}.t{i}", [schemax.Column("id", "BIGINT", nullable=False),
                                                        schemax.Column("v", "STRING")])
    p.snapshot(f"create {tag}")


def new_project(rec: RecordingExecutor, name: str, tables: int = 4) -> schemax.Project:
    p = schemax.Project.create(rec, name, store=STORE, author="bench")
    p.add_environment("dev", catalogs={"rt": "spark_catalog"}, schema_prefix=f"{name}_dev_",
                      allow_breaking=True)
    design(p, tables, 2, name)
    return p


def labels(sql: list[str]) -> list[str]:
    out = []
    for s in sql:
        text = " ".join(s.split())
        table = re.search(r"`(projects|ops|snapshots|deployments|deployment_statements|drift_scans|locks)`",
                          text)
        verb = " ".join(text.split(" ")[:2]).upper()
        out.append(f"{verb} {table.group(1)}" if table else verb)
    return out


def sent(rec: RecordingExecutor, action: Callable[[], Any]) -> tuple[Any, list[str]]:
    result, sql = store_statements(rec, action)
    return result, labels(sql)


@pytest.fixture()
def rec() -> RecordingExecutor:
    return RecordingExecutor(FakeDeltaEngine(STORE))


# Baseline before issue 12 (main at 106a828, the same fake and flow): open 4, status 5, plan 4,
# deploy of k=6 and of k=18 statements 19 besides the DDL.

def test_open_reads_the_row_ops_and_snapshots_in_one_query_and_catches_up_in_one(rec: RecordingExecutor
                                                                                 ) -> None:
    new_project(rec, "rt")
    p, sql = sent(rec, lambda: schemax.Project.open(rec, "rt", store=STORE, author="b"))
    assert sql == ["SELECT 'PROJECT' projects"]  # tables ensured once per process: no SHOW TABLES
    assert len(p.state().tables) == 4 and p.latest_snapshot() is not None
    _, sql = sent(rec, lambda: schemax.Project.open(rec, "rt", store=STORE, author="b").state())
    assert len(sql) == 2  # goal <= 2


def test_status_is_one_query(rec: RecordingExecutor) -> None:
    p = new_project(rec, "rt")
    p.add_environment("prod", catalogs={"rt": "spark_catalog"}, schema_prefix="rt_prod_")
    p.deploy("dev")
    status, sql = sent(rec, p.status)
    assert sql == ["SELECT 'PROJECT' projects"]  # goal <= 3
    assert status.deployed == {"dev": "0.1.0", "prod": None} and status.uncommitted_ops == 0


def test_plan_is_one_query_after_the_engine_is_known(rec: RecordingExecutor) -> None:
    p = new_project(rec, "rt")
    _, first = sent(rec, lambda: p.plan("dev"))
    assert first == ["SELECT CURRENT_METASTORE()", "SHOW CATALOGS", "SELECT 'PROJECT' projects"]  # <= 3
    q = schemax.Project.open(rec, "rt", store=STORE, author="b")  # another project object, same engine
    plan, again = sent(rec, lambda: q.plan("dev"))
    assert again == ["SELECT 'PROJECT' projects"] and plan.statements


@pytest.mark.parametrize("tables", [4, 16, 40])
def test_deploy_sends_six_statements_besides_its_ddl_whatever_its_size(rec: RecordingExecutor,
                                                                       tables: int) -> None:
    new_project(rec, "warm").plan("dev")  # the engine's capabilities are known (once per process)
    q = new_project(rec, f"rt{tables}", tables)
    dep, sql = sent(rec, lambda: q.deploy("dev"))
    assert len(dep.statements) == tables + 2  # the catalog's two schemas and the tables
    assert sql == ["MERGE INTO locks", "SELECT 'PROJECT' projects", "INSERT INTO deployment_statements",
                   "MERGE INTO deployment_statements", "MERGE INTO deployments", "DELETE FROM locks"]
    assert [s.status for s in q.history("dev")[0].statements] == ["applied"] * len(dep.statements)


def test_store_tables_are_ensured_once_per_engine_and_process() -> None:
    engine = FakeDeltaEngine(STORE)
    rec = RecordingExecutor(engine)
    schemax.Project.create(rec, "a", store=STORE, author="t")
    listing = [s for s in rec.sql if s.startswith(("SHOW TABLES", "CREATE"))]
    assert listing[0].startswith("SHOW TABLES") and len(listing) == 2 + 7  # list, schema, seven tables
    rec.clear()
    schemax.Project.create(rec, "b", store=STORE, author="t")
    schemax.Project.open(rec, "a", store=STORE, author="t")
    assert not [s for s in rec.sql if s.startswith(("SHOW TABLES", "CREATE"))]
    # ensure() itself always looks, and creates only what is missing
    del engine.tables["locks"]
    rec.clear()
    DeltaStore(rec, STORE).ensure()
    assert [s.split(" (")[0] for s in rec.sql] == [
        "SHOW TABLES IN `spark_catalog`.`sx_rt`",
        "CREATE TABLE IF NOT EXISTS `spark_catalog`.`sx_rt`.`locks`"]


class RowCounting(FakeDeltaEngine):
    """Counts the rows each store query returns, per kind (``op``, ``snapshot``, ...)."""

    def __init__(self, store: str) -> None:
        super().__init__(store)
        self.returned: list[dict[str, int]] = []

    def _store(self, sql: str) -> list[dict[str, Any]]:
        rows = super()._store(sql)
        kinds: dict[str, int] = {}
        for r in rows:
            kinds[str(r.get("kind"))] = kinds.get(str(r.get("kind")), 0) + 1
        self.returned.append(kinds)
        return rows


def test_a_catch_up_reads_only_what_changed() -> None:
    engine = RowCounting(STORE)
    rec = RecordingExecutor(engine)
    p = new_project(rec, "rt")
    other = schemax.Project.open(rec, "rt", store=STORE, author="other")
    assert engine.returned[-1] == {"project": 1, "op": 7, "snapshot": 1}
    other.refresh()
    assert engine.returned[-1] == {"project": 1}  # nothing new: no op, no snapshot read again
    p.set_table_comment("rt.s0.t0", "new")
    p.snapshot("second")
    other.refresh()
    assert engine.returned[-1] == {"project": 1, "op": 1, "snapshot": 1}
    assert other.state() == p.state() and [s.version for s in other.snapshots()] == ["0.1.0", "0.2.0"]


def test_begin_is_one_commit_and_an_unfinished_deployment_is_seen_before_its_row_exists() -> None:
    engine = FakeDeltaEngine(STORE)
    p = new_project(engine, "rt")  # type: ignore[arg-type]

    class Killed(BaseException):
        pass

    def die(seq: int, st: Any) -> None:
        if seq == 3:
            raise Killed

    commits = dict(engine.commits)
    with pytest.raises(Killed):
        p.deployer(before_statement=die).deploy("dev")
    assert engine.commits["deployment_statements"] - commits.get("deployment_statements", 0) == 2
    assert engine.commits["deployments"] == commits.get("deployments", 0)  # no row of its own yet
    (rec,) = p.store.read_deployments("rt", "dev")  # the header stands for it
    assert rec.status == "in_progress" and rec.statement_count == 6
    assert p.status().unfinished == {"dev": f"{rec.deployment_id} (in_progress)"}
    assert [s.seq for s in p.store.read_statements("rt", rec.deployment_id)] == [1, 2, 3, 4, 5, 6]
    # the header is filed under another id: a reader that asks for the deployment's statements by id
    # (an older schemax, which knows no header) never meets it
    assert sorted(r["seq"] for r in engine.tables["deployment_statements"]
                  if r["deployment_id"] == rec.deployment_id) == [1, 2, 3, 4, 5, 6]
    third = p.store.read_statements("rt", rec.deployment_id)[2]
    engine.tables["locks"].clear()  # the dead process's lock expired
    resumed = p.deploy("dev")
    assert resumed.kind == "resume" and resumed.status == "success"
    assert third.sql in [s.sql for s in resumed.statements]  # what had not run, and only that
    assert len(resumed.statements) < 6
    recs = p.store.read_deployments("rt", "dev")
    assert [(r.kind, r.status) for r in recs] == [("resume", "success"), ("deploy", "failed")]


def test_fault_at_every_index_then_resume_on_the_delta_store() -> None:
    engine = FakeDeltaEngine(STORE)
    p = schemax.Project.create(engine, "faults", store=STORE, author="t")
    p.create_catalog("shop")
    p.create_schema("shop.s")
    tables = [f"shop.s.t{i}" for i in range(3)]
    for t in tables:
        p.create_table(t, [schemax.Column("id", "BIGINT", nullable=False), schemax.Column("v", "STRING")])
    p.snapshot("v1", version="1.0.0")
    for t in tables:
        p.add_column(t, "extra", "INT", comment="added")
        p.rename_column(t, "v", "value")
    p.snapshot("v2", version="2.0.0")
    for index in range(1, 13):
        env = f"e{index}"
        p.add_environment(env, {"shop": "spark_catalog"}, schema_prefix=f"{env}_")
        p.deploy(env, "1.0.0")
        ddl = FakeDeltaEngine("spark_catalog.elsewhere")
        failing = FailingExecutor(ddl, index)
        with pytest.raises(schemax.ExecutionError):
            Deployer(p.records, failing, author="t", capabilities=p.capabilities(),
                     max_workers=3).deploy(env, "2.0.0", allow_breaking=True)
        first = list(ddl.ddl)
        resumed = Deployer(p.records, failing, author="t", capabilities=p.capabilities()).deploy(
            env, "2.0.0", allow_breaking=True)
        stamps = {s.sql for s in resumed.statements if s.change_kinds == ("stamp",)}
        assert stamps  # the tables with statements left are stamped again at the end
        ran = [s for s in ddl.ddl if s not in stamps]
        assert len(ran) == len(set(ran)) == 12  # every statement exactly once (the resume's stamps aside)
        assert set(first) <= set(ran)
        assert p.status().deployed[env] == "2.0.0"


def test_a_destructive_deploy_adds_one_version_question_per_destructive_table_only(rec: RecordingExecutor
                                                                                   ) -> None:
    q = new_project(rec, "rtd", 6)
    q.deploy("dev")
    for i in (0, 3):
        q.drop_column(f"rt.s{i % 2}.t{i}", "v")
    q.add_column("rt.s1.t1", "extra", "INT")  # not destructive: no version needed
    q.snapshot("drops")
    dep, sql = sent(rec, lambda: q.deploy("dev", force=True))  # force: the fake catalog holds nothing to scan
    history = sorted(s for s in rec.sql if s.startswith("DESCRIBE HISTORY"))
    assert history == ["DESCRIBE HISTORY `spark_catalog`.`rtd_dev_s0`.`t0` LIMIT 1",
                       "DESCRIBE HISTORY `spark_catalog`.`rtd_dev_s1`.`t3` LIMIT 1"]
    assert [s for s in sql if s != "DESCRIBE HISTORY"] == [
        "MERGE INTO locks", "SELECT 'PROJECT' projects", "INSERT INTO deployment_statements",
        "MERGE INTO deployment_statements", "MERGE INTO deployments", "DELETE FROM locks"]
    assert dep.table_versions == {"`spark_catalog`.`rtd_dev_s0`.`t0`": 7,
                                  "`spark_catalog`.`rtd_dev_s1`.`t3`": 7}


def test_a_store_dropped_behind_the_process_is_ensured_again_on_the_next_open() -> None:
    engine = FakeDeltaEngine(STORE)
    schemax.Project.create(engine, "a", store=STORE, author="t")
    engine.tables.clear()
    engine.schema_exists = False
    with pytest.raises(schemax.SchemaxError):
        schemax.Project.open(engine, "a", store=STORE, author="t")
    p = schemax.Project.create(engine, "a", store=STORE, author="t")  # the tables are created again
    assert p.state().tables == {} and sorted(engine.tables) == sorted(TABLES)


def test_a_drift_check_reads_the_store_once_and_the_catalog_twice_per_schema(rec: RecordingExecutor
                                                                             ) -> None:
    p = new_project(rec, "rt", 20)
    p.deploy("dev")
    p.add_column("rt.s0.t0", "extra", "INT")
    p.snapshot("second")
    p.deploy("dev", force=True)  # a second deployment: its statements are not read (touched_tables)
    _, sql = sent(rec, lambda: p.check_drift("dev"))
    assert sql == ["SELECT 'PROJECT' projects", "DESCRIBE SCHEMA", "SHOW TABLE", "DESCRIBE SCHEMA",
                   "SHOW TABLE", "INSERT INTO drift_scans"]


def test_settings_come_from_the_last_read_and_an_environment_added_elsewhere_is_found(
        rec: RecordingExecutor) -> None:
    p = new_project(rec, "rt")
    other = schemax.Project.open(rec, "rt", store=STORE, author="other")
    other.add_environment("qa", catalogs={"rt": "spark_catalog"}, schema_prefix="rt_qa_")
    rec.clear()
    # inside an operation the services read the row once, with the rest (status: one read in all)
    p.status()
    assert len(rec.sql) == 1
    assert "qa" in p.records.environments()  # the records as that read left them: no query
    assert len(rec.sql) == 1
    other.update_environment("qa", schema_prefix="rt_qa2_")
    rec.clear()
    # a caller asking the project directly is shown the row as the store holds it now: one query
    assert p.environment("qa").schema_prefix == "rt_qa2_"
    assert len(rec.sql) == 1


def test_a_finished_record_begun_at_once_gets_its_own_row() -> None:
    from schemax.core.environment import DeploymentRecord

    engine = FakeDeltaEngine(STORE)
    st = DeltaStore(engine, STORE)
    st.ensure()
    rec = DeploymentRecord("dep_1", "p", "dev", "success", "baseline", "2026-01-01", "me", to_version="1.0.0")
    st.begin_deployment(rec, [])
    assert len(engine.tables["deployments"]) == 1 and engine.tables["deployment_statements"] == []
    assert [r.status for r in st.read_deployments("p", "dev")] == ["success"]


@pytest.mark.parametrize("deploys", [1, 3])
def test_export_reads_the_history_in_two_queries_and_import_writes_one_statement_per_table(
        rec: RecordingExecutor, tmp_path: Any, deploys: int) -> None:
    p = new_project(rec, "rtx")
    for i in range(deploys):
        if i:
            p.add_column("rt.s0.t0", f"c{i}", "STRING")
            p.snapshot(f"v{i}")
        assert p.deploy("dev", force=True).status == "success"  # force: the fake catalog shows nothing
    path, sql = sent(rec, lambda: p.export_json(tmp_path / "x.json"))
    # one read for the row, ops, snapshots and deployments, one for every statement, one for the scans
    assert sql == ["SELECT 'PROJECT' projects", "SELECT `RECORD` deployment_statements",
                   "SELECT `RECORD` drift_scans"]
    target = "spark_catalog.sx_rt_copy"
    other = RecordingExecutor(FakeDeltaEngine(target))
    schemax.Project.in_memory("warm").export_json(tmp_path / "warm.json")
    schemax.Project.import_json(other, tmp_path / "warm.json", store=target)  # tables ensured
    copy, sql = sent(other, lambda: schemax.Project.import_json(other, path, store=target, name="rtx"))
    assert copy.last_import is not None and copy.last_import.deployments == deploys
    writes = [s for s in sql if s.split()[0] in ("MERGE", "INSERT", "DELETE")]
    assert writes == ["MERGE INTO projects", "MERGE INTO ops", *["MERGE INTO snapshots"] * deploys,
                      "MERGE INTO deployment_statements", "MERGE INTO deployments"]
    _, again = sent(other, lambda: schemax.Project.import_json(other, path, store=target, name="rtx"))
    assert not [s for s in again if s.split()[0] in ("MERGE", "INSERT", "DELETE")]  # nothing to write
    # the comparison reads the store's deployments and statements once each, whatever their number
    assert again.count("SELECT `RECORD` deployment_statements") == 1
    from schemax.project.integrity import export_text
    assert export_text(copy.to_export()) == path.read_text(encoding="utf-8")


def test_history_reads_the_store_twice_whatever_the_number_of_deployments(rec: RecordingExecutor) -> None:
    p = new_project(rec, "rth")
    p.update_environment("dev", allow_drift=True)  # the fake engine's catalog is not the deployed one
    p.deploy("dev")
    for i in range(3):
        p.create_table(f"rt.s0.extra{i}", [schemax.Column("id", "BIGINT")])
        p.snapshot(f"extra {i}")
        p.deploy("dev")
    hist, sql = sent(rec, lambda: p.history("dev"))
    assert len(hist) == 4 and len(sql) == 2 and sql[1] == "SELECT `RECORD` deployment_statements", sql
    one_by_one = [p.store.read_statements("rth", d.deployment_id) for d in hist]
    assert [d.statements for d in hist] == one_by_one  # the same statements, each deployment's own
