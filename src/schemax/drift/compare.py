"""Expected state vs observed state -> :class:`~schemax.drift.report.DriftReport` (pure).

``compare(expected, observed)`` matches objects by their physical full names, case-insensitively (ids are
never compared: the observed state's ids are derived from names). ``expected`` is the environment's state
already mapped to physical names (:func:`schemax.drift.mapping.map_to_physical`); ``observed`` is what a
catalog reader returned (an :class:`~schemax.ports.ObservedCatalog` or a bare :class:`State`).

What is compared, and how each difference is reported (``issue`` / ``object_type`` / ``detail``):

* catalogs, schemas, tables, views, volumes, functions: ``missing`` / ``extra``; a missing container is one
  finding (its contents are not listed again), an extra one says how many objects it holds. An empty
  ``default`` schema (created by the engine with every catalog) and ``information_schema`` never count.
* tables: ``table type``, ``format``, ``location`` (only when the project declares one), ``comment``,
  ``partitioning``, ``clustering``, ``column order``.
* columns (``object_type="column"``): missing / extra / modified ``type`` (canonical types compared),
  ``nullability``, ``comment``, ``default``. A column renamed by hand is reported as one missing and one
  extra column: schemax does not guess renames, and says so in the detail.
* constraints: missing / extra / modified ``expression`` (CHECK, whitespace-insensitive), ``kind``,
  ``columns``, ``references``.
* properties (``object_type="property"``, ``detail`` = the key): only **declared** ones count: a key the
  project declares, or an observed key that is neither server-set nor ``schemax.*``
  (:mod:`schemax.drift.properties`).
* tags (``object_type="tag"``, ``detail`` = the key), where the reader can see tags.
* governance, where the reader can see it: grants (``object_type="grant"``, ``detail`` = the principal;
  ``missing`` when the principal holds nothing any more, ``modified`` with both privilege lists
  otherwise) on catalogs, schemas, tables, views, volumes and functions, for the principals the project
  declares on that object only (a principal it never mentions is not drift: the note says how many were
  left out); a table's row filter (``detail="row filter"``) and a column's mask (``detail="mask"``),
  compared by the function's full name (resolved in the table's schema) and the columns passed to it.
  ``ALL PRIVILEGES`` stands for every privilege it covers (it does not cover ``MANAGE`` and the
  ``EXTERNAL USE`` privileges).
* version drift: ``schemax.version`` against ``expected_version`` and ``schemax.hash`` against
  ``expected_hashes`` (physical full name -> hash of the logical table definition) are reported as
  ``modified`` on the table with ``detail`` ``schemax.version`` / ``schemax.hash``. No other ``schemax.*``
  property is ever drift.

Aspects the reader cannot see (``ObservedCatalog.unobserved``, e.g. ``tags`` on open-source Spark, and
``partial`` per object) are skipped, never reported as drift; the report lists them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from schemax.core import kinds, tracking
from schemax.core.model import (
    Column,
    ColumnMask,
    Constraint,
    Function,
    Grants,
    RowFilter,
    Schema,
    State,
    Table,
    View,
    Volume,
)
from schemax.core.registry import require_complete
from schemax.drift.mapping import function_parts
from schemax.drift.observed import normalize_observed_type, privilege_name
from schemax.drift.properties import CHECK_CONSTRAINT_PREFIX, is_declarable, is_schemax
from schemax.drift.report import DriftFinding, DriftReport, sort_findings

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


@dataclass
class _Index:
    """Name-keyed view of a state (lower-case keys)."""

    state: State
    catalogs: dict[tuple[str, ...], Any] = field(default_factory=dict)
    schemas: dict[tuple[str, ...], Schema] = field(default_factory=dict)
    children: dict[tuple[str, ...], tuple[str, Any]] = field(default_factory=dict)
    schema_parts: dict[str, tuple[str, str]] = field(default_factory=dict)  # schema id -> (catalog, schema)

    @classmethod
    def of(cls, state: State) -> _Index:
        idx = cls(state)
        cat_names = {}
        for cid, c in state.catalogs.items():
            cat_names[cid] = c.name
            idx.catalogs[_key(c.name)] = c
        for sid, s in state.schemas.items():
            cat = cat_names.get(s.catalog_id, "?")
            idx.schemas[_key(cat, s.name)] = s
            idx.schema_parts[sid] = (cat, s.name)
        for kind in kinds.schema_children():
            for obj in getattr(state, kind.state_field).values():
                parts = idx.schema_parts.get(obj.schema_id)
                if parts is None:
                    continue
                idx.children[_key(*parts, obj.name)] = (kind.name, obj)
        return idx

    def parts_of(self, obj: Any) -> tuple[str, str, str]:
        cat, sch = self.schema_parts[obj.schema_id]
        return cat, sch, obj.name

    def table_name_of(self, table_id: str | None) -> str | None:
        if not table_id:
            return None
        t = self.state.tables.get(table_id)
        if t is None:
            return None
        parts = self.schema_parts.get(t.schema_id)
        return ".".join((*parts, t.name)) if parts else None


class _Scope:
    def __init__(self, scope: Sequence[tuple[str, str | None]] | None) -> None:
        self.all = scope is None
        self.whole: set[str] = set()
        self.schemas: set[tuple[str, str]] = set()
        for cat, sch in scope or ():
            if sch is None:
                self.whole.add(cat.lower())
            else:
                self.schemas.add((cat.lower(), sch.lower()))

    def catalog_touched(self, cat: str) -> bool:
        c = cat.lower()
        return self.all or c in self.whole or any(s[0] == c for s in self.schemas)

    def catalog_whole(self, cat: str) -> bool:
        return self.all or cat.lower() in self.whole

    def schema_in(self, cat: str, sch: str) -> bool:
        return self.all or cat.lower() in self.whole or (cat.lower(), sch.lower()) in self.schemas


class _Comparer:
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

    # -- containers --------------------------------------------------------------------------------
    def run(self) -> None:
        for key, cat in self.exp.catalogs.items():
            if not self.scope.catalog_touched(cat.name):
                continue
            ocat = self.obs.catalogs.get(key)
            if ocat is None:
                self.add("catalog", cat.name, "missing", cat.name, None, "catalog not found")
                continue
            if self.scope.catalog_whole(cat.name):
                if self.sees("catalog_comment", cat.name):
                    self.compare_text("catalog", cat.name, "comment", cat.comment, ocat.comment)
                self.compare_tags(cat.name, cat.tags, ocat.tags, cat.name)
                self.compare_grants(cat.name, cat.grants, ocat.grants)
                self.compare_owner(cat.name, cat.owner, ocat.owner)
        for key, ocat in self.obs.catalogs.items():
            if not self.scope.catalog_touched(ocat.name):
                continue
            self.scanned["catalogs"] += 1
            if key not in self.exp.catalogs and self.scope.catalog_whole(ocat.name):
                self.add("catalog", ocat.name, "extra", None, ocat.name, "catalog not in the project")

        for key, sch in self.exp.schemas.items():
            cat_name = self.exp.schema_parts[sch.id][0]
            if not self.scope.schema_in(cat_name, sch.name):
                continue
            if _key(cat_name) not in self.obs.catalogs:
                continue  # reported once, as a missing catalog
            name = f"{cat_name}.{sch.name}"
            osch = self.obs.schemas.get(key)
            if osch is None:
                self.add("schema", name, "missing", name, None, "schema not found")
                continue
            self.compare_schema(name, sch, osch)
        for key, osch in self.obs.schemas.items():
            cat_name = self.obs.schema_parts[osch.id][0]
            if not self.scope.schema_in(cat_name, osch.name):
                continue
            self.scanned["schemas"] += 1
            if key in self.exp.schemas or osch.name.lower() == "information_schema":
                continue
            if _key(cat_name) not in self.exp.catalogs:
                continue  # an extra catalog is reported once
            contents = self.contents_of(cat_name, osch.name)
            if osch.name.lower() == "default" and not contents:
                continue
            detail = "schema not in the project" + (f" (holds {contents})" if contents else "")
            self.add("schema", f"{cat_name}.{osch.name}", "extra", None, f"{cat_name}.{osch.name}", detail)

        # schema children
        for key, (kind, obj) in self.exp.children.items():
            cat, sch_name, _ = self.exp.parts_of(obj)
            if not self.scope.schema_in(cat, sch_name):
                continue
            if _key(cat, sch_name) not in self.obs.schemas:
                continue  # reported once, as a missing schema or catalog
            if not self.sees_kind(kind):
                continue
            name = ".".join((cat, sch_name, obj.name))
            hit = self.obs.children.get(key)
            if hit is None:
                self.add(kind, name, "missing", kind, None, f"{kind} not found")
                continue
            okind, oobj = hit
            if okind != kind:
                self.add(kind, name, "modified", kind, okind, "object type")
                continue
            _CHILD_COMPARERS[kind](self, name, obj, oobj)
        for key, (okind, oobj) in self.obs.children.items():
            cat, sch_name, _ = self.obs.parts_of(oobj)
            if not self.scope.schema_in(cat, sch_name):
                continue
            if not self.sees_kind(okind):
                continue
            self.scanned[kinds.kind(okind).state_field] += 1
            if okind == "table":
                self.scanned["columns"] += len(oobj.columns)
            if key in self.exp.children:
                continue
            if _key(cat, sch_name) not in self.exp.schemas:
                continue  # reported once, as an extra schema
            name = ".".join((cat, sch_name, oobj.name))
            self.add(okind, name, "extra", None, okind, f"{okind} not in the project")

    def contents_of(self, cat: str, sch: str) -> str:
        counts: dict[str, int] = {}
        for key, (kind, _) in self.obs.children.items():
            if key[:2] == _key(cat, sch):
                counts[kind] = counts.get(kind, 0) + 1
        return ", ".join(f"{n} {k}{'s' if n != 1 else ''}" for k, n in sorted(counts.items()))

    def compare_schema(self, name: str, exp: Schema, obs: Schema) -> None:
        if self.sees("schema_comment", name):
            self.compare_text("schema", name, "comment", exp.comment, obs.comment)
        if exp.managed_location and self.sees("schema_location", name):
            e, a = _norm_location(exp.managed_location), _norm_location(obs.managed_location)
            if e != a:
                self.add("schema", name, "modified", e, a, "managed location")
        self.compare_tags(name, exp.tags, obs.tags, name)
        self.compare_grants(name, exp.grants, obs.grants)
        self.compare_owner(name, exp.owner, obs.owner)

    # -- tables --------------------------------------------------------------------------------------
    def compare_table(self, name: str, exp: Table, obs: Table) -> None:
        if exp.table_type != obs.table_type:
            self.add("table", name, "modified", exp.table_type, obs.table_type, "table type")
        if exp.format.upper() != obs.format.upper():
            self.add("table", name, "modified", exp.format.upper(), obs.format.upper(), "format")
        if exp.location:
            e, a = _norm_location(exp.location), _norm_location(obs.location)
            if e != a:
                self.add("table", name, "modified", e, a, "location")
        self.compare_text("table", name, "comment", exp.comment, obs.comment)
        if self.sees("partitioning", name):
            self.compare_name_list(
                name, "partitioning", exp.column_names(exp.partition_by), obs.column_names(obs.partition_by)
            )
        if self.sees("clustering", name):
            if exp.cluster_auto or obs.cluster_auto:
                # with CLUSTER BY AUTO the keys are Databricks' choice: only whether AUTO is on is compared
                if exp.cluster_auto != obs.cluster_auto:
                    self.add("table", name, "modified", _clustering_text(exp), _clustering_text(obs),
                             "clustering")
            else:
                self.compare_name_list(
                    name, "clustering", exp.column_names(exp.cluster_by), obs.column_names(obs.cluster_by)
                )
        self.compare_columns(name, exp, obs)
        if self.sees("constraints", name):
            self.compare_constraints(name, exp, obs)
        self.compare_properties(name, exp.properties, obs.properties)
        self.compare_tags(name, exp.tags, obs.tags, name)
        self.compare_row_filter(name, exp, obs)
        self.compare_grants(name, exp.grants, obs.grants)
        self.compare_owner(name, exp.owner, obs.owner)
        self.compare_version(name, obs)

    def compare_name_list(self, name: str, detail: str, exp: list[str], act: list[str]) -> None:
        if [e.lower() for e in exp] != [a.lower() for a in act]:
            self.add("table", name, "modified", ", ".join(exp) or None, ", ".join(act) or None, detail)

    def compare_columns(self, table: str, exp: Table, obs: Table) -> None:
        obs_by = {c.name.lower(): c for c in obs.columns}
        exp_by = {c.name.lower(): c for c in exp.columns}
        missing = [c for c in exp.columns if c.name.lower() not in obs_by]
        extra = [c for c in obs.columns if c.name.lower() not in exp_by]
        hint = f" ({_RENAME_HINT})" if missing and extra else ""
        for c in missing:
            self.add(
                "column",
                f"{table}.{c.name}",
                "missing",
                _column_text(c),
                None,
                f"column not found{hint}",
                table,
            )
        for c in extra:
            self.add(
                "column",
                f"{table}.{c.name}",
                "extra",
                None,
                _column_text(c),
                f"column not in the project{hint}",
                table,
            )
        for c in exp.columns:
            o = obs_by.get(c.name.lower())
            if o is None:
                continue
            cname = f"{table}.{c.name}"
            et, at = _norm_type(c.type), _norm_type(o.type)
            if et != at:
                self.add("column", cname, "modified", et, at, "type", table)
            if c.nullable != o.nullable and self.sees("nullability", table):
                self.add(
                    "column",
                    cname,
                    "modified",
                    _null_text(c.nullable),
                    _null_text(o.nullable),
                    "nullability",
                    table,
                )
            if self.sees("column_comments", table):
                self.compare_text("column", cname, "comment", c.comment, o.comment, table)
            if self.sees("column_defaults", table) and _norm_sql(c.default) != _norm_sql(o.default):
                self.add(
                    "column",
                    cname,
                    "modified",
                    _norm_text(c.default),
                    _norm_text(o.default),
                    "default",
                    table,
                )
            if self.sees("generation", table):
                self.compare_generation(table, cname, c, o)
            self.compare_tags(cname, c.tags, o.tags, table)
            self.compare_mask(table, cname, exp, c, obs, o)
        common_exp = [c.name.lower() for c in exp.columns if c.name.lower() in obs_by]
        common_obs = [c.name.lower() for c in obs.columns if c.name.lower() in exp_by]
        if common_exp != common_obs:
            names_e = [exp_by[n].name for n in common_exp]
            names_o = [obs_by[n].name for n in common_obs]
            self.add("table", table, "modified", ", ".join(names_e), ", ".join(names_o), "column order")

    def compare_constraints(self, table: str, exp: Table, obs: Table) -> None:
        obs_by = {c.name.lower(): c for c in obs.constraints}
        exp_by = {c.name.lower(): c for c in exp.constraints}
        for c in exp.constraints:
            cname = f"{table}.{c.name}"
            o = obs_by.get(c.name.lower())
            if o is None:
                self.add(
                    "constraint",
                    cname,
                    "missing",
                    self.constraint_text(self.exp, exp, c),
                    None,
                    f"{_kind_text(c.kind)} constraint not found",
                    table,
                )
                continue
            if c.kind != o.kind:
                self.add(
                    "constraint", cname, "modified", _kind_text(c.kind), _kind_text(o.kind), "kind", table
                )
                continue
            if c.kind == "check":
                if _norm_sql(c.expression) != _norm_sql(o.expression):
                    self.add("constraint", cname, "modified", c.expression, o.expression, "expression", table)
                continue
            ecols = [n.lower() for n in exp.column_names(c.columns)]
            ocols = [n.lower() for n in obs.column_names(o.columns)]
            if ecols != ocols:
                self.add(
                    "constraint",
                    cname,
                    "modified",
                    ", ".join(exp.column_names(c.columns)),
                    ", ".join(obs.column_names(o.columns)),
                    "columns",
                    table,
                )
            if self.sees("key_options", table):
                self.compare_key_options(table, cname, exp, obs, c, o)
            if c.kind == "foreign_key":
                eref = self.reference_text(self.exp, c)
                oref = self.reference_text(self.obs, o)
                if (eref or "").lower() != (oref or "").lower():
                    self.add("constraint", cname, "modified", eref, oref, "references", table)
        for o in obs.constraints:
            if o.name.lower() not in exp_by:
                self.add(
                    "constraint",
                    f"{table}.{o.name}",
                    "extra",
                    None,
                    self.constraint_text(self.obs, obs, o),
                    f"{_kind_text(o.kind)} constraint not in the project",
                    table,
                )

    def compare_generation(self, table: str, cname: str, c: Column, o: Column) -> None:
        """A column's generation expression and identity (issue 11); an identity's unset START WITH and
        INCREMENT BY are 1, as Delta stores them."""
        if _norm_sql(c.generated) != _norm_sql(o.generated):
            self.add("column", cname, "modified", _norm_text(c.generated), _norm_text(o.generated),
                     "generated", table)
        if _identity_text(c) != _identity_text(o):
            self.add("column", cname, "modified", _identity_text(c), _identity_text(o), "identity", table)

    def compare_key_options(
        self, table: str, cname: str, exp: Table, obs: Table, c: Constraint, o: Constraint
    ) -> None:
        """RELY and TIMESERIES of a key (issue 11); NOT ENFORCED is how every Databricks key is, so it never
        drifts."""
        if c.rely != o.rely:
            self.add("constraint", cname, "modified", _rely_text(c.rely), _rely_text(o.rely), "rely", table)
        ets = exp.column_names((c.timeseries,))[0] if c.timeseries else None
        ots = obs.column_names((o.timeseries,))[0] if o.timeseries else None
        if (ets or "").lower() != (ots or "").lower():
            self.add("constraint", cname, "modified", ets, ots, "timeseries", table)

    def reference_text(self, idx: _Index, c: Constraint) -> str | None:
        ref = idx.table_name_of(c.ref_table)
        if ref is None:
            return c.ref_table
        t = idx.state.tables[c.ref_table]  # type: ignore[index]
        return f"{ref}({', '.join(t.column_names(c.ref_columns))})"

    def constraint_text(self, idx: _Index, table: Table, c: Constraint) -> str:
        if c.kind == "check":
            return f"CHECK ({c.expression})"
        cols = ", ".join(table.column_names(c.columns))
        if c.kind == "primary_key":
            return f"PRIMARY KEY ({cols})"
        return f"FOREIGN KEY ({cols}) REFERENCES {self.reference_text(idx, c)}"

    def compare_version(self, name: str, obs: Table) -> None:
        if self.expected_version is not None:
            actual = obs.properties.get(tracking.VERSION)
            if actual != self.expected_version:
                self.add("table", name, "modified", self.expected_version, actual, tracking.VERSION)
        expected_hash = self.hashes.get(name.lower())
        if expected_hash is not None:
            actual = obs.properties.get(tracking.HASH)
            if actual != expected_hash:
                self.add("table", name, "modified", expected_hash, actual, tracking.HASH)

    # -- other children ---------------------------------------------------------------------------------
    def compare_view(self, name: str, exp: View, obs: View) -> None:
        if self.sees("view_definition", name) and _norm_sql(exp.definition) != _norm_sql(obs.definition):
            self.add("view", name, "modified", exp.definition, obs.definition, "definition")
        self.compare_text("view", name, "comment", exp.comment, obs.comment)
        self.compare_properties(name, exp.properties, obs.properties)
        self.compare_tags(name, exp.tags, obs.tags, name)
        self.compare_grants(name, exp.grants, obs.grants)
        self.compare_owner(name, exp.owner, obs.owner)

    def compare_volume(self, name: str, exp: Volume, obs: Volume) -> None:
        if exp.volume_type != obs.volume_type:
            self.add("volume", name, "modified", exp.volume_type, obs.volume_type, "volume type")
        if exp.location:
            e, a = _norm_location(exp.location), _norm_location(obs.location)
            if e != a:
                self.add("volume", name, "modified", e, a, "location")
        self.compare_text("volume", name, "comment", exp.comment, obs.comment)
        self.compare_tags(name, exp.tags, obs.tags, name)
        self.compare_grants(name, exp.grants, obs.grants)
        self.compare_owner(name, exp.owner, obs.owner)

    def compare_function(self, name: str, exp: Function, obs: Function) -> None:
        if exp.language != obs.language:
            self.add("function", name, "modified", exp.language, obs.language, "language")
        if _norm_type(exp.returns) != _norm_type(obs.returns):
            self.add("function", name, "modified", exp.returns, obs.returns, "returns")
        if _norm_params(exp.parameters) != _norm_params(obs.parameters):
            self.add(
                "function", name, "modified", exp.parameters or None, obs.parameters or None, "parameters"
            )
        if obs.body and self.sees("function_body", name) and _norm_sql(exp.body) != _norm_sql(obs.body):
            self.add("function", name, "modified", exp.body, obs.body, "body")
        self.compare_text("function", name, "comment", exp.comment, obs.comment)
        self.compare_grants(name, exp.grants, obs.grants)
        self.compare_owner(name, exp.owner, obs.owner)


def _effective(privileges: Iterable[str]) -> frozenset[str]:
    """What a privilege list grants: ``ALL PRIVILEGES`` stands for every privilege it covers (the other
    privileges listed beside it add nothing, except those outside ALL PRIVILEGES)."""
    names = frozenset(privilege_name(p) for p in privileges) - {""}
    if "ALL PRIVILEGES" in names:
        return frozenset({"ALL PRIVILEGES"}) | (names & _NOT_IN_ALL)
    return names


def _privs_text(privileges: Iterable[str]) -> str:
    return ", ".join(sorted(privileges))


#: how each kind of schema child found on both sides is compared
_CHILD_COMPARERS: dict[str, Any] = {
    "table": _Comparer.compare_table,
    "view": _Comparer.compare_view,
    "volume": _Comparer.compare_volume,
    "function": _Comparer.compare_function,
}
require_complete(
    _CHILD_COMPARERS, [k.name for k in kinds.schema_children()], "schema children without a comparer"
)


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


def compare(
    expected: State,
    observed: Any,
    *,
    expected_version: str | None = None,
    expected_hashes: Mapping[str, str] | None = None,
    scope: Sequence[tuple[str, str | None]] | None = None,
    unobserved: Iterable[str] | None = None,
    environment: str = "",
) -> DriftReport:
    """Compare the expected (physical) state with what a catalog reader observed.

    ``observed`` is a :class:`State` or an :class:`~schemax.ports.ObservedCatalog` (whose ``unobserved``,
    ``partial``, ``notes``, ``unrepresentable`` and ``queries`` are carried into the report).
    ``scope``: (physical catalog, schema or None) pairs; only objects under them are compared (None:
    everything either side holds). ``unobserved``: extra aspects to skip (see :data:`ASPECTS`).
    """
    obs_state: State
    blind: set[str] = set(unobserved or ())
    partial: Mapping[str, frozenset[str]] = {}
    notes: tuple[str, ...] = ()
    unrepresentable: tuple[str, ...] = ()
    queries: int | None = None
    if isinstance(observed, State):
        obs_state = observed
    else:
        obs_state = observed.state
        blind |= set(getattr(observed, "unobserved", ()) or ())
        partial = dict(getattr(observed, "partial", {}) or {})
        notes = tuple(getattr(observed, "notes", ()) or ())
        unrepresentable = tuple(getattr(observed, "unrepresentable", ()) or ())
        queries = getattr(observed, "queries", None)
    comparer = _Comparer(
        expected,
        obs_state,
        expected_version=expected_version,
        expected_hashes=expected_hashes,
        scope=_Scope(scope),
        unobserved=frozenset(blind),
        partial=partial,
    )
    comparer.run()
    if comparer.undeclared_grants:
        notes = (
            *notes,
            f"grants of {comparer.undeclared_grants} principal(s) the project does not declare on the "
            "objects they hold them on were not compared (grant drift covers the principals it manages)",
        )
    return DriftReport(
        findings=sort_findings(comparer.findings),
        scanned={k: v for k, v in comparer.scanned.items()},
        expected_version=expected_version,
        notes=notes,
        unrepresentable=unrepresentable,
        unobserved=tuple(sorted(blind)),
        queries=queries,
        environment=environment,
    )


def declared_state(state: State) -> State:
    """An observed state as a project would declare it: server-set, ``schemax.*``, ``delta.constraints.*`` and
    ``clusteringColumns`` properties removed from tables and views (what an import records)."""
    maps: dict[str, Any] = {}
    for kind in kinds.top_level():
        objs = getattr(state, kind.state_field)
        if kind.namespace == kinds.TABLE.namespace:  # relations: their TBLPROPERTIES carry engine keys
            objs = {
                oid: obj.model_copy(
                    update={"properties": {k: v for k, v in obj.properties.items() if is_declarable(k)}}
                )
                for oid, obj in objs.items()
            }
        maps[kind.state_field] = dict(objs)
    return State(**maps)


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


__all__ = ["ASPECTS", "compare", "declared_state"]
