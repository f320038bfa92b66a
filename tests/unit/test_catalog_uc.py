"""Unity Catalog reader: the information_schema queries it builds, and reads over fakes (no workspace)."""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from typing import Any
from unittest.mock import create_autospec

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.service.catalog import (
    ColumnInfo,
    ColumnTypeName,
    DataSourceFormat,
    ForeignKeyConstraint,
    PrimaryKeyConstraint,
    TableConstraint,
    TableInfo,
    TableType,
)

from schemax.adapters.catalog_uc import (
    INFO_VIEWS,
    UnityCatalogReader,
    information_schema_queries,
    information_schema_query,
)
from schemax.drift import compare, observed_id
from schemax.drift.observed import ObservedStateBuilder
from schemax.errors import SqlError
from schemax.ports import CatalogReader

# -- query builders (pure) ---------------------------------------------------------------------------


def test_one_query_per_view_per_catalog() -> None:
    queries = information_schema_queries("Main", ["Sales", "ops"])
    assert list(queries) == [v.name for v in INFO_VIEWS]
    assert len(set(queries.values())) == len(INFO_VIEWS)
    for name, sql in queries.items():
        assert f"FROM `Main`.information_schema.{name} WHERE" in sql
        assert "'main'" in sql  # the catalog filter literal is lower-case


def test_exact_sql_of_the_columns_query() -> None:
    view = next(v for v in INFO_VIEWS if v.name == "columns")
    assert information_schema_query(view, "main", ["sales", "ops"]) == (
        "SELECT table_schema, table_name, column_name, ordinal_position, full_data_type, is_nullable, "
        "column_default, comment, partition_index FROM `main`.information_schema.columns "
        "WHERE table_catalog = 'main' AND table_schema IN ('sales', 'ops')"
    )


def test_schema_literals_are_lower_case_and_escaped() -> None:
    sql = information_schema_queries("dev", ["Sales", "it's", "back\\slash"])["tables"]
    assert "table_schema IN ('sales', 'it\\'s', 'back\\\\slash')" in sql
    assert "Sales" not in sql


def test_identifier_quoting_of_the_catalog() -> None:
    sql = information_schema_queries("we`ird", ["s"])["schemata"]
    assert sql.startswith(
        "SELECT catalog_name, schema_name, comment FROM `we``ird`.information_schema.schemata"
    )
    assert "catalog_name = 'we`ird'" in sql


def test_all_schemas_excludes_information_schema() -> None:
    queries = information_schema_queries("main", None)
    assert "table_schema <> 'information_schema'" in queries["tables"]
    assert "IN (" not in queries["tables"]
    assert queries["catalogs"] == (
        "SELECT catalog_name, comment FROM `main`.information_schema.catalogs WHERE catalog_name = 'main'"
    )
    assert queries["catalog_tags"].endswith("WHERE catalog_name = 'main'")


def test_key_column_usage_also_fetches_referenced_keys() -> None:
    sql = information_schema_queries("main", ["sales"])["key_column_usage"]
    assert "constraint_schema IN ('sales') OR (constraint_schema, constraint_name) IN (SELECT " in sql
    assert "FROM `main`.information_schema.referential_constraints" in sql


# -- reads over fakes ----------------------------------------------------------------------------------


class FakeExecutor:
    """Answers information_schema queries from canned rows per view; records every statement."""

    def __init__(
        self,
        rows: Mapping[str, list[dict[str, Any]]],
        properties: Mapping[str, dict[str, str]] | None = None,
        missing: tuple[str, ...] = (),
    ) -> None:
        self.rows = rows
        self.properties = properties or {}
        self.missing = missing
        self.sql: list[str] = []
        self._lock = threading.Lock()

    def execute(self, sql: str, params: Any = None) -> None:
        raise AssertionError("a reader never writes")

    def query(self, sql: str, params: Any = None) -> list[dict[str, Any]]:
        with self._lock:
            self.sql.append(sql)
        m = re.search(r"FROM `[^`]+`\.information_schema\.(\w+) WHERE", sql)
        if m:
            if m.group(1) in self.missing:
                raise SqlError(sql, f"[TABLE_OR_VIEW_NOT_FOUND] {m.group(1)}", "not_found")
            return [dict(r) for r in self.rows.get(m.group(1), [])]
        m = re.match(r"SHOW TBLPROPERTIES (.+)$", sql)
        if m:
            name = m.group(1).replace("`", "")
            return [{"key": k, "value": v} for k, v in self.properties.get(name, {}).items()]
        raise AssertionError(f"unexpected SQL {sql}")


