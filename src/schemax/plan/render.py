"""Changes → Databricks SQL statements: one renderer per change type, registered by change class.

Rules every renderer follows (DESIGN.md §4):

* identifiers go through :func:`quote_ident` / :func:`qualified`, string literals through
  :func:`sql_string`; logical catalog and schema names are mapped to physical ones by the
  :class:`~schemax.plan.statements.Target`, inside view and SQL-function bodies too;
* statements that run before the rename phase name objects as they are in ``before``, later ones as they
  are in ``after``;
* idempotent forms where the dialect has them (``IF NOT EXISTS``, ``IF EXISTS``, ``OR REPLACE`` for
  views and functions, ``UNSET TBLPROPERTIES IF EXISTS``);
* a table's changes are folded: one ``ADD COLUMNS`` for the columns appended at the end, one
  ``DROP COLUMNS``, one ``SET TBLPROPERTIES`` that also carries version tracking, one ``UNSET``;
* Delta needs: column mapping before RENAME/DROP COLUMN (and for names Delta rejects without it), the
  type-widening feature before an in-place type change, the column-defaults feature before a DEFAULT,
  and ``NOT NULL`` only after a column exists;
* a change Delta cannot make in place (a partitioning change, a type change that is not a widening on
  this engine) rewrites the table by copy and swap, see :func:`_render_rewrite`.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from schemax.core.hashing import table_definition_hash
from schemax.core.model import Column, Constraint, State, Table, View, kind_of_id
from schemax.core.names import InvalidIdentifierError, qualified, quote_ident, split_qualified, sql_string
from schemax.core.ops import PRIVILEGES
from schemax.core.types import requires_type_widening, widening
from schemax.plan import changes as ch
from schemax.plan.capabilities import EngineCapabilities
from schemax.plan.changes import Change, ColumnFlag, ObjectFlag
from schemax.plan.diff import changed_and_gone
from schemax.plan.lineage import columns_read, rename_columns, resolve, rewrite_relations
from schemax.plan.order import Phase, phase_of
from schemax.plan.statements import Risk, Statement, Target

COLUMN_MAPPING = "delta.columnMapping.mode"
TYPE_WIDENING = "delta.enableTypeWidening"
COLUMN_DEFAULTS = "delta.feature.allowColumnDefaults"
# Characters Delta refuses in column names unless column mapping is on (its own error message lists them).
_NEEDS_MAPPING = frozenset(" ,;{}()\n\t=")


# ---------------------------------------------------------------------------------------------------
# the statement collector
# ---------------------------------------------------------------------------------------------------


@dataclass
class _Slot:
    sql: str
    changes: list[Change]
    risk: Risk
    reverse: str | None
    object_id: str | None
    capability: str
    note: str | None
    phase: int
    unsupported: str | None = None
    items: list[Any] = field(default_factory=list)
    build: Callable[[list[Any]], tuple[str, str | None]] | None = None

    def statement(self) -> Statement:
        if self.build is not None:
            self.sql, self.reverse = self.build(self.items)
        op_ids: dict[str, None] = {}
        for change in self.changes:
            for op_id in change.op_ids:
                op_ids.setdefault(op_id, None)
        return Statement(
            sql=self.sql,
            changes=tuple({id(c): c for c in self.changes}.values()),
            op_ids=tuple(op_ids),
            risk=self.risk,
            reverse=self.reverse,
            object_id=self.object_id,
            capability=self.capability,
            note=self.note,
        )


class Script:
    """Collects statements in order; ``fold`` merges items into one statement per (table, kind)."""

    def __init__(self) -> None:
        self.slots: list[_Slot] = []
        self._folds: dict[tuple[str, ...], _Slot] = {}

    def add(
        self,
        sql: str,
        change: Change | None,
        ctx: Ctx,
        *,
        risk: Risk = Risk.SAFE,
        reverse: str | None = None,
        object_id: str | None = None,
        capability: str = "table_ddl",
        note: str | None = None,
        phase: int | None = None,
        unsupported: str | None = None,
    ) -> _Slot:
        slot = _Slot(
            sql=sql,
            changes=[change] if change is not None else [],
            risk=risk,
            reverse=reverse,
            object_id=object_id if object_id is not None else _object_of(change),
            capability=capability,
            note=note,
            phase=ctx.phase if phase is None else phase,
            unsupported=unsupported,
        )
        self.slots.append(slot)
        return slot

    def fold(
        self,
        key: tuple[str, ...],
        item: Any,
        change: Change | None,
        ctx: Ctx,
        build: Callable[[list[Any]], tuple[str, str | None]],
        *,
        risk: Risk = Risk.SAFE,
        object_id: str | None = None,
        capability: str = "table_ddl",
        note: str | None = None,
    ) -> _Slot:
        slot = self._folds.get(key)
        if slot is None:
            slot = self.add("", change, ctx, risk=risk, object_id=object_id, capability=capability, note=note)
            slot.build = build
            self._folds[key] = slot
        else:
            if change is not None:
                slot.changes.append(change)
            if risk.rank > slot.risk.rank:
                slot.risk = risk
            if note and note not in (slot.note or ""):
                slot.note = f"{slot.note}; {note}" if slot.note else note
        slot.items.append(item)
        return slot

    def end_unit(self) -> None:
        self._folds.clear()


def _object_of(change: Change | None) -> str | None:
    if change is None:
        return None
    return change.table_id or change.subject


# ---------------------------------------------------------------------------------------------------
# context: names, mapping, engine
# ---------------------------------------------------------------------------------------------------


@dataclass
class _Unit:
    """What is known while rendering one table's changes."""

    before: Table | None
    after: Table
    mapping: bool = False  # column mapping on (declared, or enabled earlier in this unit)
    defaults: bool = False
    handled: set[int] = field(default_factory=set)  # ids of changes rendered by the unit prelude


@dataclass
class Ctx:
    before: State
    after: State
    target: Target
    caps: EngineCapabilities
    notes: list[str] = field(default_factory=list)
    phase: int = 0
    unit: _Unit | None = None

    # -- names -----------------------------------------------------------------------------------------
    def state_for(self, phase: int | None = None) -> State:
        return self.before if (self.phase if phase is None else phase) < Phase.RENAME else self.after

    def logical(self, object_id: str, state: State) -> tuple[str, ...]:
        return state.path(object_id)

    def physical(self, parts: Sequence[str]) -> tuple[str, ...]:
        out = [self.target.catalog(parts[0])]
        if len(parts) > 1:
            out.append(self.target.schema(parts[1]))
        out.extend(parts[2:])
        return tuple(out)

    def name(self, object_id: str, state: State | None = None) -> str:
        return qualified(*self.physical(self.logical(object_id, state or self.state_for())))

    def physical_catalog(self, catalog_id: str, state: State) -> str:
        return self.target.catalog(state.catalogs[catalog_id].name)

    def known_catalogs(self) -> set[str]:
        names = {c.name.lower() for c in self.before.catalogs.values()}
        names |= {c.name.lower() for c in self.after.catalogs.values()}
        names |= {k.lower() for k in self.target.catalogs}
        return names

    def map_reference(self, parts: Sequence[str], catalog: str, schema: str) -> str | None:
        """A relation or function name as written in user SQL → its physical, fully qualified name."""
        low = [p.lower() for p in parts]
        if len(low) == 3 and low[0] not in self.known_catalogs():
            return None  # a catalog schemax does not manage (samples, system, ...): leave it alone
        full = resolve(tuple(parts), catalog, schema)
        return qualified(*self.physical(full))

    def map_sql(self, sql: str, schema_id: str, state: State) -> tuple[str, str | None]:
        """(SQL with every relation mapped to its physical name, a note when that was impossible)."""
        catalog, schema = state.path(schema_id)
        mapped = rewrite_relations(sql, lambda parts: self.map_reference(parts, catalog, schema))
        if mapped is None:
            return sql, "the SQL could not be parsed, so its names were not mapped to this environment"
        return mapped, None

    def function_name(self, name: str, table: Table, state: State) -> str:
        catalog, schema = state.path(table.schema_id)
        try:
            parts = split_qualified(name)
        except InvalidIdentifierError:
            return quote_ident(name)
        return self.map_reference(parts, catalog, schema) or qualified(*parts)

    def rename_to(self, old: Any, new: Any) -> tuple[str, str | None]:
        """(RENAME TO target, capability override): a bare name when the parent does not change.

        A bare name is what both engines resolve in the object's own schema; Spark's session catalog
        rejects a catalog-qualified target, Unity Catalog needs the full name to move across schemas.
        """
        if old.schema_id == new.schema_id:
            return quote_ident(new.name), None
        return qualified(*self.physical(self.after.path(new.id))), "table_move"

    def rename_back(self, old: Any, new: Any) -> str:
        """The RENAME TO target that undoes a rename: back into the old schema when it moved across."""
        if old.schema_id == new.schema_id:
            return quote_ident(old.name)
        return qualified(*self.physical(self.before.path(old.id)))

    # -- engine ----------------------------------------------------------------------------------------
    def type_change(self, old: str, new: str) -> str:
        return widening(old, new, rules=self.caps.widening_rules)


