"""The store of record: Delta tables in a ``schemax`` system schema, reached only through SqlExecutor.

Tables (DESIGN §3; every one but ``projects`` has a ``project`` column, ``projects`` is keyed by
``name``): ``projects``, ``ops`` and ``snapshots`` (both ``delta.appendOnly``), ``deployments``,
``deployment_statements``, ``drift_scans`` (append-only) and ``locks``. Times that schemax produces
(op ``ts``, ``created_at``, ...) are stored as the ISO-8601 strings it produced, so that they round-trip
byte for byte into hashes; ``recorded_at`` / ``updated_at`` are the engine's own ``TIMESTAMP``.

Writes
------
Every write is ONE ``MERGE`` statement, so ONE Delta commit, whatever the batch size. The rows travel
as ONE JSON string literal that the statement unpacks with ``inline(from_json(..., '<struct schema>'))``:
a single value to escape (through :func:`schemax.core.names.sql_string`), a tiny statement to parse, and
no dependence on the engine's support for (many) named parameters. Appending 1,000 ops this way is
faster than 11,000 parameter markers or 1,000 ``VALUES`` rows (see the module's tests and report).

Conflicts (``append_ops``; ``append_snapshot`` and ``create_project`` work the same way)::

    MERGE INTO ops t
    USING (SELECT inline(from_json('<batch>', '<schema>'))) s
    ON t.project = '<project>' AND t.seq BETWEEN <lo> AND <hi>     -- or t.seq IN (<seqs>)
    WHEN NOT MATCHED THEN INSERT (...) VALUES (s...., current_timestamp())

The ``ON`` condition names only the target: a source row "matches" as soon as ANY of the batch's
seqs is taken, so either every row of the batch is inserted or none is (a per-row ``t.seq = s.seq``
would insert the free seqs of a half-taken batch). ``num_inserted_rows`` from the MERGE's result row
tells which: fewer than the batch → :class:`StoreConflictError`, nothing written. Two writers racing
for the same seqs are serialized by Delta's optimistic concurrency: the condition is pushed down as the
MERGE's read predicate on the target, so the loser's commit sees a file added by the winner that
matches what it read and fails with ``ConcurrentAppendException``, normalized to
``StoreConflictError`` by the executor. Insert-only MERGE removes no files, so it is allowed on
``delta.appendOnly`` tables.
"""

from __future__ import annotations

import base64
import json
import time
import zlib
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from schemax.adapters.delta_records import RECORD_TABLES, DeltaRecordsMixin
from schemax.adapters.engine_cache import PerEngine
from schemax.core.hashing import canonical_json
from schemax.core.model import State
from schemax.core.names import qualified, split_qualified, sql_string
from schemax.core.ops import Op
from schemax.core.snapshot import Snapshot
from schemax.errors import ProjectExistsError, SchemaxError, SqlError, StoreConflictError
from schemax.ports import OpRecord, ProjectRecord, Row, SqlExecutor, StoreChanges

DEFAULT_LOCATION = "spark_catalog.schemax"

#: States whose JSON is larger than this are stored zlib-compressed and base64-encoded.
COMPRESS_THRESHOLD = 256 * 1024

APPEND_ONLY = {"delta.appendOnly": "true"}

#: store locations (lower-case) whose tables this process has ensured, per engine (``ensure_once``)
_ENSURED: PerEngine[set[str]] = PerEngine()

# Pauses between attempts to create tables that another process may be creating at the same time.
_ENSURE_BACKOFF_S = (0.2, 0.5, 1.0, 2.0)

