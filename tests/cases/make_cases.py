"""Golden planner cases: ``tests/cases/<name>/``: before/after/target JSON, expected.sql, findings.json.

Each case is a generator that builds a project with the Project API on a MemoryStore: everything before
its ``yield`` is the *before* state, everything after it the *after* state. Ids are fixed (a counter per
case) so the JSON files stay stable when the cases are rebuilt.

    python tests/cases/make_cases.py            # (re)write before/after/target JSON of every case
    SCHEMAX_UPDATE_GOLDEN=1 pytest tests/unit/test_plan_golden.py   # then rewrite expected.sql/findings.json

``expected.sql`` is ``plan.sql`` without the findings lines (findings.json pins the finding codes, so a
rewording in the analyzers does not churn every golden file).
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import itertools
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE.parents[1] / "src") not in sys.path:
    sys.path.insert(0, str(HERE.parents[1] / "src"))

import schemax  # noqa: E402
from schemax.adapters.memory import MemoryStore  # noqa: E402
from schemax.core.model import State  # noqa: E402
from schemax.plan import OSS_DELTA, UNITY_CATALOG, Plan, Target, Tracking, build_plan  # noqa: E402
from schemax.project import DESIGN_MODULES  # noqa: E402

COL = schemax.Column
CaseFn = Callable[[schemax.Project], Iterator[None]]
ChangeFn = Callable[[schemax.Project], None]
CASES: dict[str, tuple[CaseFn, dict[str, Any]]] = {}
DEFAULT_TARGET: dict[str, Any] = {
    "catalogs": {"shop": "dev_shop"},
    "schema_prefix": "",
    "engine": "unity_catalog",
    "tracking": False,
}
# the local Spark + Delta engine: one spark_catalog shared by every environment, told apart by prefix
LOCAL_ENGINE: dict[str, Any] = {
    "catalogs": {"shop": "spark_catalog"},
    "schema_prefix": "dev_",
    "engine": "oss_delta",
}
TRACKING = Tracking(
    version="1.1.0",
    snapshot_id="snap_0001",
    deployment_id="dep_0001",
    environment="dev",
    deployed_at="2025-01-02T03:04:05.000000Z",
)


def case(name: str, **target: Any) -> Callable[[CaseFn], CaseFn]:
    def register(fn: CaseFn) -> CaseFn:
        assert name not in CASES, name
        CASES[name] = (fn, {**DEFAULT_TARGET, **target})
        return fn

    return register


@contextlib.contextmanager
def fixed_ids() -> Iterator[None]:
    counter = itertools.count(1)
    modules = [importlib.import_module(name) for name in DESIGN_MODULES]
    originals = [m.new_id for m in modules]  # type: ignore[attr-defined]

    def fixed(prefix: str) -> str:
        return f"{prefix}_{next(counter):04d}"

    for m in modules:
        m.new_id = fixed  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for m, original in zip(modules, originals, strict=True):
            m.new_id = original  # type: ignore[attr-defined]


def build(name: str) -> tuple[State, State, dict[str, Any]]:
    fn, target = CASES[name]
    with fixed_ids():
        p = schemax.Project.create(None, name, store=MemoryStore(), author="golden")
        steps = fn(p)
        next(steps)
        before = p.state()
        for _ in steps:
            pass
        return before, p.state(), target


def plan_for(before: State, after: State, conf: dict[str, Any]) -> Plan:
    target = Target(
        catalogs=conf["catalogs"],
        schema_prefix=conf["schema_prefix"],
        tracking=TRACKING if conf["tracking"] else None,
        principals=conf.get("principals", {}),  # issue 11: only the cases that map principals say it
        variables=conf.get("variables"),  # issue 11: only the cases with location templates say it
    )
    caps = {"unity_catalog": UNITY_CATALOG, "oss_delta": OSS_DELTA}[conf["engine"]]
    return build_plan(before, after, target, capabilities=caps, from_version="1.0.0", to_version="1.1.0")


def golden_sql(plan: Plan) -> str:
    return dataclasses.replace(plan, findings=()).sql


def load(case_dir: Path) -> tuple[State, State, dict[str, Any]]:
    before = State.from_dict(json.loads((case_dir / "before.json").read_text(encoding="utf-8")))
    after = State.from_dict(json.loads((case_dir / "after.json").read_text(encoding="utf-8")))
    conf = {**DEFAULT_TARGET, **json.loads((case_dir / "target.json").read_text(encoding="utf-8"))}
    return before, after, conf


def _dump(value: Any) -> str:
    return json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def write(name: str) -> Path:
    before, after, conf = build(name)
    out = HERE / name
    out.mkdir(exist_ok=True)
    (out / "before.json").write_text(_dump(before.to_dict()), encoding="utf-8")
    (out / "after.json").write_text(_dump(after.to_dict()), encoding="utf-8")
    (out / "target.json").write_text(_dump(conf), encoding="utf-8")
    return out


# ---------------------------------------------------------------------------------------------------
# shared starting points
# ---------------------------------------------------------------------------------------------------


def shop(p: schemax.Project, *, mapped: bool = False) -> None:
    """shop.sales.{customers, orders} with a PK, an FK, a CHECK; mapped=True turns column mapping on."""
    props = {"delta.columnMapping.mode": "name"} if mapped else {}
    p.create_catalog("shop", comment="The shop")
    p.create_schema("shop.sales", comment="Sales data")
    p.create_table(
        "shop.sales.customers",
        [COL("id", "BIGINT", nullable=False), COL("name", "STRING"), COL("email", "STRING")],
        comment="Customers",
    )
    p.add_primary_key("shop.sales.customers", ["id"])
    p.create_table(
        "shop.sales.orders",
        [
            COL("id", "BIGINT", nullable=False, comment="Order id"),
            COL("customer_id", "BIGINT"),
            COL("status", "STRING"),
            COL("qty", "INT"),
            COL("amount", "DECIMAL(10,2)"),
            COL("note", "STRING"),
        ],
        comment="Orders",
        properties=dict(props),
    )
    p.add_foreign_key("shop.sales.orders", ["customer_id"], "shop.sales.customers", ["id"])
    p.add_check_constraint("shop.sales.orders", "qty_positive", "qty > 0")


def shop_case(name: str, *, mapped: bool = False, **target: Any) -> Callable[[ChangeFn], ChangeFn]:
    """A case whose *before* state is ``shop(p, mapped=mapped)`` and whose *after* state is the
    decorated function's changes on top of it."""

    def register(change: ChangeFn) -> ChangeFn:
        def steps(p: schemax.Project) -> Iterator[None]:
            shop(p, mapped=mapped)
            yield
            change(p)

        case(name, **target)(steps)
        return change

    return register


