"""The ``schemax`` command line: plan, deploy, scan and inspect a schemax project from a shell, CI or a job.

    schemax --local --project shop init --env dev=shop:spark_catalog --schema-prefix dev=dev_
    schemax --local --project shop snapshot create "Initial schema"
    schemax --local --project shop plan dev
    schemax --local --project shop deploy dev
    schemax --profile prod --warehouse-id 1234abcd --project shop --store main.schemax drift prod

Where SQL runs (first that applies):

1. ``--local``: the embedded Spark + Delta engine (``schemax.local``), or the SparkSession already active
   in this process;
2. ``--warehouse-id`` (or ``DATABRICKS_WAREHOUSE_ID``): a SQL warehouse through the Statement Execution
   API, authenticated by ``--profile`` / the ``DATABRICKS_*`` variables (databricks-sdk's unified auth);
3. ``--connect``: Databricks Connect (``--profile``, ``--cluster-id`` or ``--serverless``);
4. ``--runtime``, or on Databricks (``DATABRICKS_RUNTIME_VERSION`` set): the runtime's SparkSession (the
   cluster's, or serverless compute's; the bundle's jobs pass ``--runtime``);
5. otherwise the embedded engine, as with ``--local``.

Exit codes: 0 ok; 1 error; 2 blocked (drift, breaking changes, a held deployment lock, or
``plan --check`` found changes the environment would refuse); 130 interrupted. Usage errors exit 1, so
that 2 always means "blocked". With ``--json`` every command prints exactly one JSON document on stdout
(errors included: ``{"error": {...}}``); progress and logs go to stderr.

Called without ``argv`` (as the ``schemax`` console script, or as a Databricks ``python_wheel_task`` entry
point, which ignores return values) :func:`main` raises ``SystemExit`` with a non-zero code so that the
process or the job task fails; called with ``argv`` it returns the code.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import enum
import json
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn, TextIO

from schemax.errors import (
    BreakingChangeError,
    DeploymentLockedError,
    DriftDetectedError,
    SchemaxError,
)

log = logging.getLogger("schemax.cli")

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_BLOCKED = 2
EXIT_INTERRUPTED = 130

#: Errors that mean "refused on purpose", not "something broke".
BLOCKING_ERRORS: tuple[type[BaseException], ...] = (
    DriftDetectedError,
    BreakingChangeError,
    DeploymentLockedError,
)

EPILOG = """\
exit codes:
  0    success (drift: no drift found)
  1    error (bad arguments, missing project, failed statement, integrity failure, ...)
  2    blocked: drift detected, breaking changes not allowed, the environment is locked by another
       deployment, or "plan --check" found changes the environment would refuse
  130  interrupted

environment variables:
  SCHEMAX_PROJECT, SCHEMAX_STORE         defaults for --project and --store
  SCHEMAX_LOCAL_HOME                     home of the embedded engine (default ./.schemax-local)
  SCHEMAX_AUTHOR                         who is recorded as author / deployer
  DATABRICKS_CONFIG_PROFILE              default for --profile
  DATABRICKS_WAREHOUSE_ID                default for --warehouse-id
  DATABRICKS_HOST, DATABRICKS_TOKEN, ... databricks-sdk authentication

Global options may be given before or after the command. See docs/cli.md.
"""


# ------------------------------------------------------------------------------------------------------
# argument parsing


class UsageError(SchemaxError):
    """Bad command-line arguments (exit code 1)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 on usage errors; 2 means "blocked" here
        raise UsageError(f"{self.prog}: {message}")


