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


def test_the_demo_runs_end_to_end(spark: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="schemax.demo"):
        demo.run(spark)
    said = [r.getMessage() for r in caplog.records if r.name == "schemax.demo"]
    assert "verify(): op hash chain and snapshot hashes intact" in said
    assert any(re.fullmatch(r"deployment dep_\w+: success, 4 statements", line) for line in said)
    assert "refused: deploying to 'prod' needs confirm='prod'" in said
    assert "deploy refused: drift detected: 1 finding(s)" in said
    assert "rolled back to 0.4.0; legacy_code values: ['L-1', 'L-2']" in said
    history = [line for line in said if line.startswith("  20")]
    assert [line.split()[1:3] for line in history] == [
        ["rollback", "success"], ["deploy", "success"], ["deploy", "success"], ["deploy", "success"]]
    assert not any("None" in line for line in said)
