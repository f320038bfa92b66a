"""Deployment history through export / import between two Delta stores on real local Spark + Delta.

A project in one store deploys (a success, then a failure), is scanned for drift, is exported, imported
into a second Delta store (another schema) and exported again: the same text. A second import writes
nothing to the history tables (their Delta versions stay), and a tampered record is refused with nothing
written. Then the origin resumes the failed deployment, and a new export brings the copy up to date.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

import schemax
from helpers import FailingExecutor
from schemax.adapters.spark import SparkExecutor
from schemax.errors import ExecutionError, HistoryConflictError
from schemax.project.integrity import export_text
from schemax.services.deploy import Deployer

pytestmark = pytest.mark.integration

_HISTORY_TABLES = ("deployments", "deployment_statements", "drift_scans")


def _versions(spark: Any, store: str) -> dict[str, int]:
    return {t: spark.sql(f"DESCRIBE HISTORY {store}.{t}").count() for t in _HISTORY_TABLES}


@pytest.fixture()
def prefix(spark: Any) -> Any:
    name = f"xh{uuid.uuid4().hex[:8]}_"
    yield name
    for row in spark.sql("SHOW SCHEMAS").collect():
        if row[0].startswith(name):
            spark.sql(f"DROP SCHEMA IF EXISTS `{row[0]}` CASCADE")


def test_history_moves_between_delta_stores(spark: Any, prefix: str, tmp_path: Path) -> None:
    origin_store, copy_store = f"spark_catalog.{prefix}store_a", f"spark_catalog.{prefix}store_b"
    p = schemax.Project.create(spark, "shop", store=origin_store, author="tester")
    p.create_catalog("shop")
    p.create_schema("shop.sales", comment="it's \\ sales")
    p.create_table("shop.sales.orders", [schemax.Column("id", "BIGINT", nullable=False),
                                         schemax.Column("note", "STRING", comment="a 'quoted' note")])
    p.add_environment("dev", {"shop": "spark_catalog"}, schema_prefix=f"{prefix}dev_")
    p.snapshot("v1")
    assert p.deploy("dev").status == "success"
    p.check_drift("dev")  # a drift scan record
    p.add_column("shop.sales.orders", "status", "STRING")
    p.snapshot("v2")
    failing = Deployer(p.records, FailingExecutor(SparkExecutor(spark), 1), author=p.author,
                       capabilities=p.capabilities())
    with pytest.raises(ExecutionError):
        failing.deploy("dev")

    first = p.export_json(tmp_path / "a.json").read_text(encoding="utf-8")
    doc = json.loads(first)
    assert [b["deployment"]["status"] for b in doc["deployments"]] == ["success", "failed"]
    assert len(doc["drift_scans"]) == 1 and all(b["statements"] for b in doc["deployments"])

    copy = schemax.Project.import_json(spark, tmp_path / "a.json", store=copy_store)
    done = copy.last_import
    assert done is not None and done.created and (done.deployments, done.drift_scans) == (2, 1)
    assert export_text(copy.to_export()) == first
    assert copy.status().deployed == {"dev": "0.1.0"}
    copy.verify()  # the deployment records kept their seals and links in the second store
    assert [d.deployment_id for d in copy.history("dev")] == [d.deployment_id for d in p.history("dev")]

    before = _versions(spark, copy_store)
    again = schemax.Project.import_json(spark, tmp_path / "a.json", store=copy_store)
    assert again.last_import is not None and not again.last_import.changed
    assert _versions(spark, copy_store) == before  # no commit on any history table

    doc["deployments"][0]["statements"][0]["sql"] += " -- edited"
    (tmp_path / "bad.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(HistoryConflictError) as err:
        schemax.Project.import_json(spark, tmp_path / "bad.json", store=copy_store)
    assert (err.value.record, err.value.field) == ("statement", "sql")
    assert err.value.deployment_id == doc["deployments"][0]["deployment"]["deployment_id"]
    assert _versions(spark, copy_store) == before
    assert export_text(schemax.Project.open(spark, "shop", store=copy_store).to_export()) == first

    # the failed deployment is resumed in the origin: the copy gains the resume and the note on the failed
    # record (update_deployment on the second store), and exports the same text again
    resumed = p.deploy("dev")
    assert resumed.status == "success" and resumed.kind == "resume"
    second = p.export_json(tmp_path / "b.json").read_text(encoding="utf-8")
    moved = schemax.Project.import_json(spark, tmp_path / "b.json", store=copy_store)
    done = moved.last_import
    assert done is not None and (done.ops, done.deployments, done.updated) == (0, 1, 1)
    assert export_text(moved.to_export()) == second
    assert moved.status().deployed == {"dev": "0.2.0"}
    moved.verify()
