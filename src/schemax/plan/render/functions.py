"""SQL and Python functions: ``CREATE OR REPLACE FUNCTION`` (a SQL body's relations and function calls
mapped to their physical names); a new parameter list is a ``DROP FUNCTION`` and a create, because Unity
Catalog replaces a function only with the same signature. A re-created function gets its grants again
right after.
"""

from __future__ import annotations

from typing import Any

from schemax.core import changes as ch
from schemax.core.model import State
from schemax.core.names import sql_string
from schemax.core.signatures import signature_changes
from schemax.plan.render.common import _drop, _grant_statements, _grants_again
from schemax.plan.render.context import Ctx
from schemax.plan.render.grants import _grant_all
from schemax.plan.render.script import Script, renders
from schemax.plan.statements import Risk


def _function_sql(ctx: Ctx, fn: Any, name: str, state: State) -> tuple[str, str, str | None]:
    """(SQL, capability, note) of CREATE OR REPLACE FUNCTION."""
    head = f"CREATE OR REPLACE FUNCTION {name}({fn.parameters}) RETURNS {fn.returns}"
    comment = f" COMMENT {sql_string(fn.comment)}" if fn.comment is not None else ""
    if fn.language == "PYTHON":
        if "$$" in fn.body:
            raise ValueError(f"function {fn.name}: a Python body cannot contain '$$'")
        return f"{head} LANGUAGE PYTHON{comment} AS $$\n{fn.body}\n$$", "python_functions", None
    body, note = ctx.map_sql(fn.body, fn.schema_id, state)
    if note is not None and "select" not in fn.body.lower():
        body, note = fn.body, None  # an expression the parser cannot read stays as written, as before
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
    # undoing re-creates the old function, so it also gives the old function its grants back
    old = ";\n".join([_function_sql(ctx, c.before, name, ctx.after)[0], *_grant_statements(c.before, name)])
    if signature_changes(c.before, c.after):
        # a new parameter list cannot be replaced in place (UC-39, see signature_changes): drop, then create
        script.add(
            f"DROP FUNCTION IF EXISTS {name}",
            c,
            ctx,
            risk=Risk.BREAKING,
            capability=capability,
            reverse=old,
            note="Unity Catalog replaces a function only with the same parameter types: it is dropped and "
            "created again, and its grants given again right after",
        )
        script.add(sql, c, ctx, capability=capability, note=note, reverse=f"DROP FUNCTION IF EXISTS {name}")
    else:
        script.add(sql, c, ctx, capability=capability, note=note, reverse=old)
    # whether a replace keeps the grants is not documented (UC-39); a re-created function has none: either
    # way they are given again right after, not in the final grant phase
    _grants_again(script, ctx, c, c.after, name)
