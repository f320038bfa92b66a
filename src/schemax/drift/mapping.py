"""Logical names to physical names (pure): what an environment's catalog actually holds.

A project's state uses logical catalog names (``sales``); an environment maps them to physical ones
(``dev_sales``) and may prefix schema names (``pr123_``). Ids never change, so the physical state can be
compared with the observed catalog by name and traced back to the project's objects by id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from schemax.core import kinds
from schemax.core.hashing import table_definition_hash
from schemax.core.model import State


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
    return State(**{**maps, "catalogs": new_catalogs, "schemas": new_schemas})


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


__all__ = ["map_to_physical", "scope_of", "table_hashes"]
