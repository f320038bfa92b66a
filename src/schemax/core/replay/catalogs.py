"""Replay handlers: catalogs and schemas (create, rename, comment, drop)."""

from __future__ import annotations

from schemax.core import ops as o
from schemax.core.model import (
    Catalog,
    Schema,
    kind_of_id,
)
from schemax.core.names import validate_object_name
from schemax.core.replay.builder import LEAF_CHILDREN, TOP_LEVEL, Reject, StateBuilder, handles, parent_of
from schemax.core.replay.checks import (
    check_comment,
    check_new,
    check_no_foreign_refs,
    check_properties,
    forget_table,
    parent_and_namespace,
)


@handles("create_catalog")
def _create_catalog(b: StateBuilder, op: o.Op, p: o.CreateCatalog) -> None:
    b.require_new(op.target)
    validate_object_name(p.name, "catalog")
    check_comment(p.comment)
    check_properties(p.properties)
    b.claim_name("", "catalog", p.name, op.target, "catalog")
    b.catalogs[op.target] = Catalog(
        id=op.target, name=p.name, comment=p.comment, managed_location=p.managed_location,
        properties=dict(p.properties),
    )
    b.set_name("", "catalog", None, p.name, op.target)


@handles("create_schema")
def _create_schema(b: StateBuilder, op: o.Op, p: o.CreateSchema) -> None:
    check_new(b, op, p.name, "schema", p.catalog_id, "catalog")
    check_comment(p.comment)
    check_properties(p.properties)
    b.claim_name(p.catalog_id, "schema", p.name, op.target, "schema")
    b.schemas[op.target] = Schema(
        id=op.target, catalog_id=p.catalog_id, name=p.name, comment=p.comment,
        managed_location=p.managed_location, properties=dict(p.properties),
    )
    b.set_name(p.catalog_id, "schema", None, p.name, op.target)


@handles(*(f"rename_{k.name}" for k in TOP_LEVEL if k.renamable))
def _rename(b: StateBuilder, op: o.Op, p: o.Rename) -> None:
    obj = b.obj(op.target)
    kind = kind_of_id(op.target) or ""
    validate_object_name(p.name, kind)
    if p.name == obj.name:
        raise Reject(f"{kind} is already named {p.name!r}")
    parent, ns = parent_and_namespace(b, obj)
    b.claim_name(parent, ns, p.name, op.target, kind)
    b.put(obj.evolve(name=p.name))
    b.set_name(parent, ns, obj.name, p.name, op.target)


@handles(*(f"set_{k.name}_comment" for k in TOP_LEVEL if k.has_comment))
def _set_comment(b: StateBuilder, op: o.Op, p: o.SetComment) -> None:
    obj = b.obj(op.target)
    check_comment(p.comment)
    b.put(obj.evolve(comment=p.comment))


@handles("drop_catalog")
def _drop_catalog(b: StateBuilder, op: o.Op, p: o.Empty) -> None:
    cat = b.obj(op.target)
    schema_ids = {s.id for s in b.schemas.values() if s.catalog_id == cat.id}
    _drop_schemas(b, schema_ids)
    del b.catalogs[cat.id]
    b.forget_name("", "catalog", cat.name)


@handles("drop_schema")
def _drop_schema(b: StateBuilder, op: o.Op, p: o.Empty) -> None:
    sch = b.obj(op.target)
    _drop_schemas(b, {sch.id})


def _drop_schemas(b: StateBuilder, schema_ids: set[str]) -> None:
    table_ids = {t.id for t in b.tables.values() if t.schema_id in schema_ids}
    check_no_foreign_refs(b, table_ids)
    for tid in table_ids:
        forget_table(b, b.tables[tid])
    for k in LEAF_CHILDREN:
        objs = getattr(b, k.state_field)
        for oid in [x.id for x in objs.values() if parent_of(x, k) in schema_ids]:
            del objs[oid]
    b.drop_names_under(schema_ids)
    for sid in schema_ids:
        sch = b.schemas.pop(sid)
        b.forget_name(sch.catalog_id, "schema", sch.name)
