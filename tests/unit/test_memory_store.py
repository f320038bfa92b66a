"""MemoryStore keeps the Store contract the Delta store keeps (tests/integration/test_delta_store.py)."""

from __future__ import annotations

import threading

import pytest

from schemax.adapters.memory import MemoryStore
from schemax.core.hashing import GENESIS_HASH, chain
from schemax.core.model import Catalog, State
from schemax.core.ops import Op
from schemax.core.snapshot import Snapshot
from schemax.errors import ProjectExistsError, StoreConflictError
from schemax.ports import OpRecord, ProjectRecord

NASTY = ["it's", "back\\slash", "line1\nline2", "é 中文 🎉", "${spark.app.name}", "'); DROP TABLE ops; --"]


def _records(n: int, start: int = 1, prev: str = GENESIS_HASH) -> list[OpRecord]:
    ops = [Op.new("set_table_comment", f"tbl_{start + i}", {"comment": f"c{start + i}"}) for i in range(n)]
    return [
        OpRecord(start + i, op, p, h)
        for i, (op, (p, h)) in enumerate(zip(ops, chain(ops, prev), strict=True))
    ]


def _snapshot(version: str, op_seq: int = 0) -> Snapshot:
    state = State(catalogs={"cat_1": Catalog(id="cat_1", name="c", comment=NASTY[1])})
    return Snapshot.create(version=version, name=f"s {version}", state=state, op_ids=[], op_seq=op_seq,
                           previous=None, created_by="t")  # fmt: skip


@pytest.fixture()
def store() -> MemoryStore:
    st = MemoryStore()
    st.ensure()
    return st


def test_ops_round_trip_and_after_seq(store: MemoryStore) -> None:
    ops = [Op.new("set_table_comment", f"tbl_{i}", {"comment": t}, author=t) for i, t in enumerate(NASTY)]
    recs = [OpRecord(i + 1, op, p, h) for i, (op, (p, h)) in enumerate(zip(ops, chain(ops), strict=True))]
    store.append_ops("p", recs)
    assert store.read_ops("p") == recs
    assert store.read_ops("p", after_seq=4) == recs[4:]
    assert store.read_ops("p", after_seq=len(recs)) == []
    assert store.read_ops("other") == []


def test_a_batch_is_one_commit(store: MemoryStore) -> None:
    before = store.commits
    store.append_ops("p", _records(500))
    assert store.commits == before + 1
    assert len(store.read_ops("p")) == 500


def test_seq_conflict_writes_nothing(store: MemoryStore) -> None:
    recs = _records(5)
    store.append_ops("p", recs)
    commits = store.commits
    with pytest.raises(StoreConflictError) as e:
        store.append_ops("p", _records(4, start=4))  # 4, 5 taken; 6, 7 free: all or nothing
    assert e.value.table == "ops"
    with pytest.raises(StoreConflictError):
        store.append_ops("p", [_records(1, start=9)[0], _records(1, start=2)[0]])
    assert store.read_ops("p") == recs
    assert store.commits == commits
    store.append_ops("q", _records(5))  # seqs are per project
    assert len(store.read_ops("q")) == 5


def test_concurrent_appenders_with_retry(store: MemoryStore) -> None:
    n_threads, per_thread = 4, 25
    errors: list[BaseException] = []
    barrier = threading.Barrier(n_threads)

    def writer(i: int) -> None:
        try:
            barrier.wait()
            for k in range(per_thread):
                op = Op.new("set_table_comment", f"tbl_w{i}", {"comment": f"{i}/{k}"})
                while True:
                    tail = store.read_ops("p")[-1:]
                    seq = tail[0].seq + 1 if tail else 1
                    (link,) = chain([op], tail[0].hash if tail else GENESIS_HASH)
                    try:
                        store.append_ops("p", [OpRecord(seq, op, *link)])
                        break
                    except StoreConflictError:
                        continue
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    recs = store.read_ops("p")
    assert [r.seq for r in recs] == list(range(1, 101))
    assert len({r.op.op_id for r in recs}) == 100
    assert [(r.prev_hash, r.hash) for r in recs] == chain([r.op for r in recs])


def test_snapshots_round_trip_and_version_conflict(store: MemoryStore) -> None:
    s1, s2 = _snapshot("0.1.0", 3), _snapshot("0.2.0", 10)
    store.append_snapshot("p", s1)
    store.append_snapshot("p", s2)
    assert store.read_snapshots("p") == [s1, s2]
    for snap in store.read_snapshots("p"):
        snap.verify()
    with pytest.raises(StoreConflictError) as e:
        store.append_snapshot("p", _snapshot("0.2.0", 11))
    assert e.value.table == "snapshots"
    assert store.read_snapshots("p") == [s1, s2]
    assert store.read_snapshots("other") == []


def test_projects_create_get_save_list(store: MemoryStore) -> None:
    assert store.get_project("p") is None
    rec = ProjectRecord(
        "p", "2026-01-01T00:00:00.000000Z", "me", {"k": NASTY[2]}, {"dev": {"sales": "dev_sales"}}
    )
    store.create_project(rec)
    assert store.get_project("p") == rec
    with pytest.raises(ProjectExistsError) as e:
        store.create_project(ProjectRecord("p", "later", "someone else"))
    assert e.value.project == "p"
    assert store.get_project("p") == rec
    updated = ProjectRecord("p", rec.created_at, "me", {"k": "v"}, {"prod": {"sales": "sales"}})
    store.save_project(updated)
    assert store.get_project("p") == updated
    store.save_project(ProjectRecord("a", "t", "me"))
    assert store.list_projects() == ["a", "p"]
