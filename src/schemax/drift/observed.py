"""Building an observed :class:`~schemax.core.model.State` from what a catalog reader saw (pure).

Catalog readers (``schemax.adapters.catalog_spark``, ``schemax.adapters.catalog_uc``) collect plain records
(names, type strings, comments, properties) and hand them to :class:`ObservedStateBuilder`, which gives every
object a deterministic id derived from its lower-case physical full name (:func:`observed_id`). Two reads of
the same catalog therefore give equal states, and the comparison (``schemax.drift.compare``) matches objects
by name, never by id.

Also here, because both readers need them: :func:`spark_json_type` (Spark's JSON schema form, as stored in a
Delta log's ``schemaString`` or in Unity Catalog's ``type_json``, to a canonical SQL type) and
:func:`columns_from_spark_schema`; and the governance records a Unity Catalog read yields: grants
(:func:`privilege_name`, :func:`observed_grants`), row filters (:class:`RowFilterSpec`) and column masks
(:class:`MaskSpec`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from schemax.core import kinds
from schemax.core.model import (
    Catalog,
    Column,
    ColumnMask,
    Constraint,
    Function,
    Grants,
    Identity,
    RowFilter,
    Schema,
    State,
    Table,
    View,
    Volume,
)
from schemax.core.names import quote_ident, sql_string
from schemax.core.types import TypeParseError, normalize_type

# ------------------------------------------------------------------------------------------------------
# ids


def full_name(*parts: str) -> str:
    """The dotted physical name used in findings and notes (parts are not quoted)."""
    return ".".join(parts)


def name_key(*parts: str) -> tuple[str, ...]:
    """Case-insensitive lookup key of a name path."""
    return tuple(p.lower() for p in parts)


def observed_id(kind: str, *parts: str) -> str:
    """Deterministic id of an observed object: kind prefix + SHA-1 of the lower-case name path.

    >>> observed_id("table", "Main", "sales", "orders") == observed_id("table", "main", "SALES", "orders")
    True
    """
    prefix = kinds.kind(kind).prefix
    digest = hashlib.sha1("\x1f".join(p.lower() for p in parts).encode("utf-8")).hexdigest()
    return f"{prefix}_{digest[:24]}"


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


# ------------------------------------------------------------------------------------------------------
# the builder


def _blank(value: str | None) -> str | None:
    return value if value else None


class ObservedStateBuilder:
    """Accumulates observed objects and builds an immutable :class:`State` (see the module docs).

    Parents are created on demand (a table creates its schema and catalog entries when missing), so a
    reader adds what it saw in any order. Anything the model cannot hold is appended to
    ``unrepresentable`` with the object's full name.
    """

    # one map per top-level kind (schemax.core.kinds), named like the State field
    catalogs: dict[str, Catalog]
    schemas: dict[str, Schema]
    tables: dict[str, Table]
    views: dict[str, View]
    volumes: dict[str, Volume]
    functions: dict[str, Function]

    def __init__(self) -> None:
        for k in kinds.top_level():
            setattr(self, k.state_field, {})
        self.unrepresentable: list[str] = []

    # -- containers -----------------------------------------------------------------------------------
    def catalog(
        self,
        name: str,
        *,
        comment: str | None = None,
        tags: Mapping[str, str] | None = None,
        properties: Mapping[str, str] | None = None,
        managed_location: str | None = None,
        grants: Mapping[str, Iterable[str]] | None = None,
        owner: str | None = None,
    ) -> str:
        cid = observed_id("catalog", name)
        self.catalogs[cid] = Catalog(
            id=cid,
            name=name,
            comment=_blank(comment),
            managed_location=_blank(managed_location),
            properties=dict(properties or {}),
            tags=dict(tags or {}),
            grants=observed_grants(grants),
            owner=_blank(owner),
        )
        return cid

    def _ensure_catalog(self, name: str) -> str:
        cid = observed_id("catalog", name)
        if cid not in self.catalogs:
            self.catalog(name)
        return cid

    def schema(
        self,
        catalog: str,
        name: str,
        *,
        comment: str | None = None,
        managed_location: str | None = None,
        tags: Mapping[str, str] | None = None,
        properties: Mapping[str, str] | None = None,
        grants: Mapping[str, Iterable[str]] | None = None,
        owner: str | None = None,
    ) -> str:
        cid = self._ensure_catalog(catalog)
        sid = observed_id("schema", catalog, name)
        self.schemas[sid] = Schema(
            id=sid,
            catalog_id=cid,
            name=name,
            comment=_blank(comment),
            managed_location=_blank(managed_location),
            properties=dict(properties or {}),
            tags=dict(tags or {}),
            grants=observed_grants(grants),
            owner=_blank(owner),
        )
        return sid

    def _ensure_schema(self, catalog: str, name: str) -> str:
        sid = observed_id("schema", catalog, name)
        if sid not in self.schemas:
            self.schema(catalog, name)
        return sid

    def _one_of(self, value: str | None, allowed: tuple[str, str], problem: Callable[[str], str]) -> str:
        """``value`` upper-cased when the model can hold it (None: the first of ``allowed``); otherwise
        the first of ``allowed``, with ``problem(value)`` recorded as unrepresentable."""
        upper = (value or allowed[0]).upper()
        if upper in allowed:
            return upper
        self.unrepresentable.append(problem(upper))
        return allowed[0]

    def has_schema(self, catalog: str, name: str) -> bool:
        return observed_id("schema", catalog, name) in self.schemas

    # -- schema children ------------------------------------------------------------------------------
    def table(
        self,
        catalog: str,
        schema: str,
        name: str,
        *,
        columns: Sequence[ColumnSpec] = (),
        table_type: str = "MANAGED",
        format: str = "DELTA",
        location: str | None = None,
        comment: str | None = None,
        partition_by: Sequence[str] = (),
        cluster_by: Sequence[str] = (),
        cluster_auto: bool = False,
        properties: Mapping[str, str] | None = None,
        tags: Mapping[str, str] | None = None,
        constraints: Sequence[ConstraintSpec] = (),
        row_filter: RowFilterSpec | None = None,
        grants: Mapping[str, Iterable[str]] | None = None,
        owner: str | None = None,
    ) -> str:
        sid = self._ensure_schema(catalog, schema)
        tid = observed_id("table", catalog, schema, name)
        fq = full_name(catalog, schema, name)
        ttype = self._one_of(
            table_type, ("MANAGED", "EXTERNAL"), lambda t: f"{fq}: table type {t} recorded as MANAGED"
        )
        cols: list[Column] = []
        by_name: dict[str, str] = {}
        for spec in columns:
            ctype, ok = normalize_observed_type(spec.type)
            if not ok:
                self.unrepresentable.append(f"{fq}.{spec.name}: column type {spec.type!r} kept as text")
            col_id = observed_id("column", catalog, schema, name, spec.name)
            by_name[spec.name.lower()] = col_id
            cols.append(
                Column(
                    id=col_id,
                    name=spec.name,
                    type=ctype,
                    nullable=spec.nullable,
                    comment=_blank(spec.comment),
                    default=_blank(spec.default),
                    tags=dict(spec.tags),
                    generated=spec.generated,
                    identity=spec.identity,
                )
            )

        def ids(names: Sequence[str], what: str) -> tuple[str, ...]:
            out = []
            for n in names:
                cid = by_name.get(n.lower())
                if cid is None:
                    self.unrepresentable.append(f"{fq}: {what} column {n!r} is not a top-level column")
                    continue
                out.append(cid)
            return tuple(out)

        # a mask names other columns, so masks are resolved once every column has its id
        masks = {spec.name.lower(): spec.mask for spec in columns if spec.mask is not None}
        if masks:
            resolved = []
            for col in cols:
                m = masks.get(col.name.lower())
                if m is not None:
                    using = ids(m.using, f"mask of {col.name}")
                    col = col.evolve(mask=ColumnMask(function=m.function, using_columns=using))
                resolved.append(col)
            cols = resolved

        cons: list[Constraint] = []
        for c in constraints:
            ref_id = observed_id("table", *c.ref_table) if c.ref_table else None
            ref_cols = (
                tuple(observed_id("column", *c.ref_table, n) for n in c.ref_columns) if c.ref_table else ()
            )
            cons.append(
                Constraint(
                    id=observed_id("constraint", catalog, schema, name, c.name),
                    name=c.name,
                    kind=c.kind,
                    columns=ids(c.columns, f"constraint {c.name}"),
                    ref_table=ref_id,
                    ref_columns=ref_cols,
                    expression=c.expression,
                    rely=c.rely,
                    timeseries=next(iter(ids((c.timeseries,), f"constraint {c.name}")), None)
                    if c.timeseries else None,
                )
            )
        self.tables[tid] = Table(
            id=tid,
            schema_id=sid,
            name=name,
            table_type=ttype,  # type: ignore[arg-type]
            format=(format or "DELTA").upper(),
            location=_blank(location),
            comment=_blank(comment),
            columns=tuple(cols),
            partition_by=ids(partition_by, "partition"),
            cluster_by=ids(cluster_by, "clustering"),
            cluster_auto=cluster_auto,
            properties=dict(properties or {}),
            tags=dict(tags or {}),
            constraints=tuple(cons),
            row_filter=(
                RowFilter(function=row_filter.function, columns=ids(row_filter.columns, "row filter"))
                if row_filter is not None
                else None
            ),
            grants=observed_grants(grants),
            owner=_blank(owner),
        )
        return tid

    def view(
        self,
        catalog: str,
        schema: str,
        name: str,
        *,
        definition: str,
        comment: str | None = None,
        properties: Mapping[str, str] | None = None,
        tags: Mapping[str, str] | None = None,
        grants: Mapping[str, Iterable[str]] | None = None,
        owner: str | None = None,
    ) -> str:
        sid = self._ensure_schema(catalog, schema)
        vid = observed_id("view", catalog, schema, name)
        self.views[vid] = View(
            id=vid,
            schema_id=sid,
            name=name,
            definition=definition or "",
            comment=_blank(comment),
            properties=dict(properties or {}),
            tags=dict(tags or {}),
            grants=observed_grants(grants),
            owner=_blank(owner),
        )
        return vid

    def volume(
        self,
        catalog: str,
        schema: str,
        name: str,
        *,
        volume_type: str = "MANAGED",
        location: str | None = None,
        comment: str | None = None,
        tags: Mapping[str, str] | None = None,
        grants: Mapping[str, Iterable[str]] | None = None,
        owner: str | None = None,
    ) -> str:
        sid = self._ensure_schema(catalog, schema)
        vid = observed_id("volume", catalog, schema, name)
        fq = full_name(catalog, schema, name)
        vtype = self._one_of(volume_type, ("MANAGED", "EXTERNAL"), lambda t: f"{fq}: volume type {t}")
        self.volumes[vid] = Volume(
            id=vid,
            schema_id=sid,
            name=name,
            volume_type=vtype,  # type: ignore[arg-type]
            location=_blank(location) if vtype == "EXTERNAL" else None,
            comment=_blank(comment),
            tags=dict(tags or {}),
            grants=observed_grants(grants),
            owner=_blank(owner),
        )
        return vid

    def function(
        self,
        catalog: str,
        schema: str,
        name: str,
        *,
        parameters: str = "",
        returns: str = "STRING",
        language: str = "SQL",
        body: str = "",
        comment: str | None = None,
        grants: Mapping[str, Iterable[str]] | None = None,
        owner: str | None = None,
    ) -> str:
        sid = self._ensure_schema(catalog, schema)
        fid = observed_id("function", catalog, schema, name)
        fq = full_name(catalog, schema, name)
        lang = self._one_of(language, ("SQL", "PYTHON"), lambda t: f"{fq}: function language {t}")
        self.functions[fid] = Function(
            id=fid,
            schema_id=sid,
            name=name,
            parameters=parameters or "",
            returns=returns or "STRING",
            language=lang,  # type: ignore[arg-type]
            body=body or "",
            comment=_blank(comment),
            grants=observed_grants(grants),
            owner=_blank(owner),
        )
        return fid

    def build(self) -> State:
        def ordered(d: Mapping[str, Any]) -> dict[str, Any]:
            return {k: d[k] for k in sorted(d)}

        return State(**{k.state_field: ordered(getattr(self, k.state_field)) for k in kinds.top_level()})


def check_constraints_from_properties(properties: Mapping[str, str]) -> list[ConstraintSpec]:
    """CHECK constraints stored by Delta as ``delta.constraints.<name>`` table properties."""
    out = []
    for key in sorted(properties):
        if key.lower().startswith("delta.constraints."):
            out.append(
                ConstraintSpec(
                    name=key[len("delta.constraints.") :], kind="check", expression=properties[key]
                )
            )
    return out


def sorted_unique(items: Iterable[str]) -> list[str]:
    return sorted(set(items))


__all__ = [
    "ColumnSpec",
    "ConstraintSpec",
    "MaskSpec",
    "ObservedStateBuilder",
    "RowFilterSpec",
    "SchemaFacts",
    "UnrepresentableType",
    "check_constraints_from_properties",
    "columns_from_spark_schema",
    "full_name",
    "name_key",
    "normalize_observed_type",
    "observed_grants",
    "observed_id",
    "privilege_name",
    "sorted_unique",
    "spark_json_type",
]
