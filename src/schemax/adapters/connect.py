"""Databricks Connect: a remote SparkSession on a cluster or serverless compute, from a laptop or CI.

    from schemax.adapters.connect import connect_session
    spark = connect_session(profile="dev")              # cluster_id / serverless from the profile
    project = schemax.Project.open(spark, "shop", store="main.schemax")

The session is a Spark Connect session; :class:`~schemax.adapters.spark.SparkExecutor` runs on it as on
a cluster's ``spark`` (engine errors are normalized the same way, by :mod:`schemax.adapters.engine_errors`).
``databricks-connect`` is not a dependency of schemax: it replaces pyspark in the environment it is
installed in and must match the Databricks Runtime of the cluster (``pip install
"databricks-connect==16.4.*"``), so install it in a separate virtualenv, not next to ``schemax[local]``.
"""

from __future__ import annotations

from typing import Any

from schemax.adapters.spark import SparkExecutor

INSTALL_HINT = (
    "Databricks Connect is not installed. Install it in a virtualenv without pyspark, matching your "
    "cluster's Databricks Runtime, e.g. pip install 'databricks-connect==16.4.*' (it provides its own "
    "pyspark), or run against a SQL warehouse with --warehouse-id instead."
)


def _session_builder() -> Any:
    try:
        from databricks.connect import DatabricksSession  # optional: not a dependency of schemax
    except ImportError as exc:
        raise ImportError(INSTALL_HINT) from exc
    return DatabricksSession.builder


def connect_session(
    profile: str | None = None,
    *,
    cluster_id: str | None = None,
    serverless: bool = False,
    host: str | None = None,
    token: str | None = None,
) -> Any:
    """A Databricks Connect SparkSession.

    Without arguments Databricks Connect takes its configuration from the ``DATABRICKS_*`` environment
    variables or the ``DEFAULT`` profile of ``~/.databrickscfg``. ``serverless=True`` asks for serverless
    compute instead of a cluster. ImportError with installation advice when Databricks Connect is absent.
    """
    builder = _session_builder()
    if host or token:
        builder = builder.remote(host=host, token=token, cluster_id=cluster_id)
    else:
        if profile:
            builder = builder.profile(profile)
        if cluster_id:
            builder = builder.clusterId(cluster_id)
    if serverless:
        builder = builder.serverless(True)
    return builder.getOrCreate()


def connect_executor(profile: str | None = None, **options: Any) -> Any:
    """A :class:`~schemax.adapters.spark.SparkExecutor` on :func:`connect_session`."""
    return SparkExecutor(connect_session(profile, **options))


__all__ = ["INSTALL_HINT", "connect_executor", "connect_session"]
