"""Databricks / Spark SQL data types: parse, normalize, render, classify changes.

Pure (stdlib only). :func:`parse_type` is a small recursive-descent parser; every
:class:`DataType` is an immutable value whose :meth:`DataType.sql` is the one canonical spelling.

Accepted input (case-insensitive, any whitespace between tokens)::

    type      := BIGINT | LONG | INT | INTEGER | SMALLINT | SHORT | TINYINT | BYTE
               | BOOLEAN | BOOL | FLOAT | REAL | DOUBLE [PRECISION]
               | DATE | TIMESTAMP | TIMESTAMP_LTZ | TIMESTAMP_NTZ
               | STRING [COLLATE name] | BINARY | VOID | VARIANT
               | (DECIMAL | DEC | NUMERIC) [ '(' p [ ',' s ] ')' ]     -- bare = DECIMAL(10,0)
               | (CHAR | CHARACTER) '(' n ')' | VARCHAR '(' n ')'
               | INTERVAL (YEAR | MONTH) [TO MONTH]
               | INTERVAL (DAY | HOUR | MINUTE | SECOND) [TO (HOUR | MINUTE | SECOND)]
               | ARRAY '<' type '>'
               | MAP '<' type ',' type '>'
               | STRUCT '<' [ field (',' field)* ] '>'
    field     := name [':'] type [NOT NULL] [COMMENT string_literal+]
    name      := `back-quoted` (`` inside = one back-quote) | [A-Za-z0-9_]+
               | raw text up to ':'   -- Spark's simpleString()/catalogString form, see below

This covers what users type in DDL, what Spark's ``DataType.simpleString()`` /
``catalogString`` / ``typeName()`` / JSON ``type`` strings print (``bigint``, ``integer``,
``decimal(10,2)``, ``array<int>``, ``struct<a:int,b:string>``, ``interval day to second``,
``string collate UTF8_LCASE``) and what ``DESCRIBE`` shows. Spark prints struct field names
*without* quoting in those forms (``struct<a b:int,x`y:string>``); when the text before the next
``:`` in a struct is not a plain word it is taken as the raw field name (stripped). Names that
contain ``:``, ``,``, ``<``, ``>``, parentheses or quotes, or have leading/trailing whitespace, only
survive in back-quoted form, which is the form :meth:`DataType.sql` always produces.

Canonical form (:meth:`DataType.sql`, :func:`normalize_type`):

* upper-case keywords; aliases resolved: ``LONG``->``BIGINT``, ``INTEGER``->``INT``,
  ``SHORT``->``SMALLINT``, ``BYTE``->``TINYINT``, ``BOOL``->``BOOLEAN``, ``REAL``->``FLOAT``,
  ``DOUBLE PRECISION``->``DOUBLE``, ``TIMESTAMP_LTZ``->``TIMESTAMP``,
  ``DEC``/``NUMERIC``->``DECIMAL``, ``CHARACTER``->``CHAR``; decimals always carry both numbers;
* no whitespace at all inside ``()`` and ``<>``: ``DECIMAL(10,2)``, ``ARRAY<INT>``,
  ``MAP<STRING,BIGINT>``, ``STRUCT<a:INT,`b c`:STRING NOT NULL COMMENT 'x'>``; single spaces
  only between words (``INTERVAL DAY TO SECOND``, ``NOT NULL``, ``COMMENT``,
  ``STRING COLLATE UTF8_LCASE``);
* struct field names are bare when they match ``[A-Za-z_][A-Za-z0-9_]*`` and are not Spark ANSI
  reserved keywords (so they parse even with ``spark.sql.ansi.enforceReservedKeywords``),
  otherwise back-quoted; field comments are rendered with :func:`schemax.core.names.sql_string`;
* collation names are upper-cased (Spark compares them case-insensitively).

``BOOL`` and ``DOUBLE PRECISION`` are accepted as input aliases even though Spark 4 itself rejects
them; the canonical form only ever uses spellings Spark accepts.
Not supported (raise :class:`TypeParseError`): the bare ``INTERVAL`` calendar type (not storable
in tables), ``TIME``, ``GEOMETRY``/``GEOGRAPHY``, ``OBJECT``, user-defined types.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Final, Literal

from schemax.core.names import quote_ident, sql_string
from schemax.errors import SchemaxError

__all__ = [
    "BIGINT",
    "BINARY",
    "BOOLEAN",
    "DATE",
    "DOUBLE",
    "FLOAT",
    "INT",
    "SMALLINT",
    "STRING",
    "TIMESTAMP",
    "TIMESTAMP_NTZ",
    "TINYINT",
    "VARIANT",
    "VOID",
    "ArrayType",
    "CharType",
    "CollatedStringType",
    "DataType",
    "DecimalType",
    "IntervalType",
    "MapType",
    "PrimitiveType",
    "StructField",
    "StructType",
    "TypeChange",
    "TypeLike",
    "TypeParseError",
    "VarcharType",
    "WideningRules",
    "is_narrowing",
    "normalize_type",
    "parse_type",
    "requires_type_widening",
    "widening",
]


class TypeParseError(SchemaxError, ValueError):
    """A data type string that cannot be parsed.

    Attributes: ``text`` (the whole input), ``reason`` (what is wrong), ``position`` (0-based
    offset into ``text`` where the problem was found, or ``None``).
    """

    def __init__(self, text: str, reason: str, position: int | None = None) -> None:
        self.text = text
        self.reason = reason
        self.position = position
        where = "" if position is None else f" at position {position}"
        super().__init__(f"invalid data type {text!r}: {reason}{where}")


# ============================================================================================
# Values
# ============================================================================================


class DataType:
    """Base of every data type value. Subclasses are frozen dataclasses."""

    __slots__ = ()

    def sql(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def __str__(self) -> str:
        return self.sql()


#: Canonical primitive type names.
PRIMITIVE_NAMES: Final = frozenset(
    {
        "BIGINT",
        "INT",
        "SMALLINT",
        "TINYINT",
        "BOOLEAN",
        "FLOAT",
        "DOUBLE",
        "DATE",
        "TIMESTAMP",
        "TIMESTAMP_NTZ",
        "STRING",
        "BINARY",
        "VOID",
        "VARIANT",
    }
)

#: Input spelling (upper-case) -> canonical primitive name.
_PRIMITIVE_ALIASES: Final = {
    **{name: name for name in PRIMITIVE_NAMES},
    "LONG": "BIGINT",
    "INTEGER": "INT",
    "SHORT": "SMALLINT",
    "BYTE": "TINYINT",
    "BOOL": "BOOLEAN",
    "REAL": "FLOAT",
    "TIMESTAMP_LTZ": "TIMESTAMP",
}


@dataclass(frozen=True, slots=True)
class PrimitiveType(DataType):
    """A type without parameters. ``name`` is canonicalized (``PrimitiveType("long").name == "BIGINT"``)."""

    name: str

    def __post_init__(self) -> None:
        canonical = _PRIMITIVE_ALIASES.get(self.name.upper()) if isinstance(self.name, str) else None
        if canonical is None:
            raise ValueError(f"unknown primitive type {self.name!r}")
        object.__setattr__(self, "name", canonical)

    def sql(self) -> str:
        return self.name


MAX_DECIMAL_PRECISION: Final = 38


@dataclass(frozen=True, slots=True)
class DecimalType(DataType):
    """``DECIMAL(precision, scale)`` with 1 <= precision <= 38 and 0 <= scale <= precision."""

    precision: int = 10
    scale: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.precision <= MAX_DECIMAL_PRECISION:
            raise ValueError(
                f"DECIMAL precision must be between 1 and {MAX_DECIMAL_PRECISION}, got {self.precision}"
            )
        if not 0 <= self.scale <= self.precision:
            raise ValueError(
                f"DECIMAL scale must be between 0 and the precision ({self.precision}), got {self.scale}"
            )

    def sql(self) -> str:
        return f"DECIMAL({self.precision},{self.scale})"


_MAX_LENGTH: Final = 2**31 - 1


def _check_length(kind: str, length: int) -> None:
    if not 1 <= length <= _MAX_LENGTH:
        raise ValueError(f"{kind} length must be between 1 and {_MAX_LENGTH}, got {length}")


@dataclass(frozen=True, slots=True)
class CharType(DataType):
    """``CHAR(length)``: fixed length, padded."""

    length: int

    def __post_init__(self) -> None:
        _check_length("CHAR", self.length)

    def sql(self) -> str:
        return f"CHAR({self.length})"


@dataclass(frozen=True, slots=True)
class VarcharType(DataType):
    """``VARCHAR(length)``: a STRING with a maximum length."""

    length: int

    def __post_init__(self) -> None:
        _check_length("VARCHAR", self.length)

    def sql(self) -> str:
        return f"VARCHAR({self.length})"


@dataclass(frozen=True, slots=True)
class CollatedStringType(DataType):
    """``STRING COLLATE <collation>`` (collation name upper-cased).

    Plain ``STRING`` is ``PrimitiveType("STRING")``. An explicit ``COLLATE UTF8_BINARY`` is kept
    as written (it differs from plain STRING under a schema default collation), even though Spark
    prints plain ``string`` for it.
    """

    collation: str

    def __post_init__(self) -> None:
        if not isinstance(self.collation, str) or not _is_word(self.collation):
            raise ValueError(f"invalid collation name {self.collation!r}")
        object.__setattr__(self, "collation", self.collation.upper())

    def sql(self) -> str:
        return f"STRING COLLATE {self.collation}"


_YEAR_MONTH_FIELDS: Final = ("YEAR", "MONTH")
_DAY_TIME_FIELDS: Final = ("DAY", "HOUR", "MINUTE", "SECOND")


@dataclass(frozen=True, slots=True)
class IntervalType(DataType):
    """ANSI interval: ``INTERVAL start [TO end]``.

    ``start``/``end`` are YEAR, MONTH (year-month) or DAY, HOUR, MINUTE, SECOND (day-time);
    ``end`` is ``None`` for a single-field interval and otherwise strictly after ``start`` in the
    same family (``INTERVAL YEAR TO MONTH``, ``INTERVAL DAY TO SECOND``, ``INTERVAL HOUR``...).
    """

    start: str
    end: str | None = None

    def __post_init__(self) -> None:
        start = self.start.upper()
        end = None if self.end is None else self.end.upper()
        family = _interval_family(start)
        if family is None:
            raise ValueError(f"unknown interval field {self.start!r}")
        if end is not None:
            if _interval_family(end) is not family:
                raise ValueError(f"INTERVAL {start} TO {end} mixes year-month and day-time fields")
            if family.index(end) <= family.index(start):
                raise ValueError(f"INTERVAL {start} TO {end}: the end field must come after the start")
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)

    @property
    def year_month(self) -> bool:
        return self.start in _YEAR_MONTH_FIELDS

    def sql(self) -> str:
        if self.end is None:
            return f"INTERVAL {self.start}"
        return f"INTERVAL {self.start} TO {self.end}"


def _interval_family(name: str) -> tuple[str, ...] | None:
    if name in _YEAR_MONTH_FIELDS:
        return _YEAR_MONTH_FIELDS
    if name in _DAY_TIME_FIELDS:
        return _DAY_TIME_FIELDS
    return None


@dataclass(frozen=True, slots=True)
class ArrayType(DataType):
    """``ARRAY<element>``.

    ``contains_null`` mirrors Spark's ``ArrayType.containsNull``. SQL DDL cannot express it, so it
    is informational only: it is not rendered, not compared and not hashed, and parsing always
    yields ``True``.
    """

    element: DataType
    contains_null: bool = field(default=True, compare=False)

    def sql(self) -> str:
        return f"ARRAY<{self.element.sql()}>"


@dataclass(frozen=True, slots=True)
class MapType(DataType):
    """``MAP<key,value>``."""

    key: DataType
    value: DataType

    def sql(self) -> str:
        return f"MAP<{self.key.sql()},{self.value.sql()}>"


@dataclass(frozen=True, slots=True)
class StructField:
    """One field of a STRUCT. ``comment=None`` means no comment (distinct from ``""``)."""

    name: str
    type: DataType
    nullable: bool = True
    comment: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError("struct field name must be a non-empty string")

    def sql(self) -> str:
        out = f"{_render_field_name(self.name)}:{self.type.sql()}"
        if not self.nullable:
            out += " NOT NULL"
        if self.comment is not None:
            out += " COMMENT " + sql_string(self.comment)
        return out


@dataclass(frozen=True, slots=True)
class StructType(DataType):
    """``STRUCT<field,...>``; field names must be unique (case-insensitively, as in Delta)."""

    fields: tuple[StructField, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.fields, tuple):
            object.__setattr__(self, "fields", tuple(self.fields))
        seen: set[str] = set()
        for f in self.fields:
            key = f.name.lower()
            if key in seen:
                raise ValueError(f"duplicate struct field name {f.name!r}")
            seen.add(key)

    def sql(self) -> str:
        return "STRUCT<" + ",".join(f.sql() for f in self.fields) + ">"


TypeLike = DataType | str

BIGINT: Final = PrimitiveType("BIGINT")
INT: Final = PrimitiveType("INT")
SMALLINT: Final = PrimitiveType("SMALLINT")
TINYINT: Final = PrimitiveType("TINYINT")
BOOLEAN: Final = PrimitiveType("BOOLEAN")
FLOAT: Final = PrimitiveType("FLOAT")
DOUBLE: Final = PrimitiveType("DOUBLE")
DATE: Final = PrimitiveType("DATE")
TIMESTAMP: Final = PrimitiveType("TIMESTAMP")
TIMESTAMP_NTZ: Final = PrimitiveType("TIMESTAMP_NTZ")
STRING: Final = PrimitiveType("STRING")
BINARY: Final = PrimitiveType("BINARY")
VOID: Final = PrimitiveType("VOID")
VARIANT: Final = PrimitiveType("VARIANT")


# Spark 4.2 ANSI reserved keywords (``SELECT keyword FROM sql_keywords() WHERE reserved`` with
# spark.sql.ansi.enforceReservedKeywords=true). Struct field names equal to one of these are
# back-quoted so that canonical types parse under that setting too.
_RESERVED_KEYWORDS: Final = frozenset(
    [
        "ALL",
        "AND",
        "ANY",
        "AS",
        "AUTHORIZATION",
        "BOTH",
        "CALL",
        "CASE",
        "CAST",
        "CHECK",
        "COLLATE",
        "COLLATION",
        "COLLATIONS",
        "COLUMN",
        "CONSTRAINT",
        "CREATE",
        "CROSS",
        "CURRENT_DATE",
        "CURRENT_PATH",
        "CURRENT_SCHEMA",
        "CURRENT_TIME",
        "CURRENT_TIMESTAMP",
        "CURRENT_USER",
        "DISTINCT",
        "ELSE",
        "END",
        "ESCAPE",
        "EXCEPT",
        "EXECUTE",
        "FALSE",
        "FETCH",
        "FILTER",
        "FOR",
        "FOREIGN",
        "FROM",
        "FULL",
        "GRANT",
        "GROUP",
        "HAVING",
        "IN",
        "INNER",
        "INTERSECT",
        "INTO",
        "IS",
        "JOIN",
        "LATERAL",
        "LEADING",
        "LEFT",
        "NATURAL",
        "NOT",
        "NULL",
        "OFFSET",
        "ON",
        "ONLY",
        "OR",
        "ORDER",
        "OUTER",
        "OVERLAPS",
        "PRIMARY",
        "RECURSIVE",
        "REFERENCES",
        "RIGHT",
        "SELECT",
        "SESSION_USER",
        "SOME",
        "SQL",
        "TABLE",
        "THEN",
        "TIME",
        "TO",
        "TRAILING",
        "UNION",
        "UNIQUE",
        "UNKNOWN",
        "USER",
        "USING",
        "WHEN",
        "WHERE",
        "WITH",
        "WITHIN",
    ]
)


def _is_word_char(ch: str) -> bool:
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z") or ("0" <= ch <= "9") or ch == "_"


def _is_word(s: str) -> bool:
    return bool(s) and all(_is_word_char(c) for c in s)


def _render_field_name(name: str) -> str:
    if _is_word(name) and not ("0" <= name[0] <= "9") and name.upper() not in _RESERVED_KEYWORDS:
        return name
    return quote_ident(name)


# ============================================================================================
# Parser
# ============================================================================================

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


def _as_type(value: TypeLike) -> DataType:
    if isinstance(value, DataType):
        return value
    return parse_type(value)


# ============================================================================================
# Type changes
# ============================================================================================

TypeChange = Literal["same", "widening", "rewrite"]

#: Which engine's type-widening rules apply.
#:
#: * ``"databricks"`` — Databricks Runtime 15.4+ / Delta Lake 4.0 docs: byte->short->int->long;
#:   byte/short/int -> double; byte/short/int -> DECIMAL(p,s) with p-s >= 10, long -> p-s >= 20;
#:   float -> double; DECIMAL(p,s) -> DECIMAL(p+k1,s+k2) with k1 >= k2 >= 0; date -> timestamp_ntz;
#:   VOID -> any type (DBR 18.2+, no table feature needed).
#: * ``"delta"`` — open-source Delta Lake 4.x (Spark 4) stable feature, which dropped the
#:   integer->double/decimal and scale-increasing decimal changes of the preview:
#:   byte->short->int->long; float -> double; DECIMAL precision increase with the *same* scale;
#:   date -> timestamp_ntz.
WideningRules = Literal["databricks", "delta"]

_SAME, _WIDEN, _REWRITE = 0, 1, 2
_CHANGE_NAMES: Final[tuple[TypeChange, TypeChange, TypeChange]] = (
    "same",
    "widening",
    "rewrite",
)

_INTEGRAL_RANK: Final = {"TINYINT": 1, "SMALLINT": 2, "INT": 3, "BIGINT": 4}
# Integer digits a DECIMAL target must keep (Delta reads TINYINT/SMALLINT/INT as INT32).
_INTEGRAL_DECIMAL_DIGITS: Final = {
    "TINYINT": 10,
    "SMALLINT": 10,
    "INT": 10,
    "BIGINT": 20,
}


def _atomic_change(a: DataType, b: DataType, rules: WideningRules) -> tuple[int, bool]:
    """(level, needs the Delta type-widening table feature) for two non-nested types, a != b."""
    databricks = rules == "databricks"
    if isinstance(a, PrimitiveType):
        an = a.name
        if an == "VOID":
            return (_WIDEN, False) if databricks else (_REWRITE, False)
        if an in _INTEGRAL_RANK:
            if isinstance(b, PrimitiveType):
                if b.name in _INTEGRAL_RANK:
                    widen = _INTEGRAL_RANK[b.name] > _INTEGRAL_RANK[an]
                    return (_WIDEN, True) if widen else (_REWRITE, False)
                if b.name == "DOUBLE" and databricks and an != "BIGINT":
                    return _WIDEN, True
            if (
                databricks
                and isinstance(b, DecimalType)
                and b.precision - b.scale >= _INTEGRAL_DECIMAL_DIGITS[an]
            ):
                return _WIDEN, True
            return _REWRITE, False
        if an == "FLOAT" and b == DOUBLE:
            return _WIDEN, True
        if an == "DATE" and b == TIMESTAMP_NTZ:
            return _WIDEN, True
        return _REWRITE, False
    if isinstance(a, DecimalType) and isinstance(b, DecimalType):
        if databricks:
            ok = b.scale >= a.scale and (b.precision - b.scale) >= (a.precision - a.scale)
        else:
            ok = b.scale == a.scale and b.precision >= a.precision
        return (_WIDEN, True) if ok else (_REWRITE, False)
    if isinstance(a, VarcharType):
        if isinstance(b, VarcharType) and b.length > a.length:
            return _WIDEN, False
        if b == STRING:
            return _WIDEN, False
        return _REWRITE, False
    if isinstance(a, CharType) and b == STRING:
        return _WIDEN, False
    return _REWRITE, False


def _change(a: DataType, b: DataType, rules: WideningRules) -> tuple[int, bool]:
    if a == b:
        return _SAME, False
    if isinstance(a, ArrayType) and isinstance(b, ArrayType):
        return _change(a.element, b.element, rules)
    if isinstance(a, MapType) and isinstance(b, MapType):
        k_level, k_feature = _change(a.key, b.key, rules)
        v_level, v_feature = _change(a.value, b.value, rules)
        return max(k_level, v_level), k_feature or v_feature
    if isinstance(a, StructType) and isinstance(b, StructType):
        if len(a.fields) != len(b.fields):
            return _REWRITE, False
        level, feature = _SAME, False
        for fa, fb in zip(a.fields, b.fields, strict=True):
            if fa.name != fb.name:
                return _REWRITE, False
            f_level, f_feature = _change(fa.type, fb.type, rules)
            if fa.nullable != fb.nullable:
                # Dropping NOT NULL is metadata-only; adding it needs the data checked.
                f_level = max(f_level, _WIDEN if fb.nullable else _REWRITE)
            if fa.comment != fb.comment:
                f_level = max(f_level, _WIDEN)
            level = max(level, f_level)
            feature = feature or f_feature
        return level, feature
    if isinstance(a, (ArrayType, MapType, StructType)) or isinstance(b, (ArrayType, MapType, StructType)):
        if a == VOID and rules == "databricks":
            return _WIDEN, False
        return _REWRITE, False
    return _atomic_change(a, b, rules)


def widening(from_type: TypeLike, to_type: TypeLike, *, rules: WideningRules = "databricks") -> TypeChange:
    """Classify changing a column from ``from_type`` to ``to_type``.

    * ``"same"`` — the types are equal (after normalization).
    * ``"widening"`` — the change can be applied in place, without rewriting data:
      a Delta type widening (see :data:`WideningRules`; needs ``delta.enableTypeWidening``, see
      :func:`requires_type_widening`), or a metadata-only relaxation: ``VARCHAR(n)`` ->
      ``VARCHAR(m > n)``, ``CHAR(n)``/``VARCHAR(n)`` -> ``STRING`` (Delta stores them as STRING;
      note CHAR values read back unpadded afterwards), and inside structs a dropped ``NOT NULL``
      or a changed field comment. Changes inside ARRAY/MAP/STRUCT are classified recursively.
    * ``"rewrite"`` — anything else, including every narrowing, adding ``NOT NULL`` to a nested
      field, renaming/adding/removing/reordering struct fields, and collation changes.
    """
    level, _ = _change(_as_type(from_type), _as_type(to_type), rules)
    return _CHANGE_NAMES[level]


def requires_type_widening(
    from_type: TypeLike, to_type: TypeLike, *, rules: WideningRules = "databricks"
) -> bool:
    """True when the change is a ``"widening"`` that needs the Delta ``typeWidening`` feature
    (``delta.enableTypeWidening = true``), as opposed to a metadata-only relaxation."""
    level, feature = _change(_as_type(from_type), _as_type(to_type), rules)
    return level == _WIDEN and feature


def is_narrowing(from_type: TypeLike, to_type: TypeLike, *, rules: WideningRules = "databricks") -> bool:
    """True when ``to_type`` -> ``from_type`` would be a widening (so this change loses range)."""
    a, b = _as_type(from_type), _as_type(to_type)
    return a != b and _change(b, a, rules)[0] == _WIDEN
