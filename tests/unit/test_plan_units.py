"""The planner's parts, one behaviour at a time: lineage, diff provenance, ordering, rendering rules,
engine capabilities, and the Plan object's renderings (script, JSON, reverse, review screen)."""

from __future__ import annotations

import json
import logging

import pytest
import sqlglot

import schemax
from schemax.adapters.memory import MemoryStore
from schemax.core.model import State
from schemax.plan import (
    OSS_DELTA,
    UNITY_CATALOG,
    Risk,
    Target,
    Tracking,
    attach_op_ids,
    build_plan,
    detect_capabilities,
    diff,
    order_changes,
    plan,
)
from schemax.plan import changes as ch
from schemax.plan.lineage import (
    columns_read,
    relations_read,
    rename_columns,
    resolve,
    rewrite_relations,
    view_dependencies,
)
from schemax.plan.render import RENDERERS
from schemax.plan.render.tables import _moves

COL = schemax.Column


def shop() -> schemax.Project:
    p = schemax.Project.create(None, "t", store=MemoryStore(), author="unit")
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.create_table(
        "shop.sales.orders", [COL("id", "BIGINT", nullable=False), COL("qty", "INT"), COL("note", "STRING")]
    )
    return p


# --- lineage -----------------------------------------------------------------------------------------


def test_relations_read_skips_ctes_and_functions() -> None:
    sql = (
        "WITH recent AS (SELECT * FROM Shop.Sales.Orders) SELECT * FROM recent r "
        "JOIN sales.customers c ON c.id = r.cid JOIN range(3) x WHERE EXISTS (SELECT 1 FROM `odd name`)"
    )
    assert relations_read(sql) == {("shop", "sales", "orders"), ("sales", "customers"), ("odd name",)}


def test_unparseable_sql_is_empty_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="schemax.plan.lineage"):
        assert relations_read("SELEKT FROM WHERE (") == set()
        assert columns_read("SELEKT FROM WHERE (") == set()
        assert rewrite_relations("SELEKT FROM WHERE (", lambda p: "x") is None
    assert "cannot parse" in caplog.text


def test_columns_read_and_star() -> None:
    assert columns_read("SELECT a, T.B FROM t WHERE c > 1") == {"a", "b", "c"}
    assert "*" in columns_read("SELECT * FROM t")


def test_resolve_fills_defaults() -> None:
    assert resolve(("t",), "c", "s") == ("c", "s", "t")
    assert resolve(("x", "t"), "c", "s") == ("c", "x", "t")
    assert resolve(("a", "b", "t"), "c", "s") == ("a", "b", "t")
    with pytest.raises(ValueError):
        resolve(("a", "b", "c", "d"), "c", "s")


def test_rewrite_relations_changes_only_the_references() -> None:
    sql = "SELECT o.id -- orders\nFROM orders o JOIN shop.sales.`my t` m ON m.id = o.id"
    out = rewrite_relations(sql, lambda parts: "`X`." + ".".join(f"`{p}`" for p in parts))
    assert out == "SELECT o.id -- orders\nFROM `X`.`orders` o JOIN `X`.`shop`.`sales`.`my t` m ON m.id = o.id"


def test_rename_columns_in_an_expression() -> None:
    assert rename_columns("qty > 0 AND t.qty < 10", {"qty": "n"}) == "`n` > 0 AND t.`n` < 10"


def test_view_dependencies_resolve_in_the_views_schema() -> None:
    p = shop()
    p.create_view("shop.sales.v1", "SELECT * FROM orders")
    p.create_view("shop.sales.v2", "SELECT * FROM sales.v1 JOIN shop.sales.orders USING (id)")
    p.create_view("shop.sales.v3", "SELECT * FROM elsewhere.x")
    s = p.state()
    deps = view_dependencies(s)
    by_name = {s.full_name(k): {s.full_name(i) for i in v} for k, v in deps.items()}
    assert by_name == {
        "shop.sales.v1": {"shop.sales.orders"},
        "shop.sales.v2": {"shop.sales.v1", "shop.sales.orders"},
        "shop.sales.v3": set(),
    }


