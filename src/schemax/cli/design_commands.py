"""Commands on design files (:mod:`schemax.design`): ``sync`` (record the ops that make the log hold the
files' design; ``--check`` exits 2 when they differ, a CI gate) and ``export-design`` (the working state
written as files, one per schema)."""

from __future__ import annotations

import argparse
from typing import Any

from schemax.cli.context import blank, open_project
from schemax.cli.exits import EXIT_BLOCKED, EXIT_OK
from schemax.cli.output import Output, snapshot_dict
from schemax.core.model import State
from schemax.core.ops import Op
from schemax.core.replay import StateBuilder
from schemax.design import design_paths, read_designs
from schemax.errors import UsageError

#: payload keys that hold ids (shown as the names they stand for, or not at all)
_ID_KEYS = ("id", "table_id", "schema_id", "catalog_id", "ref_table", "after")


def _name(object_id: str, *states: State) -> str:
    for state in states:
        try:
            return state.full_name(object_id)
        except KeyError:
            continue
    return object_id


def _short(value: Any, limit: int = 60) -> str:
    text = " ".join(repr(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def op_lines(ops: list[Op], before: State) -> list[str]:
    """One line per op for people: its kind, the object's logical name, what it sets."""
    after = StateBuilder(before).apply_all(ops).build()
    lines = []
    for op in ops:
        name = _name(op.target, before) if op.kind.startswith("drop_") else _name(op.target, after, before)
        details = []
        for key, value in op.payload.items():
            if key in _ID_KEYS or value in (None, {}, []):
                continue
            if key == "columns" and value and isinstance(value[0], dict):
                details.append(f"{len(value)} column(s)")
            elif key in ("columns", "order", "using_columns", "ref_columns"):
                details.append(f"{key}=[{', '.join(_name(c, after, before).split('.')[-1] for c in value)}]")
            else:
                details.append(f"{key}={_short(value)}")
        lines.append(f"{op.kind:<24} {name}" + (f"  ({'; '.join(details)})" if details else ""))
    return lines


def cmd_sync(args: argparse.Namespace, output: Output) -> int:
    if args.check and args.snapshot:
        raise UsageError("sync --check records nothing: it takes no --snapshot")
    paths = [p for p in args.files if blank(p)]
    if not paths:  # a job parameter left empty: deploy what the log holds, as before design files
        output.note("no design files given (an empty path): nothing synced")
        if output.json:
            output.doc({"files": [], "ops": [], "recorded": False, "in_sync": True, "snapshot": None})
        return EXIT_OK
    files = [str(p) for p in design_paths(paths)]
    read_designs(files)  # a file that does not read is refused (file:line:column) before the engine starts
    project = open_project(args, output)
    before = project.state()
    ops = project.sync(files, dry_run=args.check)
    snapshot = None
    if not args.check and blank(args.snapshot):
        if project.uncommitted_ops():
            snapshot = project.snapshot(args.snapshot, version=blank(args.snapshot_version), bump=args.bump)
        else:
            latest = project.latest_snapshot()
            output.note(f"nothing since snapshot {latest.version if latest else '(none)'}: no snapshot taken")
    differs = bool(ops)
    if output.json:
        output.doc({"files": files, "ops": [op.to_dict() for op in ops],
                    "recorded": bool(ops) and not args.check, "in_sync": not differs if args.check else True,
                    "snapshot": snapshot_dict(snapshot) if snapshot is not None else None})
    elif args.check:
        if differs:
            output.line(f"out of sync: {len(ops)} op(s) would be recorded from {len(files)} design file(s):")
            for line in op_lines(ops, before):
                output.line(f"  {line}")
        else:
            output.line(f"in sync: the log holds the design of {len(files)} file(s)")
    else:
        output.line(f"recorded {len(ops)} op(s) from {len(files)} design file(s)" if ops
                    else f"nothing to record: the log holds the design of {len(files)} file(s)")
        for line in op_lines(ops, before):
            output.line(f"  {line}")
        if snapshot is not None:
            output.line(f"snapshot {snapshot.version} {snapshot.name!r}: {len(snapshot.op_ids)} op(s), "
                        f"hash {snapshot.hash[:12]}")
    return EXIT_BLOCKED if args.check and differs else EXIT_OK


def cmd_export_design(args: argparse.Namespace, output: Output) -> int:
    project = open_project(args, output)
    written = project.export_design(args.directory)
    if output.json:
        output.doc({"directory": args.directory, "files": [str(p) for p in written]})
    else:
        output.line(f"wrote {len(written)} design file(s) to {args.directory}")
        for path in written:
            output.line(f"  {path}")
    return EXIT_OK


__all__ = ["cmd_export_design", "cmd_sync", "op_lines"]
