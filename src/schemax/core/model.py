"""The Unity Catalog object model: an immutable tree keyed by stable ids.

The state is normalized like a small relational database: one map per object kind, keyed by the object's
stable id, each child naming its parent's id. A rename changes a ``name``, never an id, so every later
step (diff, drift, lineage) can tell a rename from a drop and an add without guessing.

Ids carry their kind as a prefix (``tbl_…``, ``col_…``) so an id alone says what it points at.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from schemax.core.names import split_qualified

# Prefix of a stable id → object kind. The prefix is part of the id, so ids never collide across kinds.
ID_PREFIXES: dict[str, str] = {
    "cat": "catalog",
    "sch": "schema",
    "tbl": "table",
    "viw": "view",
    "vol": "volume",
    "fun": "function",
    "col": "column",
    "con": "constraint",
}
KIND_PREFIX: dict[str, str] = {kind: prefix for prefix, kind in ID_PREFIXES.items()}

ObjectKind = Literal["catalog", "schema", "table", "view", "volume", "function", "column", "constraint"]
Tags = dict[str, str]
Properties = dict[str, str]
# principal -> privileges (upper case, sorted)
Grants = dict[str, tuple[str, ...]]


def kind_of_id(object_id: str) -> str | None:
    """The object kind an id names, from its prefix; None for a malformed id."""
    prefix, sep, rest = object_id.partition("_")
    if not sep or not rest:
        return None
    return ID_PREFIXES.get(prefix)


def _unvalidated(cls: type[BaseModel], data: dict[str, Any], fields_set: set[str]) -> Any:
    """An instance of ``cls`` holding ``data`` as is: what pydantic's constructor leaves, minus validation."""
    new = cls.__new__(cls)
    object.__setattr__(new, "__dict__", data)
    object.__setattr__(new, "__pydantic_fields_set__", fields_set)
    object.__setattr__(new, "__pydantic_extra__", None)
    object.__setattr__(new, "__pydantic_private__", None)
    return new


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    @classmethod
    def trusted(cls, **data: Any) -> Any:
        """Build from already-validated values naming every field (replay's hot path)."""
        return _unvalidated(cls, data, set(data))

    def evolve(self, **changes: Any) -> Any:
        """A copy with some fields replaced, without re-validation (callers pass validated values).

        ``model_copy(update=...)`` does the same through a slower generic path; replay calls this
        ~100,000 times for a large log, so it is worth the few lines.
        """
        cls = self.__class__
        data = dict(self.__dict__)
        if len(data) != len(cls.__pydantic_fields__):  # drop cached_property values, they may be stale
            data = {k: v for k, v in data.items() if k in cls.__pydantic_fields__}
        data.update(changes)
        return _unvalidated(cls, data, self.__pydantic_fields_set__ | changes.keys())


class ColumnMask(Frozen):
    """A column mask: a function applied to the column's value, optionally reading other columns."""

    function: str
    using_columns: tuple[str, ...] = ()  # column ids


class RowFilter(Frozen):
    """A row filter: a boolean function over some of the table's columns."""

    function: str
    columns: tuple[str, ...] = ()  # column ids


class Column(Frozen):
    id: str
    name: str
    type: str  # normalized type string (see core.types)
    nullable: bool = True
    comment: str | None = None
    default: str | None = None  # SQL expression
    tags: Tags = Field(default_factory=dict)
    mask: ColumnMask | None = None


class Constraint(Frozen):
    id: str
    name: str
    kind: Literal["primary_key", "foreign_key", "check"]
    columns: tuple[str, ...] = ()  # column ids (primary/foreign key)
    ref_table: str | None = None  # table id (foreign key)
    ref_columns: tuple[str, ...] = ()  # column ids of ref_table
    expression: str | None = None  # check constraint


class Table(Frozen):
    id: str
    schema_id: str
    name: str
    table_type: Literal["MANAGED", "EXTERNAL"] = "MANAGED"
    format: str = "DELTA"
    location: str | None = None
    comment: str | None = None
    columns: tuple[Column, ...] = ()
    partition_by: tuple[str, ...] = ()  # column ids
    cluster_by: tuple[str, ...] = ()  # column ids
    properties: Properties = Field(default_factory=dict)
    tags: Tags = Field(default_factory=dict)
    constraints: tuple[Constraint, ...] = ()
    row_filter: RowFilter | None = None
    grants: Grants = Field(default_factory=dict)

    def column(self, column_id: str) -> Column | None:
        for c in self.columns:
            if c.id == column_id:
                return c
        return None

    def column_named(self, name: str) -> Column | None:
        low = name.lower()
        for c in self.columns:
            if c.name.lower() == low:
                return c
        return None

    def column_names(self, ids: tuple[str, ...] | list[str]) -> list[str]:
        by_id = {c.id: c.name for c in self.columns}
        return [by_id.get(i, i) for i in ids]


