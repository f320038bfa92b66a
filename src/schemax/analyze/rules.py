"""The analyzer rules: each a small unit with a stable code, a kebab-case name, a severity and checks.

A :class:`Rule` carries the metadata (what docs and CI gates refer to); a *check* is a function over ONE
change type, attached to a rule with :func:`check`. :func:`checks_for` dispatches on the change's type
through the registry — no if/elif over change types anywhere. A rule may have checks for several change
types (column mapping gets enabled by a RENAME COLUMN, a DROP COLUMN or a property change).

Code families (the first digit is the family, fixed by :data:`FAMILIES`):

* ``SX1xx`` destructive — data or definitions are lost.
* ``SX2xx`` breaking — queries, jobs or principals that work today fail (or see data they should not).
* ``SX3xx`` data-dependent — may fail, or rewrites data, depending on what the table holds.
* ``SX4xx`` protocol upgrade — a Delta protocol/feature upgrade older readers or writers cannot follow.
* ``SX5xx`` informational — safe, worth knowing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from schemax.analyze.context import Affected, AnalysisContext, describe_contents
from schemax.analyze.findings import Finding, Severity
from schemax.core.model import Column, Constraint, Table, kind_of_id
from schemax.core.types import (
    ArrayType,
    DataType,
    MapType,
    PrimitiveType,
    StructType,
    parse_type,
    requires_type_widening,
    widening,
)
from schemax.plan.changes import (
    AddColumn,
    AddConstraint,
    AlterFunction,
    Change,
    ColumnFlag,
    DropCatalog,
    DropColumn,
    DropConstraint,
    DropFunction,
    DropSchema,
    DropTable,
    DropView,
    DropVolume,
    ModifyColumn,
    RenameCatalog,
    RenameColumn,
    RenameSchema,
    RenameTable,
    RenameView,
    RenameVolume,
    ReorderColumns,
    Revoke,
    SetClustering,
    SetPartitioning,
    SetRowFilter,
    SetTableProperties,
)

# ---------------------------------------------------------------------------------------------------
# The rule model and registry
# ---------------------------------------------------------------------------------------------------

#: family digit -> (family name, severities a rule of that family may have)
FAMILIES: dict[int, tuple[str, frozenset[Severity]]] = {
    1: ("destructive", frozenset({Severity.DESTRUCTIVE})),
    2: ("breaking", frozenset({Severity.BREAKING})),
    3: ("data-dependent", frozenset({Severity.WARNING, Severity.BREAKING})),
    4: ("protocol upgrade", frozenset({Severity.WARNING})),
    5: ("informational", frozenset({Severity.INFO})),
}

CODE_PATTERN = re.compile(r"^SX([1-5])(\d{2})$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Report:
    """What a check found; the rule turns it into a :class:`Finding` (code, name, severity, blocking)."""

    object_name: str
    message: str
    impact: str
    affected: Affected = Affected()


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str  # what the finding means
    advice: str  # what to do about it

    @property
    def family(self) -> int:
        return int(self.code[2])

    @property
    def blocking(self) -> bool:
        return self.severity.blocks

    def finding(self, change: Change, report: Report) -> Finding:
        return Finding(
            code=self.code,
            name=self.name,
            severity=self.severity,
            object_name=report.object_name,
            message=report.message,
            impact=report.impact,
            change=change,
            views=report.affected.views,
            indirect_views=report.affected.indirect_views,
        )

    def as_row(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "blocking": self.blocking,
            "family": FAMILIES[self.family][0],
            "summary": self.summary,
            "advice": self.advice,
        }


CheckFn = Callable[[Any, AnalysisContext], Iterable[Report]]
C = TypeVar("C", bound=Change)

#: code -> rule, in definition order
RULES_BY_CODE: dict[str, Rule] = {}
#: change type -> the (rule, check) pairs that look at that change type
CHECKS: dict[type[Change], list[tuple[Rule, CheckFn]]] = {}


def define(code: str, name: str, severity: Severity, summary: str, advice: str) -> Rule:
    """Declare a rule. Codes and names are unique; the severity must fit the code's family."""
    match = CODE_PATTERN.match(code)
    if match is None:
        raise ValueError(f"rule code {code!r} must look like SX1nn … SX5nn")
    if not NAME_PATTERN.match(name):
        raise ValueError(f"rule name {name!r} must be kebab-case")
    family_name, allowed = FAMILIES[int(match.group(1))]
    if severity not in allowed:
        raise ValueError(f"{code}: a {family_name} rule cannot have severity {severity.value}")
    if code in RULES_BY_CODE or any(r.name == name for r in RULES_BY_CODE.values()):
        raise ValueError(f"duplicate rule {code} {name}")
    rule = Rule(code, name, severity, summary, advice)
    RULES_BY_CODE[code] = rule
    return rule