# ---------------------------------------------------------------------------------------------------
# catalogs and schemas
# ---------------------------------------------------------------------------------------------------


@case("create_everything_from_nothing")
def _(p: schemax.Project) -> Iterator[None]:
    yield
    shop(p)
    p.create_view("shop.sales.big_orders", "SELECT * FROM orders WHERE amount > 100")
    p.grant("shop.sales.orders", "analysts", ["SELECT"])


@case("create_catalog_with_location_tags_grants")
def _(p: schemax.Project) -> Iterator[None]:
    yield
    p.create_catalog("shop", comment="it's the shop", managed_location="s3://bucket/shop")
    p.set_tags("shop", {"owner": "team-a"})
    p.grant("shop", "data engineers", ["USE CATALOG", "CREATE SCHEMA"])


@shop_case("drop_catalog")
def _(p: schemax.Project) -> None:
    p.drop_catalog("shop")


@case("alter_catalog_comment_and_tags")
def _(p: schemax.Project) -> Iterator[None]:
    p.create_catalog("shop", comment="old")
    p.set_tags("shop", {"a": "1", "b": "2"})
    yield
    p.set_catalog_comment("shop", "new\nline")
    p.set_tags("shop", {"a": "one"})
    p.unset_tags("shop", ["b"])


@case("rename_catalog_unsupported")
def _(p: schemax.Project) -> Iterator[None]:
    p.create_catalog("shop")
    yield
    p.rename_catalog("shop", "store")


@case("rename_catalog_same_physical", catalogs={"shop": "prod", "store": "prod"})
def _(p: schemax.Project) -> Iterator[None]:
    p.create_catalog("shop")
    yield
    p.rename_catalog("shop", "store")


@case("rename_catalog_and_schema_in_one_plan", catalogs={"shop": "dev_shop", "store": "dev_store"})
def _(p: schemax.Project) -> Iterator[None]:
    # every statement names the catalog and schema as they are when it runs: the revoke before the renames
    # the old ones, the schema rename the renamed catalog, the table rename both new parents, later
    # statements the new names (the renames stay unsupported on Unity Catalog; their text is what a user
    # runs by hand, in this order)
    shop(p)
    p.grant("shop.sales.orders", "analysts", ["SELECT", "MODIFY"])
    p.create_volume("shop.sales.files")
    yield
    p.revoke("shop.sales.orders", "analysts", ["MODIFY"])
    p.rename_catalog("shop", "store")
    p.rename_schema("store.sales", "commerce")
    p.rename_table("store.commerce.customers", "clients")
    p.rename_volume("store.commerce.files", "inbox")
    p.add_column("store.commerce.orders", "channel", "STRING")


@case("create_schema_with_properties_and_location")
def _(p: schemax.Project) -> Iterator[None]:
    p.create_catalog("shop")
    yield
    p.create_schema(
        "shop.raw",
        comment="Raw 'landing' data",
        managed_location="s3://bucket/raw",
        properties={"owner.team": "ingest", "retention": "30d"},
    )
    p.set_tags("shop.raw", {"tier": "bronze"})


@case("alter_schema_comment_properties_tags")
def _(p: schemax.Project) -> Iterator[None]:
    p.create_catalog("shop")
    p.create_schema("shop.raw", comment="old", properties={"a": "1", "b": "2"})
    p.set_tags("shop.raw", {"tier": "bronze"})
    yield
    sid = p.state().find("shop.raw")
    p.set_schema_comment("shop.raw", None)
    p.unset_tags("shop.raw", ["tier"])
    p.set_tags("shop.raw", {"tier2": "silver"})
    assert sid


@case("drop_schema_with_everything_in_it")
def _(p: schemax.Project) -> Iterator[None]:
    shop(p)
    p.create_view("shop.sales.v1", "SELECT id FROM orders")
    p.create_view("shop.sales.v2", "SELECT id FROM v1")
    p.create_function("shop.sales.f", "x + 1", parameters="x INT", returns="INT")
    p.create_volume("shop.sales.files")
    yield
    p.drop_schema("shop.sales")


@case("rename_schema_unsupported")
def _(p: schemax.Project) -> Iterator[None]:
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    yield
    p.rename_schema("shop.sales", "commerce")


