"""The schemax error hierarchy.

Every error schemax raises derives from :class:`SchemaxError` and carries the data a caller needs to act
on it (the offending op, the findings, the lock holder, the environment and version, ...), not only a
message, so a caller branches on the class and reads the attributes instead of parsing text.

A class whose ``blocked`` attribute is true is a refusal on purpose ("schemax said no": drift, breaking
changes, a held lock), not a failure; the ``schemax`` command exits 2 for those and 1 for every other
error (``schemax.cli.exit_code_for``).

The classes live in one module per family (``base``, ``design``, ``store``, ``engine``, ``deploy``);
import them from here (or from ``schemax``), never from the family modules.
"""

from __future__ import annotations

from schemax.errors.base import NotFoundError, SchemaxError
from schemax.errors.deploy import (
    ApprovalRequiredError,
    BreakingChangeError,
    ConfirmationRequiredError,
    DeploymentLockedError,
    DriftDetectedError,
    LocationTemplateError,
    NoCatalogMappingError,
    NotDeployedError,
    PlanFileError,
    PreflightFailedError,
    RestoreDiscardsDataError,
    RestoreUnavailableError,
    RetentionWindowPassedError,
    SnapshotRequiredError,
    StalePlanError,
    UnfinishedDeploymentError,
    UnknownVariableError,
    UnsupportedError,
)
from schemax.errors.design import (
    DesignFileError,
    DuplicateDefinitionError,
    InsideBatchError,
    RuleViolationError,
    SqlDefinitionError,
    UnknownObjectError,
    ValidationError,
    VersionError,
)
from schemax.errors.engine import (
    DeploymentInterruptedError,
    EngineRequiredError,
    EngineUnavailableError,
    ExecutionError,
    LocalEngineBusyError,
    SqlError,
)
from schemax.errors.store import (
    HistoryConflictError,
    HistoryDivergedError,
    IntegrityError,
    MissingArgumentError,
    NotAnExportError,
    ProjectExistsError,
    ProjectNotFoundError,
    StoreConflictError,
    UsageError,
)
from schemax.errors.store import (
    IntegrityProblem as IntegrityProblem,  # a value class, not an error: outside __all__
)

__all__ = [
    "ApprovalRequiredError",
    "BreakingChangeError",
    "ConfirmationRequiredError",
    "DeploymentInterruptedError",
    "DeploymentLockedError",
    "DesignFileError",
    "DriftDetectedError",
    "DuplicateDefinitionError",
    "EngineRequiredError",
    "EngineUnavailableError",
    "ExecutionError",
    "HistoryConflictError",
    "HistoryDivergedError",
    "InsideBatchError",
    "IntegrityError",
    "LocalEngineBusyError",
    "LocationTemplateError",
    "MissingArgumentError",
    "NoCatalogMappingError",
    "NotAnExportError",
    "NotDeployedError",
    "NotFoundError",
    "PlanFileError",
    "PreflightFailedError",
    "ProjectExistsError",
    "ProjectNotFoundError",
    "RestoreUnavailableError",
    "RestoreDiscardsDataError",
    "RetentionWindowPassedError",
    "RuleViolationError",
    "SchemaxError",
    "SnapshotRequiredError",
    "SqlDefinitionError",
    "SqlError",
    "StalePlanError",
    "StoreConflictError",
    "UnfinishedDeploymentError",
    "UnknownObjectError",
    "UnknownVariableError",
    "UnsupportedError",
    "UsageError",
    "ValidationError",
    "VersionError",
]
