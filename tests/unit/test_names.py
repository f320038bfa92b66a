"""Unit tests for schemax.core.names (pure, no Spark)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from profiles import examples
from schemax.core.names import (
    MAX_NAME_LENGTH,
    InvalidIdentifierError,
    InvalidLiteralError,
    qualified,
    quote_ident,
    split_qualified,
    sql_string,
    validate_column_name,
    validate_object_name,
)

# ---------------------------------------------------------------------------------------------
# quote_ident / qualified
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "quoted"),
    [
        ("a", "`a`"),
        ("orders", "`orders`"),
        ("my table", "`my table`"),
        ("a.b", "`a.b`"),
        ("a`b", "`a``b`"),
        ("``", "``````"),
        ("`", "````"),
        ("select", "`select`"),
        ("é😀", "`é😀`"),
        ("a'b\"c", "`a'b\"c`"),
        ("line\nbreak", "`line\nbreak`"),
    ],
)
def test_quote_ident(name: str, quoted: str) -> None:
    assert quote_ident(name) == quoted


def test_quote_ident_rejects_empty_and_non_str() -> None:
    with pytest.raises(InvalidIdentifierError):
        quote_ident("")
    with pytest.raises(TypeError):
        quote_ident(3)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["${x}", "a${env:HOME}b", "$${x}"])
def test_quote_ident_rejects_variable_substitution(name: str) -> None:
    with pytest.raises(InvalidIdentifierError) as info:
        quote_ident(name)
    assert "variable substitution" in info.value.reason


@pytest.mark.parametrize("name", ["$", "a$b", "{x}", "$ {x}", "a{$}"])
def test_quote_ident_allows_lone_dollar_and_braces(name: str) -> None:
    assert quote_ident(name) == f"`{name}`"


def test_qualified() -> None:
    assert qualified("main", "sales", "orders") == "`main`.`sales`.`orders`"
    assert qualified("a.b", "c`d") == "`a.b`.`c``d`"
    assert qualified("x") == "`x`"
    with pytest.raises(InvalidIdentifierError):
        qualified()
    with pytest.raises(InvalidIdentifierError):
        qualified("a", "")


# ---------------------------------------------------------------------------------------------
# split_qualified
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("a", ["a"]),
        ("a.b.c", ["a", "b", "c"]),
        ("main.schemax", ["main", "schemax"]),
        ("`a.b`.c", ["a.b", "c"]),
        ("`a`.`b`.`c`", ["a", "b", "c"]),
        ("`a``b`.c", ["a`b", "c"]),
        ("````", ["`"]),
        ("`a b`", ["a b"]),
        ("my-catalog.sales", ["my-catalog", "sales"]),
        ("`x`.y.`z.w`", ["x", "y", "z.w"]),
        ("é.😀", ["é", "😀"]),
    ],
)
def test_split_qualified(text: str, parts: list[str]) -> None:
    assert split_qualified(text) == parts


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty name"),
        ("a..b", "empty name part"),
        (".a", "empty name part"),
        ("a.", "expected a name part after '.'"),
        ("`a", "unterminated back-quoted part"),
        ("`a``", "unterminated back-quoted part"),
        ("``", "empty back-quoted part"),
        ("``.a", "empty back-quoted part"),
        ("`a`b", "unexpected 'b'"),
        ("a`b`", "unexpected '`'"),
        ("a b", "whitespace outside back-quotes"),
        (" a", "whitespace outside back-quotes"),
        ("a.b ", "whitespace outside back-quotes"),
        ("`a` .b", "whitespace outside back-quotes"),
    ],
)
def test_split_qualified_errors(text: str, fragment: str) -> None:
    with pytest.raises(InvalidIdentifierError) as info:
        split_qualified(text)
    assert fragment in info.value.reason
    assert info.value.name == text
    assert info.value.kind == "qualified"


name_parts = st.text(st.characters(codec="utf-8"), min_size=1, max_size=12).filter(lambda n: "${" not in n)


@settings(max_examples=examples(500))
@given(st.lists(name_parts, min_size=1, max_size=5))
def test_split_qualified_roundtrip(parts: list[str]) -> None:
    assert split_qualified(qualified(*parts)) == parts


@settings(max_examples=examples(300))
@given(st.lists(st.from_regex(r"[A-Za-z0-9_\-$]{1,10}", fullmatch=True), min_size=1, max_size=4))
def test_split_unquoted_dotted(parts: list[str]) -> None:
    assert split_qualified(".".join(parts)) == parts


# ---------------------------------------------------------------------------------------------
# sql_string
# ---------------------------------------------------------------------------------------------

LITERALS = [
    ("", "''"),
    ("abc", "'abc'"),
    ("it's", "'it\\'s'"),
    ("''", "'\\'\\''"),
    ("a\\b", "'a\\\\b'"),
    ("\\", "'\\\\'"),
    ("\\'", "'\\\\\\''"),
    ('say "hi"', "'say \"hi\"'"),
    ("line1\nline2", "'line1\\nline2'"),
    ("cr\rlf\r\n", "'cr\\rlf\\r\\n'"),
    ("tab\there", "'tab\\there'"),
    ("bell\x07", "'bell\\u0007'"),
    ("esc\x1b[0m", "'esc\\u001b[0m'"),
    ("del\x7f", "'del\\u007f'"),
    ("-- not a comment", "'-- not a comment'"),
    ("/* x */ ; DROP TABLE t", "'/* x */ ; DROP TABLE t'"),
    ("${var}", "'\\u0024{var}'"),
    ("${env:HOME}", "'\\u0024{env:HOME}'"),
    ("$${x}", "'$\\u0024{x}'"),
    ("\\${x}", "'\\\\\\u0024{x}'"),
    ("$ { } {$}", "'$ { } {$}'"),
    ("%_", "'%_'"),
    ("café 😀 日本", "'café 😀 日本'"),
    ("\u2028\u00a0", "'\u2028\u00a0'"),
]


@pytest.mark.parametrize(("value", "literal"), LITERALS)
def test_sql_string(value: str, literal: str) -> None:
    assert sql_string(value) == literal


def test_sql_string_rejects_nul_and_surrogates() -> None:
    with pytest.raises(InvalidLiteralError) as info:
        sql_string("a\x00b")
    assert "NUL" in info.value.reason
    assert info.value.value == "a\x00b"
    with pytest.raises(InvalidLiteralError):
        sql_string("\ud800")
    with pytest.raises(TypeError):
        sql_string(None)  # type: ignore[arg-type]


def _spark_unescape(literal: str) -> str:
    """Reference decoder for the subset of Spark's unescapeSQLString that sql_string emits."""
    assert literal[0] == literal[-1] == "'"
    body = literal[1:-1]
    out, i = [], 0
    simple = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", "'": "'"}
    while i < len(body):
        ch = body[i]
        if ch == "'":
            raise AssertionError(f"unescaped quote in {literal!r}")
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1]
        if nxt == "u":
            out.append(chr(int(body[i + 2 : i + 6], 16)))
            i += 6
        else:
            out.append(simple[nxt])
            i += 2
    return "".join(out)


