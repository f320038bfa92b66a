"""Did a statement already take effect? Asked when resuming a deployment whose process died.

A statement's status is recorded after it runs, so a process that dies in between leaves a statement
that ran but looks pending. Most statements schemax emits are idempotent (``IF [NOT] EXISTS``, ``SET``
forms, ``CREATE OR REPLACE``) and simply run again. The few that are not would fail the resume on a
second run: ``ADD COLUMNS``, ``RENAME COLUMN``, ``RENAME TO``, ``ADD CONSTRAINT`` (check, primary and
foreign keys), and a table rewrite's ``INSERT INTO <shadow>`` (which would copy the rows twice). For those
the catalog is asked, right before the statement would run again, whether its effect is already there.
The patterns match the SQL that :mod:`schemax.plan.render` writes (every name part back-quoted), not
arbitrary SQL.
"""

from __future__ import annotations

import re
from typing import Any

from schemax.core.names import quote_ident, sql_string
from schemax.errors import SqlError

FOUND_APPLIED = "found applied when resuming: not run again"

_IDENT = r"`(?:[^`]|``)*`"
_NAME = rf"{_IDENT}(?:\.{_IDENT})*"

_ADD_COLUMNS = re.compile(rf"ALTER TABLE (?P<table>{_NAME}) ADD COLUMNS \((?P<column>{_IDENT})", re.S)
_RENAME_COLUMN = re.compile(
    rf"ALTER TABLE (?P<table>{_NAME}) RENAME COLUMN (?P<old>{_IDENT}) TO (?P<new>{_IDENT})$")
_RENAME = re.compile(
    rf"ALTER (?P<kind>TABLE|VIEW|SCHEMA|CATALOG|VOLUME) (?P<old>{_NAME}) RENAME TO (?P<new>{_NAME})$")
_ADD_CHECK = re.compile(rf"ALTER TABLE (?P<table>{_NAME}) ADD CONSTRAINT (?P<name>{_IDENT}) CHECK ")
_ADD_KEY = re.compile(rf"ALTER TABLE (?P<table>{_IDENT}\.{_IDENT}\.{_IDENT}) "
                      rf"ADD CONSTRAINT (?P<name>{_IDENT}) (?:PRIMARY|FOREIGN) KEY ")
# step 2 of a table rewrite (plan/render.py): the shadow table, just created empty, gets every row
_REWRITE_COPY = re.compile(rf"INSERT INTO (?P<shadow>{_NAME}) \(")
_SHADOW = "__sx_new_"


def _unquote(ident: str) -> str:
    return ident[1:-1].replace("``", "`")


class Catalog:
    """The few catalog questions a resume asks, through any SqlExecutor (Spark or a SQL warehouse)."""

    def __init__(self, executor: Any) -> None:
        self.executor = executor

    def exists(self, kind: str, name: str) -> bool:
        describe = "TABLE" if kind in ("TABLE", "VIEW") else kind
        try:
            self.executor.query(f"DESCRIBE {describe} {name}")
        except SqlError:
            return False
        return True

    def columns(self, table: str) -> set[str] | None:
        try:
            rows = self.executor.query(f"DESCRIBE TABLE {table}")
        except SqlError:
            return None
        names = set()
        for row in rows:
            col = str(row.get("col_name") or "")
            if not col or col.startswith("#"):
                break  # partition / detail sections follow the columns
            names.add(col.lower())
        return names

    def has_rows(self, table: str) -> bool:
        try:
            return bool(self.executor.query(f"SELECT 1 AS one FROM {table} LIMIT 1"))
        except SqlError:
            return False

    def has_key_constraint(self, table: str, name: str) -> bool:
        """A primary or foreign key by name, from the catalog's information_schema (Unity Catalog)."""
        catalog, schema, table_name = (_unquote(p) for p in re.findall(_IDENT, table))
        try:
            rows = self.executor.query(
                f"SELECT 1 AS one FROM {quote_ident(catalog)}.`information_schema`.`table_constraints` "
                f"WHERE lower(`table_schema`) = lower({sql_string(schema)}) "
                f"AND lower(`table_name`) = lower({sql_string(table_name)}) "
                f"AND lower(`constraint_name`) = lower({sql_string(name)}) LIMIT 1")
        except SqlError:
            return False
        return bool(rows)

    def check_constraints(self, table: str) -> set[str]:
        try:
            rows = self.executor.query(f"SHOW TBLPROPERTIES {table}")
        except SqlError:
            return set()
        prefix = "delta.constraints."
        return {str(r["key"])[len(prefix):].lower() for r in rows if str(r.get("key", "")).startswith(prefix)}


def _renamed_to(old: str, new: str) -> str:
    """``RENAME TO`` takes a bare name when the parent does not change: qualify it like the old name."""
    old_parts, new_parts = re.findall(_IDENT, old), re.findall(_IDENT, new)
    if len(new_parts) == 1 and len(old_parts) > 1:
        return ".".join([*old_parts[:-1], new_parts[0]])
    return new


def already_applied(sql: str, catalog: Catalog) -> bool:
    """True when ``sql`` is one of the non-idempotent forms and its effect is already in the catalog."""
    text = sql.strip().rstrip(";")
    if m := _ADD_COLUMNS.match(text):
        cols = catalog.columns(m["table"])
        return cols is not None and _unquote(m["column"]).lower() in cols
    if m := _RENAME_COLUMN.match(text):
        cols = catalog.columns(m["table"])
        return (cols is not None and _unquote(m["new"]).lower() in cols
                and _unquote(m["old"]).lower() not in cols)
    if m := _RENAME.match(text):
        kind, new = m["kind"], _renamed_to(m["old"], m["new"])
        return not catalog.exists(kind, m["old"]) and catalog.exists(kind, new)
    if m := _ADD_CHECK.match(text):
        return _unquote(m["name"]).lower() in catalog.check_constraints(m["table"])
    if m := _ADD_KEY.match(text):
        return catalog.has_key_constraint(m["table"], _unquote(m["name"]))
    if (m := _REWRITE_COPY.match(text)) and _SHADOW in _unquote(re.findall(_IDENT, m["shadow"])[-1]):
        # the shadow is created empty right before (CREATE OR REPLACE): rows in it mean the copy ran
        return catalog.has_rows(m["shadow"])
    return False


__all__ = ["FOUND_APPLIED", "Catalog", "already_applied"]
