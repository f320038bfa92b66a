"""Small helpers shared by test modules in several folders.

Importable from any test module: pytest puts ``tests/`` on ``sys.path`` for the suite's conftest.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def scratch_schema(
    run_sql: Callable[[str], object], prefix: str, *, catalog: str | None = None, comment: str | None = None
) -> Iterator[str]:
    """A schema of its own for a test: ``<prefix><random hex>`` is created (in ``catalog`` when given)
    with ``run_sql``, its name yielded, and the schema dropped with everything in it afterwards."""
    name = f"{prefix}{uuid.uuid4().hex[:10]}"
    where = f"`{catalog}`.`{name}`" if catalog else f"`{name}`"
    run_sql(f"CREATE SCHEMA {where}" + (f" COMMENT '{comment}'" if comment else ""))
    try:
        yield name
    finally:
        run_sql(f"DROP SCHEMA IF EXISTS {where} CASCADE")