def _global_options(parser: argparse.ArgumentParser, *, in_command: bool) -> None:
    """Options valid before and after the command (after it, they override what came before)."""
    d: Callable[[Any], Any] = (lambda v: argparse.SUPPRESS) if in_command else (lambda v: v)
    g = parser.add_argument_group("global options")
    g.add_argument("--project", default=d(None), help="project name (default $SCHEMAX_PROJECT)")
    g.add_argument(
        "--store",
        default=d(None),
        help="where the project lives, catalog.schema (default $SCHEMAX_STORE or spark_catalog.schemax)",
    )
    g.add_argument(
        "--author",
        default=d(None),
        help="who is recorded as author/deployer (default $SCHEMAX_AUTHOR, "
        "the engine's current_user(), or the OS user)",
    )
    g.add_argument(
        "--local",
        action="store_true",
        default=d(False),
        help="run on the embedded Spark + Delta engine (or the active SparkSession)",
    )
    g.add_argument(
        "--local-home", default=d(None), help="home of the embedded engine (default $SCHEMAX_LOCAL_HOME)"
    )
    g.add_argument(
        "--profile", default=d(None), help="Databricks CLI profile (default $DATABRICKS_CONFIG_PROFILE)"
    )
    g.add_argument(
        "--warehouse-id",
        default=d(None),
        help="run on this SQL warehouse (default $DATABRICKS_WAREHOUSE_ID); empty: not a warehouse",
    )
    g.add_argument(
        "--runtime",
        action="store_true",
        default=d(False),
        help="use the Databricks runtime's SparkSession (jobs, clusters, serverless); "
        "the default when $DATABRICKS_RUNTIME_VERSION is set",
    )
    g.add_argument("--connect", action="store_true", default=d(False), help="run through Databricks Connect")
    g.add_argument("--cluster-id", default=d(None), help="Databricks Connect: cluster to run on")
    g.add_argument(
        "--serverless", action="store_true", default=d(False), help="Databricks Connect: serverless compute"
    )
    g.add_argument(
        "--json", action="store_true", default=d(False), help="machine output: one JSON document on stdout"
    )
    g.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=d(0),
        help="more logging (-v info and tracebacks, -vv debug)",
    )
    g.add_argument("-q", "--quiet", action="store_true", default=d(False), help="no progress on stderr")