def _col(
    table: str,
    name: str,
    pos: int,
    type_: str,
    nullable: str = "YES",
    comment: str | None = None,
    partition: int | None = None,
    schema: str = "sales",
) -> dict[str, Any]:
    return {
        "table_schema": schema,
        "table_name": table,
        "column_name": name,
        "ordinal_position": pos,
        "full_data_type": type_,
        "is_nullable": nullable,
        "column_default": None,
        "comment": comment,
        "partition_index": partition,
    }


def _table(
    name: str, table_type: str, comment: str | None, fmt: str | None, path: str | None
) -> dict[str, Any]:
    return {
        "table_schema": "sales",
        "table_name": name,
        "table_type": table_type,
        "comment": comment,
        "data_source_format": fmt,
        "storage_path": path,
    }


def _key(constraint: str, table: str, unique_position: int | None) -> dict[str, Any]:
    return {
        "constraint_schema": "sales",
        "constraint_name": constraint,
        "table_catalog": "main",
        "table_schema": "sales",
        "table_name": table,
        "column_name": "id",
        "ordinal_position": 1,
        "position_in_unique_constraint": unique_position,
    }


ROWS: dict[str, list[dict[str, Any]]] = {
    "catalogs": [{"catalog_name": "main", "comment": "the catalog"}],
    "schemata": [{"catalog_name": "main", "schema_name": "sales", "comment": "Sales"}],
    "tables": [
        _table("orders", "MANAGED", "Orders", "DELTA", "s3://m/orders"),
        _table("customers", "MANAGED", None, "DELTA", "s3://m/c"),
        _table("big", "VIEW", "v", None, None),
        _table("mv", "MATERIALIZED_VIEW", None, None, None),
    ],
    "columns": [
        _col("orders", "amount", 2, "decimal(10,2)", comment="amt"),
        _col("orders", "id", 1, "bigint", nullable="NO"),
        _col("orders", "day", 3, "date", partition=0),
        _col("orders", "tags", 4, "struct<a:int,b:string>"),
        _col("customers", "id", 1, "bigint", nullable="NO"),
        _col("big", "id", 1, "bigint"),
    ],
    "views": [{"table_schema": "sales", "table_name": "big", "view_definition": "SELECT * FROM orders"}],
    "catalog_tags": [{"catalog_name": "main", "tag_name": "env", "tag_value": "dev"}],
    "schema_tags": [{"schema_name": "sales", "tag_name": "domain", "tag_value": "sales"}],
    "table_tags": [{"schema_name": "sales", "table_name": "orders", "tag_name": "pii", "tag_value": "no"}],
    "column_tags": [
        {
            "schema_name": "sales",
            "table_name": "orders",
            "column_name": "id",
            "tag_name": "key",
            "tag_value": "yes",
        }
    ],
    "volume_tags": [],
    "table_constraints": [
        {
            "constraint_schema": "sales",
            "constraint_name": "customers_pk",
            "table_schema": "sales",
            "table_name": "customers",
            "constraint_type": "PRIMARY KEY",
        },
        {
            "constraint_schema": "sales",
            "constraint_name": "orders_cust_fk",
            "table_schema": "sales",
            "table_name": "orders",
            "constraint_type": "FOREIGN KEY",
        },
    ],
    "key_column_usage": [
        _key("customers_pk", "customers", None),
        _key("orders_cust_fk", "orders", 1),
    ],
    "referential_constraints": [
        {
            "constraint_schema": "sales",
            "constraint_name": "orders_cust_fk",
            "unique_constraint_catalog": "main",
            "unique_constraint_schema": "sales",
            "unique_constraint_name": "customers_pk",
        },
    ],
    "volumes": [
        {
            "volume_schema": "sales",
            "volume_name": "files",
            "volume_type": "MANAGED",
            "comment": "raw",
            "storage_location": "s3://m/v",
        }
    ],
    "routines": [
        {
            "routine_schema": "sales",
            "routine_name": "mask_email",
            "specific_name": "mask_email",
            "routine_type": "FUNCTION",
            "full_data_type": "STRING",
            "routine_body": "SQL",
            "routine_definition": "concat('***', e)",
            "external_language": None,
            "comment": None,
        }
    ],
    "parameters": [
        {
            "specific_schema": "sales",
            "specific_name": "mask_email",
            "parameter_name": "e",
            "full_data_type": "STRING",
            "ordinal_position": 0,
            "is_result": "NO",
        }
    ],
}

ORDERS_PROPS = {
    "delta.constraints.amount_pos": "amount > 0",
    "delta.minReaderVersion": "3",
    "clusteringColumns": '[["id"]]',
    "owner.team": "sales",
}


