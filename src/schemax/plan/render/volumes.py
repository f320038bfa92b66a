"""Volumes: managed or external; a changed location or type re-creates the volume.
"""

from __future__ import annotations

from typing import Any

from schemax.core import changes as ch
from schemax.core.changes import ObjectFlag
from schemax.core.names import sql_string
from schemax.plan.render.common import _comment_on, _drop, _new_object_extras, _rename, _tag_statements
from schemax.plan.render.context import Ctx
from schemax.plan.render.script import Script, renders


def _volume_sql(vol: Any, name: str) -> str:
    sql = f"CREATE {'EXTERNAL ' if vol.volume_type == 'EXTERNAL' else ''}VOLUME IF NOT EXISTS {name}"
    if vol.location:
        sql += f" LOCATION {sql_string(vol.location)}"
    if vol.comment is not None:
        sql += f" COMMENT {sql_string(vol.comment)}"
    return sql


@renders(ch.CreateVolume)
def _create_volume(c: ch.CreateVolume, ctx: Ctx, script: Script) -> None:
    name = ctx.name(c.after.id)
    script.add(
        _volume_sql(c.after, name), c, ctx, capability="volumes", reverse=f"DROP VOLUME IF EXISTS {name}"
    )
    _new_object_extras(script, ctx, c, "VOLUME", name, c.after)


@renders(ch.DropVolume)
def _drop_volume(c: ch.DropVolume, ctx: Ctx, script: Script) -> None:
    external = c.before.volume_type == "EXTERNAL"
    note = "the files stay at the external location" if external else "the volume's files are deleted"
    _drop(script, ctx, c, "VOLUME", "volumes", note=note)


@renders(ch.RenameVolume)
def _rename_volume(c: ch.RenameVolume, ctx: Ctx, script: Script) -> None:
    target, moved = ctx.rename_to(c.before, c.after)
    old, current = ctx.name(c.before.id, ctx.before), ctx.name(c.after.id, ctx.after)
    back = (current, ctx.rename_back(c.before, c.after))
    capability = "volume_move" if moved else "volumes"
    _rename(script, ctx, c, "VOLUME", (old, target), back, capability, ctx.renames(c))


@renders(ch.AlterVolume)
def _alter_volume(c: ch.AlterVolume, ctx: Ctx, script: Script) -> None:
    name = ctx.name(c.after.id)
    if ObjectFlag.LOCATION in c.flags:
        # a volume's type and location cannot be altered: it is dropped and created again
        _drop(script, ctx, c, "VOLUME", "volumes", note="location or type changed: the volume is re-created")
        script.add(_volume_sql(c.after, name), c, ctx, capability="volumes")
        _new_object_extras(script, ctx, c, "VOLUME", name, c.after)
        return
    if ObjectFlag.COMMENT in c.flags:
        _comment_on(script, ctx, c, "VOLUME", name, "volumes")
    if ObjectFlag.TAGS in c.flags:
        _tag_statements(script, ctx, c, f"ALTER VOLUME {name}", c.before.tags, c.after.tags)
