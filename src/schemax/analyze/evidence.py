"""What the live data says about a finding: the :class:`Evidence` a preflight attaches to it.

A finding says what *may* happen ("fails if any row holds NULL"); its evidence says what *will* happen on
one environment's tables, from one cheap query per table (``schemax.plan.probes`` builds the queries,
``schemax.services.preflight`` runs them): a :class:`Verdict`, the count behind it, up to a few sample
values, the query that counted, and the table's size as a :class:`TableCost`.

Evidence is a pure, immutable value; a plan without a preflight holds none and renders as it always did.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

#: A table below this size is ``small`` (1 GiB): a rewrite or a full scan of it takes seconds to minutes.
SMALL_BELOW_BYTES = 1 << 30
#: A table of this size or more is ``large`` (100 GiB): a rewrite needs a maintenance window.
LARGE_FROM_BYTES = 100 << 30


class Verdict(str, Enum):
    """What the data means for the statement a finding is about."""

    WILL_FAIL = "will_fail"  # the data makes the statement fail (a NULL, a violating row, a bad cast)
    LOSES_DATA = "loses_data"  # the statement runs, but values are lost or changed (a drop, a narrowing cast)
    SAFE = "safe"  # nothing in the data can make it fail, and nothing is lost
    UNKNOWN = "unknown"  # the probe could not tell (it failed, timed out, or saw only a sample)

    @property
    def label(self) -> str:
        """The words shown before the evidence: ``will fail``, ``loses data``, ``safe``, ``unknown``."""
        return self.value.replace("_", " ")

    def __str__(self) -> str:
        return self.value


class CostClass(str, Enum):
    """How expensive a step that touches the whole table is, from the table's size."""

    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"
    UNKNOWN = "unknown"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class CostThresholds:
    """Where ``small`` ends and ``large`` begins, in bytes (defaults: 1 GiB and 100 GiB)."""

    small_below_bytes: int = SMALL_BELOW_BYTES
    large_from_bytes: int = LARGE_FROM_BYTES

    def classify(self, size_bytes: int | None) -> CostClass:
        if size_bytes is None:
            return CostClass.UNKNOWN
        if size_bytes < self.small_below_bytes:
            return CostClass.SMALL
        if size_bytes >= self.large_from_bytes:
            return CostClass.LARGE
        return CostClass.MEDIUM

    def describe(self) -> str:
        return (f"small < {human_bytes(self.small_below_bytes)} <= medium < "
                f"{human_bytes(self.large_from_bytes)} <= large")


@dataclass(frozen=True)
class TableCost:
    """A table's size as ``DESCRIBE DETAIL`` (bytes, files) and ``count(*)`` (rows) report it."""

    cost_class: CostClass
    size_bytes: int | None = None
    files: int | None = None
    rows: int | None = None

    def describe(self) -> str:
        """``medium: 12.3 GiB in 140 files, 1,200,000 rows``."""
        parts = []
        if self.size_bytes is not None:
            parts.append(human_bytes(self.size_bytes)
                         + (f" in {_count(self.files, 'file')}" if self.files is not None else ""))
        if self.rows is not None:
            parts.append(_count(self.rows, "row"))
        return f"{self.cost_class.value}: {', '.join(parts)}" if parts else self.cost_class.value

    def to_dict(self) -> dict[str, Any]:
        return {"class": self.cost_class.value, "size_bytes": self.size_bytes, "files": self.files,
                "rows": self.rows}


@dataclass(frozen=True)
class Evidence:
    """What a preflight found for one finding.

    ``text`` is the finding's fact in words (``12 rows hold NULL in `email```); ``count`` the number behind
    it (None for a finding only the table's cost is known for); ``samples`` up to a few of the failing rows'
    keys (or of the failing values), named by ``sample_label`` (``id``, ``values``); ``query`` the SQL that
    counted; ``cost`` the table's size and cost class; ``sampled_percent`` set when the count saw a sample
    of the table only (a zero there proves nothing, so the verdict is ``unknown``).
    """

    verdict: Verdict
    text: str
    count: int | None = None
    samples: tuple[str, ...] = ()
    sample_label: str = ""
    query: str = ""
    cost: TableCost | None = None
    sampled_percent: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "verdict", Verdict(self.verdict))
        object.__setattr__(self, "samples", tuple(self.samples))

    @property
    def will_fail(self) -> bool:
        return self.verdict is Verdict.WILL_FAIL

    @property
    def summary(self) -> str:
        """One line: ``will fail: 12 rows hold NULL in `email` (e.g. id 3, 7, 9); table small: 2.1 MiB …``."""
        line = f"{self.verdict.label}: {self.text}"
        if self.samples:
            label = f"{self.sample_label} " if self.sample_label else ""
            line += f" (e.g. {label}{', '.join(self.samples)})"
        if self.cost is not None:
            line += f"; table {self.cost.describe()}"
        return line

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "summary": self.summary,
            "text": self.text,
            "count": self.count,
            "samples": list(self.samples),
            "sample_label": self.sample_label,
            "query": self.query,
            "cost": self.cost.to_dict() if self.cost is not None else None,
            "sampled_percent": self.sampled_percent,
        }

    def __str__(self) -> str:
        return self.summary


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def human_bytes(n: int) -> str:
    """``2.1 MiB``: bytes in binary units, one decimal above KiB."""
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{int(size)} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"  # pragma: no cover - the loop always returns


__all__ = [
    "LARGE_FROM_BYTES",
    "SMALL_BELOW_BYTES",
    "CostClass",
    "CostThresholds",
    "Evidence",
    "TableCost",
    "Verdict",
    "human_bytes",
]
