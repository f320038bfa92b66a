"""schemax: Unity Catalog schema management as an append-only op log, snapshots, plans and deployments.

    import schemax
    p = schemax.Project.create(spark, "shop", store="spark_catalog.schemax")
    p.create_catalog("shop")
    ...
    p.snapshot("Initial schema")
"""

from typing import Any

from schemax.api import Column, Project, VerifyResult
from schemax.core.model import State
from schemax.core.ops import OP_KINDS, Op
from schemax.core.replay import replay
from schemax.core.snapshot import Snapshot
from schemax.errors import (
    ApprovalRequiredError,
    BreakingChangeError,
    ConfirmationRequiredError,
    DeploymentInterruptedError,
    DeploymentLockedError,
    DesignFileError,
    DriftDetectedError,
    DuplicateDefinitionError,
    EngineRequiredError,
    EngineUnavailableError,
    ExecutionError,
    HistoryConflictError,
    HistoryDivergedError,
    InsideBatchError,
    IntegrityError,
    IntegrityProblem,
    LocalEngineBusyError,
    LocationTemplateError,
    MissingArgumentError,
    NoCatalogMappingError,
    NotAnExportError,
    NotDeployedError,
    NotFoundError,
    PlanFileError,
    PreflightFailedError,
    ProjectExistsError,
    ProjectNotFoundError,
    RestoreDiscardsDataError,
    RestoreUnavailableError,
    RetentionWindowPassedError,
    RuleViolationError,
    SchemaxError,
    SnapshotRequiredError,
    SqlDefinitionError,
    SqlError,
    StalePlanError,
    StoreConflictError,
    UnfinishedDeploymentError,
    UnknownObjectError,
    UnknownVariableError,
    UnsupportedError,
    UsageError,
    ValidationError,
    VersionError,
)
from schemax.plan import Plan
from schemax.plan import plan as _plan_states
from schemax.plan.saved import SavedPlan
from schemax.shortcuts import deploy, rollback, scan, status
from schemax.shortcuts import plan as _plan_environment

__version__ = "0.1.0"


def plan(*args: Any, **kwargs: Any) -> Plan:
    """The notebook shortcut: ``schemax.plan("prod")`` is what deploying to ``prod`` would run
    (:func:`schemax.shortcuts.plan`); ``schemax.plan(before, after, catalogs=...)`` is the plan between
    two states (:func:`schemax.plan.plan`).

    This name shadows the planner package as an attribute of ``schemax``; import the package by name
    (``from schemax.plan import build_plan``).
    """
    if args and isinstance(args[0], str):
        return _plan_environment(*args, **kwargs)
    return _plan_states(*args, **kwargs)


__all__ = [
    "OP_KINDS",
    "ApprovalRequiredError",
    "BreakingChangeError",
    "Column",
    "ConfirmationRequiredError",
    "DeploymentInterruptedError",
    "DeploymentLockedError",
    "DesignFileError",
    "DriftDetectedError",
    "DuplicateDefinitionError",
    "EngineRequiredError",
    "EngineUnavailableError",
    "LocalEngineBusyError",
    "LocationTemplateError",
    "ExecutionError",
    "HistoryConflictError",
    "HistoryDivergedError",
    "InsideBatchError",
    "IntegrityError",
    "IntegrityProblem",
    "MissingArgumentError",
    "NoCatalogMappingError",
    "NotAnExportError",
    "NotDeployedError",
    "NotFoundError",
    "Op",
    "PlanFileError",
    "PreflightFailedError",
    "Project",
    "ProjectExistsError",
    "ProjectNotFoundError",
    "RestoreUnavailableError",
    "RestoreDiscardsDataError",
    "RetentionWindowPassedError",
    "RuleViolationError",
    "SavedPlan",
    "SchemaxError",
    "Snapshot",
    "SnapshotRequiredError",
    "SqlDefinitionError",
    "SqlError",
    "StalePlanError",
    "State",
    "StoreConflictError",
    "UnfinishedDeploymentError",
    "UnknownObjectError",
    "UnknownVariableError",
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