def _expected_orders(read: Any) -> None:
    state = read.state
    orders = state.tables[observed_id("table", "main", "sales", "orders")]
    assert [c.name for c in orders.columns] == ["id", "amount", "day", "tags"]
    assert [c.type for c in orders.columns] == ["BIGINT", "DECIMAL(10,2)", "DATE", "STRUCT<a:INT,b:STRING>"]
    assert [c.nullable for c in orders.columns] == [False, True, True, True]
    assert orders.columns[1].comment == "amt"
    assert orders.columns[0].tags == {"key": "yes"}
    assert orders.column_names(orders.partition_by) == ["day"]
    assert orders.column_names(orders.cluster_by) == ["id"]
    assert orders.tags == {"pii": "no"} and orders.comment == "Orders"
    assert orders.location is None  # managed: the storage path is the server's choice
    assert orders.properties == ORDERS_PROPS
    kinds = {c.name: c for c in orders.constraints}
    assert kinds["amount_pos"].kind == "check" and kinds["amount_pos"].expression == "amount > 0"
    fk = kinds["orders_cust_fk"]
    assert fk.kind == "foreign_key" and orders.column_names(fk.columns) == ["id"]
    assert fk.ref_table == observed_id("table", "main", "sales", "customers")
    assert fk.ref_columns == (observed_id("column", "main", "sales", "customers", "id"),)
    customers = state.tables[observed_id("table", "main", "sales", "customers")]
    assert [(c.name, c.kind) for c in customers.constraints] == [("customers_pk", "primary_key")]
    view = state.views[observed_id("view", "main", "sales", "big")]
    assert view.definition == "SELECT * FROM orders" and view.comment == "v"
    assert state.catalogs[observed_id("catalog", "main")].tags == {"env": "dev"}
    assert state.schemas[observed_id("schema", "main", "sales")].tags == {"domain": "sales"}
    vol = state.volumes[observed_id("volume", "main", "sales", "files")]
    assert vol.comment == "raw" and vol.location is None
    fn = state.functions[observed_id("function", "main", "sales", "mask_email")]
    assert (fn.parameters, fn.returns, fn.language, fn.body) == (
        "e STRING",
        "STRING",
        "SQL",
        "concat('***', e)",
    )
    assert any("main.sales.mv" in u and "MATERIALIZED_VIEW" in u for u in read.unrepresentable)


def _workspace(tables: list[TableInfo]) -> Any:
    ws = create_autospec(WorkspaceClient, instance=True)
    ws.tables.list.side_effect = lambda catalog_name, schema_name, **kw: iter(
        [t for t in tables if t.catalog_name == catalog_name and t.schema_name == schema_name]
    )
    return ws


def _sdk_table(name: str, table_type: TableType, **info: Any) -> TableInfo:
    """A table of main.sales as the Tables API lists it (a Delta table unless it is a view)."""
    if table_type is not TableType.VIEW:
        info = {"full_name": f"main.sales.{name}", "data_source_format": DataSourceFormat.DELTA, **info}
    return TableInfo(catalog_name="main", schema_name="sales", name=name, table_type=table_type, **info)


SDK_TABLES = [
    _sdk_table(
        "orders",
        TableType.MANAGED,
        properties=ORDERS_PROPS,
        columns=[
            ColumnInfo(
                name="id", type_name=ColumnTypeName.LONG, type_text="bigint", position=0, nullable=False
            )
        ],
        table_constraints=[
            TableConstraint(
                foreign_key_constraint=ForeignKeyConstraint(
                    name="orders_cust_fk",
                    child_columns=["id"],
                    parent_table="main.sales.customers",
                    parent_columns=["id"],
                )
            )
        ],
    ),
    _sdk_table(
        "customers",
        TableType.MANAGED,
        properties={},
        table_constraints=[
            TableConstraint(
                primary_key_constraint=PrimaryKeyConstraint(name="customers_pk", child_columns=["id"])
            )
        ],
    ),
    _sdk_table("big", TableType.VIEW, view_definition="SELECT * FROM orders", properties={"view.x": "1"}),
    # listed by the API but not (yet) by information_schema: built from the API's columns
    _sdk_table(
        "late",
        TableType.EXTERNAL,
        storage_location="s3://x/late",
        properties={"k": "v"},
        columns=[
            ColumnInfo(
                name="b",
                type_name=ColumnTypeName.STRING,
                type_text="string",
                position=1,
                nullable=True,
                comment="bee",
            ),
            ColumnInfo(
                name="a",
                type_name=ColumnTypeName.DECIMAL,
                type_text="decimal(5,1)",
                position=0,
                nullable=False,
                partition_index=0,
                type_json='{"name":"a","type":"decimal(5,1)","nullable":false,"metadata":{}}',
            ),
        ],
    ),
]


