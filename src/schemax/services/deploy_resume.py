"""Continuing what a deployment left unfinished: whether to resume, the notes that say so, the remaining
statements and tracking stamps; and the records a deployment writes without a plan (restamp, import)."""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import replace

from schemax.core.environment import DeploymentRecord, Environment, StatementRecord
from schemax.core.hashing import state_hash
from schemax.core.ops import Op, utc_now
from schemax.core.tracking import table_definition_hash
from schemax.errors import (
    NotDeployedError,
    NotFoundError,
    UnfinishedDeploymentError,
)
from schemax.plan import Target, Tracking
from schemax.plan.render.restore import stamp_statements
from schemax.services.deploy_base import _DeployerBase
from schemax.services.deployment import STAMP, Deployment, ResumeNote, remembered_features

log = logging.getLogger("schemax.deploy")


class _ResumingDeployer(_DeployerBase):
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
        with self._idle_lock(env, env_name):
            self._require_confirmation(env, confirm)
            deployment_id = f"dep_{uuid.uuid4().hex[:16]}"
            wanted = sorted(set(tables) & set(current.state.tables))
            record = replace(current.deployment, deployment_id=deployment_id, kind="restamp",
                             status="in_progress", started_at=utc_now(), finished_at=None, error=None,
                             applied=0, resumes=None, table_versions={}, drift=None,
                             from_version=current.version, deployed_by=self.author,
                             touched_tables=tuple(wanted))
            return self._run_stamps(env, record, set(wanted))

    def record_import(self, env_name: str, ops: Sequence[Op]) -> Deployment | None:
        """Record that ``env`` holds what an import of its drift found (``ops``, recorded in the log): an
        ``import`` deployment whose state is the deployed one with ``ops`` applied, so the next plan for
        ``env`` holds none of them (the other environments get them as ordinary changes). The tables the
        ops changed are stamped with the new definition's tracking, so no version drift remains. ``None``
        without ops."""
        if not ops:
            return None
        env = self.records.environment(env_name)
        with self._idle_lock(env, env_name):
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
            return self._run_stamps(env, record, set(changed))

    @contextlib.contextmanager
    def _idle_lock(self, env: Environment, env_name: str) -> Iterator[None]:
        """The environment's lock for a deployment without a plan (restamp, import), refused while another
        deployment is unfinished; released at the end whatever happens."""
        holder = f"{self.author}#{uuid.uuid4().hex[:8]}"
        self._lock(env, holder)
        try:
            unfinished = self._unfinished(env_name)
            if unfinished is not None:
                raise UnfinishedDeploymentError(env_name, unfinished.deployment_id, unfinished.to_version)
            yield
        finally:
            self.store.release_lock(self.project_name, env_name, holder)

    def _run_stamps(self, env: Environment, record: DeploymentRecord, tables: set[str | None]) -> Deployment:
        """Record ``record`` with the tracking stamps of ``tables`` as its statements, and run them."""
        statements = [replace(st, seq=i) for i, st in enumerate(
            self._stamps_for(env, record, record.deployment_id, tables), start=1)]
        record = replace(record, statement_count=len(statements))
        record = self._begin(record, statements)
        self.records.forget_deployments()
        return self._execute(record, statements, None)

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
        record = self._begin(record, statements)
        self.records.forget_deployments()
        self._update_deployment(replace(failed, status=failed.status,
                                             error=(failed.error or "") + f" [resumed by {deployment_id}]"))
        log.info("resuming %s as %s: %d statement(s) left", failed.deployment_id, deployment_id,
                 len(statements))
        # a statement left pending may have run just before the process died (its status was not
        # written yet): each is checked against the catalog right before it would run again
        return self._execute(record, statements, None, check_applied=True, notes=notes)

