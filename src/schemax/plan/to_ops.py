"""A diff expressed as ops: what ``revert_to`` and the importers record.

``ops_between(before, after)`` returns ops that, replayed on ``before``, give exactly ``after``, reusing
``after``'s stable ids. Ops are emitted in phases (removals of references, drops, renames, creates,
modifications, then references again) so that each op is valid against the state its predecessors
leave, whatever the two states are.

Every aspect an op can change is emitted. What no op records cannot differ between two states replayed
from ops, and is not emitted: a catalog's or schema's managed location, a volume's type and location
(``AlterCatalog``/``AlterSchema``/``AlterVolume`` with ``ObjectFlag.LOCATION``), and the table type,
format and location the differ does not compare.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from schemax.core import changes as ch
from schemax.core import kinds
from schemax.core.changes import OBJECT_CHANGES
from schemax.core.model import Column, Constraint, State, Table
from schemax.core.ops import OP_KINDS, OP_PAYLOADS, Op, key_options, payload_model
from schemax.core.registry import require_complete
from schemax.plan.diff import diff

# phase of each op kind: lower runs first
_PHASES: tuple[tuple[str, ...], ...] = (
    ("drop_constraint", "drop_row_filter", "drop_column_mask", "revoke"),
    ("drop_view", "drop_function", "drop_volume"),
    ("drop_column",),
    ("drop_table",),
    ("drop_schema",),
    ("drop_catalog",),
    ("rename_catalog", "rename_schema", "rename_table", "rename_view", "rename_volume", "rename_column"),
    ("create_catalog", "set_catalog_comment", "set_catalog_tags", "unset_catalog_tags",
     "set_catalog_properties", "unset_catalog_properties"),
    ("create_schema", "set_schema_comment", "set_schema_tags", "unset_schema_tags",
     "set_schema_properties", "unset_schema_properties"),
    ("create_table", "create_volume", "create_function", "update_function", "set_function_comment",
     "set_volume_comment", "set_volume_tags", "unset_volume_tags"),
    ("add_column", "change_column_type", "set_column_nullable", "set_column_comment", "set_column_default",
     "set_column_tags", "unset_column_tags", "set_table_comment", "set_table_properties",
     "unset_table_properties", "set_table_tags", "unset_table_tags"),
    ("set_partition_by", "set_cluster_by"),  # a cleared layout goes in phase 0, see _layout
    ("reorder_columns",),
    ("create_view", "update_view_definition", "set_view_comment", "set_view_properties",
     "unset_view_properties", "set_view_tags", "unset_view_tags"),
    ("add_primary_key",),
    ("add_foreign_key", "add_check_constraint", "set_row_filter", "set_column_mask", "grant"),
    ("set_owner",),
)
_PHASE_OF = {kind: i for i, members in enumerate(_PHASES) for kind in members}
# the ops of a schema child not listed above (a new object kind) run with the views': after the tables,
# views and functions it may read, its drops before theirs
for _op_kind, (_target, _) in OP_PAYLOADS.items():
    if _op_kind not in _PHASE_OF and _target in {k.name for k in kinds.schema_children()}:
        _like = {"drop": "drop_view", "rename": "rename_view"}.get(_op_kind.split("_", 1)[0], "create_view")
        _PHASE_OF[_op_kind] = _PHASE_OF[_like]
require_complete(_PHASE_OF, OP_KINDS, "op kinds without an emission phase")


class _Emitter:
    def __init__(self, author: str, ts: str | None) -> None:
        self.author, self.ts = author, ts
        self.ops: list[tuple[int, int, Op]] = []

    def __call__(
        self, kind: str, target: str, payload: dict[str, Any] | None = None, *, phase: int | None = None
    ) -> None:
        op = Op.new(kind, target, payload or {}, author=self.author, ts=self.ts)
        self.ops.append((phase if phase is not None else _PHASE_OF[kind], len(self.ops), op))

    def ordered(self) -> list[Op]:
        return [op for _, _, op in sorted(self.ops, key=lambda x: (x[0], x[1]))]


Emit = Callable[..., None]
_EMITTERS: dict[type[ch.Change], Callable[[Emit, Any, State, State], None]] = {}


def emits(change_type: type[ch.Change]) -> Callable[[Callable[[Emit, Any, State, State], None]], Any]:
    def register(fn: Callable[[Emit, Any, State, State], None]) -> Any:
        _EMITTERS[change_type] = fn
        return fn

    return register


def _set_and_unset(
    emit: Emit, what: str, kind: str, target: str, before: dict[str, str], after: dict[str, str]
) -> None:
    """``set_<kind>_<what>`` for the new and changed entries of a tag or property map, ``unset_…`` for the
    gone ones."""
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    gone = sorted(k for k in before if k not in after)
    if changed:
        emit(f"set_{kind}_{what}", target, {what: changed})
    if gone:
        emit(f"unset_{kind}_{what}", target, {"keys": gone})


def _tags(emit: Emit, kind: str, target: str, before: dict[str, str], after: dict[str, str]) -> None:
    _set_and_unset(emit, "tags", kind, target, before, after)


def _grants(
    emit: Emit, target: str, before: dict[str, tuple[str, ...]], after: dict[str, tuple[str, ...]]
) -> None:
    # ALL PRIVILEGES is never held beside other privileges (core/uc_rules.py): a live catalog that shows
    # both is recorded as ALL PRIVILEGES alone; revokes go first so neither op is refused when recorded
    # (a single privilege cannot be granted or revoked while ALL PRIVILEGES is held)
    for principal in sorted(set(before) | set(after)):
        had, has = _privilege_set(before.get(principal, ())), _privilege_set(after.get(principal, ()))
        removed, added = sorted(had - has), sorted(has - had)
        if removed:
            emit("revoke", target, {"principal": principal, "privileges": removed})
        if added:
            emit("grant", target, {"principal": principal, "privileges": added})


def _privilege_set(privileges: tuple[str, ...]) -> set[str]:
    return {"ALL PRIVILEGES"} if "ALL PRIVILEGES" in privileges else set(privileges)


def _create(kind: kinds.ObjectKind) -> Callable[[Emit, Any, State, State], None]:
    """``create_<kind>`` with the object's value of every field its create payload declares, then the tags
    and grants it holds: the emitter of every top-level kind whose state is its payload (all but tables)."""
    fields = tuple(payload_model(f"create_{kind.name}").model_fields)

    def fn(emit: Emit, c: Any, before: State, after: State) -> None:
        obj = c.after
        emit(f"create_{kind.name}", obj.id, {f: _plain(getattr(obj, f)) for f in fields})
        if kind.taggable:
            _tags(emit, kind.name, obj.id, {}, obj.tags)
        if kind.securable:
            _grants(emit, obj.id, {}, obj.grants)

    return fn


def _plain(value: Any) -> Any:
    """A state value as a payload holds it (the state's frozen maps and tuples as dicts and lists)."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def _constraint(emit: Emit, table_id: str, con: Constraint) -> None:
    if con.kind == "primary_key":
        emit("add_primary_key", con.id, {
            "table_id": table_id, "name": con.name, "columns": list(con.columns),
            **key_options(rely=con.rely, not_enforced=con.not_enforced, timeseries=con.timeseries),
        })
    elif con.kind == "foreign_key":
        emit("add_foreign_key", con.id, {
            "table_id": table_id, "name": con.name, "columns": list(con.columns), "ref_table": con.ref_table,
            "ref_columns": list(con.ref_columns), **key_options(rely=con.rely),
        })
    else:
        emit("add_check_constraint", con.id, {
            "table_id": table_id, "name": con.name, "expression": con.expression,
        })


def _column_extras(emit: Emit, col: Column) -> None:
    if col.mask is not None:
        emit("set_column_mask", col.id, {
            "function": col.mask.function, "using_columns": list(col.mask.using_columns),
        })


# --- catalogs and schemas ----------------------------------------------------------------------------


def _drop(kind: str) -> Callable[[Emit, Any, State, State], None]:
    def fn(emit: Emit, c: Any, before: State, after: State) -> None:
        emit(kind, c.before.id)

    return fn


@emits(ch.DropTable)
def _drop_table(emit: Emit, c: ch.DropTable, before: State, after: State) -> None:
    # its foreign keys go first: another dropped table it references may be dropped before it
    for con in c.before.constraints:
        if con.kind == "foreign_key":
            emit("drop_constraint", con.id)
    emit("drop_table", c.before.id)


def _rename(kind: str) -> Callable[[Emit, Any, State, State], None]:
    def fn(emit: Emit, c: Any, before: State, after: State) -> None:
        if c.before.name != c.after.name:
            emit(kind, c.after.id, {"name": c.after.name})

    return fn


def _alter(kind: kinds.ObjectKind) -> Callable[[Emit, Any, State, State], None]:
    """The comment, properties and tags of an altered object, as far as its kind has them."""

    def fn(emit: Emit, c: Any, before: State, after: State) -> None:
        b, a = c.before, c.after
        if kind.has_comment and b.comment != a.comment:
            emit(f"set_{kind.name}_comment", a.id, {"comment": a.comment})
        if kind.has_properties:
            _set_and_unset(emit, "properties", kind.name, a.id, b.properties, a.properties)
        if kind.taggable and b.tags != a.tags:
            _tags(emit, kind.name, a.id, b.tags, a.tags)

    return fn


# --- tables ------------------------------------------------------------------------------------------


@emits(ch.CreateTable)
def _create_table(emit: Emit, c: ch.CreateTable, before: State, after: State) -> None:
    t: Table = c.after
    emit("create_table", t.id, {
        "schema_id": t.schema_id, "name": t.name, "comment": t.comment, "table_type": t.table_type,
        "format": t.format, "location": t.location, "properties": dict(t.properties),
        "partition_by": list(t.partition_by), "cluster_by": list(t.cluster_by), "tags": dict(t.tags),
        **({"cluster_auto": True} if t.cluster_auto else {}),
        "columns": [
            {"id": col.id, "name": col.name, "type": col.type, "nullable": col.nullable,
             "comment": col.comment, "default": col.default, "tags": dict(col.tags),
             **({"generated": col.generated} if col.generated is not None else {}),
             **({"identity": col.identity.model_dump()} if col.identity is not None else {})}
            for col in t.columns
        ],
    })
    for col in t.columns:
        _column_extras(emit, col)
    for con in t.constraints:
        _constraint(emit, t.id, con)
    if t.row_filter is not None:
        _set_row_filter(emit, t)
    _grants(emit, t.id, {}, t.grants)


@emits(ch.SetTableComment)
def _table_comment(emit: Emit, c: ch.SetTableComment, before: State, after: State) -> None:
    emit("set_table_comment", c.after.id, {"comment": c.after.comment})


@emits(ch.SetTableProperties)
def _table_props(emit: Emit, c: ch.SetTableProperties, before: State, after: State) -> None:
    if c.set:
        emit("set_table_properties", c.after.id, {"properties": dict(c.set)})
    if c.unset:
        emit("unset_table_properties", c.after.id, {"keys": list(c.unset)})


@emits(ch.SetTableTags)
def _table_tags(emit: Emit, c: ch.SetTableTags, before: State, after: State) -> None:
    _tags(emit, "table", c.after.id, c.before.tags, c.after.tags)


def _layout(field: str, kind: str) -> Callable[[Emit, Any, State, State], None]:
    def fn(emit: Emit, c: Any, before: State, after: State) -> None:
        cols = list(getattr(c.after, field))
        auto = field == "cluster_by" and c.after.cluster_auto
        # clearing a layout goes first (the columns it used may be dropped, or the other layout set);
        # setting one goes after the columns it names were added
        emit(kind, c.after.id, {"columns": cols, **({"auto": True} if auto else {})},
             phase=0 if not cols and not auto else None)

    return fn


_EMITTERS[ch.SetClustering] = _layout("cluster_by", "set_cluster_by")
_EMITTERS[ch.SetPartitioning] = _layout("partition_by", "set_partition_by")


def _set_row_filter(emit: Emit, table: Table) -> None:
    rf = table.row_filter
    assert rf is not None
    emit("set_row_filter", table.id, {"function": rf.function, "columns": list(rf.columns)})


@emits(ch.SetRowFilter)
def _row_filter(emit: Emit, c: ch.SetRowFilter, before: State, after: State) -> None:
    if c.before.row_filter is not None:
        emit("drop_row_filter", c.after.id)
    if c.after.row_filter is not None:
        _set_row_filter(emit, c.after)


@emits(ch.ReorderColumns)
def _reorder(emit: Emit, c: ch.ReorderColumns, before: State, after: State) -> None:
    emit("reorder_columns", c.after.id, {"order": [col.id for col in c.after.columns]})


# --- columns -----------------------------------------------------------------------------------------


@emits(ch.AddColumn)
def _add_column(emit: Emit, c: ch.AddColumn, before: State, after: State) -> None:
    col = c.column
    emit("add_column", col.id, {"table_id": c.table.id, "name": col.name, "type": col.type,
                                "nullable": col.nullable, "comment": col.comment, "default": col.default,
                                "after": c.after_column or "FIRST"})
    if col.tags:
        emit("set_column_tags", col.id, {"tags": dict(col.tags)})
    _column_extras(emit, col)


@emits(ch.DropColumn)
def _drop_column(emit: Emit, c: ch.DropColumn, before: State, after: State) -> None:
    emit("drop_column", c.column.id)


@emits(ch.RenameColumn)
def _rename_column(emit: Emit, c: ch.RenameColumn, before: State, after: State) -> None:
    emit("rename_column", c.after.id, {"name": c.after.name})


@emits(ch.ModifyColumn)
def _modify_column(emit: Emit, c: ch.ModifyColumn, before: State, after: State) -> None:
    b, a = c.before, c.after
    if b.type != a.type:
        emit("change_column_type", a.id, {"type": a.type})
    if b.nullable != a.nullable:
        emit("set_column_nullable", a.id, {"nullable": a.nullable})
    if b.comment != a.comment:
        emit("set_column_comment", a.id, {"comment": a.comment})
    if b.default != a.default:
        emit("set_column_default", a.id, {"default": a.default})
    if b.tags != a.tags:
        _tags(emit, "column", a.id, b.tags, a.tags)
    if b.mask != a.mask:
        if b.mask is not None:
            emit("drop_column_mask", a.id)
        _column_extras(emit, a)


@emits(ch.AddConstraint)
def _add_constraint(emit: Emit, c: ch.AddConstraint, before: State, after: State) -> None:
    _constraint(emit, c.table.id, c.constraint)


@emits(ch.DropConstraint)
def _drop_constraint(emit: Emit, c: ch.DropConstraint, before: State, after: State) -> None:
    emit("drop_constraint", c.constraint.id)


@emits(ch.SetOwner)
def _set_owner(emit: Emit, c: ch.SetOwner, before: State, after: State) -> None:
    emit("set_owner", c.securable, {"owner": c.after})


# --- views, volumes, functions, grants ---------------------------------------------------------------


@emits(ch.AlterView)
def _alter_view(emit: Emit, c: ch.AlterView, before: State, after: State) -> None:
    b, a = c.before, c.after
    if b.definition != a.definition:
        emit("update_view_definition", a.id, {"definition": a.definition})
    if b.comment != a.comment:
        emit("set_view_comment", a.id, {"comment": a.comment})
    _set_and_unset(emit, "properties", "view", a.id, b.properties, a.properties)
    if b.tags != a.tags:
        _tags(emit, "view", a.id, b.tags, a.tags)


@emits(ch.AlterFunction)
def _alter_function(emit: Emit, c: ch.AlterFunction, before: State, after: State) -> None:
    b, a = c.before, c.after
    if (b.parameters, b.returns, b.language, b.body) != (a.parameters, a.returns, a.language, a.body):
        emit("update_function", a.id, {
            "parameters": a.parameters, "returns": a.returns, "language": a.language, "body": a.body,
        })
    if b.comment != a.comment:
        emit("set_function_comment", a.id, {"comment": a.comment})


def _privileges(kind: str) -> Callable[[Emit, Any, State, State], None]:
    def fn(emit: Emit, c: ch.Grant | ch.Revoke, before: State, after: State) -> None:
        # a live catalog may show ALL PRIVILEGES beside others: the model holds it alone (core/uc_rules.py)
        privileges = sorted(_privilege_set(c.privileges))
        emit(kind, c.securable, {"principal": c.principal, "privileges": privileges})

    return fn


_EMITTERS[ch.Grant] = _privileges(ch.Grant.kind)
_EMITTERS[ch.Revoke] = _privileges(ch.Revoke.kind)

# the families, where no emitter above says more; a change's kind is also the kind of the op that makes
# it (drop_view, rename_table, ...)
for _kind in kinds.top_level():
    _family = OBJECT_CHANGES[_kind.name]
    _EMITTERS.setdefault(_family.create, _create(_kind))
    _EMITTERS.setdefault(_family.drop, _drop(_family.drop.kind))
    if _family.rename is not None:
        _EMITTERS.setdefault(_family.rename, _rename(_family.rename.kind))
    if _family.alter is not None:
        _EMITTERS.setdefault(_family.alter, _alter(_kind))


def ops_between(before: State, after: State, *, author: str = "schemax", ts: str | None = None) -> list[Op]:
    """Ops that turn ``before`` into ``after`` (ids of ``after`` kept). Empty when they are equal."""
    emit = _Emitter(author, ts)
    for change in diff(before, after):
        handler = _EMITTERS.get(type(change))
        if handler is None:
            raise NotImplementedError(f"no op emitter for {type(change).__name__}")
        handler(emit, change, before, after)
    return emit.ordered()


require_complete(_EMITTERS, ch.CHANGE_TYPES, "change types without an op emitter")

__all__ = ["ops_between"]
