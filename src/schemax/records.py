"""A project's records as the services read them: :class:`ProjectRecords`.

The services (deploy, drift, rollback, history) take this read model and the ports (``Store``,
``SqlExecutor``, ``CatalogReader``), never the :class:`~schemax.project.Project` façade. It holds what a
store keeps for one project: the project's own row (settings, environments), the op log with its replay,
and the snapshots. It reads them through the :class:`~schemax.ports.Store` and caches them; the project
shares one instance with the services it builds, so both see the same log.

Writing design records (ops, snapshots, settings, environments) is the façade's job (``schemax/project/``);
it tells this model what it appended (:meth:`ProjectRecords.appended`, :meth:`snapshot_appended`,
:meth:`saved`).

Round trips (issue 12): a catch-up (:meth:`ProjectRecords.refresh`) is ONE store read
(:meth:`~schemax.ports.Store.read_changes`) of the project's row, the ops after the last seq read and the
snapshots not read yet; nothing already read is read again. :meth:`ProjectRecords.deployments` adds an
environment's deployments to that same read. Inside :meth:`ProjectRecords.reading` (one user-facing
operation: a status, a plan, a deploy) the first catch-up reads and later ones are served from it, and
deployments read once are kept until :meth:`forget_deployments`. Settings and environments are the
project's row as last read (a catch-up reads it again; :meth:`reload` reads it alone, for the façade's
read-modify-write).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from schemax.core.environment import DeploymentRecord, Environment, Settings
from schemax.core.hashing import GENESIS_HASH
from schemax.core.integrity import ChainCheck, IntegrityProblem, snapshot_problems
from schemax.core.model import State
from schemax.core.names import close_names
from schemax.core.ops import Op
from schemax.core.replay import StateBuilder
from schemax.core.snapshot import Snapshot, parse_version
from schemax.errors import IntegrityError, NotFoundError, ValidationError
from schemax.ports import OpRecord, ProjectRecord, Store, StoreChanges


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
        self._scope = threading.local()
        #: the hash chain of the rows read so far, checked as they are read (no store read of its own)
        self._chain = ChainCheck()

    # -- one read per operation -----------------------------------------------------------------------
    @contextmanager
    def reading(self) -> Iterator[ProjectRecords]:
        """One user-facing operation: its first catch-up reads the store, later ones (and the deployments
        it read) are served from that read. Nested scopes join the outer one; per thread."""
        scope = self._scope
        depth = getattr(scope, "depth", 0)
        if depth == 0:
            scope.fresh = False
            scope.deployments = {}
        scope.depth = depth + 1
        try:
            yield self
        finally:
            scope.depth = depth
            if depth == 0:
                scope.fresh = False
                scope.deployments = {}

    def _in_scope(self) -> bool:
        return getattr(self._scope, "depth", 0) > 0

    def _fresh(self) -> bool:
        return self._in_scope() and bool(getattr(self._scope, "fresh", False))

    def _read(self, *, catch_up: bool, deployments: bool = False,
              environment: str | None = None) -> StoreChanges:
        """One store read (the caller holds :attr:`lock`): the catch-up and/or deployments; applied here."""
        known = [s.snapshot_id for s in self._snapshots] if self._snapshots is not None else []
        changes = self.store.read_changes(
            self.name, ops_after=self.last_seq if catch_up else None, known_snapshots=known,
            deployments=deployments, environment=environment)
        if catch_up:
            if changes.project is not None:
                self.record = changes.project
            if changes.ops:
                for rec in changes.ops:
                    if rec.seq <= self.last_seq:
                        continue
                    self._take(rec)
                    self._ops.append(rec)
                self._state = None
            merged = {s.snapshot_id: s for s in [*(self._snapshots or []), *changes.snapshots]}
            self._snapshots = sorted(merged.values(), key=lambda s: (s.op_seq, s.semver))
            if self._in_scope():
                self._scope.fresh = True
        return changes

    def load(self, changes: StoreChanges) -> None:
        """Take a first read made by whoever opened the project (its ops and snapshots)."""
        with self.lock:
            for rec in changes.ops:
                self._take(rec)
            self._ops.extend(changes.ops)
            self._state = None
            self._snapshots = sorted(changes.snapshots, key=lambda s: (s.op_seq, s.semver))

    def _take(self, rec: OpRecord) -> None:
        """Check a row read from the store against the chain, then replay it. An op that no longer
        applies after a broken chain (its object's create row deleted, say) is the tampering's doing:
        :class:`IntegrityError` naming every problem, not the op's ``ValidationError``."""
        self._chain.add(rec)
        try:
            self._builder.apply(rec.op)
        except ValidationError as exc:
            if not self._chain.problems:
                raise
            replay = IntegrityProblem(f"op seq {rec.seq} ({rec.op.op_id})", "an op that applies", exc.reason,
                                      "op no longer applies to the log before it")
            raise IntegrityError.of([*self._chain.problems, replay]) from None

    def deployments(self, environment: str | None = None) -> list[DeploymentRecord]:
        """The deployments of ``environment`` (or all), newest first, read fresh together with a
        catch-up (one store read); inside :meth:`reading`, read once."""
        with self.lock:
            cached: dict[str | None, list[DeploymentRecord]] = getattr(self._scope, "deployments", {})
            if self._in_scope():
                if environment in cached:
                    return list(cached[environment])
                if None in cached:
                    return [d for d in cached[None] if environment is None or d.environment == environment]
            changes = self._read(catch_up=not self._fresh(), deployments=True, environment=environment)
            found = list(changes.deployments or [])
            if self._in_scope():
                self._scope.deployments[environment] = found
            return list(found)

    def forget_deployments(self) -> None:
        """A deployment record was written: the next :meth:`deployments` reads them again."""
        if self._in_scope():
            self._scope.deployments = {}

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
        """Catch up with what other writers recorded since the last read (the project's row, ops after
        the last seq, new snapshots): one store read, none inside a :meth:`reading` that read already."""
        with self.lock:
            if not self._fresh():
                self._read(catch_up=True)

    def appended(self, records: Sequence[OpRecord], builder: StateBuilder) -> None:
        """Ops this process just appended to the store, and the replay that includes them."""
        with self.lock:
            self._builder = builder
            for rec in records:
                self._chain.add(rec)
            self._ops.extend(records)
            self._state = None

    def integrity_problems(self) -> list[IntegrityProblem]:
        """What the rows read so far break: the op log's hash chain, the snapshots' header hashes and
        their chain (not their states: hashing every state is ``Project.verify``'s job). A deploy refuses
        to run while this is not empty (issue 16)."""
        with self.lock:
            snapshots = sorted(self._snapshots or [], key=lambda s: s.op_seq)
            return [*self._chain.problems, *snapshot_problems(snapshots, states=False)]

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
        """All snapshots, oldest first (as of the last catch-up)."""
        with self.lock:
            if self._snapshots is None:
                self._read(catch_up=True)
            return list(self._snapshots or [])

    def snapshot_appended(self, snapshot: Snapshot) -> None:
        """This process appended ``snapshot``: known without reading it back."""
        with self.lock:
            if self._snapshots is not None:
                self._snapshots = sorted([*self._snapshots, snapshot], key=lambda s: (s.op_seq, s.semver))

    def snapshots_changed(self) -> None:
        """Snapshots were appended by means this model does not see: read them all again next time."""
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

    def current(self) -> ProjectRecords:
        """These records with the project's row as the store holds it now, unless an operation's read
        (:meth:`reading`) already brought it: what a caller outside an operation is shown."""
        if not self._fresh():
            self.reload()
        return self

    def saved(self, record: ProjectRecord) -> None:
        """The façade saved a new row."""
        self.record = record

    def settings(self) -> Settings:
        """Project settings (version prefix, safety switches), as of the last read of the project's row."""
        return Settings.model_validate(self.record.settings)

    def environments(self) -> dict[str, Environment]:
        """Every environment of the project, by name, as of the last read of the project's row."""
        envs = self.record.environments
        return {name: Environment.model_validate({**data, "name": name})
                for name, data in sorted(envs.items())}

    def environment(self, name: str) -> Environment:
        """One environment; NotFoundError if the project has none of that name (after reading the
        project's row again: another process may have added it since the last read)."""
        envs = self.environments()
        if name not in envs:
            self.reload()
            envs = self.environments()
        if name not in envs:
            raise NotFoundError("environment", name, close_names(name, list(envs)), list(envs)[:10])
        return envs[name]


__all__ = ["ProjectRecords"]
