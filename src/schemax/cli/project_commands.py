"""Commands on the project itself: ``init``, ``status``, ``snapshot create|list``, ``verify``, ``export``
and ``import`` (live catalogs as ops, or a project written by ``export``)."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Sequence
from pathlib import Path

from schemax.api import Project
from schemax.cli.context import blank, engine_for, open_project, project_name, store_name
from schemax.cli.exits import EXIT_OK
from schemax.cli.output import Output, snapshot_dict, to_jsonable
from schemax.core.hashing import canonical_json
from schemax.errors import NotAnExportError, NotFoundError, UsageError
from schemax.project.integrity import export_text, write_export
from schemax.services.exchange import READABLE_FORMATS, ImportResult


def parse_env_spec(spec: str) -> tuple[str, dict[str, str]]:
    name, _, mapping = spec.partition("=")
    name = name.strip()
    if not name:
        raise UsageError(f"--env {spec!r}: expected NAME=LOGICAL:PHYSICAL[,...]")
    catalogs: dict[str, str] = {}
    for item in filter(None, (m.strip() for m in mapping.split(","))):
        logical, sep, physical = item.partition(":")
        if not sep or not logical.strip() or not physical.strip():
            raise UsageError(f"--env {spec!r}: {item!r} is not LOGICAL:PHYSICAL")
        catalogs[logical.strip()] = physical.strip()
    return name, catalogs


def pairs(values: Sequence[str], option: str) -> dict[str, str]:
    out = {}
    for v in values:
        k, sep, val = v.partition("=")
        if not sep or not k:
            raise UsageError(f"{option} {v!r}: expected NAME=VALUE")
        out[k] = val
    return out


def cmd_init(args: argparse.Namespace, output: Output) -> int:
    envs = [parse_env_spec(s) for s in args.env]
    prefixes = pairs(args.schema_prefix, "--schema-prefix")
    names = {n for n, _ in envs}
    unknown = (set(prefixes) | set(args.production)) - names
    if unknown:
        raise UsageError(
            f"--schema-prefix/--production name environments not given with --env: {sorted(unknown)}"
        )
    name = project_name(args)  # before the engine starts
    engine = engine_for(args, output)
    project = Project.create(engine, name, store=store_name(args), author=blank(args.author))
    for name, catalogs in envs:
        prod = name in args.production
        project.add_environment(
            name,
            catalogs,
            schema_prefix=prefixes.get(name, ""),
            production=prod,
            require_snapshot=prod,
            require_confirmation=prod,
        )
    environments = project.environments()
    if output.json:
        output.doc(
            {
                "project": project.name,
                "store": project.store.location,
                "environments": {k: v for k, v in environments.items()},
            }
        )
    else:
        output.line(f"created project {project.name} in {project.store.location}")
        for name, env in environments.items():
            mapping = ", ".join(f"{k} -> {v}" for k, v in env.catalogs.items()) or "no catalog mapping"
            extra = f", schema prefix {env.schema_prefix!r}" if env.schema_prefix else ""
            output.line(f"  environment {name}: {mapping}{extra}{' (production)' if env.production else ''}")
    return EXIT_OK


def cmd_status(args: argparse.Namespace, output: Output) -> int:
    project = open_project(args, output)
    status = project.status()
    if output.json:
        output.doc({**to_jsonable(status), "snapshots": [snapshot_dict(s) for s in status.snapshots]})
    else:
        output.line(str(status))
    return EXIT_OK


def cmd_snapshot(args: argparse.Namespace, output: Output) -> int:
    project = open_project(args, output)
    if args.snapshot_command == "create":
        snap = project.snapshot(
            args.name,
            version=blank(args.snapshot_version),
            tags=args.tag,
            comment=args.comment,
            bump=args.bump,
        )
        if output.json:
            output.doc({"snapshot": snapshot_dict(snap)})
        else:
            output.line(
                f"snapshot {snap.version} {snap.name!r}: {len(snap.op_ids)} op(s) since the previous one, "
                f"hash {snap.hash[:12]}"
            )
        return EXIT_OK
    snaps = project.snapshots()
    if output.json:
        output.doc({"snapshots": [snapshot_dict(s) for s in snaps]})
    else:
        if not snaps:
            output.line("no snapshots yet")
        for s in snaps:
            output.line(
                f"{s.version:<10} {s.ts[:19]}  {s.created_by:<16} {len(s.op_ids):>4} op(s)  "
                f"{s.hash[:12]}  {s.name}"
            )
    return EXIT_OK


def cmd_verify(args: argparse.Namespace, output: Output) -> int:
    project = open_project(args, output)
    result = project.verify()
    if output.json:
        output.doc({"ok": True, "ops": result.ops, "snapshots": result.snapshots, "head": result.head})
    else:
        output.line(
            f"ok: {result.ops} op(s) and {result.snapshots} snapshot(s) verified; head {result.head[:12]}"
        )
    return EXIT_OK


def cmd_export(args: argparse.Namespace, output: Output) -> int:
    project = open_project(args, output)
    canonical = bool(getattr(args, "canonical", False))
    if args.file == "-":
        doc = project.to_export()
        if output.json:
            output.doc(doc)
        elif canonical:
            print(canonical_json(doc), file=output.out)
        else:
            output.out.write(export_text(doc))
        return EXIT_OK
    doc = project.to_export()  # read once: the history costs a store read per deployment
    path = write_export(doc, args.file, canonical=canonical)
    counts = {"ops": len(doc["ops"]), "snapshots": len(doc["snapshots"]),
              "deployments": len(doc["deployments"]), "drift_scans": len(doc["drift_scans"])}
    if output.json:
        output.doc({"path": str(path), **counts})
    else:
        output.line(f"wrote {path}: {counts['ops']} op(s), {counts['snapshots']} snapshot(s), "
                    f"{counts['deployments']} deployment(s), {counts['drift_scans']} drift scan(s)")
    return EXIT_OK


def _check_export_file(path: str) -> None:
    """A file ``import --from-json`` cannot use, refused before the engine starts (the import verifies
    every hash after)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:
        raise NotFoundError("export file", path) from None
    try:
        doc = json.loads(text)
    except ValueError:
        raise NotAnExportError(path, None) from None
    if not isinstance(doc, dict) or doc.get("format") not in READABLE_FORMATS:
        raise NotAnExportError(path, doc.get("format") if isinstance(doc, dict) else None)