def build_parser() -> argparse.ArgumentParser:
    """The ``schemax`` argument parser (exposed for tests and docs)."""
    parser = _Parser(
        prog="schemax",
        description="Schema migrations for Databricks Unity Catalog.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from schemax import __version__

    parser.add_argument("--version", action="version", version=f"schemax {__version__}")
    _global_options(parser, in_command=False)
    sub = parser.add_subparsers(dest="command", metavar="<command>", parser_class=_Parser)
    sub.required = True

    def command(name: str, help: str, **kw: Any) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name,
            help=help,
            description=help,
            epilog=EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
            **kw,
        )
        _global_options(p, in_command=True)
        return p

    p = command("init", "create the project in the store (and its environments)")
    p.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=LOGICAL:PHYSICAL[,LOGICAL:PHYSICAL...]",
        help="add an environment mapping logical catalogs to physical ones; repeatable; "
        "NAME alone adds one without mappings",
    )
    p.add_argument(
        "--schema-prefix",
        action="append",
        default=[],
        metavar="NAME=PREFIX",
        help="prefix the environment's schema names (two environments sharing one catalog)",
    )
    p.add_argument(
        "--production",
        action="append",
        default=[],
        metavar="NAME",
        help="mark the environment as production (snapshots only, confirmation required)",
    )

    command("status", "which version is deployed where; ops not in a snapshot yet")

    p = command("plan", "what deploying would run in an environment, with its findings (runs nothing)")
    p.add_argument("env")
    p.add_argument("--to", help="snapshot version (default: latest; 'working' for the unsnapshotted state)")
    p.add_argument("--sql", action="store_true", help="print the SQL script too")
    p.add_argument(
        "--check",
        action="store_true",
        help="exit 2 if the environment would refuse this plan (breaking changes not allowed)",
    )

    p = command("deploy", "deploy a snapshot (default: latest) to an environment")
    p.add_argument("env")
    p.add_argument("--to", help="snapshot version (default: latest)")
    p.add_argument("--dry-run", action="store_true", help="plan and check everything, run nothing")
    p.add_argument("--allow-breaking", action="store_true", help="allow breaking and destructive changes")
    p.add_argument("--force", action="store_true", help="deploy despite drift")
    p.add_argument("--confirm", help="the environment's name, for environments that require confirmation")
    p.add_argument(
        "--abandon",
        action="store_true",
        help="abandon an unfinished (failed) deployment instead of resuming it",
    )
    p.add_argument("--max-workers", type=int, help="statements run concurrently on independent tables")

    p = command("drift", "compare the live catalog with the environment; exit 2 on drift")
    p.add_argument("env")
    p.add_argument(
        "--import",
        dest="import_drift",
        action="store_true",
        help="record what was found as ops, so that the project catches up with the catalog",
    )

    p = command("snapshot", "create or list snapshots")
    snap = p.add_subparsers(dest="snapshot_command", metavar="<create|list>", parser_class=_Parser)
    snap.required = True
    sc = snap.add_parser("create", help="freeze the working state as a new snapshot")
    _global_options(sc, in_command=True)
    sc.add_argument("name")
    sc.add_argument("--version", dest="snapshot_version", help="explicit version (default: bump the latest)")
    sc.add_argument("--bump", choices=("major", "minor", "patch"), default="minor")
    sc.add_argument("--tag", action="append", default=[])
    sc.add_argument("--comment")
    sl = snap.add_parser("list", help="every snapshot, oldest first")
    _global_options(sl, in_command=True)

    p = command("history", "deployments, newest first")
    p.add_argument("env", nargs="?")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--sql", action="store_true", help="print each deployment's statements")

    p = command("rollback", "deploy the way back to an earlier snapshot")
    p.add_argument("env")
    p.add_argument("--to", required=True, help="snapshot version to go back to")
    p.add_argument(
        "--restore-data",
        action="store_true",
        help="RESTORE changed Delta tables to their versions before (brings dropped data back)",
    )
    p.add_argument("--dry-run", action="store_true")
    p.add_argument("--force", action="store_true", help="roll back despite drift")
    p.add_argument("--confirm", help="the environment's name, for environments that require confirmation")

    p = command("promote", "deploy to TARGET the snapshot that SOURCE runs")
    p.add_argument("source")
    p.add_argument("target")
    p.add_argument("--dry-run", action="store_true")
    p.add_argument("--allow-breaking", action="store_true")
    p.add_argument("--force", action="store_true", help="deploy despite drift")
    p.add_argument("--confirm", help="the target's name, for environments that require confirmation")

    p = command("import", "adopt live catalogs/schemas as ops (or load an exported project)")
    p.add_argument("env", nargs="?", help="environment whose catalogs are read")
    p.add_argument(
        "--schema",
        action="append",
        dest="schemas",
        metavar="CATALOG.SCHEMA",
        help="only these schemas (repeatable; default: every schema of the environment's catalogs)",
    )
    p.add_argument(
        "--adopt",
        action="store_true",
        help="also record a baseline deployment, so the next deploy of ENV is a no-op",
    )
    p.add_argument("--from-json", metavar="FILE", help="load a project exported with 'schemax export'")

    p = command("export", "write the project as one canonical JSON document")
    p.add_argument("file", nargs="?", default="-", help="output file (default '-': stdout)")

    command("verify", "re-hash the op log and every snapshot")
    return parser


# ------------------------------------------------------------------------------------------------------
# output


def to_jsonable(obj: Any) -> Any:
    """A JSON-ready version of what the API returns (plans, deployments, reports, records, ...)."""
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, enum.Enum):
        return to_jsonable(obj.value)
    if isinstance(obj, (dt.datetime, dt.date)):
        return obj.isoformat()
    if isinstance(obj, Decimal):
        return str(obj)
    if isinstance(obj, Path):
        return str(obj)
    for method in ("to_dict", "to_json"):
        fn = getattr(obj, method, None)
        if callable(fn):
            value = fn()
            if isinstance(value, (str, bytes)):
                try:
                    return json.loads(value)
                except ValueError:
                    return value
            return to_jsonable(value)
    if hasattr(obj, "model_dump"):
        return to_jsonable(obj.model_dump(mode="json"))
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return to_jsonable({f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)})
    return str(obj)


