"""Identifiers and string literals for the Databricks / Spark SQL dialect.

Pure (stdlib only). Everything schemax interpolates into SQL goes through this module:

* :func:`quote_ident` / :func:`qualified` — every identifier part is back-quoted and a back-quote
  inside a name is doubled (```a`b``` -> ```` `a``b` ````). Back-quoted identifiers may hold any
  character, but there is no escape inside them, so two names are refused: the empty name, and
  any name containing ``${`` (Spark's variable substitution would rewrite it, see below).
* :func:`sql_string` — a single-quoted Spark SQL string literal.

String literal escaping (the one rule, verified against pyspark's parser by
``tests/integration/test_literals_spark.py``):

* Spark reads ``\\`` as an escape character inside ``'...'`` and ``"..."``, so ``\\`` is written
  ``\\\\`` and ``'`` is written ``\\'``. We do **not** double quotes (``'a''b'``): older Spark
  versions read that as two adjacent literals (``ab``), while Spark 4.x reads it as ``a'b``; the
  backslash form means the same thing everywhere.
* Newline, carriage return and tab are written ``\\n``, ``\\r``, ``\\t`` so every emitted statement
  stays on one line (safe to log, to store in a ``sql`` column, and to split on lines).
* Every other control character (``\\x01``-``\\x1f``, ``\\x7f``) is written ``\\uXXXX``.
* ``${`` is written ``\\u0024{``. Spark's variable substitution (``spark.sql.variable.substitute``,
  on by default, also on Databricks) rewrites ``${name}``, ``${env:NAME}``,
  ``${system:prop}``, ``${spark.conf.key}`` in the raw statement text *before* parsing, inside
  string literals and back-quoted identifiers alike: unescaped, a comment ``'${env:HOME}'``
  would store the driver's home directory, and an unknown ``${x}`` silently becomes ``''``.
* Everything else — ``"``, ``--``, ``;``, ``/*``, a lone ``$`` or ``{``, any non-ASCII letter or
  emoji — is emitted verbatim: inside a quoted literal none of it means anything to the lexer.
* NUL (``\\x00``) is **rejected** (:class:`InvalidLiteralError`): Spark can carry it, but comments,
  tag and property values end up in metastore backends and downstream tools that truncate or
  refuse NUL, so a NUL in a comment is always a bug upstream. Lone UTF-16 surrogates are rejected
  too (they cannot be encoded to send to the engine).
* Double-quoted literals are never emitted: with ``spark.sql.ansi.doubleQuotedIdentifiers`` a
  ``"..."`` is an identifier.

Caveat: a session that sets ``spark.sql.parser.escapedStringLiterals=true`` (default ``false`` on
Spark and Databricks) turns backslash escapes off; no single literal form is correct under both
settings, and schemax assumes the default.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from schemax.errors import SchemaxError

__all__ = [
    "close_names",
    "MAX_NAME_LENGTH",
    "InvalidIdentifierError",
    "InvalidLiteralError",
    "qualified",
    "quote_ident",
    "split_qualified",
    "sql_string",
    "validate_column_name",
    "validate_object_name",
]

#: Unity Catalog limit for every object name (and the limit we apply to column names).
MAX_NAME_LENGTH = 255

_SUBSTITUTION_REASON = (
    "contains '${', which Spark's variable substitution (spark.sql.variable.substitute) "
    "would rewrite even inside back-quotes"
)


class InvalidIdentifierError(SchemaxError, ValueError):
    """A name that cannot be used as the identifier of the given kind."""

    def __init__(self, name: str, kind: str, reason: str) -> None:
        self.name = name
        self.kind = kind
        self.reason = reason
        super().__init__(f"invalid {kind} name {name!r}: {reason}")


class InvalidLiteralError(SchemaxError, ValueError):
    """A value that schemax refuses to render as a SQL string literal."""

    def __init__(self, value: str, reason: str) -> None:
        self.value = value
        self.reason = reason
        super().__init__(f"cannot render {value!r} as a SQL string literal: {reason}")


# --------------------------------------------------------------------------------------------
# Identifiers
# --------------------------------------------------------------------------------------------


def quote_ident(name: str) -> str:
    """Back-quote one identifier part, doubling any back-quote inside it.

    >>> quote_ident("my table")
    '`my table`'
    >>> quote_ident("a`b")
    '`a``b`'
    """
    if not isinstance(name, str):
        raise TypeError(f"identifier must be a str, got {type(name).__name__}")
    if not name:
        raise InvalidIdentifierError(name, "identifier", "must not be empty")
    if "${" in name:
        raise InvalidIdentifierError(name, "identifier", _SUBSTITUTION_REASON)
    return "`" + name.replace("`", "``") + "`"


def qualified(*parts: str) -> str:
    """Join back-quoted parts with ``.``: ``qualified("main", "sales", "orders")``."""
    if not parts:
        raise InvalidIdentifierError("", "qualified", "needs at least one part")
    return ".".join(quote_ident(part) for part in parts)


def split_qualified(text: str) -> list[str]:
    """Split a dotted name into its parts.

    Parts are either back-quoted (```` `a.b` ````, with ``````` `` ````` standing for one back-quote) or
    bare runs of characters other than ``.``, ````` and whitespace. Whitespace is not allowed
    outside back-quotes, empty parts are errors (``a..b``, ``.a``, ``a.``, ```` `` ````).

    >>> split_qualified("main.`my.schema`.t")
    ['main', 'my.schema', 't']
    """
    if not isinstance(text, str):
        raise TypeError(f"qualified name must be a str, got {type(text).__name__}")

    def fail(reason: str, pos: int) -> InvalidIdentifierError:
        return InvalidIdentifierError(text, "qualified", f"{reason} at position {pos}")

    parts: list[str] = []
    n = len(text)
    pos = 0
    if n == 0:
        raise fail("empty name", 0)
    while True:
        if pos >= n:
            raise fail("expected a name part after '.'", pos)
        if text[pos] == "`":
            start = pos
            pos += 1
            chunk: list[str] = []
            while True:
                close = text.find("`", pos)
                if close < 0:
                    raise fail("unterminated back-quoted part", start)
                chunk.append(text[pos:close])
                if close + 1 < n and text[close + 1] == "`":
                    chunk.append("`")
                    pos = close + 2
                    continue
                pos = close + 1
                break
            part = "".join(chunk)
            if not part:
                raise fail("empty back-quoted part", start)
        else:
            start = pos
            while pos < n and text[pos] != "." and text[pos] != "`" and not text[pos].isspace():
                pos += 1
            part = text[start:pos]
            if not part:
                if pos < n and text[pos].isspace():
                    raise fail("whitespace outside back-quotes", pos)
                if pos < n and text[pos] == ".":
                    raise fail("empty name part", pos)
                raise fail("expected a name part", pos)
        parts.append(part)
        if pos == n:
            return parts
        ch = text[pos]
        if ch != ".":
            if ch.isspace():
                raise fail("whitespace outside back-quotes", pos)
            raise fail(f"unexpected {ch!r}", pos)
        pos += 1


