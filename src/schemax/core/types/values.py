"""Data type values: the immutable :class:`DataType` tree, its canonical SQL, and the parse error.

See :mod:`schemax.core.types` for the grammar and the canonical form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from schemax.core.names import quote_ident, sql_string
from schemax.errors import SchemaxError


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
