"""StatementExecutionExecutor against a mocked WorkspaceClient returning the SDK's own response objects."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from unittest.mock import call, create_autospec

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk import errors as sdk_errors
from databricks.sdk.service.sql import (
    ColumnInfo,
    ColumnInfoTypeName,
    Disposition,
    ExecuteStatementRequestOnWaitTimeout,
    ExternalLink,
    Format,
    ResultData,
    ResultManifest,
    ResultSchema,
    ServiceError,
    ServiceErrorCode,
    StatementExecutionAPI,
    StatementParameterListItem,
    StatementResponse,
    StatementState,
    StatementStatus,
)

from schemax.adapters.statement_execution import StatementExecutionExecutor, to_parameter
from schemax.errors import SqlError, StoreConflictError
from schemax.ports import SqlExecutor


@pytest.fixture()
def ws() -> Any:
    w = create_autospec(WorkspaceClient)
    # the property is not autospecced by create_autospec(WorkspaceClient): spec the API itself, so that a
    # keyword the SDK does not accept fails the test
    w.statement_execution = create_autospec(StatementExecutionAPI, instance=True)
    return w


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def _executor(ws: Any, sleeps: Sleeps | None = None, **kw: Any) -> StatementExecutionExecutor:
    return StatementExecutionExecutor(ws, "wh-123", sleep=sleeps or Sleeps(), poll_interval=0.5, **kw)


def _manifest(*cols: tuple[str, ColumnInfoTypeName], chunks: int = 1) -> ResultManifest:
    return ResultManifest(
        format=Format.JSON_ARRAY,
        total_chunk_count=chunks,
        schema=ResultSchema(
            column_count=len(cols),
            columns=[
                ColumnInfo(name=n, type_name=t, type_text=t.value, position=i)
                for i, (n, t) in enumerate(cols)
            ],
        ),
    )


def _ok(
    statement_id: str = "st-1", manifest: ResultManifest | None = None, result: ResultData | None = None
) -> StatementResponse:
    return StatementResponse(
        statement_id=statement_id,
        status=StatementStatus(state=StatementState.SUCCEEDED),
        manifest=manifest,
        result=result,
    )


def _state(state: StatementState, statement_id: str = "st-1") -> StatementResponse:
    return StatementResponse(statement_id=statement_id, status=StatementStatus(state=state))


def _failed(
    message: str, code: ServiceErrorCode = ServiceErrorCode.BAD_REQUEST, statement_id: str = "st-1"
) -> StatementResponse:
    return StatementResponse(
        statement_id=statement_id,
        status=StatementStatus(
            state=StatementState.FAILED,
            error=ServiceError(error_code=code, message=message),
            sql_state="42P01",
        ),
    )


def test_is_a_sql_executor(ws: Any) -> None:
    assert isinstance(_executor(ws), SqlExecutor)
    with pytest.raises(ValueError, match="warehouse"):
        StatementExecutionExecutor(ws, "")


def test_execute_submits_with_wait_timeout_and_continue(ws: Any) -> None:
    ws.statement_execution.execute_statement.return_value = _ok()
    ex = _executor(ws, catalog="main", schema="schemax", wait_timeout="10s")
    ex.execute("CREATE SCHEMA IF NOT EXISTS `main`.`x`")
    ws.statement_execution.execute_statement.assert_called_once_with(
        statement="CREATE SCHEMA IF NOT EXISTS `main`.`x`",
        warehouse_id="wh-123",
        wait_timeout="10s",
        on_wait_timeout=ExecuteStatementRequestOnWaitTimeout.CONTINUE,
        disposition=Disposition.INLINE,
        format=Format.JSON_ARRAY,
        catalog="main",
        schema="schemax",
    )
    ws.statement_execution.get_statement.assert_not_called()
    assert ex.statements == 1


def test_polls_while_pending_or_running(ws: Any) -> None:
    sleeps = Sleeps()
    ws.statement_execution.execute_statement.return_value = _state(StatementState.PENDING)
    ws.statement_execution.get_statement.side_effect = [
        _state(StatementState.RUNNING),
        _state(StatementState.RUNNING),
        _ok(manifest=_manifest(("n", ColumnInfoTypeName.LONG)), result=ResultData(data_array=[["42"]])),
    ]
    rows = _executor(ws, sleeps).query("SELECT count(*) AS n FROM t")
    assert rows == [{"n": 42}]
    assert ws.statement_execution.get_statement.call_args_list == [call("st-1")] * 3
    assert sleeps.calls == [0.5, 0.5, 0.5]


@pytest.mark.parametrize(("after_cancel", "kind"), [
    (StatementState.CANCELED, "timeout"),  # the cancel took: it did not run
    (StatementState.RUNNING, "unknown"),  # still running: it may yet finish
])
def test_poll_timeout_cancels_and_raises(ws: Any, monkeypatch: pytest.MonkeyPatch,
                                         after_cancel: StatementState, kind: str) -> None:
    ws.statement_execution.execute_statement.return_value = _state(StatementState.RUNNING)
    ws.statement_execution.get_statement.side_effect = [_state(StatementState.RUNNING)] * 2 + [
        _state(after_cancel)]
    clock = iter([0.0, 0.0, 5.0, 11.0, 20.0])
    monkeypatch.setattr("schemax.adapters.statement_execution.time.monotonic", lambda: next(clock))
    with pytest.raises(SqlError) as info:
        _executor(ws, timeout=10).execute("OPTIMIZE t")
    assert info.value.kind == kind
    ws.statement_execution.cancel_execution.assert_called_once_with("st-1")


def test_failure_is_normalized_to_sql_error(ws: Any) -> None:
    msg = "[TABLE_OR_VIEW_NOT_FOUND] The table or view `main`.`x`.`t` cannot be found. SQLSTATE: 42P01"
    ws.statement_execution.execute_statement.return_value = _failed(msg)
    with pytest.raises(SqlError) as info:
        _executor(ws).query("SELECT * FROM main.x.t")
    err = info.value
    assert err.kind == "not_found" and err.cause == msg and err.sql == "SELECT * FROM main.x.t"
    assert err.error_class == "TABLE_OR_VIEW_NOT_FOUND"  # type: ignore[attr-defined]
    assert err.sql_state == "42P01"  # type: ignore[attr-defined]
    assert ws.statement_execution.execute_statement.call_count == 1  # not a transient error: no retry


def test_failure_after_polling(ws: Any) -> None:
    ws.statement_execution.execute_statement.return_value = _state(StatementState.PENDING)
    ws.statement_execution.get_statement.return_value = _failed(
        "[PARSE_SYNTAX_ERROR] Syntax error at 'SELEC'"
    )
    with pytest.raises(SqlError) as info:
        _executor(ws).execute("SELEC 1")
    assert info.value.kind == "parse"


def test_concurrent_modification_becomes_store_conflict(ws: Any) -> None:
    ws.statement_execution.execute_statement.return_value = _failed(
        "[DELTA_CONCURRENT_APPEND] ConcurrentAppendException: Files were added to the root of the table "
        "by a concurrent update.",
        ServiceErrorCode.ABORTED,
    )
    with pytest.raises(StoreConflictError) as info:
        _executor(ws).execute("INSERT INTO `main`.`schemax`.`ops` SELECT 1")
    assert info.value.table == "`main`.`schemax`.`ops`"


def test_canceled_statement_is_an_error(ws: Any) -> None:
    ws.statement_execution.execute_statement.return_value = _state(StatementState.CANCELED)
    with pytest.raises(SqlError) as info:
        _executor(ws).execute("SELECT 1")
    assert info.value.kind == "canceled"


def test_chunked_results_are_all_read_and_typed(ws: Any) -> None:
    manifest = _manifest(
        ("id", ColumnInfoTypeName.INT),
        ("name", ColumnInfoTypeName.STRING),
        ("ok", ColumnInfoTypeName.BOOLEAN),
        ("amount", ColumnInfoTypeName.DECIMAL),
        ("ts", ColumnInfoTypeName.TIMESTAMP),
        ("d", ColumnInfoTypeName.DATE),
        ("score", ColumnInfoTypeName.DOUBLE),
        ("tags", ColumnInfoTypeName.MAP),
        ("xs", ColumnInfoTypeName.ARRAY),
        chunks=3,
    )
    first = ResultData(
        chunk_index=0,
        row_offset=0,
        row_count=2,
        next_chunk_index=1,
        data_array=[
            [
                "1",
                "a",
                "true",
                "1.50",
                "2024-05-01T10:20:30.123Z",
                "2024-05-01",
                "0.25",
                '{"k":"v"}',
                "[1,2]",
            ],
            ["2", None, "false", None, None, None, None, None, None],
        ],
    )
    ws.statement_execution.execute_statement.return_value = _ok(manifest=manifest, result=first)
    ws.statement_execution.get_statement_result_chunk_n.side_effect = [
        ResultData(
            chunk_index=1,
            row_offset=2,
            next_chunk_index=2,
            data_array=[["3", "c", "true", "0", None, None, None, "{}", "[]"]],
        ),
        ResultData(
            chunk_index=2,
            row_offset=3,
            data_array=[["4", "d", "false", "-7.125", None, None, "1e3", None, None]],
        ),
    ]
    rows = _executor(ws).query("SELECT * FROM big")
    assert [r["id"] for r in rows] == [1, 2, 3, 4]
    assert ws.statement_execution.get_statement_result_chunk_n.call_args_list == [
        call("st-1", 1),
        call("st-1", 2),
    ]
    assert rows[0] == {
        "id": 1,
        "name": "a",
        "ok": True,
        "amount": Decimal("1.50"),
        "ts": dt.datetime(2024, 5, 1, 10, 20, 30, 123000, tzinfo=dt.timezone.utc),
        "d": dt.date(2024, 5, 1),
        "score": 0.25,
        "tags": {"k": "v"},
        "xs": [1, 2],
    }
    assert rows[1]["name"] is None and rows[1]["ok"] is False and rows[1]["amount"] is None
    assert rows[3]["amount"] == Decimal("-7.125") and rows[3]["score"] == 1000.0
    assert all(isinstance(r["id"], int) and isinstance(r["ok"], bool) for r in rows)


def test_empty_result_and_statement_without_result(ws: Any) -> None:
    ws.statement_execution.execute_statement.side_effect = [
        _ok(manifest=_manifest(("x", ColumnInfoTypeName.STRING)), result=ResultData(row_count=0)),
        _ok(),
    ]
    ex = _executor(ws)
    assert ex.query("SELECT x FROM empty") == []
    assert ex.query("ALTER TABLE t SET TBLPROPERTIES ('a' = 'b')") == []


def test_external_links_are_fetched(ws: Any) -> None:
    manifest = _manifest(("n", ColumnInfoTypeName.LONG))
    result = ResultData(
        external_links=[ExternalLink(external_link="https://signed/1", chunk_index=0, next_chunk_index=1)],
        next_chunk_index=1,
    )
    ws.statement_execution.execute_statement.return_value = _ok(manifest=manifest, result=result)
    ws.statement_execution.get_statement_result_chunk_n.return_value = ResultData(
        external_links=[ExternalLink(external_link="https://signed/2", chunk_index=1)]
    )
    pages = {"https://signed/1": [["1"], ["2"]], "https://signed/2": [["3"]]}
    ex = StatementExecutionExecutor(
        ws, "wh", disposition="EXTERNAL_LINKS", fetch=pages.__getitem__, sleep=Sleeps()
    )
    assert ex.query("SELECT n FROM t") == [{"n": 1}, {"n": 2}, {"n": 3}]
    assert (
        ws.statement_execution.execute_statement.call_args.kwargs["disposition"] == Disposition.EXTERNAL_LINKS
    )


@pytest.mark.parametrize(
    "exc",
    [
        sdk_errors.TooManyRequests("slow down", retry_after_secs=2),
        sdk_errors.ResourceExhausted("quota"),
        sdk_errors.TemporarilyUnavailable("warehouse starting"),
        sdk_errors.DeadlineExceeded("deadline"),
    ],
)
def test_transient_api_error_is_retried_then_succeeds(ws: Any, exc: Exception) -> None:
    sleeps = Sleeps()
    manifest = _manifest(("one", ColumnInfoTypeName.INT))
    ws.statement_execution.execute_statement.side_effect = [
        exc,
        _ok(manifest=manifest, result=ResultData(data_array=[["1"]])),
    ]
    assert _executor(ws, sleeps).query("SELECT 1 AS one") == [{"one": 1}]
    assert ws.statement_execution.execute_statement.call_count == 2
    assert len(sleeps.calls) == 1
    assert sleeps.calls[0] == (2.0 if getattr(exc, "retry_after_secs", None) else 0.5)


def test_transient_error_while_polling_is_retried(ws: Any) -> None:
    ws.statement_execution.execute_statement.return_value = _state(StatementState.RUNNING)
    ws.statement_execution.get_statement.side_effect = [sdk_errors.TemporarilyUnavailable("503"), _ok()]
    _executor(ws).execute("SELECT 1")
    assert ws.statement_execution.get_statement.call_count == 2


def test_retries_back_off_and_give_up(ws: Any) -> None:
    sleeps = Sleeps()
    ws.statement_execution.execute_statement.side_effect = sdk_errors.TemporarilyUnavailable("still down")
    with pytest.raises(SqlError) as info:
        _executor(ws, sleeps, max_retries=3).execute("SELECT 1")
    assert "TemporarilyUnavailable" in info.value.cause
    assert ws.statement_execution.execute_statement.call_count == 4
    assert sleeps.calls == [0.5, 1.0, 2.0]  # exponential


def test_statement_failed_with_transient_code_is_rerun(ws: Any) -> None:
    ws.statement_execution.execute_statement.side_effect = [
        _failed("warehouse is restarting", ServiceErrorCode.TEMPORARILY_UNAVAILABLE),
        _ok(),
    ]
    _executor(ws).execute("SELECT 1")
    assert ws.statement_execution.execute_statement.call_count == 2


def test_non_transient_sdk_error_is_not_retried(ws: Any) -> None:
    ws.statement_execution.execute_statement.side_effect = sdk_errors.PermissionDenied(
        "no CAN_USE on warehouse"
    )
    with pytest.raises(SqlError) as info:
        _executor(ws).execute("SELECT 1")
    assert info.value.kind == "permission"
    assert ws.statement_execution.execute_statement.call_count == 1


def test_named_parameters_are_passed_as_parameter_items(ws: Any) -> None:
    ws.statement_execution.execute_statement.return_value = _ok()
    _executor(ws).execute(
        "INSERT INTO t VALUES (:name, :n, :ok, :ratio, :missing, :amount, :day, :at)",
        {
            "name": "O'Brien \\ '; DROP TABLE x; --",
            "n": 7,
            "ok": True,
            "ratio": 0.5,
            "missing": None,
            "amount": Decimal("12.340"),
            "day": dt.date(2024, 1, 2),
            "at": dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc),
        },
    )
    kwargs = ws.statement_execution.execute_statement.call_args.kwargs
    assert (
        kwargs["statement"] == "INSERT INTO t VALUES (:name, :n, :ok, :ratio, :missing, :amount, :day, :at)"
    )
    assert kwargs["parameters"] == [
        StatementParameterListItem(name="name", value="O'Brien \\ '; DROP TABLE x; --", type="STRING"),
        StatementParameterListItem(name="n", value="7", type="BIGINT"),
        StatementParameterListItem(name="ok", value="true", type="BOOLEAN"),
        StatementParameterListItem(name="ratio", value="0.5", type="DOUBLE"),
        StatementParameterListItem(name="missing", value=None, type="STRING"),
        StatementParameterListItem(name="amount", value="12.340", type="DECIMAL(5,3)"),
        StatementParameterListItem(name="day", value="2024-01-02", type="DATE"),
        StatementParameterListItem(name="at", value="2024-01-02T03:04:05+00:00", type="TIMESTAMP"),
    ]


def test_unbindable_parameter_is_refused() -> None:
    with pytest.raises(TypeError, match="cannot be bound"):
        to_parameter("x", object())


def test_which_failures_prove_the_warehouse_did_not_take_a_submission() -> None:
    import requests
    from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

    from schemax.adapters.statement_execution import refused

    never_connected = requests.ConnectionError(
        MaxRetryError(None, "/api/2.0/sql/statements", NewConnectionError(None, "refused")))
    assert refused(sdk_errors.TooManyRequests("slow down"))
    assert refused(sdk_errors.TemporarilyUnavailable("starting"))
    assert refused(never_connected) and refused(requests.ConnectTimeout("connect"))
    assert not refused(sdk_errors.DeadlineExceeded("gateway timeout"))  # it may have reached the warehouse
    assert not refused(requests.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError())))
    assert not refused(requests.ReadTimeout("read"))
    assert not refused(TimeoutError("the SDK gave up retrying"))


def test_a_lost_submission_is_unknown_for_a_change_and_asked_again_for_a_read(ws: Any) -> None:
    ws.statement_execution.execute_statement.side_effect = sdk_errors.DeadlineExceeded("504")
    with pytest.raises(SqlError) as info:
        _executor(ws).execute("ALTER TABLE t ADD COLUMNS (x INT)")
    assert info.value.kind == "unknown"
    assert ws.statement_execution.execute_statement.call_count == 1  # never sent twice
    ws.statement_execution.execute_statement.reset_mock()
    ws.statement_execution.execute_statement.side_effect = [sdk_errors.DeadlineExceeded("504"), _ok()]
    _executor(ws).query("SELECT 1")
    assert ws.statement_execution.execute_statement.call_count == 2
