"""SX4xx — protocol upgrades: Delta column mapping, type widening, column defaults and other table
features, enabled by a change or a property; older readers or writers cannot follow them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from schemax.analyze.context import AnalysisContext
from schemax.analyze.findings import Severity
from schemax.analyze.rules.helpers import (
    _column_mapping_on,
    _delta_before,
    _enables_feature,
    _feature_on,
    _is_mapping_mode,
    _original_key,
    _prop,
    _sets,
    _truthy,
    _type_widening_on,
    _uses_type,
)
from schemax.analyze.rules.model import Report, check, define
from schemax.core.changes import (
    AddColumn,
    ColumnFlag,
    CreateTable,
    DropColumn,
    ModifyColumn,
    RenameColumn,
    SetClustering,
    SetTableProperties,
)
from schemax.core.delta_properties import defaults_in_effect, needs_column_mapping
from schemax.core.model import Column, Table
from schemax.core.types import requires_type_widening

COLUMN_MAPPING = define(
    "SX401", "enable-column-mapping", Severity.WARNING,
    "Delta column mapping gets enabled (needed for RENAME/DROP COLUMN): a one-way protocol upgrade older "
    "readers cannot follow.",
    "Check every reader of the table (runtimes, external engines, Delta Sharing recipients) supports "
    "column mapping; streaming readers need schema tracking after a rename or drop.",
)
TYPE_WIDENING = define(
    "SX402", "enable-type-widening", Severity.WARNING,
    "The Delta typeWidening feature gets enabled (needed to widen a column type in place): older readers "
    "cannot read the table.",
    "Check every reader supports type widening (Databricks Runtime 15.4+, Delta Lake 4.0+).",
)
TABLE_FEATURE = define(
    "SX403", "enable-table-feature", Severity.WARNING,
    "A Delta table feature gets enabled (by a property, liquid clustering or a new column type): the table "
    "protocol is upgraded and older clients cannot read or write it.",
    "Check every reader and writer of the table supports the feature.",
)
COLUMN_DEFAULTS = define(
    "SX404", "enable-column-defaults", Severity.WARNING,
    "A column gets a DEFAULT on a table without the allowColumnDefaults feature: a writer protocol upgrade.",
    "Check every writer supports column defaults (Delta Lake 3.1+); remember a DEFAULT fills only new rows.",
)

#: properties that enable a Delta table feature: key -> (predicate on the new value, feature, readers too?)
_FEATURE_PROPERTIES: dict[str, tuple[Callable[[str], bool], str, bool]] = {
    "delta.enabledeletionvectors": (lambda v: _truthy(v), "deletionVectors", True),
    "delta.enablerowtracking": (lambda v: _truthy(v), "rowTracking", False),
    "delta.enablechangedatafeed": (lambda v: _truthy(v), "changeDataFeed", False),
    "delta.enableincommittimestamps": (lambda v: _truthy(v), "inCommitTimestamp", False),
    "delta.enableicebergcompatv2": (lambda v: _truthy(v), "icebergCompatV2", False),
    "delta.checkpointpolicy": (lambda v: v.strip().lower() == "v2", "v2Checkpoint", True),
}
#: table features readers must understand too (the rest are writer-only)
_READER_FEATURES = frozenset(
    f.lower() for f in (
        "columnMapping", "deletionVectors", "typeWidening", "typeWidening-preview", "v2Checkpoint",
        "timestampNtz", "variantType", "variantType-preview", "vacuumProtocolCheck",
    )
)
# features that have their own rule
_OWN_RULE_FEATURES = frozenset({"typewidening", "allowcolumndefaults"})
GENERATED_COLUMNS = define(
    "SX405", "generated-or-identity-columns", Severity.WARNING,
    "A table is created with generated or identity columns: a higher writer protocol (generatedColumns, "
    "identityColumns) that older writers cannot follow; an identity column also makes concurrent writes to "
    "the table conflict, and can never be added, changed or rewritten later.",
    "Check every writer supports the features; write the table from one job at a time if it has an identity "
    "column; get the column right now, since only a new table can change it.",
)


def _protocol_report(ctx: AnalysisContext, table: Table, feature: str, readers: bool, why: str) -> Report:
    name = ctx.name(table.id)
    who = (
        "Readers and writers that do not support it (older runtimes, some external engines and Delta "
        "Sharing recipients) can no longer read the table."
        if readers else
        "It is a writer feature: readers are unaffected, but older writers can no longer write the table."
    )
    return Report(
        name,
        f"Delta table feature {feature} gets enabled on {name} ({why}).",
        f"{who} Table features cannot simply be turned off again (only ALTER TABLE … DROP FEATURE, where "
        "supported). Check every client of the table first.",
    )


def _column_mapping_report(ctx: AnalysisContext, table: Table) -> Report:
    name = ctx.name(table.id)
    return Report(
        name,
        f"Delta column mapping (delta.columnMapping.mode = 'name') gets enabled on {name}: a one-way "
        "protocol upgrade.",
        "Readers must support column mapping (Databricks Runtime 10.4+, Delta Lake 1.2+): older runtimes, "
        "some external engines and Delta Sharing recipients can no longer read the table, and streaming "
        "reads need schema tracking after a rename or drop. Undoing it needs ALTER TABLE … DROP FEATURE "
        "(where supported), which rewrites the table. Check every reader of the table first.",
    )


def _needs_column_mapping(ctx: AnalysisContext, table_id: str) -> Table | None:
    table = _delta_before(ctx, table_id)
    if table is None or _column_mapping_on(table):
        return None
    return table


def _column_mapping_for_column(c: RenameColumn | DropColumn, ctx: AnalysisContext) -> Iterator[Report]:
    table = _needs_column_mapping(ctx, c.table.id)
    if table is not None:
        yield _column_mapping_report(ctx, table)


# Delta renames and drops a column only with column mapping on: both changes need it the same way
check(COLUMN_MAPPING, RenameColumn)(_column_mapping_for_column)
check(COLUMN_MAPPING, DropColumn)(_column_mapping_for_column)


@check(COLUMN_MAPPING, AddColumn)
def _column_mapping_for_new_name(c: AddColumn, ctx: AnalysisContext) -> Iterator[Report]:
    # a name Delta accepts only with column mapping: the renderer enables it first, so it is flagged too
    # (https://docs.databricks.com/delta/column-mapping.html)
    if not needs_column_mapping(c.column.name):
        return
    table = _needs_column_mapping(ctx, c.table.id)
    if table is not None:
        yield _column_mapping_report(ctx, table)


@check(COLUMN_MAPPING, SetTableProperties)
def _column_mapping_by_property(c: SetTableProperties, ctx: AnalysisContext) -> Iterator[Report]:
    if not _is_mapping_mode(_sets(c).get("delta.columnmapping.mode")):
        return
    table = _needs_column_mapping(ctx, c.before.id)
    if table is not None:
        yield _column_mapping_report(ctx, table)


def _type_widening_report(ctx: AnalysisContext, table: Table) -> Report:
    name = ctx.name(table.id)
    return Report(
        name,
        f"Delta type widening (delta.enableTypeWidening = true) gets enabled on {name}: a protocol upgrade.",
        "Readers must support the typeWidening feature (Databricks Runtime 15.4+, Delta Lake 4.0+); older "
        "runtimes and external engines can no longer read the table. Removing it later needs ALTER TABLE … "
        "DROP FEATURE typeWidening, which rewrites files. Check every reader of the table first.",
    )


@check(TYPE_WIDENING, ModifyColumn)
def _type_widening_for_column(c: ModifyColumn, ctx: AnalysisContext) -> Iterator[Report]:
    if ColumnFlag.TYPE not in c.flags:
        return
    table = _delta_before(ctx, c.table.id)
    if table is None or _type_widening_on(table):
        return
    try:
        needed = requires_type_widening(c.before.type, c.after.type)
    except ValueError:
        needed = False
    if needed:
        yield _type_widening_report(ctx, table)


@check(TYPE_WIDENING, SetTableProperties)
def _type_widening_by_property(c: SetTableProperties, ctx: AnalysisContext) -> Iterator[Report]:
    sets = _sets(c)
    wanted = _truthy(sets.get("delta.enabletypewidening")) or _enables_feature(
        sets.get("delta.feature.typewidening")
    )
    table = _delta_before(ctx, c.before.id)
    if wanted and table is not None and not _type_widening_on(table):
        yield _type_widening_report(ctx, table)


@check(TABLE_FEATURE, SetTableProperties)
def _feature_by_property(c: SetTableProperties, ctx: AnalysisContext) -> Iterator[Report]:
    table = _delta_before(ctx, c.before.id)
    if table is None:
        return
    for key, value in sorted(_sets(c).items()):
        if key.startswith("delta.feature."):
            feature = key[len("delta.feature."):]
            if feature in _OWN_RULE_FEATURES or not _enables_feature(value):
                continue
            if _feature_on(table, feature):
                continue
            original = _original_key(c, key)[len("delta.feature."):]
            yield _protocol_report(ctx, table, original, feature in _READER_FEATURES, f"{original} = {value}")
        elif key in _FEATURE_PROPERTIES:
            enabled, feature, readers = _FEATURE_PROPERTIES[key]
            old = _prop(table, key)
            if enabled(value) and not (old is not None and enabled(old)) and not _feature_on(table, feature):
                original = _original_key(c, key)
                yield _protocol_report(ctx, table, feature, readers, f"{original} = {value}")
        elif key in ("delta.minreaderversion", "delta.minwriterversion"):
            old_value = _prop(table, key)
            try:
                raised = int(value) > int(old_value) if old_value is not None else True
            except ValueError:
                continue
            if raised:
                original = _original_key(c, key)
                yield _protocol_report(
                    ctx, table, "protocol version", key == "delta.minreaderversion", f"{original} = {value}"
                )


@check(TABLE_FEATURE, SetClustering)
def _feature_by_clustering(c: SetClustering, ctx: AnalysisContext) -> Iterator[Report]:
    table = _delta_before(ctx, c.before.id)
    clustered_before = table is not None and (table.cluster_by or table.cluster_auto)
    if table is None or clustered_before or not (c.after.cluster_by or c.after.cluster_auto):
        return
    if _feature_on(table, "clustering"):
        return
    yield _protocol_report(ctx, table, "clustering", False, "liquid clustering on an existing table")


_NEW_TYPE_FEATURES = (("TIMESTAMP_NTZ", "timestampNtz"), ("VARIANT", "variantType"))


@check(TABLE_FEATURE, AddColumn)
def _feature_by_new_column(c: AddColumn, ctx: AnalysisContext) -> Iterator[Report]:
    yield from _feature_by_type(ctx, c.table.id, c.column.type, None)


@check(TABLE_FEATURE, ModifyColumn)
def _feature_by_new_type(c: ModifyColumn, ctx: AnalysisContext) -> Iterator[Report]:
    if ColumnFlag.TYPE in c.flags:
        yield from _feature_by_type(ctx, c.table.id, c.after.type, c.before.type)


def _feature_by_type(
    ctx: AnalysisContext, table_id: str, new_type: str, old_type: str | None
) -> Iterator[Report]:
    table = _delta_before(ctx, table_id)
    if table is None:
        return
    for type_name, feature in _NEW_TYPE_FEATURES:
        if not _uses_type(new_type, type_name) or (old_type is not None and _uses_type(old_type, type_name)):
            continue
        if _feature_on(table, feature) or any(_uses_type(col.type, type_name) for col in table.columns):
            continue
        yield _protocol_report(ctx, table, feature, True, f"first {type_name} column")


def _column_defaults_report(ctx: AnalysisContext, table: Table, column: Column) -> Report:
    name = ctx.name(table.id)
    return Report(
        name,
        f"column defaults need the Delta allowColumnDefaults feature on {name} (DEFAULT on {column.name}).",
        "A writer protocol upgrade: older writers (Delta Lake below 3.1, older runtimes) can no longer "
        "write the table; readers are unaffected. A DEFAULT fills only rows written later, never existing "
        "rows.",
    )


def _first_default_needs_feature(ctx: AnalysisContext, table_id: str) -> Table | None:
    """The Delta table a first column DEFAULT enables allowColumnDefaults on; None when it is on already
    or another column has a default (:func:`~schemax.core.delta_properties.defaults_in_effect`, what the
    renderer checks before it adds the feature)."""
    table = _delta_before(ctx, table_id)
    if table is None or defaults_in_effect(table):
        return None
    return table


@check(COLUMN_DEFAULTS, AddColumn)
def _column_defaults_for_add(c: AddColumn, ctx: AnalysisContext) -> Iterator[Report]:
    table = _first_default_needs_feature(ctx, c.table.id) if c.column.default else None
    if table is not None:
        yield _column_defaults_report(ctx, table, c.column)


@check(COLUMN_DEFAULTS, ModifyColumn)
def _column_defaults_for_modify(c: ModifyColumn, ctx: AnalysisContext) -> Iterator[Report]:
    if ColumnFlag.DEFAULT not in c.flags or not c.after.default or c.before.default:
        return
    table = _first_default_needs_feature(ctx, c.table.id)
    if table is not None:
        yield _column_defaults_report(ctx, table, c.after)


@check(COLUMN_DEFAULTS, SetTableProperties)
def _column_defaults_by_property(c: SetTableProperties, ctx: AnalysisContext) -> Iterator[Report]:
    if not _enables_feature(_sets(c).get("delta.feature.allowcolumndefaults")):
        return
    table = _first_default_needs_feature(ctx, c.before.id)
    if table is None:
        return
    # the property recorded with a first DEFAULT (the Project API does): the DEFAULT's own finding,
    # which names the column, is the one warning for the one upgrade
    after = ctx.after.tables.get(table.id)
    if after is not None and any(col.default for col in after.columns):
        return
    name = ctx.name(table.id)
    yield Report(
        name,
        f"the Delta allowColumnDefaults feature gets enabled on {name}.",
        "A writer protocol upgrade: older writers (Delta Lake below 3.1, older runtimes) can no longer "
        "write the table; readers are unaffected.",
    )


@check(GENERATED_COLUMNS, CreateTable)
def _generated_columns(c: CreateTable, ctx: AnalysisContext) -> Iterator[Report]:
    # "Tables created with generated columns have a higher table writer protocol version than the default"
    # (https://docs.databricks.com/delta/generated-columns.html); "Declaring an identity column on a Delta
    # table disables concurrent transactions" and identity columns cannot be added to an existing table
    # (https://learn.microsoft.com/en-us/azure/databricks/delta/generated-columns#--use-identity-columns-in-delta-lake)
    table: Table = c.after
    generated = [col.name for col in table.columns if col.generated is not None]
    identity = [col.name for col in table.columns if col.identity is not None]
    if not generated and not identity:
        return
    name = ctx.after_name(table.id)
    what = []
    if generated:
        what.append(f"generated column(s) {generated}")
    if identity:
        what.append(f"identity column(s) {identity}")
    impact = "The table gets a higher writer protocol; writers without the feature cannot write it."
    if identity:
        impact += (" Concurrent writes conflict (an identity column disables concurrent transactions), and "
                   "the column cannot be added, changed or rewritten later (a partitioning change or a type "
                   "rewrite of this table is refused).")
    yield Report(name, f"{name} is created with {' and '.join(what)}.", impact)
