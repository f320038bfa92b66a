"""The copy-and-swap rewrite of a table whose change Delta cannot make in place.
"""

from __future__ import annotations

from collections.abc import Sequence

from schemax.core.changes import Change
from schemax.core.hashing import table_definition_hash
from schemax.core.model import Table
from schemax.core.names import qualified, quote_ident
from schemax.plan.render.constraints import _add_constraint
from schemax.plan.render.context import Ctx
from schemax.plan.render.script import Script
from schemax.plan.render.sql import COLUMN_MAPPING, TYPE_WIDENING
from schemax.plan.render.table_sql import _create_table_sql
from schemax.plan.render.tables import _table_extras
from schemax.plan.statements import Risk


def _render_rewrite(changes: Sequence[Change], ctx: Ctx, script: Script, before: Table, after: Table) -> None:
    """Copy and swap: a new table with the target definition, filled from the old one, then renamed.

    Delta cannot change partitioning in place, and a type change that is not a widening needs its data
    rewritten. Verified on Delta 4.4: ``CREATE OR REPLACE TABLE … AS SELECT`` loses NOT NULL, CHECK
    constraints and the column-mapping setting (and takes no column list), and add-column/UPDATE/drop/
    rename is four non-atomic steps that still loses NOT NULL. Copy and swap keeps the exact definition:

    1. ``CREATE OR REPLACE TABLE <t>__sx_new_<h>`` with the full target definition (re-runnable);
    2. its CHECK constraints, so the copy is validated row by row;
    3. ``INSERT INTO … SELECT`` with a ``CAST`` per changed column (fails, changing nothing, when a value
       does not convert);
    4. rename the old table to ``<t>__sx_old_<h>`` (kept: its data and history stay readable; drop it
       once the new table is verified), then the new table to ``<t>``;
    5. what CREATE TABLE cannot carry: primary and foreign keys, tags, row filter, masks, grants.

    ``<h>`` is the start of the target definition's hash, so names are stable for one plan and do not
    collide with an earlier rewrite's backup.
    """
    h = table_definition_hash(after)[:8]
    catalog, schema = ctx.physical(ctx.after.path(after.schema_id))
    name = qualified(catalog, schema, after.name)
    new_name, old_name = f"{after.name}__sx_new_{h}", f"{after.name}__sx_old_{h}"
    shadow = qualified(catalog, schema, new_name)
    backup = qualified(catalog, schema, old_name)
    lead = changes[0]
    extra = {}
    for key in (COLUMN_MAPPING, TYPE_WIDENING):
        if key in before.properties and key not in after.properties:
            extra[key] = before.properties[key]
    sql, notes = _create_table_sql(ctx, after, shadow, replace=True, extra=extra)
    script.add(
        sql,
        lead,
        ctx,
        capability="table_rewrite",
        reverse=f"DROP TABLE IF EXISTS {shadow}",
        note="; ".join(["rewrite step 1/4: the table with its new definition", *notes]),
    )
    for c in changes[1:]:
        script.slots[-1].changes.append(c)
    for con in after.constraints:
        if con.kind == "check":
            _add_constraint(script, ctx, lead, after, shadow, con, existing_data=False)
    old_cols = {c.id: c for c in before.columns}
    targets, sources = [], []
    for col in after.columns:
        prev = old_cols.get(col.id)
        if prev is None:
            continue  # a new column: its DEFAULT (or NULL) fills it
        expr = quote_ident(prev.name)
        if prev.type != col.type:
            expr = f"CAST({expr} AS {col.type})"
        targets.append(quote_ident(col.name))
        sources.append(expr)
    script.add(
        f"INSERT INTO {shadow} ({', '.join(targets)}) SELECT {', '.join(sources)} FROM {name}",
        lead,
        ctx,
        risk=Risk.DATA_DEPENDENT,
        capability="table_rewrite",
        note="rewrite step 2/4: copies every row; fails without changing anything if a value does not "
        "convert or violates NOT NULL / CHECK",
    )
    script.add(
        f"ALTER TABLE {name} RENAME TO {quote_ident(old_name)}",
        lead,
        ctx,
        risk=Risk.BREAKING,
        capability="table_rewrite",
        reverse=f"ALTER TABLE {backup} RENAME TO {quote_ident(after.name)}",
        note=f"rewrite step 3/4: the old table is kept as {old_name}; drop it once the new one is verified",
    )
    script.add(
        f"ALTER TABLE {shadow} RENAME TO {quote_ident(after.name)}",
        lead,
        ctx,
        risk=Risk.BREAKING,
        capability="table_rewrite",
        reverse=f"ALTER TABLE {name} RENAME TO {quote_ident(new_name)}",
        note="rewrite step 4/4: the new table takes the name",
    )
    rest = Table.model_copy(
        after, update={"constraints": tuple(c for c in after.constraints if c.kind != "check")}
    )
    _table_extras(script, ctx, lead, rest, name)