def _props(pairs: Iterable[tuple[str, str]]) -> str:
    return "(" + ", ".join(f"{sql_string(k)} = {sql_string(v)}" for k, v in pairs) + ")"


def _keys(keys: Iterable[str]) -> str:
    return "(" + ", ".join(sql_string(k) for k in keys) + ")"


def _cols(names: Iterable[str]) -> str:
    return ", ".join(quote_ident(n) for n in names)


def _comment(text: str | None) -> str:
    return "NULL" if text is None else sql_string(text)


def _mapping_on(props: dict[str, str]) -> bool:
    return props.get(COLUMN_MAPPING, "none").lower() in ("name", "id")


def _needs_mapping(name: str) -> bool:
    return any(ch_ in _NEEDS_MAPPING for ch_ in name)


# ---------------------------------------------------------------------------------------------------
# the registry
# ---------------------------------------------------------------------------------------------------

Renderer = Callable[[Any, Ctx, Script], None]
RENDERERS: dict[type[Change], Renderer] = {}


def renders(*types: type[Change]) -> Callable[[Renderer], Renderer]:
    def register(fn: Renderer) -> Renderer:
        for t in types:
            RENDERERS[t] = fn
        return fn

    return register


# ---------------------------------------------------------------------------------------------------
# shared pieces: tags, grants, column definitions
# ---------------------------------------------------------------------------------------------------


def _undo_set(set_sql: str, unset_sql: str, keys: Iterable[str], old: dict[str, str]) -> str:
    """The reverse of setting ``keys``: ``set_sql`` gives back the old values, ``unset_sql`` removes the
    keys that were new; empty when there is nothing to undo."""
    ordered = sorted(set(keys))
    restore = [(k, old[k]) for k in ordered if k in old]
    added = [k for k in ordered if k not in old]
    return ";\n".join(
        [f"{set_sql} {_props(restore)}"] * bool(restore) + [f"{unset_sql} {_keys(added)}"] * bool(added)
    )


def _tag_statements(
    script: Script,
    ctx: Ctx,
    change: Change | None,
    prefix: str,
    old: dict[str, str],
    new: dict[str, str],
    object_id: str | None = None,
) -> None:
    changed, gone = changed_and_gone(old, new)
    if changed:
        script.add(
            f"{prefix} SET TAGS {_props(changed)}",
            change,
            ctx,
            capability="tags",
            reverse=_undo_set(f"{prefix} SET TAGS", f"{prefix} UNSET TAGS", (k for k, _ in changed), old),
            object_id=object_id,
        )
    if gone:
        script.add(
            f"{prefix} UNSET TAGS {_keys(gone)}",
            change,
            ctx,
            capability="tags",
            reverse=f"{prefix} SET TAGS {_props(sorted((k, old[k]) for k in gone))}",
            object_id=object_id,
        )


def _property_statements(
    script: Script,
    ctx: Ctx,
    change: Change,
    prefix: str,
    word: str,
    old: dict[str, str],
    new: dict[str, str],
    *,
    unset: str,
    capability: str,
    unset_capability: str,
) -> None:
    """``<prefix> SET <word> (…)`` for new and changed properties, ``<prefix> <unset> (…)`` for removed
    ones (schemas and views; table properties are folded, see :func:`_set_properties`)."""
    changed, gone = changed_and_gone(old, new)
    if changed:
        script.add(f"{prefix} SET {word} {_props(changed)}", change, ctx, capability=capability)
    if gone:
        script.add(
            f"{prefix} {unset} {_keys(gone)}",
            change,
            ctx,
            capability=unset_capability,
            reverse=f"{prefix} SET {word} {_props((k, old[k]) for k in gone)}",
        )


def _comment_on(script: Script, ctx: Ctx, change: Any, keyword: str, name: str, capability: str) -> None:
    """COMMENT ON <keyword> for a change whose ``before``/``after`` carry the old and new comment."""
    script.add(
        f"COMMENT ON {keyword} {name} IS {_comment(change.after.comment)}",
        change,
        ctx,
        capability=capability,
        reverse=f"COMMENT ON {keyword} {name} IS {_comment(change.before.comment)}",
    )


def _rename(
    script: Script,
    ctx: Ctx,
    change: Change,
    keyword: str,
    forward: tuple[str, str],
    back: tuple[str, str],
    capability: str,
) -> None:
    """``ALTER <keyword> <old> RENAME TO <new>`` (``forward``), with the rename ``back`` as its reverse."""
    script.add(
        f"ALTER {keyword} {forward[0]} RENAME TO {forward[1]}",
        change,
        ctx,
        risk=Risk.BREAKING,
        capability=capability,
        reverse=f"ALTER {keyword} {back[0]} RENAME TO {back[1]}",
    )


def _new_object_extras(script: Script, ctx: Ctx, change: Change, keyword: str, name: str, obj: Any) -> None:
    """What CREATE cannot say about a new (or re-created) object: its tags and its grants."""
    _tag_statements(script, ctx, change, f"ALTER {keyword} {name}", {}, obj.tags)
    _grant_all(script, ctx, change, obj.id, obj.grants)


def _drop(
    script: Script,
    ctx: Ctx,
    change: Any,
    keyword: str,
    capability: str,
    *,
    reverse: str | None = None,
    note: str | None = None,
) -> None:
    """``DROP <keyword> IF EXISTS`` for the object a change holds as ``before``."""
    script.add(
        f"DROP {keyword} IF EXISTS {ctx.name(change.before.id)}",
        change,
        ctx,
        risk=Risk.DESTRUCTIVE,
        capability=capability,
        reverse=reverse,
        note=note,
    )


def _set_managed_location(script: Script, ctx: Ctx, change: Any, keyword: str, name: str) -> None:
    script.add(
        f"ALTER {keyword} {name} SET MANAGED LOCATION {sql_string(change.after.managed_location)}",
        change,
        ctx,
        capability="managed_location",
    )


def _mask_statement(
    script: Script,
    ctx: Ctx,
    change: Change,
    table: Table,
    name: str,
    col: Column,
    reverse: str,
    object_id: str | None = None,
) -> None:
    script.add(
        _mask_sql(ctx, table, name, col),
        change,
        ctx,
        capability="column_mask",
        risk=Risk.BREAKING,
        reverse=reverse,
        object_id=object_id,
    )


_SECURABLE = {
    "catalog": "CATALOG",
    "schema": "SCHEMA",
    "table": "TABLE",
    "view": "VIEW",
    "volume": "VOLUME",
    "function": "FUNCTION",
}


def _privileges(privileges: Iterable[str]) -> str:
    privs = sorted(privileges)
    bad = [p for p in privs if p not in PRIVILEGES]
    if bad:  # privileges are keywords, never quoted: only known ones may reach SQL
        raise ValueError(f"unknown privileges {bad}")
    return ", ".join(privs)


def _grant_sql(verb: str, securable: str, principal: str, privileges: Iterable[str], name: str) -> str:
    kind = _SECURABLE[kind_of_id(securable) or ""]
    word = "TO" if verb == "GRANT" else "FROM"
    return f"{verb} {_privileges(privileges)} ON {kind} {name} {word} {quote_ident(principal)}"


def _grant_all(
    script: Script, ctx: Ctx, change: Change, object_id: str, grants: dict[str, tuple[str, ...]]
) -> None:
    """GRANT statements for every grant an object holds (new objects, and objects re-created by a replace)."""
    if not grants:
        return
    name = ctx.name(object_id, ctx.after)
    for principal in sorted(grants):
        sql = _grant_sql("GRANT", object_id, principal, grants[principal], name)
        reverse = _grant_sql("REVOKE", object_id, principal, grants[principal], name)
        script.add(
            sql, change, ctx, capability="grants", reverse=reverse, object_id=object_id, phase=Phase.GRANT
        )


