"""The Unity Catalog object model: an immutable tree keyed by stable ids.

The state is normalized like a small relational database: one map per object kind, keyed by the object's
stable id, each child naming its parent's id. A rename changes a ``name``, never an id, so every later
step (diff, drift, lineage) can tell a rename from a drop and an add without guessing.

Ids carry their kind as a prefix (``tbl_…``, ``col_…``) so an id alone says what it points at.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from typing import Any

from pydantic import ConfigDict, Field

from schemax.core import kinds as _kinds
from schemax.core.names import split_qualified
from schemax.core.objects import (
    AnyObject,
    Catalog,
    Column,
    ColumnMask,
    Constraint,
    Frozen,
    Function,
    Grants,
    Identity,
    Properties,
    RowFilter,
    Schema,
    SchemaChild,
    Table,
    Tags,
    View,
    Volume,
)

# Derived from the registry (schemax.core.kinds), kept for the code that reads them as plain maps.
#: id prefix -> kind name. The prefix is part of the id, so ids never collide across kinds.
ID_PREFIXES: dict[str, str] = {k.prefix: k.name for k in _kinds.KINDS}
#: kind name -> id prefix
KIND_PREFIX: dict[str, str] = {k.name: k.prefix for k in _kinds.KINDS}
#: kind name -> the State field holding it (top-level kinds only)
KIND_FIELD: dict[str, str] = {k.name: k.field for k in _kinds.top_level() if k.field is not None}
_FIELDS: tuple[str, ...] = tuple(KIND_FIELD.values())
_CHILD_FIELDS: tuple[str, ...] = tuple(k.field for k in _kinds.schema_children() if k.field is not None)


def kind_of_id(object_id: str) -> str | None:
    """The name of the object kind an id names, from its prefix; None for a malformed id."""
    found = _kinds.kind_of_id(object_id)
    return found.name if found is not None else None


class State(Frozen):
    """The whole catalog tree at one point in time. Immutable; build new states with ``replay``."""

    model_config = ConfigDict(frozen=True, extra="forbid", ignored_types=(cached_property,))

    catalogs: dict[str, Catalog] = Field(default_factory=dict)
    schemas: dict[str, Schema] = Field(default_factory=dict)
    tables: dict[str, Table] = Field(default_factory=dict)
    views: dict[str, View] = Field(default_factory=dict)
    volumes: dict[str, Volume] = Field(default_factory=dict)
    functions: dict[str, Function] = Field(default_factory=dict)

    # -- lookups ---------------------------------------------------------------------------------------
    def get(self, object_id: str) -> AnyObject | None:
        """The top-level object (not a column or constraint) with this id."""
        found = _kinds.kind_of_id(object_id)
        if found is None or found.field is None:
            return None
        return getattr(self, found.field).get(object_id)  # type: ignore[no-any-return]

    def is_empty(self) -> bool:
        return not any(getattr(self, field) for field in _FIELDS)

    def objects(self) -> Iterator[AnyObject]:
        for field in _FIELDS:
            yield from getattr(self, field).values()

    def schema_children(self) -> Iterator[SchemaChild]:
        for field in _CHILD_FIELDS:
            yield from getattr(self, field).values()

    def column_owner(self, column_id: str) -> Table | None:
        return self._column_index.get(column_id)

    def constraint_owner(self, constraint_id: str) -> Table | None:
        for t in self.tables.values():
            for c in t.constraints:
                if c.id == constraint_id:
                    return t
        return None

    @cached_property
    def _column_index(self) -> dict[str, Table]:
        return {c.id: t for t in self.tables.values() for c in t.columns}

    def path(self, object_id: str) -> tuple[str, ...]:
        """Logical name parts of an object: (catalog,), (catalog, schema), (catalog, schema, name), and
        (catalog, schema, table, column) for a column. KeyError when the object or a parent is unknown."""
        found = _kinds.kind_of_id(object_id)
        if found is _kinds.COLUMN:
            t = self.column_owner(object_id)
            if t is None:
                raise KeyError(object_id)
            col = t.column(object_id)
            assert col is not None
            return (*self.path(t.id), col.name)
        if found is None or found.field is None:
            raise KeyError(object_id)
        obj = getattr(self, found.field).get(object_id)
        if obj is None:
            raise KeyError(object_id)
        if found.parent_key is None:
            return (obj.name,)
        return (*self.path(getattr(obj, found.parent_key)), obj.name)

    def full_name(self, object_id: str) -> str:
        return ".".join(self.path(object_id))

    def find(
        self, name: str | tuple[str, ...] | list[str], kinds: tuple[str, ...] | None = None
    ) -> str | None:
        """Resolve a logical dotted name (case-insensitive) to an id.

        One part names a catalog, two a schema, three a table/view/volume/function, four a column.
        ``kinds`` restricts the object kinds considered at the last level.
        """
        parts = split_qualified(name) if isinstance(name, str) else list(name)
        return self._find(parts, kinds)

    def _find(self, parts: list[str], kinds: tuple[str, ...] | None) -> str | None:
        key = tuple(p.lower() for p in parts)
        for kind, object_id in self._name_index.get(key, ()):
            if kinds is None or kind in kinds:
                return object_id
        return None

    @cached_property
    def _name_index(self) -> dict[tuple[str, ...], list[tuple[str, str]]]:
        index: dict[tuple[str, ...], list[tuple[str, str]]] = {}
        keys: dict[str, dict[str, tuple[str, ...]]] = {}  # kind -> object id -> lower-cased name path
        for k in _kinds.top_level():
            own = keys.setdefault(k.name, {})
            parents = keys.get(k.parent or "", {})
            unknown = ("?",) * (k.depth - 1)  # a parent missing from the state
            for oid, obj in getattr(self, k.field or "").items():
                parent = parents.get(getattr(obj, k.parent_key), unknown) if k.parent_key else ()
                key = own[oid] = (*parent, obj.name.lower())
                index.setdefault(key, []).append((k.name, oid))
        for tid, table in self.tables.items():  # columns: four-part names
            for col in table.columns:
                index.setdefault((*keys["table"][tid], col.name.lower()), []).append(("column", col.id))
        return index

    def to_dict(self) -> dict[str, Any]:
        """The canonical JSON-ready form (what hashes and snapshots are computed over)."""
        return self.model_dump(mode="json")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> State:
        return cls.model_validate(data)


if tuple(State.model_fields) != _FIELDS:  # pragma: no cover - guards the registry at import time
    raise AssertionError(f"State fields {tuple(State.model_fields)} must be the top-level kinds' {_FIELDS}")

EMPTY_STATE = State()

__all__ = [
    "EMPTY_STATE",
    "ID_PREFIXES",
    "KIND_FIELD",
    "KIND_PREFIX",
    "AnyObject",
    "Catalog",
    "Column",
    "ColumnMask",
    "Constraint",
    "Function",
    "Frozen",
    "Grants",
    "Identity",
    "Properties",
    "RowFilter",
    "Schema",
    "SchemaChild",
    "State",
    "Table",
    "Tags",
    "View",
    "Volume",
    "kind_of_id",
]
