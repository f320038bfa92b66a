"""Views: one ``CREATE OR REPLACE VIEW`` carries definition, comment and properties (relations mapped
to their physical names); Unity Catalog drops a replaced view's grants, so they are given again.
"""

from __future__ import annotations

from schemax.core import changes as ch
from schemax.core.changes import ObjectFlag
from schemax.core.model import State, View
from schemax.core.names import sql_string
from schemax.plan.render.common import (
    _drop,
    _new_object_extras,
    _property_statements,
    _rename,
    _tag_statements,
)
from schemax.plan.render.context import Ctx
from schemax.plan.render.grants import _grant_all
from schemax.plan.render.script import Script, renders
from schemax.plan.render.sql import _props


def _view_sql(ctx: Ctx, view: View, name: str, state: State) -> tuple[str, str | None]:
    definition, note = ctx.map_sql(view.definition, view.schema_id, state)
    sql = f"CREATE OR REPLACE VIEW {name}"
    if view.comment is not None:
        sql += f" COMMENT {sql_string(view.comment)}"
    if view.properties:
        sql += f" TBLPROPERTIES {_props(sorted(view.properties.items()))}"
    return f"{sql} AS {definition}", note


@renders(ch.CreateView)
def _create_view(c: ch.CreateView, ctx: Ctx, script: Script) -> None:
    v = c.after
    name = ctx.name(v.id)
    sql, note = _view_sql(ctx, v, name, ctx.after)
    script.add(sql, c, ctx, capability="views", reverse=f"DROP VIEW IF EXISTS {name}", note=note)
    _new_object_extras(script, ctx, c, "VIEW", name, v)


@renders(ch.DropView)
def _drop_view(c: ch.DropView, ctx: Ctx, script: Script) -> None:
    reverse = _view_sql(ctx, c.before, ctx.name(c.before.id), ctx.before)[0]
    _drop(script, ctx, c, "VIEW", "views", reverse=reverse)


@renders(ch.RenameView)
def _rename_view(c: ch.RenameView, ctx: Ctx, script: Script) -> None:
    target, capability = ctx.rename_to(c.before, c.after)
    old, current = ctx.name(c.before.id, ctx.before), ctx.name(c.after.id, ctx.after)
    back = (current, ctx.rename_back(c.before, c.after))
    _rename(script, ctx, c, "VIEW", (old, target), back, capability or "views")


@renders(ch.AlterView)
def _alter_view(c: ch.AlterView, ctx: Ctx, script: Script) -> None:
    v = c.after
    name = ctx.name(v.id)
    if c.flags & {ObjectFlag.DEFINITION, ObjectFlag.COMMENT}:
        # one CREATE OR REPLACE carries definition, comment and properties on every engine (Spark has no
        # COMMENT ON for views); Unity Catalog drops a replaced view's grants, so they are given again
        sql, note = _view_sql(ctx, v, name, ctx.after)
        script.add(
            sql, c, ctx, capability="views", reverse=_view_sql(ctx, c.before, name, ctx.after)[0], note=note
        )
        _grant_all(script, ctx, c, v.id, v.grants)
    elif ObjectFlag.PROPERTIES in c.flags:
        _property_statements(
            script,
            ctx,
            c,
            f"ALTER VIEW {name}",
            "TBLPROPERTIES",
            c.before.properties,
            v.properties,
            unset="UNSET TBLPROPERTIES IF EXISTS",
            capability="views",
            unset_capability="views",
        )
    if ObjectFlag.TAGS in c.flags:
        _tag_statements(script, ctx, c, f"ALTER VIEW {name}", c.before.tags, v.tags)
