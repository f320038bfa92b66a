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

Queries: 2 per schema, whatever the number of tables (``DESCRIBE SCHEMA EXTENDED`` for the schema's comment
and location, ``SHOW TABLE EXTENDED``), plus 2 per read for all Delta tables together (listing + checksums,
per storage root and ``chunk``), plus ``SHOW SCHEMAS`` per catalog read whole. Schemas are scanned
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
import posixpath
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

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

UNOBSERVED = frozenset(
    {"tags", "grants", "row_filters", "column_masks", "volumes", "functions", "key_options", "owner"}
)
DEFAULT_WORKERS = 8
DEFAULT_CHUNK = 500
DEFAULT_SCHEMA_WORKERS = 2

#: Keys of the metastore's text description, in the order Spark prints them.
INFO_KEYS: tuple[str, ...] = (
    "Catalog",
    "Database",
    "Namespace",
    "Table",
    "Owner",
    "Created Time",
    "Last Access",
    "Created By",
    "Type",
    "Provider",
    "Num Buckets",
    "Bucket Columns",
    "Sort Columns",
    "Comment",
    "Collation",
    "View Text",
    "View Original Text",
    "View Schema Mode",
    "View Catalog and Namespace",
    "View Query Output Columns",
    "Table Properties",
    "Statistics",
    "Location",
    "Serde Library",
    "InputFormat",
    "OutputFormat",
    "Storage Properties",
    "Partition Provider",
    "Partition Columns",
    "Schema",
)
_INFO_ORDER = {k: i for i, k in enumerate(INFO_KEYS)}
_INFO_LINE = re.compile(r"^([A-Za-z][A-Za-z _]*?): ?(.*)$")

#: Reader/writer features whose tables may have commits that are not in ``_delta_log`` yet.
_CATALOG_MANAGED_FEATURES = frozenset(
    {"catalogManaged", "catalogOwned-preview", "coordinatedCommits-preview", "catalogOwned"}
)
_DELTA_FILE = re.compile(r"^(?P<dir>.*)/_delta_log/(?P<version>\d{20})\.(?P<ext>json|crc)$")


# ------------------------------------------------------------------------------------------------------
# pure parsing helpers (unit-tested without Spark)


def parse_information(text: str) -> dict[str, str]:
    """The ``information`` text of ``SHOW TABLE EXTENDED`` as key -> value.

    Values may span lines (comments, view text): a line continues the previous value unless it starts with
    a known key that comes later in Spark's fixed key order. Everything after ``Schema:`` is the schema tree.
    """
    out: dict[str, str] = {}
    current: str | None = None
    lines = text.split("\n")
    for line in lines:
        if current == "Schema":
            out["Schema"] += "\n" + line
            continue
        m = _INFO_LINE.match(line)
        if (
            m
            and m.group(1) in _INFO_ORDER
            and (current is None or _INFO_ORDER[m.group(1)] > _INFO_ORDER[current])
        ):
            current = m.group(1)
            out[current] = m.group(2)
            continue
        if current is not None:
            out[current] += "\n" + line
        elif line.strip():
            out.setdefault("?", "")
            out["?"] += line
    # Spark ends the text with blank lines; a value's own trailing newlines cannot be told apart from them.
    return {k: v.rstrip("\n") for k, v in out.items()}


def parse_bracket_properties(text: str | None) -> tuple[dict[str, str], bool]:
    """``[k=v, k2=v2]`` -> (properties, trustworthy).

    Spark joins entries with ``", "`` and escapes nothing, so the text is only trustworthy when it holds at
    most one entry (no ``", "`` inside the brackets). With more, the split shown is a best guess and the
    caller must read the properties another way (``SHOW TBLPROPERTIES``).
    """
    if text is None:
        return {}, True
    t = text.strip()
    if not (t.startswith("[") and t.endswith("]")):
        return {}, False
    inner = t[1:-1]
    if not inner:
        return {}, True
    segments = inner.split(", ")
    props: dict[str, str] = {}
    last: str | None = None
    for seg in segments:
        k, eq, v = seg.partition("=")
        if eq and k:
            props[k] = v
            last = k
        elif last is not None:
            props[last] += ", " + seg
    return props, len(segments) == 1 and "=" in inner


def parse_tree_nullability(tree: str | None) -> list[bool]:
    """Top-level nullability flags of a ``StructType.treeString`` (``|-- a: int (nullable = true)``)."""
    out = []
    for line in (tree or "").split("\n"):
        if line.startswith(" |-- "):
            m = re.search(r"\(nullable = (true|false)\)\s*$", line)
            out.append(m is None or m.group(1) == "true")
    return out


