"""What the live Databricks tests share: the skip unless a workspace and a SQL warehouse are configured,
the catalog they create their random-named schemas in, and a Statement Execution executor.

Importable as ``live`` from the test modules next to it (pytest puts their folder on ``sys.path``).
"""

from __future__ import annotations

import os
from typing import Any

import pytest

CATALOG = os.environ.get("SCHEMAX_TEST_CATALOG", "main")

#: ``pytestmark`` of every live module
MARKS = [
    pytest.mark.databricks,
    pytest.mark.skipif(
        not (os.environ.get("DATABRICKS_HOST") and os.environ.get("DATABRICKS_WAREHOUSE_ID")),
        reason="live tests need DATABRICKS_HOST and DATABRICKS_WAREHOUSE_ID",
    ),
]


def statement_executor(workspace: Any = None, **options: Any) -> Any:
    """A StatementExecutionExecutor on ``$DATABRICKS_WAREHOUSE_ID`` (a new WorkspaceClient by default)."""
    from databricks.sdk import WorkspaceClient

    from schemax.adapters.statement_execution import StatementExecutionExecutor

    return StatementExecutionExecutor(
        workspace or WorkspaceClient(), os.environ["DATABRICKS_WAREHOUSE_ID"], **options
    )