# table -> (columns as (name, SQL type), TBLPROPERTIES). Columns are a starting point (DESIGN §3).
TABLES: dict[str, tuple[tuple[tuple[str, str], ...], dict[str, str]]] = {
    "projects": (
        (
            ("name", "STRING"),
            ("created_at", "STRING"),
            ("created_by", "STRING"),
            ("settings", "STRING"),  # JSON object
            ("environments", "STRING"),  # JSON object
            ("updated_at", "TIMESTAMP"),
        ),
        {},
    ),
    "ops": (
        (
            ("project", "STRING"),
            ("seq", "BIGINT"),
            ("op_id", "STRING"),
            ("ts", "STRING"),
            ("author", "STRING"),
            ("kind", "STRING"),
            ("target", "STRING"),
            ("payload", "STRING"),  # canonical JSON object
            ("prev_hash", "STRING"),
            ("hash", "STRING"),
            ("recorded_at", "TIMESTAMP"),
        ),
        APPEND_ONLY,
    ),
    "snapshots": (
        (
            ("project", "STRING"),
            ("snapshot_id", "STRING"),
            ("version", "STRING"),
            ("name", "STRING"),
            ("ts", "STRING"),
            ("created_by", "STRING"),
            ("state", "STRING"),  # canonical JSON, or zlib + base64 of it (state_encoding)
            ("state_encoding", "STRING"),  # 'json' | 'zlib-b64'
            ("op_ids", "STRING"),  # JSON array
            ("op_seq", "BIGINT"),
            ("previous", "STRING"),
            ("state_hash", "STRING"),
            ("hash", "STRING"),
            ("tags", "STRING"),  # JSON array
            ("comment", "STRING"),
            ("recorded_at", "TIMESTAMP"),
        ),
        APPEND_ONLY,
    ),
}

# Deployment, statement, drift-scan and lock tables: key columns + the record as JSON (delta_records.py).
TABLES.update({name: (columns, APPEND_ONLY if name == "drift_scans" else {})
               for name, columns in RECORD_TABLES.items()})

_OP_COLUMNS = ("project", "seq", "op_id", "ts", "author", "kind", "target", "payload", "prev_hash", "hash")
_SNAPSHOT_COLUMNS = (
    "project", "snapshot_id", "version", "name", "ts", "created_by", "state", "state_encoding", "op_ids",
    "op_seq", "previous", "state_hash", "hash", "tags", "comment",
)  # fmt: skip
_PROJECT_COLUMNS = ("name", "created_at", "created_by", "settings", "environments")


# ------------------------------------------------------------------------------------------------
# SQL construction helpers (no user value reaches SQL except through sql_string / int())


def _lit(value: Any) -> str:
    """A SQL literal for None, bool, int or str."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, str):
        return sql_string(value)
    raise TypeError(f"no SQL literal for {type(value).__name__}")


def _int(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an int, got {value!r}")
    return str(int(value))


def _column_types(table: str) -> dict[str, str]:
    return dict(TABLES[table][0])


def _struct_schema(table: str, columns: Sequence[str]) -> str:
    """``array<struct<`a`: STRING, ...>>`` for ``from_json`` (names are ours, never user input)."""
    types = _column_types(table)
    fields = ", ".join(f"`{c}`: {types[c]}" for c in columns)
    return f"array<struct<{fields}>>"


def _rows_source(table: str, columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> str:
    """``SELECT inline(from_json('<rows as JSON>', '<schema>'))``: the batch as ONE string literal."""
    payload = json.dumps([{c: r.get(c) for c in columns} for r in rows], ensure_ascii=False, allow_nan=False)
    return f"SELECT inline(from_json({sql_string(payload)}, {sql_string(_struct_schema(table, columns))}))"


def _insert_clause(table: str, columns: Sequence[str]) -> str:
    """``INSERT (cols..., <ts>) VALUES (s.cols..., current_timestamp())``."""
    names = [c for c, _ in TABLES[table][0]]
    stamp = next((c for c in ("recorded_at", "updated_at") if c in names), None)
    cols = list(columns) + ([stamp] if stamp else [])
    vals = [f"s.`{c}`" for c in columns] + (["current_timestamp()"] if stamp else [])
    return f"INSERT ({', '.join(f'`{c}`' for c in cols)}) VALUES ({', '.join(vals)})"


def _seq_condition(column: str, seqs: Sequence[int]) -> str:
    """``t.seq BETWEEN lo AND hi`` for a contiguous run, else ``t.seq IN (...)``."""
    ordered = sorted(seqs)
    if ordered == list(range(ordered[0], ordered[0] + len(ordered))):
        return f"t.`{column}` BETWEEN {_int(ordered[0])} AND {_int(ordered[-1])}"
    return f"t.`{column}` IN ({', '.join(_int(s) for s in ordered)})"


def _inserted(result: Sequence[Row]) -> int | None:
    """``num_inserted_rows`` from a MERGE's result row (None when the engine reports none)."""
    for row in result:
        for key in ("num_inserted_rows", "numInsertedRows"):
            if key in row and row[key] is not None:
                return int(row[key])
    return None


