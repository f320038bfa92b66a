"""Module-level shortcuts for notebooks and jobs: ``schemax.deploy("prod")``.

Each takes ``(env, *, project=None, store=None, spark=None, **options)``. The SparkSession is the active
one unless given (:func:`schemax.engines.require_spark`); project and store come from the arguments, else
the environment variables ``SCHEMAX_PROJECT`` / ``SCHEMAX_STORE``, else the Spark conf
``schemax.project`` / ``schemax.store``.
"""

from __future__ import annotations

import os
from typing import Any

from schemax.api import Project
from schemax.engines import DEFAULT_STORE, require_spark
from schemax.errors import MissingArgumentError


def _conf(spark: Any, key: str) -> str | None:
    try:
        value = spark.conf.get(key, None)
    except Exception:  # noqa: BLE001 - Connect sessions may refuse unknown keys
        return None
    return str(value) if value else None


def resolve_project(project: Project | str | None = None, store: Any = None, spark: Any = None) -> Project:
    """The project a shortcut acts on (see the module doc for where names come from)."""
    if isinstance(project, Project):
        return project
    session = spark if (spark is not None or (store is not None and not isinstance(store, str))) else None
    if session is None and not (store is not None and not isinstance(store, str)):
        session = require_spark(spark)
    name = (project or os.environ.get("SCHEMAX_PROJECT")
            or (session is not None and _conf(session, "schemax.project")))
    if not name:
        raise MissingArgumentError("project", "which project? pass project=..., or set SCHEMAX_PROJECT "
                                   "or spark conf schemax.project")
    where = (store or os.environ.get("SCHEMAX_STORE")
             or (session is not None and _conf(session, "schemax.store")) or DEFAULT_STORE)
    return Project.open(session, str(name), store=where)


def plan(env: str, *, project: Project | str | None = None, store: Any = None, spark: Any = None,
         **options: Any) -> Any:
    """``Project.plan`` for the resolved project."""
    return resolve_project(project, store, spark).plan(env, **options)


def deploy(env: str, *, project: Project | str | None = None, store: Any = None, spark: Any = None,
           **options: Any) -> Any:
    """``Project.deploy`` for the resolved project, e.g. ``schemax.deploy("prod")`` in a job."""
    return resolve_project(project, store, spark).deploy(env, **options)


def rollback(env: str, *, project: Project | str | None = None, store: Any = None, spark: Any = None,
             **options: Any) -> Any:
    """``Project.rollback`` for the resolved project (``to=`` is required)."""
    if "to" not in options:
        raise MissingArgumentError("to", "rollback needs to=<version>")
    return resolve_project(project, store, spark).rollback(env, **options)


def status(*, project: Project | str | None = None, store: Any = None, spark: Any = None) -> Any:
    return resolve_project(project, store, spark).status()


def scan(env: str, *, project: Project | str | None = None, store: Any = None, spark: Any = None,
         **options: Any) -> Any:
    """Drift scan for scheduled jobs: records the scan and raises DriftDetectedError on drift."""
    return resolve_project(project, store, spark).drift_service().scan(env, **options)


__all__ = ["deploy", "plan", "resolve_project", "rollback", "scan", "status"]
