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
import uuid
from collections.abc import Collection
from dataclasses import replace
from typing import Any

from schemax.core.environment import Environment
from schemax.core.integrity import deployment_problems
from schemax.core.model import State
from schemax.core.ops import utc_now
from schemax.drift.report import is_tracking_finding
from schemax.errors import (
    ApprovalRequiredError,
    BreakingChangeError,
    DriftDetectedError,
    IntegrityError,
    RestoreDiscardsDataError,
    SchemaxError,
    StalePlanError,
    UnfinishedDeploymentError,
    UnsupportedError,
)
from schemax.plan import Plan, Target, Tracking, build_plan
from schemax.plan.capabilities import GOVERNANCE
from schemax.plan.saved import PLANNED, SavedPlan
from schemax.services.deploy_base import schedule
from schemax.services.deploy_resume import _ResumingDeployer
from schemax.services.deployment import (
    STAMP,
    DeployedState,
    Deployment,
    ResumeNote,
    _restored_ids,
    deployed_state,
    environment_features,
    remembered_features,
    state_of,
)
from schemax.services.discards import DiscardedCommits

log = logging.getLogger("schemax.deploy")


class Deployer(_ResumingDeployer):
    """Plans and runs deployments of one project through one executor.

    It reads the project's design records through ``records`` (snapshots, the op log, environments,
    settings), writes deployment records, statement statuses and locks to ``records.store``, and runs SQL
    through ``executor``; ``author`` is who deploys.
    """

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
        if env.unsupported == "skip":  # what the engine does not emulate is listed, not refused
            kwargs["skip"] = GOVERNANCE
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
        self._check_integrity(env_name, to)
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

    def _dry_run(self, env: Environment, to: str | None, *, allow_breaking: bool, force: bool,
                 abandon: bool, kind: str, before: State | None, restore: dict[str, int],
                 expected: SavedPlan | None = None) -> Deployment:
        """What the run would execute, statement for statement, without running or recording anything:
        the remaining statements of an unfinished deployment it would resume (with their stamps), or the
        plan with the RESTOREs of a data rollback first."""
        self._check_integrity(env.name, to)
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

    def _check_integrity(self, env_name: str, to: str | None) -> None:
        """Refuse (:class:`IntegrityError`) when the op log, a snapshot or one of the environment's
        deployment records was edited or deleted behind schemax's back: what would be deployed, or from
        what, is not what was recorded. From the rows already read (no store read of its own), and the
        hash of the state the deployment reaches (``Project.verify`` hashes every snapshot's)."""
        problems = [*self.records.integrity_problems(),
                    *deployment_problems(self.records.deployments(env_name))]
        if problems:
            raise IntegrityError.of(problems)
        try:
            snap = self.target_of(self.records.environment(env_name), to)[1]
        except SchemaxError:
            return  # no such target: the deployment's own checks say so
        if snap is not None:
            snap.verify()

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
        record = self._begin(record, statements)
        self.records.forget_deployments()
        log.info("deployment %s to %s: %s -> %s, %d statement(s)", deployment_id, env.name, plan.from_version,
                 plan.to_version, len(statements))
        return self._execute(record, statements, plan, check_applied=check_applied)

__all__ = [
    "STAMP", "DeployedState", "Deployer", "Deployment", "ResumeNote", "deployed_state", "schedule",
    "state_of",
]
