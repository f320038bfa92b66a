"""Catalog reader for Unity Catalog: ``information_schema`` in bulk, table properties through the UC API.

Per catalog, ONE query per ``information_schema`` view, filtered to the schemas asked for with lower-case
literals (Unity Catalog stores names lower-case; literals go through :func:`~schemax.core.names.sql_string`):

==========================  =============================================================================
view                        gives
==========================  =============================================================================
``catalogs``                the catalog's comment (and that it exists)
``schemata``                schemas and their comments
``tables``                  tables and views: type, format, storage path, comment
``columns``                 columns: ``full_data_type``, ``is_nullable``, ``comment``, ``column_default``,
                            ``partition_index``, ``ordinal_position``
``views``                   view definitions
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
==========================  =============================================================================

Table properties are in no ``information_schema`` view. With a ``databricks.sdk.WorkspaceClient`` they come
from ``tables.list(catalog_name=, schema_name=)`` (one paginated call per schema; its ``TableInfo`` also
carries ordered PRIMARY/FOREIGN KEY columns, which take precedence, and columns for any table the
``information_schema`` did not list). Without one, ``SHOW TBLPROPERTIES`` runs per table and view in a
bounded thread pool (``max_workers``, at most 8): say so in ``notes``/``per_table``.

A view that is missing on an older runtime (``volume_tags``, say) is noted and the aspect it feeds is
reported as unobserved instead of failing the read. Objects the model cannot hold (materialized views,
streaming tables, foreign tables) are listed in ``unrepresentable``; grants, row filters and column masks
are not read (``unobserved``).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from schemax.adapters.catalog_spark import cluster_from_property
from schemax.core.names import quote_ident, sql_string
from schemax.drift.observed import (
    ColumnSpec,
    ConstraintSpec,
    ObservedStateBuilder,
    check_constraints_from_properties,
    full_name,
    spark_json_type,
)
from schemax.errors import SqlError
from schemax.ports import ObservedCatalog, SqlExecutor

UNOBSERVED = frozenset({"grants", "row_filters", "column_masks", "schema_location"})
MAX_WORKERS = 8


@dataclass(frozen=True)
class InfoView:
    """One ``information_schema`` view: the columns read and how it is filtered."""

    name: str
    columns: tuple[str, ...]
    catalog_column: str
    schema_column: str | None
    aspect: str  # what becomes unobserved when the view is unavailable


INFO_VIEWS: tuple[InfoView, ...] = (
    InfoView("catalogs", ("catalog_name", "comment"), "catalog_name", None, "catalog_comment"),
    InfoView(
        "schemata", ("catalog_name", "schema_name", "comment"), "catalog_name", "schema_name", "schemas"
    ),
    InfoView(
        "tables",
        ("table_schema", "table_name", "table_type", "comment", "data_source_format", "storage_path"),
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
        ("volume_schema", "volume_name", "volume_type", "comment", "storage_location"),
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
    return f"SELECT {', '.join(view.columns)} FROM {source} WHERE {' AND '.join(where)}"


def information_schema_queries(catalog: str, schemas: Sequence[str] | None) -> dict[str, str]:
    """Every query a read of ``catalog`` issues against ``information_schema``, by view name."""
    return {v.name: information_schema_query(v, catalog, schemas) for v in INFO_VIEWS}


def _yes(value: Any) -> bool:
    return str(value).upper() in ("YES", "TRUE", "1")


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _enum_text(value: Any) -> str:
    return str(getattr(value, "value", value) or "")


_TABLE_TYPES = {
    "MANAGED": "MANAGED",
    "EXTERNAL": "EXTERNAL",
    "MANAGED_SHALLOW_CLONE": "MANAGED",
    "EXTERNAL_SHALLOW_CLONE": "EXTERNAL",
}
_VIEW_TYPES = {"VIEW"}


def _param_name(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) else quote_ident(name)


def _cluster_from_properties(props: Mapping[str, str]) -> list[str]:
    return [p[0] for p in cluster_from_property(props.get("clusteringColumns")) if len(p) == 1]


class UnityCatalogReader:
    """Reads Unity Catalog catalogs/schemas into an :class:`ObservedCatalog` (see the module docs).

    ``executor`` runs SQL on a warehouse or cluster; ``workspace_client`` (``databricks.sdk.WorkspaceClient``)
    supplies table properties in bulk; without it ``SHOW TBLPROPERTIES`` runs per table, ``max_workers`` at a
    time.
    """

    def __init__(
        self, executor: SqlExecutor, *, workspace_client: Any = None, max_workers: int = MAX_WORKERS
    ) -> None:
        self.executor = executor
        self.ws = workspace_client
        self.max_workers = max(1, min(max_workers, MAX_WORKERS))
        self._lock = threading.Lock()
        self._queries = 0

    def _count(self, n: int = 1) -> None:
        with self._lock:
            self._queries += n

    def _query(self, sql: str) -> list[dict[str, Any]]:
        self._count()
        return self.executor.query(sql)

    # -- read ----------------------------------------------------------------------------------------------
    def read(self, scope: Sequence[tuple[str, str | None]]) -> ObservedCatalog:
        with self._lock:
            self._queries = 0
        builder = ObservedStateBuilder()
        notes: list[str] = []
        unrep: list[str] = []
        unobserved = set(UNOBSERVED)
        per_table: list[str] = []
        by_catalog: dict[str, list[str | None]] = {}
        for cat, sch in scope:
            by_catalog.setdefault(cat, []).append(sch)
        for cat, entries in by_catalog.items():
            schemas = None if any(s is None for s in entries) else sorted({s.lower() for s in entries if s})
            self._read_catalog(cat, schemas, builder, notes, unrep, unobserved, per_table)
        unrep.extend(builder.unrepresentable)
        q = self._queries
        notes.insert(
            0,
            f"unity catalog reader: {len(builder.schemas)} schema(s), {len(builder.tables)} table(s), "
            f"{len(builder.views)} view(s) in {q} round trip(s) "
            f"({len(INFO_VIEWS)} information_schema queries per catalog"
            + (", tables.list per schema" if self.ws is not None else ", SHOW TBLPROPERTIES per table")
            + ")",
        )
        return ObservedCatalog(
            state=builder.build(),
            queries=q,
            unrepresentable=sorted(set(unrep)),
            notes=notes,
            unobserved=frozenset(unobserved),
            partial={},
            per_table=sorted(per_table),
            source="unity-catalog",
        )

    def _read_catalog(
        self,
        cat: str,
        schemas: list[str] | None,
        builder: ObservedStateBuilder,
        notes: list[str],
        unrep: list[str],
        unobserved: set[str],
        per_table: list[str],
    ) -> None:
        queries = information_schema_queries(cat, schemas)
        # the catalogs view first: a missing catalog ends the read of this catalog
        try:
            cat_rows = self._query(queries["catalogs"])
        except SqlError as exc:
            if exc.kind == "not_found":
                notes.append(f"catalog {cat}: not found ({exc.cause.splitlines()[0]})")
                return
            raise
        if not cat_rows:
            notes.append(f"catalog {cat}: not found")
            return
        rest = [name for name in queries if name != "catalogs"]
        results: dict[str, list[dict[str, Any]] | None] = {}

        def run(name: str) -> tuple[str, list[dict[str, Any]] | None]:
            try:
                return name, self._query(queries[name])
            except SqlError as exc:
                if exc.kind in ("not_found", "analysis", "permission"):
                    notes.append(f"{cat}.information_schema.{name} unavailable: {exc.cause.splitlines()[0]}")
                    return name, None
                raise

        with ThreadPoolExecutor(max_workers=self.max_workers) as pool:
            for name, rows in pool.map(run, rest):
                results[name] = rows
        for name, rows in results.items():
            if rows is None:
                aspect = VIEW_BY_NAME[name].aspect
                if aspect in ("schemas", "tables", "columns"):
                    raise SqlError(queries[name], f"information_schema.{name} is required", "not_found")
                unobserved.add(aspect)

        def rows_of(name: str) -> list[dict[str, Any]]:
            return results.get(name) or []

        cat_tags = {r["tag_name"]: r["tag_value"] for r in rows_of("catalog_tags")}
        builder.catalog(cat, comment=cat_rows[0].get("comment"), tags=cat_tags)

        schema_tags: dict[str, dict[str, str]] = {}
        for r in rows_of("schema_tags"):
            schema_tags.setdefault(r["schema_name"].lower(), {})[r["tag_name"]] = r["tag_value"]
        schema_names: list[str] = []
        for r in rows_of("schemata"):
            name = r["schema_name"]
            if name.lower() == "information_schema":
                continue
            schema_names.append(name)
            builder.schema(cat, name, comment=r.get("comment"), tags=schema_tags.get(name.lower()))

        # properties (and ordered PK/FK) per table
        sdk_tables: dict[tuple[str, str], Any] = {}
        if self.ws is not None:
            for sch in schema_names:
                self._count()
                for info in self.ws.tables.list(catalog_name=cat, schema_name=sch):
                    sdk_tables[(sch.lower(), (info.name or "").lower())] = info

        # columns, tags
        columns: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for r in rows_of("columns"):
            columns.setdefault((r["table_schema"].lower(), r["table_name"].lower()), []).append(r)
        table_tags: dict[tuple[str, str], dict[str, str]] = {}
        for r in rows_of("table_tags"):
            table_tags.setdefault((r["schema_name"].lower(), r["table_name"].lower()), {})[r["tag_name"]] = r[
                "tag_value"
            ]
        column_tags: dict[tuple[str, str, str], dict[str, str]] = {}
        for r in rows_of("column_tags"):
            col_key = (r["schema_name"].lower(), r["table_name"].lower(), r["column_name"].lower())
            column_tags.setdefault(col_key, {})[r["tag_name"]] = r["tag_value"]
        view_defs = {
            (r["table_schema"].lower(), r["table_name"].lower()): r.get("view_definition") or ""
            for r in rows_of("views")
        }
        constraints = self._constraints(
            cat, rows_of("table_constraints"), rows_of("key_column_usage"), rows_of("referential_constraints")
        )

        tables = [r for r in rows_of("tables") if r["table_schema"].lower() != "information_schema"]
        listed = {(r["table_schema"].lower(), r["table_name"].lower()) for r in tables}
        # tables the API returned but information_schema did not (permissions, a race): read from the API
        for (sch, name), info in sdk_tables.items():
            if (sch, name) not in listed:
                tables.append(
                    {
                        "table_schema": info.schema_name or sch,
                        "table_name": info.name or name,
                        "table_type": _enum_text(info.table_type),
                        "comment": info.comment,
                        "data_source_format": _enum_text(info.data_source_format),
                        "storage_path": info.storage_location,
                        "_sdk_only": True,
                    }
                )

        properties: dict[tuple[str, str], dict[str, str]] = {}
        if self.ws is not None:
            for tkey, tinfo in sdk_tables.items():
                properties[tkey] = dict(tinfo.properties or {})
        else:
            todo = [
                (r["table_schema"], r["table_name"])
                for r in tables
                if _enum_text(r.get("table_type")).upper() in _TABLE_TYPES
                or _enum_text(r.get("table_type")).upper() in _VIEW_TYPES
            ]
            if todo:
                notes.append(
                    f"{cat}: no WorkspaceClient: table properties read with SHOW TBLPROPERTIES, "
                    f"{len(todo)} table(s)/view(s) one by one, {self.max_workers} at a time"
                )

                def read_props(item: tuple[str, str]) -> tuple[tuple[str, str], dict[str, str] | None]:
                    sch, name = item
                    try:
                        rows = self._query(
                            f"SHOW TBLPROPERTIES {quote_ident(cat)}.{quote_ident(sch)}.{quote_ident(name)}"
                        )
                    except SqlError as exc:
                        if exc.kind == "not_found":
                            return (sch.lower(), name.lower()), None
                        raise
                    return (sch.lower(), name.lower()), {r["key"]: r["value"] for r in rows}

                with ThreadPoolExecutor(max_workers=self.max_workers) as pool:
                    for pkey, value in pool.map(read_props, todo):
                        if value is not None:
                            properties[pkey] = value
                per_table.extend(full_name(cat, s, n) for s, n in todo)

        for r in tables:
            sch, name = r["table_schema"], r["table_name"]
            key = (sch.lower(), name.lower())
            ttype = _enum_text(r.get("table_type")).upper()
            fq = full_name(cat, sch, name)
            info = sdk_tables.get(key)
            if ttype in _VIEW_TYPES:
                definition = view_defs.get(key)
                if definition is None and info is not None:
                    definition = info.view_definition or ""
                builder.view(
                    cat,
                    sch,
                    name,
                    definition=definition or "",
                    comment=r.get("comment"),
                    properties=properties.get(key, {}),
                    tags=table_tags.get(key),
                )
                continue
            if ttype not in _TABLE_TYPES:
                unrep.append(f"{fq}: {ttype or 'unknown'} objects are not represented (not compared)")
                continue
            if ttype.endswith("SHALLOW_CLONE"):
                unrep.append(f"{fq}: shallow clone recorded as a {_TABLE_TYPES[ttype].lower()} table")
            props = properties.get(key, {})
            col_rows = sorted(columns.get(key, []), key=lambda c: _int(c.get("ordinal_position")))
            cols: list[ColumnSpec]
            partition: list[str]
            if col_rows:
                cols = [
                    ColumnSpec(
                        name=c["column_name"],
                        type=c.get("full_data_type") or "",
                        nullable=_yes(c.get("is_nullable", "YES")),
                        comment=c.get("comment"),
                        default=c.get("column_default"),
                        tags=column_tags.get((key[0], key[1], c["column_name"].lower()), {}),
                    )
                    for c in col_rows
                ]
                parts = [
                    (c.get("partition_index"), c["column_name"])
                    for c in col_rows
                    if c.get("partition_index") is not None
                ]
                partition = [n for _, n in sorted(parts, key=lambda p: _int(p[0]))]
            elif info is not None and info.columns:
                cols, partition = self._columns_from_sdk(info, fq, column_tags, key, unrep)
            else:
                cols, partition = [], []
            cons = list(constraints.get(key, []))
            if info is not None and info.table_constraints:
                cons = self._constraints_from_sdk(cat, info)
            cons.extend(check_constraints_from_properties(props))
            builder.table(
                cat,
                sch,
                name,
                columns=cols,
                table_type=_TABLE_TYPES[ttype],
                format=_enum_text(r.get("data_source_format")) or "DELTA",
                location=r.get("storage_path") if _TABLE_TYPES[ttype] == "EXTERNAL" else None,
                comment=r.get("comment"),
                partition_by=partition,
                cluster_by=_cluster_from_properties(props),
                properties=props,
                tags=table_tags.get(key),
                constraints=cons,
            )

        volume_tags: dict[tuple[str, str], dict[str, str]] = {}
        for r in rows_of("volume_tags"):
            volume_tags.setdefault((r["schema_name"].lower(), r["volume_name"].lower()), {})[
                r["tag_name"]
            ] = r["tag_value"]
        for r in rows_of("volumes"):
            vkey = (r["volume_schema"].lower(), r["volume_name"].lower())
            builder.volume(
                cat,
                r["volume_schema"],
                r["volume_name"],
                volume_type=_enum_text(r.get("volume_type")),
                location=r.get("storage_location"),
                comment=r.get("comment"),
                tags=volume_tags.get(vkey),
            )

        params: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for r in rows_of("parameters"):
            if _yes(r.get("is_result", "NO")):
                continue
            params.setdefault((r["specific_schema"].lower(), r["specific_name"].lower()), []).append(r)
        for r in rows_of("routines"):
            sch, name = r["routine_schema"], r["routine_name"]
            if str(r.get("routine_type") or "FUNCTION").upper() != "FUNCTION":
                unrep.append(f"{full_name(cat, sch, name)}: {r.get('routine_type')} is not represented")
                continue
            plist = sorted(
                params.get((sch.lower(), (r.get("specific_name") or name).lower()), []),
                key=lambda p: _int(p.get("ordinal_position")),
            )
            body_kind = str(r.get("routine_body") or "SQL").upper()
            language = "SQL" if body_kind == "SQL" else str(r.get("external_language") or body_kind).upper()
            builder.function(
                cat,
                sch,
                name,
                parameters=", ".join(
                    f"{_param_name(p['parameter_name'])} {p.get('full_data_type') or ''}".strip()
                    for p in plist
                ),
                returns=r.get("full_data_type") or "",
                language=language,
                body=r.get("routine_definition") or "",
                comment=r.get("comment"),
            )

    # -- constraints -----------------------------------------------------------------------------------------
    def _constraints(
        self,
        cat: str,
        table_constraints: list[dict[str, Any]],
        kcu: list[dict[str, Any]],
        referential: list[dict[str, Any]],
    ) -> dict[tuple[str, str], list[ConstraintSpec]]:
        cols_of: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for r in kcu:
            cols_of.setdefault((r["constraint_schema"].lower(), r["constraint_name"].lower()), []).append(r)
        for rows in cols_of.values():
            rows.sort(key=lambda r: _int(r.get("ordinal_position")))
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
                        by_pos = {_int(p.get("ordinal_position")): p["column_name"] for p in parent}
                        ref_cols = tuple(
                            by_pos.get(_int(c.get("position_in_unique_constraint")), "?") for c in own
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

    def _constraints_from_sdk(self, cat: str, info: Any) -> list[ConstraintSpec]:
        out = []
        for tc in info.table_constraints or []:
            pk = getattr(tc, "primary_key_constraint", None)
            fk = getattr(tc, "foreign_key_constraint", None)
            if pk is not None:
                out.append(
                    ConstraintSpec(name=pk.name, kind="primary_key", columns=tuple(pk.child_columns or ()))
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
                    )
                )  # type: ignore[arg-type]
        return out

    def _columns_from_sdk(
        self,
        info: Any,
        fq: str,
        column_tags: Mapping[tuple[str, str, str], dict[str, str]],
        key: tuple[str, str],
        unrep: list[str],
    ) -> tuple[list[ColumnSpec], list[str]]:
        cols: list[ColumnSpec] = []
        parts: list[tuple[int, str]] = []
        for c in sorted(info.columns or [], key=lambda c: c.position if c.position is not None else 0):
            type_text = c.type_text or _enum_text(c.type_name)
            if c.type_json:
                try:
                    field = json.loads(c.type_json)
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
                )
            )
            if c.partition_index is not None:
                parts.append((c.partition_index, c.name or ""))
        return cols, [n for _, n in sorted(parts)]


__all__ = [
    "INFO_VIEWS",
    "MAX_WORKERS",
    "UNOBSERVED",
    "InfoView",
    "UnityCatalogReader",
    "information_schema_queries",
    "information_schema_query",
]
