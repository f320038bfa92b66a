"""Design-time validation of the SQL an op carries (:mod:`schemax.core.sql_checks`): refused when the op
is recorded, with a typed error; what is only unusual is let through; replay of a recorded log never
checks."""

from __future__ import annotations

from pathlib import Path

import pytest

import schemax
from schemax.core.ops import Op
from schemax.core.replay import StateBuilder, replay


@pytest.fixture()
def p() -> schemax.Project:
    p = schemax.Project.in_memory("shop")
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.create_table("shop.sales.orders", [schemax.Column("id", "BIGINT"), schemax.Column("amount", "INT"),
                                         schemax.Column("addr", "STRUCT<city: STRING>"),
                                         schemax.Column("tags", "ARRAY<STRING>")])
    return p


@pytest.mark.parametrize("sql, problem, name", [
    ("SELEC * FRM orders", "not_a_query", None),
    ("SELECT * FRM orders", "syntax", None),
    ("SELECT id FROM orders WHERE", "syntax", None),
    ("SELECT id FROM orders; DROP TABLE orders", "syntax", None),
    ("DROP TABLE orders", "not_a_query", None),
    ("SELECT * FROM missing", "unknown_relation", "shop.sales.missing"),
    ("SELECT * FROM sales.ordres", "unknown_relation", "shop.sales.ordres"),
    ("SELECT o.id FROM shop.sales.orders o JOIN shop.sales.nope n ON o.id = n.id", "unknown_relation",
     "shop.sales.nope"),
])
def test_a_bad_view_is_refused_when_recorded(p: schemax.Project, sql: str, problem: str,
                                             name: str | None) -> None:
    before = p.last_seq
    with pytest.raises(schemax.SqlDefinitionError) as info:
        p.create_view("shop.sales.v", sql)
    err = info.value
    assert (err.what, err.problem, err.name, err.sql) == ("view definition", problem, name, sql)
    assert isinstance(err, schemax.ValidationError) and err.op.kind == "create_view"
    assert p.last_seq == before  # nothing recorded


@pytest.mark.parametrize("sql", [
    "SELECT * FROM orders",
    "select id from shop.sales.orders where amount > 0",
    "WITH big AS (SELECT * FROM orders WHERE amount > 10) SELECT id FROM big",
    "SELECT * FROM samples.nyctaxi.trips",  # a catalog the project does not hold
    "SELECT * FROM shop.other.t",  # a schema the project does not hold
    "SELECT * FROM system.information_schema.tables",
    "SELECT * FROM delta.`/mnt/raw/orders`",
    "SELECT * FROM read_files('/Volumes/shop/sales/files')",
    "SELECT id, explode(tags) FROM orders",
    "SELECT * FROM orders LATERAL VIEW explode(tags) t AS tag",
    "SELECT id FROM orders QUALIFY row_number() OVER (PARTITION BY id ORDER BY amount) = 1",
    "TABLE orders",
    "VALUES (1, 'a')",
    "(SELECT id FROM orders) UNION ALL (SELECT id FROM orders)",
    "-- the big orders\nSELECT id FROM orders",
    "SELECT * FROM orders VERSION AS OF 3",
])
def test_a_good_or_foreign_view_is_recorded(p: schemax.Project, sql: str) -> None:
    p.create_view("shop.sales.v", sql)
    assert p.state().find("shop.sales.v") is not None


def test_a_view_on_a_view_and_its_update(p: schemax.Project) -> None:
    p.create_view("shop.sales.v1", "SELECT id FROM orders")
    p.create_view("shop.sales.v2", "SELECT id FROM v1")
    with pytest.raises(schemax.SqlDefinitionError) as info:
        p.update_view("shop.sales.v2", "SELECT id FROM v3")
    assert info.value.problem == "unknown_relation" and info.value.op.kind == "update_view_definition"
    p.update_view("shop.sales.v2", "SELECT id FROM orders")


@pytest.mark.parametrize("expression, problem, name", [
    ("amout > 0", "unknown_column", "amout"),
    ("orders.nope IS NOT NULL", "unknown_column", "nope"),
    ("other.amount > 0", "unknown_column", "amount"),
    ("amount >", "syntax", None),
    ("SELECT 1", "syntax", None),
])
def test_a_bad_check_is_refused_when_recorded(p: schemax.Project, expression: str, problem: str,
                                              name: str | None) -> None:
    with pytest.raises(schemax.SqlDefinitionError) as info:
        p.add_check_constraint("shop.sales.orders", "c", expression)
    err = info.value
    assert (err.what, err.problem, err.name) == ("check expression", problem, name)
    assert all(c.name != "c" for c in p.state().tables[p.state().find("shop.sales.orders")].constraints)


