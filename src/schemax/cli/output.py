"""What the ``schemax`` command prints: text for people, one JSON document for machines, progress on
stderr.

With ``--json`` every command prints exactly one JSON document on stdout (:func:`to_jsonable` turns what
the API returns into JSON-ready values); progress and logs go to stderr.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import enum
import json
import os
import time
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from schemax.display.history import env_colour


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


def snapshot_dict(s: Any) -> dict[str, Any]:
    return {**to_jsonable(s.header()), "hash": s.hash}


class Output:
    """Where a command's result goes: text for people, one JSON document for machines."""

    def __init__(self, args: argparse.Namespace, out: TextIO, err: TextIO) -> None:
        self.json = bool(args.json)
        self.quiet = bool(args.quiet)
        self.out = out
        self.err = err
        self.open_line = False  # a progress line on a terminal that is not finished yet
        # environment names in their colour on a terminal (the HTML views' colour, display.env_colour);
        # NO_COLOR (https://no-color.org) turns it off, FORCE_COLOR on where output is not a terminal
        terminal = hasattr(out, "isatty") and out.isatty()
        self.colour = not self.json and "NO_COLOR" not in os.environ and (
            terminal or bool(os.environ.get("FORCE_COLOR")))

    def env(self, name: str, width: int = 0) -> str:
        """An environment's name for text output, padded to ``width``, in its colour when :attr:`colour`."""
        padded = f"{name:<{width}}"
        if not self.colour:
            return padded
        rgb = env_colour(name).lstrip("#")
        r, g, b = (int(rgb[i:i + 2], 16) for i in (0, 2, 4))
        return f"\x1b[1;38;2;{r};{g};{b}m{name}\x1b[0m{padded[len(name):]}"

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


def drift_text(env: str, report: Any) -> str:
    summary = getattr(report, "summary", None)
    if callable(summary):  # DriftReport.summary(): grouped by table, for a terminal or a job log
        return str(summary())
    findings = list(getattr(report, "findings", []) or [])
    if not getattr(report, "drifted", bool(findings)):
        return f"no drift in {env}"
    lines = [f"drift in {env}: {len(findings)} finding(s)"]
    lines.extend(f"  {f}" for f in findings)
    return "\n".join(lines)


__all__ = ["Output", "Progress", "drift_text", "snapshot_dict", "to_jsonable"]
