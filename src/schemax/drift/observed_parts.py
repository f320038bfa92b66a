"""The parts catalog readers hand to :class:`~schemax.drift.observed.ObservedStateBuilder` (pure):
:func:`spark_json_type` (Spark's JSON schema form, as stored in a Delta log's ``schemaString`` or in Unity
Catalog's ``type_json``, to a canonical SQL type), column and constraint specs and
:func:`columns_from_spark_schema`, and the governance records a Unity Catalog read yields: grants
(:func:`privilege_name`, :func:`observed_grants`), row filters (:class:`RowFilterSpec`) and column masks
(:class:`MaskSpec`)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from schemax.core.model import (
    Grants,
    Identity,
)
from schemax.core.names import quote_ident, sql_string
from schemax.core.types import TypeParseError, normalize_type

# ------------------------------------------------------------------------------------------------------
# types


class UnrepresentableType(ValueError):
    """A column type schemax's type model cannot hold (user-defined types, unknown type names)."""


_JSON_PRIMITIVES = {
    "long": "BIGINT",
    "integer": "INT",
    "short": "SMALLINT",
    "byte": "TINYINT",
}


def _collation_of(metadata: Mapping[str, Any] | None, path: str) -> str | None:
    collations = (metadata or {}).get("__COLLATIONS")
    if isinstance(collations, Mapping):
        value = collations.get(path)
        if isinstance(value, str) and value:
            return value.split(".", 1)[1] if "." in value else value
    return None


def spark_json_type(t: Any, metadata: Mapping[str, Any] | None = None, path: str = "") -> str:
    """SQL text of a type in Spark's JSON schema form (``"long"``, ``{"type": "struct", ...}``).

    ``metadata`` is the enclosing field's metadata: it carries the declared CHAR/VARCHAR type
    (``__CHAR_VARCHAR_TYPE_STRING``) and collations (``__COLLATIONS``), which the JSON type itself drops.
    The result is not normalized; pass it to :func:`normalize_observed_type`.
    """
    meta = metadata or {}
    if isinstance(t, str):
        declared = meta.get("__CHAR_VARCHAR_TYPE_STRING")
        if t == "string" and isinstance(declared, str) and declared:
            return declared
        if t == "string":
            collation = _collation_of(meta, path)
            if collation:
                return f"STRING COLLATE {collation}"
        return _JSON_PRIMITIVES.get(t, t)
    if not isinstance(t, Mapping):
        raise UnrepresentableType(f"unexpected type {t!r}")
    kind = t.get("type")
    if kind == "array":
        inner = spark_json_type(t.get("elementType"), meta, f"{path}.element" if path else "element")
        return f"ARRAY<{inner}>"
    if kind == "map":
        key = spark_json_type(t.get("keyType"), meta, f"{path}.key" if path else "key")
        value = spark_json_type(t.get("valueType"), meta, f"{path}.value" if path else "value")
        return f"MAP<{key},{value}>"
    if kind == "struct":
        parts = []
        for f in t.get("fields", []):
            fmeta = f.get("metadata") or {}
            ftype = spark_json_type(f.get("type"), fmeta, f.get("name", ""))
            text = f"{quote_ident(f['name'])}:{ftype}"
            if f.get("nullable") is False:
                text += " NOT NULL"
            comment = fmeta.get("comment")
            if isinstance(comment, str) and comment:
                text += f" COMMENT {sql_string(comment)}"
            parts.append(text)
        return f"STRUCT<{','.join(parts)}>"
    if kind == "udt":
        raise UnrepresentableType(f"user-defined type {t.get('class') or t.get('pyClass') or '?'}")
    raise UnrepresentableType(f"unknown type {json.dumps(t, sort_keys=True)[:80]}")


def normalize_observed_type(text: str) -> tuple[str, bool]:
    """(canonical type, True), or (the raw text upper-cased, False) when schemax cannot parse it."""
    try:
        return normalize_type(text), True
    except (TypeParseError, ValueError):
        return text.strip().upper(), False


# ------------------------------------------------------------------------------------------------------
# records


@dataclass(frozen=True)
class MaskSpec:
    """A column mask as a catalog reports it: the function's name (any qualification) and the names of the
    other columns it reads."""

    function: str
    using: tuple[str, ...] = ()


@dataclass(frozen=True)
class RowFilterSpec:
    """A row filter as a catalog reports it: the function's name and the names of the columns passed to it."""

    function: str
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    type: str  # SQL type text (normalized by the builder)
    nullable: bool = True
    comment: str | None = None
    default: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    mask: MaskSpec | None = None
    generated: str | None = None  # issue 11: GENERATED ALWAYS AS (expr)
    identity: Identity | None = None  # issue 11


