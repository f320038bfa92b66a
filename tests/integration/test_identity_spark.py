"""Identity and generated columns (issue 11) on real local Spark + Delta: the planned CREATE TABLE runs, the
values follow START WITH / INCREMENT BY and the generation expression, Delta refuses what schemax refuses
before a deploy (an explicit value into an ALWAYS identity column, adding an identity column later), and
the Spark catalog reader observes both column kinds, so drift is clean and an import keeps them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

import schemax
from schemax.adapters.catalog_spark import SparkCatalogReader
from schemax.adapters.memory import MemoryStore
from schemax.adapters.spark import SparkExecutor

pytestmark = pytest.mark.integration


@pytest.fixture()
def prefix(spark: Any) -> Iterator[str]:
    p = f"id{uuid.uuid4().hex[:8]}_"
    yield p
    for row in spark.sql("SHOW SCHEMAS").collect():
        if row[0].startswith(p):
            spark.sql(f"DROP SCHEMA IF EXISTS `{row[0]}` CASCADE")


def _events(spark: Any, prefix: str) -> tuple[schemax.Project, str]:
    p = schemax.Project.create(spark, f"ident_{uuid.uuid4().hex[:6]}", store=MemoryStore(), author="tester")
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.create_table("shop.sales.events", [
        schemax.Column("id", "BIGINT", nullable=False, identity={"start": 1000, "step": 10}),
        schemax.Column("ref", "BIGINT", identity={"always": False}),
        schemax.Column("ts", "TIMESTAMP"),
        schemax.Column("day", "DATE", generated="CAST(ts AS DATE)"),
    ], partition_by=["day"])
    p.add_environment("dev", {"shop": "spark_catalog"}, schema_prefix=prefix)
    p.snapshot("v1", version="1.0.0")
    assert p.deploy("dev").status == "success"
    return p, f"spark_catalog.`{prefix}sales`.events"


def test_identity_and_generated_values_on_delta(spark: Any, prefix: str) -> None:
    _, events = _events(spark, prefix)
    spark.sql(f"INSERT INTO {events} (ref, ts) VALUES (NULL, TIMESTAMP'2026-01-02 10:00:00'), "
              "(7, TIMESTAMP'2026-01-03 11:00:00')")
    rows = spark.sql(f"SELECT id, ref, day FROM {events} ORDER BY id").collect()
    ids = [r["id"] for r in rows]
    assert ids[0] >= 1000 and all((i - 1000) % 10 == 0 for i in ids) and len(set(ids)) == 2
    assert [str(r["day"]) for r in rows] == ["2026-01-02", "2026-01-03"]
    assert rows[1]["ref"] == 7  # BY DEFAULT takes an explicit value
    with pytest.raises(Exception, match="(?i)identity"):  # ALWAYS refuses one
        spark.sql(f"INSERT INTO {events} (id, ts) VALUES (1, TIMESTAMP'2026-01-04 00:00:00')")
    assert list(spark.sql(f"DESCRIBE DETAIL {events}").collect()[0]["partitionColumns"]) == ["day"]


def test_delta_refuses_what_schemax_refuses_before_a_deploy(spark: Any, prefix: str) -> None:
    p, events = _events(spark, prefix)
    with pytest.raises(schemax.ValidationError):
        p.add_column("shop.sales.events", "seq", "BIGINT", identity=True)
    with pytest.raises(Exception):  # noqa: B017 - Delta's own refusal: whatever its class, it refuses
        spark.sql(f"ALTER TABLE {events} ADD COLUMNS (seq BIGINT GENERATED ALWAYS AS IDENTITY)")
    with pytest.raises(schemax.ValidationError):
        p.change_column_type("shop.sales.events", "id", "STRING")


def test_the_spark_reader_observes_identity_and_generated_columns(spark: Any, prefix: str) -> None:
    p, _ = _events(spark, prefix)
    observed = SparkCatalogReader(SparkExecutor(spark)).read([("spark_catalog", f"{prefix}sales")])
    assert not observed.unrepresentable, observed.unrepresentable
    (table,) = observed.state.tables.values()
    columns = {c.name: c for c in table.columns}
    assert columns["id"].identity is not None
    assert (columns["id"].identity.always, columns["id"].identity.start, columns["id"].identity.step) == (
        True, 1000, 10)
    assert columns["ref"].identity is not None and columns["ref"].identity.always is False
    assert columns["day"].generated is not None and "ts" in columns["day"].generated.lower()
    report = p.check_drift("dev", record=False)
    assert not report.drifted, report.findings
