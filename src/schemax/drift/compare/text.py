"""The normalizers, keys and display texts drift compares with (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from schemax.core.model import (
    Column,
    Table,
)
from schemax.drift.observed import normalize_observed_type, privilege_name

#: Aspects a reader may declare it cannot see (ObservedCatalog.unobserved / partial).
ASPECTS: frozenset[str] = frozenset(
    {
        "tags",
        "grants",
        "functions",
        "volumes",
        "catalog_comment",
        "schema_comment",
        "schema_location",
        "nullability",
        "column_defaults",
        "column_comments",
        "constraints",
        "key_options",
        "owner",
        "generation",
        "clustering",
        "partitioning",
        "properties",
        "view_definition",
        "function_body",
        "row_filters",
        "column_masks",
    }
)

#: Privileges ``ALL PRIVILEGES`` does not include (Databricks REVOKE reference, "Privileges that are not
#: part of ALL PRIVILEGES, such as MANAGE, EXTERNAL USE LOCATION, and EXTERNAL USE SCHEMA").
_NOT_IN_ALL = frozenset({"MANAGE", "EXTERNAL USE LOCATION", "EXTERNAL USE SCHEMA"})

_RENAME_HINT = (
    "a column renamed by hand shows as one missing and one extra column; schemax does not guess renames"
)


def _norm_text(value: str | None) -> str | None:
    return value if value else None


def _norm_sql(text: str | None) -> str:
    """SQL text compared whitespace-insensitively, without a trailing semicolon."""
    t = re.sub(r"\s+", " ", (text or "").strip())
    return t[:-1].rstrip() if t.endswith(";") else t


def _norm_type(text: str) -> str:
    return normalize_observed_type(text)[0]


def _norm_location(text: str | None) -> str | None:
    return text.rstrip("/") if text else None


def _same_value(a: str, b: str) -> bool:
    if a == b:
        return True
    return a.lower() in ("true", "false") and a.lower() == b.lower()


def _key(*parts: str) -> tuple[str, ...]:
    return tuple(p.lower() for p in parts)


def _effective(privileges: Iterable[str]) -> frozenset[str]:
    """What a privilege list grants: ``ALL PRIVILEGES`` stands for every privilege it covers (the other
    privileges listed beside it add nothing, except those outside ALL PRIVILEGES)."""
    names = frozenset(privilege_name(p) for p in privileges) - {""}
    if "ALL PRIVILEGES" in names:
        return frozenset({"ALL PRIVILEGES"}) | (names & _NOT_IN_ALL)
    return names


def _privs_text(privileges: Iterable[str]) -> str:
    return ", ".join(sorted(privileges))


def _norm_params(text: str) -> str:
    parts = []
    for p in (text or "").split(","):
        p = p.strip()
        if not p:
            continue
        name, _, rest = p.partition(" ")
        parts.append(f"{name.strip('`').lower()} {_norm_type(rest) if rest.strip() else ''}".strip())
    return ", ".join(parts)


def _column_text(c: Column) -> str:
    return c.type if c.nullable else f"{c.type} NOT NULL"


def _null_text(nullable: bool) -> str:
    return "NULL" if nullable else "NOT NULL"


def _kind_text(kind: str) -> str:
    return {"primary_key": "PRIMARY KEY", "foreign_key": "FOREIGN KEY", "check": "CHECK"}.get(kind, kind)


def _identity_text(col: Column) -> str | None:
    ident = col.identity
    if ident is None:
        return None
    start = 1 if ident.start is None else ident.start
    step = 1 if ident.step is None else ident.step
    kind = "ALWAYS" if ident.always else "BY DEFAULT"
    return f"{kind} AS IDENTITY (START WITH {start} INCREMENT BY {step})"


def _clustering_text(table: Table) -> str:
    return "AUTO" if table.cluster_auto else ", ".join(table.column_names(table.cluster_by)) or "NONE"


def _rely_text(rely: bool) -> str:
    return "RELY" if rely else "NORELY"
