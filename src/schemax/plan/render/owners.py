"""Ownership (issue 11): ``ALTER <kind> <name> SET OWNER TO <principal>`` for a securable whose managed owner
changes, created objects included.

Every owner statement runs in the last phase (:attr:`~schemax.plan.order.Phase.OWNER`), after the grants:
transferring ownership away from the deploying principal may take away the rights the statements before it
need (finding SX213). The clause is ``[ SET ] OWNER TO principal`` on every kind that has it in the SQL
reference (cited in ``core/uc_statements.py``, shape ``owner-to``); a function's owner has no documented
statement there (rule ``function-owner-sql``), so its statement is listed as unsupported on Unity Catalog.
An owner schemax stops managing (``after`` None) renders nothing: the object keeps the owner it has.
"""

from __future__ import annotations

from typing import Any

from schemax.core import changes as ch
from schemax.core.changes import Change
from schemax.core.model import kind_of_id
from schemax.core.names import quote_ident
from schemax.plan.order import Phase
from schemax.plan.render.context import Ctx
from schemax.plan.render.grants import _SECURABLE
from schemax.plan.render.script import Script, renders
from schemax.plan.statements import Risk


def owner_sql(securable: str, name: str, owner: str) -> str:
    return f"ALTER {_SECURABLE[kind_of_id(securable) or '']} {name} SET OWNER TO {quote_ident(owner)}"


@renders(ch.SetOwner)
def _set_owner(c: ch.SetOwner, ctx: Ctx, script: Script) -> None:
    if c.after is None:
        return
    name = ctx.name(c.securable, ctx.after)
    kind = kind_of_id(c.securable)
    script.add(
        owner_sql(c.securable, name, c.after),
        c,
        ctx,
        risk=Risk.SAFE if c.before is None else Risk.BREAKING,
        reverse=owner_sql(c.securable, name, c.before) if c.before is not None else None,
        capability="function_owner" if kind == "function" else "owner",
        object_id=c.securable,
        phase=Phase.OWNER,
    )


def owner_again(script: Script, ctx: Ctx, change: Change, before: Any, after: Any, name: str) -> None:
    """The owner of an object a plan re-creates (a view's CREATE OR REPLACE, a table's copy and swap), given
    again in the last phase when it is unchanged (a changed one has its own SetOwner statement). "CREATE OR
    REPLACE VIEW view_name is equivalent to DROP VIEW IF EXISTS view_name followed by CREATE VIEW" (UC-33,
    https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-create-view.html), a rewrite's table is
    a new one, and the deployer owns what it creates."""
    if after.owner is None or before.owner != after.owner:
        return
    kind = kind_of_id(after.id)
    script.add(
        owner_sql(after.id, name, after.owner),
        change,
        ctx,
        reverse=owner_sql(after.id, name, after.owner),
        capability="function_owner" if kind == "function" else "owner",
        object_id=after.id,
        phase=Phase.OWNER,
        note="given again: the object was re-created",
    )
