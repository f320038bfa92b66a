"""core/naming.py: the one logical <-> physical naming (catalog mapping, schema prefix, case rules)."""

from __future__ import annotations

import schemax
from schemax.core.environment import Environment
from schemax.core.naming import Naming, case_conflicts
from schemax.plan.statements import Target


def test_catalog_keys_match_in_any_case_the_exact_key_first() -> None:
    naming = Naming({"Shop": "dev_shop", "other": "x"}, "pr1_")
    assert naming.catalog("shop") == naming.catalog("SHOP") == "dev_shop"
    assert naming.catalog("elsewhere") == "elsewhere"
    assert naming.physical(("shop", "sales", "orders", "id")) == ("dev_shop", "pr1_sales", "orders", "id")
    both = Naming({"shop": "a", "SHOP": "b"})
    assert both.catalog("shop") == "a" and both.catalog("SHOP") == "b"  # spelled exactly: that one
    assert both.catalog("Shop") == "b"  # else the first key in sorted order ("SHOP" < "shop")
    assert case_conflicts({"shop": "a", "SHOP": "b", "x": "y"}) == [("SHOP", "shop")]


def test_target_and_environment_name_alike() -> None:
    catalogs = {"Shop": "dev_shop"}
    target = Target(catalogs=catalogs, schema_prefix="p_")
    env = Environment(name="dev", catalogs=catalogs, schema_prefix="p_")
    for logical in ("shop", "Shop", "SHOP", "other"):
        assert target.catalog(logical) == env.physical_catalog(logical) == env.naming.catalog(logical)
    assert target.schema("s") == env.physical_schema("s") == "p_s"


def test_inverse_reads_physical_names_back() -> None:
    naming = Naming({"shop": "dev_shop"}, "pr1_")
    assert naming.logical_catalog("DEV_SHOP") == "shop"
    assert naming.logical_catalog("samples") == "samples"
    assert naming.logical_schema("pr1_sales") == "sales"
    assert naming.logical_schema("pr2_sales") is None and naming.unprefixed("pr2_sales") == "pr2_sales"
    assert Naming({}, "").logical_schema("sales") == "sales"
    assert naming.physical_catalogs() == ["dev_shop"]


def test_parts_name_and_state_mapping() -> None:
    p = schemax.Project.in_memory("n")
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.create_table("shop.sales.orders", [schemax.Column("id", "BIGINT")])
    state = p.state()
    tid = state.find("shop.sales.orders")
    assert tid is not None
    naming = Naming({"SHOP": "dev_shop"}, "pr1_")
    assert naming.parts(state, tid) == ("dev_shop", "pr1_sales", "orders")
    assert naming.name(state, tid) == "`dev_shop`.`pr1_sales`.`orders`"
    assert naming.map_state(state).full_name(tid) == "dev_shop.pr1_sales.orders"
    assert Naming().map_state(state) is state