@pytest.mark.parametrize("expression", [
    "amount > 0", "AMOUNT >= 0 AND id IS NOT NULL", "orders.amount > 0", "addr.city <> ''",
    "size(tags) < 10", "exists(tags, t -> length(t) > 0)", "amount BETWEEN 0 AND 100",
    "id IN (1, 2, 3) OR amount IS NULL", "`amount` > 0", "coalesce(amount, 0) >= 0",
])
def test_a_good_check_is_recorded(p: schemax.Project, expression: str) -> None:
    p.add_check_constraint("shop.sales.orders", "c", expression)


def test_a_sql_function_body_must_parse(p: schemax.Project) -> None:
    with pytest.raises(schemax.SqlDefinitionError) as info:
        p.create_function("shop.sales.f", "x + (1", "x INT", "INT")
    assert (info.value.what, info.value.problem) == ("function body", "syntax")
    p.create_function("shop.sales.f", "x + 1", "x INT", "INT")
    p.create_function("shop.sales.g", "return x.upper(", "x STRING", "STRING", language="PYTHON")


def test_replay_imports_and_reverts_never_check() -> None:
    """A log recorded before the checks (or by another tool) replays to the state it holds; prepared ops
    (an import, a revert) record what is."""
    ops = [Op.new("create_catalog", "cat_1", {"name": "shop"}),
           Op.new("create_schema", "sch_1", {"catalog_id": "cat_1", "name": "sales"}),
           Op.new("create_view", "viw_1", {"schema_id": "sch_1", "name": "v", "definition": "SELEC * FRM x"})]
    assert replay(ops).views["viw_1"].definition == "SELEC * FRM x"
    assert StateBuilder().apply_all(ops[:2]).record(ops[2]) == [ops[2]]  # the UC rules only
    p = schemax.Project.in_memory("shop")
    p.record_ops(ops)  # what an import records
    assert p.state().views["viw_1"].definition == "SELEC * FRM x"


def test_a_view_whose_table_was_dropped_since_stays_and_round_trips(p: schemax.Project,
                                                                    tmp_path: Path) -> None:
    p.create_view("shop.sales.v", "SELECT id FROM orders")
    p.drop_table("shop.sales.orders")  # allowed: the view now reads nothing (the planner warns)
    written = p.export_design(tmp_path)
    q = schemax.Project.in_memory("copy")
    q.sync(written)  # the files describe the project as it is
    assert q.state().find("shop.sales.v") is not None and q.state().find("shop.sales.orders") is None
    with pytest.raises(schemax.SqlDefinitionError):  # but a new view on the missing table is refused
        q.create_view("shop.sales.w", "SELECT id FROM orders")


def test_design_files_refuse_bad_sql_with_its_place(tmp_path: Path) -> None:
    p = schemax.Project.in_memory("shop")
    (tmp_path / "shop.yml").write_text(
        "version: 1\ncatalogs:\n  - name: shop\n    schemas:\n      - name: sales\n        tables:\n"
        "          - name: orders\n            columns:\n              - {name: id, type: BIGINT}\n"
        "        views:\n          - name: v\n            definition: SELEC * FRM orders\n",
        encoding="utf-8")
    with pytest.raises(schemax.DesignFileError) as info:
        p.sync([tmp_path / "shop.yml"])
    err = info.value
    assert err.file.endswith("shop.yml") and err.line == 11 and "is not a query" in err.reason
    assert p.ops() == []


def test_in_a_batch_a_view_may_read_one_created_later_but_not_one_never_created(p: schemax.Project) -> None:
    with p.batch():
        p.create_view("shop.sales.top", "SELECT id FROM shop.sales.by_id")
        p.create_view("shop.sales.by_id", "SELECT id FROM orders")
    assert p.state().find("shop.sales.top") and p.state().find("shop.sales.by_id")
    before = p.last_seq
    with pytest.raises(schemax.SqlDefinitionError) as info:
        with p.batch():
            p.create_view("shop.sales.a", "SELECT id FROM shop.sales.never")
            p.set_table_comment("shop.sales.orders", "not recorded either")
    assert info.value.name == "shop.sales.never" and p.last_seq == before
    with pytest.raises(schemax.SqlDefinitionError, match="other than the view itself"):
        p.create_view("shop.sales.loop", "SELECT * FROM loop")