def _column_sql(col: Column, *, with_null: bool = True, with_default: bool = True) -> str:
    parts = [quote_ident(col.name), col.type]
    if with_null and not col.nullable:
        parts.append("NOT NULL")
    if with_default and col.default is not None:
        parts.append(f"DEFAULT {col.default}")
    if col.comment is not None:
        parts.append(f"COMMENT {sql_string(col.comment)}")
    return " ".join(parts)


def _bare_column(col: Column) -> str:
    """A column for ADD COLUMNS: Delta takes neither NOT NULL nor DEFAULT there (both follow separately)."""
    return _column_sql(col, with_null=False, with_default=False)


def _tracking(ctx: Ctx, table: Table) -> list[tuple[str, str]]:
    t = ctx.target.tracking
    if t is None:
        return []
    return [
        ("schemax.deployed_at", t.deployed_at),
        ("schemax.deployment", t.deployment_id),
        ("schemax.environment", t.environment),
        ("schemax.hash", table_definition_hash(table)),
        ("schemax.snapshot", t.snapshot_id),
        ("schemax.version", t.version),
    ]


def _create_table_sql(
    ctx: Ctx, table: Table, name: str, *, replace: bool = False, extra: dict[str, str] | None = None
) -> tuple[str, list[str]]:
    """CREATE TABLE for ``table`` under ``name``, and notes on what was added to its properties."""
    notes = []
    props = dict(table.properties)
    if any(_needs_mapping(c.name) for c in table.columns) and not _mapping_on(props):
        props[COLUMN_MAPPING] = "name"
        notes.append("column mapping enabled: a column name has characters Delta only accepts with it")
    if any(c.default is not None for c in table.columns) and COLUMN_DEFAULTS not in props:
        props[COLUMN_DEFAULTS] = "supported"
        notes.append("column defaults feature enabled")
    props.update(extra or {})
    props.update(dict(_tracking(ctx, table)))
    head = "CREATE OR REPLACE TABLE" if replace else "CREATE TABLE IF NOT EXISTS"
    sql = f"{head} {name} ({', '.join(_column_sql(c) for c in table.columns)}) USING {table.format}"
    if table.partition_by:
        sql += f" PARTITIONED BY ({_cols(table.column_names(table.partition_by))})"
    if table.cluster_by:
        sql += f" CLUSTER BY ({_cols(table.column_names(table.cluster_by))})"
    if table.location:
        sql += f" LOCATION {sql_string(table.location)}"
    if table.comment is not None:
        sql += f" COMMENT {sql_string(table.comment)}"
    if props:
        sql += f" TBLPROPERTIES {_props(sorted(props.items()))}"
    return sql, notes


def _constraint_sql(ctx: Ctx, table: Table, con: Constraint) -> str:
    if con.kind == "check":
        return f"CONSTRAINT {quote_ident(con.name)} CHECK ({con.expression})"
    cols = _cols(table.column_names(con.columns))
    if con.kind == "primary_key":
        return f"CONSTRAINT {quote_ident(con.name)} PRIMARY KEY ({cols})"
    ref = ctx.after.tables.get(con.ref_table or "") or ctx.before.tables[con.ref_table or ""]
    state = ctx.after if ref.id in ctx.after.tables else ctx.before
    return (
        f"CONSTRAINT {quote_ident(con.name)} FOREIGN KEY ({cols}) REFERENCES {ctx.name(ref.id, state)} "
        f"({_cols(ref.column_names(con.ref_columns))})"
    )


def _constraint_capability(con: Constraint) -> str:
    return "check_constraint" if con.kind == "check" else "constraints_pk_fk"


def _add_constraint(
    script: Script, ctx: Ctx, change: Change, table: Table, name: str, con: Constraint, *, existing_data: bool
) -> None:
    risk = Risk.DATA_DEPENDENT if con.kind == "check" and existing_data else Risk.SAFE
    note = (
        "existing rows must satisfy the CHECK or the statement fails" if risk is Risk.DATA_DEPENDENT else None
    )
    phase = Phase.FOREIGN_KEY if con.kind == "foreign_key" else None
    script.add(
        f"ALTER TABLE {name} ADD {_constraint_sql(ctx, table, con)}",
        change,
        ctx,
        risk=risk,
        reverse=f"ALTER TABLE {name} DROP CONSTRAINT IF EXISTS {quote_ident(con.name)}",
        capability=_constraint_capability(con),
        note=note,
        object_id=table.id,
        phase=phase,
    )


def _row_filter_sql(ctx: Ctx, table: Table, name: str) -> str:
    rf = table.row_filter
    if rf is None:
        return f"ALTER TABLE {name} DROP ROW FILTER"
    return (
        f"ALTER TABLE {name} SET ROW FILTER {ctx.function_name(rf.function, table, ctx.after)} "
        f"ON ({_cols(table.column_names(rf.columns))})"
    )


def _mask_sql(ctx: Ctx, table: Table, name: str, col: Column) -> str:
    prefix = f"ALTER TABLE {name} ALTER COLUMN {quote_ident(col.name)}"
    if col.mask is None:
        return f"{prefix} DROP MASK"
    sql = f"{prefix} SET MASK {ctx.function_name(col.mask.function, table, ctx.after)}"
    if col.mask.using_columns:
        sql += f" USING COLUMNS ({_cols(table.column_names(col.mask.using_columns))})"
    return sql


def _table_extras(
    script: Script, ctx: Ctx, change: Change, table: Table, name: str, *, foreign_keys: bool = True
) -> None:
    """What CREATE TABLE cannot say: constraints, tags, row filter, masks, grants."""
    for con in table.constraints:
        if con.kind != "foreign_key" or foreign_keys:
            _add_constraint(script, ctx, change, table, name, con, existing_data=False)
    if table.tags:
        _tag_statements(script, ctx, change, f"ALTER TABLE {name}", {}, table.tags, object_id=table.id)
    for col in table.columns:
        if col.tags:
            _tag_statements(
                script,
                ctx,
                change,
                f"ALTER TABLE {name} ALTER COLUMN {quote_ident(col.name)}",
                {},
                col.tags,
                object_id=table.id,
            )
    if table.row_filter is not None:
        script.add(
            _row_filter_sql(ctx, table, name),
            change,
            ctx,
            capability="row_filter",
            risk=Risk.BREAKING,
            reverse=f"ALTER TABLE {name} DROP ROW FILTER",
            object_id=table.id,
        )
    for col in table.columns:
        if col.mask is not None:
            drop = f"ALTER TABLE {name} ALTER COLUMN {quote_ident(col.name)} DROP MASK"
            _mask_statement(script, ctx, change, table, name, col, drop, object_id=table.id)
    _grant_all(script, ctx, change, table.id, table.grants)


# ---------------------------------------------------------------------------------------------------
# catalogs
# ---------------------------------------------------------------------------------------------------


def _catalog_physical(ctx: Ctx, catalog: Any) -> str:
    return ctx.target.catalog(catalog.name)


@renders(ch.CreateCatalog)
def _create_catalog(c: ch.CreateCatalog, ctx: Ctx, script: Script) -> None:
    cat = c.after
    physical = _catalog_physical(ctx, cat)
    if not ctx.caps.has_catalog_ddl:
        if physical.lower() in ctx.caps.existing_catalogs:
            ctx.notes.append(
                f"catalog {cat.name} maps to {physical}, which already exists: nothing to create"
                + (
                    " (its comment, tags and grants are not applied)"
                    if cat.comment or cat.tags or cat.grants
                    else ""
                )
            )
            return
        script.add(
            f"CREATE CATALOG IF NOT EXISTS {quote_ident(physical)}",
            c,
            ctx,
            capability="catalog_ddl",
            unsupported=f"catalog {physical} does not exist and {ctx.caps.name} cannot create catalogs",
        )
        return
    sql = f"CREATE CATALOG IF NOT EXISTS {quote_ident(physical)}"
    if cat.managed_location:
        sql += f" MANAGED LOCATION {sql_string(cat.managed_location)}"
    if cat.comment is not None:
        sql += f" COMMENT {sql_string(cat.comment)}"
    script.add(
        sql, c, ctx, capability="catalog_ddl", reverse=f"DROP CATALOG IF EXISTS {quote_ident(physical)}"
    )
    if cat.properties:
        ctx.notes.append(
            f"catalog {cat.name}: properties are not set by SQL ({', '.join(sorted(cat.properties))})"
        )
    _new_object_extras(script, ctx, c, "CATALOG", quote_ident(physical), cat)


