"""Unity Catalog object-level fidelity (issue 10, part 2): each test pins one documented rule.

The facts (UC-xx) and their sources are listed in ``docs/unity-catalog.md``; every test here failed on
the planner before its fix.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

import pytest

import schemax
from schemax.adapters.memory import MemoryStore
from schemax.analyze import analyze
from schemax.analyze.rules import RULES_BY_CODE
from schemax.core.model import State
from schemax.plan import OSS_DELTA, UNITY_CATALOG, Plan, Target, build_plan, diff
from schemax.services.deploy import Deployer
from schemax.services.rollback import plan_rollback

COL = schemax.Column
DEV = Target(catalogs={"shop": "dev_shop"})


def project() -> schemax.Project:
    return schemax.Project.create(None, "shop", store=MemoryStore(), author="tester")


def plan(before: State, after: State, target: Target = DEV, caps: Any = UNITY_CATALOG) -> Plan:
    return build_plan(before, after, target, capabilities=caps, from_version="1.0.0", to_version="1.1.0")


def sqls(p: Plan) -> list[str]:
    return [s.sql for s in p.statements]


def shop(p: schemax.Project) -> schemax.Project:
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.create_table("shop.sales.customers", [COL("id", "BIGINT", nullable=False), COL("email", "STRING")])
    return p


# ---------------------------------------------------------------------------------------------------
# DROP TABLE: UNDROP, not RESTORE (UC-48, UC-49, UC-50)
# ---------------------------------------------------------------------------------------------------


def test_drop_table_note_and_finding_speak_of_undrop_not_restore() -> None:
    p = shop(project())
    before = p.state()
    p.drop_table("shop.sales.customers")
    after = p.state()
    (stmt,) = plan(before, after).statements
    assert stmt.sql == "DROP TABLE IF EXISTS `dev_shop`.`sales`.`customers`"
    assert stmt.note is not None and "UNDROP TABLE" in stmt.note and "RESTORE cannot" in stmt.note
    assert "only a RESTORE" not in stmt.note
    (finding,) = [f for f in analyze(diff(before, after), before, after) if f.code == "SX102"]
    assert "UNDROP TABLE" in finding.message and "RESTORE cannot" in finding.message
    assert "UNDROP TABLE" in RULES_BY_CODE["SX102"].advice


class _Engine:
    """Accepts every statement; DESCRIBE HISTORY answers version 7."""

    def __init__(self) -> None:
        self.sql: list[str] = []
        self._lock = threading.Lock()

    def execute(self, sql: str, params: Any = None) -> None:
        with self._lock:
            self.sql.append(sql)

    def query(self, sql: str, params: Any = None) -> list[dict[str, Any]]:
        return [{"version": 7}] if sql.startswith("DESCRIBE HISTORY") else [{"u": "tester"}]


def _deployed_then_dropped() -> tuple[schemax.Project, Deployer]:
    p = schemax.Project.create(_Engine(), "shop", store=MemoryStore(), author="tester")
    p._capabilities = UNITY_CATALOG
    shop(p)
    p.create_table("shop.sales.scratch", [COL("id", "BIGINT"), COL("old", "STRING")])
    p.add_environment("dev", {"shop": "dev_shop"})
    p.snapshot("v1", version="1.0.0")
    deployer = Deployer(p.records, _Engine(), author=p.author, capabilities=UNITY_CATALOG)
    deployer.deploy("dev")
    p.drop_table("shop.sales.customers")
    p.drop_column("shop.sales.scratch", "old")
    p.snapshot("v2", version="2.0.0")
    dep = deployer.deploy("dev", allow_breaking=True)
    assert "`dev_shop`.`sales`.`customers`" in dep.table_versions  # its version was recorded
    return p, deployer


def test_rollback_with_restore_data_refuses_a_dropped_table_and_names_undrop() -> None:
    p, deployer = _deployed_then_dropped()
    with pytest.raises(schemax.RestoreUnavailableError) as err:
        plan_rollback(p.records, deployer, "dev", "1.0.0", restore_data=True)
    text = str(err.value)
    assert "UNDROP TABLE `dev_shop`.`sales`.`customers`" in text
    assert "RESTORE works only on a table that exists" in text
    # without restore_data the rollback is the plain inverse migration, as before
    state, restore = plan_rollback(p.records, deployer, "dev", "1.0.0", restore_data=False)
    assert restore == {} and "customers" not in {t.name for t in state.tables.values()}


def test_rollback_does_not_restore_a_dropped_table_the_target_does_not_have_either() -> None:
    p, deployer = _deployed_then_dropped()
    p.create_table("shop.sales.tmp", [COL("id", "BIGINT"), COL("v", "STRING")])
    p.snapshot("v3", version="3.0.0")
    deployer.deploy("dev")
    p.drop_column("shop.sales.tmp", "v")  # destructive: tmp's version is recorded
    p.snapshot("v4", version="4.0.0")
    deployer.deploy("dev", allow_breaking=True)
    p.drop_table("shop.sales.tmp")
    p.snapshot("v5", version="5.0.0")
    deployer.deploy("dev", allow_breaking=True)
    # back to 2.0.0, which never had tmp: nothing to RESTORE (the table is gone and stays gone)
    state, restore = plan_rollback(p.records, deployer, "dev", "2.0.0", restore_data=True)
    assert restore == {}
    assert "tmp" not in {t.name for t in state.tables.values()}


# ---------------------------------------------------------------------------------------------------
# functions: a new signature is DROP + CREATE, grants right after (UC-39, UC-40)
# ---------------------------------------------------------------------------------------------------


def _function_change(change: Any) -> tuple[State, State]:
    p = shop(project())
    p.create_function("shop.sales.tax", "amount * 0.2", parameters="amount DECIMAL(10,2)",
                      returns="DECIMAL(10,2)", comment="VAT")
    p.grant("shop.sales.tax", "analysts", ["EXECUTE"])
    before = p.state()
    change(p)
    p.create_volume("shop.sales.files")  # a later phase: the function's grant must come before it
    return before, p.state()


def test_parameter_types_are_the_signature() -> None:
    from schemax.core.signatures import parameter_types

    assert parameter_types("") == ()
    assert parameter_types("x int, y decimal(10, 2) DEFAULT 1 COMMENT 'a, b'") == ("INT", "DECIMAL(10,2)")
    assert parameter_types("`a b` MAP<STRING, INT>, c BOOLEAN DEFAULT 2 > 1") == (
        "MAP<STRING,INT>",
        "BOOLEAN",
    )
    assert parameter_types("x INTEGER") == parameter_types("renamed int")


def test_new_parameter_list_drops_and_creates_then_grants_right_after() -> None:
    before, after = _function_change(lambda p: p.update_function(
        "shop.sales.tax", "amount * rate", parameters="amount DECIMAL(10,2), rate DECIMAL(3,2)",
        returns="DECIMAL(10,2)"))
    out = plan(before, after)
    name = "`dev_shop`.`sales`.`tax`"
    assert sqls(out)[:3] == [
        f"DROP FUNCTION IF EXISTS {name}",
        f"CREATE OR REPLACE FUNCTION {name}(amount DECIMAL(10,2), rate DECIMAL(3,2)) RETURNS DECIMAL(10,2) "
        "COMMENT 'VAT' RETURN amount * rate",
        f"GRANT EXECUTE ON FUNCTION {name} TO `analysts`",
    ]
    assert sqls(out)[3].startswith("CREATE VOLUME")
    drop = out.statements[0]
    assert drop.risk.value == "breaking" and drop.note and "dropped and created again" in drop.note
    # undoing drops the new function and creates the old one again, with its grants
    assert drop.reverse == (
        f"CREATE OR REPLACE FUNCTION {name}(amount DECIMAL(10,2)) RETURNS DECIMAL(10,2) COMMENT 'VAT' "
        f"RETURN amount * 0.2;\nGRANT EXECUTE ON FUNCTION {name} TO `analysts`"
    )
    assert out.statements[1].reverse == f"DROP FUNCTION IF EXISTS {name}"
    (finding,) = [f for f in out.findings if f.code == "SX211"]
    assert "fail" in finding.impact and "drops it and creates it again" in finding.impact


def test_new_return_type_or_body_is_replaced_in_place() -> None:
    # the docs allow a return-type change in place ("mainly useful to update the function body and the
    # return type"); issue 10 asked for a drop there too, the docs win
    before, after = _function_change(lambda p: p.update_function(
        "shop.sales.tax", "amount * 0.21", parameters="value decimal(10, 2)", returns="DECIMAL(12,2)"))
    out = plan(before, after)
    name = "`dev_shop`.`sales`.`tax`"
    assert not any(s.startswith("DROP FUNCTION") for s in sqls(out))
    assert sqls(out)[:2] == [
        f"CREATE OR REPLACE FUNCTION {name}(value decimal(10, 2)) RETURNS DECIMAL(12,2) COMMENT 'VAT' "
        "RETURN amount * 0.21",
        f"GRANT EXECUTE ON FUNCTION {name} TO `analysts`",
    ]
    (finding,) = [f for f in out.findings if f.code == "SX211"]
    assert "drops it" not in finding.impact and "fail" in finding.impact


# ---------------------------------------------------------------------------------------------------
# views keep their grants and tags (UC-32, UC-33, UC-25)
# ---------------------------------------------------------------------------------------------------


def _view_change() -> tuple[State, State]:
    p = shop(project())
    p.create_view("shop.sales.emails", "SELECT email FROM customers", comment="Emails", properties={"a": "1"})
    p.set_tags("shop.sales.emails", {"pii": "yes"})
    p.grant("shop.sales.emails", "analysts", ["SELECT"])
    p.create_view("shop.sales.z_count", "SELECT count(*) AS n FROM emails")
    before = p.state()
    p.update_view("shop.sales.emails", "SELECT id, email FROM customers")
    p.set_view_comment("shop.sales.emails", "Customer emails")
    p.update_view("shop.sales.z_count", "SELECT count(email) AS n FROM emails")
    return before, p.state()


def test_changed_view_on_unity_catalog_is_altered_in_place_and_keeps_grants_and_tags() -> None:
    before, after = _view_change()
    out = plan(before, after)
    name = "`dev_shop`.`sales`.`emails`"
    # no GRANT: ALTER VIEW … AS keeps privileges; the comment, properties and tags a replace would drop
    # are stated again right after it ("equivalent to a CREATE OR REPLACE VIEW … except that privileges
    # granted on the view are preserved")
    assert sqls(out) == [
        f"ALTER VIEW {name} AS SELECT id, email FROM `dev_shop`.`sales`.`customers`",
        f"COMMENT ON TABLE {name} IS 'Customer emails'",
        f"ALTER VIEW {name} SET TBLPROPERTIES ('a' = '1')",
        f"ALTER VIEW {name} SET TAGS ('pii' = 'yes')",
        "ALTER VIEW `dev_shop`.`sales`.`z_count` AS "
        "SELECT count(email) AS n FROM `dev_shop`.`sales`.`emails`",
    ]
    old = "SELECT email FROM `dev_shop`.`sales`.`customers`"
    assert out.statements[0].reverse == (
        f"ALTER VIEW {name} AS {old};\nCOMMENT ON TABLE {name} IS 'Emails';\n"
        f"ALTER VIEW {name} SET TBLPROPERTIES ('a' = '1');\nALTER VIEW {name} SET TAGS ('pii' = 'yes')"
    )
    assert out.statements[1].reverse == f"COMMENT ON TABLE {name} IS 'Emails'"
    assert not out.unsupported


def test_changed_view_replaced_on_oss_gets_grants_and_tags_right_after_the_replace() -> None:
    before, after = _view_change()
    out = plan(before, after, Target(catalogs={"shop": "spark_catalog"}, schema_prefix="dev_"), OSS_DELTA)
    name = "`spark_catalog`.`dev_sales`.`emails`"
    assert sqls(out) == [
        f"CREATE OR REPLACE VIEW {name} COMMENT 'Customer emails' TBLPROPERTIES ('a' = '1') AS "
        "SELECT id, email FROM `spark_catalog`.`dev_sales`.`customers`",
        f"GRANT SELECT ON VIEW {name} TO `analysts`",
        f"ALTER VIEW {name} SET TAGS ('pii' = 'yes')",
        "CREATE OR REPLACE VIEW `spark_catalog`.`dev_sales`.`z_count` AS "
        "SELECT count(email) AS n FROM `spark_catalog`.`dev_sales`.`emails`",
    ]
    # undoing re-creates the old view, with its grants and tags
    assert out.statements[0].reverse == (
        f"CREATE OR REPLACE VIEW {name} COMMENT 'Emails' TBLPROPERTIES ('a' = '1') AS "
        "SELECT email FROM `spark_catalog`.`dev_sales`.`customers`;\n"
        f"GRANT SELECT ON VIEW {name} TO `analysts`;\n"
        f"ALTER VIEW {name} SET TAGS ('pii' = 'yes')"
    )


def test_view_properties_change_is_undone() -> None:
    p = shop(project())
    p.create_view("shop.sales.v", "SELECT id FROM customers", properties={"a": "1"})
    before = p.state()
    p.set_view_properties("shop.sales.v", {"a": "2", "b": "3"})
    (stmt,) = plan(before, p.state()).statements
    assert stmt.sql == "ALTER VIEW `dev_shop`.`sales`.`v` SET TBLPROPERTIES ('a' = '2', 'b' = '3')"
    assert stmt.reverse == (
        "ALTER VIEW `dev_shop`.`sales`.`v` SET TBLPROPERTIES ('a' = '1');\n"
        "ALTER VIEW `dev_shop`.`sales`.`v` UNSET TBLPROPERTIES IF EXISTS ('b')"
    )


# ---------------------------------------------------------------------------------------------------
# function calls in view and function bodies follow the environment's catalog (issue 10)
# ---------------------------------------------------------------------------------------------------


def _with_mask_email() -> schemax.Project:
    p = shop(project())
    p.create_function("shop.sales.mask_email", "'***'", parameters="email STRING")
    return p


def test_view_calling_a_managed_function_is_mapped_to_the_physical_catalog() -> None:
    p = _with_mask_email()
    before = p.state()
    p.create_view(
        "shop.sales.contacts",
        "SELECT shop.sales.mask_email(email), upper(mask_email(email)) FROM shop.sales.customers",
    )
    (stmt,) = plan(before, p.state()).statements
    assert stmt.sql == (
        "CREATE OR REPLACE VIEW `dev_shop`.`sales`.`contacts` AS "
        "SELECT `dev_shop`.`sales`.`mask_email`(email), upper(`dev_shop`.`sales`.`mask_email`(email)) "
        "FROM `dev_shop`.`sales`.`customers`"
    )


def test_function_body_calling_a_function_is_mapped_and_builtins_are_not() -> None:
    p = _with_mask_email()
    before = p.state()
    body = (
        "upper(sales.mask_email(s)) || shop.sales.unmanaged(s) || other(s) || sales.other(s) "
        "|| builtin.abs(1) || session.tmp(1) || system.builtin.abs(1) || samples.x.f(1)"
    )
    p.create_function("shop.sales.shout", body, parameters="s STRING")
    (stmt,) = plan(before, p.state(), Target(catalogs={"shop": "dev_shop"}, schema_prefix="pr_")).statements
    assert stmt.sql.endswith(
        "RETURN upper(`dev_shop`.`pr_sales`.`mask_email`(s)) || `dev_shop`.`pr_sales`.`unmanaged`(s) "
        "|| other(s) || sales.other(s) || builtin.abs(1) || session.tmp(1) || system.builtin.abs(1) "
        "|| samples.x.f(1)"
    )


def test_function_calls_are_read_from_sql() -> None:
    from schemax.plan.lineage import functions_called

    sql = "SELECT a.b.f(x), g(1), upper(y), `s`.`h`(2) FROM t CROSS JOIN c.s.tvf(3)"
    assert functions_called(sql) == {("a", "b", "f"), ("g",), ("s", "h"), ("c", "s", "tvf")}


def test_drift_maps_view_function_calls_like_the_planner() -> None:
    from schemax.core.environment import Environment
    from schemax.services.drift import with_physical_view_sql

    p = _with_mask_email()
    before = p.state()
    p.create_view("shop.sales.contacts", "SELECT mask_email(email) FROM customers")
    logical = p.state()
    deployed = plan(before, logical).statements[0].sql.split(" AS ", 1)[1]
    env = Environment(name="dev", catalogs={"shop": "dev_shop"})
    physical = with_physical_view_sql(logical, logical, env)
    (view,) = physical.views.values()
    assert view.definition == deployed
    assert "`dev_shop`.`sales`.`mask_email`(email)" in deployed


# ---------------------------------------------------------------------------------------------------
# catalog and schema renamed in one plan: every statement names the right catalog and schema
# ---------------------------------------------------------------------------------------------------

# an engine that could rename catalogs and schemas and move tables (Unity Catalog cannot: see
# core/uc_rules.py), to check the names the statements use
RENAMES = replace(UNITY_CATALOG,
                  supported=UNITY_CATALOG.supported | {"catalog_rename", "schema_rename", "table_move"})
TWO = Target(catalogs={"shop": "dev_shop", "store": "dev_store"}, schema_prefix="pr_")


def _renamed() -> tuple[State, State]:
    p = shop(project())
    p.create_schema("shop.archive")
    p.create_table("shop.sales.orders", [COL("id", "BIGINT")])
    p.create_view("shop.sales.v", "SELECT id FROM customers")
    p.grant("shop.sales.orders", "analysts", ["SELECT"])
    before = p.state()
    p.revoke("shop.sales.orders", "analysts", ["SELECT"])
    p.rename_catalog("shop", "store")
    p.rename_schema("store.sales", "commerce")
    p.rename_table("store.commerce.customers", "clients")
    p.rename_view("store.commerce.v", "ids")
    after = p.state()
    # a move across schemas (no Project call makes one): orders -> store.archive.orders_2020
    orders = after.tables[after.find("store.commerce.orders")]  # type: ignore[index]
    moved = orders.model_copy(update={"schema_id": after.find("store.archive"), "name": "orders_2020"})
    return before, after.model_copy(update={"tables": {**after.tables, orders.id: moved}})


def test_renamed_schema_is_named_inside_the_renamed_catalog() -> None:
    before, after = _renamed()
    out = plan(before, after, TWO, RENAMES)
    assert not out.unsupported
    assert sqls(out) == [
        "REVOKE SELECT ON TABLE `dev_shop`.`pr_sales`.`orders` FROM `analysts`",
        "ALTER CATALOG `dev_shop` RENAME TO `dev_store`",
        "ALTER SCHEMA `dev_store`.`pr_sales` RENAME TO `dev_store`.`pr_commerce`",
        "ALTER TABLE `dev_store`.`pr_commerce`.`orders` RENAME TO `dev_store`.`pr_archive`.`orders_2020`",
        "ALTER TABLE `dev_store`.`pr_commerce`.`customers` RENAME TO `clients`",
        "ALTER VIEW `dev_store`.`pr_commerce`.`v` RENAME TO `ids`",
    ]
    # undone in reverse order: each rename back runs while its parents still have their new names
    assert [s.reverse for s in reversed(out.statements)] == [
        "ALTER VIEW `dev_store`.`pr_commerce`.`ids` RENAME TO `v`",
        "ALTER TABLE `dev_store`.`pr_commerce`.`clients` RENAME TO `customers`",
        "ALTER TABLE `dev_store`.`pr_archive`.`orders_2020` RENAME TO `dev_store`.`pr_commerce`.`orders`",
        "ALTER SCHEMA `dev_store`.`pr_commerce` RENAME TO `dev_store`.`pr_sales`",
        "ALTER CATALOG `dev_store` RENAME TO `dev_shop`",
        "GRANT SELECT ON TABLE `dev_shop`.`pr_sales`.`orders` TO `analysts`",
    ]


def test_renames_unsupported_on_unity_catalog_list_the_right_names() -> None:
    before, after = _renamed()
    out = plan(before, after, TWO)
    assert [s.sql for s, _ in out.unsupported] == [
        "ALTER CATALOG `dev_shop` RENAME TO `dev_store`",
        "ALTER SCHEMA `dev_store`.`pr_sales` RENAME TO `dev_store`.`pr_commerce`",
        "ALTER TABLE `dev_store`.`pr_commerce`.`orders` RENAME TO `dev_store`.`pr_archive`.`orders_2020`",
    ]
    assert "ALTER SCHEMA `dev_store`.`pr_sales` RENAME TO `dev_store`.`pr_commerce`" in out.sql


def test_catalog_renamed_onto_the_same_physical_catalog_leaves_the_schema_rename_alone() -> None:
    before, after = _renamed()
    out = plan(before, after, Target(catalogs={"shop": "prod", "store": "prod"}), RENAMES)
    assert sqls(out)[1:3] == [
        "ALTER SCHEMA `prod`.`sales` RENAME TO `prod`.`commerce`",
        "ALTER TABLE `prod`.`commerce`.`orders` RENAME TO `prod`.`archive`.`orders_2020`",
    ]
    p = shop(project())
    before = p.state()
    p.rename_catalog("shop", "store")  # the schema keeps its name: no schema statement at all
    assert sqls(plan(before, p.state(), TWO, RENAMES)) == ["ALTER CATALOG `dev_shop` RENAME TO `dev_store`"]