TypedCheck = Callable[[C, AnalysisContext], Iterable[Report]]


def check(rule: Rule, change_type: type[C]) -> Callable[[TypedCheck[C]], TypedCheck[C]]:
    """Register ``fn(change, ctx) -> Iterable[Report]`` as ``rule``'s check over ``change_type``."""

    def register(fn: TypedCheck[C]) -> TypedCheck[C]:
        CHECKS.setdefault(change_type, []).append((rule, fn))
        return fn

    return register


def checks_for(change: Change) -> list[tuple[Rule, CheckFn]]:
    """The checks registered for this change's type (or a base class of it)."""
    out: list[tuple[Rule, CheckFn]] = []
    for cls in type(change).__mro__:
        out.extend(CHECKS.get(cls, ()))  # type: ignore[arg-type]
    return out


def run_checks(change: Change, ctx: AnalysisContext) -> Iterator[Finding]:
    for rule, fn in checks_for(change):
        for report in fn(change, ctx):
            yield rule.finding(change, report)


# ---------------------------------------------------------------------------------------------------
# Helpers shared by the checks
# ---------------------------------------------------------------------------------------------------


def _prop(table: Table, key: str) -> str | None:
    low = key.lower()
    for k, v in table.properties.items():
        if k.lower() == low:
            return v
    return None


def _is_delta(table: Table) -> bool:
    return table.format.upper() == "DELTA"


def _truthy(value: str | None) -> bool:
    return value is not None and value.strip().lower() == "true"


def _enables_feature(value: str | None) -> bool:
    """A ``delta.feature.<name>`` value that turns the feature on."""
    return value is not None and value.strip().lower() in ("supported", "enabled")


def _is_mapping_mode(value: str | None) -> bool:
    """A ``delta.columnMapping.mode`` value that turns column mapping on."""
    return value is not None and value.strip().lower() in ("name", "id")


def _feature_on(table: Table, feature: str) -> bool:
    return _enables_feature(_prop(table, f"delta.feature.{feature}"))


def _column_mapping_on(table: Table) -> bool:
    return _is_mapping_mode(_prop(table, "delta.columnMapping.mode"))


def _type_widening_on(table: Table) -> bool:
    return _truthy(_prop(table, "delta.enableTypeWidening")) or _feature_on(table, "typeWidening")


def _column_defaults_on(table: Table) -> bool:
    return _feature_on(table, "allowColumnDefaults")


def _sets(change: SetTableProperties) -> dict[str, str]:
    return {k.lower(): v for k, v in change.set}


def _original_key(change: SetTableProperties, key: str) -> str:
    """A lower-cased key of :func:`_sets` as the change spells it."""
    return next((k for k, _ in change.set if k.lower() == key), key)


def _before_table(ctx: AnalysisContext, table_id: str) -> Table | None:
    """The table as it is before the plan, when it exists (has rows and readers to worry about)."""
    return ctx.before.tables.get(table_id)


def _delta_before(ctx: AnalysisContext, table_id: str) -> Table | None:
    """:func:`_before_table` when it is a Delta table: only those have a protocol a change can upgrade."""
    table = _before_table(ctx, table_id)
    return table if table is not None and _is_delta(table) else None


def _col_list(table: Table, ids: tuple[str, ...]) -> str:
    return "(" + ", ".join(table.column_names(ids)) + ")" if ids else "(none)"


def _privileges(privs: tuple[str, ...]) -> str:
    return ", ".join(privs)


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def _primitive_names(dtype: DataType) -> Iterator[str]:
    if isinstance(dtype, PrimitiveType):
        yield dtype.name
    elif isinstance(dtype, ArrayType):
        yield from _primitive_names(dtype.element)
    elif isinstance(dtype, MapType):
        yield from _primitive_names(dtype.key)
        yield from _primitive_names(dtype.value)
    elif isinstance(dtype, StructType):
        for f in dtype.fields:
            yield from _primitive_names(f.type)