@renders(ch.DropCatalog)
def _drop_catalog(c: ch.DropCatalog, ctx: Ctx, script: Script) -> None:
    physical = _catalog_physical(ctx, c.before)
    if not ctx.caps.has_catalog_ddl:
        ctx.notes.append(
            f"catalog {c.before.name} ({physical}) is not dropped: {ctx.caps.name} has no catalog DDL"
        )
        return
    # CASCADE: Unity Catalog creates a `default` schema in every catalog, which schemax does not manage;
    # every schema schemax does manage was dropped explicitly before this statement.
    script.add(
        f"DROP CATALOG IF EXISTS {quote_ident(physical)} CASCADE",
        c,
        ctx,
        risk=Risk.DESTRUCTIVE,
        capability="catalog_ddl",
        note="drops whatever else the catalog still holds",
    )


@renders(ch.RenameCatalog)
def _rename_catalog(c: ch.RenameCatalog, ctx: Ctx, script: Script) -> None:
    old, new = _catalog_physical(ctx, c.before), _catalog_physical(ctx, c.after)
    if old == new:
        ctx.notes.append(
            f"catalog {c.before.name} renamed to {c.after.name}: both map to {old}, nothing to do"
        )
        return
    old, new = quote_ident(old), quote_ident(new)
    _rename(script, ctx, c, "CATALOG", (old, new), (new, old), "catalog_rename")


@renders(ch.AlterCatalog)
def _alter_catalog(c: ch.AlterCatalog, ctx: Ctx, script: Script) -> None:
    name = quote_ident(_catalog_physical(ctx, c.after))
    if ObjectFlag.COMMENT in c.flags:
        _comment_on(script, ctx, c, "CATALOG", name, "catalog_ddl")
    if ObjectFlag.LOCATION in c.flags and c.after.managed_location:
        _set_managed_location(script, ctx, c, "CATALOG", name)
    if ObjectFlag.TAGS in c.flags:
        _tag_statements(script, ctx, c, f"ALTER CATALOG {name}", c.before.tags, c.after.tags)
    if ObjectFlag.PROPERTIES in c.flags:
        ctx.notes.append(f"catalog {c.after.name}: properties are not set by SQL")


# ---------------------------------------------------------------------------------------------------
# schemas
# ---------------------------------------------------------------------------------------------------


@renders(ch.CreateSchema)
def _create_schema(c: ch.CreateSchema, ctx: Ctx, script: Script) -> None:
    s = c.after
    name = ctx.name(s.id)
    sql = f"CREATE SCHEMA IF NOT EXISTS {name}"
    if s.comment is not None:
        sql += f" COMMENT {sql_string(s.comment)}"
    if s.managed_location:
        sql += f" MANAGED LOCATION {sql_string(s.managed_location)}"
    if s.properties:
        sql += f" WITH DBPROPERTIES {_props(sorted(s.properties.items()))}"
    script.add(
        sql,
        c,
        ctx,
        capability="managed_location" if s.managed_location else "schema_ddl",
        reverse=f"DROP SCHEMA IF EXISTS {name}",
    )
    _new_object_extras(script, ctx, c, "SCHEMA", name, s)


@renders(ch.DropSchema)
def _drop_schema(c: ch.DropSchema, ctx: Ctx, script: Script) -> None:
    # no CASCADE: every object schemax manages in it was dropped explicitly; anything else stops the drop
    reverse = f"CREATE SCHEMA IF NOT EXISTS {ctx.name(c.before.id)}"
    _drop(script, ctx, c, "SCHEMA", "schema_ddl", reverse=reverse)


@renders(ch.RenameSchema)
def _rename_schema(c: ch.RenameSchema, ctx: Ctx, script: Script) -> None:
    old, new = ctx.name(c.before.id, ctx.before), ctx.name(c.after.id, ctx.after)
    if old == new:
        return
    _rename(script, ctx, c, "SCHEMA", (old, new), (new, old), "schema_rename")


@renders(ch.AlterSchema)
def _alter_schema(c: ch.AlterSchema, ctx: Ctx, script: Script) -> None:
    name = ctx.name(c.after.id)
    if ObjectFlag.COMMENT in c.flags:
        _comment_on(script, ctx, c, "SCHEMA", name, "schema_comment")
    if ObjectFlag.PROPERTIES in c.flags:
        _property_statements(
            script,
            ctx,
            c,
            f"ALTER SCHEMA {name}",
            "DBPROPERTIES",
            c.before.properties,
            c.after.properties,
            unset="UNSET DBPROPERTIES",
            capability="schema_ddl",
            unset_capability="schema_properties_unset",
        )
    if ObjectFlag.LOCATION in c.flags and c.after.managed_location:
        _set_managed_location(script, ctx, c, "SCHEMA", name)
    if ObjectFlag.TAGS in c.flags:
        _tag_statements(script, ctx, c, f"ALTER SCHEMA {name}", c.before.tags, c.after.tags)


# ---------------------------------------------------------------------------------------------------
# tables: whole-table changes
# ---------------------------------------------------------------------------------------------------


@renders(ch.CreateTable)
def _create_table(c: ch.CreateTable, ctx: Ctx, script: Script) -> None:
    t = c.after
    name = ctx.name(t.id)
    sql, notes = _create_table_sql(ctx, t, name)
    script.add(
        sql,
        c,
        ctx,
        capability="table_ddl",
        reverse=f"DROP TABLE IF EXISTS {name}",
        note="; ".join(notes) or None,
    )
    _table_extras(script, ctx, c, t, name)


@renders(ch.DropTable)
def _drop_table(c: ch.DropTable, ctx: Ctx, script: Script) -> None:
    note = "the table's data is deleted; only a RESTORE of the version recorded before can bring it back"
    _drop(script, ctx, c, "TABLE", "table_ddl", note=note)


@renders(ch.RenameTable)
def _rename_table(c: ch.RenameTable, ctx: Ctx, script: Script) -> None:
    old = ctx.name(c.before.id, ctx.before)
    target, capability = ctx.rename_to(c.before, c.after)
    current = ctx.name(c.after.id, ctx.after)
    back = (current, ctx.rename_back(c.before, c.after))
    _rename(script, ctx, c, "TABLE", (old, target), back, capability or "table_ddl")


# ---------------------------------------------------------------------------------------------------
# tables: one aspect at a time (inside a table unit, see render_table_unit)
# ---------------------------------------------------------------------------------------------------


def _unit(ctx: Ctx) -> _Unit:
    assert ctx.unit is not None, "table changes are rendered inside a table unit"
    return ctx.unit


@renders(ch.SetTableComment)
def _table_comment(c: ch.SetTableComment, ctx: Ctx, script: Script) -> None:
    _comment_on(script, ctx, c, "TABLE", ctx.name(c.after.id), "table_ddl")


def _set_properties(
    script: Script,
    ctx: Ctx,
    change: Change | None,
    table_id: str,
    name: str,
    pairs: Iterable[tuple[str, str]],
    old: dict[str, str],
) -> None:
    def build(items: list[tuple[str, str]]) -> tuple[str, str | None]:
        merged = dict(items)
        set_sql = f"ALTER TABLE {name} SET TBLPROPERTIES"
        reverse = _undo_set(set_sql, f"ALTER TABLE {name} UNSET TBLPROPERTIES IF EXISTS", merged, old)
        return f"{set_sql} {_props(sorted(merged.items()))}", reverse or None

    for pair in pairs:
        script.fold(
            (table_id, "set_properties"),
            pair,
            change,
            ctx,
            build,
            capability="table_properties",
            object_id=table_id,
        )


@renders(ch.SetTableProperties)
def _table_properties(c: ch.SetTableProperties, ctx: Ctx, script: Script) -> None:
    name = ctx.name(c.after.id)
    old = c.before.properties
    if c.set:
        _set_properties(script, ctx, c, c.after.id, name, c.set, old)
    if c.unset:

        def build(items: list[str]) -> tuple[str, str | None]:
            keys = sorted(set(items))
            return (
                f"ALTER TABLE {name} UNSET TBLPROPERTIES IF EXISTS {_keys(keys)}",
                f"ALTER TABLE {name} SET TBLPROPERTIES {_props((k, old[k]) for k in keys)}",
            )

        for key in c.unset:
            script.fold(
                (c.after.id, "unset_properties"),
                key,
                c,
                ctx,
                build,
                capability="table_properties",
                object_id=c.after.id,
            )


