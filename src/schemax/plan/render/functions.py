"""SQL and Python functions: ``CREATE OR REPLACE FUNCTION`` (a SQL body's relations mapped to their
physical names), with its grants given again after a replace.
"""

from __future__ import annotations

from typing import Any

from schemax.core import changes as ch
from schemax.core.model import State
from schemax.core.names import sql_string
from schemax.plan.render.common import _drop
from schemax.plan.render.context import Ctx
from schemax.plan.render.grants import _grant_all
from schemax.plan.render.script import Script, renders


def _function_sql(ctx: Ctx, fn: Any, name: str, state: State) -> tuple[str, str, str | None]:
    """(SQL, capability, note) of CREATE OR REPLACE FUNCTION."""
    head = f"CREATE OR REPLACE FUNCTION {name}({fn.parameters}) RETURNS {fn.returns}"
    comment = f" COMMENT {sql_string(fn.comment)}" if fn.comment is not None else ""
    if fn.language == "PYTHON":
        if "$$" in fn.body:
            raise ValueError(f"function {fn.name}: a Python body cannot contain '$$'")
        return f"{head} LANGUAGE PYTHON{comment} AS $$\n{fn.body}\n$$", "python_functions", None
    body, note = ctx.map_sql(fn.body, fn.schema_id, state) if "select" in fn.body.lower() else (fn.body, None)
    return f"{head}{comment} RETURN {body}", "functions", note


@renders(ch.CreateFunction)
def _create_function(c: ch.CreateFunction, ctx: Ctx, script: Script) -> None:
    name = ctx.name(c.after.id)
    sql, capability, note = _function_sql(ctx, c.after, name, ctx.after)
    script.add(sql, c, ctx, capability=capability, reverse=f"DROP FUNCTION IF EXISTS {name}", note=note)
    _grant_all(script, ctx, c, c.after.id, c.after.grants)


@renders(ch.DropFunction)
def _drop_function(c: ch.DropFunction, ctx: Ctx, script: Script) -> None:
    capability = "python_functions" if c.before.language == "PYTHON" else "functions"
    reverse = _function_sql(ctx, c.before, ctx.name(c.before.id), ctx.before)[0]
    _drop(script, ctx, c, "FUNCTION", capability, reverse=reverse)


@renders(ch.AlterFunction)
def _alter_function(c: ch.AlterFunction, ctx: Ctx, script: Script) -> None:
    name = ctx.name(c.after.id)
    sql, capability, note = _function_sql(ctx, c.after, name, ctx.after)
    script.add(
        sql,
        c,
        ctx,
        capability=capability,
        note=note,
        reverse=_function_sql(ctx, c.before, name, ctx.after)[0],
    )
    _grant_all(script, ctx, c, c.after.id, c.after.grants)