# ---------------------------------------------------------------------------------------------------
# tables
# ---------------------------------------------------------------------------------------------------


@case("create_table_with_every_feature")
def _(p: schemax.Project) -> Iterator[None]:
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.create_function("shop.sales.only_eu", "region = 'eu'", parameters="region STRING", returns="BOOLEAN")
    p.create_function("shop.sales.mask_email", "'***'", parameters="email STRING", returns="STRING")
    yield
    p.create_table(
        "shop.sales.events",
        [
            COL("id", "BIGINT", nullable=False, comment="Event id"),
            COL("region", "STRING", default="'eu'"),
            COL("email", "STRING", comment="PII: it's \\private\\", tags={"pii": "true"}),
            COL("day", "DATE", nullable=False),
        ],
        comment="Events\twith a tab",
        properties={"delta.enableChangeDataFeed": "true", "quality": "gold"},
        partition_by=["day"],
        tags={"domain": "sales"},
    )
    p.add_primary_key("shop.sales.events", ["id"])
    p.add_check_constraint("shop.sales.events", "id_positive", "id > 0")
    p.set_row_filter("shop.sales.events", "only_eu", ["region"])
    p.set_column_mask("shop.sales.events", "email", "shop.sales.mask_email")
    p.grant("shop.sales.events", "analysts", ["SELECT"])
    p.grant("shop.sales.events", "etl@corp.com", ["MODIFY", "SELECT"])


@case("create_table_clustered_external")
def _(p: schemax.Project) -> Iterator[None]:
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    yield
    p.create_table(
        "shop.sales.clicks",
        [("ts", "TIMESTAMP"), ("user_id", "BIGINT"), ("url", "STRING")],
        cluster_by=["user_id", "ts"],
        table_type="EXTERNAL",
        location="s3://bucket/clicks",
    )


@case("create_table_special_column_names")
def _(p: schemax.Project) -> Iterator[None]:
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    yield
    p.create_table("shop.sales.odd", [("order id", "BIGINT"), ("a`b", "STRING"), ("x;y", "INT")])


@case("drop_table")
def _(p: schemax.Project) -> Iterator[None]:
    shop(p)
    p.create_table("shop.sales.tmp", [("id", "INT")])
    yield
    p.drop_table("shop.sales.tmp")


@case("drop_tables_undrop_not_restore")
def _(p: schemax.Project) -> Iterator[None]:
    # UC-48/49/50: the note and SX102 speak of UNDROP TABLE (recovery window), never of RESTORE
    shop(p)
    p.create_table("shop.sales.raw", [("x", "INT")], table_type="EXTERNAL", location="s3://bucket/raw")
    yield
    p.drop_table("shop.sales.raw")
    p.drop_constraint("shop.sales.orders", "orders_customer_id_fk")
    p.drop_table("shop.sales.customers")


@shop_case("drop_referenced_table_drops_foreign_key_first")
def _(p: schemax.Project) -> None:
    p.drop_constraint("shop.sales.orders", "orders_customer_id_fk")
    p.drop_table("shop.sales.customers")


@shop_case("rename_table")
def _(p: schemax.Project) -> None:
    p.rename_table("shop.sales.orders", "orders_v2")
    p.add_column("shop.sales.orders_v2", "channel", "STRING")


@shop_case("rename_table_and_reuse_its_name")
def _(p: schemax.Project) -> None:
    p.rename_table("shop.sales.orders", "orders_archive")
    p.create_table("shop.sales.orders", [("id", "BIGINT"), ("total", "DECIMAL(12,2)")])


@shop_case("table_comment_set_and_unset")
def _(p: schemax.Project) -> None:
    p.set_table_comment("shop.sales.orders", 'All orders; -- even "cancelled" ones\nsince 2020')
    p.set_table_comment("shop.sales.customers", None)


@case("table_properties_folded")
def _(p: schemax.Project) -> Iterator[None]:
    shop(p)
    p.set_table_properties("shop.sales.orders", {"a": "1", "b": "2", "c": "3"})
    yield
    p.set_table_properties("shop.sales.orders", {"a": "one", "d": "it's \\d"})
    p.set_table_properties("shop.sales.orders", {"e": "5"})
    p.unset_table_properties("shop.sales.orders", ["b", "c"])


@case("table_tags")
def _(p: schemax.Project) -> Iterator[None]:
    shop(p)
    p.set_tags("shop.sales.orders", {"domain": "sales", "tier": "gold"})
    yield
    p.set_tags("shop.sales.orders", {"tier": "silver", "owner": "ana"})
    p.unset_tags("shop.sales.orders", ["domain"])


@case("cluster_by_auto_create_set_and_clear")
def _(p: schemax.Project) -> Iterator[None]:
    # issue 11: CLUSTER BY AUTO in CREATE TABLE, ALTER to AUTO from explicit keys, AUTO turned off
    shop(p)
    p.set_cluster_by("shop.sales.customers", ["id"])
    p.create_table("shop.sales.visits", [COL("id", "BIGINT"), COL("page", "STRING")], cluster_by="AUTO")
    yield
    p.create_table("shop.sales.events", [COL("id", "BIGINT"), COL("kind", "STRING")], cluster_by="AUTO")
    p.set_cluster_by("shop.sales.customers", "AUTO")
    p.set_cluster_by("shop.sales.visits", [])


@case("clustering_set_change_and_remove")
def _(p: schemax.Project) -> Iterator[None]:
    shop(p)
    p.set_cluster_by("shop.sales.customers", ["id"])
    yield
    p.set_cluster_by("shop.sales.orders", ["customer_id", "status"])
    p.set_cluster_by("shop.sales.customers", [])


