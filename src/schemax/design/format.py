"""The design file format, version 1: pydantic models of what a ``design/*.yml`` file holds.

These models are the format's single definition: the loader validates every file against them (no
``jsonschema`` needed at run time) and ``docs/design-schema.json`` is generated from them
(:func:`design_json_schema`; a test checks that the committed file is what they generate).
``docs/design-files.md`` describes the format with an example.

A file is ``{version: 1, catalogs: [...]}``; a catalog holds schemas, a schema holds tables, views, volumes
and functions, a table its columns and constraints. Every object is named by its logical name; children
never repeat their parent's name. ``renamed_from`` (catalogs, schemas, tables, views, volumes, columns)
names the object it was called before, so a rename is recorded as a rename, never guessed.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from schemax.core.kinds import KINDS
from schemax.core.registry import require_complete

#: The version every design file declares (``version: 1``).
DESIGN_VERSION = 1


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


def _number_as_text(value: Any) -> Any:
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


Name = Annotated[str, Field(min_length=1)]
#: text where a number is taken as its digits (``tier: 1``, ``default: 0``)
Text = Annotated[str, BeforeValidator(_number_as_text), WithJsonSchema({"type": ["string", "integer"]})]
Tags = dict[str, Text]
Properties = dict[str, Text]
#: principal -> privileges (``{analysts: [SELECT]}``)
Grants = dict[str, list[str]]
ObjectType = Annotated[Literal["MANAGED", "EXTERNAL"], BeforeValidator(_upper)]
Language = Annotated[Literal["SQL", "PYTHON"], BeforeValidator(_upper)]


class Spec(BaseModel):
    """Base of every part of a design file: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ColumnMaskSpec(Spec):
    """A column mask: the function applied to the column's values, and the other columns it reads."""

    function: Name
    using_columns: list[Name] = Field(default_factory=list, description="column names")


class ColumnSpec(Spec):
    """One column of a table, in the table's column order."""

    name: Name
    type: Name = Field(description="a Databricks SQL data type: BIGINT, DECIMAL(10,2), ARRAY<STRING>, ...")
    nullable: bool = True
    comment: Text | None = None
    default: Text | None = Field(default=None, description="a SQL expression")
    tags: Tags = Field(default_factory=dict)
    mask: ColumnMaskSpec | None = None
    renamed_from: Name | None = Field(default=None, description="the column's previous name")


class PrimaryKeySpec(Spec):
    """The table's primary key (its columns must be NOT NULL)."""

    name: Name | None = Field(default=None, description="default: <table>_pk")
    columns: list[Name] = Field(min_length=1)
    rely: bool = Field(default=False, description="RELY: the optimizer may use the key")
    not_enforced: bool = Field(default=False, description="write NOT ENFORCED out (keys are informational)")
    timeseries: Name | None = Field(default=None, description="the key column marked TIMESERIES")


class ReferenceSpec(Spec):
    """The table (and its primary key columns) a foreign key references; ``catalog`` and ``schema`` default
    to the referencing table's."""

    catalog: Name | None = None
    schema_: Name | None = Field(default=None, alias="schema")
    table: Name
    columns: list[Name] = Field(min_length=1)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ForeignKeySpec(Spec):
    """A foreign key to the primary key of a table."""

    name: Name | None = Field(default=None, description="default: <table>_<columns>_fk")
    columns: list[Name] = Field(min_length=1)
    references: ReferenceSpec
    rely: bool = Field(default=False, description="RELY: the optimizer may use the key")


class CheckSpec(Spec):
    """A CHECK constraint."""

    name: Name
    expression: Name


class RowFilterSpec(Spec):
    """A row filter: a boolean function over some of the table's columns."""

    function: Name
    columns: list[Name] = Field(default_factory=list)


class TableSpec(Spec):
    """A table: its columns in order, layout, constraints, governance and properties."""

    name: Name
    renamed_from: Name | None = Field(default=None, description="the table's previous name, same schema")
    comment: Text | None = None
    table_type: ObjectType = "MANAGED"
    format: Name = "DELTA"
    location: str | None = Field(default=None, description="external tables only")
    columns: list[ColumnSpec] = Field(min_length=1)
    partition_by: list[Name] = Field(default_factory=list, description="column names")
    cluster_by: list[Name] | Annotated[Literal["AUTO"], BeforeValidator(_upper)] = Field(
        default_factory=list, description="column names, or AUTO (Databricks picks the keys)")
    primary_key: PrimaryKeySpec | None = None
    foreign_keys: list[ForeignKeySpec] = Field(default_factory=list)
    checks: list[CheckSpec] = Field(default_factory=list)
    row_filter: RowFilterSpec | None = None
    properties: Properties = Field(default_factory=dict)
    tags: Tags = Field(default_factory=dict)
    grants: Grants = Field(default_factory=dict)
    owner: Name | None = Field(default=None, description="the owning principal; unset: not managed")


class ViewSpec(Spec):
    """A view: its SQL definition, governance and properties."""

    name: Name
    renamed_from: Name | None = None
    definition: Name
    comment: Text | None = None
    properties: Properties = Field(default_factory=dict)
    tags: Tags = Field(default_factory=dict)
    grants: Grants = Field(default_factory=dict)
    owner: Name | None = Field(default=None, description="the owning principal; unset: not managed")


class VolumeSpec(Spec):
    """A volume (managed, or external at a location)."""

    name: Name
    renamed_from: Name | None = None
    volume_type: ObjectType = "MANAGED"
    location: str | None = None
    comment: Text | None = None
    tags: Tags = Field(default_factory=dict)
    grants: Grants = Field(default_factory=dict)
    owner: Name | None = Field(default=None, description="the owning principal; unset: not managed")


