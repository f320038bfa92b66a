"""The deployer's foundation: where records live, the lock, deployment and statement records, the Delta
versions destructive statements need, and the executor loop that runs statements in waves of chains."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from schemax.adapters.catalog_probe import SqlCatalogProbe
from schemax.core.changes import BARRIER_KINDS
from schemax.core.environment import DeploymentRecord, Environment, LockRecord, StatementRecord
from schemax.core.hashing import state_hash
from schemax.core.model import State
from schemax.core.ops import utc_now
from schemax.core.snapshot import Snapshot
from schemax.errors import (
    ConfirmationRequiredError,
    DeploymentInterruptedError,
    DeploymentLockedError,
    ExecutionError,
    RestoreUnavailableError,
    RetentionWindowPassedError,
    SnapshotRequiredError,
    SqlError,
)
from schemax.plan import Plan
from schemax.plan.capabilities import EngineCapabilities
from schemax.plan.render.restore import restore_statements
from schemax.ports import SqlExecutor, Store
from schemax.records import ProjectRecords
from schemax.services.deployment import (
    DEFAULT_WORKERS,
    DeployedState,
    Deployment,
    ResumeNote,
    _ts_plus,
    deployed_state,
    remembered_features,
    state_of,
)
from schemax.services.discards import DiscardedCommits, discarded_commits
from schemax.services.resume import FOUND_APPLIED, already_applied
from schemax.services.statuses import DEFAULT_INTERVAL, StatusWriter

log = logging.getLogger("schemax.deploy")


class _DeployerBase:
    """Records, lock and execution shared by every kind of deployment (see
    :class:`~schemax.services.deploy.Deployer`)."""

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
    @staticmethod
    def _require_confirmation(env: Environment, confirm: str | bool | None) -> None:
        if env.require_confirmation and confirm not in (True, env.name):
            raise ConfirmationRequiredError(env.name)

    def _begin(self, record: DeploymentRecord, statements: list[StatementRecord]) -> DeploymentRecord:
        """Record a deployment and its statements before the first one runs, linked to the environment's
        latest deployment (``previous``: a row deleted between two is then a broken link); returns the
        record as written."""
        latest = self.records.deployments(record.environment)
        record = replace(record, previous=latest[0].deployment_id if latest else None)
        self.store.begin_deployment(record, statements)
        return record

    def _update_deployment(self, record: DeploymentRecord) -> None:
        self.store.update_deployment(record)
        self.records.forget_deployments()

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