@case("partitioning_change_rewrites_the_table")
def _(p: schemax.Project) -> Iterator[None]:
    shop(p)
    p.grant("shop.sales.orders", "analysts", ["SELECT"])
    yield
    p.set_partition_by("shop.sales.orders", ["status"])


@case("external_table_rewrite_refused")
def _(p: schemax.Project) -> Iterator[None]:
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.create_table(
        "shop.sales.clicks",
        [("ts", "TIMESTAMP"), ("day", "DATE"), ("url", "STRING")],
        table_type="EXTERNAL",
        location="s3://bucket/clicks",
    )
    yield
    # a copy and swap would need a second location for the data: refused, on every engine
    p.set_partition_by("shop.sales.clicks", ["day"])


@shop_case("rewrite_moves_keys_and_repoints_child_foreign_keys")
def _(p: schemax.Project) -> None:
    # customers is referenced by orders' foreign key: the key names move across the swap, and orders'
    # foreign key is dropped before customers' primary key and added back once the new table has it
    p.set_partition_by("shop.sales.customers", ["name"])


@shop_case("rewrite_of_a_referenced_and_a_referencing_table")
def _(p: schemax.Project) -> None:
    # both sides rewritten: orders' foreign key is added back once, by orders' own rewrite
    p.set_partition_by("shop.sales.customers", ["name"])
    p.change_column_type("shop.sales.orders", "status", "INT")


@case("row_filter_set_change_drop")
def _(p: schemax.Project) -> Iterator[None]:
    shop(p)
    p.set_row_filter("shop.sales.customers", "shop.sales.only_mine", ["id"])
    yield
    p.set_row_filter("shop.sales.orders", "only_open", ["status"])
    p.drop_row_filter("shop.sales.customers")


@shop_case("reorder_columns_fewest_moves")
def _(p: schemax.Project) -> None:
    p.reorder_columns("shop.sales.orders", ["customer_id", "status", "qty", "amount", "note", "id"])


@shop_case("tracking_properties_folded", tracking=True)
def _(p: schemax.Project) -> None:
    p.set_table_properties("shop.sales.orders", {"quality": "gold"})
    p.rename_table("shop.sales.customers", "clients")
    p.create_table("shop.sales.returns", [("id", "BIGINT"), ("order_id", "BIGINT")])


@shop_case("churn_collapses_to_nothing")
def _(p: schemax.Project) -> None:
    p.add_column("shop.sales.orders", "tmp", "STRING")
    p.rename_column("shop.sales.orders", "tmp", "tmp2")
    p.drop_column("shop.sales.orders", "tmp2")
    p.create_table("shop.sales.scratch", [("x", "INT")])
    p.drop_table("shop.sales.scratch")
    p.set_table_comment("shop.sales.orders", "changed")
    p.set_table_comment("shop.sales.orders", "Orders")


# ---------------------------------------------------------------------------------------------------
# columns
# ---------------------------------------------------------------------------------------------------


@shop_case("add_columns_trailing_folded")
def _(p: schemax.Project) -> None:
    p.add_column("shop.sales.orders", "channel", "STRING", comment="web, app or 'store'")
    p.add_column("shop.sales.orders", "placed_at", "TIMESTAMP")
    p.add_column("shop.sales.orders", "tags", "ARRAY<STRING>")


@shop_case("add_columns_positioned")
def _(p: schemax.Project) -> None:
    p.add_column("shop.sales.orders", "tenant", "STRING", first=True)
    p.add_column("shop.sales.orders", "currency", "STRING", after="amount")
    p.add_column("shop.sales.orders", "last", "INT")


@shop_case("add_not_null_column_with_default")
def _(p: schemax.Project) -> None:
    p.add_column("shop.sales.orders", "currency", "STRING", nullable=False, default="'EUR'")


@shop_case("add_not_null_column_without_default")
def _(p: schemax.Project) -> None:
    p.add_column("shop.sales.orders", "region", "STRING", nullable=False)


@shop_case("rename_column_enables_column_mapping")
def _(p: schemax.Project) -> None:
    p.rename_column("shop.sales.orders", "note", "remark")


@shop_case("rename_column_already_mapped", mapped=True)
def _(p: schemax.Project) -> None:
    p.rename_column("shop.sales.orders", "note", "remark")


@shop_case("swap_column_names", mapped=True)
def _(p: schemax.Project) -> None:
    p.rename_column("shop.sales.orders", "status", "tmp")
    p.rename_column("shop.sales.orders", "note", "status")
    p.rename_column("shop.sales.orders", "tmp", "note")


@shop_case("drop_columns_folded")
def _(p: schemax.Project) -> None:
    p.drop_column("shop.sales.orders", "note")
    p.drop_column("shop.sales.customers", "email")
    p.drop_column("shop.sales.orders", "status")


@shop_case("type_widening_enables_the_feature")
def _(p: schemax.Project) -> None:
    p.change_column_type("shop.sales.orders", "qty", "BIGINT")
    p.change_column_type("shop.sales.orders", "amount", "DECIMAL(12,2)")


@case("type_widening_already_enabled")
def _(p: schemax.Project) -> Iterator[None]:
    shop(p)
    p.set_table_properties("shop.sales.orders", {"delta.enableTypeWidening": "true"})
    yield
    p.change_column_type("shop.sales.orders", "qty", "BIGINT")


