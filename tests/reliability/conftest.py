"""Reliability-suite fixtures: ``terminal_summary`` collects the figures shown at the end of the run."""

from __future__ import annotations

from typing import Any

import pytest

_SUMMARY: list[str] = []


@pytest.fixture(scope="session")
def terminal_summary() -> list[str]:
    """Append a line to show it in pytest's terminal summary."""
    return _SUMMARY


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for line in _SUMMARY:
        terminalreporter.write_line(line)
