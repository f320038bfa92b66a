"""What a deployment is and leaves behind: the result object, an environment's deployed state, the resume
notes, and the table features an environment remembers across deployments."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from schemax.core.environment import DeploymentRecord, Environment, StatementRecord
from schemax.core.model import State
from schemax.core.replay import replay
from schemax.display import deployment_html
from schemax.errors import (
    NotFoundError,
)
from schemax.plan import Plan
from schemax.records import ProjectRecords
from schemax.services.discards import DiscardedCommits

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


