"""Logical ↔ physical names: the one place an environment's catalog mapping and schema prefix are applied.

A project's state uses logical names (``shop.sales.orders``); an environment maps logical catalogs to
physical ones (``shop -> dev_shop``) and may prefix every schema name (``pr7_``), so two environments can
share one physical catalog (local Spark has only ``spark_catalog``). Ids never change: a state mapped to
physical names (:meth:`Naming.map_state`) is compared with the observed catalog by name and traced back
to the project's objects by id.

Everything that maps names goes through :class:`Naming`: the planner (``plan.statements.Target`` and the
renderer's ``Ctx``), ``Environment.physical_catalog`` / ``physical_schema``, the names a deployment
records and a data rollback restores, drift's expected state, and the inverse an import reads the live
catalog back with (:meth:`Naming.logical_catalog`, :meth:`Naming.logical_schema`).

Case rules:

* logical catalog names are case-insensitive (a project cannot hold ``Shop`` and ``shop``), so a mapping
  key matches a logical catalog in any casing; the key spelled exactly like the logical name wins, else
  the first matching key in sorted order. An environment whose keys differ only in case is refused when
  it is added or changed (:func:`case_conflicts`), so that rule only decides for a mapping built by hand;
* a physical catalog is matched case-insensitively when read back; when two logical catalogs map to the
  same physical one, the later mapping entry wins (as the mapping lists them);
* the schema prefix is prepended as written and stripped only where a name starts with it exactly.

Quoting is :mod:`schemax.core.names` (:func:`~schemax.core.names.quote_ident`,
:func:`~schemax.core.names.qualified`): :meth:`Naming.name` is the back-quoted physical full name.

The functions a row filter or a column mask names are mapped too, the way the planner renders them
(:func:`physical_function`): a project writes ``mask_email`` or ``shop.sales.mask_email``, the catalog
reports ``dev_shop.pr1_sales.mask_email``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from schemax.core import kinds
from schemax.core.model import State, Table
from schemax.core.names import InvalidIdentifierError, qualified, split_qualified


def case_conflicts(catalogs: Mapping[str, str]) -> list[tuple[str, ...]]:
    """Groups of mapping keys that differ only in case (each group sorted; empty when there are none).

    Logical catalog names are case-insensitive, so such keys would map one logical catalog two ways.
    """
    groups: dict[str, list[str]] = {}
    for key in catalogs:
        groups.setdefault(key.lower(), []).append(key)
    return [tuple(sorted(keys)) for _, keys in sorted(groups.items()) if len(keys) > 1]


@dataclass(frozen=True)
class Naming:
    """An environment's naming: ``catalogs`` (logical -> physical, keys case-insensitive) and the
    ``schema_prefix`` every physical schema name starts with. A logical catalog the mapping does not name
    keeps its name."""

    catalogs: Mapping[str, str] = field(default_factory=dict)
    schema_prefix: str = ""
    # issue 11: logical principal -> the environment's physical one (owners and grants); unmapped: itself
    principals: Mapping[str, str] = field(default_factory=dict)
    _lower: dict[str, str] = field(init=False, repr=False, compare=False)
    _inverse: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lower: dict[str, str] = {}
        for key in sorted(self.catalogs):  # keys differing only in case: the first in sorted order wins
            lower.setdefault(key.lower(), self.catalogs[key])
        object.__setattr__(self, "_lower", lower)
        object.__setattr__(self, "_inverse", {p.lower(): k for k, p in self.catalogs.items()})

    @property
    def is_identity(self) -> bool:
        """True when no name changes (no mapping, no prefix, no principal mapping)."""
        return not self.catalogs and not self.schema_prefix and not self.principals

    # -- principals (issue 11) -------------------------------------------------------------------------
    def principal(self, logical: str) -> str:
        """The physical principal of a logical one (exact key; principals are matched as written)."""
        return self.principals.get(logical, logical)

    def logical_principal(self, physical: str) -> str:
        """The logical principal a physical one stands for (case-insensitive; unmapped: itself)."""
        low = physical.lower()
        return next((k for k, v in sorted(self.principals.items()) if v.lower() == low), physical)

    def map_principals(self, state: State) -> State:
        """``state`` with every owner and grant principal mapped (:meth:`principal`), ids unchanged."""
        if not self.principals:
            return state
        maps: dict[str, Any] = {}
        for k in kinds.securable():
            objects = dict(getattr(state, k.state_field))
            for oid, obj in objects.items():
                grants = {self.principal(p): privs for p, privs in obj.grants.items()}
                owner = self.principal(obj.owner) if obj.owner is not None else None
                if grants != obj.grants or owner != obj.owner:
                    objects[oid] = obj.evolve(grants=grants, owner=owner)
            maps[k.state_field] = objects
        rest = {k.state_field: dict(getattr(state, k.state_field)) for k in kinds.top_level()}
        return State(**{**rest, **maps})

    # -- logical -> physical ---------------------------------------------------------------------------
    def catalog(self, logical: str) -> str:
        """The physical catalog of a logical one (the exact key first, then any casing)."""
        found = self.catalogs.get(logical)
        if found is None:
            found = self._lower.get(logical.lower(), logical)
        return found

    def maps_catalog(self, logical: str) -> bool:
        """True when the mapping names ``logical`` (in any casing)."""
        return logical.lower() in self._lower

    def schema(self, logical: str) -> str:
        """The physical name of a logical schema: the prefix, then the name."""
        return self.schema_prefix + logical

    def physical(self, parts: Sequence[str]) -> tuple[str, ...]:
        """Logical name parts (catalog, schema, object, column...) -> physical name parts."""
        out = [self.catalog(parts[0])]
        if len(parts) > 1:
            out.append(self.schema(parts[1]))
        out.extend(parts[2:])
        return tuple(out)

    def parts(self, state: State, object_id: str) -> tuple[str, ...]:
        """The physical name parts of an object of ``state`` (KeyError when it is not there)."""
        return self.physical(state.path(object_id))

    def name(self, state: State, object_id: str) -> str:
        """The back-quoted physical full name of an object of ``state``."""
        return qualified(*self.parts(state, object_id))

    def physical_catalogs(self) -> list[str]:
        """The physical catalogs the mapping names, sorted (what an import of the environment reads)."""
        return sorted(set(self.catalogs.values()))

    # -- physical -> logical ---------------------------------------------------------------------------
    def logical_catalog(self, physical: str) -> str:
        """The logical catalog a physical one holds (matched case-insensitively; unmapped: itself)."""
        return self._inverse.get(physical.lower(), physical)

    def mapped_physical(self, physical: str) -> bool:
        """True when some logical catalog maps to ``physical`` (in any casing)."""
        return physical.lower() in self._inverse

    def logical_schema(self, physical: str) -> str | None:
        """The logical schema a physical schema name holds: the name without the prefix; None when it does
        not start with the prefix (the schema belongs to no environment with this prefix)."""
        if not self.schema_prefix:
            return physical
        if not physical.startswith(self.schema_prefix):
            return None
        return physical[len(self.schema_prefix):]

    def unprefixed(self, physical: str) -> str:
        """A physical schema name without the prefix where it has it, else as it is."""
        found = self.logical_schema(physical)
        return physical if found is None else found

    # -- states ----------------------------------------------------------------------------------------
    def map_state(self, state: State) -> State:
        """``state`` with every catalog mapped and every schema prefixed, ids unchanged; the functions of
        row filters and masks are named physically too (:func:`physical_function`)."""
        if self.is_identity:
            return state
        new_catalogs = {
            cid: c.model_copy(update={"name": self.catalog(c.name)}) for cid, c in state.catalogs.items()
        }
        if self.schema_prefix:
            new_schemas = {
                sid: s.model_copy(update={"name": self.schema(s.name)}) for sid, s in state.schemas.items()
            }
        else:
            new_schemas = dict(state.schemas)
        # A new State (not model_copy): State caches name indexes, which must not be carried over.
        maps: dict[str, Any] = {k.state_field: dict(getattr(state, k.state_field)) for k in kinds.top_level()}
        maps["tables"] = self._physical_governance(state)
        mapped = State(**{**maps, "catalogs": new_catalogs, "schemas": new_schemas})
        return self.map_principals(mapped)

    def physical_function(self, name: str, catalog: str, schema: str, known: Collection[str] = ()) -> str:
        """The physical, fully qualified name of a function a table in logical ``catalog.schema`` names.

        As the planner renders it: a catalog the project manages (in ``known`` or the mapping, any casing)
        is mapped and its schema prefixed; a name in another catalog (``system``, a shared one) is kept.
        """
        parts = function_parts(name, catalog, schema)
        if parts is None:
            return name
        cat, sch, fn = parts
        if not self.maps_catalog(cat) and cat.lower() not in {k.lower() for k in known}:
            return qualified(*parts)
        return qualified(self.catalog(cat), self.schema(sch), fn)

    def _physical_governance(self, state: State) -> dict[str, Table]:
        """``state.tables`` with the functions of row filters and column masks named physically."""
        known = {c.name.lower() for c in state.catalogs.values()}
        tables = dict(state.tables)
        for tid, t in state.tables.items():
            if t.row_filter is None and not any(c.mask is not None for c in t.columns):
                continue
            schema = state.schemas.get(t.schema_id)
            if schema is None or schema.catalog_id not in state.catalogs:
                continue
            cat, sch = state.catalogs[schema.catalog_id].name, schema.name

            def phys(fn: str, cat: str = cat, sch: str = sch) -> str:
                return self.physical_function(fn, cat, sch, known)

            rf = t.row_filter.evolve(function=phys(t.row_filter.function)) if t.row_filter else None
            cols = tuple(
                c.evolve(mask=c.mask.evolve(function=phys(c.mask.function))) if c.mask else c
                for c in t.columns
            )
            tables[tid] = t.evolve(row_filter=rf, columns=cols)
        return tables


def function_parts(name: str, catalog: str, schema: str) -> tuple[str, str, str] | None:
    """A function name as written (1 to 3 parts) completed with the catalog and schema it is resolved in;
    None when it is not a valid name.

    >>> function_parts("sales.mask", "shop", "ops")
    ('shop', 'sales', 'mask')
    """
    try:
        parts = split_qualified(name)
    except (InvalidIdentifierError, TypeError):
        return None
    if len(parts) == 1:
        return (catalog, schema, parts[0])
    if len(parts) == 2:
        return (catalog, parts[0], parts[1])
    if len(parts) == 3:
        return (parts[0], parts[1], parts[2])
    return None


def physical_function(
    name: str,
    catalog: str,
    schema: str,
    catalogs: Mapping[str, str],
    schema_prefix: str = "",
    known: Collection[str] = (),
) -> str:
    """:meth:`Naming.physical_function` for a mapping and prefix given apart."""
    return Naming(catalogs, schema_prefix).physical_function(name, catalog, schema, known)


__all__ = ["Naming", "case_conflicts", "function_parts", "physical_function"]