def _uses_type(type_text: str, name: str) -> bool:
    try:
        return name in set(_primitive_names(parse_type(type_text)))
    except ValueError:
        return False


def _classify_type_change(before: str, after: str) -> str:
    try:
        return widening(before, after)
    except ValueError:  # a type the parser does not know: assume the worst
        return "rewrite"


# ===================================================================================================
# SX1xx — destructive
# ===================================================================================================

DROP_COLUMN = define(
    "SX101", "drop-column", Severity.DESTRUCTIVE,
    "A column is dropped: its values are lost and queries that select it fail.",
    "Copy the data elsewhere if it is still needed and remove the column from every reader first. On Delta "
    "the drop is metadata-only until old versions are vacuumed, so RESTORE to the version recorded before "
    "the deploy brings the column back.",
)
DROP_TABLE = define(
    "SX102", "drop-table", Severity.DESTRUCTIVE,
    "A table is dropped: a managed table's data is deleted; every reader and writer fails.",
    "Make sure nothing reads or writes the table; back it up (DEEP CLONE) if the data may be needed. Unity "
    "Catalog can UNDROP a managed table for a limited time.",
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
        what = (
            f"all {len(c.before.columns)} columns and every row are deleted (Unity Catalog can UNDROP a "
            "managed table for a limited time; after that the data is gone)."
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


def _scope_report(ctx: AnalysisContext, schema_ids: list[str]) -> tuple[dict[str, list[str]], Affected]:
    """What a dropped scope holds, and the views outside it that read it (views inside go with it:
    they no longer exist afterwards, so lineage does not count them)."""
    contents = ctx.schema_contents(schema_ids)
    return contents, ctx.views_reading(contents["table"] + contents["view"])


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


def _tables_using_function(ctx: AnalysisContext, function_id: str) -> list[str]:
    """Tables (as they will be) whose row filter or a column mask calls the function."""
    full = tuple(p.lower() for p in ctx.before.path(function_id))
    users: list[str] = []
    for table in ctx.after.tables.values():
        names = [table.row_filter.function] if table.row_filter else []
        names += [col.mask.function for col in table.columns if col.mask]
        location = tuple(p.lower() for p in ctx.after.path(table.schema_id))
        for fn in names:
            parts = tuple(p.lower() for p in fn.replace("`", "").split("."))
            qualified = (location + parts)[-3:] if len(parts) < 3 else parts[-3:]
            if qualified == full:
                users.append(ctx.after.full_name(table.id))
                break
    return sorted(users)


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


# ===================================================================================================
# SX2xx — breaking
# ===================================================================================================

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
REVOKE = define(
    "SX207", "revoke-privileges", Severity.BREAKING,
    "Privileges are revoked: the principal's queries and jobs that need them fail.",
    "Confirm with the owner of the principal; grant the replacement access before revoking.",
)
DROP_REFERENCED_PK = define(
    "SX208", "drop-referenced-primary-key", Severity.BREAKING,
    "A primary key that foreign keys still reference is dropped: the DROP fails unless the foreign keys go "
    "first (CASCADE drops them), and tools relying on the relationship lose it.",
    "Drop or re-point the referencing foreign keys in the same plan.",
)
DROP_ROW_FILTER = define(
    "SX209", "drop-row-filter", Severity.BREAKING,
    "A row filter is removed: every principal sees every row (security-relevant).",
    "Confirm the rows are meant to become visible to everyone with SELECT; otherwise keep or replace the "
    "filter.",
)
DROP_COLUMN_MASK = define(
    "SX210", "drop-column-mask", Severity.BREAKING,
    "A column mask is removed: every principal sees the unmasked values (security-relevant).",
    "Confirm the values are meant to become visible to everyone with SELECT; otherwise keep or replace the "
    "mask.",
)
FUNCTION_SIGNATURE = define(
    "SX211", "change-function-signature", Severity.BREAKING,
    "A function's parameters or return type change: callers written for the old signature fail.",
    "Update callers (queries, views, row filters, masks) in the same release, or add a new function instead.",
)
APPEND_ONLY = define(
    "SX212", "make-table-append-only", Severity.BREAKING,
    "delta.appendOnly is turned on: UPDATE, DELETE and MERGE that change rows fail from now on.",
    "Make sure no job updates or deletes rows in the table.",
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


@check(REVOKE, Revoke)
def _revoke(c: Revoke, ctx: AnalysisContext) -> Iterator[Report]:
    if ctx.after.get(c.securable) is None:
        return  # the securable itself is dropped; its drop finding covers it
    name = ctx.name(c.securable)
    kind = kind_of_id(c.securable) or "object"
    privs = _privileges(c.privileges)
    yield Report(
        name,
        f"REVOKE {privs} ON {kind.upper()} {name} FROM {c.principal}.",
        f"{c.principal} loses {privs} on the {kind}: their queries and jobs that need it fail with a "
        "permission error (unless the privilege also comes from a parent catalog/schema or a group). Grant "
        "replacement access first if the principal still needs it.",
    )


@check(DROP_REFERENCED_PK, DropConstraint)
def _drop_referenced_pk(c: DropConstraint, ctx: AnalysisContext) -> Iterator[Report]:
    if c.constraint.kind != "primary_key":
        return
    referencing: list[str] = []
    for table in ctx.before.tables.values():
        for con in table.constraints:
            if con.kind != "foreign_key" or con.ref_table != c.table.id:
                continue
            if ctx.after.constraint_owner(con.id) is not None:
                referencing.append(f"{ctx.name(table.id)} ({con.name})")
    if not referencing:
        return
    name = ctx.name(c.table.id)
    yield Report(
        name,
        f"primary key {c.constraint.name} of {name} is dropped while foreign keys still reference it.",
        f"Still referencing it: {', '.join(sorted(referencing))}. The DROP fails unless those foreign keys "
        "go first (CASCADE drops them silently), and BI tools and the optimizer lose the relationship. "
        "Drop or re-point the foreign keys in the same plan.",
    )


@check(DROP_ROW_FILTER, SetRowFilter)
def _drop_row_filter(c: SetRowFilter, ctx: AnalysisContext) -> Iterator[Report]:
    if c.filter_before is None or c.filter_after is not None or not ctx.existed(c.before.id):
        return
    name = ctx.name(c.before.id)
    yield Report(
        name,
        f"row filter {c.filter_before.function} is removed from {name}.",
        "Every principal with SELECT on the table now sees every row, including rows the filter hid from "
        "them. Confirm that is intended (security review); otherwise keep or replace the filter.",
    )


@check(DROP_COLUMN_MASK, ModifyColumn)
def _drop_column_mask(c: ModifyColumn, ctx: AnalysisContext) -> Iterator[Report]:
    if ColumnFlag.MASK not in c.flags or c.before.mask is None or c.after.mask is not None:
        return
    name = ctx.name(c.before.id)
    yield Report(
        name,
        f"column mask {c.before.mask.function} is removed from {name}.",
        "Every principal with SELECT on the table now sees the column's real values, including values the "
        "mask hid from them. Confirm that is intended (security review); otherwise keep or replace the "
        "mask.",
    )


def _signature(params: str, returns: str) -> tuple[str, str]:
    def norm(s: str) -> str:
        return re.sub(r"\s+", " ", s.strip()).lower()

    return norm(params), norm(returns)


@check(FUNCTION_SIGNATURE, AlterFunction)
def _function_signature(c: AlterFunction, ctx: AnalysisContext) -> Iterator[Report]:
    before = _signature(c.before.parameters, c.before.returns)
    after = _signature(c.after.parameters, c.after.returns)
    if before == after:
        return
    name = ctx.name(c.before.id)
    users = _tables_using_function(ctx, c.before.id)
    guarded = f"It is used as a row filter or column mask on {', '.join(users)}." if users else ""
    yield Report(
        name,
        f"function {name} changes from ({c.before.parameters}) RETURNS {c.before.returns} to "
        f"({c.after.parameters}) RETURNS {c.after.returns}.",
        _join(
            "Queries, views and jobs that call it with the old arguments, or expect the old return type, "
            "fail.",
            guarded,
            "Update callers in the same release, or add a new function instead.",
        ),
    )


@check(APPEND_ONLY, SetTableProperties)
def _append_only(c: SetTableProperties, ctx: AnalysisContext) -> Iterator[Report]:
    before = _before_table(ctx, c.before.id)
    if before is None or _truthy(_prop(before, "delta.appendOnly")):
        return
    if not _truthy(_sets(c).get("delta.appendonly")):
        return
    name = ctx.name(c.before.id)
    yield Report(
        name,
        f"{name} becomes append-only (delta.appendOnly = true).",
        "Jobs that UPDATE, DELETE or MERGE-update rows of the table fail from now on. Make sure no writer "
        "changes existing rows.",
    )


# ===================================================================================================
# SX3xx — data-dependent
# ===================================================================================================

ADD_NOT_NULL_COLUMN = define(
    "SX301", "add-not-null-column", Severity.WARNING,
    "A NOT NULL column is added to an existing table: works on an empty table, fails if the table has rows "
    "(existing rows get NULL; a DEFAULT fills only rows written later).",
    "Add the column nullable, backfill it, then make it NOT NULL in a later change.",
)
SET_NOT_NULL = define(
    "SX302", "set-not-null", Severity.WARNING,
    "An existing column becomes NOT NULL: fails if any row holds NULL in it.",
    "Count the NULLs first (SELECT COUNT(*) … WHERE col IS NULL) and backfill them.",
)
ADD_CHECK = define(
    "SX303", "add-check-constraint", Severity.WARNING,
    "A CHECK constraint is added to an existing table: fails if any existing row violates it.",
    "Count violating rows first (SELECT COUNT(*) … WHERE NOT (expr)) and fix them.",
)
WIDEN_TYPE = define(
    "SX304", "widen-column-type", Severity.WARNING,
    "A column type widens in place (e.g. INT to BIGINT): values fit, but consumers with a fixed schema see "
    "the new type.",
    "Restart streaming readers of the table with schema tracking; update jobs that expect the old type.",
)
REWRITE_TYPE = define(
    "SX305", "rewrite-column-type", Severity.BREAKING,
    "A column type changes in a way that is not an in-place widening (narrowing, or another type): every "
    "row is cast and the table rewritten; values that do not fit fail the deploy or lose range/precision.",
    "Check the data casts cleanly (TRY_CAST) first; prefer a new column plus backfill for large tables.",
)
CHANGE_PARTITIONING = define(
    "SX306", "change-partitioning", Severity.BREAKING,
    "Partition columns change: Delta cannot do that in place, so the whole table is rewritten.",
    "Schedule a maintenance window; pause writers and restart streaming readers afterwards.",
)


@check(ADD_NOT_NULL_COLUMN, AddColumn)
def _add_not_null_column(c: AddColumn, ctx: AnalysisContext) -> Iterator[Report]:
    if c.column.nullable or _before_table(ctx, c.table.id) is None:
        return
    name = f"{ctx.name(c.table.id)}.{c.column.name}"
    default = (
        f" Its DEFAULT {c.column.default} fills only rows written later, not the existing ones."
        if c.column.default else " Writers that do not supply the column fail, since it has no DEFAULT."
    )
    yield Report(
        name,
        f"NOT NULL column {name} {c.column.type} is added to existing table {ctx.name(c.table.id)}.",
        "Works only if the table is empty: existing rows get NULL in the new column, so making it NOT NULL "
        "fails on a table with rows."
        + default
        + " Safer: add it nullable, backfill with UPDATE, then set NOT NULL in a later change.",
    )


@check(SET_NOT_NULL, ModifyColumn)
def _set_not_null(c: ModifyColumn, ctx: AnalysisContext) -> Iterator[Report]:
    if ColumnFlag.NULLABILITY not in c.flags or not c.before.nullable or c.after.nullable:
        return
    table = _before_table(ctx, c.table.id)
    if table is None:
        return
    name = ctx.name(c.before.id)
    col = c.after.name
    yield Report(
        name,
        f"column {name} becomes NOT NULL.",
        f"The change fails if any existing row holds NULL in '{col}' (the engine checks all data); count "
        f"them with SELECT COUNT(*) FROM {ctx.name(table.id)} WHERE {col} IS NULL and backfill first. "
        "Afterwards, writers that insert NULL fail.",
    )


@check(ADD_CHECK, AddConstraint)
def _add_check(c: AddConstraint, ctx: AnalysisContext) -> Iterator[Report]:
    con: Constraint = c.constraint
    if con.kind != "check" or _before_table(ctx, c.table.id) is None:
        return
    table = ctx.name(c.table.id)
    yield Report(
        table,
        f"CHECK constraint {con.name} ({con.expression}) is added to existing table {table}.",
        "The change fails if any existing row violates the condition (the engine checks all data); count "
        f"them with SELECT COUNT(*) FROM {table} WHERE NOT ({con.expression}) and fix them first. "
        "Afterwards, writes with violating rows fail.",
    )


def _type_change(c: ModifyColumn, ctx: AnalysisContext) -> str | None:
    if ColumnFlag.TYPE not in c.flags or _before_table(ctx, c.table.id) is None:
        return None
    return _classify_type_change(c.before.type, c.after.type)


@check(WIDEN_TYPE, ModifyColumn)
def _widen_type(c: ModifyColumn, ctx: AnalysisContext) -> Iterator[Report]:
    if _type_change(c, ctx) != "widening":
        return
    name = ctx.name(c.before.id)
    affected = ctx.views_reading_column(c.table.id, c.before.name)
    yield Report(
        name,
        f"column {name} widens from {c.before.type} to {c.after.type} in place (no data is rewritten).",
        _join(
            "Existing values fit. Consumers with a fixed schema see the new type: streaming reads of the "
            "table stop and must restart (with schema tracking), and jobs or external readers that expect "
            f"{c.before.type} may need updating.",
            affected.sentence("reading the column", "may need to be re-created to expose the new type"),
        ),
        affected,
    )


@check(REWRITE_TYPE, ModifyColumn)
def _rewrite_type(c: ModifyColumn, ctx: AnalysisContext) -> Iterator[Report]:
    if _type_change(c, ctx) != "rewrite":
        return
    name = ctx.name(c.before.id)
    col = c.after.name
    affected = ctx.views_reading_column(c.table.id, c.before.name)
    yield Report(
        name,
        f"column {name} changes type from {c.before.type} to {c.after.type}: not an in-place widening, so "
        "every row is cast and the table rewritten.",
        _join(
            f"Values that do not fit {c.after.type} make the deploy fail (or turn NULL without ANSI mode), "
            f"and a narrowing loses range or precision; readers expecting {c.before.type} break. Check "
            f"first with SELECT COUNT(*) FROM {ctx.name(c.table.id)} WHERE {col} IS NOT NULL AND "
            f"TRY_CAST({col} AS {c.after.type}) IS NULL.",
            affected.sentence("reading the column", "may fail"),
        ),
        affected,
    )


@check(CHANGE_PARTITIONING, SetPartitioning)
def _change_partitioning(c: SetPartitioning, ctx: AnalysisContext) -> Iterator[Report]:
    if not ctx.existed(c.before.id):
        return
    name = ctx.name(c.before.id)
    yield Report(
        name,
        f"partitioning of {name} changes from {_col_list(c.before, c.before.partition_by)} to "
        f"{_col_list(c.after, c.after.partition_by)}: the whole table is rewritten.",
        "Delta cannot change partition columns in place: every data file is rewritten (cost grows with the "
        "table), writes running meanwhile conflict, and streaming readers must restart from a new "
        "checkpoint. Schedule a maintenance window; consider liquid clustering, which can change keys "
        "without a rewrite.",
    )


# ===================================================================================================
# SX4xx — protocol / feature upgrades
# ===================================================================================================

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
    if table is None or table.cluster_by or not c.after.cluster_by:
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
    or another column has a default."""
    table = _delta_before(ctx, table_id)
    if table is None or _column_defaults_on(table) or any(col.default for col in table.columns):
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
    table = _delta_before(ctx, c.before.id)
    if not _enables_feature(_sets(c).get("delta.feature.allowcolumndefaults")):
        return
    if table is not None and not _column_defaults_on(table):
        name = ctx.name(table.id)
        yield Report(
            name,
            f"the Delta allowColumnDefaults feature gets enabled on {name}.",
            "A writer protocol upgrade: older writers (Delta Lake below 3.1, older runtimes) can no longer "
            "write the table; readers are unaffected.",
        )


# ===================================================================================================
# SX5xx — informational
# ===================================================================================================

REORDER_COLUMNS = define(
    "SX501", "reorder-columns", Severity.INFO,
    "Columns are reordered: no data changes; only SELECT * and positional INSERTs see the new order.",
    "Re-create views that select * if their column order matters; give INSERTs a column list.",
)
CHANGE_CLUSTERING = define(
    "SX502", "change-clustering", Severity.INFO,
    "Liquid clustering keys change: applies to data written from now on; queries are unaffected.",
    "Run OPTIMIZE … FULL to recluster existing data when convenient.",
)
DROP_CHECK = define(
    "SX503", "drop-check-constraint", Severity.INFO,
    "A CHECK constraint is dropped: rows that violate it can be written from now on.",
    "Make sure writers validate the data some other way if it still matters.",
)
SET_ROW_FILTER = define(
    "SX504", "set-row-filter", Severity.INFO,
    "A row filter is added or replaced: principals may see fewer (or other) rows than before.",
    "Check the filter against the principals that read the table.",
)
SET_COLUMN_MASK = define(
    "SX505", "set-column-mask", Severity.INFO,
    "A column mask is added or replaced: principals may see masked values where they saw real ones.",
    "Check the mask against the principals and jobs that read the column.",
)


@check(REORDER_COLUMNS, ReorderColumns)
def _reorder_columns(c: ReorderColumns, ctx: AnalysisContext) -> Iterator[Report]:
    name = ctx.name(c.before.id)
    star = ctx.views_selecting_star(c.before.id)
    views = (
        f" Views that select * from it: {', '.join(star)} (re-create them to pick up the new order)."
        if star else ""
    )
    yield Report(
        name,
        f"columns of {name} are reordered to ({', '.join(col.name for col in c.after.columns)}).",
        "No data changes and queries that name their columns are unaffected; only SELECT * and INSERTs "
        "without a column list see the new order." + views,
        Affected(views=star),
    )


@check(CHANGE_CLUSTERING, SetClustering)
def _change_clustering(c: SetClustering, ctx: AnalysisContext) -> Iterator[Report]:
    if not ctx.existed(c.before.id):
        return
    name = ctx.name(c.before.id)
    if not c.after.cluster_by:
        yield Report(
            name,
            f"liquid clustering is turned off on {name} (was {_col_list(c.before, c.before.cluster_by)}).",
            "Existing files keep their layout; new data is no longer clustered. Queries are unaffected.",
        )
        return
    yield Report(
        name,
        f"clustering keys of {name} change from {_col_list(c.before, c.before.cluster_by)} to "
        f"{_col_list(c.after, c.after.cluster_by)}.",
        f"Only data written or optimized from now on is clustered by the new keys; run OPTIMIZE {name} FULL "
        "to recluster existing data. Queries are unaffected.",
    )


@check(DROP_CHECK, DropConstraint)
def _drop_check(c: DropConstraint, ctx: AnalysisContext) -> Iterator[Report]:
    if c.constraint.kind != "check" or ctx.after.get(c.table.id) is None:
        return
    name = ctx.name(c.table.id)
    yield Report(
        name,
        f"CHECK constraint {c.constraint.name} ({c.constraint.expression}) is dropped from {name}.",
        "Writes are no longer validated against the condition; rows that violate it can be written from "
        "now on.",
    )


@check(SET_ROW_FILTER, SetRowFilter)
def _set_row_filter(c: SetRowFilter, ctx: AnalysisContext) -> Iterator[Report]:
    if c.filter_after is None or not ctx.existed(c.before.id):
        return
    name = ctx.name(c.before.id)
    was = f"replaces {c.filter_before.function}" if c.filter_before else "is added"
    yield Report(
        name,
        f"row filter {c.filter_after.function} {was} on {name}.",
        "Principals may see fewer or different rows than before; jobs that aggregate the table may report "
        "different numbers. Check the filter against the principals that read the table.",
    )


@check(SET_COLUMN_MASK, ModifyColumn)
def _set_column_mask(c: ModifyColumn, ctx: AnalysisContext) -> Iterator[Report]:
    if ColumnFlag.MASK not in c.flags or c.after.mask is None or _before_table(ctx, c.table.id) is None:
        return
    name = ctx.name(c.before.id)
    was = f"replaces {c.before.mask.function}" if c.before.mask else "is added"
    yield Report(
        name,
        f"column mask {c.after.mask.function} {was} on {name}.",
        "Principals the mask applies to see masked values instead of real ones; jobs that join or "
        "aggregate on the column may change results.",
    )


RULES: tuple[Rule, ...] = tuple(RULES_BY_CODE.values())

__all__ = [
    "CHECKS",
    "FAMILIES",
    "RULES",
    "RULES_BY_CODE",
    "Report",
    "Rule",
    "check",
    "checks_for",
    "define",
    "run_checks",
]
