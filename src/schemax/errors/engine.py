"""Errors from engines: none configured, none reachable, a statement that failed, an interrupted run."""

from __future__ import annotations

from typing import Any

from schemax.errors.base import SchemaxError


class EngineRequiredError(SchemaxError):
    """Something needs a SQL engine and the project (or the call) has none.

    ``needed_for`` says what (``"deploy"``, ``"drift"``, ``"store"``). Open the project with a SparkSession
    or an executor; ``Project.in_memory`` projects have no engine.
    """

    def __init__(self, needed_for: str, message: str | None = None) -> None:
        self.needed_for = needed_for
        super().__init__(message or f"{needed_for} needs a SQL engine (a SparkSession or an executor)")


class EngineUnavailableError(SchemaxError):
    """The engine asked for cannot be had here: ``engine`` (``"local"``, ``"spark"``) and why."""

    def __init__(self, engine: str, message: str) -> None:
        self.engine = engine
        super().__init__(message)


class LocalEngineBusyError(EngineUnavailableError):
    """Another process runs the local engine in this local home (``home``; ``holder``: its pid as it wrote
    it, when known). The embedded Derby metastore admits one JVM at a time: wait for that process, or give
    this one its own home (``SCHEMAX_LOCAL_HOME``)."""

    def __init__(self, home: str, holder: str | None = None) -> None:
        self.home = home
        self.holder = holder
        who = f"process {holder}" if holder else "another process"
        super().__init__(
            "local",
            f"the local engine's home {home} is in use by {who} (its Derby metastore admits one JVM at a "
            "time): wait for it to finish, or run this one with its own home (SCHEMAX_LOCAL_HOME=<dir>)",
        )


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


class DeploymentInterruptedError(SchemaxError, KeyboardInterrupt):
    """A deployment was interrupted (Ctrl-C) while it ran. Its record says ``interrupted`` with the
    ``applied`` count of ``total`` statements; deploying again resumes it. Also a ``KeyboardInterrupt``,
    so whatever stops on Ctrl-C stops on it (the command line exits 130)."""

    def __init__(self, environment: str, deployment_id: str, applied: int, total: int) -> None:
        self.environment = environment
        self.deployment_id = deployment_id
        self.applied = applied
        self.total = total
        super().__init__(self._message(f"deploy({environment!r}) again", "abandon=True"))

    def _message(self, again: str, abandon: str) -> str:
        return (f"deployment {self.deployment_id} to {self.environment!r} interrupted after "
                f"{self.applied}/{self.total} statement(s) applied; {again} to resume it "
                f"(or {abandon} to give it up)")

    def cli_message(self) -> str:
        return self._message(f"run `schemax deploy {self.environment}` again", "--abandon")


class SqlError(SchemaxError):
    """A statement the engine rejected, normalized from the engine's own exception type
    (``schemax.adapters.engine_errors``). ``kind`` is short: ``not_found``, ``already_exists``,
    ``parse``, ``permission``, ``unsupported``, ``analysis``, ``timeout``, ``connection``, ..., ``error``."""

    def __init__(self, sql: str, cause: str, kind: str = "error") -> None:
        self.sql = sql
        self.cause = cause
        self.kind = kind
        super().__init__(f"{kind}: {cause}")
