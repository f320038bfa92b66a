"""A local SQL warehouse for the reliability tests: a stdlib HTTP server speaking enough of the Databricks
Statement Execution API for the SDK's own ``WorkspaceClient`` (``POST /api/2.0/sql/statements``, ``GET
/api/2.0/sql/statements/{id}``, ``POST …/{id}/cancel``), over a tiny catalog, with faults injected per
statement: 429/503 with ``Retry-After``, a connection reset before the statement runs, a response lost
after it ran, a response slower than the client's HTTP timeout (after it ran), a statement stuck
``PENDING``, and a reset or a 503 while it is polled.

Nothing here talks to a real workspace: the client is ``WorkspaceClient(config=Config(host=
"http://127.0.0.1:PORT", token="dummy", ...))``.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import struct
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: fault kinds and what the warehouse does
FAULTS = {
    "429": "answer 429 TOO_MANY_REQUESTS (Retry-After), run nothing",
    "503": "answer 503 TEMPORARILY_UNAVAILABLE (Retry-After), run nothing",
    "reset": "drop the connection before running the statement",
    "lost": "run the statement, then drop the connection: its response is lost",
    "slow": "run the statement, answer after the client's HTTP timeout",
    "pending": "accept the statement and leave it PENDING (cancel makes it CANCELED); it never runs",
    "poll_reset": "answer PENDING, drop the first poll's connection, then run it and answer",
    "poll_503": "answer PENDING, answer the first poll 503, then run it and answer",
}


class SqlFailure(Exception):
    """The catalog refused a statement: the warehouse answers ``FAILED`` with this message."""


class Catalog:
    """What the warehouse holds: tables with columns and properties; schemas and catalogs are accepted.
    ``ADD COLUMNS`` of a column that exists fails as Delta does (FIELD_ALREADY_EXISTS)."""

    def __init__(self) -> None:
        self.columns: dict[str, list[str]] = {}
        self.props: dict[str, dict[str, str]] = {}
        self.ran: list[str] = []  # every statement that took effect, in order
        self.refused: list[str] = []
        self.lock = threading.Lock()

    def run(self, sql: str) -> list[dict[str, Any]]:
        with self.lock:
            return self._run(sql)

    def _run(self, sql: str) -> list[dict[str, Any]]:
        if sql.startswith("DESCRIBE TABLE "):
            name = sql[len("DESCRIBE TABLE "):]
            if name not in self.columns:
                raise SqlFailure(f"[TABLE_OR_VIEW_NOT_FOUND] The table or view {name} cannot be found.")
            return [{"col_name": c, "data_type": "int"} for c in self.columns[name]]
        if sql.startswith("DESCRIBE HISTORY"):
            return [{"version": 7}]
        if sql.startswith(("SELECT", "SHOW", "DESCRIBE")):
            return []
        if m := re.match(r"ALTER TABLE (\S+) ADD COLUMNS \((.*)\)$", sql, re.S):
            new = re.findall(r"(?:^|, )`([^`]+)` ", m.group(2))
            have = self.columns.get(m.group(1))
            if have is None:
                raise SqlFailure(f"[TABLE_OR_VIEW_NOT_FOUND] {m.group(1)}")
            if set(new) & set(have):
                self.refused.append(sql)
                raise SqlFailure(f"[FIELD_ALREADY_EXISTS] Cannot add column, because {new} already exists")
            have.extend(new)
        elif m := re.match(r"CREATE TABLE IF NOT EXISTS (\S+) \((.*?)\) USING", sql, re.S):
            self.columns.setdefault(m.group(1), re.findall(r"(?:^|, )`([^`]+)` ", m.group(2)))
        elif m := re.match(r"ALTER TABLE (\S+) SET TBLPROPERTIES \((.*)\)$", sql, re.S):
            self.props.setdefault(m.group(1), {}).update(re.findall(r"'([^']*)' = '([^']*)'", m.group(2)))
        self.ran.append(sql)
        return []


@dataclass
class Fault:
    """``kind`` (see :data:`FAULTS`) for the next ``times`` submissions whose SQL contains ``match``."""

    kind: str
    match: str
    times: int = 1
    retry_after: int = 1


class Warehouse:
    """The server's state: the catalog, the statements it knows, the faults still to inject."""

    def __init__(self, catalog: Catalog, *, slow_seconds: float = 1.5) -> None:
        self.catalog = catalog
        self.faults: list[Fault] = []
        self.statements: dict[str, dict[str, Any]] = {}
        self.sql_of: dict[str, str] = {}
        self.posts: list[str] = []  # every submission received (the SQL)
        self.polls = 0
        self.slow_seconds = slow_seconds
        self.lock = threading.Lock()
        self._poll_faults: dict[str, str] = {}  # statement id -> the fault of its first poll
        self._deferred: dict[str, str] = {}  # statement id -> the SQL it runs when polled

    def fault_for(self, sql: str) -> Fault | None:
        with self.lock:
            for f in self.faults:
                if f.times > 0 and f.match in sql:
                    f.times -= 1
                    return f
        return None

    def execute(self, statement_id: str, sql: str) -> dict[str, Any]:
        """Run ``sql`` on the catalog: the statement's response (SUCCEEDED with rows, or FAILED)."""
        try:
            rows = self.catalog.run(sql)
        except SqlFailure as exc:
            body = {"statement_id": statement_id, "status": {"state": "FAILED", "error": {
                "error_code": "BAD_REQUEST", "message": str(exc)}, "sql_state": "42000"}}
        else:
            body = {"statement_id": statement_id, "status": {"state": "SUCCEEDED"}, **_result(rows)}
        self.statements[statement_id] = body
        return body