# --- diff and provenance ------------------------------------------------------------------------------


def test_renames_come_from_ids_never_guessed() -> None:
    p = shop()
    a = p.state()
    p.rename_column("shop.sales.orders", "note", "remark")
    p.rename_table("shop.sales.orders", "orders2")
    kinds = [type(c).__name__ for c in diff(a, p.state())]
    assert kinds == ["RenameTable", "RenameColumn"]
    p2 = shop()
    a2 = p2.state()
    p2.drop_column("shop.sales.orders", "note")
    p2.add_column("shop.sales.orders", "remark", "STRING")  # same shape as a rename, but it is not one
    assert [type(c).__name__ for c in diff(a2, p2.state())] == ["DropColumn", "AddColumn"]


def test_column_flags_say_what_changed() -> None:
    p = shop()
    a = p.state()
    p.change_column_type("shop.sales.orders", "qty", "BIGINT")
    p.set_column_comment("shop.sales.orders", "qty", "how many")
    p.set_column_nullable("shop.sales.orders", "id", True)
    changes = diff(a, p.state())
    flags = {c.after.name: c.flags for c in changes if isinstance(c, ch.ModifyColumn)}
    assert flags == {"qty": {ch.ColumnFlag.TYPE, ch.ColumnFlag.COMMENT}, "id": {ch.ColumnFlag.NULLABILITY}}


def test_attach_op_ids() -> None:
    p = shop()
    a = p.state()
    n = len(p.ops())
    p.add_column("shop.sales.orders", "x", "INT")
    p.set_column_comment("shop.sales.orders", "x", "c")
    p.set_table_comment("shop.sales.orders", "t")
    p.rename_table("shop.sales.orders", "o2")
    p.grant("shop.sales.o2", "bob", ["SELECT"])
    ops = p.ops()[n:]
    changes = {type(c).__name__: c for c in attach_op_ids(diff(a, p.state()), ops)}
    ids = [o.op_id for o in ops]
    assert changes["AddColumn"].op_ids == (ids[0], ids[1])
    assert changes["SetTableComment"].op_ids == (ids[2],)
    assert changes["RenameTable"].op_ids == (ids[3],)
    assert changes["Grant"].op_ids == (ids[4],)
    created = attach_op_ids(diff(State(), p.state()), p.ops())
    table = next(c for c in created if isinstance(c, ch.CreateTable))
    assert len(table.op_ids) == 6  # create, add column, two comments, rename, grant


# --- ordering -----------------------------------------------------------------------------------------


def test_fewest_moves_for_a_reorder() -> None:
    assert _moves(list("abcd"), list("bcda")) == [("a", "d")]
    assert _moves(list("abcd"), list("dabc")) == [("d", None)]
    assert _moves(list("abc"), list("abc")) == []
    for before, after in [("abcdef", "fedcba"), ("abcdef", "badcfe"), ("abcdef", "cafbde")]:
        order = list(before)
        for cid, prev in _moves(list(before), list(after)):
            order.remove(cid)
            order.insert(0 if prev is None else order.index(prev) + 1, cid)
        assert order == list(after)


def test_renames_before_creates_that_reuse_the_name() -> None:
    p = shop()
    a = p.state()
    p.rename_table("shop.sales.orders", "old_orders")
    p.create_table("shop.sales.orders", [COL("id", "BIGINT")])
    ordered = order_changes(diff(a, p.state()), a, p.state())
    assert [type(c).__name__ for c in ordered] == ["RenameTable", "CreateTable"]


def test_revokes_first_grants_last() -> None:
    p = shop()
    p.grant("shop.sales.orders", "a", ["SELECT"])
    a = p.state()
    p.revoke("shop.sales.orders", "a", ["SELECT"])
    p.grant("shop.sales.orders", "b", ["SELECT"])
    p.drop_column("shop.sales.orders", "note")
    kinds = [type(c).__name__ for c in order_changes(diff(a, p.state()), a, p.state())]
    assert kinds == ["Revoke", "DropColumn", "Grant"]


