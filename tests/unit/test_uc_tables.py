"""Unity Catalog fidelity for table-level statements (issue 10, part 2): the copy-and-swap rewrite of an
external table, a rewrite of a table with primary/foreign keys, protocol upgrades an earlier deployment
made, and ``delta.*`` property keys in any casing. Each test fails on the planner before these fixes."""

from __future__ import annotations

import re

import pytest

import schemax
from schemax.adapters.memory import MemoryStore
from schemax.core.model import State
from schemax.plan import OSS_DELTA, UNITY_CATALOG, Plan, plan

COL = schemax.Column
ORDERS = "shop.sales.orders"
CUSTOMERS = "shop.sales.customers"


def shop() -> schemax.Project:
    """customers (primary key) <- orders (foreign key, a CHECK), as the golden cases' shop."""
    p = schemax.Project.create(None, "t", store=MemoryStore(), author="unit")
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.create_table(CUSTOMERS, [COL("id", "BIGINT", nullable=False), COL("name", "STRING")])
    p.add_primary_key(CUSTOMERS, ["id"])
    p.create_table(
        ORDERS,
        [
            COL("id", "BIGINT", nullable=False),
            COL("customer_id", "BIGINT"),
            COL("status", "STRING"),
            COL("qty", "INT"),
            COL("amount", "DECIMAL(10,2)"),
            COL("note", "STRING"),
        ],
    )
    p.add_foreign_key(ORDERS, ["customer_id"], CUSTOMERS, ["id"])
    return p


def codes(pl: Plan) -> list[str]:
    return [f.code for f in pl.findings]


def sqls(pl: Plan) -> list[str]:
    return [s.sql for s in pl.statements]


def upgrades(pl: Plan, key: str) -> list[str]:
    """Statements that set ``key`` (compared the way Delta compares delta.* keys)."""
    return [s for s in sqls(pl) if "SET TBLPROPERTIES" in s and f"'{key.lower()}'" in s.lower()]


# --- the copy-and-swap rewrite of an EXTERNAL table (D6, UC-21) ------------------------------------


@pytest.mark.parametrize(
    ("caps", "catalogs"), [(UNITY_CATALOG, {"shop": "dev_shop"}), (OSS_DELTA, {"shop": "spark_catalog"})]
)
def test_rewriting_an_external_table_is_refused_on_every_engine(caps: object, catalogs: dict) -> None:
    p = schemax.Project.create(None, "t", store=MemoryStore(), author="unit")
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.create_table(
        "shop.sales.clicks",
        [("ts", "TIMESTAMP"), ("day", "DATE")],
        table_type="EXTERNAL",
        location="s3://bucket/clicks",
    )
    a = p.state()
    p.set_partition_by("shop.sales.clicks", ["day"])
    pl = plan(a, p.state(), catalogs=catalogs, capabilities=caps)  # type: ignore[arg-type]
    refused = [(s, r) for s, r in pl.unsupported if "__sx_new_" in s.sql]
    assert len(refused) == 1 and not pl.runnable
    stmt, reason = refused[0]
    assert stmt.sql.startswith("CREATE OR REPLACE TABLE")
    assert "shop.sales.clicks" in reason and "EXTERNAL" in reason and "'s3://bucket/clicks'" in reason
    assert "https://docs.databricks.com/data-governance/unity-catalog/paths.html" in reason


def test_a_managed_table_rewrite_still_runs() -> None:
    p = shop()
    a = p.state()
    p.set_partition_by(ORDERS, ["status"])
    assert plan(a, p.state()).runnable


# --- a rewrite of a table with primary/foreign keys (D7, UC-16, UC-18) ------------------------------

_DROP = re.compile(r"^ALTER TABLE (\S+) DROP CONSTRAINT IF EXISTS `([^`]+)`$")
_ADD_KEY = re.compile(r"^ALTER TABLE (\S+) ADD CONSTRAINT `([^`]+)` (PRIMARY KEY|FOREIGN KEY)")


def held_key_names(state: State) -> set[str]:
    return {c.name for t in state.tables.values() for c in t.constraints if c.kind != "check"}


def assert_no_key_name_held_twice(before: State, pl: Plan) -> list[str]:
    """Walk the statements in order, as Unity Catalog keys PK/FK names: per schema (one schema here)."""
    held = held_key_names(before)
    added = []
    for sql in sqls(pl):
        if m := _DROP.match(sql):
            held.discard(m.group(2))
        elif m := _ADD_KEY.match(sql):
            assert m.group(2) not in held, f"{m.group(2)} is still held when {sql!r} runs"
            held.add(m.group(2))
            added.append(m.group(2))
    return added


def test_a_rewritten_table_gives_up_its_key_names_before_the_new_table_takes_them() -> None:
    p = shop()
    a = p.state()
    p.set_partition_by(ORDERS, ["status"])
    pl = plan(a, p.state(), catalogs={"shop": "dev_shop"})
    assert assert_no_key_name_held_twice(a, pl) == ["orders_customer_id_fk"]


