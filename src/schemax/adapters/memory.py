"""In-memory adapters for unit tests: a Store that behaves like the Delta one (conflicts included)."""

from __future__ import annotations

import threading
from collections.abc import Collection, Sequence
from dataclasses import replace

from schemax.core.environment import DeploymentRecord, DriftScanRecord, LockRecord, StatementRecord
from schemax.core.snapshot import Snapshot
from schemax.errors import ProjectExistsError, StoreConflictError
from schemax.ports import OpRecord, ProjectRecord, StoreChanges


class MemoryStore:
    """A Store kept in Python dicts. Same contract as the Delta store, including seq conflicts."""

    def __init__(self, location: str = "memory") -> None:
        self.location = location
        self._lock = threading.Lock()
        self._projects: dict[str, ProjectRecord] = {}
        self._ops: dict[str, list[OpRecord]] = {}
        self._snapshots: dict[str, list[Snapshot]] = {}
        # keyed by (project, deployment_id), as the Delta store's rows are
        self._deployments: dict[tuple[str, str], DeploymentRecord] = {}
        self._statements: dict[tuple[str, str], dict[int, StatementRecord]] = {}
        self._locks: dict[tuple[str, str], LockRecord] = {}
        self._scans: list[DriftScanRecord] = []
        self.commits = 0  # number of write transactions, to check batching

    def ensure(self) -> None:
        return None

    def ensure_once(self) -> None:
        return None

    def create_project(self, record: ProjectRecord) -> None:
        with self._lock:
            if record.name in self._projects:
                raise ProjectExistsError(record.name, self.location)
            self._projects[record.name] = record
            self.commits += 1

    def get_project(self, name: str) -> ProjectRecord | None:
        with self._lock:
            return self._projects.get(name)

    def save_project(self, record: ProjectRecord) -> None:
        with self._lock:
            self._projects[record.name] = replace(record)
            self.commits += 1

    def list_projects(self) -> list[str]:
        with self._lock:
            return sorted(self._projects)

    def append_ops(self, project: str, records: Sequence[OpRecord]) -> None:
        if not records:
            return  # as the Delta store: an empty batch is no commit
        seqs = [r.seq for r in records]
        if len(set(seqs)) != len(seqs):
            raise StoreConflictError("ops", "duplicate sequence numbers within the batch")
        with self._lock:
            log = self._ops.setdefault(project, [])
            taken = {r.seq for r in log}
            if any(r.seq in taken for r in records):
                raise StoreConflictError("ops", "sequence number already taken")
            log.extend(records)
            log.sort(key=lambda r: r.seq)
            self.commits += 1

    def read_ops(self, project: str, after_seq: int = 0) -> list[OpRecord]:
        with self._lock:
            return [r for r in self._ops.get(project, []) if r.seq > after_seq]

    def append_snapshot(self, project: str, snapshot: Snapshot) -> None:
        with self._lock:
            snaps = self._snapshots.setdefault(project, [])
            if any(s.version == snapshot.version for s in snaps):
                raise StoreConflictError("snapshots", f"version {snapshot.version} already taken")
            snaps.append(snapshot)
            self.commits += 1

    def read_snapshots(self, project: str) -> list[Snapshot]:
        with self._lock:  # ordered by log position, as the Delta store reads them
            return sorted(self._snapshots.get(project, []), key=lambda s: s.op_seq)

    def read_changes(self, project: str, *, ops_after: int | None = 0,
                     known_snapshots: Collection[str] = (), deployments: bool = False,
                     environment: str | None = None) -> StoreChanges:
        """The Delta store's one-query read, from the dicts (see :meth:`schemax.ports.Store.read_changes`)."""
        if ops_after is None:
            changes = StoreChanges()
        else:
            known = set(known_snapshots)
            changes = StoreChanges(
                project=self.get_project(project), ops=self.read_ops(project, ops_after),
                snapshots=[s for s in self.read_snapshots(project) if s.snapshot_id not in known])
        if deployments:
            changes = replace(changes, deployments=self.read_deployments(project, environment))
        return changes

    # -- deployments -------------------------------------------------------------------------------
    def begin_deployment(self, record: DeploymentRecord, statements: Sequence[StatementRecord]) -> None:
        key = (record.project, record.deployment_id)
        with self._lock:
            if key in self._deployments:
                raise StoreConflictError("deployments", f"{record.deployment_id} already recorded")
            self._deployments[key] = record.sealed()
            self._statements[key] = {s.seq: s for s in statements}
            self.commits += 2

    def update_statements(self, project: str, updates: Sequence[StatementRecord]) -> None:
        with self._lock:
            for u in updates:
                self._statements[(project, u.deployment_id)][u.seq] = u
            self.commits += 1

    def update_deployment(self, record: DeploymentRecord) -> None:
        with self._lock:
            self._deployments[(record.project, record.deployment_id)] = record.sealed()
            self.commits += 1

    def read_deployments(self, project: str, environment: str | None = None) -> list[DeploymentRecord]:
        with self._lock:
            rows = [d for d in self._deployments.values()
                    if d.project == project and (environment is None or d.environment == environment)]
        return sorted(rows, key=lambda d: (d.started_at, d.deployment_id), reverse=True)  # as Delta's

    def read_statements(self, project: str, deployment_id: str) -> list[StatementRecord]:
        with self._lock:
            return [s for _, s in sorted(self._statements.get((project, deployment_id), {}).items())]

    def read_all_statements(self, project: str) -> list[StatementRecord]:
        with self._lock:
            return [s for (p, dep), rows in sorted(self._statements.items()) if p == project
                    for _, s in sorted(rows.items())]

    # -- locks -------------------------------------------------------------------------------------
    def acquire_lock(self, lock: LockRecord, now: str) -> LockRecord | None:
        with self._lock:
            key = (lock.project, lock.environment)
            held = self._locks.get(key)
            if held is not None and held.expires > now and held.holder != lock.holder:
                return held
            self._locks[key] = lock
            self.commits += 1
            return None

    def release_lock(self, project: str, environment: str, holder: str) -> None:
        with self._lock:
            held = self._locks.get((project, environment))
            if held is not None and held.holder == holder:
                del self._locks[(project, environment)]
                self.commits += 1

    def read_lock(self, project: str, environment: str) -> LockRecord | None:
        with self._lock:
            return self._locks.get((project, environment))

    # -- drift scans -------------------------------------------------------------------------------
    def append_drift_scan(self, scan: DriftScanRecord) -> None:
        with self._lock:
            self._scans.append(scan)
            self.commits += 1

    def read_drift_scans(self, project: str, environment: str | None = None) -> list[DriftScanRecord]:
        with self._lock:
            rows = [s for s in self._scans
                    if s.project == project and (environment is None or s.environment == environment)]
        return sorted(rows, key=lambda s: (s.ts, s.scan_id), reverse=True)

    # -- history as a whole (an import) --------------------------------------------------------------
    def add_history(self, project: str, deployments: Sequence[DeploymentRecord],
                    statements: Sequence[StatementRecord], drift_scans: Sequence[DriftScanRecord]) -> None:
        """Insert the records whose keys are free (see :meth:`schemax.ports.Store.add_history`); one
        commit, none when every record was there."""
        _same_project(project, deployments, drift_scans)
        with self._lock:
            written = False
            for st in statements:
                rows = self._statements.setdefault((project, st.deployment_id), {})
                if st.seq not in rows:
                    rows[st.seq] = st
                    written = True
            known = {(s.project, s.scan_id) for s in self._scans}
            for scan in drift_scans:
                if (project, scan.scan_id) not in known:
                    self._scans.append(scan)
                    known.add((project, scan.scan_id))
                    written = True
            for dep in deployments:
                key = (project, dep.deployment_id)
                if key not in self._deployments:
                    self._deployments[key] = dep
                    self._statements.setdefault(key, {})
                    written = True
            self.commits += int(written)

    # test hook: tamper with a stored row the way a hand-made UPDATE would
    def _replace_op(self, project: str, seq: int, record: OpRecord) -> None:
        with self._lock:
            log = self._ops[project]
            log[[r.seq for r in log].index(seq)] = record


def _same_project(project: str, deployments: Sequence[DeploymentRecord],
                  drift_scans: Sequence[DriftScanRecord]) -> None:
    """:meth:`add_history`'s records all belong to ``project`` (ValueError otherwise: a caller's bug)."""
    other = next((o for o in sorted({d.project for d in deployments} | {s.project for s in drift_scans})
                  if o != project), None)
    if other is not None:
        raise ValueError(f"history of project {other!r} given to add_history({project!r}, ...)")


__all__ = ["MemoryStore"]
