"""``diff(before, after)``: the changes between two states, object by object, keyed by stable ids.

Objects are matched by id only, so a rename is always a rename and never a guessed drop + add, and churn
between the two states (added then dropped, renamed twice) collapses to nothing or to one change. The
output order is deterministic (object kind, then full name, then id); :mod:`schemax.plan.order` puts the
changes in execution order.

A created object's change carries the whole object (its grants, tags, constraints, row filter and masks
included); a dropped schema or catalog comes with a drop for each object it held, so every destructive
step is visible on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from schemax.core import changes as ch
from schemax.core import kinds
from schemax.core.changes import COLUMN_FIELDS, OBJECT_CHANGES, Change, ObjectFlag
from schemax.core.model import State, Table
from schemax.core.ops import OP_PAYLOADS, Op
from schemax.core.registry import require_complete


def _key(state: State, object_id: str) -> tuple[str, str]:
    try:
        return (state.full_name(object_id).lower(), object_id)
    except KeyError:
        return ("", object_id)


def _ids(before: dict[str, Any], after: dict[str, Any], before_state: State, after_state: State) -> list[str]:
    def key(object_id: str) -> tuple[str, str]:
        return _key(after_state if object_id in after else before_state, object_id)

    return sorted(set(before) | set(after), key=key)


def changed_and_gone(
    old: Mapping[str, str], new: Mapping[str, str]
) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """(pairs new or with a new value, keys removed), both sorted: what a SET and an UNSET must say."""
    changed = tuple(sorted((k, v) for k, v in new.items() if old.get(k) != v))
    gone = tuple(sorted(k for k in old if k not in new))
    return changed, gone


def _object_flags(old: Any, new: Any, fields: Mapping[ObjectFlag, tuple[str, ...]]) -> frozenset[ObjectFlag]:
    return frozenset(
        flag for flag, names in fields.items() if any(getattr(old, n) != getattr(new, n) for n in names)
    )


def diff(before: State, after: State) -> list[Change]:
    """The changes that turn ``before`` into ``after`` (empty when they hold the same objects)."""
    out: list[Change] = []
    for kind in kinds.top_level():  # parents first: catalogs, schemas, tables, views, volumes, functions
        if kind is kinds.TABLE:
            _tables(before, after, out)
        else:
            _objects(before, after, out, kind)
    _grants(before, after, out)
    _owners(before, after, out)
    return out


def _objects(before: State, after: State, out: list[Change], kind: kinds.ObjectKind) -> None:
    """Created, dropped, renamed (or moved) and altered objects of one kind other than tables."""
    family = OBJECT_CHANGES[kind.name]
    create: Callable[..., Change] = family.create
    drop: Callable[..., Change] = family.drop
    assert family.alter is not None  # every kind but tables has an alter
    alter: Callable[..., Change] = family.alter
    identity = ("name", kind.parent_key) if kind.parent_key else ("name",)  # what a rename (or move) changes
    olds, news = getattr(before, kind.state_field), getattr(after, kind.state_field)
    for oid in _ids(olds, news, before, after):
        old, new = olds.get(oid), news.get(oid)
        if old is None:
            out.append(create(after=new))
        elif new is None:
            out.append(drop(before=old))
        elif old != new:
            if any(getattr(old, f) != getattr(new, f) for f in identity):
                if family.rename is None:  # no rename op records one: the object is replaced
                    out.append(drop(before=old))
                    out.append(create(after=new))
                    continue
                rename: Callable[..., Change] = family.rename
                out.append(rename(before=old, after=new))
            flags = _object_flags(old, new, family.fields)
            if flags:
                out.append(alter(before=old, after=new, flags=flags))


def _tables(before: State, after: State, out: list[Change]) -> None:
    for tid in _ids(before.tables, after.tables, before, after):
        old, new = before.tables.get(tid), after.tables.get(tid)
        if old is None:
            out.append(ch.CreateTable(after=new))  # type: ignore[arg-type]
        elif new is None:
            out.append(ch.DropTable(before=old))
        elif old is not new and old != new:
            out.extend(table_changes(old, new))


def table_changes(old: Table, new: Table) -> list[Change]:
    """Changes between two versions of one table, in the order a renderer applies them."""
    out: list[Change] = []
    if (old.name, old.schema_id) != (new.name, new.schema_id):
        out.append(ch.RenameTable(before=old, after=new))
    old_cons = {c.id: c for c in old.constraints}
    new_cons = {c.id: c for c in new.constraints}
    for con in old.constraints:
        if new_cons.get(con.id) != con:
            out.append(ch.DropConstraint(table=old, constraint=con))
    if old.columns != new.columns:
        out.extend(_column_changes(old, new))
    if old.cluster_by != new.cluster_by or old.cluster_auto != new.cluster_auto:
        out.append(ch.SetClustering(before=old, after=new))
    if old.partition_by != new.partition_by:
        out.append(ch.SetPartitioning(before=old, after=new))
    if old.row_filter != new.row_filter:
        out.append(ch.SetRowFilter(before=old, after=new))
    for con in new.constraints:
        if old_cons.get(con.id) != con:
            out.append(ch.AddConstraint(table=new, constraint=con))
    if old.comment != new.comment:
        out.append(ch.SetTableComment(before=old, after=new))
    if old.tags != new.tags:
        changed, gone = changed_and_gone(old.tags, new.tags)
        out.append(ch.SetTableTags(before=old, after=new, set=changed, unset=gone))
    if old.properties != new.properties:
        changed, gone = changed_and_gone(old.properties, new.properties)
        out.append(ch.SetTableProperties(before=old, after=new, set=changed, unset=gone))
    return out


def _column_changes(old: Table, new: Table) -> list[Change]:
    out: list[Change] = []
    old_cols = {c.id: c for c in old.columns}
    new_cols = {c.id: c for c in new.columns}
    for col in old.columns:
        if col.id not in new_cols:
            out.append(ch.DropColumn(table=old, column=col))
    modified: list[Change] = []
    renames: list[ch.RenameColumn] = []
    for col in new.columns:
        prev = old_cols.get(col.id)
        if prev is None or prev == col:
            continue
        if prev.name != col.name:
            renames.append(ch.RenameColumn(table=new, before=prev, after=col))
        flags = frozenset(
            f for f, name in COLUMN_FIELDS.items() if getattr(prev, name) != getattr(col, name)
        )
        if flags:
            modified.append(ch.ModifyColumn(table=new, before=prev, after=col, flags=flags))
    out.extend(_chain_safe(renames))
    out.extend(modified)
    survivors_old = [c.id for c in old.columns if c.id in new_cols]
    survivors_new = [c.id for c in new.columns if c.id in old_cols]
    if survivors_old != survivors_new:
        out.append(ch.ReorderColumns(before=old, after=new))
    previous: str | None = None
    for col in new.columns:
        if col.id not in old_cols:
            out.append(ch.AddColumn(table=new, column=col, after_column=previous))
        previous = col.id
    return out


def _chain_safe(renames: list[ch.RenameColumn]) -> list[ch.RenameColumn]:
    """Renames ordered so that one applied in sequence never takes a name still held (a -> b after b -> c).

    A cycle (a <-> b) has no such order; it stays as is and the renderer goes through temporary names.
    """
    pending = list(renames)
    out: list[ch.RenameColumn] = []
    while pending:
        held = {r.before.name.lower() for r in pending}
        ready = [r for r in pending if r.after.name.lower() not in held - {r.before.name.lower()}]
        if not ready:
            return out + pending
        out.extend(ready)
        pending = [r for r in pending if r not in ready]
    return out


def _grants(before: State, after: State, out: list[Change]) -> None:
    """Grant/Revoke per (securable, principal) for objects on both sides; created objects carry theirs."""
    for kind in kinds.securable():
        olds, news = getattr(before, kind.state_field), getattr(after, kind.state_field)
        for oid in _ids(olds, news, before, after):
            old, new = olds.get(oid), news.get(oid)
            if old is None or new is None or old.grants == new.grants:
                continue
            for principal in sorted(set(old.grants) | set(new.grants)):
                had, has = set(old.grants.get(principal, ())), set(new.grants.get(principal, ()))
                if has - had:
                    out.append(
                        ch.Grant(securable=oid, principal=principal, privileges=tuple(sorted(has - had)))
                    )
                if had - has:
                    out.append(
                        ch.Revoke(securable=oid, principal=principal, privileges=tuple(sorted(had - has)))
                    )


def _owners(before: State, after: State, out: list[Change]) -> None:
    """SetOwner per securable whose managed owner changes, created objects with an owner included (the
    ALTER ... OWNER TO runs after everything else, see plan/render/owners.py)."""
    for kind in kinds.securable():
        olds, news = getattr(before, kind.state_field), getattr(after, kind.state_field)
        for oid in _ids(olds, news, before, after):
            old, new = olds.get(oid), news.get(oid)
            if new is None:
                continue
            was = old.owner if old is not None else None
            if new.owner != was:
                out.append(ch.SetOwner(securable=oid, before=was, after=new.owner))


# ---------------------------------------------------------------------------------------------------
# provenance: which recorded ops each change comes from
# ---------------------------------------------------------------------------------------------------


def _table_member_ids(change: Change) -> set[str]:
    ids: set[str] = set()
    for name in ("before", "after", "table"):
        obj = getattr(change, name, None)
        if isinstance(obj, Table):
            ids.add(obj.id)
            ids.update(c.id for c in obj.columns)
            ids.update(c.id for c in obj.constraints)
    return ids


def _kinds(*op_kinds: str) -> Callable[[Op, Change], bool]:
    wanted = frozenset(op_kinds)
    return lambda op, change: op.target == change.subject and op.kind in wanted


def _any_on_subject(op: Op, change: Change) -> bool:
    return op.target == change.subject


def _whole_table(op: Op, change: Change) -> bool:
    return op.target in _table_member_ids(change)


def _column_modified(op: Op, change: Change) -> bool:
    return op.target == change.subject and op.kind != "rename_column"


def _grant_for(kind: str) -> Callable[[Op, Change], bool]:
    def match(op: Op, change: Change) -> bool:
        principal = str(op.payload.get("principal", "")).strip()
        return op.target == change.subject and op.kind == kind and principal == change.principal  # type: ignore[attr-defined]

    return match


def _alter(kind: kinds.ObjectKind, *extra: str) -> Callable[[Op, Change], bool]:
    """The ops of the kind's comment, tags and properties families on the subject, and ``extra``."""
    family = (
        f"set_{kind.name}_comment", f"set_{kind.name}_tags", f"unset_{kind.name}_tags",
        f"set_{kind.name}_properties", f"unset_{kind.name}_properties",
    )
    return _kinds(*(op for op in family if op in OP_PAYLOADS), *extra)


