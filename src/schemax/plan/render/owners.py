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

from schemax.core import changes as ch
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
