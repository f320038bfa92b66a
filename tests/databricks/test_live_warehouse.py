"""Live tests against a Databricks SQL warehouse through the Statement Execution API.

Skipped unless ``DATABRICKS_HOST`` and ``DATABRICKS_WAREHOUSE_ID`` are set (authentication: whatever
databricks-sdk finds: ``DATABRICKS_TOKEN``, OAuth client credentials, a ``DATABRICKS_CONFIG_PROFILE``).
Objects are created in ``$SCHEMAX_TEST_CATALOG`` (default ``main``) under random schema names and dropped
at the end.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from live import CATALOG, MARKS, statement_executor

import schemax
from schemax.errors import SqlError

pytestmark = MARKS


@pytest.fixture(scope="module")
def executor() -> Any:
    return statement_executor(wait_timeout="10s")


@pytest.fixture()
def prefix(executor: Any) -> Iterator[str]:
    p = f"schemax_live_{uuid.uuid4().hex[:8]}_"
    yield p
    for row in executor.query(f"SHOW SCHEMAS IN `{CATALOG}` LIKE '{p}*'"):
        name = row.get("databaseName") or row.get("namespace") or next(iter(row.values()))
        executor.execute(f"DROP SCHEMA IF EXISTS `{CATALOG}`.`{name}` CASCADE")


def test_typed_values_and_named_parameters(executor: Any) -> None:
    rows = executor.query(
        "SELECT CAST(:n AS BIGINT) + 1 AS n, :s AS s, :b AS b, CAST(1.25 AS DECIMAL(5,2)) AS d, "
        "DATE'2024-05-01' AS day, TIMESTAMP'2024-05-01 10:20:30.123' AS ts, array(1, 2) AS xs, "
        "map('k', 'v') AS m, CAST(NULL AS STRING) AS nothing",
        {"n": 41, "s": "O'Brien \\ ;--", "b": True},
    )
    assert rows == [
        {
            "n": 42,
            "s": "O'Brien \\ ;--",
            "b": True,
            "d": Decimal("1.25"),
            "day": dt.date(2024, 5, 1),
            "ts": rows[0]["ts"],
            "xs": [1, 2],
            "m": {"k": "v"},
            "nothing": None,
        }
    ]
    assert isinstance(rows[0]["ts"], dt.datetime) and rows[0]["ts"].microsecond == 123000


def test_large_result_spans_chunks(executor: Any) -> None:
    rows = executor.query("SELECT id, repeat('x', 200) AS pad FROM range(300000)")
    assert len(rows) == 300000 and rows[-1]["id"] == 299999


def test_failures_are_sql_errors(executor: Any) -> None:
    with pytest.raises(SqlError) as info:
        executor.query(f"SELECT * FROM `{CATALOG}`.`no_such_schema_{uuid.uuid4().hex[:6]}`.`t`")
    assert info.value.kind == "not_found"


def test_project_deploy_and_drift_on_the_warehouse(executor: Any, prefix: str) -> None:
    p = schemax.Project.create(executor, "live", store=f"{CATALOG}.{prefix}store")
    with p.batch():
        p.create_catalog("shop")
        p.create_schema("shop.sales")
        p.create_table(
            "shop.sales.orders",
            [
                schemax.Column("id", "BIGINT", nullable=False),
                schemax.Column("note", "STRING", comment="it's \\ tricky"),
            ],
        )
    p.snapshot("Initial schema")
    p.add_environment("dev", {"shop": CATALOG}, schema_prefix=f"{prefix}dev_")
    dep = p.deploy("dev")
    assert dep.status == "success" and dep.applied == len(dep.statements)
    cols = executor.query(f"DESCRIBE TABLE `{CATALOG}`.`{prefix}dev_sales`.`orders`")
    assert [c["col_name"] for c in cols][:2] == ["id", "note"]
    report = p.check_drift("dev")
    assert not report.drifted, report
    again = schemax.Project.open(executor, "live", store=f"{CATALOG}.{prefix}store")
    assert again.verify().snapshots == 1
