"""The Store contract (``schemax.ports.Store``) for ops, snapshots, projects and imported history, run
against every store.

A test module subclasses ``StoreContract`` as ``Test...`` and provides a ``store`` fixture (an ensured
store; it may be shared by the module's tests, which keep apart by project name) and ``commits``; the
class attributes tune the concurrency test. What one store does beyond the contract stays in its module:
tests/unit/test_memory_store.py (MemoryStore), tests/integration/test_delta_store.py (DeltaStore).
"""

from __future__ import annotations

import dataclasses
import random
import threading
import uuid
from typing import Any

import pytest

from schemax.core.environment import DeploymentRecord, DriftScanRecord, StatementRecord
from schemax.core.hashing import GENESIS_HASH, chain
from schemax.core.model import Catalog, State
from schemax.core.ops import Op
from schemax.core.snapshot import Snapshot
from schemax.errors import ProjectExistsError, StoreConflictError
from schemax.ports import OpRecord, ProjectRecord

# values that break naive quoting or encoding on the way into a store and back
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


def new_project() -> str:
    """A project name no other test uses (stores may be shared by a module's tests)."""
    return f"p_{uuid.uuid4().hex[:8]}"


def op_records(
    n: int, start: int = 1, prev: str = GENESIS_HASH, payload: dict | None = None
) -> list[OpRecord]:
    """``n`` chained records from seq ``start`` on, linked to ``prev``."""
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


def snapshot(
    version: str, state: State | None = None, op_seq: int = 0, previous: str | None = None
) -> Snapshot:
    return Snapshot.create(
        version=version, name=f"snap {version} 'q' \\ é", state=state or State(), op_ids=["op_a", "op_b"],
        op_seq=op_seq, previous=previous, created_by="tester", tags=["t1", "it's"], comment="multi\nline",
    )  # fmt: skip


def small_state() -> State:
    return State(catalogs={"cat_1": Catalog(id="cat_1", name="c", comment=NASTY[1])})


