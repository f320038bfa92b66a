"""Engine exceptions -> schemax errors: the one place every executor turns what its engine raised into
:class:`~schemax.errors.SqlError` or :class:`~schemax.errors.StoreConflictError`.

- Delta's optimistic-concurrency failures (``ConcurrentAppendException`` and friends,
  ``DELTA_CONCURRENT_*`` error classes), however an engine reports them, become ``StoreConflictError``
  naming the table the statement writes: the write was not applied and may be retried.
- Everything else becomes ``SqlError(sql, cause, kind)`` with the engine's message as ``cause`` (the JVM
  stack trace cut off), its error class as ``error_class`` (``TABLE_OR_VIEW_NOT_FOUND``) where it reports
  one, and a short ``kind``: ``not_found``, ``already_exists``, ``parse``, ``permission``, ``unsupported``,
  ``analysis``, ``error``; for warehouse API calls also ``request`` and ``connection``; for statements
  that did not finish ``timeout`` and ``canceled``.

Two classifiers, one per kind of evidence: a Spark exception (a SparkSession, local, on a cluster or
through Databricks Connect) carries its Python and JVM class names; a SQL warehouse's failed statement
carries only its message and an error code. They are kept as they were built for each engine (merging
them would change the ``kind`` of a few errors).

pyspark and databricks-sdk are optional: engine exceptions are duck-typed, and the SDK's error classes
are imported only where an SDK error is being classified.
"""

from __future__ import annotations

import re

from schemax.errors import SqlError, StoreConflictError

# Delta's optimistic-concurrency exceptions, by class name or error class.
CONFLICT_RE = re.compile(
    r"Concurrent(Append|Transaction|DeleteRead|DeleteDelete|Write)Exception"
    r"|MetadataChangedException|ProtocolChangedException|DeltaConcurrentModificationException"
    r"|DELTA_CONCURRENT_\w+|DELTA_METADATA_CHANGED|DELTA_PROTOCOL_CHANGED"
)
ERROR_CLASS_RE = re.compile(r"\[([A-Z][A-Z0-9_]+(?:\.[A-Z0-9_]+)*)\]")
_TABLE_RE = re.compile(r"\b(?:INTO|UPDATE|FROM|TABLE)\s+((?:`[^`]*(?:``[^`]*)*`|[\w.])+)", re.IGNORECASE)


def table_of(sql: str) -> str:
    """The table a statement writes (or reads), for a conflict's message; ``?`` if none is found."""
    m = _TABLE_RE.search(sql)
    return m.group(1) if m else "?"


# ------------------------------------------------------------------------------------------------------
# Spark (a SparkSession: local, a cluster's, Databricks Connect)


def error_class(exc: BaseException) -> str | None:
    """The engine's error class (``TABLE_OR_VIEW_NOT_FOUND``), when it reports one."""
    # getCondition (pyspark >= 4.0) first: getErrorClass is deprecated there and warns.
    getter = getattr(exc, "getCondition", None) or getattr(exc, "getErrorClass", None)
    if callable(getter):
        try:
            value = getter()
        except Exception:  # noqa: BLE001 - a broken accessor must not hide the real error
            value = None
        if value:
            return str(value)
    m = ERROR_CLASS_RE.search(str(exc))
    return m.group(1) if m else None


def _error_text(exc: BaseException) -> str:
    """Everything that identifies an engine exception: its classes, error class and message."""
    parts = [c.__name__ for c in type(exc).__mro__]
    cls = error_class(exc)
    if cls:
        parts.append(cls)
    java = getattr(exc, "java_exception", None)  # py4j.protocol.Py4JJavaError
    if java is not None:
        try:
            parts.append(java.getClass().getName())
            parts.append(str(java.toString()))
        except Exception:  # noqa: BLE001
            pass
    parts.append(str(exc))
    return "\n".join(parts)


def is_conflict(exc: BaseException) -> bool:
    """True for Delta's concurrent-modification failures (the write was not applied)."""
    return bool(CONFLICT_RE.search(_error_text(exc)))


def _spark_kind(exc: BaseException, text: str) -> str:
    cls = (error_class(exc) or "").upper()
    names = {c.__name__ for c in type(exc).__mro__}
    if "NOT_FOUND" in cls or "NoSuch" in text:
        return "not_found"
    if "ALREADY_EXISTS" in cls or "AlreadyExists" in text:
        return "already_exists"
    if "ParseException" in names or cls.startswith("PARSE_"):
        return "parse"
    if "PERMISSION" in cls or "INSUFFICIENT_PERMISSIONS" in cls or "UNAUTHORIZED" in cls:
        return "permission"
    if "UnsupportedOperationException" in names or "UNSUPPORTED" in cls or "CANNOT_MODIFY" in cls:
        return "unsupported"
    if "AnalysisException" in names:
        return "analysis"
    return "error"


