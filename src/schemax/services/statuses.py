"""Statement statuses, written as a deployment runs: group commit instead of one commit per statement.

Each status write is a Delta MERGE, which costs far more than most DDL statements on it. A single
writer thread takes every status that finished since its last write and commits them together, at
most once every ``interval`` seconds (:data:`DEFAULT_INTERVAL`) while the statements keep running, and
once more when the deployment ends: a deployment shorter than the interval writes its statuses in ONE
statement whatever its size (issue 12); a long one, one per interval.

A status can therefore lag its statement by one commit. If the process dies in that window the
statement looks pending although it ran; :mod:`schemax.services.resume` checks such statements against
the catalog before a resume runs them again. ``close()`` flushes everything, so a deployment that ends
(success or failure) has all its statuses recorded before its own record is finished.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from schemax.core.environment import StatementRecord

log = logging.getLogger(__name__)

#: Seconds between two status commits while a deployment runs. Nothing about safety depends on it: the
#: statement rows exist (pending) before the first statement runs, and a resume asks the catalog about
#: the non-idempotent statements a lost status leaves pending.
DEFAULT_INTERVAL = 30.0


class StatusWriter:
    """Queues statement statuses and commits them in batches from one background thread."""

    def __init__(self, store: Any, project: str, *, interval: float = DEFAULT_INTERVAL) -> None:
        self.store = store
        self.project = project
        self.interval = interval
        self.commits = 0
        self._queue: list[StatementRecord] = []
        self._cond = threading.Condition()
        self._closed = False
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._loop, name="schemax-status-writer", daemon=True)
        self._thread.start()

    def put(self, record: StatementRecord) -> None:
        with self._cond:
            if self._error is not None:
                raise self._error
            self._queue.append(record)
            self._cond.notify()

    def close(self) -> None:
        """Write whatever is queued, stop the thread; re-raise a write that failed."""
        with self._cond:
            self._closed = True
            self._cond.notify()
        self._thread.join()
        if self._error is not None:
            raise self._error

    def _due(self, last: float) -> float | None:
        """Seconds until the next write may happen (0: now), None: nothing to write yet."""
        if self._closed:
            return 0.0
        if not self._queue:
            return None
        return max(0.0, self.interval - (time.monotonic() - last))

    def _loop(self) -> None:
        last = time.monotonic()
        while True:
            with self._cond:
                while (wait := self._due(last)) != 0.0:
                    self._cond.wait(wait)
                batch, self._queue = self._queue, []
                if not batch and self._closed:
                    return
            try:
                if batch:
                    self.store.update_statements(self.project, batch)
                    self.commits += 1
                last = time.monotonic()
            except BaseException as exc:  # noqa: BLE001 - handed to the deploying thread by put()/close()
                log.error("could not record %d statement status(es): %s", len(batch), exc)
                with self._cond:
                    self._error = exc
                    self._queue = []
                return
