"""schemax.core.names literals and identifiers against pyspark's real SQL parser.

Needs the session-scoped ``spark`` fixture (local SparkSession) from the suite's conftest.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from profiles import examples
from schemax.core.names import qualified, quote_ident, split_qualified, sql_string
from strategies import NON_ASCII, SQL_BREAKERS, tricky_text

pytestmark = pytest.mark.integration

_TRICKY = [
    *SQL_BREAKERS,
    "*/",
    "${x}",
    "${env:HOME}",
    "${spark.app.name}",
    "$",
    "{",
    "''",
    "\\'",
    "\\u0041",
    "\\n",
    "%",
    "_",
    "`",
    *NON_ASCII,
    "\u2028",
    "\x01",
    "\x1a",
    "\x7f",
]

# Text built from the tricky fragments, mixed with arbitrary (non-NUL, non-surrogate) text.
literal_values = tricky_text(
    _TRICKY, st.characters(codec="utf-8", exclude_characters="\x00"), max_parts=8
)


@settings(
    max_examples=examples(300),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(literal_values)
@example("")
@example("it's")
@example("a\\b")
@example("\\")
@example("back\\'slash-quote")
@example("multi\nline\r\n\ttext -- not a comment; /* nor this */ ${x}")
@example("emoji 😀 and ünïcödé")
@example("${env:HOME} ${system:user.name} ${spark.app.name} $${x} \\${x}")
def test_sql_string_roundtrips_through_spark(spark: Any, value: str) -> None:
    assert spark.sql("SELECT " + sql_string(value) + " AS v").collect()[0][0] == value


@pytest.mark.parametrize(
    "name",
    [
        "plain",
        "with space",
        "with.dot",
        "back`tick",
        "``",
        "select",
        "a-b",
        "é😀",
        "quote'd",
        'dq"d',
        "--x",
        "semi;colon",
        "1starts_with_digit",
    ],
)
def test_quote_ident_as_column_alias(spark: Any, name: str) -> None:
    df = spark.sql(f"SELECT 1 AS {quote_ident(name)}")
    assert df.columns == [name]


@settings(
    max_examples=examples(100),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=12).filter(
        lambda n: "${" not in n
    )
)
def test_quote_ident_random_alias(spark: Any, name: str) -> None:
    df = spark.sql(f"SELECT 1 AS {quote_ident(name)}")
    assert df.columns == [name]


@pytest.mark.parametrize(
    ("alias", "column"),
    [("t", "c"), ("my.t", "a.b"), ("t`1 x", "c`2 y"), ("select", "from")],
)
def test_qualified_reference_resolves(spark: Any, alias: str, column: str) -> None:
    """``qualified(alias, column)`` is read by Spark as a two-part column reference."""
    ref = qualified(alias, column)
    assert split_qualified(ref) == [alias, column]
    df = spark.sql(f"SELECT {ref} FROM (SELECT 42 AS {quote_ident(column)}) AS {quote_ident(alias)}")
    assert df.columns == [column]
    assert df.collect()[0][0] == 42


def test_variable_substitution_is_why_dollar_brace_is_escaped(spark: Any) -> None:
    """Spark rewrites ``${...}`` in the raw statement text, even inside literals and back-quotes.

    If this starts failing, Spark stopped substituting and the ``${`` handling in
    schemax.core.names could be relaxed.
    """
    assert spark.conf.get("spark.sql.variable.substitute") == "true"
    naive = spark.sql("SELECT '${spark.app.name}' AS v").collect()[0][0]
    assert naive != "${spark.app.name}"
    assert spark.sql("SELECT 1 AS `a${spark.app.name}`").columns != ["a${spark.app.name}"]
    value = "${spark.app.name}"
    assert spark.sql("SELECT " + sql_string(value) + " AS v").collect()[0][0] == value
