"""Design-time checks of the SQL a new op carries: a view's query, a CHECK constraint's expression, a SQL
function's body, parsed with sqlglot's ``databricks`` dialect. Pure.

Only what is unambiguously wrong is refused (:class:`~schemax.errors.SqlDefinitionError`, a
ValidationError; nothing is recorded). Two parts:

* :func:`check_text`, the SQL on its own: ``syntax`` (the text does not parse, ``SELECT * FRM t``, or is
  not one statement) and ``not_a_query`` (a view's definition that does not start like a query, ``SELEC *
  FRM t``: a query starts with SELECT, WITH, VALUES, TABLE, FROM or a parenthesis; or is another
  statement, ``DROP TABLE x``; a CHECK that is a query or a statement rather than an expression). A
  function body is checked for ``LANGUAGE SQL`` only.
* :func:`check_names`, what the SQL names, against the state: ``unknown_relation`` (a view reads
  ``catalog.schema.name``, resolved the way Unity Catalog resolves a view's names: unqualified parts
  complete with the view's own catalog and schema, where the project holds that schema but no table or
  view of that name; ``dual`` alone is let through, some engines read it as a one-row pseudo-table; a
  name in a catalog or schema the project does not hold is someone else's, ``samples.nyctaxi.trips``,
  and is not checked) and ``unknown_column`` (a CHECK names a column the table does not have; lambda
  variables, struct fields and the table's own name as a qualifier are understood).

Who checks what: the Project API calls that author SQL (``create_view``, ``update_view``,
``add_check_constraint``, ``create_function``, ``update_function``) run both when the op is recorded (what
a batch's views read is checked when the batch commits, so a view may read one created later in the same
batch); a design file sync runs :func:`check_text` on the SQL it changes (``schemax.design.sync``). What
the log already holds is never checked again: replay, imports (a live view may read a table dropped
since) and ``revert_to`` record what is, and a project may hold a view whose table a later op dropped or
renamed, which its design files must be able to describe (the export/sync round trip).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, ParseError, TokenError

from schemax.core import kinds
from schemax.core import ops as o
from schemax.core.lineage import relations_read, resolve
from schemax.errors import SqlDefinitionError

#: how a query starts (after comments): what a view's definition must start with
_QUERY_START = re.compile(
    r"^\s*(?:(?:--[^\n]*\n|/\*.*?\*/)\s*)*(\(|(select|with|values|table|from)\b)", re.IGNORECASE | re.DOTALL)
_RELATIONS: tuple[str, ...] = tuple(k.name for k in kinds.in_namespace(kinds.TABLE.name_namespace))


class Working(Protocol):
    """What the checks read of the state being built (a :class:`~schemax.core.replay.StateBuilder`)."""

    @property
    def catalogs(self) -> Mapping[str, Any]: ...
    @property
    def schemas(self) -> Mapping[str, Any]: ...
    @property
    def tables(self) -> Mapping[str, Any]: ...
    @property
    def views(self) -> Mapping[str, Any]: ...

    def find(self, parts: list[str] | tuple[str, ...], kinds: tuple[str, ...] = ()) -> str | None: ...


@functools.lru_cache(maxsize=2048)
def _parse(sql: str) -> tuple[tuple[Any, ...], str | None]:
    """The statements of ``sql`` and None, or () and the parser's complaint (first line)."""
    try:
        trees = sqlglot.parse(sql, read="databricks", error_level=ErrorLevel.RAISE)
    except (ParseError, TokenError) as exc:
        message = str(exc).split("\n")[0]
        return (), re.sub(r"\x1b\[[0-9;]*m", "", message)
    return tuple(t for t in trees if t is not None), None


def _refuse(op: o.Op, what: str, sql: str, problem: str, reason: str, name: str | None = None) -> None:
    raise SqlDefinitionError(op, what, sql, problem, reason, name)


def _one(op: o.Op, what: str, sql: str) -> Any:
    trees, error = _parse(sql)
    if error is not None:
        _refuse(op, what, sql, "syntax", f"does not parse (sqlglot, databricks dialect): {error}")
    if len(trees) != 1:
        _refuse(op, what, sql, "syntax", f"holds {len(trees)} statements; it must be one")
    return trees[0]


def check_view_sql(op: o.Op, sql: str) -> None:
    """Refuse a view definition that is not one query (the relations it reads: :func:`check_view_reads`)."""
    what = "view definition"
    if not _QUERY_START.match(sql):
        first = (sql.strip().split() or [""])[0][:40]
        _refuse(op, what, sql, "not_a_query", f"is not a query: it starts with {first!r} (a query starts "
                "with SELECT, WITH, VALUES, TABLE or FROM)")
    tree = _one(op, what, sql)
    if not isinstance(tree, (exp.Query, exp.Values, exp.Subquery, exp.Paren, exp.Table, exp.Alias)):
        _refuse(op, what, sql, "not_a_query", f"is a {type(tree).__name__.upper()} statement, not a query")


#: one-part names some engines resolve as a one-row pseudo-table: not refused, whatever the schema holds
_PSEUDO_TABLES = frozenset({"dual"})


