"""SX1xx — destructive: data or definitions are lost (drops of columns, tables, views, schemas,
catalogs, volumes and functions).
"""

from __future__ import annotations

from collections.abc import Iterator

from schemax.analyze.context import AnalysisContext, describe_contents
from schemax.analyze.findings import Severity
from schemax.analyze.rules.helpers import (
    _before_table,
    _is_delta,
    _join,
    _scope_report,
    _tables_using_function,
)
from schemax.analyze.rules.model import Report, check, define
from schemax.core.changes import (
    DropCatalog,
    DropColumn,
    DropFunction,
    DropSchema,
    DropTable,
    DropView,
    DropVolume,
)

DROP_COLUMN = define(
    "SX101", "drop-column", Severity.DESTRUCTIVE,
    "A column is dropped: its values are lost and queries that select it fail.",
    "Copy the data elsewhere if it is still needed and remove the column from every reader first. On Delta "
    "the drop is metadata-only until old versions are vacuumed, so RESTORE to the version recorded before "
    "the deploy brings the column back.",
)
# UC-48/UC-49/UC-50: UNDROP TABLE recovers a dropped Unity Catalog managed table within the recovery window,
# with its grants but not its primary/foreign keys; RESTORE needs a table that still exists.
# https://learn.microsoft.com/en-in/azure/databricks/sql/language-manual/sql-ref-syntax-ddl-undrop-table
# https://learn.microsoft.com/en-us/Azure/databricks/sql/language-manual/sql-ref-syntax-ddl-drop-table
# https://docs.databricks.com/sql/language-manual/delta-restore.html
DROP_TABLE = define(
    "SX102", "drop-table", Severity.DESTRUCTIVE,
    "A table is dropped: a managed table's data is deleted; every reader and writer fails.",
    "Make sure nothing reads or writes the table; back it up (DEEP CLONE) if the data may be needed. Unity "
    "Catalog can UNDROP TABLE a dropped managed table within its recovery window (7 days by default); "
    "RESTORE cannot bring a dropped table back.",
)
DROP_VIEW = define(
    "SX103", "drop-view", Severity.DESTRUCTIVE,
    "A view is dropped: its definition and grants are lost and its readers fail.",
    "Move readers (dashboards, jobs, other views) off the view first.",
)
DROP_SCHEMA = define(
    "SX104", "drop-schema", Severity.DESTRUCTIVE,
    "A schema is dropped together with everything in it (tables, views, volumes, functions).",
    "Check the count of objects in the finding; back up tables that may still be needed.",
)
DROP_CATALOG = define(
    "SX105", "drop-catalog", Severity.DESTRUCTIVE,
    "A catalog is dropped together with all its schemas and their objects.",
    "Check the counts in the finding; back up tables that may still be needed.",
)
DROP_VOLUME = define(
    "SX106", "drop-volume", Severity.DESTRUCTIVE,
    "A volume is dropped: a managed volume's files are deleted; /Volumes paths into it stop working.",
    "Copy files that are still needed; move jobs off the volume's paths first.",
)
DROP_FUNCTION = define(
    "SX107", "drop-function", Severity.DESTRUCTIVE,
    "A function is dropped: queries, views, row filters and column masks that call it fail.",
    "Remove every use of the function first (the finding names row filters and masks that use it).",
)


@check(DROP_COLUMN, DropColumn)
def _drop_column(c: DropColumn, ctx: AnalysisContext) -> Iterator[Report]:
    table = _before_table(ctx, c.table.id) or c.table
    name = ctx.name(c.column.id)
    affected = ctx.views_reading_column(table.id, c.column.name)
    restore = (
        "Delta drops it in metadata only: until old versions are vacuumed, RESTORE to the table version "
        "recorded before the deploy brings it back." if _is_delta(table) else "The data cannot be recovered."
    )
    yield Report(
        name,
        f"DROP COLUMN {name}: the column and every value in it are removed.",
        _join(
            f"Queries, jobs and dashboards that select '{c.column.name}' fail, and its data is gone for "
            "every reader.",
            restore,
            affected.sentence("reading the column"),
            "Remove the column from its readers (or copy the data) before deploying.",
        ),
        affected,
    )


