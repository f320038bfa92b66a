"""The project's op log: reading it, recording ops (one at a time or batched), and resolving names.

A project is an append-only op log plus snapshots, kept in a :class:`~schemax.ports.Store`. Every method
that changes the schema validates the op against the current state first and records it only when valid;
``with p.batch():`` groups many ops into one commit. :class:`ProjectBase` holds what every part of the
:class:`~schemax.project.Project` façade shares: the store, the author, the engine, and the project's
records (:class:`~schemax.records.ProjectRecords`, the read model the services take).
"""

from __future__ import annotations

import getpass
import logging
import os
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from schemax.core import sql_checks
from schemax.core.environment import Environment, Settings
from schemax.core.hashing import op_hash
from schemax.core.model import State, kind_of_id
from schemax.core.names import split_qualified
from schemax.core.ops import Op
from schemax.core.replay import StateBuilder
from schemax.core.snapshot import Snapshot
from schemax.core.sql_checks import SQL_OP_KINDS
from schemax.errors import StoreConflictError, UnknownObjectError, ValidationError
from schemax.plan.capabilities import EngineCapabilities
from schemax.ports import OpRecord, ProjectRecord, SqlExecutor, Store
from schemax.records import ProjectRecords
from schemax.services.exchange import ImportResult

log = logging.getLogger("schemax")

MAX_COMMIT_ATTEMPTS = 20

#: ``progress(i, n, statement)``: called by a deployment after each statement that ran.
ProgressCallback = Callable[[int, int, Any], None]

_P = TypeVar("_P", bound="ProjectBase")


@dataclass(frozen=True)
class Column:
    """A column definition for :meth:`Project.create_table`."""

    name: str
    type: str
    nullable: bool = True
    comment: str | None = None
    default: str | None = None
    tags: dict[str, str] | None = None
    generated: str | None = None  # GENERATED ALWAYS AS (expr), issue 11
    # GENERATED ... AS IDENTITY: True (ALWAYS), or {"always": False, "start": 1, "step": 1}
    identity: bool | dict[str, Any] | None = None


def resolve_author(executor: SqlExecutor | None) -> str:
    """Who ops and deployments are recorded for: ``$SCHEMAX_AUTHOR``, the engine's ``current_user()``,
    or the OS user."""
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


class ProjectBase:
    """What every part of the :class:`~schemax.project.Project` façade shares (see the module doc)."""

    def __init__(self, store: Store, record: ProjectRecord, *, author: str,
                 executor: SqlExecutor | None = None):
        self.store = store
        self.name = record.name
        self.author = author
        self.executor = executor
        #: the project's records as the services read them (one cache shared with them)
        self.records = ProjectRecords(store, record)
        self._lock = self.records.lock
        self._pending: list[Op] | None = None
        self._pending_builder: StateBuilder | None = None
        # ids of the pending batch's ops whose SQL names are checked when the batch commits (sql_checks)
        self._pending_sql: set[str] = set()
        self._capabilities: EngineCapabilities | None = None
        #: what the last ``Project.import_json`` did (created, fast-forwarded, nothing new)
        self.last_import: ImportResult | None = None

    @property
    def record(self) -> ProjectRecord:
        """The project's own row (settings, environments) as last read or saved."""
        return self.records.record

    # ------------------------------------------------------------------------------------------------
    # reading
    # ------------------------------------------------------------------------------------------------
    @property
    def last_seq(self) -> int:
        return self.records.last_seq

    @property
    def head_hash(self) -> str:
        return self.records.head_hash

    def refresh(self) -> None:
        """Catch up with ops other writers recorded since this object last looked."""
        self.records.refresh()

    def state(self) -> State:
        """The current working state: the replay of every recorded op."""
        return self.records.state()

    def ops(self) -> list[Op]:
        """The op log, oldest first."""
        return self.records.ops()

    def op_records(self) -> list[OpRecord]:
        return self.records.op_records()

    def snapshots(self) -> list[Snapshot]:
        """All snapshots, oldest first."""
        return self.records.snapshots()

    def latest_snapshot(self) -> Snapshot | None:
        return self.records.latest_snapshot()

    def snapshot_at(self, version: str) -> Snapshot:
        """The snapshot with this version; NotFoundError if there is none."""
        return self.records.snapshot_at(version)

    def uncommitted_ops(self) -> list[Op]:
        """Ops recorded since the latest snapshot."""
        return self.records.uncommitted_ops()

    def state_at_seq(self, seq: int) -> State:
        """The state after the first ``seq`` ops of the log."""
        return self.records.state_at_seq(seq)

    def settings(self) -> Settings:
        """Project settings (version prefix, safety switches), as the store holds them now."""
        return self.records.current().settings()

    def environments(self) -> dict[str, Environment]:
        """Every environment of the project, by name, as the store holds them now."""
        return self.records.current().environments()

    def environment(self, name: str) -> Environment:
        """One environment, as the store holds it now (another process may have changed it)."""
        return self.records.current().environment(name)

    # ------------------------------------------------------------------------------------------------
    # recording
    # ------------------------------------------------------------------------------------------------
    @contextmanager
    def batch(self: _P) -> Iterator[_P]:
        """Group ops into one commit. If the block raises, nothing is recorded."""
        with self._lock:
            if self._pending is not None:
                yield self  # nested batch: part of the outer one
                return
            self.refresh()
            self._pending = []
            self._pending_builder = self.records.builder.fork()
            self._pending_sql = set()
        try:
            yield self
            pending, authored = self._pending, self._pending_sql
        finally:
            self._pending = None
            self._pending_builder = None
            self._pending_sql = set()
        if pending:
            self._commit(pending, check_names=authored)

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
        return self.records.builder

    def _apply_pending(self, op: Op) -> None:
        assert self._pending_builder is not None and self._pending is not None
        self._pending.extend(self._pending_builder.record(op))  # the UC rules, then the op

    def _emit(self, kind: str, target: str, payload: dict[str, Any]) -> str:
        op = Op.new(kind, target, payload, author=self.author)
        authored = kind in SQL_OP_KINDS
        if authored:  # the SQL a design call carries: refused now if it is wrong on its own
            sql_checks.check_text(op)
        with self._lock:
            if self._pending is not None:
                self._apply_pending(op)
                if authored:  # what it names: when the batch commits (a view may read a later one)
                    self._pending_sql.add(op.op_id)
            else:
                self._commit([op], check_names={op.op_id} if authored else ())
        return target

    def _commit(self, ops: list[Op], check_names: Collection[str] = ()) -> list[Op]:
        """Validate ``ops`` on the latest state and append them; retry on a concurrent writer's commit.
        ``check_names``: the ids of the ops whose SQL must name only what the state then holds
        (:func:`schemax.core.sql_checks.check_names`, after all of ``ops``)."""
        with self._lock:
            for attempt in range(1, MAX_COMMIT_ATTEMPTS + 1):
                fork = self.records.builder.fork()
                ops = [x for op in ops for x in fork.record(op)]  # ValidationError: nothing recorded
                for op in ops:
                    if op.op_id in check_names:  # SqlDefinitionError: nothing recorded
                        sql_checks.check_names(fork, op, applied=True)
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
                self.records.appended(records, fork)
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


__all__ = ["MAX_COMMIT_ATTEMPTS", "Column", "ProgressCallback", "ProjectBase", "resolve_author"]