def _snapshot_dict(s: Any) -> dict[str, Any]:
    return {**to_jsonable(s.header()), "hash": s.hash}


class Output:
    """Where a command's result goes: text for people, one JSON document for machines."""

    def __init__(self, args: argparse.Namespace, out: TextIO, err: TextIO) -> None:
        self.json = bool(args.json)
        self.quiet = bool(args.quiet)
        self.out = out
        self.err = err
        self.open_line = False  # a progress line on a terminal that is not finished yet

    def line(self, text: str = "") -> None:
        if not self.json:
            print(text, file=self.out)

    def doc(self, data: Any) -> None:
        print(json.dumps(to_jsonable(data), indent=2, sort_keys=True, ensure_ascii=False), file=self.out)

    def note(self, text: str) -> None:
        """A progress/status line on stderr."""
        if not self.quiet:
            print(text, file=self.err, flush=True)


class Progress:
    """``progress(i, n, statement)`` for the Deployer: "[i/n elapsed] SQL" on stderr."""

    def __init__(self, output: Output) -> None:
        self.output = output
        self.started = time.monotonic()
        self.tty = hasattr(output.err, "isatty") and output.err.isatty()
        self.count = 0

    def __call__(self, i: int, n: int, statement: Any) -> None:
        self.count = n
        if self.output.quiet:
            return
        sql = " ".join(str(getattr(statement, "sql", statement)).split())
        text = f"[{i}/{n} {time.monotonic() - self.started:6.1f}s] {sql[:100]}"
        if self.tty:
            end = "\n" if i >= n else ""
            print(f"\r\x1b[2K{text}", end=end, file=self.output.err, flush=True)
            self.output.open_line = i < n
        else:
            print(text, file=self.output.err, flush=True)

    def elapsed(self) -> float:
        return time.monotonic() - self.started


# ------------------------------------------------------------------------------------------------------
# engine and project


def _blank(value: str | None) -> str | None:
    return value if value and value.strip() else None


def _on_databricks() -> bool:
    return bool(os.environ.get("DATABRICKS_RUNTIME_VERSION"))


def _active_spark() -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        return None
    try:
        return SparkSession.getActiveSession()
    except Exception:  # noqa: BLE001 - no JVM / no Connect server: no active session
        return None


def engine_for(args: argparse.Namespace, output: Output) -> Any:
    """A SparkSession or an SqlExecutor, per the options (see the module docstring for the order)."""
    warehouse = (
        _blank(args.warehouse_id)
        if args.warehouse_id is not None
        else _blank(os.environ.get("DATABRICKS_WAREHOUSE_ID"))
    )
    profile = _blank(args.profile) or _blank(os.environ.get("DATABRICKS_CONFIG_PROFILE"))
    if args.local:
        return _local_spark(args, output)
    if warehouse:
        from schemax.adapters.statement_execution import workspace_executor

        output.note(f"using SQL warehouse {warehouse}" + (f" (profile {profile})" if profile else ""))
        return workspace_executor(profile=profile, warehouse_id=warehouse)
    if args.connect or _blank(args.cluster_id) or args.serverless:
        from schemax.adapters.connect import connect_session

        output.note("connecting through Databricks Connect ...")
        return connect_session(profile, cluster_id=_blank(args.cluster_id), serverless=args.serverless)
    if args.runtime or _on_databricks():
        from pyspark.sql import SparkSession

        return SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()
    return _local_spark(args, output)


def _local_spark(args: argparse.Namespace, output: Output) -> Any:
    active = _active_spark()
    if active is not None:
        return active
    try:
        from schemax import local
    except ImportError as exc:  # pragma: no cover - schemax.local only imports stdlib at import time
        raise SchemaxError(f"the embedded engine is unavailable: {exc}") from None
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise SchemaxError(
            "the embedded engine needs pyspark and delta-spark: pip install 'schemax[local]'"
        ) from None
    output.note("starting the embedded Spark + Delta engine ...")
    started = time.monotonic()
    spark = local.spark_session(_blank(args.local_home))
    output.note(f"engine ready in {time.monotonic() - started:.1f}s")
    return spark


