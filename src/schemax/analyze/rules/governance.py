"""SX207–SX212 — breaking governance and table contracts: revoked privileges, a referenced primary key
dropped, row filters and column masks removed, a function's signature changed, append-only turned on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from schemax.analyze.context import AnalysisContext
from schemax.analyze.findings import Severity
from schemax.analyze.rules.helpers import (
    _before_table,
    _join,
    _privileges,
    _prop,
    _sets,
    _tables_using_function,
    _truthy,
)
from schemax.analyze.rules.model import Report, check, define
from schemax.core.changes import (
    AlterFunction,
    ColumnFlag,
    DropConstraint,
    ModifyColumn,
    Revoke,
    SetOwner,
    SetRowFilter,
    SetTableProperties,
)
from schemax.core.model import kind_of_id
from schemax.core.signatures import signature_changes

REVOKE = define(
    "SX207", "revoke-privileges", Severity.BREAKING,
    "Privileges are revoked: the principal's queries and jobs that need them fail.",
    "Confirm with the owner of the principal; grant the replacement access before revoking.",
)
DROP_REFERENCED_PK = define(
    "SX208", "drop-referenced-primary-key", Severity.BREAKING,
    "A primary key that foreign keys still reference is dropped: the DROP fails unless the foreign keys go "
    "first (CASCADE drops them), and tools relying on the relationship lose it.",
    "Drop or re-point the referencing foreign keys in the same plan.",
)
DROP_ROW_FILTER = define(
    "SX209", "drop-row-filter", Severity.BREAKING,
    "A row filter is removed: every principal sees every row (security-relevant).",
    "Confirm the rows are meant to become visible to everyone with SELECT; otherwise keep or replace the "
    "filter.",
)
DROP_COLUMN_MASK = define(
    "SX210", "drop-column-mask", Severity.BREAKING,
    "A column mask is removed: every principal sees the unmasked values (security-relevant).",
    "Confirm the values are meant to become visible to everyone with SELECT; otherwise keep or replace the "
    "mask.",
)
FUNCTION_SIGNATURE = define(
    "SX211", "change-function-signature", Severity.BREAKING,
    "A function's parameters or return type change: callers written for the old signature fail.",
    "Update callers (queries, views, row filters, masks) in the same release, or add a new function instead.",
)
APPEND_ONLY = define(
    "SX212", "make-table-append-only", Severity.BREAKING,
    "delta.appendOnly is turned on: UPDATE, DELETE and MERGE that change rows fail from now on.",
    "Make sure no job updates or deletes rows in the table.",
)

TRANSFER_OWNERSHIP = define(
    "SX213", "transfer-ownership", Severity.BREAKING,
    "Ownership of an existing object moves from one principal to another: the old owner (often the "
    "principal that deploys) loses the rights only an owner has, and later deploys that alter the object "
    "may fail.",
    "Make sure the deploying principal is the new owner, a member of the new owner group, or holds MANAGE on "
    "the object; the transfer itself needs a metastore admin unless the new owner is yourself or your group.",
)


@check(REVOKE, Revoke)
def _revoke(c: Revoke, ctx: AnalysisContext) -> Iterator[Report]:
    after = ctx.after.get(c.securable)
    if after is None:
        return  # the securable itself is dropped; its drop finding covers it
    if "ALL PRIVILEGES" in getattr(after, "grants", {}).get(c.principal, ()):
        # the list is replaced by ALL PRIVILEGES, granted first (core/uc_rules.py): nothing is lost
        return
    name = ctx.name(c.securable)
    kind = kind_of_id(c.securable) or "object"
    privs = _privileges(c.privileges)
    yield Report(
        name,
        f"REVOKE {privs} ON {kind.upper()} {name} FROM {c.principal}.",
        f"{c.principal} loses {privs} on the {kind}: their queries and jobs that need it fail with a "
        "permission error (unless the privilege also comes from a parent catalog/schema or a group). Grant "
        "replacement access first if the principal still needs it.",
    )


@check(DROP_REFERENCED_PK, DropConstraint)
def _drop_referenced_pk(c: DropConstraint, ctx: AnalysisContext) -> Iterator[Report]:
    if c.constraint.kind != "primary_key":
        return
    referencing: list[str] = []
    for table in ctx.before.tables.values():
        for con in table.constraints:
            if con.kind != "foreign_key" or con.ref_table != c.table.id:
                continue
            if ctx.after.constraint_owner(con.id) is not None:
                referencing.append(f"{ctx.name(table.id)} ({con.name})")
    if not referencing:
        return
    name = ctx.name(c.table.id)
    yield Report(
        name,
        f"primary key {c.constraint.name} of {name} is dropped while foreign keys still reference it.",
        f"Still referencing it: {', '.join(sorted(referencing))}. The DROP fails unless those foreign keys "
        "go first (CASCADE drops them silently), and BI tools and the optimizer lose the relationship. "
        "Drop or re-point the foreign keys in the same plan.",
    )


@check(DROP_ROW_FILTER, SetRowFilter)
def _drop_row_filter(c: SetRowFilter, ctx: AnalysisContext) -> Iterator[Report]:
    if c.filter_before is None or c.filter_after is not None or not ctx.existed(c.before.id):
        return
    name = ctx.name(c.before.id)
    yield Report(
        name,
        f"row filter {c.filter_before.function} is removed from {name}.",
        "Every principal with SELECT on the table now sees every row, including rows the filter hid from "
        "them. Confirm that is intended (security review); otherwise keep or replace the filter.",
    )


@check(DROP_COLUMN_MASK, ModifyColumn)
def _drop_column_mask(c: ModifyColumn, ctx: AnalysisContext) -> Iterator[Report]:
    if ColumnFlag.MASK not in c.flags or c.before.mask is None or c.after.mask is not None:
        return
    name = ctx.name(c.before.id)
    yield Report(
        name,
        f"column mask {c.before.mask.function} is removed from {name}.",
        "Every principal with SELECT on the table now sees the column's real values, including values the "
        "mask hid from them. Confirm that is intended (security review); otherwise keep or replace the "
        "mask.",
    )


def _signature(params: str, returns: str) -> tuple[str, str]:
    def norm(s: str) -> str:
        return re.sub(r"\s+", " ", s.strip()).lower()

    return norm(params), norm(returns)


@check(FUNCTION_SIGNATURE, AlterFunction)
def _function_signature(c: AlterFunction, ctx: AnalysisContext) -> Iterator[Report]:
    before = _signature(c.before.parameters, c.before.returns)
    after = _signature(c.after.parameters, c.after.returns)
    if before == after:
        return
    name = ctx.name(c.before.id)
    users = _tables_using_function(ctx, c.before.id)
    guarded = f"It is used as a row filter or column mask on {', '.join(users)}." if users else ""
    # UC-39: a new parameter list cannot be replaced in place; the plan drops and re-creates the function
    recreated = (
        "Unity Catalog cannot replace a function with different parameter types, so the plan drops it and "
        "creates it again: every call fails until the new function exists."
        if signature_changes(c.before, c.after) else ""
    )
    yield Report(
        name,
        f"function {name} changes from ({c.before.parameters}) RETURNS {c.before.returns} to "
        f"({c.after.parameters}) RETURNS {c.after.returns}.",
        _join(
            "Queries, views and jobs that call it with the old arguments, or expect the old return type, "
            "fail.",
            recreated,
            guarded,
            "Update callers in the same release, or add a new function instead.",
        ),
    )


@check(APPEND_ONLY, SetTableProperties)
def _append_only(c: SetTableProperties, ctx: AnalysisContext) -> Iterator[Report]:
    before = _before_table(ctx, c.before.id)
    if before is None or _truthy(_prop(before, "delta.appendOnly")):
        return
    if not _truthy(_sets(c).get("delta.appendonly")):
        return
    name = ctx.name(c.before.id)
    yield Report(
        name,
        f"{name} becomes append-only (delta.appendOnly = true).",
        "Jobs that UPDATE, DELETE or MERGE-update rows of the table fail from now on. Make sure no writer "
        "changes existing rows.",
    )


@check(TRANSFER_OWNERSHIP, SetOwner)
def _transfer_ownership(c: SetOwner, ctx: AnalysisContext) -> Iterator[Report]:
    # SET OWNER TO: "If the principal is yourself, you must have the MANAGE privilege … If the principal is a
    # group, you must be a member of that group. In all other cases, you must be a metastore admin"
    # (https://docs.databricks.com/aws/en/sql/language-manual/sql-ref-syntax-ddl-alter-view)
    if c.after is None or c.before is None or not ctx.existed(c.securable):
        return
    name = ctx.name(c.securable)
    yield Report(
        name,
        f"ownership of {name} moves from {c.before} to {c.after}.",
        f"{c.before} loses what only the owner may do (ALTER, DROP, granting on it without MANAGE); if that "
        "is the deploying principal, the next deploy that changes the object fails unless it is a member of "
        f"{c.after} or holds MANAGE. The transfer runs last in the plan.",
    )