@case("type_change_rewrite_copy_and_swap")
def _(p: schemax.Project) -> Iterator[None]:
    shop(p)
    p.set_tags("shop.sales.orders", {"domain": "sales"})
    yield
    p.change_column_type("shop.sales.orders", "status", "INT")
    p.add_column("shop.sales.orders", "channel", "STRING", default="'web'")


@shop_case("int_to_double_widens_on_uc")
def _(p: schemax.Project) -> None:
    p.change_column_type("shop.sales.orders", "qty", "DOUBLE")


@shop_case("int_to_double_rewrites_on_oss", **LOCAL_ENGINE)
def _(p: schemax.Project) -> None:
    p.change_column_type("shop.sales.orders", "qty", "DOUBLE")


@shop_case("check_constraint_in_the_way_of_a_type_change", mapped=True)
def _(p: schemax.Project) -> None:
    p.change_column_type("shop.sales.orders", "qty", "BIGINT")
    p.rename_column("shop.sales.orders", "qty", "quantity")


@case("upgrades_recorded_earlier_are_not_repeated")
def _(p: schemax.Project) -> Iterator[None]:
    # the deployed state: renames, a widening and a DEFAULT; the table features an earlier deployment
    # enabled for them are known to the planner (the deployed state carries them)
    shop(p)
    p.rename_column("shop.sales.orders", "note", "remark")
    p.change_column_type("shop.sales.orders", "qty", "BIGINT")
    p.set_column_default("shop.sales.orders", "status", "'new'")
    p.set_table_properties("shop.sales.orders", {"delta.columnMapping.mode": "name",
                                                 "delta.enableTypeWidening": "true",
                                                 "delta.feature.allowColumnDefaults": "supported"})
    yield
    # so the next plan neither upgrades the table again nor warns again
    p.rename_column("shop.sales.orders", "remark", "memo")
    p.drop_column("shop.sales.orders", "memo")
    p.change_column_type("shop.sales.orders", "amount", "DECIMAL(12,2)")
    p.add_column("shop.sales.orders", "channel", "STRING", default="'web'")


@case("delta_property_keys_in_any_case")
def _(p: schemax.Project) -> Iterator[None]:
    shop(p)
    p.set_table_properties("shop.sales.orders", {"delta.columnmapping.mode": "name"})
    yield
    # Delta reads delta.* keys in any casing: orders has column mapping, so no upgrade and no SX401
    p.rename_column("shop.sales.orders", "note", "remark")
    # customers gets it in the design's own spelling: one upgrade statement, one SX401
    p.set_table_properties("shop.sales.customers", {"delta.COLUMNMAPPING.MODE": "name"})
    p.rename_column("shop.sales.customers", "email", "mail")


@shop_case("nullability_both_ways")
def _(p: schemax.Project) -> None:
    p.set_column_nullable("shop.sales.orders", "status", False)
    p.set_column_nullable("shop.sales.customers", "name", False)
    p.set_column_nullable("shop.sales.customers", "name", True)
    p.set_column_nullable("shop.sales.orders", "id", True)


@shop_case("column_comments")
def _(p: schemax.Project) -> None:
    p.set_column_comment("shop.sales.orders", "status", "One of: 'new', 'paid'\\'shipped'")
    p.set_column_comment("shop.sales.orders", "id", None)


@case("column_defaults")
def _(p: schemax.Project) -> Iterator[None]:
    shop(p)
    p.set_column_default("shop.sales.customers", "name", "'anonymous'")
    yield
    p.set_column_default("shop.sales.orders", "status", "'new'")
    p.set_column_default("shop.sales.customers", "name", None)


@case("column_tags_and_masks")
def _(p: schemax.Project) -> Iterator[None]:
    shop(p)
    p.set_column_mask("shop.sales.customers", "name", "shop.sales.mask_name")
    yield
    p.set_tags("shop.sales.customers.email", {"pii": "email"})
    p.set_column_mask("shop.sales.customers", "email", "mask_email", ["id"])
    p.drop_column_mask("shop.sales.customers", "name")


# ---------------------------------------------------------------------------------------------------
# constraints
# ---------------------------------------------------------------------------------------------------


@case("primary_and_foreign_keys_in_order")
def _(p: schemax.Project) -> Iterator[None]:
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    yield
    # created in an order that needs sorting: the referencing table first
    p.create_table("shop.sales.a_lines", [COL("id", "BIGINT", nullable=False), COL("z_order_id", "BIGINT")])
    p.create_table("shop.sales.z_orders", [COL("id", "BIGINT", nullable=False)])
    p.add_primary_key("shop.sales.z_orders", ["id"])
    p.add_foreign_key("shop.sales.a_lines", ["z_order_id"], "shop.sales.z_orders", ["id"])


@shop_case("check_constraints_add_drop_change")
def _(p: schemax.Project) -> None:
    p.drop_constraint("shop.sales.orders", "qty_positive")
    p.add_check_constraint("shop.sales.orders", "qty_positive", "qty >= 1")
    p.add_check_constraint("shop.sales.orders", "status_known", "status IN ('new', 'paid')")


@shop_case("foreign_key_to_a_new_table")
def _(p: schemax.Project) -> None:
    p.create_table("shop.sales.channels", [COL("code", "STRING", nullable=False)])
    p.add_primary_key("shop.sales.channels", ["code"])
    p.add_column("shop.sales.orders", "channel", "STRING")
    p.add_foreign_key("shop.sales.orders", ["channel"], "shop.sales.channels", ["code"])


