"""Design ops on tables, their columns and their constraints."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from schemax.core.model import KIND_PREFIX
from schemax.core.names import split_qualified
from schemax.core.ops import key_options, new_id
from schemax.errors import UnknownObjectError
from schemax.project.base import Column, ProjectBase


class TableDesign(ProjectBase):
    """Tables (layout, properties, row filters), columns (types, defaults, masks) and constraints."""

    # ------------------------------------------------------------------------------------------------
    # tables
    # ------------------------------------------------------------------------------------------------
    def create_table(
        self,
        name: str,
        columns: Sequence[Column | dict[str, Any] | tuple[str, str]],
        comment: str | None = None,
        properties: dict[str, str] | None = None,
        cluster_by: Sequence[str] | str | None = None,
        partition_by: Sequence[str] | None = None,
        *,
        table_type: str = "MANAGED",
        location: str | None = None,
        format: str = "DELTA",
        tags: dict[str, str] | None = None,
    ) -> str:
        """Record a new table ``catalog.schema.table``; returns its stable id. ``cluster_by="AUTO"`` is
        CLUSTER BY AUTO (Databricks picks the keys)."""
        schema_id, leaf = self._parent(name, 2)
        specs: list[dict[str, Any]] = []
        by_name: dict[str, str] = {}
        for c in columns:
            col = c if isinstance(c, Column) else Column(**c) if isinstance(c, dict) else Column(*c)
            col_id = new_id(KIND_PREFIX["column"])
            specs.append({"id": col_id, "name": col.name, "type": col.type,
                          "nullable": col.nullable, "comment": col.comment, "default": col.default,
                          "tags": dict(col.tags or {}), **_generation(col.generated, col.identity)})
            by_name[col.name.lower()] = col_id

        def ids(names: Sequence[str] | None, what: str) -> list[str]:
            out = []
            for n in names or ():
                if n.lower() not in by_name:
                    raise UnknownObjectError(f"{what} column", n, ("column",))
                out.append(by_name[n.lower()])
            return out

        return self._emit("create_table", new_id(KIND_PREFIX["table"]), {
            "schema_id": schema_id, "name": leaf, "columns": specs, "comment": comment,
            "table_type": table_type.upper(), "format": format, "location": location,
            "properties": properties or {}, "partition_by": ids(partition_by, "partition"),
            "cluster_by": [] if _auto(cluster_by) else ids(cluster_by, "cluster"),  # type: ignore[arg-type]
            "tags": tags or {}, **({"cluster_auto": True} if _auto(cluster_by) else {})})

    def rename_table(self, name: str, new_name: str) -> str:
        """Rename a table in place (``new_name`` is the bare table name); the id stays the same."""
        return self._emit("rename_table", self._table(name), {"name": new_name})

    def set_table_comment(self, name: str, comment: str | None) -> str:
        return self._emit("set_table_comment", self._table(name), {"comment": comment})

    def set_table_properties(self, name: str, properties: dict[str, str]) -> str:
        return self._emit("set_table_properties", self._table(name), {"properties": dict(properties)})

    def unset_table_properties(self, name: str, keys: Sequence[str]) -> str:
        return self._emit("unset_table_properties", self._table(name), {"keys": list(keys)})

    def drop_table(self, name: str) -> str:
        return self._emit("drop_table", self._table(name), {})

    def set_cluster_by(self, name: str, columns: Sequence[str] | str) -> str:
        """Liquid clustering keys; ``[]`` turns clustering off, ``"AUTO"`` is CLUSTER BY AUTO."""
        if _auto(columns):
            return self._emit("set_cluster_by", self._table(name), {"columns": [], "auto": True})
        return self._emit("set_cluster_by", self._table(name), {"columns": self._columns(name, columns)})

    def set_partition_by(self, name: str, columns: Sequence[str]) -> str:
        return self._emit("set_partition_by", self._table(name), {"columns": self._columns(name, columns)})

    def set_row_filter(self, name: str, function: str, columns: Sequence[str]) -> str:
        return self._emit("set_row_filter", self._table(name),
                          {"function": function, "columns": self._columns(name, columns)})

    def drop_row_filter(self, name: str) -> str:
        return self._emit("drop_row_filter", self._table(name), {})

    # ------------------------------------------------------------------------------------------------
    # columns
    # ------------------------------------------------------------------------------------------------
    def add_column(self, table: str, name: str, type: str, comment: str | None = None,
                   nullable: bool = True, *, default: str | None = None, after: str | None = None,
                   first: bool = False, generated: str | None = None,
                   identity: bool | dict[str, Any] | None = None) -> str:
        """Add a column (last, or ``after`` another column, or ``first``); returns its stable id. An identity
        or generated column cannot be added to an existing table (refused with the reason)."""
        after_id = "FIRST" if first else (self._column(table, after) if after else None)
        return self._emit("add_column", new_id(KIND_PREFIX["column"]), {
            "table_id": self._table(table), "name": name, "type": type, "nullable": nullable,
            "comment": comment, "default": default, "after": after_id, **_generation(generated, identity)})

    def rename_column(self, table: str, old: str, new: str) -> str:
        return self._emit("rename_column", self._column(table, old), {"name": new})

    def drop_column(self, table: str, name: str) -> str:
        return self._emit("drop_column", self._column(table, name), {})

    def change_column_type(self, table: str, name: str, type: str) -> str:
        return self._emit("change_column_type", self._column(table, name), {"type": type})

    def set_column_nullable(self, table: str, name: str, nullable: bool) -> str:
        return self._emit("set_column_nullable", self._column(table, name), {"nullable": nullable})

    def set_column_comment(self, table: str, name: str, comment: str | None) -> str:
        return self._emit("set_column_comment", self._column(table, name), {"comment": comment})

    def set_column_default(self, table: str, name: str, default: str | None) -> str:
        return self._emit("set_column_default", self._column(table, name), {"default": default})

    def reorder_columns(self, table: str, order: Sequence[str]) -> str:
        """Reorder a table's columns; ``order`` names every column once."""
        return self._emit("reorder_columns", self._table(table), {"order": self._columns(table, order)})

    def set_column_mask(self, table: str, column: str, function: str, using: Sequence[str] = ()) -> str:
        return self._emit("set_column_mask", self._column(table, column),
                          {"function": function, "using_columns": self._columns(table, using)})

    def drop_column_mask(self, table: str, column: str) -> str:
        return self._emit("drop_column_mask", self._column(table, column), {})

    # ------------------------------------------------------------------------------------------------
    # constraints
    # ------------------------------------------------------------------------------------------------
    def add_primary_key(self, table: str, columns: Sequence[str], name: str | None = None, *,
                        rely: bool = False, not_enforced: bool = False, timeseries: str | None = None) -> str:
        """An informational primary key; ``rely`` lets the optimizer use it, ``timeseries`` names the key
        column that is a time series, ``not_enforced`` writes NOT ENFORCED out (keys are informational on
        Databricks either way)."""
        leaf = split_qualified(table)[-1]
        options = key_options(rely=rely, not_enforced=not_enforced,
                              timeseries=self._column(table, timeseries) if timeseries is not None else None)
        return self._emit("add_primary_key", new_id(KIND_PREFIX["constraint"]), {
            "table_id": self._table(table), "name": name or f"{leaf}_pk",
            "columns": self._columns(table, columns), **options})

    def add_foreign_key(self, table: str, columns: Sequence[str], ref_table: str, ref_columns: Sequence[str],
                        name: str | None = None, *, rely: bool = False) -> str:
        leaf = split_qualified(table)[-1]
        return self._emit("add_foreign_key", new_id(KIND_PREFIX["constraint"]), {
            "table_id": self._table(table), "name": name or f"{leaf}_{'_'.join(columns)}_fk",
            "columns": self._columns(table, columns), "ref_table": self._table(ref_table),
            "ref_columns": self._columns(ref_table, ref_columns), **key_options(rely=rely)})

    def add_check_constraint(self, table: str, name: str, expression: str) -> str:
        return self._emit("add_check_constraint", new_id(KIND_PREFIX["constraint"]),
                          {"table_id": self._table(table), "name": name, "expression": expression})

    def drop_constraint(self, table: str, name: str) -> str:
        t = self._working().tables[self._table(table)]
        con = next((c for c in t.constraints if c.name.lower() == name.lower()), None)
        if con is None:
            raise UnknownObjectError("constraint", f"{table}.{name}", ("constraint",))
        return self._emit("drop_constraint", con.id, {})


def _auto(cluster_by: Sequence[str] | str | None) -> bool:
    """``"AUTO"`` (any case) given for clustering columns: CLUSTER BY AUTO."""
    return isinstance(cluster_by, str) and cluster_by.strip().upper() == "AUTO"


def _generation(generated: str | None, identity: bool | dict[str, Any] | None) -> dict[str, Any]:
    """The ``generated`` / ``identity`` keys of a column payload, only those given (issue 11)."""
    out: dict[str, Any] = {}
    if generated is not None:
        out["generated"] = generated
    if identity:
        out["identity"] = {"always": True} if identity is True else dict(identity)
    return out
