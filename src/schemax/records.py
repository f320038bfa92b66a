"""A project's records as the services read them: :class:`ProjectRecords`.

The services (deploy, drift, rollback, history) take this read model and the ports (``Store``,
``SqlExecutor``, ``CatalogReader``), never the :class:`~schemax.project.Project` façade. It holds what a
store keeps for one project: the project's own row (settings, environments), the op log with its replay,
and the snapshots. It reads them through the :class:`~schemax.ports.Store` and caches them; the project
shares one instance with the services it builds, so both see the same log.

Writing design records (ops, snapshots, settings, environments) is the façade's job (``schemax/project/``);
it tells this model what it appended (:meth:`ProjectRecords.appended`, :meth:`snapshots_changed`,
:meth:`saved`).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from schemax.core.environment import Environment, Settings
from schemax.core.hashing import GENESIS_HASH
from schemax.core.model import State
from schemax.core.names import close_names
from schemax.core.ops import Op
from schemax.core.replay import StateBuilder
from schemax.core.snapshot import Snapshot, parse_version
from schemax.errors import NotFoundError
from schemax.ports import OpRecord, ProjectRecord, Store


class ProjectRecords:
    """One project's row, op log (with its replay) and snapshots, read through a store and cached."""

    def __init__(self, store: Store, record: ProjectRecord) -> None:
        self.store = store
        self.name = record.name
        self.record = record
        #: guards the cached log; the façade takes it too while it validates and appends ops
        self.lock = threading.RLock()
        self._ops: list[OpRecord] = []
        self._builder = StateBuilder()
        self._state: State | None = None
        self._snapshots: list[Snapshot] | None = None

    # -- the op log -----------------------------------------------------------------------------------
    @property
    def last_seq(self) -> int:
        """The seq of the last op read or appended (0: an empty log)."""
        return self._ops[-1].seq if self._ops else 0

    @property
    def head_hash(self) -> str:
        """The hash of the last op (the genesis hash for an empty log)."""
        return self._ops[-1].hash if self._ops else GENESIS_HASH

    @property
    def builder(self) -> StateBuilder:
        """The replay of the log as read so far (fork it to try ops on it)."""
        return self._builder

    def refresh(self) -> None:
        """Catch up with ops other writers recorded since the last read; snapshots are read again."""
        with self.lock:
            new = self.store.read_ops(self.name, after_seq=self.last_seq)
            if new:
                for rec in new:
                    self._builder.apply(rec.op)
                self._ops.extend(new)
                self._state = None
            self._snapshots = None

    def appended(self, records: Sequence[OpRecord], builder: StateBuilder) -> None:
        """Ops this process just appended to the store, and the replay that includes them."""
        with self.lock:
            self._builder = builder
            self._ops.extend(records)
            self._state = None

    def state(self) -> State:
        """The working state: the replay of every recorded op (catching up first)."""
        self.refresh()
        with self.lock:
            if self._state is None:
                self._state = self._builder.build()
            return self._state

    def op_records(self) -> list[OpRecord]:
        """The op log's rows, oldest first (catching up first)."""
        self.refresh()
        return self.loaded_op_records()

    def loaded_op_records(self) -> list[OpRecord]:
        """The op log's rows as read so far, without asking the store for newer ones."""
        with self.lock:
            return list(self._ops)

    def ops(self) -> list[Op]:
        """The op log, oldest first."""
        return [r.op for r in self.op_records()]

    def state_at_seq(self, seq: int) -> State:
        """The state after the first ``seq`` ops of the log."""
        builder = StateBuilder()
        for rec in self.op_records():
            if rec.seq > seq:
                break
            builder.apply(rec.op)
        return builder.build()

    # -- snapshots ------------------------------------------------------------------------------------
    def snapshots(self) -> list[Snapshot]:
        """All snapshots, oldest first."""
        with self.lock:
            if self._snapshots is None:
                self._snapshots = sorted(self.store.read_snapshots(self.name),
                                         key=lambda s: (s.op_seq, s.semver))
            return list(self._snapshots)

    def snapshots_changed(self) -> None:
        """A snapshot was appended: read them again next time."""
        with self.lock:
            self._snapshots = None

    def latest_snapshot(self) -> Snapshot | None:
        snaps = self.snapshots()
        return max(snaps, key=lambda s: s.semver) if snaps else None

    def snapshot_at(self, version: str) -> Snapshot:
        """The snapshot with this version; NotFoundError if there is none."""
        wanted = parse_version(version, self.record.settings.get("version_prefix", ""))
        for snap in self.snapshots():
            if snap.semver == wanted:
                return snap
        raise NotFoundError("snapshot", version, close_names(version, [s.version for s in self.snapshots()]))

    def uncommitted_ops(self) -> list[Op]:
        """Ops recorded since the latest snapshot."""
        last = self.latest_snapshot()
        since = last.op_seq if last else 0
        return [r.op for r in self.op_records() if r.seq > since]

    # -- the project's row: settings and environments -------------------------------------------------
    def reload(self) -> ProjectRecord:
        """The project's row as the store holds it now (kept as :attr:`record`)."""
        record = self.store.get_project(self.name)
        if record is not None:
            self.record = record
        return self.record

    def saved(self, record: ProjectRecord) -> None:
        """The façade saved a new row."""
        self.record = record

    def settings(self) -> Settings:
        """Project settings (version prefix, safety switches)."""
        return Settings.model_validate(self.reload().settings)

    def environments(self) -> dict[str, Environment]:
        """Every environment of the project, by name."""
        envs = self.reload().environments
        return {name: Environment.model_validate({**data, "name": name})
                for name, data in sorted(envs.items())}

    def environment(self, name: str) -> Environment:
        """One environment; NotFoundError if the project has none of that name."""
        envs = self.environments()
        if name not in envs:
            raise NotFoundError("environment", name, close_names(name, list(envs)), list(envs)[:10])
        return envs[name]


__all__ = ["ProjectRecords"]
