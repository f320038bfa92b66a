"""Words for people: counts with the right plural and values without Python's spelling.

Text and HTML that people read never say ``1 columns`` or ``None``: :func:`count` picks the singular or
the plural, :func:`shown` writes a missing value as ``none`` and other values the way a reviewer reads
them (strings quoted, as ``repr`` would).
"""

from __future__ import annotations

from typing import Any

#: plurals that are not the word + "s"
_IRREGULAR = {"query": "queries", "index": "indexes", "property": "properties", "policy": "policies",
              "entry": "entries"}


def plural(word: str) -> str:
    """``column`` -> ``columns``, ``query`` -> ``queries``."""
    return _IRREGULAR.get(word, word + "s")


def count(n: int, word: str, many: str | None = None) -> str:
    """``1 column``, ``2 columns``, ``0 columns`` (``many``: the plural when it is not regular)."""
    return f"{n} {word if n == 1 else (many or plural(word))}"


def shown(value: Any, missing: str = "none") -> str:
    """A value for a sentence: ``missing`` for None, strings quoted (``'gross'``), the rest as str."""
    if value is None:
        return missing
    return repr(value) if isinstance(value, str) else str(value)


__all__ = ["count", "plural", "shown"]
