"""Each engine's identifier rules belong to its capabilities, checked when the plan is built (issue 16
item 6): a name open-source Spark refuses is named in the plan, not at statement 12 of a deployment."""

from __future__ import annotations

import pytest

import schemax
from schemax.adapters.memory import MemoryStore
from schemax.core.model import State
from schemax.plan import OSS_DELTA, UNITY_CATALOG
from schemax.plan.plan import build_plan
from schemax.plan.statements import Target


def _design(table: str = "orders", view: str = "big_orders") -> schemax.Project:
    p = schemax.Project.create(None, "p", store=MemoryStore(), author="t")
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    columns = [schemax.Column("id", "BIGINT"), schemax.Column("ünï code", "INT")]
    p.create_table(f"shop.sales.`{table}`", columns)
    p.create_view(f"shop.sales.`{view}`", f"SELECT id FROM shop.sales.`{table}`")
    return p


@pytest.mark.parametrize("name, refused", [("orders", False), ("Orders_2", False), ("tàble", True),
                                            ("t-able", True), ("t able", True), ("日本", True)])
def test_names_open_source_spark_refuses(name: str, refused: bool) -> None:
    assert OSS_DELTA.refuses_name(name) is refused
    assert UNITY_CATALOG.refuses_name(name) is False


def test_a_plan_for_open_source_spark_names_each_refused_name_and_nothing_runs() -> None:
    p = _design("tàble", "v-1")
    target = Target(catalogs={"shop": "spark_catalog"})
    plan = build_plan(State(), p.state(), target, capabilities=OSS_DELTA)
    refused = [r for _, r in plan.unsupported if "letters, digits and _" in r]
    assert [r.rsplit(": ", 1)[1] for r in refused] == ["table 'tàble'", "view 'v-1'"]
    # a column may hold any printable name (column mapping), so it is not refused
    assert not [r for _, r in plan.unsupported if "ünï code" in r]
    on_uc = build_plan(State(), p.state(), target, capabilities=UNITY_CATALOG)
    assert on_uc.unsupported == ()


def test_a_schema_is_checked_by_its_physical_name_and_a_rename_by_its_new_name() -> None:
    p = _design()
    prefixed = Target(catalogs={"shop": "spark_catalog"}, schema_prefix="dev-")
    plan = build_plan(State(), p.state(), prefixed, capabilities=OSS_DELTA)
    assert [r.rsplit(": ", 1)[1] for _, r in plan.unsupported] == ["schema 'dev-sales'"]
    before = p.state()
    p.rename_table("shop.sales.orders", "ördërs")
    spark = Target(catalogs={"shop": "spark_catalog"})
    renamed = build_plan(before, p.state(), spark, capabilities=OSS_DELTA)
    assert [r.rsplit(": ", 1)[1] for _, r in renamed.unsupported if "letters" in r] == ["table 'ördërs'"]
    # an object that keeps a name the engine already holds is not refused again
    p2 = build_plan(p.state(), p.state(), Target(catalogs={"shop": "spark_catalog"}), capabilities=OSS_DELTA)
    assert p2.unsupported == ()
