"""The façade methods that build services: plan, deploy, history, promotion, rollback, drift and import.

Each builds a service from the project's records and ports (:class:`~schemax.records.ProjectRecords`, the
store, the engine's :class:`~schemax.ports.SqlExecutor` and capabilities) and calls it; none of the
services sees the project. Where a service finds design ops to record (an import), it returns them and
the project records them here.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, Literal, overload

from schemax.adapters.engine_cache import PerEngine
from schemax.core.environment import DriftScanRecord, Environment
from schemax.core.model import State
from schemax.core.ops import Op
from schemax.drift import DriftReport
from schemax.drift.report import is_tracking_finding
from schemax.errors import DriftDetectedError, EngineRequiredError, NotDeployedError, PlanFileError
from schemax.plan import Plan, build_plan_between
from schemax.plan.capabilities import EngineCapabilities, detect_capabilities
from schemax.plan.saved import SavedPlan
from schemax.plan.to_ops import ops_between
from schemax.ports import SqlExecutor
from schemax.project.base import ProgressCallback
from schemax.project.snapshots import SnapshotDesign
from schemax.services.deploy import Deployer, Deployment
from schemax.services.drift import DriftService, ImportResult
from schemax.services.history import History, ProjectStatus, history, project_status
from schemax.services.preflight import Preflight, preflight_check, run_preflight
from schemax.services.rehearsal import Rehearsal, RehearsedStatement, rehearse
from schemax.services.rollback import plan_rollback

#: what each engine can run, detected once per engine and process (two queries; issue 12)
_CAPABILITIES: PerEngine[EngineCapabilities] = PerEngine()

# the messages of imports keep the logger they had when the drift service recorded the ops itself
drift_log = logging.getLogger("schemax.drift")


class ServiceFacade(SnapshotDesign):
    """Deployments, history, rollback, drift and import through the services (see the module doc)."""

    # ------------------------------------------------------------------------------------------------
    # plan, deploy, history, promotion, rollback
    # ------------------------------------------------------------------------------------------------
    def deployer(self, **options: Any) -> Deployer:
        """The :class:`~schemax.services.deploy.Deployer` for this project's engine."""
        executor = self._engine("deploy")
        options.setdefault("capabilities", self.capabilities())
        options.setdefault("drift_check", self._drift_check)
        options.setdefault("preflight_check", preflight_check(executor))
        return Deployer(self.records, executor, author=self.author, **options)

    def capabilities(self) -> EngineCapabilities | None:
        """What the engine behind this project can run (detected once per engine and process)."""
        if self._capabilities is None and self.executor is not None:
            executor = self.executor
            self._capabilities = _CAPABILITIES.setdefault(executor, lambda: detect_capabilities(executor))
        return self._capabilities

    def drift_service(self, **options: Any) -> DriftService:
        """The :class:`~schemax.services.drift.DriftService` for this project's engine (``options``: a
        ``reader`` or ``workspace_client`` of your own)."""
        return DriftService(self.records, self.executor, author=self.author,
                            capabilities=self.capabilities(), **options)

    def _drift_check(self, env: Environment) -> DriftReport:
        return self.drift_service().check(env.name, record=False, for_deploy=True)

    def plan(self, env: str, to: str | None = None) -> Plan:
        """What deploying ``to`` (default: latest snapshot) to ``env`` would run, with its findings."""
        return self.deployer().plan(env, to)

    def preflight(self, env: str, to: str | None = None, **options: Any) -> Preflight:
        """Ask ``env``'s live tables whether their data lets deploying ``to`` (default: the latest
        snapshot) succeed: each data-dependent finding of the plan gets its evidence ("will fail: 12 rows
        hold NULL in email (e.g. id 3, 7, 9)"); see :mod:`schemax.services.preflight` (``options``:
        ``thresholds``, ``timeout``, ``max_workers``, ``sample_rows``, ``sample_above_bytes``). Read-only;
        nothing is recorded."""
        plan = self.deployer().plan(env, to)
        return run_preflight(plan, self.environment(env), self._engine("preflight"), **options)

    def rehearse(self, env: str, to: str | None = None, *,
                 progress: Callable[[RehearsedStatement], None] | None = None) -> Rehearsal:
        """Run the plan to ``env`` on scratch copies of the tables it touches, timing every statement,
        then drop the copies; nothing is recorded (see :mod:`schemax.services.rehearsal`)."""
        return rehearse(self.deployer(), env, to, progress=progress)

    @overload
    def deploy(self, env: str, to: str | None = None, dry_run: bool = False, allow_breaking: bool = False,
               force: bool = False, confirm: str | bool | None = None, *, abandon: bool = False,
               max_workers: int | None = None, progress: ProgressCallback | None = None,
               preflight: bool | None = None, rehearse: Literal[False] = False,
               plan: SavedPlan | Plan | str | os.PathLike[str] | None = None) -> Deployment: ...

    @overload
    def deploy(self, env: str, to: str | None = None, dry_run: bool = False, allow_breaking: bool = False,
               force: bool = False, confirm: str | bool | None = None, *, abandon: bool = False,
               max_workers: int | None = None, progress: ProgressCallback | None = None,
               preflight: bool | None = None, rehearse: Literal[True],
               plan: SavedPlan | Plan | str | os.PathLike[str] | None = None) -> Rehearsal: ...

    def deploy(self, env: str, to: str | None = None, dry_run: bool = False, allow_breaking: bool = False,
               force: bool = False, confirm: str | bool | None = None, *, abandon: bool = False,
               max_workers: int | None = None, progress: ProgressCallback | None = None,
               preflight: bool | None = None, rehearse: bool = False,
               plan: SavedPlan | Plan | str | os.PathLike[str] | None = None) -> Deployment | Rehearsal:
        """Deploy a snapshot (default: the latest) to ``env``; see :mod:`schemax.services.deploy`.

        Refuses breaking changes (``BreakingChangeError``), drift (``DriftDetectedError``), a held lock
        (``DeploymentLockedError``) unless allowed, and, where a preflight runs (``preflight=True``, or the
        environment's ``preflight`` setting, by default production only), a plan the live data makes fail
        (``PreflightFailedError``); a failing statement raises ``ExecutionError`` after the deployment's
        record is written. Deploying again resumes a failed deployment. ``progress(i, n, statement)`` is
        called after each statement that ran. ``rehearse=True`` runs nothing on the environment: it
        rehearses the plan on scratch copies (:meth:`rehearse`) and returns the :class:`Rehearsal`.

        ``plan`` (a :class:`~schemax.plan.saved.SavedPlan`, the path of one written by ``Plan.save`` /
        ``schemax plan ENV --out``, or a :class:`Plan` of ``env``) deploys exactly that plan: under the
        environment's lock the plan of ``env`` now must have the saved plan's fingerprint, otherwise
        ``StalePlanError`` (the environment's deployed version, the snapshot, the engine or the naming
        moved) before anything is recorded. ``to`` then comes from the plan.
        """
        expected = self._saved_plan(env, to, plan) if plan is not None else None
        if rehearse:
            return self.rehearse(env, expected.to_version if expected is not None else to)
        options: dict[str, Any] = {"max_workers": max_workers} if max_workers else {}
        if progress is not None:
            options["progress"] = progress
        if preflight is not None:
            options["preflight_check"] = preflight_check(self._engine("deploy"), preflight)
        return self.deployer(**options).deploy(env, to, dry_run=dry_run, allow_breaking=allow_breaking,
                                               force=force, confirm=confirm, abandon=abandon,
                                               expected=expected)

    def _saved_plan(self, env: str, to: str | None, plan: SavedPlan | Plan | str | os.PathLike[str]
                    ) -> SavedPlan:
        """The saved plan a deploy was handed, checked against this project and ``env``."""
        if isinstance(plan, Plan):
            saved = SavedPlan.of(plan, project=self.name)
        elif isinstance(plan, SavedPlan):
            saved = plan
        else:
            saved = SavedPlan.load(plan)
        where = saved.path or "(plan)"
        if saved.project is not None and saved.project != self.name:
            raise PlanFileError(where, f"the plan is for project {saved.project!r}, not {self.name!r}")
        if saved.environment != env:
            raise PlanFileError(where, f"the plan is for environment {saved.environment!r}, not {env!r}")
        if to not in (None, "latest", saved.to_version):
            raise PlanFileError(where, f"the plan deploys {saved.to_version}, not {to}")
        return saved

    def _engine(self, action: str) -> SqlExecutor:
        if self.executor is None:
            raise EngineRequiredError(
                action, "this project has no SQL engine (open it with a SparkSession or an executor)")
        return self.executor

    def history(self, env: str | None = None) -> History:
        """Deployments, newest first, each with its statements and SQL."""
        return history(self.store, self.name, env)

    def status(self) -> ProjectStatus:
        """Which version is deployed where, and how many ops are not in a snapshot yet."""
        return project_status(self.records)

    def promote(self, source: str, target: str, *, progress: ProgressCallback | None = None,
                **options: Any) -> Deployment:
        """Deploy to ``target`` the snapshot that ``source`` runs (``options`` as for :meth:`deploy`)."""
        deployed = self.deployer().deployed(source)
        if deployed.deployment is None or deployed.snapshot_id is None:
            raise NotDeployedError(source, "promote",
                                   f"environment {source!r} has no deployed snapshot to promote")
        return self.deploy(target, to=deployed.version, progress=progress, **options)

    def rollback(self, env: str, to: str, restore_data: bool = False, *, allow_breaking: bool = True,
                 allow_data_loss: bool = False, progress: ProgressCallback | None = None,
                 **options: Any) -> Deployment:
        """Deploy the way back to snapshot ``to`` as a deployment of its own.

        With ``restore_data=True`` the tables that later deployments changed destructively are first
        ``RESTORE``d to the Delta version recorded before that change, so dropped columns come back with
        their data; out of Delta's retention it refuses (``RetentionWindowPassedError``). A RESTORE also
        discards what was written since: when Delta's history shows commits that changed data after the
        recorded version, the rollback is refused before anything runs (``RestoreDiscardsDataError``,
        listing per table the commits and rows) unless ``allow_data_loss=True``; a dry run lists them in
        ``discarded``. ``progress(i, n, statement)`` as for :meth:`deploy`.
        """
        deployer = self.deployer(**({"progress": progress} if progress is not None else {}))
        before, restore = plan_rollback(self.records, deployer, env, to, restore_data)
        if restore:  # the tables are RESTOREd first: today's data says nothing about the plan's
            deployer.preflight_check = None
        return deployer.deploy(env, to, allow_breaking=allow_breaking, kind="rollback", before=before,
                               restore=restore, allow_data_loss=allow_data_loss, **options)

    # ------------------------------------------------------------------------------------------------
    # drift and import
    # ------------------------------------------------------------------------------------------------
    def check_drift(self, env: str, *, record: bool = True) -> DriftReport:
        """Compare ``env``'s live catalog with its last deployment; the scan is recorded."""
        return self.drift_service().check(env, record=record)

    def restamp(self, env: str, *, confirm: str | bool | None = None) -> Deployment | None:
        """Repair drift that is only in schemax's own tracking properties (``schemax.version``,
        ``schemax.hash``): stamp those tables again, recorded as a ``restamp`` deployment; no ``force``
        needed, nothing else runs. ``None`` when no table needs it; ``DriftDetectedError`` (with only the
        other findings) when anything else differs, before anything runs."""
        report = self.drift_service().check(env, record=False)
        others = tuple(f for f in report.findings if not is_tracking_finding(f))
        if others:
            raise DriftDetectedError(
                replace(report, findings=others),
                f"drift beyond schemax's tracking properties in {env!r}: {len(others)} finding(s); "
                "re-stamping repairs only schemax.version / schemax.hash")
        names = {f.object_name.lower() for f in report.findings}
        if not names:
            return None
        environment = self.environment(env)
        deployer = self.deployer()
        logical = deployer.deployed(env).state
        physical = environment.naming.map_state(logical)
        ids = [tid for tid in physical.tables if physical.full_name(tid).lower() in names]
        return deployer.restamp(env, ids, confirm=confirm)

    def drift_scans(self, env: str | None = None) -> list[DriftScanRecord]:
        """Recorded drift scans, newest first."""
        return self.store.read_drift_scans(self.name, env)

    def import_drift(self, env: str, *, confirm: str | bool | None = None) -> list[Op]:
        """Record the ops that make the project match what ``env`` really holds (hand-made changes), and
        an ``import`` deployment saying ``env`` holds them (its tables they changed stamped again), so
        ``env``'s next plan holds nothing of what was imported while the other environments receive it
        as ordinary changes. ``confirm`` as for :meth:`deploy` where ``env`` requires confirmation."""
        deployer = self.deployer()
        deployer._require_confirmation(self.environment(env), confirm)  # before anything is recorded
        ops = self.drift_service().drift_ops(env)
        if ops:
            self.record_ops(ops)
            deployer.record_import(env, ops)
        drift_log.info("imported %d op(s) of drift from %s", len(ops), env)
        return ops

    def import_catalog(self, env: str, schemas: Sequence[str] | None = None, adopt: bool = False
                       ) -> ImportResult:
        """Reverse-engineer ``env``'s live catalogs (all schemas, or the logical ``schemas``) into ops.

        With ``adopt=True`` a snapshot is taken and recorded as ``env``'s baseline deployment, so its next
        deploy is a no-op. Objects schemax cannot represent are listed in the result, never dropped silently.
        """
        service = self.drift_service()
        result = service.catalog_import(env, list(schemas) if schemas else None)
        if result.ops:
            self.record_ops(result.ops)
        if adopt:
            snap = self.snapshot(f"Imported from {env}")
            result.snapshot = snap.version
            service.adopt(env, snap)
        for item in result.unrepresentable:
            drift_log.warning("not imported (schemax cannot represent it): %s", item)
        return result

    def diff(self, from_version: str | None, to_version: str | None = None, **target: Any) -> Plan:
        """The plan between two snapshots (``None`` = empty / working state), in logical names."""
        before = self.snapshot_at(from_version).state if from_version else State()
        after = self.snapshot_at(to_version).state if to_version else self.state()
        return build_plan_between(before, after, from_version=from_version,
                                  to_version=to_version or "working", **target)

    def revert_to(self, version: str) -> list[Op]:
        """Append the ops that bring the working state back to snapshot ``version`` (nothing is deleted)."""
        ops = ops_between(self.state(), self.snapshot_at(version).state, author=self.author)
        if ops:
            self.record_ops(ops)
        return ops


__all__ = ["ServiceFacade"]
