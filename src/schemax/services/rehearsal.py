"""Rehearsal: a dry run that really runs. The plan runs on copies of the tables it touches, in scratch
schemas, and reports per statement what happened and how long it took; nothing is recorded and the
scratch schemas are dropped at the end.

Steps (the SQL comes from :mod:`schemax.plan.scratch`, which also explains the copies):

1. plan the deploy as usual (:meth:`Deployer.plan`), refuse what the engine cannot run, and plan it again
   for the same states with a target whose schemas are scratch twins (``sx_rehearsal_<token>_<schema>``,
   in the same physical catalogs): the statements name the scratch schemas because the planner named
   them so, no SQL is rewritten;
2. create the scratch schemas the plan expects to exist; copy the touched tables in, each with
   ``SHALLOW CLONE`` (its data, no files copied) or, where that is refused, ``CREATE TABLE … LIKE`` (an
   empty copy); create the existing views the plan's views read;
3. run the statements in plan order, one at a time, timing each; the first failure stops the run (the
   statements after it depend on it) and the rest are ``not_run``; statements on catalogs are
   ``skipped`` (a rehearsal never changes a real catalog);
4. drop every scratch schema (``DROP SCHEMA … CASCADE``), whatever happened.

The environment's lock, deployment records and statement records are never touched.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from schemax.display import rehearsal_html
from schemax.errors import UnsupportedError
from schemax.plan import Plan
from schemax.plan.scratch import (
    create_schema_sql,
    drop_schema_sql,
    empty_copy_sql,
    is_rehearsable,
    needed,
    object_name,
    rehearsal_plan,
    scratch_prefix,
    scratch_schemas,
    setup_statements,
    shallow_clone_sql,
)
from schemax.plan.statements import Statement
from schemax.ports import SqlExecutor
from schemax.services.deploy import Deployer
from schemax.services.preflight import table_names

log = logging.getLogger("schemax.rehearsal")


@dataclass(frozen=True)
class CopiedTable:
    """One live table copied into the scratch space: how (``shallow_clone``, ``empty_copy``, ``failed``)."""

    source: str
    copy: str
    mode: str
    seconds: float
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "copy": self.copy, "mode": self.mode,
                "seconds": round(self.seconds, 3), "error": self.error}


@dataclass(frozen=True)
class RehearsedStatement:
    """One statement of the rehearsal: ``applied``, ``failed``, ``skipped`` (catalog-level) or ``not_run``
    (after a failure), with its time."""

    seq: int
    sql: str
    status: str
    seconds: float | None = None
    error: str | None = None
    object_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "sql": self.sql, "status": self.status,
                "seconds": round(self.seconds, 3) if self.seconds is not None else None,
                "error": self.error, "object_id": self.object_id}


@dataclass(frozen=True)
class Rehearsal:
    """What a rehearsal did: the copies, the setup (views), every statement, and the cleanup."""

    environment: str
    prefix: str
    plan: Plan
    copies: tuple[CopiedTable, ...]
    setup: tuple[RehearsedStatement, ...]
    statements: tuple[RehearsedStatement, ...]
    schemas: tuple[str, ...]
    cleanup_errors: tuple[str, ...]
    seconds: float

    @property
    def failures(self) -> list[RehearsedStatement]:
        """The plan's statements that failed (at most one: the first failure stops the run)."""
        return [s for s in self.statements if s.status == "failed"]

    @property
    def ok(self) -> bool:
        """True when every statement ran (or was skipped as catalog-level)."""
        return not self.failures and all(s.status in ("applied", "skipped") for s in self.statements)

    @property
    def empty_copies(self) -> list[CopiedTable]:
        """Tables copied without their data: their data-dependent statements proved nothing."""
        return [c for c in self.copies if c.mode == "empty_copy"]

    def lines(self) -> list[str]:
        head = (f"rehearsal {self.environment}: {len(self.statements)} statement(s) on copies of "
                f"{len(self.copies)} table(s) in {self.seconds:.1f}s; "
                + (f"statement {self.failures[0].seq} failed" if self.failures else "every statement ran"))
        out = [head]
        for c in self.copies:
            out.append(f"  copy {c.source} -> {c.copy}: {c.mode.replace('_', ' ')}"
                       + (f" ({c.error})" if c.error else ""))
        steps = [*(("setup", s) for s in self.setup), *((f"{s.seq:>4}.", s) for s in self.statements)]
        for label, s in steps:
            took = f"{s.seconds:.2f}s" if s.seconds is not None else "-"
            out.append(f"  {label:>5} {s.status:<8} {took:>7}  {' '.join(s.sql.split())[:100]}")
            if s.error:
                out.append(f"       error: {' '.join(s.error.split())[:300]}")
        out.append("  scratch schemas dropped" if not self.cleanup_errors
                   else f"  cleanup failed: {'; '.join(self.cleanup_errors)}")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "environment": self.environment, "prefix": self.prefix, "ok": self.ok,
            "seconds": round(self.seconds, 3), "copies": [c.to_dict() for c in self.copies],
            "setup": [s.to_dict() for s in self.setup], "statements": [s.to_dict() for s in self.statements],
            "schemas": list(self.schemas), "cleanup_errors": list(self.cleanup_errors),
        }

    def __repr__(self) -> str:
        state = f"failed at {self.failures[0].seq}" if self.failures else "ok"
        return f"Rehearsal({self.environment!r}, {len(self.statements)} statement(s), {state})"

    def _repr_html_(self) -> str:
        return rehearsal_html(self)


