"""Column changes inside a table unit: ADD (folded into one ``ADD COLUMNS`` when appended at the end,
then its DEFAULT, NOT NULL, tags and mask), DROP (folded), RENAME, and ALTER COLUMN for type, nullability,
comment, default, tags and mask.
"""

from __future__ import annotations

from schemax.core import changes as ch
from schemax.core.changes import Change, ColumnFlag
from schemax.core.effects import AddsColumns, RenamesColumn
from schemax.core.model import Column, Table
from schemax.core.names import qualified, quote_ident, sql_string
from schemax.plan.render.common import _tag_statements
from schemax.plan.render.context import Ctx, _unit
from schemax.plan.render.script import Script, renders
from schemax.plan.render.sql import _cols
from schemax.plan.render.table_sql import _bare_column, _column_sql, _mask_sql
from schemax.plan.statements import Risk


def _mask_statement(
    script: Script,
    ctx: Ctx,
    change: Change,
    table: Table,
    name: str,
    col: Column,
    reverse: str,
    object_id: str | None = None,
) -> None:
    script.add(
        _mask_sql(ctx, table, name, col),
        change,
        ctx,
        capability="column_mask",
        risk=Risk.BREAKING,
        reverse=reverse,
        object_id=object_id,
    )


@renders(ch.AddColumn)
def _add_column(c: ch.AddColumn, ctx: Ctx, script: Script) -> None:
    unit = _unit(ctx)
    table, col = c.table, c.column
    parts = ctx.parts(table.id)
    name = qualified(*parts)
    survivors = {x.id for x in unit.before.columns} if unit.before else set()
    index = next(i for i, x in enumerate(table.columns) if x.id == col.id)
    trailing = all(x.id not in survivors for x in table.columns[index:])
    definition = _column_sql(col, with_null=False, with_default=False)

    def drop_back(names: list[str]) -> str | None:
        return f"ALTER TABLE {name} DROP COLUMNS IF EXISTS ({_cols(names)})" if unit.mapping else None

    if trailing:

        def build(items: list[Column]) -> tuple[str, str | None]:
            return (
                f"ALTER TABLE {name} ADD COLUMNS ({', '.join(_bare_column(x) for x in items)})",
                drop_back([x.name for x in items]),
            )

        script.fold((table.id, "add_columns"), col, c, ctx, build, object_id=table.id,
                    effect=lambda items: AddsColumns(parts, tuple(x.name for x in items)))
    else:
        where = (
            "FIRST"
            if c.after_column is None
            else f"AFTER {quote_ident(table.column_names([c.after_column])[0])}"
        )
        script.add(
            f"ALTER TABLE {name} ADD COLUMNS ({definition} {where})",
            c,
            ctx,
            reverse=drop_back([col.name]),
            effect=AddsColumns(parts, (col.name,)),
        )
    col_sql = f"ALTER TABLE {name} ALTER COLUMN {quote_ident(col.name)}"
    if col.default is not None:
        script.add(
            f"{col_sql} SET DEFAULT {col.default}",
            c,
            ctx,
            capability="column_default",
            reverse=f"{col_sql} DROP DEFAULT",
            note="rows already in the table are not given the default",
        )
    if not col.nullable:
        if col.default is not None:
            script.add(
                f"UPDATE {name} SET {quote_ident(col.name)} = {col.default} "
                f"WHERE {quote_ident(col.name)} IS NULL",
                c,
                ctx,
                risk=Risk.DATA_DEPENDENT,
                note="fills existing rows so NOT NULL can hold",
            )
        script.add(
            f"{col_sql} SET NOT NULL",
            c,
            ctx,
            capability="set_not_null",
            risk=Risk.DATA_DEPENDENT,
            reverse=f"{col_sql} DROP NOT NULL",
            note="fails when the table already holds rows" if col.default is None else None,
        )
    if col.tags:
        _tag_statements(script, ctx, c, col_sql, {}, col.tags, object_id=table.id)
    if col.mask is not None:
        _mask_statement(script, ctx, c, table, name, col, f"{col_sql} DROP MASK")


@renders(ch.DropColumn)
def _drop_column(c: ch.DropColumn, ctx: Ctx, script: Script) -> None:
    name = ctx.name(c.table.id)

    def build(items: list[str]) -> tuple[str, str | None]:
        return f"ALTER TABLE {name} DROP COLUMNS IF EXISTS ({_cols(items)})", None

    script.fold(
        (c.table.id, "drop_columns"),
        c.column.name,
        c,
        ctx,
        build,
        risk=Risk.DESTRUCTIVE,
        capability="column_mapping",
        object_id=c.table.id,
        note="the column's data is no longer readable (files keep it until VACUUM after a REORG)",
    )


@renders(ch.RenameColumn)
def _rename_column(c: ch.RenameColumn, ctx: Ctx, script: Script) -> None:
    parts = ctx.parts(c.table.id)
    name = qualified(*parts)
    old, new = quote_ident(c.before.name), quote_ident(c.after.name)
    script.add(
        f"ALTER TABLE {name} RENAME COLUMN {old} TO {new}",
        c,
        ctx,
        risk=Risk.BREAKING,
        capability="column_mapping",
        reverse=f"ALTER TABLE {name} RENAME COLUMN {new} TO {old}",
        effect=RenamesColumn(parts, c.before.name, c.after.name),
    )


@renders(ch.ModifyColumn)
def _modify_column(c: ch.ModifyColumn, ctx: Ctx, script: Script) -> None:
    name = ctx.name(c.table.id)
    old, new = c.before, c.after
    col_sql = f"ALTER TABLE {name} ALTER COLUMN {quote_ident(new.name)}"
    if ColumnFlag.TYPE in c.flags:
        # a type change that is not a widening never reaches here: it makes the unit a rewrite
        script.add(
            f"{col_sql} TYPE {new.type}",
            c,
            ctx,
            capability="type_widening",
            note=f"{old.type} -> {new.type} in place (no data rewritten); cannot be narrowed back",
        )
    if ColumnFlag.NULLABILITY in c.flags:
        if new.nullable:
            script.add(f"{col_sql} DROP NOT NULL", c, ctx, reverse=f"{col_sql} SET NOT NULL")
        else:
            script.add(
                f"{col_sql} SET NOT NULL",
                c,
                ctx,
                capability="set_not_null",
                risk=Risk.DATA_DEPENDENT,
                reverse=f"{col_sql} DROP NOT NULL",
                note="fails if the column holds NULLs",
            )
    if ColumnFlag.COMMENT in c.flags:
        # Spark has no COMMENT NULL for a column: an empty comment is how a comment is removed
        script.add(
            f"{col_sql} COMMENT {sql_string(new.comment or '')}",
            c,
            ctx,
            reverse=f"{col_sql} COMMENT {sql_string(old.comment or '')}",
        )
    if ColumnFlag.DEFAULT in c.flags:

        def default_sql(col: Column) -> str:
            return (
                f"{col_sql} SET DEFAULT {col.default}"
                if col.default is not None
                else f"{col_sql} DROP DEFAULT"
            )

        script.add(default_sql(new), c, ctx, capability="column_default", reverse=default_sql(old))
    if ColumnFlag.TAGS in c.flags:
        _tag_statements(script, ctx, c, col_sql, old.tags, new.tags)
    if ColumnFlag.MASK in c.flags:
        _mask_statement(script, ctx, c, c.table, name, new, _mask_sql(ctx, c.table, name, old))
