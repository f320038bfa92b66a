"""The copy-and-swap rewrite of a table whose change Delta cannot make in place.

The rewrite moves the table's primary and foreign keys (and other tables' foreign keys that reference
it) across the swap without a name ever held twice in one schema, and refuses an EXTERNAL table, whose
data lives at a path schemax does not own (see :func:`_render_rewrite`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from schemax.core import changes as ch
from schemax.core.changes import Change, ColumnFlag
from schemax.core.delta_properties import delta_property, matching_key
from schemax.core.effects import CopiesRows, RenamesObject
from schemax.core.model import Constraint, Table
from schemax.core.names import qualified, quote_ident
from schemax.core.tracking import table_definition_hash
from schemax.plan.diff import table_changes
from schemax.plan.render.constraints import _add_constraint
from schemax.plan.render.context import Ctx
from schemax.plan.render.owners import owner_again
from schemax.plan.render.script import Script
from schemax.plan.render.sql import COLUMN_MAPPING, TYPE_WIDENING
from schemax.plan.render.table_sql import _constraint_sql, _create_table_sql
from schemax.plan.render.tables import _table_extras
from schemax.plan.statements import Risk

# Unity Catalog: "Tables cannot overlap other tables" (UC-21,
# https://docs.databricks.com/data-governance/unity-catalog/paths.html).
PATHS_URL = "https://docs.databricks.com/data-governance/unity-catalog/paths.html"
# Unity Catalog: a PRIMARY KEY / FOREIGN KEY name "must be unique within the schema" (UC-16,
# https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-alter-table-add-constraint.html and
# https://docs.azure.cn/databricks/sql/language-manual/sql-ref-syntax-ddl-create-table-constraint); a primary
# key still referenced by a foreign key cannot be dropped, RESTRICT being the default (UC-18,
# https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-alter-table-drop-constraint.html).
KEY_NAMES_URL = "https://docs.azure.cn/databricks/sql/language-manual/sql-ref-syntax-ddl-create-table-constraint"
DROP_CONSTRAINT_URL = (
    "https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-alter-table-drop-constraint.html"
)


def _is_rewrite(changes: Sequence[Change], ctx: Ctx) -> bool:
    """A table unit Delta cannot apply in place: a partitioning change, or a type change that is not a
    widening on this engine."""
    for c in changes:
        if isinstance(c, ch.SetPartitioning):
            return True
        if isinstance(c, ch.ModifyColumn) and ColumnFlag.TYPE in c.flags:
            if ctx.type_change(c.before.type, c.after.type) == "rewrite":
                return True
    return False


def _rewritten(ctx: Ctx, table_id: str) -> bool:
    """True when this plan rewrites the table (its own unit is a copy and swap)."""
    before, after = ctx.before.tables.get(table_id), ctx.after.tables.get(table_id)
    return before is not None and after is not None and _is_rewrite(table_changes(before, after), ctx)


def _external_refusal(ctx: Ctx, before: Table) -> str | None:
    """Why the copy and swap cannot rewrite ``before``, when its data lives at a path of its own.

    The shadow table would need a second location: the same one overlaps the table (UC refuses
    overlapping paths; on open-source Delta both tables would share one transaction log, and CREATE OR
    REPLACE would overwrite the original's data), and one schemax made up (a sibling path) may lie outside
    the external location the user may write to, and would leave the table, after the swap, at a path the
    design does not declare. The data is the user's, at a path schemax does not own: the plan refuses,
    on every engine, and says what to do instead.
    """
    if before.table_type != "EXTERNAL" and before.location is None:
        return None
    name = ctx.before.full_name(before.id)
    return (
        f"{name} is an EXTERNAL table at {before.location!r}: rewriting it (a partitioning change, or a type "
        "change that is not a widening) needs a copy of its data at a second, non-overlapping location "
        f"({PATHS_URL}), which schemax cannot choose for a path it does not own. Keep the table's "
        "partitioning and column types, or make the change outside schemax (copy the data to a new path, "
        "e.g. CREATE TABLE … LOCATION '<new path>' AS SELECT …, swap the names) and bring the design in "
        "line with it"
    )


def _identity_refusal(ctx: Ctx, before: Table) -> str | None:
    """Why the copy and swap cannot rewrite a table with an identity column (issue 11): the copy writes the
    existing values into the shadow's identity column, which GENERATED ALWAYS refuses, and a new identity
    column starts counting again, so even BY DEFAULT would not keep the sequence going."""
    cols = [c.name for c in before.columns if c.identity is not None]
    if not cols:
        return None
    name = ctx.before.full_name(before.id)
    return (
        f"{name} has identity column(s) {cols}: a rewrite (a partitioning change, or a type change that is "
        "not a widening) copies the rows into a new table, whose identity column refuses explicit values "
        "(GENERATED ALWAYS) and starts its sequence again; identity columns are defined when a table is "
        "created (https://learn.microsoft.com/en-us/azure/databricks/delta/generated-columns"
        "#--use-identity-columns-in-delta-lake). Keep the table's partitioning and column types, or move "
        "the data outside schemax"
    )


def _child_foreign_keys(ctx: Ctx, table: Table) -> Iterator[tuple[Table, Constraint]]:
    """Foreign keys of OTHER tables that reference ``table`` and still exist when its unit runs: the
    referencing table is in both states and the key is unchanged (a dropped or changed key was dropped
    in an earlier phase; a new one is added, after the rewrite, by its own change)."""
    for child in sorted(ctx.before.tables.values(), key=lambda t: (ctx.before.full_name(t.id), t.id)):
        after_child = ctx.after.tables.get(child.id)
        if child.id == table.id or after_child is None:
            continue
        kept = {c.id: c for c in after_child.constraints}
        for con in child.constraints:
            if con.kind == "foreign_key" and con.ref_table == table.id and kept.get(con.id) == con:
                yield after_child, con


def _holds(table: Table | None, con: Constraint) -> bool:
    """``table`` has ``con`` exactly (same id, same definition)."""
    return table is not None and any(c.id == con.id and c == con for c in table.constraints)


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
    4. the primary and foreign keys leave the old table, foreign keys of other tables that reference it
       first (Unity Catalog names keys per schema, so the new table could not take the names while the
       backup holds them, and a referenced primary key cannot be dropped);
    5. rename the old table to ``<t>__sx_old_<h>`` (kept: its data and history stay readable; drop it
       once the new table is verified), then the new table to ``<t>``;
    6. what CREATE TABLE cannot carry: primary and foreign keys, tags, row filter, masks, grants; then
       the other tables' foreign keys again, now referencing the new table.

    ``<h>`` is the start of the target definition's hash, so names are stable for one plan and do not
    collide with an earlier rewrite's backup. An EXTERNAL table is refused (:func:`_external_refusal`).
    """
    h = table_definition_hash(ctx.definition(after))[:8]
    catalog, schema = ctx.physical(ctx.after.path(after.schema_id))
    parts = (catalog, schema, after.name)
    name = qualified(*parts)
    new_name, old_name = f"{after.name}__sx_new_{h}", f"{after.name}__sx_old_{h}"
    shadow_parts, backup_parts = (catalog, schema, new_name), (catalog, schema, old_name)
    shadow = qualified(*shadow_parts)
    backup = qualified(*backup_parts)
    lead = changes[0]
    extra = {}
    for key in (COLUMN_MAPPING, TYPE_WIDENING):
        # delta.* keys in any casing are one key to Delta (UC-34,
        # https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-tblproperties.html)
        old_key = matching_key(before.properties, key)
        if old_key is not None and delta_property(after.properties, key) is None:
            extra[old_key] = before.properties[old_key]
    sql, notes = _create_table_sql(ctx, after, shadow, replace=True, extra=extra)
    script.add(
        sql,
        lead,
        ctx,
        capability="table_rewrite",
        reverse=f"DROP TABLE IF EXISTS {shadow}",
        note="; ".join(["rewrite step 1/4: the table with its new definition", *notes]),
        unsupported=_external_refusal(ctx, before) or _identity_refusal(ctx, before),
    )
    for c in changes[1:]:
        script.slots[-1].changes.append(c)
    for con in after.constraints:
        if con.kind == "check":
            _add_constraint(script, ctx, lead, after, shadow_parts, con, existing_data=False)
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
        effect=CopiesRows(shadow_parts),
    )
    # an engine without PRIMARY/FOREIGN KEY constraints holds none to move (and refuses the statements)
    keys = ctx.caps.supports("constraints_pk_fk")
    children = list(_child_foreign_keys(ctx, before)) if keys else []
    if keys:
        _drop_keys(script, ctx, lead, before, name, children)
    script.add(
        f"ALTER TABLE {name} RENAME TO {quote_ident(old_name)}",
        lead,
        ctx,
        risk=Risk.BREAKING,
        capability="table_rewrite",
        reverse=f"ALTER TABLE {backup} RENAME TO {quote_ident(after.name)}",
        note=f"rewrite step 3/4: the old table is kept as {old_name}; drop it once the new one is verified",
        effect=RenamesObject("TABLE", parts, backup_parts),
    )
    script.add(
        f"ALTER TABLE {shadow} RENAME TO {quote_ident(after.name)}",
        lead,
        ctx,
        risk=Risk.BREAKING,
        capability="table_rewrite",
        reverse=f"ALTER TABLE {name} RENAME TO {quote_ident(new_name)}",
        note="rewrite step 4/4: the new table takes the name",
        effect=RenamesObject("TABLE", shadow_parts, parts),
    )
    # The new table's keys: every primary key, and the foreign keys the old table had unchanged; a foreign
    # key new or changed in this plan is added by its own change (after every primary key exists).
    rest = Table.model_copy(
        after,
        update={
            "constraints": tuple(
                c
                for c in after.constraints
                if c.kind == "primary_key" or (c.kind == "foreign_key" and _holds(before, c))
            )
        },
    )
    _table_extras(script, ctx, lead, rest, parts)
    owner_again(script, ctx, lead, before, after, name)
    for child, con in children:
        if not _rewritten(ctx, child.id):  # a rewritten child adds its own keys back
            _add_constraint(script, ctx, lead, child, ctx.parts(child.id), con, existing_data=False)


