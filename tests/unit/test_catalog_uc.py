"""Unity Catalog reader: the information_schema queries it builds, and reads over fakes (no workspace):
structure, governance (grants, row filters, masks) and what information_schema hides from a non-owner."""

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
    ColumnMask,
    ColumnTypeName,
    DataSourceFormat,
    ForeignKeyConstraint,
    FunctionInfo,
    PrimaryKeyConstraint,
    Privilege,
    PrivilegeAssignment,
    TableConstraint,
    TableInfo,
    TableRowFilter,
    TableType,
)

try:  # the SDK renamed PermissionsList
    from databricks.sdk.service.catalog import GetPermissionsResponse
except ImportError:  # pragma: no cover - older databricks-sdk
    from databricks.sdk.service.catalog import PermissionsList as GetPermissionsResponse

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
        "SELECT catalog_name, schema_name, comment, schema_owner FROM `we``ird`.information_schema.schemata"
    )
    assert "catalog_name = 'we`ird'" in sql


def test_all_schemas_excludes_information_schema() -> None:
    queries = information_schema_queries("main", None)
    assert "table_schema <> 'information_schema'" in queries["tables"]
    assert "IN (" not in queries["tables"]
    assert queries["catalogs"] == (
        "SELECT catalog_name, comment, catalog_owner FROM `main`.information_schema.catalogs "
        "WHERE catalog_name = 'main'"
    )
    assert queries["catalog_tags"].endswith("WHERE catalog_name = 'main'")


def test_key_column_usage_also_fetches_referenced_keys() -> None:
    sql = information_schema_queries("main", ["sales"])["key_column_usage"]
    assert "constraint_schema IN ('sales') OR (constraint_schema, constraint_name) IN (SELECT " in sql
    assert "FROM `main`.information_schema.referential_constraints" in sql


# -- reads over fakes ----------------------------------------------------------------------------------


#: who the fake warehouse says is reading (and owns every object of ROWS)
READER = "reader@example.com"


