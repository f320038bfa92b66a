"""SX3xx — data-dependent: NOT NULL on existing rows, CHECK constraints on existing rows, column type
changes (in-place widening or a rewrite), partitioning changes, RELY keys the data must satisfy.
"""

from __future__ import annotations

from collections.abc import Iterator

from schemax.analyze.context import AnalysisContext
from schemax.analyze.findings import Severity
from schemax.analyze.rules.helpers import _before_table, _classify_type_change, _col_list, _join
from schemax.analyze.rules.model import Report, check, define
from schemax.core.changes import AddColumn, AddConstraint, ColumnFlag, ModifyColumn, SetPartitioning
from schemax.core.model import Constraint

ADD_NOT_NULL_COLUMN = define(
    "SX301", "add-not-null-column", Severity.WARNING,
    "A NOT NULL column is added to an existing table: works on an empty table, fails if the table has rows "
    "(existing rows get NULL; a DEFAULT fills only rows written later).",
    "Add the column nullable, backfill it, then make it NOT NULL in a later change.",
)
SET_NOT_NULL = define(
    "SX302", "set-not-null", Severity.WARNING,
    "An existing column becomes NOT NULL: fails if any row holds NULL in it.",
    "Count the NULLs first (SELECT COUNT(*) … WHERE col IS NULL) and backfill them.",
)
ADD_CHECK = define(
    "SX303", "add-check-constraint", Severity.WARNING,
    "A CHECK constraint is added to an existing table: fails if any existing row violates it.",
    "Count violating rows first (SELECT COUNT(*) … WHERE NOT (expr)) and fix them.",
)
WIDEN_TYPE = define(
    "SX304", "widen-column-type", Severity.WARNING,
    "A column type widens in place (e.g. INT to BIGINT): values fit, but consumers with a fixed schema see "
    "the new type.",
    "Restart streaming readers of the table with schema tracking; update jobs that expect the old type.",
)
REWRITE_TYPE = define(
    "SX305", "rewrite-column-type", Severity.BREAKING,
    "A column type changes in a way that is not an in-place widening (narrowing, or another type): every "
    "row is cast and the table rewritten; values that do not fit fail the deploy or lose range/precision.",
    "Check the data casts cleanly (TRY_CAST) first; prefer a new column plus backfill for large tables.",
)
CHANGE_PARTITIONING = define(
    "SX306", "change-partitioning", Severity.BREAKING,
    "Partition columns change: Delta cannot do that in place, so the whole table is rewritten.",
    "Schedule a maintenance window; pause writers and restart streaming readers afterwards.",
)

RELY_KEY = define(
    "SX307", "rely-on-unchecked-key", Severity.WARNING,
    "A primary or foreign key is declared RELY: the optimizer trusts it (drops DISTINCTs and joins), but "
    "Databricks never checks keys, so rows that break it give incorrect query results.",
    "Check the key holds on the data first (no duplicate or orphan keys) and keep the pipeline that writes "
    "the table checking it.",
)


@check(ADD_NOT_NULL_COLUMN, AddColumn)
def _add_not_null_column(c: AddColumn, ctx: AnalysisContext) -> Iterator[Report]:
    if c.column.nullable or _before_table(ctx, c.table.id) is None:
        return
    name = f"{ctx.name(c.table.id)}.{c.column.name}"
    default = (
        f" Its DEFAULT {c.column.default} fills only rows written later, not the existing ones."
        if c.column.default else " Writers that do not supply the column fail, since it has no DEFAULT."
    )
    yield Report(
        name,
        f"NOT NULL column {name} {c.column.type} is added to existing table {ctx.name(c.table.id)}.",
        "Works only if the table is empty: existing rows get NULL in the new column, so making it NOT NULL "
        "fails on a table with rows."
        + default
        + " Safer: add it nullable, backfill with UPDATE, then set NOT NULL in a later change.",
    )


@check(SET_NOT_NULL, ModifyColumn)
def _set_not_null(c: ModifyColumn, ctx: AnalysisContext) -> Iterator[Report]:
    if ColumnFlag.NULLABILITY not in c.flags or not c.before.nullable or c.after.nullable:
        return
    table = _before_table(ctx, c.table.id)
    if table is None:
        return
    name = ctx.name(c.before.id)
    col = c.after.name
    yield Report(
        name,
        f"column {name} becomes NOT NULL.",
        f"The change fails if any existing row holds NULL in '{col}' (the engine checks all data); count "
        f"them with SELECT COUNT(*) FROM {ctx.name(table.id)} WHERE {col} IS NULL and backfill first. "
        "Afterwards, writers that insert NULL fail.",
    )


