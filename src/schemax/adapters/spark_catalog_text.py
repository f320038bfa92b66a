"""What the open-source Spark catalog reader parses, as pure functions unit-tested without Spark: the
metastore's text description (``SHOW TABLE EXTENDED``), ``DESCRIBE`` rows, Delta log file names and
checksum files, protocol features and clustering properties (see :mod:`schemax.adapters.catalog_spark`)."""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from schemax.core.names import quote_ident
from schemax.drift.observed import (
    ColumnSpec,
    columns_from_spark_schema,
    full_name,
)

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


