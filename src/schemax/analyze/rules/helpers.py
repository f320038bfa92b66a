"""Helpers shared by the checks: table properties and Delta features, the state a change starts from,
type classification, wording, and what a dropped or renamed scope holds.
"""

from __future__ import annotations

from collections.abc import Iterator

from schemax.analyze.context import Affected, AnalysisContext
from schemax.core.changes import SetTableProperties
from schemax.core.model import Table
from schemax.core.types import ArrayType, DataType, MapType, PrimitiveType, StructType, parse_type, widening


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


def _scope_report(ctx: AnalysisContext, schema_ids: list[str]) -> tuple[dict[str, list[str]], Affected]:
    """What a dropped scope holds, and the views outside it that read it (views inside go with it:
    they no longer exist afterwards, so lineage does not count them)."""
    contents = ctx.schema_contents(schema_ids)
    return contents, ctx.views_reading(contents["table"] + contents["view"])


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
