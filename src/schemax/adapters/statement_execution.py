"""SqlExecutor over a Databricks SQL warehouse, through the databricks-sdk Statement Execution API.

    from databricks.sdk import WorkspaceClient
    from schemax.adapters.statement_execution import StatementExecutionExecutor

    executor = StatementExecutionExecutor(WorkspaceClient(profile="prod"), warehouse_id="abc123")
    project = schemax.Project.open(executor, "shop", store="main.schemax")

What it does for each statement:

- submits it with ``execute_statement(..., wait_timeout=, on_wait_timeout=CONTINUE)`` and, while the
  statement is ``PENDING`` or ``RUNNING``, polls ``get_statement`` every ``poll_interval`` seconds
  (cancelling it and raising ``SqlError(kind="timeout")`` after ``timeout`` seconds);
- reads every chunk of the result (``result.next_chunk_index`` → ``get_statement_result_chunk_n``;
  ``EXTERNAL_LINKS`` results are fetched from their pre-signed URLs) and converts each value from the
  ``JSON_ARRAY`` strings to the Python type of its column in the manifest (``INT``/``LONG`` → ``int``,
  ``BOOLEAN`` → ``bool``, ``DECIMAL`` → ``Decimal``, ``TIMESTAMP`` → ``datetime``, ``ARRAY``/``MAP``/
  ``STRUCT`` → list/dict, …), so rows look like those of the Spark executor;
- binds ``params`` as named parameters (``StatementParameterListItem(name=, value=, type=)``, ``:name``
  markers in the SQL): values never end up in the SQL text;
- retries, with exponential backoff (honouring ``Retry-After``), API calls that fail transiently
  (HTTP 429/503: ``TooManyRequests``/``ResourceExhausted``, ``TemporarilyUnavailable``,
  ``DeadlineExceeded``, connection errors) and statements the warehouse failed with a transient error code;
- normalizes failures (:mod:`schemax.adapters.engine_errors`): a ``FAILED`` statement becomes
  :class:`~schemax.errors.SqlError` with the warehouse's message (and its error class, e.g.
  ``TABLE_OR_VIEW_NOT_FOUND``), Delta's concurrent modification failures
  :class:`~schemax.errors.StoreConflictError`, exactly like the Spark executor.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from schemax.adapters.engine_errors import (
    from_api_exception,
    from_warehouse_failure,
    statement_not_finished,
    statement_timed_out,
)
from schemax.ports import Row

log = logging.getLogger("schemax.statement_execution")

#: ``ServiceErrorCode`` values of a FAILED statement that are worth running the statement again for.
TRANSIENT_STATEMENT_ERRORS = frozenset(
    {
        "TEMPORARILY_UNAVAILABLE",
        "WORKSPACE_TEMPORARILY_UNAVAILABLE",
        "SERVICE_UNDER_MAINTENANCE",
        "RESOURCE_EXHAUSTED",
        "DEADLINE_EXCEEDED",
    }
)
_RUNNING = frozenset({"PENDING", "RUNNING"})
_MAX_BACKOFF_S = 30.0


def _name(value: Any) -> str | None:
    """An SDK enum (or a plain string) as its string value."""
    if value is None:
        return None
    return str(getattr(value, "value", value))


def is_transient(exc: BaseException) -> bool:
    """True for SDK/HTTP errors worth retrying: 429, 503, deadline exceeded, dropped connections."""
    from databricks.sdk import errors as sdk_errors  # optional dependency: imported only when used

    if isinstance(
        exc, (sdk_errors.TooManyRequests, sdk_errors.TemporarilyUnavailable, sdk_errors.DeadlineExceeded)
    ):
        return True  # ResourceExhausted and RequestLimitExceeded are TooManyRequests
    if isinstance(exc, sdk_errors.DatabricksError):
        code = getattr(exc, "error_code", None)
        return code in TRANSIENT_STATEMENT_ERRORS
    return isinstance(exc, (ConnectionError, TimeoutError))


# kept under its old name here: callers and tests import it from this module
normalize_failure = from_warehouse_failure


# ------------------------------------------------------------------------------------------------------
# values: Python -> named parameters, JSON_ARRAY strings -> Python


def to_parameter(name: str, value: Any) -> Any:
    """A ``StatementParameterListItem`` for one named parameter (its SQL type from the Python type)."""
    from databricks.sdk.service.sql import StatementParameterListItem  # optional dependency

    if value is None:
        return StatementParameterListItem(name=name, value=None, type="STRING")
    if isinstance(value, bool):
        return StatementParameterListItem(name=name, value="true" if value else "false", type="BOOLEAN")
    if isinstance(value, int):
        return StatementParameterListItem(name=name, value=str(value), type="BIGINT")
    if isinstance(value, float):
        return StatementParameterListItem(name=name, value=repr(value), type="DOUBLE")
    if isinstance(value, Decimal):
        sign, digits, exponent = value.as_tuple()
        scale = max(0, -int(exponent)) if isinstance(exponent, int) else 0
        precision = min(38, max(len(digits), scale, 1))
        return StatementParameterListItem(name=name, value=str(value), type=f"DECIMAL({precision},{scale})")
    if isinstance(value, dt.datetime):
        return StatementParameterListItem(name=name, value=value.isoformat(), type="TIMESTAMP")
    if isinstance(value, dt.date):
        return StatementParameterListItem(name=name, value=value.isoformat(), type="DATE")
    if isinstance(value, str):
        return StatementParameterListItem(name=name, value=value, type="STRING")
    raise TypeError(
        f"parameter {name!r}: values of type {type(value).__name__} cannot be bound "
        "(use str, int, float, bool, Decimal, date, datetime or None)"
    )


def _parse_timestamp(text: str) -> dt.datetime:
    value = text.strip().replace(" ", "T", 1)
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    # fromisoformat before 3.11 wants 0, 3 or 6 fraction digits
    m = re.match(r"^(.*T\d\d:\d\d:\d\d)(\.\d+)?(.*)$", value)
    if m and m.group(2):
        frac = (m.group(2)[1:] + "000000")[:6]
        value = f"{m.group(1)}.{frac}{m.group(3)}"
    return dt.datetime.fromisoformat(value)


def _converter(type_name: str | None) -> Callable[[str], Any]:
    t = (type_name or "STRING").upper()
    if t in ("BYTE", "SHORT", "INT", "LONG"):
        return int
    if t in ("FLOAT", "DOUBLE"):
        return float
    if t == "DECIMAL":
        return Decimal
    if t == "BOOLEAN":
        return lambda s: s.strip().lower() == "true"
    if t == "DATE":
        return dt.date.fromisoformat
    if t == "TIMESTAMP":
        return _parse_timestamp
    if t in ("ARRAY", "MAP", "STRUCT"):
        return json.loads
    if t == "BINARY":
        return base64.b64decode
    if t == "NULL":
        return lambda s: None
    return str  # STRING, CHAR, INTERVAL, USER_DEFINED_TYPE


def convert_rows(columns: list[Any], data: Iterable[list[Any]]) -> list[Row]:
    """``JSON_ARRAY`` rows (lists of strings or None) as dicts of typed values, by the manifest's columns."""
    names = [c.name for c in columns]
    converters = [_converter(_name(c.type_name)) for c in columns]
    out: list[Row] = []
    for raw in data:
        out.append(
            {n: (None if v is None else conv(v)) for n, conv, v in zip(names, converters, raw, strict=False)}
        )
    return out


