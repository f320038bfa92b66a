"""Catalog reader for open-source Spark + Delta Lake (a Hive metastore or the in-memory catalog).

How a schema is read, and why
=============================

``SHOW TABLE EXTENDED IN <catalog>.<schema> LIKE '*'`` is the bulk source: ONE query per schema returns, for
every table and view, the metastore's text description (``information``): type, provider, location,
comment, view text, ``Table Properties: [k=v, ...]``, ``Partition Columns``, ``Schema: root |-- ...``.

For Delta tables that text is NOT the truth. Delta keeps a table's schema, properties, partitioning,
clustering and comment in its transaction log; the metastore only holds a stub. Measured on Spark 4.2 +
Delta 4.4 (``tests/integration/test_catalog_spark.py::test_metastore_text_is_stale_for_delta``):

* the metastore entry of a Delta table has no columns, no properties and no partition columns at all;
* its ``Comment`` is a stale copy: after ``COMMENT ON TABLE`` (a Delta commit) it still shows the old text;
* after ``ADD COLUMNS``, ``RENAME COLUMN`` (column mapping), ``ALTER COLUMN TYPE`` (type widening),
  ``DROP NOT NULL``, column comments, ``SET TBLPROPERTIES``, CHECK constraints and ``CLUSTER BY`` the
  metastore text is unchanged, while ``spark.table(t).schema`` / ``DESCRIBE DETAIL`` show the change.

So Delta tables are read from their logs, in bulk: for all Delta tables of the read (grouped by storage
root, chunked at ``chunk`` tables per query),

1. one listing query ``SELECT path FROM binaryFile.`<root>/{t1,t2,...}/_delta_log/*``` gives each table's
   latest commit version ``v`` (highest ``<v>.json``) and whether ``<v>.crc`` exists;
2. one query ``SELECT _metadata.file_path, value FROM text.`<root>/{t1/_delta_log/<v>.crc,...}``` reads
   the checksum file of each table's latest version. Delta writes it with every commit and it holds the
   full ``metaData`` (``schemaString`` with nullability, comments, defaults and column-mapping names;
   ``configuration`` = the table properties incl. ``delta.constraints.*``; ``partitionColumns``;
   ``description``), the ``protocol`` and the ``domainMetadata`` (clustering columns): exactly the
   protocol-and-metadata Delta itself loads a snapshot from.

Queries: 1 per schema, whatever the number of tables (``SHOW TABLE EXTENDED``), plus one catalog call per
read for the comments and locations of all schemas of the session's current catalog
(``spark.catalog.listDatabases()``; without a session, or for another catalog, ``DESCRIBE SCHEMA EXTENDED``
per schema instead), plus 2 per read for all Delta tables together (listing + checksums, per storage root
and ``chunk``), plus ``SHOW SCHEMAS`` per catalog read whole. Schemas are scanned
``schema_workers`` at a time (the metastore serializes its own calls; 2 measured best on local[2]).
Never one query per table on the normal path.

Tables are read one by one (in a pool of ``max_workers`` threads), each with a ``notes`` entry saying why,
when the bulk path cannot be trusted: a Delta table whose latest version has no checksum file (written by an
engine that does not write them, or a commit still in flight), a log not found at the table's location,
catalog-managed / coordinated-commit tables (their latest commits may not be in ``_delta_log`` yet), a
clustered table whose checksum lacks domain metadata; non-Delta tables (the metastore text has no column
comments); views whose ``Table Properties`` text is ambiguous. Per-table reads use ``DESCRIBE TABLE
EXTENDED`` + ``SHOW TBLPROPERTIES`` and, when a SparkSession is reachable (``spark=`` or the executor's
``.spark``), ``spark.table(t).schema`` for nullability; without a session nullability of such a table is
reported as unobserved rather than guessed.

The ``Table Properties: [k=v, k2=v2]`` text is only trusted when it holds a single property: ``a=1, b=2``
may equally be one property ``a`` with value ``1, b=2`` (Spark joins entries with ``", "`` unescaped).

Not observable on open-source Spark (reported in ``ObservedCatalog.unobserved``): tags, grants, row filters,
column masks, volumes, functions, schema properties.

pyspark is never imported here; the session, when used, is duck-typed.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from schemax.adapters.spark_catalog_text import (
    _DELTA_FILE,
    INFO_KEYS,
    Described,
    TableRecord,
    _cluster_names,
    _ident,
    _SchemaScan,
    cluster_from_property,
    delta_log_versions,
    file_source,
    glob_escape,
    glob_for,
    location_key,
    parse_bracket_properties,
    parse_describe,
    parse_information,
    parse_tree_nullability,
    protocol_properties,
    record_from_checksum,
    split_location,
)
from schemax.core.names import quote_ident
from schemax.drift.observed import (
    ColumnSpec,
    ObservedStateBuilder,
    check_constraints_from_properties,
    columns_from_spark_schema,
    full_name,
)
from schemax.errors import SqlError
from schemax.ports import ObservedCatalog, SqlExecutor

log = logging.getLogger("schemax.catalog")

UNOBSERVED = frozenset(
    {"tags", "grants", "row_filters", "column_masks", "volumes", "functions", "key_options", "owner"}
)
DEFAULT_WORKERS = 8
DEFAULT_CHUNK = 500
DEFAULT_SCHEMA_WORKERS = 2

class SparkCatalogReader:
    """Reads catalogs/schemas of open-source Spark + Delta into an :class:`ObservedCatalog` (see module docs).

    ``executor`` runs the SQL (a :class:`~schemax.adapters.spark.SparkExecutor` or any SqlExecutor on Spark).
    ``spark``: a SparkSession used only for the per-table fallback's nullability; by default the executor's
    ``.spark`` (also through wrappers with ``.inner``). ``use_delta_log=False`` reads every Delta table one by
    one (the naive path, kept for comparison and as the reference in tests).

    One reader runs one read at a time (``queries`` is counted per read); use one reader per thread.
    """

    def __init__(
        self,
        executor: SqlExecutor,
        *,
        spark: Any = None,
        max_workers: int = DEFAULT_WORKERS,
        use_delta_log: bool = True,
        chunk: int = DEFAULT_CHUNK,
        schema_workers: int = DEFAULT_SCHEMA_WORKERS,
    ) -> None:
        self.executor = executor
        self.spark = spark if spark is not None else _find_session(executor)
        self.max_workers = max(1, min(max_workers, 8))
        self.use_delta_log = use_delta_log
        self.chunk = max(1, chunk)
        self.schema_workers = max(1, min(schema_workers, self.max_workers))
        self._lock = threading.Lock()
        self._queries = 0

    # -- plumbing -------------------------------------------------------------------------------------
    def _query(self, sql: str) -> list[dict[str, Any]]:
        with self._lock:
            self._queries += 1
        return self.executor.query(sql)

    def _count(self) -> None:
        with self._lock:
            self._queries += 1

    # -- the read --------------------------------------------------------------------------------------
    def read(self, scope: Sequence[tuple[str, str | None]]) -> ObservedCatalog:
        with self._lock:
            self._queries = 0
        builder = ObservedStateBuilder()
        notes: list[str] = []
        partial: dict[str, frozenset[str]] = {}
        per_table: list[str] = []
        one_by_one: list[tuple[TableRecord, str, dict[str, str]]] = []  # record, reason, info
        views_pending: list[tuple[str, str, str, dict[str, str]]] = []

        by_catalog: dict[str, list[str | None]] = {}
        for cat, sch in scope:
            by_catalog.setdefault(cat, []).append(sch)
        targets: list[tuple[str, str]] = []
        catalogs: dict[str, bool] = {}
        for cat, entries in by_catalog.items():
            seen: set[str] = set()
            catalogs[cat] = cat.lower() == "spark_catalog"
            if any(s is None for s in entries):
                try:
                    rows = self._query(f"SHOW SCHEMAS IN {quote_ident(cat)}")
                except SqlError as exc:
                    if exc.kind != "not_found":
                        raise
                    notes.append(f"catalog {cat}: not found ({exc.cause.splitlines()[0]})")
                    continue
                catalogs[cat] = True
                for r in rows:
                    name = r.get("namespace") or r.get("databaseName") or next(iter(r.values()))
                    if name.lower() not in seen:
                        seen.add(name.lower())
                        targets.append((cat, name))
            for sch in entries:
                if sch is not None and sch.lower() not in seen:
                    seen.add(sch.lower())
                    targets.append((cat, sch))
        targets = [t for t in targets if t[1].lower() != "information_schema"]

        # The metastore part, schema by schema (a couple side by side: the metastore serializes its own
        # calls, the rest of each statement overlaps), then every Delta table's log in bulk.
        scans: list[_SchemaScan | None] = []
        listed = self._listed_schemas(targets)
        if targets:
            with ThreadPoolExecutor(max_workers=min(self.schema_workers, len(targets))) as pool:
                scans = list(pool.map(lambda t: self._scan_schema(*t, listed=listed), targets))
        delta_pending = [rec for scan in scans if scan is not None for rec in scan.delta_pending]
        bulk: list[TableRecord] = []
        if delta_pending:
            if self.use_delta_log:
                bulk = self._read_delta_logs(delta_pending, one_by_one, notes)
            else:
                one_by_one.extend((r, "bulk Delta log read disabled", {}) for r in delta_pending)
        schema_count = 0
        for (cat, sch), scan in zip(targets, scans, strict=True):
            if scan is None:
                continue
            schema_count += 1
            catalogs[cat] = True
            builder.schema(cat, sch, comment=scan.comment, managed_location=scan.location)
            for name, definition, comment, props in scan.views:
                builder.view(cat, sch, name, definition=definition, comment=comment, properties=props)
            one_by_one.extend(scan.one_by_one)
            views_pending.extend(scan.views_pending)
            notes.extend(scan.notes)
        for cat, exists in catalogs.items():
            if not exists:
                try:  # only named schemas were asked for and none exists: does the catalog?
                    self._query(f"SHOW SCHEMAS IN {quote_ident(cat)}")
                    exists = True
                except SqlError as exc:
                    if exc.kind != "not_found":
                        raise
            if exists:
                builder.catalog(cat)
        for rec in bulk:
            self._add_table(builder, rec, partial)

        # what the bulk path could not give
        self._read_one_by_one(one_by_one, views_pending, builder, notes, partial, per_table)
        q = self._queries
        summary = (
            f"spark reader: {schema_count} schema(s), {len(builder.tables)} table(s), "
            f"{len(builder.views)} view(s) in {q} round trip(s); {len(per_table)} object(s) read one by one"
        )
        return ObservedCatalog(
            state=builder.build(),
            queries=q,
            unrepresentable=sorted(set(builder.unrepresentable)),
            notes=[summary, *notes],
            unobserved=UNOBSERVED,
            partial=partial,
            per_table=sorted(per_table),
            source="spark-delta",
        )

    def _listed_schemas(
        self, targets: Sequence[tuple[str, str]]
    ) -> dict[str, dict[str, tuple[str | None, str | None]]]:
        """Comment and location of every schema of the session's current catalog, in ONE catalog call
        (``spark.catalog.listDatabases()``: the ``description`` and ``locationUri`` that ``DESCRIBE SCHEMA
        EXTENDED`` prints, for all schemas at once), keyed by catalog then schema (lower case); empty without
        a session, when no target is in the current catalog, or when the call fails (each schema is then
        described on its own)."""
        if self.spark is None or not targets:
            return {}
        try:
            current = str(self.spark.catalog.currentCatalog())
            if not any(cat.lower() == current.lower() for cat, _ in targets):
                return {}
            self._count()
            found = self.spark.catalog.listDatabases()
        except Exception as exc:  # noqa: BLE001 - any failure: fall back to one DESCRIBE per schema
            log.info("spark reader: listing the schemas through the session failed (%s): DESCRIBE each", exc)
            return {}
        return {
            current.lower(): {
                str(db.name).lower(): (db.description or None, db.locationUri or None) for db in found
            }
        }

    def _scan_schema(
        self, cat: str, sch: str, *, listed: Mapping[str, Mapping[str, tuple[str | None, str | None]]]
    ) -> _SchemaScan | None:
        """The metastore read of one schema (None when it does not exist): 1 query when the session listed
        the catalog's schemas (``listed``), else 2; whatever its size."""
        if cat.lower() in listed:
            facts = listed[cat.lower()].get(sch.lower())
            if facts is None:
                return None
            comment, location = facts
        else:
            try:
                desc = self._query(f"DESCRIBE SCHEMA EXTENDED {_ident(cat, sch)}")
            except SqlError as exc:
                if exc.kind == "not_found":
                    return None
                raise
            info = {str(r.get("info_name")): r.get("info_value") for r in desc}
            comment, location = info.get("Comment") or None, info.get("Location") or None
        scan = _SchemaScan(comment=comment, location=location)
        rows = self._query(f"SHOW TABLE EXTENDED IN {_ident(cat, sch)} LIKE '*'")
        for r in rows:
            if r.get("isTemporary"):
                continue
            name = r["tableName"]
            text = parse_information(r.get("information") or "")
            kind = (text.get("Type") or "").upper()
            if kind == "VIEW":
                props, trusted = parse_bracket_properties(text.get("Table Properties"))
                if trusted:
                    definition = text.get("View Text") or text.get("View Original Text") or ""
                    scan.views.append((name, definition, text.get("Comment"), props))
                else:
                    scan.views_pending.append((cat, sch, name, text))
                continue
            provider = (text.get("Provider") or "").lower()
            rec = TableRecord(
                cat,
                sch,
                name,
                table_type=kind or "MANAGED",
                format=(provider or "unknown").upper(),
                location=text.get("Location"),
                comment=text.get("Comment"),
            )
            if provider == "delta" and rec.location:
                scan.delta_pending.append(rec)
            elif provider == "delta":
                scan.one_by_one.append((rec, "no location in the metastore", text))
            else:
                reason = f"{provider or 'unknown'} table: the metastore text has no column comments"
                scan.one_by_one.append((rec, reason, text))
        return scan

    # -- Delta logs in bulk --------------------------------------------------------------------------
    def _read_delta_logs(
        self,
        pending: list[TableRecord],
        one_by_one: list[tuple[TableRecord, str, dict[str, str]]],
        notes: list[str],
    ) -> list[TableRecord]:
        """Read what it can from the logs; append the rest to ``one_by_one``; return the tables read."""
        done: list[TableRecord] = []
        groups: dict[str, list[tuple[str, TableRecord]]] = {}
        for rec in pending:
            prefix, path = split_location(rec.location or "")
            groups.setdefault(prefix, []).append((path, rec))
        versions: dict[str, tuple[int, set[int]]] = {}
        listed_ok: set[int] = set()
        for prefix, items in groups.items():
            for start in range(0, len(items), self.chunk):
                part = items[start : start + self.chunk]
                pattern = glob_for(prefix, [p for p, _ in part], "_delta_log/*")
                try:
                    rows = self._query(f"SELECT path FROM {file_source('binaryFile', pattern)}")
                except SqlError as exc:
                    notes.append(
                        f"Delta log listing failed for {len(part)} table(s) under {prefix or '/'}: "
                        f"{exc.cause.splitlines()[0]}"
                    )
                    continue
                versions.update(delta_log_versions([r["path"] for r in rows]))
                listed_ok.update(id(rec) for _, rec in part)
        to_read: list[tuple[str, str, int, TableRecord]] = []
        for rec in pending:
            key = location_key(rec.location or "")
            if id(rec) not in listed_ok:
                one_by_one.append((rec, "Delta log listing failed", {}))
                continue
            latest, crcs = versions.get(key, (-1, set()))
            if latest < 0:
                one_by_one.append((rec, "no Delta log found at the table's location", {}))
            elif latest not in crcs:
                one_by_one.append((rec, f"no checksum file for the latest version {latest}", {}))
            else:
                prefix, path = split_location(rec.location or "")
                to_read.append((prefix, path, latest, rec))
        by_prefix: dict[str, list[tuple[str, int, TableRecord]]] = {}
        for prefix, path, version, rec in to_read:
            by_prefix.setdefault(prefix, []).append((path, version, rec))
        for prefix, crc_items in by_prefix.items():
            for start in range(0, len(crc_items), self.chunk):
                crc_part = crc_items[start : start + self.chunk]
                pattern = glob_for(
                    prefix, [p for p, _, _ in crc_part], [f"_delta_log/{v:020d}.crc" for _, v, _ in crc_part]
                )
                try:
                    rows = self._query(
                        f"SELECT _metadata.file_path AS path, value FROM {file_source('text', pattern)}"
                    )
                except SqlError as exc:
                    notes.append(f"reading Delta checksums failed: {exc.cause.splitlines()[0]}")
                    rows = []
                texts: dict[str, list[str]] = {}
                for r in rows:
                    m = _DELTA_FILE.match(r["path"])
                    if m:
                        texts.setdefault(location_key(m.group("dir")), []).append(r["value"])
                for _, version, rec in crc_part:
                    lines = texts.get(location_key(rec.location or ""))
                    reason: str | None
                    if not lines:
                        reason = f"checksum file of version {version} could not be read"
                    else:
                        try:
                            crc = json.loads("".join(lines))
                        except ValueError:
                            crc = None
                        reason = "unreadable checksum file" if crc is None else record_from_checksum(rec, crc)
                    if reason is not None:
                        rec.columns, rec.properties, rec.unrepresentable = [], {}, []
                        one_by_one.append((rec, reason, {}))
                    else:
                        done.append(rec)
        return done

    # -- one by one ---------------------------------------------------------------------------------------
    def _read_one_by_one(
        self,
        tables: list[tuple[TableRecord, str, dict[str, str]]],
        views: list[tuple[str, str, str, dict[str, str]]],
        builder: ObservedStateBuilder,
        notes: list[str],
        partial: dict[str, frozenset[str]],
        per_table: list[str],
    ) -> None:
        jobs: list[Callable[[], tuple[str, Any]]] = []
        for rec, reason, text in tables:
            notes.append(f"{rec.full_name}: read one by one ({reason})")
            per_table.append(rec.full_name)
            jobs.append(functools.partial(self._table_job, rec, text))
        for cat, sch, name, text in views:
            fq = full_name(cat, sch, name)
            notes.append(
                f"{fq}: view properties read with SHOW TBLPROPERTIES (the metastore text is ambiguous)"
            )
            per_table.append(fq)
            jobs.append(functools.partial(self._view_job, cat, sch, name, text))
        if not jobs:
            return
        with ThreadPoolExecutor(max_workers=min(self.max_workers, len(jobs))) as pool:
            results = list(pool.map(lambda job: job(), jobs))
        for kind, value in results:
            if kind == "error":
                builder.unrepresentable.append(f"{value[0]}: could not be read ({value[1]})")
            elif kind == "table":
                if value is not None:
                    self._add_table(builder, value, partial)
            else:
                cat, sch, name, definition, comment, props = value
                builder.view(cat, sch, name, definition=definition, comment=comment, properties=props)

    def _table_job(self, rec: TableRecord, text: dict[str, str]) -> tuple[str, Any]:
        try:
            return "table", self._read_table(rec, text)
        except SqlError as exc:  # a broken table must not hide the rest of the scan
            return "error", (rec.full_name, exc.cause.splitlines()[0] if exc.cause else exc.kind)

    def _view_job(self, cat: str, sch: str, name: str, text: dict[str, str]) -> tuple[str, Any]:
        return "view", self._read_view(cat, sch, name, text)

    def _read_view(self, cat: str, sch: str, name: str, text: dict[str, str]) -> tuple[Any, ...]:
        rows = self._query(f"SHOW TBLPROPERTIES {_ident(cat, sch, name)}")
        props = {r["key"]: r["value"] for r in rows}
        return (
            cat,
            sch,
            name,
            text.get("View Text") or text.get("View Original Text") or "",
            text.get("Comment"),
            props,
        )

    def _read_table(self, rec: TableRecord, text: dict[str, str]) -> TableRecord | None:
        ident = _ident(rec.catalog, rec.schema, rec.name)
        try:
            described = parse_describe(self._query(f"DESCRIBE TABLE EXTENDED {ident}"))
        except SqlError as exc:
            if exc.kind == "not_found":
                return None  # dropped while we read
            raise
        is_delta = rec.format == "DELTA"
        details = described.details
        rec.comment = details.get("Comment") or None
        rec.location = details.get("Location") or rec.location
        if details.get("Type"):
            rec.table_type = details["Type"]
        rec.partition_by = described.partition_columns
        props, trusted = parse_bracket_properties(text.get("Table Properties")) if text else ({}, False)
        if is_delta or not trusted:
            rows = self._query(f"SHOW TBLPROPERTIES {ident}")
            props = {r["key"]: r["value"] for r in rows}
        rec.properties = props
        schema_json = self._session_schema(rec) if is_delta else None
        if schema_json is not None:
            cols, facts = columns_from_spark_schema(schema_json, rec.full_name)
            rec.columns = cols
            rec.unrepresentable.extend(facts.unrepresentable)
        else:
            nullability = parse_tree_nullability(text.get("Schema")) if text else []
            if len(nullability) != len(described.columns):
                nullability = []
                rec.partial.add("nullability")
            rec.columns = [
                ColumnSpec(
                    name=name,
                    type=dtype,
                    nullable=nullability[i] if nullability else True,
                    comment=comment,
                    default=described.defaults.get(name),
                )
                for i, (name, dtype, comment) in enumerate(described.columns)
            ]
        clustering = cluster_from_property(props.get("clusteringColumns"))
        rec.cluster_by = _cluster_names(clustering, rec)
        return rec

    def _session_schema(self, rec: TableRecord) -> dict[str, Any] | None:
        if self.spark is None:
            return None
        self._count()
        try:
            schema = self.spark.table(_ident(rec.catalog, rec.schema, rec.name)).schema
            return json.loads(schema.json())
        except Exception:  # noqa: BLE001 - fall back to DESCRIBE's view, flagged as partial
            return None

    def _add_table(
        self, builder: ObservedStateBuilder, rec: TableRecord, partial: dict[str, frozenset[str]]
    ) -> None:
        builder.table(
            rec.catalog,
            rec.schema,
            rec.name,
            columns=rec.columns,
            table_type=rec.table_type,
            format=rec.format,
            location=rec.location,
            comment=rec.comment,
            partition_by=rec.partition_by,
            cluster_by=rec.cluster_by,
            properties=rec.properties,
            constraints=check_constraints_from_properties(rec.properties),
        )
        builder.unrepresentable.extend(rec.unrepresentable)
        if rec.partial:
            partial[rec.full_name.lower()] = frozenset(rec.partial)


def _find_session(executor: Any) -> Any:
    seen = 0
    obj = executor
    while obj is not None and seen < 5:
        session = getattr(obj, "spark", None)
        if session is not None and hasattr(session, "table"):
            return session
        obj = getattr(obj, "inner", None)
        seen += 1
    return None


__all__ = [
    "DEFAULT_CHUNK",
    "DEFAULT_WORKERS",
    "INFO_KEYS",
    "UNOBSERVED",
    "Described",
    "SparkCatalogReader",
    "TableRecord",
    "delta_log_versions",
    "glob_escape",
    "glob_for",
    "location_key",
    "parse_bracket_properties",
    "parse_describe",
    "parse_information",
    "parse_tree_nullability",
    "protocol_properties",
    "record_from_checksum",
    "split_location",
]