# --- rendering rules ----------------------------------------------------------------------------------


def test_every_change_type_has_a_renderer() -> None:
    assert set(RENDERERS) == set(ch.CHANGE_TYPES)


def test_not_null_is_never_inline_in_add_columns() -> None:
    p = shop()
    a = p.state()
    p.add_column("shop.sales.orders", "x", "INT", nullable=False)
    sqls = [s.sql for s in plan(a, p.state()).statements]
    assert sqls[0].endswith("ADD COLUMNS (`x` INT)")
    assert sqls[1].endswith("ALTER COLUMN `x` SET NOT NULL")


def test_column_mapping_before_rename_once_and_flagged() -> None:
    p = shop()
    a = p.state()
    p.rename_column("shop.sales.orders", "note", "n1")
    p.drop_column("shop.sales.orders", "qty")
    stmts = plan(a, p.state()).statements
    assert stmts[0].sql.endswith("SET TBLPROPERTIES ('delta.columnMapping.mode' = 'name')")
    assert stmts[0].risk is Risk.BREAKING and stmts[0].reverse is None and "one-way" in (stmts[0].note or "")
    assert sum("columnMapping" in s.sql for s in stmts) == 1


def test_widening_depends_on_the_engine() -> None:
    p = shop()
    a = p.state()
    p.change_column_type("shop.sales.orders", "qty", "DOUBLE")
    uc = plan(a, p.state())
    oss = plan(a, p.state(), catalogs={"shop": "spark_catalog"}, capabilities=OSS_DELTA)
    assert any(s.sql.endswith("ALTER COLUMN `qty` TYPE DOUBLE") for s in uc.statements)
    assert [s.capability for s in oss.statements].count("table_rewrite") == 4


def test_identifiers_and_literals_are_quoted() -> None:
    p = shop()
    a = p.state()
    p.set_table_comment("shop.sales.orders", "it's ${env:HOME}\n-- x")
    p.set_table_properties("shop.sales.orders", {"k'": "v\\"})
    stmts = plan(a, p.state()).statements
    assert stmts[0].sql == "COMMENT ON TABLE `shop`.`sales`.`orders` IS 'it\\'s \\u0024{env:HOME}\\n-- x'"
    assert stmts[1].sql == "ALTER TABLE `shop`.`sales`.`orders` SET TBLPROPERTIES ('k\\'' = 'v\\\\')"


def test_tracking_is_one_folded_set_per_table() -> None:
    p = shop()
    a = p.state()
    p.set_table_properties("shop.sales.orders", {"q": "1"})
    p.add_column("shop.sales.orders", "x", "INT")
    t = Target(tracking=Tracking("2.0.0", "s", "d", "prod", "now"))
    stmts = build_plan(a, p.state(), t).statements
    props = [s for s in stmts if "SET TBLPROPERTIES" in s.sql]
    assert len(props) == 1 and "'q' = '1'" in props[0].sql and "'schemax.version' = '2.0.0'" in props[0].sql


def test_statements_carry_provenance() -> None:
    p = shop()
    a = p.state()
    n = len(p.ops())
    p.drop_column("shop.sales.orders", "note")
    pl = build_plan(a, p.state(), ops=p.ops()[n:])
    drop = next(s for s in pl.statements if "DROP COLUMNS" in s.sql)
    assert drop.risk is Risk.DESTRUCTIVE and drop.reverse is None
    assert drop.op_ids == (p.ops()[-1].op_id,) and drop.object_id == a.find("shop.sales.orders")
    assert [c.kind for c in drop.changes] == ["drop_column"]


# --- engines ------------------------------------------------------------------------------------------


