"""The catalog questions a resume and an import ask (:class:`~schemax.ports.CatalogProbe`), over SQL.

Works through any :class:`~schemax.ports.SqlExecutor` (local Spark, a cluster, a SQL warehouse): ``SHOW
SCHEMAS``, ``DESCRIBE``, ``SHOW TBLPROPERTIES`` (Delta keeps CHECK constraints as ``delta.constraints.*``
properties), the catalog's ``information_schema.table_constraints`` for primary and foreign keys (Unity
Catalog), and one row of a table. Names arrive as physical name parts and are quoted here; an engine error
(the object is not there, the engine has no such view) answers as absent.
"""

from __future__ import annotations

from collections.abc import Sequence

from schemax.core.names import qualified, quote_ident, sql_string
from schemax.errors import SqlError
from schemax.ports import CatalogProbe, SqlExecutor

#: Delta's CHECK constraints are table properties under this prefix.
_CHECK_PREFIX = "delta.constraints."


class SqlCatalogProbe(CatalogProbe):
    """:class:`~schemax.ports.CatalogProbe` through a :class:`~schemax.ports.SqlExecutor`."""

    def __init__(self, executor: SqlExecutor) -> None:
        self.executor = executor

    def schemas(self, catalog: str) -> list[str]:
        rows = self.executor.query(f"SHOW SCHEMAS IN {quote_ident(catalog)}")
        return [str(next(iter(row.values()))) for row in rows]

    def exists(self, keyword: str, name: Sequence[str]) -> bool:
        describe = "TABLE" if keyword in ("TABLE", "VIEW") else keyword
        try:
            self.executor.query(f"DESCRIBE {describe} {qualified(*name)}")
        except SqlError:
            return False
        return True

    def columns(self, table: Sequence[str]) -> set[str] | None:
        try:
            rows = self.executor.query(f"DESCRIBE TABLE {qualified(*table)}")
        except SqlError:
            return None
        names = set()
        for row in rows:
            col = str(row.get("col_name") or "")
            if not col or col.startswith("#"):
                break  # partition / detail sections follow the columns
            names.add(col.lower())
        return names

    def has_rows(self, table: Sequence[str]) -> bool:
        try:
            return bool(self.executor.query(f"SELECT 1 AS one FROM {qualified(*table)} LIMIT 1"))
        except SqlError:
            return False

    def has_key_constraint(self, table: Sequence[str], name: str) -> bool:
        """A primary or foreign key by name, from the catalog's information_schema (Unity Catalog)."""
        if len(table) != 3:
            return False
        catalog, schema, table_name = table
        try:
            rows = self.executor.query(
                f"SELECT 1 AS one FROM {quote_ident(catalog)}.`information_schema`.`table_constraints` "
                f"WHERE lower(`table_schema`) = lower({sql_string(schema)}) "
                f"AND lower(`table_name`) = lower({sql_string(table_name)}) "
                f"AND lower(`constraint_name`) = lower({sql_string(name)}) LIMIT 1")
        except SqlError:
            return False
        return bool(rows)

    def check_constraints(self, table: Sequence[str]) -> set[str]:
        try:
            rows = self.executor.query(f"SHOW TBLPROPERTIES {qualified(*table)}")
        except SqlError:
            return set()
        return {str(r["key"])[len(_CHECK_PREFIX):].lower() for r in rows
                if str(r.get("key", "")).startswith(_CHECK_PREFIX)}


__all__ = ["SqlCatalogProbe"]
