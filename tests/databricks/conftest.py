"""The live tier's collection: without a workspace, ONE skipped case says how many live cases would run.

When ``DATABRICKS_HOST`` or ``DATABRICKS_WAREHOUSE_ID`` is missing, every case under this folder is
deselected and ``test_live_tier.py::test_live_tier_is_configured`` is skipped with the count, so a CI log
carries one line (``SKIPPED ... live Databricks tier: N cases need DATABRICKS_HOST and
DATABRICKS_WAREHOUSE_ID``) instead of one per module. Runs after the suite-wide hook (``trylast``), whose
own skip marker this one precedes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from live import ENV_VARS, configured

HERE = Path(__file__).resolve().parent
SUMMARY = "test_live_tier_is_configured"


def _here(item: pytest.Item) -> bool:
    try:
        Path(str(item.fspath)).resolve().relative_to(HERE)
    except ValueError:
        return False
    return True


def skip_reason(cases: int) -> str:
    return f"live Databricks tier: {cases} cases need {' and '.join(ENV_VARS)}"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if configured():
        return
    live = [i for i in items if _here(i)]
    summary = [i for i in live if i.name == SUMMARY]
    cases = [i for i in live if i.name != SUMMARY]
    skip = pytest.mark.skip(reason=skip_reason(len(cases)))
    if not summary:  # only some live modules collected: skip them, with the same count
        for item in cases:
            item.add_marker(skip, append=False)
        return
    config.hook.pytest_deselected(items=cases)
    gone = {id(i) for i in cases}
    items[:] = [i for i in items if id(i) not in gone]
    summary[0].add_marker(skip, append=False)
