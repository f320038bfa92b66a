"""The objects of the catalog tree: immutable pydantic models, each keyed by a stable id.

A catalog holds schemas; a schema holds tables, views, volumes and functions; a table holds its columns and
constraints. Children name their parent by id (``schema_id``, ``catalog_id``), never by name, so a rename
changes one ``name`` and nothing else. :mod:`schemax.core.kinds` says which kind each model is;
:class:`schemax.core.model.State` holds them all.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Tags = dict[str, str]
Properties = dict[str, str]
# principal -> privileges (upper case, sorted)
Grants = dict[str, tuple[str, ...]]


def _absent(value: Any) -> bool:
    """Whether an optional attribute added after the first release is unset: such attributes are left out of
    a dump when unset, so the canonical JSON (state hashes, snapshots, golden files) of an object that does
    not use them stays byte for byte what it was before they existed."""
    return value is None or value is False or value == () or value == {}


def optional(default: Any = None) -> Any:
    """A field left out of the dump while it holds ``default`` (see :func:`_absent`)."""
    return Field(default=default, exclude_if=_absent)


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


class Identity(Frozen):
    """``GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY [ ( START WITH start INCREMENT BY step ) ]``
    (issue 11): https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-create-table-using.html"""

    always: bool = True  # ALWAYS: values cannot be written explicitly; BY DEFAULT: they can
    start: int | None = None
    step: int | None = None


class Column(Frozen):
    id: str
    name: str
    type: str  # normalized type string (see core.types)
    nullable: bool = True
    comment: str | None = None
    default: str | None = None  # SQL expression
    tags: Tags = Field(default_factory=dict)
    mask: ColumnMask | None = None
    # issue 11, left out of the canonical JSON when unset; set only when the table is created
    generated: str | None = optional()  # GENERATED ALWAYS AS (expr)
    identity: Identity | None = optional()


class Constraint(Frozen):
    id: str
    name: str
    kind: Literal["primary_key", "foreign_key", "check"]
    columns: tuple[str, ...] = ()  # column ids (primary/foreign key)
    ref_table: str | None = None  # table id (foreign key)
    ref_columns: tuple[str, ...] = ()  # column ids of ref_table
    expression: str | None = None  # check constraint
    # key constraint options (issue 11), left out of the canonical JSON when unset:
    # https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-create-table-constraint.html
    rely: bool = optional(False)  # RELY: the optimizer may use the key (primary and foreign keys)
    not_enforced: bool = optional(False)  # NOT ENFORCED written out (keys are informational either way)
    timeseries: str | None = optional()  # column id of the primary key column marked TIMESERIES


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
    # CLUSTER BY AUTO (issue 11): Databricks picks the keys; never with cluster_by or partition_by:
    # https://docs.databricks.com/en/sql/language-manual/sql-ref-syntax-ddl-cluster-by.html
    cluster_auto: bool = optional(False)
    properties: Properties = Field(default_factory=dict)
    tags: Tags = Field(default_factory=dict)
    constraints: tuple[Constraint, ...] = ()
    row_filter: RowFilter | None = None
    grants: Grants = Field(default_factory=dict)
    owner: str | None = optional()  # issue 11: the principal that owns it; None: schemax leaves it alone

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
    owner: str | None = optional()  # issue 11: the principal that owns it; None: schemax leaves it alone


class Volume(Frozen):
    id: str
    schema_id: str
    name: str
    volume_type: Literal["MANAGED", "EXTERNAL"] = "MANAGED"
    location: str | None = None
    comment: str | None = None
    tags: Tags = Field(default_factory=dict)
    grants: Grants = Field(default_factory=dict)
    owner: str | None = optional()  # issue 11: the principal that owns it; None: schemax leaves it alone


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
    owner: str | None = optional()  # issue 11: the principal that owns it; None: schemax leaves it alone


class Schema(Frozen):
    id: str
    catalog_id: str
    name: str
    comment: str | None = None
    managed_location: str | None = None
    properties: Properties = Field(default_factory=dict)
    tags: Tags = Field(default_factory=dict)
    grants: Grants = Field(default_factory=dict)
    owner: str | None = optional()  # issue 11: the principal that owns it; None: schemax leaves it alone


class Catalog(Frozen):
    id: str
    name: str
    comment: str | None = None
    managed_location: str | None = None
    properties: Properties = Field(default_factory=dict)
    tags: Tags = Field(default_factory=dict)
    grants: Grants = Field(default_factory=dict)
    owner: str | None = optional()  # issue 11: the principal that owns it; None: schemax leaves it alone


SchemaChild = Table | View | Volume | Function
AnyObject = Catalog | Schema | Table | View | Volume | Function

__all__ = [
    "AnyObject",
    "Catalog",
    "Column",
    "ColumnMask",
    "Constraint",
    "Frozen",
    "Function",
    "Grants",
    "Properties",
    "RowFilter",
    "Schema",
    "SchemaChild",
    "Table",
    "Tags",
    "View",
    "Volume",
]
