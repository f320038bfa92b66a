"""Delta table properties compared the way Delta compares them, and the table features they switch on.

The Databricks SQL reference says table property keys are case sensitive
(https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-tblproperties.html: "Property keys
must be unique and are case sensitive."), but Delta rewrites every known ``delta.<x>`` key, in any casing,
to its canonical spelling and lower-cases ``delta.feature.*`` keys (delta-io/delta ``DeltaConfig.scala``,
``case lKey if lKey.startsWith(TableFeatureProtocolUtils.FEATURE_PROP_PREFIX) => lKey -> value``; UC-34 in
the project's Unity Catalog facts). So ``delta.*`` keys are compared case-insensitively here and every other
key exactly. The renderer (:mod:`schemax.plan.render`), the analyzers (:mod:`schemax.analyze.rules`) and
the Project API all decide "does this table have the feature" through this one module, so a statement that
upgrades a table's protocol and the finding that warns about it can never disagree.

Pure: no engine imports.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schemax.core import kinds
from schemax.core.model import State, Table
from schemax.core.types import requires_type_widening

#: https://docs.databricks.com/delta/column-mapping.html (UC-51)
COLUMN_MAPPING = "delta.columnMapping.mode"
#: https://learn.microsoft.com/en-in/azure/databricks/delta/type-widening (UC-52)
TYPE_WIDENING = "delta.enableTypeWidening"
#: https://docs.delta.io/delta-default-columns (UC-53); ``supported`` is what Delta reads back
COLUMN_DEFAULTS = "delta.feature.allowColumnDefaults"
FEATURE_PREFIX = "delta.feature."
_DELTA_PREFIX = "delta."
# Characters Delta refuses in column names unless column mapping is on (its own error message lists them).
_NEEDS_MAPPING = frozenset(" ,;{}()\n\t=")


def property_key(key: str) -> str:
    """The form two keys are compared in: ``delta.*`` keys lower-cased, any other key as written."""
    low = key.lower()
    return low if low.startswith(_DELTA_PREFIX) else key


def same_key(a: str, b: str) -> bool:
    """True when Delta reads ``a`` and ``b`` as the same table property."""
    return property_key(a) == property_key(b)


def delta_property(props: Mapping[str, str], key: str) -> str | None:
    """The value ``props`` holds for ``key`` as Delta reads it (``None`` when absent).

    The key spelled exactly wins; otherwise the first matching spelling in sorted key order, so the answer
    never depends on the order a dict was built in.
    """
    if key in props:
        return props[key]
    wanted = property_key(key)
    for k in sorted(props):
        if property_key(k) == wanted:
            return props[k]
    return None


def matching_key(props: Mapping[str, str], key: str) -> str | None:
    """The spelling under which ``props`` holds ``key`` (see :func:`delta_property`), or ``None``."""
    if key in props:
        return key
    wanted = property_key(key)
    return next((k for k in sorted(props) if property_key(k) == wanted), None)


def is_true(value: str | None) -> bool:
    return value is not None and value.strip().lower() == "true"


def enables_feature(value: str | None) -> bool:
    """A ``delta.feature.<name>`` value that turns the feature on: ``supported`` (or ``enabled``)."""
    return value is not None and value.strip().lower() in ("supported", "enabled")


def is_mapping_mode(value: str | None) -> bool:
    """A ``delta.columnMapping.mode`` value that turns column mapping on."""
    return value is not None and value.strip().lower() in ("name", "id")


def feature_on(props: Mapping[str, str], feature: str) -> bool:
    """``delta.feature.<feature>`` is set to a value that enables it (any casing of the key)."""
    return enables_feature(delta_property(props, FEATURE_PREFIX + feature))


def column_mapping_on(props: Mapping[str, str]) -> bool:
    return is_mapping_mode(delta_property(props, COLUMN_MAPPING))


def type_widening_enabled(props: Mapping[str, str]) -> bool:
    """``delta.enableTypeWidening`` is true: what an in-place ``ALTER COLUMN … TYPE`` needs."""
    return is_true(delta_property(props, TYPE_WIDENING))


def type_widening_on(props: Mapping[str, str]) -> bool:
    """The typeWidening feature is in the table's protocol (enabled, or only declared supported)."""
    return type_widening_enabled(props) or feature_on(props, "typeWidening")


def column_defaults_on(props: Mapping[str, str]) -> bool:
    return feature_on(props, "allowColumnDefaults")


