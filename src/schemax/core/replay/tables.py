"""Replay handlers: tables (create, drop, properties, layout, row filters, column order)."""

from __future__ import annotations

from typing import Any

from schemax.core import kinds as _kinds
from schemax.core import ops as o
from schemax.core.model import (
    RowFilter,
    Table,
    kind_of_id,
)
from schemax.core.replay.builder import Reject, StateBuilder, handles
from schemax.core.replay.checks import (
    check_comment,
    check_new,
    check_no_foreign_refs,
    check_properties,
    check_tags,
    column_ids_of,
    forget_table,
    make_column,
    without,
)


@handles("create_table")
def _create_table(b: StateBuilder, op: o.Op, p: o.CreateTable) -> None:
    check_new(b, op, p.name, "table", p.schema_id, "schema")
    check_comment(p.comment)
    check_properties(p.properties)
    check_tags(p.tags)
    if not p.columns:
        raise Reject("a table needs at least one column")
    columns = []
    seen: set[str] = set()
    seen_names: set[str] = set()
    for spec in p.columns:
        if kind_of_id(spec.id) != "column":
            raise Reject(f"{spec.id!r} is not a column id")
        if spec.id in seen or b.exists(spec.id):
            raise Reject(f"column id {spec.id!r} is not new")
        if spec.name.lower() in seen_names:
            raise Reject(f"column named {spec.name!r} appears twice")
        seen.add(spec.id)
        seen_names.add(spec.name.lower())
        columns.append(make_column(spec, spec.id))
    if p.table_type == "EXTERNAL" and not p.location:
        raise Reject("an external table needs a location")
    b.claim_name(p.schema_id, "relation", p.name, op.target, "table or view")
    table = Table(
        id=op.target, schema_id=p.schema_id, name=p.name, table_type=p.table_type, format=p.format.upper(),
        location=p.location, comment=p.comment, columns=tuple(columns), properties=dict(p.properties),
        tags=dict(p.tags),
    )
    partition = column_ids_of(table, p.partition_by, "partition_by")
    cluster = column_ids_of(table, p.cluster_by, "cluster_by")
    if partition and (cluster or p.cluster_auto):
        raise Reject("a table cannot be both partitioned and clustered")
    if cluster and p.cluster_auto:
        raise Reject("CLUSTER BY AUTO takes no clustering columns")
    if partition and len(partition) == len(columns):
        raise Reject("a table needs at least one column that is not a partition column")
    table = table.evolve(partition_by=partition, cluster_by=cluster, cluster_auto=p.cluster_auto)
    b.tables[op.target] = table
    for col in columns:
        b._col_owner[col.id] = op.target
    b.set_name(p.schema_id, "relation", None, p.name, op.target)


@handles("drop_table")
def _drop_table(b: StateBuilder, op: o.Op, p: o.Empty) -> None:
    table = b.table(op.target)
    check_no_foreign_refs(b, {table.id})
    forget_table(b, table)
    b.forget_name(table.schema_id, "relation", table.name)


@handles(*(f"set_{k.name}_properties" for k in _kinds.KINDS if k.has_properties))
def _set_properties(b: StateBuilder, op: o.Op, p: o.SetProperties) -> None:
    obj = b.obj(op.target)
    if not p.properties:
        raise Reject("no properties given")
    check_properties(p.properties)
    b.put(obj.evolve(properties={**obj.properties, **p.properties}))


@handles(*(f"unset_{k.name}_properties" for k in _kinds.KINDS if k.has_properties))
def _unset_properties(b: StateBuilder, op: o.Op, p: o.UnsetProperties) -> None:
    obj = b.obj(op.target)
    b.put(obj.evolve(properties=without(obj.properties, p.keys, "properties")))


@handles("set_cluster_by", "set_partition_by")
def _set_layout(b: StateBuilder, op: o.Op, p: o.SetColumns) -> None:
    table = b.table(op.target)
    field, other = (
        ("cluster_by", "partition_by") if op.kind == "set_cluster_by" else ("partition_by", "cluster_by")
    )
    cols = column_ids_of(table, p.columns, field)
    if p.auto and (field != "cluster_by" or cols):
        raise Reject("AUTO is a clustering without columns (set_cluster_by only)")
    if (cols or p.auto) and getattr(table, other):
        raise Reject(f"table has {other.replace('_by', 'ing')}; clear it first")
    if field == "partition_by" and cols and table.cluster_auto:
        raise Reject("table has clustering; clear it first")
    if field == "partition_by" and cols and len(cols) == len(table.columns):
        raise Reject("a table needs at least one column that is not a partition column")
    changes: dict[str, Any] = {field: cols}
    if field == "cluster_by":
        changes["cluster_auto"] = p.auto
    b.tables[table.id] = table.evolve(**changes)


@handles("set_row_filter")
def _set_row_filter(b: StateBuilder, op: o.Op, p: o.SetRowFilter) -> None:
    table = b.table(op.target)
    if not p.function.strip():
        raise Reject("row filter needs a function name")
    cols = column_ids_of(table, p.columns, "row filter")
    b.tables[table.id] = table.evolve(row_filter=RowFilter(function=p.function, columns=cols))


@handles("drop_row_filter")
def _drop_row_filter(b: StateBuilder, op: o.Op, p: o.Empty) -> None:
    table = b.table(op.target)
    if table.row_filter is None:
        raise Reject("table has no row filter")
    b.tables[table.id] = table.evolve(row_filter=None)


@handles("reorder_columns")
def _reorder(b: StateBuilder, op: o.Op, p: o.ReorderColumns) -> None:
    table = b.table(op.target)
    if sorted(p.order) != sorted(c.id for c in table.columns):
        raise Reject("order must list every column of the table exactly once")
    by_id = {c.id: c for c in table.columns}
    b.tables[table.id] = table.evolve(columns=tuple(by_id[i] for i in p.order))
