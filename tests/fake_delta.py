"""A fake engine that runs the Delta store's own SQL on in-memory tables, so unit tests can drive
:class:`~schemax.adapters.delta_store.DeltaStore` without Spark (round-trip counts, crash and resume).

Statements that name the store's schema are parsed with sqlglot (Spark dialect, so the backslash
escapes of :func:`schemax.core.names.sql_string` are read the way Spark reads them) and interpreted:
``SHOW TABLES``, ``CREATE SCHEMA`` / ``CREATE TABLE``, ``MERGE`` (``inline(from_json(...))`` sources,
matched / not matched clauses, Delta's metrics row), ``INSERT ... SELECT``, ``DELETE``, ``SELECT`` with
``WHERE`` / ``ORDER BY`` / ``UNION ALL`` and ``to_json(struct(...))``. Anything the interpreter does not
know raises ``NotImplementedError``, so a test fails loudly instead of passing on a guess.

Every other statement run with ``execute`` is the plan's DDL: it is recorded in ``ddl`` and accepted
(``fail_on``: one that contains this text fails). Other queries are answered: ``DESCRIBE HISTORY`` with
version ``history_version``, ``SHOW CATALOGS`` with one catalog, ``current_metastore()`` fails (an
open-source Spark engine), anything else with no rows.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from typing import Any

import sqlglot
from sqlglot import exp

from schemax.errors import SqlError


class FakeDeltaEngine:
    def __init__(self, store: str = "spark_catalog.schemax", *, history_version: int = 7,
                 fail_on: str | None = None) -> None:
        self.parts = tuple(p.lower() for p in store.split("."))
        self.prefix = ".".join(f"`{p}`" for p in store.split("."))
        self.schema_exists = False
        self.tables: dict[str, list[dict[str, Any]]] = {}
        self.ddl: list[str] = []
        self.commits: Counter[str] = Counter()
        self.history_version = history_version
        self.fail_on = fail_on
        self._lock = threading.RLock()

    # -- the SqlExecutor port -------------------------------------------------------------------------
    def execute(self, sql: str, params: Any = None) -> None:
        with self._lock:
            if self.prefix in sql:
                self._store(sql)
                return
            if self.fail_on and self.fail_on in sql:
                raise SqlError(sql, "injected failure", "error")
            self.ddl.append(sql)

    def query(self, sql: str, params: Any = None) -> list[dict[str, Any]]:
        with self._lock:
            if self.prefix not in sql:
                return self._other(sql)
            return self._store(sql)

    # -- the plan's statements ------------------------------------------------------------------------
    def _other(self, sql: str) -> list[dict[str, Any]]:
        if sql.startswith("SELECT current_metastore()"):
            raise SqlError(sql, "UNRESOLVED_ROUTINE current_metastore", "error")
        if sql.startswith("SHOW CATALOGS"):
            return [{"catalog": "spark_catalog"}]
        if sql.startswith("DESCRIBE HISTORY"):
            return [{"version": self.history_version}]
        if sql.startswith("SELECT current_user()"):
            return [{"u": "tester"}]
        return []  # DESCRIBE, SHOW TBLPROPERTIES, ...: nothing there

    # -- the store's statements -----------------------------------------------------------------------
    def _store(self, sql: str) -> list[dict[str, Any]]:
        m = re.fullmatch(r"SHOW TABLES IN (\S+)", sql)
        if m:
            if not self.schema_exists:
                raise SqlError(sql, "SCHEMA_NOT_FOUND", "not_found")
            return [{"tableName": t, "isTemporary": False} for t in sorted(self.tables)]
        if sql.startswith("CREATE SCHEMA IF NOT EXISTS "):
            self.schema_exists = True
            return []
        m = re.match(r"CREATE TABLE IF NOT EXISTS (\S+) \(", sql)
        if m:
            self.tables.setdefault(self._name(sqlglot.parse_one(f"SELECT 1 FROM {m.group(1)}", read="spark")
                                              .find(exp.Table)), [])
            return []
        tree = sqlglot.parse_one(sql, read="spark")
        if isinstance(tree, exp.Merge):
            return self._merge(tree)
        if isinstance(tree, exp.Insert):
            return self._insert(tree)
        if isinstance(tree, exp.Delete):
            return self._delete(tree)
        if isinstance(tree, (exp.Select, exp.Union)):
            return self._select(tree)
        raise NotImplementedError(sql[:200])

    def _name(self, table: exp.Table) -> str:
        parts = tuple(p.lower() for p in (table.catalog, table.db) if p)
        if parts != self.parts:
            raise NotImplementedError(f"table outside the store: {table.sql()}")
        return table.name.lower()

    def _rows(self, table: exp.Table) -> list[dict[str, Any]]:
        name = self._name(table)
        if name not in self.tables:
            raise SqlError(table.sql(), "TABLE_OR_VIEW_NOT_FOUND", "not_found")
        return self.tables[name]

    @staticmethod
    def _source(node: exp.Expression) -> list[dict[str, Any]]:
        inline = node.find(exp.Inline)
        if inline is None:
            raise NotImplementedError(f"source: {node.sql()[:200]}")
        rows = json.loads(inline.this.this.this)
        return [dict(r) for r in rows]

    def _merge(self, tree: exp.Merge) -> list[dict[str, Any]]:
        target = tree.this
        rows = self._rows(target)
        talias = target.alias or target.name
        salias = tree.args["using"].alias
        source = self._source(tree.args["using"])
        before = list(rows)
        updated = inserted = 0
        for s in source:
            matches = [t for t in before if _truthy(_eval(tree.args["on"], {talias: t, salias: s}))]
            for when in tree.args["whens"].expressions:
                if bool(when.args.get("matched")) != bool(matches):
                    continue
                env = {talias: matches[0] if matches else {}, salias: s}
                cond = when.args.get("condition")
                if cond is not None and not _truthy(_eval(cond, env)):
                    continue
                then = when.args["then"]
                if isinstance(then, exp.Update):
                    for t in matches:
                        for eq in then.expressions:
                            t[eq.this.name] = _eval(eq.expression, {talias: t, salias: s})
                        updated += 1
                elif isinstance(then, exp.Insert):
                    cols = [c.name for c in then.this.expressions]
                    vals = [_eval(v, {salias: s}) for v in then.expression.expressions]
                    rows.append(dict(zip(cols, vals, strict=True)))
                    inserted += 1
                else:
                    raise NotImplementedError(then.sql())
                break
        if updated or inserted:
            self.commits[self._name(target)] += 1
        return [{"num_affected_rows": updated + inserted, "num_updated_rows": updated,
                 "num_deleted_rows": 0, "num_inserted_rows": inserted}]

    def _insert(self, tree: exp.Insert) -> list[dict[str, Any]]:
        schema = tree.this
        table = schema.this if isinstance(schema, exp.Schema) else schema
        cols = [c.name for c in schema.expressions]
        select = tree.expression
        source = self._source(select)
        out = []
        for s in source:
            vals = [_eval(e, {"": s}) for e in select.expressions]
            out.append(dict(zip(cols, vals, strict=True)))
        self._rows(table).extend(out)
        self.commits[self._name(table)] += 1
        return [{"num_affected_rows": len(out), "num_inserted_rows": len(out)}]

    def _delete(self, tree: exp.Delete) -> list[dict[str, Any]]:
        rows = self._rows(tree.this)
        where = tree.args.get("where")
        keep = [r for r in rows if where is not None and not _truthy(_eval(where.this, {"": r}))]
        deleted = len(rows) - len(keep)
        rows[:] = keep
        if deleted:
            self.commits[self._name(tree.this)] += 1
        return [{"num_affected_rows": deleted}]

    def _select(self, tree: exp.Expression) -> list[dict[str, Any]]:
        if isinstance(tree, exp.Union):
            if tree.args.get("distinct"):
                raise NotImplementedError("UNION DISTINCT")
            return self._select(tree.this) + self._select(tree.expression)
        assert isinstance(tree, exp.Select)
        source = tree.args.get("from") or tree.args.get("from_")
        table = source.this
        if not isinstance(table, exp.Table):
            raise NotImplementedError(tree.sql()[:200])
        alias = table.alias or ""
        rows = self._rows(table)
        for join in tree.args.get("joins") or []:
            if (join.side, join.kind) != ("LEFT", "ANTI") or not isinstance(join.this, exp.Table):
                raise NotImplementedError(join.sql())
            other, oalias = self._rows(join.this), join.this.alias
            rows = [r for r in rows
                    if not any(_truthy(_eval(join.args["on"], {alias: r, oalias: o})) for o in other)]
        rows = [r for r in rows
                if tree.args.get("where") is None
                or _truthy(_eval(tree.args["where"].this, {alias: r, "": r}))]
        order = tree.args.get("order")
        if order is not None:
            for o in reversed(order.expressions):
                rows.sort(key=lambda r, o=o: _sort_key(_eval(o.this, {alias: r, "": r})),
                          reverse=bool(o.args.get("desc")))
        limit = tree.args.get("limit")
        if limit is not None:
            rows = rows[: int(limit.expression.this)]
        out = []
        for r in rows:
            row = {}
            for e in tree.expressions:
                name = e.alias_or_name
                row[name] = _eval(e.this if isinstance(e, exp.Alias) else e, {alias: r, "": r})
            out.append(row)
        return out


def _sort_key(v: Any) -> tuple[int, Any]:
    return (0, "") if v is None else (1, v)


def _truthy(v: Any) -> bool:
    return v is True


def _cmp(op: type, a: Any, b: Any) -> bool | None:
    if a is None or b is None:
        return None
    if isinstance(a, (int, float)) and isinstance(b, str):
        b = float(b)
    if isinstance(b, (int, float)) and isinstance(a, str):
        a = float(a)
    return {exp.EQ: a == b, exp.NEQ: a != b, exp.GT: a > b, exp.GTE: a >= b, exp.LT: a < b,
            exp.LTE: a <= b}[op]


def _column(node: exp.Column, env: dict[str, dict[str, Any]]) -> Any:
    table = node.table
    row = env.get(table) if table else env.get("", next(iter(env.values())))
    if row is None:
        raise NotImplementedError(f"unknown alias in {node.sql()}")
    return row.get(node.name)


def _eval(node: exp.Expression, env: dict[str, dict[str, Any]]) -> Any:
    if isinstance(node, exp.Paren):
        return _eval(node.this, env)
    if isinstance(node, exp.Column):
        return _column(node, env)
    if isinstance(node, exp.Literal):
        return node.this if node.is_string else int(node.this)
    if isinstance(node, exp.Null):
        return None
    if isinstance(node, exp.Boolean):
        return node.this
    if isinstance(node, exp.And):
        a, b = _eval(node.this, env), _eval(node.expression, env)
        return False if a is False or b is False else (None if a is None or b is None else True)
    if isinstance(node, exp.Or):
        a, b = _eval(node.this, env), _eval(node.expression, env)
        return True if a is True or b is True else (None if a is None or b is None else False)
    if isinstance(node, exp.Not):
        v = _eval(node.this, env)
        return None if v is None else not v
    if type(node) in (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE):
        return _cmp(type(node), _eval(node.this, env), _eval(node.expression, env))
    if isinstance(node, exp.Between):
        v = _eval(node.this, env)
        lo, hi = _eval(node.args["low"], env), _eval(node.args["high"], env)
        return None if v is None else lo <= v <= hi
    if isinstance(node, exp.In):
        v = _eval(node.this, env)
        return None if v is None else v in [_eval(e, env) for e in node.expressions]
    if isinstance(node, exp.Is):
        return _eval(node.this, env) is None
    if isinstance(node, (exp.Concat, exp.DPipe)):
        parts = [_eval(e, env) for e in (node.expressions if isinstance(node, exp.Concat)
                                         else [node.this, node.expression])]
        return None if any(p is None for p in parts) else "".join(str(p) for p in parts)
    if isinstance(node, exp.CurrentTimestamp):
        return "2026-01-01 00:00:00"
    if isinstance(node, exp.JSONFormat):  # to_json(struct(...))
        struct = node.this
        fields = {}
        for e in struct.expressions:
            if isinstance(e, exp.PropertyEQ):
                name, v = e.this.name, _eval(e.expression, env)
            else:
                name, v = e.alias_or_name, _eval(e.this if isinstance(e, exp.Alias) else e, env)
            if v is not None:  # Spark's to_json leaves out null fields
                fields[name] = v
        return json.dumps(fields, ensure_ascii=False)
    raise NotImplementedError(f"expression {type(node).__name__}: {node.sql()[:200]}")


__all__ = ["FakeDeltaEngine"]
