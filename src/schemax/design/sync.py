"""``sync_ops(state, files)``: the ops that take a working state to what the design files describe.

The target state is built with the working state's ids (:func:`schemax.design.build.build_target`), and
:func:`schemax.plan.to_ops.ops_between` gives the ops between the two (a rename where an id kept its
object under a new name, a drop where the files no longer hold an object, ...). Those ops are then
recorded on a copy of the working state, as the project would record them, and the result is compared
with the target: what no op records (a catalog's managed location, a table's type or location, a
volume's location, ...) cannot be changed by a sync, and is refused naming the file, line and column of
the object, rather than left different without a word. A second sync of the same files gives no op.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from schemax.core import kinds, sql_checks
from schemax.core.model import State
from schemax.core.ops import Op
from schemax.core.replay import StateBuilder
from schemax.design.build import Target, build_target
from schemax.design.loader import DesignFile
from schemax.errors import ValidationError
from schemax.plan.to_ops import ops_between


def _normalized(obj: Any) -> Any:
    """An object as sync compares it: a table's constraints in id order (the order ops add them in is not
    something the files say)."""
    constraints = getattr(obj, "constraints", None)
    if constraints:
        return obj.evolve(constraints=tuple(sorted(constraints, key=lambda c: c.id)))
    return obj


def _first_difference(old: Any, new: Any) -> str:
    for name in type(new).model_fields:
        if getattr(old, name) != getattr(new, name):
            return name
    return "?"  # pragma: no cover - only called for objects that differ


def _check_reached(result: State, target: Target, working: State) -> None:
    """``result`` (the working state with the ops recorded) holds what ``target`` does, or the error says
    which aspect of which object no op can change."""
    for kind in kinds.top_level():
        got, wanted = getattr(result, kind.state_field), getattr(target.state, kind.state_field)
        for oid, obj in wanted.items():
            have = got.get(oid)
            if have is not None and _normalized(have) == _normalized(obj):
                continue
            if have is None:  # pragma: no cover - ops_between creates every object of the target
                raise target.error_for(oid, f"{kind.name} {obj.name!r} could not be created")
            field = _first_difference(_normalized(have), _normalized(obj))
            before = working.get(oid)
            was = getattr(before, field, None) if before is not None else None
            raise target.error_for(oid, (
                f"{field} of {kind.name} {obj.name!r} cannot be changed by an op ({was!r} in the project, "
                f"{getattr(obj, field)!r} here): keep it, or give the {kind.name} a new name (drop and "
                "create) to change it"))


def sync_ops(state: State, files: Sequence[DesignFile], author: str = "schemax") -> list[Op]:
    """The ops that make ``state`` hold exactly what ``files`` describe (empty when it already does), in
    the order to record them. Pure: nothing is recorded. DesignFileError (file, line, column) for what the
    files hold that the ops cannot express or the rules refuse."""
    target = build_target(state, files, author=author)
    ops = ops_between(state, target.state, author=author)
    builder = StateBuilder(state)
    recorded: list[Op] = []
    for op in ops:
        try:
            # the SQL the files change, on its own (not what it names: a project may hold a view whose
            # table a later op dropped, and its files must describe it; schemax.core.sql_checks)
            sql_checks.check_text(op)
            recorded.extend(builder.record(op))
        except ValidationError as exc:
            raise target.error_for(op.target, f"cannot be recorded: {exc.reason}") from None
    _check_reached(builder.build(), target, state)
    return recorded


def target_state(state: State, files: Sequence[DesignFile]) -> State:
    """The state a sync of ``files`` onto ``state`` leaves (what a plan of the design is planned to)."""
    ops = sync_ops(state, files)
    return StateBuilder(state).apply_all(ops).build()


__all__ = ["sync_ops", "target_state"]
