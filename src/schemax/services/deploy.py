"""Deploying a plan to an environment: the one place that orchestrates planning, checks and execution.

Order of a deployment (each step refuses before anything runs if it must):

1. take the environment's lock (a conflict-checked row with a TTL);
2. look at the last deployment: a failed or interrupted one is resumed (its remaining statements) or
   must be abandoned explicitly;
3. plan from the environment's deployed state to the target, validate it against the engine's
   capabilities, refuse breaking changes and drift unless allowed, check snapshot/approval/confirmation;
4. record the deployment and every statement *before* the first one runs, with the Delta version of
   each table a destructive statement touches;
5. run the statements: one chain per table, independent tables concurrently in a bounded pool, objects
   that others depend on (catalogs, schemas, views, foreign keys, grants) as barriers; statuses are
   group-committed as statements finish (``services/statuses.py``);
6. finish the record and release the lock. A failure leaves a ``failed`` record naming the statement.
   A process that dies leaves ``in_progress``; the next deploy resumes it, asking the catalog right
   before each non-idempotent statement left pending whether it already took effect
   (``services/resume.py``).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from schemax.adapters.catalog_probe import SqlCatalogProbe
from schemax.core.changes import BARRIER_KINDS
from schemax.core.environment import DeploymentRecord, Environment, LockRecord, StatementRecord
from schemax.core.hashing import state_hash
from schemax.core.model import State
from schemax.core.ops import Op, utc_now
from schemax.core.replay import replay
from schemax.core.snapshot import Snapshot
from schemax.core.tracking import table_definition_hash
from schemax.display import deployment_html
from schemax.drift.report import is_tracking_finding
from schemax.errors import (
    ApprovalRequiredError,
    BreakingChangeError,
    ConfirmationRequiredError,
    DeploymentInterruptedError,
    DeploymentLockedError,
    DriftDetectedError,
    ExecutionError,
    NotDeployedError,
    NotFoundError,
    RestoreDiscardsDataError,
    RestoreUnavailableError,
    RetentionWindowPassedError,
    SnapshotRequiredError,
    SqlError,
    StalePlanError,
    UnfinishedDeploymentError,
    UnsupportedError,
)
from schemax.plan import Plan, Target, Tracking, build_plan
from schemax.plan.capabilities import EngineCapabilities
from schemax.plan.render.restore import restore_statements, stamp_statements
from schemax.plan.saved import PLANNED, SavedPlan
from schemax.ports import SqlExecutor, Store
from schemax.records import ProjectRecords
from schemax.services.discards import DiscardedCommits, discarded_commits
from schemax.services.resume import FOUND_APPLIED, already_applied
from schemax.services.statuses import DEFAULT_INTERVAL, StatusWriter

log = logging.getLogger("schemax.deploy")

#: How many statements run at once on independent tables.
DEFAULT_WORKERS = 4


def _ts_plus(seconds: int) -> str:
    return (datetime.now(timezone.utc) + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class DeployedState:
    """What an environment holds according to its last successful deployment."""

    state: State
    version: str | None
    snapshot_id: str | None
    deployment: DeploymentRecord | None


#: ``change_kinds`` of the tracking stamps a resume appends for the tables its deployment covers.
STAMP = "stamp"


@dataclass(frozen=True)
class ResumeNote:
    """A resume continues ``deployment_id`` (``from_version`` -> ``to_version``); ``newer`` is the latest
    snapshot when it is another one: deploying it needs the unfinished deployment abandoned first."""

    deployment_id: str
    environment: str
    from_version: str | None
    to_version: str | None
    newer: str | None = None

    def message(self, abandon: str = "abandon=True") -> str:
        text = (f"resuming deployment {self.deployment_id} of {self.environment!r} "
                f"({self.from_version or '(nothing)'} -> {self.to_version}), which did not finish")
        if self.newer:
            text += (f"; the latest snapshot is {self.newer}: to deploy it instead, give this one up with "
                     f"{abandon}")
        return text

    def __str__(self) -> str:
        return self.message()


class Deployment:
    """One deployment as recorded: status, versions, who and when, and every statement with its status."""

    def __init__(self, record: DeploymentRecord, statements: Sequence[StatementRecord],
                 plan: Plan | None = None, *, notes: Sequence[ResumeNote] = (), recorded: bool = True):
        self.record = record
        self.statements = list(statements)
        self.plan = plan
        #: which unfinished deployment a resume continues (and the newer snapshot it does not deploy)
        self.notes = list(notes)
        #: False for a deploy with nothing to do: it ran nothing and recorded no deployment
        self.recorded = recorded
        #: a data rollback: per table, the data commits its RESTORE discards (from Delta's history)
        self.discarded: list[DiscardedCommits] = []

    deployment_id = property(lambda self: self.record.deployment_id)
    environment = property(lambda self: self.record.environment)
    status = property(lambda self: self.record.status)
    kind = property(lambda self: self.record.kind)
    from_version = property(lambda self: self.record.from_version)
    to_version = property(lambda self: self.record.to_version)
    started_at = property(lambda self: self.record.started_at)
    finished_at = property(lambda self: self.record.finished_at)
    deployed_by = property(lambda self: self.record.deployed_by)
    error = property(lambda self: self.record.error)
    applied = property(lambda self: self.record.applied)
    table_versions = property(lambda self: dict(self.record.table_versions))
    features = property(lambda self: {t: dict(p) for t, p in self.record.features.items()})

    @property
    def sql(self) -> str:
        return ";\n\n".join(s.sql for s in self.statements) + (";\n" if self.statements else "")

    def to_dict(self) -> dict[str, Any]:
        return {**self.record.to_row(), "statements": [s.to_row() for s in self.statements]}

    def __repr__(self) -> str:
        if not self.recorded:
            return (f"Deployment(nothing to do, env={self.environment!r} runs {self.to_version}, "
                    "nothing recorded)")
        return (f"Deployment({self.deployment_id}, env={self.environment!r}, {self.status}, "
                f"{self.from_version or '(nothing)'} -> {self.to_version}, "
                f"{self.applied}/{len(self.statements)} statements)")

    def _repr_html_(self) -> str:
        return deployment_html([self])


def state_of(records: ProjectRecords, rec: DeploymentRecord) -> State:
    """The state a deployment record says it deployed: its snapshot's, the log's at its op seq, or (an
    ``import``) its base deployment's with the imported ops applied."""
    if rec.base is not None:
        base = next((r for r in records.store.read_deployments(records.name, rec.environment)
                     if r.deployment_id == rec.base), None)
        if base is None:
            raise NotFoundError("deployment", rec.base)
        wanted = set(rec.op_ids)
        return replay([op for op in records.ops() if op.op_id in wanted], state_of(records, base))
    if rec.snapshot_id:
        for snap in records.snapshots():
            if snap.snapshot_id == rec.snapshot_id:
                return snap.state
        raise NotFoundError("snapshot", rec.snapshot_id)
    if rec.op_seq is not None:
        return records.state_at_seq(rec.op_seq)
    return State()


