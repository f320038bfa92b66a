"""The state builder: mutable maps of immutable objects, the op-kind -> handler registry, and ``replay``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from pydantic import ValidationError as PydanticValidationError

from schemax.core import kinds as _kinds
from schemax.core import ops as o
from schemax.core import uc_rules
from schemax.core.model import (
    EMPTY_STATE,
    Catalog,
    Column,
    Constraint,
    Function,
    Schema,
    State,
    Table,
    View,
    Volume,
    kind_of_id,
)
from schemax.core.names import InvalidIdentifierError
from schemax.core.types import TypeParseError
from schemax.errors import ValidationError

P = TypeVar("P", bound=o.Payload)
Handler = Callable[["StateBuilder", o.Op, Any], None]
_HANDLERS: dict[str, Handler] = {}

# Keys Spark and Databricks refuse in SET TBLPROPERTIES (they are set by their own clauses: OWNER TO,
# LOCATION, USING, COMMENT, ...). Keys are case-sensitive there, so the check is too.
ENGINE_RESERVED_PROPERTIES = frozenset({"owner", "location", "provider", "external", "is_managed_location",
                                        "collation", "comment"})
MAX_TAG_KEY = uc_rules.MAX_TAG_KEY
MAX_TAG_VALUE = uc_rules.MAX_TAG_VALUE
KEY_KINDS = ("primary_key", "foreign_key")  # constraint kinds Unity Catalog names per schema (UC-16)


class Reject(Exception):
    """Raised inside a handler; turned into ValidationError(op, reason) by the builder."""


def handles(*kinds: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for kind in kinds:
            if kind not in o.OP_PAYLOADS:
                raise AssertionError(f"unknown op kind {kind}")
            _HANDLERS[kind] = fn
        return fn

    return register


TOP_LEVEL = _kinds.top_level()
# the namespaces of a schema's children, in lookup order (tables and views share one: UC has one relation
# namespace per schema)
CHILD_NAMESPACES = tuple(dict.fromkeys(k.name_namespace for k in _kinds.schema_children()))
# schema children holding nothing: dropped by one generic handler
LEAF_CHILDREN = tuple(k for k in _kinds.schema_children() if not _kinds.children_of(k.name))


def parent_of(obj: Any, kind: _kinds.ObjectKind) -> str:
    """The id of the object's parent ("" for a catalog): the first part of the key its name is held by."""
    return getattr(obj, kind.parent_key) if kind.parent_key else ""  # type: ignore[no-any-return]


