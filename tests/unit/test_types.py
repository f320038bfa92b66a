"""Unit tests for schemax.core.types (pure, no Spark)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from profiles import examples
from schemax.core.names import InvalidIdentifierError, sql_string
from schemax.core.types import (
    BIGINT,
    INT,
    PRIMITIVE_NAMES,
    STRING,
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
    is_narrowing,
    normalize_type,
    parse_type,
    requires_type_widening,
    widening,
)

# ---------------------------------------------------------------------------------------------
# Golden table: input -> canonical
# ---------------------------------------------------------------------------------------------

GOLDEN = [
    # integral + aliases
    ("bigint", "BIGINT"),
    ("long", "BIGINT"),
    ("LONG", "BIGINT"),
    ("int", "INT"),
    ("INT", "INT"),
    ("integer", "INT"),
    ("smallint", "SMALLINT"),
    ("short", "SMALLINT"),
    ("tinyint", "TINYINT"),
    ("byte", "TINYINT"),
    # other primitives
    ("boolean", "BOOLEAN"),
    ("bool", "BOOLEAN"),
    ("float", "FLOAT"),
    ("real", "FLOAT"),
    ("double", "DOUBLE"),
    ("double precision", "DOUBLE"),
    ("DOUBLE\n\tPRECISION", "DOUBLE"),
    ("date", "DATE"),
    ("timestamp", "TIMESTAMP"),
    ("timestamp_ltz", "TIMESTAMP"),
    ("Timestamp_NTZ", "TIMESTAMP_NTZ"),
    ("string", "STRING"),
    ("binary", "BINARY"),
    ("void", "VOID"),
    ("variant", "VARIANT"),
    ("  int  ", "INT"),
    # decimal
    ("decimal", "DECIMAL(10,0)"),
    ("dec", "DECIMAL(10,0)"),
    ("numeric", "DECIMAL(10,0)"),
    ("decimal(5)", "DECIMAL(5,0)"),
    ("decimal(10, 2)", "DECIMAL(10,2)"),
    ("DECIMAL(10,2)", "DECIMAL(10,2)"),
    ("numeric ( 38 , 38 )", "DECIMAL(38,38)"),
    ("dec(1,0)", "DECIMAL(1,0)"),
    ("decimal(010,02)", "DECIMAL(10,2)"),
    # char / varchar / collation
    ("char(3)", "CHAR(3)"),
    ("character(3)", "CHAR(3)"),
    ("varchar(10)", "VARCHAR(10)"),
    ("VARCHAR (255)", "VARCHAR(255)"),
    ("string collate utf8_lcase", "STRING COLLATE UTF8_LCASE"),
    ("string collate UNICODE_CI", "STRING COLLATE UNICODE_CI"),
    ("string collate de_CI_AI", "STRING COLLATE DE_CI_AI"),
    # intervals
    ("interval year", "INTERVAL YEAR"),
    ("interval month", "INTERVAL MONTH"),
    ("interval year to month", "INTERVAL YEAR TO MONTH"),
    ("INTERVAL DAY TO SECOND", "INTERVAL DAY TO SECOND"),
    ("interval   day\n to  second", "INTERVAL DAY TO SECOND"),
    ("interval day to hour", "INTERVAL DAY TO HOUR"),
    ("interval hour to minute", "INTERVAL HOUR TO MINUTE"),
    ("interval minute to second", "INTERVAL MINUTE TO SECOND"),
    ("interval second", "INTERVAL SECOND"),
    # arrays and maps
    ("array<int>", "ARRAY<INT>"),
    ("ARRAY < integer >", "ARRAY<INT>"),
    ("array<array<long>>", "ARRAY<ARRAY<BIGINT>>"),
    ("map<string,bigint>", "MAP<STRING,BIGINT>"),
    ("map<string, array<decimal(10, 2)>>", "MAP<STRING,ARRAY<DECIMAL(10,2)>>"),
    ("map<array<int>,int>", "MAP<ARRAY<INT>,INT>"),
    # structs: Spark simpleString, DDL, Spark DataType.sql forms
    ("struct<a:int,b:string>", "STRUCT<a:INT,b:STRING>"),
    ("STRUCT<a: INT, b: STRING>", "STRUCT<a:INT,b:STRING>"),
    ("struct<a int, b string>", "STRUCT<a:INT,b:STRING>"),
    ("struct<>", "STRUCT<>"),
    ("STRUCT < >", "STRUCT<>"),
    ("struct<a:int not null>", "STRUCT<a:INT NOT NULL>"),
    (
        "struct<a int NOT   NULL comment 'the a'>",
        "STRUCT<a:INT NOT NULL COMMENT 'the a'>",
    ),
    ("STRUCT<`a`: INT NOT NULL COMMENT 'x'>", "STRUCT<a:INT NOT NULL COMMENT 'x'>"),
    ("struct<`b c`:string not null>", "STRUCT<`b c`:STRING NOT NULL>"),
    ("struct<`a``b`:int>", "STRUCT<`a``b`:INT>"),
    ("struct<`a.b`:int>", "STRUCT<`a.b`:INT>"),
    ("struct<_x:int,x_1:int>", "STRUCT<_x:INT,x_1:INT>"),
    ("struct<1a:int>", "STRUCT<`1a`:INT>"),
    ("struct<select:int, from int>", "STRUCT<`select`:INT,`from`:INT>"),
    (
        "struct<comment:int,type:int,array:int>",
        "STRUCT<comment:INT,type:INT,array:INT>",
    ),
    ('struct<a:int comment "dq">', "STRUCT<a:INT COMMENT 'dq'>"),
    ("struct<a:int comment 'it''s'>", "STRUCT<a:INT COMMENT 'it\\'s'>"),
    ("struct<a:int comment 'x' 'y'>", "STRUCT<a:INT COMMENT 'xy'>"),
    ("struct<a:int comment 'a\\\\b\\nc'>", "STRUCT<a:INT COMMENT 'a\\\\b\\nc'>"),
    (
        "struct<a:int comment 'caf\\u00e9 \\U0001F600'>",
        "STRUCT<a:INT COMMENT 'café 😀'>",
    ),
    ("struct<a:int comment r'raw\\n'>", "STRUCT<a:INT COMMENT 'raw\\\\n'>"),
    ("struct<a:int comment ''>", "STRUCT<a:INT COMMENT ''>"),
    (
        "struct<s:struct<t:array<map<string,int>>>>",
        "STRUCT<s:STRUCT<t:ARRAY<MAP<STRING,INT>>>>",
    ),
    # Spark simpleString()/catalogString with unquoted odd field names (as DESCRIBE prints them)
    ("struct<p q:int,r`s:string,t:int>", "STRUCT<`p q`:INT,`r``s`:STRING,t:INT>"),
    ("struct<é:int>", "STRUCT<`é`:INT>"),
    ("struct<a-b:array<int>>", "STRUCT<`a-b`:ARRAY<INT>>"),
    ("array<struct<x y:int>>", "ARRAY<STRUCT<`x y`:INT>>"),
    ("map<string,struct<a.b:int>>", "MAP<STRING,STRUCT<`a.b`:INT>>"),
    (
        "struct<a:interval day to second,b:string collate UTF8_LCASE>",
        "STRUCT<a:INTERVAL DAY TO SECOND,b:STRING COLLATE UTF8_LCASE>",
    ),
]


@pytest.mark.parametrize(("text", "canonical"), GOLDEN, ids=[g[0] for g in GOLDEN])
def test_golden(text: str, canonical: str) -> None:
    assert normalize_type(text) == canonical
    # the canonical form is a fixed point and parses to the same value
    assert normalize_type(canonical) == canonical
    assert parse_type(canonical) == parse_type(text)


def test_golden_table_is_big_enough() -> None:
    assert len(GOLDEN) >= 40


def test_values() -> None:
    assert parse_type("long") == BIGINT == PrimitiveType("BIGINT") == PrimitiveType("long")
    assert parse_type("decimal") == DecimalType(10, 0)
    assert parse_type("varchar(3)") == VarcharType(3)
    assert parse_type("char(3)") == CharType(3)
    assert parse_type("interval year") == IntervalType("YEAR")
    assert parse_type("interval day to second") == IntervalType("day", "second")
    assert parse_type("array<int>") == ArrayType(INT)
    assert parse_type("map<string,int>") == MapType(STRING, INT)
    assert parse_type("string collate utf8_lcase") == CollatedStringType("UTF8_LCASE")
    assert parse_type("struct<a:int not null comment 'c', b:string>") == StructType(
        (StructField("a", INT, nullable=False, comment="c"), StructField("b", STRING))
    )
    # contains_null is informational only
    assert ArrayType(INT, contains_null=False) == ArrayType(INT)
    assert hash(ArrayType(INT, contains_null=False)) == hash(ArrayType(INT))
    # values are immutable and hashable
    t = parse_type("struct<a:int>")
    with pytest.raises(AttributeError):
        t.fields = ()  # type: ignore[attr-defined]
    assert len({parse_type("int"), parse_type("integer"), INT}) == 1
    assert str(parse_type("decimal(5, 1)")) == "DECIMAL(5,1)"


def test_field_name_with_variable_reference_cannot_be_rendered() -> None:
    t = parse_type("struct<`a${x}`:int>")
    assert t == StructType((StructField("a${x}", INT),))
    with pytest.raises(InvalidIdentifierError):
        t.sql()


def test_comment_with_variable_reference_is_escaped() -> None:
    t = parse_type("struct<a:int comment '${env:HOME}'>")
    assert t.sql() == "STRUCT<a:INT COMMENT '\\u0024{env:HOME}'>"
    assert parse_type(t.sql()) == t


def test_explicit_utf8_binary_is_kept() -> None:
    assert normalize_type("string collate utf8_binary") == "STRING COLLATE UTF8_BINARY"
    assert parse_type("string collate utf8_binary") != STRING


def test_constructor_validation() -> None:
    with pytest.raises(ValueError):
        PrimitiveType("foo")
    with pytest.raises(ValueError):
        DecimalType(39, 0)
    with pytest.raises(ValueError):
        DecimalType(5, 6)
    with pytest.raises(ValueError):
        CharType(0)
    with pytest.raises(ValueError):
        IntervalType("SECOND", "DAY")
    with pytest.raises(ValueError):
        IntervalType("YEAR", "DAY")
    with pytest.raises(ValueError):
        StructType((StructField("a", INT), StructField("A", INT)))
    with pytest.raises(ValueError):
        StructField("", INT)


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------

ERRORS = [
    ("decimal(50,2)", "precision", 8),
    ("decimal(0)", "precision", 8),
    ("decimal(5,6)", "scale", 10),
    ("decimal(-1,0)", "unsigned integer", 8),
    ("decimal(10,", "unsigned integer", 11),
    ("decimal(10 2)", "expected ')'", 11),
    ("decimal(1e2)", "unsigned integer", 8),
    ("ARRAY<>", "expected a data type", 6),
    ("ARRAY<INT", "expected '>'", 9),
    ("array<int>>", "after a complete type", 10),
    ("MAP<STRING>", "expected ','", 10),
    ("STRUCT<a INT", "expected ',' or '>'", 12),
    ("STRUCT<a INT,>", "expected a struct field name", 13),
    ("STRUCT<a>", "expected a data type", 8),
    ("STRUCT<a:INT NULL>", "unexpected 'NULL'", 13),
    ("STRUCT<a:INT NOT>", "expected NULL after NOT", 16),
    ("STRUCT<a:INT COMMENT>", "expected a string literal", 20),
    ("STRUCT<a:INT COMMENT 'x>", "unterminated string literal", 21),
    ("STRUCT<a:INT COMMENT 'x\\'>", "unterminated string literal", 21),
    ("STRUCT<a:INT COMMENT 'x' NOT NULL>", "unexpected 'NOT'", 25),
    ("STRUCT<a:INT COMMENT 'nul\\0'>", "NUL", 21),
    ("STRUCT<`a:INT>", "unterminated back-quoted name", 7),
    ("STRUCT<``:INT>", "empty struct field name", 7),
    ("STRUCT<a INT, A INT>", "duplicate struct field name 'A'", 14),
    ("STRUCT<:INT>", "expected a struct field name", 7),
    ("foo", "unknown data type 'foo'", 0),
    ("array<foo>", "unknown data type 'foo'", 6),
    ("", "expected a data type", 0),
    ("   ", "expected a data type", 3),
    ("int int", "after a complete type", 4),
    ("int(10)", "after a complete type", 3),
    ("char", "needs a length", 4),
    ("varchar", "needs a length", 7),
    ("varchar(0)", "length must be between", 8),
    ("interval", "bare INTERVAL", 0),
    ("interval fortnight", "unknown interval field 'fortnight'", 9),
    ("interval month to year", "end field must come after", 9),
    ("interval year to day", "mixes year-month and day-time", 9),
    ("interval day to day", "end field must come after", 9),
    ("interval day to", "expected an interval field after TO", 15),
    ("string collate", "expected a collation name", 14),
    ("time", "unknown data type 'time'", 0),
    ("`int`", "expected a data type", 0),
    ("123", "expected a data type", 0),
    ("struct<a:int>,", "after a complete type", 13),
]


@pytest.mark.parametrize(("text", "fragment", "position"), ERRORS, ids=[e[0] or "<empty>" for e in ERRORS])
def test_errors(text: str, fragment: str, position: int) -> None:
    with pytest.raises(TypeParseError) as info:
        parse_type(text)
    err = info.value
    assert isinstance(err, ValueError)
    assert err.text == text
    assert fragment in err.reason
    assert err.position == position
    assert repr(text) in str(err) and err.reason in str(err)


def test_non_string_input() -> None:
    with pytest.raises(TypeError):
        parse_type(None)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Widening
# ---------------------------------------------------------------------------------------------

# (from, to, databricks rules, OSS delta rules, needs the typeWidening feature under databricks)
WIDENING = [
    ("int", "INTEGER", "same", "same", False),
    ("string", "STRING", "same", "same", False),
    ("decimal(10, 2)", "DECIMAL(10,2)", "same", "same", False),
    ("struct<a:int>", "STRUCT<a: INT>", "same", "same", False),
    # integral chain
    ("tinyint", "smallint", "widening", "widening", True),
    ("tinyint", "int", "widening", "widening", True),
    ("tinyint", "bigint", "widening", "widening", True),
    ("smallint", "int", "widening", "widening", True),
    ("smallint", "bigint", "widening", "widening", True),
    ("int", "bigint", "widening", "widening", True),
    ("bigint", "int", "rewrite", "rewrite", False),
    ("int", "smallint", "rewrite", "rewrite", False),
    # integral -> double
    ("tinyint", "double", "widening", "rewrite", True),
    ("int", "double", "widening", "rewrite", True),
    ("bigint", "double", "rewrite", "rewrite", False),
    ("int", "float", "rewrite", "rewrite", False),
    # integral -> decimal
    ("int", "decimal(10,0)", "widening", "rewrite", True),
    ("tinyint", "decimal(10,0)", "widening", "rewrite", True),
    ("tinyint", "decimal(3,0)", "rewrite", "rewrite", False),
    ("int", "decimal(12,2)", "widening", "rewrite", True),
    ("int", "decimal(11,2)", "rewrite", "rewrite", False),
    ("int", "decimal(9,0)", "rewrite", "rewrite", False),
    ("bigint", "decimal(20,0)", "widening", "rewrite", True),
    ("bigint", "decimal(38,18)", "widening", "rewrite", True),
    ("bigint", "decimal(19,0)", "rewrite", "rewrite", False),
    ("decimal(10,0)", "int", "rewrite", "rewrite", False),
    # floating point
    ("float", "double", "widening", "widening", True),
    ("double", "float", "rewrite", "rewrite", False),
    ("float", "decimal(38,10)", "rewrite", "rewrite", False),
    ("double", "decimal(38,10)", "rewrite", "rewrite", False),
    # decimal -> decimal
    ("decimal(10,2)", "decimal(12,2)", "widening", "widening", True),
    ("decimal(10,1)", "decimal(12,3)", "widening", "rewrite", True),
    ("decimal(10,1)", "decimal(11,3)", "rewrite", "rewrite", False),
    ("decimal(10,2)", "decimal(10,3)", "rewrite", "rewrite", False),
    ("decimal(10,2)", "decimal(9,2)", "rewrite", "rewrite", False),
    ("decimal(10,2)", "decimal(12,1)", "rewrite", "rewrite", False),
    ("decimal(10,2)", "double", "rewrite", "rewrite", False),
    # dates and timestamps
    ("date", "timestamp_ntz", "widening", "widening", True),
    ("date", "timestamp", "rewrite", "rewrite", False),
    ("timestamp_ntz", "timestamp", "rewrite", "rewrite", False),
    ("timestamp", "timestamp_ltz", "same", "same", False),
    ("timestamp_ntz", "date", "rewrite", "rewrite", False),
    # strings
    ("varchar(10)", "varchar(20)", "widening", "widening", False),
    ("varchar(20)", "varchar(10)", "rewrite", "rewrite", False),
    ("varchar(10)", "string", "widening", "widening", False),
    ("char(3)", "string", "widening", "widening", False),
    ("char(3)", "char(5)", "rewrite", "rewrite", False),
    ("char(3)", "varchar(5)", "rewrite", "rewrite", False),
    ("string", "varchar(10)", "rewrite", "rewrite", False),
    ("string", "char(10)", "rewrite", "rewrite", False),
    ("string", "string collate utf8_lcase", "rewrite", "rewrite", False),
    ("int", "string", "rewrite", "rewrite", False),
    ("string", "int", "rewrite", "rewrite", False),
    ("binary", "string", "rewrite", "rewrite", False),
    # void
    ("void", "int", "widening", "rewrite", False),
    ("void", "struct<a:int>", "widening", "rewrite", False),
    ("int", "void", "rewrite", "rewrite", False),
    # nested
    ("array<int>", "array<bigint>", "widening", "widening", True),
    ("array<bigint>", "array<int>", "rewrite", "rewrite", False),
    ("map<int,float>", "map<bigint,double>", "widening", "widening", True),
    ("map<string,int>", "map<string,double>", "widening", "rewrite", True),
    ("map<string,bigint>", "map<string,int>", "rewrite", "rewrite", False),
    (
        "struct<a:int,b:string>",
        "struct<a:bigint,b:string>",
        "widening",
        "widening",
        True,
    ),
    ("struct<a:int,b:bigint>", "struct<a:bigint,b:int>", "rewrite", "rewrite", False),
    ("struct<a:int>", "struct<b:int>", "rewrite", "rewrite", False),
    ("struct<a:int>", "struct<A:int>", "rewrite", "rewrite", False),
    ("struct<a:int>", "struct<a:int,b:int>", "rewrite", "rewrite", False),
    ("struct<a:int,b:int>", "struct<b:int,a:int>", "rewrite", "rewrite", False),
    ("struct<a:int not null>", "struct<a:int>", "widening", "widening", False),
    ("struct<a:int>", "struct<a:int not null>", "rewrite", "rewrite", False),
    ("struct<a:int>", "struct<a:int comment 'x'>", "widening", "widening", False),
    ("struct<a:varchar(3)>", "struct<a:string>", "widening", "widening", False),
    (
        "array<struct<a:date>>",
        "array<struct<a:timestamp_ntz>>",
        "widening",
        "widening",
        True,
    ),
    ("array<int>", "int", "rewrite", "rewrite", False),
    ("int", "array<int>", "rewrite", "rewrite", False),
    ("array<int>", "map<int,int>", "rewrite", "rewrite", False),
    ("interval day", "interval day to second", "rewrite", "rewrite", False),
    ("interval year", "interval year to month", "rewrite", "rewrite", False),
]


@pytest.mark.parametrize(
    ("old", "new", "databricks", "delta", "feature"),
    WIDENING,
    ids=[f"{w[0]}->{w[1]}" for w in WIDENING],
)
def test_widening(old: str, new: str, databricks: str, delta: str, feature: bool) -> None:
    assert widening(old, new) == databricks
    assert widening(old, new, rules="databricks") == databricks
    assert widening(old, new, rules="delta") == delta
    assert widening(parse_type(old), parse_type(new)) == databricks
    assert requires_type_widening(old, new) is feature
    if delta == "widening":
        assert databricks == "widening", "OSS Delta rules must be a subset of Databricks rules"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("bigint", "int", True),
        ("double", "float", True),
        ("decimal(12,2)", "decimal(10,2)", True),
        ("string", "varchar(3)", True),
        ("array<bigint>", "array<int>", True),
        ("int", "bigint", False),
        ("int", "int", False),
        ("int", "string", False),
        ("string", "int", False),
        ("struct<a:int,b:bigint>", "struct<a:bigint,b:int>", False),
    ],
)
def test_is_narrowing(old: str, new: str, expected: bool) -> None:
    assert is_narrowing(old, new) is expected


# ---------------------------------------------------------------------------------------------
# Property tests
# ---------------------------------------------------------------------------------------------

_SAFE_TEXT = st.characters(codec="utf-8", exclude_characters="\x00")

field_names = st.one_of(
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True),
    st.sampled_from(
        [
            "select",
            "from",
            "not",
            "null",
            "comment",
            "struct",
            "int",
            "to",
            "a b",
            "a`b",
            "`",
            "é",
        ]
    ),
    st.text(alphabet=_SAFE_TEXT, min_size=1, max_size=8),
).filter(lambda n: "${" not in n)
comments = st.one_of(st.none(), st.text(alphabet=_SAFE_TEXT, max_size=12))

_INTERVALS = [
    IntervalType("YEAR"),
    IntervalType("MONTH"),
    IntervalType("YEAR", "MONTH"),
    *[IntervalType(s) for s in ("DAY", "HOUR", "MINUTE", "SECOND")],
    *[
        IntervalType(s, e)
        for i, s in enumerate(("DAY", "HOUR", "MINUTE", "SECOND"))
        for e in ("DAY", "HOUR", "MINUTE", "SECOND")[i + 1 :]
    ],
]

leaf_types: st.SearchStrategy[DataType] = st.one_of(
    st.sampled_from(sorted(PRIMITIVE_NAMES)).map(PrimitiveType),
    st.integers(1, 38).flatmap(lambda p: st.integers(0, p).map(lambda s: DecimalType(p, s))),
    st.integers(1, 100_000).map(CharType),
    st.integers(1, 100_000).map(VarcharType),
    st.sampled_from(["UTF8_LCASE", "UNICODE", "unicode_ci", "de_CI_AI", "UTF8_BINARY"]).map(
        CollatedStringType
    ),
    st.sampled_from(_INTERVALS),
)


def _structs(children: st.SearchStrategy[DataType]) -> st.SearchStrategy[DataType]:
    fields = st.builds(
        StructField,
        name=field_names,
        type=children,
        nullable=st.booleans(),
        comment=comments,
    )
    return st.lists(fields, max_size=4, unique_by=lambda f: f.name.lower()).map(
        lambda fs: StructType(tuple(fs))
    )


data_types: st.SearchStrategy[DataType] = st.recursive(
    leaf_types,
    lambda children: st.one_of(
        children.map(ArrayType),
        st.tuples(children, children).map(lambda kv: MapType(kv[0], kv[1])),
        _structs(children),
    ),
    max_leaves=10,
)


@settings(max_examples=examples(400))
@given(data_types)
def test_roundtrip_canonical(t: DataType) -> None:
    rendered = t.sql()
    assert parse_type(rendered) == t
    assert normalize_type(rendered) == rendered
    assert normalize_type(normalize_type(rendered)) == normalize_type(rendered)


# -- sloppy rendering: random case, whitespace, aliases, optional colon, split comments -------

_ALIASES = {
    "BIGINT": ["BIGINT", "LONG"],
    "INT": ["INT", "INTEGER"],
    "SMALLINT": ["SMALLINT", "SHORT"],
    "TINYINT": ["TINYINT", "BYTE"],
    "BOOLEAN": ["BOOLEAN", "BOOL"],
    "FLOAT": ["FLOAT", "REAL"],
    "DOUBLE": ["DOUBLE", "DOUBLE PRECISION"],
    "TIMESTAMP": ["TIMESTAMP", "TIMESTAMP_LTZ"],
}
_CASES: list[Callable[[str], str]] = [
    str.upper,
    str.lower,
    str.title,
    str.swapcase,
    lambda s: s,
]


def _sloppy(t: DataType, draw: Callable[[st.SearchStrategy[Any]], Any]) -> str:
    def ws() -> str:
        return draw(st.sampled_from(["", "", " ", "  ", "\t", "\n", " \r\n "]))

    def ws1() -> str:
        return draw(st.sampled_from([" ", "  ", "\t", "\n", " \r\n "]))

    def kw(word: str) -> str:
        case = draw(st.sampled_from(_CASES))
        return ws1().join(case(part) for part in word.split(" "))

    def render(t: DataType) -> str:
        if isinstance(t, PrimitiveType):
            return kw(draw(st.sampled_from(_ALIASES.get(t.name, [t.name]))))
        if isinstance(t, DecimalType):
            name = kw(draw(st.sampled_from(["DECIMAL", "DEC", "NUMERIC"])))
            if t.precision == 10 and t.scale == 0 and draw(st.booleans()):
                return name
            if t.scale == 0 and draw(st.booleans()):
                return f"{name}{ws()}({ws()}{t.precision}{ws()})"
            return f"{name}{ws()}({ws()}{t.precision}{ws()},{ws()}{t.scale}{ws()})"
        if isinstance(t, CharType):
            return f"{kw(draw(st.sampled_from(['CHAR', 'CHARACTER'])))}{ws()}({ws()}{t.length}{ws()})"
        if isinstance(t, VarcharType):
            return f"{kw('VARCHAR')}{ws()}({ws()}{t.length}{ws()})"
        if isinstance(t, CollatedStringType):
            case = draw(st.sampled_from(_CASES))
            return f"{kw('STRING')}{ws1()}{kw('COLLATE')}{ws1()}{case(t.collation)}"
        if isinstance(t, IntervalType):
            out = f"{kw('INTERVAL')}{ws1()}{kw(t.start)}"
            if t.end is not None:
                out += f"{ws1()}{kw('TO')}{ws1()}{kw(t.end)}"
            return out
        if isinstance(t, ArrayType):
            return f"{kw('ARRAY')}{ws()}<{ws()}{render(t.element)}{ws()}>"
        if isinstance(t, MapType):
            return f"{kw('MAP')}{ws()}<{ws()}{render(t.key)}{ws()},{ws()}{render(t.value)}{ws()}>"
        assert isinstance(t, StructType)
        parts = []
        for f in t.fields:
            plain = f.name.isascii() and f.name.replace("_", "a").isalnum()
            if plain and draw(st.booleans()):
                name = f.name
            else:
                name = "`" + f.name.replace("`", "``") + "`"
            sep = f"{ws()}:{ws()}" if draw(st.booleans()) else ws1()
            out = f"{name}{sep}{render(f.type)}"
            if not f.nullable:
                out += f"{ws1()}{kw('NOT NULL')}"
            if f.comment is not None:
                cut = draw(st.integers(0, len(f.comment)))
                literal = sql_string(f.comment[:cut])
                if cut < len(f.comment):
                    # adjacent literals need whitespace: '' '0' written as '''0' is one literal
                    literal += ws1() + sql_string(f.comment[cut:])
                out += f"{ws1()}{kw('COMMENT')}{ws1()}{literal}"
            parts.append(out)
        return f"{kw('STRUCT')}{ws()}<{ws()}" + f"{ws()},{ws()}".join(parts) + f"{ws()}>"

    return ws() + render(t) + ws()


@settings(max_examples=examples(400), suppress_health_check=[HealthCheck.too_slow])
@given(data_types, st.data())
def test_sloppy_variants_normalize_to_canonical(t: DataType, data: st.DataObject) -> None:
    variant = _sloppy(t, data.draw)
    assert normalize_type(variant) == t.sql(), variant
    assert parse_type(variant) == t


# -- Spark simpleString()/catalogString form (what DESCRIBE and df.schema print) --------------


def _spark_simple_string(t: DataType) -> str:
    """Render like Spark's catalogString: lower-case, unquoted names, no NOT NULL / comments."""
    if isinstance(t, PrimitiveType):
        return {"VOID": "void"}.get(t.name, t.name.lower())
    if isinstance(t, DecimalType):
        return f"decimal({t.precision},{t.scale})"
    if isinstance(t, CharType):
        return f"char({t.length})"
    if isinstance(t, VarcharType):
        return f"varchar({t.length})"
    if isinstance(t, CollatedStringType):
        return f"string collate {t.collation}"
    if isinstance(t, IntervalType):
        return t.sql().lower()
    if isinstance(t, ArrayType):
        return f"array<{_spark_simple_string(t.element)}>"
    if isinstance(t, MapType):
        return f"map<{_spark_simple_string(t.key)},{_spark_simple_string(t.value)}>"
    assert isinstance(t, StructType)
    return "struct<" + ",".join(f"{f.name}:{_spark_simple_string(f.type)}" for f in t.fields) + ">"


