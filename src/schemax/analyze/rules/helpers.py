"""Helpers shared by the checks: table properties and Delta features, the state a change starts from,
type classification, wording, and what a dropped or renamed scope holds.
"""

from __future__ import annotations

from collections.abc import Iterator

from schemax.analyze.context import Affected, AnalysisContext
from schemax.core.changes import SetTableProperties
from schemax.core.delta_properties import (
    column_defaults_on,
    delta_property,
    enables_feature,
    feature_on,
    is_mapping_mode,
    is_true,
    mapping_in_effect,
    type_widening_on,
)
from schemax.core.model import Table
from schemax.core.types import ArrayType, DataType, MapType, PrimitiveType, StructType, parse_type, widening


def _prop(table: Table, key: str) -> str | None:
    # delta.* keys compared case-insensitively, as Delta does and as the renderer does, through one helper
    # (UC-34, https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-tblproperties.html)
    return delta_property(table.properties, key)


def _is_delta(table: Table) -> bool:
    return table.format.upper() == "DELTA"


def _truthy(value: str | None) -> bool:
    return is_true(value)


def _enables_feature(value: str | None) -> bool:
    """A ``delta.feature.<name>`` value that turns the feature on."""
    return enables_feature(value)


def _is_mapping_mode(value: str | None) -> bool:
    """A ``delta.columnMapping.mode`` value that turns column mapping on."""
    return is_mapping_mode(value)


def _feature_on(table: Table, feature: str) -> bool:
    return feature_on(table.properties, feature)


def _column_mapping_on(table: Table) -> bool:
    """Column mapping is on: by the property, or a column name that needs it shows it is
    (:func:`~schemax.core.delta_properties.mapping_in_effect`, what the renderer checks too)."""
    return mapping_in_effect(table)


def _type_widening_on(table: Table) -> bool:
    return type_widening_on(table.properties)


def _column_defaults_on(table: Table) -> bool:
    return column_defaults_on(table.properties)


def _sets(change: SetTableProperties) -> dict[str, str]:
    """The properties a change sets, keys lower-cased: every key a check looks up is a ``delta.*`` key,
    which Delta compares case-insensitively."""
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