@settings(max_examples=examples(500))
@given(st.text(st.characters(codec="utf-8", exclude_characters="\x00")))
def test_sql_string_properties(value: str) -> None:
    literal = sql_string(value)
    assert _spark_unescape(literal) == value
    # one line, no raw control characters, nothing for Spark's variable substitution
    assert not any(c < " " or c == "\x7f" for c in literal)
    assert "${" not in literal


# ---------------------------------------------------------------------------------------------
# validate_object_name / validate_column_name
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "a",
        "orders",
        "my-table",
        "Sales_2024",
        "é",
        "日本",
        "a" * MAX_NAME_LENGTH,
        "a`b",
        "a'b",
        "x$",
    ],
)
def test_valid_object_names(name: str) -> None:
    assert validate_object_name(name, "table") == name


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("", "must not be empty"),
        ("a" * (MAX_NAME_LENGTH + 1), "longer than 255"),
        ("a.b", "period"),
        ("a/b", "forward slash"),
        ("a b", "space"),
        (" a", "leading or trailing whitespace"),
        ("a ", "leading or trailing whitespace"),
        ("a\u00a0", "leading or trailing whitespace"),
        ("a\tb", "control character"),
        ("a\nb", "control character"),
        ("a\x00b", "control character"),
        ("a\x1fb", "control character"),
        ("a\x7fb", "control character"),
        ("a${x}", "variable substitution"),
    ],
)
def test_invalid_object_names(name: str, fragment: str) -> None:
    with pytest.raises(InvalidIdentifierError) as info:
        validate_object_name(name, "schema")
    err = info.value
    assert isinstance(err, ValueError)
    assert fragment in err.reason
    assert err.name == name and err.kind == "schema"
    assert "schema" in str(err)


@pytest.mark.parametrize("name", ["a", "a.b", "a b", "a/b", " padded ", "a`b", "é😀", "x" * MAX_NAME_LENGTH])
def test_valid_column_names(name: str) -> None:
    assert validate_column_name(name) == name


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("", "must not be empty"),
        ("x" * (MAX_NAME_LENGTH + 1), "longer than 255"),
        ("a\nb", "control character"),
        ("a\x00", "control character"),
        ("\x7f", "control character"),
        ("a\ud800", "surrogate"),
        ("${env:HOME}", "variable substitution"),
    ],
)
def test_invalid_column_names(name: str, fragment: str) -> None:
    with pytest.raises(InvalidIdentifierError) as info:
        validate_column_name(name)
    assert fragment in info.value.reason
    assert info.value.kind == "column"


def test_validate_rejects_non_str() -> None:
    with pytest.raises(TypeError):
        validate_object_name(None, "table")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        validate_column_name(1)  # type: ignore[arg-type]
