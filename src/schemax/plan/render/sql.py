"""SQL text helpers every renderer shares: property lists, key lists, column lists, comments, and the
Delta table properties the planner switches on (column mapping, type widening, column defaults).
"""

from __future__ import annotations

from collections.abc import Iterable

from schemax.core.delta_properties import (
    COLUMN_DEFAULTS,
    COLUMN_MAPPING,
    TYPE_WIDENING,
    column_mapping_on,
    needs_column_mapping,
)
from schemax.core.names import quote_ident, sql_string


def _props(pairs: Iterable[tuple[str, str]]) -> str:
    return "(" + ", ".join(f"{sql_string(k)} = {sql_string(v)}" for k, v in pairs) + ")"


def _keys(keys: Iterable[str]) -> str:
    return "(" + ", ".join(sql_string(k) for k in keys) + ")"


def _cols(names: Iterable[str]) -> str:
    return ", ".join(quote_ident(n) for n in names)


def _comment(text: str | None) -> str:
    return "NULL" if text is None else sql_string(text)


def _mapping_on(props: dict[str, str]) -> bool:
    # delta.* keys compared case-insensitively, as Delta does (UC-34,
    # https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-tblproperties.html)
    return column_mapping_on(props)


def _needs_mapping(name: str) -> bool:
    return needs_column_mapping(name)


__all__ = ["COLUMN_DEFAULTS", "COLUMN_MAPPING", "TYPE_WIDENING"]
