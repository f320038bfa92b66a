"""The statement collector and the renderer registry.

A :class:`Script` collects statements in order; :meth:`Script.fold` merges items into one statement per
(table, kind) — one ``ADD COLUMNS``, one ``DROP COLUMNS``, one ``SET TBLPROPERTIES`` per table unit.
:data:`RENDERERS` maps each change class to its renderer, registered with :func:`renders` by the family
modules; :mod:`schemax.plan.render` checks at import that every change type has one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from schemax.core.changes import Change
from schemax.core.effects import Effect
from schemax.plan.render.context import Ctx
from schemax.plan.statements import Risk, Statement


@dataclass
class _Slot:
    sql: str
    changes: list[Change]
    risk: Risk
    reverse: str | None
    object_id: str | None
    capability: str
    note: str | None
    phase: int
    unsupported: str | None = None
    effect: Effect | None = None
    items: list[Any] = field(default_factory=list)
    build: Callable[[list[Any]], tuple[str, str | None]] | None = None
    build_effect: Callable[[list[Any]], Effect] | None = None

    def statement(self) -> Statement:
        if self.build is not None:
            self.sql, self.reverse = self.build(self.items)
        if self.build_effect is not None:
            self.effect = self.build_effect(self.items)
        op_ids: dict[str, None] = {}
        for change in self.changes:
            for op_id in change.op_ids:
                op_ids.setdefault(op_id, None)
        return Statement(
            sql=self.sql,
            changes=tuple({id(c): c for c in self.changes}.values()),
            op_ids=tuple(op_ids),
            risk=self.risk,
            reverse=self.reverse,
            object_id=self.object_id,
            capability=self.capability,
            note=self.note,
            effect=self.effect,
        )


class Script:
    """Collects statements in order; ``fold`` merges items into one statement per (table, kind)."""

    def __init__(self) -> None:
        self.slots: list[_Slot] = []
        self._folds: dict[tuple[str, ...], _Slot] = {}

    def add(
        self,
        sql: str,
        change: Change | None,
        ctx: Ctx,
        *,
        risk: Risk = Risk.SAFE,
        reverse: str | None = None,
        object_id: str | None = None,
        capability: str = "table_ddl",
        note: str | None = None,
        phase: int | None = None,
        unsupported: str | None = None,
        effect: Effect | None = None,
    ) -> _Slot:
        """Add one statement; ``effect`` declares what it changes when it cannot simply run twice."""
        slot = _Slot(
            sql=sql,
            changes=[change] if change is not None else [],
            risk=risk,
            reverse=reverse,
            object_id=object_id if object_id is not None else _object_of(change),
            capability=capability,
            note=note,
            phase=ctx.phase if phase is None else phase,
            unsupported=unsupported,
            effect=effect,
        )
        self.slots.append(slot)
        return slot

    def fold(
        self,
        key: tuple[str, ...],
        item: Any,
        change: Change | None,
        ctx: Ctx,
        build: Callable[[list[Any]], tuple[str, str | None]],
        *,
        risk: Risk = Risk.SAFE,
        object_id: str | None = None,
        capability: str = "table_ddl",
        note: str | None = None,
        effect: Callable[[list[Any]], Effect] | None = None,
    ) -> _Slot:
        """Add ``item`` to the statement folded under ``key``; ``build`` (and ``effect``, when the folded
        statement cannot simply run twice) are called with every item once the plan is complete."""
        slot = self._folds.get(key)
        if slot is None:
            slot = self.add("", change, ctx, risk=risk, object_id=object_id, capability=capability, note=note)
            slot.build = build
            slot.build_effect = effect
            self._folds[key] = slot
        else:
            if change is not None:
                slot.changes.append(change)
            if risk.rank > slot.risk.rank:
                slot.risk = risk
            if note and note not in (slot.note or ""):
                slot.note = f"{slot.note}; {note}" if slot.note else note
        slot.items.append(item)
        return slot

    def end_unit(self) -> None:
        self._folds.clear()


def _object_of(change: Change | None) -> str | None:
    if change is None:
        return None
    return change.table_id or change.subject


# ---------------------------------------------------------------------------------------------------
# the registry
# ---------------------------------------------------------------------------------------------------


Renderer = Callable[[Any, Ctx, Script], None]
RENDERERS: dict[type[Change], Renderer] = {}


def renders(*types: type[Change]) -> Callable[[Renderer], Renderer]:
    def register(fn: Renderer) -> Renderer:
        for t in types:
            RENDERERS[t] = fn
        return fn

    return register
