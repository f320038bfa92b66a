"""SQL text helpers every renderer shares: property lists, key lists, column lists, comments, and the
Delta table properties the planner switches on (column mapping, type widening, column defaults).
"""

from __future__ import annotations

from collections.abc import Iterable

from schemax.core.names import quote_ident, sql_string

COLUMN_MAPPING = "delta.columnMapping.mode"
TYPE_WIDENING = "delta.enableTypeWidening"
COLUMN_DEFAULTS = "delta.feature.allowColumnDefaults"
# Characters Delta refuses in column names unless column mapping is on (its own error message lists them).
_NEEDS_MAPPING = frozenset(" ,;{}()\n\t=")


def _props(pairs: Iterable[tuple[str, str]]) -> str:
    return "(" + ", ".join(f"{sql_string(k)} = {sql_string(v)}" for k, v in pairs) + ")"


def _keys(keys: Iterable[str]) -> str:
    return "(" + ", ".join(sql_string(k) for k in keys) + ")"


def _cols(names: Iterable[str]) -> str:
    return ", ".join(quote_ident(n) for n in names)


def _comment(text: str | None) -> str:
    return "NULL" if text is None else sql_string(text)


def _mapping_on(props: dict[str, str]) -> bool:
    return props.get(COLUMN_MAPPING, "none").lower() in ("name", "id")


def _needs_mapping(name: str) -> bool:
    return any(ch_ in _NEEDS_MAPPING for ch_ in name)
