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
  this engine) rewrites the table by copy and swap, see :func:`~schemax.plan.render.rewrite._render_rewrite`.

The renderers live in one module per object family, registered by change class in
:data:`~schemax.plan.render.script.RENDERERS` (checked complete at import):

* :mod:`~schemax.plan.render.script` — the statement collector (:class:`Script`, folding) and the registry;
* :mod:`~schemax.plan.render.context` — :class:`Ctx`: names, mapping, engine;
* :mod:`~schemax.plan.render.sql` — SQL text helpers and the Delta feature properties;
* :mod:`~schemax.plan.render.common` — tags, properties, comments, renames, drops, tracking;
* :mod:`~schemax.plan.render.catalogs` — catalogs and schemas;
* :mod:`~schemax.plan.render.tables`, :mod:`~schemax.plan.render.columns`,
  :mod:`~schemax.plan.render.constraints`, :mod:`~schemax.plan.render.table_sql` — tables, their columns
  and constraints, and the SQL text of a table's parts;
* :mod:`~schemax.plan.render.units` — a table's changes together (:func:`render_table_unit`, features,
  folding, tracking); :mod:`~schemax.plan.render.rewrite` — the copy-and-swap rewrite;
* :mod:`~schemax.plan.render.views`, :mod:`~schemax.plan.render.volumes`,
  :mod:`~schemax.plan.render.functions`, :mod:`~schemax.plan.render.grants`;
* :mod:`~schemax.plan.render.restore` — statements outside a diff that services run: a data rollback's
  RESTORE and tracking stamp, an adopted import's stamp.

A statement that cannot simply run twice declares its effect (:mod:`schemax.core.effects`), for a resume;
the table features the statements enable that the design does not declare are collected in
:attr:`Rendered.features` (see :func:`schemax.plan.plan.build_plan`).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from schemax.core import changes as ch
from schemax.core.changes import Change
from schemax.core.model import State
from schemax.core.registry import require_complete
from schemax.plan.capabilities import EngineCapabilities
from schemax.plan.order import Phase, phase_of
from schemax.plan.render.context import Ctx
from schemax.plan.render.script import RENDERERS, Renderer, Script, renders
from schemax.plan.render.sql import COLUMN_DEFAULTS, COLUMN_MAPPING, TYPE_WIDENING
from schemax.plan.render.units import render_table_unit, render_tracking
from schemax.plan.statements import Statement, Target


@dataclass(frozen=True)
class Rendered:
    statements: tuple[Statement, ...]
    unsupported: tuple[tuple[Statement, str], ...]
    notes: tuple[str, ...]
    #: table features the statements enable that the design does not declare: table id -> {key: value}
    features: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def render(
    ordered: Sequence[Change],
    before: State,
    after: State,
    target: Target,
    caps: EngineCapabilities,
    definitions: State | None = None,
) -> Rendered:
    """Statements for changes already in execution order (:func:`schemax.plan.order.order_changes`).

    ``definitions`` is the after state as designed when ``after`` also holds the environment's table
    features (:func:`schemax.plan.plan.build_plan`): the version tracking hashes the design's definition.
    """
    ctx = Ctx(before=before, after=after, target=target, caps=caps, definitions=definitions)
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
    return Rendered(tuple(statements), tuple(unsupported), tuple(ctx.notes), ctx.features)


def _import_families() -> None:
    """Import every module of this package: the family modules register their renderers when imported
    (``@renders``), so a new object kind's renderer module is found without being named here."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


_import_families()
require_complete(RENDERERS, ch.CHANGE_TYPES, "renderers")

__all__ = [
    "COLUMN_DEFAULTS",
    "COLUMN_MAPPING",
    "RENDERERS",
    "TYPE_WIDENING",
    "Ctx",
    "Rendered",
    "Renderer",
    "Script",
    "render",
    "render_table_unit",
    "render_tracking",
    "renders",
]