class FakeExecutor:
    """Answers information_schema queries from canned rows per view; records every statement."""

    def __init__(
        self,
        rows: Mapping[str, list[dict[str, Any]]],
        properties: Mapping[str, dict[str, str]] | None = None,
        missing: tuple[str, ...] = (),
        user: str = READER,
        groups: tuple[str, ...] = (),
    ) -> None:
        self.rows = rows
        self.properties = properties or {}
        self.missing = missing
        self.user, self.groups = user, groups
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
        if sql == "SELECT current_user() AS user":
            return [{"user": self.user}]
        if sql.startswith("SELECT is_account_group_member("):
            asked = re.findall(r"is_account_group_member\('((?:[^'\\]|\\.)*)'\) AS (m\d+)", sql)
            return [{col: name in self.groups for name, col in asked}]
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
    name: str,
    table_type: str,
    comment: str | None,
    fmt: str | None,
    path: str | None,
    owner: str = READER,
    schema: str = "sales",
) -> dict[str, Any]:
    return {
        "table_schema": schema,
        "table_name": name,
        "table_type": table_type,
        "comment": comment,
        "data_source_format": fmt,
        "storage_path": path,
        "table_owner": owner,
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
    "catalogs": [{"catalog_name": "main", "comment": "the catalog", "catalog_owner": READER}],
    "schemata": [
        {"catalog_name": "main", "schema_name": "sales", "comment": "Sales", "schema_owner": READER}
    ],
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
            "volume_owner": READER,
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
            "routine_owner": READER,
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
    info.setdefault("owner", READER)
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
    # one query per view and one current_user(), nothing per table
    assert len(ex.sql) == len(INFO_VIEWS) + 1 and "SELECT current_user() AS user" in ex.sql
    assert not any(s.startswith("SHOW TBLPROPERTIES") for s in ex.sql)
    assert read.queries == len(INFO_VIEWS) + 2 and read.per_table == []
    ws.grants.get.assert_not_called()  # the reader owns everything: information_schema shows every grant
    late = read.state.tables[observed_id("table", "main", "sales", "late")]
    assert [(c.name, c.type, c.nullable, c.comment) for c in late.columns] == [
        ("a", "DECIMAL(5,1)", False, None),
        ("b", "STRING", True, "bee"),
    ]
    assert late.column_names(late.partition_by) == ["a"] and late.table_type == "EXTERNAL"
    assert late.location == "s3://x/late" and late.properties == {"k": "v"}
    view = read.state.views[observed_id("view", "main", "sales", "big")]
    assert view.properties == {"view.x": "1"}
    # governance is observed now (grants, row filters, masks), tags as before
    assert not {"grants", "row_filters", "column_masks", "tags"} & read.unobserved


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


# -- governance and what information_schema hides ------------------------------------------------------

#: direct grants, a row filter and a mask on top of ROWS (one inherited row that must be ignored)
GOVERNANCE: dict[str, list[dict[str, Any]]] = {
    "catalog_privileges": [{"catalog_name": "main", "grantee": "admins", "privilege_type": "USE_CATALOG"}],
    "schema_privileges": [{"schema_name": "sales", "grantee": "analysts", "privilege_type": "USE_SCHEMA"}],
    "table_privileges": [
        {"table_schema": "sales", "table_name": "orders", "grantee": "analysts", "privilege_type": "SELECT"},
        {
            "table_schema": "sales",
            "table_name": "orders",
            "grantee": "analysts",
            "privilege_type": "MODIFY",
            "inherited_from": "SCHEMA",
        },
        {"table_schema": "sales", "table_name": "big", "grantee": "analysts", "privilege_type": "SELECT"},
        {"table_schema": "sales", "table_name": "big", "grantee": "bi", "privilege_type": "ALL_PRIVILEGES"},
    ],
    "volume_privileges": [
        {"volume_schema": "sales", "volume_name": "files", "grantee": "etl", "privilege_type": "READ_VOLUME"},
        {
            "volume_schema": "sales",
            "volume_name": "files",
            "grantee": "etl",
            "privilege_type": "WRITE_VOLUME",
        },
    ],
    "routine_privileges": [
        {
            "specific_schema": "sales",
            "specific_name": "mask_email",
            "grantee": "analysts",
            "privilege_type": "EXECUTE",
        }
    ],
    "row_filters": [
        {
            "schema_name": "sales",
            "table_name": "orders",
            "filter_catalog": "main",
            "filter_schema": "sales",
            "filter_name": "only_mine",
            "filter_col_usage": "id",
        }
    ],
    "column_masks": [
        {
            "schema_name": "sales",
            "table_name": "orders",
            "column_name": "amount",
            "mask_catalog": "main",
            "mask_schema": "sales",
            "mask_name": "mask_email",
            "mask_col_usage": "id, day",
        }
    ],
}
GOV_ROWS = {**ROWS, **GOVERNANCE}


def _with(rows: Mapping[str, list[dict[str, Any]]], **changes: list[dict[str, Any]]) -> dict[str, Any]:
    return {**rows, **changes}


def _replace_rows(
    view: str, edit: Any, rows: Mapping[str, list[dict[str, Any]]] = GOV_ROWS
) -> dict[str, Any]:
    """``rows`` with ``edit(row)`` applied to every row of ``view`` (a dict, or None to drop the row)."""
    out = [edit(dict(r)) for r in rows[view]]
    return _with(rows, **{view: [r for r in out if r is not None]})


def test_privilege_views_read_direct_grants_only_one_query_each() -> None:
    queries = information_schema_queries("main", ["sales"])
    for view in ("catalog_privileges", "schema_privileges", "table_privileges", "volume_privileges"):
        assert queries[view].endswith("AND (inherited_from IS NULL OR upper(inherited_from) = 'NONE')")
    assert queries["routine_privileges"] == (
        "SELECT specific_schema, specific_name, grantee, privilege_type "
        "FROM `main`.information_schema.routine_privileges WHERE specific_catalog = 'main' "
        "AND specific_schema IN ('sales') AND (inherited_from IS NULL OR upper(inherited_from) = 'NONE')"
    )
    assert "catalog_name = 'main' AND schema_name IN ('sales')" in queries["row_filters"]
    assert "mask_col_usage FROM `main`.information_schema.column_masks" in queries["column_masks"]


def test_grants_row_filters_and_masks_are_read_in_bulk() -> None:
    ex = FakeExecutor(GOV_ROWS)
    ws = _workspace(SDK_TABLES[:3])
    read = UnityCatalogReader(ex, workspace_client=ws).read([("main", None)])
    state = read.state
    assert state.catalogs[observed_id("catalog", "main")].grants == {"admins": ("USE CATALOG",)}
    assert state.schemas[observed_id("schema", "main", "sales")].grants == {"analysts": ("USE SCHEMA",)}
    orders = state.tables[observed_id("table", "main", "sales", "orders")]
    assert orders.grants == {"analysts": ("SELECT",)}  # MODIFY is inherited from the schema: not the table's
    assert orders.row_filter is not None and orders.row_filter.function == "`main`.`sales`.`only_mine`"
    assert orders.column_names(orders.row_filter.columns) == ["id"]
    amount = orders.column_named("amount")
    assert amount is not None and amount.mask is not None
    assert amount.mask.function == "`main`.`sales`.`mask_email`"
    assert orders.column_names(amount.mask.using_columns) == ["id", "day"]
    view = state.views[observed_id("view", "main", "sales", "big")]
    assert view.grants == {"analysts": ("SELECT",), "bi": ("ALL PRIVILEGES",)}
    assert state.volumes[observed_id("volume", "main", "sales", "files")].grants == {
        "etl": ("READ VOLUME", "WRITE VOLUME")
    }
    assert state.functions[observed_id("function", "main", "sales", "mask_email")].grants == {
        "analysts": ("EXECUTE",)
    }
    assert not {"grants", "row_filters", "column_masks"} & read.unobserved
    ws.grants.get.assert_not_called()
    # reading governance adds no query per object: the same count as without any grant, filter or mask
    plain = UnityCatalogReader(FakeExecutor(ROWS), workspace_client=_workspace(SDK_TABLES[:3]))
    assert plain.read([("main", None)]).queries == read.queries
    assert compare(state, read).findings == ()


def test_governance_changed_by_hand_is_drift() -> None:
    scope = [("main", None)]
    clean = UnityCatalogReader(FakeExecutor(GOV_ROWS), workspace_client=_workspace(SDK_TABLES[:3])).read(
        scope
    )

    def privileges(r: dict[str, Any]) -> dict[str, Any] | None:
        if (r["table_name"], r["grantee"]) == ("orders", "analysts") and r.get("inherited_from") is None:
            r["privilege_type"] = "MODIFY"  # SELECT revoked, MODIFY granted by hand
        if (r["table_name"], r["grantee"]) == ("big", "analysts"):
            return None  # every grant of a declared principal revoked
        return r

    rows = _replace_rows("table_privileges", privileges)
    rows["table_privileges"].append(  # a principal the project never mentions: not drift, but counted
        {"table_schema": "sales", "table_name": "orders", "grantee": "intern", "privilege_type": "SELECT"}
    )
    rows = _replace_rows(
        "volume_privileges", lambda r: r if r["privilege_type"] != "WRITE_VOLUME" else None, rows
    )
    rows = _with(rows, row_filters=[])  # the row filter dropped
    rows = _replace_rows(
        "column_masks", lambda r: {**r, "mask_name": "mask_all", "mask_col_usage": None}, rows
    )
    changed = UnityCatalogReader(FakeExecutor(rows), workspace_client=_workspace(SDK_TABLES[:3])).read(scope)
    report = compare(clean.state, changed)
    got = {(f.object_type, f.object_name, f.issue, f.detail, f.expected, f.actual) for f in report.findings}
    assert got == {
        ("grant", "main.sales.orders", "modified", "analysts", "SELECT", "MODIFY"),
        ("grant", "main.sales.big", "missing", "analysts", "SELECT", None),
        ("grant", "main.sales.files", "modified", "etl", "READ VOLUME, WRITE VOLUME", "READ VOLUME"),
        ("table", "main.sales.orders", "modified", "row filter", "main.sales.only_mine ON (id)", None),
        (
            "column",
            "main.sales.orders.amount",
            "modified",
            "mask",
            "main.sales.mask_email USING COLUMNS (id, day)",
            "main.sales.mask_all",
        ),
    }
    assert any("grants of 1 principal(s) the project does not declare" in n for n in report.notes)
    messages = {f.message for f in report.findings if f.object_type == "grant"}
    assert "grant of 'SELECT' on main.sales.big to 'analysts' is missing" in messages


def test_a_view_definition_hidden_from_a_non_owner_comes_from_the_sdk() -> None:
    rows = _replace_rows("views", lambda r: {**r, "view_definition": None}, ROWS)
    listed = [t for t in SDK_TABLES[:3] if t.name != "big"] + [
        _sdk_table("big", TableType.VIEW, properties={})
    ]
    ws = _workspace(listed)
    ws.tables.get.return_value = TableInfo(name="big", view_definition="SELECT * FROM orders")
    read = UnityCatalogReader(FakeExecutor(rows), workspace_client=ws).read([("main", "sales")])
    ws.tables.get.assert_called_once_with("main.sales.big")
    assert read.state.views[observed_id("view", "main", "sales", "big")].definition == "SELECT * FROM orders"
    assert "view_definition" not in read.partial.get("main.sales.big", frozenset())
    assert "main.sales.big" in read.per_table
    # tables.list's own TableInfo.view_definition is used first: no call of its own
    ws2 = _workspace(SDK_TABLES[:3])
    again = UnityCatalogReader(FakeExecutor(rows), workspace_client=ws2).read([("main", "sales")])
    ws2.tables.get.assert_not_called()
    assert again.state.views[observed_id("view", "main", "sales", "big")].definition == "SELECT * FROM orders"


@pytest.mark.parametrize("with_sdk", [False, True])
def test_a_hidden_view_definition_nobody_gives_is_unobserved_not_drift(with_sdk: bool) -> None:
    rows = _replace_rows("views", lambda r: {**r, "view_definition": None}, ROWS)
    ws = None
    if with_sdk:
        ws = _workspace([t for t in SDK_TABLES[:3] if t.name != "big"])
        ws.tables.get.return_value = TableInfo(name="big", view_definition=None)
    props = {"main.sales.orders": ORDERS_PROPS}
    read = UnityCatalogReader(FakeExecutor(rows, properties=props), workspace_client=ws).read(
        [("main", "sales")]
    )
    assert read.partial["main.sales.big"] >= {"view_definition"}
    assert any("definition of 1 view(s) not compared" in n for n in read.notes)
    expected = UnityCatalogReader(FakeExecutor(ROWS, properties=props), workspace_client=ws).read(
        [("main", "sales")]
    )
    assert expected.state.views[observed_id("view", "main", "sales", "big")].definition  # the declared text
    assert compare(expected.state, read).filter(object_type="view") == []


def test_a_hidden_function_body_comes_from_the_sdk_or_is_unobserved() -> None:
    rows = _replace_rows("routines", lambda r: {**r, "routine_definition": None}, ROWS)
    ws = _workspace(SDK_TABLES[:3])
    ws.functions.get.return_value = FunctionInfo(name="mask_email", routine_definition="concat('***', e)")
    read = UnityCatalogReader(FakeExecutor(rows), workspace_client=ws).read([("main", "sales")])
    ws.functions.get.assert_called_once_with("main.sales.mask_email")
    fid = observed_id("function", "main", "sales", "mask_email")
    assert read.state.functions[fid].body == "concat('***', e)"

    blind = UnityCatalogReader(FakeExecutor(rows, properties={})).read([("main", "sales")])
    assert "function_body" in blind.partial["main.sales.mask_email"]
    expected = blind.state.model_copy(
        update={"functions": {fid: blind.state.functions[fid].model_copy(update={"body": "upper(e)"})}}
    )
    assert compare(expected, blind).filter(object_type="function") == []


def test_column_defaults_nobody_shows_are_unobserved_not_drift() -> None:
    ws = _workspace(SDK_TABLES[:3])
    read = UnityCatalogReader(FakeExecutor(ROWS), workspace_client=ws).read([("main", "sales")])
    assert "column_defaults" in read.partial["main.sales.orders"]
    assert any("column defaults of 2 table(s) not compared" in n for n in read.notes)
    tid = observed_id("table", "main", "sales", "orders")
    orders = read.state.tables[tid]
    declared = orders.model_copy(
        update={"columns": tuple(c.evolve(default="0") if c.name == "amount" else c for c in orders.columns)}
    )
    expected = read.state.model_copy(update={"tables": {**read.state.tables, tid: declared}})
    assert compare(expected, read).findings == ()

    # where information_schema does show a default, defaults are compared
    shown = _replace_rows(
        "columns", lambda r: {**r, "column_default": "1"} if r["column_name"] == "amount" else r, ROWS
    )
    seen = UnityCatalogReader(FakeExecutor(shown), workspace_client=_workspace(SDK_TABLES[:3])).read(
        [("main", "sales")]
    )
    assert "column_defaults" not in seen.partial.get("main.sales.orders", frozenset())
    f = compare(expected, seen).filter(object_type="column")
    assert [(x.object_name, x.detail, x.expected, x.actual) for x in f] == [
        ("main.sales.orders.amount", "default", "0", "1")
    ]


def test_a_default_in_the_apis_type_json_is_read() -> None:
    tables = list(SDK_TABLES[:3])
    tables[0] = _sdk_table(
        "orders",
        TableType.MANAGED,
        properties=ORDERS_PROPS,
        columns=[
            ColumnInfo(
                name="amount",
                type_text="decimal(10,2)",
                position=1,
                type_json='{"name":"amount","type":"decimal(10,2)","nullable":true,'
                '"metadata":{"CURRENT_DEFAULT":"0"}}',
            )
        ],
    )
    read = UnityCatalogReader(FakeExecutor(ROWS), workspace_client=_workspace(tables)).read(
        [("main", "sales")]
    )
    orders = read.state.tables[observed_id("table", "main", "sales", "orders")]
    assert [(c.name, c.default) for c in orders.columns][:2] == [("id", None), ("amount", "0")]
    assert "column_defaults" not in read.partial.get("main.sales.orders", frozenset())


def _n_tables(n: int) -> tuple[dict[str, list[dict[str, Any]]], list[TableInfo]]:
    """ROWS with n tables t0..t{n-1}, each with columns, a grant, a mask and a row filter."""
    names = [f"t{i}" for i in range(n)]
    rows = dict(GOV_ROWS)
    rows["tables"] = [_table(t, "MANAGED", None, "DELTA", None) for t in names]
    rows["columns"] = [_col(t, c, i, "bigint") for t in names for i, c in enumerate(("id", "v"))]
    rows["table_privileges"] = [
        {"table_schema": "sales", "table_name": t, "grantee": "analysts", "privilege_type": "SELECT"}
        for t in names
    ]
    rows["row_filters"] = [{**GOVERNANCE["row_filters"][0], "table_name": t} for t in names]
    rows["column_masks"] = [
        {**GOVERNANCE["column_masks"][0], "table_name": t, "column_name": "v", "mask_col_usage": "id"}
        for t in names
    ]
    rows["views"], rows["table_tags"], rows["column_tags"] = [], [], []
    rows["table_constraints"], rows["key_column_usage"], rows["referential_constraints"] = [], [], []
    return rows, [_sdk_table(t, TableType.MANAGED, properties={"k": "v"}) for t in names]


def test_query_count_is_constant_per_schema() -> None:
    counts = {}
    for n in (1, 5):
        rows, infos = _n_tables(n)
        read = UnityCatalogReader(FakeExecutor(rows), workspace_client=_workspace(infos)).read(
            [("main", "sales")]
        )
        assert len(read.state.tables) == n and read.per_table == []
        assert all(t.grants and t.row_filter for t in read.state.tables.values())
        counts[n] = read.queries
    assert counts[1] == counts[5] == len(INFO_VIEWS) + 2  # the views, current_user(), tables.list


def test_grants_of_objects_the_reader_does_not_own_come_from_the_grants_api() -> None:
    # information_schema shows a MANAGE holder that is not the owner only its own grants: here, none
    rows = _replace_rows(
        "tables", lambda r: {**r, "table_owner": "someone@example.com"} if r["table_name"] == "orders" else r
    )
    rows = _replace_rows("table_privileges", lambda r: None if r["table_name"] == "orders" else r, rows)
    ws = _workspace(SDK_TABLES[:3])
    ws.grants.get.return_value = GetPermissionsResponse(
        privilege_assignments=[PrivilegeAssignment(principal="analysts", privileges=[Privilege.SELECT])]
    )
    read = UnityCatalogReader(FakeExecutor(rows), workspace_client=ws).read([("main", "sales")])
    ws.grants.get.assert_called_once_with("table", "main.sales.orders", max_results=0)
    assert read.state.tables[observed_id("table", "main", "sales", "orders")].grants == {
        "analysts": ("SELECT",)
    }
    assert "main.sales.orders" in read.per_table
    assert any("read with grants.get, one by one" in n for n in read.notes)
    base = UnityCatalogReader(FakeExecutor(GOV_ROWS), workspace_client=_workspace(SDK_TABLES[:3]))
    assert read.queries == base.read([("main", "sales")]).queries + 2  # the membership query and the call


def test_without_a_client_grants_the_reader_cannot_see_are_unobserved_not_drift() -> None:
    rows = _replace_rows(
        "tables", lambda r: {**r, "table_owner": "someone@example.com"} if r["table_name"] == "orders" else r
    )
    hidden = _replace_rows("table_privileges", lambda r: None if r["table_name"] == "orders" else r, rows)
    props = {"main.sales.orders": ORDERS_PROPS}
    read = UnityCatalogReader(FakeExecutor(hidden, properties=props)).read([("main", "sales")])
    assert "grants" in read.partial["main.sales.orders"]
    assert any("grants of 1 object(s) the reader does not own not compared" in n for n in read.notes)
    expected = UnityCatalogReader(FakeExecutor(GOV_ROWS, properties=props)).read([("main", "sales")]).state
    assert expected.tables[observed_id("table", "main", "sales", "orders")].grants  # declared, yet hidden
    assert compare(expected, read).filter(object_type="grant") == []


def test_objects_owned_by_a_group_of_the_reader_are_trusted() -> None:
    rows = _replace_rows("tables", lambda r: {**r, "table_owner": "data-eng"})
    ex = FakeExecutor(rows, groups=("data-eng",))
    ws = _workspace(SDK_TABLES[:3])
    read = UnityCatalogReader(ex, workspace_client=ws).read([("main", "sales")])
    ws.grants.get.assert_not_called()
    assert [s for s in ex.sql if "is_account_group_member" in s] == [
        "SELECT is_account_group_member('data-eng') AS m0"
    ]
    assert read.state.tables[observed_id("table", "main", "sales", "orders")].grants == {
        "analysts": ("SELECT",)
    }


def test_grants_api_pages_are_all_read() -> None:
    from schemax.adapters.uc_governance import sdk_grants

    ws = create_autospec(WorkspaceClient, instance=True)
    ws.grants.get.side_effect = [
        GetPermissionsResponse(
            privilege_assignments=[PrivilegeAssignment(principal="a", privileges=[Privilege.ALL_PRIVILEGES])],
            next_page_token="p2",
        ),
        GetPermissionsResponse(
            privilege_assignments=[PrivilegeAssignment(principal="b", privileges=[Privilege.USE_SCHEMA])]
        ),
    ]
    assert sdk_grants(ws, "schema", "main.sales") == {"a": {"ALL PRIVILEGES"}, "b": {"USE SCHEMA"}}
    assert ws.grants.get.call_args_list[1].kwargs == {"max_results": 0, "page_token": "p2"}


def test_row_filters_and_masks_come_from_table_info_when_the_views_are_missing() -> None:
    tables = list(SDK_TABLES[:3])
    tables[0] = _sdk_table(
        "orders",
        TableType.MANAGED,
        properties=ORDERS_PROPS,
        row_filter=TableRowFilter(function_name="main.sales.only_mine", input_column_names=["id"]),
        columns=[
            ColumnInfo(
                name="amount",
                type_text="decimal(10,2)",
                position=1,
                mask=ColumnMask(function_name="main.sales.mask_email", using_column_names=["id"]),
            )
        ],
    )
    ex = FakeExecutor(GOV_ROWS, missing=("row_filters", "column_masks"))
    read = UnityCatalogReader(ex, workspace_client=_workspace(tables)).read([("main", "sales")])
    orders = read.state.tables[observed_id("table", "main", "sales", "orders")]
    assert orders.row_filter is not None and orders.row_filter.function == "main.sales.only_mine"
    amount = orders.column_named("amount")
    assert amount is not None and amount.mask is not None and amount.mask.function == "main.sales.mask_email"
    assert not {"row_filters", "column_masks"} & read.unobserved
    blind = UnityCatalogReader(FakeExecutor(GOV_ROWS, missing=("row_filters", "column_masks"))).read(
        [("main", "sales")]
    )
    assert {"row_filters", "column_masks"} <= blind.unobserved


def test_without_current_user_no_grant_is_trusted() -> None:
    class NoUser(FakeExecutor):
        def query(self, sql: str, params: Any = None) -> list[dict[str, Any]]:
            if "current_user()" in sql:
                raise SqlError(sql, "[UNRESOLVED_ROUTINE] current_user", "analysis")
            return super().query(sql, params)

    read = UnityCatalogReader(NoUser(GOV_ROWS, properties={})).read([("main", "sales")])
    assert "grants" in read.partial["main.sales.orders"] and "grants" in read.partial["main.sales"]
    assert any("current_user() failed" in n for n in read.notes)


def test_owners_come_from_the_owner_columns_and_are_drift_when_declared() -> None:
    # issue 11: information_schema's *_owner columns give every object's owner; drift compares the owners a
    # project declares (case-insensitively), never the ones it leaves alone
    rows = _replace_rows("tables", lambda r: {**r, "table_owner": "ETL@example.com"})
    props = {"main.sales.orders": ORDERS_PROPS}
    read = UnityCatalogReader(FakeExecutor(rows, properties=props)).read([("main", "sales")])
    orders_id = observed_id("table", "main", "sales", "orders")
    assert read.state.tables[orders_id].owner == "ETL@example.com"
    expected = read.state
    assert compare(expected, read).filter(object_type="owner") == []
    declared = expected.model_copy(update={"tables": {
        **expected.tables, orders_id: expected.tables[orders_id].evolve(owner="etl@example.com")}})
    assert compare(declared, read).filter(object_type="owner") == []
    other = expected.model_copy(update={"tables": {
        **expected.tables, orders_id: expected.tables[orders_id].evolve(owner="stewards")}})
    (f,) = compare(other, read).filter(object_type="owner")
    assert (f.object_name, f.expected, f.actual) == ("main.sales.orders", "stewards", "ETL@example.com")