def check_view_reads(w: Working, op: o.Op, view_id: str, schema_id: str, sql: str) -> None:
    """Refuse a view that reads ``catalog.schema.name`` where the project holds that schema but no table
    or view of that name (other than the view itself)."""
    schema = w.schemas.get(schema_id)
    catalog = w.catalogs.get(getattr(schema, "catalog_id", "")) if schema is not None else None
    if schema is None or catalog is None or _parse(sql)[1] is not None:
        return
    for parts in sorted(relations_read(sql)):
        if len(parts) == 1 and parts[0] in _PSEUDO_TABLES:
            continue
        cat, sch, name = resolve(parts, catalog.name.lower(), schema.name.lower())
        if w.find([cat, sch]) is None:
            continue  # a schema the project does not hold: not ours to check
        found = w.find([cat, sch, name], _RELATIONS)
        if found is None or found == view_id:
            _refuse(op, "view definition", sql, "unknown_relation",
                    f"reads {'.'.join(parts)}, and {cat}.{sch} has no table or view {name!r}"
                    + (" other than the view itself" if found == view_id else ""),
                    f"{cat}.{sch}.{name}")


def _lambda_variables(tree: Any) -> set[str]:
    names: set[str] = set()
    for lam in tree.find_all(exp.Lambda):
        names.update(e.name.lower() for e in lam.expressions if getattr(e, "name", None))
    return names


def check_check_expression(op: o.Op, table: Any | None, sql: str) -> None:
    """Refuse a CHECK expression that does not parse, is not an expression, or (given the ``table``) names
    a column the table does not have."""
    what = "check expression"
    tree = _one(op, what, sql)
    if isinstance(tree, (exp.Query, exp.Command, exp.DDL, exp.DML)):
        _refuse(op, what, sql, "not_a_query" if not isinstance(tree, exp.Query) else "syntax",
                f"is a {type(tree).__name__.upper()}, not a boolean expression")
    if table is None:
        return
    columns = {c.name.lower() for c in table.columns}
    variables = _lambda_variables(tree)
    for col in tree.find_all(exp.Column):
        if isinstance(col.this, exp.Star):
            continue
        qualifier = [p.name.lower() for p in col.parts[:-1]]
        name = col.name.lower()
        if not qualifier:
            if name not in columns and name not in variables:
                _refuse(op, what, sql, "unknown_column", f"names {col.name!r}, which {table.name!r} does "
                        f"not have (columns: {', '.join(c.name for c in table.columns)})", col.name)
        elif qualifier[0] in columns or qualifier[0] in variables:
            continue  # a struct field
        elif qualifier[-1] == table.name.lower():
            if name not in columns:
                _refuse(op, what, sql, "unknown_column",
                        f"names {'.'.join([*qualifier, name])!r}, which {table.name!r} does not have",
                        col.name)
        else:
            _refuse(op, what, sql, "unknown_column",
                    f"names {col.sql(dialect='databricks')!r}: {qualifier[0]!r} is neither a column of "
                    f"{table.name!r} nor the table", col.name)


def check_function_body(op: o.Op, language: str, sql: str) -> None:
    """Refuse a SQL function body that does not parse (other languages are not checked)."""
    if language.strip().upper() != "SQL":
        return
    _one(op, "function body", sql)


def _view_text(op: o.Op, p: Any) -> None:
    check_view_sql(op, p.definition)


def _check_text(op: o.Op, p: Any) -> None:
    if p.expression.strip():
        check_check_expression(op, None, p.expression)


def _function_text(op: o.Op, p: Any) -> None:
    if p.body.strip():
        check_function_body(op, p.language, p.body)


_TEXT_CHECKS: dict[str, Callable[[o.Op, Any], None]] = {
    "create_view": _view_text,
    "update_view_definition": _view_text,
    "add_check_constraint": _check_text,
    "create_function": _function_text,
    "update_function": _function_text,
}
#: the op kinds that carry SQL (what the Project API checks when it records one)
SQL_OP_KINDS: frozenset[str] = frozenset(_TEXT_CHECKS)


def _payload(op: o.Op) -> Any | None:
    try:
        return o.OP_PAYLOADS[op.kind][1].model_validate(op.payload)
    except Exception:  # noqa: BLE001 - a malformed payload is replay's to report
        return None


def check_text(op: o.Op) -> None:
    """Refuse a new op whose SQL is unambiguously wrong on its own (see the module doc); ops without SQL
    pass, and so does a malformed payload (replay reports it)."""
    check = _TEXT_CHECKS.get(op.kind)
    payload = _payload(op) if check is not None else None
    if check is not None and payload is not None:
        check(op, payload)


def check_names(w: Working, op: o.Op, *, applied: bool = False) -> None:
    """Refuse a new op whose SQL names what ``w`` does not hold: a view reading a missing table or view,
    a CHECK naming a missing column (see the module doc). ``applied``: ``w`` already holds the op (the end
    of a batch): the view's or table's state then is checked, if it still exists."""
    if op.kind in ("create_view", "update_view_definition"):
        view = w.views.get(op.target)
        if applied:
            if view is not None:
                check_view_reads(w, op, view.id, view.schema_id, view.definition)
            return
        schema_id = view.schema_id if view is not None else str(op.payload.get("schema_id", ""))
        check_view_reads(w, op, op.target, schema_id, str(op.payload.get("definition", "")))
    elif op.kind == "add_check_constraint":
        payload = _payload(op)
        if payload is None:
            return
        table = w.tables.get(payload.table_id)
        if table is not None and payload.expression.strip():
            if applied and not any(c.id == op.target for c in table.constraints):
                return  # dropped again later in the batch
            check_check_expression(op, table, payload.expression)


__all__ = ["SQL_OP_KINDS", "check_check_expression", "check_function_body", "check_names", "check_text",
           "check_view_reads", "check_view_sql"]
