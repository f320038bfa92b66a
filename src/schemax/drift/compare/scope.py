"""Name-keyed indexes of a state and the scope a drift scan covers (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from schemax.core import kinds
from schemax.core.model import (
    Schema,
    State,
)
from schemax.drift.compare.text import _key


@dataclass
class _Index:
    """Name-keyed view of a state (lower-case keys)."""

    state: State
    catalogs: dict[tuple[str, ...], Any] = field(default_factory=dict)
    schemas: dict[tuple[str, ...], Schema] = field(default_factory=dict)
    children: dict[tuple[str, ...], tuple[str, Any]] = field(default_factory=dict)
    schema_parts: dict[str, tuple[str, str]] = field(default_factory=dict)  # schema id -> (catalog, schema)

    @classmethod
    def of(cls, state: State) -> _Index:
        idx = cls(state)
        cat_names = {}
        for cid, c in state.catalogs.items():
            cat_names[cid] = c.name
            idx.catalogs[_key(c.name)] = c
        for sid, s in state.schemas.items():
            cat = cat_names.get(s.catalog_id, "?")
            idx.schemas[_key(cat, s.name)] = s
            idx.schema_parts[sid] = (cat, s.name)
        for kind in kinds.schema_children():
            for obj in getattr(state, kind.state_field).values():
                parts = idx.schema_parts.get(obj.schema_id)
                if parts is None:
                    continue
                idx.children[_key(*parts, obj.name)] = (kind.name, obj)
        return idx

    def parts_of(self, obj: Any) -> tuple[str, str, str]:
        cat, sch = self.schema_parts[obj.schema_id]
        return cat, sch, obj.name

    def table_name_of(self, table_id: str | None) -> str | None:
        if not table_id:
            return None
        t = self.state.tables.get(table_id)
        if t is None:
            return None
        parts = self.schema_parts.get(t.schema_id)
        return ".".join((*parts, t.name)) if parts else None


class _Scope:
    def __init__(self, scope: Sequence[tuple[str, str | None]] | None) -> None:
        self.all = scope is None
        self.whole: set[str] = set()
        self.schemas: set[tuple[str, str]] = set()
        for cat, sch in scope or ():
            if sch is None:
                self.whole.add(cat.lower())
            else:
                self.schemas.add((cat.lower(), sch.lower()))

    def catalog_touched(self, cat: str) -> bool:
        c = cat.lower()
        return self.all or c in self.whole or any(s[0] == c for s in self.schemas)

    def catalog_whole(self, cat: str) -> bool:
        return self.all or cat.lower() in self.whole

    def schema_in(self, cat: str, sch: str) -> bool:
        return self.all or cat.lower() in self.whole or (cat.lower(), sch.lower()) in self.schemas
