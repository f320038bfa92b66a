"""What a renderer knows: the states before and after, the target's naming and the engine.

:class:`Ctx` maps logical names to physical ones (also inside view and function SQL: relations and
function calls), says which state a statement names objects in (before the rename phase: ``before``; from
it on: ``after``) and classifies type changes for the engine. :class:`_Unit` is what is known while one
table's changes are rendered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from schemax.core import kinds
from schemax.core.effects import RenamesObject
from schemax.core.lineage import resolve, rewrite_names
from schemax.core.model import State, Table
from schemax.core.names import InvalidIdentifierError, qualified, quote_ident, split_qualified
from schemax.core.types import widening
from schemax.plan.capabilities import EngineCapabilities
from schemax.plan.order import Phase
from schemax.plan.statements import Target


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
    # the after state as designed, when ``after`` also holds the environment's table features: what the
    # version tracking hashes (see Plan.features)
    definitions: State | None = None
    # table features this plan's statements enable that the design does not declare: id -> {key: value}
    features: dict[str, dict[str, str]] = field(default_factory=dict)

    # -- table features --------------------------------------------------------------------------------
    def definition(self, table: Table) -> Table:
        """``table`` as the design defines it (without the environment's table features): what
        ``schemax.hash`` is computed over."""
        if self.definitions is None:
            return table
        return self.definitions.tables.get(table.id, table)

    def enables(self, table: Table, key: str, value: str) -> None:
        """Note that a statement turns on a table feature (``key`` = ``value``) of ``table``, unless the
        design declares exactly that."""
        if table.properties.get(key) != value:
            self.features.setdefault(table.id, {})[key] = value

    # -- names -----------------------------------------------------------------------------------------
    def state_for(self, phase: int | None = None) -> State:
        return self.before if (self.phase if phase is None else phase) < Phase.RENAME else self.after

    def logical(self, object_id: str, state: State) -> tuple[str, ...]:
        return state.path(object_id)

    def physical(self, parts: Sequence[str]) -> tuple[str, ...]:
        return self.target.naming.physical(parts)

    def name(self, object_id: str, state: State | None = None) -> str:
        """The physical, quoted full name of an object as ``state`` (default: the current phase's) names it.

        In the rename phase an object named as it is ``before`` is the object about to be renamed; the
        renames run catalogs first, then schemas, then tables, views and volumes, so by then its parents
        carry their new names: see :meth:`renaming_path`.
        """
        return qualified(*self.parts(object_id, state))

    def parts(self, object_id: str, state: State | None = None) -> tuple[str, ...]:
        """The physical name parts of what :meth:`name` quotes (a declared effect names objects so)."""
        state = state or self.state_for()
        if state is self.before and self.phase == Phase.RENAME:
            return self.physical(self.renaming_path(object_id))
        return self.physical(self.logical(object_id, state))

    def renaming_path(self, object_id: str) -> tuple[str, ...]:
        """The logical path of an object when its own rename runs: its old name inside its parents' new
        names (a schema renamed in a renamed catalog is ``new_catalog.old_schema`` at that moment).

        The reverse of a rename runs in reverse order, before the parents are renamed back, so the same
        path is where undoing a rename (or a move across schemas) lands.
        """
        path = self.before.path(object_id)
        obj = self.before.get(object_id)
        parent = getattr(obj, "schema_id", None) or getattr(obj, "catalog_id", None)
        if parent is None or self.after.get(parent) is None:
            return path
        return (*self.after.path(parent), path[-1])

    def renames(self, change: Any) -> RenamesObject:
        """The declared effect of a rename (schema, table, view, volume): the object's full physical name
        as the rename statement names it and the one it has after (a bare ``RENAME TO`` target resolved)."""
        kind = kinds.kind_of_id(change.before.id)
        assert kind is not None and kind.keyword is not None
        old = self.parts(change.before.id, self.before)
        return RenamesObject(kind.keyword, old, self.physical(self.after.path(change.after.id)))

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

    def map_function(self, parts: Sequence[str], catalog: str, schema: str, state: State) -> str | None:
        """A function call's name as written in user SQL → its physical, fully qualified name, or None to
        leave it as written.

        Mapped like a relation (issue 10: function calls follow the environment's catalog as table
        references do): a name that resolves to a function ``state`` manages, whatever its number of
        parts, and a three-part name in a catalog schemax knows. An unqualified or two-part name that is
        not a managed function stays as written: it is a built-in (``upper``, ``builtin.abs``), a temporary
        function (``session.f``) or something schemax does not manage.

        Why unqualified calls need it: an unqualified name is looked up on the SQL path, "system.session,
        system.builtin, system.ai, CURRENT_SCHEMA" by default, and "Persistent views, SQL user-defined
        functions, and SQL SECURITY DEFINER procedures capture the path when they are created"
        (https://docs.azure.cn/en-us/databricks/sql/language-manual/parameters/path): the deploying
        session's current schema, not the object's own, so a managed function is named in full.
        """
        full = resolve(tuple(parts), catalog, schema)
        if state.find(full, kinds=("function",)) is not None:
            return qualified(*self.physical(full))
        return self.map_reference(parts, catalog, schema) if len(parts) == 3 else None

    def map_sql(self, sql: str, schema_id: str, state: State) -> tuple[str, str | None]:
        """(SQL with every relation and managed function mapped to its physical name, a note when that was
        impossible)."""
        catalog, schema = state.path(schema_id)
        mapped = rewrite_names(
            sql,
            lambda parts: self.map_reference(parts, catalog, schema),
            lambda parts: self.map_function(parts, catalog, schema, state),
        )
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
        return qualified(*self.physical(self.renaming_path(old.id)))

    # -- engine ----------------------------------------------------------------------------------------
    def type_change(self, old: str, new: str) -> str:
        return widening(old, new, rules=self.caps.widening_rules)


def _unit(ctx: Ctx) -> _Unit:
    assert ctx.unit is not None, "table changes are rendered inside a table unit"
    return ctx.unit
