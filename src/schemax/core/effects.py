"""What a statement that cannot simply run twice will change: its declared effect (pure data).

Most statements schemax emits are idempotent (``IF [NOT] EXISTS``, ``SET`` forms, ``CREATE OR REPLACE``)
and run again safely when a deployment resumes. The few that are not (``ADD COLUMNS``, ``RENAME COLUMN``,
``RENAME TO``, ``ADD CONSTRAINT`` for checks and keys, a rewrite's ``INSERT INTO <shadow>``) carry an
effect, set by the renderer that emits them, so a resume can ask the catalog whether the effect is
already there (``services/resume.py``, one probe per effect type) instead of reading the SQL text.

Names are physical name parts (``("dev_shop", "sales", "orders")``), never quoted text. An effect is kept
in the deployment's statement record as JSON (:func:`effect_to_dict` / :func:`effect_from_dict`); a record
written before effects existed, or one naming a kind this version does not know, has none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar

Parts = tuple[str, ...]


@dataclass(frozen=True)
class AddsColumns:
    """``ALTER TABLE … ADD COLUMNS``: ``columns`` appear in ``table``."""

    kind: ClassVar[str] = "adds_columns"
    table: Parts
    columns: tuple[str, ...]


@dataclass(frozen=True)
class RenamesColumn:
    """``ALTER TABLE … RENAME COLUMN``: ``old`` becomes ``new`` in ``table``."""

    kind: ClassVar[str] = "renames_column"
    table: Parts
    old: str
    new: str


@dataclass(frozen=True)
class RenamesObject:
    """``ALTER <keyword> … RENAME TO``: the object ``old`` is now ``new`` (both full physical names).

    ``keyword`` is the SQL keyword of its kind: ``CATALOG``, ``SCHEMA``, ``TABLE``, ``VIEW``, ``VOLUME``.
    """

    kind: ClassVar[str] = "renames_object"
    keyword: str
    old: Parts
    new: Parts


@dataclass(frozen=True)
class AddsCheck:
    """``ALTER TABLE … ADD CONSTRAINT <name> CHECK``: the check ``name`` is on ``table``."""

    kind: ClassVar[str] = "adds_check"
    table: Parts
    name: str


@dataclass(frozen=True)
class AddsKey:
    """``ALTER TABLE … ADD CONSTRAINT <name> PRIMARY|FOREIGN KEY``: the key ``name`` is on ``table``."""

    kind: ClassVar[str] = "adds_key"
    table: Parts
    name: str


@dataclass(frozen=True)
class CopiesRows:
    """A rewrite's ``INSERT INTO <shadow> … SELECT``: the shadow table, created empty just before, holds
    rows."""

    kind: ClassVar[str] = "copies_rows"
    shadow: Parts


Effect = AddsColumns | RenamesColumn | RenamesObject | AddsCheck | AddsKey | CopiesRows

#: The closed vocabulary, by kind.
EFFECT_TYPES: dict[str, type[Any]] = {
    t.kind: t for t in (AddsColumns, RenamesColumn, RenamesObject, AddsCheck, AddsKey, CopiesRows)
}


def effect_to_dict(effect: Effect) -> dict[str, Any]:
    """The JSON form of an effect: ``{"kind": …, <field>: …}`` (name parts as lists)."""
    out: dict[str, Any] = {"kind": effect.kind}
    for f in fields(effect):
        value = getattr(effect, f.name)
        out[f.name] = list(value) if isinstance(value, tuple) else value
    return out


def effect_from_dict(data: Mapping[str, Any] | None) -> Effect | None:
    """An effect from its JSON form; None for None, and for a kind or a shape this version does not know
    (a statement without an effect is simply run again)."""
    if not data:
        return None
    cls = EFFECT_TYPES.get(str(data.get("kind")))
    if cls is None:
        return None
    values: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in data:
            return None
        value = data[f.name]
        values[f.name] = tuple(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value)
    return cls(**values)  # type: ignore[no-any-return]


__all__ = [
    "EFFECT_TYPES",
    "AddsCheck",
    "AddsColumns",
    "AddsKey",
    "CopiesRows",
    "Effect",
    "Parts",
    "RenamesColumn",
    "RenamesObject",
    "effect_from_dict",
    "effect_to_dict",
]
