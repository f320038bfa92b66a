"""The ``schemax`` argument parser: global options (valid before and after the command) and one
subcommand per command, with the exit codes and environment variables in every ``--help``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, NoReturn

from schemax import __version__
from schemax.errors import UsageError

EPILOG = """\
exit codes:
  0    success (drift: no drift found)
  1    error (integrity failure, engine unavailable, a refused snapshot, ...)
  2    blocked: drift detected, breaking changes not allowed, the environment is locked by another
       deployment, a saved plan is stale ("deploy --plan"), "plan --check" found changes the
       environment would refuse, or a preflight proved a statement will fail on the data
       ("preflight", "deploy"; a failure in "deploy --rehearse")
  3    a deployment failed midway (recorded; deploying again resumes it)
  4    usage: bad arguments, an unusable --plan file
  5    not found: unknown project, environment, snapshot or design file
  6    unsupported: the engine cannot run the plan
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
    p.add_argument(
        "--format",
        choices=("text", "markdown", "json"),
        default="text",
        help="text for a terminal (default), markdown for a pull-request comment, json (the plan alone)",
    )
    p.add_argument(
        "--design",
        action="append",
        default=[],
        metavar="PATH",
        help="plan the design in these files or directories, as if synced (nothing is recorded); "
        "repeatable. For reviewing a pull request",
    )
    p.add_argument(
        "--out",
        metavar="FILE",
        help="also write the plan to FILE for sign-off (deterministic JSON with a fingerprint); "
        "'deploy ENV --plan FILE' runs exactly it or refuses when it is stale",
    )

    p = command("deploy", "deploy a snapshot (default: latest) to an environment")
    p.add_argument("env")
    p.add_argument("--to", help="snapshot version (default: latest)")
    p.add_argument(
        "--plan",
        dest="plan_file",
        metavar="FILE",
        help="run exactly the plan 'plan ENV --out FILE' wrote; refused (exit 2) when the environment or "
        "the snapshot moved since",
    )
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
    p.add_argument(
        "--preflight",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="probe the live data first and refuse a plan it makes fail (default: the environment's "
        "setting; on for production)",
    )
    p.add_argument(
        "--rehearse",
        action="store_true",
        help="run the plan on scratch copies of the tables it touches, time each statement, drop the "
        "copies; records nothing (exit 2 if a statement fails)",
    )

    p = command(
        "preflight",
        "ask the environment's live tables whether the data lets the plan succeed (read-only; exit 2 if a "
        "statement will fail)",
    )
    p.add_argument("env")
    p.add_argument("--to", help="snapshot version (default: latest; 'working' for the unsnapshotted state)")
    p.add_argument("--timeout", type=float, help="seconds to wait for every table (default 300)")
    p.add_argument(
        "--sample-above-bytes",
        type=int,
        help="count a 10%% sample of tables larger than this instead of every row "
        "(a zero then proves nothing)",
    )
    p.add_argument("--small-below-bytes", type=int, help="cost class threshold (default 1 GiB)")
    p.add_argument("--large-from-bytes", type=int, help="cost class threshold (default 100 GiB)")

    p = command("drift", "compare the live catalog with the environment; exit 2 on drift")
    p.add_argument("env")
    p.add_argument(
        "--import",
        dest="import_drift",
        action="store_true",
        help="record what was found as ops, so that the project catches up with the catalog",
    )
    p.add_argument(
        "--restamp",
        action="store_true",
        help="repair drift that is only in schemax's tracking properties (schemax.version / schemax.hash) "
        "by stamping those tables again; refused if anything else drifted",
    )
    p.add_argument(
        "--confirm", metavar="ENV", help="confirm an import or a re-stamp of an environment that requires it"
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
    p.add_argument(
        "--allow-data-loss",
        action="store_true",
        help="with --restore-data: roll back even though the RESTORE discards rows written since",
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
    p.add_argument("--from-json", metavar="FILE",
                   help="load a project exported with 'schemax export' (format schemax.project/1 or /2)")

    p = command(
        "sync",
        "record the ops that make the log hold the design files' state (one commit; idempotent)",
    )
    p.add_argument("files", nargs="+", metavar="PATH", help="design files, or directories of *.yml / *.yaml")
    p.add_argument(
        "--check",
        action="store_true",
        help="record nothing: print the ops a sync would record, exit 2 if there are any (a CI gate)",
    )
    p.add_argument(
        "--snapshot",
        metavar="NAME",
        help="then take a snapshot NAME when there are ops not in a snapshot (empty: no snapshot)",
    )
    p.add_argument(
        "--snapshot-version", help="the snapshot's version (default or empty: bump the latest)"
    )
    p.add_argument("--bump", choices=("major", "minor", "patch"), default="minor")

    p = command("export-design", "write the working state as design files, one per schema")
    p.add_argument(
        "directory", help="where to write them (created if missing; the files it wrote before are replaced)"
    )

    p = command("export", "write the project (ops, snapshots, deployment history) as one JSON document "
                          "(format schemax.project/2), laid out to diff well in a pull request")
    p.add_argument("file", nargs="?", default="-", help="output file (default '-': stdout)")
    p.add_argument("--canonical", action="store_true",
                   help="one canonical line (sorted keys, no whitespace) instead of one op per line")

    command("verify", "re-hash the op log and every snapshot")

    p = command("env", "list, add and change environments, approve snapshots for them")
    env = p.add_subparsers(dest="env_command", metavar="<list|add|set|approve|check>", parser_class=_Parser)
    env.required = True
    el = env.add_parser("list", help="every environment with its catalog mapping and settings")
    _global_options(el, in_command=True)
    ec = env.add_parser(
        "check", help="storage locations two environments would share, or one cannot resolve; exit 2 if any",
        description="Resolve every storage location of the working state (s3://${env.storage_root}/sales) "
        "for every environment: list the paths two environments would share (the same path, or one inside "
        "the other) and the variables an environment does not define. Exit 2 when there is any.")
    _global_options(ec, in_command=True)
    for name, help_text in (("add", "add an environment"), ("set", "change an environment's settings")):
        ep = env.add_parser(name, help=help_text, description=help_text)
        _global_options(ep, in_command=True)
        ep.add_argument("name", metavar="ENV")
        _environment_options(ep, adding=name == "add")
    ea = env.add_parser("approve", help="approve a snapshot for an environment that requires approval")
    _global_options(ea, in_command=True)
    ea.add_argument("name", metavar="ENV")
    ea.add_argument("version", metavar="VERSION")
    ea.add_argument("--comment")

    p = command("diff", "the plan between two snapshots, in logical names (runs nothing)")
    p.add_argument("source", metavar="FROM", help="snapshot version, or 'empty' for an empty catalog")
    p.add_argument("target", metavar="TO", nargs="?", default="working",
                   help="snapshot version, or 'working' (default) for the state not snapshotted yet")
    p.add_argument("--sql", action="store_true", help="print the SQL script")
    p.add_argument("--format", choices=("text", "markdown", "json"), default="text")

    p = command("ops", "the ops recorded since the latest snapshot (the pending changes)")
    p.add_argument("--all", action="store_true", help="every op of the log, not only the pending ones")
    return parser


#: ``env add|set`` switches: option -> Environment field (each has a --no- form)
ENV_SWITCHES = {
    "allow-breaking": "allow_breaking",
    "allow-drift": "allow_drift",
    "require-snapshot": "require_snapshot",
    "require-confirmation": "require_confirmation",
    "require-approval": "require_approval",
    "production": "production",
    "preflight": "preflight",
}


def _environment_options(p: argparse.ArgumentParser, *, adding: bool) -> None:
    for option, field in ENV_SWITCHES.items():
        p.add_argument(f"--{option}", dest=field, action=argparse.BooleanOptionalAction, default=None,
                       help=f"the environment's {field} setting")
    p.add_argument(
        "--catalog",
        action="append",
        default=[],
        metavar="LOGICAL:PHYSICAL",
        help="map a logical catalog to a physical one (repeatable"
        + ("" if adding else "; replaces the mapping of that logical catalog") + ")",
    )
    p.add_argument("--schema-prefix", help="prefix of the environment's schema names")
    p.add_argument("--lock-ttl", dest="lock_ttl_seconds", type=int, help="deployment lock TTL in seconds")
    p.add_argument("--unsupported", choices=("skip", "refuse"), default=None,
                   help="what the engine does not emulate (tags, grants, owners, row filters, masks on a "
                        "local engine): skip those statements (listed in the plan) or refuse the plan")
    p.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a variable storage locations name as ${env.NAME} (s3://${env.storage_root}/sales); repeatable"
        + ("" if adding else "; replaces that variable's value"),
    )
    if not adding:
        p.add_argument("--unset-var", action="append", default=[], metavar="NAME",
                       help="remove a variable (repeatable)")



__all__ = ["ENV_SWITCHES", "EPILOG", "build_parser"]
