"""Small helpers shared by test modules in several folders.

Importable from any test module: pytest puts ``tests/`` on ``sys.path`` for the suite's conftest.
"""

from __future__ import annotations

import contextlib
import io
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from schemax.cli import run
from schemax.errors import SqlError


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


class FailingExecutor:
    """Runs SQL on ``inner`` (a real engine or a fake), but fails the n-th statement it is asked to run."""

    def __init__(self, inner: Any, fail_at: int) -> None:
        self.inner, self.fail_at, self.count = inner, fail_at, 0
        self._lock = threading.Lock()

    def execute(self, sql: str, params: Any = None) -> None:
        with self._lock:
            self.count += 1
            n = self.count
        if n == self.fail_at:
            raise SqlError(sql, "injected failure", "error")
        self.inner.execute(sql, params)

    def query(self, sql: str, params: Any = None) -> list[dict[str, Any]]:
        return self.inner.query(sql, params)


class CliRunner:
    """Runs ``schemax --project shop ARGS`` in-process on a given engine and store (no Spark): the CLI's
    engine selection and store name are patched; ``engine_started`` counts how often it asked for the
    engine (cheap checks must come before it)."""

    def __init__(self, monkeypatch: Any, engine: Any, store: Any) -> None:
        self.engine_started = 0

        def select(request: object, note: object) -> Any:
            self.engine_started += 1
            return engine

        monkeypatch.setattr("schemax.cli.context.select_engine", select)
        monkeypatch.setattr("schemax.cli.context.store_name", lambda args: store)
        monkeypatch.setenv("SCHEMAX_AUTHOR", "ci")
        for var in ("SCHEMAX_PROJECT", "SCHEMAX_STORE", "DATABRICKS_RUNTIME_VERSION"):
            monkeypatch.delenv(var, raising=False)

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = run(["--project", "shop", *argv], out, err)
        return code, out.getvalue(), err.getvalue()


class RecordingEngine:
    """An engine that accepts every statement and records it; ``DESCRIBE HISTORY`` answers ``version``,
    any other query ``rows`` (a fake for deploys on the memory store, where no catalog is read)."""

    def __init__(self, version: int = 3, rows: list[dict[str, Any]] | None = None) -> None:
        self.sql: list[str] = []
        self.version = version
        self.rows = rows or []

    def execute(self, sql: str, params: Any = None) -> None:
        self.sql.append(sql)

    def query(self, sql: str, params: Any = None) -> list[dict[str, Any]]:
        return [{"version": self.version}] if sql.startswith("DESCRIBE HISTORY") else list(self.rows)