def _history_note(done: ImportResult | None, new: str) -> str:
    """``, 2 {new}deployment(s) (14 statement(s)), 1 {new}drift scan(s)`` (and the records brought up to
    date) for what an import wrote of the deployment history; empty when it wrote none."""
    if done is None or not done.history:
        return ""
    moved = f", {done.updated} history record(s) brought up to date" if done.updated else ""
    return (f", {done.deployments} {new}deployment(s) ({done.statements} statement(s)), "
            f"{done.drift_scans} {new}drift scan(s){moved}")


def cmd_import(args: argparse.Namespace, output: Output) -> int:
    if args.from_json:
        if args.env or args.schemas or args.adopt:
            raise UsageError("import --from-json takes no environment, --schema or --adopt")
        _check_export_file(args.from_json)  # before the engine starts
        engine = engine_for(args, output)
        name = blank(args.project) or blank(os.environ.get("SCHEMAX_PROJECT"))
        project = Project.import_json(
            engine, args.from_json, store=store_name(args), name=name, author=blank(args.author)
        )
        result = project.verify()
        done = project.last_import
        if output.json:
            output.doc(
                {
                    "project": project.name,
                    "store": project.store.location,
                    "ops": result.ops,
                    "snapshots": result.snapshots,
                    "head": result.head,
                    "import": done,
                }
            )
        elif done is not None and not done.created:
            where = f"project {project.name} in {project.store.location}"
            ahead = f"; the store is {done.store_ahead} op(s) ahead of the file" if done.store_ahead else ""
            if done.history_behind:
                ahead += f"; {done.history_behind} history record(s) are further along in the store"
            what = (f"fast-forwarded {where}: {done.ops} new op(s), {done.snapshots} new snapshot(s)"
                    f"{_history_note(done, 'new ')}"
                    if done.changed else f"{where} already holds the file's history: nothing imported{ahead}")
            output.line(f"{what}; {result.ops} op(s), {result.snapshots} snapshot(s), verified")
        else:
            output.line(
                f"imported project {project.name} into {project.store.location}: {result.ops} op(s), "
                f"{result.snapshots} snapshot(s){_history_note(done, '')}, verified"
            )
        return EXIT_OK
    if not args.env:
        raise UsageError("import needs an environment (or --from-json FILE)")
    project = open_project(args, output)
    output.note(f"reading {args.env}'s catalog ...")
    imported = project.import_catalog(args.env, schemas=args.schemas, adopt=args.adopt)
    ops = list(getattr(imported, "ops", []) or [])
    unrepresentable = list(getattr(imported, "unrepresentable", []) or [])
    snapshot = getattr(imported, "snapshot", None)
    if output.json:
        output.doc(
            {
                "environment": args.env,
                "adopted": args.adopt,
                "snapshot": snapshot,
                "ops": ops,
                "unrepresentable": unrepresentable,
                "notes": list(getattr(imported, "notes", []) or []),
            }
        )
    else:
        adopted = f" (adopted as deployed: snapshot {snapshot})" if args.adopt else ""
        output.line(f"imported {len(ops)} op(s) from {args.env}{adopted}")
        for item in unrepresentable:
            output.line(f"  not representable (reported, not imported): {item}")
    return EXIT_OK


__all__ = ["cmd_export", "cmd_import", "cmd_init", "cmd_snapshot", "cmd_status", "cmd_verify"]
