"""Statement helpers shared by the object families: tags, properties, comments, renames, drops, managed
locations, what a new object carries besides its CREATE, and the version-tracking properties.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from schemax.core.changes import Change
from schemax.core.effects import RenamesObject
from schemax.core.model import Table
from schemax.core.names import sql_string
from schemax.core.tracking import tracking_properties
from schemax.plan.diff import changed_and_gone
from schemax.plan.render.context import Ctx
from schemax.plan.render.grants import _grant_all, _grant_sql
from schemax.plan.render.script import Script
from schemax.plan.render.sql import _comment, _keys, _props
from schemax.plan.statements import Risk


def _undo_set(set_sql: str, unset_sql: str, keys: Iterable[str], old: dict[str, str]) -> str:
    """The reverse of setting ``keys``: ``set_sql`` gives back the old values, ``unset_sql`` removes the
    keys that were new; empty when there is nothing to undo."""
    ordered = sorted(set(keys))
    restore = [(k, old[k]) for k in ordered if k in old]
    added = [k for k in ordered if k not in old]
    return ";\n".join(
        [f"{set_sql} {_props(restore)}"] * bool(restore) + [f"{unset_sql} {_keys(added)}"] * bool(added)
    )


def _tag_statements(
    script: Script,
    ctx: Ctx,
    change: Change | None,
    prefix: str,
    old: dict[str, str],
    new: dict[str, str],
    object_id: str | None = None,
    *,
    restate: bool = False,
) -> None:
    """SET TAGS for new and changed tags (every tag of ``new`` when ``restate``: after a statement that may
    have dropped them), UNSET TAGS for removed ones; each undone back to ``old``."""
    changed, gone = changed_and_gone(old, new)
    if restate:
        changed = tuple(sorted(new.items()))
    if changed:
        script.add(
            f"{prefix} SET TAGS {_props(changed)}",
            change,
            ctx,
            capability="tags",
            reverse=_undo_set(f"{prefix} SET TAGS", f"{prefix} UNSET TAGS", (k for k, _ in changed), old),
            object_id=object_id,
        )
    if gone:
        script.add(
            f"{prefix} UNSET TAGS {_keys(gone)}",
            change,
            ctx,
            capability="tags",
            reverse=f"{prefix} SET TAGS {_props(sorted((k, old[k]) for k in gone))}",
            object_id=object_id,
        )


def _property_statements(
    script: Script,
    ctx: Ctx,
    change: Change,
    prefix: str,
    word: str,
    old: dict[str, str],
    new: dict[str, str],
    *,
    unset: str,
    capability: str,
    unset_capability: str,
) -> None:
    """``<prefix> SET <word> (…)`` for new and changed properties, ``<prefix> <unset> (…)`` for removed
    ones (schemas; views undo theirs, see :func:`~schemax.plan.render.views._view_properties`; table
    properties are folded, see :func:`~schemax.plan.render.tables._set_properties`)."""
    changed, gone = changed_and_gone(old, new)
    if changed:
        script.add(f"{prefix} SET {word} {_props(changed)}", change, ctx, capability=capability)
    if gone:
        script.add(
            f"{prefix} {unset} {_keys(gone)}",
            change,
            ctx,
            capability=unset_capability,
            reverse=f"{prefix} SET {word} {_props((k, old[k]) for k in gone)}",
        )


def _comment_on(script: Script, ctx: Ctx, change: Any, keyword: str, name: str, capability: str) -> None:
    """COMMENT ON <keyword> for a change whose ``before``/``after`` carry the old and new comment."""
    script.add(
        f"COMMENT ON {keyword} {name} IS {_comment(change.after.comment)}",
        change,
        ctx,
        capability=capability,
        reverse=f"COMMENT ON {keyword} {name} IS {_comment(change.before.comment)}",
    )


def _rename(
    script: Script,
    ctx: Ctx,
    change: Change,
    keyword: str,
    forward: tuple[str, str],
    back: tuple[str, str],
    capability: str,
    effect: RenamesObject,
) -> None:
    """``ALTER <keyword> <old> RENAME TO <new>`` (``forward``), with the rename ``back`` as its reverse;
    ``effect`` names both full physical names (a ``RENAME TO`` target may be a bare name)."""
    script.add(
        f"ALTER {keyword} {forward[0]} RENAME TO {forward[1]}",
        change,
        ctx,
        risk=Risk.BREAKING,
        capability=capability,
        reverse=f"ALTER {keyword} {back[0]} RENAME TO {back[1]}",
        effect=effect,
    )


def _new_object_extras(script: Script, ctx: Ctx, change: Change, keyword: str, name: str, obj: Any) -> None:
    """What CREATE cannot say about a new (or re-created) object: its tags and its grants."""
    _tag_statements(script, ctx, change, f"ALTER {keyword} {name}", {}, obj.tags)
    _grant_all(script, ctx, change, obj.id, obj.grants)


def _grant_statements(obj: Any, name: str) -> list[str]:
    """``GRANT`` statements for every grant ``obj`` holds (the reverse of re-creating it gives them back)."""
    return [_grant_sql("GRANT", obj.id, p, obj.grants[p], name) for p in sorted(obj.grants)]


def _grants_again(script: Script, ctx: Ctx, change: Change, obj: Any, name: str) -> None:
    """The grants of an object a statement just re-created (a replace, or a drop and a create), given again
    right after it, in the object's own phase: not in the final grant phase, which would leave the object
    without its privileges while the rest of the deploy runs."""
    for principal in sorted(obj.grants):
        privileges = obj.grants[principal]
        script.add(
            _grant_sql("GRANT", obj.id, principal, privileges, name),
            change,
            ctx,
            capability="grants",
            reverse=_grant_sql("REVOKE", obj.id, principal, privileges, name),
            object_id=obj.id,
        )


def _drop(
    script: Script,
    ctx: Ctx,
    change: Any,
    keyword: str,
    capability: str,
    *,
    reverse: str | None = None,
    note: str | None = None,
) -> None:
    """``DROP <keyword> IF EXISTS`` for the object a change holds as ``before``."""
    script.add(
        f"DROP {keyword} IF EXISTS {ctx.name(change.before.id)}",
        change,
        ctx,
        risk=Risk.DESTRUCTIVE,
        capability=capability,
        reverse=reverse,
        note=note,
    )


def _set_managed_location(script: Script, ctx: Ctx, change: Any, keyword: str, name: str) -> None:
    script.add(
        f"ALTER {keyword} {name} SET MANAGED LOCATION {sql_string(change.after.managed_location)}",
        change,
        ctx,
        capability="managed_location",
    )


def _tracking(ctx: Ctx, table: Table) -> list[tuple[str, str]]:
    """The target's version-tracking properties for ``table`` (:mod:`schemax.core.tracking`)."""
    return tracking_properties(ctx.target.tracking, ctx.definition(table))