@renders(ch.SetTableTags)
def _table_tags(c: ch.SetTableTags, ctx: Ctx, script: Script) -> None:
    _tag_statements(script, ctx, c, f"ALTER TABLE {ctx.name(c.after.id)}", c.before.tags, c.after.tags)


@renders(ch.SetClustering)
def _clustering(c: ch.SetClustering, ctx: Ctx, script: Script) -> None:
    name = ctx.name(c.after.id)

    def clause(t: Table) -> str:
        return f"CLUSTER BY ({_cols(t.column_names(t.cluster_by))})" if t.cluster_by else "CLUSTER BY NONE"

    script.add(
        f"ALTER TABLE {name} {clause(c.after)}",
        c,
        ctx,
        capability="cluster_by",
        reverse=f"ALTER TABLE {name} {clause(c.before)}",
        note="existing files are reclustered by the next OPTIMIZE" if c.after.cluster_by else None,
    )


@renders(ch.SetPartitioning)
def _partitioning(c: ch.SetPartitioning, ctx: Ctx, script: Script) -> None:
    # a partitioning change always makes its table unit a rewrite; reaching this means a bug upstream
    raise AssertionError("SetPartitioning is rendered by the table rewrite")


@renders(ch.SetRowFilter)
def _row_filter(c: ch.SetRowFilter, ctx: Ctx, script: Script) -> None:
    name = ctx.name(c.after.id)
    script.add(
        _row_filter_sql(ctx, c.after, name),
        c,
        ctx,
        capability="row_filter",
        risk=Risk.BREAKING,
        reverse=_row_filter_sql(ctx, c.before, name),
    )


def _moves(before_order: list[str], after_order: list[str]) -> list[tuple[str, str | None]]:
    """Fewest ``ALTER COLUMN … FIRST|AFTER`` moves turning one order into the other: the longest run of
    columns already in relative order stays, every other column is placed after its new predecessor."""
    pos = {cid: i for i, cid in enumerate(before_order)}
    seq = [pos[cid] for cid in after_order]
    # longest increasing subsequence (patience sorting with back-pointers)
    tails: list[int] = []
    tails_idx: list[int] = []
    back = [-1] * len(seq)

    for i, v in enumerate(seq):
        j = bisect.bisect_left(tails, v)
        if j == len(tails):
            tails.append(v)
            tails_idx.append(i)
        else:
            tails[j] = v
            tails_idx[j] = i
        back[i] = tails_idx[j - 1] if j > 0 else -1
    keep: set[int] = set()
    k = tails_idx[-1] if tails_idx else -1
    while k >= 0:
        keep.add(k)
        k = back[k]
    moves = []
    for i, cid in enumerate(after_order):
        if i not in keep:
            moves.append((cid, after_order[i - 1] if i > 0 else None))
    return moves


@renders(ch.ReorderColumns)
def _reorder(c: ch.ReorderColumns, ctx: Ctx, script: Script) -> None:
    name = ctx.name(c.after.id)
    after_ids = {col.id for col in c.after.columns}
    before_ids = {col.id for col in c.before.columns}
    old = [col.id for col in c.before.columns if col.id in after_ids]
    new = [col.id for col in c.after.columns if col.id in before_ids]
    names = {col.id: col.name for col in c.after.columns}

    def move_sql(cid: str, prev: str | None) -> str:
        where = "FIRST" if prev is None else f"AFTER {quote_ident(names[prev])}"
        return f"ALTER TABLE {name} ALTER COLUMN {quote_ident(names[cid])} {where}"

    undo = ";\n".join(move_sql(cid, prev) for cid, prev in _moves(new, old)) or None
    for i, (cid, prev) in enumerate(_moves(old, new)):
        # the first move carries the whole inverse: undoing runs it last, after the later moves (no reverse)
        script.add(move_sql(cid, prev), c, ctx, reverse=undo if i == 0 else None)


# ---------------------------------------------------------------------------------------------------
# columns
# ---------------------------------------------------------------------------------------------------


@renders(ch.AddColumn)
def _add_column(c: ch.AddColumn, ctx: Ctx, script: Script) -> None:
    unit = _unit(ctx)
    table, col = c.table, c.column
    name = ctx.name(table.id)
    survivors = {x.id for x in unit.before.columns} if unit.before else set()
    index = next(i for i, x in enumerate(table.columns) if x.id == col.id)
    trailing = all(x.id not in survivors for x in table.columns[index:])
    definition = _column_sql(col, with_null=False, with_default=False)

    def drop_back(names: list[str]) -> str | None:
        return f"ALTER TABLE {name} DROP COLUMNS IF EXISTS ({_cols(names)})" if unit.mapping else None

    if trailing:

        def build(items: list[Column]) -> tuple[str, str | None]:
            return (
                f"ALTER TABLE {name} ADD COLUMNS ({', '.join(_bare_column(x) for x in items)})",
                drop_back([x.name for x in items]),
            )

        script.fold((table.id, "add_columns"), col, c, ctx, build, object_id=table.id)
    else:
        where = (
            "FIRST"
            if c.after_column is None
            else f"AFTER {quote_ident(table.column_names([c.after_column])[0])}"
        )
        script.add(
            f"ALTER TABLE {name} ADD COLUMNS ({definition} {where})", c, ctx, reverse=drop_back([col.name])
        )
    col_sql = f"ALTER TABLE {name} ALTER COLUMN {quote_ident(col.name)}"
    if col.default is not None:
        script.add(
            f"{col_sql} SET DEFAULT {col.default}",
            c,
            ctx,
            capability="column_default",
            reverse=f"{col_sql} DROP DEFAULT",
            note="rows already in the table are not given the default",
        )
    if not col.nullable:
        if col.default is not None:
            script.add(
                f"UPDATE {name} SET {quote_ident(col.name)} = {col.default} "
                f"WHERE {quote_ident(col.name)} IS NULL",
                c,
                ctx,
                risk=Risk.DATA_DEPENDENT,
                note="fills existing rows so NOT NULL can hold",
            )
        script.add(
            f"{col_sql} SET NOT NULL",
            c,
            ctx,
            capability="set_not_null",
            risk=Risk.DATA_DEPENDENT,
            reverse=f"{col_sql} DROP NOT NULL",
            note="fails when the table already holds rows" if col.default is None else None,
        )
    if col.tags:
        _tag_statements(script, ctx, c, col_sql, {}, col.tags, object_id=table.id)
    if col.mask is not None:
        _mask_statement(script, ctx, c, table, name, col, f"{col_sql} DROP MASK")


@renders(ch.DropColumn)
def _drop_column(c: ch.DropColumn, ctx: Ctx, script: Script) -> None:
    name = ctx.name(c.table.id)

    def build(items: list[str]) -> tuple[str, str | None]:
        return f"ALTER TABLE {name} DROP COLUMNS IF EXISTS ({_cols(items)})", None

    script.fold(
        (c.table.id, "drop_columns"),
        c.column.name,
        c,
        ctx,
        build,
        risk=Risk.DESTRUCTIVE,
        capability="column_mapping",
        object_id=c.table.id,
        note="the column's data is no longer readable (files keep it until VACUUM after a REORG)",
    )


@renders(ch.RenameColumn)
def _rename_column(c: ch.RenameColumn, ctx: Ctx, script: Script) -> None:
    name = ctx.name(c.table.id)
    old, new = quote_ident(c.before.name), quote_ident(c.after.name)
    script.add(
        f"ALTER TABLE {name} RENAME COLUMN {old} TO {new}",
        c,
        ctx,
        risk=Risk.BREAKING,
        capability="column_mapping",
        reverse=f"ALTER TABLE {name} RENAME COLUMN {new} TO {old}",
    )


