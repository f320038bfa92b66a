"""SqlExecutor over a SparkSession: a Databricks cluster's ``spark``, Databricks Connect, or local Spark.

Engine exceptions are normalized: Delta's optimistic-concurrency failures (``ConcurrentAppendException``
and friends, ``DELTA_CONCURRENT_*`` error classes) become :class:`~schemax.errors.StoreConflictError`,
everything else :class:`~schemax.errors.SqlError` with a short ``kind`` (``not_found``,
``already_exists``, ``parse``, ``permission``, ``unsupported``, ``analysis``, ``error``).

pyspark is never imported here: the session object is duck-typed, so ``import schemax`` works without
pyspark installed.

Named parameters (``:name`` markers, ``params={"name": value}``) are passed to ``spark.sql(sql,
args=params)``; str, int, float, bool and None values work (None binds as an untyped NULL, so give it a
type with ``CAST(:x AS STRING)`` where the type matters).

Known engine bug handled here: from Spark 4.1, parameter markers are bound by the SQL parser, and
parsers that wrap Spark's (Delta's ``DeltaSqlParser`` up to at least delta-spark 4.4, Iceberg's
extensions) drop the bound values, so every parameterized statement fails with
``UNBOUND_SQL_PARAMETER`` (delta-io/delta#7640). When that happens the executor sets
``spark.sql.legacy.parameterSubstitution.constantsOnly=true`` on the session (the pre-4.1
substitution, which does not go through the extension parser) once and retries the statement.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Mapping
from typing import Any

from schemax.errors import SqlError, StoreConflictError
from schemax.ports import Row

# Delta's optimistic-concurrency exceptions, by class name or error class.
_CONFLICT_RE = re.compile(
    r"Concurrent(Append|Transaction|DeleteRead|DeleteDelete|Write)Exception"
    r"|MetadataChangedException|ProtocolChangedException|DeltaConcurrentModificationException"
    r"|DELTA_CONCURRENT_\w+|DELTA_METADATA_CHANGED|DELTA_PROTOCOL_CHANGED"
)
_ERROR_CLASS_RE = re.compile(r"\[([A-Z][A-Z0-9_]+(?:\.[A-Z0-9_]+)*)\]")
_LEGACY_PARAMS_CONF = "spark.sql.legacy.parameterSubstitution.constantsOnly"


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
    m = _ERROR_CLASS_RE.search(str(exc))
    return m.group(1) if m else None


def is_conflict(exc: BaseException) -> bool:
    """True for Delta's concurrent-modification failures (the write was not applied)."""
    return bool(_CONFLICT_RE.search(_error_text(exc)))


def _kind(exc: BaseException, text: str) -> str:
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


def normalize_error(sql: str, exc: BaseException, table: str = "") -> Exception:
    """The schemax error for an engine exception raised while running ``sql``."""
    text = _error_text(exc)
    message = str(exc).split("\n\tat ", 1)[0].split("\n\nJVM stacktrace:", 1)[0].strip() or type(exc).__name__
    if _CONFLICT_RE.search(text):
        return StoreConflictError(table or _table_of(sql), message)
    err = SqlError(sql, message, _kind(exc, text))
    err.error_class = error_class(exc)  # type: ignore[attr-defined]
    return err


_TABLE_RE = re.compile(r"\b(?:INTO|UPDATE|FROM|TABLE)\s+((?:`[^`]*(?:``[^`]*)*`|[\w.])+)", re.IGNORECASE)


def _table_of(sql: str) -> str:
    m = _TABLE_RE.search(sql)
    return m.group(1) if m else "?"


class SparkExecutor:
    """Runs SQL on a SparkSession. Thread-safe; ``statements`` counts the statements issued."""

    def __init__(self, spark: Any) -> None:
        self.spark = spark
        self._lock = threading.Lock()
        # pyspark logs every failed query with its JVM stack trace; schemax raises SqlError carrying the
        # message instead, and some failures are expected (capability probes), so keep stderr readable.
        logging.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL)
        self._statements = 0
        self._legacy_params = False

    @property
    def statements(self) -> int:
        with self._lock:
            return self._statements

    def _count(self) -> None:
        with self._lock:
            self._statements += 1

    def _run(self, sql: str, params: Mapping[str, Any] | None) -> list[Any]:
        self._count()
        args = dict(params) if params else None
        try:
            return self._collect(sql, args)
        except Exception as exc:  # noqa: BLE001 - every engine error is normalized below
            if args and not self._legacy_params and error_class(exc) == "UNBOUND_SQL_PARAMETER":
                if self._enable_legacy_params():
                    try:
                        return self._collect(sql, args)
                    except Exception as exc2:  # noqa: BLE001
                        raise normalize_error(sql, exc2) from exc2
            raise normalize_error(sql, exc) from exc

    def _collect(self, sql: str, args: dict[str, Any] | None) -> list[Any]:
        df = self.spark.sql(sql, args=args) if args else self.spark.sql(sql)
        return list(df.collect())

    def _enable_legacy_params(self) -> bool:
        """Work around parsers that drop parameter values (see module docstring). True if enabled."""
        with self._lock:
            if self._legacy_params:
                return True
            try:
                self.spark.conf.set(_LEGACY_PARAMS_CONF, "true")
            except Exception:  # noqa: BLE001 - not settable here: report the original error
                return False
            self._legacy_params = True
            return True

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> None:
        self._run(sql, params)

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return [row.asDict(recursive=True) for row in self._run(sql, params)]

    def __repr__(self) -> str:
        return f"SparkExecutor(statements={self.statements})"


__all__ = ["SparkExecutor", "error_class", "is_conflict", "normalize_error"]
