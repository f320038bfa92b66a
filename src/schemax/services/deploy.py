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
from schemax.core.ops import utc_now
from schemax.core.snapshot import Snapshot
from schemax.display import deployment_html
from schemax.errors import (
    ApprovalRequiredError,
    BreakingChangeError,
    ConfirmationRequiredError,
    DeploymentLockedError,
    DriftDetectedError,
    ExecutionError,
    NotFoundError,
    RestoreUnavailableError,
    RetentionWindowPassedError,
    SnapshotRequiredError,
    SqlError,
    UnfinishedDeploymentError,
    UnsupportedError,
)
from schemax.plan import Plan, Target, Tracking, build_plan
from schemax.plan.capabilities import EngineCapabilities
from schemax.plan.render.restore import restore_statements
from schemax.ports import SqlExecutor, Store
from schemax.records import ProjectRecords
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


class Deployment:
    """One deployment as recorded: status, versions, who and when, and every statement with its status."""

    def __init__(self, record: DeploymentRecord, statements: Sequence[StatementRecord],
                 plan: Plan | None = None):
        self.record = record
        self.statements = list(statements)
        self.plan = plan

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
        return (f"Deployment({self.deployment_id}, env={self.environment!r}, {self.status}, "
                f"{self.from_version} -> {self.to_version}, "
                f"{self.applied}/{len(self.statements)} statements)")

    def _repr_html_(self) -> str:
        return deployment_html([self])