class StoreContract:
    WRITERS = 4
    OPS_PER_WRITER = 25
    #: the concurrency test must see at least one lost race (stores whose appends take real time)
    MUST_RACE = False

    def commits(self, store: Any) -> int:
        """How many write transactions ``store`` has committed to its ops (a counter, a table history)."""
        raise NotImplementedError

    def writer_store(self, store: Any, writer: int) -> Any:
        """The store a concurrent writer appends through (its own session, where there are sessions)."""
        return store

    def back_off(self, rng: random.Random) -> None:
        """What a writer does after losing a race."""

    # -- ops ---------------------------------------------------------------------------------------

    def test_ops_round_trip_with_hostile_payloads(self, store: Any) -> None:
        project = new_project() + " 'quoted' \\ é ${x}"
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
        assert store.read_ops(new_project()) == []
        # the hash chain still verifies after the round trip
        assert [(r.prev_hash, r.hash) for r in back] == chain([r.op for r in back])

    def test_a_batch_is_one_commit(self, store: Any) -> None:
        project = new_project()
        before = self.commits(store)
        store.append_ops(project, op_records(500, payload={"comment": NASTY[4] + NASTY[2]}))
        assert self.commits(store) == before + 1
        assert len(store.read_ops(project)) == 500

    def test_seq_conflict_writes_nothing(self, store: Any) -> None:
        project = new_project()
        recs = op_records(5)
        store.append_ops(project, recs)
        commits = self.commits(store)
        # a batch half over taken seqs (4, 5) and half over free ones (6, 7): all or nothing
        with pytest.raises(StoreConflictError) as e:
            store.append_ops(project, op_records(4, start=4))
        assert e.value.table == "ops"
        # a non-contiguous batch touching one taken seq
        with pytest.raises(StoreConflictError):
            store.append_ops(project, [op_records(1, start=9)[0], op_records(1, start=2)[0]])
        assert store.read_ops(project) == recs
        assert self.commits(store) == commits  # no commit at all
        # other projects' seqs do not collide
        other = new_project()
        store.append_ops(other, op_records(5))
        assert len(store.read_ops(other)) == 5

    def test_duplicate_seqs_in_a_batch_and_empty_batches_write_nothing(self, store: Any) -> None:
        project = new_project()
        recs = op_records(5)
        store.append_ops(project, recs)
        commits = self.commits(store)
        with pytest.raises(StoreConflictError):
            store.append_ops(project, op_records(1, start=6) + op_records(1, start=6))
        store.append_ops(project, [])
        assert store.read_ops(project) == recs
        assert self.commits(store) == commits  # no commit at all

    def test_concurrent_appenders_with_retry(self, store: Any) -> None:
        project = new_project()
        n_threads, per_thread = self.WRITERS, self.OPS_PER_WRITER
        stores = [self.writer_store(store, i) for i in range(n_threads)]
        errors: list[BaseException] = []
        conflicts = [0] * n_threads
        barrier = threading.Barrier(n_threads)

        def writer(i: int) -> None:
            st = stores[i]
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
                            self.back_off(rng)
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
        if self.MUST_RACE:
            assert sum(conflicts) > 0  # the writers did race (and lost without writing anything)

    # -- snapshots ---------------------------------------------------------------------------------

    def test_snapshots_round_trip_and_version_conflict(self, store: Any) -> None:
        project = new_project()
        s1 = snapshot("0.1.0", small_state(), op_seq=3)
        s2 = snapshot("0.2.0", small_state(), op_seq=10, previous=s1.snapshot_id)
        store.append_snapshot(project, s2)  # out of order on purpose: read back by op_seq
        store.append_snapshot(project, s1)
        back = store.read_snapshots(project)
        assert back == [s1, s2]
        for snap in back:
            snap.verify()
        with pytest.raises(StoreConflictError) as e:
            store.append_snapshot(project, snapshot("0.2.0", op_seq=11))
        assert e.value.table == "snapshots"
        assert store.read_snapshots(project) == [s1, s2]
        assert store.read_snapshots(new_project()) == []

    # -- projects ----------------------------------------------------------------------------------

    def test_projects_create_get_save_list(self, store: Any) -> None:
        name = new_project() + " 'é'"
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
        other = new_project()
        store.save_project(ProjectRecord(other, "t", "me"))  # save inserts when missing
        listed = store.list_projects()
        assert name in listed and other in listed and listed == sorted(listed)
        assert listed.count(name) == 1

    # -- history (an import's add_history) ---------------------------------------------------------

    def test_add_history_round_trip_keys_and_order(self, store: Any) -> None:
        project = new_project()
        same = "2026-01-01T00:00:00.000000Z"
        deps = [DeploymentRecord(dep_id, project, env, status, "deploy", started, NASTY[i],
                                 error=NASTY[i + 1], table_versions={NASTY[i]: i}, touched_tables=(NASTY[i],))
                for i, (dep_id, env, status, started) in enumerate([
                    ("dep_b", "dev", "success", same), ("dep_a", "dev", "failed", same),
                    ("dep_c", "prod", "in_progress", "2025-12-31T00:00:00.000000Z")])]
        sts = [StatementRecord(d.deployment_id, seq, f"ALTER {NASTY[seq]}", status="applied",
                               change_kinds=("k",), op_ids=("op_1",), reverse=NASTY[0])
               for d in deps for seq in (2, 1)]
        scans = [DriftScanRecord(project, scan_id, "dev", same, "drifted", findings=[{"what": NASTY[3]}])
                 for scan_id in ("scan_1", "scan_2")]
        store.add_history(project, deps, sts, scans)
        # newest first, ties by id (as both stores order them)
        assert [d.deployment_id for d in store.read_deployments(project)] == ["dep_b", "dep_a", "dep_c"]
        assert store.read_deployments(project, "prod") == [deps[2]]
        for d in deps:
            assert store.read_statements(project, d.deployment_id) == sorted(
                [s for s in sts if s.deployment_id == d.deployment_id], key=lambda s: s.seq)
        assert store.read_drift_scans(project) == scans[::-1]
        # keys already held are left as they are; only the new rows go in
        changed = dataclasses.replace(deps[0], status="rolled_back")
        extra = DeploymentRecord("dep_d", project, "dev", "success", "deploy", same, "me")
        new_statement = StatementRecord("dep_d", 1, "SELECT 1")
        store.add_history(project, [changed, extra],
                          [dataclasses.replace(sts[0], sql="changed"), new_statement],
                          [dataclasses.replace(scans[0], status="clean")])
        back = {d.deployment_id: d for d in store.read_deployments(project)}
        assert back["dep_b"] == deps[0] and back["dep_d"] == extra and len(back) == 4
        assert store.read_statements(project, "dep_b")[1].sql == sts[0].sql
        assert store.read_statements(project, "dep_d") == [new_statement]
        assert store.read_drift_scans(project) == scans[::-1]
        assert store.read_all_statements(project) == sorted([*sts, new_statement],
                                                            key=lambda s: (s.deployment_id, s.seq))
        # another project's records are its own
        other = new_project()
        assert store.read_deployments(other) == [] and store.read_drift_scans(other) == []
        assert store.read_all_statements(other) == []
        with pytest.raises(ValueError):
            store.add_history(other, deps, [], [])
        assert store.read_deployments(other) == []
