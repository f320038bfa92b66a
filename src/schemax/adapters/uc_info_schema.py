"""The ``information_schema`` side of the Unity Catalog reader (pure): the views read, the one query per
view per catalog, and how rows (and the SDK's ``TableInfo``) become observed records.

Per catalog, ONE query per ``information_schema`` view, filtered to the schemas asked for with lower-case
literals (Unity Catalog stores names lower-case; literals go through :func:`~schemax.core.names.sql_string`):

==========================  =============================================================================
view                        gives
==========================  =============================================================================
``catalogs``                the catalog's comment and owner (and that it exists)
``schemata``                schemas, their comments and owners
``tables``                  tables and views: type, format, storage path, comment, owner
``columns``                 columns: ``full_data_type``, ``is_nullable``, ``comment``, ``column_default``,
                            ``partition_index``, ``ordinal_position``
``views``                   view definitions (NULL unless the reader owns the view)
``catalog_tags``,
``schema_tags``,
``table_tags``,
``column_tags``,
``volume_tags``             tags
``table_constraints``,
``key_column_usage``,
``referential_constraints`` PRIMARY KEY / FOREIGN KEY constraints (CHECK constraints come from the
                            ``delta.constraints.*`` table properties, as on open-source Delta:
                            ``check_constraints`` is documented as reserved and has no table name)
``volumes``                 volumes
``routines``, ``parameters`` functions
``row_filters``,
``column_masks``            row filters and column masks
``*_privileges``            direct grants on catalogs, schemas, tables and views, volumes, functions
                            (see :mod:`schemax.adapters.uc_governance`, which also says when they are
                            trusted)
==========================  =============================================================================
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from schemax.adapters import uc_governance as gov
from schemax.adapters.catalog_spark import cluster_from_property
from schemax.core.names import quote_ident, sql_string
from schemax.drift.observed import ColumnSpec, ConstraintSpec, generation_from_metadata, spark_json_type


@dataclass(frozen=True)
class InfoView:
    """One ``information_schema`` view: the columns read and how it is filtered."""

    name: str
    columns: tuple[str, ...]
    catalog_column: str
    schema_column: str | None
    aspect: str  # what becomes unobserved when the view is unavailable
    where: str | None = None  # a further condition (direct grants only)


INFO_VIEWS: tuple[InfoView, ...] = (
    InfoView(
        "catalogs", ("catalog_name", "comment", "catalog_owner"), "catalog_name", None, "catalog_comment"
    ),
    InfoView(
        "schemata",
        ("catalog_name", "schema_name", "comment", "schema_owner"),
        "catalog_name",
        "schema_name",
        "schemas",
    ),
    InfoView(
        "tables",
        (
            "table_schema",
            "table_name",
            "table_type",
            "comment",
            "data_source_format",
            "storage_path",
            "table_owner",
        ),
        "table_catalog",
        "table_schema",
        "tables",
    ),
    InfoView(
        "columns",
        (
            "table_schema",
            "table_name",
            "column_name",
            "ordinal_position",
            "full_data_type",
            "is_nullable",
            "column_default",
            "comment",
            "partition_index",
        ),
        "table_catalog",
        "table_schema",
        "columns",
    ),
    InfoView(
        "views",
        ("table_schema", "table_name", "view_definition"),
        "table_catalog",
        "table_schema",
        "view_definition",
    ),
    InfoView("catalog_tags", ("catalog_name", "tag_name", "tag_value"), "catalog_name", None, "tags"),
    InfoView("schema_tags", ("schema_name", "tag_name", "tag_value"), "catalog_name", "schema_name", "tags"),
    InfoView(
        "table_tags",
        ("schema_name", "table_name", "tag_name", "tag_value"),
        "catalog_name",
        "schema_name",
        "tags",
    ),
    InfoView(
        "column_tags",
        ("schema_name", "table_name", "column_name", "tag_name", "tag_value"),
        "catalog_name",
        "schema_name",
        "tags",
    ),
    InfoView(
        "volume_tags",
        ("schema_name", "volume_name", "tag_name", "tag_value"),
        "catalog_name",
        "schema_name",
        "tags",
    ),
    InfoView(
        "table_constraints",
        ("constraint_schema", "constraint_name", "table_schema", "table_name", "constraint_type"),
        "table_catalog",
        "table_schema",
        "constraints",
    ),
    InfoView(
        "key_column_usage",
        (
            "constraint_schema",
            "constraint_name",
            "table_catalog",
            "table_schema",
            "table_name",
            "column_name",
            "ordinal_position",
            "position_in_unique_constraint",
        ),
        "constraint_catalog",
        "constraint_schema",
        "constraints",
    ),
    InfoView(
        "referential_constraints",
        (
            "constraint_schema",
            "constraint_name",
            "unique_constraint_catalog",
            "unique_constraint_schema",
            "unique_constraint_name",
        ),
        "constraint_catalog",
        "constraint_schema",
        "constraints",
    ),
    InfoView(
        "volumes",
        ("volume_schema", "volume_name", "volume_type", "comment", "storage_location", "volume_owner"),
        "volume_catalog",
        "volume_schema",
        "volumes",
    ),
    InfoView(
        "routines",
        (
            "routine_schema",
            "routine_name",
            "specific_name",
            "routine_type",
            "full_data_type",
            "routine_body",
            "routine_definition",
            "external_language",
            "comment",
            "routine_owner",
        ),
        "routine_catalog",
        "routine_schema",
        "functions",
    ),
    InfoView(
        "parameters",
        (
            "specific_schema",
            "specific_name",
            "parameter_name",
            "full_data_type",
            "ordinal_position",
            "is_result",
        ),
        "specific_catalog",
        "specific_schema",
        "functions",
    ),
    InfoView(
        "row_filters",
        ("schema_name", "table_name", "filter_catalog", "filter_schema", "filter_name", "filter_col_usage"),
        "catalog_name",
        "schema_name",
        "row_filters",
    ),
    InfoView(
        "column_masks",
        (
            "schema_name",
            "table_name",
            "column_name",
            "mask_catalog",
            "mask_schema",
            "mask_name",
            "mask_col_usage",
        ),
        "catalog_name",
        "schema_name",
        "column_masks",
    ),
    InfoView(
        "catalog_privileges",
        ("catalog_name", "grantee", "privilege_type"),
        "catalog_name",
        None,
        "grants",
        gov.DIRECT_ONLY,
    ),
    InfoView(
        "schema_privileges",
        ("schema_name", "grantee", "privilege_type"),
        "catalog_name",
        "schema_name",
        "grants",
        gov.DIRECT_ONLY,
    ),
    InfoView(
        "table_privileges",
        ("table_schema", "table_name", "grantee", "privilege_type"),
        "table_catalog",
        "table_schema",
        "grants",
        gov.DIRECT_ONLY,
    ),
    InfoView(
        "volume_privileges",
        ("volume_schema", "volume_name", "grantee", "privilege_type"),
        "volume_catalog",
        "volume_schema",
        "grants",
        gov.DIRECT_ONLY,
    ),
    InfoView(
        "routine_privileges",
        ("specific_schema", "specific_name", "grantee", "privilege_type"),
        "specific_catalog",
        "specific_schema",
        "grants",
        gov.DIRECT_ONLY,
    ),
)
VIEW_BY_NAME = {v.name: v for v in INFO_VIEWS}


def _in_list(values: Iterable[str]) -> str:
    return ", ".join(sql_string(v.lower()) for v in values)


def information_schema_query(view: InfoView, catalog: str, schemas: Sequence[str] | None) -> str:
    """The one query that reads ``view`` for ``catalog``, restricted to ``schemas`` (None = all schemas).

    Pure: names are lower-cased and rendered with ``sql_string``; ``information_schema`` itself is excluded.
    ``key_column_usage`` also returns the columns of the unique/primary keys that foreign keys in scope
    reference (a subquery on ``referential_constraints``), so that references resolve in one read.
    """
    source = f"{quote_ident(catalog)}.information_schema.{view.name}"
    where = [f"{view.catalog_column} = {sql_string(catalog.lower())}"]
    scope = ""
    if view.schema_column is not None:
        if schemas is None:
            scope = f"{view.schema_column} <> 'information_schema'"
        else:
            scope = f"{view.schema_column} IN ({_in_list(schemas)})"
    if view.name == "key_column_usage" and scope:
        referenced = (
            "(constraint_schema, constraint_name) IN "
            "(SELECT unique_constraint_schema, unique_constraint_name "
            f"FROM {quote_ident(catalog)}.information_schema.referential_constraints "
            f"WHERE constraint_catalog = {sql_string(catalog.lower())} AND {scope} "
            f"AND unique_constraint_catalog = {sql_string(catalog.lower())})"
        )
        scope = f"({scope} OR {referenced})"
    if scope:
        where.append(scope)
    if view.where:
        where.append(view.where)
    return f"SELECT {', '.join(view.columns)} FROM {source} WHERE {' AND '.join(where)}"


def information_schema_queries(catalog: str, schemas: Sequence[str] | None) -> dict[str, str]:
    """Every query a read of ``catalog`` issues against ``information_schema``, by view name."""
    return {v.name: information_schema_query(v, catalog, schemas) for v in INFO_VIEWS}


def is_yes(value: Any) -> bool:
    return str(value).upper() in ("YES", "TRUE", "1")


def as_int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def enum_text(value: Any) -> str:
    return str(getattr(value, "value", value) or "")


TABLE_TYPES = {
    "MANAGED": "MANAGED",
    "EXTERNAL": "EXTERNAL",
    "MANAGED_SHALLOW_CLONE": "MANAGED",
    "EXTERNAL_SHALLOW_CLONE": "EXTERNAL",
}
VIEW_TYPES = {"VIEW"}


def param_name(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) else quote_ident(name)


def cluster_from_properties(props: Mapping[str, str]) -> list[str]:
    return [p[0] for p in cluster_from_property(props.get("clusteringColumns")) if len(p) == 1]


def cluster_auto_from_properties(props: Mapping[str, str]) -> bool:
    """CLUSTER BY AUTO is on: the table property ``clusterByAuto`` is ``true`` (also DESCRIBE DETAIL's
    ``clusterByAuto``; https://docs.databricks.com/en/delta/clustering.html, automatic liquid clustering)."""
    key = next((k for k in props if k.lower() == "clusterbyauto"), None)
    return key is not None and str(props[key]).strip().lower() == "true"


def sdk_generation(column: Any) -> tuple[str | None, Any]:
    """A column's generation expression and identity from ``ColumnInfo.type_json`` (the Delta field's
    metadata, :func:`schemax.drift.observed.generation_from_metadata`); (None, None) without it."""
    text = getattr(column, "type_json", None)
    if not text:
        return None, None
    try:
        meta = json.loads(text).get("metadata") or {}
    except (ValueError, AttributeError):
        return None, None
    return generation_from_metadata(meta if isinstance(meta, dict) else {})


def sdk_default(column: Any) -> str | None:
    """A column's default from ``ColumnInfo.type_json`` (the Delta field's ``CURRENT_DEFAULT`` metadata), if
    the API carries it there: positive evidence only, its absence proves nothing."""
    text = getattr(column, "type_json", None)
    if not text:
        return None
    try:
        meta = json.loads(text).get("metadata") or {}
    except (ValueError, AttributeError):
        return None
    value = meta.get("CURRENT_DEFAULT") if isinstance(meta, dict) else None
    return value if isinstance(value, str) and value else None


def constraints_from_rows(
    cat: str,
    table_constraints: list[dict[str, Any]],
    kcu: list[dict[str, Any]],
    referential: list[dict[str, Any]],
) -> dict[tuple[str, str], list[ConstraintSpec]]:
    cols_of: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in kcu:
        cols_of.setdefault((r["constraint_schema"].lower(), r["constraint_name"].lower()), []).append(r)
    for rows in cols_of.values():
        rows.sort(key=lambda r: as_int(r.get("ordinal_position")))
    refs = {(r["constraint_schema"].lower(), r["constraint_name"].lower()): r for r in referential}
    out: dict[tuple[str, str], list[ConstraintSpec]] = {}
    for r in table_constraints:
        ctype = str(r.get("constraint_type") or "").upper()
        ckey = (r["constraint_schema"].lower(), r["constraint_name"].lower())
        tkey = (r["table_schema"].lower(), r["table_name"].lower())
        own = cols_of.get(ckey, [])
        if ctype == "PRIMARY KEY":
            spec = ConstraintSpec(
                name=r["constraint_name"],
                kind="primary_key",
                columns=tuple(c["column_name"] for c in own),
            )
        elif ctype == "FOREIGN KEY":
            ref = refs.get(ckey)
            ref_table: tuple[str, str, str] | None = None
            ref_cols: tuple[str, ...] = ()
            if ref is not None:
                parent = cols_of.get(
                    (
                        str(ref["unique_constraint_schema"]).lower(),
                        str(ref["unique_constraint_name"]).lower(),
                    ),
                    [],
                )
                if parent:
                    p0 = parent[0]
                    ref_table = (p0.get("table_catalog") or cat, p0["table_schema"], p0["table_name"])
                    by_pos = {as_int(p.get("ordinal_position")): p["column_name"] for p in parent}
                    ref_cols = tuple(
                        by_pos.get(as_int(c.get("position_in_unique_constraint")), "?") for c in own
                    )
            spec = ConstraintSpec(
                name=r["constraint_name"],
                kind="foreign_key",
                columns=tuple(c["column_name"] for c in own),
                ref_table=ref_table,
                ref_columns=ref_cols,
            )
        else:
            continue  # CHECK constraints come from delta.constraints.* properties
        out.setdefault(tkey, []).append(spec)
    return out


def constraints_from_sdk(cat: str, info: Any) -> list[ConstraintSpec]:
    out = []
    for tc in info.table_constraints or []:
        pk = getattr(tc, "primary_key_constraint", None)
        fk = getattr(tc, "foreign_key_constraint", None)
        if pk is not None:
            # rely and timeseries_columns: the API's PrimaryKeyConstraint (information_schema has no column
            # for either: https://learn.microsoft.com/de-de/azure/databricks/sql/language-manual/information-schema/table_constraints)
            timeseries = list(getattr(pk, "timeseries_columns", None) or ())
            out.append(
                ConstraintSpec(
                    name=pk.name,
                    kind="primary_key",
                    columns=tuple(pk.child_columns or ()),
                    rely=bool(getattr(pk, "rely", False)),
                    timeseries=timeseries[0] if timeseries else None,
                )
            )
        elif fk is not None:
            parts = (fk.parent_table or "").split(".")
            ref = tuple(parts) if len(parts) == 3 else None
            out.append(
                ConstraintSpec(
                    name=fk.name,
                    kind="foreign_key",
                    columns=tuple(fk.child_columns or ()),
                    ref_table=ref,
                    ref_columns=tuple(fk.parent_columns or ()),
                    rely=bool(getattr(fk, "rely", False)),
                )
            )  # type: ignore[arg-type]
    return out


def columns_from_sdk(
    info: Any,
    fq: str,
    column_tags: Mapping[tuple[str, str, str], dict[str, str]],
    key: tuple[str, str],
    unrep: list[str],
) -> tuple[list[ColumnSpec], list[str]]:
    cols: list[ColumnSpec] = []
    parts: list[tuple[int, str]] = []
    for c in sorted(info.columns or [], key=lambda c: c.position if c.position is not None else 0):
        type_text = c.type_text or enum_text(c.type_name)
        generated, identity = None, None
        if c.type_json:
            try:
                field = json.loads(c.type_json)
                # the Delta field's metadata also carries generation expressions and identity (issue 11)
                generated, identity = generation_from_metadata(field.get("metadata"))
                type_text = spark_json_type(field.get("type"), field.get("metadata"), c.name or "")
            except (ValueError, AttributeError):
                pass
            except Exception as exc:  # noqa: BLE001 - UnrepresentableType and friends
                unrep.append(f"{fq}.{c.name}: {exc}")
        cols.append(
            ColumnSpec(
                name=c.name or "",
                type=type_text,
                nullable=c.nullable is not False,
                comment=c.comment,
                tags=column_tags.get((key[0], key[1], (c.name or "").lower()), {}),
                generated=generated,
                identity=identity,
            )
        )
        if c.partition_index is not None:
            parts.append((c.partition_index, c.name or ""))
    return cols, [n for _, n in sorted(parts)]


__all__ = [
    "INFO_VIEWS",
    "TABLE_TYPES",
    "VIEW_BY_NAME",
    "VIEW_TYPES",
    "InfoView",
    "as_int",
    "cluster_from_properties",
    "columns_from_sdk",
    "cluster_auto_from_properties",
    "constraints_from_rows",
    "constraints_from_sdk",
    "information_schema_queries",
    "information_schema_query",
    "is_yes",
    "enum_text",
    "param_name",
    "sdk_default",
    "sdk_generation",
]
