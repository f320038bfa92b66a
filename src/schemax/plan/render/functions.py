"""SQL and Python functions: ``CREATE OR REPLACE FUNCTION`` (a SQL body's relations and function calls
mapped to their physical names); a new parameter list is a ``DROP FUNCTION`` and a create, because Unity
Catalog replaces a function only with the same signature. A re-created function gets its grants again
right after.
"""

from __future__ import annotations

from typing import Any

from schemax.core.model import State
from schemax.core.names import sql_string
from schemax.core.types import TypeParseError, normalize_type
from schemax.plan import changes as ch
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


def _split_top_level(text: str, sep: str = ",") -> list[str]:
    """``text`` split at ``sep`` outside brackets, type brackets (``MAP<…>``) and quotes."""
    parts: list[str] = []
    depth, angle, quote, start = 0, 0, "", 0
    for i, c in enumerate(text):
        if quote:
            if c == quote:
                quote = ""
        elif c in "'\"`":
            quote = c
        elif c in "([":
            depth += 1
        elif c in ")]":
            depth = max(depth - 1, 0)
        elif c == "<" and i and text[i - 1].isalpha():  # ARRAY<, MAP<, STRUCT<; not a comparison
            angle += 1
        elif c == ">" and angle:
            angle -= 1
        elif c == sep and depth == 0 and angle == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _parameter_type(param: str) -> str:
    """The type of one ``name type [DEFAULT expr] [COMMENT 'c']`` parameter, canonically spelled."""
    if param.startswith("`"):
        end = param.find("`", 1)
        while end != -1 and param[end + 1 : end + 2] == "`":  # a doubled back-quote inside the name
            end = param.find("`", end + 2)
        rest = param[end + 1 :] if end != -1 else ""
    else:
        rest = param.split(None, 1)[1] if len(param.split(None, 1)) == 2 else ""
    words = _split_top_level(rest, " ")
    for i, word in enumerate(words):
        if word.upper() in ("DEFAULT", "COMMENT"):
            words = words[:i]
            break
    text = " ".join(words)
    try:
        return normalize_type(text)
    except TypeParseError:
        return text.upper()


def parameter_types(parameters: str) -> tuple[str, ...]:
    """The types of a parameter list, canonically spelled: ``"x int, y decimal(10, 2) DEFAULT 1"`` ->
    ``("INT", "DECIMAL(10,2)")``. With the count, this is what Unity Catalog calls a function's
    signature; parameter names, defaults and comments are not part of it."""
    return tuple(_parameter_type(p) for p in _split_top_level(parameters))


def signature_changes(before: Any, after: Any) -> bool:
    """True when the number or the types of a function's parameters change.

    UC-39 (https://learn.microsoft.com/en-in/azure/databricks/sql/language-manual/sql-ref-syntax-ddl-create-sql-function):
    "the function with the same name and signature (number of parameters and parameter types) is
    replaced. You cannot replace an existing function with a different signature. This is mainly useful
    to update the function body and the return type of the function." So a new return type is replaced
    in place (issue 10 asked for a drop there too; the documentation allows the replace).
    """
    return parameter_types(before.parameters) != parameter_types(after.parameters)


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