def _loads(text: str | None, default: Any) -> Any:
    return json.loads(text) if text else default


def encode_state(state: State) -> tuple[str, str]:
    """(text, encoding): canonical JSON, zlib-compressed and base64-encoded above the threshold."""
    text = canonical_json(state.to_dict())
    raw = text.encode("utf-8")
    if len(raw) <= COMPRESS_THRESHOLD:
        return text, "json"
    return base64.b64encode(zlib.compress(raw, 6)).decode("ascii"), "zlib-b64"


def decode_state(text: str, encoding: str | None) -> State:
    if encoding in (None, "", "json"):
        data = json.loads(text)
    elif encoding == "zlib-b64":
        data = json.loads(zlib.decompress(base64.b64decode(text)).decode("utf-8"))
    else:
        raise SchemaxError(f"unknown snapshot state encoding {encoding!r}")
    return State.from_dict(data)


# ------------------------------------------------------------------------------------------------


class DeltaStore(DeltaRecordsMixin):
    """The Store contract over Delta tables in schema ``location`` (``catalog.schema``)."""

    def __init__(self, executor: SqlExecutor, location: str = DEFAULT_LOCATION) -> None:
        parts = split_qualified(location)
        if len(parts) not in (1, 2):
            raise ValueError(f"store location must be 'catalog.schema' or 'schema', got {location!r}")
        self.executor = executor
        self.location = location
        self._parts = tuple(parts)
        self._schema_sql = qualified(*parts)

    # -- naming --------------------------------------------------------------------------------------
    def table(self, name: str) -> str:
        """The fully qualified, back-quoted name of one of the store's tables."""
        return qualified(*self._parts, name)

    # -- setup ---------------------------------------------------------------------------------------
    def _existing_tables(self) -> set[str] | None:
        """Tables in the store's schema (lower-case), or None when the schema does not exist."""
        try:
            rows = self.executor.query(f"SHOW TABLES IN {self._schema_sql}")
        except SqlError as exc:
            if exc.kind == "not_found":
                return None
            raise
        names = set()
        for row in rows:
            if row.get("isTemporary"):
                continue
            name = row.get("tableName", row.get("table_name"))
            if name:
                names.add(str(name).lower())
        return names

    def _create_table_sql(self, name: str) -> str:
        columns, props = TABLES[name]
        cols = ", ".join(f"`{c}` {t}" for c, t in columns)
        sql = f"CREATE TABLE IF NOT EXISTS {self.table(name)} ({cols}) USING DELTA"
        if props:
            sql += " TBLPROPERTIES (" + ", ".join(f"{_lit(k)} = {_lit(v)}" for k, v in props.items()) + ")"
        return sql

    def ensure(self) -> None:
        """Create the schema and whatever tables are missing. One query when everything exists.

        Safe when several processes ensure the same store at once: a CREATE that loses a race (the
        table already exists, a concurrent first commit, Delta's "location is not empty" while the
        other process is still registering the table) is not an error as long as the table exists
        afterwards; missing tables are retried a few times before giving up.
        """
        existing = self._existing_tables()
        missing = [t for t in TABLES if existing is None or t not in existing]
        if not missing:
            return
        if existing is None:
            try:
                self.executor.execute(f"CREATE SCHEMA IF NOT EXISTS {self._schema_sql}")
            except SqlError as exc:
                if exc.kind != "already_exists":
                    raise
        errors: dict[str, Exception] = {}
        for attempt in range(len(_ENSURE_BACKOFF_S) + 1):
            for name in missing:
                try:
                    self.executor.execute(self._create_table_sql(name))
                except (SqlError, StoreConflictError) as exc:
                    errors[name] = exc
            if not errors:
                return
            found = self._existing_tables() or set()
            missing = [t for t in missing if t not in found]
            if not missing:
                return
            if attempt < len(_ENSURE_BACKOFF_S):
                time.sleep(_ENSURE_BACKOFF_S[attempt])
                errors = {}
        first = errors[missing[0]] if missing[0] in errors else next(iter(errors.values()))
        raise SchemaxError(
            f"store {self.location}: could not create table(s) {', '.join(missing)}: {first}"
        ) from first

    def ensure_once(self) -> None:
        """:meth:`ensure`, once per store location and engine in this process: opening a project again
        (a CLI command, a notebook cell) costs no listing query. A store dropped behind the process's back
        is not noticed; :meth:`ensure` always looks."""
        done = _ENSURED.setdefault(self.executor, set)
        key = self.location.lower()
        if key in done:
            return
        self.ensure()
        done.add(key)

    def _forget_ensured(self) -> None:
        """A store table was not found: the next :meth:`ensure_once` looks again."""
        (_ENSURED.get(self.executor) or set()).discard(self.location.lower())

    # -- reading what changed, in one query --------------------------------------------------------------
    def _branch(self, kind: str, table: str, columns: Sequence[str], where: str) -> str:
        """One branch of :meth:`read_changes`' UNION ALL: ``kind`` and the row as one JSON string, so that
        branches over tables of different shapes line up (``to_json`` leaves out null fields)."""
        cols = ", ".join(f"`{c}`" for c in columns)
        return (f"SELECT {_lit(kind)} AS `kind`, to_json(struct({cols})) AS `row` FROM {self.table(table)} "
                f"WHERE {where}")

    def read_changes(self, project: str, *, ops_after: int | None = 0,
                     known_snapshots: Collection[str] = (), deployments: bool = False,
                     environment: str | None = None) -> StoreChanges:
        """The project's row, the ops after ``ops_after``, the snapshots not in ``known_snapshots`` and
        (with ``deployments``) the deployments, in ONE statement: a UNION ALL of one branch per table,
        each row travelling as ``to_json(struct(...))``."""
        branches: list[str] = []
        p = _lit(project)
        if ops_after is not None:
            branches.append(self._branch("project", "projects", _PROJECT_COLUMNS, f"`name` = {p}"))
            branches.append(self._branch("op", "ops", [c for c in _OP_COLUMNS if c != "project"],
                                         f"`project` = {p} AND `seq` > {_int(ops_after)}"))
            where = f"`project` = {p}"
            known = sorted(set(known_snapshots))
            if known:
                where += f" AND `snapshot_id` NOT IN ({', '.join(_lit(k) for k in known)})"
            branches.append(self._branch("snapshot", "snapshots",
                                         [c for c in _SNAPSHOT_COLUMNS if c != "project"], where))
        if deployments:
            branches.extend(self._deployment_branches(project, environment))
        if not branches:
            return StoreChanges()
        try:
            rows = self.executor.query(" UNION ALL ".join(branches))
        except SqlError as exc:
            if exc.kind == "not_found":  # dropped behind this process's back: ensure again next time
                self._forget_ensured()
            raise
        record: ProjectRecord | None = None
        ops: list[OpRecord] = []
        snaps: list[Snapshot] = []
        deps: list[Row] = []
        for row in rows:
            data = json.loads(row["row"])
            kind = row["kind"]
            if kind == "project":
                record = self._project_record({c: data.get(c) for c in _PROJECT_COLUMNS})
            elif kind == "op":
                ops.append(self._op_record({c: data.get(c) for c in _OP_COLUMNS}))
            elif kind == "snapshot":
                snaps.append(self._snapshot({c: data.get(c) for c in _SNAPSHOT_COLUMNS}))
            else:
                deps.append({"kind": kind, "record": data.get("record")})
        ops.sort(key=lambda r: r.seq)
        snaps.sort(key=lambda s: s.op_seq)
        return StoreChanges(project=record, ops=ops, snapshots=snaps,
                            deployments=self._deployment_records(deps, environment) if deployments else None)

    # -- the one write path ----------------------------------------------------------------------------
    def _merge_insert(
        self,
        table: str,
        columns: Sequence[str],
        rows: Sequence[Mapping[str, Any]],
        condition: str,
        conflict: str,
    ) -> None:
        """Insert ``rows`` in one commit unless a target row satisfies ``condition`` (then nothing).

        ``condition`` must reference only the target (``t``): see the module docstring.
        """
        sql = (
            f"MERGE INTO {self.table(table)} t USING ({_rows_source(table, columns, rows)}) s "
            f"ON {condition} WHEN NOT MATCHED THEN {_insert_clause(table, columns)}"
        )
        try:
            result = self.executor.query(sql)
        except StoreConflictError as exc:
            raise StoreConflictError(table, f"{conflict} (concurrent commit: {exc.detail[:200]})") from exc
        inserted = _inserted(result)
        if inserted is None:  # an engine without MERGE metrics: are the rows there now ours?
            if not self._rows_are_ours(table, columns, rows, condition):
                raise StoreConflictError(table, conflict)
            return
        if inserted != len(rows):
            raise StoreConflictError(table, f"{conflict} ({inserted} of {len(rows)} rows inserted)")

    def _rows_are_ours(
        self, table: str, columns: Sequence[str], rows: Sequence[Mapping[str, Any]], condition: str
    ) -> bool:
        cols = ", ".join(f"`{c}`" for c in columns)
        found = self.executor.query(f"SELECT {cols} FROM {self.table(table)} t WHERE {condition}")
        have = sorted(tuple(str(r.get(c)) for c in columns) for r in found)
        want = sorted(tuple(str(r.get(c)) for c in columns) for r in rows)
        return have == want

    # -- projects ------------------------------------------------------------------------------------
    @staticmethod
    def _project_row(record: ProjectRecord) -> dict[str, Any]:
        return {
            "name": record.name,
            "created_at": record.created_at,
            "created_by": record.created_by,
            "settings": canonical_json(record.settings or {}),
            "environments": canonical_json(record.environments or {}),
        }

    def create_project(self, record: ProjectRecord) -> None:
        try:
            self._merge_insert(
                "projects", _PROJECT_COLUMNS, [self._project_row(record)],
                f"t.`name` = {_lit(record.name)}", f"project {record.name!r} exists",
            )  # fmt: skip
        except StoreConflictError:
            if self.get_project(record.name) is not None:
                raise ProjectExistsError(record.name, self.location) from None
            raise

    def get_project(self, name: str) -> ProjectRecord | None:
        rows = self.executor.query(
            f"SELECT {', '.join(f'`{c}`' for c in _PROJECT_COLUMNS)} FROM {self.table('projects')} "
            f"WHERE `name` = {_lit(name)}"
        )
        if not rows:
            return None
        return self._project_record(rows[0])

    @staticmethod
    def _project_record(r: Row) -> ProjectRecord:
        return ProjectRecord(
            name=r["name"],
            created_at=r["created_at"] or "",
            created_by=r["created_by"] or "",
            settings=_loads(r["settings"], {}),
            environments=_loads(r["environments"], {}),
        )

    def save_project(self, record: ProjectRecord) -> None:
        row = self._project_row(record)
        updates = ", ".join(f"`{c}` = s.`{c}`" for c in _PROJECT_COLUMNS if c != "name")
        source = _rows_source("projects", _PROJECT_COLUMNS, [row])
        sql = (
            f"MERGE INTO {self.table('projects')} t USING ({source}) s ON t.`name` = {_lit(record.name)} "
            f"WHEN MATCHED THEN UPDATE SET {updates}, `updated_at` = current_timestamp() "
            f"WHEN NOT MATCHED THEN {_insert_clause('projects', _PROJECT_COLUMNS)}"
        )
        try:
            self.executor.execute(sql)
        except StoreConflictError as exc:
            raise StoreConflictError("projects", f"project {record.name!r}: {exc.detail[:200]}") from exc

    def list_projects(self) -> list[str]:
        rows = self.executor.query(f"SELECT `name` FROM {self.table('projects')} ORDER BY `name`")
        return [r["name"] for r in rows]

    # -- ops -----------------------------------------------------------------------------------------
    def append_ops(self, project: str, records: Sequence[OpRecord]) -> None:
        if not records:
            return
        seqs = [r.seq for r in records]
        if len(set(seqs)) != len(seqs):
            raise StoreConflictError("ops", "duplicate sequence numbers within the batch")
        if any(isinstance(s, bool) or not isinstance(s, int) or s < 1 for s in seqs):
            raise ValueError(f"op sequence numbers must be positive ints, got {seqs[:5]}...")
        rows = [
            {
                "project": project,
                "seq": r.seq,
                "op_id": r.op.op_id,
                "ts": r.op.ts,
                "author": r.op.author,
                "kind": r.op.kind,
                "target": r.op.target,
                "payload": canonical_json(r.op.payload),
                "prev_hash": r.prev_hash,
                "hash": r.hash,
            }
            for r in records
        ]
        condition = f"t.`project` = {_lit(project)} AND {_seq_condition('seq', seqs)}"
        self._merge_insert("ops", _OP_COLUMNS, rows, condition, "sequence number already taken")

    def read_ops(self, project: str, after_seq: int = 0) -> list[OpRecord]:
        cols = ", ".join(f"`{c}`" for c in _OP_COLUMNS if c != "project")
        rows = self.executor.query(
            f"SELECT {cols} FROM {self.table('ops')} "
            f"WHERE `project` = {_lit(project)} AND `seq` > {_int(after_seq)} ORDER BY `seq`"
        )
        return [self._op_record(r) for r in rows]

    @staticmethod
    def _op_record(r: Row) -> OpRecord:
        op = Op(
            op_id=r["op_id"],
            ts=r["ts"],
            author=r["author"],
            kind=r["kind"],
            target=r["target"],
            payload=_loads(r["payload"], {}),
        )
        return OpRecord(seq=int(r["seq"]), op=op, prev_hash=r["prev_hash"], hash=r["hash"])

    # -- snapshots -----------------------------------------------------------------------------------
    def append_snapshot(self, project: str, snapshot: Snapshot) -> None:
        state_text, encoding = encode_state(snapshot.state)
        row = {
            "project": project,
            "snapshot_id": snapshot.snapshot_id,
            "version": snapshot.version,
            "name": snapshot.name,
            "ts": snapshot.ts,
            "created_by": snapshot.created_by,
            "state": state_text,
            "state_encoding": encoding,
            "op_ids": canonical_json(list(snapshot.op_ids)),
            "op_seq": snapshot.op_seq,
            "previous": snapshot.previous,
            "state_hash": snapshot.state_hash,
            "hash": snapshot.hash,
            "tags": canonical_json(list(snapshot.tags)),
            "comment": snapshot.comment,
        }
        condition = f"t.`project` = {_lit(project)} AND t.`version` = {_lit(snapshot.version)}"
        self._merge_insert(
            "snapshots", _SNAPSHOT_COLUMNS, [row], condition, f"version {snapshot.version} already taken"
        )

    def read_snapshots(self, project: str) -> list[Snapshot]:
        cols = ", ".join(f"`{c}`" for c in _SNAPSHOT_COLUMNS if c != "project")
        rows = self.executor.query(
            f"SELECT {cols} FROM {self.table('snapshots')} WHERE `project` = {_lit(project)} "
            "ORDER BY `op_seq`, `ts`, `recorded_at`"
        )
        return [self._snapshot(r) for r in rows]

    @staticmethod
    def _snapshot(r: Row) -> Snapshot:
        return Snapshot(
            snapshot_id=r["snapshot_id"],
            version=r["version"],
            name=r["name"],
            ts=r["ts"],
            created_by=r["created_by"],
            state=decode_state(r["state"], r["state_encoding"]),
            op_ids=tuple(_loads(r["op_ids"], [])),
            op_seq=int(r["op_seq"] or 0),
            previous=r["previous"],
            state_hash=r["state_hash"] or "",
            hash=r["hash"] or "",
            tags=tuple(_loads(r["tags"], [])),
            comment=r["comment"],
        )

    def __repr__(self) -> str:
        return f"DeltaStore({self.location!r})"


__all__ = ["COMPRESS_THRESHOLD", "DEFAULT_LOCATION", "TABLES", "DeltaStore", "decode_state", "encode_state"]
