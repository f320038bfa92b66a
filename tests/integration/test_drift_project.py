"""Drift and import through the Project API on local Spark + Delta."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

import schemax

pytestmark = pytest.mark.integration


@pytest.fixture()
def prefix(spark: Any):  # type: ignore[no-untyped-def]
    value = f"d{uuid.uuid4().hex[:8]}_"
    yield value
    for row in spark.sql("SHOW SCHEMAS").collect():
        if row[0].startswith(value):
            spark.sql(f"DROP SCHEMA IF EXISTS `{row[0]}` CASCADE")


@pytest.fixture()
def deployed(spark: Any, prefix: str) -> schemax.Project:
    p = schemax.Project.create(spark, "drifty", store=f"spark_catalog.{prefix}store", author="t")
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.create_table("shop.sales.orders", [schemax.Column("id", "BIGINT", nullable=False),
                                         schemax.Column("status", "STRING", comment="state"),
                                         schemax.Column("amount", "INT")],
                   properties={"quality": "gold"})
    p.create_table("shop.sales.items", [schemax.Column("sku", "STRING")])
    p.create_view("shop.sales.open_orders", "SELECT id FROM shop.sales.orders WHERE status = 'open'")
    p.snapshot("v1", version="1.0.0")
    p.add_environment("dev", {"shop": "spark_catalog"}, schema_prefix=f"{prefix}dev_")
    p.deploy("dev")
    return p


def test_clean_environment_reports_nothing_and_scan_is_recorded(deployed: schemax.Project) -> None:
    report = deployed.check_drift("dev")
    assert not report.drifted, report.findings
    assert deployed.drift_scans("dev")[0].status == "clean"
    assert "<" in report._repr_html_()


def test_hand_made_changes_each_reported_once(spark: Any, deployed: schemax.Project, prefix: str) -> None:
    schema = f"spark_catalog.`{prefix}dev_sales`"
    spark.sql(f"ALTER TABLE {schema}.orders ADD COLUMNS (hotfix STRING)")
    spark.sql(f"ALTER TABLE {schema}.orders ALTER COLUMN status COMMENT 'changed by hand'")
    spark.sql(f"ALTER TABLE {schema}.orders "
              "SET TBLPROPERTIES ('quality' = 'bronze', 'schemax.version' = '0.0.9')")
    spark.sql(f"DROP TABLE {schema}.items")
    spark.sql(f"CREATE TABLE {schema}.extra (x INT) USING DELTA")
    report = deployed.check_drift("dev")
    got = sorted((f.issue, f.object_type, f.object_name.split(".")[-1], f.detail) for f in report.findings)
    names = [g[2] for g in got]
    assert ("extra", "column", "hotfix") in [(g[0], g[1], g[2]) for g in got]
    assert ("missing", "table", "items") in [(g[0], g[1], g[2]) for g in got]
    assert ("extra", "table", "extra") in [(g[0], g[1], g[2]) for g in got]
    assert any(g[0] == "modified" and g[2] == "status" and "comment" in g[3] for g in got)
    assert any(g[0] == "modified" and "quality" in g[3] for g in got)
    assert any(g[0] == "modified" and g[3] == "schemax.version" for g in got)
    for name in ("hotfix", "items", "extra"):
        assert names.count(name) == 1, got
    assert not any("minReaderVersion" in g[3] or "minWriterVersion" in g[3] for g in got)
    assert deployed.drift_scans("dev")[0].status == "drifted"
    with pytest.raises(schemax.DriftDetectedError) as err:
        schemax.scan("dev", project=deployed)
    assert err.value.report.drifted
    deployed.add_column("shop.sales.orders", "note", "STRING")
    deployed.snapshot("v1.1")
    with pytest.raises(schemax.DriftDetectedError):
        deployed.deploy("dev")


def test_import_drift_catches_the_project_up(spark: Any, deployed: schemax.Project, prefix: str) -> None:
    schema = f"spark_catalog.`{prefix}dev_sales`"
    spark.sql(f"ALTER TABLE {schema}.orders ADD COLUMNS (hotfix STRING COMMENT 'by hand')")
    ops = deployed.import_drift("dev")
    assert [o.kind for o in ops] == ["add_column"]
    col = deployed.state().find("shop.sales.orders.hotfix")
    assert col is not None


def test_import_round_trip_into_a_second_environment(spark: Any, prefix: str) -> None:
    legacy = f"{prefix}legacy_crm"
    spark.sql(f"CREATE SCHEMA `{legacy}` COMMENT 'made by hand'")
    spark.sql(f"CREATE TABLE `{legacy}`.contacts (id BIGINT NOT NULL, email STRING COMMENT 'it''s mail', "
              "score DECIMAL(5,2)) USING DELTA COMMENT 'people' TBLPROPERTIES ('team' = 'crm')")
    spark.sql(f"ALTER TABLE `{legacy}`.contacts ADD CONSTRAINT score_ok CHECK (score >= 0)")
    spark.sql(f"CREATE VIEW `{legacy}`.emails AS SELECT email FROM `{legacy}`.contacts")
    p = schemax.Project.create(spark, "imported", store=f"spark_catalog.{prefix}store", author="t")
    p.create_catalog("crm")
    p.add_environment("legacy", {"crm": "spark_catalog"}, schema_prefix=f"{prefix}legacy_")
    result = p.import_catalog("legacy", adopt=True)
    assert result.ops and result.snapshot == "0.1.0"
    state = p.state()
    table = state.tables[state.find("crm.crm.contacts")]
    assert [c.name for c in table.columns] == ["id", "email", "score"]
    assert table.comment == "people" and table.properties == {"team": "crm"}
    assert [c.kind for c in table.constraints] == ["check"]
    assert not p.check_drift("legacy").drifted
    assert p.plan("legacy").is_empty  # adopted: the next deploy is a no-op
    p.add_environment("copy", {"crm": "spark_catalog"}, schema_prefix=f"{prefix}copy_")
    p.deploy("copy")
    assert not p.check_drift("copy").drifted
