"""schemax.core.delta_properties: delta.* keys compared the way Delta compares them (UC-34), the feature
predicates the renderer, the analyzers and the Project API share, and what an op needs recorded."""

from __future__ import annotations

import pytest

import schemax
from schemax.core.delta_properties import (
    COLUMN_DEFAULTS,
    COLUMN_MAPPING,
    TYPE_WIDENING,
    column_defaults_on,
    column_mapping_on,
    defaults_in_effect,
    delta_property,
    mapping_in_effect,
    matching_key,
    property_key,
    same_key,
    type_widening_enabled,
    type_widening_on,
    upgrades_for,
    with_features,
)
from schemax.core.model import Column, Table


def table(props: dict[str, str] | None = None, *cols: Column, fmt: str = "DELTA") -> Table:
    columns = cols or (Column(id="col_1", name="a", type="INT"),)
    return Table(id="tbl_1", schema_id="sch_1", name="t", format=fmt, columns=columns, properties=props or {})


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("delta.columnMapping.mode", "delta.columnmapping.mode", True),
        ("Delta.Feature.AllowColumnDefaults", "delta.feature.allowcolumndefaults", True),
        ("delta.enableTypeWidening", "DELTA.ENABLETYPEWIDENING", True),
        ("owner", "Owner", False),  # not a delta.* key: as the SQL reference says, case sensitive
        ("delta.a", "delta.b", False),
    ],
)
def test_same_key(a: str, b: str, same: bool) -> None:
    assert same_key(a, b) is same
    assert (property_key(a) == property_key(b)) is same


def test_delta_property_prefers_the_exact_spelling_and_is_order_independent() -> None:
    assert delta_property({"delta.columnmapping.mode": "name"}, COLUMN_MAPPING) == "name"
    both = {"delta.COLUMNMAPPING.mode": "id", COLUMN_MAPPING: "name"}
    assert delta_property(both, COLUMN_MAPPING) == "name"
    assert delta_property(dict(reversed(list(both.items()))), COLUMN_MAPPING) == "name"
    assert delta_property({"Owner": "x"}, "owner") is None
    assert matching_key({"delta.ENABLETYPEWIDENING": "true"}, TYPE_WIDENING) == "delta.ENABLETYPEWIDENING"


def test_feature_predicates() -> None:
    assert column_mapping_on({"delta.columnmapping.mode": "Name"})
    assert not column_mapping_on({COLUMN_MAPPING: "none"})
    assert type_widening_enabled({"delta.enabletypewidening": "TRUE"})
    assert type_widening_on({"delta.feature.typewidening": "supported"})
    assert not type_widening_enabled({"delta.feature.typewidening": "supported"})  # ALTER TYPE needs the flag
    assert column_defaults_on({"delta.feature.allowcolumndefaults": "enabled"})
    assert not column_defaults_on({"delta.feature.allowcolumndefaults": "disabled"})


def test_what_the_columns_show() -> None:
    assert mapping_in_effect(table({}, Column(id="c", name="a b", type="INT")))
    assert defaults_in_effect(table({}, Column(id="c", name="a", type="INT", default="1")))
    assert not mapping_in_effect(table()) and not defaults_in_effect(table())


def test_upgrades_for() -> None:
    t = table({}, Column(id="col_1", name="a", type="INT"))
    assert upgrades_for(t, "rename_column", "col_1", {"name": "b"}) == {COLUMN_MAPPING: "name"}
    assert upgrades_for(t, "drop_column", "col_1", {}) == {COLUMN_MAPPING: "name"}
    assert upgrades_for(t, "add_column", "col_2", {"name": "x y", "default": "1"}) == {
        COLUMN_MAPPING: "name",
        COLUMN_DEFAULTS: "supported",
    }
    assert upgrades_for(t, "set_column_default", "col_1", {"default": "1"}) == {COLUMN_DEFAULTS: "supported"}
    assert upgrades_for(t, "set_column_default", "col_1", {"default": None}) == {}
    assert upgrades_for(t, "change_column_type", "col_1", {"type": "BIGINT"}) == {TYPE_WIDENING: "true"}
    assert upgrades_for(t, "change_column_type", "col_1", {"type": "DOUBLE"}) == {}  # Databricks only
    assert upgrades_for(t, "change_column_type", "col_1", {"type": "STRING"}) == {}  # a rewrite
    assert upgrades_for(t, "change_column_type", "col_1", {"type": "NOT A TYPE"}) == {}
    mapped = table({"delta.columnmapping.mode": "name"})
    assert upgrades_for(mapped, "rename_column", "col_1", {"name": "b"}) == {}
    assert upgrades_for(table({}, fmt="PARQUET"), "drop_column", "col_1", {}) == {}


def test_with_features_joins_what_the_design_does_not_spell() -> None:
    p = schemax.Project.in_memory("f")
    p.create_catalog("c")
    p.create_schema("c.s")
    p.create_table("c.s.t", [schemax.Column("a", "INT")], properties={"delta.COLUMNMAPPING.mode": "id"})
    p.create_table("c.s.u", [schemax.Column("a", "INT")])
    state = p.state()
    t, u = state.find("c.s.t"), state.find("c.s.u")
    assert t is not None and u is not None
    got = with_features(state, {t: {COLUMN_MAPPING: "name", TYPE_WIDENING: "true"},
                                u: {COLUMN_MAPPING: "name"}, "tbl_gone": {COLUMN_MAPPING: "name"}})
    # a key the design holds in any casing is the design's
    assert got.tables[t].properties == {"delta.COLUMNMAPPING.mode": "id", TYPE_WIDENING: "true"}
    assert got.tables[u].properties == {COLUMN_MAPPING: "name"}
    assert got.column_owner(got.tables[u].columns[0].id) == got.tables[u]  # indexes of the new tables
    assert with_features(state, {}) is state and state.tables[u].properties == {}
