"""Ports: the small interfaces between schemax's pure core and the engines it runs on.

Everything that touches an engine goes through :class:`SqlExecutor`; records go through :class:`Store`.
Adapters (``schemax.adapters``) implement them for local Spark, a Databricks cluster, a SQL warehouse,
and in memory for tests.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from schemax.core.environment import DeploymentRecord, DriftScanRecord, LockRecord, StatementRecord
from schemax.core.ops import Op
from schemax.core.snapshot import Snapshot

Row = dict[str, Any]


@runtime_checkable
class SqlExecutor(Protocol):
    """Runs SQL. ``params`` are named parameters (``:name`` markers) for values that are data."""

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> None: ...

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]: ...


class Clock(Protocol):
    def now(self) -> str: ...


@dataclass(frozen=True)
class OpRecord:
    """One row of the op log: the op, its position and its link in the hash chain."""

    seq: int
    op: Op
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class ProjectRecord:
    """A project's own row: settings and environments (plain JSON-ready dicts)."""

    name: str
    created_at: str
    created_by: str
    settings: dict[str, Any] = field(default_factory=dict)
    environments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StoreChanges:
    """What one :meth:`Store.read_changes` read: the project's row, the ops after a seq, the snapshots not
    known yet, and (when asked) the deployments. ``project`` is None when the store holds no such project
    (or when the row was not asked for), ``deployments`` None when they were not asked for."""

    project: ProjectRecord | None = None
    ops: list[OpRecord] = field(default_factory=list)
    snapshots: list[Snapshot] = field(default_factory=list)
    deployments: list[DeploymentRecord] | None = None


class Store(Protocol):
    """Where a project's records live (Delta tables in a ``schemax`` schema, or memory in tests)."""

    location: str

    def ensure(self) -> None:
        """Create the store's schema and tables when missing. Idempotent."""

    def ensure_once(self) -> None:
        """:meth:`ensure`, once per store and process (and engine): later calls cost nothing."""

    def create_project(self, record: ProjectRecord) -> None:
        """Insert a project row; ProjectExistsError if one with that name exists."""

    def get_project(self, name: str) -> ProjectRecord | None: ...

    def save_project(self, record: ProjectRecord) -> None:
        """Upsert a project row (settings, environments)."""

    def list_projects(self) -> list[str]: ...

    def append_ops(self, project: str, records: Sequence[OpRecord]) -> None:
        """Append a batch of op rows in one commit.

        StoreConflictError (nothing written) if any ``seq`` is already taken: a concurrent writer won.
        """

    def read_ops(self, project: str, after_seq: int = 0) -> list[OpRecord]:
        """Op rows with ``seq > after_seq``, in seq order."""

    def append_snapshot(self, project: str, snapshot: Snapshot) -> None:
        """Append a snapshot; StoreConflictError if its version is already taken."""

    def read_snapshots(self, project: str) -> list[Snapshot]:
        """All snapshots, oldest first."""

    def read_changes(self, project: str, *, ops_after: int | None = 0,
                     known_snapshots: Collection[str] = (), deployments: bool = False,
                     environment: str | None = None) -> StoreChanges:
        """One read of what changed (one query on the Delta store): the project's row, the ops with
        ``seq > ops_after`` and the snapshots whose ids are not in ``known_snapshots`` (none of the three
        when ``ops_after`` is None), and with ``deployments`` the deployments (of ``environment``, or
        all), newest first."""

    # -- deployments (written before execution, then updated) -------------------------------------
    def begin_deployment(self, record: DeploymentRecord, statements: Sequence[StatementRecord]) -> None:
        """Record a deployment and every statement it will run, before the first one runs."""

    def update_statements(self, project: str, updates: Sequence[StatementRecord]) -> None:
        """Store new status/timing/error of some statements (matched by deployment_id + seq), one commit."""

    def update_deployment(self, record: DeploymentRecord) -> None:
        """Replace a deployment's row (status, finished_at, error, applied, table_versions)."""

    def read_deployments(self, project: str, environment: str | None = None) -> list[DeploymentRecord]:
        """Deployments, newest first (by ``started_at``, then ``deployment_id``)."""

    def read_statements(self, project: str, deployment_id: str) -> list[StatementRecord]:
        """A deployment's statements in seq order."""

    def read_all_statements(self, project: str) -> list[StatementRecord]:
        """The statements of every deployment of the project, by deployment id then seq, in one read (an
        export, an import's comparison)."""

    # -- locks -------------------------------------------------------------------------------------
    def acquire_lock(self, lock: LockRecord, now: str) -> LockRecord | None:
        """Take the environment's lock if it is free or expired (``expires <= now``), conflict-checked.

        Returns None when taken; otherwise the lock that is held by someone else.
        """

    def release_lock(self, project: str, environment: str, holder: str) -> None:
        """Release the lock if ``holder`` still holds it."""

    def read_lock(self, project: str, environment: str) -> LockRecord | None: ...

    # -- drift scans -------------------------------------------------------------------------------
    def append_drift_scan(self, scan: DriftScanRecord) -> None: ...

    def read_drift_scans(self, project: str, environment: str | None = None) -> list[DriftScanRecord]:
        """Scans, newest first (by ``ts``, then ``scan_id``)."""

    # -- history as a whole (an import) --------------------------------------------------------------
    def add_history(self, project: str, deployments: Sequence[DeploymentRecord],
                    statements: Sequence[StatementRecord], drift_scans: Sequence[DriftScanRecord]) -> None:
        """Insert history records as they are, seals included (an import of another store's,
        ``schemax.services.exchange``):
        deployment rows in any status, statements of any deployment, drift scans. A record whose key the
        store holds already (``deployment_id``; ``deployment_id`` and ``seq``; ``scan_id``; within
        ``project``) is left as it is, so running the same batch twice writes it once. One commit per
        table at most, statements before deployments: a deployment is never read without its statements
        (a batch cut short leaves statements no deployment shows, completed by running it again)."""