def test_foreign_keys_of_other_tables_are_dropped_first_and_repointed_after_the_swap() -> None:
    p = shop()
    a = p.state()
    p.set_partition_by(CUSTOMERS, ["name"])
    pl = plan(a, p.state(), catalogs={"shop": "dev_shop"})
    s = sqls(pl)
    assert assert_no_key_name_held_twice(a, pl) == ["customers_pk", "orders_customer_id_fk"]
    child_drop = s.index(
        "ALTER TABLE `dev_shop`.`sales`.`orders` DROP CONSTRAINT IF EXISTS `orders_customer_id_fk`"
    )
    pk_drop = s.index("ALTER TABLE `dev_shop`.`sales`.`customers` DROP CONSTRAINT IF EXISTS `customers_pk`")
    swap = next(i for i, x in enumerate(s) if x.endswith("RENAME TO `customers`"))
    readd = next(i for i, x in enumerate(s) if "ADD CONSTRAINT `orders_customer_id_fk`" in x)
    assert child_drop < pk_drop < swap < readd
    assert s[readd].endswith("REFERENCES `dev_shop`.`sales`.`customers` (`id`)")
    # undone, the keys come back on the old table, the primary key before the foreign key that needs it
    back = pl.reverse_sql()
    assert back.index("ADD CONSTRAINT `customers_pk`") < back.rindex("ADD CONSTRAINT `orders_customer_id_fk`")


def test_a_foreign_key_between_two_rewritten_tables_is_added_back_once() -> None:
    p = shop()
    a = p.state()
    p.set_partition_by(CUSTOMERS, ["name"])
    p.change_column_type(ORDERS, "status", "INT")  # not a widening: orders is rewritten too
    pl = plan(a, p.state(), catalogs={"shop": "dev_shop"})
    assert sorted(assert_no_key_name_held_twice(a, pl)) == ["customers_pk", "orders_customer_id_fk"]


def test_a_new_foreign_key_on_a_rewritten_table_is_added_once() -> None:
    p = shop()
    p.create_table("shop.sales.channels", [COL("code", "STRING", nullable=False)])
    p.add_primary_key("shop.sales.channels", ["code"])
    a = p.state()
    p.add_column(ORDERS, "channel", "STRING")
    p.add_foreign_key(ORDERS, ["channel"], "shop.sales.channels", ["code"], name="orders_channel_fk")
    p.set_partition_by(ORDERS, ["status"])
    pl = plan(a, p.state())
    assert [x for x in sqls(pl) if "ADD CONSTRAINT `orders_channel_fk`" in x] == [
        "ALTER TABLE `shop`.`sales`.`orders` ADD CONSTRAINT `orders_channel_fk` FOREIGN KEY (`channel`) "
        "REFERENCES `shop`.`sales`.`channels` (`code`)"
    ]
    assert_no_key_name_held_twice(a, pl)


def test_an_engine_without_keys_moves_none() -> None:
    p = schemax.Project.create(None, "t", store=MemoryStore(), author="unit")
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.create_table(ORDERS, [COL("id", "BIGINT", nullable=False), COL("status", "STRING")])
    p.add_primary_key(ORDERS, ["id"])  # in the design, but open-source Delta has no such constraint
    a = p.state()
    p.set_partition_by(ORDERS, ["status"])
    pl = plan(a, p.state(), catalogs={"shop": "spark_catalog"}, capabilities=OSS_DELTA)
    assert not any("DROP CONSTRAINT" in x for x in sqls(pl))


# --- a table feature the design (or the deployed state) already holds is not upgraded again --------


def test_a_design_that_records_the_property_renders_what_one_that_does_not_renders() -> None:
    # the upgrade statement, its place, its note and the findings are the same whether the design holds
    # the property or not: nothing is set twice
    p = shop()
    a = p.state()
    p.set_table_properties(ORDERS, {"delta.columnMapping.mode": "name"})
    p.rename_column(ORDERS, "note", "remark")
    recorded = p.state()
    orders = recorded.tables[recorded.find(ORDERS)]  # type: ignore[index]
    bare = recorded.model_copy(
        update={"tables": {**recorded.tables, orders.id: orders.model_copy(update={"properties": {}})}}
    )
    with_prop, without = plan(a, recorded), plan(a, bare)
    assert sqls(with_prop) == sqls(without)
    assert [s.note for s in with_prop.statements] == [s.note for s in without.statements]
    assert codes(with_prop) == codes(without) == ["SX201", "SX401"]


# --- delta.* property keys compared the way Delta compares them (D10, UC-34) ------------------------


def test_a_mapping_key_in_another_case_is_mapping_already() -> None:
    p = shop()
    p.set_table_properties(ORDERS, {"delta.columnmapping.mode": "name"})
    a = p.state()
    p.rename_column(ORDERS, "note", "remark")
    pl = plan(a, p.state())
    assert upgrades(pl, "delta.columnMapping.mode") == [] and "SX401" not in codes(pl)


