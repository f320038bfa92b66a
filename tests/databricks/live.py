"""What the live Databricks tests share: the skip unless a workspace and a SQL warehouse are configured,
the catalog they create their random-named schemas in, and a Statement Execution executor.

Importable as ``live`` from the test modules next to it (pytest puts their folder on ``sys.path``).
"""

from __future__ import annotations

import os
from typing import Any

import pytest

CATALOG = os.environ.get("SCHEMAX_TEST_CATALOG", "main")

#: what a live run needs (authentication is whatever databricks-sdk finds besides the host)
ENV_VARS = ("DATABRICKS_HOST", "DATABRICKS_WAREHOUSE_ID")


def configured() -> bool:
    """A workspace and a SQL warehouse are configured."""
    return all(os.environ.get(v) for v in ENV_VARS)


#: ``pytestmark`` of every live module
MARKS = [
    pytest.mark.databricks,
    pytest.mark.skipif(not configured(), reason=f"live tests need {' and '.join(ENV_VARS)}"),
]


def statement_executor(workspace: Any = None, **options: Any) -> Any:
    """A StatementExecutionExecutor on ``$DATABRICKS_WAREHOUSE_ID`` (a new WorkspaceClient by default)."""
    from databricks.sdk import WorkspaceClient

    from schemax.adapters.statement_execution import StatementExecutionExecutor

    return StatementExecutionExecutor(
        workspace or WorkspaceClient(), os.environ["DATABRICKS_WAREHOUSE_ID"], **options
    )