def _project_name(args: argparse.Namespace) -> str:
    name = _blank(args.project) or _blank(os.environ.get("SCHEMAX_PROJECT"))
    if not name:
        raise UsageError("which project? pass --project NAME or set SCHEMAX_PROJECT")
    return name


def _store_name(args: argparse.Namespace) -> str:
    from schemax.api import DEFAULT_STORE

    return _blank(args.store) or _blank(os.environ.get("SCHEMAX_STORE")) or DEFAULT_STORE


def open_project(args: argparse.Namespace, output: Output) -> Any:
    from schemax.api import Project

    engine = engine_for(args, output)
    return Project.open(engine, _project_name(args), store=_store_name(args), author=_blank(args.author))


def _with_progress(project: Any, progress: Progress) -> Any:
    """Make every Deployer the project creates (deploy, rollback, promote) report progress."""
    from schemax.api import Project

    def deployer(**options: Any) -> Any:
        options.setdefault("progress", progress)
        return Project.deployer(project, **options)

    project.deployer = deployer  # instance attribute shadows the method for this object only
    return project


# ------------------------------------------------------------------------------------------------------
# commands


def _parse_env_spec(spec: str) -> tuple[str, dict[str, str]]:
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


def _pairs(values: Sequence[str], option: str) -> dict[str, str]:
    out = {}
    for v in values:
        k, sep, val = v.partition("=")
        if not sep or not k:
            raise UsageError(f"{option} {v!r}: expected NAME=VALUE")
        out[k] = val
    return out


def cmd_init(args: argparse.Namespace, output: Output) -> int:
    from schemax.api import Project

    envs = [_parse_env_spec(s) for s in args.env]
    prefixes = _pairs(args.schema_prefix, "--schema-prefix")
    names = {n for n, _ in envs}
    unknown = (set(prefixes) | set(args.production)) - names
    if unknown:
        raise UsageError(
            f"--schema-prefix/--production name environments not given with --env: {sorted(unknown)}"
        )
    engine = engine_for(args, output)
    project = Project.create(engine, _project_name(args), store=_store_name(args), author=_blank(args.author))
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
        output.doc({**to_jsonable(status), "snapshots": [_snapshot_dict(s) for s in status.snapshots]})
    else:
        output.line(str(status))
    return EXIT_OK


def _plan_text(plan: Any, with_sql: bool) -> list[str]:
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
    project = open_project(args, output)
    to = _blank(args.to)
    plan = project.plan(args.env, to=None if to == "latest" else to)
    blocked = False
    if args.check:
        env = project.environment(args.env)
        allowed = env.allow_breaking or getattr(project.settings(), "allow_breaking", False)
        blocked = bool(list(plan.breaking_changes or [])) and not allowed
    if output.json:
        output.doc({"environment": args.env, "plan": plan, "blocked": blocked})
    else:
        for line in _plan_text(plan, args.sql):
            output.line(line)
        if blocked:
            output.line(f"blocked: {args.env!r} does not allow these breaking changes")
    return EXIT_BLOCKED if blocked else EXIT_OK


def _deployment_summary(dep: Any, elapsed: float | None = None) -> str:
    took = f" in {elapsed:.1f}s" if elapsed is not None else ""
    return (
        f"{dep.kind} {dep.deployment_id} to {dep.environment}: {dep.status}, "
        f"{dep.from_version or '(nothing)'} -> "
        f"{dep.to_version}, {dep.applied}/{len(dep.statements)} statement(s){took}"
    )


def _deployment_doc(dep: Any) -> dict[str, Any]:
    doc = to_jsonable(dep)
    if isinstance(doc, dict) and getattr(dep, "plan", None) is not None and "plan" not in doc:
        doc["findings"] = to_jsonable(list(getattr(dep.plan, "findings", []) or []))
    return doc