def _strip_field_metadata(t: DataType) -> DataType:
    if isinstance(t, ArrayType):
        return ArrayType(_strip_field_metadata(t.element))
    if isinstance(t, MapType):
        return MapType(_strip_field_metadata(t.key), _strip_field_metadata(t.value))
    if isinstance(t, StructType):
        return StructType(tuple(StructField(f.name, _strip_field_metadata(f.type)) for f in t.fields))
    return t


_SIMPLE_NAME_UNSAFE = set(":,<>()'\"")

simple_string_safe_names = st.one_of(
    st.from_regex(r"[A-Za-z0-9_]{1,8}", fullmatch=True),
    st.text(alphabet=_SAFE_TEXT, min_size=1, max_size=8),
).filter(
    lambda n: (
        n == n.strip() and not n.startswith("`") and not (_SIMPLE_NAME_UNSAFE & set(n)) and "${" not in n
    )
)

simple_string_types: st.SearchStrategy[DataType] = st.recursive(
    leaf_types,
    lambda children: st.one_of(
        children.map(ArrayType),
        st.tuples(children, children).map(lambda kv: MapType(kv[0], kv[1])),
        st.lists(
            st.builds(StructField, name=simple_string_safe_names, type=children),
            max_size=4,
            unique_by=lambda f: f.name.lower(),
        ).map(lambda fs: StructType(tuple(fs))),
    ),
    max_leaves=10,
)


@settings(max_examples=examples(300))
@given(simple_string_types)
def test_spark_simple_string_form_parses(t: DataType) -> None:
    assert parse_type(_spark_simple_string(t)) == _strip_field_metadata(t)


def test_parse_is_cached_and_values_shared() -> None:
    assert parse_type("map<string, int>") is parse_type("map<string, int>")