@check(DROP_TABLE, DropTable)
def _drop_table(c: DropTable, ctx: AnalysisContext) -> Iterator[Report]:
    name = ctx.name(c.before.id)
    affected = ctx.views_reading([c.before.id])
    if c.before.table_type == "EXTERNAL":
        what = (
            "the table definition, grants and tags are removed; the files at "
            f"{c.before.location or 'its location'} stay but are no longer reachable through the catalog."
        )
    else:
        # UNDROP, not RESTORE: see the sources above DROP_TABLE
        what = (
            f"{_all_columns(len(c.before.columns))} and every row are deleted (on Unity Catalog, UNDROP "
            "TABLE brings a dropped managed table back within the recovery window, 7 days by default, "
            "without its primary and foreign keys; RESTORE cannot, it needs a table that exists; after the "
            "window the data is gone)."
        )
    yield Report(
        name,
        f"DROP TABLE {name}: {what}",
        _join(
            "Every query, job and dashboard that reads or writes the table fails.",
            affected.sentence(),
            "Back the table up (DEEP CLONE) if its data may be needed, and move readers off it first.",
        ),
        affected,
    )


@check(DROP_VIEW, DropView)
def _drop_view(c: DropView, ctx: AnalysisContext) -> Iterator[Report]:
    name = ctx.name(c.before.id)
    affected = ctx.views_reading([c.before.id])
    yield Report(
        name,
        f"DROP VIEW {name}: the view definition and its grants are removed (no table data is deleted).",
        _join(
            "Queries, dashboards and jobs that read the view fail.",
            affected.sentence(),
            "Move readers off the view first.",
        ),
        affected,
    )


def _drop_scope(
    ctx: AnalysisContext, kind: str, scope_id: str, schema_ids: list[str], schemas: int | None = None
) -> Report:
    """DROP SCHEMA / DROP CATALOG (``kind``); ``schemas`` counts the schemas a catalog drops with it."""
    name = ctx.name(scope_id)
    contents, affected = _scope_report(ctx, schema_ids)
    return Report(
        name,
        f"DROP {kind.upper()} {name} drops {describe_contents(contents, schemas=schemas)} with it.",
        _join(
            f"Managed tables' data and managed volumes' files in the {kind} are deleted, and all their "
            f"grants are lost; everything that reads from the {kind} fails.",
            affected.sentence(f"reading objects in the {kind}"),
            "Back up what may still be needed before deploying.",
        ),
        affected,
    )


@check(DROP_SCHEMA, DropSchema)
def _drop_schema(c: DropSchema, ctx: AnalysisContext) -> Iterator[Report]:
    yield _drop_scope(ctx, "schema", c.before.id, [c.before.id])


@check(DROP_CATALOG, DropCatalog)
def _drop_catalog(c: DropCatalog, ctx: AnalysisContext) -> Iterator[Report]:
    schemas = ctx.catalog_schemas(c.before.id)
    yield _drop_scope(ctx, "catalog", c.before.id, schemas, schemas=len(schemas))


@check(DROP_VOLUME, DropVolume)
def _drop_volume(c: DropVolume, ctx: AnalysisContext) -> Iterator[Report]:
    name = ctx.name(c.before.id)
    path = "/Volumes/" + "/".join(ctx.before.path(c.before.id))
    if c.before.volume_type == "EXTERNAL":
        what = f"the files at {c.before.location or 'its location'} stay, but {path} no longer reaches them."
    else:
        what = "the files stored in the managed volume are deleted."
    yield Report(
        name,
        f"DROP VOLUME {name}: {what}",
        f"Jobs, notebooks and queries that read or write {path}/… fail. Copy files that are still needed "
        "first.",
    )


@check(DROP_FUNCTION, DropFunction)
def _drop_function(c: DropFunction, ctx: AnalysisContext) -> Iterator[Report]:
    name = ctx.name(c.before.id)
    users = _tables_using_function(ctx, c.before.id)
    guarded = (
        f"It is still used as a row filter or column mask on {', '.join(users)}: queries on those tables "
        "fail."
        if users else ""
    )
    yield Report(
        name,
        f"DROP FUNCTION {name}: the function definition and its grants are removed.",
        _join("Queries and views that call the function fail.", guarded, "Remove every use of it first."),
    )


def _all_columns(n: int) -> str:
    """``all 3 columns``, ``its one column``: never "1 columns"."""
    return "its one column" if n == 1 else f"all {n} columns"