def cmd_deploy(args: argparse.Namespace, output: Output) -> int:
    project = open_project(args, output)
    progress = Progress(output)
    _with_progress(project, progress)
    to = _blank(args.to)
    dep = project.deploy(
        args.env,
        to=None if to == "latest" else to,
        dry_run=args.dry_run,
        allow_breaking=args.allow_breaking,
        force=args.force,
        confirm=_blank(args.confirm),
        abandon=args.abandon,
        max_workers=args.max_workers,
    )
    return _report_deployment(dep, output, progress, dry_run=args.dry_run)


def _report_deployment(dep: Any, output: Output, progress: Progress, *, dry_run: bool = False) -> int:
    if output.json:
        output.doc({"deployment": _deployment_doc(dep), "dry_run": dry_run})
        return EXIT_OK
    if dry_run:
        output.line(
            f"dry run: {len(dep.statements)} statement(s) would run on {dep.environment} "
            f"({dep.from_version or '(nothing)'} -> {dep.to_version})"
        )
        for st in dep.statements:
            output.line(f"  {st.seq:>3}. {' '.join(st.sql.split())[:110]}")
    else:
        output.line(_deployment_summary(dep, progress.elapsed()))
    return EXIT_OK


def cmd_drift(args: argparse.Namespace, output: Output) -> int:
    project = open_project(args, output)
    output.note(f"scanning {args.env} ...")
    if args.import_drift:
        ops = project.import_drift(args.env)
        ops = list(ops or []) if not isinstance(ops, (int, dict)) else ops
        if output.json:
            output.doc({"environment": args.env, "imported_ops": ops})
        else:
            output.line(
                f"recorded {len(ops) if isinstance(ops, list) else ops} op(s) from {args.env}'s catalog"
            )
        return EXIT_OK
    report = project.check_drift(args.env)
    drifted = bool(getattr(report, "drifted", False))
    if output.json:
        output.doc({"environment": args.env, "drifted": drifted, "report": report})
    else:
        output.line(_drift_text(args.env, report))
    return EXIT_BLOCKED if drifted else EXIT_OK


def _drift_text(env: str, report: Any) -> str:
    summary = getattr(report, "summary", None)
    if callable(summary):  # DriftReport.summary(): grouped by table, for a terminal or a job log
        return str(summary())
    findings = list(getattr(report, "findings", []) or [])
    if not getattr(report, "drifted", bool(findings)):
        return f"no drift in {env}"
    lines = [f"drift in {env}: {len(findings)} finding(s)"]
    lines.extend(f"  {f}" for f in findings)
    return "\n".join(lines)


def cmd_snapshot(args: argparse.Namespace, output: Output) -> int:
    project = open_project(args, output)
    if args.snapshot_command == "create":
        snap = project.snapshot(
            args.name,
            version=_blank(args.snapshot_version),
            tags=args.tag,
            comment=args.comment,
            bump=args.bump,
        )
        if output.json:
            output.doc({"snapshot": _snapshot_dict(snap)})
        else:
            output.line(
                f"snapshot {snap.version} {snap.name!r}: {len(snap.op_ids)} op(s) since the previous one, "
                f"hash {snap.hash[:12]}"
            )
        return EXIT_OK
    snaps = project.snapshots()
    if output.json:
        output.doc({"snapshots": [_snapshot_dict(s) for s in snaps]})
    else:
        if not snaps:
            output.line("no snapshots yet")
        for s in snaps:
            output.line(
                f"{s.version:<10} {s.ts[:19]}  {s.created_by:<16} {len(s.op_ids):>4} op(s)  "
                f"{s.hash[:12]}  {s.name}"
            )
    return EXIT_OK


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
            f"{d.started_at[:19]}  {d.environment:<8} {d.kind:<8} {d.status:<11} "
            f"{d.from_version or '-'} -> {d.to_version}  {d.applied}/{len(d.statements)}  "
            f"{d.deployed_by}  {d.deployment_id}"
        )
        if d.error:
            output.line(f"    error: {d.error.splitlines()[0][:200]}")
        if args.sql:
            for st in d.statements:
                output.line(f"    {st.seq:>3}. [{st.status}] {' '.join(st.sql.split())[:100]}")
    return EXIT_OK