def deployed_state(records: ProjectRecords, env: str) -> DeployedState:
    """The environment's state per its last successful deployment (empty if none)."""
    for rec in records.deployments(env):
        if rec.status == "success":
            return DeployedState(state_of(records, rec), rec.to_version, rec.snapshot_id, rec)
    return DeployedState(State(), None, None, None)


class Deployer:
    """Plans and runs deployments of one project through one executor.

    It reads the project's design records through ``records`` (snapshots, the op log, environments,
    settings), writes deployment records, statement statuses and locks to ``records.store``, and runs SQL
    through ``executor``; ``author`` is who deploys.
    """

    def __init__(self, records: ProjectRecords, executor: SqlExecutor, *, author: str,
                 capabilities: EngineCapabilities | None = None,
                 max_workers: int = DEFAULT_WORKERS, drift_check: Callable[..., Any] | None = None,
                 before_statement: Callable[[int, StatementRecord], None] | None = None,
                 after_statement: Callable[[int, StatementRecord], None] | None = None,
                 progress: Callable[[int, int, StatementRecord], None] | None = None,
                 preflight_check: Callable[[Environment, Plan], Any] | None = None,
                 status_interval: float = DEFAULT_INTERVAL) -> None:
        self.records = records
        #: seconds between two group commits of statement statuses (services/statuses.py)
        self.status_interval = status_interval
        self.author = author
        self.executor = executor
        self.capabilities = capabilities
        self.max_workers = max(1, max_workers)
        self.drift_check = drift_check
        # the data-aware check (services/preflight.py): refuses a plan the live data makes fail
        self.preflight_check = preflight_check
        # test hooks for fault injection: before a statement runs, and after it ran but before its
        # status is queued (the window a crash leaves a statement that ran but looks pending)
        self.before_statement = before_statement
        self.after_statement = after_statement
        self.progress = progress
        self._status_lock = threading.Lock()

    # ------------------------------------------------------------------------------------------------
    # what is where
    # ------------------------------------------------------------------------------------------------
    @property
    def store(self) -> Store:
        return self.records.store

    @property
    def project_name(self) -> str:
        """The project's name (the key of every record this deployer writes)."""
        return self.records.name

    def deployed(self, env: str) -> DeployedState:
        """The environment's state per its last successful deployment (empty if none)."""
        return deployed_state(self.records, env)

    def state_of(self, rec: DeploymentRecord) -> State:
        """The state a deployment record says it deployed."""
        return state_of(self.records, rec)

    def target_of(self, env: Environment, to: str | None) -> tuple[State, Snapshot | None, int | None]:
        """The state to deploy: a snapshot (by version, default latest) or the working state if allowed."""
        if to in (None, "latest"):
            snap = self.records.latest_snapshot()
            if snap is None:
                self._require_snapshot_allowed(env)
                return self.records.state(), None, self.records.last_seq
            return snap.state, snap, None
        if to == "working":
            self._require_snapshot_allowed(env)
            return self.records.state(), None, self.records.last_seq
        snap = self.records.snapshot_at(to)
        return snap.state, snap, None

    def _require_snapshot_allowed(self, env: Environment) -> None:
        settings = self.records.settings()
        if env.require_snapshot or (env.is_production and settings.require_snapshot_for_prod):
            raise SnapshotRequiredError(env.name)

    # ------------------------------------------------------------------------------------------------
    # planning
    # ------------------------------------------------------------------------------------------------
    def plan(self, env_name: str, to: str | None = None, *, deployment_id: str | None = None,
             before: State | None = None, restored: Collection[str] = ()) -> Plan:
        """The plan of ``env_name`` to ``to`` (from ``before``, default the deployed state); ``restored``:
        the ids of tables a data rollback RESTOREs first (their remembered table features are not
        assumed: RESTORE brings back the table properties of the restored version)."""
        with self.records.reading():  # one store read: the catch-up and the environment's deployments
            return self._plan(env_name, to, deployment_id=deployment_id, before=before, restored=restored)

    def _plan(self, env_name: str, to: str | None, *, deployment_id: str | None,
              before: State | None, restored: Collection[str] = ()) -> Plan:
        current = self.deployed(env_name)  # first: it reads the project's row too
        env = self.records.environment(env_name)
        state, snap, _ = self.target_of(env, to)
        to_version = snap.version if snap else "working"
        tracking = Tracking(
            version=to_version, snapshot_id=snap.snapshot_id if snap else "", environment=env.name,
            # a plan that is no deployment yet is deterministic: placeholders, not a time (plan/saved.py)
            deployment_id=deployment_id or PLANNED, deployed_at=utc_now() if deployment_id else PLANNED,
        )
        target = Target.of(env.naming, tracking)
        kwargs: dict[str, Any] = {}
        if self.capabilities is not None:
            kwargs["capabilities"] = self.capabilities
        # the protocol upgrades earlier deployments made are on the tables, whatever the design says:
        # planned with them on, the plan neither upgrades again nor warns again (rollbacks too)
        features = {t: f for t, f in environment_features(current.deployment).items() if t not in restored}
        return build_plan(before if before is not None else current.state, state, target,
                          from_version=current.version, to_version=to_version, features=features, **kwargs)

    # ------------------------------------------------------------------------------------------------
    # deploying
    # ------------------------------------------------------------------------------------------------
    def deploy(self, env_name: str, to: str | None = None, *, dry_run: bool = False,
               allow_breaking: bool = False, force: bool = False, confirm: str | bool | None = None,
               abandon: bool = False, kind: str = "deploy", before: State | None = None,
               restore: dict[str, int] | None = None, allow_data_loss: bool = False,
               expected: SavedPlan | None = None) -> Deployment:
        """Plan and run ``to`` on ``env_name`` (see the module doc); ``restore`` (a data rollback: table ->
        Delta version) is refused with ``RestoreDiscardsDataError`` when a RESTORE would discard commits
        that changed data since, unless ``allow_data_loss``. With ``expected`` (a saved plan) the
        deployment runs only that plan: the plan of ``env`` now must have its fingerprint, else
        :class:`StalePlanError` before anything is recorded."""
        holder = f"{self.author}#{uuid.uuid4().hex[:8]}"
        if expected is not None:
            to = expected.to_version
        if dry_run:
            with self.records.reading():
                env = self.records.environment(env_name)
                return self._dry_run(env, to, allow_breaking=allow_breaking, force=force, abandon=abandon,
                                     kind=kind, before=before, restore=restore or {}, expected=expected)
        # the lock's TTL from the environment as last read; everything after the lock is read fresh
        self._lock(self.records.environment(env_name), holder)
        try:
            with self.records.reading():
                return self._deploy_locked(env_name, to, holder, allow_breaking=allow_breaking, force=force,
                                           confirm=confirm, abandon=abandon, kind=kind, before=before,
                                           restore=restore, allow_data_loss=allow_data_loss,
                                           expected=expected)
        finally:
            self.store.release_lock(self.project_name, env_name, holder)

    def _deploy_locked(self, env_name: str, to: str | None, holder: str, *, allow_breaking: bool,
                       force: bool, confirm: str | bool | None, abandon: bool, kind: str,
                       before: State | None, restore: dict[str, int] | None, allow_data_loss: bool,
                       expected: SavedPlan | None) -> Deployment:
        """The deployment under its lock, inside one :meth:`ProjectRecords.reading`: its first store read
        brings the project's row, the op log's tail, new snapshots and the environment's deployments."""
        unfinished = self._unfinished(env_name)
        env = self.records.environment(env_name)
        abandoned = False
        if unfinished is not None and expected is not None and not abandon:
            # resuming runs what is left of another plan, not the saved one
            raise UnfinishedDeploymentError(env_name, unfinished.deployment_id, unfinished.to_version)
        if unfinished is not None:
            # a resume (and an abandon, which leads to a new run) executes on the environment too
            self._require_confirmation(env, confirm)
            if abandon:
                abandoned = unfinished.applied > 0 or unfinished.status == "interrupted" or any(
                    s.status != "pending"
                    for s in self.store.read_statements(self.project_name, unfinished.deployment_id))
                self._update_deployment(
                    replace(unfinished, status="abandoned", finished_at=utc_now()))
                log.warning("abandoned unfinished deployment %s of %s",
                            unfinished.deployment_id, env_name)
            elif kind == "deploy":
                if self._resumable(env, unfinished, to):
                    return self._resume(env, unfinished, holder)
                raise UnfinishedDeploymentError(env_name, unfinished.deployment_id, unfinished.to_version)
        deployment_id = f"dep_{uuid.uuid4().hex[:16]}"
        start = before if before is not None else self.deployed(env_name).state
        if expected is not None:  # under the lock: nothing can move between this check and the run
            self._check_saved(env, expected, self.plan(env_name, to, before=start))
        plan = self.plan(env_name, to, deployment_id=deployment_id, before=start,
                         restored=_restored_ids(env, start, restore or {}))
        empty = not plan.statements and not restore
        self._check(env, plan, allow_breaking=allow_breaking, force=force, confirm=confirm, to=to,
                    empty=empty)
        if empty and self._holds_target(env, to):
            log.info("nothing to deploy to %s: it runs %s already (nothing recorded)", env_name,
                     plan.to_version)
            return Deployment(self._record_for(env, plan, "", kind, "success"), [], plan, recorded=False)
        discarded: list[DiscardedCommits] = []
        if restore:
            discarded = self.check_restorable(restore)
            if discarded and not allow_data_loss:
                raise RestoreDiscardsDataError(env_name, discarded)
            for lost in discarded:
                log.warning("allowed data loss: %s", lost)
        # after an abandon the plan starts from the last success, but the abandoned run may have applied
        # some of it: each non-idempotent statement first asks the catalog, as a resume does
        dep = self._run_new(env, plan, deployment_id, kind, to, restore or {}, start,
                            check_applied=abandoned)
        dep.discarded = discarded
        return dep

    @staticmethod
    def _check_saved(env: Environment, expected: SavedPlan, current: Plan) -> None:
        """Refuse a saved plan that is not the plan of ``env`` now (:class:`StalePlanError`)."""
        reason = expected.stale_reason(current)
        if reason is not None:
            raise StalePlanError(env.name, reason, expected.fingerprint, current.fingerprint)

    def restamp(self, env_name: str, tables: Sequence[str], *, confirm: str | bool | None = None
                ) -> Deployment:
        """Write the version-tracking stamp again on ``tables`` (ids of the deployed state): the repair of
        drift that is only in schemax's own ``schemax.*`` properties. Recorded as a ``restamp`` deployment
        of what the environment already runs (its state and version unchanged); nothing else runs, so it
        needs no ``force``. Refused while a deployment is unfinished, and without the environment's
        confirmation where it requires one."""
        env = self.records.environment(env_name)
        current = self.deployed(env_name)
        if current.deployment is None:
            raise NotDeployedError(env_name, "restamp",
                                   f"environment {env_name!r} has no successful deployment to re-stamp")
        holder = f"{self.author}#{uuid.uuid4().hex[:8]}"
        self._lock(env, holder)
        try:
            unfinished = self._unfinished(env_name)
            if unfinished is not None:
                raise UnfinishedDeploymentError(env_name, unfinished.deployment_id, unfinished.to_version)
            self._require_confirmation(env, confirm)
            deployment_id = f"dep_{uuid.uuid4().hex[:16]}"
            wanted = sorted(set(tables) & set(current.state.tables))
            record = replace(current.deployment, deployment_id=deployment_id, kind="restamp",
                             status="in_progress", started_at=utc_now(), finished_at=None, error=None,
                             applied=0, resumes=None, table_versions={}, drift=None,
                             from_version=current.version, deployed_by=self.author,
                             touched_tables=tuple(wanted))
            statements = [replace(st, seq=i) for i, st in enumerate(
                self._stamps_for(env, record, deployment_id, set(wanted)), start=1)]
            record = replace(record, statement_count=len(statements))
            self.store.begin_deployment(record, statements)
            self.records.forget_deployments()
            return self._execute(record, statements, None)
        finally:
            self.store.release_lock(self.project_name, env_name, holder)

    def record_import(self, env_name: str, ops: Sequence[Op]) -> Deployment | None:
        """Record that ``env`` holds what an import of its drift found (``ops``, recorded in the log): an
        ``import`` deployment whose state is the deployed one with ``ops`` applied, so the next plan for
        ``env`` holds none of them (the other environments get them as ordinary changes). The tables the
        ops changed are stamped with the new definition's tracking, so no version drift remains. ``None``
        without ops."""
        if not ops:
            return None
        env = self.records.environment(env_name)
        holder = f"{self.author}#{uuid.uuid4().hex[:8]}"
        self._lock(env, holder)
        try:
            unfinished = self._unfinished(env_name)
            if unfinished is not None:
                raise UnfinishedDeploymentError(env_name, unfinished.deployment_id, unfinished.to_version)
            current = self.deployed(env_name)
            if current.deployment is None:
                raise NotDeployedError(env_name, "drift",
                                       f"{env_name!r} has no deployment to import into")
            deployment_id = f"dep_{uuid.uuid4().hex[:16]}"
            record = replace(current.deployment, deployment_id=deployment_id, kind="import",
                             status="in_progress", started_at=utc_now(), finished_at=None, error=None,
                             applied=0, resumes=None, table_versions={}, drift=None, snapshot_id=None,
                             op_seq=None, base=current.deployment.deployment_id,
                             op_ids=tuple(op.op_id for op in ops), from_version=current.version,
                             deployed_by=self.author)
            after = self.state_of(record)
            changed = sorted(tid for tid, t in after.tables.items()
                             if tid not in current.state.tables
                             or table_definition_hash(current.state.tables[tid]) != table_definition_hash(t))
            record = replace(record, touched_tables=tuple(changed), state_hash=state_hash(after),
                             features=remembered_features(record.features, {}, after))
            statements = [replace(st, seq=i) for i, st in enumerate(
                self._stamps_for(env, record, deployment_id, set(changed)), start=1)]
            record = replace(record, statement_count=len(statements))
            self.store.begin_deployment(record, statements)
            self.records.forget_deployments()
            return self._execute(record, statements, None)
        finally:
            self.store.release_lock(self.project_name, env_name, holder)

    def _dry_run(self, env: Environment, to: str | None, *, allow_breaking: bool, force: bool,
                 abandon: bool, kind: str, before: State | None, restore: dict[str, int],
                 expected: SavedPlan | None = None) -> Deployment:
        """What the run would execute, statement for statement, without running or recording anything:
        the remaining statements of an unfinished deployment it would resume (with their stamps), or the
        plan with the RESTOREs of a data rollback first."""
        unfinished = self._unfinished(env.name, mark=False)
        if unfinished is not None and expected is not None and not abandon:
            raise UnfinishedDeploymentError(env.name, unfinished.deployment_id, unfinished.to_version)
        if unfinished is not None and not abandon and kind == "deploy":
            if not self._resumable(env, unfinished, to):
                raise UnfinishedDeploymentError(env.name, unfinished.deployment_id, unfinished.to_version)
            record, statements = self._resume_records(env, unfinished, "dry-run")
            return Deployment(record, statements, None, notes=self._resume_notes(unfinished, to))
        start = before if before is not None else self.deployed(env.name).state
        plan = self.plan(env.name, to, before=start, restored=_restored_ids(env, start, restore))
        if expected is not None:
            self._check_saved(env, expected, plan)
        empty = not plan.statements and not restore
        self._check(env, plan, allow_breaking=allow_breaking, force=force, confirm=True, to=to,
                    dry_run=True, empty=empty)
        discarded = self.check_restorable(restore) if restore else []
        state = self.target_of(env, to)[0]
        restores = self._restore_statements("dry-run", restore, start, plan, state)
        statements = [replace(st, seq=i) for i, st in
                      enumerate([*restores, *self._statements_for("dry-run", plan)], start=1)]
        dep = Deployment(self._record_for(env, plan, "dry-run", kind, "in_progress"), statements, plan)
        dep.discarded = discarded  # what the run would discard (it refuses unless allowed)
        return dep

    def _resumable(self, env: Environment, unfinished: DeploymentRecord, to: str | None) -> bool:
        """Whether deploying ``to`` resumes ``unfinished``: no version given, or the one it deploys."""
        if to is None:
            return True
        wanted = self.target_of(env, to)[1]
        return wanted is not None and wanted.snapshot_id == unfinished.snapshot_id

    def _resume_notes(self, unfinished: DeploymentRecord, to: str | None) -> list[ResumeNote]:
        """Which plan a resume continues, and the newer snapshot it does not deploy (when there is one)."""
        latest = self.records.latest_snapshot()
        newer = None
        if to is None and latest is not None and latest.snapshot_id != unfinished.snapshot_id:
            newer = latest.version
        return [ResumeNote(unfinished.deployment_id, unfinished.environment, unfinished.from_version,
                           unfinished.to_version, newer)]

    def _holds_target(self, env: Environment, to: str | None) -> bool:
        """True when the environment's last successful deployment already brought it to the target (same
        snapshot, or the same state and version): a deploy with nothing to run then records nothing."""
        current = self.deployed(env.name)
        if current.deployment is None:
            return False
        state, snap, _ = self.target_of(env, to)
        if snap is not None:
            return current.snapshot_id == snap.snapshot_id
        return current.version == "working" and state_hash(current.state) == state_hash(state)

    @staticmethod
    def _require_confirmation(env: Environment, confirm: str | bool | None) -> None:
        if env.require_confirmation and confirm not in (True, env.name):
            raise ConfirmationRequiredError(env.name)

    def _update_deployment(self, record: DeploymentRecord) -> None:
        self.store.update_deployment(record)
        self.records.forget_deployments()

    def _check(self, env: Environment, plan: Plan, *, allow_breaking: bool, force: bool,
               confirm: str | bool | None, to: str | None, dry_run: bool = False,
               empty: bool = False) -> None:
        """Refuse before anything is recorded. A plan with nothing to run (``empty``) runs nothing, so it
        is neither held to a confirmation nor blocked by drift it cannot cause, nor preflighted."""
        if plan.unsupported:
            raise UnsupportedError(plan.unsupported)
        blocking = list(plan.breaking_changes)
        if blocking and not (allow_breaking or env.allow_breaking):
            raise BreakingChangeError(blocking)
        if env.require_approval and plan.to_version not in (None, "working"):
            if env.approved(plan.to_version) is None:
                raise ApprovalRequiredError(env.name, plan.to_version)
        if empty:
            return
        if not dry_run:
            self._require_confirmation(env, confirm)
        if self.drift_check is not None and not (
                force or env.allow_drift or self.records.settings().allow_drift):
            report = self.drift_check(env)
            if report is not None and report.drifted:
                only_tracking = all(is_tracking_finding(f) for f in report.findings)
                raise DriftDetectedError(report, restamp=env.name if only_tracking else None)
        if self.preflight_check is not None:  # last: it queries the data; before anything is recorded
            self.preflight_check(env, plan)

    def _lock(self, env: Environment, holder: str) -> None:
        lock = LockRecord(self.project_name, env.name, holder, utc_now(), _ts_plus(env.lock_ttl_seconds))
        held = self.store.acquire_lock(lock, utc_now())
        if held is not None:
            raise DeploymentLockedError(held.holder, held.expires, env.name)

    def _unfinished(self, env: str, *, mark: bool = True) -> DeploymentRecord | None:
        """The latest deployment if it did not finish: failed, interrupted, or in progress without a live
        lock (``mark``: the caller holds the lock, so an ``in_progress`` one is recorded as failed)."""
        for rec in self.records.deployments(env):
            if rec.status in ("success", "rolled_back", "abandoned"):
                return None
            if rec.status in ("failed", "interrupted"):
                return rec
            if rec.status == "in_progress" and not mark:
                return rec
            if rec.status == "in_progress":
                # we hold the lock now, so whoever ran it is gone (its lock expired): interrupted
                interrupted = replace(
                    rec, status="failed", finished_at=utc_now(),
                    error=rec.error or "interrupted: the deploying process stopped (lock expired)")
                self._update_deployment(interrupted)
                return interrupted
        return None

    def _record_for(self, env: Environment, plan: Plan, deployment_id: str, kind: str, status: str,
                    snapshot_id: str | None = None, op_seq: int | None = None,
                    table_versions: dict[str, int] | None = None,
                    state: State | None = None) -> DeploymentRecord:
        features = {t: dict(p) for t, p in plan.existing_features.items()}
        if state is not None:
            features = remembered_features(plan.existing_features, plan.features, state)
        return DeploymentRecord(
            deployment_id=deployment_id, project=self.project_name, environment=env.name, status=status,  # type: ignore[arg-type]
            kind=kind, started_at=utc_now(), deployed_by=self.author, from_version=plan.from_version,  # type: ignore[arg-type]
            to_version=plan.to_version, snapshot_id=snapshot_id, statement_count=len(plan.statements),
            table_versions=dict(table_versions or {}), op_seq=op_seq,
            state_hash=state_hash(state) if state is not None else None, features=features,
        )

    @staticmethod
    def _statements_for(deployment_id: str, plan: Plan) -> list[StatementRecord]:
        out = []
        for i, st in enumerate(plan.statements, start=1):
            out.append(StatementRecord(
                deployment_id=deployment_id, seq=i, sql=st.sql, risk=str(getattr(st.risk, "value", st.risk)),
                object_id=st.object_id, object_name=getattr(st, "object_name", None),
                change_kinds=tuple(sorted({c.kind for c in st.changes})), op_ids=tuple(st.op_ids),
                reverse=st.reverse, effect=st.effect,
            ))
        return out

    def _run_new(self, env: Environment, plan: Plan, deployment_id: str, kind: str, to: str | None,
                 restore: dict[str, int], before: State, *, check_applied: bool = False) -> Deployment:
        state, snap, op_seq = self.target_of(env, to)
        restores = self._restore_statements(deployment_id, restore, before, plan, state)
        planned = self._statements_for(deployment_id, plan)
        statements = [replace(st, seq=i) for i, st in enumerate([*restores, *planned], start=1)]
        versions = self._table_versions(env, plan, before)
        record = self._record_for(env, plan, deployment_id, kind, "in_progress",
                                  snap.snapshot_id if snap else None, op_seq, versions, state)
        restored = {st.object_id for st in restores if st.object_id and st.sql.startswith("RESTORE ")}
        if restored:
            # RESTORE brings back the table's old properties (column mapping mode included): what the
            # environment had enabled on it is no longer known, so the next plan states it again
            record = replace(record, features=remembered_features(
                plan.existing_features, plan.features, state, restored=restored))
        touched = {st.object_id for st in statements if st.object_id and st.object_id.startswith("tbl_")}
        record = replace(record, touched_tables=tuple(sorted(touched & set(state.tables))))
        self.store.begin_deployment(record, statements)
        self.records.forget_deployments()
        log.info("deployment %s to %s: %s -> %s, %d statement(s)", deployment_id, env.name, plan.from_version,
                 plan.to_version, len(statements))
        return self._execute(record, statements, plan, check_applied=check_applied)

    def _resume_records(self, env: Environment, failed: DeploymentRecord, deployment_id: str
                        ) -> tuple[DeploymentRecord, list[StatementRecord]]:
        """The record and statements of the resumption of ``failed``: its statements not applied, then
        the tracking stamp of every table it covers (a statement found applied, or a ``CREATE TABLE IF NOT
        EXISTS`` of a table that was there, leaves its stamp unwritten; the stamps are idempotent)."""
        old = self.store.read_statements(self.project_name, failed.deployment_id)
        remaining = [s for s in old if s.status != "applied" and s.change_kinds != (STAMP,)]
        # a table whose statements all ran has its stamp; one with any left may not, whatever is skipped
        stamps = self._stamps_for(env, failed, deployment_id, {s.object_id for s in remaining})
        statements = [replace(s, deployment_id=deployment_id, seq=i, status="pending", started_at=None,
                              finished_at=None, error=None)
                      for i, s in enumerate([*remaining, *stamps], start=1)]
        record = replace(failed, deployment_id=deployment_id, kind="resume", status="in_progress",
                         started_at=utc_now(), finished_at=None, error=None, applied=0,
                         statement_count=len(statements), resumes=failed.deployment_id,
                         deployed_by=self.author)
        return record, statements

    def _stamps_for(self, env: Environment, rec: DeploymentRecord, deployment_id: str,
                    tables: set[str | None]) -> list[StatementRecord]:
        """The tracking stamp of each of ``tables`` that ``rec`` covers (its ``touched_tables``)."""
        wanted = set(rec.touched_tables) & tables
        if not wanted:
            return []
        try:
            state = self.state_of(rec)
        except NotFoundError:
            return []
        covered = state.model_copy(update={"tables": {
            tid: t for tid, t in state.tables.items() if tid in wanted}})
        tracking = Tracking(version=rec.to_version or "working", snapshot_id=rec.snapshot_id or "",
                            environment=env.name, deployment_id=deployment_id, deployed_at=utc_now())
        return [StatementRecord(deployment_id=deployment_id, seq=0, sql=st.sql, object_id=st.object_id,
                                change_kinds=(STAMP,))
                for st in stamp_statements(Target.of(env.naming, tracking), covered)]

    def _resume(self, env: Environment, failed: DeploymentRecord, holder: str) -> Deployment:
        deployment_id = f"dep_{uuid.uuid4().hex[:16]}"
        record, statements = self._resume_records(env, failed, deployment_id)
        notes = self._resume_notes(failed, None)
        for note in notes:
            log.warning("%s", note)
        self.store.begin_deployment(record, statements)
        self.records.forget_deployments()
        self._update_deployment(replace(failed, status=failed.status,
                                             error=(failed.error or "") + f" [resumed by {deployment_id}]"))
        log.info("resuming %s as %s: %d statement(s) left", failed.deployment_id, deployment_id,
                 len(statements))
        # a statement left pending may have run just before the process died (its status was not
        # written yet): each is checked against the catalog right before it would run again
        return self._execute(record, statements, None, check_applied=True, notes=notes)

    @staticmethod
    def _restore_statements(deployment_id: str, restore: dict[str, int], before: State, plan: Plan,
                            after: State) -> list[StatementRecord]:
        """RESTORE each table, then stamp it with this deployment's version-tracking properties (the SQL is
        the planner's: :func:`schemax.plan.render.restore.restore_statements`)."""
        return [StatementRecord(deployment_id=deployment_id, seq=0, sql=st.sql, risk=st.risk.value,
                                object_id=st.object_id, object_name=name, change_kinds=("restore",))
                for name, st in restore_statements(plan.target, before, after, restore)]

    def _table_versions(self, env: Environment, plan: Plan, before: State) -> dict[str, int]:
        """Delta version of every existing table a destructive statement touches, for RESTORE later.

        One ``DESCRIBE HISTORY <table> LIMIT 1`` per such table and none for the others: the statement
        names exactly one table and is not a table-valued function, so no single query reads several
        tables' versions on both engines (https://learn.microsoft.com/azure/databricks/sql/language-manual/delta-describe-history).
        The questions run concurrently (a bounded pool), so they cost about one round trip of wall time.
        """
        names: list[str] = []
        for st in plan.statements:
            risk = str(getattr(st.risk, "value", st.risk))
            table = before.tables.get(st.object_id or "")
            if risk not in ("destructive", "data_dependent", "breaking") or table is None:
                continue
            name = env.naming.name(before, table.id)
            if name not in names:
                names.append(name)

        def version(name: str) -> int | None:
            try:
                rows = self.executor.query(f"DESCRIBE HISTORY {name} LIMIT 1")
            except SqlError:
                return None  # not a Delta table, or not there: nothing to restore from
            return int(rows[0]["version"]) if rows else None

        if len(names) <= 1:
            found = [version(n) for n in names]
        else:
            with ThreadPoolExecutor(max_workers=min(self.max_workers, len(names)),
                                    thread_name_prefix="schemax-versions") as pool:
                found = list(pool.map(version, names))
        return {n: v for n, v in zip(names, found, strict=True) if v is not None}

    def check_restorable(self, versions: dict[str, int]) -> list[DiscardedCommits]:
        """Refuse before anything runs if a table's recorded version is out of Delta's reach; return, per
        table with any, the data commits its RESTORE discards (from the same history)."""
        discarded = []
        for name, version in sorted(versions.items()):
            try:
                rows = self.executor.query(f"DESCRIBE HISTORY {name}")
            except SqlError as exc:
                raise RestoreUnavailableError(name, version, exc.cause) from None
            oldest = min((int(r["version"]) for r in rows), default=version)
            if version < oldest:
                raise RetentionWindowPassedError(name, version, oldest)
            lost = discarded_commits(name, version, rows)
            if lost.commits:
                discarded.append(lost)
        return discarded

    # ------------------------------------------------------------------------------------------------
    # executing
    # ------------------------------------------------------------------------------------------------
    def _execute(self, record: DeploymentRecord, statements: list[StatementRecord],
                 plan: Plan | None, *, check_applied: bool = False,
                 notes: Sequence[ResumeNote] = ()) -> Deployment:
        done: dict[int, StatementRecord] = {s.seq: s for s in statements}
        failure: list[tuple[StatementRecord, BaseException]] = []
        halt = threading.Event()  # set on Ctrl-C: no statement starts after it
        started = time.monotonic()
        applied = 0
        probe = SqlCatalogProbe(self.executor)

        def applied_now(ok: StatementRecord) -> None:
            nonlocal applied
            with self._status_lock:
                done[ok.seq] = ok
                applied += 1
                count = applied
            statuses.put(ok)
            if self.progress is not None:
                self.progress(count, len(statements), ok)
            log.info("[%d/%d %.1fs] %s", count, len(statements), time.monotonic() - started,
                     ok.sql.split("\n")[0][:120])

        def run(st: StatementRecord) -> None:
            if failure or halt.is_set():
                return
            if self.before_statement is not None:
                self.before_statement(st.seq, st)
            begin = utc_now()
            # Asked here, not up front: a statement re-run before this one may undo its effect
            # (CREATE OR REPLACE of a rewrite's shadow table drops the CHECK added to it after).
            if check_applied and already_applied(st.effect, probe):
                log.warning("statement %d took effect before the last run stopped; not run again", st.seq)
                applied_now(replace(st, status="applied", started_at=begin, finished_at=utc_now(),
                                    error=FOUND_APPLIED))
                return
            try:
                self.executor.execute(st.sql)
            except Exception as exc:  # noqa: BLE001 - any engine error fails the deployment, recorded below
                # a lost response (the engine cannot say whether it ran) is recorded as such, never as
                # applied: a resume asks the catalog before running it again
                lost = getattr(exc, "kind", None) == "unknown"
                failed = replace(st, status="unknown" if lost else "failed", started_at=begin,
                                 finished_at=utc_now(), error=str(exc)[:4000])
                with self._status_lock:
                    failure.append((failed, exc))
                    done[st.seq] = failed
                statuses.put(failed)
                return
            if self.after_statement is not None:
                self.after_statement(st.seq, st)
            applied_now(replace(st, status="applied", started_at=begin, finished_at=utc_now()))

        statuses = StatusWriter(self.store, self.project_name, interval=self.status_interval)
        try:
            with ThreadPoolExecutor(max_workers=self.max_workers,
                                    thread_name_prefix="schemax-deploy") as pool:
                try:
                    for wave in schedule(statements):
                        if failure:
                            break
                        if len(wave) == 1:
                            for st in wave[0]:
                                run(st)
                            continue
                        futures = [pool.submit(_run_chain, chain, run, failure) for chain in wave]
                        for f in futures:
                            f.result()
                except KeyboardInterrupt:
                    # Ctrl-C: the chains still running finish their statement and start no other (the
                    # pool is joined on leaving this block), then the true count is recorded below
                    halt.set()
        finally:
            statuses.close()  # every status is recorded before the deployment's own record is finished
        final = [done[s.seq] for s in statements]
        if halt.is_set():
            why = f"interrupted (Ctrl-C) after {applied}/{len(statements)} statement(s) applied"
            rec = replace(record, status="interrupted", finished_at=utc_now(), applied=applied, error=why)
            self._update_deployment(rec)
            log.error("deployment %s interrupted after %d of %d statement(s)", rec.deployment_id, applied,
                      len(statements))
            raise DeploymentInterruptedError(record.environment, rec.deployment_id, applied, len(statements))
        if failure:
            failed, exc = min(failure, key=lambda x: x[0].seq)
            rec = replace(record, status="failed", finished_at=utc_now(), applied=applied,
                          error=f"statement {failed.seq} failed: {failed.error}")
            self._update_deployment(rec)
            log.error("deployment %s failed at statement %d after %d applied",
                      rec.deployment_id, failed.seq, applied)
            raise ExecutionError(failed, applied, failed.error or str(exc), rec.deployment_id)
        rec = replace(record, status="success", finished_at=utc_now(), applied=applied)
        self._update_deployment(rec)
        log.info("deployment %s succeeded: %d statement(s) in %.1fs", rec.deployment_id, applied,
                 time.monotonic() - started)
        return Deployment(rec, final, plan, notes=notes)


