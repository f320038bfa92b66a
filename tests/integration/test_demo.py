"""``make demo`` runs :func:`schemax.demo.run`: the same function, on the suite's Spark session, so a change
that breaks one of the two commands a new user types first fails the suite (it once failed at its
rollback step with nothing noticing)."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

from schemax import demo

pytestmark = pytest.mark.integration


def _demo_schemas(spark: Any) -> set[str]:
    return {row[0] for row in spark.sql("SHOW SCHEMAS").collect() if row[0].startswith("demo_")}


def test_the_demo_runs_end_to_end(spark: Any, caplog: pytest.LogCaptureFixture) -> None:
    before = _demo_schemas(spark)
    with caplog.at_level(logging.INFO, logger="schemax.demo"):
        demo.run(spark)
    said = [r.getMessage() for r in caplog.records if r.name == "schemax.demo"]
    # the store, dev's and prod's schemas: all dropped at the end (runs do not pile up)
    assert _demo_schemas(spark) == before
    dropped = next(line for line in said if line.startswith("dropped the demo's"))
    assert dropped.startswith("dropped the demo's 3 schema(s): demo_") and "_dev_sales" in dropped
    assert "verify(): op hash chain and snapshot hashes intact" in said
    assert any(re.fullmatch(r"deployment dep_\w+: success, 4 statements", line) for line in said)
    assert "refused: deploying to 'prod' needs confirm='prod'" in said
    assert "deploy refused: drift detected: 1 finding(s)" in said
    assert "rolled back to 0.4.0; legacy_code values: ['L-1', 'L-2']" in said
    history = [line for line in said if line.startswith("  20")]
    assert [line.split()[1:3] for line in history] == [
        ["rollback", "success"], ["deploy", "success"], ["deploy", "success"], ["deploy", "success"]]
    assert not any("None" in line for line in said)