@shop_case("key_options_rely_timeseries")
def _(p: schemax.Project) -> None:
    # issue 11: TIMESERIES on a key column, NOT ENFORCED and RELY on a primary key, RELY on a foreign key
    p.create_table(
        "shop.sales.readings",
        [
            COL("sensor_id", "BIGINT", nullable=False),
            COL("ts", "TIMESTAMP", nullable=False),
            COL("v", "DOUBLE"),
        ],
    )
    p.add_primary_key(
        "shop.sales.readings", ["sensor_id", "ts"], timeseries="ts", not_enforced=True, rely=True
    )
    p.add_column("shop.sales.orders", "reading_sensor", "BIGINT")
    p.add_column("shop.sales.orders", "reading_ts", "TIMESTAMP")
    p.add_foreign_key(
        "shop.sales.orders", ["reading_sensor", "reading_ts"], "shop.sales.readings", ["sensor_id", "ts"],
        rely=True,
    )


@shop_case("ownership_set_transfer_and_unmanage")
def _(p: schemax.Project) -> None:
    # issue 11: owners on new and existing objects of every kind, run last (after the grants); a function's
    # owner has no documented statement (unsupported on Unity Catalog)
    p.create_volume("shop.sales.files")
    p.set_owner("shop", "platform-admins")
    p.set_owner("shop.sales", "sales-owners")
    p.set_owner("shop.sales.orders", "etl@example.com")
    p.create_view("shop.sales.open_orders", "SELECT * FROM shop.sales.orders WHERE status = 'open'")
    p.set_owner("shop.sales.open_orders", "analysts")
    p.grant("shop.sales.open_orders", "analysts", ["SELECT"])
    p.set_owner("shop.sales.files", "etl@example.com")
    p.create_function("shop.sales.n", "1", returns="INT")
    p.set_owner("shop.sales.n", "etl@example.com")


@case("ownership_mapped_per_environment", principals={"owners": "prod-owners", "readers": "prod-readers"})
def _(p: schemax.Project) -> Iterator[None]:
    # issue 11: an environment maps logical principals (owners and grants) like it maps catalogs; a
    # transfer between managed owners is SX213
    shop(p)
    p.set_owner("shop.sales.customers", "owners")
    yield
    p.set_owner("shop.sales.customers", "stewards")
    p.set_owner("shop.sales.orders", "owners")
    p.grant("shop.sales.orders", "readers", ["SELECT"])


@case("identity_and_generated_columns_on_create")
def _(p: schemax.Project) -> Iterator[None]:
    # issue 11: identity (ALWAYS with START/INCREMENT, BY DEFAULT) and generated columns, in CREATE TABLE only
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    yield
    p.create_table(
        "shop.sales.events",
        [
            COL("id", "BIGINT", nullable=False, identity={"start": 1000, "step": 10}),
            COL("ref", "BIGINT", identity={"always": False}),
            COL("ts", "TIMESTAMP"),
            COL("day", "DATE", generated="CAST(ts AS DATE)"),
        ],
        partition_by=["day"],
    )


def _templated_storage(p: schemax.Project) -> Iterator[None]:
    # issue 11: one design, locations written as templates; each environment's variables resolve them
    yield
    p.create_catalog("shop", managed_location="s3://${env.storage_root}/shop")
    p.create_schema("shop.sales", managed_location="s3://${env.storage_root}/shop/sales")
    p.create_table("shop.sales.orders", [COL("id", "BIGINT", nullable=False)], table_type="EXTERNAL",
                   location="abfss://data@${env.account}.dfs.core.windows.net/${env.storage_root}/orders")
    p.create_volume("shop.sales.landing", "EXTERNAL", "s3://${env.storage_root}/landing/$raw")


case("locations_resolved_for_dev", variables={"storage_root": "acme-dev", "account": "acmedev"})(
    _templated_storage)
case("locations_resolved_for_prod", catalogs={"shop": "shop"},
     variables={"storage_root": "acme-prod", "account": "acmeprod"})(_templated_storage)


# ---------------------------------------------------------------------------------------------------
# views, volumes, functions, grants
# ---------------------------------------------------------------------------------------------------


@shop_case("views_created_in_lineage_order")
def _(p: schemax.Project) -> None:
    with p.batch():  # a_top reads m_by_customer, created after it: what a view reads is checked at commit
        p.create_view(
            "shop.sales.a_top",
            "SELECT customer_id FROM shop.sales.m_by_customer ORDER BY total DESC LIMIT 10",
        )
        p.create_view(
            "shop.sales.m_by_customer",
            "WITH o AS (SELECT * FROM orders) SELECT customer_id, sum(amount) AS total FROM o GROUP BY 1",
            comment="per customer",
        )
        p.create_view("shop.sales.z_recent", "SELECT * FROM sales.orders WHERE id > 100",
                      properties={"k": "v"})


@case("views_dropped_dependents_first")
def _(p: schemax.Project) -> Iterator[None]:
    shop(p)
    p.create_view("shop.sales.z_base", "SELECT * FROM orders")
    p.create_view("shop.sales.a_top", "SELECT id FROM z_base")
    yield
    p.drop_view("shop.sales.z_base")
    p.drop_view("shop.sales.a_top")


