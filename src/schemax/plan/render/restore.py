"""Statements outside a diff: a data rollback's RESTORE and the version-tracking stamp of tables.

A data rollback (``services/rollback.py``) RESTOREs tables to the Delta version a deployment recorded
before it changed them destructively, then stamps each with the rollback's own version tracking (RESTORE
brings back the old ``schemax.*`` properties too). An adopted import (``services/drift.py``) stamps every
table it adopted, so the next drift scan sees no version drift. The services run these statements; the
SQL is the planner's, named and tracked like every other statement (:mod:`schemax.core.naming`,
:mod:`schemax.core.tracking`).
"""

from __future__ import annotations

from collections.abc import Mapping

from schemax.core.model import State, Table
from schemax.core.tracking import Tracking, tracking_properties
from schemax.plan.render.sql import _props
from schemax.plan.statements import Risk, Statement, Target


def _stamp(name: str, table_id: str, tracking: Tracking, table: Table) -> Statement:
    return Statement(
        sql=f"ALTER TABLE {name} SET TBLPROPERTIES {_props(tracking_properties(tracking, table))}",
        object_id=table_id,
        capability="table_properties",
    )


def restore_statements(
    target: Target, before: State, after: State, restore: Mapping[str, int]
) -> list[tuple[str, Statement]]:
    """(physical table name, statement) for each table of ``restore`` (back-quoted physical name -> Delta
    version), in name order: ``RESTORE TABLE … TO VERSION AS OF …``, then, for a table of ``before`` when the
    target tracks versions, its tracking stamp (the definition hashed: ``after``'s, else ``before``'s)."""
    ids = {target.naming.name(before, tid): tid for tid in before.tables}
    out: list[tuple[str, Statement]] = []
    for name, version in sorted(restore.items()):
        tid = ids.get(name)
        out.append((name, Statement(sql=f"RESTORE TABLE {name} TO VERSION AS OF {int(version)}",
                                    risk=Risk.DESTRUCTIVE, object_id=tid)))
        if tid is None or target.tracking is None:
            continue
        out.append((name, _stamp(name, tid, target.tracking, after.tables.get(tid, before.tables[tid]))))
    return out


def stamp_statements(target: Target, state: State) -> list[Statement]:
    """The tracking stamp of every table of ``state`` (none when the target does not track versions)."""
    if target.tracking is None:
        return []
    naming, tracking = target.naming, target.tracking
    return [_stamp(naming.name(state, tid), tid, tracking, table) for tid, table in state.tables.items()]


__all__ = ["restore_statements", "stamp_statements"]
