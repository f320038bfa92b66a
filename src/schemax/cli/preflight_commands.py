"""Commands that ask the data before deploying: ``preflight`` (what the live tables say about a plan's
data-dependent findings; exit 2 when a statement will fail) and ``deploy --rehearse`` (the plan run on
scratch copies of the tables, timed per statement; exit 2 when a statement failed there)."""

from __future__ import annotations

import argparse

from schemax.analyze.evidence import CostThresholds
from schemax.cli.context import blank, open_project
from schemax.cli.exits import EXIT_BLOCKED, EXIT_OK
from schemax.cli.output import Output


def cmd_preflight(args: argparse.Namespace, output: Output) -> int:
    project = open_project(args, output)
    to = blank(args.to)
    options: dict[str, object] = {}
    if args.timeout is not None:
        options["timeout"] = args.timeout
    if args.sample_above_bytes is not None:
        options["sample_above_bytes"] = args.sample_above_bytes
    if args.large_from_bytes is not None or args.small_below_bytes is not None:
        default = CostThresholds()
        options["thresholds"] = CostThresholds(
            args.small_below_bytes if args.small_below_bytes is not None else default.small_below_bytes,
            args.large_from_bytes if args.large_from_bytes is not None else default.large_from_bytes,
        )
    result = project.preflight(args.env, to=None if to == "latest" else to, **options)
    blocked = not result.ok
    if output.json:
        output.doc({"environment": args.env, "preflight": result, "blocked": blocked})
    else:
        for line in result.lines():
            output.line(line)
        if blocked:
            output.line(f"blocked: {len(result.failing)} statement(s) will fail on {args.env!r}'s data")
    return EXIT_BLOCKED if blocked else EXIT_OK


def cmd_rehearse(args: argparse.Namespace, output: Output) -> int:
    """``deploy ENV --rehearse``: nothing runs on the environment's own tables, nothing is recorded."""
    project = open_project(args, output)
    to = blank(args.to)
    result = project.rehearse(args.env, to=None if to == "latest" else to)
    if output.json:
        output.doc({"environment": args.env, "rehearsal": result, "blocked": not result.ok})
    else:
        for line in result.lines():
            output.line(line)
    return EXIT_OK if result.ok else EXIT_BLOCKED


__all__ = ["cmd_preflight", "cmd_rehearse"]
