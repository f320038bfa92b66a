"""schemax: Unity Catalog schema management as an append-only op log, snapshots, plans and deployments.

    import schemax
    p = schemax.Project.create(spark, "shop", store="spark_catalog.schemax")
    p.create_catalog("shop")
    ...
    p.snapshot("Initial schema")
"""

# ``schemax.plan`` is the planner package, callable as the shortcut: schemax.plan("prod") or
# schemax.plan(before_state, after_state, catalogs=...).
from schemax import plan
from schemax.api import Column, Project, VerifyResult
from schemax.core.model import State
from schemax.core.ops import OP_KINDS, Op
from schemax.core.replay import replay
from schemax.core.snapshot import Snapshot
from schemax.errors import (
    ApprovalRequiredError,
    BreakingChangeError,
    ConfirmationRequiredError,
    DeploymentLockedError,
    DesignFileError,
    DriftDetectedError,
    DuplicateDefinitionError,
    EngineRequiredError,
    EngineUnavailableError,
    ExecutionError,
    HistoryDivergedError,
    InsideBatchError,
    IntegrityError,
    MissingArgumentError,
    NoCatalogMappingError,
    NotAnExportError,
    NotDeployedError,
    NotFoundError,
    ProjectExistsError,
    ProjectNotFoundError,
    RestoreUnavailableError,
    RetentionWindowPassedError,
    RuleViolationError,
    SchemaxError,
    SnapshotRequiredError,
    SqlError,
    StoreConflictError,
    UnfinishedDeploymentError,
    UnknownObjectError,
    UnsupportedError,
    UsageError,
    ValidationError,
    VersionError,
)
from schemax.shortcuts import deploy, rollback, scan, status

__version__ = "0.1.0"

__all__ = [
    "OP_KINDS",
    "ApprovalRequiredError",
    "BreakingChangeError",
    "Column",
    "ConfirmationRequiredError",
    "DeploymentLockedError",
    "DesignFileError",
    "DriftDetectedError",
    "DuplicateDefinitionError",
    "EngineRequiredError",
    "EngineUnavailableError",
    "ExecutionError",
    "HistoryDivergedError",
    "InsideBatchError",
    "IntegrityError",
    "MissingArgumentError",
    "NoCatalogMappingError",
    "NotAnExportError",
    "NotDeployedError",
    "NotFoundError",
    "Op",
    "Project",
    "ProjectExistsError",
    "ProjectNotFoundError",
    "RestoreUnavailableError",
    "RetentionWindowPassedError",
    "RuleViolationError",
    "SchemaxError",
    "Snapshot",
    "SnapshotRequiredError",
    "SqlError",
    "State",
    "StoreConflictError",
    "UnfinishedDeploymentError",
    "UnknownObjectError",
    "UnsupportedError",
    "UsageError",
    "ValidationError",
    "VerifyResult",
    "VersionError",
    "deploy",
    "plan",
    "replay",
    "rollback",
    "scan",
    "status",
]
