"""The change vocabulary: what differs between two states, object by object.

``diff(before, after)`` returns a list of these. Every change names the stable id of its subject, carries
the object as it was (``before``) and as it will be (``after``) where that makes sense, and is immutable.
Column modifications carry :class:`ColumnFlag` flags saying exactly what changed. Interpreters (render
SQL, analyze, describe) dispatch on the change's type through their own registries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import ClassVar

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


class ColumnFlag(str, Enum):
    """What changed on a column that exists on both sides (Atlas' ChangeKind, for columns)."""

    TYPE = "type"
    NULLABILITY = "nullability"
    COMMENT = "comment"
    DEFAULT = "default"
    TAGS = "tags"
    MASK = "mask"


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


# --- catalogs ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateCatalog(Change):
    kind: ClassVar[str] = "create_catalog"
    after: Catalog

    @property
    def subject(self) -> str:
        return self.after.id


@dataclass(frozen=True)
class DropCatalog(Change):
    kind: ClassVar[str] = "drop_catalog"
    before: Catalog

    @property
    def subject(self) -> str:
        return self.before.id


@dataclass(frozen=True)
class RenameCatalog(Change):
    kind: ClassVar[str] = "rename_catalog"
    before: Catalog
    after: Catalog

    @property
    def subject(self) -> str:
        return self.after.id


@dataclass(frozen=True)
class AlterCatalog(Change):
    kind: ClassVar[str] = "alter_catalog"
    before: Catalog
    after: Catalog
    flags: frozenset[ObjectFlag]

    @property
    def subject(self) -> str:
        return self.after.id


# --- schemas -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateSchema(Change):
    kind: ClassVar[str] = "create_schema"
    after: Schema

    @property
    def subject(self) -> str:
        return self.after.id


@dataclass(frozen=True)
class DropSchema(Change):
    kind: ClassVar[str] = "drop_schema"
    before: Schema

    @property
    def subject(self) -> str:
        return self.before.id


@dataclass(frozen=True)
class RenameSchema(Change):
    kind: ClassVar[str] = "rename_schema"
    before: Schema
    after: Schema

    @property
    def subject(self) -> str:
        return self.after.id


@dataclass(frozen=True)
class AlterSchema(Change):
    kind: ClassVar[str] = "alter_schema"
    before: Schema
    after: Schema
    flags: frozenset[ObjectFlag]

    @property
    def subject(self) -> str:
        return self.after.id


# --- tables ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateTable(Change):
    """A new table, created with its columns, layout, properties, comment and CHECK/PK constraints."""

    kind: ClassVar[str] = "create_table"
    after: Table

    @property
    def subject(self) -> str:
        return self.after.id

    @property
    def table_id(self) -> str:
        return self.after.id


@dataclass(frozen=True)
class DropTable(Change):
    kind: ClassVar[str] = "drop_table"
    before: Table

    @property
    def subject(self) -> str:
        return self.before.id

    @property
    def table_id(self) -> str:
        return self.before.id


@dataclass(frozen=True)
class RenameTable(Change):
    """Same stable id, new name (and possibly moved to another schema)."""

    kind: ClassVar[str] = "rename_table"
    before: Table
    after: Table

    @property
    def subject(self) -> str:
        return self.after.id

    @property
    def table_id(self) -> str:
        return self.after.id


@dataclass(frozen=True)
class _TableChange(Change):
    """A change to one aspect of an existing table; ``before``/``after`` are the whole table."""

    before: Table
    after: Table

    @property
    def subject(self) -> str:
        return self.after.id

    @property
    def table_id(self) -> str:
        return self.after.id


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
class AddColumn(_ColumnChange):
    kind: ClassVar[str] = "add_column"
    column: Column
    after_column: str | None = None  # id of the column it follows in the target; None = first

    @property
    def subject(self) -> str:
        return self.column.id


@dataclass(frozen=True)
class DropColumn(_ColumnChange):
    kind: ClassVar[str] = "drop_column"
    column: Column

    @property
    def subject(self) -> str:
        return self.column.id


@dataclass(frozen=True)
class RenameColumn(_ColumnChange):
    kind: ClassVar[str] = "rename_column"
    before: Column
    after: Column

    @property
    def subject(self) -> str:
        return self.after.id


@dataclass(frozen=True)
class ModifyColumn(_ColumnChange):
    """Same column id on both sides; ``flags`` says what changed (a rename is its own change)."""

    kind: ClassVar[str] = "modify_column"
    before: Column
    after: Column
    flags: frozenset[ColumnFlag]

    @property
    def subject(self) -> str:
        return self.after.id


# --- constraints -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AddConstraint(_ColumnChange):
    kind: ClassVar[str] = "add_constraint"
    constraint: Constraint

    @property
    def subject(self) -> str:
        return self.constraint.id


@dataclass(frozen=True)
class DropConstraint(_ColumnChange):
    kind: ClassVar[str] = "drop_constraint"
    constraint: Constraint

    @property
    def subject(self) -> str:
        return self.constraint.id


# --- views, volumes, functions -----------------------------------------------------------------------


@dataclass(frozen=True)
class CreateView(Change):
    kind: ClassVar[str] = "create_view"
    after: View

    @property
    def subject(self) -> str:
        return self.after.id


@dataclass(frozen=True)
class DropView(Change):
    kind: ClassVar[str] = "drop_view"
    before: View

    @property
    def subject(self) -> str:
        return self.before.id


@dataclass(frozen=True)
class RenameView(Change):
    kind: ClassVar[str] = "rename_view"
    before: View
    after: View

    @property
    def subject(self) -> str:
        return self.after.id


@dataclass(frozen=True)
class AlterView(Change):
    kind: ClassVar[str] = "alter_view"
    before: View
    after: View
    flags: frozenset[ObjectFlag]

    @property
    def subject(self) -> str:
        return self.after.id


@dataclass(frozen=True)
class CreateVolume(Change):
    kind: ClassVar[str] = "create_volume"
    after: Volume

    @property
    def subject(self) -> str:
        return self.after.id


@dataclass(frozen=True)
class DropVolume(Change):
    kind: ClassVar[str] = "drop_volume"
    before: Volume

    @property
    def subject(self) -> str:
        return self.before.id


@dataclass(frozen=True)
class RenameVolume(Change):
    kind: ClassVar[str] = "rename_volume"
    before: Volume
    after: Volume

    @property
    def subject(self) -> str:
        return self.after.id


@dataclass(frozen=True)
class AlterVolume(Change):
    kind: ClassVar[str] = "alter_volume"
    before: Volume
    after: Volume
    flags: frozenset[ObjectFlag]

    @property
    def subject(self) -> str:
        return self.after.id


@dataclass(frozen=True)
class CreateFunction(Change):
    kind: ClassVar[str] = "create_function"
    after: Function

    @property
    def subject(self) -> str:
        return self.after.id


@dataclass(frozen=True)
class DropFunction(Change):
    kind: ClassVar[str] = "drop_function"
    before: Function

    @property
    def subject(self) -> str:
        return self.before.id


@dataclass(frozen=True)
class AlterFunction(Change):
    """Definition (CREATE OR REPLACE) and/or comment changed."""

    kind: ClassVar[str] = "alter_function"
    before: Function
    after: Function
    flags: frozenset[ObjectFlag]

    @property
    def subject(self) -> str:
        return self.after.id


# --- grants ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grant(Change):
    """Privileges given to a principal on any securable (catalog, schema, table, view, volume, function)."""

    kind: ClassVar[str] = "grant"
    securable: str  # object id
    principal: str
    privileges: tuple[str, ...]

    @property
    def subject(self) -> str:
        return self.securable


@dataclass(frozen=True)
class Revoke(Change):
    kind: ClassVar[str] = "revoke"
    securable: str
    principal: str
    privileges: tuple[str, ...]

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
)

__all__ = [c.__name__ for c in CHANGE_TYPES] + ["CHANGE_TYPES", "Change", "ColumnFlag", "ObjectFlag"]