@dataclass(frozen=True)
class ConstraintSpec:
    name: str
    kind: Literal["primary_key", "foreign_key", "check"]
    columns: tuple[str, ...] = ()  # column names
    ref_table: tuple[str, str, str] | None = None  # (catalog, schema, table)
    ref_columns: tuple[str, ...] = ()
    expression: str | None = None
    rely: bool = False  # key options (issue 11); a reader that cannot see them hides ``key_options``
    timeseries: str | None = None  # the primary key column marked TIMESERIES (a name)


@dataclass
class SchemaFacts:
    """What :func:`columns_from_spark_schema` found besides the columns."""

    unrepresentable: list[str] = field(default_factory=list)
    physical_names: dict[str, str] = field(default_factory=dict)  # physical name -> logical (column mapping)


def generation_from_metadata(meta: Mapping[str, Any] | None) -> tuple[str | None, Identity | None]:
    """A Delta field's generation expression and identity, from its metadata: ``delta.generationExpression``
    and ``delta.identity.start`` / ``.step`` / ``.allowExplicitInsert`` (true: GENERATED BY DEFAULT), the
    keys Delta keeps them under (https://books.japila.pl/delta-lake-internals/identity-columns)."""
    meta = meta or {}
    expr = meta.get("delta.generationExpression")
    generated = expr if isinstance(expr, str) and expr else None
    if not any(str(k).startswith("delta.identity.") for k in meta):
        return generated, None

    def number(key: str) -> int | None:
        try:
            return int(meta[key]) if key in meta else None
        except (TypeError, ValueError):
            return None

    explicit = str(meta.get("delta.identity.allowExplicitInsert", "false")).lower() == "true"
    return generated, Identity(
        always=not explicit, start=number("delta.identity.start"), step=number("delta.identity.step")
    )


def columns_from_spark_schema(schema: Mapping[str, Any], owner: str) -> tuple[list[ColumnSpec], SchemaFacts]:
    """Columns of a Spark JSON schema (``{"type": "struct", "fields": [...]}``), with what cannot be kept.

    Field metadata gives comments (``comment``), defaults (``CURRENT_DEFAULT``), column-mapping physical
    names, generation expressions and identity columns (:func:`generation_from_metadata`).
    """
    facts = SchemaFacts()
    cols: list[ColumnSpec] = []
    for f in schema.get("fields", []):
        name = f["name"]
        meta = f.get("metadata") or {}
        where = f"{owner}.{name}"
        try:
            type_text = spark_json_type(f.get("type"), meta, name)
        except UnrepresentableType as exc:
            facts.unrepresentable.append(f"{where}: column type not representable ({exc})")
            type_text = json.dumps(f.get("type"), sort_keys=True)
        generated, identity = generation_from_metadata(meta)
        physical = meta.get("delta.columnMapping.physicalName")
        if isinstance(physical, str):
            facts.physical_names[physical] = name
        comment = meta.get("comment")
        default = meta.get("CURRENT_DEFAULT")
        cols.append(
            ColumnSpec(
                name=name,
                type=type_text,
                nullable=bool(f.get("nullable", True)),
                comment=comment if isinstance(comment, str) and comment else None,
                default=default if isinstance(default, str) and default else None,
                generated=generated,
                identity=identity,
            )
        )
    return cols, facts


# ------------------------------------------------------------------------------------------------------
# grants


def privilege_name(value: Any) -> str:
    """A privilege as schemax's state spells it (the SQL name: ``ALL PRIVILEGES``, ``USE SCHEMA``).

    The SDK's ``Privilege`` enum and ``information_schema.*_privileges.privilege_type`` spell privileges
    with underscores (``ALL_PRIVILEGES``); no SQL privilege name contains one.

    >>> privilege_name("ALL_PRIVILEGES"), privilege_name("select")
    ('ALL PRIVILEGES', 'SELECT')
    """
    text = str(getattr(value, "value", value) or "")
    return " ".join(text.replace("_", " ").upper().split())


def observed_grants(grants: Mapping[str, Iterable[Any]] | None) -> Grants:
    """``principal -> privileges`` in the state's form: SQL privilege names, upper case, sorted, no empty
    principal or list."""
    out: dict[str, tuple[str, ...]] = {}
    for principal, privileges in (grants or {}).items():
        names = sorted({privilege_name(p) for p in privileges} - {""})
        if principal and names:
            out[principal] = tuple(sorted(set(out.get(principal, ())) | set(names)))
    return dict(sorted(out.items()))
