"""The notebook-facing API: :class:`Project`.

A project is an append-only op log plus snapshots, kept in a :class:`~schemax.ports.Store`. Every method
that changes the schema validates the op against the current state first and records it only when valid;
``with p.batch():`` groups many ops into one commit.
"""

from __future__ import annotations

import getpass
import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schemax.core import ops as o
from schemax.core.environment import Environment, Settings
from schemax.core.hashing import GENESIS_HASH, canonical_json, op_hash, state_hash
from schemax.core.model import KIND_PREFIX, State, kind_of_id
from schemax.core.names import split_qualified
from schemax.core.ops import Op, new_id, utc_now
from schemax.core.replay import StateBuilder
from schemax.core.snapshot import Bump, Snapshot, next_version, parse_version
from schemax.design import read_designs, sync_ops, write_design
from schemax.engines import DEFAULT_STORE, store_for
from schemax.errors import (
    EngineRequiredError,
    InsideBatchError,
    IntegrityError,
    NotDeployedError,
    NotFoundError,
    ProjectNotFoundError,
    SchemaxError,
    StoreConflictError,
    UnknownObjectError,
    ValidationError,
    VersionError,
)
from schemax.ports import OpRecord, ProjectRecord, SqlExecutor, Store
from schemax.services.design_plan import plan_design
from schemax.services.exchange import EXPORT_FORMAT, ImportResult, import_export, read_export

log = logging.getLogger("schemax")

MAX_COMMIT_ATTEMPTS = 20

#: ``progress(i, n, statement)``: called by a deployment after each statement that ran.
ProgressCallback = Callable[[int, int, Any], None]


@dataclass(frozen=True)
class Column:
    """A column definition for :meth:`Project.create_table`."""

    name: str
    type: str
    nullable: bool = True
    comment: str | None = None
    default: str | None = None
    tags: dict[str, str] | None = None


@dataclass(frozen=True)
class VerifyResult:
    """What :meth:`Project.verify` checked."""

    ops: int
    snapshots: int
    head: str


def _resolve_author(executor: SqlExecutor | None) -> str:
    env = os.environ.get("SCHEMAX_AUTHOR")
    if env:
        return env
    if executor is not None:
        try:
            rows = executor.query("SELECT current_user() AS u")
            if rows and rows[0].get("u"):
                return str(rows[0]["u"])
        except Exception:  # noqa: BLE001 - any engine without current_user() falls back to the OS user
            log.debug("current_user() not available; using the OS user")
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001
        return "unknown"


