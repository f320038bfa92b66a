"""One plain-language line per change, for the plan's review screen (dispatch by change class)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from schemax.core import changes as ch
from schemax.core import kinds
from schemax.core.changes import COLUMN_FIELDS, OBJECT_CHANGES, Change
from schemax.core.registry import require_complete
from schemax.core.words import count, shown


def _flags(c: Any) -> str:
    return ", ".join(sorted(f.value for f in c.flags))


def _kv(pairs: Any) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in pairs)


def _layout(field: str) -> Callable[[Any], str]:
    def text(t: Any) -> str:
        if field == "cluster_by" and t.cluster_auto:
            return "AUTO"
        return ", ".join(t.column_names(getattr(t, field))) or "none"

    def fn(c: Any) -> str:
        old, new = text(c.before), text(c.after)
        return f"{'clustering' if field == 'cluster_by' else 'partitioning'}: {old} -> {new}"

    return fn


def _set_unset(label: str) -> Callable[[Any], str]:
    """'<label>: set k='v'; unset k2' for a change carrying ``set`` pairs and ``unset`` keys."""

    def fn(c: Any) -> str:
        parts = (f"set {_kv(c.set)}" if c.set else "", f"unset {', '.join(c.unset)}" if c.unset else "")
        return f"{label}: " + "; ".join(x for x in parts if x)

    return fn


def _renamed(kind: str) -> Callable[[Any], str]:
    return lambda c: f"rename {kind} {c.before.name} -> {c.after.name}"


def _family_describers() -> dict[type[Change], Callable[[Any], str]]:
    """'create view', 'drop view', 'rename view a -> b', 'change view comment, tags' for every top-level kind
    (the table below says more where it can)."""
    def fixed(text: str) -> Callable[[Any], str]:
        return lambda c: text

    def changed(name: str) -> Callable[[Any], str]:
        return lambda c: f"change {name} {_flags(c)}"

    out: dict[type[Change], Callable[[Any], str]] = {}
    for kind in kinds.top_level():
        family = OBJECT_CHANGES[kind.name]
        out[family.create] = fixed(f"create {kind.name}")
        out[family.drop] = fixed(f"drop {kind.name}")
        if family.rename is not None:
            out[family.rename] = _renamed(kind.name)
        if family.alter is not None:
            out[family.alter] = changed(kind.name)
    return out


_DESCRIBERS: dict[type[Change], Callable[[Any], str]] = {
    **_family_describers(),
    ch.CreateCatalog: lambda c: f"create catalog {c.after.name}",
    ch.DropCatalog: lambda c: f"drop catalog {c.before.name}",
    ch.CreateSchema: lambda c: f"create schema {c.after.name}",
    ch.DropSchema: lambda c: f"drop schema {c.before.name}",
    ch.CreateTable: lambda c: f"create table with {count(len(c.after.columns), 'column')}",
    ch.DropTable: lambda c: f"drop table ({count(len(c.before.columns), 'column')}, data deleted)",
    ch.SetTableComment: lambda c: f"comment: {shown(c.before.comment)} -> {shown(c.after.comment)}",
    ch.SetTableProperties: _set_unset("properties"),
    ch.SetTableTags: _set_unset("tags"),
    ch.SetClustering: _layout("cluster_by"),
    ch.SetPartitioning: _layout("partition_by"),
    ch.SetRowFilter: lambda c: (
        f"row filter: {c.filter_before.function if c.filter_before else 'none'} -> "
        f"{c.filter_after.function if c.filter_after else 'none'}"
    ),
    ch.ReorderColumns: lambda c: "reorder columns: " + ", ".join(col.name for col in c.after.columns),
    ch.AddColumn: lambda c: (
        f"add column {c.column.name} {c.column.type}{'' if c.column.nullable else ' NOT NULL'}"
    ),
    ch.DropColumn: lambda c: f"drop column {c.column.name} {c.column.type}",
    ch.RenameColumn: _renamed("column"),
    ch.ModifyColumn: lambda c: (
        f"change column {c.after.name}: "
        + "; ".join(
            f"{f.value} {shown(getattr(c.before, COLUMN_FIELDS[f]))} -> "
            f"{shown(getattr(c.after, COLUMN_FIELDS[f]))}"
            for f in sorted(c.flags, key=lambda f: f.value)
        )
    ),
    ch.AddConstraint: lambda c: f"add {c.constraint.kind.replace('_', ' ')} constraint {c.constraint.name}",
    ch.DropConstraint: lambda c: f"drop {c.constraint.kind.replace('_', ' ')} constraint {c.constraint.name}",
    ch.CreateVolume: lambda c: f"create {c.after.volume_type.lower()} volume",
    ch.CreateFunction: lambda c: f"create function ({c.after.language})",
    ch.Grant: lambda c: f"grant {', '.join(c.privileges)} to {c.principal}",
    ch.Revoke: lambda c: f"revoke {', '.join(c.privileges)} from {c.principal}",
    ch.SetOwner: lambda c: f"owner: {c.before or '(not managed)'} -> {c.after or '(not managed)'}",
}


def describe(change: Change) -> str:
    """A one-line, plain-language description of ``change``."""
    return _DESCRIBERS[type(change)](change)


require_complete(_DESCRIBERS, ch.CHANGE_TYPES, "change types without a description")

__all__ = ["describe"]
