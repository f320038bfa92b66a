"""The SQL text of a table's parts: column definitions, CREATE TABLE (with the Delta features its
columns need and the version tracking), constraints, row filters and column masks.
"""

from __future__ import annotations

from schemax.core.delta_properties import column_defaults_on, matching_key
from schemax.core.model import Column, Constraint, Table
from schemax.core.names import quote_ident, sql_string
from schemax.plan.render.common import _tracking
from schemax.plan.render.context import Ctx
from schemax.plan.render.sql import (
    COLUMN_DEFAULTS,
    COLUMN_MAPPING,
    _cols,
    _mapping_on,
    _needs_mapping,
    _props,
)


def _column_sql(col: Column, *, with_null: bool = True, with_default: bool = True) -> str:
    parts = [quote_ident(col.name), col.type]
    if with_null and not col.nullable:
        parts.append("NOT NULL")
    if with_default:  # CREATE TABLE only (ADD COLUMNS takes neither): issue 11
        # GENERATED ALWAYS AS ( expr ) | GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY [ ( START WITH start
        # INCREMENT BY step ) ]: https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-create-table-using.html
        if col.generated is not None:
            parts.append(f"GENERATED ALWAYS AS ({col.generated})")
        if col.identity is not None:
            parts.append(_identity_sql(col))
    if with_default and col.default is not None:
        parts.append(f"DEFAULT {col.default}")
    if col.comment is not None:
        parts.append(f"COMMENT {sql_string(col.comment)}")
    return " ".join(parts)


def _identity_sql(col: Column) -> str:
    ident = col.identity
    assert ident is not None
    sql = f"GENERATED {'ALWAYS' if ident.always else 'BY DEFAULT'} AS IDENTITY"
    options = []
    if ident.start is not None:  # START WITH before INCREMENT BY: the only order before Runtime 16.1
        options.append(f"START WITH {ident.start}")
    if ident.step is not None:
        options.append(f"INCREMENT BY {ident.step}")
    return sql + (f" ({' '.join(options)})" if options else "")


def _bare_column(col: Column) -> str:
    """A column for ADD COLUMNS: Delta takes neither NOT NULL nor DEFAULT there (both follow separately)."""
    return _column_sql(col, with_null=False, with_default=False)


def _create_table_sql(
    ctx: Ctx, table: Table, name: str, *, replace: bool = False, extra: dict[str, str] | None = None
) -> tuple[str, list[str]]:
    """CREATE TABLE for ``table`` under ``name``, and notes on what was added to its properties."""
    notes = []
    props = dict(table.properties)
    # the features a column needs are looked up the way Delta reads keys (delta.* in any casing, UC-34:
    # https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-tblproperties.html), so a key
    # the design spells differently is not set a second time; the note says the CREATE enables the
    # feature whether the design declares it or the renderer adds it
    if any(_needs_mapping(c.name) for c in table.columns):
        if not _mapping_on(props):
            props[COLUMN_MAPPING] = "name"
            ctx.enables(table, COLUMN_MAPPING, "name")
        notes.append("column mapping enabled: a column name has characters Delta only accepts with it")
    if any(c.default is not None for c in table.columns):
        if not column_defaults_on(props):
            key = matching_key(props, COLUMN_DEFAULTS) or COLUMN_DEFAULTS
            props[key] = "supported"
            ctx.enables(table, key, "supported")
        notes.append("column defaults feature enabled")
    for key, value in (extra or {}).items():
        props[matching_key(props, key) or key] = value
        ctx.enables(table, matching_key(props, key) or key, value)
    props.update(dict(_tracking(ctx, table)))
    head = "CREATE OR REPLACE TABLE" if replace else "CREATE TABLE IF NOT EXISTS"
    sql = f"{head} {name} ({', '.join(_column_sql(c) for c in table.columns)}) USING {table.format}"
    if table.partition_by:
        sql += f" PARTITIONED BY ({_cols(table.column_names(table.partition_by))})"
    if table.cluster_by:
        sql += f" CLUSTER BY ({_cols(table.column_names(table.cluster_by))})"
    elif table.cluster_auto:
        sql += " CLUSTER BY AUTO"
    if table.location:
        sql += f" LOCATION {sql_string(table.location)}"
    if table.comment is not None:
        sql += f" COMMENT {sql_string(table.comment)}"
    if props:
        sql += f" TBLPROPERTIES {_props(sorted(props.items()))}"
    return sql, notes


def _constraint_sql(ctx: Ctx, table: Table, con: Constraint) -> str:
    if con.kind == "check":
        return f"CONSTRAINT {quote_ident(con.name)} CHECK ({con.expression})"
    if con.kind == "primary_key":
        # key_column [ TIMESERIES ], then the constraint options (NOT ENFORCED, RELY):
        # https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-create-table-constraint.html
        keys = ", ".join(
            quote_ident(c.name) + (" TIMESERIES" if c.id == con.timeseries else "")
            for cid in con.columns
            if (c := table.column(cid)) is not None
        )
        return f"CONSTRAINT {quote_ident(con.name)} PRIMARY KEY ({keys}){_key_options(con)}"
    cols = _cols(table.column_names(con.columns))
    ref = ctx.after.tables.get(con.ref_table or "") or ctx.before.tables[con.ref_table or ""]
    state = ctx.after if ref.id in ctx.after.tables else ctx.before
    return (
        f"CONSTRAINT {quote_ident(con.name)} FOREIGN KEY ({cols}) REFERENCES {ctx.name(ref.id, state)} "
        f"({_cols(ref.column_names(con.ref_columns))}){_key_options(con)}"
    )


def _key_options(con: Constraint) -> str:
    """`` NOT ENFORCED`` and `` RELY`` where the key has them (constraint_option, in that order)."""
    return (" NOT ENFORCED" if con.not_enforced else "") + (" RELY" if con.rely else "")


def _constraint_capability(con: Constraint) -> str:
    return "check_constraint" if con.kind == "check" else "constraints_pk_fk"


def _row_filter_sql(ctx: Ctx, table: Table, name: str) -> str:
    rf = table.row_filter
    if rf is None:
        return f"ALTER TABLE {name} DROP ROW FILTER"
    return (
        f"ALTER TABLE {name} SET ROW FILTER {ctx.function_name(rf.function, table, ctx.after)} "
        f"ON ({_cols(table.column_names(rf.columns))})"
    )


def _mask_sql(ctx: Ctx, table: Table, name: str, col: Column) -> str:
    prefix = f"ALTER TABLE {name} ALTER COLUMN {quote_ident(col.name)}"
    if col.mask is None:
        return f"{prefix} DROP MASK"
    sql = f"{prefix} SET MASK {ctx.function_name(col.mask.function, table, ctx.after)}"
    if col.mask.using_columns:
        sql += f" USING COLUMNS ({_cols(table.column_names(col.mask.using_columns))})"
    return sql
