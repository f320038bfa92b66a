"""Execution order for a list of changes: deterministic and dependency-aware.

Phases, in order (each change belongs to one; :data:`Phase`):

1. revokes (before anything is dropped, so no privilege outlives its object's replacement);
2. drops, most dependent first: views (a view before the views it reads), foreign keys, then tables (a
   table holding a foreign key before the table it references), volumes and functions, then schemas,
   then catalogs;
3. renames (catalogs, schemas, tables, views, volumes), so that every later statement uses new names and
   a new object can take a freed name;
4. creates and changes, least dependent first: catalogs, schemas, functions that read no table, tables
   (referenced tables before the tables whose foreign keys point at them; each table's changes
   together), foreign keys (after every primary key they reference), views (in the order their SQL reads
   each other: lineage), functions that read tables, volumes;
5. grants;
6. owners (ALTER … SET OWNER TO, issue 11): last, since a transfer may take away the rights the rest needs.

Ties are broken by full name (then id), so the same changes always come out in the same order.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Hashable, Iterable, Sequence
from enum import IntEnum

from schemax.core import changes as ch
from schemax.core import kinds
from schemax.core.changes import OBJECT_CHANGES, Change
from schemax.core.lineage import relations_read, view_dependencies
from schemax.core.model import State
from schemax.core.registry import require_complete


class Phase(IntEnum):
    REVOKE = 0
    DROP_VIEW = 1
    DROP_FOREIGN_KEY = 2
    DROP_OBJECT = 3
    DROP_SCHEMA = 4
    DROP_CATALOG = 5
    RENAME = 6
    CATALOG = 7
    SCHEMA = 8
    FUNCTION = 9
    TABLE = 10
    FOREIGN_KEY = 11
    VIEW = 12
    LATE_FUNCTION = 13
    VOLUME = 14
    GRANT = 15
    OWNER = 16  # ownership moves last: the deployer may lose the rights the statements before need


# Within DROP_OBJECT, functions and volumes go first (a SQL function may read a table that goes in the
# same plan); a kind not named here goes after these.
_DROP_OBJECT_ORDER = ("function", "volume", "table")

# Each top-level kind's family runs in the phases the registry gives it (ObjectKind.phase / drop_phase, a
# misspelt phase fails here, at import); its renames in RENAME, parents first.
_PHASES: dict[type[Change], Phase] = {
    ch.Revoke: Phase.REVOKE, ch.Grant: Phase.GRANT, ch.SetOwner: Phase.OWNER,
}
_DROPS: set[type[Change]] = set()  # the drop of every top-level kind
_DROP_RANK: dict[type[Change], int] = {}
_RENAME_KIND: dict[type[Change], int] = {}
for _kind in kinds.top_level():
    _family = OBJECT_CHANGES[_kind.name]
    _PHASES[_family.create] = Phase[_kind.phase or ""]
    if _family.alter is not None:
        _PHASES[_family.alter] = Phase[_kind.phase or ""]
    _PHASES[_family.drop] = Phase[_kind.drop_phase or ""]
    _DROPS.add(_family.drop)
    if _kind.name in _DROP_OBJECT_ORDER:
        _DROP_RANK[_family.drop] = _DROP_OBJECT_ORDER.index(_kind.name)
    if _family.rename is not None:
        _PHASES[_family.rename] = Phase.RENAME
        _RENAME_KIND[_family.rename] = _kind.position

# Within one table, the order its changes are rendered in: constraints and columns that go away first
# (freeing names), then renames, in-place changes, positions, new columns, layout, and finally the
# table-level metadata (whose SET TBLPROPERTIES also carries version tracking, written last).
TABLE_STEP: dict[type[Change], int] = {
    ch.CreateTable: 0,
    ch.DropConstraint: 1,
    ch.DropColumn: 2,
    ch.RenameColumn: 3,
    ch.ModifyColumn: 4,
    ch.ReorderColumns: 5,
    ch.AddColumn: 6,
    ch.SetClustering: 7,
    ch.SetPartitioning: 8,
    ch.SetRowFilter: 9,
    ch.AddConstraint: 10,
    ch.SetTableComment: 11,
    ch.SetTableTags: 12,
    ch.SetTableProperties: 13,
}

# every change type runs in a phase of its own kind or in its table's (TABLE, ordered by TABLE_STEP)
require_complete({*_PHASES, *TABLE_STEP}, ch.CHANGE_TYPES, "change types without a phase")


def _is_foreign_key(change: Change) -> bool:
    con = getattr(change, "constraint", None)
    return con is not None and con.kind == "foreign_key"


def phase_of(change: Change) -> Phase:
    """The phase a change runs in (see the module docstring)."""
    if isinstance(change, ch.DropConstraint) and _is_foreign_key(change):
        return Phase.DROP_FOREIGN_KEY
    if isinstance(change, ch.AddConstraint) and _is_foreign_key(change):
        return Phase.FOREIGN_KEY
    if isinstance(change, (ch.CreateFunction, ch.AlterFunction)) and change.after.language == "SQL":
        if relations_read(change.after.body):
            return Phase.LATE_FUNCTION
    found = _PHASES.get(type(change))
    if found is not None:
        return found
    return Phase.TABLE


def topological(
    nodes: Iterable[Hashable], deps: dict[Hashable, set[Hashable]], key: Callable[[Hashable], tuple[str, ...]]
) -> list[Hashable]:
    """``nodes`` with every node after the nodes it depends on; ties (and cycles) broken by ``key``."""
    nodes = list(dict.fromkeys(nodes))
    present = set(nodes)
    waiting = {n: {d for d in deps.get(n, ()) if d in present and d != n} for n in nodes}
    dependents: dict[Hashable, set[Hashable]] = {n: set() for n in nodes}
    for n, ds in waiting.items():
        for d in ds:
            dependents[d].add(n)
    ready = [(key(n), i, n) for i, n in enumerate(nodes) if not waiting[n]]
    heapq.heapify(ready)
    index = {n: i for i, n in enumerate(nodes)}
    out: list[Hashable] = []
    done: set[Hashable] = set()
    while len(out) < len(nodes):
        if not ready:  # a cycle: release the smallest remaining node
            rest = sorted((n for n in nodes if n not in done), key=lambda n: (key(n), index[n]))
            heapq.heappush(ready, (key(rest[0]), index[rest[0]], rest[0]))
            waiting[rest[0]] = set()
        _, _, n = heapq.heappop(ready)
        if n in done:
            continue
        done.add(n)
        out.append(n)
        for m in sorted(dependents[n], key=lambda m: index[m]):
            waiting[m].discard(n)
            if not waiting[m] and m not in done:
                heapq.heappush(ready, (key(m), index[m], m))
    return out


def _name_key(state: State, object_id: str) -> tuple[str, ...]:
    try:
        return (state.full_name(object_id).lower(), object_id)
    except KeyError:
        return ("", object_id)


def _fk_deps(state: State) -> dict[Hashable, set[Hashable]]:
    """table id -> ids of the tables its foreign keys reference."""
    return {
        t.id: {c.ref_table for c in t.constraints if c.kind == "foreign_key" and c.ref_table}
        for t in state.tables.values()
    }


def _inverted(deps: dict[Hashable, set[Hashable]] | dict[str, set[str]]) -> dict[Hashable, set[Hashable]]:
    """Dependencies turned around: for drops, a dependent object goes before what it depends on."""
    out: dict[Hashable, set[Hashable]] = {}
    for node, targets in deps.items():
        for target in targets:
            out.setdefault(target, set()).add(node)
    return out


def order_changes(changes: Sequence[Change], before: State, after: State) -> list[Change]:
    """``changes`` in execution order (see the module docstring)."""
    phases = [phase_of(c) for c in changes]
    group_rank: dict[tuple[Phase, str], int] = {}

    def name(change: Change) -> tuple[str, ...]:
        # one name per object whichever of its changes comes first: as it is after, else as it was
        object_id = change.table_id or change.subject
        in_after = after.get(object_id) is not None and type(change) not in _DROPS
        return _name_key(after if in_after else before, object_id)

    # groups (a table's changes, a view, a schema...) ranked within their phase
    by_phase: dict[Phase, list[str]] = {}
    for change, phase in zip(changes, phases, strict=True):
        by_phase.setdefault(phase, []).append(_group(change))
    for phase, groups in by_phase.items():
        ranked = _rank_groups(phase, groups, changes, phases, before, after, name)
        for i, g in enumerate(ranked):
            group_rank[(phase, g)] = i

    def sort_key(item: tuple[int, Change]) -> tuple[int, int, int, int, int]:
        i, change = item
        phase = phases[i]
        step = _RENAME_KIND.get(type(change), 0) if phase == Phase.RENAME else TABLE_STEP.get(type(change), 0)
        if phase == Phase.RENAME:
            return (phase, step, group_rank[(phase, _group(change))], 0, i)
        return (phase, group_rank[(phase, _group(change))], step, _position_in_table(change), i)

    return [c for _, c in sorted(enumerate(changes), key=sort_key)]


def _position_in_table(change: Change) -> int:
    """Where a column or constraint sits in its table: changes of one kind go in column order (new columns
    in their final order, so each one's predecessor exists when it is added)."""
    table = getattr(change, "table", None)
    if table is None:
        return 0
    item = (
        getattr(change, "column", None)
        or getattr(change, "after", None)
        or getattr(change, "constraint", None)
    )
    items = table.constraints if isinstance(change, (ch.AddConstraint, ch.DropConstraint)) else table.columns
    for i, x in enumerate(items):
        if x.id == getattr(item, "id", None):
            return i
    return 0


def _group(change: Change) -> str:
    if isinstance(change, (ch.Grant, ch.Revoke)):
        return f"{change.subject}\x00{change.principal}"
    return change.table_id or change.subject


def _rank_groups(
    phase: Phase,
    groups: list[str],
    changes: Sequence[Change],
    phases: list[Phase],
    before: State,
    after: State,
    name: Callable[[Change], tuple[str, ...]],
) -> list[str]:
    first: dict[str, Change] = {}
    for change, p in zip(changes, phases, strict=True):
        if p == phase:
            first.setdefault(_group(change), change)

    def key(group: Hashable) -> tuple[str, ...]:
        change = first[group]  # type: ignore[index]
        return (*name(change), str(group))

    unique = list(dict.fromkeys(groups))
    if phase == Phase.TABLE:
        return topological(unique, _fk_deps(after), key)  # type: ignore[return-value]
    if phase == Phase.VIEW:
        return topological(unique, view_dependencies(after), key)  # type: ignore[arg-type, return-value]
    if phase == Phase.DROP_VIEW:
        return topological(unique, _inverted(view_dependencies(before)), key)  # type: ignore[arg-type, return-value]
    if phase == Phase.DROP_OBJECT:
        # functions and volumes first: a SQL function may read a table that goes in the same plan
        def drop_key(group: Hashable) -> tuple[str, ...]:
            rank = _DROP_RANK.get(type(first[group]), len(_DROP_OBJECT_ORDER))  # type: ignore[index]
            return (str(rank), *key(group))

        return topological(unique, _inverted(_fk_deps(before)), drop_key)  # type: ignore[return-value]
    return sorted(unique, key=key)


__all__ = ["TABLE_STEP", "Phase", "order_changes", "phase_of", "topological"]
