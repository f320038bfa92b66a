"""The Delta store and the Spark executor on real local Spark + Delta.

The Store contract both stores keep (ops, snapshots, projects) is tests/store_contract.py, run here as
``TestDeltaStoreContract``; this file adds what is Delta's own.

Fresh store locations (``spark_catalog.sx_<uuid8>``, dropped with CASCADE afterwards) for the tests
that look at the store's own structure (creation, ensure, second session); the others share one
module-scoped location and keep apart by project name, which is also how several projects share a
real store. Creating the seven tables costs a few seconds; doing it per test would dominate the file.
"""

from __future__ import annotations

import os
import random
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from schemax.adapters.delta_store import COMPRESS_THRESHOLD, TABLES, DeltaStore, encode_state
from schemax.adapters.recording import RecordingExecutor
from schemax.adapters.spark import SparkExecutor, is_conflict, normalize_error
from schemax.core.model import Catalog, Column, Schema, State, Table
from schemax.errors import SqlError, StoreConflictError
from schemax.ports import SqlExecutor
from store_contract import NASTY, StoreContract, new_project, op_records, small_state, snapshot

pytestmark = pytest.mark.integration

# -- helpers -------------------------------------------------------------------------------------


def _location() -> str:
    return f"spark_catalog.sx_{uuid.uuid4().hex[:8]}"


def _drop(spark: Any, location: str) -> None:
    spark.sql(f"DROP SCHEMA IF EXISTS {location} CASCADE")


def _history_versions(spark: Any, store: DeltaStore, table: str) -> int:
    return spark.sql(f"DESCRIBE HISTORY {store.table(table)}").count()


def _big_state(tables: int = 30, columns: int = 100) -> State:
    cat = Catalog(id="cat_1", name="big")
    sch = Schema(id="sch_1", catalog_id="cat_1", name="s")
    tbls = {}
    for t in range(tables):
        cols = tuple(
            Column(
                id=f"col_{t}_{c}",
                name=f"column_{c:04d}",
                type="string",
                comment=f"column {c} of table {t} 'é'",
            )
            for c in range(columns)
        )
        tbls[f"tbl_{t}"] = Table(id=f"tbl_{t}", schema_id="sch_1", name=f"t{t}", columns=cols)
    return State(catalogs={"cat_1": cat}, schemas={"sch_1": sch}, tables=tbls)


# -- fixtures ------------------------------------------------------------------------------------


@pytest.fixture()
def executor(spark: Any) -> SparkExecutor:
    return SparkExecutor(spark)


@pytest.fixture()
def fresh_location(spark: Any) -> Iterator[str]:
    location = _location()
    try:
        yield location
    finally:
        _drop(spark, location)


@pytest.fixture(scope="module")
def store(spark: Any) -> Iterator[DeltaStore]:
    location = _location()
    st = DeltaStore(SparkExecutor(spark), location)
    st.ensure()
    try:
        yield st
    finally:
        _drop(spark, location)


# -- executor ------------------------------------------------------------------------------------


def test_executor_query_params_and_counter(spark: Any) -> None:
    # a fresh session: the Delta parser bug workaround (module docstring of adapters.spark) kicks in here
    executor = SparkExecutor(spark.newSession())
    assert isinstance(executor, SqlExecutor)
    before = executor.statements
    rows = executor.query(
        "SELECT :s AS s, :i AS i, CAST(:n AS STRING) AS n, coalesce(:n, 'dflt') AS d",
        {"s": NASTY[1] + NASTY[2], "i": 42, "n": None},
    )
    assert rows == [{"s": NASTY[1] + NASTY[2], "i": 42, "n": None, "d": "dflt"}]
    # nested rows come back as plain dicts
    assert executor.query("SELECT named_struct('a', 1, 'b', array(1, 2)) AS x") == [
        {"x": {"a": 1, "b": [1, 2]}}
    ]
    executor.execute("SELECT 1")
    assert executor.statements == before + 3


