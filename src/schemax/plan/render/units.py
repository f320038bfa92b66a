"""Table units: a table's changes rendered together, with the Delta features they need first.

Column mapping before RENAME/DROP COLUMN (and for names Delta rejects without it), type widening before
an in-place type change, column defaults before a DEFAULT; CHECK constraints that read a changed column
are dropped first and added back after; column renames that swap names go through temporary names; the
version tracking comes last. A unit Delta cannot apply in place is rewritten, see
:mod:`schemax.plan.render.rewrite`.
"""

from __future__ import annotations

from collections.abc import Sequence

from schemax.core import changes as ch
from schemax.core.changes import Change, ColumnFlag
from schemax.core.lineage import columns_read, rename_columns
from schemax.core.model import Constraint
from schemax.core.names import quote_ident
from schemax.core.types import requires_type_widening
from schemax.plan.render.common import _tracking
from schemax.plan.render.constraints import _add_constraint
from schemax.plan.render.context import Ctx, _Unit
from schemax.plan.render.rewrite import _render_rewrite
from schemax.plan.render.script import RENDERERS, Script
from schemax.plan.render.sql import (
    COLUMN_DEFAULTS,
    COLUMN_MAPPING,
    TYPE_WIDENING,
    _mapping_on,
    _needs_mapping,
    _props,
)
from schemax.plan.render.table_sql import _constraint_sql
from schemax.plan.render.tables import _set_properties
from schemax.plan.statements import Risk


def _is_rewrite(changes: Sequence[Change], ctx: Ctx) -> bool:
    for c in changes:
        if isinstance(c, ch.SetPartitioning):
            return True
        if isinstance(c, ch.ModifyColumn) and ColumnFlag.TYPE in c.flags:
            if ctx.type_change(c.before.type, c.after.type) == "rewrite":
                return True
    return False


def _features(changes: Sequence[Change], ctx: Ctx, unit: _Unit) -> list[tuple[str, str, str]]:
    """(property, value, why) for the table features the unit's statements need and the table lacks."""
    props = unit.before.properties if unit.before else {}
    needed: list[tuple[str, str, str]] = []
    mapping = any(isinstance(c, (ch.DropColumn, ch.RenameColumn)) for c in changes) or any(
        isinstance(c, (ch.AddColumn, ch.RenameColumn))
        and _needs_mapping(c.column.name if isinstance(c, ch.AddColumn) else c.after.name)
        for c in changes
    )
    if mapping and not _mapping_on(props):
        needed.append((COLUMN_MAPPING, "name", "column mapping (one-way protocol upgrade)"))
    widen = any(
        isinstance(c, ch.ModifyColumn)
        and ColumnFlag.TYPE in c.flags
        and requires_type_widening(c.before.type, c.after.type, rules=ctx.caps.widening_rules)
        for c in changes
    )
    if widen and props.get(TYPE_WIDENING, "").lower() != "true":
        needed.append((TYPE_WIDENING, "true", "type widening (protocol upgrade)"))
    defaults = any(isinstance(c, ch.AddColumn) and c.column.default is not None for c in changes) or any(
        isinstance(c, ch.ModifyColumn) and ColumnFlag.DEFAULT in c.flags and c.after.default is not None
        for c in changes
    )
    if defaults and COLUMN_DEFAULTS not in props:
        needed.append((COLUMN_DEFAULTS, "supported", "column defaults (table feature)"))
    return needed


def _swap_renames(changes: Sequence[Change], ctx: Ctx, script: Script, unit: _Unit) -> None:
    """Column renames that take each other's names (a <-> b) go through temporary names."""
    renames = [c for c in changes if isinstance(c, ch.RenameColumn)]
    old_names = {c.before.name.lower() for c in renames}
    if not any(c.after.name.lower() in old_names for c in renames):
        return
    name = ctx.name(unit.after.id)
    for step in (0, 1):
        for c in renames:
            tmp = f"__schemax_tmp_{c.after.id}"
            src, dst = (c.before.name, tmp) if step == 0 else (tmp, c.after.name)
            script.add(
                f"ALTER TABLE {name} RENAME COLUMN {quote_ident(src)} TO {quote_ident(dst)}",
                c,
                ctx,
                risk=Risk.BREAKING,
                capability="column_mapping",
                reverse=f"ALTER TABLE {name} RENAME COLUMN {quote_ident(dst)} TO {quote_ident(src)}",
                note="columns swap names through a temporary name" if step == 0 else None,
            )
            unit.handled.add(id(c))