@case("view_definition_comment_and_grants")
def _(p: schemax.Project) -> Iterator[None]:
    shop(p)
    p.create_view("shop.sales.open_orders", "SELECT * FROM orders WHERE status = 'open'")
    p.grant("shop.sales.open_orders", "analysts", ["SELECT"])
    yield
    p.update_view("shop.sales.open_orders", "SELECT id, qty FROM shop.sales.orders WHERE status = 'open'")
    p.set_view_comment("shop.sales.open_orders", "Open orders")


@case("view_changes_keep_grants_and_tags")
def _(p: schemax.Project) -> Iterator[None]:
    # UC-32/UC-33/UC-25: ALTER VIEW … AS and COMMENT ON TABLE keep the view's grants, so none is given
    # again; what ALTER VIEW … AS may drop like a replace (comment, properties, tags) is stated again right
    # after it; a comment removed is COMMENT ON TABLE … IS NULL
    shop(p)
    p.create_view("shop.sales.open_orders", "SELECT * FROM orders", comment="Open", properties={"a": "1"})
    p.set_tags("shop.sales.open_orders", {"tier": "gold"})
    p.grant("shop.sales.open_orders", "analysts", ["SELECT"])
    p.create_view("shop.sales.names", "SELECT name FROM customers", comment="Names")
    p.grant("shop.sales.names", "analysts", ["SELECT"])
    yield
    p.update_view("shop.sales.open_orders", "SELECT id, qty FROM orders WHERE status = 'open'")
    p.set_view_comment("shop.sales.open_orders", "Open orders")
    p.set_view_properties("shop.sales.open_orders", {"a": "2"})
    p.set_view_comment("shop.sales.names", None)


@case("view_replaced_on_oss_regrants_in_place", **LOCAL_ENGINE)
def _(p: schemax.Project) -> Iterator[None]:
    # the local engine has no ALTER VIEW … AS / COMMENT ON for views in its verified set: the replace stays,
    # and the grants and tags it drops are given again right after it (listed as unsupported here)
    shop(p)
    p.create_view("shop.sales.open_orders", "SELECT * FROM orders", comment="Open")
    p.set_tags("shop.sales.open_orders", {"tier": "gold"})
    p.grant("shop.sales.open_orders", "analysts", ["SELECT"])
    p.create_view("shop.sales.z_last", "SELECT id FROM open_orders")
    yield
    p.update_view("shop.sales.open_orders", "SELECT id, qty FROM orders WHERE status = 'open'")
    p.update_view("shop.sales.z_last", "SELECT id, qty FROM open_orders")


@case("view_rename_properties_tags")
def _(p: schemax.Project) -> Iterator[None]:
    shop(p)
    p.create_view("shop.sales.v", "SELECT id FROM orders", properties={"a": "1", "b": "2"})
    yield
    p.rename_view("shop.sales.v", "order_ids")
    p.set_view_properties("shop.sales.order_ids", {"a": "one"})
    p.unset_view_properties("shop.sales.order_ids", ["b"])
    p.set_tags("shop.sales.order_ids", {"certified": "yes"})


@shop_case("view_reading_an_unmanaged_catalog")
def _(p: schemax.Project) -> None:
    p.create_view("shop.sales.trips", "SELECT t.* FROM samples.nyctaxi.trips t JOIN orders o ON o.id = t.id")


@case("volumes")
def _(p: schemax.Project) -> Iterator[None]:
    shop(p)
    p.create_volume("shop.sales.old_files")
    p.create_volume("shop.sales.exports", comment="exports")
    yield
    p.create_volume("shop.sales.landing", "EXTERNAL", location="s3://bucket/landing", comment="raw files")
    p.rename_volume("shop.sales.exports", "outbox")
    p.set_volume_comment("shop.sales.outbox", "outgoing")
    p.drop_volume("shop.sales.old_files")
    p.grant("shop.sales.landing", "ingest", ["READ VOLUME", "WRITE VOLUME"])


@case("functions")
def _(p: schemax.Project) -> Iterator[None]:
    shop(p)
    p.create_function("shop.sales.old", "1", returns="INT")
    p.create_function(
        "shop.sales.tax", "amount * 0.2", parameters="amount DECIMAL(10,2)", returns="DECIMAL(10,2)"
    )
    yield
    p.update_function(
        "shop.sales.tax", "amount * 0.21", parameters="amount DECIMAL(10,2)", returns="DECIMAL(10,2)"
    )
    p.set_function_comment("shop.sales.tax", "VAT")
    p.drop_function("shop.sales.old")
    p.create_function("shop.sales.order_count", "SELECT count(*) FROM orders", returns="BIGINT")
    p.create_function(
        "shop.sales.slug", "return s.lower().replace(' ', '-')", parameters="s STRING", language="PYTHON"
    )


@case("function_signature_change_drops_and_creates")
def _(p: schemax.Project) -> Iterator[None]:
    # UC-39: a new parameter list is DROP + CREATE with the grants right after it; a new return type, a
    # renamed parameter or a new body is a replace
    shop(p)
    p.create_function(
        "shop.sales.tax", "amount * 0.2", parameters="amount DECIMAL(10,2)", returns="DECIMAL(10,2)",
        comment="VAT",
    )
    p.grant("shop.sales.tax", "analysts", ["EXECUTE"])
    p.create_function("shop.sales.twice", "x * 2", parameters="x INT", returns="INT")
    p.grant("shop.sales.twice", "analysts", ["EXECUTE"])
    p.create_function("shop.sales.label", "upper(s)", parameters="s STRING")
    yield
    p.update_function(
        "shop.sales.tax", "amount * rate", parameters="amount DECIMAL(10,2), rate DECIMAL(3,2)",
        returns="DECIMAL(10,2)",
    )
    p.update_function("shop.sales.twice", "x * 2", parameters="x INT", returns="BIGINT")
    p.update_function("shop.sales.label", "lower(t)", parameters="t string")
    p.grant("shop.sales.orders", "analysts", ["SELECT"])


