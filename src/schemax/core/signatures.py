"""A function's signature as Unity Catalog compares it: the number and the types of its parameters.

Unity Catalog replaces a function in place only with the same signature, so the planner (a new parameter
list is a drop and a create, :mod:`schemax.plan.render.functions`) and the analyzers (SX211) both ask
:func:`signature_changes`; it lives below both.
"""

from __future__ import annotations

from typing import Any

from schemax.core.types import TypeParseError, normalize_type


def _split_top_level(text: str, sep: str = ",") -> list[str]:
    """``text`` split at ``sep`` outside brackets, type brackets (``MAP<…>``) and quotes."""
    parts: list[str] = []
    depth, angle, quote, start = 0, 0, "", 0
    for i, c in enumerate(text):
        if quote:
            if c == quote:
                quote = ""
        elif c in "'\"`":
            quote = c
        elif c in "([":
            depth += 1
        elif c in ")]":
            depth = max(depth - 1, 0)
        elif c == "<" and i and text[i - 1].isalpha():  # ARRAY<, MAP<, STRUCT<; not a comparison
            angle += 1
        elif c == ">" and angle:
            angle -= 1
        elif c == sep and depth == 0 and angle == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _parameter_type(param: str) -> str:
    """The type of one ``name type [DEFAULT expr] [COMMENT 'c']`` parameter, canonically spelled."""
    if param.startswith("`"):
        end = param.find("`", 1)
        while end != -1 and param[end + 1 : end + 2] == "`":  # a doubled back-quote inside the name
            end = param.find("`", end + 2)
        rest = param[end + 1 :] if end != -1 else ""
    else:
        rest = param.split(None, 1)[1] if len(param.split(None, 1)) == 2 else ""
    words = _split_top_level(rest, " ")
    for i, word in enumerate(words):
        if word.upper() in ("DEFAULT", "COMMENT"):
            words = words[:i]
            break
    text = " ".join(words)
    try:
        return normalize_type(text)
    except TypeParseError:
        return text.upper()


def parameter_types(parameters: str) -> tuple[str, ...]:
    """The types of a parameter list, canonically spelled: ``"x int, y decimal(10, 2) DEFAULT 1"`` ->
    ``("INT", "DECIMAL(10,2)")``. With the count, this is what Unity Catalog calls a function's
    signature; parameter names, defaults and comments are not part of it."""
    return tuple(_parameter_type(p) for p in _split_top_level(parameters))


def signature_changes(before: Any, after: Any) -> bool:
    """True when the number or the types of a function's parameters change.

    UC-39 (https://learn.microsoft.com/en-in/azure/databricks/sql/language-manual/sql-ref-syntax-ddl-create-sql-function):
    "the function with the same name and signature (number of parameters and parameter types) is
    replaced. You cannot replace an existing function with a different signature. This is mainly useful
    to update the function body and the return type of the function." So a new return type is replaced
    in place (issue 10 asked for a drop there too; the documentation allows the replace).
    """
    return parameter_types(before.parameters) != parameter_types(after.parameters)


__all__ = ["parameter_types", "signature_changes"]
