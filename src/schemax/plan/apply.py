"""``apply_changes(state, changes)``: the meaning of each change as a pure state transition.

This is the interpreter the property tests hold the differ to (``apply_changes(a, diff(a, b)) == b``). Each
change applies only the aspect it names (a comment change copies the comment, a rename the name), so a
differ that forgets an aspect is caught rather than papered over by copying whole objects.

Changes must come in the differ's order (drops before renames before additions within a table).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from schemax.core import changes as ch
from schemax.core import kinds
from schemax.core.changes import COLUMN_FIELDS, KIND_OF_CHANGE, OBJECT_CHANGES, Change
from schemax.core.model import Column, State, Table
from schemax.core.registry import require_complete


class _Work:
    """Mutable maps of immutable objects; built into a new State at the end."""

    def __init__(self, state: State) -> None:
        self.maps: dict[str, dict[str, Any]] = {
            k.state_field: dict(getattr(state, k.state_field)) for k in kinds.top_level()
        }

    def build(self) -> State:
        return State(**self.maps)

    def field_of(self, object_id: str) -> str:
        for name, objs in self.maps.items():
            if object_id in objs:
                return name
        raise KeyError(object_id)

    def update(self, field: str, object_id: str, **values: Any) -> None:
        objs = self.maps[field]
        objs[object_id] = objs[object_id].model_copy(update=values)

    def table(self, table_id: str) -> Table:
        return self.maps["tables"][table_id]  # type: ignore[no-any-return]

    def set_columns(self, table_id: str, columns: Iterable[Column]) -> None:
        self.update("tables", table_id, columns=tuple(columns))


_APPLIERS: dict[type[Change], Callable[[_Work, Any], None]] = {}


def applies(*types: type[Change]) -> Callable[[Callable[[_Work, Any], None]], Callable[[_Work, Any], None]]:
    def register(fn: Callable[[_Work, Any], None]) -> Callable[[_Work, Any], None]:
        for t in types:
            _APPLIERS[t] = fn
        return fn

    return register


def _field_for(change: Change) -> str:
    """The State field of a create/drop/rename/alter change's object."""
    return KIND_OF_CHANGE[type(change)].state_field


def _create(w: _Work, c: Any) -> None:
    w.maps[_field_for(c)][c.after.id] = c.after


def _drop(w: _Work, c: Any) -> None:
    del w.maps[_field_for(c)][c.before.id]


def _rename(w: _Work, c: Any) -> None:
    """The name and the parent (a rename may move an object to another schema)."""
    parent_key = KIND_OF_CHANGE[type(c)].parent_key
    moved = {parent_key: getattr(c.after, parent_key)} if parent_key else {}
    w.update(_field_for(c), c.after.id, name=c.after.name, **moved)


def _alter(w: _Work, c: Any) -> None:
    fields = OBJECT_CHANGES[KIND_OF_CHANGE[type(c)].name].fields
    values = {name: getattr(c.after, name) for flag in c.flags for name in fields.get(flag, ())}
    w.update(_field_for(c), c.after.id, **values)


for _family in OBJECT_CHANGES.values():
    applies(_family.create)(_create)
    applies(_family.drop)(_drop)
    if _family.rename is not None:
        applies(_family.rename)(_rename)
    if _family.alter is not None:
        applies(_family.alter)(_alter)


@applies(ch.SetTableComment)
def _table_comment(w: _Work, c: ch.SetTableComment) -> None:
    w.update("tables", c.after.id, comment=c.after.comment)


def _kv(current: dict[str, str], set_: tuple[tuple[str, str], ...], unset: tuple[str, ...]) -> dict[str, str]:
    out = {**current, **dict(set_)}
    for key in unset:
        out.pop(key, None)
    return out


@applies(ch.SetTableProperties)
def _table_properties(w: _Work, c: ch.SetTableProperties) -> None:
    w.update("tables", c.after.id, properties=_kv(w.table(c.after.id).properties, c.set, c.unset))


@applies(ch.SetTableTags)
def _table_tags(w: _Work, c: ch.SetTableTags) -> None:
    w.update("tables", c.after.id, tags=_kv(w.table(c.after.id).tags, c.set, c.unset))


