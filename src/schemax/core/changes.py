"""The change vocabulary: what differs between two states, object by object.

``diff(before, after)`` returns a list of these. Every change names the stable id of its subject, carries
the object as it was (``before``) and as it will be (``after``) where that makes sense, and is immutable.
Column modifications carry :class:`ColumnFlag` flags saying exactly what changed. Interpreters (render
SQL, analyze, describe) dispatch on the change's type through their own registries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import ClassVar, Generic, Protocol, TypeVar

from schemax.core import kinds
from schemax.core.model import (
    Catalog,
    Column,
    Constraint,
    Function,
    RowFilter,
    Schema,
    Table,
    View,
    Volume,
)
from schemax.core.registry import require_complete


class ColumnFlag(str, Enum):
    """What changed on a column that exists on both sides (Atlas' ChangeKind, for columns)."""

    TYPE = "type"
    NULLABILITY = "nullability"
    COMMENT = "comment"
    DEFAULT = "default"
    TAGS = "tags"
    MASK = "mask"


#: the :class:`Column` field each flag stands for
COLUMN_FIELDS: dict[ColumnFlag, str] = {
    ColumnFlag.TYPE: "type",
    ColumnFlag.NULLABILITY: "nullable",
    ColumnFlag.COMMENT: "comment",
    ColumnFlag.DEFAULT: "default",
    ColumnFlag.TAGS: "tags",
    ColumnFlag.MASK: "mask",
}


class ObjectFlag(str, Enum):
    """What changed on a catalog, schema, view, volume or function that exists on both sides."""

    COMMENT = "comment"
    TAGS = "tags"
    PROPERTIES = "properties"
    DEFINITION = "definition"
    LOCATION = "location"


@dataclass(frozen=True)
class Change:
    """Base of every change. ``subject`` is the stable id of the object the change is about."""

    kind: ClassVar[str] = "change"
    op_ids: tuple[str, ...] = field(default=(), kw_only=True, compare=False)

    @property
    def subject(self) -> str:  # pragma: no cover - every concrete change overrides
        raise NotImplementedError

    @property
    def table_id(self) -> str | None:
        """The table this change belongs to, for changes folded per table; None otherwise."""
        return None


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


_Obj = TypeVar("_Obj", bound=_HasId)


# Most changes differ only in the object kind they carry and in whether they hold it as it was, as it
# will be, or both: these generic bases give each shape its fields and its ``subject`` once.


@dataclass(frozen=True)
class _Created(Change, Generic[_Obj]):
    after: _Obj

    @property
    def subject(self) -> str:
        return self.after.id


@dataclass(frozen=True)
class _Dropped(Change, Generic[_Obj]):
    before: _Obj

    @property
    def subject(self) -> str:
        return self.before.id


@dataclass(frozen=True)
class _Changed(Change, Generic[_Obj]):
    """Same stable id on both sides (renamed, altered); the subject is the object as it will be."""

    before: _Obj
    after: _Obj

    @property
    def subject(self) -> str:
        return self.after.id


@dataclass(frozen=True)
class _Altered(_Changed[_Obj]):
    flags: frozenset[ObjectFlag]


# --- catalogs ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateCatalog(_Created[Catalog]):
    kind: ClassVar[str] = "create_catalog"


@dataclass(frozen=True)
class DropCatalog(_Dropped[Catalog]):
    kind: ClassVar[str] = "drop_catalog"


@dataclass(frozen=True)
class RenameCatalog(_Changed[Catalog]):
    kind: ClassVar[str] = "rename_catalog"


@dataclass(frozen=True)
class AlterCatalog(_Altered[Catalog]):
    kind: ClassVar[str] = "alter_catalog"


# --- schemas -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateSchema(_Created[Schema]):
    kind: ClassVar[str] = "create_schema"


@dataclass(frozen=True)
class DropSchema(_Dropped[Schema]):
    kind: ClassVar[str] = "drop_schema"


@dataclass(frozen=True)
class RenameSchema(_Changed[Schema]):
    kind: ClassVar[str] = "rename_schema"


@dataclass(frozen=True)
class AlterSchema(_Altered[Schema]):
    kind: ClassVar[str] = "alter_schema"


# --- tables ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateTable(_Created[Table]):
    """A new table, created with its columns, layout, properties, comment and CHECK/PK constraints."""

    kind: ClassVar[str] = "create_table"

    @property
    def table_id(self) -> str:
        return self.after.id


@dataclass(frozen=True)
class DropTable(_Dropped[Table]):
    kind: ClassVar[str] = "drop_table"

    @property
    def table_id(self) -> str:
        return self.before.id


@dataclass(frozen=True)
class _TableChange(_Changed[Table]):
    """A change to an existing table; ``before``/``after`` are the whole table."""

    @property
    def table_id(self) -> str:
        return self.after.id


@dataclass(frozen=True)
class RenameTable(_TableChange):
    """Same stable id, new name (and possibly moved to another schema)."""

    kind: ClassVar[str] = "rename_table"


@dataclass(frozen=True)
class SetTableComment(_TableChange):
    kind: ClassVar[str] = "set_table_comment"


@dataclass(frozen=True)
class SetTableProperties(_TableChange):
    """Declared properties set (new or changed value) and unset."""

    kind: ClassVar[str] = "set_table_properties"
    set: tuple[tuple[str, str], ...] = ()
    unset: tuple[str, ...] = ()


@dataclass(frozen=True)
class SetTableTags(_TableChange):
    kind: ClassVar[str] = "set_table_tags"
    set: tuple[tuple[str, str], ...] = ()
    unset: tuple[str, ...] = ()


@dataclass(frozen=True)
class SetClustering(_TableChange):
    kind: ClassVar[str] = "set_clustering"


@dataclass(frozen=True)
class SetPartitioning(_TableChange):
    """Partition columns differ: Delta cannot ALTER this; the table must be rewritten."""

    kind: ClassVar[str] = "set_partitioning"


@dataclass(frozen=True)
class SetRowFilter(_TableChange):
    kind: ClassVar[str] = "set_row_filter"

    @property
    def filter_before(self) -> RowFilter | None:
        return self.before.row_filter

    @property
    def filter_after(self) -> RowFilter | None:
        return self.after.row_filter


@dataclass(frozen=True)
class ReorderColumns(_TableChange):
    """Column order differs (columns present on both sides only)."""

    kind: ClassVar[str] = "reorder_columns"


# --- columns -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _ColumnChange(Change):
    table: Table  # the table as it is after the change (before, for DropColumn)

    @property
    def table_id(self) -> str:
        return self.table.id


@dataclass(frozen=True)
class _AddedOrDroppedColumn(_ColumnChange):
    column: Column

    @property
    def subject(self) -> str:
        return self.column.id


@dataclass(frozen=True)
class AddColumn(_AddedOrDroppedColumn):
    kind: ClassVar[str] = "add_column"
    after_column: str | None = None  # id of the column it follows in the target; None = first


@dataclass(frozen=True)
class DropColumn(_AddedOrDroppedColumn):
    kind: ClassVar[str] = "drop_column"


@dataclass(frozen=True)
class _ColumnChanged(_ColumnChange):
    before: Column
    after: Column

    @property
    def subject(self) -> str:
        return self.after.id


@dataclass(frozen=True)
class RenameColumn(_ColumnChanged):
    kind: ClassVar[str] = "rename_column"


@dataclass(frozen=True)
class ModifyColumn(_ColumnChanged):
    """Same column id on both sides; ``flags`` says what changed (a rename is its own change)."""

    kind: ClassVar[str] = "modify_column"
    flags: frozenset[ColumnFlag]


# --- constraints -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _AddedOrDroppedConstraint(_ColumnChange):
    constraint: Constraint

    @property
    def subject(self) -> str:
        return self.constraint.id


@dataclass(frozen=True)
class AddConstraint(_AddedOrDroppedConstraint):
    kind: ClassVar[str] = "add_constraint"


@dataclass(frozen=True)
class DropConstraint(_AddedOrDroppedConstraint):
    kind: ClassVar[str] = "drop_constraint"


# --- views, volumes, functions -----------------------------------------------------------------------


@dataclass(frozen=True)
class CreateView(_Created[View]):
    kind: ClassVar[str] = "create_view"


@dataclass(frozen=True)
class DropView(_Dropped[View]):
    kind: ClassVar[str] = "drop_view"


@dataclass(frozen=True)
class RenameView(_Changed[View]):
    kind: ClassVar[str] = "rename_view"


@dataclass(frozen=True)
class AlterView(_Altered[View]):
    kind: ClassVar[str] = "alter_view"


@dataclass(frozen=True)
class CreateVolume(_Created[Volume]):
    kind: ClassVar[str] = "create_volume"


@dataclass(frozen=True)
class DropVolume(_Dropped[Volume]):
    kind: ClassVar[str] = "drop_volume"


@dataclass(frozen=True)
class RenameVolume(_Changed[Volume]):
    kind: ClassVar[str] = "rename_volume"


@dataclass(frozen=True)
class AlterVolume(_Altered[Volume]):
    kind: ClassVar[str] = "alter_volume"


@dataclass(frozen=True)
class CreateFunction(_Created[Function]):
    kind: ClassVar[str] = "create_function"


@dataclass(frozen=True)
class DropFunction(_Dropped[Function]):
    kind: ClassVar[str] = "drop_function"


@dataclass(frozen=True)
class AlterFunction(_Altered[Function]):
    """Definition (CREATE OR REPLACE) and/or comment changed."""

    kind: ClassVar[str] = "alter_function"


# --- grants ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _PrivilegeChange(Change):
    securable: str  # object id
    principal: str
    privileges: tuple[str, ...]

    @property
    def subject(self) -> str:
        return self.securable


@dataclass(frozen=True)
class Grant(_PrivilegeChange):
    """Privileges given to a principal on any securable (catalog, schema, table, view, volume, function)."""

    kind: ClassVar[str] = "grant"


@dataclass(frozen=True)
class Revoke(_PrivilegeChange):
    kind: ClassVar[str] = "revoke"


@dataclass(frozen=True)
class SetOwner(Change):
    """The owner of a securable changes (issue 11); ``before`` None when schemax did not manage it (or the
    object is new). An owner that is no longer managed (``after`` None) is left as it is: no statement."""

    securable: str  # object id
    before: str | None
    after: str | None
    kind: ClassVar[str] = "set_owner"

    @property
    def subject(self) -> str:
        return self.securable


CHANGE_TYPES: tuple[type[Change], ...] = (
    CreateCatalog, DropCatalog, RenameCatalog, AlterCatalog,
    CreateSchema, DropSchema, RenameSchema, AlterSchema,
    CreateTable, DropTable, RenameTable, SetTableComment, SetTableProperties, SetTableTags, SetClustering,
    SetPartitioning, SetRowFilter, ReorderColumns,
    AddColumn, DropColumn, RenameColumn, ModifyColumn,
    AddConstraint, DropConstraint,
    CreateView, DropView, RenameView, AlterView,
    CreateVolume, DropVolume, RenameVolume, AlterVolume,
    CreateFunction, DropFunction, AlterFunction,
    Grant, Revoke,
    SetOwner,
)

#: Does a statement carrying this change touch something other objects depend on (a catalog, schema,
#: view, function, volume, a grant, a constraint, a table's existence or name)? A deployment runs such a
#: statement alone, between its concurrent per-table waves (``services/deploy.py``); every other change
#: is part of its table's chain. Every change type says which (checked below).
DEPLOY_BARRIER: dict[type[Change], bool] = {
    CreateCatalog: True, DropCatalog: True, RenameCatalog: True, AlterCatalog: True,
    CreateSchema: True, DropSchema: True, RenameSchema: True, AlterSchema: True,
    CreateTable: False, DropTable: True, RenameTable: True, SetTableComment: False,
    SetTableProperties: False, SetTableTags: False, SetClustering: False, SetPartitioning: False,
    SetRowFilter: False, ReorderColumns: False,
    AddColumn: False, DropColumn: False, RenameColumn: False, ModifyColumn: False,
    AddConstraint: True, DropConstraint: True,
    CreateView: True, DropView: True, RenameView: True, AlterView: True,
    CreateVolume: True, DropVolume: True, RenameVolume: True, AlterVolume: True,
    CreateFunction: True, DropFunction: True, AlterFunction: True,
    Grant: True, Revoke: True,
    SetOwner: True,
}
require_complete(DEPLOY_BARRIER, CHANGE_TYPES, "deploy barriers")

#: The change kinds (``Change.kind``, as deployment records keep them) of the barrier changes.
BARRIER_KINDS: frozenset[str] = frozenset(t.kind for t, barrier in DEPLOY_BARRIER.items() if barrier)


@dataclass(frozen=True)
class ObjectChanges:
    """The change types of one top-level object kind, and what its alter compares.

    Interpreters (diff, apply, order, describe, op emitters) derive their entries for the whole family
    from here and add their own only where a kind differs.
    """

    create: type[Change]
    drop: type[Change]
    rename: type[Change] | None  # None: the kind has no rename op; a renamed object is dropped and created
    alter: type[Change] | None  # None: changed piece by piece through change types of its own (tables)
    #: the model fields each flag of ``alter`` stands for (what the differ compares)
    fields: Mapping[ObjectFlag, tuple[str, ...]] = field(default_factory=dict)

    def types(self) -> tuple[type[Change], ...]:
        return tuple(t for t in (self.create, self.drop, self.rename, self.alter) if t is not None)


_CONTAINER_FIELDS: Mapping[ObjectFlag, tuple[str, ...]] = {
    ObjectFlag.COMMENT: ("comment",),
    ObjectFlag.TAGS: ("tags",),
    ObjectFlag.PROPERTIES: ("properties",),
    ObjectFlag.LOCATION: ("managed_location",),
}

#: top-level object kind -> its change types (see :mod:`schemax.core.kinds`)
OBJECT_CHANGES: dict[str, ObjectChanges] = {
    "catalog": ObjectChanges(CreateCatalog, DropCatalog, RenameCatalog, AlterCatalog, _CONTAINER_FIELDS),
    "schema": ObjectChanges(CreateSchema, DropSchema, RenameSchema, AlterSchema, _CONTAINER_FIELDS),
    "table": ObjectChanges(CreateTable, DropTable, RenameTable, None),
    "view": ObjectChanges(CreateView, DropView, RenameView, AlterView, {
        ObjectFlag.DEFINITION: ("definition",),
        ObjectFlag.COMMENT: ("comment",),
        ObjectFlag.PROPERTIES: ("properties",),
        ObjectFlag.TAGS: ("tags",),
    }),
    "volume": ObjectChanges(CreateVolume, DropVolume, RenameVolume, AlterVolume, {
        ObjectFlag.COMMENT: ("comment",),
        ObjectFlag.TAGS: ("tags",),
        ObjectFlag.LOCATION: ("location", "volume_type"),
    }),
    "function": ObjectChanges(CreateFunction, DropFunction, None, AlterFunction, {
        ObjectFlag.DEFINITION: ("parameters", "returns", "language", "body"),
        ObjectFlag.COMMENT: ("comment",),
    }),
}
require_complete(OBJECT_CHANGES, [k.name for k in kinds.top_level()], "object kinds without change types")
for _name, _family in OBJECT_CHANGES.items():
    if (_family.rename is not None) != kinds.kind(_name).renamable:  # pragma: no cover - import-time guard
        raise AssertionError(f"{_name}: a rename change type exists iff the kind is renamable")

#: change type -> the top-level object kind its family belongs to
KIND_OF_CHANGE: dict[type[Change], kinds.ObjectKind] = {
    t: kinds.kind(name) for name, family in OBJECT_CHANGES.items() for t in family.types()
}

__all__ = [c.__name__ for c in CHANGE_TYPES] + [
    "BARRIER_KINDS", "CHANGE_TYPES", "COLUMN_FIELDS", "DEPLOY_BARRIER", "KIND_OF_CHANGE", "OBJECT_CHANGES",
    "Change", "ColumnFlag", "ObjectChanges", "ObjectFlag",
]