def from_spark_exception(sql: str, exc: BaseException, table: str = "") -> Exception:
    """The schemax error for an exception a SparkSession raised while running ``sql``."""
    text = _error_text(exc)
    message = str(exc).split("\n\tat ", 1)[0].split("\n\nJVM stacktrace:", 1)[0].strip() or type(exc).__name__
    if CONFLICT_RE.search(text):
        return StoreConflictError(table or table_of(sql), message)
    err = SqlError(sql, message, _spark_kind(exc, text))
    err.error_class = error_class(exc)  # type: ignore[attr-defined]
    return err


# ------------------------------------------------------------------------------------------------------
# SQL warehouse (the Statement Execution API of databricks-sdk)


def _warehouse_kind(error_class: str | None, message: str) -> str:
    cls = (error_class or "").upper()
    if "NOT_FOUND" in cls or "DOES_NOT_EXIST" in cls:
        return "not_found"
    if "ALREADY_EXISTS" in cls:
        return "already_exists"
    if cls.startswith("PARSE_") or "ParseException" in message:
        return "parse"
    if "PERMISSION" in cls or "UNAUTHORIZED" in cls or "INSUFFICIENT_PRIVILEGES" in cls:
        return "permission"
    if "UNSUPPORTED" in cls or "NOT_SUPPORTED" in cls or "CANNOT_MODIFY" in cls:
        return "unsupported"
    if cls:
        return "analysis"
    return "error"


def from_warehouse_failure(
    sql: str, message: str, error_code: str | None = None, sql_state: str | None = None
) -> Exception:
    """The schemax error for a statement the warehouse failed (``status.error``)."""
    message = (message or error_code or "statement failed").strip()
    if CONFLICT_RE.search(message):
        return StoreConflictError(table_of(sql), message)
    m = ERROR_CLASS_RE.search(message)
    cls = m.group(1) if m else None
    err = SqlError(sql, message, _warehouse_kind(cls, message))
    err.error_class = cls  # type: ignore[attr-defined]
    err.error_code = error_code  # type: ignore[attr-defined]
    err.sql_state = sql_state  # type: ignore[attr-defined]
    return err


def _sdk_error_kind(exc: BaseException) -> str:
    from databricks.sdk import errors as sdk_errors  # optional: only warehouse executors get here

    if isinstance(exc, (sdk_errors.PermissionDenied, sdk_errors.Unauthenticated)):
        return "permission"
    if isinstance(exc, sdk_errors.NotFound):
        return "not_found"
    if isinstance(exc, sdk_errors.BadRequest):
        return "request"
    return "error"


def from_api_exception(sql: str, exc: BaseException) -> SqlError | None:
    """The schemax error for a failed (not retried) API call of the warehouse executor, or ``None`` when
    ``exc`` is neither an SDK error nor a connection failure (then it is raised as it is)."""
    from databricks.sdk import errors as sdk_errors  # optional: only warehouse executors get here

    if isinstance(exc, sdk_errors.DatabricksError):
        err = SqlError(sql, f"{type(exc).__name__}: {exc}", _sdk_error_kind(exc))
        err.error_code = getattr(exc, "error_code", None)  # type: ignore[attr-defined]
        return err
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return SqlError(sql, f"{type(exc).__name__}: {exc}", "connection")
    return None


def statement_not_finished(sql: str, statement_id: str | None, state: str | None, message: str) -> SqlError:
    """A statement that ended neither ``SUCCEEDED`` nor ``FAILED`` (canceled, closed)."""
    return SqlError(sql, f"statement {statement_id} {state}: {message}", "canceled")


def outcome_unknown(sql: str, why: str) -> SqlError:
    """A statement that may or may not have run: the response to its submission was lost (a connection
    reset or a timeout after the request was sent), or it was still running when cancelled. ``kind``
    ``unknown``: a deployment records it so, and a resume asks the catalog before running it again."""
    return SqlError(sql, f"outcome unknown (it may have run): {why}", "unknown")


def statement_timed_out(sql: str, statement_id: str | None, seconds: float) -> SqlError:
    """A statement still running after the executor's ``timeout`` (and cancelled by it)."""
    return SqlError(
        sql, f"statement {statement_id} still running after {seconds:.0f}s (cancelled)", "timeout"
    )


__all__ = [
    "CONFLICT_RE",
    "ERROR_CLASS_RE",
    "error_class",
    "from_api_exception",
    "from_spark_exception",
    "from_warehouse_failure",
    "is_conflict",
    "outcome_unknown",
    "statement_not_finished",
    "statement_timed_out",
    "table_of",
]
