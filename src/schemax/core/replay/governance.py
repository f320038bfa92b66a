"""Replay handlers: tags, owners and grants."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from schemax.core import kinds as _kinds
from schemax.core import ops as o
from schemax.core.model import (
    kind_of_id,
)
from schemax.core.replay.builder import Reject, StateBuilder, handles
from schemax.core.replay.checks import check_privileges, check_tags, replace_column, without


def _tagged(b: StateBuilder, object_id: str) -> tuple[Any, Callable[[Any], None]]:
    """The object holding tags for ``object_id`` and a function storing its replacement."""
    if kind_of_id(object_id) == "column":
        table, col, i = b.table_of_column(object_id)
        return col, lambda new: replace_column(b, table, i, new)
    obj = b.obj(object_id)
    return obj, b.put


@handles(*(f"set_{k.name}_tags" for k in _kinds.taggable()))
def _set_tags(b: StateBuilder, op: o.Op, p: o.SetTags) -> None:
    obj, store = _tagged(b, op.target)
    if not p.tags:
        raise Reject("no tags given")
    check_tags(p.tags)
    store(obj.evolve(tags={**obj.tags, **p.tags}))


@handles(*(f"unset_{k.name}_tags" for k in _kinds.taggable()))
def _unset_tags(b: StateBuilder, op: o.Op, p: o.UnsetTags) -> None:
    obj, store = _tagged(b, op.target)
    store(obj.evolve(tags=without(obj.tags, p.keys, "tags")))


@handles("set_owner")
def _set_owner(b: StateBuilder, op: o.Op, p: o.SetOwner) -> None:
    obj = b.obj(op.target)
    kind = _kinds.kind_of_id(op.target)
    if kind is None or not kind.securable:
        raise Reject(f"{op.target!r} has no owner")
    owner = p.owner.strip() if p.owner is not None else None
    if owner is not None and (not owner or "\x00" in owner):
        raise Reject("an owner is a principal name (not blank)")
    b.put(obj.evolve(owner=owner))


@handles("grant")
def _grant(b: StateBuilder, op: o.Op, p: o.GrantPayload) -> None:
    obj = b.obj(op.target)
    principal = p.principal.strip()
    if not principal or "\x00" in principal:
        raise Reject("grant needs a principal")
    privs = check_privileges(p.privileges)
    current = set(obj.grants.get(principal, ()))
    grants = {**obj.grants, principal: tuple(sorted(current | set(privs)))}
    b.put(obj.evolve(grants=grants))


@handles("revoke")
def _revoke(b: StateBuilder, op: o.Op, p: o.GrantPayload) -> None:
    obj = b.obj(op.target)
    privs = check_privileges(p.privileges)
    current = set(obj.grants.get(p.principal.strip(), ()))
    missing = set(privs) - current
    if missing:
        raise Reject(f"{p.principal!r} does not hold {sorted(missing)}")
    grants = dict(obj.grants)
    remaining = tuple(sorted(current - set(privs)))
    if remaining:
        grants[p.principal.strip()] = remaining
    else:
        grants.pop(p.principal.strip())
    b.put(obj.evolve(grants=grants))
