"""The ``schemax`` command line: plan, deploy, scan and inspect a schemax project from a shell, CI or a job.

    schemax --local --project shop init --env dev=shop:spark_catalog --schema-prefix dev=dev_
    schemax --local --project shop snapshot create "Initial schema"
    schemax --local --project shop plan dev
    schemax --local --project shop deploy dev
    schemax --profile prod --warehouse-id 1234abcd --project shop --store main.schemax drift prod

Where SQL runs (first that applies; :mod:`schemax.engines` decides):

1. ``--local``: the embedded Spark + Delta engine (``schemax.local``), or the SparkSession already active
   in this process;
2. ``--warehouse-id`` (or ``DATABRICKS_WAREHOUSE_ID``): a SQL warehouse through the Statement Execution
   API, authenticated by ``--profile`` / the ``DATABRICKS_*`` variables (databricks-sdk's unified auth);
3. ``--connect``: Databricks Connect (``--profile``, ``--cluster-id`` or ``--serverless``);
4. ``--runtime``, or on Databricks (``DATABRICKS_RUNTIME_VERSION`` set): the runtime's SparkSession (the
   cluster's, or serverless compute's; the bundle's jobs pass ``--runtime``);
5. otherwise the embedded engine, as with ``--local``.

Exit codes: 0 ok; 1 error; 2 blocked (an error whose class is ``blocked``: drift, breaking changes, a
held deployment lock, a preflight that proved a statement will fail, a stale saved plan; or ``plan
--check`` found changes the environment would refuse, ``preflight`` found a statement that will fail,
``deploy --rehearse`` saw one fail); 3 a deployment failed midway; 4 usage; 5 unknown project,
environment or snapshot; 6 unsupported by the engine; 130 interrupted (see :mod:`schemax.cli.exits`).
Usage errors are not argparse's 2, so that 2 always means "blocked". With ``--json`` every command
prints exactly one JSON document on stdout (errors included: ``{"error": {...}}``); progress and logs go
to stderr.

Called without ``argv`` (as the ``schemax`` console script, or as a Databricks ``python_wheel_task`` entry
point, which ignores return values) :func:`main` raises ``SystemExit`` with a non-zero code so that the
process or the job task fails; called with ``argv`` it returns the code.

The package: ``parser`` (options and subcommands), ``output`` (text, JSON, progress), ``exits`` (exit codes
and error reports), ``context`` (engine, project, store), and one module per command group
(``project_commands``, ``deploy_commands``, ``drift_commands``, ``design_commands``,
``preflight_commands``, ``env_commands``).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from schemax.cli.context import engine_for, open_project
from schemax.cli.deploy_commands import cmd_deploy, cmd_history, cmd_plan, cmd_promote, cmd_rollback
from schemax.cli.design_commands import cmd_export_design, cmd_sync
from schemax.cli.drift_commands import cmd_drift
from schemax.cli.env_commands import cmd_diff, cmd_env, cmd_ops
from schemax.cli.exits import (
    EXIT_BLOCKED,
    EXIT_CODES,
    EXIT_ERROR,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_NOT_FOUND,
    EXIT_OK,
    EXIT_UNSUPPORTED,
    EXIT_USAGE,
    error_doc,
    exit_code_for,
    report_error,
)
from schemax.cli.output import Output, Progress, to_jsonable
from schemax.cli.parser import EPILOG, build_parser
from schemax.cli.preflight_commands import cmd_preflight
from schemax.cli.project_commands import (
    cmd_export,
    cmd_import,
    cmd_init,
    cmd_snapshot,
    cmd_status,
    cmd_verify,
)
from schemax.errors import UsageError

COMMANDS: dict[str, Callable[[argparse.Namespace, Output], int]] = {
    "init": cmd_init,
    "status": cmd_status,
    "plan": cmd_plan,
    "deploy": cmd_deploy,
    "preflight": cmd_preflight,
    "drift": cmd_drift,
    "snapshot": cmd_snapshot,
    "history": cmd_history,
    "rollback": cmd_rollback,
    "promote": cmd_promote,
    "import": cmd_import,
    "export": cmd_export,
    "sync": cmd_sync,
    "export-design": cmd_export_design,
    "verify": cmd_verify,
    "env": cmd_env,
    "diff": cmd_diff,
    "ops": cmd_ops,
}


def configure_logging(verbose: int) -> None:
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
        configure_logging(args.verbose)
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
                print(json.dumps({"error": error_doc(exc, code)}, indent=2, sort_keys=True), file=out)
            return code
        report_error(exc, code, args, out, err)
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


__all__ = [
    "COMMANDS",
    "EPILOG",
    "EXIT_BLOCKED",
    "EXIT_CODES",
    "EXIT_ERROR",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_NOT_FOUND",
    "EXIT_OK",
    "EXIT_UNSUPPORTED",
    "EXIT_USAGE",
    "Output",
    "Progress",
    "UsageError",
    "build_parser",
    "engine_for",
    "exit_code_for",
    "main",
    "open_project",
    "run",
    "to_jsonable",
]
