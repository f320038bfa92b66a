"""The notebooks in notebooks/ run end to end on local Spark + Delta, as they would on a cluster.

Outside Databricks there is no ``dbutils``: the widgets fall back to ``SCHEMAX_*`` environment variables,
and ``spark`` is the session-scoped local session, put in the notebook's namespace as Databricks does.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

import schemax

pytestmark = pytest.mark.integration

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def _run(path: Path, spark: Any) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "__notebook__", "spark": spark}
    exec(compile(path.read_text(encoding="utf-8"), path.name, "exec"), namespace)  # noqa: S102
    return namespace


@pytest.fixture()
def walkthrough_env(spark: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    prefix = f"nb{uuid.uuid4().hex[:8]}_"
    monkeypatch.setenv("SCHEMAX_PROJECT", f"walkthrough_{prefix}")
    monkeypatch.setenv("SCHEMAX_STORE", f"spark_catalog.{prefix}store")
    monkeypatch.setenv("SCHEMAX_ENVIRONMENT", "dev")
    monkeypatch.setenv("SCHEMAX_CATALOG", "spark_catalog")
    monkeypatch.setenv("SCHEMAX_SCHEMA_PREFIX", f"{prefix}dev_")
    monkeypatch.setenv("SCHEMAX_DEPLOY", "true")
    monkeypatch.setenv("SCHEMAX_AUTHOR", "notebook")
    yield prefix
    for row in spark.sql("SHOW SCHEMAS").collect():
        if row[0].startswith(prefix):
            spark.sql(f"DROP SCHEMA IF EXISTS `{row[0]}` CASCADE")


def test_design_and_snapshot_walkthrough(
    spark: Any, walkthrough_env: str, capsys: pytest.CaptureFixture[str]
) -> None:
    prefix = walkthrough_env
    ns = _run(NOTEBOOKS / "design_and_snapshot.py", spark)
    p: schemax.Project = ns["p"]
    assert [s.version for s in p.snapshots()] == ["0.1.0", "0.2.0"]
    assert ns["status"].deployed == {"dev": "0.2.0"}
    orders = f"spark_catalog.`{prefix}dev_sales`.orders"
    assert [f.name for f in spark.table(orders).schema.fields] == [
        "id",
        "customer_id",
        "amount",
        "status",
        "email",
    ]
    out = capsys.readouterr().out
    assert "0.2.0 Order e-mail" in out

    # safe to re-run: nothing new is recorded, the deploy has nothing to do
    ns = _run(NOTEBOOKS / "design_and_snapshot.py", spark)
    assert [s.version for s in ns["p"].snapshots()] == ["0.1.0", "0.2.0"]
    assert len(ns["plan"].statements) == 0

    # the deploy and drift-scan notebooks act on what the walkthrough deployed
    ns = _run(NOTEBOOKS / "deploy.py", spark)
    assert ns["deployment"].status == "success" and ns["deployment"].to_version == "0.2.0"
    ns = _run(NOTEBOOKS / "drift_scan.py", spark)
    assert not ns["report"].drifted
    spark.sql(f"ALTER TABLE {orders} ADD COLUMNS (hand_made STRING)")
    with pytest.raises(schemax.DriftDetectedError):
        _run(NOTEBOOKS / "drift_scan.py", spark)
