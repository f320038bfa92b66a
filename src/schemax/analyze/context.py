"""What every analyzer check can see: both states and who reads what (view lineage), computed lazily.

A view is *affected* by a change to a table, view or column when, in ``before``, its SQL reads that
object (lineage: ``relations_read`` resolved with the view's own catalog and schema as defaults, and for a
column ``columns_read`` naming it or the view selecting ``*``), and in ``after`` the view still exists and
was not repaired in the same plan: either its definition is unchanged (a stored view keeps its text and
the namespace it was created in), or its new definition still refers to the old name. Views that read an
affected view are reported as *indirect* dependents, transitively.

Lineage is parsed only when a rule asks for it, and each view definition is parsed at most once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

import sqlglot
from sqlglot import exp

from schemax.core import kinds
from schemax.core import lineage as core_lineage
from schemax.core.model import State, View


class Lineage(Protocol):
    """The part of :mod:`schemax.core.lineage` the analyzers use."""

    def relations_read(self, sql: str) -> set[tuple[str, ...]]: ...

    def columns_read(self, sql: str) -> set[str]: ...

    def resolve(
        self, parts: tuple[str, ...], default_catalog: str, default_schema: str
    ) -> tuple[str, str, str]: ...

    def view_dependencies(self, state: State) -> dict[str, set[str]]: ...


def _default_lineage() -> Lineage:
    module: Any = core_lineage
    return module  # type: ignore[no-any-return]


Name = tuple[str, ...]  # a lower-cased logical name
# the kinds a view's SQL can read: tables and views (one relation namespace per schema)
_RELATIONS: tuple[str, ...] = tuple(k.name for k in kinds.in_namespace(kinds.TABLE.name_namespace))


def _low(parts: Iterable[str]) -> Name:
    return tuple(p.lower() for p in parts)


def selects_star(sql: str) -> bool:
    """True when a SELECT list in ``sql`` holds ``*`` or ``t.*`` (not ``COUNT(*)``)."""
    try:
        tree = sqlglot.parse_one(sql, read="databricks")
    except Exception:  # unparseable SQL: say nothing rather than guess
        return False
    if tree is None:
        return False
    for select in tree.find_all(exp.Select):
        for item in select.expressions:
            if isinstance(item, exp.Star):
                return True
            if isinstance(item, exp.Column) and isinstance(item.this, exp.Star):
                return True
    return False


class Dependents:
    """Which views read which objects, before and after a change; everything cached, computed on demand."""

    def __init__(
        self,
        before: State,
        after: State,
        *,
        lineage: Lineage | None = None,
        view_deps: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        self.before = before
        self.after = after
        self._lineage = lineage
        self._view_deps_given = view_deps
        self._sql_cache: dict[tuple[str, str], Any] = {}

    # -- lineage access --------------------------------------------------------------------------------
    @property
    def lineage(self) -> Lineage:
        if self._lineage is None:
            self._lineage = _default_lineage()
        return self._lineage

    def _cached(self, what: str, sql: str, compute: Callable[[], Any]) -> Any:
        key = (what, sql)
        if key not in self._sql_cache:
            try:
                self._sql_cache[key] = compute()
            except Exception:  # a view the parser cannot read: report no lineage for it
                self._sql_cache[key] = None
        return self._sql_cache[key]

    def _columns(self, sql: str) -> frozenset[str]:
        cols = self._cached("columns", sql, lambda: self.lineage.columns_read(sql))
        return frozenset(c.lower() for c in cols or ())

    def _star(self, sql: str) -> bool:
        if "*" in self._columns(sql):
            return True
        return bool(self._cached("star", sql, lambda: selects_star(sql)))

    def _relations(self, state: State, view: View) -> frozenset[Name]:
        """Full lower-cased names of the relations the view's SQL reads, resolved where the view lives."""
        location = state.path(view.schema_id)
        sql = view.definition
        rels = self._cached("relations", sql, lambda: self.lineage.relations_read(sql)) or ()
        out: set[Name] = set()
        for parts in rels:
            try:
                out.add(_low(self.lineage.resolve(tuple(parts), location[0], location[1])))
            except Exception:  # a name lineage cannot resolve (too many parts, …): skip it
                continue
        return frozenset(out)

    # -- before: who reads what ------------------------------------------------------------------------
    @cached_property
    def view_deps(self) -> dict[str, frozenset[str]]:
        """view id → ids of the tables and views its SQL reads (in ``before``)."""
        raw: Mapping[str, Iterable[str]] | None = self._view_deps_given
        if raw is None:
            try:
                raw = self.lineage.view_dependencies(self.before)
            except Exception:  # one unreadable view must not hide the others: resolve view by view
                raw = self._per_view_deps(self.before)
        return {view_id: frozenset(deps) for view_id, deps in raw.items() if view_id in self.before.views}

    def _per_view_deps(self, state: State) -> dict[str, set[str]]:
        deps: dict[str, set[str]] = {}
        for view in state.views.values():
            found = set()
            for name in self._relations(state, view):
                oid = state.find(list(name), kinds=_RELATIONS)
                if oid is not None:
                    found.add(oid)
            deps[view.id] = found
        return deps

    @cached_property
    def _readers(self) -> dict[str, frozenset[str]]:
        inverse: dict[str, set[str]] = {}
        for view_id, deps in self.view_deps.items():
            for dep in deps:
                if dep != view_id:
                    inverse.setdefault(dep, set()).add(view_id)
        return {k: frozenset(v) for k, v in inverse.items()}

    def readers(self, object_id: str) -> frozenset[str]:
        """Views (in ``before``) whose SQL reads the table or view ``object_id`` directly."""
        return self._readers.get(object_id, frozenset())

    def reads_column(self, view_id: str, column_name: str) -> bool:
        """True when the view's SQL (in ``before``) names the column or selects ``*``."""
        sql = self.before.views[view_id].definition
        return column_name.lower() in self._columns(sql) or self._star(sql)

    def selects_star(self, view_id: str) -> bool:
        return self._star(self.before.views[view_id].definition)

    # -- after: was the reader repaired in the same plan? ---------------------------------------------
    def _definition_unchanged(self, view_id: str) -> bool:
        return self.after.views[view_id].definition == self.before.views[view_id].definition

    def still_reads_name(self, view_id: str, old_name: Name, object_id: str) -> bool:
        """Whether the view, as it will be, still refers to ``old_name`` while that name no longer
        means ``object_id``; an unchanged definition always counts (it was written against the old name)."""
        if view_id not in self.after.views:
            return False  # dropped in the same plan
        if self._definition_unchanged(view_id):
            return True
        if old_name not in self._relations(self.after, self.after.views[view_id]):
            return False
        return self.after.find(list(old_name), kinds=_RELATIONS) != object_id

    def still_reads_column(self, view_id: str, column_name: str) -> bool:
        if view_id not in self.after.views:
            return False
        if self._definition_unchanged(view_id):
            return True
        return column_name.lower() in self._columns(self.after.views[view_id].definition)

    def _reads_in_after(self, reader_id: str, view_id: str) -> bool:
        """Whether ``reader_id`` (as it will be) still reads ``view_id`` (as it will be)."""
        if reader_id not in self.after.views:
            return False
        if self._definition_unchanged(reader_id):
            return True
        # the reader was rewritten in this plan: broken only if it still names the failing view
        # (by its new name when it survives, by its old name when it is gone)
        state = self.after if view_id in self.after.views else self.before
        name = _low(state.path(view_id))
        return name in self._relations(self.after, self.after.views[reader_id])

    def indirect(self, direct: Iterable[str], exclude: Iterable[str] = ()) -> set[str]:
        """Views that read, transitively, one of the ``direct`` views and so fail with them."""
        seen = set(direct) | set(exclude)
        frontier = list(set(direct))
        out: set[str] = set()
        while frontier:
            current = frontier.pop()
            for reader in self.readers(current):
                if reader in seen:
                    continue
                if self._reads_in_after(reader, current):
                    seen.add(reader)
                    out.add(reader)
                    frontier.append(reader)
        return out