@renders(ch.ModifyColumn)
def _modify_column(c: ch.ModifyColumn, ctx: Ctx, script: Script) -> None:
    name = ctx.name(c.table.id)
    old, new = c.before, c.after
    col_sql = f"ALTER TABLE {name} ALTER COLUMN {quote_ident(new.name)}"
    if ColumnFlag.TYPE in c.flags:
        # a type change that is not a widening never reaches here: it makes the unit a rewrite
        script.add(
            f"{col_sql} TYPE {new.type}",
            c,
            ctx,
            capability="type_widening",
            note=f"{old.type} -> {new.type} in place (no data rewritten); cannot be narrowed back",
        )
    if ColumnFlag.NULLABILITY in c.flags:
        if new.nullable:
            script.add(f"{col_sql} DROP NOT NULL", c, ctx, reverse=f"{col_sql} SET NOT NULL")
        else:
            script.add(
                f"{col_sql} SET NOT NULL",
                c,
                ctx,
                capability="set_not_null",
                risk=Risk.DATA_DEPENDENT,
                reverse=f"{col_sql} DROP NOT NULL",
                note="fails if the column holds NULLs",
            )
    if ColumnFlag.COMMENT in c.flags:
        # Spark has no COMMENT NULL for a column: an empty comment is how a comment is removed
        script.add(
            f"{col_sql} COMMENT {sql_string(new.comment or '')}",
            c,
            ctx,
            reverse=f"{col_sql} COMMENT {sql_string(old.comment or '')}",
        )
    if ColumnFlag.DEFAULT in c.flags:

        def default_sql(col: Column) -> str:
            return (
                f"{col_sql} SET DEFAULT {col.default}"
                if col.default is not None
                else f"{col_sql} DROP DEFAULT"
            )

        script.add(default_sql(new), c, ctx, capability="column_default", reverse=default_sql(old))
    if ColumnFlag.TAGS in c.flags:
        _tag_statements(script, ctx, c, col_sql, old.tags, new.tags)
    if ColumnFlag.MASK in c.flags:
        _mask_statement(script, ctx, c, c.table, name, new, _mask_sql(ctx, c.table, name, old))


@renders(ch.AddConstraint)
def _add_constraint_change(c: ch.AddConstraint, ctx: Ctx, script: Script) -> None:
    _add_constraint(script, ctx, c, c.table, ctx.name(c.table.id), c.constraint, existing_data=True)


@renders(ch.DropConstraint)
def _drop_constraint(c: ch.DropConstraint, ctx: Ctx, script: Script) -> None:
    state = ctx.state_for()
    if c.table.id not in state.tables:
        state = ctx.before
    table = state.tables[c.table.id]
    name = ctx.name(table.id, state)
    con = c.constraint
    script.add(
        f"ALTER TABLE {name} DROP CONSTRAINT IF EXISTS {quote_ident(con.name)}",
        c,
        ctx,
        capability=_constraint_capability(con),
        reverse=f"ALTER TABLE {name} ADD {_constraint_sql(ctx, c.table, con)}",
    )


# ---------------------------------------------------------------------------------------------------
# table units: a table's changes together, with the Delta features they need first
# ---------------------------------------------------------------------------------------------------


def _is_rewrite(changes: Sequence[Change], ctx: Ctx) -> bool:
    for c in changes:
        if isinstance(c, ch.SetPartitioning):
            return True
        if isinstance(c, ch.ModifyColumn) and ColumnFlag.TYPE in c.flags:
            if ctx.type_change(c.before.type, c.after.type) == "rewrite":
                return True
    return False


def _features(changes: Sequence[Change], ctx: Ctx, unit: _Unit) -> list[tuple[str, str, str]]:
    """(property, value, why) for the table features the unit's statements need and the table lacks."""
    props = unit.before.properties if unit.before else {}
    needed: list[tuple[str, str, str]] = []
    mapping = any(isinstance(c, (ch.DropColumn, ch.RenameColumn)) for c in changes) or any(
        isinstance(c, (ch.AddColumn, ch.RenameColumn))
        and _needs_mapping(c.column.name if isinstance(c, ch.AddColumn) else c.after.name)
        for c in changes
    )
    if mapping and not _mapping_on(props):
        needed.append((COLUMN_MAPPING, "name", "column mapping (one-way protocol upgrade)"))
    widen = any(
        isinstance(c, ch.ModifyColumn)
        and ColumnFlag.TYPE in c.flags
        and requires_type_widening(c.before.type, c.after.type, rules=ctx.caps.widening_rules)
        for c in changes
    )
    if widen and props.get(TYPE_WIDENING, "").lower() != "true":
        needed.append((TYPE_WIDENING, "true", "type widening (protocol upgrade)"))
    defaults = any(isinstance(c, ch.AddColumn) and c.column.default is not None for c in changes) or any(
        isinstance(c, ch.ModifyColumn) and ColumnFlag.DEFAULT in c.flags and c.after.default is not None
        for c in changes
    )
    if defaults and COLUMN_DEFAULTS not in props:
        needed.append((COLUMN_DEFAULTS, "supported", "column defaults (table feature)"))
    return needed


def _swap_renames(changes: Sequence[Change], ctx: Ctx, script: Script, unit: _Unit) -> None:
    """Column renames that take each other's names (a <-> b) go through temporary names."""
    renames = [c for c in changes if isinstance(c, ch.RenameColumn)]
    old_names = {c.before.name.lower() for c in renames}
    if not any(c.after.name.lower() in old_names for c in renames):
        return
    name = ctx.name(unit.after.id)
    for step in (0, 1):
        for c in renames:
            tmp = f"__schemax_tmp_{c.after.id}"
            src, dst = (c.before.name, tmp) if step == 0 else (tmp, c.after.name)
            script.add(
                f"ALTER TABLE {name} RENAME COLUMN {quote_ident(src)} TO {quote_ident(dst)}",
                c,
                ctx,
                risk=Risk.BREAKING,
                capability="column_mapping",
                reverse=f"ALTER TABLE {name} RENAME COLUMN {quote_ident(dst)} TO {quote_ident(src)}",
                note="columns swap names through a temporary name" if step == 0 else None,
            )
            unit.handled.add(id(c))


def _checks_in_the_way(changes: Sequence[Change], unit: _Unit) -> list[tuple[Constraint, str | None]]:
    """CHECK constraints Delta will not let a column change pass: (constraint, expression to re-add).

    Delta refuses to rename, drop or retype a column a CHECK constraint reads
    (DELTA_CONSTRAINT_DEPENDENT_COLUMN_CHANGE). Such a constraint is dropped first and added back after,
    its expression following renamed columns; one that reads a dropped column is not added back.
    """
    if unit.before is None:
        return []
    renamed = {c.before.name.lower(): c.after.name for c in changes if isinstance(c, ch.RenameColumn)}
    dropped = {c.column.name.lower() for c in changes if isinstance(c, ch.DropColumn)}
    retyped = {
        c.before.name.lower()
        for c in changes
        if isinstance(c, ch.ModifyColumn) and ColumnFlag.TYPE in c.flags
    }
    touched = set(renamed) | dropped | retyped
    gone = {c.constraint.id for c in changes if isinstance(c, ch.DropConstraint)}
    out: list[tuple[Constraint, str | None]] = []
    for con in unit.before.constraints:
        if con.kind != "check" or con.id in gone or not con.expression:
            continue
        reads = columns_read(con.expression)
        if not reads & touched:
            continue
        if reads & dropped:
            out.append((con, None))
            continue
        out.append((con, rename_columns(con.expression, renamed) if reads & set(renamed) else con.expression))
    return out


def render_table_unit(changes: Sequence[Change], ctx: Ctx, script: Script) -> None:
    """Render one table's changes (all in the TABLE phase), folded, features first, tracking last."""
    table_id = changes[0].table_id
    assert table_id is not None
    after = ctx.after.tables[table_id]
    before = ctx.before.tables.get(table_id)
    unit = _Unit(
        before=before,
        after=after,
        mapping=_mapping_on(before.properties) if before else False,
        defaults=COLUMN_DEFAULTS in before.properties if before else False,
    )
    ctx.unit = unit
    try:
        if before is not None and _is_rewrite(changes, ctx):
            _render_rewrite(changes, ctx, script, before, after)
            return
        features = _features(changes, ctx, unit)
        if features:
            name = ctx.name(table_id)
            capability = (
                "column_mapping"
                if features[0][0] == COLUMN_MAPPING
                else ("type_widening" if features[0][0] == TYPE_WIDENING else "column_default")
            )
            script.add(
                f"ALTER TABLE {name} SET TBLPROPERTIES {_props((k, v) for k, v, _ in features)}",
                None,
                ctx,
                risk=Risk.BREAKING,
                capability=capability,
                object_id=table_id,
                note="enables " + ", ".join(why for _, _, why in features) + "; readers need a Delta "
                "version that supports it and it cannot be turned off",
            )
            unit.mapping = unit.mapping or any(k == COLUMN_MAPPING for k, _, _ in features)
        blocking = _checks_in_the_way(changes, unit)
        name = ctx.name(table_id)
        for con, _ in blocking:
            script.add(
                f"ALTER TABLE {name} DROP CONSTRAINT IF EXISTS {quote_ident(con.name)}",
                changes[0],
                ctx,
                capability="check_constraint",
                object_id=table_id,
                reverse=f"ALTER TABLE {name} ADD {_constraint_sql(ctx, before or after, con)}",
                note="Delta will not change a column a CHECK constraint reads: dropped, added back after",
            )
        _swap_renames(changes, ctx, script, unit)
        for change in changes:
            if id(change) not in unit.handled:
                RENDERERS[type(change)](change, ctx, script)
        for con, expression in blocking:
            if expression is None:
                ctx.notes.append(
                    f"CHECK constraint {con.name} on {ctx.after.full_name(table_id)} reads a dropped "
                    "column: it is dropped and not added back"
                )
                continue
            moved = con.model_copy(update={"expression": expression})
            _add_constraint(script, ctx, changes[0], after, name, moved, existing_data=True)
        if before is not None and ctx.target.tracking is not None:
            _set_properties(
                script, ctx, None, table_id, ctx.name(table_id), _tracking(ctx, after), before.properties
            )
    finally:
        script.end_unit()
        ctx.unit = None


