"""The recursive-descent parser of data type strings (:func:`parse_type`, :func:`normalize_type`).

The grammar is in :mod:`schemax.core.types`; the parsed values are :mod:`schemax.core.types.values`.
"""

from __future__ import annotations

import functools
from typing import Final

from schemax.core.types.values import (
    _PRIMITIVE_ALIASES,
    ArrayType,
    CharType,
    CollatedStringType,
    DataType,
    DecimalType,
    IntervalType,
    MapType,
    PrimitiveType,
    StructField,
    StructType,
    TypeParseError,
    VarcharType,
    _interval_family,
    _is_word,
    _is_word_char,
)

_WHITESPACE: Final = frozenset(" \t\n\r\f\v")
# Characters that end the look-ahead for a raw (simpleString-style) struct field name.
_RAW_NAME_STOP: Final = frozenset(":,<>()'\"")
_OCTAL: Final = frozenset("01234567")
_HEX: Final = frozenset("0123456789abcdefABCDEF")


class _Parser:
    __slots__ = ("n", "pos", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.n = len(text)

    # -- low level ---------------------------------------------------------------------------

    def error(self, reason: str, pos: int | None = None) -> TypeParseError:
        return TypeParseError(self.text, reason, self.pos if pos is None else pos)

    def skip_ws(self) -> None:
        text, n, pos = self.text, self.n, self.pos
        while pos < n and text[pos] in _WHITESPACE:
            pos += 1
        self.pos = pos

    def describe_here(self) -> str:
        if self.pos >= self.n:
            return "end of input"
        return repr(self.text[self.pos])

    def peek_char(self) -> str:
        self.skip_ws()
        return self.text[self.pos] if self.pos < self.n else ""

    def expect_char(self, ch: str) -> None:
        if self.peek_char() != ch:
            raise self.error(f"expected {ch!r}, found {self.describe_here()}")
        self.pos += 1

    def word_end(self, start: int) -> int:
        text, n, end = self.text, self.n, start
        while end < n and _is_word_char(text[end]):
            end += 1
        return end

    def peek_word(self) -> str:
        """The upper-cased word at the cursor (after whitespace), or ``""``."""
        self.skip_ws()
        return self.text[self.pos : self.word_end(self.pos)].upper()

    def take_word(self, what: str) -> str:
        word = self.peek_word()
        if not word:
            raise self.error(f"expected {what}, found {self.describe_here()}")
        self.pos += len(word)
        return word

    def accept_word(self, word: str) -> bool:
        if self.peek_word() == word:
            self.pos += len(word)
            return True
        return False

    def read_int(self, what: str) -> tuple[int, int]:
        self.skip_ws()
        start = self.pos
        end = start
        while end < self.n and "0" <= self.text[end] <= "9":
            end += 1
        if end == start or (end < self.n and _is_word_char(self.text[end])):
            raise self.error(f"expected {what} (an unsigned integer), found {self.describe_here()}")
        self.pos = end
        return int(self.text[start:end]), start

    # -- grammar -----------------------------------------------------------------------------

    def parse_all(self) -> DataType:
        result = self.parse_type()
        self.skip_ws()
        if self.pos < self.n:
            raise self.error(f"unexpected {self.describe_here()} after a complete type")
        return result

    def parse_type(self) -> DataType:
        self.skip_ws()
        start = self.pos
        word = self.peek_word()
        if not word or "0" <= word[0] <= "9":
            raise self.error(f"expected a data type, found {self.describe_here()}")
        self.pos += len(word)

        canonical = _PRIMITIVE_ALIASES.get(word)
        if canonical is not None:
            if canonical == "DOUBLE":
                self.accept_word("PRECISION")
            elif canonical == "STRING" and self.accept_word("COLLATE"):
                collation = self.take_word("a collation name")
                return CollatedStringType(collation)
            return PrimitiveType(canonical)
        if word in ("DECIMAL", "DEC", "NUMERIC"):
            return self.parse_decimal()
        if word in ("CHAR", "CHARACTER", "VARCHAR"):
            kind = "VARCHAR" if word == "VARCHAR" else "CHAR"
            if self.peek_char() != "(":
                raise self.error(f"{kind} needs a length, e.g. {kind}(10)")
            self.pos += 1
            length, at = self.read_int(f"a {kind} length")
            self.expect_char(")")
            try:
                return VarcharType(length) if kind == "VARCHAR" else CharType(length)
            except ValueError as exc:
                raise self.error(str(exc), at) from None
        if word == "INTERVAL":
            return self.parse_interval(start)
        if word == "ARRAY":
            self.expect_char("<")
            element = self.parse_type()
            self.expect_char(">")
            return ArrayType(element)
        if word == "MAP":
            self.expect_char("<")
            key = self.parse_type()
            self.expect_char(",")
            value = self.parse_type()
            self.expect_char(">")
            return MapType(key, value)
        if word == "STRUCT":
            return self.parse_struct()
        raise self.error(f"unknown data type {self.text[start : start + len(word)]!r}", start)

    def parse_decimal(self) -> DataType:
        if self.peek_char() != "(":
            return DecimalType(10, 0)
        self.pos += 1
        precision, at = self.read_int("a DECIMAL precision")
        scale = 0
        if self.peek_char() == ",":
            self.pos += 1
            scale, scale_at = self.read_int("a DECIMAL scale")
            if scale > precision:
                at = scale_at
        self.expect_char(")")
        try:
            return DecimalType(precision, scale)
        except ValueError as exc:
            raise self.error(str(exc), at) from None

    def parse_interval(self, start: int) -> DataType:
        self.skip_ws()
        first_at = self.pos
        first = self.peek_word()
        if _interval_family(first) is None:
            if first:
                raise self.error(f"unknown interval field {self.text[first_at : first_at + len(first)]!r}")
            raise self.error(
                "a bare INTERVAL (calendar interval) is not a storable column type; "
                "use INTERVAL YEAR [TO MONTH] or INTERVAL DAY [TO HOUR|MINUTE|SECOND]",
                start,
            )
        self.pos += len(first)
        last: str | None = None
        if self.accept_word("TO"):
            self.skip_ws()
            last_at = self.pos
            last = self.take_word("an interval field after TO")
            if _interval_family(last) is None:
                raise self.error(f"unknown interval field {self.text[last_at : self.pos]!r}", last_at)
        try:
            return IntervalType(first, last)
        except ValueError as exc:
            raise self.error(str(exc), first_at) from None

    def parse_struct(self) -> DataType:
        self.expect_char("<")
        fields: list[StructField] = []
        seen: set[str] = set()
        if self.peek_char() == ">":
            self.pos += 1
            return StructType(())
        while True:
            self.skip_ws()
            name_at = self.pos
            f = self.parse_field()
            key = f.name.lower()
            if key in seen:
                raise self.error(f"duplicate struct field name {f.name!r}", name_at)
            seen.add(key)
            fields.append(f)
            ch = self.peek_char()
            if ch == ",":
                self.pos += 1
                continue
            if ch == ">":
                self.pos += 1
                return StructType(tuple(fields))
            if ch and _is_word_char(ch):
                raise self.error(f"unexpected {self.peek_word()!r} in struct field {f.name!r}")
            raise self.error(f"expected ',' or '>' in STRUCT, found {self.describe_here()}")

    def parse_field(self) -> StructField:
        name = self.parse_field_name()
        if self.peek_char() == ":":
            self.pos += 1
        ftype = self.parse_type()
        nullable = True
        if self.accept_word("NOT"):
            if not self.accept_word("NULL"):
                raise self.error(f"expected NULL after NOT, found {self.describe_here()}")
            nullable = False
        comment: str | None = None
        if self.accept_word("COMMENT"):
            comment = self.parse_string_literals()
        return StructField(name, ftype, nullable, comment)

    def parse_field_name(self) -> str:
        self.skip_ws()
        text, n, start = self.text, self.n, self.pos
        if start >= n:
            raise self.error("expected a struct field name, found end of input")
        if text[start] == "`":
            return self.parse_backquoted()
        # Look ahead to the first structural character: if it is ':' and the text before it is
        # not a plain word, this is Spark's unquoted simpleString form (``struct<a b:int>``).
        stop = start
        while stop < n and text[stop] not in _RAW_NAME_STOP:
            stop += 1
        if stop < n and text[stop] == ":":
            raw = text[start:stop].strip()
            if raw and not _is_word(raw):
                self.pos = stop
                return raw
        end = self.word_end(start)
        if end == start:
            raise self.error(f"expected a struct field name, found {self.describe_here()}")
        self.pos = end
        return text[start:end]

    def parse_backquoted(self) -> str:
        text, start = self.text, self.pos
        pos = start + 1
        parts: list[str] = []
        while True:
            close = text.find("`", pos)
            if close < 0:
                raise self.error("unterminated back-quoted name", start)
            parts.append(text[pos:close])
            if close + 1 < self.n and text[close + 1] == "`":
                parts.append("`")
                pos = close + 2
                continue
            self.pos = close + 1
            name = "".join(parts)
            if not name:
                raise self.error("empty struct field name", start)
            return name

    def parse_string_literals(self) -> str:
        """One or more adjacent string literals (Spark concatenates them)."""
        out = [self.parse_string_literal()]
        while True:
            ch = self.peek_char()
            if ch in ("'", '"') or (
                ch in ("r", "R") and self.pos + 1 < self.n and self.text[self.pos + 1] in "'\""
            ):
                out.append(self.parse_string_literal())
            else:
                return "".join(out)

    def parse_string_literal(self) -> str:
        self.skip_ws()
        text, n = self.text, self.n
        start = pos = self.pos
        raw = False
        if pos < n and text[pos] in "rR" and pos + 1 < n and text[pos + 1] in "'\"":
            raw = True
            pos += 1
        if pos >= n or text[pos] not in "'\"":
            raise self.error(f"expected a string literal, found {self.describe_here()}")
        quote = text[pos]
        pos += 1
        out: list[str] = []
        while True:
            if pos >= n:
                raise self.error("unterminated string literal", start)
            ch = text[pos]
            if ch == quote:
                if not raw and pos + 1 < n and text[pos + 1] == quote:
                    out.append(quote)  # Spark 4 reads a doubled quote as one quote
                    pos += 2
                    continue
                pos += 1
                break
            if ch == "\\" and not raw:
                if pos + 1 >= n:
                    raise self.error("unterminated string literal", start)
                pos = self.unescape(pos + 1, out)
                continue
            out.append(ch)
            pos += 1
        self.pos = pos
        value = "".join(out)
        if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
            try:
                value = value.encode("utf-16", "surrogatepass").decode("utf-16")
            except UnicodeDecodeError:
                raise self.error("string literal contains a lone UTF-16 surrogate", start) from None
        if "\x00" in value:
            raise self.error("string literal contains a NUL character", start)
        return value

    def unescape(self, pos: int, out: list[str]) -> int:
        """Decode the escape whose first character (after the backslash) is at ``pos``.

        Mirrors Spark's ``SparkParserUtils.unescapeSQLString``.
        """
        text, n = self.text, self.n
        ch = text[pos]
        if ch == "u" and pos + 4 < n and all(c in _HEX for c in text[pos + 1 : pos + 5]):
            out.append(chr(int(text[pos + 1 : pos + 5], 16)))
            return pos + 5
        if ch == "U" and pos + 8 < n and all(c in _HEX for c in text[pos + 1 : pos + 9]):
            code = int(text[pos + 1 : pos + 9], 16)
            if code > 0x10FFFF:
                raise self.error(f"invalid code point U+{code:X} in string literal", pos - 1)
            out.append(chr(code))
            return pos + 9
        if pos + 2 < n and text[pos] in "01" and text[pos + 1] in _OCTAL and text[pos + 2] in _OCTAL:
            out.append(chr(int(text[pos : pos + 3], 8)))
            return pos + 3
        simple = {"0": "\x00", "b": "\b", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a"}
        if ch in simple:
            out.append(simple[ch])
        elif ch in "%_":
            out.append("\\" + ch)  # Spark keeps the backslash for LIKE patterns
        else:
            out.append(ch)
        return pos + 1


@functools.lru_cache(maxsize=8192)
def _parse_cached(text: str) -> DataType:
    return _Parser(text).parse_all()


def parse_type(text: str) -> DataType:
    """Parse a Databricks/Spark SQL data type string (see the module docstring for the grammar).

    Raises :class:`TypeParseError` on invalid input.
    """
    if not isinstance(text, str):
        raise TypeError(f"data type must be a str, got {type(text).__name__}")
    return _parse_cached(text)


def normalize_type(text: str) -> str:
    """The canonical spelling of a data type string.

    ``normalize_type("decimal(10, 2)") == "DECIMAL(10,2)"``; raises :class:`TypeParseError`.
    """
    return parse_type(text).sql()
