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

from schemax.core.types.parser import normalize_type, parse_type
from schemax.core.types.values import (
    BIGINT,
    BINARY,
    BOOLEAN,
    DATE,
    DOUBLE,
    FLOAT,
    INT,
    MAX_DECIMAL_PRECISION,
    PRIMITIVE_NAMES,
    SMALLINT,
    STRING,
    TIMESTAMP,
    TIMESTAMP_NTZ,
    TINYINT,
    VARIANT,
    VOID,
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
    TypeLike,
    TypeParseError,
    VarcharType,
)
from schemax.core.types.widening import (
    TypeChange,
    WideningRules,
    is_narrowing,
    requires_type_widening,
    widening,
)

__all__ = [
    "BIGINT",
    "BINARY",
    "BOOLEAN",
    "DATE",
    "DOUBLE",
    "FLOAT",
    "INT",
    "MAX_DECIMAL_PRECISION",
    "PRIMITIVE_NAMES",
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