__all__ = ["Clock", "OpRecord", "ProjectRecord", "Row", "SqlExecutor", "Store", "StoreChanges"]


# ---------------------------------------------------------------------------------------------------------
# Catalog readers (drift detection and import)

from schemax.core.model import State  # noqa: E402 - appended section

#: What a catalog read covers: (physical catalog, physical schema) pairs; schema None = every schema.
CatalogScope = Sequence[tuple[str, "str | None"]]


@dataclass(frozen=True)
class ObservedCatalog:
    """What a :class:`CatalogReader` saw in the live catalog.

    ``state`` holds the objects under their physical names; ids are derived from the lower-case full names
    (``schemax.drift.observed.observed_id``), so two reads of the same catalog give equal states.
    ``queries`` counts the round trips the read made (SQL statements, API pages, session lookups).
    ``unrepresentable`` lists objects (or parts of objects) that were seen but that the model cannot hold:
    they are reported, never silently dropped. ``notes`` says how the read was done (bulk sources, tables
    read one by one and why). ``unobserved`` names aspects this reader cannot see at all (``tags``,
    ``grants``, ``functions``, ...), ``partial`` aspects it could not see for single objects (lower-case full
    name -> aspects, e.g. ``{"cat.sch.t": {"nullability"}}``); comparisons skip both instead of reporting
    drift. ``per_table`` lists the tables that needed reads of their own (full names).
    """

    state: State
    queries: int = 0
    unrepresentable: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unobserved: frozenset[str] = frozenset()
    partial: dict[str, frozenset[str]] = field(default_factory=dict)
    per_table: list[str] = field(default_factory=list)
    source: str = ""


@runtime_checkable
class CatalogReader(Protocol):
    """Reads the live catalog (Unity Catalog, or Spark + Delta) into an observed state."""

    def read(self, scope: CatalogScope) -> ObservedCatalog: ...


__all__ += ["CatalogReader", "CatalogScope", "ObservedCatalog"]


# ---------------------------------------------------------------------------------------------------------
# Catalog probes (a resume's questions, an import's schema list)


@runtime_checkable
class CatalogProbe(Protocol):
    """The few point questions the services ask the live catalog, by physical name parts (never SQL text).

    A resume asks, right before a statement that cannot run twice would run again, whether its declared
    effect (:mod:`schemax.core.effects`) is already there; an import of a whole catalog asks which schemas
    it holds. Implemented over any :class:`SqlExecutor` by ``adapters/catalog_probe.py``. An object the
    engine cannot find answers as absent (no error).
    """

    def schemas(self, catalog: str) -> list[str]:
        """The schema names in ``catalog``."""

    def exists(self, keyword: str, name: Sequence[str]) -> bool:
        """The object ``name`` of kind ``keyword`` is there (``CATALOG``, ``SCHEMA``, ``TABLE``, ``VIEW``,
        ``VOLUME``)."""

    def columns(self, table: Sequence[str]) -> set[str] | None:
        """The lower-case column names of ``table``; None when it is not there."""

    def check_constraints(self, table: Sequence[str]) -> set[str]:
        """The lower-case names of ``table``'s CHECK constraints (empty when it is not there)."""

    def has_key_constraint(self, table: Sequence[str], name: str) -> bool:
        """A primary or foreign key named ``name`` (any casing) on ``table``."""

    def has_rows(self, table: Sequence[str]) -> bool:
        """``table`` holds at least one row (False when it is not there)."""


__all__ += ["CatalogProbe"]