class FunctionSpec(Spec):
    """A SQL or Python function. Functions cannot be renamed (they are dropped and created instead)."""

    name: Name
    parameters: str = Field(default="", description='e.g. "x INT, y STRING"')
    returns: Name = "STRING"
    language: Language = "SQL"
    body: Name
    comment: Text | None = None
    grants: Grants = Field(default_factory=dict)
    owner: Name | None = Field(default=None, description="the owning principal; unset: not managed")


class SchemaSpec(Spec):
    """A schema and everything in it."""

    name: Name
    renamed_from: Name | None = None
    comment: Text | None = None
    managed_location: str | None = None
    properties: Properties = Field(default_factory=dict)
    tags: Tags = Field(default_factory=dict)
    grants: Grants = Field(default_factory=dict)
    owner: Name | None = Field(default=None, description="the owning principal; unset: not managed")
    tables: list[TableSpec] = Field(default_factory=list)
    views: list[ViewSpec] = Field(default_factory=list)
    volumes: list[VolumeSpec] = Field(default_factory=list)
    functions: list[FunctionSpec] = Field(default_factory=list)


#: the catalog keys that define it (anything but its name and schemas): one file at most may give them
CATALOG_ATTRIBUTES = ("renamed_from", "comment", "managed_location", "properties", "tags", "grants")


class CatalogSpec(Spec):
    """A catalog and the schemas this file defines in it.

    A catalog may be listed in several files (each with its own schemas); its own attributes
    (:data:`CATALOG_ATTRIBUTES`) are given in one of them at most.
    """

    name: Name
    renamed_from: Name | None = None
    comment: Text | None = None
    managed_location: str | None = None
    properties: Properties = Field(default_factory=dict)
    tags: Tags = Field(default_factory=dict)
    grants: Grants = Field(default_factory=dict)
    owner: Name | None = Field(default=None, description="the owning principal; unset: not managed")
    schemas: list[SchemaSpec] = Field(default_factory=list)


class DesignDocument(Spec):
    """One design file."""

    version: Literal[1] = Field(description="the format version: 1")
    catalogs: list[CatalogSpec] = Field(default_factory=list)

    model_config = ConfigDict(extra="forbid", frozen=True, title="schemax design file, version 1")


#: where each object kind is listed in a design file: (the spec model of its parent, the key); catalogs are
#: listed by the document. A kind added to :mod:`schemax.core.kinds` without a place here fails the import
#: (a sync would otherwise drop its objects: the files would never hold them).
KIND_LISTS: dict[str, tuple[type[Spec], tuple[str, ...]]] = {
    "catalog": (DesignDocument, ("catalogs",)),
    "schema": (CatalogSpec, ("schemas",)),
    "table": (SchemaSpec, ("tables",)),
    "view": (SchemaSpec, ("views",)),
    "volume": (SchemaSpec, ("volumes",)),
    "function": (SchemaSpec, ("functions",)),
    "column": (TableSpec, ("columns",)),
    "constraint": (TableSpec, ("primary_key", "foreign_keys", "checks")),
}
#: the spec of each kind's objects, and the model fields it says in another way (ids, parents, constraints)
KIND_SPECS: dict[str, tuple[type[Spec], frozenset[str]]] = {
    "catalog": (CatalogSpec, frozenset({"id"})),
    "schema": (SchemaSpec, frozenset({"id", "catalog_id"})),
    "table": (TableSpec, frozenset({"id", "schema_id", "constraints", "cluster_auto"})),  # AUTO: cluster_by
    "view": (ViewSpec, frozenset({"id", "schema_id"})),
    "volume": (VolumeSpec, frozenset({"id", "schema_id"})),
    "function": (FunctionSpec, frozenset({"id", "schema_id"})),
    "column": (ColumnSpec, frozenset({"id"})),
}


def _check() -> None:
    """Every object kind has a place in the format, and every field of its model a key (or a reason not
    to): what the files cannot say, a sync would reset."""
    require_complete(KIND_LISTS, [k.name for k in KINDS], "object kinds design files cannot list")
    problems = []
    for name, (parent, keys) in KIND_LISTS.items():
        problems += [f"{parent.__name__} has no {key!r} for {name}s" for key in keys
                     if key not in parent.model_fields]
    for k in KINDS:
        if k.name == "constraint":  # three specs: primary_key, foreign_keys, checks
            continue
        spec, elsewhere = KIND_SPECS[k.name]
        spec_keys = {f.alias or n for n, f in spec.model_fields.items()} | set(spec.model_fields)
        problems += [f"{spec.__name__} has no key for {k.model.__name__}.{field}"
                     for field in k.model.model_fields if field not in spec_keys | elsewhere]
    if problems:
        raise AssertionError("design file format: " + "; ".join(problems))


_check()


def design_json_schema() -> dict[str, Any]:
    """The JSON Schema of a design file (what ``docs/design-schema.json`` holds)."""
    schema = DesignDocument.model_json_schema(by_alias=True)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


__all__ = [
    "CATALOG_ATTRIBUTES",
    "DESIGN_VERSION",
    "KIND_LISTS",
    "KIND_SPECS",
    "CatalogSpec",
    "CheckSpec",
    "ColumnMaskSpec",
    "ColumnSpec",
    "DesignDocument",
    "ForeignKeySpec",
    "FunctionSpec",
    "PrimaryKeySpec",
    "ReferenceSpec",
    "RowFilterSpec",
    "SchemaSpec",
    "TableSpec",
    "ViewSpec",
    "VolumeSpec",
    "design_json_schema",
]
