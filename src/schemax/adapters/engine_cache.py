"""What a process learns about an engine once and keeps: per engine, per process (issue 12).

A CLI command, a notebook or a test suite opens projects many times on the same engine; asking the
engine each time whether the store's tables exist, or what the engine can run, costs a round trip per
question on a SQL warehouse. :class:`PerEngine` keeps such answers keyed by the engine behind an
executor: wrappers (``RecordingExecutor``, fault injectors: anything with ``inner``) are looked
through, and a Spark executor is keyed by its session, so every executor made for one session shares
the answers. Entries go when the engine is garbage-collected (weak keys).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any, Generic, TypeVar

V = TypeVar("V")


def engine_of(executor: Any) -> Any:
    """The object that stands for the engine behind ``executor`` (its session, or itself)."""
    seen = 0
    while getattr(executor, "inner", None) is not None and seen < 10:
        executor = executor.inner
        seen += 1
    return getattr(executor, "spark", None) or executor


class PerEngine(Generic[V]):
    """A map engine -> value, weakly keyed; engines that cannot be weakly referenced are not cached."""

    def __init__(self) -> None:
        self._values: weakref.WeakKeyDictionary[Any, V] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def get(self, executor: Any) -> V | None:
        try:
            with self._lock:
                return self._values.get(engine_of(executor))
        except TypeError:
            return None

    def put(self, executor: Any, value: V) -> None:
        try:
            with self._lock:
                self._values[engine_of(executor)] = value
        except TypeError:
            pass

    def setdefault(self, executor: Any, make: Callable[[], V]) -> V:
        found = self.get(executor)
        if found is None:
            found = make()
            self.put(executor, found)
        return found

    def forget(self, executor: Any) -> None:
        try:
            with self._lock:
                self._values.pop(engine_of(executor), None)
        except TypeError:
            pass


__all__ = ["PerEngine", "engine_of"]
