"""Grants and revokes: privileges are keywords (only known ones reach SQL), principals are quoted.

``ALL PRIVILEGES`` is never joined with other privileges in one statement: the grammar takes either it or a
list (rule ``all-privileges-alone``, :mod:`schemax.core.uc_rules`). Replacing a principal's list by ALL
PRIVILEGES and narrowing ALL PRIVILEGES to a list each run as an adjacent pair in the GRANT phase:

* list -> ALL: ``GRANT ALL PRIVILEGES`` first, then ``REVOKE`` of the replaced privileges. ALL PRIVILEGES is
  one grant, not the individual ones (UC-02), so that REVOKE leaves it in place: the principal never has
  less than it had or will have, even if the deploy stops between the two (rule
  ``all-privileges-replaces-list``);
* ALL -> list: ``REVOKE ALL PRIVILEGES`` first, then ``GRANT`` of the list: a REVOKE of single privileges
  would leave ALL PRIVILEGES in place (UC-02), and REVOKE ALL PRIVILEGES may take the privileges it implies
  with it (UC-03, newer page), so it must not follow the GRANT (rule ``all-privileges-narrowing``).

The reverse SQL of each pair undoes it in the narrowing order, which holds under both readings of UC-03.
"""

from __future__ import annotations

from collections.abc import Iterable

from schemax.core import changes as ch
from schemax.core import kinds
from schemax.core.changes import Change
from schemax.core.model import State, kind_of_id
from schemax.core.names import quote_ident
from schemax.core.ops import PRIVILEGES
from schemax.core.uc_rules import ALL_PRIVILEGES
from schemax.plan.order import Phase
from schemax.plan.render.context import Ctx
from schemax.plan.render.script import Script, _Slot, renders
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
    if ALL_PRIVILEGES in privs and len(privs) > 1:
        raise ValueError(f"ALL PRIVILEGES joined with other privileges: {privs}")  # callers split them
    return ", ".join(privs)


def _split(privileges: Iterable[str]) -> list[tuple[str, ...]]:
    """The privileges as the statements that carry them: ALL PRIVILEGES alone, the others together."""
    privs = sorted(set(privileges))
    if ALL_PRIVILEGES not in privs or len(privs) == 1:
        return [tuple(privs)]
    return [(ALL_PRIVILEGES,), tuple(p for p in privs if p != ALL_PRIVILEGES)]


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
        for privs in _split(grants[principal]):
            sql = _grant_sql("GRANT", object_id, principal, privs, name)
            reverse = _grant_sql("REVOKE", object_id, principal, privs, name)
            script.add(
                sql, change, ctx, capability="grants", reverse=reverse, object_id=object_id, phase=Phase.GRANT
            )


# change type -> (verb, the verb that undoes it, risk): taking privileges away can break readers
_PRIVILEGE_VERBS: dict[type[Change], tuple[str, str, Risk]] = {
    ch.Grant: ("GRANT", "REVOKE", Risk.SAFE),
    ch.Revoke: ("REVOKE", "GRANT", Risk.BREAKING),
}


def _held(ctx: Ctx, securable: str, principal: str) -> tuple[set[str], set[str]]:
    """What ``principal`` holds on ``securable`` before and after the plan."""
    kind = kinds.kind_of_id(securable)
    assert kind is not None  # a Grant/Revoke names a securable

    def of(state: State) -> set[str]:
        obj = getattr(state, kind.state_field).get(securable)
        return set(obj.grants.get(principal, ())) if obj is not None else set()

    return of(ctx.before), of(ctx.after)


def _held_back(script: Script, c: ch.Grant) -> tuple[list[_Slot], list[_Slot]]:
    """The REVOKE slots of the same (securable, principal) held back to the GRANT phase: (those revoking
    ALL PRIVILEGES, which go right before the GRANT; those revoking a replaced list, right after it)."""
    before: list[_Slot] = []
    after: list[_Slot] = []
    for slot in script.slots:
        revokes = [x for x in slot.changes if isinstance(x, ch.Revoke)
                   and x.securable == c.securable and x.principal == c.principal]
        if slot.phase == Phase.GRANT and revokes:
            (before if ALL_PRIVILEGES in revokes[0].privileges else after).append(slot)
    return before, after


def _move_to_end(script: Script, slots: list[_Slot]) -> None:
    for slot in slots:
        script.slots.remove(slot)
        script.slots.append(slot)


def _held_back_revoke(c: ch.Revoke, ctx: Ctx, script: Script, before: set[str], after: set[str]) -> bool:
    """Render a revoke that belongs to an ALL PRIVILEGES pair in the GRANT phase (named as after the plan);
    False for an ordinary revoke."""
    privs = set(c.privileges)
    if ALL_PRIVILEGES in after - before:
        note, risk = "replaced by ALL PRIVILEGES, granted just before", Risk.SAFE  # list -> ALL
    elif ALL_PRIVILEGES in privs and after:
        note, risk = "ALL PRIVILEGES narrowed: revoked first, then the narrower list granted", Risk.BREAKING
    else:
        return False
    name = ctx.name(c.securable, ctx.after)
    for part in _split(privs):
        script.add(
            _grant_sql("REVOKE", c.securable, c.principal, part, name),
            c,
            ctx,
            capability="grants",
            risk=risk,
            reverse=_grant_sql("GRANT", c.securable, c.principal, part, name),
            object_id=c.securable,
            phase=Phase.GRANT,
            note=note if part == (ALL_PRIVILEGES,) or ALL_PRIVILEGES not in privs else None,
        )
    kept = sorted((before & after) - {ALL_PRIVILEGES})
    if ALL_PRIVILEGES in privs and kept:
        # a state that held both (an old log): REVOKE ALL PRIVILEGES may take the privileges it implies with
        # it (UC-03, newer page), so the ones kept are granted again right after (idempotent either way)
        regrant = _grant_sql("GRANT", c.securable, c.principal, kept, name)
        script.add(regrant, c, ctx, capability="grants", reverse=regrant, object_id=c.securable,
                   phase=Phase.GRANT, note="kept: granted again after REVOKE ALL PRIVILEGES")
    return True


@renders(ch.Grant, ch.Revoke)
def _grant_or_revoke(c: ch.Grant | ch.Revoke, ctx: Ctx, script: Script) -> None:
    verb, undo, risk = _PRIVILEGE_VERBS[type(c)]
    before, after = _held(ctx, c.securable, c.principal)
    if isinstance(c, ch.Revoke) and _held_back_revoke(c, ctx, script, before, after):
        return
    narrowing, replacing = _held_back(script, c) if isinstance(c, ch.Grant) else ([], [])
    _move_to_end(script, narrowing)
    name = ctx.name(c.securable)
    for part in _split(c.privileges):
        reverse = _grant_sql(undo, c.securable, c.principal, part, name)
        replaced = sorted(before - after - {ALL_PRIVILEGES})
        if isinstance(c, ch.Grant) and part == (ALL_PRIVILEGES,) and replaced:
            # undone in the narrowing order: REVOKE ALL PRIVILEGES, then the replaced list granted again
            reverse += ";\n" + _grant_sql("GRANT", c.securable, c.principal, replaced, name)
        script.add(
            _grant_sql(verb, c.securable, c.principal, part, name),
            c,
            ctx,
            capability="grants",
            risk=risk,
            reverse=reverse,
            object_id=c.securable,
        )
    _move_to_end(script, replacing)
