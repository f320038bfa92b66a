"""Commands on environments and on what is pending: ``env list|add|set|approve|check`` (an environment's
catalog mapping, variables and safety switches after ``init``; ``check``: the storage locations two
environments would share), ``diff FROM [TO]`` (the plan between two snapshots, in logical names) and
``ops`` (the ops recorded since the latest snapshot).

Arguments are checked before the engine starts: a ``set`` that changes nothing, a ``--catalog`` that is
not ``LOGICAL:PHYSICAL`` or a ``--var`` that is not ``NAME=VALUE``, is a usage error at once. ``env
add|set`` prints the location findings (:meth:`~schemax.Project.location_findings`) that involve the
environment, as warnings on stderr (``"warnings"`` with ``--json``).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from schemax.cli.context import open_project
from schemax.cli.deploy_commands import plan_lines
from schemax.cli.design_commands import op_lines
from schemax.cli.exits import EXIT_BLOCKED, EXIT_OK
from schemax.cli.output import Output
from schemax.cli.parser import ENV_SWITCHES
from schemax.core.environment import Environment
from schemax.core.model import State
from schemax.core.naming import SharedLocation
from schemax.errors import UsageError

#: the settings ``env list`` shows (in this order), besides the mapping
_SHOWN = ("production", "require_snapshot", "require_confirmation", "require_approval", "allow_breaking",
          "allow_drift", "preflight")


def _catalogs(specs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for spec in specs:
        logical, sep, physical = spec.partition(":")
        if not sep or not logical.strip() or not physical.strip():
            raise UsageError(f"--catalog {spec!r}: expected LOGICAL:PHYSICAL")
        out[logical.strip()] = physical.strip()
    return out


def _variables(specs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for spec in specs:
        name, sep, value = spec.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise UsageError(f"--var {spec!r}: expected NAME=VALUE")
        out[name.strip()] = value.strip()
    return out


def _involving(findings: list[Any], env: str) -> list[Any]:
    """The location findings that name ``env`` (a path it shares, a variable it lacks)."""
    return [f for f in findings
            if (env in f.environments if isinstance(f, SharedLocation) else f.environment == env)]


def _changes(args: argparse.Namespace) -> dict[str, Any]:
    """The settings ``env add|set`` was given (None: left as they are)."""
    changes: dict[str, Any] = {f: getattr(args, f) for f in ENV_SWITCHES.values()
                               if getattr(args, f) is not None}
    if args.schema_prefix is not None:
        changes["schema_prefix"] = args.schema_prefix
    if args.lock_ttl_seconds is not None:
        if args.lock_ttl_seconds <= 0:
            raise UsageError(f"--lock-ttl {args.lock_ttl_seconds}: a number of seconds above 0")
        changes["lock_ttl_seconds"] = args.lock_ttl_seconds
    if getattr(args, "unsupported", None) is not None:
        changes["unsupported"] = None if args.unsupported == "refuse" else args.unsupported
    return changes


def env_line(env: Environment, name: Callable[[str], str] = str) -> str:
    """One environment for people: its name (through ``name``: :meth:`Output.env` colours it), mapping,
    prefix and the switches that are on."""
    mapping = ", ".join(f"{k} -> {v}" for k, v in sorted(env.catalogs.items())) or "no catalog mapping"
    prefix = f"; schema prefix {env.schema_prefix!r}" if env.schema_prefix else ""
    if env.variables:
        prefix += "; variables " + ", ".join(f"{k}={v}" for k, v in sorted(env.variables.items()))
    if env.unsupported:
        prefix += f"; unsupported: {env.unsupported}"
    on = [f.replace("_", "-") for f in _SHOWN if getattr(env, f) is True]
    if env.preflight is None and env.is_production:
        on.append("preflight (production default)")
    if env.approvals:
        on.append(f"approved: {', '.join(str(a.get('version')) for a in env.approvals)}")
    return f"{name(env.name)}: {mapping}{prefix}" + (f" [{', '.join(on)}]" if on else "")


def cmd_env(args: argparse.Namespace, output: Output) -> int:
    sub = args.env_command
    changes: dict[str, Any] = {}
    catalogs: dict[str, str] = {}
    variables: dict[str, str] = {}
    unset: list[str] = []
    if sub in ("add", "set"):  # checked before the engine starts
        changes = _changes(args)
        catalogs = _catalogs(args.catalog)
        variables = _variables(args.var)
        unset = [n.strip() for n in getattr(args, "unset_var", [])]
        if sub == "set" and not changes and not catalogs and not variables and not unset:
            raise UsageError(f"env set {args.name}: nothing to change (give --allow-breaking, "
                             "--require-snapshot, --catalog LOGICAL:PHYSICAL, --var NAME=VALUE, ...; see env "
                             "set --help)")
    project = open_project(args, output)
    if sub == "check":
        findings = project.location_findings()
        if output.json:
            output.doc({"findings": findings, "environments": sorted(project.environments())})
        elif not findings:
            output.line("no storage location is shared between environments, and every one resolves")
        for f in findings:
            output.line(str(f))
        return EXIT_BLOCKED if findings else EXIT_OK
    if sub == "list":
        envs = project.environments()
        if output.json:
            output.doc({"environments": envs})
        elif not envs:
            output.line("no environments yet (schemax env add NAME --catalog LOGICAL:PHYSICAL)")
        for env in envs.values():
            output.line(env_line(env, output.env))
        return EXIT_OK
    if sub == "approve":
        approval = project.approve(args.name, args.version, comment=args.comment)
        if output.json:
            output.doc({"environment": args.name, "approval": approval})
        else:
            output.line(f"approved {approval['version']} for {args.name} (by {approval['by']})")
        return EXIT_OK
    if sub == "add":
        prefix = changes.pop("schema_prefix", "")
        env = project.add_environment(args.name, catalogs, prefix, variables=variables, **changes)
        before = None
    else:
        before = project.environment(args.name)  # NotFoundError with did-you-mean before anything changes
        if catalogs:
            changes["catalogs"] = {**before.catalogs, **catalogs}
        if variables or unset:
            missing = [n for n in unset if n not in before.variables and n not in variables]
            if missing:
                raise UsageError(f"--unset-var {missing[0]!r}: {args.name} has no such variable"
                                 + (f" (it has {', '.join(sorted(before.variables))})" if before.variables
                                    else ""))
            changes["variables"] = {k: v for k, v in {**before.variables, **variables}.items()
                                    if k not in unset}
        env = project.update_environment(args.name, **changes)
    changed = {k: {"from": getattr(before, k), "to": getattr(env, k)} for k in sorted(changes)
               if before is not None and getattr(before, k) != getattr(env, k)}
    warnings = _involving(project.location_findings(), env.name)
    if output.json:
        output.doc({"environment": env, "changed": changed, "added": sub == "add", "warnings": warnings})
        return EXIT_OK
    if sub == "add":
        output.line(f"added environment {env_line(env, output.env)}")
    elif not changed:
        output.line(f"{env.name}: already so, nothing changed")
    else:
        for key, values in changed.items():
            output.line(f"{env.name}: {key} {_shown(values['from'])} -> {_shown(values['to'])}")
    for finding in warnings:
        output.note(f"warning: {finding}")
    return EXIT_OK


def _shown(value: Any) -> str:
    if value is None:
        return "default"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, dict):
        return ", ".join(f"{k} -> {v}" for k, v in sorted(value.items())) or "none"
    return repr(value) if isinstance(value, str) else str(value)


def cmd_diff(args: argparse.Namespace, output: Output) -> int:
    if output.json and args.format != "text":
        raise UsageError(f"--json and --format {args.format}: give one of them")
    source = None if args.source.lower() in ("empty", "none", "nothing") else args.source
    target = None if args.target.lower() in ("working", "") else args.target
    project = open_project(args, output)
    plan = project.diff(source, target)
    if output.json:
        output.doc({"from": source, "to": target or "working", "plan": plan})
    elif args.format == "markdown":
        output.line(plan.to_markdown().rstrip("\n"))
    elif args.format == "json":
        output.line(plan.to_json())
    else:
        for line in plan_lines(plan, args.sql):
            output.line(line)
    return EXIT_OK


def cmd_ops(args: argparse.Namespace, output: Output) -> int:
    project = open_project(args, output)
    latest = project.latest_snapshot()
    if args.all or latest is None:
        records = project.op_records()
        before = State()
    else:
        records = [r for r in project.op_records() if r.seq > latest.op_seq]
        before = latest.state
    ops = [r.op for r in records]
    since = "the start of the log" if (args.all or latest is None) else f"snapshot {latest.version}"
    if output.json:
        output.doc({"since": None if (args.all or latest is None) else latest.version,
                    "ops": [{"seq": r.seq, **r.op.to_dict()} for r in records]})
        return EXIT_OK
    if not ops:
        output.line(f"no ops since {since}")
        return EXIT_OK
    output.line(f"{len(ops)} op(s) since {since}:")
    for rec, line in zip(records, op_lines(ops, before), strict=True):
        output.line(f"  {rec.seq:>5}  {rec.op.ts[:19]}  {rec.op.author:<12} {line}")
    return EXIT_OK


__all__ = ["cmd_diff", "cmd_env", "cmd_ops", "env_line"]