def test_a_design_spelling_the_key_in_another_case_gets_one_upgrade_and_one_finding() -> None:
    p = shop()
    a = p.state()
    p.set_table_properties(ORDERS, {"delta.COLUMNMAPPING.MODE": "name"})
    p.rename_column(ORDERS, "note", "remark")
    pl = plan(a, p.state())
    s = sqls(pl)
    assert upgrades(pl, "delta.columnMapping.mode") == [
        "ALTER TABLE `shop`.`sales`.`orders` SET TBLPROPERTIES ('delta.COLUMNMAPPING.MODE' = 'name')"
    ]
    assert s.index(upgrades(pl, "delta.columnMapping.mode")[0]) < next(
        i for i, x in enumerate(s) if "RENAME COLUMN" in x
    )
    assert codes(pl).count("SX401") == 1


def test_type_widening_and_column_defaults_keys_in_another_case() -> None:
    p = shop()
    p.set_table_properties(
        ORDERS, {"delta.enabletypewidening": "true", "delta.feature.allowcolumndefaults": "supported"}
    )
    a = p.state()
    p.change_column_type(ORDERS, "qty", "BIGINT")
    p.add_column(ORDERS, "channel", "STRING", default="'web'")
    pl = plan(a, p.state())
    assert upgrades(pl, "delta.enableTypeWidening") == []
    assert upgrades(pl, "delta.feature.allowColumnDefaults") == []
    assert "SX402" not in codes(pl) and "SX404" not in codes(pl)


def test_create_table_sets_a_feature_once_whatever_the_designs_casing() -> None:
    p = schemax.Project.create(None, "t", store=MemoryStore(), author="unit")
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    a = p.state()
    p.create_table(
        ORDERS,
        [COL("id", "BIGINT"), COL("status", "STRING", default="'new'")],
        properties={"delta.feature.allowcolumndefaults": "supported"},
    )
    create = sqls(plan(a, p.state()))[0]
    assert create.lower().count("delta.feature.allowcolumndefaults") == 1


# --- a finding is never missing for a statement that upgrades the protocol --------------------------

_FEATURE_CODES = {"column_mapping": "SX401", "type_widening": "SX402", "column_default": "SX404"}


def assert_every_upgrade_is_flagged(pl: Plan) -> None:
    for st in pl.statements:
        if "SET TBLPROPERTIES" in st.sql and st.capability in _FEATURE_CODES:
            assert _FEATURE_CODES[st.capability] in codes(pl), st.sql


def test_a_new_column_whose_name_needs_mapping_is_flagged() -> None:
    p = shop()
    a = p.state()
    p.add_column(ORDERS, "order date", "DATE")
    pl = plan(a, p.state())
    assert len(upgrades(pl, "delta.columnMapping.mode")) == 1
    assert_every_upgrade_is_flagged(pl)


def test_what_a_table_holds_shows_the_features_it_has() -> None:
    # a column name Delta accepts only with mapping, or a DEFAULT, exists only on a table with the feature
    p = schemax.Project.create(None, "t", store=MemoryStore(), author="unit")
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.create_table(
        ORDERS, [COL("order id", "BIGINT"), COL("status", "STRING", default="'new'"), COL("n", "INT")]
    )
    a = p.state()
    p.rename_column(ORDERS, "n", "m")
    p.add_column(ORDERS, "channel", "STRING", default="'web'")
    pl = plan(a, p.state())
    assert [s for s in sqls(pl) if "SET TBLPROPERTIES" in s] == []
    assert "SX401" not in codes(pl) and "SX404" not in codes(pl)


@pytest.mark.parametrize(
    "change",
    [
        lambda p: p.rename_column(ORDERS, "note", "remark"),
        lambda p: p.drop_column(ORDERS, "note"),
        lambda p: p.change_column_type(ORDERS, "qty", "BIGINT"),
        lambda p: p.set_column_default(ORDERS, "status", "'new'"),
        lambda p: p.add_column(ORDERS, "a;b", "INT", default="1"),
        lambda p: p.set_table_properties(ORDERS, {"Delta.ColumnMapping.Mode": "name"}),
        lambda p: p.set_table_properties(ORDERS, {"delta.ENABLETYPEWIDENING": "true"}),
        lambda p: p.set_table_properties(ORDERS, {"delta.feature.ALLOWCOLUMNDEFAULTS": "supported"}),
    ],
)
def test_every_protocol_upgrade_has_its_finding(change: object) -> None:
    p = shop()
    a = p.state()
    change(p)  # type: ignore[operator]
    pl = plan(a, p.state())
    assert_every_upgrade_is_flagged(pl)
    for key, code in (
        ("delta.columnMapping.mode", "SX401"),
        ("delta.enableTypeWidening", "SX402"),
        ("delta.feature.allowColumnDefaults", "SX404"),
    ):
        assert len(upgrades(pl, key)) <= 1 and codes(pl).count(code) == len(upgrades(pl, key)), key