def _family_matchers() -> dict[type[Change], Callable[[Op, Change], bool]]:
    """Each top-level kind's create, drop, rename and alter: every op on the subject, its rename op, the ops
    of its alterable families."""
    out: dict[type[Change], Callable[[Op, Change], bool]] = {}
    for kind in kinds.top_level():
        family = OBJECT_CHANGES[kind.name]
        out[family.create] = _any_on_subject
        out[family.drop] = _any_on_subject
        if family.rename is not None:
            out[family.rename] = _kinds(f"rename_{kind.name}")
        if family.alter is not None:
            out[family.alter] = _alter(kind)
    return out


_OP_MATCHERS: dict[type[Change], Callable[[Op, Change], bool]] = {
    **_family_matchers(),
    ch.CreateTable: _whole_table,
    ch.DropTable: _whole_table,
    ch.SetTableComment: _kinds("set_table_comment"),
    ch.SetTableProperties: _kinds("set_table_properties", "unset_table_properties"),
    ch.SetTableTags: _kinds("set_table_tags", "unset_table_tags"),
    ch.SetClustering: _kinds("set_cluster_by"),
    ch.SetPartitioning: _kinds("set_partition_by"),
    ch.SetRowFilter: _kinds("set_row_filter", "drop_row_filter"),
    ch.ReorderColumns: _kinds("reorder_columns"),
    ch.AddColumn: _any_on_subject,
    ch.DropColumn: _any_on_subject,
    ch.RenameColumn: _kinds("rename_column"),
    ch.ModifyColumn: _column_modified,
    ch.AddConstraint: _any_on_subject,
    ch.DropConstraint: _any_on_subject,
    ch.AlterView: _alter(kinds.VIEW, "update_view_definition"),
    ch.AlterFunction: _alter(kinds.FUNCTION, "update_function"),
    ch.Grant: _grant_for("grant"),
    ch.Revoke: _grant_for("revoke"),
    ch.SetOwner: _kinds("set_owner"),
}


def attach_op_ids(changes: Sequence[Change], ops: Iterable[Op]) -> list[Change]:
    """``changes`` with ``op_ids`` filled: the ops (in log order) each change comes from.

    A created or dropped table takes every op on the table, its columns and constraints; any other
    change takes the ops of its own kind on its own subject (a column change: every op on that column).
    """
    log_order: dict[str, int] = {}
    by_target: dict[str, list[Op]] = {}
    for op in ops:
        log_order.setdefault(op.op_id, len(log_order))
        by_target.setdefault(op.target, []).append(op)
    out = []
    for change in changes:
        match = _OP_MATCHERS[type(change)]
        if match is _whole_table:
            candidates = [op for target in _table_member_ids(change) for op in by_target.get(target, ())]
        else:
            candidates = by_target.get(change.subject, [])
        seen: dict[str, None] = {}
        for op in candidates:
            if match(op, change):
                seen.setdefault(op.op_id, None)
        ids = tuple(sorted(seen, key=log_order.__getitem__))
        out.append(replace(change, op_ids=ids) if ids != change.op_ids else change)
    return out


require_complete(_OP_MATCHERS, ch.CHANGE_TYPES, "change types without an op matcher")

__all__ = ["attach_op_ids", "diff", "table_changes"]
