"""``drift``: compare the live catalog with the environment (exit 2 on drift), or ``--import`` what was
found as ops."""

from __future__ import annotations

import argparse

from schemax.cli.context import blank, open_project
from schemax.cli.exits import EXIT_BLOCKED, EXIT_OK
from schemax.cli.output import Output, drift_text


def cmd_drift(args: argparse.Namespace, output: Output) -> int:
    project = open_project(args, output)
    output.note(f"scanning {args.env} ...")
    if args.import_drift:
        ops = project.import_drift(args.env, confirm=blank(getattr(args, "confirm", None)))
        ops = list(ops or []) if not isinstance(ops, (int, dict)) else ops
        if output.json:
            output.doc({"environment": args.env, "imported_ops": ops})
        else:
            output.line(
                f"recorded {len(ops) if isinstance(ops, list) else ops} op(s) from {args.env}'s catalog"
            )
        return EXIT_OK
    if getattr(args, "restamp", False):
        dep = project.restamp(args.env, confirm=blank(getattr(args, "confirm", None)))
        if output.json:
            output.doc({"environment": args.env, "restamped": dep})
        elif dep is None:
            output.line(f"nothing to re-stamp: {args.env}'s tracking properties hold")
        else:
            output.line(f"re-stamped {len(dep.statements)} table(s) of {args.env} "
                        f"(restamp {dep.deployment_id}, version {dep.to_version})")
        return EXIT_OK
    report = project.check_drift(args.env)
    drifted = bool(getattr(report, "drifted", False))
    if output.json:
        output.doc({"environment": args.env, "drifted": drifted, "report": report})
    else:
        output.line(drift_text(args.env, report))
    return EXIT_BLOCKED if drifted else EXIT_OK


__all__ = ["cmd_drift"]
