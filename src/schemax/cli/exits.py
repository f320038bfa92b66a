"""Exit codes and how a failure is reported: one line on stderr for people, ``{"error": {...}}`` on
stdout for ``--json``.

0 ok; 1 error (anything not below); 2 blocked: the error class says so (``SchemaxError.blocked``: drift,
breaking changes, a held deployment lock, a preflight proving a statement will fail, a stale saved plan),
as does ``plan --check`` finding changes the environment would refuse; 3 a deployment failed midway (a
statement failed after the deployment was recorded: deploying again resumes it); 4 usage (bad arguments,
an unusable ``--plan`` file); 5 not found (unknown project, environment, snapshot or design file); 6
unsupported (the engine cannot run the plan); 130 interrupted. Usage errors are not argparse's 2, so that 2
always means "blocked". The table is :data:`EXIT_CODES` (the first class that matches wins).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import traceback
from typing import Any, TextIO

from schemax.cli.output import drift_text, to_jsonable
from schemax.errors import (
    BreakingChangeError,
    DeploymentLockedError,
    DriftDetectedError,
    ExecutionError,
    IntegrityError,
    NotFoundError,
    PlanFileError,
    PreflightFailedError,
    SchemaxError,
    UnknownObjectError,
    UnsupportedError,
    UsageError,
)

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_BLOCKED = 2
EXIT_FAILED = 3
EXIT_USAGE = 4
EXIT_NOT_FOUND = 5
EXIT_UNSUPPORTED = 6
EXIT_INTERRUPTED = 130

#: Error class -> exit code, first match wins (after ``blocked``, which is 2 for any class that says so).
#: An unknown object in a design call is a bad op (``UnknownObjectError`` is a ValidationError): 1.
EXIT_CODES: tuple[tuple[type[BaseException], int], ...] = (
    (UnknownObjectError, EXIT_ERROR),
    (ExecutionError, EXIT_FAILED),
    (UsageError, EXIT_USAGE),
    (PlanFileError, EXIT_USAGE),
    (NotFoundError, EXIT_NOT_FOUND),
    (UnsupportedError, EXIT_UNSUPPORTED),
)

#: Attributes of an error copied into its JSON document when they are a string or a number.
_DATA_ATTRIBUTES = (
    "deployment_id",
    "applied",
    "total",
    "sql",
    "kind",
    "environment",
    "version",
    "to_version",
    "table",
    "oldest_version",
    "action",
    "argument",
    "file",
    "line",
    "column",
    "seq",
    "store_op",
    "file_op",
    "reason",
    "path",
    "what",
    "name",
    "planned_fingerprint",
    "current_fingerprint",
    "record",
    "field",
    "scan_id",
)


def exit_code_for(exc: BaseException) -> int:
    """2 for an error whose class is ``blocked``, 130 for an interrupt, the code of :data:`EXIT_CODES`
    for its class, else 1."""
    if isinstance(exc, SchemaxError) and exc.blocked:
        return EXIT_BLOCKED
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    return next((code for cls, code in EXIT_CODES if isinstance(exc, cls)), EXIT_ERROR)


def error_doc(exc: BaseException, code: int) -> dict[str, Any]:
    """The ``{"error": ...}`` document of a failure: type, message, exit code and the error's data."""
    doc: dict[str, Any] = {
        "type": type(exc).__name__,
        "message": (exc.cli_message() if isinstance(exc, SchemaxError) else str(exc)).split("\n")[0],
        "exit_code": code,
        "blocked": code == EXIT_BLOCKED,
    }
    if isinstance(exc, (BreakingChangeError, PreflightFailedError)):
        doc["findings"] = to_jsonable(exc.findings)
    elif isinstance(exc, DriftDetectedError):
        doc["report"] = to_jsonable(exc.report)
    elif isinstance(exc, DeploymentLockedError):
        doc.update(holder=exc.holder, expires=to_jsonable(exc.expires), environment=exc.environment)
    elif isinstance(exc, IntegrityError):  # every row that does not match (issue 16)
        doc["problems"] = [dataclasses.asdict(p) for p in exc.problems]
    elif isinstance(exc, NotFoundError):
        doc.update(suggestions=list(getattr(exc, "suggestions", [])), known=list(getattr(exc, "known", [])))
    for attr in _DATA_ATTRIBUTES:
        value = getattr(exc, attr, None)
        if value is not None and isinstance(value, (str, int)):
            doc[attr] = value
    return doc


def report_error(
    exc: BaseException, code: int, args: argparse.Namespace | None, out: TextIO, err: TextIO
) -> None:
    """Print a failure: the JSON document (``--json``), drift or findings, then one line on stderr."""
    verbose = bool(args is not None and getattr(args, "verbose", 0))
    as_json = bool(args is not None and getattr(args, "json", False))
    if as_json:
        print(
            json.dumps({"error": error_doc(exc, code)}, indent=2, sort_keys=True, ensure_ascii=False),
            file=out,
        )
    if isinstance(exc, DriftDetectedError) and not as_json:
        print(drift_text(getattr(exc.report, "environment", "") or "the environment", exc.report), file=out)
    if isinstance(exc, BreakingChangeError) and not as_json:
        for f in exc.findings:
            print(f"  {getattr(f, 'code', '')} {getattr(f, 'message', f)}", file=err)
    if isinstance(exc, PreflightFailedError) and not as_json:
        for f in exc.findings:
            evidence = getattr(getattr(f, "evidence", None), "summary", "")
            print(f"  {getattr(f, 'code', '')} {getattr(f, 'object_name', '')}: {evidence}", file=err)
    label = {EXIT_BLOCKED: "blocked", EXIT_INTERRUPTED: "interrupted"}.get(code, "error")
    # the message in the command line's terms (--abandon, --confirm ENV), not the Python API's
    text = exc.cli_message() if isinstance(exc, SchemaxError) else str(exc)
    message = text.strip() or ("stopped (Ctrl-C)" if code == EXIT_INTERRUPTED else type(exc).__name__)
    if not verbose:
        message = message.split("\n")[0]
    print(f"schemax: {label}: {message}", file=err)
    if verbose:
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=err)


__all__ = [
    "EXIT_BLOCKED",
    "EXIT_CODES",
    "EXIT_ERROR",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_NOT_FOUND",
    "EXIT_OK",
    "EXIT_UNSUPPORTED",
    "EXIT_USAGE",
    "error_doc",
    "exit_code_for",
    "report_error",
]
