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
- retries, a bounded number of times (``max_retries``) with exponential backoff (honouring ``Retry-After``),
  only what cannot run a statement twice: a submission the warehouse refused (HTTP 429/503:
  ``TooManyRequests``/``ResourceExhausted``, ``TemporarilyUnavailable``; a refused connection), the
  read-only calls (polling, result chunks) on any transient error, and statements the warehouse failed
  with a transient error code;
- never re-sends a submission whose response was lost (a connection reset or a read timeout after the
  request went out, HTTP 504): the statement may have run, so ``execute`` raises
  ``SqlError(kind="unknown")`` (a deployment records the statement as ``unknown``; a resume asks the
  catalog before running it again); ``query`` (reads) submits again. With the SDK's own ``ApiClient`` the
  submission is one POST that the SDK's HTTP layer does not retry either (its retries are for requests
  that can be re-sent; see ``_post_once``);
- a statement still ``PENDING``/``RUNNING`` after ``timeout`` is cancelled, then asked once more for its
  state: ``SUCCEEDED`` counts, ``CANCELED`` is ``SqlError(kind="timeout")`` (it did not run), anything
  else ``kind="unknown"``;
- normalizes failures (:mod:`schemax.adapters.engine_errors`): a ``FAILED`` statement becomes
  :class:`~schemax.errors.SqlError` with the warehouse's message (and its error class, e.g.
  ``TABLE_OR_VIEW_NOT_FOUND``), Delta's concurrent modification failures
  :class:`~schemax.errors.StoreConflictError`, exactly like the Spark executor.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
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
    outcome_unknown,
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
    return isinstance(exc, (ConnectionError, TimeoutError)) or _is_requests_failure(exc)


def _is_requests_failure(exc: BaseException) -> bool:
    try:
        import requests  # optional: comes with databricks-sdk
    except ImportError:  # pragma: no cover - the SDK needs it
        return False
    return isinstance(exc, (requests.ConnectionError, requests.Timeout))


def refused(exc: BaseException) -> bool:
    """True when the warehouse certainly did not take a submission: it answered 429 or 503 (or failed it
    with a transient code other than a deadline), or the connection was never made."""
    from databricks.sdk import errors as sdk_errors  # optional dependency: imported only when used

    if isinstance(exc, sdk_errors.DeadlineExceeded):
        return False  # a gateway timed out waiting: the request may have reached the warehouse
    if isinstance(exc, (sdk_errors.TooManyRequests, sdk_errors.TemporarilyUnavailable)):
        return True
    if isinstance(exc, sdk_errors.DatabricksError):
        return getattr(exc, "error_code", None) in TRANSIENT_STATEMENT_ERRORS - {"DEADLINE_EXCEEDED"}
    if isinstance(exc, ConnectionRefusedError):
        return True
    try:
        import requests  # optional: comes with databricks-sdk
    except ImportError:  # pragma: no cover - the SDK needs it
        return False
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError):
        reason = exc.args[0] if exc.args else None
        reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError(reason=NewConnectionError)
        # urllib3's NewConnectionError (by name: urllib3 is the SDK's, not imported here): never connected
        return isinstance(reason, ConnectionRefusedError) or any(
            c.__name__ == "NewConnectionError" for c in type(reason).__mro__)
    return False


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
        self._run(sql, params, idempotent=False)

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
        return self._run(sql, params, idempotent=True)

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

    def _run(self, sql: str, params: Mapping[str, Any] | None, *, idempotent: bool) -> list[Row]:
        with self._lock:
            self._statements += 1
        parameters = [to_parameter(k, v) for k, v in params.items()] if params else None
        attempt = 0
        while True:
            response = self._submit(sql, parameters, idempotent=idempotent)
            response = self._wait(sql, response, idempotent=idempotent)
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

    def _submit(self, sql: str, parameters: list[Any] | None, *, idempotent: bool = True) -> Any:
        """Submit once more only when that cannot run the statement twice: the warehouse refused the
        submission (429/503, no connection), or the statement only reads (``idempotent``). A lost
        response to a statement that changes something is ``SqlError(kind="unknown")``."""
        attempt = 0
        while True:
            try:
                return self._submit_once(sql, parameters)
            except Exception as exc:  # noqa: BLE001 - classified below
                safe = refused(exc) or (idempotent and is_transient(exc))
                if safe and attempt < self.max_retries:
                    delay = self._backoff(attempt, exc)
                    attempt += 1
                    log.warning("execute_statement: %s (%s: %s); retry %d/%d in %.1fs",
                                "refused" if refused(exc) else "transient error", type(exc).__name__, exc,
                                attempt, self.max_retries, delay)
                    self._sleep(delay)
                    continue
                if not idempotent and not refused(exc) and is_transient(exc):
                    why = f"the response was lost ({type(exc).__name__}: {exc})"
                    raise outcome_unknown(sql, why) from exc
                err = from_api_exception(sql, exc)
                if err is not None:
                    raise err from exc
                raise

    def _submit_once(self, sql: str, parameters: list[Any] | None) -> Any:
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
        post = _post_once(self.ws)
        if post is not None:
            return post(kwargs)
        return self.ws.statement_execution.execute_statement(**kwargs)

    def _wait(self, sql: str, response: Any, *, idempotent: bool = True) -> Any:
        started = time.monotonic()
        while response.status is not None and _name(response.status.state) in _RUNNING:
            if self.timeout is not None and time.monotonic() - started > self.timeout:
                return self._cancelled(sql, response, idempotent)
            self._sleep(self.poll_interval)
            response = self._call(
                "get_statement", sql, self.ws.statement_execution.get_statement, response.statement_id
            )
        return response

    def _cancelled(self, sql: str, response: Any, idempotent: bool) -> Any:
        """Past ``timeout``: cancel the statement, then ask its state once more. ``SUCCEEDED`` (it ended
        meanwhile) and ``FAILED`` are answered as usual; ``CANCELED``/``CLOSED`` is a timeout (it did not
        run); a state still running, or none, leaves the outcome unknown (a read is just a timeout)."""
        statement_id = response.statement_id
        try:
            self.ws.statement_execution.cancel_execution(statement_id)
        except Exception:  # noqa: BLE001 - what the statement did is asked below
            log.debug("could not cancel %s", statement_id, exc_info=True)
        try:
            final = self._call("get_statement", sql, self.ws.statement_execution.get_statement, statement_id)
            state = _name(final.status.state) if final.status else None
        except Exception:  # noqa: BLE001 - no answer: the outcome is unknown
            log.debug("no state for %s after cancelling it", statement_id, exc_info=True)
            final, state = None, None
        if state in ("SUCCEEDED", "FAILED"):
            return final
        if state in ("CANCELED", "CLOSED") or idempotent:
            raise statement_timed_out(sql, statement_id, self.timeout or 0.0)
        raise outcome_unknown(
            sql, f"statement {statement_id} still {state or 'without a state'} after "
                 f"{self.timeout or 0.0:.0f}s and cancelling it")

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


