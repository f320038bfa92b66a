"""Environments, project settings and the records a deployment leaves behind (pure data)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Literal

from schemax.core.effects import Effect, effect_from_dict, effect_to_dict
from schemax.core.hashing import canonical_bytes, sha256_hex
from schemax.core.model import Frozen
from schemax.core.naming import Naming
from schemax.core.objects import optional

DeploymentStatus = Literal["in_progress", "success", "failed", "interrupted", "rolled_back", "abandoned"]
StatementStatus = Literal["pending", "running", "applied", "failed", "unknown", "skipped"]
DeploymentKind = Literal["deploy", "rollback", "baseline", "resume", "restamp", "import"]


class Settings(Frozen):
    """Project-wide settings (the original design's ProjectSettings)."""

    auto_increment_version: bool = True
    version_prefix: str = ""
    require_snapshot_for_prod: bool = True
    allow_drift: bool = False
    require_comments: bool = False
    warn_on_breaking_changes: bool = True


class Environment(Frozen):
    """A deployment target: how logical catalogs map to physical ones and what is allowed there."""

    name: str
    catalogs: dict[str, str] = {}
    schema_prefix: str = ""
    # issue 11: logical principal -> this environment's (owners and grants), like ``catalogs``; left out of
    # the record when empty
    principals: dict[str, str] = optional({})
    # issue 11: NAME -> value, what ``${env.NAME}`` in a storage location stands for here
    # (``{"storage_root": "acme-dev"}``, :mod:`schemax.core.naming`); left out of the record when empty
    variables: dict[str, str] = optional({})
    require_snapshot: bool = False
    allow_drift: bool = False
    allow_breaking: bool = False
    require_confirmation: bool = False
    require_approval: bool = False
    production: bool = False
    lock_ttl_seconds: int = 3600
    approvals: tuple[dict[str, Any], ...] = ()
    # probe the live data before deploying (schemax.services.preflight); None: only production does
    preflight: bool | None = None
    # issue 15: what this environment's engine does not emulate. "skip": statements of the governance
    # capabilities (plan.capabilities.GOVERNANCE: tags, grants, owners, row filters, column masks) the
    # engine lacks are left out of the plan and listed in ``Plan.skipped``, so a local engine or CI can
    # deploy the very snapshots a Unity Catalog environment receives; None: such a plan is refused
    unsupported: Literal["skip"] | None = optional()

    @property
    def is_production(self) -> bool:
        return self.production or self.name.lower() in ("prod", "production", "prd")

    @property
    def naming(self) -> Naming:
        """How this environment names things physically (:class:`~schemax.core.naming.Naming`)."""
        return Naming(self.catalogs, self.schema_prefix, self.principals, dict(self.variables),
                      environment=self.name)

    @property
    def preflight_on_deploy(self) -> bool:
        """Whether a deploy here runs a preflight first: the ``preflight`` setting, by default on for
        production environments only."""
        return self.preflight if self.preflight is not None else self.is_production

    def physical_catalog(self, logical: str) -> str:
        return self.naming.catalog(logical)

    def physical_schema(self, logical: str) -> str:
        return self.naming.schema(logical)

    def approved(self, version: str) -> dict[str, Any] | None:
        return next((a for a in self.approvals if a.get("version") == version), None)


@dataclass(frozen=True)
class DeploymentRecord:
    """One deployment of one environment; written before its first statement runs, then updated."""

    deployment_id: str
    project: str
    environment: str
    status: DeploymentStatus
    kind: DeploymentKind
    started_at: str
    deployed_by: str
    from_version: str | None = None
    to_version: str | None = None
    snapshot_id: str | None = None
    finished_at: str | None = None
    error: str | None = None
    applied: int = 0
    statement_count: int = 0
    resumes: str | None = None  # deployment_id this one continues
    table_versions: dict[str, int] = field(default_factory=dict)  # physical table -> Delta version before
    drift: dict[str, Any] | None = None
    state_hash: str | None = None  # hash of the state this deployment brings the environment to
    op_seq: int | None = None  # for a deployment of the working state: the op log position deployed
    # ids of tables whose version-tracking properties this deployment set
    touched_tables: tuple[str, ...] = ()
    # table id -> {key: value}: the table features (protocol upgrades: column mapping, type widening,
    # column defaults) the environment's tables have after this deployment that the design does not
    # declare; the previous deployment's plus the ones this plan enabled, for tables still there
    features: dict[str, dict[str, str]] = field(default_factory=dict)
    # an ``import`` deployment: the environment holds ``base``'s state (a deployment id) with the ops
    # ``op_ids`` applied (what an import of its drift recorded), so its next plan holds none of them
    base: str | None = None
    op_ids: tuple[str, ...] = ()
    # issue 16 (store tampering): the environment's latest deployment when this one began (a deleted row
    # between two is a broken link), and a SHA-256 over every other field, set by the stores on each
    # write (an edited row no longer matches). None on records written before either existed.
    previous: str | None = None
    seal: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "touched_tables", tuple(self.touched_tables or ()))
        object.__setattr__(self, "op_ids", tuple(self.op_ids or ()))

    def compute_seal(self) -> str:
        """SHA-256 over the canonical JSON of every field but the seal."""
        row = self.to_row()
        del row["seal"]
        return sha256_hex(canonical_bytes(row))

    def sealed(self) -> DeploymentRecord:
        """This record with its seal (what the stores write)."""
        return replace(self, seal=self.compute_seal())

    def to_row(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> DeploymentRecord:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in row.items() if k in names})


@dataclass(frozen=True)
class StatementRecord:
    """One planned statement of a deployment and how far it got."""

    deployment_id: str
    seq: int
    sql: str
    status: StatementStatus = "pending"
    risk: str = "safe"
    object_id: str | None = None
    object_name: str | None = None
    change_kinds: tuple[str, ...] = ()
    op_ids: tuple[str, ...] = ()
    reverse: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    error: str | None = None
    # what the statement changes when it cannot simply run twice (kept as JSON; None in older records)
    effect: Effect | None = None

    def to_row(self) -> dict[str, Any]:
        row = asdict(self)
        row["effect"] = effect_to_dict(self.effect) if self.effect is not None else None
        return row

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> StatementRecord:
        names = {f.name for f in fields(cls)}
        data = {k: v for k, v in row.items() if k in names}
        for key in ("change_kinds", "op_ids"):
            data[key] = tuple(data.get(key) or ())
        if isinstance(data.get("effect"), dict):  # the JSON form (the Delta store keeps records as JSON)
            data["effect"] = effect_from_dict(data["effect"])
        return cls(**data)


@dataclass(frozen=True)
class LockRecord:
    project: str
    environment: str
    holder: str
    acquired: str
    expires: str


@dataclass(frozen=True)
class DriftScanRecord:
    project: str
    scan_id: str
    environment: str
    ts: str
    status: Literal["clean", "drifted", "error"]
    findings: list[dict[str, Any]] = field(default_factory=list)
    version: str | None = None


__all__ = [
    "DeploymentRecord",
    "DeploymentStatus",
    "DriftScanRecord",
    "Environment",
    "LockRecord",
    "Settings",
    "StatementRecord",
]
