"""SX201–SX206 — breaking renames: columns, tables, views, volumes, and schemas and catalogs with
everything in their scope.
"""

from __future__ import annotations

from collections.abc import Iterator

from schemax.analyze.context import AnalysisContext, describe_contents
from schemax.analyze.findings import Severity
from schemax.analyze.rules.helpers import _join, _scope_report
from schemax.analyze.rules.model import Report, check, define
from schemax.core.changes import (
    RenameCatalog,
    RenameColumn,
    RenameSchema,
    RenameTable,
    RenameView,
    RenameVolume,
)

RENAME_COLUMN = define(
    "SX201", "rename-column", Severity.BREAKING,
    "A column is renamed: queries using the old name fail.",
    "Update readers in the same release (views can be updated in the same plan); consider adding the new "
    "column and dropping the old one later if readers cannot move at once.",
)
RENAME_TABLE = define(
    "SX202", "rename-table", Severity.BREAKING,
    "A table is renamed or moved: every query using the old name fails.",
    "Update readers and writers in the same release, or keep a view with the old name during the move.",
)
RENAME_VIEW = define(
    "SX203", "rename-view", Severity.BREAKING,
    "A view is renamed: queries and dashboards using the old name fail.",
    "Update readers in the same release.",
)
RENAME_SCHEMA = define(
    "SX204", "rename-schema", Severity.BREAKING,
    "A schema is renamed: every qualified name through it changes.",
    "Update readers, jobs and volume paths in the same release.",
)
RENAME_CATALOG = define(
    "SX205", "rename-catalog", Severity.BREAKING,
    "A catalog is renamed: every qualified name through it changes.",
    "Update readers, jobs and volume paths in the same release.",
)
RENAME_VOLUME = define(
    "SX206", "rename-volume", Severity.BREAKING,
    "A volume is renamed: its /Volumes path changes and the old path fails.",
    "Update jobs and notebooks that use the path in the same release.",
)


@check(RENAME_COLUMN, RenameColumn)
def _rename_column(c: RenameColumn, ctx: AnalysisContext) -> Iterator[Report]:
    name = ctx.name(c.before.id)
    old, new = c.before.name, c.after.name
    affected = ctx.views_reading_column(c.table.id, old)
    yield Report(
        name,
        f"column {name} is renamed to {new}.",
        _join(
            f"Queries, jobs and dashboards that use '{old}' fail; they must use '{new}'.",
            affected.sentence(f"using '{old}'"),
            "Update readers in the same release (views can be updated in the same plan).",
        ),
        affected,
    )


@check(RENAME_TABLE, RenameTable)
def _rename_table(c: RenameTable, ctx: AnalysisContext) -> Iterator[Report]:
    name = ctx.name(c.before.id)
    new = ctx.after_name(c.after.id)
    verb = "moved and renamed" if c.before.schema_id != c.after.schema_id else "renamed"
    if c.before.schema_id != c.after.schema_id and c.before.name == c.after.name:
        verb = "moved"
    affected = ctx.views_reading([c.before.id])
    yield Report(
        name,
        f"table {name} is {verb} to {new}.",
        _join(
            f"Every query, job and dashboard that uses {name} fails; they must use {new}.",
            affected.sentence(),
            "Update readers and writers in the same release, or keep a view under the old name during the "
            "move.",
        ),
        affected,
    )


@check(RENAME_VIEW, RenameView)
def _rename_view(c: RenameView, ctx: AnalysisContext) -> Iterator[Report]:
    name = ctx.name(c.before.id)
    new = ctx.after_name(c.after.id)
    affected = ctx.views_reading([c.before.id])
    yield Report(
        name,
        f"view {name} is renamed to {new}.",
        _join(f"Queries and dashboards that use {name} fail; they must use {new}.", affected.sentence()),
        affected,
    )


def _volume_note(volumes: list[str]) -> str:
    if not volumes:
        return ""
    return f"The /Volumes paths of {len(volumes)} volume{'s' if len(volumes) != 1 else ''} change too."


def _rename_scope(
    ctx: AnalysisContext,
    kind: str,
    c: RenameSchema | RenameCatalog,
    schema_ids: list[str],
    schemas: int | None = None,
) -> Report:
    """A renamed schema or catalog (``kind``); ``schemas`` counts the schemas a catalog moves with it."""
    name = ctx.name(c.before.id)
    new = ctx.after_name(c.after.id)
    contents, affected = _scope_report(ctx, schema_ids)
    return Report(
        name,
        f"{kind} {name} is renamed to {new} ({describe_contents(contents, schemas=schemas)} move with it).",
        _join(
            f"Every query and job that names an object through {name} fails.",
            affected.sentence("reading objects in it"),
            _volume_note(contents["volume"]),
        ),
        affected,
    )


@check(RENAME_SCHEMA, RenameSchema)
def _rename_schema(c: RenameSchema, ctx: AnalysisContext) -> Iterator[Report]:
    yield _rename_scope(ctx, "schema", c, [c.before.id])


@check(RENAME_CATALOG, RenameCatalog)
def _rename_catalog(c: RenameCatalog, ctx: AnalysisContext) -> Iterator[Report]:
    schemas = ctx.catalog_schemas(c.before.id)
    yield _rename_scope(ctx, "catalog", c, schemas, schemas=len(schemas))


@check(RENAME_VOLUME, RenameVolume)
def _rename_volume(c: RenameVolume, ctx: AnalysisContext) -> Iterator[Report]:
    name = ctx.name(c.before.id)
    new = ctx.after_name(c.after.id)
    old_path = "/Volumes/" + "/".join(ctx.before.path(c.before.id))
    new_path = "/Volumes/" + "/".join(ctx.after.path(c.after.id))
    yield Report(
        name,
        f"volume {name} is renamed to {new}.",
        f"Jobs and notebooks that use {old_path}/… fail; they must use {new_path}/….",
    )
