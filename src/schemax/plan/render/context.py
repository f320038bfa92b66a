"""What a renderer knows: the states before and after, the target's naming and the engine.

:class:`Ctx` maps logical names to physical ones (also inside view and function SQL), says which state a
statement names objects in (before the rename phase: ``before``; from it on: ``after``) and classifies
type changes for the engine. :class:`_Unit` is what is known while one table's changes are rendered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from schemax.core.lineage import resolve, rewrite_relations
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


def _unit(ctx: Ctx) -> _Unit:
    assert ctx.unit is not None, "table changes are rendered inside a table unit"
    return ctx.unit
