"""Applying ops to a state: the one interpreter that gives ops their meaning.

``replay(ops)`` is a pure fold from the empty state. Internally a :class:`StateBuilder` holds mutable maps
of immutable objects so that 100,000 ops replay in linear time; every handler validates the op completely
before it changes anything, so a rejected op leaves the builder exactly as it was.

Replay gives every op, old logs included, the meaning it had when it was recorded. The Unity Catalog
rules (:mod:`schemax.core.uc_rules`) are checked on top when a *new* op is recorded
(:meth:`StateBuilder.record`), so a rule added later never changes the state an existing log replays to.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from pydantic import ValidationError as PydanticValidationError

from schemax.core import kinds as _kinds
from schemax.core import ops as o
from schemax.core import tracking, uc_rules
from schemax.core.model import (
    EMPTY_STATE,
    Catalog,
    Column,
    ColumnMask,
    Constraint,
    Function,
    Identity,
    RowFilter,
    Schema,
    State,
    Table,
    View,
    Volume,
    kind_of_id,
)
from schemax.core.names import InvalidIdentifierError, validate_column_name, validate_object_name
from schemax.core.registry import require_complete
from schemax.core.types import TypeParseError, normalize_type
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
_KEY_KINDS = ("primary_key", "foreign_key")  # constraint kinds Unity Catalog names per schema (UC-16)


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


_TOP_LEVEL = _kinds.top_level()
# the namespaces of a schema's children, in lookup order (tables and views share one: UC has one relation
# namespace per schema)
_CHILD_NAMESPACES = tuple(dict.fromkeys(k.name_namespace for k in _kinds.schema_children()))
# schema children holding nothing: dropped by one generic handler
_LEAF_CHILDREN = tuple(k for k in _kinds.schema_children() if not _kinds.children_of(k.name))


def _parent_of(obj: Any, kind: _kinds.ObjectKind) -> str:
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
        for k in _TOP_LEVEL:
            setattr(self, k.state_field, dict(getattr(base, k.state_field)))
        self._col_owner: dict[str, str] = {}
        self._con_owner: dict[str, str] = {}
        self._names: dict[tuple[str, str, str], str] = {}
        # (schema id, lower-cased name) -> ids of the PRIMARY/FOREIGN KEY constraints named so in the
        # schema (a tuple: an old log may hold two, which only the rules refuse)
        self._key_names: dict[tuple[str, str], tuple[str, ...]] = {}
        for k in _TOP_LEVEL:
            for obj in getattr(self, k.state_field).values():
                self._names[(_parent_of(obj, k), k.name_namespace, obj.name.lower())] = obj.id
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
        for k in _TOP_LEVEL:
            setattr(other, k.state_field, dict(getattr(self, k.state_field)))
        other._col_owner = dict(self._col_owner)
        other._con_owner = dict(self._con_owner)
        other._names = dict(self._names)
        other._key_names = dict(self._key_names)
        return other

    def build(self) -> State:
        maps: dict[str, Any] = {k.state_field: dict(getattr(self, k.state_field)) for k in _TOP_LEVEL}
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
        if con.kind in _KEY_KINDS:
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
            for ns in _CHILD_NAMESPACES:
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


# ---------------------------------------------------------------------------------------------------
# validation helpers
# ---------------------------------------------------------------------------------------------------


def _check_comment(comment: str | None) -> None:
    if comment is not None and "\x00" in comment:
        raise Reject("comment contains a NUL character")


def _check_properties(props: dict[str, str] | list[str], *, user: bool = True) -> None:
    for key in props:
        if not key or key != key.strip() or any(ch in key for ch in "\x00\n\r"):
            raise Reject(f"invalid property key {key!r}")
        if user and tracking.is_reserved(key):
            raise Reject(f"property {key!r} is reserved for schemax's version tracking")
        if key in ENGINE_RESERVED_PROPERTIES:
            raise Reject(f"property {key!r} is reserved by the engine; it is set through its own clause "
                         "(a comment, an owner grant, a location), not as a table property")
    if isinstance(props, dict):
        for key, value in props.items():
            if "\x00" in value:
                raise Reject(f"property {key!r} has a NUL character")


def _check_tags(tags: dict[str, str] | list[str]) -> None:
    # what replay has always refused; UC's character rules and tag limit are checked on record
    problem = uc_rules.basic_tag_problem(tags)
    if problem:
        raise Reject(problem)


def _column_ids_of(table: Table, ids: Iterable[str], what: str) -> tuple[str, ...]:
    known = {c.id for c in table.columns}
    out = tuple(ids)
    for cid in out:
        if cid not in known:
            raise Reject(f"{what}: column {cid!r} is not a column of table {table.name!r}")
    if len(set(out)) != len(out):
        raise Reject(f"{what}: a column is listed twice")
    return out


def _references_to_column(b: StateBuilder, table: Table, column_id: str) -> list[str]:
    uses = []
    if column_id in table.partition_by:
        uses.append("partitioning")
    if column_id in table.cluster_by:
        uses.append("clustering")
    for con in table.constraints:
        if column_id in con.columns:
            uses.append(f"constraint {con.name}")
    if table.row_filter and column_id in table.row_filter.columns:
        uses.append("row filter")
    for col in table.columns:
        if col.mask and column_id in col.mask.using_columns and col.id != column_id:
            uses.append(f"mask of column {col.name}")
    uses += _generation_users(table, column_id)
    for other in b.tables.values():
        for con in other.constraints:
            if con.kind == "foreign_key" and con.ref_table == table.id and column_id in con.ref_columns:
                uses.append(f"foreign key {other.name}.{con.name}")
    return uses


def _generation_users(table: Table, column_id: str) -> list[str]:
    """The generated columns whose expression names ``column_id``'s column (issue 11): the expression is SQL
    text naming columns, so the column can be neither dropped nor renamed under it."""
    target = table.column(column_id)
    if target is None:
        return []
    word = re.compile(rf"(?<![\w`])(?:{re.escape(target.name)}|`{re.escape(target.name)}`)(?![\w`])", re.I)
    return [f"generated column {c.name}" for c in table.columns
            if c.generated is not None and c.id != column_id and word.search(c.generated)]


def _check_new(b: StateBuilder, op: o.Op, name: str, kind: str, parent: str, parent_kind: str) -> None:
    """What every op creating a named object below a catalog or schema checks first: the id is new, the
    parent exists and the name is valid."""
    b.require_new(op.target)
    if parent not in getattr(b, _kinds.kind(parent_kind).state_field):
        raise Reject(f"unknown {parent_kind} {parent!r}")
    validate_object_name(name, kind)


def _without(current: dict[str, str], keys: list[str], what: str) -> dict[str, str]:
    """``current`` less ``keys``, every one of which must be set (UNSET properties / UNSET TAGS)."""
    missing = [k for k in keys if k not in current]
    if not keys or missing:
        raise Reject(f"{what} not set: {missing or '(none given)'}")
    return {k: v for k, v in current.items() if k not in keys}


def _make_column(spec: o.ColumnSpec | o.AddColumn, column_id: str) -> Column:
    validate_column_name(spec.name)
    _check_comment(spec.comment)
    tags = getattr(spec, "tags", {}) or {}
    _check_tags(tags)
    ctype = normalize_type(spec.type)
    identity = _identity(spec, ctype)
    if spec.generated is not None and not spec.generated.strip():
        raise Reject(f"column {spec.name!r}: a generated column needs an expression")
    if spec.generated is not None and spec.default is not None:
        raise Reject(f"column {spec.name!r} cannot be both generated and have a DEFAULT")
    return Column.trusted(
        id=column_id,
        name=spec.name,
        type=ctype,
        nullable=spec.nullable,
        comment=spec.comment,
        default=spec.default,
        tags=dict(tags),
        mask=None,
        generated=spec.generated,
        identity=identity,
    )


# Identity columns (issue 11): BIGINT only, never with a generation expression or a DEFAULT, a step other
# than 0 (https://books.japila.pl/delta-lake-internals/identity-columns, Delta's checks), and "defined at
# the table creating time, it cannot be added to an existing table"
# (https://learn.microsoft.com/en-us/azure/databricks/delta/generated-columns#--use-identity-columns-in-delta-lake).
def _identity(spec: o.ColumnSpec | o.AddColumn, ctype: str) -> Identity | None:
    if spec.identity is None:
        return None
    if ctype != "BIGINT":
        raise Reject(f"identity column {spec.name!r} must be BIGINT, not {ctype}")
    if spec.generated is not None or spec.default is not None:
        raise Reject(f"identity column {spec.name!r} cannot also have a generation expression or a DEFAULT")
    if spec.identity.step == 0:
        raise Reject(f"identity column {spec.name!r}: INCREMENT BY cannot be 0")
    return Identity(always=spec.identity.always, start=spec.identity.start, step=spec.identity.step)


def _check_privileges(privileges: list[str]) -> tuple[str, ...]:
    # a privilege UC knows on some securable; which securable takes which is checked on record
    privs, problem = uc_rules.known_privileges(privileges)
    if problem:
        raise Reject(problem)
    return privs


# ---------------------------------------------------------------------------------------------------
# catalogs and schemas
# ---------------------------------------------------------------------------------------------------


@handles("create_catalog")
def _create_catalog(b: StateBuilder, op: o.Op, p: o.CreateCatalog) -> None:
    b.require_new(op.target)
    validate_object_name(p.name, "catalog")
    _check_comment(p.comment)
    _check_properties(p.properties)
    b.claim_name("", "catalog", p.name, op.target, "catalog")
    b.catalogs[op.target] = Catalog(
        id=op.target, name=p.name, comment=p.comment, managed_location=p.managed_location,
        properties=dict(p.properties),
    )
    b.set_name("", "catalog", None, p.name, op.target)


@handles("create_schema")
def _create_schema(b: StateBuilder, op: o.Op, p: o.CreateSchema) -> None:
    _check_new(b, op, p.name, "schema", p.catalog_id, "catalog")
    _check_comment(p.comment)
    _check_properties(p.properties)
    b.claim_name(p.catalog_id, "schema", p.name, op.target, "schema")
    b.schemas[op.target] = Schema(
        id=op.target, catalog_id=p.catalog_id, name=p.name, comment=p.comment,
        managed_location=p.managed_location, properties=dict(p.properties),
    )
    b.set_name(p.catalog_id, "schema", None, p.name, op.target)


def _parent_and_namespace(b: StateBuilder, obj: Any) -> tuple[str, str]:
    kind = _kinds.kind_of_id(obj.id)
    assert kind is not None  # obj came from b.obj
    return _parent_of(obj, kind), kind.name_namespace


@handles(*(f"rename_{k.name}" for k in _TOP_LEVEL if k.renamable))
def _rename(b: StateBuilder, op: o.Op, p: o.Rename) -> None:
    obj = b.obj(op.target)
    kind = kind_of_id(op.target) or ""
    validate_object_name(p.name, kind)
    if p.name == obj.name:
        raise Reject(f"{kind} is already named {p.name!r}")
    parent, ns = _parent_and_namespace(b, obj)
    b.claim_name(parent, ns, p.name, op.target, kind)
    b.put(obj.evolve(name=p.name))
    b.set_name(parent, ns, obj.name, p.name, op.target)


@handles(*(f"set_{k.name}_comment" for k in _TOP_LEVEL if k.has_comment))
def _set_comment(b: StateBuilder, op: o.Op, p: o.SetComment) -> None:
    obj = b.obj(op.target)
    _check_comment(p.comment)
    b.put(obj.evolve(comment=p.comment))


@handles("drop_catalog")
def _drop_catalog(b: StateBuilder, op: o.Op, p: o.Empty) -> None:
    cat = b.obj(op.target)
    schema_ids = {s.id for s in b.schemas.values() if s.catalog_id == cat.id}
    _drop_schemas(b, schema_ids)
    del b.catalogs[cat.id]
    b.forget_name("", "catalog", cat.name)


@handles("drop_schema")
def _drop_schema(b: StateBuilder, op: o.Op, p: o.Empty) -> None:
    sch = b.obj(op.target)
    _drop_schemas(b, {sch.id})


def _drop_schemas(b: StateBuilder, schema_ids: set[str]) -> None:
    table_ids = {t.id for t in b.tables.values() if t.schema_id in schema_ids}
    _check_no_foreign_refs(b, table_ids)
    for tid in table_ids:
        _forget_table(b, b.tables[tid])
    for k in _LEAF_CHILDREN:
        objs = getattr(b, k.state_field)
        for oid in [x.id for x in objs.values() if _parent_of(x, k) in schema_ids]:
            del objs[oid]
    b.drop_names_under(schema_ids)
    for sid in schema_ids:
        sch = b.schemas.pop(sid)
        b.forget_name(sch.catalog_id, "schema", sch.name)


def _check_no_foreign_refs(b: StateBuilder, table_ids: set[str]) -> None:
    for other in b.tables.values():
        if other.id in table_ids:
            continue
        for con in other.constraints:
            if con.kind == "foreign_key" and con.ref_table in table_ids:
                target = b.tables[con.ref_table].name
                raise Reject(f"table {target!r} is referenced by foreign key {other.name}.{con.name}")


def _forget_table(b: StateBuilder, table: Table) -> None:
    for col in table.columns:
        b._col_owner.pop(col.id, None)
    for con in table.constraints:
        b._con_owner.pop(con.id, None)
        b.unindex_key(table, con)
    del b.tables[table.id]


# ---------------------------------------------------------------------------------------------------
# tables
# ---------------------------------------------------------------------------------------------------


@handles("create_table")
def _create_table(b: StateBuilder, op: o.Op, p: o.CreateTable) -> None:
    _check_new(b, op, p.name, "table", p.schema_id, "schema")
    _check_comment(p.comment)
    _check_properties(p.properties)
    _check_tags(p.tags)
    if not p.columns:
        raise Reject("a table needs at least one column")
    columns = []
    seen: set[str] = set()
    seen_names: set[str] = set()
    for spec in p.columns:
        if kind_of_id(spec.id) != "column":
            raise Reject(f"{spec.id!r} is not a column id")
        if spec.id in seen or b.exists(spec.id):
            raise Reject(f"column id {spec.id!r} is not new")
        if spec.name.lower() in seen_names:
            raise Reject(f"column named {spec.name!r} appears twice")
        seen.add(spec.id)
        seen_names.add(spec.name.lower())
        columns.append(_make_column(spec, spec.id))
    if p.table_type == "EXTERNAL" and not p.location:
        raise Reject("an external table needs a location")
    b.claim_name(p.schema_id, "relation", p.name, op.target, "table or view")
    table = Table(
        id=op.target, schema_id=p.schema_id, name=p.name, table_type=p.table_type, format=p.format.upper(),
        location=p.location, comment=p.comment, columns=tuple(columns), properties=dict(p.properties),
        tags=dict(p.tags),
    )
    partition = _column_ids_of(table, p.partition_by, "partition_by")
    cluster = _column_ids_of(table, p.cluster_by, "cluster_by")
    if partition and (cluster or p.cluster_auto):
        raise Reject("a table cannot be both partitioned and clustered")
    if cluster and p.cluster_auto:
        raise Reject("CLUSTER BY AUTO takes no clustering columns")
    if partition and len(partition) == len(columns):
        raise Reject("a table needs at least one column that is not a partition column")
    table = table.evolve(partition_by=partition, cluster_by=cluster, cluster_auto=p.cluster_auto)
    b.tables[op.target] = table
    for col in columns:
        b._col_owner[col.id] = op.target
    b.set_name(p.schema_id, "relation", None, p.name, op.target)


@handles("drop_table")
def _drop_table(b: StateBuilder, op: o.Op, p: o.Empty) -> None:
    table = b.table(op.target)
    _check_no_foreign_refs(b, {table.id})
    _forget_table(b, table)
    b.forget_name(table.schema_id, "relation", table.name)


@handles(*(f"set_{k.name}_properties" for k in _kinds.KINDS if k.has_properties))
def _set_properties(b: StateBuilder, op: o.Op, p: o.SetProperties) -> None:
    obj = b.obj(op.target)
    if not p.properties:
        raise Reject("no properties given")
    _check_properties(p.properties)
    b.put(obj.evolve(properties={**obj.properties, **p.properties}))


@handles(*(f"unset_{k.name}_properties" for k in _kinds.KINDS if k.has_properties))
def _unset_properties(b: StateBuilder, op: o.Op, p: o.UnsetProperties) -> None:
    obj = b.obj(op.target)
    b.put(obj.evolve(properties=_without(obj.properties, p.keys, "properties")))


@handles("set_cluster_by", "set_partition_by")
def _set_layout(b: StateBuilder, op: o.Op, p: o.SetColumns) -> None:
    table = b.table(op.target)
    field, other = (
        ("cluster_by", "partition_by") if op.kind == "set_cluster_by" else ("partition_by", "cluster_by")
    )
    cols = _column_ids_of(table, p.columns, field)
    if p.auto and (field != "cluster_by" or cols):
        raise Reject("AUTO is a clustering without columns (set_cluster_by only)")
    if (cols or p.auto) and getattr(table, other):
        raise Reject(f"table has {other.replace('_by', 'ing')}; clear it first")
    if field == "partition_by" and cols and table.cluster_auto:
        raise Reject("table has clustering; clear it first")
    if field == "partition_by" and cols and len(cols) == len(table.columns):
        raise Reject("a table needs at least one column that is not a partition column")
    changes: dict[str, Any] = {field: cols}
    if field == "cluster_by":
        changes["cluster_auto"] = p.auto
    b.tables[table.id] = table.evolve(**changes)


@handles("set_row_filter")
def _set_row_filter(b: StateBuilder, op: o.Op, p: o.SetRowFilter) -> None:
    table = b.table(op.target)
    if not p.function.strip():
        raise Reject("row filter needs a function name")
    cols = _column_ids_of(table, p.columns, "row filter")
    b.tables[table.id] = table.evolve(row_filter=RowFilter(function=p.function, columns=cols))


@handles("drop_row_filter")
def _drop_row_filter(b: StateBuilder, op: o.Op, p: o.Empty) -> None:
    table = b.table(op.target)
    if table.row_filter is None:
        raise Reject("table has no row filter")
    b.tables[table.id] = table.evolve(row_filter=None)


@handles("reorder_columns")
def _reorder(b: StateBuilder, op: o.Op, p: o.ReorderColumns) -> None:
    table = b.table(op.target)
    if sorted(p.order) != sorted(c.id for c in table.columns):
        raise Reject("order must list every column of the table exactly once")
    by_id = {c.id: c for c in table.columns}
    b.tables[table.id] = table.evolve(columns=tuple(by_id[i] for i in p.order))


# ---------------------------------------------------------------------------------------------------
# columns
# ---------------------------------------------------------------------------------------------------


@handles("add_column")
def _add_column(b: StateBuilder, op: o.Op, p: o.AddColumn) -> None:
    b.require_new(op.target)
    table = b.table(p.table_id)
    if table.column_named(p.name) is not None:
        raise Reject(f"column named {p.name!r} already exists in {table.name!r}")
    if p.identity is not None:  # defined when the table is created only (see _identity)
        raise Reject(f"identity column {p.name!r} cannot be added to an existing table: identity columns are "
                     "defined when the table is created (https://learn.microsoft.com/en-us/azure/databricks/"
                     "delta/generated-columns#--use-identity-columns-in-delta-lake)")
    if p.generated is not None:  # ADD COLUMNS takes no GENERATED clause
        raise Reject(f"generated column {p.name!r} cannot be added to an existing table: ALTER TABLE ADD "
                     "COLUMNS has no GENERATED clause (https://docs.databricks.com/sql/language-manual/"
                     "sql-ref-syntax-ddl-alter-table-manage-column.html)")
    col = _make_column(p, op.target)
    cols = list(table.columns)
    if p.after is None:
        cols.append(col)
    elif p.after == "FIRST":
        cols.insert(0, col)
    else:
        idx = next((i for i, c in enumerate(cols) if c.id == p.after), None)
        if idx is None:
            raise Reject(f"after: {p.after!r} is not a column of {table.name!r}")
        cols.insert(idx + 1, col)
    b.tables[table.id] = table.evolve(columns=tuple(cols))
    b._col_owner[col.id] = table.id


def _replace_column(b: StateBuilder, table: Table, index: int, col: Column) -> None:
    cols = list(table.columns)
    cols[index] = col
    b.tables[table.id] = table.evolve(columns=tuple(cols))


@handles("rename_column")
def _rename_column(b: StateBuilder, op: o.Op, p: o.Rename) -> None:
    table, col, i = b.table_of_column(op.target)
    validate_column_name(p.name)
    if p.name == col.name:
        raise Reject(f"column is already named {p.name!r}")
    clash = table.column_named(p.name)
    if clash is not None and clash.id != col.id:
        raise Reject(f"column named {p.name!r} already exists in {table.name!r}")
    users = _generation_users(table, col.id)
    if users:
        raise Reject(f"column {col.name!r} is used by {', '.join(users)}: its expression names the column")
    _replace_column(b, table, i, col.evolve(name=p.name))


@handles("drop_column")
def _drop_column(b: StateBuilder, op: o.Op, p: o.Empty) -> None:
    table, col, i = b.table_of_column(op.target)
    if len(table.columns) == 1:
        raise Reject(f"cannot drop the only column of {table.name!r}")
    uses = _references_to_column(b, table, col.id)
    if uses:
        raise Reject(f"column {col.name!r} is used by {', '.join(uses)}")
    if table.partition_by and len(table.partition_by) == len(table.columns) - 1:
        raise Reject(f"dropping {col.name!r} would leave only partition columns in {table.name!r}")
    cols = list(table.columns)
    del cols[i]
    b.tables[table.id] = table.evolve(columns=tuple(cols))
    del b._col_owner[col.id]


@handles("change_column_type")
def _change_type(b: StateBuilder, op: o.Op, p: o.ChangeColumnType) -> None:
    table, col, i = b.table_of_column(op.target)
    new_type = normalize_type(p.type)
    if new_type == col.type:
        raise Reject(f"column {col.name!r} already has type {new_type}")
    if col.identity is not None or col.generated is not None:  # defined with the table only (issue 11)
        raise Reject(f"column {col.name!r} is an identity or generated column: its type cannot change")
    _replace_column(b, table, i, col.evolve(type=new_type))


@handles("set_column_nullable")
def _set_nullable(b: StateBuilder, op: o.Op, p: o.SetColumnNullable) -> None:
    table, col, i = b.table_of_column(op.target)
    if p.nullable == col.nullable:
        raise Reject(f"column {col.name!r} is already {'NULL' if col.nullable else 'NOT NULL'}")
    if p.nullable and any(
        con.kind == "primary_key" and col.id in con.columns for con in table.constraints
    ):
        raise Reject(f"column {col.name!r} is part of a primary key and must stay NOT NULL")
    _replace_column(b, table, i, col.evolve(nullable=p.nullable))


@handles("set_column_comment")
def _set_column_comment(b: StateBuilder, op: o.Op, p: o.SetComment) -> None:
    table, col, i = b.table_of_column(op.target)
    _check_comment(p.comment)
    _replace_column(b, table, i, col.evolve(comment=p.comment))


@handles("set_column_default")
def _set_column_default(b: StateBuilder, op: o.Op, p: o.SetColumnDefault) -> None:
    table, col, i = b.table_of_column(op.target)
    if p.default is not None and not p.default.strip():
        raise Reject("default expression is empty")
    if p.default is not None and (col.identity is not None or col.generated is not None):
        raise Reject(f"column {col.name!r} is an identity or generated column: it takes no DEFAULT")
    _replace_column(b, table, i, col.evolve(default=p.default))


@handles("set_column_mask")
def _set_mask(b: StateBuilder, op: o.Op, p: o.SetColumnMask) -> None:
    table, col, i = b.table_of_column(op.target)
    if not p.function.strip():
        raise Reject("column mask needs a function name")
    using = _column_ids_of(table, p.using_columns, "mask using_columns")
    _replace_column(b, table, i, col.evolve(mask=ColumnMask(function=p.function, using_columns=using)))


@handles("drop_column_mask")
def _drop_mask(b: StateBuilder, op: o.Op, p: o.Empty) -> None:
    table, col, i = b.table_of_column(op.target)
    if col.mask is None:
        raise Reject(f"column {col.name!r} has no mask")
    _replace_column(b, table, i, col.evolve(mask=None))


# ---------------------------------------------------------------------------------------------------
# constraints
# ---------------------------------------------------------------------------------------------------


def _add_constraint(b: StateBuilder, op: o.Op, table: Table, con: Constraint) -> None:
    b.require_new(op.target)
    validate_object_name(con.name, "constraint")
    if any(c.name.lower() == con.name.lower() for c in table.constraints):
        raise Reject(f"constraint named {con.name!r} already exists on {table.name!r}")
    b.tables[table.id] = table.evolve(constraints=(*table.constraints, con))
    b._con_owner[con.id] = table.id
    b.index_key(table, con)


@handles("add_primary_key")
def _add_pk(b: StateBuilder, op: o.Op, p: o.AddPrimaryKey) -> None:
    table = b.table(p.table_id)
    if any(c.kind == "primary_key" for c in table.constraints):
        raise Reject(f"table {table.name!r} already has a primary key")
    cols = _column_ids_of(table, p.columns, "primary key")
    if not cols:
        raise Reject("a primary key needs at least one column")
    nullable = [c.name for c in table.columns if c.id in cols and c.nullable]
    if nullable:
        raise Reject(f"primary key columns must be NOT NULL: {nullable}")
    if p.timeseries is not None and p.timeseries not in cols:
        raise Reject(f"primary key: the TIMESERIES column {p.timeseries!r} is not one of its columns")
    # RELY / NOT ENFORCED / TIMESERIES:
    # https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-create-table-constraint.html
    pk = Constraint(
        id=op.target, name=p.name, kind="primary_key", columns=cols, rely=p.rely, not_enforced=p.not_enforced,
        timeseries=p.timeseries,
    )
    _add_constraint(b, op, table, pk)


@handles("add_foreign_key")
def _add_fk(b: StateBuilder, op: o.Op, p: o.AddForeignKey) -> None:
    table = b.table(p.table_id)
    ref = b.table(p.ref_table)
    cols = _column_ids_of(table, p.columns, "foreign key")
    ref_cols = _column_ids_of(ref, p.ref_columns, "foreign key references")
    if not cols or len(cols) != len(ref_cols):
        raise Reject("foreign key needs as many referenced columns as columns, at least one")
    pk = next((c for c in ref.constraints if c.kind == "primary_key"), None)
    if pk is None or set(pk.columns) != set(ref_cols):
        raise Reject(f"foreign key must reference the primary key of {ref.name!r}")
    fk = Constraint(
        id=op.target, name=p.name, kind="foreign_key", columns=cols, ref_table=ref.id, ref_columns=ref_cols,
        rely=p.rely,
    )
    _add_constraint(b, op, table, fk)


@handles("add_check_constraint")
def _add_check(b: StateBuilder, op: o.Op, p: o.AddCheckConstraint) -> None:
    table = b.table(p.table_id)
    if not p.expression.strip():
        raise Reject("check constraint needs an expression")
    check = Constraint(id=op.target, name=p.name, kind="check", expression=p.expression)
    _add_constraint(b, op, table, check)


@handles("drop_constraint")
def _drop_constraint(b: StateBuilder, op: o.Op, p: o.Empty) -> None:
    table_id = b._con_owner.get(op.target)
    if table_id is None:
        raise Reject(f"unknown constraint {op.target!r}")
    table = b.tables[table_id]
    con = next(c for c in table.constraints if c.id == op.target)
    if con.kind == "primary_key":
        for other in b.tables.values():
            for fk in other.constraints:
                if fk.kind == "foreign_key" and fk.ref_table == table.id:
                    raise Reject(f"primary key is referenced by foreign key {other.name}.{fk.name}")
    b.tables[table.id] = table.evolve(constraints=tuple(c for c in table.constraints if c.id != op.target))
    del b._con_owner[op.target]
    b.unindex_key(table, con)


# ---------------------------------------------------------------------------------------------------
# views, volumes, functions
# ---------------------------------------------------------------------------------------------------


def _check_definition(text: str, what: str) -> None:
    if not text.strip():
        raise Reject(f"{what} is empty")
    if "\x00" in text:
        raise Reject(f"{what} contains a NUL character")


@handles("create_view")
def _create_view(b: StateBuilder, op: o.Op, p: o.CreateView) -> None:
    _check_new(b, op, p.name, "view", p.schema_id, "schema")
    _check_definition(p.definition, "view definition")
    _check_comment(p.comment)
    _check_properties(p.properties)
    b.claim_name(p.schema_id, "relation", p.name, op.target, "table or view")
    b.views[op.target] = View(
        id=op.target, schema_id=p.schema_id, name=p.name, definition=p.definition.strip(), comment=p.comment,
        properties=dict(p.properties),
    )
    b.set_name(p.schema_id, "relation", None, p.name, op.target)


@handles("update_view_definition")
def _update_view(b: StateBuilder, op: o.Op, p: o.UpdateViewDefinition) -> None:
    view = b.obj(op.target)
    _check_definition(p.definition, "view definition")
    b.views[view.id] = view.evolve(definition=p.definition.strip())


@handles("create_volume")
def _create_volume(b: StateBuilder, op: o.Op, p: o.CreateVolume) -> None:
    _check_new(b, op, p.name, "volume", p.schema_id, "schema")
    _check_comment(p.comment)
    if p.volume_type == "EXTERNAL" and not p.location:
        raise Reject("an external volume needs a location")
    b.claim_name(p.schema_id, "volume", p.name, op.target, "volume")
    b.volumes[op.target] = Volume(
        id=op.target, schema_id=p.schema_id, name=p.name, volume_type=p.volume_type, location=p.location,
        comment=p.comment,
    )
    b.set_name(p.schema_id, "volume", None, p.name, op.target)


@handles("create_function")
def _create_function(b: StateBuilder, op: o.Op, p: o.CreateFunction) -> None:
    _check_new(b, op, p.name, "function", p.schema_id, "schema")
    _check_definition(p.body, "function body")
    _check_comment(p.comment)
    b.claim_name(p.schema_id, "function", p.name, op.target, "function")
    b.functions[op.target] = Function(
        id=op.target, schema_id=p.schema_id, name=p.name, parameters=p.parameters.strip(),
        returns=p.returns.strip(), language=p.language, body=p.body.strip(), comment=p.comment,
    )
    b.set_name(p.schema_id, "function", None, p.name, op.target)


@handles("update_function")
def _update_function(b: StateBuilder, op: o.Op, p: o.UpdateFunction) -> None:
    fn = b.obj(op.target)
    _check_definition(p.body, "function body")
    b.functions[fn.id] = fn.evolve(
        parameters=p.parameters.strip(), returns=p.returns.strip(), language=p.language, body=p.body.strip()
    )


@handles(*(f"drop_{k.name}" for k in _LEAF_CHILDREN))
def _drop_schema_child(b: StateBuilder, op: o.Op, p: o.Empty) -> None:
    obj = b.obj(op.target)
    del b.objects_of(obj.id)[obj.id]
    parent, namespace = _parent_and_namespace(b, obj)
    b.forget_name(parent, namespace, obj.name)


# ---------------------------------------------------------------------------------------------------
# tags and grants
# ---------------------------------------------------------------------------------------------------


def _tagged(b: StateBuilder, object_id: str) -> tuple[Any, Callable[[Any], None]]:
    """The object holding tags for ``object_id`` and a function storing its replacement."""
    if kind_of_id(object_id) == "column":
        table, col, i = b.table_of_column(object_id)
        return col, lambda new: _replace_column(b, table, i, new)
    obj = b.obj(object_id)
    return obj, b.put


@handles(*(f"set_{k.name}_tags" for k in _kinds.taggable()))
def _set_tags(b: StateBuilder, op: o.Op, p: o.SetTags) -> None:
    obj, store = _tagged(b, op.target)
    if not p.tags:
        raise Reject("no tags given")
    _check_tags(p.tags)
    store(obj.evolve(tags={**obj.tags, **p.tags}))


@handles(*(f"unset_{k.name}_tags" for k in _kinds.taggable()))
def _unset_tags(b: StateBuilder, op: o.Op, p: o.UnsetTags) -> None:
    obj, store = _tagged(b, op.target)
    store(obj.evolve(tags=_without(obj.tags, p.keys, "tags")))


@handles("set_owner")
def _set_owner(b: StateBuilder, op: o.Op, p: o.SetOwner) -> None:
    obj = b.obj(op.target)
    kind = _kinds.kind_of_id(op.target)
    if kind is None or not kind.securable:
        raise Reject(f"{op.target!r} has no owner")
    owner = p.owner.strip() if p.owner is not None else None
    if owner is not None and (not owner or "\x00" in owner):
        raise Reject("an owner is a principal name (not blank)")
    b.put(obj.evolve(owner=owner))


@handles("grant")
def _grant(b: StateBuilder, op: o.Op, p: o.GrantPayload) -> None:
    obj = b.obj(op.target)
    principal = p.principal.strip()
    if not principal or "\x00" in principal:
        raise Reject("grant needs a principal")
    privs = _check_privileges(p.privileges)
    current = set(obj.grants.get(principal, ()))
    grants = {**obj.grants, principal: tuple(sorted(current | set(privs)))}
    b.put(obj.evolve(grants=grants))


@handles("revoke")
def _revoke(b: StateBuilder, op: o.Op, p: o.GrantPayload) -> None:
    obj = b.obj(op.target)
    privs = _check_privileges(p.privileges)
    current = set(obj.grants.get(p.principal.strip(), ()))
    missing = set(privs) - current
    if missing:
        raise Reject(f"{p.principal!r} does not hold {sorted(missing)}")
    grants = dict(obj.grants)
    remaining = tuple(sorted(current - set(privs)))
    if remaining:
        grants[p.principal.strip()] = remaining
    else:
        grants.pop(p.principal.strip())
    b.put(obj.evolve(grants=grants))


require_complete(_HANDLERS, o.OP_PAYLOADS, "op kinds without a state handler")

__all__ = ["StateBuilder", "replay"]