def _checks_in_the_way(changes: Sequence[Change], unit: _Unit) -> list[tuple[Constraint, str | None]]:
    """CHECK constraints Delta will not let a column change pass: (constraint, expression to re-add).

    Delta refuses to rename, drop or retype a column a CHECK constraint reads
    (DELTA_CONSTRAINT_DEPENDENT_COLUMN_CHANGE). Such a constraint is dropped first and added back after,
    its expression following renamed columns; one that reads a dropped column is not added back.
    """
    if unit.before is None:
        return []
    renamed = {c.before.name.lower(): c.after.name for c in changes if isinstance(c, ch.RenameColumn)}
    dropped = {c.column.name.lower() for c in changes if isinstance(c, ch.DropColumn)}
    retyped = {
        c.before.name.lower()
        for c in changes
        if isinstance(c, ch.ModifyColumn) and ColumnFlag.TYPE in c.flags
    }
    touched = set(renamed) | dropped | retyped
    gone = {c.constraint.id for c in changes if isinstance(c, ch.DropConstraint)}
    out: list[tuple[Constraint, str | None]] = []
    for con in unit.before.constraints:
        if con.kind != "check" or con.id in gone or not con.expression:
            continue
        reads = columns_read(con.expression)
        if not reads & touched:
            continue
        if reads & dropped:
            out.append((con, None))
            continue
        out.append((con, rename_columns(con.expression, renamed) if reads & set(renamed) else con.expression))
    return out


def render_table_unit(changes: Sequence[Change], ctx: Ctx, script: Script) -> None:
    """Render one table's changes (all in the TABLE phase), folded, features first, tracking last."""
    table_id = changes[0].table_id
    assert table_id is not None
    after = ctx.after.tables[table_id]
    before = ctx.before.tables.get(table_id)
    unit = _Unit(
        before=before,
        after=after,
        mapping=_mapping_on(before.properties) if before else False,
        defaults=COLUMN_DEFAULTS in before.properties if before else False,
    )
    ctx.unit = unit
    try:
        if before is not None and _is_rewrite(changes, ctx):
            _render_rewrite(changes, ctx, script, before, after)
            return
        features = _features(changes, ctx, unit)
        if features:
            name = ctx.name(table_id)
            capability = (
                "column_mapping"
                if features[0][0] == COLUMN_MAPPING
                else ("type_widening" if features[0][0] == TYPE_WIDENING else "column_default")
            )
            script.add(
                f"ALTER TABLE {name} SET TBLPROPERTIES {_props((k, v) for k, v, _ in features)}",
                None,
                ctx,
                risk=Risk.BREAKING,
                capability=capability,
                object_id=table_id,
                note="enables " + ", ".join(why for _, _, why in features) + "; readers need a Delta "
                "version that supports it and it cannot be turned off",
            )
            unit.mapping = unit.mapping or any(k == COLUMN_MAPPING for k, _, _ in features)
        blocking = _checks_in_the_way(changes, unit)
        name = ctx.name(table_id)
        for con, _ in blocking:
            script.add(
                f"ALTER TABLE {name} DROP CONSTRAINT IF EXISTS {quote_ident(con.name)}",
                changes[0],
                ctx,
                capability="check_constraint",
                object_id=table_id,
                reverse=f"ALTER TABLE {name} ADD {_constraint_sql(ctx, before or after, con)}",
                note="Delta will not change a column a CHECK constraint reads: dropped, added back after",
            )
        _swap_renames(changes, ctx, script, unit)
        for change in changes:
            if id(change) not in unit.handled:
                RENDERERS[type(change)](change, ctx, script)
        for con, expression in blocking:
            if expression is None:
                ctx.notes.append(
                    f"CHECK constraint {con.name} on {ctx.after.full_name(table_id)} reads a dropped "
                    "column: it is dropped and not added back"
                )
                continue
            moved = con.model_copy(update={"expression": expression})
            _add_constraint(script, ctx, changes[0], after, name, moved, existing_data=True)
        if before is not None and ctx.target.tracking is not None:
            _set_properties(
                script, ctx, None, table_id, ctx.name(table_id), _tracking(ctx, after), before.properties
            )
    finally:
        script.end_unit()
        ctx.unit = None


def render_tracking(table_id: str, ctx: Ctx, script: Script) -> None:
    """Version tracking for a table whose only changes ran outside its unit (a rename, a foreign key)."""
    if ctx.target.tracking is None or table_id not in ctx.after.tables:
        return
    after = ctx.after.tables[table_id]
    before = ctx.before.tables.get(table_id)
    _set_properties(
        script,
        ctx,
        None,
        table_id,
        ctx.name(table_id),
        _tracking(ctx, after),
        before.properties if before else {},
    )
    script.end_unit()
