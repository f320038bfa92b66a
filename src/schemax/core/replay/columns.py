"""Replay handlers: columns (add, rename, drop, type, nullability, comment, default, mask)."""

from __future__ import annotations

from schemax.core import ops as o
from schemax.core.model import (
    ColumnMask,
)
from schemax.core.names import validate_column_name
from schemax.core.replay.builder import Reject, StateBuilder, handles
from schemax.core.replay.checks import (
    check_comment,
    column_ids_of,
    generation_users,
    make_column,
    references_to_column,
    replace_column,
)
from schemax.core.types import normalize_type


@handles("add_column")
def _add_column(b: StateBuilder, op: o.Op, p: o.AddColumn) -> None:
    b.require_new(op.target)
    table = b.table(p.table_id)
    if table.column_named(p.name) is not None:
        raise Reject(f"column named {p.name!r} already exists in {table.name!r}")
    if p.identity is not None:  # defined when the table is created only (see identity_of)
        raise Reject(f"identity column {p.name!r} cannot be added to an existing table: identity columns are "
                     "defined when the table is created (https://learn.microsoft.com/en-us/azure/databricks/"
                     "delta/generated-columns#--use-identity-columns-in-delta-lake)")
    if p.generated is not None:  # ADD COLUMNS takes no GENERATED clause
        raise Reject(f"generated column {p.name!r} cannot be added to an existing table: ALTER TABLE ADD "
                     "COLUMNS has no GENERATED clause (https://docs.databricks.com/sql/language-manual/"
                     "sql-ref-syntax-ddl-alter-table-manage-column.html)")
    col = make_column(p, op.target)
    cols = list(table.columns)
    if p.after is None:
        cols.append(col)
    elif p.after == "FIRST":
        cols.insert(0, col)
    else:
        idx = next((i for i, c in enumerate(cols) if c.id == p.after), None)
        if idx is None:
            raise Reject(f"after: {p.after!r} is not a column of {table.name!r}")
        cols.insert(idx + 1, col)
    b.tables[table.id] = table.evolve(columns=tuple(cols))
    b._col_owner[col.id] = table.id


@handles("rename_column")
def _rename_column(b: StateBuilder, op: o.Op, p: o.Rename) -> None:
    table, col, i = b.table_of_column(op.target)
    validate_column_name(p.name)
    if p.name == col.name:
        raise Reject(f"column is already named {p.name!r}")
    clash = table.column_named(p.name)
    if clash is not None and clash.id != col.id:
        raise Reject(f"column named {p.name!r} already exists in {table.name!r}")
    users = generation_users(table, col.id)
    if users:
        raise Reject(f"column {col.name!r} is used by {', '.join(users)}: its expression names the column")
    replace_column(b, table, i, col.evolve(name=p.name))


@handles("drop_column")
def _drop_column(b: StateBuilder, op: o.Op, p: o.Empty) -> None:
    table, col, i = b.table_of_column(op.target)
    if len(table.columns) == 1:
        raise Reject(f"cannot drop the only column of {table.name!r}")
    uses = references_to_column(b, table, col.id)
    if uses:
        raise Reject(f"column {col.name!r} is used by {', '.join(uses)}")
    if table.partition_by and len(table.partition_by) == len(table.columns) - 1:
        raise Reject(f"dropping {col.name!r} would leave only partition columns in {table.name!r}")
    cols = list(table.columns)
    del cols[i]
    b.tables[table.id] = table.evolve(columns=tuple(cols))
    del b._col_owner[col.id]


@handles("change_column_type")
def _change_type(b: StateBuilder, op: o.Op, p: o.ChangeColumnType) -> None:
    table, col, i = b.table_of_column(op.target)
    new_type = normalize_type(p.type)
    if new_type == col.type:
        raise Reject(f"column {col.name!r} already has type {new_type}")
    if col.identity is not None or col.generated is not None:  # defined with the table only (issue 11)
        raise Reject(f"column {col.name!r} is an identity or generated column: its type cannot change")
    replace_column(b, table, i, col.evolve(type=new_type))


@handles("set_column_nullable")
def _set_nullable(b: StateBuilder, op: o.Op, p: o.SetColumnNullable) -> None:
    table, col, i = b.table_of_column(op.target)
    if p.nullable == col.nullable:
        raise Reject(f"column {col.name!r} is already {'NULL' if col.nullable else 'NOT NULL'}")
    if p.nullable and any(
        con.kind == "primary_key" and col.id in con.columns for con in table.constraints
    ):
        raise Reject(f"column {col.name!r} is part of a primary key and must stay NOT NULL")
    replace_column(b, table, i, col.evolve(nullable=p.nullable))


@handles("set_column_comment")
def _set_column_comment(b: StateBuilder, op: o.Op, p: o.SetComment) -> None:
    table, col, i = b.table_of_column(op.target)
    check_comment(p.comment)
    replace_column(b, table, i, col.evolve(comment=p.comment))


@handles("set_column_default")
def _set_column_default(b: StateBuilder, op: o.Op, p: o.SetColumnDefault) -> None:
    table, col, i = b.table_of_column(op.target)
    if p.default is not None and not p.default.strip():
        raise Reject("default expression is empty")
    if p.default is not None and (col.identity is not None or col.generated is not None):
        raise Reject(f"column {col.name!r} is an identity or generated column: it takes no DEFAULT")
    replace_column(b, table, i, col.evolve(default=p.default))


@handles("set_column_mask")
def _set_mask(b: StateBuilder, op: o.Op, p: o.SetColumnMask) -> None:
    table, col, i = b.table_of_column(op.target)
    if not p.function.strip():
        raise Reject("column mask needs a function name")
    using = column_ids_of(table, p.using_columns, "mask using_columns")
    replace_column(b, table, i, col.evolve(mask=ColumnMask(function=p.function, using_columns=using)))


@handles("drop_column_mask")
def _drop_mask(b: StateBuilder, op: o.Op, p: o.Empty) -> None:
    table, col, i = b.table_of_column(op.target)
    if col.mask is None:
        raise Reject(f"column {col.name!r} has no mask")
    replace_column(b, table, i, col.evolve(mask=None))
