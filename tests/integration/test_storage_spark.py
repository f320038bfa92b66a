"""Per-environment storage on real local Spark + Delta (issue 11): one design whose external table's
location is a template (``file:${env.storage_root}/sales/orders``), deployed to two environments, lands at
each environment's own path; the catalog and the Delta log say so, drift is clean and an import reads the
template back."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

import schemax
from schemax.drift.report import is_tracking_finding

pytestmark = pytest.mark.integration


def _drop_prefixed(spark: Any, prefix: str) -> None:
    for row in spark.sql("SHOW SCHEMAS").collect():
        if row[0].startswith(prefix):
            spark.sql(f"DROP SCHEMA IF EXISTS `{row[0]}` CASCADE")


@pytest.fixture()
def prefix() -> str:
    return f"t{uuid.uuid4().hex[:8]}_"


def test_an_external_table_at_a_templated_location_lands_at_each_environments_path(
        spark: Any, prefix: str, tmp_path: Path) -> None:
    roots = {env: tmp_path / env for env in ("dev", "prod")}
    p = schemax.Project.create(spark, f"shop_{prefix}", store=f"spark_catalog.{prefix}store", author="t")
    try:
        p.create_catalog("shop")
        p.create_schema("shop.sales")
        p.create_table("shop.sales.orders", [schemax.Column("id", "BIGINT", nullable=False),
                                             schemax.Column("amount", "DECIMAL(10,2)")],
                       table_type="EXTERNAL", location="file:${env.storage_root}/sales/orders")
        for env, root in roots.items():
            p.add_environment(env, {"shop": "spark_catalog"}, schema_prefix=f"{prefix}{env}_",
                              variables={"storage_root": str(root)})
        assert p.location_findings() == []
        p.snapshot("v1", version="1.0.0")
        for env in roots:
            dep = p.deploy(env, confirm=env)
            assert dep.status == "success", dep
            assert all("${" not in s.sql and "\\u0024{" not in s.sql for s in dep.statements)

        for env, root in roots.items():
            name = f"spark_catalog.`{prefix}{env}_sales`.orders"
            spark.sql(f"INSERT INTO {name} VALUES (1, 9.99)")
            detail = spark.sql(f"DESCRIBE DETAIL {name}").collect()[0]
            assert detail["location"].rstrip("/") == f"file:{root}/sales/orders"
            described = {r["col_name"]: r["data_type"] for r in
                         spark.sql(f"DESCRIBE TABLE EXTENDED {name}").collect()}
            assert described["Type"] == "EXTERNAL"
            assert described["Location"].rstrip("/") == f"file:{root}/sales/orders"
            # the files are the environment's own: its Delta log under its root, nothing under the other's
            assert (root / "sales" / "orders" / "_delta_log").is_dir()

            report = p.check_drift(env, record=False)
            assert [f for f in report.findings if not is_tracking_finding(f)] == [], report
            assert p.drift_service().drift_ops(env) == []  # an import would record nothing

        # what an import reads back keeps the template, for either environment's live path
        for env in roots:
            service = p.drift_service()
            reference = p.state()
            logical, _ = service.observed_logical(p.environment(env), reference,
                                                  [("spark_catalog", f"{prefix}{env}_sales")])
            assert [t.location for t in logical.tables.values()] == ["file:${env.storage_root}/sales/orders"]

        # an environment without the variable is refused before anything runs
        p.add_environment("test", {"shop": "spark_catalog"}, schema_prefix=f"{prefix}test_")
        with pytest.raises(schemax.UnknownVariableError) as info:
            p.deploy("test")
        assert (info.value.variable, info.value.environment) == ("storage_root", "test")
        assert not any(r[0] == f"{prefix}test_sales" for r in spark.sql("SHOW SCHEMAS").collect())
    finally:
        _drop_prefixed(spark, prefix)
