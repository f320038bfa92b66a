"""What every command needs: the engine (picked by :mod:`schemax.engines` from the global options), the
project name and store, and the opened project."""

from __future__ import annotations

import argparse
import os
from typing import Any

from schemax.api import Project
from schemax.cli.output import Output
from schemax.engines import DEFAULT_STORE, EngineRequest, select_engine
from schemax.errors import UsageError


def blank(value: str | None) -> str | None:
    """``None`` for an option left empty (job parameters are passed through even when empty)."""
    return value if value and value.strip() else None


def engine_request(args: argparse.Namespace) -> EngineRequest:
    """The global engine options as an :class:`~schemax.engines.EngineRequest`."""
    return EngineRequest(
        local=bool(args.local),
        local_home=args.local_home,
        warehouse_id=args.warehouse_id,
        profile=args.profile,
        connect=bool(args.connect),
        cluster_id=args.cluster_id,
        serverless=bool(args.serverless),
        runtime=bool(args.runtime),
    )


def engine_for(args: argparse.Namespace, output: Output) -> Any:
    """A SparkSession or an SqlExecutor, per the options (see :func:`schemax.engines.select_engine`)."""
    return select_engine(engine_request(args), note=output.note)


def project_name(args: argparse.Namespace) -> str:
    name = blank(args.project) or blank(os.environ.get("SCHEMAX_PROJECT"))
    if not name:
        raise UsageError("which project? pass --project NAME or set SCHEMAX_PROJECT")
    return name


def store_name(args: argparse.Namespace) -> str:
    return blank(args.store) or blank(os.environ.get("SCHEMAX_STORE")) or DEFAULT_STORE


def open_project(args: argparse.Namespace, output: Output) -> Project:
    name = project_name(args)  # which project: a usage error before the engine starts
    engine = engine_for(args, output)
    return Project.open(engine, name, store=store_name(args), author=blank(args.author))


__all__ = ["blank", "engine_for", "engine_request", "open_project", "project_name", "store_name"]
