"""Grants and revokes: privileges are keywords (only known ones reach SQL), principals are quoted.
"""

from __future__ import annotations

from collections.abc import Iterable

from schemax.core import changes as ch
from schemax.core.changes import Change
from schemax.core.model import kind_of_id
from schemax.core.names import quote_ident
from schemax.core.ops import PRIVILEGES
from schemax.plan.order import Phase
from schemax.plan.render.context import Ctx
from schemax.plan.render.script import Script, renders
from schemax.plan.statements import Risk

_SECURABLE = {
    "catalog": "CATALOG",
    "schema": "SCHEMA",
    "table": "TABLE",
    "view": "VIEW",
    "volume": "VOLUME",
    "function": "FUNCTION",
}


def _privileges(privileges: Iterable[str]) -> str:
    privs = sorted(privileges)
    bad = [p for p in privs if p not in PRIVILEGES]
    if bad:  # privileges are keywords, never quoted: only known ones may reach SQL
        raise ValueError(f"unknown privileges {bad}")
    return ", ".join(privs)


def _grant_sql(verb: str, securable: str, principal: str, privileges: Iterable[str], name: str) -> str:
    kind = _SECURABLE[kind_of_id(securable) or ""]
    word = "TO" if verb == "GRANT" else "FROM"
    return f"{verb} {_privileges(privileges)} ON {kind} {name} {word} {quote_ident(principal)}"


def _grant_all(
    script: Script, ctx: Ctx, change: Change, object_id: str, grants: dict[str, tuple[str, ...]]
) -> None:
    """GRANT statements for every grant an object holds (new objects, and objects re-created by a replace)."""
    if not grants:
        return
    name = ctx.name(object_id, ctx.after)
    for principal in sorted(grants):
        sql = _grant_sql("GRANT", object_id, principal, grants[principal], name)
        reverse = _grant_sql("REVOKE", object_id, principal, grants[principal], name)
        script.add(
            sql, change, ctx, capability="grants", reverse=reverse, object_id=object_id, phase=Phase.GRANT
        )


# change type -> (verb, the verb that undoes it, risk): taking privileges away can break readers
_PRIVILEGE_VERBS: dict[type[Change], tuple[str, str, Risk]] = {
    ch.Grant: ("GRANT", "REVOKE", Risk.SAFE),
    ch.Revoke: ("REVOKE", "GRANT", Risk.BREAKING),
}


@renders(ch.Grant, ch.Revoke)
def _grant_or_revoke(c: ch.Grant | ch.Revoke, ctx: Ctx, script: Script) -> None:
    verb, undo, risk = _PRIVILEGE_VERBS[type(c)]
    name = ctx.name(c.securable)
    script.add(
        _grant_sql(verb, c.securable, c.principal, c.privileges, name),
        c,
        ctx,
        capability="grants",
        risk=risk,
        reverse=_grant_sql(undo, c.securable, c.principal, c.privileges, name),
        object_id=c.securable,
    )