_SUSPECT = re.compile("[\x00-\x1f\x7f\ud800-\udfff]|\\$\\{")


def _control_chars(name: str) -> list[str]:
    return [c for c in name if c < "\x20" or c == "\x7f"]


def _check_common(name: object, kind: str) -> str:
    if not isinstance(name, str):
        raise TypeError(f"{kind} name must be a str, got {type(name).__name__}")
    if not name:
        raise InvalidIdentifierError(name, kind, "must not be empty")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidIdentifierError(name, kind, f"longer than {MAX_NAME_LENGTH} characters ({len(name)})")
    if _SUSPECT.search(name) is None:  # the common case: one regex scan instead of three passes
        return name
    bad = _control_chars(name)
    if bad:
        raise InvalidIdentifierError(
            name, kind, f"contains control character {bad[0]!r} (U+{ord(bad[0]):04X})"
        )
    if "${" in name:
        raise InvalidIdentifierError(name, kind, _SUBSTITUTION_REASON)
    if any(0xD800 <= ord(c) <= 0xDFFF for c in name):
        raise InvalidIdentifierError(name, kind, "contains a lone UTF-16 surrogate")
    return name


#: Characters Unity Catalog forbids in securable object names (besides control characters).
_FORBIDDEN_OBJECT_CHARS = {".": "a period", "/": "a forward slash", " ": "a space"}


def validate_object_name(name: str, kind: str) -> str:
    """Check a catalog / schema / table / view / volume / function name; return it unchanged.

    Unity Catalog rules: 1-255 characters; no period, space or forward slash; no ASCII control
    characters (``\\x00``-``\\x1f``) and no DEL (``\\x7f``). Leading or trailing whitespace of any
    kind is refused too (it is never intended and breaks copy/paste). Case is kept: Unity Catalog
    stores these names lower-cased, folding is the caller's decision.
    """
    _check_common(name, kind)
    if name != name.strip():
        raise InvalidIdentifierError(name, kind, "has leading or trailing whitespace")
    for ch, label in _FORBIDDEN_OBJECT_CHARS.items():
        if ch in name:
            raise InvalidIdentifierError(name, kind, f"contains {label} ({ch!r})")
    return name


def validate_column_name(name: str) -> str:
    """Check a column (or struct field) name; return it unchanged.

    1-255 characters, no control characters or DEL. Dots, spaces and any other printable
    characters are allowed (columns are always back-quoted when emitted).
    """
    return _check_common(name, "column")


# --------------------------------------------------------------------------------------------
# String literals
# --------------------------------------------------------------------------------------------

_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_char(ch: str) -> str:
    mapped = _ESCAPES.get(ch)
    if mapped is not None:
        return mapped
    if ch < "\x20" or ch == "\x7f":
        return f"\\u{ord(ch):04x}"
    return ch


# Characters that need an escape; everything else is copied as is.
_NEEDS_ESCAPE = frozenset(["\\", "'", "\x7f"] + [chr(i) for i in range(0x20)])


def sql_string(value: str) -> str:
    """Render ``value`` as a single-quoted Spark SQL string literal (see module docs).

    >>> sql_string("it's")
    "'it\\\\'s'"
    >>> sql_string("a\\\\b")
    "'a\\\\\\\\b'"
    """
    if not isinstance(value, str):
        raise TypeError(f"literal value must be a str, got {type(value).__name__}")
    if "\x00" in value:
        raise InvalidLiteralError(value, "contains a NUL character (U+0000)")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidLiteralError(value, "contains a lone UTF-16 surrogate") from None
    if _NEEDS_ESCAPE.intersection(value):
        value = "".join(_escape_char(ch) for ch in value)
    # No escape above ends in '$' or starts with '{', so every '${' left is from the input.
    return "'" + value.replace("${", "\\u0024{") + "'"


def close_names(name: str, known: Sequence[str], limit: int = 3) -> list[str]:
    """The names of ``known`` closest to ``name`` (difflib; case-insensitive), best first: what a
    :class:`NotFoundError` suggests."""
    by_lower = {k.lower(): k for k in known}
    return [by_lower[m] for m in difflib.get_close_matches(name.lower(), list(by_lower), n=limit,
                                                           cutoff=0.6)]
