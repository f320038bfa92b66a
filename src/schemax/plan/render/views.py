"""Views. A new view is one ``CREATE OR REPLACE VIEW`` carrying definition, comment and properties
(relations mapped to their physical names). A changed view keeps its grants: on an engine with grants or
tags (Unity Catalog) its definition changes with ``ALTER VIEW … AS`` (its comment, properties and tags
stated again right after it) and its comment with ``COMMENT ON TABLE``; an engine with neither (the local
Spark preset) replaces it, and what the replace drops is given again right after it.
"""

from __future__ import annotations

from schemax.core import changes as ch
from schemax.core.changes import ObjectFlag
from schemax.core.model import State, View
from schemax.core.names import sql_string
from schemax.plan.diff import changed_and_gone
from schemax.plan.render.common import (
    _comment_on,
    _drop,
    _grant_statements,
    _grants_again,
    _new_object_extras,
    _rename,
    _tag_statements,
    _undo_set,
)
from schemax.plan.render.context import Ctx
from schemax.plan.render.owners import owner_again
from schemax.plan.render.script import Script, renders
from schemax.plan.render.sql import _keys, _props


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
    _rename(script, ctx, c, "VIEW", (old, target), back, capability or "views", ctx.renames(c))


def _keeps_grants(ctx: Ctx) -> bool:
    """Whether a changed view is altered in place (ALTER VIEW … AS, COMMENT ON TABLE) rather than replaced.

    UC-33, https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-create-view.html: "Replacing
    an existing view does not preserve privileges granted on the original view or the table_id. Use ALTER
    VIEW to preserve privileges." (and "CREATE OR REPLACE VIEW view_name is equivalent to DROP VIEW IF
    EXISTS view_name followed by CREATE VIEW view_name", so its tags go too). There is something to keep
    only where the engine has grants or tags; the local Spark preset has neither and keeps the replace it
    was verified with (Spark has no COMMENT ON for views).
    """
    return ctx.caps.supports("grants") or ctx.caps.supports("tags")


def _view_properties(c: ch.AlterView, ctx: Ctx, script: Script, name: str, *, restate: bool = False) -> None:
    """SET TBLPROPERTIES for new and changed properties (every property when ``restate``), UNSET
    TBLPROPERTIES IF EXISTS for removed ones; each undone back to the old properties."""
    old = c.before.properties
    changed, gone = changed_and_gone(old, c.after.properties)
    if restate:
        changed = tuple(sorted(c.after.properties.items()))
    set_sql = f"ALTER VIEW {name} SET TBLPROPERTIES"
    unset_sql = f"ALTER VIEW {name} UNSET TBLPROPERTIES IF EXISTS"
    if changed:
        reverse = _undo_set(set_sql, unset_sql, (k for k, _ in changed), old)
        script.add(f"{set_sql} {_props(changed)}", c, ctx, capability="views", reverse=reverse)
    if gone:
        reverse = f"{set_sql} {_props((k, old[k]) for k in gone)}"
        script.add(f"{unset_sql} {_keys(gone)}", c, ctx, capability="views", reverse=reverse)


def _restated(name: str, view: View) -> list[str]:
    """What ALTER VIEW … AS may drop, stated again: comment, properties, tags."""
    out = [f"COMMENT ON TABLE {name} IS {sql_string(view.comment)}"] if view.comment is not None else []
    if view.properties:
        out.append(f"ALTER VIEW {name} SET TBLPROPERTIES {_props(sorted(view.properties.items()))}")
    if view.tags:
        out.append(f"ALTER VIEW {name} SET TAGS {_props(sorted(view.tags.items()))}")
    return out


def _alter_in_place(c: ch.AlterView, ctx: Ctx, script: Script, name: str) -> None:
    """Definition, comment and properties changed with statements that keep the view's grants."""
    redefined = ObjectFlag.DEFINITION in c.flags
    if redefined:
        # UC-32, https://docs.databricks.com/en/sql/language-manual/sql-ref-syntax-ddl-alter-view.html:
        # "alter_body AS query … This clause is equivalent to a CREATE OR REPLACE VIEW statement on an
        # existing view, except that privileges granted on the view are preserved." So the grants stay,
        # and what a replace would drop (comment, properties, tags) is stated again right after it; undoing
        # states the old ones again after the old definition.
        definition, note = ctx.map_sql(c.after.definition, c.after.schema_id, ctx.after)
        old = ctx.map_sql(c.before.definition, c.after.schema_id, ctx.after)[0]
        script.add(
            f"ALTER VIEW {name} AS {definition}",
            c,
            ctx,
            capability="views",
            reverse=";\n".join([f"ALTER VIEW {name} AS {old}", *_restated(name, c.before)]),
            note=note,
        )
    if ObjectFlag.COMMENT in c.flags or (redefined and c.after.comment is not None):
        # UC-25, https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-comment.html:
        # "COMMENT ON { … | TABLE relation_name | … } IS comment", relation_name being a table or a view;
        # ALTER VIEW: "To add or alter a comment on a view, use COMMENT ON."
        _comment_on(script, ctx, c, "TABLE", name, "views")
    if ObjectFlag.PROPERTIES in c.flags or (redefined and c.after.properties):
        _view_properties(c, ctx, script, name, restate=redefined)
    if ObjectFlag.TAGS in c.flags or (redefined and c.after.tags):
        prefix = f"ALTER VIEW {name}"
        _tag_statements(script, ctx, c, prefix, c.before.tags, c.after.tags, restate=redefined)


def _replace(c: ch.AlterView, ctx: Ctx, script: Script, name: str) -> None:
    """One CREATE OR REPLACE VIEW carries definition, comment and properties; what the replace drops (grants
    and tags, UC-33) is given again right after it, not in the final grant phase."""
    v, old = c.after, c.before
    sql, note = _view_sql(ctx, v, name, ctx.after)
    old_tags = [f"ALTER VIEW {name} SET TAGS {_props(sorted(old.tags.items()))}"] if old.tags else []
    reverse = ";\n".join([_view_sql(ctx, old, name, ctx.after)[0], *_grant_statements(old, name), *old_tags])
    script.add(sql, c, ctx, capability="views", reverse=reverse, note=note)
    _grants_again(script, ctx, c, v, name)
    _tag_statements(script, ctx, c, f"ALTER VIEW {name}", {}, v.tags)
    owner_again(script, ctx, c, old, v, name)


@renders(ch.AlterView)
def _alter_view(c: ch.AlterView, ctx: Ctx, script: Script) -> None:
    name = ctx.name(c.after.id)
    if not c.flags & {ObjectFlag.DEFINITION, ObjectFlag.COMMENT}:
        if ObjectFlag.PROPERTIES in c.flags:
            _view_properties(c, ctx, script, name)
        if ObjectFlag.TAGS in c.flags:
            _tag_statements(script, ctx, c, f"ALTER VIEW {name}", c.before.tags, c.after.tags)
    elif _keeps_grants(ctx):
        _alter_in_place(c, ctx, script, name)
    else:
        _replace(c, ctx, script, name)
