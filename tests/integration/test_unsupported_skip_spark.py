"""``unsupported: skip`` on the local engine (issue 15): a Unity Catalog design with tags, grants and an
owner deploys to local Spark + Delta, the governance statements listed as skipped, the tables real."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

import schemax

pytestmark = pytest.mark.integration


def test_a_unity_catalog_design_deploys_locally_with_its_governance_skipped(spark: Any) -> None:
    prefix = f"sxu_{uuid.uuid4().hex[:6]}_"
    try:
        p = schemax.Project.create(spark, "governed", store=f"spark_catalog.{prefix}store", author="tester")
        p.create_catalog("shop")
        p.create_schema("shop.sales")
        p.create_table("shop.sales.orders", [schemax.Column("id", "BIGINT", nullable=False),
                                             schemax.Column("email", "STRING")], comment="Orders")
        p.set_tags("shop.sales.orders.email", {"pii": "email"})
        p.grant("shop.sales.orders", "analysts", ["SELECT"])
        p.set_owner("shop.sales.orders", "data-owners")
        p.snapshot("v1", version="1.0.0")
        p.add_environment("ci", {"shop": "spark_catalog"}, schema_prefix=f"{prefix}ci_", unsupported="skip")

        plan = p.plan("ci")
        assert plan.unsupported == ()
        assert sorted(s.capability for s, _ in plan.skipped) == ["grants", "owner", "tags"]
        dep = p.deploy("ci")
        assert dep.status == "success"
        table = f"spark_catalog.`{prefix}ci_sales`.orders"
        assert [f.name for f in spark.table(table).schema.fields] == ["id", "email"]
        assert p.check_drift("ci").findings == ()  # what the engine cannot show is unobserved, not drift
        assert p.plan("ci").statements == ()
    finally:
        for row in spark.sql("SHOW SCHEMAS").collect():
            if row[0].startswith(prefix):
                spark.sql(f"DROP SCHEMA IF EXISTS `{row[0]}` CASCADE")
