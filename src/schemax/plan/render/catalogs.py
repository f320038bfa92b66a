"""Catalogs and schemas: CREATE, DROP, RENAME and ALTER (comment, properties, managed location, tags).

A catalog maps to its physical name through the target; on an engine without catalog DDL a catalog that
already exists is taken as is and one that does not is an unsupported statement.
"""

from __future__ import annotations

from typing import Any

from schemax.core import changes as ch
from schemax.core.changes import ObjectFlag
from schemax.core.effects import RenamesObject
from schemax.core.names import quote_ident, sql_string
from schemax.plan.render.common import (
    _comment_on,
    _drop,
    _new_object_extras,
    _property_statements,
    _rename,
    _set_managed_location,
    _tag_statements,
)
from schemax.plan.render.context import Ctx
from schemax.plan.render.script import Script, renders
from schemax.plan.render.sql import _props
from schemax.plan.statements import Risk

# ---------------------------------------------------------------------------------------------------
# catalogs
# ---------------------------------------------------------------------------------------------------


def _catalog_physical(ctx: Ctx, catalog: Any) -> str:
    return ctx.target.catalog(catalog.name)


@renders(ch.CreateCatalog)
def _create_catalog(c: ch.CreateCatalog, ctx: Ctx, script: Script) -> None:
    cat = c.after
    physical = _catalog_physical(ctx, cat)
    if not ctx.caps.has_catalog_ddl:
        if physical.lower() in ctx.caps.existing_catalogs:
            ctx.notes.append(
                f"catalog {cat.name} maps to {physical}, which already exists: nothing to create"
                + (
                    " (its comment, tags and grants are not applied)"
                    if cat.comment or cat.tags or cat.grants
                    else ""
                )
            )
            return
        script.add(
            f"CREATE CATALOG IF NOT EXISTS {quote_ident(physical)}",
            c,
            ctx,
            capability="catalog_ddl",
            unsupported=f"catalog {physical} does not exist and {ctx.caps.name} cannot create catalogs",
        )
        return
    sql = f"CREATE CATALOG IF NOT EXISTS {quote_ident(physical)}"
    if cat.managed_location:
        sql += f" MANAGED LOCATION {sql_string(cat.managed_location)}"
    if cat.comment is not None:
        sql += f" COMMENT {sql_string(cat.comment)}"
    script.add(
        sql, c, ctx, capability="catalog_ddl", reverse=f"DROP CATALOG IF EXISTS {quote_ident(physical)}"
    )
    if cat.properties:
        ctx.notes.append(
            f"catalog {cat.name}: properties are not set by SQL ({', '.join(sorted(cat.properties))})"
        )
    _new_object_extras(script, ctx, c, "CATALOG", quote_ident(physical), cat)


@renders(ch.DropCatalog)
def _drop_catalog(c: ch.DropCatalog, ctx: Ctx, script: Script) -> None:
    physical = _catalog_physical(ctx, c.before)
    if not ctx.caps.has_catalog_ddl:
        ctx.notes.append(
            f"catalog {c.before.name} ({physical}) is not dropped: {ctx.caps.name} has no catalog DDL"
        )
        return
    # CASCADE: Unity Catalog creates a `default` schema in every catalog, which schemax does not manage;
    # every schema schemax does manage was dropped explicitly before this statement.
    script.add(
        f"DROP CATALOG IF EXISTS {quote_ident(physical)} CASCADE",
        c,
        ctx,
        risk=Risk.DESTRUCTIVE,
        capability="catalog_ddl",
        note="drops whatever else the catalog still holds",
    )


@renders(ch.RenameCatalog)
def _rename_catalog(c: ch.RenameCatalog, ctx: Ctx, script: Script) -> None:
    old, new = _catalog_physical(ctx, c.before), _catalog_physical(ctx, c.after)
    if old == new:
        ctx.notes.append(
            f"catalog {c.before.name} renamed to {c.after.name}: both map to {old}, nothing to do"
        )
        return
    effect = RenamesObject("CATALOG", (old,), (new,))
    old, new = quote_ident(old), quote_ident(new)
    _rename(script, ctx, c, "CATALOG", (old, new), (new, old), "catalog_rename", effect)