def state_of(records: ProjectRecords, rec: DeploymentRecord) -> State:
    """The state a deployment record says it deployed: its snapshot's, or the log's at its op seq."""
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
             before: State | None = None) -> Plan:
        with self.records.reading():  # one store read: the catch-up and the environment's deployments
            return self._plan(env_name, to, deployment_id=deployment_id, before=before)

    def _plan(self, env_name: str, to: str | None, *, deployment_id: str | None,
              before: State | None) -> Plan:
        current = self.deployed(env_name)  # first: it reads the project's row too
        env = self.records.environment(env_name)
        state, snap, _ = self.target_of(env, to)
        to_version = snap.version if snap else "working"
        tracking = Tracking(
            version=to_version, snapshot_id=snap.snapshot_id if snap else "", environment=env.name,
            deployment_id=deployment_id or "(planned)", deployed_at=utc_now(),
        )
        target = Target.of(env.naming, tracking)
        kwargs: dict[str, Any] = {}
        if self.capabilities is not None:
            kwargs["capabilities"] = self.capabilities
        # the protocol upgrades earlier deployments made are on the tables, whatever the design says:
        # planned with them on, the plan neither upgrades again nor warns again (rollbacks too)
        return build_plan(before if before is not None else current.state, state, target,
                          from_version=current.version, to_version=to_version,
                          features=environment_features(current.deployment), **kwargs)

    # ------------------------------------------------------------------------------------------------
    # deploying
    # ------------------------------------------------------------------------------------------------
    def deploy(self, env_name: str, to: str | None = None, *, dry_run: bool = False,
               allow_breaking: bool = False, force: bool = False, confirm: str | bool | None = None,
               abandon: bool = False, kind: str = "deploy", before: State | None = None,
               restore: dict[str, int] | None = None) -> Deployment:
        holder = f"{self.author}#{uuid.uuid4().hex[:8]}"
        if dry_run:
            with self.records.reading():
                plan = self.plan(env_name, to, before=before)
                env = self.records.environment(env_name)
                self._check(env, plan, allow_breaking=allow_breaking, force=force, confirm=True, to=to,
                            dry_run=True)
            return Deployment(self._record_for(env, plan, "dry-run", kind, "in_progress"),
                              self._statements_for("dry-run", plan), plan)
        # the lock's TTL from the environment as last read; everything after the lock is read fresh
        self._lock(self.records.environment(env_name), holder)
        try:
            with self.records.reading():
                return self._deploy_locked(env_name, to, holder, allow_breaking=allow_breaking, force=force,
                                           confirm=confirm, abandon=abandon, kind=kind, before=before,
                                           restore=restore)
        finally:
            self.store.release_lock(self.project_name, env_name, holder)

    def _deploy_locked(self, env_name: str, to: str | None, holder: str, *, allow_breaking: bool,
                       force: bool, confirm: str | bool | None, abandon: bool, kind: str,
                       before: State | None, restore: dict[str, int] | None) -> Deployment:
        """The deployment under its lock, inside one :meth:`ProjectRecords.reading`: its first store read
        brings the project's row, the op log's tail, new snapshots and the environment's deployments."""
        unfinished = self._unfinished(env_name)
        env = self.records.environment(env_name)
        if unfinished is not None:
            if abandon:
                self._update_deployment(
                    replace(unfinished, status="abandoned", finished_at=utc_now()))
                log.warning("abandoned unfinished deployment %s of %s",
                            unfinished.deployment_id, env_name)
            elif kind == "deploy":
                wanted = self.target_of(env, to)[1]
                if to is None or (wanted is not None and wanted.snapshot_id == unfinished.snapshot_id):
                    return self._resume(env, unfinished, holder)
                raise UnfinishedDeploymentError(env_name, unfinished.deployment_id, unfinished.to_version)
        deployment_id = f"dep_{uuid.uuid4().hex[:16]}"
        start = before if before is not None else self.deployed(env_name).state
        plan = self.plan(env_name, to, deployment_id=deployment_id, before=start)
        self._check(env, plan, allow_breaking=allow_breaking, force=force, confirm=confirm, to=to)
        if restore:
            self.check_restorable(restore)
        return self._run_new(env, plan, deployment_id, kind, to, restore or {}, start)

    def _update_deployment(self, record: DeploymentRecord) -> None:
        self.store.update_deployment(record)
        self.records.forget_deployments()

    def _check(self, env: Environment, plan: Plan, *, allow_breaking: bool, force: bool,
               confirm: str | bool | None, to: str | None, dry_run: bool = False) -> None:
        if plan.unsupported:
            raise UnsupportedError(plan.unsupported)
        blocking = list(plan.breaking_changes)
        if blocking and not (allow_breaking or env.allow_breaking):
            raise BreakingChangeError(blocking)
        if env.require_approval and plan.to_version not in (None, "working"):
            if env.approved(plan.to_version) is None:
                raise ApprovalRequiredError(env.name, plan.to_version)
        if env.require_confirmation and not dry_run and confirm not in (True, env.name):
            raise ConfirmationRequiredError(env.name)
        if self.drift_check is not None and not (
                force or env.allow_drift or self.records.settings().allow_drift):
            report = self.drift_check(env)
            if report is not None and report.drifted:
                raise DriftDetectedError(report)
        if self.preflight_check is not None:  # last: it queries the data; before anything is recorded
            self.preflight_check(env, plan)

    def _lock(self, env: Environment, holder: str) -> None:
        lock = LockRecord(self.project_name, env.name, holder, utc_now(), _ts_plus(env.lock_ttl_seconds))
        held = self.store.acquire_lock(lock, utc_now())
        if held is not None:
            raise DeploymentLockedError(held.holder, held.expires, env.name)

    def _unfinished(self, env: str) -> DeploymentRecord | None:
        """The latest deployment if it did not finish: failed, or in progress without a live lock."""
        for rec in self.records.deployments(env):
            if rec.status in ("success", "rolled_back", "abandoned"):
                return None
            if rec.status == "failed":
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
                 restore: dict[str, int], before: State) -> Deployment:
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
        return self._execute(record, statements, plan)

    def _resume(self, env: Environment, failed: DeploymentRecord, holder: str) -> Deployment:
        old = self.store.read_statements(self.project_name, failed.deployment_id)
        remaining = [s for s in old if s.status != "applied"]
        deployment_id = f"dep_{uuid.uuid4().hex[:16]}"
        statements = [replace(s, deployment_id=deployment_id, seq=i, status="pending", started_at=None,
                              finished_at=None, error=None) for i, s in enumerate(remaining, start=1)]
        record = replace(failed, deployment_id=deployment_id, kind="resume", status="in_progress",
                         started_at=utc_now(), finished_at=None, error=None, applied=0,
                         statement_count=len(statements), resumes=failed.deployment_id,
                         deployed_by=self.author)
        self.store.begin_deployment(record, statements)
        self.records.forget_deployments()
        self._update_deployment(replace(failed, status="failed",
                                             error=(failed.error or "") + f" [resumed by {deployment_id}]"))
        log.info("resuming %s as %s: %d of %d statement(s) left", failed.deployment_id, deployment_id,
                 len(statements), len(old))
        # a statement left pending may have run just before the process died (its status was not
        # written yet): each is checked against the catalog right before it would run again
        return self._execute(record, statements, None, check_applied=True)

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

    def check_restorable(self, versions: dict[str, int]) -> None:
        """Refuse before anything runs if a table's recorded version is out of Delta's reach."""
        for name, version in sorted(versions.items()):
            try:
                rows = self.executor.query(f"DESCRIBE HISTORY {name}")
            except SqlError as exc:
                raise RestoreUnavailableError(name, version, exc.cause) from None
            oldest = min((int(r["version"]) for r in rows), default=version)
            if version < oldest:
                raise RetentionWindowPassedError(name, version, oldest)

    # ------------------------------------------------------------------------------------------------
    # executing
    # ------------------------------------------------------------------------------------------------
    def _execute(self, record: DeploymentRecord, statements: list[StatementRecord],
                 plan: Plan | None, *, check_applied: bool = False) -> Deployment:
        done: dict[int, StatementRecord] = {s.seq: s for s in statements}
        failure: list[tuple[StatementRecord, BaseException]] = []
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
            if failure:
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
                failed = replace(st, status="failed", started_at=begin, finished_at=utc_now(),
                                 error=str(exc)[:4000])
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
        finally:
            statuses.close()  # every status is recorded before the deployment's own record is finished
        final = [done[s.seq] for s in statements]
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
        return Deployment(rec, final, plan)


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
    "DeployedState", "Deployer", "Deployment", "deployed_state", "schedule", "state_of",
]
