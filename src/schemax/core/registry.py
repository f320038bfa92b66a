"""Completeness of the per-vocabulary tables: a new op or change kind cannot be half-wired.

Every interpreter (state handlers, renderers, analyzers, op emitters, describers, appliers, phases,
deploy barriers) keeps a table keyed by the members of a closed vocabulary. Each calls
:func:`require_complete` once at import time, so a member added to the vocabulary without an entry in
every table fails the first import, not a deploy.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable


def _label(member: object) -> str:
    return getattr(member, "__name__", None) or str(member)


def require_complete(table: Collection[object], members: Iterable[object], what: str) -> None:
    """Raise AssertionError naming every member of ``members`` that ``table`` has no entry for."""
    missing = sorted(_label(m) for m in members if m not in table)
    if missing:
        raise AssertionError(f"{what}: no entry for {', '.join(missing)}")


__all__ = ["require_complete"]
