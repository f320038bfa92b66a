"""Suite-wide fixtures and markers.

- ``spark``: one local Spark + Delta session (``schemax.local``) for the whole run, in a temporary home
  (own warehouse and Derby metastore), stopped at the end. pyspark is imported only when a test asks
  for it, so the pure unit tests run without Spark installed.
- hypothesis: the ``ci`` profile (the default) or, with ``SCHEMAX_THOROUGH=1``, ``thorough``; tests with
  an explicit count scale it with :func:`profiles.examples`.
- tests under ``tests/integration`` are marked ``integration``; tests under ``tests/databricks`` are
  marked ``databricks`` and skipped unless ``DATABRICKS_HOST`` is set.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from profiles import THOROUGH

_TESTS = Path(__file__).resolve().parent
_INTEGRATION = _TESTS / "integration"
_DATABRICKS = _TESTS / "databricks"


# the CLI's text is asserted as plain text: a FORCE_COLOR in the caller's environment must not colour it
os.environ.pop("FORCE_COLOR", None)

settings.register_profile("ci", max_examples=50)
settings.register_profile("thorough", max_examples=400)
settings.load_profile("thorough" if THOROUGH else "ci")


def _under(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder)
    except ValueError:
        return False
    return True


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_databricks = pytest.mark.skip(reason="live Databricks tests need DATABRICKS_HOST")
    for item in items:
        path = Path(str(item.fspath))
        if _under(path, _INTEGRATION):
            item.add_marker(pytest.mark.integration)
        elif _under(path, _DATABRICKS):
            item.add_marker(pytest.mark.databricks)
            if not os.environ.get("DATABRICKS_HOST"):
                item.add_marker(skip_databricks)


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The local SparkSession shared by every test of the run."""
    pytest.importorskip("pyspark", reason="the embedded engine needs pip install 'schemax[local]'")
    from schemax import local

    session = local.spark_session(tmp_path_factory.mktemp("spark"), app_name="schemax-tests")
    try:
        yield session
    finally:
        local.stop_session()