class FakeExecutor:
    def __init__(self, uc: bool, catalogs: list[str]) -> None:
        self.uc, self.catalogs = uc, catalogs

    def execute(self, sql: str, params: object = None) -> None:
        raise AssertionError("detection only reads")

    def query(self, sql: str, params: object = None) -> list[dict[str, str]]:
        if "current_metastore" in sql:
            if not self.uc:
                raise RuntimeError("UNRESOLVED_ROUTINE current_metastore")
            return [{"metastore": "m"}]
        return [{"catalog": c} for c in self.catalogs]


def test_detect_capabilities() -> None:
    local = detect_capabilities(FakeExecutor(False, ["spark_catalog"]))
    assert local.name == OSS_DELTA.name and local.existing_catalogs == {"spark_catalog"}
    uc = detect_capabilities(FakeExecutor(True, ["main", "dev_shop"]))
    assert uc.supports("tags") and uc.existing_catalogs == {"main", "dev_shop"}


def test_catalog_satisfied_or_missing_on_an_engine_without_catalog_ddl() -> None:
    p = shop()
    ok = plan(State(), p.state(), catalogs={"shop": "spark_catalog"}, capabilities=OSS_DELTA)
    assert not ok.unsupported and "already exists" in ok.notes[0]
    assert not any("CATALOG" in s.sql for s in ok.statements)
    missing = plan(State(), p.state(), catalogs={"shop": "dev_shop"}, capabilities=OSS_DELTA)
    assert [r for _, r in missing.unsupported] == [
        "catalog dev_shop does not exist and open-source Spark + Delta cannot create catalogs"
    ]
    assert "UNSUPPORTED" in missing.sql.split("\n\n")[0]


# --- the Plan object ----------------------------------------------------------------------------------


def test_plan_renderings() -> None:
    p = shop()
    p.grant("shop.sales.orders", "bob<script>", ["SELECT"])
    a = p.state()
    p.drop_column("shop.sales.orders", "note")
    p.set_table_comment("shop.sales.orders", "<b>&'")
    pl = build_plan(a, p.state(), Target({"shop": "prod"}), from_version="1.0.0", to_version="1.1.0")
    assert pl.from_version == "1.0.0" and not pl.is_empty and len(pl) == len(pl.statements)
    assert pl.sql.startswith("-- schemax plan: 1.0.0 -> 1.1.0\n")
    body = pl.sql.split("\n\n", 1)[1]
    assert body.count(";\n\n") == len(pl.statements) - 1 and body.endswith(";\n")
    data = json.loads(pl.to_json())
    assert [s["sql"] for s in data["statements"]] == [s.sql for s in pl.statements]
    assert {s["risk"] for s in data["statements"]} <= {r.value for r in Risk}
    reverse = pl.reverse_sql()
    assert "cannot be undone by SQL: ALTER TABLE `prod`.`sales`.`orders` DROP COLUMNS" in reverse
    assert "COMMENT ON TABLE `prod`.`sales`.`orders` IS NULL" in reverse
    html = pl._repr_html_()
    assert "<script>" not in html and "&lt;b&gt;&amp;" in html and "<details>" in html
    assert "shop.sales.orders" in html
    for part in reverse.split(";\n\n"):
        lines = [x for x in part.splitlines() if not x.startswith("--")]
        sql = "\n".join(lines).rstrip(";").replace(" IS NULL", " IS ''")  # sqlglot cannot read IS NULL here
        if sql:
            sqlglot.parse_one(sql, read="databricks")


def test_findings_and_breaking_changes_come_from_the_analyzers() -> None:
    pytest.importorskip("schemax.analyze")
    p = shop()
    a = p.state()
    p.drop_column("shop.sales.orders", "note")
    pl = plan(a, p.state())
    assert pl.findings and pl.breaking_changes
    assert all(f.blocking for f in pl.breaking_changes)
    assert any(f.code.startswith("SX1") for f in pl.breaking_changes)
    assert "-- findings:" in pl.sql


