"""Where SQL runs: the one place that turns a request for an engine into a SparkSession or an executor,
and an engine plus a store name into a :class:`~schemax.ports.Store`.

The command line, the shortcuts (``schemax.deploy`` & co.), the notebook helper and ``Project`` all pick
their engine here:

- :func:`select_engine` takes an :class:`EngineRequest` (the command line's options) and returns, the
  first that applies: the engine given as it is; the embedded engine for ``local``; a SQL warehouse
  (``warehouse_id``, or ``$DATABRICKS_WAREHOUSE_ID``; ``profile`` or ``$DATABRICKS_CONFIG_PROFILE``);
  Databricks Connect (``connect``, ``cluster_id`` or ``serverless``); the Databricks runtime's
  SparkSession (``runtime``, or ``$DATABRICKS_RUNTIME_VERSION`` set); else the embedded engine;
- :func:`local_spark` is the embedded engine: the SparkSession already active in the process, else
  ``schemax.local.spark_session()``;
- :func:`require_spark` is the shortcuts' session: the one given, else the active one;
- :func:`executor_for` turns a SparkSession into a :class:`~schemax.adapters.spark.SparkExecutor` and
  leaves an executor as it is; :func:`store_for` adds the store (a ``Store`` object as it is, or a Delta
  store at ``catalog.schema`` on the engine).

pyspark, databricks-sdk and databricks-connect are optional dependencies: they are imported inside the
functions that need them (here and in the adapters), never at module level, so ``import schemax`` works
without any of them.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from schemax import local
from schemax.adapters import connect, statement_execution
from schemax.adapters.delta_store import DeltaStore
from schemax.adapters.spark import SparkExecutor
from schemax.errors import EngineRequiredError, EngineUnavailableError
from schemax.ports import SqlExecutor, Store

log = logging.getLogger("schemax.engines")

#: The store a project lives in when none is named: a ``schemax`` schema in the session catalog.
DEFAULT_STORE = "spark_catalog.schemax"

#: Where progress notes go by default ("starting the embedded engine ...").
Note = Callable[[str], None]


def _blank(value: str | None) -> str | None:
    return value if value and value.strip() else None


@dataclass(frozen=True)
class EngineRequest:
    """What the caller asked for (the command line's engine options); see :func:`select_engine`.

    ``warehouse_id=None`` means "take ``$DATABRICKS_WAREHOUSE_ID``"; an empty string means "not a
    warehouse" (the plan-preview job passes its empty parameter through). ``engine`` is a SparkSession or
    an executor to use as it is.
    """

    local: bool = False
    local_home: str | None = None
    warehouse_id: str | None = None
    profile: str | None = None
    connect: bool = False
    cluster_id: str | None = None
    serverless: bool = False
    runtime: bool = False
    engine: Any = None

    def warehouse(self) -> str | None:
        """The SQL warehouse to run on, if any (the option, else ``$DATABRICKS_WAREHOUSE_ID``)."""
        if self.warehouse_id is not None:
            return _blank(self.warehouse_id)
        return _blank(os.environ.get("DATABRICKS_WAREHOUSE_ID"))

    def databricks_profile(self) -> str | None:
        """The Databricks CLI profile (the option, else ``$DATABRICKS_CONFIG_PROFILE``)."""
        return _blank(self.profile) or _blank(os.environ.get("DATABRICKS_CONFIG_PROFILE"))


def on_databricks() -> bool:
    """True inside the Databricks runtime (a cluster, a job, serverless compute)."""
    return bool(os.environ.get("DATABRICKS_RUNTIME_VERSION"))


def select_engine(request: EngineRequest, *, note: Note = log.info) -> Any:
    """A SparkSession or an SqlExecutor for ``request`` (the order is in the module docstring).

    ``note`` receives progress notes ("using SQL warehouse ...", "starting the embedded engine ...").
    """
    if request.engine is not None:
        return request.engine
    if request.local:
        return local_spark(request.local_home, note=note)
    warehouse = request.warehouse()
    profile = request.databricks_profile()
    if warehouse:
        note(f"using SQL warehouse {warehouse}" + (f" (profile {profile})" if profile else ""))
        return statement_execution.workspace_executor(profile=profile, warehouse_id=warehouse)
    if request.connect or _blank(request.cluster_id) or request.serverless:
        note("connecting through Databricks Connect ...")
        return connect.connect_session(profile, cluster_id=_blank(request.cluster_id),
                                       serverless=request.serverless)
    if request.runtime or on_databricks():
        return runtime_spark()
    return local_spark(request.local_home, note=note)


def active_spark() -> Any:
    """The SparkSession active in this process, or None (also when pyspark is not installed)."""
    try:
        from pyspark.sql import SparkSession  # optional dependency
    except ImportError:
        return None
    try:
        return SparkSession.getActiveSession()
    except Exception:  # noqa: BLE001 - no JVM / no Connect server: no active session
        return None


def runtime_spark() -> Any:
    """The Databricks runtime's SparkSession (the active one, else the builder's)."""
    from pyspark.sql import SparkSession  # optional dependency: the runtime provides it

    return SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()


def local_spark(local_home: str | None = None, *, note: Note = log.info) -> Any:
    """The active SparkSession, else the embedded Spark + Delta engine (``schemax.local``).

    EngineUnavailableError when pyspark (``schemax[local]``) is not installed.
    """
    active = active_spark()
    if active is not None:
        return active
    try:
        import pyspark  # noqa: F401 - optional dependency: only checked for here
    except ImportError:
        raise EngineUnavailableError(
            "local", "the embedded engine needs pyspark and delta-spark: pip install 'schemax[local]'"
        ) from None
    note("starting the embedded Spark + Delta engine ...")
    started = time.monotonic()
    spark = local.spark_session(_blank(local_home))
    note(f"engine ready in {time.monotonic() - started:.1f}s")
    return spark


def require_spark(spark: Any = None) -> Any:
    """``spark`` if given, else the active SparkSession; EngineUnavailableError if there is none."""
    if spark is not None:
        return spark
    try:
        from pyspark.sql import SparkSession  # optional dependency
    except ImportError:  # pragma: no cover - only without pyspark
        raise EngineUnavailableError(
            "spark", "no SparkSession: pass spark=..., or run where pyspark is available") from None
    active = SparkSession.getActiveSession()
    if active is None:
        raise EngineUnavailableError(
            "spark", "no active SparkSession: pass spark=... (locally: schemax.local.spark_session())")
    return active


def executor_for(engine: Any) -> SqlExecutor | None:
    """A SparkSession becomes a SparkExecutor; an executor is used as is; None stays None."""
    if engine is None or isinstance(engine, SqlExecutor):
        return engine
    return SparkExecutor(engine)


def store_for(engine: Any, store: str | Store | None = None) -> tuple[Store, SqlExecutor | None]:
    """The store (a Store object, or a Delta store at ``catalog.schema``, default :data:`DEFAULT_STORE`)
    and the executor to run SQL on. A Store object without an engine brings its own executor, if any.
    """
    executor = executor_for(engine)
    if store is not None and not isinstance(store, str):
        return store, executor or getattr(store, "executor", None)
    if executor is None:
        raise EngineRequiredError(
            "store", "a SparkSession (or a Store object) is needed to open a store by name")
    return DeltaStore(executor, store or DEFAULT_STORE), executor


__all__ = [
    "DEFAULT_STORE",
    "EngineRequest",
    "active_spark",
    "executor_for",
    "local_spark",
    "on_databricks",
    "require_spark",
    "runtime_spark",
    "select_engine",
    "store_for",
]