@check(ADD_CHECK, AddConstraint)
def _add_check(c: AddConstraint, ctx: AnalysisContext) -> Iterator[Report]:
    con: Constraint = c.constraint
    if con.kind != "check" or _before_table(ctx, c.table.id) is None:
        return
    table = ctx.name(c.table.id)
    yield Report(
        table,
        f"CHECK constraint {con.name} ({con.expression}) is added to existing table {table}.",
        "The change fails if any existing row violates the condition (the engine checks all data); count "
        f"them with SELECT COUNT(*) FROM {table} WHERE NOT ({con.expression}) and fix them first. "
        "Afterwards, writes with violating rows fail.",
    )


@check(RELY_KEY, AddConstraint)
def _rely_key(c: AddConstraint, ctx: AnalysisContext) -> Iterator[Report]:
    # "Relying on a constraint that is not satisfied can lead to incorrect query results":
    # https://docs.databricks.com/sql/user/queries/query-optimization-constraints.html
    con: Constraint = c.constraint
    if not con.rely:
        return
    table = ctx.name(c.table.id)
    kind = "primary key" if con.kind == "primary_key" else "foreign key"
    existing = _before_table(ctx, c.table.id) is not None
    yield Report(
        table,
        f"{kind} {con.name} on {'existing ' if existing else ''}table {table} is declared RELY.",
        "The query optimizer uses a RELY key to rewrite queries (removing DISTINCT on the key, eliminating "
        "joins); Databricks does not enforce keys, so duplicate"
        + (" or orphan" if con.kind == "foreign_key" else "")
        + " keys make those queries return incorrect results. Check the data before deploying and keep "
        "the writers checking it.",
    )


def _type_change(c: ModifyColumn, ctx: AnalysisContext) -> str | None:
    if ColumnFlag.TYPE not in c.flags or _before_table(ctx, c.table.id) is None:
        return None
    return _classify_type_change(c.before.type, c.after.type)


@check(WIDEN_TYPE, ModifyColumn)
def _widen_type(c: ModifyColumn, ctx: AnalysisContext) -> Iterator[Report]:
    if _type_change(c, ctx) != "widening":
        return
    name = ctx.name(c.before.id)
    affected = ctx.views_reading_column(c.table.id, c.before.name)
    yield Report(
        name,
        f"column {name} widens from {c.before.type} to {c.after.type} in place (no data is rewritten).",
        _join(
            "Existing values fit. Consumers with a fixed schema see the new type: streaming reads of the "
            "table stop and must restart (with schema tracking), and jobs or external readers that expect "
            f"{c.before.type} may need updating.",
            affected.sentence("reading the column", "may need to be re-created to expose the new type"),
        ),
        affected,
    )


@check(REWRITE_TYPE, ModifyColumn)
def _rewrite_type(c: ModifyColumn, ctx: AnalysisContext) -> Iterator[Report]:
    if _type_change(c, ctx) != "rewrite":
        return
    name = ctx.name(c.before.id)
    col = c.after.name
    affected = ctx.views_reading_column(c.table.id, c.before.name)
    yield Report(
        name,
        f"column {name} changes type from {c.before.type} to {c.after.type}: not an in-place widening, so "
        "every row is cast and the table rewritten.",
        _join(
            f"Values that do not fit {c.after.type} make the deploy fail (or turn NULL without ANSI mode), "
            f"and a narrowing loses range or precision; readers expecting {c.before.type} break. Check "
            f"first with SELECT COUNT(*) FROM {ctx.name(c.table.id)} WHERE {col} IS NOT NULL AND "
            f"TRY_CAST({col} AS {c.after.type}) IS NULL.",
            affected.sentence("reading the column", "may fail"),
        ),
        affected,
    )


@check(CHANGE_PARTITIONING, SetPartitioning)
def _change_partitioning(c: SetPartitioning, ctx: AnalysisContext) -> Iterator[Report]:
    if not ctx.existed(c.before.id):
        return
    name = ctx.name(c.before.id)
    yield Report(
        name,
        f"partitioning of {name} changes from {_col_list(c.before, c.before.partition_by)} to "
        f"{_col_list(c.after, c.after.partition_by)}: the whole table is rewritten.",
        "Delta cannot change partition columns in place: every data file is rewritten (cost grows with the "
        "table), writes running meanwhile conflict, and streaming readers must restart from a new "
        "checkpoint. Schedule a maintenance window; consider liquid clustering, which can change keys "
        "without a rewrite.",
    )