def _restored_ids(env: Environment, state: State, restore: Mapping[str, int]) -> set[str]:
    """The ids of the tables of ``state`` that ``restore`` (physical name -> Delta version) RESTOREs."""
    if not restore:
        return set()
    return {tid for tid in state.tables if env.naming.name(state, tid) in restore}


def environment_features(record: DeploymentRecord | None) -> dict[str, dict[str, str]]:
    """The table features an environment's tables have per its last successful deployment (none before
    the first): table id -> {key: value}."""
    return {tid: dict(props) for tid, props in (record.features if record is not None else {}).items()}


def remembered_features(previous: Mapping[str, Mapping[str, str]], enabled: Mapping[str, Mapping[str, str]],
                        state: State, restored: Collection[str] = ()) -> dict[str, dict[str, str]]:
    """What a deployment to ``state`` records: the ``previous`` features plus the ones its plan
    ``enabled``, for the tables ``state`` still has (a dropped table takes its features with it; a
    protocol upgrade is never undone, so a plain rollback keeps them too). A ``restored`` table (RESTORE
    TO VERSION brings back its old table properties, ``delta.columnMapping.mode`` among them) keeps only
    what this plan enabled after the RESTORE: the next plan enables the rest again, which is harmless."""
    out: dict[str, dict[str, str]] = {}
    for tid in sorted(set(previous) | set(enabled)):
        if tid not in state.tables:
            continue
        kept = {} if tid in restored else previous.get(tid, {})
        out[tid] = {**kept, **enabled.get(tid, {})}
    return out


def _run_chain(chain: list[StatementRecord], run: Callable[[StatementRecord], None],
               failure: list[Any]) -> None:
    for st in chain:
        if failure:
            return
        run(st)


def schedule(statements: Sequence[StatementRecord]) -> list[list[list[StatementRecord]]]:
    """Split statements into waves; a wave is a list of chains that may run concurrently.

    Consecutive statements on tables form one wave with one chain per table (statement order kept
    within a chain). A statement touching something others depend on (a schema, a view, a foreign key,
    a rename) is a wave of its own, so plan order is kept across objects.
    """
    waves: list[list[list[StatementRecord]]] = []
    current: dict[str, list[StatementRecord]] = {}

    def flush() -> None:
        if current:
            waves.append(list(current.values()))
            current.clear()

    for st in statements:
        if not st.object_id or set(st.change_kinds) & BARRIER_KINDS or not st.object_id.startswith("tbl_"):
            flush()
            waves.append([[st]])
        else:
            current.setdefault(st.object_id, []).append(st)
    flush()
    return waves


__all__ = [
    "STAMP", "DeployedState", "Deployer", "Deployment", "ResumeNote", "deployed_state", "schedule",
    "state_of",
]