# ------------------------------------------------------------------------------------------------------
# the executor


class StatementExecutionExecutor:
    """Runs SQL on a Databricks SQL warehouse. Thread-safe; ``statements`` counts the statements run.

    ``workspace_client`` is a ``databricks.sdk.WorkspaceClient`` (auth, host and retries of the HTTP layer
    come from it). ``timeout`` bounds how long one statement may run (seconds; ``None`` = no bound).
    """

    def __init__(
        self,
        workspace_client: Any,
        warehouse_id: str,
        *,
        catalog: str | None = None,
        schema: str | None = None,
        wait_timeout: str = "30s",
        poll_interval: float = 1.0,
        max_retries: int = 3,
        timeout: float | None = 3600.0,
        disposition: str = "INLINE",
        sleep: Callable[[float], None] = time.sleep,
        fetch: Callable[[str], Any] | None = None,
    ) -> None:
        if not warehouse_id:
            raise ValueError("a SQL warehouse id is needed (--warehouse-id or DATABRICKS_WAREHOUSE_ID)")
        self.ws = workspace_client
        self.warehouse_id = warehouse_id
        self.catalog = catalog
        self.schema = schema
        self.wait_timeout = wait_timeout
        self.poll_interval = poll_interval
        self.max_retries = max(0, max_retries)
        self.timeout = timeout
        self.disposition = disposition.upper()
        self._sleep = sleep
        self._fetch = fetch or _fetch_external
        self._lock = threading.Lock()
        self._statements = 0

    @property
    def statements(self) -> int:
        with self._lock:
            return self._statements

    def __repr__(self) -> str:
        return f"StatementExecutionExecutor(warehouse_id={self.warehouse_id!r}, statements={self.statements})"

    # -- SqlExecutor ----------------------------------------------------------------------------------
    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> None:
        self._run(sql, params)

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return self._run(sql, params)

    # -- internals ------------------------------------------------------------------------------------
    def _backoff(self, attempt: int, exc: BaseException | None = None) -> float:
        hinted = getattr(exc, "retry_after_secs", None) if exc is not None else None
        if hinted:
            return min(float(hinted), _MAX_BACKOFF_S)
        return min(self.poll_interval * (2**attempt), _MAX_BACKOFF_S) if self.poll_interval else 0.0

    def _call(self, what: str, sql: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """One API call, retried on transient errors; other SDK errors become SqlError."""
        attempt = 0
        while True:
            try:
                return fn(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - classified below
                if is_transient(exc) and attempt < self.max_retries:
                    delay = self._backoff(attempt, exc)
                    attempt += 1
                    log.warning(
                        "%s: transient error (%s: %s); retry %d/%d in %.1fs",
                        what,
                        type(exc).__name__,
                        exc,
                        attempt,
                        self.max_retries,
                        delay,
                    )
                    self._sleep(delay)
                    continue
                err = from_api_exception(sql, exc)
                if err is not None:
                    raise err from exc
                raise

    def _run(self, sql: str, params: Mapping[str, Any] | None) -> list[Row]:
        with self._lock:
            self._statements += 1
        parameters = [to_parameter(k, v) for k, v in params.items()] if params else None
        attempt = 0
        while True:
            response = self._submit(sql, parameters)
            response = self._wait(sql, response)
            state = _name(response.status.state) if response.status else None
            if state == "SUCCEEDED":
                return self._rows(sql, response)
            error = response.status.error if response.status else None
            code = _name(error.error_code) if error else None
            message = (error.message if error else None) or f"statement {state or 'ended without a state'}"
            if state == "FAILED" and code in TRANSIENT_STATEMENT_ERRORS and attempt < self.max_retries:
                delay = self._backoff(attempt)
                attempt += 1
                log.warning(
                    "statement failed transiently (%s: %s); retry %d/%d in %.1fs",
                    code,
                    message,
                    attempt,
                    self.max_retries,
                    delay,
                )
                self._sleep(delay)
                continue
            if state == "FAILED":
                raise from_warehouse_failure(sql, message, code, response.status.sql_state)
            raise statement_not_finished(sql, response.statement_id, state, message)

    def _submit(self, sql: str, parameters: list[Any] | None) -> Any:
        # optional dependency: imported only when a statement is submitted
        from databricks.sdk.service.sql import Disposition, ExecuteStatementRequestOnWaitTimeout, Format

        kwargs: dict[str, Any] = {
            "statement": sql,
            "warehouse_id": self.warehouse_id,
            "wait_timeout": self.wait_timeout,
            "on_wait_timeout": ExecuteStatementRequestOnWaitTimeout.CONTINUE,
            "disposition": Disposition(self.disposition),
            "format": Format.JSON_ARRAY,
        }
        if self.catalog:
            kwargs["catalog"] = self.catalog
        if self.schema:
            kwargs["schema"] = self.schema
        if parameters:
            kwargs["parameters"] = parameters
        return self._call("execute_statement", sql, self.ws.statement_execution.execute_statement, **kwargs)

    def _wait(self, sql: str, response: Any) -> Any:
        started = time.monotonic()
        while response.status is not None and _name(response.status.state) in _RUNNING:
            if self.timeout is not None and time.monotonic() - started > self.timeout:
                try:
                    self.ws.statement_execution.cancel_execution(response.statement_id)
                except Exception:  # noqa: BLE001 - the timeout is what we report
                    log.debug("could not cancel %s", response.statement_id, exc_info=True)
                raise statement_timed_out(sql, response.statement_id, self.timeout)
            self._sleep(self.poll_interval)
            response = self._call(
                "get_statement", sql, self.ws.statement_execution.get_statement, response.statement_id
            )
        return response

    def _rows(self, sql: str, response: Any) -> list[Row]:
        manifest = response.manifest
        columns = list(manifest.schema.columns or []) if manifest and manifest.schema else []
        if not columns:
            return []
        rows: list[Row] = []
        chunk = response.result
        seen: set[int] = set()
        while chunk is not None:
            rows.extend(convert_rows(columns, self._chunk_data(sql, chunk)))
            nxt = chunk.next_chunk_index
            if nxt is None or nxt in seen:
                break
            seen.add(nxt)
            chunk = self._call(
                "get_statement_result_chunk_n",
                sql,
                self.ws.statement_execution.get_statement_result_chunk_n,
                response.statement_id,
                nxt,
            )
        return rows

    def _chunk_data(self, sql: str, chunk: Any) -> list[list[Any]]:
        if chunk.data_array is not None:
            return chunk.data_array
        data: list[list[Any]] = []
        for link in chunk.external_links or []:
            data.extend(self._call("fetch external link", sql, self._fetch, link.external_link))
        return data


def _fetch_external(url: str) -> list[list[Any]]:
    """Rows of one ``EXTERNAL_LINKS`` chunk: a pre-signed URL, fetched without Databricks credentials."""
    import requests  # optional: comes with databricks-sdk

    resp = requests.get(url, timeout=120)
    if resp.status_code in (429, 503):
        raise ConnectionError(f"HTTP {resp.status_code} fetching a result chunk")
    resp.raise_for_status()
    return resp.json()


def workspace_executor(
    *, profile: str | None = None, warehouse_id: str | None = None, host: str | None = None, **options: Any
) -> StatementExecutionExecutor:
    """A Statement Execution executor for a workspace profile (or the ``DATABRICKS_*`` environment)."""
    from databricks.sdk import WorkspaceClient  # optional dependency: imported only when used

    kwargs: dict[str, Any] = {}
    if profile:
        kwargs["profile"] = profile
    if host:
        kwargs["host"] = host
    warehouse = warehouse_id or os.environ.get("DATABRICKS_WAREHOUSE_ID")
    if not warehouse:
        raise ValueError("a SQL warehouse id is needed (--warehouse-id or DATABRICKS_WAREHOUSE_ID)")
    return StatementExecutionExecutor(WorkspaceClient(**kwargs), warehouse, **options)


__all__ = [
    "StatementExecutionExecutor",
    "convert_rows",
    "is_transient",
    "normalize_failure",
    "to_parameter",
    "workspace_executor",
]