def cmd_rollback(args: argparse.Namespace, output: Output) -> int:
    project = open_project(args, output)
    progress = Progress(output)
    _with_progress(project, progress)
    options: dict[str, Any] = {"dry_run": args.dry_run, "force": args.force, "confirm": _blank(args.confirm)}
    dep = project.rollback(args.env, to=args.to, restore_data=args.restore_data, **options)
    return _report_deployment(dep, output, progress, dry_run=args.dry_run)


def cmd_promote(args: argparse.Namespace, output: Output) -> int:
    project = open_project(args, output)
    progress = Progress(output)
    _with_progress(project, progress)
    dep = project.promote(
        args.source,
        args.target,
        dry_run=args.dry_run,
        allow_breaking=args.allow_breaking,
        force=args.force,
        confirm=_blank(args.confirm),
    )
    return _report_deployment(dep, output, progress, dry_run=args.dry_run)


def cmd_import(args: argparse.Namespace, output: Output) -> int:
    if args.from_json:
        from schemax.api import Project

        if args.env or args.schemas or args.adopt:
            raise UsageError("import --from-json takes no environment, --schema or --adopt")
        engine = engine_for(args, output)
        name = _blank(args.project) or _blank(os.environ.get("SCHEMAX_PROJECT"))
        project = Project.import_json(
            engine, args.from_json, store=_store_name(args), name=name, author=_blank(args.author)
        )
        result = project.verify()
        if output.json:
            output.doc(
                {
                    "project": project.name,
                    "store": project.store.location,
                    "ops": result.ops,
                    "snapshots": result.snapshots,
                    "head": result.head,
                }
            )
        else:
            output.line(
                f"imported project {project.name} into {project.store.location}: {result.ops} op(s), "
                f"{result.snapshots} snapshot(s), verified"
            )
        return EXIT_OK
    if not args.env:
        raise UsageError("import needs an environment (or --from-json FILE)")
    project = open_project(args, output)
    output.note(f"reading {args.env}'s catalog ...")
    result = project.import_catalog(args.env, schemas=args.schemas, adopt=args.adopt)
    ops = list(getattr(result, "ops", []) or [])
    unrepresentable = list(getattr(result, "unrepresentable", []) or [])
    snapshot = getattr(result, "snapshot", None)
    if output.json:
        output.doc(
            {
                "environment": args.env,
                "adopted": args.adopt,
                "snapshot": snapshot,
                "ops": ops,
                "unrepresentable": unrepresentable,
                "notes": list(getattr(result, "notes", []) or []),
            }
        )
    else:
        adopted = f" (adopted as deployed: snapshot {snapshot})" if args.adopt else ""
        output.line(f"imported {len(ops)} op(s) from {args.env}{adopted}")
        for item in unrepresentable:
            output.line(f"  not representable (reported, not imported): {item}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace, output: Output) -> int:
    from schemax.core.hashing import canonical_json

    project = open_project(args, output)
    if args.file == "-":
        doc = project.to_export()
        if output.json:
            output.doc(doc)
        else:
            print(canonical_json(doc), file=output.out)
        return EXIT_OK
    path = project.export_json(args.file)
    doc = project.to_export()
    if output.json:
        output.doc({"path": str(path), "ops": len(doc["ops"]), "snapshots": len(doc["snapshots"])})
    else:
        output.line(f"wrote {path}: {len(doc['ops'])} op(s), {len(doc['snapshots'])} snapshot(s)")
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


COMMANDS: dict[str, Callable[[argparse.Namespace, Output], int]] = {
    "init": cmd_init,
    "status": cmd_status,
    "plan": cmd_plan,
    "deploy": cmd_deploy,
    "drift": cmd_drift,
    "snapshot": cmd_snapshot,
    "history": cmd_history,
    "rollback": cmd_rollback,
    "promote": cmd_promote,
    "import": cmd_import,
    "export": cmd_export,
    "verify": cmd_verify,
}


# ------------------------------------------------------------------------------------------------------
# errors and entry point


def exit_code_for(exc: BaseException) -> int:
    if isinstance(exc, BLOCKING_ERRORS):
        return EXIT_BLOCKED
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    return EXIT_ERROR


def _error_doc(exc: BaseException, code: int) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "type": type(exc).__name__,
        "message": str(exc).split("\n")[0],
        "exit_code": code,
        "blocked": code == EXIT_BLOCKED,
    }
    if isinstance(exc, BreakingChangeError):
        doc["findings"] = to_jsonable(exc.findings)
    elif isinstance(exc, DriftDetectedError):
        doc["report"] = to_jsonable(exc.report)
    elif isinstance(exc, DeploymentLockedError):
        doc.update(holder=exc.holder, expires=to_jsonable(exc.expires), environment=exc.environment)
    for attr in ("deployment_id", "applied", "sql", "kind"):
        value = getattr(exc, attr, None)
        if value is not None and isinstance(value, (str, int)):
            doc[attr] = value
    return doc


