"""Commands that plan and run deployments: ``plan``, ``deploy``, ``rollback``, ``promote``, and
``history`` of what ran. Deployments report each statement through :class:`~schemax.cli.output.Progress`,
handed to the Project API as its ``progress=`` callback."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import Any

from schemax.cli.context import blank, open_project
from schemax.cli.exits import EXIT_BLOCKED, EXIT_OK
from schemax.cli.output import Output, Progress, to_jsonable
from schemax.cli.preflight_commands import cmd_rehearse
from schemax.design import read_designs
from schemax.errors import PlanFileError, UsageError
from schemax.plan.saved import SavedPlan


def plan_lines(plan: Any, with_sql: bool) -> list[str]:
    """A plan for people: a summary, the findings with their impact, then the statements (or the script)."""
    if with_sql:  # the full script already has the summary and the findings as SQL comments
        return [str(plan.sql).rstrip()]
    statements = list(getattr(plan, "statements", []) or [])
    findings = list(getattr(plan, "findings", []) or [])
    blocking = len(list(plan.breaking_changes or []))
    lines = [
        f"plan {plan.from_version or '(nothing)'} -> {plan.to_version or '(working state)'}: "
        f"{len(statements)} statement(s), {len(findings)} finding(s), {blocking} blocking"
    ]
    for f in findings:
        severity = getattr(getattr(f, "severity", ""), "value", getattr(f, "severity", ""))
        obj = getattr(f, "object_name", None) or ""
        lines.append(f"  {getattr(f, 'code', '')} {severity:<11} {obj}: {getattr(f, 'message', f)}")
        if getattr(f, "impact", None):
            lines.append(f"      impact: {f.impact}")
    for item in list(getattr(plan, "unsupported", []) or []):
        stmt, reason = item if isinstance(item, tuple) else (item, getattr(item, "reason", ""))
        lines.append(
            f"  unsupported here: {reason}: {' '.join(str(getattr(stmt, 'sql', stmt)).split())[:100]}"
        )
    for note in list(getattr(plan, "notes", []) or []):
        lines.append(f"  note: {note}")
    for i, st in enumerate(statements, start=1):
        lines.append(f"  {i:>3}. {' '.join(str(getattr(st, 'sql', st)).split())[:110]}")
    if not statements:
        lines.append("  nothing to do")
    return lines


def cmd_plan(args: argparse.Namespace, output: Output) -> int:
    fmt = getattr(args, "format", "text")
    if output.json and fmt != "text":
        raise UsageError(f"--json and --format {fmt}: give one of them")
    design = [p for p in getattr(args, "design", []) if blank(p)]
    to = blank(args.to)
    out = blank(getattr(args, "out", None))
    if design and to not in (None, "latest"):
        raise UsageError("plan --design plans the design files: it takes no --to")
    if design and out:
        raise UsageError("plan --design plans files not synced yet: only a plan of the log can be written "
                         "with --out (sync, snapshot, then plan --out)")
    if design:
        read_designs(design)  # missing paths and files that do not read: before the engine starts
    project = open_project(args, output)
    if design:
        plan = project.plan_design(args.env, design)
    else:
        plan = project.plan(args.env, to=None if to == "latest" else to)
    saved = plan.save(out, project=project.name) if out else None
    blocked = False
    if args.check:
        env = project.environment(args.env)
        allowed = env.allow_breaking or getattr(project.settings(), "allow_breaking", False)
        blocked = bool(list(plan.breaking_changes or [])) and not allowed
    if saved is not None:
        wrote = (f"wrote {out}: plan {saved.short} ({len(saved.statements)} statement(s)); "
                 f"deploy it with: schemax deploy {args.env} --plan {out}")
        if output.json or fmt != "text":
            output.note(wrote)
    if output.json:
        doc: dict[str, Any] = {"environment": args.env, "plan": plan, "blocked": blocked}
        if saved is not None:
            doc["saved"] = {"path": out, "fingerprint": saved.fingerprint}
        output.doc(doc)
    elif fmt == "markdown":
        output.line(plan.to_markdown().rstrip("\n"))
        if blocked:
            output.line("")
            output.line(f"**Blocked:** {args.env!r} does not allow these breaking changes.")
    elif fmt == "json":
        output.line(plan.to_json())
    else:
        for line in plan_lines(plan, args.sql):
            output.line(line)
        if saved is not None:
            output.line(wrote)
        if blocked:
            output.line(f"blocked: {args.env!r} does not allow these breaking changes")
    return EXIT_BLOCKED if blocked else EXIT_OK


def _deployment_summary(dep: Any, elapsed: float | None = None, name: Callable[[str], str] = str) -> str:
    took = f" in {elapsed:.1f}s" if elapsed is not None else ""
    return (
        f"{dep.kind} {dep.deployment_id} to {name(dep.environment)}: {dep.status}, "
        f"{dep.from_version or '(nothing)'} -> "
        f"{dep.to_version}, {dep.applied}/{len(dep.statements)} statement(s){took}"
    )


def _deployment_doc(dep: Any) -> dict[str, Any]:
    doc = to_jsonable(dep)
    if isinstance(doc, dict) and getattr(dep, "plan", None) is not None and "plan" not in doc:
        doc["findings"] = to_jsonable(list(getattr(dep.plan, "findings", []) or []))
    if isinstance(doc, dict):
        doc["recorded"] = bool(getattr(dep, "recorded", True))
        doc["notes"] = [note.message("--abandon") for note in getattr(dep, "notes", [])]
        doc["discarded"] = to_jsonable(list(getattr(dep, "discarded", [])))
    return doc


def check_confirm(args: argparse.Namespace, env: str) -> None:
    """``--confirm`` names the environment or is a typo: refused before the engine starts."""
    confirm = blank(getattr(args, "confirm", None))
    if confirm is not None and confirm != env:
        raise UsageError(f"--confirm {confirm!r} does not name the environment {env!r}")


def cmd_deploy(args: argparse.Namespace, output: Output) -> int:
    check_confirm(args, args.env)
    saved = _saved_plan(args)  # read and checked before the engine starts
    if getattr(args, "rehearse", False):
        return cmd_rehearse(args, output)
    project = open_project(args, output)
    progress = Progress(output)
    to = blank(args.to)
    dep = project.deploy(
        args.env,
        to=None if to == "latest" else to,
        dry_run=args.dry_run,
        allow_breaking=args.allow_breaking,
        force=args.force,
        confirm=blank(args.confirm),
        abandon=args.abandon,
        max_workers=args.max_workers,
        progress=progress,
        preflight=getattr(args, "preflight", None),
        plan=saved,
    )
    return _report_deployment(dep, output, progress, dry_run=args.dry_run)


def _saved_plan(args: argparse.Namespace) -> SavedPlan | None:
    """The plan ``deploy --plan FILE`` names, read and checked against the arguments (no engine needed)."""
    path = blank(getattr(args, "plan_file", None))
    if path is None:
        return None
    if getattr(args, "rehearse", False):
        raise UsageError("deploy --plan runs a saved plan; --rehearse rehearses the current one: give one")
    saved = SavedPlan.load(path)
    if saved.environment != args.env:
        raise PlanFileError(path, f"the plan is for environment {saved.environment!r}, not {args.env!r}")
    to = blank(args.to)
    if to not in (None, "latest", saved.to_version):
        raise UsageError(f"deploy --plan {path}: the plan deploys {saved.to_version}, not --to {to} "
                         "(leave --to out)")
    name = blank(args.project) or blank(os.environ.get("SCHEMAX_PROJECT"))
    if name is not None and saved.project not in (None, name):
        raise PlanFileError(path, f"the plan is for project {saved.project!r}, not {name!r}")
    return saved


def _report_deployment(dep: Any, output: Output, progress: Progress, *, dry_run: bool = False) -> int:
    if output.json:
        output.doc({"deployment": _deployment_doc(dep), "dry_run": dry_run})
        return EXIT_OK
    for note in getattr(dep, "notes", []):  # which unfinished deployment this continues
        output.line(f"note: {note.message('--abandon')}")
    for lost in getattr(dep, "discarded", []):  # a data rollback's RESTORE discards these commits
        verb = "would discard" if dry_run else "discarded"
        output.line(f"data loss: {verb} {lost.summary().split(': ', 1)[1]} on {lost.table}")
    if not getattr(dep, "recorded", True):
        output.line(f"nothing to do: {dep.environment} runs {dep.to_version} already (nothing recorded)")
        return EXIT_OK
    if dry_run:
        output.line(
            f"dry run: {len(dep.statements)} statement(s) would run on {dep.environment} "
            f"({dep.from_version or '(nothing)'} -> {dep.to_version})"
        )
        for st in dep.statements:
            output.line(f"  {st.seq:>3}. {' '.join(st.sql.split())[:110]}")
    else:
        output.line(_deployment_summary(dep, progress.elapsed(), output.env))
    # what the plan's findings say (a one-way protocol upgrade, a dropped column, ...): a rollback or a
    # deploy run with them allowed still says so
    for f in list(getattr(getattr(dep, "plan", None), "findings", []) or []):
        severity = getattr(getattr(f, "severity", ""), "value", getattr(f, "severity", ""))
        obj = getattr(f, "object_name", None) or ""
        output.line(f"  {getattr(f, 'code', '')} {severity:<11} {obj}: {getattr(f, 'message', f)}")
    return EXIT_OK


def cmd_rollback(args: argparse.Namespace, output: Output) -> int:
    check_confirm(args, args.env)
    project = open_project(args, output)
    progress = Progress(output)
    options: dict[str, Any] = {"dry_run": args.dry_run, "force": args.force, "confirm": blank(args.confirm),
                               "allow_data_loss": bool(getattr(args, "allow_data_loss", False))}
    dep = project.rollback(
        args.env, to=args.to, restore_data=args.restore_data, progress=progress, **options
    )
    return _report_deployment(dep, output, progress, dry_run=args.dry_run)


def cmd_promote(args: argparse.Namespace, output: Output) -> int:
    check_confirm(args, args.target)
    project = open_project(args, output)
    progress = Progress(output)
    dep = project.promote(
        args.source,
        args.target,
        dry_run=args.dry_run,
        allow_breaking=args.allow_breaking,
        force=args.force,
        confirm=blank(args.confirm),
        progress=progress,
    )
    return _report_deployment(dep, output, progress, dry_run=args.dry_run)


def cmd_history(args: argparse.Namespace, output: Output) -> int:
    project = open_project(args, output)
    history = list(project.history(args.env))[: max(0, args.limit)]
    if output.json:
        output.doc({"environment": args.env, "deployments": [_deployment_doc(d) for d in history]})
        return EXIT_OK
    if not history:
        output.line("no deployments yet")
    for d in history:
        output.line(
            f"{d.started_at[:19]}  {output.env(d.environment, 8)} {d.kind:<8} {d.status:<11} "
            f"{d.from_version or '-'} -> {d.to_version}  {d.applied}/{len(d.statements)}  "
            f"{d.deployed_by}  {d.deployment_id}"
        )
        if d.error:
            output.line(f"    error: {d.error.splitlines()[0][:200]}")
        if args.sql:
            for st in d.statements:
                output.line(f"    {st.seq:>3}. [{st.status}] {' '.join(st.sql.split())[:100]}")
    return EXIT_OK


__all__ = ["cmd_deploy", "cmd_history", "cmd_plan", "cmd_promote", "cmd_rollback", "plan_lines"]
