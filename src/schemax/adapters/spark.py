"""SqlExecutor over a SparkSession: a Databricks cluster's ``spark``, Databricks Connect, or local Spark.

Engine exceptions are normalized by :mod:`schemax.adapters.engine_errors`: Delta's optimistic-concurrency
failures (``ConcurrentAppendException`` and friends, ``DELTA_CONCURRENT_*`` error classes) become
:class:`~schemax.errors.StoreConflictError`, everything else :class:`~schemax.errors.SqlError` with a
short ``kind`` (``not_found``, ``already_exists``, ``parse``, ``permission``, ``unsupported``,
``analysis``, ``error``).

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
import threading
from collections.abc import Mapping
from typing import Any

from schemax.adapters.engine_errors import error_class, from_spark_exception, is_conflict
from schemax.ports import Row

_LEGACY_PARAMS_CONF = "spark.sql.legacy.parameterSubstitution.constantsOnly"

# kept under their old names here: callers and tests import them from this module
normalize_error = from_spark_exception


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
                        raise from_spark_exception(sql, exc2) from exc2
            raise from_spark_exception(sql, exc) from exc

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
