"""Replay handlers: views, volumes and functions, and the registry-driven create of any schema child.

A schema child whose ``create_<kind>`` has no handler of its own (volumes today) is created by
:func:`_create_schema_child` from its registry entry and its create payload: the checks every kind shares,
then the payload's own (:meth:`schemax.core.ops.Payload.problem`), then the model built from the payload's
fields. A new object kind needs a handler here only when its state is not its payload.
"""

from __future__ import annotations

from schemax.core import kinds
from schemax.core import ops as o
from schemax.core.model import (
    Function,
    View,
)
from schemax.core.replay.builder import _HANDLERS, LEAF_CHILDREN, Reject, StateBuilder, handles
from schemax.core.replay.checks import check_comment, check_new, check_properties, parent_and_namespace


def _check_definition(text: str, what: str) -> None:
    if not text.strip():
        raise Reject(f"{what} is empty")
    if "\x00" in text:
        raise Reject(f"{what} contains a NUL character")


@handles("create_view")
def _create_view(b: StateBuilder, op: o.Op, p: o.CreateView) -> None:
    check_new(b, op, p.name, "view", p.schema_id, "schema")
    _check_definition(p.definition, "view definition")
    check_comment(p.comment)
    check_properties(p.properties)
    b.claim_name(p.schema_id, "relation", p.name, op.target, "table or view")
    b.views[op.target] = View(
        id=op.target, schema_id=p.schema_id, name=p.name, definition=p.definition.strip(), comment=p.comment,
        properties=dict(p.properties),
    )
    b.set_name(p.schema_id, "relation", None, p.name, op.target)


@handles("update_view_definition")
def _update_view(b: StateBuilder, op: o.Op, p: o.UpdateViewDefinition) -> None:
    view = b.obj(op.target)
    _check_definition(p.definition, "view definition")
    b.views[view.id] = view.evolve(definition=p.definition.strip())


@handles("create_function")
def _create_function(b: StateBuilder, op: o.Op, p: o.CreateFunction) -> None:
    check_new(b, op, p.name, "function", p.schema_id, "schema")
    _check_definition(p.body, "function body")
    check_comment(p.comment)
    b.claim_name(p.schema_id, "function", p.name, op.target, "function")
    b.functions[op.target] = Function(
        id=op.target, schema_id=p.schema_id, name=p.name, parameters=p.parameters.strip(),
        returns=p.returns.strip(), language=p.language, body=p.body.strip(), comment=p.comment,
    )
    b.set_name(p.schema_id, "function", None, p.name, op.target)


@handles("update_function")
def _update_function(b: StateBuilder, op: o.Op, p: o.UpdateFunction) -> None:
    fn = b.obj(op.target)
    _check_definition(p.body, "function body")
    b.functions[fn.id] = fn.evolve(
        parameters=p.parameters.strip(), returns=p.returns.strip(), language=p.language, body=p.body.strip()
    )


@handles(*(f"drop_{k.name}" for k in LEAF_CHILDREN))
def _drop_schema_child(b: StateBuilder, op: o.Op, p: o.Empty) -> None:
    obj = b.obj(op.target)
    del b.objects_of(obj.id)[obj.id]
    parent, namespace = parent_and_namespace(b, obj)
    b.forget_name(parent, namespace, obj.name)


def _create_schema_child(b: StateBuilder, op: o.Op, p: o.Payload) -> None:
    kind = kinds.kind(o.OP_PAYLOADS[op.kind][0])
    fields = p.model_dump()
    name, schema_id = fields["name"], fields["schema_id"]
    check_new(b, op, name, kind.name, schema_id, "schema")
    if kind.has_comment:
        check_comment(fields.get("comment"))
    if kind.has_properties:
        check_properties(fields.get("properties") or {})
    problem = p.problem()
    if problem:
        raise Reject(problem)
    namespace = kind.name_namespace
    sharing = " or ".join(k.name for k in kinds.in_namespace(namespace)) or kind.name
    b.claim_name(schema_id, namespace, name, op.target, sharing)
    b.put(kind.model.model_validate({"id": op.target, **fields}))
    b.set_name(schema_id, namespace, None, name, op.target)


for _kind in LEAF_CHILDREN:
    if f"create_{_kind.name}" not in _HANDLERS:
        handles(f"create_{_kind.name}")(_create_schema_child)