@dataclass(frozen=True)
class Affected:
    """Views hit by a change: direct readers and views that read those (transitively)."""

    views: tuple[str, ...] = ()
    indirect_views: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.views or self.indirect_views)

    def sentence(self, reading: str = "reading it", outcome: str = "will fail") -> str:
        """A plain-language clause naming the affected views, or '' when there are none:
        ``2 views reading it will fail: a, b; and through them 1 more view: c.``"""
        if not self:
            return ""
        parts = []
        if self.views:
            parts.append(f"{_count(len(self.views), 'view')} {reading} {outcome}: {', '.join(self.views)}")
        if self.indirect_views:
            parts.append(
                f"and through them {_count(len(self.indirect_views), 'more view')}: "
                f"{', '.join(self.indirect_views)}"
            )
        return "; ".join(parts) + "."


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _full_name(object_id: str, *states: State) -> str:
    """The object's full name in the first of ``states`` that holds it; the bare id when none does."""
    for state in states:
        try:
            return state.full_name(object_id)
        except KeyError:
            continue
    return object_id


@dataclass(frozen=True)
class AnalysisContext:
    """What a check sees: the state before and after the whole plan, and view lineage."""

    before: State
    after: State
    dependents: Dependents = field(compare=False)

    @classmethod
    def of(cls, before: State, after: State, *, lineage: Lineage | None = None) -> AnalysisContext:
        return cls(before, after, Dependents(before, after, lineage=lineage))

    # -- names -----------------------------------------------------------------------------------------
    def name(self, object_id: str) -> str:
        """Logical full name of an object (or column) as it is before the plan, else as it will be."""
        return _full_name(object_id, self.before, self.after)

    def after_name(self, object_id: str) -> str:
        """Logical full name of an object (or column) as it will be, else as it was before the plan."""
        return _full_name(object_id, self.after, self.before)

    def existed(self, object_id: str) -> bool:
        """True when the top-level object exists in ``before`` (so it may hold data and have consumers)."""
        return self.before.get(object_id) is not None

    def _names(self, view_ids: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted((self.name(v) for v in view_ids), key=lambda n: (n.lower(), n)))

    # -- impact ----------------------------------------------------------------------------------------
    def views_reading(self, object_ids: Iterable[str]) -> Affected:
        """Views broken because they read one of ``object_ids`` (tables/views dropped or renamed)."""
        targets = [o for o in dict.fromkeys(object_ids) if self.before.get(o) is not None]
        deps = self.dependents
        direct: set[str] = set()
        for target in targets:
            old_name = _low(self.before.path(target))
            for reader in deps.readers(target):
                # a reader may itself be in the set (a view inside a renamed schema): it is affected too
                if deps.still_reads_name(reader, old_name, target):
                    direct.add(reader)
        indirect = deps.indirect(direct, exclude=targets)
        return Affected(self._names(direct), self._names(indirect))

    def views_reading_column(self, table_id: str, column_name: str) -> Affected:
        """Views broken because they read the column ``column_name`` of ``table_id`` (or ``*`` of it)."""
        if table_id not in self.before.tables:
            return Affected()
        deps = self.dependents
        direct = {
            reader
            for reader in deps.readers(table_id)
            if deps.reads_column(reader, column_name) and deps.still_reads_column(reader, column_name)
        }
        return Affected(self._names(direct), self._names(deps.indirect(direct, exclude=[table_id])))

    def views_selecting_star(self, table_id: str) -> tuple[str, ...]:
        deps = self.dependents
        return self._names(r for r in deps.readers(table_id) if deps.selects_star(r))

    # -- scopes ----------------------------------------------------------------------------------------
    def schema_contents(self, schema_ids: Iterable[str], state: State | None = None) -> dict[str, list[str]]:
        """kind → ids of the tables, views, volumes and functions in the given schemas."""
        state = state or self.before
        wanted = set(schema_ids)
        return {
            kind.name: sorted(
                oid for oid, obj in getattr(state, kind.state_field).items() if obj.schema_id in wanted
            )
            for kind in kinds.schema_children()
        }

    def catalog_schemas(self, catalog_id: str, state: State | None = None) -> list[str]:
        state = state or self.before
        return sorted(sid for sid, s in state.schemas.items() if s.catalog_id == catalog_id)


def describe_contents(contents: Mapping[str, list[str]], schemas: int | None = None) -> str:
    """'2 schemas, 5 tables and 1 view' (only kinds that are present), or 'nothing else'."""
    parts = []
    if schemas is not None and schemas:
        parts.append(_count(schemas, "schema"))
    for kind in kinds.schema_children():
        n = len(contents.get(kind.name, ()))
        if n:
            parts.append(_count(n, kind.name))
    if not parts:
        return "no other objects"
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


__all__ = ["Affected", "AnalysisContext", "Dependents", "Lineage", "describe_contents", "selects_star"]
