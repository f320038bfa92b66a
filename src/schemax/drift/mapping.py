"""Logical names to physical names (pure): what an environment's catalog actually holds.

A project's state uses logical catalog names (``sales``); an environment maps them to physical ones
(``dev_sales``) and may prefix schema names (``pr123_``). Ids never change, so the physical state can be
compared with the observed catalog by name and traced back to the project's objects by id.

The functions a row filter or a column mask names are mapped too, the way the planner renders them
(:func:`physical_function`): a project writes ``mask_email`` or ``shop.sales.mask_email``, the catalog
reports ``dev_shop.pr1_sales.mask_email``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from schemax.core import kinds
from schemax.core.hashing import table_definition_hash
from schemax.core.model import State, Table
from schemax.core.names import InvalidIdentifierError, qualified, split_qualified


def map_to_physical(state: State, catalogs: Mapping[str, str], schema_prefix: str = "") -> State:
    """The state with catalog names mapped (``catalogs``: logical -> physical, case-insensitive; names not in
    the mapping are kept) and every schema name prefixed with ``schema_prefix``. Ids are unchanged."""
    lower = {k.lower(): v for k, v in catalogs.items()}
    if not lower and not schema_prefix:
        return state
    new_catalogs = {
        cid: c.model_copy(update={"name": lower.get(c.name.lower(), c.name)})
        for cid, c in state.catalogs.items()
    }
    if schema_prefix:
        new_schemas = {
            sid: s.model_copy(update={"name": f"{schema_prefix}{s.name}"}) for sid, s in state.schemas.items()
        }
    else:
        new_schemas = dict(state.schemas)
    # A new State (not model_copy): State caches name indexes, which must not be carried over.
    maps: dict[str, Any] = {k.state_field: dict(getattr(state, k.state_field)) for k in kinds.top_level()}
    # the functions of row filters and masks are named physically too
    maps["tables"] = _physical_governance(state, lower, schema_prefix)
    return State(**{**maps, "catalogs": new_catalogs, "schemas": new_schemas})


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
    """The physical, fully qualified name of a function a table in logical ``catalog.schema`` names.

    As the planner renders it: a catalog the project manages (in ``known`` or ``catalogs``, lower case)
    is mapped and its schema prefixed; a name in another catalog (``system``, a shared one) is kept.
    """
    parts = function_parts(name, catalog, schema)
    if parts is None:
        return name
    cat, sch, fn = parts
    lower = {k.lower(): v for k, v in catalogs.items()}
    if cat.lower() not in lower and cat.lower() not in {k.lower() for k in known}:
        return qualified(*parts)
    return qualified(lower.get(cat.lower(), cat), f"{schema_prefix}{sch}", fn)


def _physical_governance(state: State, catalogs: Mapping[str, str], schema_prefix: str) -> dict[str, Table]:
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
            return physical_function(fn, cat, sch, catalogs, schema_prefix, known)

        rf = t.row_filter.evolve(function=phys(t.row_filter.function)) if t.row_filter else None
        cols = tuple(
            c.evolve(mask=c.mask.evolve(function=phys(c.mask.function))) if c.mask else c for c in t.columns
        )
        tables[tid] = t.evolve(row_filter=rf, columns=cols)
    return tables


def table_hashes(logical: State, physical: State) -> dict[str, str]:
    """``schemax.hash`` each table should carry, keyed by the table's physical full name.

    The hash is computed over the LOGICAL table definition (what deploys write); ``physical`` is the same
    state after :func:`map_to_physical` and only supplies the names.
    """
    out: dict[str, str] = {}
    for tid, table in logical.tables.items():
        if tid in physical.tables:
            out[physical.full_name(tid)] = table_definition_hash(table)
    return out


def scope_of(physical: State) -> list[tuple[str, str | None]]:
    """The (catalog, schema) pairs a physical state occupies: what a drift scan of it reads."""
    cats = {cid: c.name for cid, c in physical.catalogs.items()}
    pairs = {(cats[s.catalog_id], s.name) for s in physical.schemas.values() if s.catalog_id in cats}
    return sorted(pairs, key=lambda p: (p[0].lower(), (p[1] or "").lower()))


__all__ = ["function_parts", "map_to_physical", "physical_function", "scope_of", "table_hashes"]