class StateBuilder:
    """Mutable working copy of a :class:`State`; ``apply`` validates and applies one op."""

    # one map per top-level kind (schemax.core.kinds), named like the State field
    catalogs: dict[str, Catalog]
    schemas: dict[str, Schema]
    tables: dict[str, Table]
    views: dict[str, View]
    volumes: dict[str, Volume]
    functions: dict[str, Function]

    def __init__(self, base: State = EMPTY_STATE) -> None:
        for k in TOP_LEVEL:
            setattr(self, k.state_field, dict(getattr(base, k.state_field)))
        self._col_owner: dict[str, str] = {}
        self._con_owner: dict[str, str] = {}
        self._names: dict[tuple[str, str, str], str] = {}
        # (schema id, lower-cased name) -> ids of the PRIMARY/FOREIGN KEY constraints named so in the
        # schema (a tuple: an old log may hold two, which only the rules refuse)
        self._key_names: dict[tuple[str, str], tuple[str, ...]] = {}
        for k in TOP_LEVEL:
            for obj in getattr(self, k.state_field).values():
                self._names[(parent_of(obj, k), k.name_namespace, obj.name.lower())] = obj.id
        for t in self.tables.values():
            for col in t.columns:
                self._col_owner[col.id] = t.id
            for con in t.constraints:
                self._con_owner[con.id] = t.id
                self.index_key(t, con)

    # -- copying -------------------------------------------------------------------------------------
    def fork(self) -> StateBuilder:
        """An independent builder with the same content (cheap: shallow map copies)."""
        other = StateBuilder.__new__(StateBuilder)
        for k in TOP_LEVEL:
            setattr(other, k.state_field, dict(getattr(self, k.state_field)))
        other._col_owner = dict(self._col_owner)
        other._con_owner = dict(self._con_owner)
        other._names = dict(self._names)
        other._key_names = dict(self._key_names)
        return other

    def build(self) -> State:
        maps: dict[str, Any] = {k.state_field: dict(getattr(self, k.state_field)) for k in TOP_LEVEL}
        return State.model_construct(**maps)

    # -- applying ------------------------------------------------------------------------------------
    def apply(self, op: o.Op) -> None:
        spec = o.OP_PAYLOADS.get(op.kind)
        if spec is None:
            raise ValidationError(op, f"unknown op kind {op.kind!r}")
        try:
            payload = spec[1].model_validate(op.payload)
        except PydanticValidationError as exc:
            raise ValidationError(op, f"bad payload: {_pydantic_reason(exc)}") from None
        target_kind = spec[0]
        actual_kind = kind_of_id(op.target)
        if target_kind == "securable":
            if actual_kind not in o.SECURABLE_KINDS:
                raise ValidationError(op, f"target {op.target!r} is not a securable object id")
        elif actual_kind != target_kind:
            raise ValidationError(op, f"target {op.target!r} is not a {target_kind} id")
        try:
            _HANDLERS[op.kind](self, op, payload)
        except Reject as exc:
            raise ValidationError(op, str(exc)) from None
        except (InvalidIdentifierError, TypeParseError) as exc:
            raise ValidationError(op, str(exc)) from None

    def apply_all(self, ops: Iterable[o.Op]) -> StateBuilder:
        for op in ops:
            self.apply(op)
        return self

    def record(self, op: o.Op) -> list[o.Op]:
        """Check a *new* op against the Unity Catalog rules, then apply it; returns the ops to record.

        The path every op the Project API records goes through (replay of recorded ops uses
        :meth:`apply`). Usually ``[op]``; a grant of ALL PRIVILEGES to a principal holding single
        privileges is recorded as ``[revoke of those, op]`` so the state holds ALL PRIVILEGES alone
        (rule ``all-privileges-alone``). A refused op raises
        :class:`~schemax.errors.RuleViolationError` (or ValidationError) and leaves the builder untouched.
        """
        ops = uc_rules.check_op(self, op)
        if len(ops) == 1:
            self.apply(ops[0])
            return ops
        trial = self.fork()  # several ops apply together or not at all
        trial.apply_all(ops)
        self.__dict__.update(trial.__dict__)
        return ops

    # -- what the rules read (schemax.core.uc_rules.Working) -------------------------------------------
    def current(self, object_id: str) -> Any | None:
        """The object with this id (a column too), or None."""
        kind = _kinds.kind_of_id(object_id)
        if kind is _kinds.COLUMN:
            table = self.tables.get(self._col_owner.get(object_id, ""))
            return next((c for c in table.columns if c.id == object_id), None) if table else None
        if kind is None or kind.field is None:
            return None
        return getattr(self, kind.field).get(object_id)

    def key_constraint_owner(self, schema_id: str, name: str) -> str | None:
        """The id of a table in ``schema_id`` holding a PRIMARY/FOREIGN KEY named ``name`` (any case)."""
        holders = self._key_names.get((schema_id, name.lower()), ())
        return self._con_owner.get(holders[0]) if holders else None

    def index_key(self, table: Table, con: Constraint) -> None:
        if con.kind in KEY_KINDS:
            key = (table.schema_id, con.name.lower())
            self._key_names[key] = (*self._key_names.get(key, ()), con.id)

    def unindex_key(self, table: Table, con: Constraint) -> None:
        key = (table.schema_id, con.name.lower())
        held = tuple(c for c in self._key_names.get(key, ()) if c != con.id)
        if held:
            self._key_names[key] = held
        else:
            self._key_names.pop(key, None)

    # -- lookups used by handlers ------------------------------------------------------------------
    def exists(self, object_id: str) -> bool:
        kind = _kinds.kind_of_id(object_id)
        if kind is _kinds.COLUMN:
            return object_id in self._col_owner
        if kind is _kinds.CONSTRAINT:
            return object_id in self._con_owner
        return kind is not None and kind.field is not None and object_id in getattr(self, kind.field)

    def obj(self, object_id: str) -> Any:
        kind = _kinds.kind_of_id(object_id)
        found = getattr(self, kind.field).get(object_id) if kind is not None and kind.field else None
        if found is None:
            raise Reject(f"unknown target {object_id!r}")
        return found

    def objects_of(self, object_id: str) -> dict[str, Any]:
        """The map holding the top-level object ``object_id`` (KeyError for any other id)."""
        kind = _kinds.kind_of_id(object_id)
        if kind is None or kind.field is None:
            raise KeyError(object_id)
        return getattr(self, kind.field)  # type: ignore[no-any-return]

    def put(self, obj: Any) -> None:
        self.objects_of(obj.id)[obj.id] = obj

    def table_of_column(self, column_id: str) -> tuple[Table, Column, int]:
        table_id = self._col_owner.get(column_id)
        if table_id is None:
            raise Reject(f"unknown column {column_id!r}")
        table = self.tables[table_id]
        for i, col in enumerate(table.columns):
            if col.id == column_id:
                return table, col, i
        raise Reject(f"unknown column {column_id!r}")  # pragma: no cover - index and table disagree

    def table(self, table_id: str) -> Table:
        t = self.tables.get(table_id)
        if t is None:
            raise Reject(f"unknown table {table_id!r}")
        return t

    def claim_name(self, parent: str, namespace: str, name: str, object_id: str, what: str) -> None:
        key = (parent, namespace, name.lower())
        holder = self._names.get(key)
        if holder is not None and holder != object_id:
            raise Reject(f"{what} named {name!r} already exists")

    def set_name(self, parent: str, namespace: str, old: str | None, new: str, object_id: str) -> None:
        if old is not None:
            self.forget_name(parent, namespace, old)
        self._names[(parent, namespace, new.lower())] = object_id

    def forget_name(self, parent: str, namespace: str, name: str) -> None:
        self._names.pop((parent, namespace, name.lower()), None)

    def find(self, parts: list[str] | tuple[str, ...], kinds: tuple[str, ...] = ()) -> str | None:
        """Resolve logical name parts (case-insensitive) to an id, like ``State.find`` but O(1)."""
        low = [p.lower() for p in parts]
        if not 1 <= len(low) <= 4:
            return None
        cat = self._names.get(("", "catalog", low[0]))
        if cat is None or len(low) == 1:
            return cat
        sch = self._names.get((cat, "schema", low[1]))
        if sch is None or len(low) == 2:
            return sch
        if len(low) == 3:
            for ns in CHILD_NAMESPACES:
                found = self._names.get((sch, ns, low[2]))
                if found is not None and (not kinds or kind_of_id(found) in kinds):
                    return found
            return None
        table_id = self._names.get((sch, _kinds.TABLE.name_namespace, low[2]))
        table = self.tables.get(table_id or "")
        col = table.column_named(parts[3]) if table else None
        return col.id if col else None

    def require_new(self, object_id: str) -> None:
        if self.exists(object_id):
            raise Reject(f"object id {object_id!r} already exists")

    def drop_names_under(self, parent_ids: set[str]) -> None:
        for key in [k for k in self._names if k[0] in parent_ids]:
            del self._names[key]


def replay(ops: Iterable[o.Op], base: State = EMPTY_STATE) -> State:
    """Fold ``ops`` over ``base`` (default: the empty state). Raises ValidationError on the first bad op."""
    return StateBuilder(base).apply_all(ops).build()


def _pydantic_reason(exc: PydanticValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"]) or "payload"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)