@renders(ch.AlterCatalog)
def _alter_catalog(c: ch.AlterCatalog, ctx: Ctx, script: Script) -> None:
    name = quote_ident(_catalog_physical(ctx, c.after))
    if ObjectFlag.COMMENT in c.flags:
        _comment_on(script, ctx, c, "CATALOG", name, "catalog_ddl")
    if ObjectFlag.LOCATION in c.flags and c.after.managed_location:
        _set_managed_location(script, ctx, c, "CATALOG", name)
    if ObjectFlag.TAGS in c.flags:
        _tag_statements(script, ctx, c, f"ALTER CATALOG {name}", c.before.tags, c.after.tags)
    if ObjectFlag.PROPERTIES in c.flags:
        ctx.notes.append(f"catalog {c.after.name}: properties are not set by SQL")


# ---------------------------------------------------------------------------------------------------
# schemas
# ---------------------------------------------------------------------------------------------------


@renders(ch.CreateSchema)
def _create_schema(c: ch.CreateSchema, ctx: Ctx, script: Script) -> None:
    s = c.after
    name = ctx.name(s.id)
    sql = f"CREATE SCHEMA IF NOT EXISTS {name}"
    if s.comment is not None:
        sql += f" COMMENT {sql_string(s.comment)}"
    if s.managed_location:
        sql += f" MANAGED LOCATION {sql_string(s.managed_location)}"
    if s.properties:
        sql += f" WITH DBPROPERTIES {_props(sorted(s.properties.items()))}"
    script.add(
        sql,
        c,
        ctx,
        capability="managed_location" if s.managed_location else "schema_ddl",
        reverse=f"DROP SCHEMA IF EXISTS {name}",
    )
    _new_object_extras(script, ctx, c, "SCHEMA", name, s)


@renders(ch.DropSchema)
def _drop_schema(c: ch.DropSchema, ctx: Ctx, script: Script) -> None:
    # no CASCADE: every object schemax manages in it was dropped explicitly; anything else stops the drop
    reverse = f"CREATE SCHEMA IF NOT EXISTS {ctx.name(c.before.id)}"
    _drop(script, ctx, c, "SCHEMA", "schema_ddl", reverse=reverse)


@renders(ch.RenameSchema)
def _rename_schema(c: ch.RenameSchema, ctx: Ctx, script: Script) -> None:
    old, new = ctx.name(c.before.id, ctx.before), ctx.name(c.after.id, ctx.after)
    if old == new:
        return
    _rename(script, ctx, c, "SCHEMA", (old, new), (new, old), "schema_rename", ctx.renames(c))


@renders(ch.AlterSchema)
def _alter_schema(c: ch.AlterSchema, ctx: Ctx, script: Script) -> None:
    name = ctx.name(c.after.id)
    if ObjectFlag.COMMENT in c.flags:
        _comment_on(script, ctx, c, "SCHEMA", name, "schema_comment")
    if ObjectFlag.PROPERTIES in c.flags:
        _property_statements(
            script,
            ctx,
            c,
            f"ALTER SCHEMA {name}",
            "DBPROPERTIES",
            c.before.properties,
            c.after.properties,
            unset="UNSET DBPROPERTIES",
            capability="schema_ddl",
            unset_capability="schema_properties_unset",
        )
    if ObjectFlag.LOCATION in c.flags and c.after.managed_location:
        _set_managed_location(script, ctx, c, "SCHEMA", name)
    if ObjectFlag.TAGS in c.flags:
        _tag_statements(script, ctx, c, f"ALTER SCHEMA {name}", c.before.tags, c.after.tags)
