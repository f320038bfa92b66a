"""Which table properties are the user's, and which the server (or schemax) sets.

Drift on properties counts **declared** properties only: a key counts when the expected object declares
it, or when an observed key is neither server-set nor schemax's own. Everything else is engine
bookkeeping that changes on its own (protocol versions, feature flags, column-mapping counters, commit
timestamps, statistics) and would make every scan noisy.

The lists are explicit so that a reviewer can see them; :func:`is_server_set` is the one test.

* ``delta.columnMapping.mode`` and ``delta.enableTypeWidening`` are treated as managed: schemax itself turns
  them on before a rename/drop column or a type widening, so an expected state rarely declares them. When
  the expected object does declare them, they are compared like any other property.
* ``delta.constraints.<name>`` are CHECK constraints and ``clusteringColumns`` is the clustering spec: both
  are compared as constraints / ``cluster_by`` instead, never as properties.
* ``schemax.*`` are schemax's version-tracking properties: only ``schemax.version`` and ``schemax.hash`` are
  compared, as version drift (see :mod:`schemax.drift.compare`).
"""

from __future__ import annotations

from collections.abc import Mapping

from schemax.core import tracking

#: Exact keys set by Delta, Spark, the Hive metastore or Unity Catalog, never by a user's DDL on purpose.
SERVER_SET_KEYS: frozenset[str] = frozenset(
    {
        # Delta protocol and bookkeeping
        "delta.minReaderVersion",
        "delta.minWriterVersion",
        "delta.columnMapping.maxColumnId",
        "delta.columnMapping.mode",  # managed: schemax enables it before RENAME/DROP COLUMN
        "delta.enableTypeWidening",  # managed: schemax enables it before a widening type change
        "delta.enableDeletionVectors",  # workspace defaults set it on new tables
        "delta.enableRowTracking",
        "delta.enableInCommitTimestamps",
        "delta.domainMetadata",
        "delta.lastCommitTimestamp",
        "delta.lastUpdateVersion",
        "clusteringColumns",  # reported as cluster_by
        "clusterByAuto",  # reported as cluster_auto (CLUSTER BY AUTO, issue 11)
        # Spark / Hive metastore bookkeeping
        "transient_lastDdlTime",
        "last_modified_by",
        "last_modified_time",
        "numFiles",
        "numFilesErasureCoded",
        "numRows",
        "rawDataSize",
        "totalSize",
        "COLUMN_STATS_ACCURATE",
        "bucketing_version",
        "EXTERNAL",
        "is_managed_location",
    }
)

#: Key prefixes set by the engines.
SERVER_SET_PREFIXES: tuple[str, ...] = (
    "delta.feature.",  # table features, mirrored from the protocol
    "delta.checkpoint",  # delta.checkpointPolicy, delta.checkpoint.writeStatsAs*, delta.checkpointInterval
    "delta.rowTracking.",
    "delta.inCommitTimestamp",
    "delta.coordinatedCommits.",
    "delta.typeWidening.",
    "delta.constraints.",  # reported as CHECK constraints
    "option.",  # data source options echoed by DeltaTableV2
    "spark.sql.",  # spark.sql.create.version, spark.sql.sources.schema.*, spark.sql.statistics.*
    "view.",  # view.sqlConfig.*, view.catalogAndNamespace.*, view.query.out.*
    "io.unitycatalog.",
)

#: schemax's own table properties (written by deploys; the keys are :mod:`schemax.core.tracking`'s).
SCHEMAX_PREFIX = tracking.PREFIX
VERSION_KEYS: tuple[str, ...] = tracking.VERSION_KEYS

#: Prefix of Delta's CHECK constraint properties.
CHECK_CONSTRAINT_PREFIX = "delta.constraints."


def is_server_set(key: str) -> bool:
    """True for a property the engine sets on its own (see the module docs)."""
    return key in SERVER_SET_KEYS or key.startswith(SERVER_SET_PREFIXES)


def is_schemax(key: str) -> bool:
    return tracking.is_tracking_key(key)


def is_declarable(key: str) -> bool:
    """True for a property a user declares (neither server-set nor schemax's own)."""
    return not is_server_set(key) and not is_schemax(key)


def declared_properties(properties: Mapping[str, str]) -> dict[str, str]:
    """The user-declared subset of observed properties (what an import should record)."""
    return {k: v for k, v in properties.items() if is_declarable(k)}


__all__ = [
    "CHECK_CONSTRAINT_PREFIX",
    "SCHEMAX_PREFIX",
    "SERVER_SET_KEYS",
    "SERVER_SET_PREFIXES",
    "VERSION_KEYS",
    "declared_properties",
    "is_declarable",
    "is_schemax",
    "is_server_set",
]