def test_sdk_path_reads_properties_per_schema_and_everything_else_in_bulk() -> None:
    ex = FakeExecutor(ROWS)
    ws = _workspace(SDK_TABLES)
    reader = UnityCatalogReader(ex, workspace_client=ws)
    assert isinstance(reader, CatalogReader)
    read = reader.read([("main", "sales")])
    _expected_orders(read)
    ws.tables.list.assert_called_once_with(catalog_name="main", schema_name="sales")
    assert len(ex.sql) == len(INFO_VIEWS)  # one query per view, nothing per table
    assert not any(s.startswith("SHOW TBLPROPERTIES") for s in ex.sql)
    assert read.queries == len(INFO_VIEWS) + 1 and read.per_table == []
    late = read.state.tables[observed_id("table", "main", "sales", "late")]
    assert [(c.name, c.type, c.nullable, c.comment) for c in late.columns] == [
        ("a", "DECIMAL(5,1)", False, None),
        ("b", "STRING", True, "bee"),
    ]
    assert late.column_names(late.partition_by) == ["a"] and late.table_type == "EXTERNAL"
    assert late.location == "s3://x/late" and late.properties == {"k": "v"}
    view = read.state.views[observed_id("view", "main", "sales", "big")]
    assert view.properties == {"view.x": "1"}
    assert {"grants", "row_filters", "column_masks"} <= read.unobserved and "tags" not in read.unobserved


def test_without_sdk_properties_come_from_show_tblproperties_in_a_bounded_pool() -> None:
    props = {"main.sales.orders": ORDERS_PROPS, "main.sales.customers": {}, "main.sales.big": {}}
    ex = FakeExecutor(ROWS, properties=props)
    read = UnityCatalogReader(ex, max_workers=32).read([("main", "sales")])
    _expected_orders(read)
    shown = sorted(s for s in ex.sql if s.startswith("SHOW TBLPROPERTIES"))
    assert shown == [
        "SHOW TBLPROPERTIES `main`.`sales`.`big`",
        "SHOW TBLPROPERTIES `main`.`sales`.`customers`",
        "SHOW TBLPROPERTIES `main`.`sales`.`orders`",
    ]
    assert read.per_table == ["main.sales.big", "main.sales.customers", "main.sales.orders"]
    assert any("SHOW TBLPROPERTIES" in n and "8 at a time" in n for n in read.notes)


def test_two_reads_give_equal_states_and_compare_clean() -> None:
    a = UnityCatalogReader(FakeExecutor(ROWS), workspace_client=_workspace(SDK_TABLES[:3])).read(
        [("main", "sales")]
    )
    b = UnityCatalogReader(FakeExecutor(ROWS), workspace_client=_workspace(SDK_TABLES[:3])).read(
        [("main", "sales")]
    )
    assert a.state == b.state
    assert compare(a.state, b).findings == ()


def test_missing_optional_view_is_noted_and_its_aspect_unobserved() -> None:
    ex = FakeExecutor(ROWS, missing=("volume_tags",))
    read = UnityCatalogReader(ex, workspace_client=_workspace(SDK_TABLES[:3])).read([("main", "sales")])
    assert "tags" in read.unobserved
    assert any("volume_tags unavailable" in n for n in read.notes)


def test_missing_catalog_is_absent_from_the_observed_state() -> None:
    ex = FakeExecutor({**ROWS, "catalogs": []})
    read = UnityCatalogReader(ex).read([("main", None)])
    assert read.state.catalogs == {} and len(ex.sql) == 1
    expected = ObservedStateBuilder()
    expected.catalog("main")
    f = compare(expected.build(), read).findings
    assert [(x.issue, x.object_type) for x in f] == [("missing", "catalog")]


def test_whole_catalog_scope_lists_schemas_from_schemata() -> None:
    rows = {
        **ROWS,
        "schemata": ROWS["schemata"]
        + [
            {"catalog_name": "main", "schema_name": "ops", "comment": None},
            {"catalog_name": "main", "schema_name": "information_schema", "comment": None},
        ],
    }
    ws = _workspace(SDK_TABLES[:3])
    read = UnityCatalogReader(FakeExecutor(rows), workspace_client=ws).read([("main", None)])
    names = sorted(s.name for s in read.state.schemas.values())
    assert names == ["ops", "sales"]
    assert ws.tables.list.call_count == 2


@pytest.mark.parametrize("bad", ["schemata", "tables", "columns"])
def test_required_views_fail_loudly(bad: str) -> None:
    with pytest.raises(SqlError):
        UnityCatalogReader(FakeExecutor(ROWS, missing=(bad,)), workspace_client=_workspace([])).read(
            [("main", "sales")]
        )