class View(Frozen):
    id: str
    schema_id: str
    name: str
    definition: str
    comment: str | None = None
    properties: Properties = Field(default_factory=dict)
    tags: Tags = Field(default_factory=dict)
    grants: Grants = Field(default_factory=dict)


class Volume(Frozen):
    id: str
    schema_id: str
    name: str
    volume_type: Literal["MANAGED", "EXTERNAL"] = "MANAGED"
    location: str | None = None
    comment: str | None = None
    tags: Tags = Field(default_factory=dict)
    grants: Grants = Field(default_factory=dict)


class Function(Frozen):
    id: str
    schema_id: str
    name: str
    parameters: str = ""  # e.g. "x INT, y STRING"
    returns: str = "STRING"
    language: Literal["SQL", "PYTHON"] = "SQL"
    body: str = ""
    comment: str | None = None
    grants: Grants = Field(default_factory=dict)


class Schema(Frozen):
    id: str
    catalog_id: str
    name: str
    comment: str | None = None
    managed_location: str | None = None
    properties: Properties = Field(default_factory=dict)
    tags: Tags = Field(default_factory=dict)
    grants: Grants = Field(default_factory=dict)


class Catalog(Frozen):
    id: str
    name: str
    comment: str | None = None
    managed_location: str | None = None
    properties: Properties = Field(default_factory=dict)
    tags: Tags = Field(default_factory=dict)
    grants: Grants = Field(default_factory=dict)


SchemaChild = Table | View | Volume | Function
AnyObject = Catalog | Schema | Table | View | Volume | Function

# State field holding each top-level kind.
KIND_FIELD: dict[str, str] = {
    "catalog": "catalogs",
    "schema": "schemas",
    "table": "tables",
    "view": "views",
    "volume": "volumes",
    "function": "functions",
}


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
        field = KIND_FIELD.get(kind_of_id(object_id) or "")
        if field is None:
            return None
        return getattr(self, field).get(object_id)  # type: ignore[no-any-return]

    def is_empty(self) -> bool:
        return not any(getattr(self, field) for field in KIND_FIELD.values())

    def objects(self) -> Iterator[AnyObject]:
        for field in KIND_FIELD.values():
            yield from getattr(self, field).values()

    def schema_children(self) -> Iterator[SchemaChild]:
        yield from self.tables.values()
        yield from self.views.values()
        yield from self.volumes.values()
        yield from self.functions.values()

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
        """Logical name parts of an object: (catalog,), (catalog, schema), (catalog, schema, name)."""
        kind = kind_of_id(object_id)
        if kind == "catalog":
            return (self.catalogs[object_id].name,)
        if kind == "schema":
            s = self.schemas[object_id]
            return (self.catalogs[s.catalog_id].name, s.name)
        if kind == "column":
            t = self.column_owner(object_id)
            if t is None:
                raise KeyError(object_id)
            col = t.column(object_id)
            assert col is not None
            return (*self.path(t.id), col.name)
        obj = self.get(object_id)
        if obj is None or not hasattr(obj, "schema_id"):
            raise KeyError(object_id)
        return (*self.path(obj.schema_id), obj.name)  # type: ignore[union-attr]

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
        cat_names = {cid: c.name.lower() for cid, c in self.catalogs.items()}
        sch_names: dict[str, tuple[str, str]] = {}
        for cid in self.catalogs:
            index.setdefault((cat_names[cid],), []).append(("catalog", cid))
        for sid, s in self.schemas.items():
            sch_key = (cat_names.get(s.catalog_id, "?"), s.name.lower())
            sch_names[sid] = sch_key
            index.setdefault(sch_key, []).append(("schema", sid))
        for child in self.schema_children():
            skey = sch_names.get(child.schema_id, ("?", "?"))
            kind = kind_of_id(child.id) or "?"
            key = (*skey, child.name.lower())
            index.setdefault(key, []).append((kind, child.id))
            if isinstance(child, Table):
                for col in child.columns:
                    index.setdefault((*key, col.name.lower()), []).append(("column", col.id))
        return index

    def to_dict(self) -> dict[str, Any]:
        """The canonical JSON-ready form (what hashes and snapshots are computed over)."""
        return self.model_dump(mode="json")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> State:
        return cls.model_validate(data)


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
    "Grants",
    "RowFilter",
    "Schema",
    "SchemaChild",
    "State",
    "Table",
    "View",
    "Volume",
    "kind_of_id",
]