def _message(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:2000]


def _copy(executor: SqlExecutor, source: str, copy: str) -> CopiedTable:
    """SHALLOW CLONE, else an empty copy with the same schema (see :mod:`schemax.plan.scratch`)."""
    started = time.monotonic()
    try:
        executor.execute(shallow_clone_sql(copy, source))
        return CopiedTable(source, copy, "shallow_clone", time.monotonic() - started)
    except Exception as exc:  # noqa: BLE001 - any refusal: fall back to an empty copy
        clone_error = _message(exc)
    try:
        executor.execute(empty_copy_sql(copy, source))
        return CopiedTable(source, copy, "empty_copy", time.monotonic() - started,
                           f"SHALLOW CLONE refused ({clone_error[:200]}): empty copy, no data")
    except Exception as exc:  # noqa: BLE001 - the statements on it will fail and say so
        return CopiedTable(source, copy, "failed", time.monotonic() - started, _message(exc))


def _run(executor: SqlExecutor, statements: tuple[Statement, ...], first_seq: int,
         progress: Callable[[RehearsedStatement], None] | None) -> list[RehearsedStatement]:
    out: list[RehearsedStatement] = []
    failed = False
    for seq, st in enumerate(statements, start=first_seq):
        if failed:
            out.append(RehearsedStatement(seq, st.sql, "not_run", object_id=st.object_id))
            continue
        if not is_rehearsable(st):
            out.append(RehearsedStatement(seq, st.sql, "skipped", error="catalog-level: not rehearsed",
                                          object_id=st.object_id))
            continue
        started = time.monotonic()
        try:
            executor.execute(st.sql)
            done = RehearsedStatement(seq, st.sql, "applied", time.monotonic() - started,
                                      object_id=st.object_id)
        except Exception as exc:  # noqa: BLE001 - a failure is what a rehearsal is for: reported
            failed = True
            done = RehearsedStatement(seq, st.sql, "failed", time.monotonic() - started, _message(exc),
                                      st.object_id)
        out.append(done)
        if progress is not None:
            progress(done)
    return out


def rehearse(deployer: Deployer, env_name: str, to: str | None = None, *, token: str | None = None,
             progress: Callable[[RehearsedStatement], None] | None = None) -> Rehearsal:
    """Rehearse deploying ``to`` (default: the latest snapshot) to ``env_name`` on scratch copies (see
    the module docstring). Raises :class:`~schemax.errors.UnsupportedError` for a plan the engine cannot
    run; every statement failure is reported in the result instead."""
    started = time.monotonic()
    executor = deployer.executor
    env = deployer.records.environment(env_name)
    plan = deployer.plan(env_name, to)
    if plan.unsupported:
        raise UnsupportedError(plan.unsupported)
    prefix = scratch_prefix(token or uuid.uuid4().hex[:8])
    scratch = rehearsal_plan(plan, prefix)
    tables, views = needed(scratch)
    create, drop = scratch_schemas(scratch, scratch.target, [*tables, *views])
    live = table_names(plan.before, env)
    copies: list[CopiedTable] = []
    setup: list[RehearsedStatement] = []
    statements: list[RehearsedStatement] = []
    cleanup: list[str] = []
    log.info("rehearsing %s in %s*: %d statement(s), %d table(s) to copy", env_name, prefix,
             len(scratch.statements), len(tables))
    try:
        for name in create:
            executor.execute(create_schema_sql(name))
        for tid in tables:
            copies.append(_copy(executor, live[tid], object_name(plan.before, tid, scratch.target)))
        setup = _run(executor, setup_statements(scratch, views, scratch.target), 1, None)
        statements = _run(executor, scratch.statements, 1, progress)
    finally:
        for name in drop:
            try:
                executor.execute(drop_schema_sql(name))
            except Exception as exc:  # noqa: BLE001 - reported: a scratch schema may be left behind
                cleanup.append(f"{name}: {_message(exc)[:300]}")
                log.error("rehearsal could not drop scratch schema %s: %s", name, exc)
    result = Rehearsal(env_name, prefix, scratch, tuple(copies), tuple(setup), tuple(statements),
                       tuple(drop), tuple(cleanup), time.monotonic() - started)
    log.info("%s", result.lines()[0])
    return result


__all__ = ["CopiedTable", "RehearsedStatement", "Rehearsal", "rehearse"]
