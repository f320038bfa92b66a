"""What a data rollback's RESTORE discards: the commits made to a table after the version it is restored
to that changed its data (rows written, merged, updated or deleted since), read from Delta's table
history (``DESCRIBE HISTORY``: ``version``, ``operation``, ``operationMetrics``; the metric names per
operation are listed at https://docs.databricks.com/aws/en/tables/history-schema).

Schema changes (``ADD COLUMNS``, ``SET TBLPROPERTIES``, ...) and maintenance (``OPTIMIZE``, ``VACUUM``)
are not data: undoing them is what the rollback is for. A rollback that discards data commits is refused
before anything runs unless the caller allows it (``RestoreDiscardsDataError``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: operations that change a table's rows (Delta's operation names in DESCRIBE HISTORY)
DATA_OPERATIONS = frozenset({
    "WRITE", "STREAMING UPDATE", "MERGE", "UPDATE", "DELETE", "TRUNCATE", "COPY INTO",
    "CREATE TABLE AS SELECT", "REPLACE TABLE AS SELECT", "CREATE OR REPLACE TABLE AS SELECT",
})

#: per operation, the metrics that count rows it wrote, changed or removed
ROW_METRICS: dict[str, tuple[str, ...]] = {
    "MERGE": ("numTargetRowsInserted", "numTargetRowsUpdated", "numTargetRowsDeleted"),
    "UPDATE": ("numUpdatedRows",),
    "DELETE": ("numDeletedRows",),
}
DEFAULT_ROW_METRICS = ("numOutputRows",)


@dataclass(frozen=True)
class DiscardedCommit:
    version: int
    operation: str
    rows: int | None  # rows it wrote, changed or removed (None: the history does not say)


@dataclass(frozen=True)
class DiscardedCommits:
    """The data commits a RESTORE of ``table`` to ``version`` discards, oldest first."""

    table: str
    version: int
    commits: tuple[DiscardedCommit, ...]

    @property
    def rows(self) -> int:
        return sum(c.rows or 0 for c in self.commits)

    def summary(self) -> str:
        ops = ", ".join(f"{c.operation} v{c.version}" for c in self.commits)
        return (f"{self.table}: {len(self.commits)} commit(s) after version {self.version} discarded "
                f"({ops}; {self.rows} row(s) written or changed)")

    def __str__(self) -> str:
        return self.summary()


def _metrics(value: Any) -> Mapping[str, Any]:
    if isinstance(value, Mapping):
        return value
    if isinstance(value, str) and value:
        try:
            parsed = json.loads(value)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, Mapping) else {}
    return {}


def _rows(operation: str, metrics: Mapping[str, Any]) -> int | None:
    keys = ROW_METRICS.get(operation, DEFAULT_ROW_METRICS)
    found = [metrics[k] for k in keys if k in metrics]
    if not found:
        return None
    try:
        return sum(int(v) for v in found)
    except (TypeError, ValueError):
        return None


def discarded_commits(table: str, version: int, history: Sequence[Mapping[str, Any]]) -> DiscardedCommits:
    """The data commits of ``history`` (DESCRIBE HISTORY rows) after ``version``."""
    out = []
    for row in history:
        v = int(row.get("version", -1))
        operation = str(row.get("operation") or "").upper()
        if v <= version or operation not in DATA_OPERATIONS:
            continue
        out.append(DiscardedCommit(v, operation, _rows(operation, _metrics(row.get("operationMetrics")))))
    return DiscardedCommits(table, version, tuple(sorted(out, key=lambda c: c.version)))


__all__ = ["DATA_OPERATIONS", "DiscardedCommit", "DiscardedCommits", "discarded_commits"]
