"""Unity Catalog reader against a live workspace.

Skipped unless DATABRICKS_HOST and DATABRICKS_WAREHOUSE_ID are set.

Creates a random-named schema in ``$SCHEMAX_TEST_CATALOG`` (default ``main``), objects with plain SQL, reads
them back through both property paths (SDK ``tables.list`` and ``SHOW TBLPROPERTIES``), makes hand changes and
checks the drift report; drops the schema at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from live import CATALOG, MARKS, statement_executor

from helpers import scratch_schema
from schemax.drift import compare, declared_state, observed_id

pytestmark = MARKS


@pytest.fixture(scope="module")
def workspace() -> Any:
    sdk = pytest.importorskip("databricks.sdk")
    return sdk.WorkspaceClient()


@pytest.fixture(scope="module")
def executor(workspace: Any) -> Any:
    try:
        return statement_executor(workspace)
    except ImportError as exc:  # pragma: no cover - depends on the build
        pytest.skip(f"no Statement Execution executor: {exc}")


@pytest.fixture()
def schema(executor: Any) -> Iterator[str]:
    with scratch_schema(
        executor.execute, "schemax_drift_", catalog=CATALOG, comment="schemax live drift test"
    ) as name:
        yield name


def _create(executor: Any, s: str) -> None:
    fq = f"`{CATALOG}`.`{s}`"
    executor.execute(
        f"CREATE TABLE {fq}.orders (id BIGINT NOT NULL COMMENT 'the id', email STRING COMMENT 'it''s', "
        f"amount DECIMAL(10,2), day DATE) PARTITIONED BY (day) COMMENT 'Orders' "
        f"TBLPROPERTIES ('owner.team' = 'sales', 'schemax.version' = '1.0.0')"
    )
    executor.execute(f"ALTER TABLE {fq}.orders ADD CONSTRAINT amount_pos CHECK (amount > 0)")
    executor.execute(f"ALTER TABLE {fq}.orders ALTER COLUMN email SET TAGS ('pii' = 'yes')")
    executor.execute(
        f"CREATE TABLE {fq}.customers (id BIGINT NOT NULL, CONSTRAINT customers_pk PRIMARY KEY (id))"
    )
    executor.execute(f"CREATE VIEW {fq}.big AS SELECT * FROM {fq}.orders WHERE amount > 100")


def test_live_read_both_property_paths_and_drift(workspace: Any, executor: Any, schema: str) -> None:
    from schemax.adapters.catalog_uc import UnityCatalogReader

    _create(executor, schema)
    scope = [(CATALOG, schema)]
    with_sdk = UnityCatalogReader(executor, workspace_client=workspace).read(scope)
    without = UnityCatalogReader(executor).read(scope)
    assert with_sdk.state == without.state
    orders = with_sdk.state.tables[observed_id("table", CATALOG, schema, "orders")]
    assert [c.name for c in orders.columns] == ["id", "email", "amount", "day"]
    assert orders.columns[0].nullable is False and orders.columns[1].tags == {"pii": "yes"}
    assert orders.properties["owner.team"] == "sales"
    assert [c.name for c in orders.constraints] == ["amount_pos"]
    customers = with_sdk.state.tables[observed_id("table", CATALOG, schema, "customers")]
    assert [(c.name, c.kind) for c in customers.constraints] == [("customers_pk", "primary_key")]

    expected = declared_state(with_sdk.state)
    assert (
        compare(expected, with_sdk, expected_version="1.0.0", scope=scope).filter(object_type="column") == []
    )
    executor.execute(f"ALTER TABLE `{CATALOG}`.`{schema}`.orders ADD COLUMNS (note STRING)")
    executor.execute(f"COMMENT ON TABLE `{CATALOG}`.`{schema}`.orders IS 'changed'")
    after = UnityCatalogReader(executor, workspace_client=workspace).read(scope)
    got = {
        (f.issue, f.object_type, f.detail.split(" (")[0])
        for f in compare(expected, after, scope=scope).findings
    }
    assert ("extra", "column", "column not in the project") in got
    assert ("modified", "table", "comment") in got
