"""Did a statement already take effect? Asked when resuming a deployment whose process died.

A statement's status is recorded after it runs, so a process that dies in between leaves a statement
that ran but looks pending. Most statements schemax emits are idempotent (``IF [NOT] EXISTS``, ``SET``
forms, ``CREATE OR REPLACE``) and simply run again. The few that are not would fail the resume on a
second run: ``ADD COLUMNS``, ``RENAME COLUMN``, ``RENAME TO``, ``ADD CONSTRAINT`` (check, primary and
foreign keys), and a table rewrite's ``INSERT INTO <shadow>`` (which would copy the rows twice). The
renderer declares what each of those changes (its :mod:`effect <schemax.core.effects>`, kept in the
statement record); right before such a statement would run again, the catalog is asked, through the
:class:`~schemax.ports.CatalogProbe` port, whether that effect is already there: one probe per effect
type, never a look at the SQL text. A statement without an effect (idempotent, or recorded before effects
existed) simply runs again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from schemax.core import effects as fx
from schemax.core.registry import require_complete
from schemax.ports import CatalogProbe

FOUND_APPLIED = "found applied when resuming: not run again"


def _adds_columns(e: fx.AddsColumns, probe: CatalogProbe) -> bool:
    cols = probe.columns(e.table)
    return cols is not None and all(c.lower() in cols for c in e.columns)


def _renames_column(e: fx.RenamesColumn, probe: CatalogProbe) -> bool:
    cols = probe.columns(e.table)
    # both names present: ambiguous (a column took the old name again?), so run it
    return cols is not None and e.new.lower() in cols and e.old.lower() not in cols


def _renames_object(e: fx.RenamesObject, probe: CatalogProbe) -> bool:
    return not probe.exists(e.keyword, e.old) and probe.exists(e.keyword, e.new)


def _adds_check(e: fx.AddsCheck, probe: CatalogProbe) -> bool:
    return e.name.lower() in probe.check_constraints(e.table)


def _adds_key(e: fx.AddsKey, probe: CatalogProbe) -> bool:
    return probe.has_key_constraint(e.table, e.name)


def _copies_rows(e: fx.CopiesRows, probe: CatalogProbe) -> bool:
    # the shadow is created empty right before (CREATE OR REPLACE): rows in it mean the copy ran
    return probe.has_rows(e.shadow)


#: effect type -> the probe that says whether it is already there (checked complete at import).
PROBES: dict[type[Any], Callable[[Any, CatalogProbe], bool]] = {
    fx.AddsColumns: _adds_columns,
    fx.RenamesColumn: _renames_column,
    fx.RenamesObject: _renames_object,
    fx.AddsCheck: _adds_check,
    fx.AddsKey: _adds_key,
    fx.CopiesRows: _copies_rows,
}
require_complete(PROBES, fx.EFFECT_TYPES.values(), "resume probes")


def already_applied(effect: fx.Effect | None, probe: CatalogProbe) -> bool:
    """True when a statement declaring ``effect`` already took effect in the catalog; False without an
    effect (the statement simply runs again)."""
    if effect is None:
        return False
    return PROBES[type(effect)](effect, probe)


__all__ = ["FOUND_APPLIED", "PROBES", "already_applied"]