class Project:
    """A schemax project: op log, snapshots and (later) environments, kept in a store.

    Open or create one with :meth:`Project.open` / :meth:`Project.create`; do not call the constructor.
    """

    def __init__(self, store: Store, record: ProjectRecord, *, author: str,
                 executor: SqlExecutor | None = None):
        self.store = store
        self.name = record.name
        self.record = record
        self.author = author
        self.executor = executor
        self._lock = threading.RLock()
        self._records: list[OpRecord] = []
        self._builder = StateBuilder()
        self._state_cache: State | None = None
        self._pending: list[Op] | None = None
        self._pending_builder: StateBuilder | None = None
        self._snapshots: list[Snapshot] | None = None
        self.last_import: ImportResult | None = None  # set by import_json

    # ------------------------------------------------------------------------------------------------
    # opening
    # ------------------------------------------------------------------------------------------------
    @classmethod
    def create(cls, spark: Any, name: str, store: str | Store | None = DEFAULT_STORE, *,
               author: str | None = None, settings: dict[str, Any] | None = None) -> Project:
        """Create a project in ``store``; ProjectExistsError if it is already there."""
        st, executor = store_for(spark, store)
        st.ensure()
        who = author or _resolve_author(executor)
        record = ProjectRecord(name=name, created_at=utc_now(), created_by=who, settings=dict(settings or {}))
        st.create_project(record)
        log.info("created project %s in %s", name, st.location)
        return cls(st, record, author=who, executor=executor)

    @classmethod
    def in_memory(cls, name: str, *, author: str | None = None) -> Project:
        """A project kept in memory, with no engine: design, snapshot, diff and review anywhere (CI, a
        laptop without Java). Move it to a real store with :meth:`export_json` / :meth:`import_json`."""
        from schemax.adapters.memory import MemoryStore

        return cls.create(None, name, store=MemoryStore(f"memory:{name}"), author=author)

    @classmethod
    def open(cls, spark: Any, name: str, store: str | Store | None = DEFAULT_STORE, *,
             author: str | None = None) -> Project:
        """Open an existing project; ProjectNotFoundError if the store does not hold it."""
        st, executor = store_for(spark, store)
        st.ensure()
        record = st.get_project(name)
        if record is None:
            raise ProjectNotFoundError(name, st.location)
        project = cls(st, record, author=author or _resolve_author(executor), executor=executor)
        project.refresh()
        return project

    # ------------------------------------------------------------------------------------------------
    # reading
    # ------------------------------------------------------------------------------------------------
    @property
    def last_seq(self) -> int:
        return self._records[-1].seq if self._records else 0

    @property
    def head_hash(self) -> str:
        return self._records[-1].hash if self._records else GENESIS_HASH

    def refresh(self) -> None:
        """Catch up with ops other writers recorded since this object last looked."""
        with self._lock:
            new = self.store.read_ops(self.name, after_seq=self.last_seq)
            if new:
                for rec in new:
                    self._builder.apply(rec.op)
                self._records.extend(new)
                self._state_cache = None
            self._snapshots = None

    def state(self) -> State:
        """The current working state: the replay of every recorded op."""
        self.refresh()
        with self._lock:
            if self._state_cache is None:
                self._state_cache = self._builder.build()
            return self._state_cache

    def ops(self) -> list[Op]:
        """The op log, oldest first."""
        self.refresh()
        return [r.op for r in self._records]

    def op_records(self) -> list[OpRecord]:
        self.refresh()
        return list(self._records)

    # ------------------------------------------------------------------------------------------------
    # recording
    # ------------------------------------------------------------------------------------------------
    @contextmanager
    def batch(self) -> Iterator[Project]:
        """Group ops into one commit. If the block raises, nothing is recorded."""
        with self._lock:
            if self._pending is not None:
                yield self  # nested batch: part of the outer one
                return
            self.refresh()
            self._pending = []
            self._pending_builder = self._builder.fork()
        try:
            yield self
            pending = self._pending
        finally:
            self._pending = None
            self._pending_builder = None
        if pending:
            self._commit(pending)

    def record_ops(self, ops: Sequence[Op]) -> list[Op]:
        """Validate and record prepared ops (one commit). Used by importers and ``revert_to``."""
        if self._pending is not None:
            for op in ops:
                self._apply_pending(op)
            return list(ops)
        return self._commit(list(ops))

    def _working(self) -> StateBuilder:
        if self._pending_builder is not None:
            return self._pending_builder
        return self._builder

    def _apply_pending(self, op: Op) -> None:
        assert self._pending_builder is not None and self._pending is not None
        self._pending.extend(self._pending_builder.record(op))  # the UC rules, then the op

    def _emit(self, kind: str, target: str, payload: dict[str, Any]) -> str:
        op = Op.new(kind, target, payload, author=self.author)
        with self._lock:
            if self._pending is not None:
                self._apply_pending(op)
            else:
                self._commit([op])
        return target

    def _commit(self, ops: list[Op]) -> list[Op]:
        """Validate ``ops`` on the latest state and append them; retry on a concurrent writer's commit."""
        with self._lock:
            for attempt in range(1, MAX_COMMIT_ATTEMPTS + 1):
                fork = self._builder.fork()
                ops = [x for op in ops for x in fork.record(op)]  # ValidationError: nothing recorded
                prev, seq, records = self.head_hash, self.last_seq, []
                for op in ops:
                    seq += 1
                    h = op_hash(op, prev)
                    records.append(OpRecord(seq=seq, op=op, prev_hash=prev, hash=h))
                    prev = h
                try:
                    self.store.append_ops(self.name, records)
                except StoreConflictError:
                    log.debug("op append conflict (attempt %d); catching up and retrying", attempt)
                    self.refresh()
                    continue
                self._builder = fork
                self._records.extend(records)
                self._state_cache = None
                return ops
            raise StoreConflictError("ops", f"gave up after {MAX_COMMIT_ATTEMPTS} concurrent-write conflicts")

    # ------------------------------------------------------------------------------------------------
    # name resolution
    # ------------------------------------------------------------------------------------------------
    def _id(self, name: str, kinds: tuple[str, ...], what: str) -> str:
        return self._id_of_parts(split_qualified(name), kinds, what)

    def _id_of_parts(self, parts: list[str], kinds: tuple[str, ...], what: str) -> str:
        found = self._working().find(parts, kinds)
        if found is None or (kinds and kind_of_id(found) not in kinds):
            raise UnknownObjectError(what, ".".join(parts), kinds)
        return found

    def _table(self, name: str) -> str:
        return self._id(name, ("table",), "table")

    def _column(self, table: str, column: str) -> str:
        table_id = self._table(table)
        col = self._working().tables[table_id].column_named(column)
        if col is None:
            raise UnknownObjectError("column", f"{table}.{column}", ("column",))
        return col.id

    def _columns(self, table: str, names: Sequence[str] | None) -> list[str]:
        return [self._column(table, n) for n in (names or ())]

    def _object(self, name: str) -> str:
        """Any taggable/securable object: 1-3 parts name a catalog/schema/child, 4 parts a column."""
        parts = split_qualified(name)
        found = self._working().find(parts)
        if found is None:
            raise UnknownObjectError("object", name)
        return found

    def _parent(self, name: str, level: int) -> tuple[str, str]:
        parts = split_qualified(name)
        if len(parts) != level + 1:
            raise ValidationError({"kind": "name"}, f"{name!r} must have {level + 1} dotted parts")
        parent_kind = "catalog" if level == 1 else "schema"
        return self._id_of_parts(parts[:-1], (parent_kind,), parent_kind), parts[-1]

    # ------------------------------------------------------------------------------------------------
    # catalogs and schemas
    # ------------------------------------------------------------------------------------------------
    def create_catalog(self, name: str, comment: str | None = None, *, managed_location: str | None = None,
                       properties: dict[str, str] | None = None) -> str:
        """Record a new catalog; returns its stable id."""
        return self._emit("create_catalog", new_id(KIND_PREFIX["catalog"]), {
            "name": name, "comment": comment, "managed_location": managed_location,
            "properties": properties or {}})

    def rename_catalog(self, name: str, new_name: str) -> str:
        return self._emit("rename_catalog", self._id(name, ("catalog",), "catalog"), {"name": new_name})

    def set_catalog_comment(self, name: str, comment: str | None) -> str:
        return self._emit("set_catalog_comment", self._id(name, ("catalog",), "catalog"),
                          {"comment": comment})

    def set_catalog_properties(self, name: str, properties: dict[str, str]) -> str:
        """Add or change properties of a catalog (``schemax.*`` and engine-reserved keys are refused)."""
        return self._emit("set_catalog_properties", self._id(name, ("catalog",), "catalog"),
                          {"properties": dict(properties)})

    def unset_catalog_properties(self, name: str, keys: Sequence[str]) -> str:
        """Remove properties of a catalog; every key must be set."""
        return self._emit("unset_catalog_properties", self._id(name, ("catalog",), "catalog"),
                          {"keys": list(keys)})

    def drop_catalog(self, name: str) -> str:
        return self._emit("drop_catalog", self._id(name, ("catalog",), "catalog"), {})

    def create_schema(self, name: str, comment: str | None = None, *, managed_location: str | None = None,
                      properties: dict[str, str] | None = None) -> str:
        """Record a new schema ``catalog.schema``; returns its stable id."""
        catalog_id, leaf = self._parent(name, 1)
        return self._emit("create_schema", new_id(KIND_PREFIX["schema"]), {
            "catalog_id": catalog_id, "name": leaf, "comment": comment, "managed_location": managed_location,
            "properties": properties or {}})

    def rename_schema(self, name: str, new_name: str) -> str:
        return self._emit("rename_schema", self._id(name, ("schema",), "schema"), {"name": new_name})

    def set_schema_comment(self, name: str, comment: str | None) -> str:
        return self._emit("set_schema_comment", self._id(name, ("schema",), "schema"), {"comment": comment})

    def set_schema_properties(self, name: str, properties: dict[str, str]) -> str:
        """Add or change properties of a schema (``schemax.*`` and engine-reserved keys are refused)."""
        return self._emit("set_schema_properties", self._id(name, ("schema",), "schema"),
                          {"properties": dict(properties)})

    def unset_schema_properties(self, name: str, keys: Sequence[str]) -> str:
        """Remove properties of a schema; every key must be set."""
        return self._emit("unset_schema_properties", self._id(name, ("schema",), "schema"),
                          {"keys": list(keys)})

    def drop_schema(self, name: str) -> str:
        return self._emit("drop_schema", self._id(name, ("schema",), "schema"), {})

    # ------------------------------------------------------------------------------------------------
    # tables
    # ------------------------------------------------------------------------------------------------
    def create_table(
        self,
        name: str,
        columns: Sequence[Column | dict[str, Any] | tuple[str, str]],
        comment: str | None = None,
        properties: dict[str, str] | None = None,
        cluster_by: Sequence[str] | None = None,
        partition_by: Sequence[str] | None = None,
        *,
        table_type: str = "MANAGED",
        location: str | None = None,
        format: str = "DELTA",
        tags: dict[str, str] | None = None,
    ) -> str:
        """Record a new table ``catalog.schema.table``; returns its stable id."""
        schema_id, leaf = self._parent(name, 2)
        specs: list[dict[str, Any]] = []
        by_name: dict[str, str] = {}
        for c in columns:
            col = c if isinstance(c, Column) else Column(**c) if isinstance(c, dict) else Column(*c)
            col_id = new_id(KIND_PREFIX["column"])
            specs.append({"id": col_id, "name": col.name, "type": col.type,
                          "nullable": col.nullable, "comment": col.comment, "default": col.default,
                          "tags": dict(col.tags or {})})
            by_name[col.name.lower()] = col_id

        def ids(names: Sequence[str] | None, what: str) -> list[str]:
            out = []
            for n in names or ():
                if n.lower() not in by_name:
                    raise UnknownObjectError(f"{what} column", n, ("column",))
                out.append(by_name[n.lower()])
            return out

        return self._emit("create_table", new_id(KIND_PREFIX["table"]), {
            "schema_id": schema_id, "name": leaf, "columns": specs, "comment": comment,
            "table_type": table_type.upper(), "format": format, "location": location,
            "properties": properties or {}, "partition_by": ids(partition_by, "partition"),
            "cluster_by": ids(cluster_by, "cluster"), "tags": tags or {}})

    def rename_table(self, name: str, new_name: str) -> str:
        """Rename a table in place (``new_name`` is the bare table name); the id stays the same."""
        return self._emit("rename_table", self._table(name), {"name": new_name})

    def set_table_comment(self, name: str, comment: str | None) -> str:
        return self._emit("set_table_comment", self._table(name), {"comment": comment})

    def set_table_properties(self, name: str, properties: dict[str, str]) -> str:
        return self._emit("set_table_properties", self._table(name), {"properties": dict(properties)})

    def unset_table_properties(self, name: str, keys: Sequence[str]) -> str:
        return self._emit("unset_table_properties", self._table(name), {"keys": list(keys)})

    def drop_table(self, name: str) -> str:
        return self._emit("drop_table", self._table(name), {})

    def set_cluster_by(self, name: str, columns: Sequence[str]) -> str:
        return self._emit("set_cluster_by", self._table(name), {"columns": self._columns(name, columns)})

    def set_partition_by(self, name: str, columns: Sequence[str]) -> str:
        return self._emit("set_partition_by", self._table(name), {"columns": self._columns(name, columns)})

    def set_row_filter(self, name: str, function: str, columns: Sequence[str]) -> str:
        return self._emit("set_row_filter", self._table(name),
                          {"function": function, "columns": self._columns(name, columns)})

    def drop_row_filter(self, name: str) -> str:
        return self._emit("drop_row_filter", self._table(name), {})

    # ------------------------------------------------------------------------------------------------
    # columns
    # ------------------------------------------------------------------------------------------------
    def add_column(self, table: str, name: str, type: str, comment: str | None = None,
                   nullable: bool = True, *, default: str | None = None, after: str | None = None,
                   first: bool = False) -> str:
        """Add a column (last, or ``after`` another column, or ``first``); returns its stable id."""
        after_id = "FIRST" if first else (self._column(table, after) if after else None)
        return self._emit("add_column", new_id(KIND_PREFIX["column"]), {
            "table_id": self._table(table), "name": name, "type": type, "nullable": nullable,
            "comment": comment, "default": default, "after": after_id})

    def rename_column(self, table: str, old: str, new: str) -> str:
        return self._emit("rename_column", self._column(table, old), {"name": new})

    def drop_column(self, table: str, name: str) -> str:
        return self._emit("drop_column", self._column(table, name), {})

    def change_column_type(self, table: str, name: str, type: str) -> str:
        return self._emit("change_column_type", self._column(table, name), {"type": type})

    def set_column_nullable(self, table: str, name: str, nullable: bool) -> str:
        return self._emit("set_column_nullable", self._column(table, name), {"nullable": nullable})

    def set_column_comment(self, table: str, name: str, comment: str | None) -> str:
        return self._emit("set_column_comment", self._column(table, name), {"comment": comment})

    def set_column_default(self, table: str, name: str, default: str | None) -> str:
        return self._emit("set_column_default", self._column(table, name), {"default": default})

    def reorder_columns(self, table: str, order: Sequence[str]) -> str:
        """Reorder a table's columns; ``order`` names every column once."""
        return self._emit("reorder_columns", self._table(table), {"order": self._columns(table, order)})

    def set_column_mask(self, table: str, column: str, function: str, using: Sequence[str] = ()) -> str:
        return self._emit("set_column_mask", self._column(table, column),
                          {"function": function, "using_columns": self._columns(table, using)})

    def drop_column_mask(self, table: str, column: str) -> str:
        return self._emit("drop_column_mask", self._column(table, column), {})

    # ------------------------------------------------------------------------------------------------
    # constraints
    # ------------------------------------------------------------------------------------------------
    def add_primary_key(self, table: str, columns: Sequence[str], name: str | None = None) -> str:
        leaf = split_qualified(table)[-1]
        return self._emit("add_primary_key", new_id(KIND_PREFIX["constraint"]), {
            "table_id": self._table(table), "name": name or f"{leaf}_pk",
            "columns": self._columns(table, columns)})

    def add_foreign_key(self, table: str, columns: Sequence[str], ref_table: str, ref_columns: Sequence[str],
                        name: str | None = None) -> str:
        leaf = split_qualified(table)[-1]
        return self._emit("add_foreign_key", new_id(KIND_PREFIX["constraint"]), {
            "table_id": self._table(table), "name": name or f"{leaf}_{'_'.join(columns)}_fk",
            "columns": self._columns(table, columns), "ref_table": self._table(ref_table),
            "ref_columns": self._columns(ref_table, ref_columns)})

    def add_check_constraint(self, table: str, name: str, expression: str) -> str:
        return self._emit("add_check_constraint", new_id(KIND_PREFIX["constraint"]),
                          {"table_id": self._table(table), "name": name, "expression": expression})

    def drop_constraint(self, table: str, name: str) -> str:
        t = self._working().tables[self._table(table)]
        con = next((c for c in t.constraints if c.name.lower() == name.lower()), None)
        if con is None:
            raise UnknownObjectError("constraint", f"{table}.{name}", ("constraint",))
        return self._emit("drop_constraint", con.id, {})

    # ------------------------------------------------------------------------------------------------
    # views, volumes, functions
    # ------------------------------------------------------------------------------------------------
    def create_view(self, name: str, definition: str, comment: str | None = None,
                    properties: dict[str, str] | None = None) -> str:
        schema_id, leaf = self._parent(name, 2)
        return self._emit("create_view", new_id(KIND_PREFIX["view"]), {
            "schema_id": schema_id, "name": leaf, "definition": definition, "comment": comment,
            "properties": properties or {}})

    def _view(self, name: str) -> str:
        return self._id(name, ("view",), "view")

    def rename_view(self, name: str, new_name: str) -> str:
        return self._emit("rename_view", self._view(name), {"name": new_name})

    def update_view(self, name: str, definition: str) -> str:
        return self._emit("update_view_definition", self._view(name), {"definition": definition})

    def set_view_comment(self, name: str, comment: str | None) -> str:
        return self._emit("set_view_comment", self._view(name), {"comment": comment})

    def set_view_properties(self, name: str, properties: dict[str, str]) -> str:
        return self._emit("set_view_properties", self._view(name), {"properties": dict(properties)})

    def unset_view_properties(self, name: str, keys: Sequence[str]) -> str:
        return self._emit("unset_view_properties", self._view(name), {"keys": list(keys)})

    def drop_view(self, name: str) -> str:
        return self._emit("drop_view", self._view(name), {})

    def create_volume(self, name: str, volume_type: str = "MANAGED", location: str | None = None,
                      comment: str | None = None) -> str:
        schema_id, leaf = self._parent(name, 2)
        return self._emit("create_volume", new_id(KIND_PREFIX["volume"]), {
            "schema_id": schema_id, "name": leaf, "volume_type": volume_type.upper(), "location": location,
            "comment": comment})

    def _volume(self, name: str) -> str:
        return self._id(name, ("volume",), "volume")

    def rename_volume(self, name: str, new_name: str) -> str:
        return self._emit("rename_volume", self._volume(name), {"name": new_name})

    def set_volume_comment(self, name: str, comment: str | None) -> str:
        return self._emit("set_volume_comment", self._volume(name), {"comment": comment})

    def drop_volume(self, name: str) -> str:
        return self._emit("drop_volume", self._volume(name), {})

    def create_function(self, name: str, body: str, parameters: str = "", returns: str = "STRING",
                        language: str = "SQL", comment: str | None = None) -> str:
        schema_id, leaf = self._parent(name, 2)
        return self._emit("create_function", new_id(KIND_PREFIX["function"]), {
            "schema_id": schema_id, "name": leaf, "parameters": parameters, "returns": returns,
            "language": language.upper(), "body": body, "comment": comment})

    def _function(self, name: str) -> str:
        return self._id(name, ("function",), "function")

    def update_function(self, name: str, body: str, parameters: str = "", returns: str = "STRING",
                        language: str = "SQL") -> str:
        return self._emit("update_function", self._function(name), {
            "parameters": parameters, "returns": returns, "language": language.upper(), "body": body})

    def set_function_comment(self, name: str, comment: str | None) -> str:
        return self._emit("set_function_comment", self._function(name), {"comment": comment})

    def drop_function(self, name: str) -> str:
        return self._emit("drop_function", self._function(name), {})

    # ------------------------------------------------------------------------------------------------
    # tags and grants
    # ------------------------------------------------------------------------------------------------
    def set_tags(self, name: str, tags: dict[str, str]) -> str:
        """Set tags on a catalog, schema, table, view, volume (1-3 parts) or column (4 parts)."""
        target = self._object(name)
        kind = kind_of_id(target)
        if kind not in o.TAGGABLE_KINDS:
            raise ValidationError({"kind": "set_tags"}, f"a {kind} cannot carry tags")
        return self._emit(f"set_{kind}_tags", target, {"tags": dict(tags)})

    def unset_tags(self, name: str, keys: Sequence[str]) -> str:
        target = self._object(name)
        kind = kind_of_id(target)
        if kind not in o.TAGGABLE_KINDS:
            raise ValidationError({"kind": "unset_tags"}, f"a {kind} cannot carry tags")
        return self._emit(f"unset_{kind}_tags", target, {"keys": list(keys)})

    def grant(self, name: str, principal: str, privileges: Sequence[str]) -> str:
        return self._emit("grant", self._object(name),
                          {"principal": principal, "privileges": list(privileges)})

    def revoke(self, name: str, principal: str, privileges: Sequence[str]) -> str:
        return self._emit("revoke", self._object(name),
                          {"principal": principal, "privileges": list(privileges)})

    # ------------------------------------------------------------------------------------------------
    # snapshots
    # ------------------------------------------------------------------------------------------------
    def snapshots(self) -> list[Snapshot]:
        """All snapshots, oldest first."""
        with self._lock:
            if self._snapshots is None:
                self._snapshots = sorted(self.store.read_snapshots(self.name),
                                         key=lambda s: (s.op_seq, s.semver))
            return list(self._snapshots)

    def latest_snapshot(self) -> Snapshot | None:
        snaps = self.snapshots()
        return max(snaps, key=lambda s: s.semver) if snaps else None

    def snapshot_at(self, version: str) -> Snapshot:
        """The snapshot with this version; NotFoundError if there is none."""
        wanted = parse_version(version, self.record.settings.get("version_prefix", ""))
        for snap in self.snapshots():
            if snap.semver == wanted:
                return snap
        raise NotFoundError("snapshot", version)

    def snapshot(self, name: str, version: str | None = None, tags: Sequence[str] = (),
                 comment: str | None = None, *, bump: Bump = "minor") -> Snapshot:
        """Freeze the current state as a new, hashed snapshot.

        Without ``version`` the last one is bumped (0.1.0, 0.2.0, …); an explicit version must be greater.
        """
        if self._pending is not None:
            raise InsideBatchError("snapshot", "cannot take a snapshot inside a batch; leave the batch first")
        for attempt in range(1, MAX_COMMIT_ATTEMPTS + 1):
            self.refresh()
            last = self.latest_snapshot()
            if version is None:
                chosen = next_version(last.version if last else None, bump)
            else:
                chosen = str(parse_version(version, self.record.settings.get("version_prefix", "")))
                if last is not None and parse_version(chosen) <= last.semver:
                    raise VersionError(version, f"must be greater than the latest snapshot {last.version}")
            since = last.op_seq if last else 0
            snap = Snapshot.create(
                version=chosen, name=name, state=self.state(), op_seq=self.last_seq,
                previous=last.snapshot_id if last else None,
                op_ids=[r.op.op_id for r in self._records if r.seq > since], created_by=self.author,
                tags=list(tags), comment=comment,
            )
            try:
                self.store.append_snapshot(self.name, snap)
            except StoreConflictError:
                if version is not None:
                    raise VersionError(chosen, "taken by a concurrent snapshot") from None
                log.debug("snapshot version conflict (attempt %d); retrying", attempt)
                continue
            self._snapshots = None
            log.info("snapshot %s %r: %d op(s) since previous", snap.version, name, len(snap.op_ids))
            return snap
        raise StoreConflictError("snapshots", "gave up after repeated version conflicts")

    def uncommitted_ops(self) -> list[Op]:
        """Ops recorded since the latest snapshot."""
        last = self.latest_snapshot()
        since = last.op_seq if last else 0
        return [r.op for r in self.op_records() if r.seq > since]

    def state_at_seq(self, seq: int) -> State:
        """The state after the first ``seq`` ops of the log."""
        builder = StateBuilder()
        for rec in self.op_records():
            if rec.seq > seq:
                break
            builder.apply(rec.op)
        return builder.build()

    # ------------------------------------------------------------------------------------------------
    # settings and environments (kept in the project's own row)
    # ------------------------------------------------------------------------------------------------
    def _reload_record(self) -> ProjectRecord:
        record = self.store.get_project(self.name)
        if record is not None:
            self.record = record
        return self.record

    def settings(self) -> Settings:
        """Project settings (version prefix, safety switches)."""
        return Settings.model_validate(self._reload_record().settings)

    def update_settings(self, **changes: Any) -> Settings:
        """Change project settings, e.g. ``p.update_settings(require_comments=True)``."""
        current = self.settings()
        try:
            updated = Settings.model_validate({**current.model_dump(), **changes})
        except Exception as exc:
            raise ValidationError({"kind": "update_settings"}, str(exc)) from None
        self._save(settings=updated.model_dump())
        return updated

    def environments(self) -> dict[str, Environment]:
        """Every environment of the project, by name."""
        envs = self._reload_record().environments
        return {name: Environment.model_validate({**data, "name": name})
                for name, data in sorted(envs.items())}

    def environment(self, name: str) -> Environment:
        envs = self.environments()
        if name not in envs:
            raise NotFoundError("environment", name)
        return envs[name]

    def add_environment(self, name: str, catalogs: dict[str, str] | None = None,
                        schema_prefix: str = "", *, require_snapshot: bool = False,
                        allow_drift: bool = False, allow_breaking: bool = False,
                        require_confirmation: bool = False, require_approval: bool = False,
                        production: bool = False, lock_ttl_seconds: int = 3600) -> Environment:
        """Add a deployment environment: how logical catalogs map to physical ones, and what it allows."""
        if name in self.environments():
            raise ValidationError({"kind": "add_environment"}, f"environment {name!r} already exists")
        env = self._validated_env(dict(
            name=name, catalogs=dict(catalogs or {}), schema_prefix=schema_prefix,
            require_snapshot=require_snapshot, allow_drift=allow_drift, allow_breaking=allow_breaking,
            require_confirmation=require_confirmation,
            require_approval=require_approval, production=production, lock_ttl_seconds=lock_ttl_seconds))
        self._save_env(env)
        return env

    def update_environment(self, name: str, **changes: Any) -> Environment:
        """Change an environment's settings, e.g. ``p.update_environment("prod", allow_drift=True)``."""
        env = self.environment(name)
        updated = self._validated_env({**env.model_dump(), **changes, "name": name})
        self._save_env(updated)
        return updated

    def approve(self, env: str, version: str, comment: str | None = None) -> dict[str, Any]:
        """Approve a snapshot for an environment that requires approval (who and when are recorded)."""
        snap = self.snapshot_at(version)
        environment = self.environment(env)
        approval = {"version": snap.version, "snapshot_id": snap.snapshot_id, "by": self.author,
                    "at": utc_now(), "comment": comment}
        self._save_env(environment.model_copy(update={"approvals": (*environment.approvals, approval)}))
        log.info("%s approved %s for %s", self.author, snap.version, env)
        return approval

    def _validated_env(self, data: dict[str, Any]) -> Environment:
        from schemax.core.names import validate_object_name

        try:
            env = Environment.model_validate(data)
            for logical, physical in env.catalogs.items():
                validate_object_name(logical, "catalog")
                validate_object_name(physical, "catalog")
            if env.schema_prefix and any(ch in env.schema_prefix for ch in "./` \n"):
                raise ValueError(f"schema_prefix {env.schema_prefix!r} has a character names cannot hold")
        except SchemaxError:
            raise
        except Exception as exc:
            raise ValidationError({"kind": "environment"}, str(exc)) from None
        return env

    def _save_env(self, env: Environment) -> None:
        envs = dict(self._reload_record().environments)
        envs[env.name] = env.model_dump(mode="json", exclude={"name"})
        self._save(environments=envs)

    def _save(self, **changes: Any) -> None:
        from dataclasses import replace as dc_replace

        self.record = dc_replace(self._reload_record(), **changes)
        self.store.save_project(self.record)

    # ------------------------------------------------------------------------------------------------
    # plan, deploy, history, promotion, rollback
    # ------------------------------------------------------------------------------------------------
    def deployer(self, **options: Any) -> Any:
        """The :class:`~schemax.services.deploy.Deployer` for this project's engine."""
        from schemax.services.deploy import Deployer

        if self.executor is None:
            raise EngineRequiredError(
                "deploy", "this project has no SQL engine (open it with a SparkSession or an executor)")
        options.setdefault("capabilities", self.capabilities())
        options.setdefault("drift_check", self._drift_check)
        return Deployer(self, self.executor, **options)

    def capabilities(self) -> Any:
        """What the engine behind this project can run (detected once, then cached)."""
        if getattr(self, "_capabilities", None) is None:
            from schemax.plan.capabilities import detect_capabilities

            self._capabilities = detect_capabilities(self.executor) if self.executor is not None else None
        return self._capabilities

    def _drift_check(self, env: Environment) -> Any:
        from schemax.services.drift import DriftService

        return DriftService(self).check(env.name, record=False, for_deploy=True)

    def plan(self, env: str, to: str | None = None) -> Any:
        """What deploying ``to`` (default: latest snapshot) to ``env`` would run, with its findings."""
        return self.deployer().plan(env, to)

    def deploy(self, env: str, to: str | None = None, dry_run: bool = False, allow_breaking: bool = False,
               force: bool = False, confirm: str | bool | None = None, *, abandon: bool = False,
               max_workers: int | None = None, progress: ProgressCallback | None = None) -> Any:
        """Deploy a snapshot (default: the latest) to ``env``; see :mod:`schemax.services.deploy`.

        Refuses breaking changes (``BreakingChangeError``), drift (``DriftDetectedError``), a held lock
        (``DeploymentLockedError``) unless allowed; a failing statement raises ``ExecutionError`` after
        the deployment's record is written. Deploying again resumes a failed deployment.
        ``progress(i, n, statement)`` is called after each statement that ran.
        """
        options: dict[str, Any] = {"max_workers": max_workers} if max_workers else {}
        if progress is not None:
            options["progress"] = progress
        return self.deployer(**options).deploy(env, to, dry_run=dry_run, allow_breaking=allow_breaking,
                                               force=force, confirm=confirm, abandon=abandon)

    def history(self, env: str | None = None) -> Any:
        """Deployments, newest first, each with its statements and SQL."""
        from schemax.services.deploy import Deployment
        from schemax.services.history import History

        deployments = [Deployment(rec, self.store.read_statements(self.name, rec.deployment_id))
                       for rec in self.store.read_deployments(self.name, env)]
        return History(deployments)

    def status(self) -> Any:
        """Which version is deployed where, and how many ops are not in a snapshot yet."""
        from schemax.services.history import ProjectStatus

        deployed: dict[str, str | None] = {}
        unfinished: dict[str, str] = {}
        for name in self.environments():
            recs = self.store.read_deployments(self.name, name)
            ok = next((r for r in recs if r.status == "success"), None)
            deployed[name] = ok.to_version if ok else None
            if recs and recs[0].status in ("failed", "in_progress"):
                unfinished[name] = f"{recs[0].deployment_id} ({recs[0].status})"
        latest = self.latest_snapshot()
        return ProjectStatus(project=self.name, latest_snapshot=latest.version if latest else None,
                             uncommitted_ops=len(self.uncommitted_ops()), deployed=deployed,
                             unfinished=unfinished, snapshots=self.snapshots())

    def promote(self, source: str, target: str, *, progress: ProgressCallback | None = None,
                **options: Any) -> Any:
        """Deploy to ``target`` the snapshot that ``source`` runs (``options`` as for :meth:`deploy`)."""
        deployed = self.deployer().deployed(source)
        if deployed.deployment is None or deployed.snapshot_id is None:
            raise NotDeployedError(source, "promote",
                                   f"environment {source!r} has no deployed snapshot to promote")
        return self.deploy(target, to=deployed.version, progress=progress, **options)

    def rollback(self, env: str, to: str, restore_data: bool = False, *, allow_breaking: bool = True,
                 progress: ProgressCallback | None = None, **options: Any) -> Any:
        """Deploy the way back to snapshot ``to`` as a deployment of its own.

        With ``restore_data=True`` the tables that later deployments changed destructively are first
        ``RESTORE``d to the Delta version recorded before that change, so dropped columns come back with
        their data (rows written since are lost with them; out of Delta's retention it refuses:
        ``RetentionWindowPassedError``). ``progress(i, n, statement)`` as for :meth:`deploy`.
        """
        from schemax.services.rollback import plan_rollback

        deployer = self.deployer(**({"progress": progress} if progress is not None else {}))
        before, restore = plan_rollback(self, deployer, env, to, restore_data)
        return deployer.deploy(env, to, allow_breaking=allow_breaking, kind="rollback", before=before,
                               restore=restore, **options)

    # ------------------------------------------------------------------------------------------------
    # drift and import
    # ------------------------------------------------------------------------------------------------
    def check_drift(self, env: str, *, record: bool = True) -> Any:
        """Compare ``env``'s live catalog with its last deployment; the scan is recorded."""
        from schemax.services.drift import DriftService

        return DriftService(self).check(env, record=record)

    def drift_scans(self, env: str | None = None) -> list[Any]:
        """Recorded drift scans, newest first."""
        return self.store.read_drift_scans(self.name, env)

    def import_drift(self, env: str) -> list[Op]:
        """Record the ops that make the project match what ``env`` really holds (hand-made changes)."""
        from schemax.services.drift import DriftService

        return DriftService(self).import_drift(env)

    def import_catalog(self, env: str, schemas: Sequence[str] | None = None, adopt: bool = False) -> Any:
        """Reverse-engineer ``env``'s live catalogs (all schemas, or the logical ``schemas``) into ops.

        With ``adopt=True`` a snapshot is taken and recorded as ``env``'s baseline deployment, so its next
        deploy is a no-op. Objects schemax cannot represent are listed in the result, never dropped silently.
        """
        from schemax.services.drift import DriftService

        return DriftService(self).import_catalog(env, list(schemas) if schemas else None, adopt)

    def diff(self, from_version: str | None, to_version: str | None = None, **target: Any) -> Any:
        """The plan between two snapshots (``None`` = empty / working state), in logical names."""
        from schemax.plan import build_plan_between

        before = self.snapshot_at(from_version).state if from_version else State()
        after = self.snapshot_at(to_version).state if to_version else self.state()
        return build_plan_between(before, after, from_version=from_version,
                                  to_version=to_version or "working", **target)

    def revert_to(self, version: str) -> list[Op]:
        """Append the ops that bring the working state back to snapshot ``version`` (nothing is deleted)."""
        from schemax.plan.to_ops import ops_between

        ops = ops_between(self.state(), self.snapshot_at(version).state, author=self.author)
        if ops:
            self.record_ops(ops)
        return ops

    # ------------------------------------------------------------------------------------------------
    # design files (schemax.design)
    # ------------------------------------------------------------------------------------------------
    def sync(self, files: str | os.PathLike[str] | Sequence[str | os.PathLike[str]], *,
             dry_run: bool = False) -> list[Op]:
        """Record the ops that make the working state what the design files describe (one commit).

        ``files``: design files or directories of them (``*.yml``, ``*.yaml``). Returns the ops (none when
        the log already holds the design: a second sync records nothing); with ``dry_run`` they are only
        returned. DesignFileError (file, line, column) for what the files hold that no op can express.
        """
        if self._pending is not None:
            raise InsideBatchError("sync", "cannot sync design files inside a batch; leave the batch first")
        paths = [files] if isinstance(files, (str, os.PathLike)) else list(files)
        documents = read_designs(paths)
        with self._lock:
            ops = sync_ops(self.state(), documents, author=self.author)
            if ops and not dry_run:
                ops = self.record_ops(ops)
        log.info("sync of %d design file(s): %d op(s)%s", len(documents), len(ops),
                 " (dry run)" if dry_run else "")
        return ops

    def plan_design(self, env: str, files: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> Any:
        """What deploying the design ``files`` to ``env`` would run, before they are synced: the files are
        applied to the working state in memory, nothing is recorded (the plan's ``to_version`` is
        ``"design"``). For reviewing a pull request that changes the design."""
        paths = [files] if isinstance(files, (str, os.PathLike)) else list(files)
        return plan_design(self, env, read_designs(paths))

    def export_design(self, directory: str | os.PathLike[str]) -> list[Path]:
        """Write the working state as design files into ``directory``, one per schema (see
        :func:`schemax.design.write_design`); returns the files written."""
        return write_design(self.state(), directory)

    # ------------------------------------------------------------------------------------------------
    # integrity, export and import
    # ------------------------------------------------------------------------------------------------
    def verify(self) -> VerifyResult:
        """Re-hash the op log and every snapshot; IntegrityError names the first row that does not match."""
        records = self.store.read_ops(self.name)
        prev = GENESIS_HASH
        builder = StateBuilder()
        states_at: dict[int, str] = {}
        snaps = sorted(self.store.read_snapshots(self.name), key=lambda s: s.op_seq)
        wanted = {s.op_seq for s in snaps}
        if 0 in wanted:
            states_at[0] = state_hash(State())
        for i, rec in enumerate(records, start=1):
            where = f"op seq {rec.seq} ({rec.op.op_id})"
            if rec.seq != i:
                raise IntegrityError(where, str(i), str(rec.seq), "sequence gap or duplicate")
            if rec.prev_hash != prev:
                raise IntegrityError(where, prev, rec.prev_hash, "hash chain broken")
            actual = op_hash(rec.op, prev)
            if actual != rec.hash:
                raise IntegrityError(where, rec.hash, actual, "op changed after it was recorded")
            builder.apply(rec.op)
            if rec.seq in wanted:
                states_at[rec.seq] = state_hash(builder.build())
            prev = rec.hash
        previous: str | None = None
        for snap in snaps:
            snap.verify()
            where = f"snapshot {snap.version}"
            if snap.op_seq not in states_at:
                raise IntegrityError(where, f"op seq {snap.op_seq}", "missing",
                                     "snapshot points past the op log")
            if states_at[snap.op_seq] != snap.state_hash:
                raise IntegrityError(where, states_at[snap.op_seq], snap.state_hash,
                                     "state differs from the replay of its ops")
            if snap.previous != previous:
                raise IntegrityError(where, str(previous), str(snap.previous), "snapshot chain broken")
            previous = snap.snapshot_id
        return VerifyResult(ops=len(records), snapshots=len(snaps), head=prev)

    def to_export(self) -> dict[str, Any]:
        """The whole project as one JSON-ready document (canonical when serialized)."""
        rec = self.store.get_project(self.name) or self.record
        return {
            "format": EXPORT_FORMAT,
            "project": {"name": rec.name, "created_at": rec.created_at, "created_by": rec.created_by,
                        "settings": rec.settings, "environments": rec.environments},
            "ops": [{"seq": r.seq, "prev_hash": r.prev_hash, "hash": r.hash, **r.op.to_dict()}
                    for r in self.store.read_ops(self.name)],
            "snapshots": [{**s.header(), "hash": s.hash, "state": s.state.to_dict()}
                          for s in sorted(self.store.read_snapshots(self.name), key=lambda s: s.op_seq)],
        }

    def export_json(self, path: str | os.PathLike[str]) -> Path:
        """Write the project to one canonical JSON file (for review in git or moving between stores)."""
        out = Path(path)
        out.write_text(canonical_json(self.to_export()) + "\n", encoding="utf-8")
        return out

    @classmethod
    def import_json(cls, spark: Any, path: str | os.PathLike[str],
                    store: str | Store | None = DEFAULT_STORE, *,
                    name: str | None = None, author: str | None = None) -> Project:
        """Load an exported project into ``store`` (verifying every hash on the way in).

        A project the store already holds is fast-forwarded when the file extends its hash chain (only the
        new ops and snapshots are appended), left as is when the file holds nothing new, and refused with
        HistoryDivergedError (the first divergent op, and what each side has beyond it) when the two
        histories forked. What was done is in the returned project's ``last_import``
        (:class:`~schemax.services.exchange.ImportResult`).
        """
        export = read_export(path, name=name)
        st, executor = store_for(spark, store)
        st.ensure()
        result = import_export(st, export)
        record = st.get_project(export.record.name) or export.record
        project = cls(st, record, author=author or _resolve_author(executor), executor=executor)
        project.last_import = result
        project.refresh()
        return project

    # ------------------------------------------------------------------------------------------------
    # display
    # ------------------------------------------------------------------------------------------------
    def __repr__(self) -> str:
        return f"Project(name={self.name!r}, store={self.store.location!r}, ops={self.last_seq})"

    def _repr_html_(self) -> str:
        from html import escape

        state = self.state()
        snaps = self.snapshots()
        rows = "".join(
            f"<tr><td>{escape(s.version)}</td><td>{escape(s.name)}</td><td>{escape(s.ts[:19])}</td>"
            f"<td>{escape(s.created_by)}</td><td><code>{s.hash[:12]}</code></td></tr>"
            for s in reversed(snaps))
        return (
            f"<div class='schemax-project'><h4>schemax project <code>{escape(self.name)}</code></h4>"
            f"<p>{self.last_seq} ops · {len(state.catalogs)} catalogs · {len(state.schemas)} schemas · "
            f"{len(state.tables)} tables · {len(state.views)} views · {len(snaps)} snapshots · "
            f"{len(self.uncommitted_ops())} uncommitted ops</p>"
            f"<table><thead><tr><th>version</th><th>name</th><th>when</th><th>by</th><th>hash</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></div>"
        )


__all__ = ["Column", "Project", "VerifyResult"]
