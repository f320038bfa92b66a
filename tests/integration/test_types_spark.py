"""schemax.core.types against a real Spark parser.

* Spark understands every canonical type string we emit (``CAST(NULL AS <canonical>)``), and
* our parser understands what Spark prints back (``DataType.simpleString()`` and the JSON schema),
  normalizing it to the same canonical string / value.

Needs the session-scoped ``spark`` fixture (local SparkSession) from the suite's conftest.
Nothing is skipped: VOID, VARIANT and the year-month intervals all work with ``CAST`` as long as
no row is collected (pyspark cannot convert year-month interval values to Python).
CHAR/VARCHAR need ``spark.sql.preserveCharVarcharTypeInfo=true`` — without it a CAST to them
yields STRING — so the tests set it for their duration and restore it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from profiles import examples
from schemax.core.types import (
    PRIMITIVE_NAMES,
    ArrayType,
    DataType,
    IntervalType,
    MapType,
    StructField,
    StructType,
    normalize_type,
    parse_type,
)
from strategies import data_types

pytestmark = pytest.mark.integration

CANONICAL = [
    *sorted(PRIMITIVE_NAMES),  # every primitive is its own canonical form
    "DECIMAL(10,0)",
    "DECIMAL(1,0)",
    "DECIMAL(38,18)",
    "DECIMAL(38,38)",
    "CHAR(3)",
    "VARCHAR(10)",
    "STRING COLLATE UTF8_LCASE",
    "STRING COLLATE UNICODE_CI",
    "INTERVAL YEAR",
    "INTERVAL MONTH",
    "INTERVAL YEAR TO MONTH",
    "INTERVAL DAY",
    "INTERVAL DAY TO HOUR",
    "INTERVAL DAY TO SECOND",
    "INTERVAL HOUR TO MINUTE",
    "INTERVAL MINUTE TO SECOND",
    "INTERVAL SECOND",
    "ARRAY<INT>",
    "ARRAY<ARRAY<DECIMAL(5,2)>>",
    "MAP<STRING,BIGINT>",
    "MAP<INT,ARRAY<STRING>>",
    "STRUCT<>",
    "STRUCT<a:INT,b:STRING>",
    "STRUCT<a:CHAR(3),b:ARRAY<VARCHAR(5)>>",
    "STRUCT<`a b`:INT,`c``d`:STRUCT<`e.f`:ARRAY<DATE>>>",
    "STRUCT<`é`:INT,`1a`:STRING,`a-b`:MAP<STRING,VARIANT>>",
    "ARRAY<STRUCT<x:DOUBLE,y:MAP<STRING,TIMESTAMP_NTZ>>>",
    "STRUCT<s:STRING COLLATE UTF8_LCASE,i:INTERVAL DAY TO SECOND>",
]


@contextlib.contextmanager
def _conf(spark: Any, key: str, value: str) -> Iterator[None]:
    """``key`` set to ``value`` for the block, then restored (unset when it was not set)."""
    previous = spark.conf.get(key, None)
    spark.conf.set(key, value)
    try:
        yield
    finally:
        if previous is None:
            spark.conf.unset(key)
        else:
            spark.conf.set(key, previous)


@pytest.fixture
def char_varchar_preserved(spark: Any) -> Iterator[Any]:
    with _conf(spark, "spark.sql.preserveCharVarcharTypeInfo", "true"):
        yield spark


def _cast_type(spark: Any, type_sql: str) -> Any:
    return spark.sql(f"SELECT CAST(NULL AS {type_sql}) AS c").schema["c"].dataType


@pytest.mark.parametrize("canonical", CANONICAL)
def test_spark_roundtrip_simple_string(char_varchar_preserved: Any, canonical: str) -> None:
    assert normalize_type(canonical) == canonical
    simple = _cast_type(char_varchar_preserved, canonical).simpleString()
    assert normalize_type(simple) == canonical, simple


def test_reserved_field_names_parse_with_enforced_keywords(spark: Any) -> None:
    """Canonical struct field names stay valid with spark.sql.ansi.enforceReservedKeywords=true."""
    names = ["select", "from", "not", "null", "to", "time", "comment", "type", "struct", "a"]
    canonical = normalize_type("STRUCT<" + ",".join(f"`{n}`:INT" for n in names) + ">")
    assert "`select`" in canonical and "comment:INT" in canonical
    with _conf(spark, "spark.sql.ansi.enforceReservedKeywords", "true"):
        dt = _cast_type(spark, canonical)
    assert [f.name for f in dt.fields] == names
    assert normalize_type(dt.simpleString()) == canonical


def _from_spark_json(value: Any) -> DataType:
    """Convert pyspark ``DataType.jsonValue()`` to our DataType (collations are not handled)."""
    if isinstance(value, str):
        return parse_type(value)
    kind = value["type"]
    if kind == "array":
        return ArrayType(_from_spark_json(value["elementType"]), value["containsNull"])
    if kind == "map":
        return MapType(_from_spark_json(value["keyType"]), _from_spark_json(value["valueType"]))
    assert kind == "struct", value
    return StructType(
        tuple(
            StructField(
                f["name"],
                _from_spark_json(f["type"]),
                f["nullable"],
                f["metadata"].get("comment"),
            )
            for f in value["fields"]
        )
    )


def test_not_null_and_comments_reach_spark(char_varchar_preserved: Any) -> None:
    canonical = normalize_type(
        "struct<a: int not null comment 'it''s \\\\ \"q\"\\n', `b c`: varchar(4) comment '', d string>"
    )
    assert canonical == (
        "STRUCT<a:INT NOT NULL COMMENT 'it\\'s \\\\ \"q\"\\n',`b c`:VARCHAR(4) COMMENT '',d:STRING>"
    )
    dt = _cast_type(char_varchar_preserved, canonical)
    assert _from_spark_json(dt.jsonValue()) == parse_type(canonical)


_TEXT = st.characters(codec="utf-8", exclude_characters="\x00")
# no collations: _from_spark_json does not read them back
_TYPES = data_types(
    max_length=300,
    intervals=[IntervalType("YEAR", "MONTH"), IntervalType("DAY", "SECOND"), IntervalType("HOUR")],
    field_names=st.one_of(
        st.from_regex(r"[a-z_][a-z0-9_]{0,5}", fullmatch=True),
        st.text(_TEXT, min_size=1, max_size=6),
    ),
    comments=st.one_of(st.none(), st.text(_TEXT, max_size=10)),
    max_fields=3,
    max_leaves=8,
)


@settings(
    max_examples=examples(100),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(_TYPES)
def test_random_canonical_types_roundtrip_through_spark(char_varchar_preserved: Any, t: DataType) -> None:
    dt = _cast_type(char_varchar_preserved, t.sql())
    assert _from_spark_json(dt.jsonValue()) == t
