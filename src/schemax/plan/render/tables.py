"""Tables: whole-table changes (CREATE, DROP, RENAME) and one aspect at a time inside a table unit
(comment, properties folded into one SET and one UNSET, tags, clustering, row filter, column order).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from schemax.core import changes as ch
from schemax.core.changes import Change
from schemax.core.model import Table
from schemax.core.names import qualified, quote_ident
from schemax.plan.render.columns import _mask_statement
from schemax.plan.render.common import _comment_on, _drop, _rename, _tag_statements, _undo_set
from schemax.plan.render.constraints import _add_constraint
from schemax.plan.render.context import Ctx
from schemax.plan.render.grants import _grant_all
from schemax.plan.render.script import Script, renders
from schemax.plan.render.sql import _cols, _keys, _props
from schemax.plan.render.table_sql import _create_table_sql, _row_filter_sql
from schemax.plan.statements import Risk


def _table_extras(
    script: Script,
    ctx: Ctx,
    change: Change,
    table: Table,
    parts: tuple[str, ...],
    *,
    foreign_keys: bool = True,
) -> None:
    """What CREATE TABLE cannot say: constraints, tags, row filter, masks, grants (``parts``: the table's
    physical name parts)."""
    name = qualified(*parts)
    for con in table.constraints:
        if con.kind != "foreign_key" or foreign_keys:
            _add_constraint(script, ctx, change, table, parts, con, existing_data=False)
    if table.tags:
        _tag_statements(script, ctx, change, f"ALTER TABLE {name}", {}, table.tags, object_id=table.id)
    for col in table.columns:
        if col.tags:
            _tag_statements(
                script,
                ctx,
                change,
                f"ALTER TABLE {name} ALTER COLUMN {quote_ident(col.name)}",
                {},
                col.tags,
                object_id=table.id,
            )
    if table.row_filter is not None:
        script.add(
            _row_filter_sql(ctx, table, name),
            change,
            ctx,
            capability="row_filter",
            risk=Risk.BREAKING,
            reverse=f"ALTER TABLE {name} DROP ROW FILTER",
            object_id=table.id,
        )
    for col in table.columns:
        if col.mask is not None:
            drop = f"ALTER TABLE {name} ALTER COLUMN {quote_ident(col.name)} DROP MASK"
            _mask_statement(script, ctx, change, table, name, col, drop, object_id=table.id)
    _grant_all(script, ctx, change, table.id, table.grants)


# ---------------------------------------------------------------------------------------------------
# whole-table changes
# ---------------------------------------------------------------------------------------------------


@renders(ch.CreateTable)
def _create_table(c: ch.CreateTable, ctx: Ctx, script: Script) -> None:
    t = c.after
    parts = ctx.parts(t.id)
    name = qualified(*parts)
    sql, notes = _create_table_sql(ctx, t, name)
    script.add(
        sql,
        c,
        ctx,
        capability="cluster_by_auto" if t.cluster_auto else "table_ddl",
        reverse=f"DROP TABLE IF EXISTS {name}",
        note="; ".join(notes) or None,
    )
    _table_extras(script, ctx, c, t, parts)


@renders(ch.DropTable)
def _drop_table(c: ch.DropTable, ctx: Ctx, script: Script) -> None:
    # RESTORE works on an existing table only; a dropped Unity Catalog table comes back with UNDROP TABLE
    # within the recovery window, without its primary and foreign keys (UC-48, UC-49, UC-50):
    # https://docs.databricks.com/sql/language-manual/delta-restore.html
    # https://learn.microsoft.com/en-in/azure/databricks/sql/language-manual/sql-ref-syntax-ddl-undrop-table
    if c.before.table_type == "EXTERNAL":
        note = "the files at its location stay, out of the catalog; RESTORE cannot bring a dropped table back"
    else:
        note = (
            "a managed table's data goes with it; on Unity Catalog UNDROP TABLE brings it back within the "
            "recovery window (7 days by default) without its primary and foreign keys; RESTORE cannot"
        )
    _drop(script, ctx, c, "TABLE", "table_ddl", note=note)


@renders(ch.RenameTable)
def _rename_table(c: ch.RenameTable, ctx: Ctx, script: Script) -> None:
    old = ctx.name(c.before.id, ctx.before)
    target, capability = ctx.rename_to(c.before, c.after)
    current = ctx.name(c.after.id, ctx.after)
    back = (current, ctx.rename_back(c.before, c.after))
    _rename(script, ctx, c, "TABLE", (old, target), back, capability or "table_ddl", ctx.renames(c))


# ---------------------------------------------------------------------------------------------------
# one aspect at a time (inside a table unit, see render_table_unit)
# ---------------------------------------------------------------------------------------------------


@renders(ch.SetTableComment)
def _table_comment(c: ch.SetTableComment, ctx: Ctx, script: Script) -> None:
    _comment_on(script, ctx, c, "TABLE", ctx.name(c.after.id), "table_ddl")


def _set_properties(
    script: Script,
    ctx: Ctx,
    change: Change | None,
    table_id: str,
    name: str,
    pairs: Iterable[tuple[str, str]],
    old: dict[str, str],
) -> None:
    def build(items: list[tuple[str, str]]) -> tuple[str, str | None]:
        merged = dict(items)
        set_sql = f"ALTER TABLE {name} SET TBLPROPERTIES"
        reverse = _undo_set(set_sql, f"ALTER TABLE {name} UNSET TBLPROPERTIES IF EXISTS", merged, old)
        return f"{set_sql} {_props(sorted(merged.items()))}", reverse or None

    for pair in pairs:
        script.fold(
            (table_id, "set_properties"),
            pair,
            change,
            ctx,
            build,
            capability="table_properties",
            object_id=table_id,
        )


@renders(ch.SetTableProperties)
def _table_properties(c: ch.SetTableProperties, ctx: Ctx, script: Script) -> None:
    name = ctx.name(c.after.id)
    old = c.before.properties
    if c.set:
        _set_properties(script, ctx, c, c.after.id, name, c.set, old)
    if c.unset:

        def build(items: list[str]) -> tuple[str, str | None]:
            keys = sorted(set(items))
            return (
                f"ALTER TABLE {name} UNSET TBLPROPERTIES IF EXISTS {_keys(keys)}",
                f"ALTER TABLE {name} SET TBLPROPERTIES {_props((k, old[k]) for k in keys)}",
            )

        for key in c.unset:
            script.fold(
                (c.after.id, "unset_properties"),
                key,
                c,
                ctx,
                build,
                capability="table_properties",
                object_id=c.after.id,
            )


@renders(ch.SetTableTags)
def _table_tags(c: ch.SetTableTags, ctx: Ctx, script: Script) -> None:
    _tag_statements(script, ctx, c, f"ALTER TABLE {ctx.name(c.after.id)}", c.before.tags, c.after.tags)


@renders(ch.SetClustering)
def _clustering(c: ch.SetClustering, ctx: Ctx, script: Script) -> None:
    name = ctx.name(c.after.id)

    def clause(t: Table) -> str:
        if t.cluster_auto:  # Databricks picks the keys (DBR 15.4+; not in open-source Delta)
            return "CLUSTER BY AUTO"
        return f"CLUSTER BY ({_cols(t.column_names(t.cluster_by))})" if t.cluster_by else "CLUSTER BY NONE"

    script.add(
        f"ALTER TABLE {name} {clause(c.after)}",
        c,
        ctx,
        capability="cluster_by_auto" if c.after.cluster_auto or c.before.cluster_auto else "cluster_by",
        reverse=f"ALTER TABLE {name} {clause(c.before)}",
        note="existing files are reclustered by the next OPTIMIZE" if c.after.cluster_by else None,
    )


@renders(ch.SetPartitioning)
def _partitioning(c: ch.SetPartitioning, ctx: Ctx, script: Script) -> None:
    # a partitioning change always makes its table unit a rewrite; reaching this means a bug upstream
    raise AssertionError("SetPartitioning is rendered by the table rewrite")


@renders(ch.SetRowFilter)
def _row_filter(c: ch.SetRowFilter, ctx: Ctx, script: Script) -> None:
    name = ctx.name(c.after.id)
    script.add(
        _row_filter_sql(ctx, c.after, name),
        c,
        ctx,
        capability="row_filter",
        risk=Risk.BREAKING,
        reverse=_row_filter_sql(ctx, c.before, name),
    )


def _moves(before_order: list[str], after_order: list[str]) -> list[tuple[str, str | None]]:
    """Fewest ``ALTER COLUMN … FIRST|AFTER`` moves turning one order into the other: the longest run of
    columns already in relative order stays, every other column is placed after its new predecessor."""
    pos = {cid: i for i, cid in enumerate(before_order)}
    seq = [pos[cid] for cid in after_order]
    # longest increasing subsequence (patience sorting with back-pointers)
    tails: list[int] = []
    tails_idx: list[int] = []
    back = [-1] * len(seq)

    for i, v in enumerate(seq):
        j = bisect.bisect_left(tails, v)
        if j == len(tails):
            tails.append(v)
            tails_idx.append(i)
        else:
            tails[j] = v
            tails_idx[j] = i
        back[i] = tails_idx[j - 1] if j > 0 else -1
    keep: set[int] = set()
    k = tails_idx[-1] if tails_idx else -1
    while k >= 0:
        keep.add(k)
        k = back[k]
    moves = []
    for i, cid in enumerate(after_order):
        if i not in keep:
            moves.append((cid, after_order[i - 1] if i > 0 else None))
    return moves


@renders(ch.ReorderColumns)
def _reorder(c: ch.ReorderColumns, ctx: Ctx, script: Script) -> None:
    name = ctx.name(c.after.id)
    after_ids = {col.id for col in c.after.columns}
    before_ids = {col.id for col in c.before.columns}
    old = [col.id for col in c.before.columns if col.id in after_ids]
    new = [col.id for col in c.after.columns if col.id in before_ids]
    names = {col.id: col.name for col in c.after.columns}

    def move_sql(cid: str, prev: str | None) -> str:
        where = "FIRST" if prev is None else f"AFTER {quote_ident(names[prev])}"
        return f"ALTER TABLE {name} ALTER COLUMN {quote_ident(names[cid])} {where}"

    undo = ";\n".join(move_sql(cid, prev) for cid, prev in _moves(new, old)) or None
    for i, (cid, prev) in enumerate(_moves(old, new)):
        # the first move carries the whole inverse: undoing runs it last, after the later moves (no reverse)
        script.add(move_sql(cid, prev), c, ctx, reverse=undo if i == 0 else None)