def needs_column_mapping(column_name: str) -> bool:
    """A column name Delta accepts only with column mapping on."""
    return any(ch in _NEEDS_MAPPING for ch in column_name)


def mapping_in_effect(table: Table) -> bool:
    """Column mapping is on for ``table``: by its property, or because a column has a name Delta accepts
    only with mapping on (so the table that holds it has mapping, whatever the recorded properties say)."""
    return column_mapping_on(table.properties) or any(needs_column_mapping(c.name) for c in table.columns)


def defaults_in_effect(table: Table) -> bool:
    """The allowColumnDefaults feature is on for ``table``: by its property, or because a column already
    has a DEFAULT (Delta refuses a DEFAULT without the feature, so the table that holds one has it)."""
    return column_defaults_on(table.properties) or any(c.default for c in table.columns)


def with_features(state: State, features: Mapping[str, Mapping[str, str]]) -> State:
    """``state`` with the table features an environment already has (table id -> {key: value}: the
    protocol upgrades earlier deployments made) among each table's properties.

    A key the table's properties already hold, in any casing Delta reads as the same key, is left as the
    design has it. Tables not in ``state`` are ignored; ids are unchanged.
    """
    tables = {}
    for tid, props in features.items():
        table = state.tables.get(tid)
        if table is None:
            continue
        missing = {k: v for k, v in props.items() if matching_key(table.properties, k) is None}
        if missing:
            tables[tid] = table.evolve(properties={**table.properties, **missing})
    if not tables:
        return state
    # a new State (not model_copy): State caches indexes holding the old table objects
    maps: dict[str, Any] = {k.state_field: dict(getattr(state, k.state_field)) for k in kinds.top_level()}
    maps["tables"].update(tables)
    return State(**maps)


def upgrades_for(table: Table, kind: str, target: str, payload: Mapping[str, Any]) -> dict[str, str]:
    """The Delta feature properties an op of ``kind`` on ``table`` needs and the table does not have.

    They are not recorded in the design (a rename undone in the same plan would keep column mapping
    there): the renderer adds the upgrade itself (:func:`schemax.plan.render.units._features`), and a
    deployment remembers the upgrades it made per environment (``DeploymentRecord.features``), which the
    environment's next plans see through :func:`with_features`.

    * column mapping: RENAME and DROP COLUMN, and a column name Delta accepts only with it
      (https://docs.databricks.com/delta/column-mapping.html);
    * type widening: a type change that is an in-place widening under the open-source Delta rules, which
      Databricks allows too (https://learn.microsoft.com/en-in/azure/databricks/delta/type-widening). A
      widening only Databricks allows (INT to DOUBLE) is a rewrite on open-source Delta, whose new table
      must not get the feature: that one is left to the renderer, which knows the engine;
    * column defaults: a column given a DEFAULT (https://docs.delta.io/delta-default-columns).
    """
    if table.format.upper() != "DELTA":
        return {}
    out: dict[str, str] = {}
    mapping = kind in ("rename_column", "drop_column") or (
        kind == "add_column" and needs_column_mapping(str(payload.get("name", "")))
    )
    if mapping and not mapping_in_effect(table):
        out[COLUMN_MAPPING] = "name"
    if kind == "change_column_type" and not type_widening_enabled(table.properties):
        col = table.column(target)
        try:
            widens = col is not None and requires_type_widening(col.type, str(payload["type"]), rules="delta")
        except (KeyError, ValueError):  # a type the parser does not know: the op itself is refused
            widens = False
        if widens:
            out[TYPE_WIDENING] = "true"
    if (
        kind in ("add_column", "set_column_default")
        and payload.get("default") is not None
        and not defaults_in_effect(table)
    ):
        out[COLUMN_DEFAULTS] = "supported"
    return out


__all__ = [
    "COLUMN_DEFAULTS",
    "COLUMN_MAPPING",
    "FEATURE_PREFIX",
    "TYPE_WIDENING",
    "column_defaults_on",
    "column_mapping_on",
    "defaults_in_effect",
    "delta_property",
    "enables_feature",
    "feature_on",
    "is_mapping_mode",
    "is_true",
    "mapping_in_effect",
    "matching_key",
    "needs_column_mapping",
    "property_key",
    "same_key",
    "type_widening_enabled",
    "type_widening_on",
    "upgrades_for",
    "with_features",
]
