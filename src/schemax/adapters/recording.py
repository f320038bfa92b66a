"""An executor wrapper that records every statement it passes on (for tests and benchmarks)."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from schemax.ports import Row, SqlExecutor


class RecordingExecutor:
    """Wraps any SqlExecutor; records each SQL string (and its params) in order, then delegates.

    ``statements`` is the number of statements issued, ``sql`` the list of their texts, ``calls`` the
    ``(sql, params)`` pairs. A statement is recorded before it runs, so failed ones are listed too.
    Thread-safe.
    """

    def __init__(self, inner: SqlExecutor) -> None:
        self.inner = inner
        self._lock = threading.Lock()
        self.calls: list[tuple[str, dict[str, Any] | None]] = []

    @property
    def sql(self) -> list[str]:
        with self._lock:
            return [s for s, _ in self.calls]

    @property
    def statements(self) -> int:
        with self._lock:
            return len(self.calls)

    def _record(self, sql: str, params: Mapping[str, Any] | None) -> None:
        with self._lock:
            self.calls.append((sql, dict(params) if params is not None else None))

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> None:
        self._record(sql, params)
        self.inner.execute(sql, params)

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        self._record(sql, params)
        return self.inner.query(sql, params)

    def __repr__(self) -> str:
        return f"RecordingExecutor({self.inner!r}, statements={self.statements})"


__all__ = ["RecordingExecutor"]
