"""Which relations and columns a view (or SQL function body) reads, and which functions it calls, from its
SQL text.

Parsed with sqlglot's ``databricks`` dialect. Pure and best effort: SQL the parser cannot read yields an
empty result and a logged warning, never an exception, so one odd view never stops a plan.

Names come back lower-cased and as written (1 to 3 parts); :func:`resolve` completes them with the
catalog and schema the view lives in, which is how Unity Catalog resolves a view's unqualified names.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from schemax.core import kinds
from schemax.core.model import State
from schemax.core.names import quote_ident

# the logger keeps the name it had when this module lived in plan/ (log filters may name it)
log = logging.getLogger("schemax.plan.lineage")

Name = tuple[str, ...]


@functools.lru_cache(maxsize=4096)
def _parse(sql: str) -> tuple[object, ...] | None:
    try:
        trees = sqlglot.parse(sql, read="databricks", error_level=ErrorLevel.RAISE)
    except Exception as exc:  # noqa: BLE001 - any parser failure means "no lineage", not a crash
        log.warning("cannot parse SQL for lineage (%s): %.200s", type(exc).__name__, sql)
        return None
    return tuple(t for t in trees if t is not None)


def _cte_names(trees: tuple[object, ...]) -> set[str]:
    names: set[str] = set()
    for tree in trees:
        for cte in tree.find_all(exp.CTE):  # type: ignore[attr-defined]
            if cte.alias:
                names.add(cte.alias.lower())
    return names


def _table_refs(trees: tuple[object, ...]) -> list[object]:
    """Every ``exp.Table`` that names a relation (not a CTE, not a table-valued function)."""
    ctes = _cte_names(trees)
    refs = []
    for tree in trees:
        for table in tree.find_all(exp.Table):  # type: ignore[attr-defined]
            if not isinstance(table.this, exp.Identifier):
                continue
            parts = [p for p in table.parts if isinstance(p, exp.Identifier)]
            if not parts or len(parts) != len(table.parts):
                continue
            if len(parts) == 1 and parts[0].name.lower() in ctes:
                continue
            refs.append(table)
    return refs


def relations_read(sql: str) -> set[tuple[str, ...]]:
    """Lower-cased name tuples (1-3 parts, as written) of the tables and views ``sql`` reads."""
    trees = _parse(sql)
    if trees is None:
        return set()
    out: set[Name] = set()
    for table in _table_refs(trees):
        parts = tuple(p.name.lower() for p in table.parts)  # type: ignore[attr-defined]
        if 1 <= len(parts) <= 3:
            out.add(parts)
    return out


def columns_read(sql: str) -> set[str]:
    """Lower-cased column names ``sql`` refers to (best effort; ``*`` when it selects a star)."""
    trees = _parse(sql)
    if trees is None:
        return set()
    out: set[str] = set()
    for tree in trees:
        for col in tree.find_all(exp.Column):  # type: ignore[attr-defined]
            if isinstance(col.this, exp.Star):
                out.add("*")
            elif col.name:
                out.add(col.name.lower())
        for select in tree.find_all(exp.Select):  # type: ignore[attr-defined]
            if any(isinstance(e, exp.Star) for e in select.expressions):
                out.add("*")
    return out


def resolve(parts: tuple[str, ...], default_catalog: str, default_schema: str) -> tuple[str, str, str]:
    """Complete a 1-3 part name with the default catalog and schema."""
    parts = tuple(parts)
    if len(parts) == 1:
        return (default_catalog, default_schema, parts[0])
    if len(parts) == 2:
        return (default_catalog, parts[0], parts[1])
    if len(parts) == 3:
        return (parts[0], parts[1], parts[2])
    raise ValueError(f"a relation name has 1 to 3 parts, got {parts!r}")


# what a view's SQL reads: tables and views (one relation namespace per schema)
_RELATIONS: tuple[str, ...] = tuple(k.name for k in kinds.in_namespace(kinds.TABLE.name_namespace))


def view_dependencies(state: State) -> dict[str, set[str]]:
    """For each view id, the ids of the tables and views of ``state`` its SQL reads."""
    out: dict[str, set[str]] = {}
    for view in state.views.values():
        catalog, schema = state.path(view.schema_id)
        deps: set[str] = set()
        for parts in relations_read(view.definition):
            found = state.find(resolve(parts, catalog.lower(), schema.lower()), kinds=_RELATIONS)
            if found is not None and found != view.id:
                deps.add(found)
        out[view.id] = deps
    return out


def _function_calls(trees: tuple[object, ...]) -> list[tuple[list[object], object]]:
    """Every call of a function sqlglot does not know as a built-in (``exp.Anonymous``), with the
    identifiers that qualify it: ``shop.sales.f(x)`` -> ([shop, sales], f). Table-valued calls in FROM
    count too; a call qualified by anything but plain identifiers is left out."""
    calls: list[tuple[list[object], object]] = []
    for tree in trees:
        for fn in tree.find_all(exp.Anonymous):  # type: ignore[attr-defined]
            parent = fn.parent
            qualifier: list[object] = []
            if isinstance(parent, exp.Dot) and parent.expression is fn:
                node = parent.this
                while isinstance(node, exp.Dot) and isinstance(node.expression, exp.Identifier):
                    qualifier.insert(0, node.expression)
                    node = node.this
                if not isinstance(node, exp.Identifier):
                    continue
                qualifier.insert(0, node)
            elif isinstance(parent, exp.Table) and parent.this is fn:
                qualifier = [parent.args[k] for k in ("catalog", "db") if parent.args.get(k) is not None]
                if not all(isinstance(q, exp.Identifier) for q in qualifier):
                    continue
            calls.append((qualifier, fn))
    return calls


def _function_name(fn: object) -> str:
    this = fn.this  # type: ignore[attr-defined]
    return this.name if isinstance(this, exp.Identifier) else str(this)


def functions_called(sql: str) -> set[tuple[str, ...]]:
    """Lower-cased name tuples (1-3 parts, as written) of the functions ``sql`` calls that sqlglot does not
    know as built-ins (user-defined functions, and built-ins it does not model)."""
    trees = _parse(sql)
    if trees is None:
        return set()
    out: set[Name] = set()
    for qualifier, fn in _function_calls(trees):
        parts = (*(q.name.lower() for q in qualifier), _function_name(fn).lower())  # type: ignore[attr-defined]
        if len(parts) <= 3:
            out.add(parts)
    return out


def rewrite_names(
    sql: str,
    relation: Callable[[tuple[str, ...]], str | None],
    function: Callable[[tuple[str, ...]], str | None] | None = None,
) -> str | None:
    """``sql`` with each relation reference replaced by ``relation(parts)`` and each function call's name
    by ``function(parts)`` (parts as written, case kept, 1-3 of them for a function).

    Only the characters of the name change, so the rest of the user's SQL stays byte for byte as written.
    A callback returning None leaves that name alone. Returns None when ``sql`` cannot be parsed (the
    caller decides what to do with the original text).
    """
    trees = _parse(sql)
    if trees is None:
        return None
    spans: list[tuple[int, int, str]] = []
    for table in _table_refs(trees):
        parts = table.parts  # type: ignore[attr-defined]
        start, end = parts[0].meta.get("start"), parts[-1].meta.get("end")
        if start is None or end is None:
            return None
        new = relation(tuple(p.name for p in parts))
        if new is not None:
            spans.append((start, end, new))
    for qualifier, fn in _function_calls(trees) if function is not None else ():
        names = (*(q.name for q in qualifier), _function_name(fn))  # type: ignore[attr-defined]
        new = function(names) if len(names) <= 3 else None  # type: ignore[misc]
        if new is None:
            continue
        first = qualifier[0] if qualifier else fn
        start, end = first.meta.get("start"), fn.meta.get("end")  # type: ignore[attr-defined]
        if start is None or end is None:
            return None
        spans.append((start, end, new))
    out = sql
    for start, end, new in sorted(set(spans), reverse=True):
        out = out[:start] + new + out[end + 1 :]
    return out


def rewrite_relations(sql: str, rename: Callable[[tuple[str, ...]], str | None]) -> str | None:
    """``sql`` with each relation reference replaced by ``rename(parts)``, see :func:`rewrite_names`."""
    return rewrite_names(sql, rename)


def rename_columns(sql: str, renames: dict[str, str]) -> str | None:
    """``sql`` (an expression or query) with column references renamed (keys lower-cased old names).

    Only the identifiers change; None when ``sql`` cannot be parsed.
    """
    trees = _parse(sql)
    if trees is None:
        return None
    spans: list[tuple[int, int, str]] = []
    for tree in trees:
        for col in tree.find_all(exp.Column):  # type: ignore[attr-defined]
            ident = col.this
            if not isinstance(ident, exp.Identifier) or ident.name.lower() not in renames:
                continue
            start, end = ident.meta.get("start"), ident.meta.get("end")
            if start is None or end is None:
                return None
            spans.append((start, end, quote_ident(renames[ident.name.lower()])))
    out = sql
    for start, end, new in sorted(set(spans), reverse=True):
        out = out[:start] + new + out[end + 1 :]
    return out


__all__ = [
    "columns_read",
    "functions_called",
    "relations_read",
    "rename_columns",
    "resolve",
    "rewrite_names",
    "rewrite_relations",
    "view_dependencies",
]