@dataclass
class Described:
    """What ``DESCRIBE TABLE EXTENDED`` says about a table."""

    columns: list[tuple[str, str, str | None]] = field(default_factory=list)  # name, type, comment
    partition_columns: list[str] = field(default_factory=list)
    defaults: dict[str, str] = field(default_factory=dict)
    details: dict[str, str] = field(default_factory=dict)


def parse_describe(rows: Sequence[Mapping[str, Any]]) -> Described:
    out = Described()
    section = "columns"
    for r in rows:
        name = r.get("col_name") or ""
        dtype = r.get("data_type") or ""
        comment = r.get("comment")
        if name.startswith("# "):
            header = name[2:].strip().lower()
            if header == "col_name":
                continue
            section = {
                "partition information": "partitions",
                "detailed table information": "details",
                "column default values": "defaults",
            }.get(header, "other")
            continue
        if not name and not dtype:
            if section in ("columns", "partitions", "defaults"):
                section = "other"
            continue
        if section == "columns":
            out.columns.append((name, dtype, comment or None))
        elif section == "partitions":
            out.partition_columns.append(name)
        elif section == "defaults":
            if comment is not None:
                out.defaults[name] = comment
        elif section == "details":
            out.details[name] = dtype
    return out


def split_location(location: str) -> tuple[str, str]:
    """``scheme://authority/path`` -> (``scheme://authority``, ``/path``) with %-escapes decoded."""
    loc = location.strip()
    if loc.startswith("file:///"):
        loc = "file:/" + loc[len("file:///") :]
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.\-]*:(?://[^/]*)?)(/.*)?$", loc)
    if not m:
        return "", unquote(loc).rstrip("/") or "/"
    return m.group(1), (unquote(m.group(2) or "/").rstrip("/") or "/")


def location_key(location: str) -> str:
    prefix, path = split_location(location)
    return prefix + path


_GLOB_SPECIAL = re.compile(r"([\\{}\[\]*?,^])")


def glob_escape(path: str) -> str:
    """Escape Hadoop glob metacharacters in a literal path segment."""
    return _GLOB_SPECIAL.sub(r"\\\1", path)


def file_source(fmt: str, path: str) -> str:
    """``fmt.`path``` with back-quotes in the path doubled."""
    return f"{fmt}.`{path.replace('`', '``')}`"


def glob_for(prefix: str, dirs: Sequence[str], tail: Sequence[str] | str) -> str:
    """One Hadoop glob matching ``<dir>/<tail>`` for every dir (same prefix), as ``<base>/{a,b,...}``."""
    if isinstance(tail, str):
        tails = [tail] * len(dirs)
    else:
        tails = list(tail)
    if len(dirs) == 1:
        return prefix + glob_escape(dirs[0]) + "/" + tails[0]
    base = posixpath.commonpath(dirs)
    rels = []
    for d, t in zip(dirs, tails, strict=True):
        rel = posixpath.relpath(d, base)
        rels.append(glob_escape(rel) + "/" + t)
    base_text = "" if base == "/" else glob_escape(base)
    return f"{prefix}{base_text}/{{{','.join(rels)}}}"


def delta_log_versions(paths: Sequence[str]) -> dict[str, tuple[int, set[int]]]:
    """From ``_delta_log`` listings: location key -> (latest json version, versions that have a .crc)."""
    out: dict[str, tuple[int, set[int]]] = {}
    for p in paths:
        m = _DELTA_FILE.match(p)
        if not m:
            continue
        key = location_key(m.group("dir"))
        version = int(m.group("version"))
        latest, crcs = out.get(key, (-1, set()))
        if m.group("ext") == "json":
            latest = max(latest, version)
        else:
            crcs.add(version)
        out[key] = (latest, crcs)
    return out


@dataclass
class TableRecord:
    """One table as read, before it goes into the builder."""

    catalog: str
    schema: str
    name: str
    columns: list[ColumnSpec] = field(default_factory=list)
    table_type: str = "MANAGED"
    format: str = "DELTA"
    location: str | None = None
    comment: str | None = None
    partition_by: list[str] = field(default_factory=list)
    cluster_by: list[str] = field(default_factory=list)
    properties: dict[str, str] = field(default_factory=dict)
    unrepresentable: list[str] = field(default_factory=list)
    partial: set[str] = field(default_factory=set)

    @property
    def full_name(self) -> str:
        return full_name(self.catalog, self.schema, self.name)


@dataclass
class _SchemaScan:
    """What the bulk read of one schema found."""

    comment: str | None = None
    location: str | None = None
    views: list[tuple[str, str, str | None, dict[str, str]]] = field(default_factory=list)
    delta_pending: list[TableRecord] = field(default_factory=list)
    one_by_one: list[tuple[TableRecord, str, dict[str, str]]] = field(default_factory=list)
    views_pending: list[tuple[str, str, str, dict[str, str]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def protocol_properties(protocol: Mapping[str, Any]) -> dict[str, str]:
    """Properties Delta reports for its protocol (as ``SHOW TBLPROPERTIES`` does)."""
    props = {}
    if protocol.get("minReaderVersion") is not None:
        props["delta.minReaderVersion"] = str(protocol["minReaderVersion"])
    if protocol.get("minWriterVersion") is not None:
        props["delta.minWriterVersion"] = str(protocol["minWriterVersion"])
    features = set(protocol.get("readerFeatures") or ()) | set(protocol.get("writerFeatures") or ())
    for f in sorted(features):
        props[f"delta.feature.{f}"] = "supported"
    return props


def record_from_checksum(record: TableRecord, crc: Mapping[str, Any]) -> str | None:
    """Fill ``record`` from a Delta checksum file; return why it cannot be used (None = used)."""
    metadata = crc.get("metadata")
    protocol = crc.get("protocol")
    if not isinstance(metadata, Mapping) or not isinstance(protocol, Mapping):
        return "checksum file without metadata/protocol"
    features = set(protocol.get("readerFeatures") or ()) | set(protocol.get("writerFeatures") or ())
    config = dict(metadata.get("configuration") or {})
    if features & _CATALOG_MANAGED_FEATURES or any(k.startswith("delta.coordinatedCommits.") for k in config):
        return "catalog-managed / coordinated commits: the latest commits may not be in _delta_log"
    domains = crc.get("domainMetadata")
    if "clustering" in features and not isinstance(domains, list):
        return "clustered table whose checksum has no domain metadata"
    try:
        schema = json.loads(metadata.get("schemaString") or "{}")
    except ValueError:
        return "unreadable schemaString"
    cols, facts = columns_from_spark_schema(schema, record.full_name)
    record.columns = cols
    record.unrepresentable.extend(facts.unrepresentable)
    record.comment = metadata.get("description") or None
    record.partition_by = list(metadata.get("partitionColumns") or [])
    clustering: list[list[str]] = []
    for d in domains or []:
        if isinstance(d, Mapping) and d.get("domain") == "delta.clustering" and not d.get("removed"):
            try:
                spec = json.loads(d.get("configuration") or "{}")
            except ValueError:
                return "unreadable clustering domain metadata"
            for path in spec.get("clusteringColumns") or []:
                clustering.append(
                    [facts.physical_names.get(p, p) if i == 0 else p for i, p in enumerate(path)]
                )
    props = dict(config)
    props.update(protocol_properties(protocol))
    if clustering:
        props["clusteringColumns"] = json.dumps(clustering, separators=(",", ":"))
    record.properties = props
    record.cluster_by = _cluster_names(clustering, record)
    return None


def _cluster_names(clustering: Sequence[Sequence[str]], record: TableRecord) -> list[str]:
    names = []
    for path in clustering:
        if len(path) != 1:
            record.unrepresentable.append(
                f"{record.full_name}: clustering on nested field {'.'.join(path)} is not representable"
            )
            continue
        names.append(path[0])
    return names


def cluster_from_property(value: str | None) -> list[list[str]]:
    if not value:
        return []
    try:
        data = json.loads(value)
    except ValueError:
        return []
    return [list(p) for p in data if isinstance(p, list)]


# ------------------------------------------------------------------------------------------------------
# the reader


def _ident(*parts: str) -> str:
    return ".".join(quote_ident(p) for p in parts)


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
        if targets:
            with ThreadPoolExecutor(max_workers=min(self.schema_workers, len(targets))) as pool:
                scans = list(pool.map(lambda t: self._scan_schema(*t), targets))
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

    def _scan_schema(self, cat: str, sch: str) -> _SchemaScan | None:
        """The metastore read of one schema (None when it does not exist): 2 queries, whatever its size."""
        try:
            desc = self._query(f"DESCRIBE SCHEMA EXTENDED {_ident(cat, sch)}")
        except SqlError as exc:
            if exc.kind == "not_found":
                return None
            raise
        info = {str(r.get("info_name")): r.get("info_value") for r in desc}
        scan = _SchemaScan(comment=info.get("Comment") or None, location=info.get("Location") or None)
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
