"""A rehearsal's scratch space: the plan re-targeted at scratch schemas, and the SQL that prepares and
removes them (pure: ``schemax.services.rehearsal`` runs it).

A rehearsal runs a plan for real, but on copies: every schema the plan names gets a scratch twin in the
same physical catalog, named by a prefix (``sx_rehearsal_<token>_`` before the environment's own schema
prefix), so the plan is simply planned again for a :class:`~schemax.plan.statements.Target` whose naming
points there (:func:`retarget`): no SQL is rewritten. The tables the plan touches (and the tables and
views the views it creates read) are copied in first:

- ``CREATE TABLE <copy> SHALLOW CLONE <live>``: the definition, constraints, properties and data, sharing
  the live table's data files (metadata only, nothing is copied; works on Unity Catalog managed tables
  and on open-source Delta, verified on Spark 4.2 + Delta 4.4 for session-catalog tables; a DROP of the
  clone removes only the clone's own log);
- where that is refused (not a Delta table, an engine without CLONE): ``CREATE TABLE <copy> LIKE <live>``,
  an empty copy with the same schema, so the statements run but the data-dependent ones prove nothing.

The scratch schemas are dropped with ``DROP SCHEMA … CASCADE`` at the end, whatever happened.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from schemax.core.lineage import view_dependencies
from schemax.core.model import State
from schemax.core.names import qualified
from schemax.plan.plan import Plan, build_plan
from schemax.plan.statements import Statement, Target

#: Every scratch schema's name starts with this (then a token, then the environment's schema prefix).
SCRATCH_PREFIX = "sx_rehearsal_"


def scratch_prefix(token: str) -> str:
    """The schema prefix of one rehearsal: ``sx_rehearsal_<token>_``."""
    return f"{SCRATCH_PREFIX}{token}_"


def retarget(target: Target, prefix: str) -> Target:
    """``target`` with every schema moved to its scratch twin (``prefix`` before its own prefix)."""
    tracking = target.tracking
    if tracking is not None:  # the copies are stamped as a rehearsal's, never as a deployment's
        tracking = replace(tracking, deployment_id="(rehearsal)")
    return replace(target, schema_prefix=prefix + target.schema_prefix, tracking=tracking)


def rehearsal_plan(plan: Plan, prefix: str) -> Plan:
    """The plan again, for the same states and engine, with its names in the scratch schemas."""
    return build_plan(plan.before, plan.after, retarget(plan.target, prefix), capabilities=plan.capabilities,
                      from_version=plan.from_version, to_version=plan.to_version)


def schema_name(state: State, schema_id: str, target: Target) -> str:
    """The physical, back-quoted name of a schema under ``target``."""
    catalog, schema = state.path(schema_id)
    return qualified(target.catalog(catalog), target.schema(schema))


def object_name(state: State, object_id: str, target: Target) -> str:
    """The physical, back-quoted name of a table or view under ``target``."""
    parts = state.path(object_id)
    return qualified(target.catalog(parts[0]), target.schema(parts[1]), *parts[2:])


def _schema_of(state: State, object_id: str) -> str | None:
    if object_id in state.schemas:
        return object_id
    obj = state.get(object_id)
    return getattr(obj, "schema_id", None)


def needed(plan: Plan) -> tuple[list[str], list[str]]:
    """(tables to copy, views to create) so that every statement of ``plan`` finds what it expects.

    Tables: the existing tables a statement touches, the tables their foreign keys reference, and the
    existing tables that views the plan creates or replaces read (through existing views it leaves alone,
    which are created in the scratch space too). Ids, in name order.
    """
    before, after = plan.before, plan.after
    touched = {s.object_id for s in plan.statements if s.object_id}
    tables = {t for t in touched if t in before.tables}
    for tid in list(tables):
        table = after.tables.get(tid) or before.tables[tid]
        for con in table.constraints:
            if con.kind == "foreign_key" and con.ref_table in before.tables:
                tables.add(con.ref_table)
    deps = view_dependencies(after)
    old_deps = view_dependencies(before)
    views: set[str] = set()
    pending = [v for v in touched if v in after.views]
    seen: set[str] = set()
    while pending:
        vid = pending.pop()
        if vid in seen:
            continue
        seen.add(vid)
        for dep in deps.get(vid, set()) | old_deps.get(vid, set()):
            if dep in before.tables:
                tables.add(dep)
            elif dep in before.views and dep not in touched:
                views.add(dep)
                pending.append(dep)
    by_name = lambda ids: sorted(ids, key=lambda i: before.full_name(i).lower())  # noqa: E731
    return by_name(tables), by_name(views)


def scratch_schemas(plan: Plan, target: Target, copied: Iterable[str] = ()) -> tuple[list[str], list[str]]:
    """(scratch schemas to create first, every scratch schema to drop at the end), by physical name.

    Created first: the existing schemas the plan's statements or the copied objects live in. Dropped at
    the end: those and every schema of the plan's target state (a schema the plan creates)."""
    before, after = plan.before, plan.after
    create: set[str] = set()
    for object_id in [*(s.object_id for s in plan.statements if s.object_id), *copied]:
        sid = _schema_of(before, object_id) or _schema_of(after, object_id)
        if sid is not None and sid in before.schemas:
            create.add(schema_name(before, sid, target))
    drop = create | {schema_name(after, sid, target) for sid in after.schemas}
    return sorted(create), sorted(drop)


def setup_statements(plan: Plan, views: Iterable[str], target: Target) -> tuple[Statement, ...]:
    """CREATE VIEW statements for existing ``views`` the rehearsed views read, named under ``target``
    (planned from a state without them to the plan's ``before``: the planner names everything)."""
    ids = set(views)
    if not ids:
        return ()
    before = plan.before
    without = State.model_validate({**before.model_dump(), "views": {
        k: v.model_dump() for k, v in before.views.items() if k not in ids}})
    setup = build_plan(without, before, replace(target, tracking=None), capabilities=plan.capabilities)
    return tuple(s for s in setup.statements if s.object_id in ids)


def is_rehearsable(statement: Statement) -> bool:
    """False for what cannot run in a scratch schema: statements on catalogs (they would change the real
    one; a rehearsal reports them as skipped)."""
    return not (statement.object_id or "").startswith("cat_")


def create_schema_sql(name: str) -> str:
    return f"CREATE SCHEMA IF NOT EXISTS {name}"


def drop_schema_sql(name: str) -> str:
    return f"DROP SCHEMA IF EXISTS {name} CASCADE"


def shallow_clone_sql(copy: str, source: str) -> str:
    return f"CREATE TABLE {copy} SHALLOW CLONE {source}"


def empty_copy_sql(copy: str, source: str) -> str:
    return f"CREATE TABLE {copy} LIKE {source}"


__all__ = [
    "SCRATCH_PREFIX",
    "create_schema_sql",
    "drop_schema_sql",
    "empty_copy_sql",
    "is_rehearsable",
    "needed",
    "object_name",
    "rehearsal_plan",
    "retarget",
    "schema_name",
    "scratch_prefix",
    "scratch_schemas",
    "setup_statements",
    "shallow_clone_sql",
]
