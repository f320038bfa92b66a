"""Plans executed on local Spark + Delta and read back from the catalog.

Every statement class the local engine supports runs here at least once against real tables with rows:
schemas, tables, added / renamed / dropped columns (column mapping turned on by the planner), type
widening, the copy-and-swap rewrite (type change and partitioning change), comments with quotes,
backslashes and newlines, properties, DROP NOT NULL, CHECK constraints, clustering, column order,
defaults, views that read views, SQL functions, renames and drops. After each plan the live catalog
(``spark.table(t).schema``, ``DESCRIBE DETAIL``) must equal the target state.

Each run uses its own random schema prefix, so runs never see each other's objects.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

import schemax
from schemax.adapters.memory import MemoryStore
from schemax.core.model import State
from schemax.core.types import normalize_type
from schemax.plan import OSS_DELTA, Plan, Target, Tracking, build_plan
from schemax.plan.capabilities import CAPABILITIES

pytestmark = pytest.mark.integration

PREFIX = f"sx{uuid.uuid4().hex[:6]}_"
COL = schemax.Column


def target(tracking: bool = False) -> Target:
    tr = Tracking("1.0.0", "snap_1", "dep_1", "dev", "2025-01-01T00:00:00Z") if tracking else None
    return Target(catalogs={"shop": "spark_catalog"}, schema_prefix=PREFIX, tracking=tr)


def project(schema: str = "sales") -> schemax.Project:
    p = schemax.Project.create(None, "t", store=MemoryStore(), author="test")
    p.create_catalog("shop")
    p.create_schema(f"shop.{schema}")
    return p


def phys(name: str) -> str:
    """Physical name of a logical ``shop.schema.object`` on the local engine."""
    _, schema, *rest = name.split(".")
    return ".".join(["`spark_catalog`", f"`{PREFIX}{schema}`", *(f"`{r}`" for r in rest)])


def execute(spark: Any, plan: Plan, executed: set[str] | None = None) -> list[str]:
    assert plan.unsupported == (), plan.unsupported
    ran = []
    for st in plan.statements:
        spark.sql(st.sql).collect()
        ran.append(st.sql)
        if executed is not None:
            executed.add(st.capability)
    return ran


def deploy(spark: Any, before: State, after: State, executed: set[str] | None = None, **kw: Any) -> Plan:
    plan = build_plan(before, after, target(kw.pop("tracking", False)), capabilities=OSS_DELTA, **kw)
    execute(spark, plan, executed)
    return plan


# ---------------------------------------------------------------------------------------------------
# reading the catalog back
# ---------------------------------------------------------------------------------------------------


def live_table(spark: Any, name: str) -> dict[str, Any]:
    schema = spark.table(name).schema
    detail = spark.sql(f"DESCRIBE DETAIL {name}").collect()[0].asDict()
    props = dict(detail.get("properties") or {})
    return {
        "columns": [
            (
                f.name,
                normalize_type(f.dataType.simpleString()),
                f.nullable,
                f.metadata.get("comment") or None,
                f.metadata.get("CURRENT_DEFAULT"),
            )
            for f in schema.fields
        ],
        "comment": detail.get("description") or None,
        "partition_by": list(detail.get("partitionColumns") or []),
        "cluster_by": list(detail.get("clusteringColumns") or []),
        "checks": {k.split(".", 2)[2]: v for k, v in props.items() if k.startswith("delta.constraints.")},
        "properties": props,
    }


def expected_table(state: State, table_id: str) -> dict[str, Any]:
    t = state.tables[table_id]
    return {
        "columns": [(c.name, c.type, c.nullable, c.comment or None, c.default) for c in t.columns],
        "comment": t.comment or None,  # Delta reads an empty comment back as none
        "partition_by": t.column_names(t.partition_by),
        "cluster_by": t.column_names(t.cluster_by),
        "checks": {c.name.lower(): c.expression for c in t.constraints if c.kind == "check"},
        "properties": dict(t.properties),
    }


def assert_matches(spark: Any, state: State) -> None:
    """Every table of ``state`` is live with exactly its columns, types, nullability, comments, layout,
    CHECK constraints and declared properties; every view and function exists."""
    for tid in state.tables:
        name = phys(state.full_name(tid))
        live, want = live_table(spark, name), expected_table(state, tid)
        live_props = live.pop("properties")
        want_props = want.pop("properties")
        assert {k: live_props.get(k) for k in want_props} == want_props, name
        assert live == want, name
    for vid, view in state.views.items():
        name = phys(state.full_name(vid))
        rows = {r[0]: r[1] for r in spark.sql(f"DESCRIBE TABLE EXTENDED {name}").collect()}
        assert rows.get("Type") == "VIEW", name
        assert (rows.get("Comment") or None) == view.comment, name
    for fid in state.functions:
        name = phys(state.full_name(fid))
        assert spark.sql(f"DESCRIBE FUNCTION {name}").collect(), name


def rows(spark: Any, name: str, order: str = "1") -> list[tuple[Any, ...]]:
    return [tuple(r) for r in spark.sql(f"SELECT * FROM {name} ORDER BY {order}").collect()]


# ---------------------------------------------------------------------------------------------------
# every statement class, step by step
# ---------------------------------------------------------------------------------------------------

TRICKY = "it's a \\ back\\slash; -- not a comment\nline two\t'quoted' ünï 😀"


@pytest.fixture(scope="module")
def executed() -> set[str]:
    return set()


def test_create_populate_and_evolve_a_table(spark: Any, executed: set[str]) -> None:
    p = project()
    empty = State()
    p.set_schema_comment("shop.sales", TRICKY)
    p.create_table(
        "shop.sales.orders",
        [
            COL("id", "BIGINT", nullable=False, comment="the id"),
            COL("status", "STRING", comment=TRICKY),
            COL("qty", "INT"),
            COL("price", "FLOAT"),
            COL("code", "STRING"),
            COL("note", "STRING"),
        ],
        comment=TRICKY,
        properties={"team": "o'neil \\ co", "delta.appendOnly": "false"},
    )
    p.add_check_constraint("shop.sales.orders", "qty_pos", "qty > 0")
    a = p.state()
    deploy(spark, empty, a, executed)
    orders = phys("shop.sales.orders")
    spark.sql(f"INSERT INTO {orders} VALUES (1, 'new', 2, 1.5, '10', 'x'), (2, 'paid', 5, 2.5, '20', 'y')")
    assert_matches(spark, a)

    # add (trailing, interleaved, first), rename, drop, widen, comments, properties, DROP NOT NULL
    p.add_column("shop.sales.orders", "region", "STRING", comment="where")
    p.add_column("shop.sales.orders", "channel", "STRING", after="id")
    p.add_column("shop.sales.orders", "batch", "INT", first=True)
    p.add_column("shop.sales.orders", "source", "STRING", default="'web'")
    p.rename_column("shop.sales.orders", "status", "state")
    p.drop_column("shop.sales.orders", "note")
    p.change_column_type("shop.sales.orders", "qty", "BIGINT")
    p.change_column_type("shop.sales.orders", "price", "DOUBLE")
    p.set_column_comment("shop.sales.orders", "id", "new \\ id 'comment'")
    p.set_column_nullable("shop.sales.orders", "id", True)
    p.set_table_comment("shop.sales.orders", None)
    p.set_table_properties("shop.sales.orders", {"steward": "data;team", "team": "new"})
    p.unset_table_properties("shop.sales.orders", ["delta.appendOnly"])
    b = p.state()
    plan = deploy(spark, a, b, executed, tracking=True)
    assert sum(1 for s in plan.statements if "ADD COLUMNS" in s.sql) == 3  # one fold + two positioned
    assert_matches(spark, b)
    assert rows(spark, orders, "id") == [
        (None, 1, None, "new", 2, 1.5, "10", None, None),
        (None, 2, None, "paid", 5, 2.5, "20", None, None),
    ]
    props = live_table(spark, orders)["properties"]
    assert props["delta.columnMapping.mode"] == "name"
    assert props["schemax.version"] == "1.0.0" and props["schemax.environment"] == "dev"
    spark.sql(f"INSERT INTO {orders} (id, state, qty) VALUES (3, 'x', 1)")
    assert spark.sql(f"SELECT source FROM {orders} WHERE id = 3").collect()[0][0] == "web"

    # CHECK constraints, clustering, reorder, defaults, DROP of a constraint
    p.drop_constraint("shop.sales.orders", "qty_pos")
    p.add_check_constraint("shop.sales.orders", "qty_small", "qty < 1000")
    p.set_cluster_by("shop.sales.orders", ["id"])
    p.reorder_columns(
        "shop.sales.orders", ["id", "state", "batch", "channel", "qty", "price", "code", "region", "source"]
    )
    p.set_column_default("shop.sales.orders", "region", "'eu'")
    c = p.state()
    deploy(spark, b, c, executed)
    assert_matches(spark, c)
    p.set_cluster_by("shop.sales.orders", [])
    d = p.state()
    deploy(spark, c, d, executed)
    assert_matches(spark, d)

    # a type change Delta cannot widen: copy and swap keeps rows, NOT NULL, comments, CHECKs
    p.change_column_type("shop.sales.orders", "code", "INT")
    p.set_column_nullable("shop.sales.orders", "id", False)
    e = p.state()
    plan = build_plan(d, e, target(), capabilities=OSS_DELTA)
    assert [s.capability for s in plan.statements].count("table_rewrite") == 4
    execute(spark, plan, executed)
    assert_matches(spark, e)
    codes = [r[0] for r in spark.sql(f"SELECT code FROM {orders}").collect()]
    assert sorted(codes, key=lambda v: (v is None, v)) == [10, 20, None]
    backup = [
        r[1]
        for r in spark.sql(f"SHOW TABLES IN `spark_catalog`.`{PREFIX}sales`").collect()
        if r[1].startswith("orders__sx_old_")
    ]
    assert len(backup) == 1  # the old table is kept

    # partitioning change: rewrite again
    p.set_partition_by("shop.sales.orders", ["state"])
    f = p.state()
    execute(spark, build_plan(e, f, target(), capabilities=OSS_DELTA), executed)
    assert_matches(spark, f)
    assert spark.sql(f"SELECT count(*) FROM {orders}").collect()[0][0] == 3

    # rename and drop the table, drop the schema's leftovers
    p.rename_table("shop.sales.orders", "orders_v2")
    g = p.state()
    deploy(spark, f, g, executed)
    assert_matches(spark, g)
    assert spark.sql(f"SELECT count(*) FROM {phys('shop.sales.orders_v2')}").collect()[0][0] == 3


def test_schema_properties_views_functions_and_drops(spark: Any, executed: set[str]) -> None:
    p = project("mart")
    p.create_table("shop.mart.items", [COL("id", "BIGINT"), COL("name", "STRING"), COL("price", "DOUBLE")])
    p.create_view("shop.mart.cheap", "SELECT * FROM items WHERE price < 10", comment="cheap 'ones'")
    p.create_view("shop.mart.cheap_names", "SELECT name FROM shop.mart.cheap")
    p.create_function("shop.mart.twice", "x * 2", parameters="x DOUBLE", returns="DOUBLE", comment="2x")
    p.create_function("shop.mart.n_items", "SELECT count(*) FROM items", returns="BIGINT")
    a = p.state()
    deploy(spark, State(), a, executed)
    spark.sql(f"INSERT INTO {phys('shop.mart.items')} VALUES (1, 'a', 5.0), (2, 'b', 50.0)")
    assert_matches(spark, a)
    assert rows(spark, phys("shop.mart.cheap_names")) == [("a",)]
    assert spark.sql(f"SELECT {phys('shop.mart.twice')}(2.0)").collect()[0][0] == 4.0
    assert spark.sql(f"SELECT {phys('shop.mart.n_items')}()").collect()[0][0] == 2

    # schema properties (set, unset), view definition/comment/properties, rename view, function update
    sid = a.find("shop.mart")
    assert sid is not None
    p.update_view("shop.mart.cheap", "SELECT id, name FROM shop.mart.items WHERE price < 100")
    p.set_view_comment("shop.mart.cheap", None)
    p.set_view_properties("shop.mart.cheap_names", {"quality": "gold"})
    p.rename_view("shop.mart.cheap_names", "names")
    p.update_function("shop.mart.twice", "x * 3", parameters="x DOUBLE", returns="DOUBLE")
    b = p.state()
    deploy(spark, a, b, executed)
    assert_matches(spark, b)
    assert rows(spark, phys("shop.mart.names")) == [("a",), ("b",)]
    assert spark.sql(f"SELECT {phys('shop.mart.twice')}(2.0)").collect()[0][0] == 6.0

    # drops: view that reads a view, then the view, the function, the table, the schema
    p.drop_view("shop.mart.names")
    p.drop_view("shop.mart.cheap")
    p.drop_function("shop.mart.twice")
    p.drop_function("shop.mart.n_items")
    p.drop_table("shop.mart.items")
    p.drop_schema("shop.mart")
    c = p.state()
    plan = deploy(spark, b, c, executed)
    assert [s.sql.split(" ")[1] for s in plan.statements] == [
        "VIEW",
        "VIEW",
        "FUNCTION",
        "FUNCTION",
        "TABLE",
        "SCHEMA",
    ]
    names = [r[0] for r in spark.sql("SHOW SCHEMAS IN spark_catalog").collect()]
    assert f"{PREFIX}mart" not in names


def test_schema_dbproperties(spark: Any, executed: set[str]) -> None:
    p = schemax.Project.create(None, "t", store=MemoryStore(), author="test")
    p.create_catalog("shop")
    p.create_schema("shop.props", comment="c", properties={"a": "1", "b": "it's"})
    a = p.state()
    deploy(spark, State(), a, executed)
    sid = a.find("shop.props")
    after = a.model_copy(
        update={"schemas": {sid: a.schemas[sid].model_copy(update={"properties": {"b": "two", "c": "3"}})}}
    )
    deploy(spark, a, after, executed)
    info = {
        r[0]: r[1] for r in spark.sql(f"DESCRIBE SCHEMA EXTENDED `spark_catalog`.`{PREFIX}props`").collect()
    }
    assert info["Comment"] == "c"
    assert (
        "(b,two)" in info["Properties"]
        and "(c,3)" in info["Properties"]
        and "(a,1)" not in info["Properties"]
    )


def test_special_column_names_need_column_mapping(spark: Any, executed: set[str]) -> None:
    p = project("odd")
    p.create_table("shop.odd.t", [COL("my col", "INT"), COL("a`b", "STRING", comment="x; y")])
    a = p.state()
    plan = deploy(spark, State(), a, executed)
    assert "'delta.columnMapping.mode' = 'name'" in plan.statements[1].sql
    p.add_column("shop.odd.t", "x = (1)", "STRING")
    p.rename_column("shop.odd.t", "my col", "your col;--")
    b = p.state()
    deploy(spark, a, b, executed)
    assert_matches(spark, b)


def test_every_supported_statement_class_ran(executed: set[str]) -> None:
    """Runs after the tests above (same module): every capability OSS_DELTA claims was exercised."""
    if not executed:
        pytest.skip("run together with the rest of this module")
    missing = sorted(OSS_DELTA.supported - executed)
    assert not missing, f"never executed on local Delta: {missing} ({[CAPABILITIES[m] for m in missing]})"


# ---------------------------------------------------------------------------------------------------
# what OSS_DELTA claims it cannot do really fails on local Delta
# ---------------------------------------------------------------------------------------------------

_UNSUPPORTED_PROBES: dict[str, Callable[[str], str]] = {
    "set_not_null": lambda t: f"ALTER TABLE {t} ALTER COLUMN `v` SET NOT NULL",
    "tags": lambda t: f"ALTER TABLE {t} SET TAGS ('k' = 'v')",
    "grants": lambda t: f"GRANT SELECT ON TABLE {t} TO `someone`",
    "row_filter": lambda t: f"ALTER TABLE {t} SET ROW FILTER `f` ON (`v`)",
    "column_mask": lambda t: f"ALTER TABLE {t} ALTER COLUMN `v` SET MASK `f`",
    "constraints_pk_fk": lambda t: f"ALTER TABLE {t} ADD CONSTRAINT `pk` PRIMARY KEY (`v`)",
    "catalog_ddl": lambda t: "CREATE CATALOG IF NOT EXISTS `sx_nope`",
    "volumes": lambda t: f"CREATE VOLUME IF NOT EXISTS `spark_catalog`.`{PREFIX}probe`.`vol`",
    "python_functions": lambda t: (
        f"CREATE OR REPLACE FUNCTION `spark_catalog`.`{PREFIX}probe`.`py`(x INT) RETURNS INT "
        "LANGUAGE PYTHON AS $$\nreturn x\n$$"
    ),
    "managed_location": lambda t: (
        f"CREATE SCHEMA IF NOT EXISTS `spark_catalog`.`{PREFIX}probe_loc` MANAGED LOCATION '/tmp/x'"
    ),
    "schema_rename": lambda t: f"ALTER SCHEMA `spark_catalog`.`{PREFIX}probe` RENAME TO `{PREFIX}probe2`",
    "table_move": lambda t: f"ALTER TABLE {t} RENAME TO `default`.`{PREFIX}moved`",
    "cluster_by_auto": lambda t: f"ALTER TABLE {t} CLUSTER BY AUTO",
    "owner": lambda t: f"ALTER TABLE {t} SET OWNER TO `someone`",
}


def test_schema_comment_changes_are_ignored_locally(spark: Any) -> None:
    """Why OSS_DELTA lacks schema_comment: the statement succeeds and the comment does not change."""
    assert not OSS_DELTA.supports("schema_comment")
    schema = f"`spark_catalog`.`{PREFIX}probe_comment`"
    spark.sql(f"CREATE SCHEMA IF NOT EXISTS {schema} COMMENT 'old'")
    spark.sql(f"COMMENT ON SCHEMA {schema} IS 'new'")
    info = {r[0]: r[1] for r in spark.sql(f"DESCRIBE SCHEMA EXTENDED {schema}").collect()}
    assert info["Comment"] == "old"


@pytest.mark.parametrize("capability", sorted(_UNSUPPORTED_PROBES))
def test_unsupported_capabilities_really_fail_locally(spark: Any, capability: str) -> None:
    assert not OSS_DELTA.supports(capability)
    table = f"`spark_catalog`.`{PREFIX}probe`.`t`"
    spark.sql(f"CREATE SCHEMA IF NOT EXISTS `spark_catalog`.`{PREFIX}probe`")
    spark.sql(f"CREATE TABLE IF NOT EXISTS {table} (v INT) USING DELTA")
    with pytest.raises(Exception):  # noqa: B017 - parse errors and analysis errors alike
        spark.sql(_UNSUPPORTED_PROBES[capability](table)).collect()


def test_the_identifier_rule_of_the_local_engine_agrees_with_spark(spark: Any) -> None:
    """``OSS_DELTA.refuses_name`` (checked when a plan is built) says exactly what Spark's session catalog
    refuses for tables, views and functions (issue 16 item 6)."""
    from schemax.core.names import quote_ident

    schema = f"sxn_{uuid.uuid4().hex[:6]}"
    names = ["orders", "Orders_2", "_x9", "tàble", "t-able", "t able", "日本", "a.b", "ok_ß", "x$"]
    spark.sql(f"CREATE SCHEMA {schema}")
    try:
        disagree = []
        for name in names:
            for kind, sql in (("table", f"CREATE TABLE {schema}.{quote_ident(name)} (id INT) USING DELTA"),
                              ("view", f"CREATE VIEW {schema}.{quote_ident(name + '_v')} AS SELECT 1 AS x"),
                              ("function", f"CREATE FUNCTION {schema}.{quote_ident(name + '_f')}(x INT) "
                                           "RETURNS INT RETURN x")):
                suffix = {"table": "", "view": "_v", "function": "_f"}[kind]
                try:
                    spark.sql(sql)
                    accepted = True
                except Exception:  # noqa: BLE001 - Spark's and Hive's errors differ; refused is refused
                    accepted = False
                if accepted == OSS_DELTA.refuses_name(name + suffix):
                    disagree.append((kind, name, accepted))
        assert disagree == [], f"{len(names) * 3} names tried"
    finally:
        spark.sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