def render_tracking(table_id: str, ctx: Ctx, script: Script) -> None:
    """Version tracking for a table whose only changes ran outside its unit (a rename, a foreign key)."""
    if ctx.target.tracking is None or table_id not in ctx.after.tables:
        return
    after = ctx.after.tables[table_id]
    before = ctx.before.tables.get(table_id)
    _set_properties(
        script,
        ctx,
        None,
        table_id,
        ctx.name(table_id),
        _tracking(ctx, after),
        before.properties if before else {},
    )
    script.end_unit()


def _render_rewrite(changes: Sequence[Change], ctx: Ctx, script: Script, before: Table, after: Table) -> None:
    """Copy and swap: a new table with the target definition, filled from the old one, then renamed.

    Delta cannot change partitioning in place, and a type change that is not a widening needs its data
    rewritten. Verified on Delta 4.4: ``CREATE OR REPLACE TABLE … AS SELECT`` loses NOT NULL, CHECK
    constraints and the column-mapping setting (and takes no column list), and add-column/UPDATE/drop/
    rename is four non-atomic steps that still loses NOT NULL. Copy and swap keeps the exact definition:

    1. ``CREATE OR REPLACE TABLE <t>__sx_new_<h>`` with the full target definition (re-runnable);
    2. its CHECK constraints, so the copy is validated row by row;
    3. ``INSERT INTO … SELECT`` with a ``CAST`` per changed column (fails, changing nothing, when a value
       does not convert);
    4. rename the old table to ``<t>__sx_old_<h>`` (kept: its data and history stay readable; drop it
       once the new table is verified), then the new table to ``<t>``;
    5. what CREATE TABLE cannot carry: primary and foreign keys, tags, row filter, masks, grants.

    ``<h>`` is the start of the target definition's hash, so names are stable for one plan and do not
    collide with an earlier rewrite's backup.
    """
    h = table_definition_hash(after)[:8]
    catalog, schema = ctx.physical(ctx.after.path(after.schema_id))
    name = qualified(catalog, schema, after.name)
    new_name, old_name = f"{after.name}__sx_new_{h}", f"{after.name}__sx_old_{h}"
    shadow = qualified(catalog, schema, new_name)
    backup = qualified(catalog, schema, old_name)
    lead = changes[0]
    extra = {}
    for key in (COLUMN_MAPPING, TYPE_WIDENING):
        if key in before.properties and key not in after.properties:
            extra[key] = before.properties[key]
    sql, notes = _create_table_sql(ctx, after, shadow, replace=True, extra=extra)
    script.add(
        sql,
        lead,
        ctx,
        capability="table_rewrite",
        reverse=f"DROP TABLE IF EXISTS {shadow}",
        note="; ".join(["rewrite step 1/4: the table with its new definition", *notes]),
    )
    for c in changes[1:]:
        script.slots[-1].changes.append(c)
    for con in after.constraints:
        if con.kind == "check":
            _add_constraint(script, ctx, lead, after, shadow, con, existing_data=False)
    old_cols = {c.id: c for c in before.columns}
    targets, sources = [], []
    for col in after.columns:
        prev = old_cols.get(col.id)
        if prev is None:
            continue  # a new column: its DEFAULT (or NULL) fills it
        expr = quote_ident(prev.name)
        if prev.type != col.type:
            expr = f"CAST({expr} AS {col.type})"
        targets.append(quote_ident(col.name))
        sources.append(expr)
    script.add(
        f"INSERT INTO {shadow} ({', '.join(targets)}) SELECT {', '.join(sources)} FROM {name}",
        lead,
        ctx,
        risk=Risk.DATA_DEPENDENT,
        capability="table_rewrite",
        note="rewrite step 2/4: copies every row; fails without changing anything if a value does not "
        "convert or violates NOT NULL / CHECK",
    )
    script.add(
        f"ALTER TABLE {name} RENAME TO {quote_ident(old_name)}",
        lead,
        ctx,
        risk=Risk.BREAKING,
        capability="table_rewrite",
        reverse=f"ALTER TABLE {backup} RENAME TO {quote_ident(after.name)}",
        note=f"rewrite step 3/4: the old table is kept as {old_name}; drop it once the new one is verified",
    )
    script.add(
        f"ALTER TABLE {shadow} RENAME TO {quote_ident(after.name)}",
        lead,
        ctx,
        risk=Risk.BREAKING,
        capability="table_rewrite",
        reverse=f"ALTER TABLE {name} RENAME TO {quote_ident(new_name)}",
        note="rewrite step 4/4: the new table takes the name",
    )
    rest = Table.model_copy(
        after, update={"constraints": tuple(c for c in after.constraints if c.kind != "check")}
    )
    _table_extras(script, ctx, lead, rest, name)


# ---------------------------------------------------------------------------------------------------
# views
# ---------------------------------------------------------------------------------------------------


def _view_sql(ctx: Ctx, view: View, name: str, state: State) -> tuple[str, str | None]:
    definition, note = ctx.map_sql(view.definition, view.schema_id, state)
    sql = f"CREATE OR REPLACE VIEW {name}"
    if view.comment is not None:
        sql += f" COMMENT {sql_string(view.comment)}"
    if view.properties:
        sql += f" TBLPROPERTIES {_props(sorted(view.properties.items()))}"
    return f"{sql} AS {definition}", note


@renders(ch.CreateView)
def _create_view(c: ch.CreateView, ctx: Ctx, script: Script) -> None:
    v = c.after
    name = ctx.name(v.id)
    sql, note = _view_sql(ctx, v, name, ctx.after)
    script.add(sql, c, ctx, capability="views", reverse=f"DROP VIEW IF EXISTS {name}", note=note)
    _new_object_extras(script, ctx, c, "VIEW", name, v)


@renders(ch.DropView)
def _drop_view(c: ch.DropView, ctx: Ctx, script: Script) -> None:
    reverse = _view_sql(ctx, c.before, ctx.name(c.before.id), ctx.before)[0]
    _drop(script, ctx, c, "VIEW", "views", reverse=reverse)


@renders(ch.RenameView)
def _rename_view(c: ch.RenameView, ctx: Ctx, script: Script) -> None:
    target, capability = ctx.rename_to(c.before, c.after)
    old, current = ctx.name(c.before.id, ctx.before), ctx.name(c.after.id, ctx.after)
    back = (current, ctx.rename_back(c.before, c.after))
    _rename(script, ctx, c, "VIEW", (old, target), back, capability or "views")


@renders(ch.AlterView)
def _alter_view(c: ch.AlterView, ctx: Ctx, script: Script) -> None:
    v = c.after
    name = ctx.name(v.id)
    if c.flags & {ObjectFlag.DEFINITION, ObjectFlag.COMMENT}:
        # one CREATE OR REPLACE carries definition, comment and properties on every engine (Spark has no
        # COMMENT ON for views); Unity Catalog drops a replaced view's grants, so they are given again
        sql, note = _view_sql(ctx, v, name, ctx.after)
        script.add(
            sql, c, ctx, capability="views", reverse=_view_sql(ctx, c.before, name, ctx.after)[0], note=note
        )
        _grant_all(script, ctx, c, v.id, v.grants)
    elif ObjectFlag.PROPERTIES in c.flags:
        _property_statements(
            script,
            ctx,
            c,
            f"ALTER VIEW {name}",
            "TBLPROPERTIES",
            c.before.properties,
            v.properties,
            unset="UNSET TBLPROPERTIES IF EXISTS",
            capability="views",
            unset_capability="views",
        )
    if ObjectFlag.TAGS in c.flags:
        _tag_statements(script, ctx, c, f"ALTER VIEW {name}", c.before.tags, v.tags)


