"""Catalog reader for Unity Catalog: ``information_schema`` in bulk, table properties through the UC API.

Per catalog, ONE query per ``information_schema`` view (:data:`~schemax.adapters.uc_info_schema.INFO_VIEWS`,
filtered to the schemas asked for), then the reader assembles what they say.

Table properties are in no ``information_schema`` view. With a ``databricks.sdk.WorkspaceClient`` they come
from ``tables.list(catalog_name=, schema_name=)`` (one paginated call per schema; its ``TableInfo`` also
carries ordered PRIMARY/FOREIGN KEY columns, which take precedence, and columns for any table the
``information_schema`` did not list). Without one, ``SHOW TBLPROPERTIES`` runs per table and view in a
bounded thread pool (``max_workers``, at most 8): say so in ``notes``/``per_table``.

A view that is missing on an older runtime (``volume_tags``, say) is noted and the aspect it feeds is
reported as unobserved instead of failing the read (row filters and masks then come from the
``TableInfo`` of ``tables.list`` when there is a workspace client). Objects the model cannot hold
(materialized views, streaming tables, foreign tables) are listed in ``unrepresentable``.

What ``information_schema`` hides is never read as "empty" (``ObservedCatalog.partial`` per object):

* ``views.view_definition`` and ``routines.routine_definition`` are NULL for a reader that does not own
  the object ("The view text if the user owns the view, NULL otherwise"). The definition then comes from
  the SDK (``TableInfo.view_definition`` of ``tables.list``, else ``tables.get``;
  ``functions.get(...).routine_definition``), one call per hidden object; without a client, or when the
  SDK has nothing either, the object's ``view_definition`` / ``function_body`` is unobserved.
* ``columns.column_default`` is documented both as the default and as "Always NULL, reserved for future
  use", and ``ColumnInfo`` has no default. A table none of whose columns shows a default (here, or as
  ``CURRENT_DEFAULT`` in the ``type_json`` metadata of ``tables.list``) has its ``column_defaults``
  unobserved: a default declared by the project is then not reported missing.
* grants of objects the reader does not own (see :mod:`schemax.adapters.uc_governance`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from schemax.adapters import uc_governance as gov
from schemax.adapters.uc_info_schema import (
    INFO_VIEWS,
    TABLE_TYPES,
    VIEW_BY_NAME,
    VIEW_TYPES,
    InfoView,
    as_int,
    cluster_auto_from_properties,
    cluster_from_properties,
    columns_from_sdk,
    constraints_from_rows,
    constraints_from_sdk,
    enum_text,
    information_schema_queries,
    information_schema_query,
    is_yes,
    sdk_default,
    sdk_generation,
)
from schemax.adapters.uc_reader_base import MAX_WORKERS, UNOBSERVED, _ReaderBase, _Run
from schemax.drift.observed import (
    ColumnSpec,
    MaskSpec,
    ObservedStateBuilder,
    check_constraints_from_properties,
    full_name,
)
from schemax.errors import SqlError
from schemax.ports import ObservedCatalog


class UnityCatalogReader(_ReaderBase):
    """Reads Unity Catalog catalogs/schemas into an :class:`ObservedCatalog` (see the module docs).

    ``executor`` runs SQL on a warehouse or cluster; ``workspace_client`` (``databricks.sdk.WorkspaceClient``)
    supplies table properties in bulk, and what ``information_schema`` hides from a non-owner (view and
    function definitions, grants) object by object; without it ``SHOW TBLPROPERTIES`` runs per table,
    ``max_workers`` at a time, and hidden aspects are declared unobserved.
    """

    def read(self, scope: Sequence[tuple[str, str | None]]) -> ObservedCatalog:
        with self._lock:
            self._queries = 0
        self._identity = gov.ReaderIdentity(self._query)
        builder = ObservedStateBuilder()
        run = _Run(unobserved=set(UNOBSERVED))
        by_catalog: dict[str, list[str | None]] = {}
        for cat, sch in scope:
            by_catalog.setdefault(cat, []).append(sch)
        for cat, entries in by_catalog.items():
            schemas = None if any(s is None for s in entries) else sorted({s.lower() for s in entries if s})
            self._read_catalog(cat, schemas, builder, run)
        run.unrep.extend(builder.unrepresentable)
        if self._identity.problem:
            run.notes.append(f"grants: {self._identity.problem}; no object counted as the reader's own")
        q = self._queries
        run.notes.insert(
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
            unrepresentable=sorted(set(run.unrep)),
            notes=run.notes,
            unobserved=frozenset(run.unobserved),
            partial={k: frozenset(v) for k, v in sorted(run.partial.items())},
            per_table=sorted(set(run.per_table)),
            source="unity-catalog",
        )

    def _bulk(self, cat: str, schemas: list[str] | None, run: _Run) -> dict[str, list[dict[str, Any]] | None]:
        """Every ``information_schema`` view of ``cat`` (None for a view this runtime lacks); {} when the
        catalog does not exist."""
        queries = information_schema_queries(cat, schemas)
        # the catalogs view first: a missing catalog ends the read of this catalog
        try:
            cat_rows = self._query(queries["catalogs"])
        except SqlError as exc:
            if exc.kind == "not_found":
                run.notes.append(f"catalog {cat}: not found ({exc.cause.splitlines()[0]})")
                return {}
            raise
        if not cat_rows:
            run.notes.append(f"catalog {cat}: not found")
            return {}
        rest = [name for name in queries if name != "catalogs"]
        results: dict[str, list[dict[str, Any]] | None] = {"catalogs": cat_rows}

        def one(name: str) -> tuple[str, list[dict[str, Any]] | None]:
            try:
                return name, self._query(queries[name])
            except SqlError as exc:
                if exc.kind in ("not_found", "analysis", "permission"):
                    run.notes.append(
                        f"{cat}.information_schema.{name} unavailable: {exc.cause.splitlines()[0]}"
                    )
                    return name, None
                raise

        with ThreadPoolExecutor(max_workers=self.max_workers) as pool:
            for name, rows in pool.map(one, rest):
                results[name] = rows
        for name, rows in results.items():
            if rows is not None:
                continue
            aspect = VIEW_BY_NAME[name].aspect
            if aspect in ("schemas", "tables", "columns"):
                raise SqlError(queries[name], f"information_schema.{name} is required", "not_found")
            if aspect in ("row_filters", "column_masks") and self.ws is not None:
                run.notes.append(f"{cat}: {aspect.replace('_', ' ')} read from tables.list instead")
                continue
            run.unobserved.add(aspect)
        return results

    def _read_catalog(
        self, cat: str, schemas: list[str] | None, builder: ObservedStateBuilder, run: _Run
    ) -> None:
        results = self._bulk(cat, schemas, run)
        if not results:
            return

        def rows_of(name: str) -> list[dict[str, Any]]:
            return results.get(name) or []

        cat_rows = rows_of("catalogs")
        # names as the catalog spells them, and owners, of every object (grants depend on the owner)
        names: dict[gov.ObjectKey, str] = {("catalog",): cat}
        owners: dict[gov.ObjectKey, str | None] = {}
        if schemas is None:  # a catalog's own grants are compared only when the whole catalog is in scope
            owners[("catalog",)] = cat_rows[0].get("catalog_owner")

        schema_tags: dict[str, dict[str, str]] = {}
        for r in rows_of("schema_tags"):
            schema_tags.setdefault(r["schema_name"].lower(), {})[r["tag_name"]] = r["tag_value"]
        schema_rows = [r for r in rows_of("schemata") if r["schema_name"].lower() != "information_schema"]
        for r in schema_rows:
            names[("schema", r["schema_name"].lower())] = r["schema_name"]
            owners[("schema", r["schema_name"].lower())] = r.get("schema_owner")

        # properties (and ordered PK/FK, row filters, masks) per table
        sdk_tables: dict[tuple[str, str], Any] = {}
        if self.ws is not None:
            for r in schema_rows:
                self._count()
                for info in self.ws.tables.list(catalog_name=cat, schema_name=r["schema_name"]):
                    sdk_tables[(r["schema_name"].lower(), (info.name or "").lower())] = info

        tables = [r for r in rows_of("tables") if r["table_schema"].lower() != "information_schema"]
        listed = {(r["table_schema"].lower(), r["table_name"].lower()) for r in tables}
        # tables the API returned but information_schema did not (permissions, a race): read from the API
        for (sch, name), info in sdk_tables.items():
            if (sch, name) not in listed:
                tables.append(
                    {
                        "table_schema": info.schema_name or sch,
                        "table_name": info.name or name,
                        "table_type": enum_text(info.table_type),
                        "comment": info.comment,
                        "data_source_format": enum_text(info.data_source_format),
                        "storage_path": info.storage_location,
                        "table_owner": info.owner,
                        "_sdk_only": True,
                    }
                )
        for r in tables:
            if enum_text(r.get("table_type")).upper() not in TABLE_TYPES.keys() | VIEW_TYPES:
                continue  # not represented, so its grants are not compared
            key = ("relation", r["table_schema"].lower(), r["table_name"].lower())
            names[key], owners[key] = r["table_name"], r.get("table_owner")
        for r in rows_of("volumes"):
            key = ("volume", r["volume_schema"].lower(), r["volume_name"].lower())
            names[key], owners[key] = r["volume_name"], r.get("volume_owner")
        routines = [
            r for r in rows_of("routines") if str(r.get("routine_type") or "FUNCTION").upper() == "FUNCTION"
        ]
        for r in routines:
            key = (
                "function",
                r["routine_schema"].lower(),
                str(r.get("specific_name") or r["routine_name"]).lower(),
            )
            names[key], owners[key] = r["routine_name"], r.get("routine_owner")

        grants = self._grants(cat, rows_of, names, owners, run)

        def grants_of(*key: str) -> dict[str, set[str]]:
            return grants.get(tuple(key), {})

        cat_tags = {r["tag_name"]: r["tag_value"] for r in rows_of("catalog_tags")}
        # owners: information_schema's *_owner columns (catalog_owner, schema_owner, table_owner,
        # volume_owner, routine_owner): "User or group (principal) currently owning the relation",
        # https://learn.microsoft.com/en-ca/azure/databricks/sql/language-manual/information-schema/tables,
        # https://learn.microsoft.com/en-us/azure/databricks/sql/language-manual/information-schema/catalogs
        builder.catalog(cat, comment=cat_rows[0].get("comment"), tags=cat_tags, grants=grants_of("catalog"),
                        owner=cat_rows[0].get("catalog_owner"))
        for r in schema_rows:
            name = r["schema_name"]
            builder.schema(
                cat,
                name,
                comment=r.get("comment"),
                tags=schema_tags.get(name.lower()),
                grants=grants_of("schema", name.lower()),
                owner=r.get("schema_owner"),
            )

        self._tables(cat, tables, sdk_tables, rows_of, results, grants_of, builder, run)

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
                volume_type=enum_text(r.get("volume_type")),
                location=r.get("storage_location"),
                comment=r.get("comment"),
                tags=volume_tags.get(vkey),
                grants=grants_of("volume", *vkey),
                owner=r.get("volume_owner"),
            )

        self._functions(cat, rows_of, grants_of, builder, run)

    # -- grants ----------------------------------------------------------------------------------------------
    def _grants(
        self,
        cat: str,
        rows_of: Callable[[str], list[dict[str, Any]]],
        names: Mapping[gov.ObjectKey, str],
        owners: Mapping[gov.ObjectKey, str | None],
        run: _Run,
    ) -> dict[gov.ObjectKey, dict[str, set[str]]]:
        """Direct grants per object: ``information_schema`` for what the reader owns, ``grants.get`` (or
        unobserved) for the rest (see :mod:`schemax.adapters.uc_governance`)."""
        if "grants" in run.unobserved:
            return {}
        seen: dict[gov.ObjectKey, dict[str, set[str]]] = {}
        for view in gov.PRIVILEGE_VIEWS:
            seen.update(gov.grants_from_rows(view, rows_of(view)))
        trusted = self._identity.trusted(owners.values())
        doubtful = sorted(k for k, o in owners.items() if not o or o.lower() not in trusted)
        if not doubtful:
            return seen
        why = (
            "information_schema shows a reader that does not own an object (even one with MANAGE) only its "
            "own grants"
        )
        full = {k: gov.full_name_of(cat, k, names) for k in doubtful}
        if self.ws is None:
            for k in doubtful:
                run.hide(full[k], "grants")
            run.notes.append(
                f"{cat}: grants of {len(doubtful)} object(s) the reader does not own not compared: {why}, "
                "and there is no WorkspaceClient for grants.get"
            )
            return seen
        failed = 0
        for k, got in self._each(doubtful, lambda k: gov.sdk_grants(self.ws, k[0], full[k])):
            if isinstance(got, Exception):
                failed += 1
                run.hide(full[k], "grants")
            else:
                seen[k] = got
        run.per_table.extend(full.values())
        run.notes.append(
            f"{cat}: grants of {len(doubtful)} object(s) the reader does not own read with grants.get, one "
            f"by one ({why})" + (f"; {failed} failed and are not compared" if failed else "")
        )
        return seen

    # -- tables and views ------------------------------------------------------------------------------------
    def _tables(
        self,
        cat: str,
        tables: list[dict[str, Any]],
        sdk_tables: Mapping[tuple[str, str], Any],
        rows_of: Callable[[str], list[dict[str, Any]]],
        results: Mapping[str, list[dict[str, Any]] | None],
        grants_of: Callable[..., dict[str, set[str]]],
        builder: ObservedStateBuilder,
        run: _Run,
    ) -> None:
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
        constraints = constraints_from_rows(
            cat, rows_of("table_constraints"), rows_of("key_column_usage"), rows_of("referential_constraints")
        )
        # row filters and masks: information_schema, or the API's TableInfo when the views are missing
        from_sdk = self.ws is not None
        filters = (
            gov.filters_from_rows(rows_of("row_filters")) if results.get("row_filters") is not None else None
        )
        masks = (
            gov.masks_from_rows(rows_of("column_masks")) if results.get("column_masks") is not None else None
        )
        view_defs = self._view_definitions(cat, tables, sdk_tables, rows_of, run)
        properties = self._properties(cat, tables, sdk_tables, run)
        no_defaults: list[str] = []

        for r in tables:
            sch, name = r["table_schema"], r["table_name"]
            key = (sch.lower(), name.lower())
            ttype = enum_text(r.get("table_type")).upper()
            fq = full_name(cat, sch, name)
            info = sdk_tables.get(key)
            if ttype in VIEW_TYPES:
                builder.view(
                    cat,
                    sch,
                    name,
                    definition=view_defs.get(key) or "",
                    comment=r.get("comment"),
                    properties=properties.get(key, {}),
                    tags=table_tags.get(key),
                    grants=grants_of("relation", *key),
                    owner=r.get("table_owner"),
                )
                continue
            if ttype not in TABLE_TYPES:
                run.unrep.append(f"{fq}: {ttype or 'unknown'} objects are not represented (not compared)")
                continue
            if ttype.endswith("SHALLOW_CLONE"):
                run.unrep.append(f"{fq}: shallow clone recorded as a {TABLE_TYPES[ttype].lower()} table")
            props = properties.get(key, {})
            col_rows = sorted(columns.get(key, []), key=lambda c: as_int(c.get("ordinal_position")))
            sdk_cols = {(c.name or "").lower(): c for c in (info.columns or [])} if info is not None else {}
            sdk_defaults = {n: d for n, c in sdk_cols.items() if (d := sdk_default(c)) is not None}

            def mask_of(
                column: str, key: tuple[str, str] = key, sdk_cols: Mapping[str, Any] = sdk_cols
            ) -> MaskSpec | None:
                if masks is not None:
                    return masks.get((*key, column.lower()))
                sdk_col = sdk_cols.get(column.lower())
                return gov.mask_from_sdk(sdk_col) if from_sdk and sdk_col is not None else None

            cols: list[ColumnSpec]
            partition: list[str]
            if col_rows:
                has_default = any(c.get("column_default") is not None for c in col_rows)
                cols = [
                    ColumnSpec(
                        name=c["column_name"],
                        type=c.get("full_data_type") or "",
                        nullable=is_yes(c.get("is_nullable", "YES")),
                        comment=c.get("comment"),
                        default=(
                            c.get("column_default")
                            if has_default
                            else sdk_defaults.get(c["column_name"].lower())
                        ),
                        tags=column_tags.get((key[0], key[1], c["column_name"].lower()), {}),
                        mask=mask_of(c["column_name"]),
                    )
                    for c in col_rows
                ]
                parts = [
                    (c.get("partition_index"), c["column_name"])
                    for c in col_rows
                    if c.get("partition_index") is not None
                ]
                partition = [n for _, n in sorted(parts, key=lambda p: as_int(p[0]))]
            elif info is not None and info.columns:
                has_default = False
                cols, partition = columns_from_sdk(info, fq, column_tags, key, run.unrep)
                cols = [
                    replace(c, default=sdk_defaults.get(c.name.lower()), mask=mask_of(c.name)) for c in cols
                ]
            else:
                has_default, cols, partition = False, [], []
            if sdk_cols:  # generation expressions and identity: only the API's type_json has them (issue 11)
                cols = [
                    replace(c, generated=g, identity=i)
                    for c in cols
                    for g, i in [sdk_generation(sdk_cols[c.name.lower()]) if c.name.lower() in sdk_cols
                                 else (None, None)]
                ]
            else:
                run.hide(fq, "generation")
            if not has_default and not sdk_defaults:
                run.hide(fq, "column_defaults")
                no_defaults.append(fq)
            cons = list(constraints.get(key, []))
            if info is not None and info.table_constraints:
                cons = constraints_from_sdk(cat, info)
            elif info is None:  # information_schema has no RELY / TIMESERIES: only the TableInfo has them
                run.hide(fq, "key_options")
            cons.extend(check_constraints_from_properties(props))
            if filters is not None:
                row_filter = filters.get(key)
            else:
                row_filter = gov.filter_from_sdk(info) if from_sdk and info is not None else None
            builder.table(
                cat,
                sch,
                name,
                columns=cols,
                table_type=TABLE_TYPES[ttype],
                format=enum_text(r.get("data_source_format")) or "DELTA",
                location=r.get("storage_path") if TABLE_TYPES[ttype] == "EXTERNAL" else None,
                comment=r.get("comment"),
                partition_by=partition,
                cluster_by=[] if cluster_auto_from_properties(props) else cluster_from_properties(props),
                cluster_auto=cluster_auto_from_properties(props),
                properties=props,
                tags=table_tags.get(key),
                constraints=cons,
                row_filter=row_filter,
                grants=grants_of("relation", *key),
                owner=r.get("table_owner"),
            )
        if no_defaults:
            run.notes.append(
                f"{cat}: column defaults of {len(no_defaults)} table(s) not compared: no column shows a "
                "default (information_schema.columns.column_default is documented as 'Always NULL, reserved "
                "for future use' on some versions, and ColumnInfo has no default)"
            )

__all__ = [
    "INFO_VIEWS",
    "MAX_WORKERS",
    "UNOBSERVED",
    "InfoView",
    "UnityCatalogReader",
    "information_schema_queries",
    "information_schema_query",
]