def _post_once(ws: Any) -> Callable[[dict[str, Any]], Any] | None:
    """With the SDK's own ``ApiClient``: submit a statement as exactly one POST. The SDK's HTTP layer
    re-sends a request on a connection error or a timeout for up to ``retry_timeout_seconds``, which for
    a submission whose response was lost runs the statement again; it does not re-send a body it cannot
    rewind (``_BaseClient.do``: "Retry disabled for non-seekable stream"), so the JSON goes out as such a
    body, and the executor decides (:meth:`StatementExecutionExecutor._submit`). ``None`` for another
    client (a test double, a client of your own): ``execute_statement`` is called."""
    from databricks.sdk.core import ApiClient  # optional dependency: imported only when used
    from databricks.sdk.service.sql import StatementResponse  # optional dependency

    api = getattr(ws, "api_client", None)
    if not isinstance(api, ApiClient):
        return None

    def post(kwargs: dict[str, Any]) -> Any:
        body = {k: (v.value if hasattr(v, "value") else v) for k, v in kwargs.items() if k != "parameters"}
        if kwargs.get("parameters"):
            body["parameters"] = [p.as_dict() for p in kwargs["parameters"]]
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        workspace_id = getattr(getattr(ws, "config", None), "workspace_id", None)
        if workspace_id:
            headers["X-Databricks-Workspace-Id"] = str(workspace_id)
        res = api.do("POST", "/api/2.0/sql/statements", data=_OneShot(json.dumps(body).encode()),
                     headers=headers)
        return StatementResponse.from_dict(res if isinstance(res, dict) else {})

    return post


class _OneShot(io.RawIOBase):
    """A request body read once and never rewound (so never re-sent by the SDK's retry loop)."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self._data = data
        self._pos = 0

    def __len__(self) -> int:  # requests sends Content-Length, not a chunked body
        return len(self._data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def tell(self) -> int:  # how far it was read (requests asks it to size the body)
        return self._pos

    def readinto(self, buffer: Any) -> int:
        chunk = self._data[self._pos:self._pos + len(buffer)]
        buffer[:len(chunk)] = chunk
        self._pos += len(chunk)
        return len(chunk)


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
    "refused",
    "normalize_failure",
    "to_parameter",
    "workspace_executor",
]
