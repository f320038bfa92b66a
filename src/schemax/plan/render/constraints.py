"""Table constraints: CHECK, primary and foreign keys (foreign keys run in their own phase, after every
table they reference exists).
"""

from __future__ import annotations

from schemax.core import changes as ch
from schemax.core.changes import Change
from schemax.core.effects import AddsCheck, AddsKey
from schemax.core.model import Constraint, Table
from schemax.core.names import qualified, quote_ident
from schemax.plan.order import Phase
from schemax.plan.render.context import Ctx
from schemax.plan.render.script import Script, renders
from schemax.plan.render.table_sql import _constraint_capability, _constraint_sql
from schemax.plan.statements import Risk


def _add_constraint(
    script: Script,
    ctx: Ctx,
    change: Change,
    table: Table,
    parts: tuple[str, ...],
    con: Constraint,
    *,
    existing_data: bool,
) -> None:
    """``ALTER TABLE <parts> ADD CONSTRAINT``, declared as adding a check or a key (it cannot run twice)."""
    name = qualified(*parts)
    effect = AddsCheck(parts, con.name) if con.kind == "check" else AddsKey(parts, con.name)
    risk = Risk.DATA_DEPENDENT if con.kind == "check" and existing_data else Risk.SAFE
    note = (
        "existing rows must satisfy the CHECK or the statement fails" if risk is Risk.DATA_DEPENDENT else None
    )
    phase = Phase.FOREIGN_KEY if con.kind == "foreign_key" else None
    script.add(
        f"ALTER TABLE {name} ADD {_constraint_sql(ctx, table, con)}",
        change,
        ctx,
        risk=risk,
        reverse=f"ALTER TABLE {name} DROP CONSTRAINT IF EXISTS {quote_ident(con.name)}",
        capability=_constraint_capability(con),
        note=note,
        object_id=table.id,
        phase=phase,
        effect=effect,
    )


@renders(ch.AddConstraint)
def _add_constraint_change(c: ch.AddConstraint, ctx: Ctx, script: Script) -> None:
    _add_constraint(script, ctx, c, c.table, ctx.parts(c.table.id), c.constraint, existing_data=True)


@renders(ch.DropConstraint)
def _drop_constraint(c: ch.DropConstraint, ctx: Ctx, script: Script) -> None:
    state = ctx.state_for()
    if c.table.id not in state.tables:
        state = ctx.before
    table = state.tables[c.table.id]
    name = ctx.name(table.id, state)
    con = c.constraint
    script.add(
        f"ALTER TABLE {name} DROP CONSTRAINT IF EXISTS {quote_ident(con.name)}",
        c,
        ctx,
        capability=_constraint_capability(con),
        reverse=f"ALTER TABLE {name} ADD {_constraint_sql(ctx, c.table, con)}",
    )
