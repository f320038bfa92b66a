"""The schemax error hierarchy.

Every error schemax raises derives from :class:`SchemaxError` and carries the data a caller needs to act
on it (the offending op, the findings, the lock holder, ...), not only a message.
"""

from __future__ import annotations

from typing import Any


class SchemaxError(Exception):
    """Root of every error schemax raises."""


class ValidationError(SchemaxError):
    """An op (or a request that would become ops) is invalid against the state it applies to.

    Nothing is recorded when this is raised.
    """

    def __init__(self, op: Any, reason: str) -> None:
        self.op = op
        self.reason = reason
        kind = getattr(op, "kind", None) or (op.get("kind") if isinstance(op, dict) else None)
        op_id = getattr(op, "op_id", None) or (op.get("op_id") if isinstance(op, dict) else None)
        where = f"{kind} ({op_id})" if kind else "request"
        super().__init__(f"invalid {where}: {reason}")


class NotFoundError(SchemaxError):
    """A named object, snapshot, environment or deployment does not exist."""

    def __init__(self, what: str, name: str) -> None:
        self.what = what
        self.name = name
        super().__init__(f"{what} not found: {name}")


class ProjectExistsError(SchemaxError):
    """``Project.create`` was asked for a project that is already in the store."""

    def __init__(self, project: str, store: str) -> None:
        self.project = project
        self.store = store
        super().__init__(f"project {project!r} already exists in store {store}")


class ProjectNotFoundError(NotFoundError):
    """``Project.open`` was asked for a project that is not in the store."""

    def __init__(self, project: str, store: str) -> None:
        self.project = project
        self.store = store
        SchemaxError.__init__(self, f"project {project!r} not found in store {store}")
        self.what = "project"
        self.name = project


class VersionError(SchemaxError):
    """A snapshot version is not valid semver or does not increase."""

    def __init__(self, version: str, reason: str) -> None:
        self.version = version
        self.reason = reason
        super().__init__(f"version {version!r}: {reason}")


class IntegrityError(SchemaxError):
    """A stored op or snapshot does not hash to what was recorded (changed behind schemax's back)."""

    def __init__(self, snapshot: str, expected: str, actual: str, detail: str = "") -> None:
        self.snapshot = snapshot
        self.expected = expected
        self.actual = actual
        self.detail = detail
        msg = f"integrity check failed for {snapshot}: expected {expected}, got {actual}"
        super().__init__(f"{msg} ({detail})" if detail else msg)


class StoreConflictError(SchemaxError):
    """A concurrent writer committed first; the write was not applied and may be retried."""

    def __init__(self, table: str, detail: str = "") -> None:
        self.table = table
        self.detail = detail
        super().__init__(f"concurrent write conflict on {table}" + (f": {detail}" if detail else ""))


class BreakingChangeError(SchemaxError):
    """A plan holds breaking or destructive changes and the caller did not allow them."""

    def __init__(self, findings: Any, message: str | None = None) -> None:
        self.findings = list(findings)
        codes = ", ".join(sorted({getattr(f, "code", "?") for f in self.findings}))
        super().__init__(message or f"{len(self.findings)} breaking change(s) not allowed: {codes}")


class DriftDetectedError(SchemaxError):
    """The live catalog differs from what the environment should hold."""

    def __init__(self, report: Any, message: str | None = None) -> None:
        self.report = report
        n = len(getattr(report, "findings", ()) or ())
        super().__init__(message or f"drift detected: {n} finding(s)")


class DeploymentLockedError(SchemaxError):
    """Another deployment holds the environment's lock."""

    def __init__(self, holder: str, expires: Any, environment: str = "") -> None:
        self.holder = holder
        self.expires = expires
        self.environment = environment
        super().__init__(f"environment {environment!r} is locked by {holder} until {expires}")


class ExecutionError(SchemaxError):
    """A statement failed while a deployment ran. Its record was written before this was raised."""

    def __init__(
        self, statement: Any, applied: int, cause: str = "", deployment_id: str | None = None
    ) -> None:
        self.statement = statement
        self.applied = applied
        self.cause = cause
        self.deployment_id = deployment_id
        sql = getattr(statement, "sql", statement)
        super().__init__(f"statement failed after {applied} applied: {cause}\n{sql}")


class UnsupportedError(SchemaxError):
    """The engine cannot run something the plan needs; raised before anything runs."""

    def __init__(self, items: Any, message: str | None = None) -> None:
        self.items = list(items)
        super().__init__(message or f"{len(self.items)} statement(s) not supported by this engine")


class SqlError(SchemaxError):
    """A statement the engine rejected, normalized from the engine's own exception type."""

    def __init__(self, sql: str, cause: str, kind: str = "error") -> None:
        self.sql = sql
        self.cause = cause
        self.kind = kind
        super().__init__(f"{kind}: {cause}")


__all__ = [
    "BreakingChangeError",
    "DeploymentLockedError",
    "DriftDetectedError",
    "ExecutionError",
    "IntegrityError",
    "NotFoundError",
    "ProjectExistsError",
    "ProjectNotFoundError",
    "SchemaxError",
    "SqlError",
    "StoreConflictError",
    "UnsupportedError",
    "ValidationError",
    "VersionError",
]
