"""Replay handlers: constraints (primary and foreign keys, CHECK, drop)."""

from __future__ import annotations

from schemax.core import ops as o
from schemax.core.model import (
    Constraint,
    Table,
)
from schemax.core.names import validate_object_name
from schemax.core.replay.builder import Reject, StateBuilder, handles
from schemax.core.replay.checks import column_ids_of


def _add_constraint(b: StateBuilder, op: o.Op, table: Table, con: Constraint) -> None:
    b.require_new(op.target)
    validate_object_name(con.name, "constraint")
    if any(c.name.lower() == con.name.lower() for c in table.constraints):
        raise Reject(f"constraint named {con.name!r} already exists on {table.name!r}")
    b.tables[table.id] = table.evolve(constraints=(*table.constraints, con))
    b._con_owner[con.id] = table.id
    b.index_key(table, con)


@handles("add_primary_key")
def _add_pk(b: StateBuilder, op: o.Op, p: o.AddPrimaryKey) -> None:
    table = b.table(p.table_id)
    if any(c.kind == "primary_key" for c in table.constraints):
        raise Reject(f"table {table.name!r} already has a primary key")
    cols = column_ids_of(table, p.columns, "primary key")
    if not cols:
        raise Reject("a primary key needs at least one column")
    nullable = [c.name for c in table.columns if c.id in cols and c.nullable]
    if nullable:
        raise Reject(f"primary key columns must be NOT NULL: {nullable}")
    if p.timeseries is not None and p.timeseries not in cols:
        raise Reject(f"primary key: the TIMESERIES column {p.timeseries!r} is not one of its columns")
    # RELY / NOT ENFORCED / TIMESERIES:
    # https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-create-table-constraint.html
    pk = Constraint(
        id=op.target, name=p.name, kind="primary_key", columns=cols, rely=p.rely, not_enforced=p.not_enforced,
        timeseries=p.timeseries,
    )
    _add_constraint(b, op, table, pk)


@handles("add_foreign_key")
def _add_fk(b: StateBuilder, op: o.Op, p: o.AddForeignKey) -> None:
    table = b.table(p.table_id)
    ref = b.table(p.ref_table)
    cols = column_ids_of(table, p.columns, "foreign key")
    ref_cols = column_ids_of(ref, p.ref_columns, "foreign key references")
    if not cols or len(cols) != len(ref_cols):
        raise Reject("foreign key needs as many referenced columns as columns, at least one")
    pk = next((c for c in ref.constraints if c.kind == "primary_key"), None)
    if pk is None or set(pk.columns) != set(ref_cols):
        raise Reject(f"foreign key must reference the primary key of {ref.name!r}")
    fk = Constraint(
        id=op.target, name=p.name, kind="foreign_key", columns=cols, ref_table=ref.id, ref_columns=ref_cols,
        rely=p.rely,
    )
    _add_constraint(b, op, table, fk)


@handles("add_check_constraint")
def _add_check(b: StateBuilder, op: o.Op, p: o.AddCheckConstraint) -> None:
    table = b.table(p.table_id)
    if not p.expression.strip():
        raise Reject("check constraint needs an expression")
    check = Constraint(id=op.target, name=p.name, kind="check", expression=p.expression)
    _add_constraint(b, op, table, check)


@handles("drop_constraint")
def _drop_constraint(b: StateBuilder, op: o.Op, p: o.Empty) -> None:
    table_id = b._con_owner.get(op.target)
    if table_id is None:
        raise Reject(f"unknown constraint {op.target!r}")
    table = b.tables[table_id]
    con = next(c for c in table.constraints if c.id == op.target)
    if con.kind == "primary_key":
        for other in b.tables.values():
            for fk in other.constraints:
                if fk.kind == "foreign_key" and fk.ref_table == table.id:
                    raise Reject(f"primary key is referenced by foreign key {other.name}.{fk.name}")
    b.tables[table.id] = table.evolve(constraints=tuple(c for c in table.constraints if c.id != op.target))
    del b._con_owner[op.target]
    b.unindex_key(table, con)