# ---------------------------------------------------------------------------------------------------
# volumes and functions
# ---------------------------------------------------------------------------------------------------


def _volume_sql(vol: Any, name: str) -> str:
    sql = f"CREATE {'EXTERNAL ' if vol.volume_type == 'EXTERNAL' else ''}VOLUME IF NOT EXISTS {name}"
    if vol.location:
        sql += f" LOCATION {sql_string(vol.location)}"
    if vol.comment is not None:
        sql += f" COMMENT {sql_string(vol.comment)}"
    return sql


@renders(ch.CreateVolume)
def _create_volume(c: ch.CreateVolume, ctx: Ctx, script: Script) -> None:
    name = ctx.name(c.after.id)
    script.add(
        _volume_sql(c.after, name), c, ctx, capability="volumes", reverse=f"DROP VOLUME IF EXISTS {name}"
    )
    _new_object_extras(script, ctx, c, "VOLUME", name, c.after)


@renders(ch.DropVolume)
def _drop_volume(c: ch.DropVolume, ctx: Ctx, script: Script) -> None:
    external = c.before.volume_type == "EXTERNAL"
    note = "the files stay at the external location" if external else "the volume's files are deleted"
    _drop(script, ctx, c, "VOLUME", "volumes", note=note)


@renders(ch.RenameVolume)
def _rename_volume(c: ch.RenameVolume, ctx: Ctx, script: Script) -> None:
    target, moved = ctx.rename_to(c.before, c.after)
    old, current = ctx.name(c.before.id, ctx.before), ctx.name(c.after.id, ctx.after)
    back = (current, ctx.rename_back(c.before, c.after))
    _rename(script, ctx, c, "VOLUME", (old, target), back, "volume_move" if moved else "volumes")


@renders(ch.AlterVolume)
def _alter_volume(c: ch.AlterVolume, ctx: Ctx, script: Script) -> None:
    name = ctx.name(c.after.id)
    if ObjectFlag.LOCATION in c.flags:
        # a volume's type and location cannot be altered: it is dropped and created again
        _drop(script, ctx, c, "VOLUME", "volumes", note="location or type changed: the volume is re-created")
        script.add(_volume_sql(c.after, name), c, ctx, capability="volumes")
        _new_object_extras(script, ctx, c, "VOLUME", name, c.after)
        return
    if ObjectFlag.COMMENT in c.flags:
        _comment_on(script, ctx, c, "VOLUME", name, "volumes")
    if ObjectFlag.TAGS in c.flags:
        _tag_statements(script, ctx, c, f"ALTER VOLUME {name}", c.before.tags, c.after.tags)


def _function_sql(ctx: Ctx, fn: Any, name: str, state: State) -> tuple[str, str, str | None]:
    """(SQL, capability, note) of CREATE OR REPLACE FUNCTION."""
    head = f"CREATE OR REPLACE FUNCTION {name}({fn.parameters}) RETURNS {fn.returns}"
    comment = f" COMMENT {sql_string(fn.comment)}" if fn.comment is not None else ""
    if fn.language == "PYTHON":
        if "$$" in fn.body:
            raise ValueError(f"function {fn.name}: a Python body cannot contain '$$'")
        return f"{head} LANGUAGE PYTHON{comment} AS $$\n{fn.body}\n$$", "python_functions", None
    body, note = ctx.map_sql(fn.body, fn.schema_id, state) if "select" in fn.body.lower() else (fn.body, None)
    return f"{head}{comment} RETURN {body}", "functions", note


@renders(ch.CreateFunction)
def _create_function(c: ch.CreateFunction, ctx: Ctx, script: Script) -> None:
    name = ctx.name(c.after.id)
    sql, capability, note = _function_sql(ctx, c.after, name, ctx.after)
    script.add(sql, c, ctx, capability=capability, reverse=f"DROP FUNCTION IF EXISTS {name}", note=note)
    _grant_all(script, ctx, c, c.after.id, c.after.grants)


@renders(ch.DropFunction)
def _drop_function(c: ch.DropFunction, ctx: Ctx, script: Script) -> None:
    capability = "python_functions" if c.before.language == "PYTHON" else "functions"
    reverse = _function_sql(ctx, c.before, ctx.name(c.before.id), ctx.before)[0]
    _drop(script, ctx, c, "FUNCTION", capability, reverse=reverse)


@renders(ch.AlterFunction)
def _alter_function(c: ch.AlterFunction, ctx: Ctx, script: Script) -> None:
    name = ctx.name(c.after.id)
    sql, capability, note = _function_sql(ctx, c.after, name, ctx.after)
    script.add(
        sql,
        c,
        ctx,
        capability=capability,
        note=note,
        reverse=_function_sql(ctx, c.before, name, ctx.after)[0],
    )
    _grant_all(script, ctx, c, c.after.id, c.after.grants)


# ---------------------------------------------------------------------------------------------------
# grants
# ---------------------------------------------------------------------------------------------------


# change type -> (verb, the verb that undoes it, risk): taking privileges away can break readers
_PRIVILEGE_VERBS: dict[type[Change], tuple[str, str, Risk]] = {
    ch.Grant: ("GRANT", "REVOKE", Risk.SAFE),
    ch.Revoke: ("REVOKE", "GRANT", Risk.BREAKING),
}


@renders(ch.Grant, ch.Revoke)
def _grant_or_revoke(c: ch.Grant | ch.Revoke, ctx: Ctx, script: Script) -> None:
    verb, undo, risk = _PRIVILEGE_VERBS[type(c)]
    name = ctx.name(c.securable)
    script.add(
        _grant_sql(verb, c.securable, c.principal, c.privileges, name),
        c,
        ctx,
        capability="grants",
        risk=risk,
        reverse=_grant_sql(undo, c.securable, c.principal, c.privileges, name),
        object_id=c.securable,
    )


# ---------------------------------------------------------------------------------------------------
# the whole plan
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    statements: tuple[Statement, ...]
    unsupported: tuple[tuple[Statement, str], ...]
    notes: tuple[str, ...]


def render(
    ordered: Sequence[Change], before: State, after: State, target: Target, caps: EngineCapabilities
) -> Rendered:
    """Statements for changes already in execution order (:func:`schemax.plan.order.order_changes`)."""
    ctx = Ctx(before=before, after=after, target=target, caps=caps)
    script = Script()
    i = 0
    tracked: set[str] = set()
    touched: list[str] = []
    while i < len(ordered):
        change = ordered[i]
        ctx.phase = phase_of(change)
        table_id = change.table_id
        if table_id is not None and not isinstance(change, (ch.DropTable, ch.Grant, ch.Revoke)):
            touched.append(table_id)
        if ctx.phase == Phase.TABLE and table_id is not None:
            j = i
            while (
                j < len(ordered) and ordered[j].table_id == table_id and phase_of(ordered[j]) == Phase.TABLE
            ):
                j += 1
            render_table_unit(ordered[i:j], ctx, script)
            tracked.add(table_id)
            i = j
            continue
        RENDERERS[type(change)](change, ctx, script)
        i += 1
    ctx.phase = Phase.TABLE
    for table_id in dict.fromkeys(touched):
        if table_id not in tracked:
            render_tracking(table_id, ctx, script)
    slots = sorted(script.slots, key=lambda s: s.phase)  # stable: keeps the order within a phase
    statements, unsupported = [], []
    for slot in slots:
        stmt = slot.statement()
        statements.append(stmt)
        reason = slot.unsupported or (
            None if caps.supports(stmt.capability) else caps.reason(stmt.capability)
        )
        if reason:
            unsupported.append((stmt, reason))
    return Rendered(tuple(statements), tuple(unsupported), tuple(ctx.notes))


_missing = set(ch.CHANGE_TYPES) - set(RENDERERS)
if _missing:  # pragma: no cover - the vocabulary is closed
    raise AssertionError(f"change types without a renderer: {sorted(t.__name__ for t in _missing)}")

__all__ = ["RENDERERS", "Ctx", "Rendered", "Script", "render"]