def test_uc_only_statements_parse() -> None:
    """Every Unity-Catalog-only statement class renders to SQL sqlglot's Databricks dialect reads."""
    p = shop()
    a = p.state()
    p.set_tags("shop.sales.orders", {"k": "v"})
    p.set_tags("shop.sales.orders.qty", {"k": "v"})
    p.set_tags("shop.sales", {"k": "v"})
    p.set_tags("shop", {"k": "v"})
    p.grant("shop.sales.orders", "a b", ["SELECT", "MODIFY"])
    p.set_row_filter("shop.sales.orders", "f", ["id"])
    p.set_column_mask("shop.sales.orders", "note", "m", ["id"])
    p.add_primary_key("shop.sales.orders", ["id"])
    p.set_column_nullable("shop.sales.orders", "qty", False)
    p.create_volume("shop.sales.v", comment="c")
    p.create_function("shop.sales.py", "return 1", returns="INT", language="PYTHON")
    p.create_catalog("other", comment="x")
    pl = plan(a, p.state())
    oss = plan(a, p.state(), capabilities=OSS_DELTA)
    uc_only = {s.capability for s, _ in oss.unsupported}
    assert uc_only >= {
        "tags",
        "grants",
        "row_filter",
        "column_mask",
        "constraints_pk_fk",
        "set_not_null",
        "volumes",
        "python_functions",
        "catalog_ddl",
    }
    for s in pl.statements:
        if s.capability in uc_only:
            assert sqlglot.parse_one(s.sql, read="databricks") is not None
    assert not pl.unsupported and UNITY_CATALOG.supports("tags")


def test_a_move_across_schemas_is_undone_into_the_old_schema() -> None:
    """The reverse of a cross-schema move names the old schema (a bare name would stay in the new one)."""
    import schemax

    p = schemax.Project.in_memory("moves")
    p.create_catalog("c")
    p.create_schema("c.a")
    p.create_schema("c.b")
    p.create_table("c.a.t", [schemax.Column("id", "INT")])
    p.create_view("c.a.v", "SELECT 1 AS one")
    p.create_volume("c.a.vol")
    before = p.state()
    target = before.schemas[next(i for i, s in before.schemas.items() if s.name == "b")].id
    moved = before.model_copy(update={
        kind: {i: o.model_copy(update={"schema_id": target}) for i, o in getattr(before, kind).items()}
        for kind in ("tables", "views", "volumes")})
    plan = schemax.plan(before, moved, catalogs={"c": "pc"})
    reverses = {st.sql: st.reverse for st in plan.statements if "RENAME TO" in st.sql}
    assert reverses == {
        "ALTER TABLE `pc`.`a`.`t` RENAME TO `pc`.`b`.`t`": "ALTER TABLE `pc`.`b`.`t` RENAME TO `pc`.`a`.`t`",
        "ALTER VIEW `pc`.`a`.`v` RENAME TO `pc`.`b`.`v`": "ALTER VIEW `pc`.`b`.`v` RENAME TO `pc`.`a`.`v`",
        "ALTER VOLUME `pc`.`a`.`vol` RENAME TO `pc`.`b`.`vol`":
            "ALTER VOLUME `pc`.`b`.`vol` RENAME TO `pc`.`a`.`vol`",
    }
    # Unity Catalog renames a table only within its schema, a view at most within its catalog (rule
    # relation-move) and a volume only within its schema: the plan says so before anything runs
    moved_away = "Unity Catalog renames a table only within its schema"
    assert [(st.sql, reason.split(";")[0].split(" (")[0]) for st, reason in plan.unsupported] == [
        ("ALTER TABLE `pc`.`a`.`t` RENAME TO `pc`.`b`.`t`", moved_away),
        ("ALTER VIEW `pc`.`a`.`v` RENAME TO `pc`.`b`.`v`", moved_away),
        ("ALTER VOLUME `pc`.`a`.`vol` RENAME TO `pc`.`b`.`vol`",
         "ALTER VOLUME ... RENAME TO cannot change the schema")]