def _report_error(
    exc: BaseException, code: int, args: argparse.Namespace | None, out: TextIO, err: TextIO
) -> None:
    verbose = bool(args is not None and getattr(args, "verbose", 0))
    if args is not None and getattr(args, "json", False):
        print(
            json.dumps({"error": _error_doc(exc, code)}, indent=2, sort_keys=True, ensure_ascii=False),
            file=out,
        )
    if isinstance(exc, DriftDetectedError) and not (args is not None and getattr(args, "json", False)):
        print(_drift_text(getattr(exc.report, "environment", "") or "the environment", exc.report), file=out)
    if isinstance(exc, BreakingChangeError) and not (args is not None and getattr(args, "json", False)):
        for f in exc.findings:
            print(f"  {getattr(f, 'code', '')} {getattr(f, 'message', f)}", file=err)
    label = "blocked" if code == EXIT_BLOCKED else "error"
    message = str(exc).strip() or type(exc).__name__
    if not verbose:
        message = message.split("\n")[0]
    print(f"schemax: {label}: {message}", file=err)
    if verbose:
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=err)


def _configure_logging(verbose: int) -> None:
    level = logging.WARNING if verbose <= 0 else (logging.INFO if verbose == 1 else logging.DEBUG)
    logger = logging.getLogger("schemax")
    if not any(getattr(h, "_schemax_cli", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler._schemax_cli = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(level)


def run(argv: Sequence[str], out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run one command; returns its exit code (never raises, except SystemExit from --help/--version)."""
    out = out or sys.stdout
    err = err or sys.stderr
    args: argparse.Namespace | None = None
    output: Output | None = None
    try:
        args = build_parser().parse_args(list(argv))
        _configure_logging(args.verbose)
        output = Output(args, out, err)
        return COMMANDS[args.command](args, output)
    except SystemExit as exc:  # --help, --version
        return int(exc.code or 0) if not isinstance(exc.code, str) else EXIT_ERROR
    except (KeyboardInterrupt, Exception) as exc:  # noqa: BLE001 - every failure: one line and an exit code
        code = exit_code_for(exc)
        if output is not None and output.open_line:
            print(file=err)  # end the unfinished progress line first
        if isinstance(exc, UsageError) and args is None:
            print(f"{exc}\n(see schemax --help)", file=err)
            if any(a == "--json" for a in argv):
                print(json.dumps({"error": _error_doc(exc, code)}, indent=2, sort_keys=True), file=out)
            return code
        _report_error(exc, code, args, out, err)
        return code


def main(argv: Sequence[str] | None = None) -> int:
    """The ``schemax`` entry point. Returns the exit code; see the module docstring for ``argv=None``."""
    if argv is not None:
        return run(argv)
    code = run(sys.argv[1:])
    if code != EXIT_OK:
        # a python_wheel_task ignores the entry point's return value: fail the task explicitly
        raise SystemExit(code)
    return code


if __name__ == "__main__":  # python -m schemax.cli
    sys.exit(main())