@applies(ch.SetClustering)
def _clustering(w: _Work, c: ch.SetClustering) -> None:
    w.update("tables", c.after.id, cluster_by=c.after.cluster_by, cluster_auto=c.after.cluster_auto)


@applies(ch.SetPartitioning)
def _partitioning(w: _Work, c: ch.SetPartitioning) -> None:
    w.update("tables", c.after.id, partition_by=c.after.partition_by)


@applies(ch.SetRowFilter)
def _row_filter(w: _Work, c: ch.SetRowFilter) -> None:
    w.update("tables", c.after.id, row_filter=c.after.row_filter)


@applies(ch.ReorderColumns)
def _reorder(w: _Work, c: ch.ReorderColumns) -> None:
    rank = {col.id: i for i, col in enumerate(c.after.columns)}
    current = w.table(c.after.id).columns
    w.set_columns(c.after.id, sorted(current, key=lambda col: rank.get(col.id, len(rank))))


@applies(ch.AddColumn)
def _add_column(w: _Work, c: ch.AddColumn) -> None:
    cols = list(w.table(c.table.id).columns)
    index = (
        0 if c.after_column is None else next(i for i, col in enumerate(cols) if col.id == c.after_column) + 1
    )
    cols.insert(index, c.column)
    w.set_columns(c.table.id, cols)


@applies(ch.DropColumn)
def _drop_column(w: _Work, c: ch.DropColumn) -> None:
    w.set_columns(c.table.id, [col for col in w.table(c.table.id).columns if col.id != c.column.id])


def _replace_column(w: _Work, table_id: str, column_id: str, **values: Any) -> None:
    w.set_columns(
        table_id,
        [col.model_copy(update=values) if col.id == column_id else col for col in w.table(table_id).columns],
    )


@applies(ch.RenameColumn)
def _rename_column(w: _Work, c: ch.RenameColumn) -> None:
    _replace_column(w, c.table.id, c.after.id, name=c.after.name)


@applies(ch.ModifyColumn)
def _modify_column(w: _Work, c: ch.ModifyColumn) -> None:
    _replace_column(
        w, c.table.id, c.after.id, **{COLUMN_FIELDS[f]: getattr(c.after, COLUMN_FIELDS[f]) for f in c.flags}
    )


@applies(ch.AddConstraint)
def _add_constraint(w: _Work, c: ch.AddConstraint) -> None:
    rank = {con.id: i for i, con in enumerate(c.table.constraints)}
    cons = [*w.table(c.table.id).constraints, c.constraint]
    w.update(
        "tables", c.table.id, constraints=tuple(sorted(cons, key=lambda con: rank.get(con.id, len(rank))))
    )


@applies(ch.DropConstraint)
def _drop_constraint(w: _Work, c: ch.DropConstraint) -> None:
    table = w.table(c.table.id)
    w.update(
        "tables", table.id, constraints=tuple(con for con in table.constraints if con.id != c.constraint.id)
    )


@applies(ch.Grant)
def _grant(w: _Work, c: ch.Grant) -> None:
    field = w.field_of(c.securable)
    grants = dict(w.maps[field][c.securable].grants)
    grants[c.principal] = tuple(sorted(set(grants.get(c.principal, ())) | set(c.privileges)))
    w.update(field, c.securable, grants=grants)


@applies(ch.Revoke)
def _revoke(w: _Work, c: ch.Revoke) -> None:
    field = w.field_of(c.securable)
    grants = dict(w.maps[field][c.securable].grants)
    remaining = tuple(sorted(set(grants.get(c.principal, ())) - set(c.privileges)))
    if remaining:
        grants[c.principal] = remaining
    else:
        grants.pop(c.principal, None)
    w.update(field, c.securable, grants=grants)


@applies(ch.SetOwner)
def _owner(w: _Work, c: ch.SetOwner) -> None:
    w.update(w.field_of(c.securable), c.securable, owner=c.after)


def apply_changes(state: State, changes: Iterable[Change]) -> State:
    """The state ``changes`` lead to from ``state`` (pure; ``state`` is not modified)."""
    work = _Work(state)
    for change in changes:
        _APPLIERS[type(change)](work, change)
    return work.build()


require_complete(_APPLIERS, ch.CHANGE_TYPES, "change types without an applier")

__all__ = ["apply_changes"]
