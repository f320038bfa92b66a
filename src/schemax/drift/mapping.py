"""Logical names to physical names (pure): what an environment's catalog actually holds.

A project's state uses logical catalog names (``sales``); an environment maps them to physical ones
(``dev_sales``) and may prefix schema names (``pr123_``). Ids never change, so the physical state can be
compared with the observed catalog by name and traced back to the project's objects by id.

The naming itself (mapping, prefix, case rules, the functions of row filters and masks) is
:class:`schemax.core.naming.Naming`; this module is drift's view of it: the mapped state, the expected
``schemax.hash`` per physical table and the scope a scan reads. ``function_parts`` and
``physical_function`` are re-exported from there.
"""

from __future__ import annotations

from collections.abc import Mapping

from schemax.core.model import State
from schemax.core.naming import Naming, function_parts, physical_function
from schemax.core.tracking import table_definition_hash


def map_to_physical(state: State, catalogs: Mapping[str, str], schema_prefix: str = "") -> State:
    """The state with catalog names mapped (``catalogs``: logical -> physical, case-insensitive; names not in
    the mapping are kept) and every schema name prefixed with ``schema_prefix``. Ids are unchanged.
    (:meth:`schemax.core.naming.Naming.map_state`.)"""
    return Naming(catalogs, schema_prefix).map_state(state)


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