@case("grants_and_revokes")
def _(p: schemax.Project) -> Iterator[None]:
    shop(p)
    p.grant("shop.sales.orders", "analysts", ["SELECT", "MODIFY"])
    p.grant("shop.sales", "analysts", ["USE SCHEMA"])
    yield
    p.revoke("shop.sales.orders", "analysts", ["MODIFY"])
    p.grant("shop.sales.orders", "`weird` name", ["SELECT"])
    p.revoke("shop.sales", "analysts", ["USE SCHEMA"])
    p.grant("shop", "analysts", ["USE CATALOG"])


@case("grants_all_privileges_replace_and_narrow")
def _(p: schemax.Project) -> Iterator[None]:
    """A list replaced by ALL PRIVILEGES (GRANT ALL first, then REVOKE the list) and ALL PRIVILEGES narrowed
    to a list (REVOKE ALL, then GRANT the list), each an adjacent pair at the end of the plan."""
    shop(p)
    p.grant("shop.sales.orders", "analysts", ["SELECT", "MODIFY"])
    p.grant("shop.sales.customers", "etl", ["ALL PRIVILEGES"])
    p.grant("shop.sales", "etl", ["USE SCHEMA"])
    yield
    p.grant("shop.sales.orders", "analysts", ["ALL PRIVILEGES"])
    p.revoke("shop.sales.customers", "etl", ["ALL PRIVILEGES"])
    p.grant("shop.sales.customers", "etl", ["SELECT"])
    p.revoke("shop.sales", "etl", ["USE SCHEMA"])


@case("schema_property_unset_refused_on_uc")
def _(p: schemax.Project) -> Iterator[None]:
    """ALTER SCHEMA has no UNSET DBPROPERTIES on Unity Catalog: the plan lists it before anything runs."""
    shop(p)
    p.set_schema_properties("shop.sales", {"team": "sales", "tier": "gold"})
    yield
    p.unset_schema_properties("shop.sales", ["tier"])
    p.set_schema_properties("shop.sales", {"team": "retail"})


# ---------------------------------------------------------------------------------------------------
# environments and engines
# ---------------------------------------------------------------------------------------------------


@case("local_engine_shares_spark_catalog", **LOCAL_ENGINE)
def _(p: schemax.Project) -> Iterator[None]:
    yield
    shop(p)
    p.create_view("shop.sales.v", "SELECT * FROM shop.sales.orders")


@shop_case("local_engine_lists_what_it_cannot_run", **LOCAL_ENGINE)
def _(p: schemax.Project) -> None:
    p.set_tags("shop.sales.orders", {"domain": "sales"})
    p.grant("shop.sales.orders", "analysts", ["SELECT"])
    p.set_column_nullable("shop.sales.orders", "status", False)
    p.set_schema_comment("shop.sales", "new comment")


@case("local_engine_missing_catalog", catalogs={"shop": "dev_shop"}, engine="oss_delta")
def _(p: schemax.Project) -> Iterator[None]:
    yield
    p.create_catalog("shop")
    p.create_schema("shop.sales")


@shop_case("schema_prefix_maps_view_and_function_bodies", schema_prefix="pr42_")
def _(p: schemax.Project) -> None:
    p.create_view(
        "shop.sales.v",
        "SELECT c.name, count(*) AS n FROM sales.customers c JOIN shop.sales.orders o "
        "ON o.customer_id = c.id GROUP BY c.name",
    )
    p.create_function("shop.sales.n", "SELECT count(*) FROM shop.sales.orders", returns="BIGINT")
    p.set_row_filter("shop.sales.orders", "only_open", ["status"])


@case("function_calls_mapped_in_view_and_function_bodies")
def _(p: schemax.Project) -> Iterator[None]:
    # issue 10: calls of managed functions (and three-part names in a mapped catalog) follow the
    # environment's catalog like table references; built-ins, builtin./session. names and other catalogs
    # stay as written
    shop(p)
    p.create_function("shop.sales.mask_email", "'***'", parameters="email STRING")
    yield
    p.create_view(
        "shop.sales.customer_contacts",
        "SELECT id, shop.sales.mask_email(email) AS email, upper(`mask_email`(name)) AS name, "
        "samples.util.f(id) AS s FROM shop.sales.customers",
    )
    p.create_function(
        "shop.sales.shout", "upper(mask_email(s)) || sales.mask_email(s) || builtin.abs(1)",
        parameters="s STRING",
    )


@shop_case("many_changes_on_one_table_fold", tracking=True)
def _(p: schemax.Project) -> None:
    t = "shop.sales.orders"
    p.add_column(t, "channel", "STRING")
    p.add_column(t, "region", "STRING", comment="r")
    p.drop_column(t, "note")
    p.rename_column(t, "status", "state")
    p.change_column_type(t, "qty", "BIGINT")
    p.set_column_comment(t, "amount", "gross")
    p.set_table_comment(t, "All orders")
    p.set_table_properties(t, {"quality": "gold", "owner.team": "sales"})
    p.set_tags(t, {"tier": "gold"})


def main(argv: list[str]) -> int:
    names = argv or sorted(CASES)
    for name in names:
        print(write(name).relative_to(HERE))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