def _result(rows: list[dict[str, Any]]) -> dict[str, Any]:
    if not rows:
        return {}
    names = list(rows[0])
    ints = {n for n in names if isinstance(rows[0][n], int)}
    columns = [{"name": n, "position": i, "type_name": "LONG" if n in ints else "STRING",
                "type_text": "BIGINT" if n in ints else "STRING"} for i, n in enumerate(names)]
    data = [[None if r[n] is None else str(r[n]) for n in names] for r in rows]
    schema = {"column_count": len(names), "columns": columns}
    return {"manifest": {"format": "JSON_ARRAY", "schema": schema,
                         "total_chunk_count": 1, "total_row_count": len(rows)},
            "result": {"chunk_index": 0, "row_offset": 0, "row_count": len(rows), "data_array": data}}


def _handler(wh: Warehouse) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _send(self, code: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def _drop(self) -> None:
            """Close the connection without an answer (the client sees it reset or aborted)."""
            with contextlib.suppress(OSError):
                linger = struct.pack("ii", 1, 0)  # close with a reset, not a graceful FIN
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True

        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            m = re.fullmatch(r"/api/2\.0/sql/statements/([\w-]+)", self.path)
            if not m:
                self._send(404, {"error_code": "NOT_FOUND", "message": self.path})
                return
            sid = m.group(1)
            with wh.lock:
                wh.polls += 1
                poll_fault = wh._poll_faults.pop(sid, None)
            if poll_fault == "poll_reset":
                self._drop()
                return
            if poll_fault == "poll_503":
                self._send(503, {"error_code": "TEMPORARILY_UNAVAILABLE", "message": "warehouse busy"},
                           {"Retry-After": "0"})
                return
            body = wh.statements.get(sid)
            if body is None:
                self._send(404, {"error_code": "NOT_FOUND", "message": sid})
                return
            if body["status"]["state"] == "PENDING" and sid in wh._deferred:
                body = wh.execute(sid, wh._deferred.pop(sid))
            self._send(200, body)

        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if m := re.fullmatch(r"/api/2\.0/sql/statements/([\w-]+)/cancel", self.path):
                body = wh.statements.get(m.group(1))
                if body is not None and body["status"]["state"] in ("PENDING", "RUNNING"):
                    wh._deferred.pop(m.group(1), None)
                    body["status"] = {"state": "CANCELED"}
                self._send(200, {})
                return
            if self.path != "/api/2.0/sql/statements":
                self._send(404, {"error_code": "NOT_FOUND", "message": self.path})
                return
            request = json.loads(raw or b"{}")
            sql = request["statement"]
            with wh.lock:
                wh.posts.append(sql)
            fault = wh.fault_for(sql)
            kind = fault.kind if fault else None
            if kind in ("429", "503"):
                code = {"429": "TOO_MANY_REQUESTS", "503": "TEMPORARILY_UNAVAILABLE"}[kind]
                self._send(int(kind), {"error_code": code, "message": f"injected {kind}"},
                           {"Retry-After": str(fault.retry_after if fault else 1)})
                return
            if kind == "reset":
                self._drop()
                return
            sid = f"st-{uuid.uuid4().hex[:12]}"
            wh.sql_of[sid] = sql
            if kind in ("pending", "poll_reset", "poll_503"):
                wh.statements[sid] = {"statement_id": sid, "status": {"state": "PENDING"}}
                if kind != "pending":
                    wh._deferred[sid] = sql
                    wh._poll_faults[sid] = kind
                self._send(200, wh.statements[sid])
                return
            body = wh.execute(sid, sql)
            if kind == "lost":
                self._drop()
                return
            if kind == "slow":
                time.sleep(wh.slow_seconds)
                with contextlib.suppress(OSError):
                    self._send(200, body)
                return
            self._send(200, body)

    return Handler


@contextlib.contextmanager
def serve(catalog: Catalog | None = None, **options: Any) -> Iterator[tuple[Warehouse, str]]:
    """A running warehouse on a free local port: (its state, its base URL); stopped afterwards."""
    wh = Warehouse(catalog or Catalog(), **options)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(wh))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="fake-warehouse", daemon=True)
    thread.start()
    try:
        yield wh, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def workspace_client(url: str, *, http_timeout: float = 1.0, retry_timeout: int = 5) -> Any:
    """The SDK's own client, pointed at the local warehouse with a dummy token."""
    from databricks.sdk import WorkspaceClient
    from databricks.sdk.config import Config

    return WorkspaceClient(config=Config(host=url, token="dummy", http_timeout_seconds=http_timeout,
                                         retry_timeout_seconds=retry_timeout))
