"""SX5xx — informational: safe, worth knowing (column order, clustering keys, a dropped CHECK, a row
filter or column mask added or replaced).
"""

from __future__ import annotations

from collections.abc import Iterator

from schemax.analyze.context import Affected, AnalysisContext
from schemax.analyze.findings import Severity
from schemax.analyze.rules.helpers import _before_table, _col_list
from schemax.analyze.rules.model import Report, check, define
from schemax.core.changes import (
    ColumnFlag,
    DropConstraint,
    ModifyColumn,
    ReorderColumns,
    SetClustering,
    SetOwner,
    SetRowFilter,
)
from schemax.core.model import Table

REORDER_COLUMNS = define(
    "SX501", "reorder-columns", Severity.INFO,
    "Columns are reordered: no data changes; only SELECT * and positional INSERTs see the new order.",
    "Re-create views that select * if their column order matters; give INSERTs a column list.",
)
CHANGE_CLUSTERING = define(
    "SX502", "change-clustering", Severity.INFO,
    "Liquid clustering keys change: applies to data written from now on; queries are unaffected.",
    "Run OPTIMIZE … FULL to recluster existing data when convenient.",
)
DROP_CHECK = define(
    "SX503", "drop-check-constraint", Severity.INFO,
    "A CHECK constraint is dropped: rows that violate it can be written from now on.",
    "Make sure writers validate the data some other way if it still matters.",
)
SET_ROW_FILTER = define(
    "SX504", "set-row-filter", Severity.INFO,
    "A row filter is added or replaced: principals may see fewer (or other) rows than before.",
    "Check the filter against the principals that read the table.",
)
SET_COLUMN_MASK = define(
    "SX505", "set-column-mask", Severity.INFO,
    "A column mask is added or replaced: principals may see masked values where they saw real ones.",
    "Check the mask against the principals and jobs that read the column.",
)
SET_OWNER = define(
    "SX506", "set-owner", Severity.INFO,
    "The plan sets an object's owner where schemax did not manage one (a new object, or an owner declared "
    "for the first time): the deploying principal gives ownership away unless it is that principal.",
    "Give the deploying principal MANAGE on the object (or make it a member of the owner group) so later "
    "deploys can still change it.",
)


@check(REORDER_COLUMNS, ReorderColumns)
def _reorder_columns(c: ReorderColumns, ctx: AnalysisContext) -> Iterator[Report]:
    name = ctx.name(c.before.id)
    star = ctx.views_selecting_star(c.before.id)
    views = (
        f" Views that select * from it: {', '.join(star)} (re-create them to pick up the new order)."
        if star else ""
    )
    yield Report(
        name,
        f"columns of {name} are reordered to ({', '.join(col.name for col in c.after.columns)}).",
        "No data changes and queries that name their columns are unaffected; only SELECT * and INSERTs "
        "without a column list see the new order." + views,
        Affected(views=star),
    )


@check(CHANGE_CLUSTERING, SetClustering)
def _change_clustering(c: SetClustering, ctx: AnalysisContext) -> Iterator[Report]:
    if not ctx.existed(c.before.id):
        return
    name = ctx.name(c.before.id)
    if c.after.cluster_auto:
        yield Report(
            name,
            f"{name} switches to automatic liquid clustering (was {_clustering_text(c.before)}).",
            "Predictive optimization picks the clustering keys from the table's query patterns and changes "
            "them over time; the keys a live table shows are its choice. Queries are unaffected.",
        )
        return
    if not c.after.cluster_by:
        yield Report(
            name,
            f"liquid clustering is turned off on {name} (was {_clustering_text(c.before)}).",
            "Existing files keep their layout; new data is no longer clustered. Queries are unaffected.",
        )
        return
    yield Report(
        name,
        f"clustering keys of {name} change from {_clustering_text(c.before)} to "
        f"{_col_list(c.after, c.after.cluster_by)}.",
        f"Only data written or optimized from now on is clustered by the new keys; run OPTIMIZE {name} FULL "
        "to recluster existing data. Queries are unaffected.",
    )


def _clustering_text(table: Table) -> str:
    return "AUTO" if table.cluster_auto else _col_list(table, table.cluster_by)


@check(DROP_CHECK, DropConstraint)
def _drop_check(c: DropConstraint, ctx: AnalysisContext) -> Iterator[Report]:
    if c.constraint.kind != "check" or ctx.after.get(c.table.id) is None:
        return
    name = ctx.name(c.table.id)
    yield Report(
        name,
        f"CHECK constraint {c.constraint.name} ({c.constraint.expression}) is dropped from {name}.",
        "Writes are no longer validated against the condition; rows that violate it can be written from "
        "now on.",
    )


@check(SET_ROW_FILTER, SetRowFilter)
def _set_row_filter(c: SetRowFilter, ctx: AnalysisContext) -> Iterator[Report]:
    if c.filter_after is None or not ctx.existed(c.before.id):
        return
    name = ctx.name(c.before.id)
    was = f"replaces {c.filter_before.function}" if c.filter_before else "is added"
    yield Report(
        name,
        f"row filter {c.filter_after.function} {was} on {name}.",
        "Principals may see fewer or different rows than before; jobs that aggregate the table may report "
        "different numbers. Check the filter against the principals that read the table.",
    )


@check(SET_COLUMN_MASK, ModifyColumn)
def _set_column_mask(c: ModifyColumn, ctx: AnalysisContext) -> Iterator[Report]:
    if ColumnFlag.MASK not in c.flags or c.after.mask is None or _before_table(ctx, c.table.id) is None:
        return
    name = ctx.name(c.before.id)
    was = f"replaces {c.before.mask.function}" if c.before.mask else "is added"
    yield Report(
        name,
        f"column mask {c.after.mask.function} {was} on {name}.",
        "Principals the mask applies to see masked values instead of real ones; jobs that join or "
        "aggregate on the column may change results.",
    )


@check(SET_OWNER, SetOwner)
def _set_owner(c: SetOwner, ctx: AnalysisContext) -> Iterator[Report]:
    if c.after is None or c.before is not None:
        return
    name = ctx.after_name(c.securable)
    yield Report(
        name,
        f"{name} will be owned by {c.after}.",
        "The ALTER … SET OWNER TO runs last in the plan. Unless the deploying principal is, or is a member "
        f"of, {c.after}, it keeps only the privileges granted to it, and later deploys that alter the object "
        "need MANAGE on it.",
    )
