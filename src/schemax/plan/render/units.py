"""Table units: a table's changes rendered together, with the Delta features they need first.

Column mapping before RENAME/DROP COLUMN (and for names Delta rejects without it), type widening before
an in-place type change, column defaults before a DEFAULT; CHECK constraints that read a changed column
are dropped first and added back after; column renames that swap names go through temporary names; the
version tracking comes last. A unit Delta cannot apply in place is rewritten, see
:mod:`schemax.plan.render.rewrite`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from schemax.core import changes as ch
from schemax.core.changes import Change, ColumnFlag
from schemax.core.delta_properties import (
    defaults_in_effect,
    enables_feature,
    is_mapping_mode,
    is_true,
    mapping_in_effect,
    matching_key,
    same_key,
    type_widening_enabled,
)
from schemax.core.effects import RenamesColumn
from schemax.core.lineage import columns_read, rename_columns
from schemax.core.model import Constraint
from schemax.core.names import qualified, quote_ident
from schemax.core.types import requires_type_widening
from schemax.plan.render.common import _tracking
from schemax.plan.render.constraints import _add_constraint
from schemax.plan.render.context import Ctx, _Unit
from schemax.plan.render.rewrite import _is_rewrite, _render_rewrite
from schemax.plan.render.script import RENDERERS, Script, _Slot
from schemax.plan.render.sql import (
    COLUMN_DEFAULTS,
    COLUMN_MAPPING,
    TYPE_WIDENING,
    _needs_mapping,
    _props,
)
from schemax.plan.render.table_sql import _constraint_sql
from schemax.plan.render.tables import _set_properties
from schemax.plan.statements import Risk


def _features(changes: Sequence[Change], ctx: Ctx, unit: _Unit) -> list[tuple[str, str, str]]:
    """(property, value, why) for the table features the unit's statements need and the table lacks.

    What the table has is read the way Delta reads it: ``delta.*`` keys in any casing (UC-34,
    https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-tblproperties.html), and a column
    whose name needs mapping, or that has a DEFAULT, shows the table has that feature already
    (:func:`~schemax.core.delta_properties.mapping_in_effect`). When the design itself sets the property
    in this plan (the Project API records it with the op that needs it), the upgrade uses the design's
    spelling and value, and that property is not set a second time (:func:`_declared`).
    """
    before = unit.before
    props = before.properties if before else {}
    needed: list[tuple[str, str, str]] = []
    mapping = any(isinstance(c, (ch.DropColumn, ch.RenameColumn)) for c in changes) or any(
        isinstance(c, (ch.AddColumn, ch.RenameColumn))
        and _needs_mapping(c.column.name if isinstance(c, ch.AddColumn) else c.after.name)
        for c in changes
    )
    if mapping and not (before is not None and mapping_in_effect(before)):
        needed.append(_declared(unit, COLUMN_MAPPING, "name", is_mapping_mode)
                      + ("column mapping (one-way protocol upgrade)",))
    widen = any(
        isinstance(c, ch.ModifyColumn)
        and ColumnFlag.TYPE in c.flags
        and requires_type_widening(c.before.type, c.after.type, rules=ctx.caps.widening_rules)
        for c in changes
    )
    if widen and not type_widening_enabled(props):
        needed.append(_declared(unit, TYPE_WIDENING, "true", is_true) + ("type widening (protocol upgrade)",))
    defaults = any(isinstance(c, ch.AddColumn) and c.column.default is not None for c in changes) or any(
        isinstance(c, ch.ModifyColumn) and ColumnFlag.DEFAULT in c.flags and c.after.default is not None
        for c in changes
    )
    if defaults and not (before is not None and defaults_in_effect(before)):
        needed.append(_declared(unit, COLUMN_DEFAULTS, "supported", enables_feature)
                      + ("column defaults (table feature)",))
    return needed


def _declared(unit: _Unit, key: str, value: str, enables: Callable[[str | None], bool]) -> tuple[str, str]:
    """(key, value) of a feature upgrade: as the table's target properties spell it when they enable the
    feature, else the canonical key and value."""
    found = matching_key(unit.after.properties, key)
    if found is not None and enables(unit.after.properties[found]):
        return found, unit.after.properties[found]
    return key, value


def _without_upgrades(
    changes: Sequence[Change], features: list[tuple[str, str, str]], slot: _Slot
) -> list[Change]:
    """The unit's changes with the property pairs the feature upgrade already sets taken out.

    A ``SetTableProperties`` that only sets those is done by the upgrade statement (it joins that
    statement's changes); one that sets more keeps the rest.
    """
    upgrades = {(k, v) for k, v, _ in features}
    out: list[Change] = []
    for c in changes:
        if isinstance(c, ch.SetTableProperties) and upgrades & set(c.set):
            slot.changes.append(c)
            rest = tuple(pair for pair in c.set if pair not in upgrades)
            if not rest and not c.unset:
                continue
            c = replace(c, set=rest)
        out.append(c)
    return out


def _swap_renames(changes: Sequence[Change], ctx: Ctx, script: Script, unit: _Unit) -> None:
    """Column renames that take each other's names (a <-> b) go through temporary names."""
    renames = [c for c in changes if isinstance(c, ch.RenameColumn)]
    old_names = {c.before.name.lower() for c in renames}
    if not any(c.after.name.lower() in old_names for c in renames):
        return
    parts = ctx.parts(unit.after.id)
    name = qualified(*parts)
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
                effect=RenamesColumn(parts, src, dst),
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
        mapping=mapping_in_effect(before) if before else False,
        defaults=defaults_in_effect(before) if before else False,
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
                if same_key(features[0][0], COLUMN_MAPPING)
                else ("type_widening" if same_key(features[0][0], TYPE_WIDENING) else "column_default")
            )
            slot = script.add(
                f"ALTER TABLE {name} SET TBLPROPERTIES {_props((k, v) for k, v, _ in features)}",
                None,
                ctx,
                risk=Risk.BREAKING,
                capability=capability,
                object_id=table_id,
                note="enables " + ", ".join(why for _, _, why in features) + "; readers need a Delta "
                "version that supports it and it cannot be turned off",
            )
            for k, v, _ in features:
                ctx.enables(after, k, v)
            unit.mapping = unit.mapping or any(same_key(k, COLUMN_MAPPING) for k, _, _ in features)
            changes = _without_upgrades(changes, features, slot)
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
            _add_constraint(script, ctx, changes[0], after, ctx.parts(table_id), moved, existing_data=True)
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
