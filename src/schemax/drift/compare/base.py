"""The comparer's core: scope and visibility checks, findings, and the governance comparisons (text, tags,
properties, owner, grants, row filters, masks) every object kind shares (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schemax.core import kinds
from schemax.core.model import (
    Column,
    ColumnMask,
    Grants,
    RowFilter,
    State,
    Table,
)
from schemax.drift.compare.scope import _Index, _Scope
from schemax.drift.compare.text import ASPECTS, _effective, _norm_text, _privs_text, _same_value
from schemax.drift.mapping import function_parts
from schemax.drift.properties import CHECK_CONSTRAINT_PREFIX, is_declarable, is_schemax
from schemax.drift.report import DriftFinding


class _ComparerBase:
    def __init__(
        self,
        expected: State,
        observed: State,
        *,
        expected_version: str | None,
        expected_hashes: Mapping[str, str] | None,
        scope: _Scope,
        unobserved: frozenset[str],
        partial: Mapping[str, frozenset[str]],
    ) -> None:
        self.exp = _Index.of(expected)
        self.obs = _Index.of(observed)
        self.expected_version = expected_version
        self.hashes = {k.lower(): v for k, v in (expected_hashes or {}).items()}
        self.scope = scope
        self.unobserved = unobserved
        self.partial = {k.lower(): v for k, v in partial.items()}
        self.findings: list[DriftFinding] = []
        self.undeclared_grants = 0  # principals holding grants the project does not mention
        # objects read, per State field (catalogs, schemas, tables, ...), and columns
        self.scanned: dict[str, int] = {k.state_field: 0 for k in kinds.top_level()}
        self.scanned["columns"] = 0

    # -- helpers ---------------------------------------------------------------------------------------
    def sees(self, aspect: str, name: str | None = None) -> bool:
        if aspect in self.unobserved:
            return False
        return not (name is not None and aspect in self.partial.get(name.lower(), frozenset()))

    def sees_kind(self, kind: str) -> bool:
        """Whether the reader saw objects of ``kind`` at all (an aspect named like the State field, such as
        ``volumes``, says it did not)."""
        field_name = kinds.kind(kind).state_field
        return field_name not in ASPECTS or self.sees(field_name)

    def add(
        self,
        object_type: str,
        object_name: str,
        issue: str,
        expected: str | None = None,
        actual: str | None = None,
        detail: str = "",
        owner: str = "",
    ) -> None:
        self.findings.append(
            DriftFinding(
                object_type=object_type,
                object_name=object_name,
                issue=issue,  # type: ignore[arg-type]
                expected=expected,
                actual=actual,
                detail=detail,
                owner=owner or object_name,
            )
        )

    def compare_text(
        self, object_type: str, name: str, detail: str, exp: str | None, act: str | None, owner: str = ""
    ) -> None:
        e, a = _norm_text(exp), _norm_text(act)
        if e != a:
            self.add(object_type, name, "modified", e, a, detail, owner)

    def compare_tags(self, name: str, exp: Mapping[str, str], act: Mapping[str, str], owner: str) -> None:
        if not self.sees("tags", owner):
            return
        act_l = {k.lower(): (k, v) for k, v in act.items()}
        seen = set()
        for k, v in exp.items():
            hit = act_l.get(k.lower())
            seen.add(k.lower())
            if hit is None:
                self.add("tag", name, "missing", v, None, k, owner)
            elif hit[1] != v:
                self.add("tag", name, "modified", v, hit[1], k, owner)
        for kl, (k, v) in act_l.items():
            if kl not in seen:
                self.add("tag", name, "extra", None, v, k, owner)

    def compare_properties(self, name: str, exp: Mapping[str, str], act: Mapping[str, str]) -> None:
        if not self.sees("properties", name):
            return
        declared = {
            k: v
            for k, v in exp.items()
            if not is_schemax(k)
            and not k.lower().startswith(CHECK_CONSTRAINT_PREFIX)
            and k != "clusteringColumns"
        }
        act_exact = dict(act)
        act_lower = {k.lower(): k for k in act}
        matched: set[str] = set()
        for k, v in declared.items():
            ak = k if k in act_exact else act_lower.get(k.lower())
            if ak is None:
                self.add("property", name, "missing", v, None, k, name)
                continue
            matched.add(ak)
            if not _same_value(v, act_exact[ak]):
                self.add("property", name, "modified", v, act_exact[ak], k, name)
        for k, v in act.items():
            if k in matched or not is_declarable(k):
                continue
            if k.lower() in {d.lower() for d in declared}:
                continue
            self.add("property", name, "extra", None, v, k, name)

    # -- governance ------------------------------------------------------------------------------------
    def compare_owner(self, name: str, exp: str | None, obs: str | None) -> None:
        """The owner, when the project manages it (issue 11): principals compare case-insensitively."""
        if exp is None or not self.sees("owner", name):
            return
        if (obs or "").lower() != exp.lower():
            self.add("owner", name, "modified", exp, obs, "owner", name)

    def compare_grants(self, name: str, exp: Grants, act: Grants, owner: str = "") -> None:
        """Declared principals only: their privileges on ``name`` must be exactly the declared ones."""
        if not self.sees("grants", name):
            return
        act_exact = dict(act)
        act_lower = {p.lower(): p for p in act}
        matched: set[str] = set()
        for principal, privs in exp.items():
            hit = principal if principal in act_exact else act_lower.get(principal.lower())
            want = _effective(privs)
            if hit is None:
                if want:
                    self.add("grant", name, "missing", _privs_text(want), None, principal, owner or name)
                continue
            matched.add(hit)
            got = _effective(act_exact[hit])
            if got != want:
                self.add(
                    "grant",
                    name,
                    "modified",
                    _privs_text(want) or None,
                    _privs_text(got),
                    principal,
                    owner or name,
                )
        self.undeclared_grants += sum(1 for p in act if p not in matched)

    def function_key(self, fn: str, catalog: str, schema: str) -> tuple[str, ...]:
        parts = function_parts(fn, catalog, schema)
        return tuple(p.lower() for p in parts) if parts else (fn.lower(),)

    def compare_row_filter(self, name: str, exp: Table, obs: Table) -> None:
        if not self.sees("row_filters", name):
            return
        e = self.governance_text(self.exp, exp, exp.row_filter)
        a = self.governance_text(self.obs, obs, obs.row_filter)
        if e is None and a is None:
            return
        if e is None or a is None or e[0] != a[0]:
            self.add("table", name, "modified", e[1] if e else None, a[1] if a else None, "row filter")

    def compare_mask(self, table: str, cname: str, exp: Table, c: Column, obs: Table, o: Column) -> None:
        if not self.sees("column_masks", table):
            return
        e = self.governance_text(self.exp, exp, c.mask)
        a = self.governance_text(self.obs, obs, o.mask)
        if e is None and a is None:
            return
        if e is None or a is None or e[0] != a[0]:
            self.add("column", cname, "modified", e[1] if e else None, a[1] if a else None, "mask", table)

    def governance_text(
        self, idx: _Index, table: Table, ref: RowFilter | ColumnMask | None
    ) -> tuple[tuple[Any, ...], str] | None:
        """(comparison key, display text) of a row filter or mask: the function's full name (lower case)
        and the columns it is given, by name."""
        if ref is None:
            return None
        cat, sch = idx.schema_parts.get(table.schema_id, ("", ""))
        key = self.function_key(ref.function, cat, sch)
        if isinstance(ref, RowFilter):
            cols, clause = table.column_names(ref.columns), "ON"
        else:
            cols, clause = table.column_names(ref.using_columns), "USING COLUMNS"
        shown = ".".join(function_parts(ref.function, cat, sch) or (ref.function,))
        text = f"{shown} {clause} ({', '.join(cols)})" if cols or clause == "ON" else shown
        return (key, tuple(c.lower() for c in cols)), text
