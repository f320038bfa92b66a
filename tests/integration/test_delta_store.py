"""The Delta store and the Spark executor on real local Spark + Delta.

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
from schemax.core.hashing import GENESIS_HASH, chain
from schemax.core.model import Catalog, Column, Schema, State, Table
from schemax.core.ops import Op
from schemax.core.snapshot import Snapshot
from schemax.errors import ProjectExistsError, SqlError, StoreConflictError
from schemax.ports import OpRecord, ProjectRecord, SqlExecutor

pytestmark = pytest.mark.integration

NASTY = [
    "it's",
    "back\\slash \\' \\\\ end\\",
    "line1\nline2\r\nline3\ttab",
    "unicode: é ü 中文 🎉 \u2028 \u00a0",
    'sql: \'); DROP TABLE ops; -- /* */ "dq" `bq`',
    "${spark.app.name} ${env:HOME} $ {",
    "ctrl: \x01\x1f\x7f",
    'json: {"a": [1, "\\""]}',
]


# -- helpers -------------------------------------------------------------------------------------


def _location() -> str:
    return f"spark_catalog.sx_{uuid.uuid4().hex[:8]}"


def _project() -> str:
    return f"p_{uuid.uuid4().hex[:8]}"


def _drop(spark: Any, location: str) -> None:
    spark.sql(f"DROP SCHEMA IF EXISTS {location} CASCADE")


def _records(n: int, start: int = 1, prev: str = GENESIS_HASH, payload: dict | None = None) -> list[OpRecord]:
    ops = [
        Op.new(
            "set_table_comment", f"tbl_{start + i:06d}", payload or {"comment": f"c{start + i}"}, author="t"
        )
        for i in range(n)
    ]
    return [
        OpRecord(start + i, op, p, h)
        for i, (op, (p, h)) in enumerate(zip(ops, chain(ops, prev), strict=True))
    ]


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


def _snapshot(
    version: str, state: State | None = None, op_seq: int = 0, previous: str | None = None
) -> Snapshot:
    return Snapshot.create(
        version=version, name=f"snap {version} 'q' \\ é", state=state or State(), op_ids=["op_a", "op_b"],
        op_seq=op_seq, previous=previous, created_by="tester", tags=["t1", "it's"], comment="multi\nline",
    )  # fmt: skip


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
    project = _project()
    first = store
    second = DeltaStore(SparkExecutor(spark.newSession()), store.location)
    second.ensure()
    recs = _records(3)
    first.append_ops(project, recs)
    assert second.read_ops(project) == recs
    more = _records(2, start=4, prev=recs[-1].hash)
    second.append_ops(project, more)
    assert first.read_ops(project) == recs + more
    with pytest.raises(StoreConflictError):
        second.append_ops(project, _records(1, start=5))


# -- ops -----------------------------------------------------------------------------------------


def test_ops_round_trip_with_hostile_payloads(store: DeltaStore) -> None:
    project = "proj 'quoted' \\ é ${x}"
    ops = [
        Op.new("set_table_comment", f"tbl_{i}", {"comment": text, "nested": {"k": [text, 1, True, None]}},
               author=f"author {text}")
        for i, text in enumerate(NASTY)
    ]  # fmt: skip
    recs = [OpRecord(i + 1, op, p, h) for i, (op, (p, h)) in enumerate(zip(ops, chain(ops), strict=True))]
    store.append_ops(project, recs)
    back = store.read_ops(project)
    assert back == recs
    assert [r.op.payload["comment"] for r in back] == NASTY
    assert store.read_ops(project, after_seq=5) == recs[5:]
    assert store.read_ops(project, after_seq=len(recs)) == []
    assert store.read_ops(_project()) == []
    # the hash chain still verifies after the round trip
    assert [(r.prev_hash, r.hash) for r in back] == chain([r.op for r in back])


def test_ops_table_is_append_only(spark: Any, store: DeltaStore) -> None:
    project = _project()
    store.append_ops(project, _records(2))
    ex = SparkExecutor(spark)
    with pytest.raises(SqlError) as e:
        ex.execute(f"DELETE FROM {store.table('ops')} WHERE project = '{project}'")
    assert "DELTA_CANNOT_MODIFY_APPEND_ONLY" in e.value.cause
    with pytest.raises(SqlError) as e:
        ex.execute(f"UPDATE {store.table('ops')} SET author = 'x' WHERE project = '{project}'")
    assert "DELTA_CANNOT_MODIFY_APPEND_ONLY" in e.value.cause
    assert len(store.read_ops(project)) == 2


def test_a_batch_is_one_statement_and_one_commit(spark: Any, store: DeltaStore) -> None:
    project = _project()
    rec = RecordingExecutor(store.executor)
    st = DeltaStore(rec, store.location)
    before = _history_versions(spark, store, "ops")
    recs = _records(500, payload={"comment": NASTY[4] + NASTY[2]})
    started = time.perf_counter()
    st.append_ops(project, recs)
    elapsed = time.perf_counter() - started
    assert _history_versions(spark, store, "ops") == before + 1
    assert rec.statements == 1 and rec.sql[0].startswith("MERGE INTO")
    assert len(rec.sql[0]) < 500 * 600  # the rows travel as one compact JSON literal
    assert len(store.read_ops(project)) == 500
    assert elapsed < 60
    st.append_ops(project, [])  # an empty batch issues nothing
    assert rec.statements == 1


def test_seq_conflict_writes_nothing(spark: Any, store: DeltaStore) -> None:
    project = _project()
    recs = _records(5)
    store.append_ops(project, recs)
    version = _history_versions(spark, store, "ops")
    # a batch half over taken seqs (4, 5) and half over free ones (6, 7): all or nothing
    with pytest.raises(StoreConflictError) as e:
        store.append_ops(project, _records(4, start=4))
    assert e.value.table == "ops"
    # a non-contiguous batch touching one taken seq
    with pytest.raises(StoreConflictError):
        store.append_ops(project, [_records(1, start=9)[0], _records(1, start=2)[0]])
    with pytest.raises(StoreConflictError):  # duplicates inside the batch are refused up front
        store.append_ops(project, _records(1, start=6) + _records(1, start=6))
    assert store.read_ops(project) == recs
    assert _history_versions(spark, store, "ops") == version  # no commit at all
    # other projects' seqs do not collide
    other = _project()
    store.append_ops(other, _records(5))
    assert len(store.read_ops(other)) == 5


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
    project = _project()
    st = DeltaStore(_NoMetrics(store.executor), store.location)
    recs = _records(3)
    st.append_ops(project, recs)
    with pytest.raises(StoreConflictError):
        st.append_ops(project, _records(2, start=3))
    with pytest.raises(StoreConflictError):  # same seqs, same count as the stored rows, other ops
        st.append_ops(project, _records(3))
    assert store.read_ops(project) == recs


def test_racing_writers_for_the_same_seq_one_wins(spark: Any, store: DeltaStore) -> None:
    project = _project()
    stores = [store, DeltaStore(SparkExecutor(spark.newSession()), store.location)]
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def run(st: DeltaStore) -> None:
        barrier.wait()
        try:
            st.append_ops(project, _records(1))
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


def test_concurrent_appenders_with_retry(spark: Any, store: DeltaStore) -> None:
    project = _project()
    n_threads, per_thread = 4, STRESS_OPS_PER_WRITER
    executors = [SparkExecutor(spark.newSession()) for _ in range(n_threads)]
    errors: list[BaseException] = []
    conflicts = [0] * n_threads
    barrier = threading.Barrier(n_threads)

    def writer(i: int) -> None:
        st = DeltaStore(executors[i], store.location)
        rng = random.Random(i)
        last_seen = 0
        try:
            barrier.wait()
            for k in range(per_thread):
                op = Op.new(
                    "set_table_comment", f"tbl_w{i}", {"comment": f"writer {i} op {k}"}, author=f"w{i}"
                )
                for _attempt in range(100):
                    tail = st.read_ops(project, after_seq=max(last_seen - 1, 0))[-1:]  # re-read the tail
                    last_seen = tail[0].seq if tail else 0
                    prev = tail[0].hash if tail else GENESIS_HASH
                    (link,) = chain([op], prev)
                    try:
                        st.append_ops(project, [OpRecord(last_seen + 1, op, *link)])
                        last_seen += 1
                        break
                    except StoreConflictError:
                        conflicts[i] += 1
                        time.sleep(rng.uniform(0, 0.2))  # jitter, so the losers do not collide again
                else:
                    raise AssertionError(f"writer {i} never got a seq")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    total = n_threads * per_thread
    recs = store.read_ops(project)
    assert [r.seq for r in recs] == list(range(1, total + 1))
    assert len({r.op.op_id for r in recs}) == total
    assert sorted(r.op.author for r in recs) == sorted(
        f"w{i}" for i in range(n_threads) for _ in range(per_thread)
    )
    # each writer appended after re-reading the tail, so the hash chain is unbroken
    assert [(r.prev_hash, r.hash) for r in recs] == chain([r.op for r in recs])
    assert sum(conflicts) > 0  # the writers did race (and lost without writing anything)


# -- snapshots -----------------------------------------------------------------------------------


def test_snapshot_round_trip_small_and_compressed(spark: Any, store: DeltaStore) -> None:
    project = _project()
    s1 = _snapshot(
        "0.1.0", State(catalogs={"cat_1": Catalog(id="cat_1", name="c", comment=NASTY[1])}), op_seq=3
    )
    big = _big_state()
    text, encoding = encode_state(big)
    assert encoding == "zlib-b64" and len(text) < COMPRESS_THRESHOLD
    s2 = _snapshot("0.2.0", big, op_seq=10, previous=s1.snapshot_id)
    store.append_snapshot(project, s2)  # out of order on purpose: read back by op_seq
    store.append_snapshot(project, s1)
    back = store.read_snapshots(project)
    assert back == [s1, s2]
    for snap in back:
        snap.verify()
    assert sum(len(t.columns) for t in back[1].state.tables.values()) == 3000
    encodings = {
        r.version: r.state_encoding
        for r in spark.sql(f"SELECT version, state_encoding FROM {store.table('snapshots')} "
                           f"WHERE project = '{project}'").collect()
    }  # fmt: skip
    assert encodings == {"0.1.0": "json", "0.2.0": "zlib-b64"}
    with pytest.raises(StoreConflictError) as e:
        store.append_snapshot(project, _snapshot("0.2.0", op_seq=11))
    assert e.value.table == "snapshots"
    assert store.read_snapshots(project) == [s1, s2]
    assert store.read_snapshots(_project()) == []


# -- projects ------------------------------------------------------------------------------------


def test_projects_create_get_save_list(store: DeltaStore) -> None:
    name = _project() + " 'é'"
    assert store.get_project(name) is None
    rec = ProjectRecord(
        name, "2026-01-01T00:00:00.000000Z", "me", {"k": NASTY[2]}, {"dev": {"sales": "dev_sales"}}
    )
    store.create_project(rec)
    assert store.get_project(name) == rec
    with pytest.raises(ProjectExistsError) as e:
        store.create_project(ProjectRecord(name, "later", "someone else"))
    assert e.value.project == name
    assert store.get_project(name) == rec
    updated = ProjectRecord(name, rec.created_at, "me", {"k": "v"}, {"prod": {"sales": "sales"}})
    store.save_project(updated)
    assert store.get_project(name) == updated
    other = _project()
    store.save_project(ProjectRecord(other, "t", "me"))  # save inserts when missing
    listed = store.list_projects()
    assert name in listed and other in listed and listed == sorted(listed)
    assert listed.count(name) == 1