def test_executor_counter_is_thread_safe(executor: SparkExecutor) -> None:
    before = executor.statements
    threads = [
        threading.Thread(target=lambda: [executor.query("SELECT 1") for _ in range(5)]) for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert executor.statements == before + 20


def test_executor_normalizes_engine_errors(executor: SparkExecutor) -> None:
    with pytest.raises(SqlError) as e:
        executor.query("SELECT * FROM spark_catalog.no_such_schema_x.no_such_table")
    assert e.value.kind == "not_found"
    assert "TABLE_OR_VIEW_NOT_FOUND" in e.value.cause
    assert e.value.sql.startswith("SELECT * FROM spark_catalog.no_such")
    with pytest.raises(SqlError) as e:
        executor.execute("SELEC 1")
    assert e.value.kind == "parse"
    with pytest.raises(SqlError) as e:
        executor.execute("CREATE SCHEMA default")
    assert e.value.kind == "already_exists"


def test_conflict_detection_by_class_name_and_error_class() -> None:
    class ConcurrentAppendException(Exception):
        pass

    class Captured(Exception):
        def getCondition(self) -> str:  # noqa: N802 - pyspark's spelling
            return "DELTA_CONCURRENT_TRANSACTION"

    class Other(Exception):
        def getCondition(self) -> str:  # noqa: N802
            return "TABLE_OR_VIEW_NOT_FOUND"

    assert is_conflict(ConcurrentAppendException("files were added"))
    assert is_conflict(Captured("x"))
    assert is_conflict(RuntimeError("io.delta.exceptions.MetadataChangedException: boom"))
    assert not is_conflict(Other("nope"))
    err = normalize_error(
        "MERGE INTO `c`.`s`.`ops` t USING ...", ConcurrentAppendException("files were added")
    )
    assert isinstance(err, StoreConflictError) and "ops" in err.table
    err2 = normalize_error("SELECT 1", Other("[TABLE_OR_VIEW_NOT_FOUND] nope"))
    assert isinstance(err2, SqlError) and err2.kind == "not_found"


def test_recording_executor_records_every_statement(executor: SparkExecutor) -> None:
    rec = RecordingExecutor(executor)
    assert rec.query("SELECT :x AS x", {"x": "a"}) == [{"x": "a"}]
    with pytest.raises(SqlError):
        rec.execute("SELEC 2")
    assert rec.statements == 2
    assert rec.sql == ["SELECT :x AS x", "SELEC 2"]
    assert rec.calls[0] == ("SELECT :x AS x", {"x": "a"})


# -- store structure -----------------------------------------------------------------------------


def test_ensure_creates_schema_and_tables_then_costs_one_query(spark: Any, fresh_location: str) -> None:
    rec = RecordingExecutor(SparkExecutor(spark))
    st = DeltaStore(rec, fresh_location)
    st.ensure()
    names = {r.tableName for r in spark.sql(f"SHOW TABLES IN {fresh_location}").collect()}
    assert names == set(TABLES)
    for name in TABLES:
        cols = [r.col_name for r in spark.sql(f"DESCRIBE TABLE {st.table(name)}").collect()]
        assert cols[: len(TABLES[name][0])] == [c for c, _ in TABLES[name][0]], name
        if name != "projects":
            assert "project" in cols, name
    assert spark.sql(f"DESCRIBE DETAIL {st.table('ops')}").collect()[0]["format"] == "delta"
    for name in ("ops", "snapshots", "drift_scans"):
        props = {r.key: r.value for r in spark.sql(f"SHOW TBLPROPERTIES {st.table(name)}").collect()}
        assert props.get("delta.appendOnly") == "true", name
    rec.clear()
    st.ensure()
    assert rec.statements == 1 and rec.sql[0].startswith("SHOW TABLES IN")
    # one missing table: only that one is created
    spark.sql(f"DROP TABLE {st.table('locks')}")
    rec.clear()
    st.ensure()
    creates = [s for s in rec.sql if s.startswith("CREATE")]
    assert len(creates) == 1 and "`locks`" in creates[0]
    assert spark.catalog.tableExists(f"{fresh_location}.locks")


def test_ensure_concurrently_from_two_sessions(spark: Any, fresh_location: str) -> None:
    stores = [DeltaStore(SparkExecutor(s), fresh_location) for s in (spark, spark.newSession())]
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def run(st: DeltaStore) -> None:
        try:
            barrier.wait()
            st.ensure()
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(st,)) for st in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    names = {r.tableName for r in spark.sql(f"SHOW TABLES IN {fresh_location}").collect()}
    assert names == set(TABLES)


def test_second_session_sees_and_writes_the_same_store(spark: Any, store: DeltaStore) -> None:
    project = new_project()
    first = store
    second = DeltaStore(SparkExecutor(spark.newSession()), store.location)
    second.ensure()
    recs = op_records(3)
    first.append_ops(project, recs)
    assert second.read_ops(project) == recs
    more = op_records(2, start=4, prev=recs[-1].hash)
    second.append_ops(project, more)
    assert first.read_ops(project) == recs + more
    with pytest.raises(StoreConflictError):
        second.append_ops(project, op_records(1, start=5))


# -- ops -----------------------------------------------------------------------------------------


def test_ops_table_is_append_only(spark: Any, store: DeltaStore) -> None:
    project = new_project()
    store.append_ops(project, op_records(2))
    ex = SparkExecutor(spark)
    with pytest.raises(SqlError) as e:
        ex.execute(f"DELETE FROM {store.table('ops')} WHERE project = '{project}'")
    assert "DELTA_CANNOT_MODIFY_APPEND_ONLY" in e.value.cause
    with pytest.raises(SqlError) as e:
        ex.execute(f"UPDATE {store.table('ops')} SET author = 'x' WHERE project = '{project}'")
    assert "DELTA_CANNOT_MODIFY_APPEND_ONLY" in e.value.cause
    assert len(store.read_ops(project)) == 2