_KEYS_NOTE = (
    "rewrite: Unity Catalog names keys per schema, so the old table gives up its keys before the new one "
    "takes them"
)
_CHILDREN_NOTE = "; foreign keys of other tables that reference it go first and are added back after the swap"


def _drop_keys(
    script: Script,
    ctx: Ctx,
    change: Change,
    before: Table,
    name: str,
    children: list[tuple[Table, Constraint]],
) -> None:
    """Step 4: the keys leave the old table once its rows are copied, so a failed copy changes nothing.

    Unity Catalog keys PRIMARY/FOREIGN KEY names per schema (``KEY_NAMES_URL``): the backup must not keep
    them. Other tables' foreign keys that reference the table go first, since a primary key referenced by
    a foreign key cannot be dropped (``DROP_CONSTRAINT_URL``); the table's own foreign keys before its
    primary key (one of them may reference it). A foreign key dropped by this plan is gone already.
    """
    after = ctx.after.tables.get(before.id)
    own = [c for c in before.constraints if c.kind == "foreign_key" and _holds(after, c)]
    own += [c for c in before.constraints if c.kind == "primary_key"]
    drops = [(child, ctx.name(child.id), con) for child, con in children]
    drops += [(before, name, con) for con in own]
    for i, (table, table_name, con) in enumerate(drops):
        script.add(
            f"ALTER TABLE {table_name} DROP CONSTRAINT IF EXISTS {quote_ident(con.name)}",
            change,
            ctx,
            capability="constraints_pk_fk",
            object_id=table.id,
            reverse=f"ALTER TABLE {table_name} ADD {_constraint_sql(ctx, table, con)}",
            note=_KEYS_NOTE + (_CHILDREN_NOTE if children else "") if i == 0 else None,
        )

