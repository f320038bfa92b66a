"""Validation and bookkeeping shared by the replay handlers (each handler validates its op completely before
it changes anything)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from schemax.core import kinds as _kinds
from schemax.core import ops as o
from schemax.core import tracking, uc_rules
from schemax.core.model import (
    Column,
    Identity,
    Table,
)
from schemax.core.names import validate_column_name, validate_object_name
from schemax.core.replay.builder import ENGINE_RESERVED_PROPERTIES, Reject, StateBuilder, parent_of
from schemax.core.types import normalize_type


def check_comment(comment: str | None) -> None:
    if comment is not None and "\x00" in comment:
        raise Reject("comment contains a NUL character")


def check_properties(props: dict[str, str] | list[str], *, user: bool = True) -> None:
    for key in props:
        if not key or key != key.strip() or any(ch in key for ch in "\x00\n\r"):
            raise Reject(f"invalid property key {key!r}")
        if user and tracking.is_reserved(key):
            raise Reject(f"property {key!r} is reserved for schemax's version tracking")
        if key in ENGINE_RESERVED_PROPERTIES:
            raise Reject(f"property {key!r} is reserved by the engine; it is set through its own clause "
                         "(a comment, an owner grant, a location), not as a table property")
    if isinstance(props, dict):
        for key, value in props.items():
            if "\x00" in value:
                raise Reject(f"property {key!r} has a NUL character")


def check_tags(tags: dict[str, str] | list[str]) -> None:
    # what replay has always refused; UC's character rules and tag limit are checked on record
    problem = uc_rules.basic_tag_problem(tags)
    if problem:
        raise Reject(problem)


def column_ids_of(table: Table, ids: Iterable[str], what: str) -> tuple[str, ...]:
    known = {c.id for c in table.columns}
    out = tuple(ids)
    for cid in out:
        if cid not in known:
            raise Reject(f"{what}: column {cid!r} is not a column of table {table.name!r}")
    if len(set(out)) != len(out):
        raise Reject(f"{what}: a column is listed twice")
    return out


def references_to_column(b: StateBuilder, table: Table, column_id: str) -> list[str]:
    uses = []
    if column_id in table.partition_by:
        uses.append("partitioning")
    if column_id in table.cluster_by:
        uses.append("clustering")
    for con in table.constraints:
        if column_id in con.columns:
            uses.append(f"constraint {con.name}")
    if table.row_filter and column_id in table.row_filter.columns:
        uses.append("row filter")
    for col in table.columns:
        if col.mask and column_id in col.mask.using_columns and col.id != column_id:
            uses.append(f"mask of column {col.name}")
    uses += generation_users(table, column_id)
    for other in b.tables.values():
        for con in other.constraints:
            if con.kind == "foreign_key" and con.ref_table == table.id and column_id in con.ref_columns:
                uses.append(f"foreign key {other.name}.{con.name}")
    return uses


def generation_users(table: Table, column_id: str) -> list[str]:
    """The generated columns whose expression names ``column_id``'s column (issue 11): the expression is SQL
    text naming columns, so the column can be neither dropped nor renamed under it."""
    target = table.column(column_id)
    if target is None:
        return []
    word = re.compile(rf"(?<![\w`])(?:{re.escape(target.name)}|`{re.escape(target.name)}`)(?![\w`])", re.I)
    return [f"generated column {c.name}" for c in table.columns
            if c.generated is not None and c.id != column_id and word.search(c.generated)]


def check_new(b: StateBuilder, op: o.Op, name: str, kind: str, parent: str, parent_kind: str) -> None:
    """What every op creating a named object below a catalog or schema checks first: the id is new, the
    parent exists and the name is valid."""
    b.require_new(op.target)
    if parent not in getattr(b, _kinds.kind(parent_kind).state_field):
        raise Reject(f"unknown {parent_kind} {parent!r}")
    validate_object_name(name, kind)


def without(current: dict[str, str], keys: list[str], what: str) -> dict[str, str]:
    """``current`` less ``keys``, every one of which must be set (UNSET properties / UNSET TAGS)."""
    missing = [k for k in keys if k not in current]
    if not keys or missing:
        raise Reject(f"{what} not set: {missing or '(none given)'}")
    return {k: v for k, v in current.items() if k not in keys}


def make_column(spec: o.ColumnSpec | o.AddColumn, column_id: str) -> Column:
    validate_column_name(spec.name)
    check_comment(spec.comment)
    tags = getattr(spec, "tags", {}) or {}
    check_tags(tags)
    ctype = normalize_type(spec.type)
    identity = identity_of(spec, ctype)
    if spec.generated is not None and not spec.generated.strip():
        raise Reject(f"column {spec.name!r}: a generated column needs an expression")
    if spec.generated is not None and spec.default is not None:
        raise Reject(f"column {spec.name!r} cannot be both generated and have a DEFAULT")
    return Column.trusted(
        id=column_id,
        name=spec.name,
        type=ctype,
        nullable=spec.nullable,
        comment=spec.comment,
        default=spec.default,
        tags=dict(tags),
        mask=None,
        generated=spec.generated,
        identity=identity,
    )


# Identity columns (issue 11): BIGINT only, never with a generation expression or a DEFAULT, a step other
# than 0 (https://books.japila.pl/delta-lake-internals/identity-columns, Delta's checks), and "defined at
# the table creating time, it cannot be added to an existing table"
# (https://learn.microsoft.com/en-us/azure/databricks/delta/generated-columns#--use-identity-columns-in-delta-lake).
def identity_of(spec: o.ColumnSpec | o.AddColumn, ctype: str) -> Identity | None:
    if spec.identity is None:
        return None
    if ctype != "BIGINT":
        raise Reject(f"identity column {spec.name!r} must be BIGINT, not {ctype}")
    if spec.generated is not None or spec.default is not None:
        raise Reject(f"identity column {spec.name!r} cannot also have a generation expression or a DEFAULT")
    if spec.identity.step == 0:
        raise Reject(f"identity column {spec.name!r}: INCREMENT BY cannot be 0")
    return Identity(always=spec.identity.always, start=spec.identity.start, step=spec.identity.step)


def check_privileges(privileges: list[str]) -> tuple[str, ...]:
    # a privilege UC knows on some securable; which securable takes which is checked on record
    privs, problem = uc_rules.known_privileges(privileges)
    if problem:
        raise Reject(problem)
    return privs




def parent_and_namespace(b: StateBuilder, obj: Any) -> tuple[str, str]:
    kind = _kinds.kind_of_id(obj.id)
    assert kind is not None  # obj came from b.obj
    return parent_of(obj, kind), kind.name_namespace


def check_no_foreign_refs(b: StateBuilder, table_ids: set[str]) -> None:
    for other in b.tables.values():
        if other.id in table_ids:
            continue
        for con in other.constraints:
            if con.kind == "foreign_key" and con.ref_table in table_ids:
                target = b.tables[con.ref_table].name
                raise Reject(f"table {target!r} is referenced by foreign key {other.name}.{con.name}")


def forget_table(b: StateBuilder, table: Table) -> None:
    for col in table.columns:
        b._col_owner.pop(col.id, None)
    for con in table.constraints:
        b._con_owner.pop(con.id, None)
        b.unindex_key(table, con)
    del b.tables[table.id]


def replace_column(b: StateBuilder, table: Table, index: int, col: Column) -> None:
    cols = list(table.columns)
    cols[index] = col
    b.tables[table.id] = table.evolve(columns=tuple(cols))