def test_a_batch_is_one_compact_statement(store: DeltaStore) -> None:
    project = new_project()
    rec = RecordingExecutor(store.executor)
    st = DeltaStore(rec, store.location)
    recs = op_records(500, payload={"comment": NASTY[4] + NASTY[2]})
    started = time.perf_counter()
    st.append_ops(project, recs)
    elapsed = time.perf_counter() - started
    assert rec.statements == 1 and rec.sql[0].startswith("MERGE INTO")
    assert len(rec.sql[0]) < 500 * 600  # the rows travel as one compact JSON literal
    assert len(store.read_ops(project)) == 500
    assert elapsed < 60
    st.append_ops(project, [])  # an empty batch issues nothing
    assert rec.statements == 1


class _NoMetrics:
    """An executor whose MERGE returns no metrics row (as some engines or proxies may)."""

    def __init__(self, inner: SqlExecutor) -> None:
        self.inner = inner

    def execute(self, sql: str, params: Any = None) -> None:
        self.inner.execute(sql, params)

    def query(self, sql: str, params: Any = None) -> list[dict[str, Any]]:
        rows = self.inner.query(sql, params)
        return [] if sql.startswith("MERGE") else rows


def test_conflicts_detected_without_merge_metrics(store: DeltaStore) -> None:
    project = new_project()
    st = DeltaStore(_NoMetrics(store.executor), store.location)
    recs = op_records(3)
    st.append_ops(project, recs)
    with pytest.raises(StoreConflictError):
        st.append_ops(project, op_records(2, start=3))
    with pytest.raises(StoreConflictError):  # same seqs, same count as the stored rows, other ops
        st.append_ops(project, op_records(3))
    assert store.read_ops(project) == recs


def test_racing_writers_for_the_same_seq_one_wins(spark: Any, store: DeltaStore) -> None:
    project = new_project()
    stores = [store, DeltaStore(SparkExecutor(spark.newSession()), store.location)]
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def run(st: DeltaStore) -> None:
        barrier.wait()
        try:
            st.append_ops(project, op_records(1))
            outcomes.append("ok")
        except StoreConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=run, args=(st,)) for st in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    assert [r.seq for r in store.read_ops(project)] == [1]


# 4 writers x 25 single-op batches is the full stress run (minutes: every attempt is a Delta commit);
# the default keeps the file fast and still races every writer against the other three.
STRESS_OPS_PER_WRITER = int(os.environ.get("SCHEMAX_STORE_STRESS_OPS", "5"))


class TestDeltaStoreContract(StoreContract):
    OPS_PER_WRITER = STRESS_OPS_PER_WRITER
    MUST_RACE = True  # every attempt is a Delta commit: the writers do race

    @pytest.fixture(autouse=True)
    def _session(self, spark: Any) -> None:
        self.spark = spark

    def commits(self, store: DeltaStore) -> int:
        return _history_versions(self.spark, store, "ops")

    def writer_store(self, store: DeltaStore, writer: int) -> DeltaStore:
        return DeltaStore(SparkExecutor(self.spark.newSession()), store.location)

    def back_off(self, rng: random.Random) -> None:
        time.sleep(rng.uniform(0, 0.2))  # jitter, so the losers do not collide again


# -- snapshots -----------------------------------------------------------------------------------


def test_large_snapshot_states_are_compressed(spark: Any, store: DeltaStore) -> None:
    # (order and round trip of snapshots are in the store contract, tests/store_contract.py)
    project = new_project()
    big = _big_state()
    text, encoding = encode_state(big)
    assert encoding == "zlib-b64" and len(text) < COMPRESS_THRESHOLD
    s1 = snapshot("0.1.0", small_state(), op_seq=3)
    s2 = snapshot("0.2.0", big, op_seq=10, previous=s1.snapshot_id)
    for snap in (s1, s2):
        store.append_snapshot(project, snap)
    back = store.read_snapshots(project)
    assert back == [s1, s2]
    back[1].verify()  # the decompressed state still hashes to what was recorded
    assert sum(len(t.columns) for t in back[1].state.tables.values()) == 3000
    encodings = {
        r.version: r.state_encoding
        for r in spark.sql(f"SELECT version, state_encoding FROM {store.table('snapshots')} "
                           f"WHERE project = '{project}'").collect()
    }  # fmt: skip
    assert encodings == {"0.1.0": "json", "0.2.0": "zlib-b64"}
