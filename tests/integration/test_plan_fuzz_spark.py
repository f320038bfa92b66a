"""Hypothesis on local Spark + Delta: random plans executed and read back.

* literal and identifier fuzzing: comments, property values and column names with quotes, backslashes,
  newlines, ``--``, ``;``, unicode, spaces and back-quotes go through a real CREATE / ALTER and read back
  equal to the input, and nothing but the intended table appears;
* random pairs of states within what local Delta supports: objects created from ``a``, one row per
  table, then ``plan(a, b)`` executed; the catalog then holds exactly ``b``.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cases"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import random_states as rs  # noqa: E402
from test_plan_spark import expected_table, live_table  # noqa: E402

from profiles import examples
from schemax.core.model import Catalog, Column, Schema, State, Table  # noqa: E402
from schemax.plan import OSS_DELTA, Target, build_plan  # noqa: E402
from schemax.plan.lineage import columns_read, relations_read, resolve  # noqa: E402
from strategies import ESCAPE_LOOKALIKES, NON_ASCII, SQL_BREAKERS, tricky_text  # noqa: E402

pytestmark = pytest.mark.integration

RUN = f"sxf{uuid.uuid4().hex[:6]}"
TRICKY = [
    *SQL_BREAKERS,
    "`",
    *ESCAPE_LOOKALIKES,
    *NON_ASCII,
    " ",
    "%",
    "${x}",
    "$",
]
text = tricky_text(
    TRICKY, st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="\x00"), max_parts=5
)
# Delta keeps names case-insensitively and refuses some characters even with column mapping off;
# the planner turns mapping on, so anything printable but '${' (Spark variable substitution) is fair
column_name = text.filter(
    lambda s: (
        s.strip() != ""
        and s == s.strip()
        and "${" not in s
        and all(c >= " " and c != "\x7f" for c in s)
        and len(s) <= 100
    )
)


def _state(schema: str, table: str, col: str, comment: str, col_comment: str, value: str) -> State:
    return State(
        catalogs={"cat_1": Catalog(id="cat_1", name="shop")},
        schemas={"sch_1": Schema(id="sch_1", catalog_id="cat_1", name=schema)},
        tables={
            "tbl_1": Table(
                id="tbl_1",
                schema_id="sch_1",
                name=table,
                comment=comment,
                properties={"p": value},
                columns=(
                    Column(id="col_1", name=col, type="STRING", comment=col_comment),
                    Column(id="col_2", name="n", type="INT"),
                ),
            )
        },
    )


@pytest.fixture(scope="module")
def fuzz_schema(spark: Any) -> Any:
    spark.sql(f"CREATE SCHEMA IF NOT EXISTS `spark_catalog`.`{RUN}_lit`")
    yield f"`spark_catalog`.`{RUN}_lit`"
    spark.sql(f"DROP SCHEMA IF EXISTS `spark_catalog`.`{RUN}_lit` CASCADE")


COUNTER = iter(range(10**9))


@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(column_name, text, text, text, text)
def test_literals_and_names_round_trip_on_delta(
    spark: Any, fuzz_schema: str, col: str, comment: str, col_comment: str, value: str, new_comment: str
) -> None:
    assume(col.lower() != "n")
    table = f"t{next(COUNTER)}"
    target = Target({"shop": "spark_catalog"}, schema_prefix=f"{RUN}_")
    before_tables = {r[1] for r in spark.sql(f"SHOW TABLES IN {fuzz_schema}").collect()}
    a = _state("lit", table, col, comment, col_comment, value)
    plan = build_plan(State(), a, target, capabilities=OSS_DELTA)
    assert not plan.unsupported
    for s in plan.statements:
        spark.sql(s.sql)
    name = f"{fuzz_schema}.`{table}`"
    live, want = live_table(spark, name), expected_table(a, "tbl_1")
    assert live["columns"] == want["columns"]
    assert live["comment"] == (comment or None)
    assert live["properties"]["p"] == value
    # change the comments and the property, rename the column: read back again
    t = a.tables["tbl_1"]
    b = a.model_copy(
        update={
            "tables": {
                "tbl_1": t.model_copy(
                    update={
                        "comment": new_comment,
                        "properties": {"p": new_comment},
                        "columns": (
                            t.columns[0].model_copy(update={"name": col + "_x", "comment": new_comment}),
                            t.columns[1],
                        ),
                    }
                )
            }
        }
    )
    for s in build_plan(a, b, target, capabilities=OSS_DELTA).statements:
        spark.sql(s.sql)
    live = live_table(spark, name)
    assert live["columns"] == expected_table(b, "tbl_1")["columns"]
    assert (live["comment"], live["properties"]["p"]) == (new_comment or None, new_comment)
    # nothing else ran: exactly one new table, with no rows
    after_tables = {r[1] for r in spark.sql(f"SHOW TABLES IN {fuzz_schema}").collect()}
    assert after_tables - before_tables == {table}
    assert spark.sql(f"SELECT count(*) FROM {name}").collect()[0][0] == 0
    spark.sql(f"DROP TABLE {name}")


# ---------------------------------------------------------------------------------------------------
# random pairs of states, deployed
# ---------------------------------------------------------------------------------------------------


def _valid_on_delta(state: State) -> bool:
    """States the op log allows but no engine could hold (a CHECK or view reading what is gone)."""
    for t in state.tables.values():
        names = {c.name.lower() for c in t.columns}
        for con in t.constraints:
            if con.kind == "check" and not columns_read(con.expression or "") <= names:
                return False
    for v in state.views.values():
        cat, sch = state.path(v.schema_id)
        for parts in relations_read(v.definition):
            found = state.find(resolve(parts, cat, sch))
            if found is None or found not in state.tables or state.tables[found].column_named("id") is None:
                return False
    return True


PICKS = st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 2**32)), min_size=1, max_size=8)


@settings(
    max_examples=examples(8),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(PICKS, PICKS)
def test_random_plans_deploy_to_exactly_the_target_state(
    spark: Any, picks_a: list[tuple[int, int]], picks_b: list[tuple[int, int]]
) -> None:
    a, b = rs.pair(picks_a, picks_b, rs.LOCAL_MUTATIONS)
    assume(_valid_on_delta(a) and _valid_on_delta(b))
    prefix = f"{RUN}_{next(COUNTER)}_"
    target = Target({"shop": "spark_catalog"}, schema_prefix=prefix)
    try:
        first = build_plan(State(), a, target, capabilities=OSS_DELTA)
        assert not first.unsupported, first.unsupported
        for s in first.statements:
            spark.sql(s.sql)
        for t in a.tables.values():
            if t.column_named("id") is not None:
                name = ".".join(f"`{p}`" for p in ("spark_catalog", prefix + a.path(t.schema_id)[1], t.name))
                spark.sql(f"INSERT INTO {name} (`{t.column_named('id').name}`) VALUES (1)")  # type: ignore[union-attr]
        plan = build_plan(a, b, target, capabilities=OSS_DELTA)
        assert not plan.unsupported, plan.unsupported
        for s in plan.statements:
            spark.sql(s.sql)
        for tid, t in b.tables.items():
            name = ".".join(f"`{p}`" for p in ("spark_catalog", prefix + b.path(t.schema_id)[1], t.name))
            live, want = live_table(spark, name), expected_table(b, tid)
            live_props, want_props = live.pop("properties"), want.pop("properties")
            # a CHECK that reads a renamed column is added back with the new name (same constraint)
            assert set(live.pop("checks")) == set(want.pop("checks")), name
            assert live == want, name
            assert {k: live_props.get(k) for k in want_props} == want_props, name
            if (
                tid in a.tables
                and a.tables[tid].column_named("id") is not None
                and t.column_named("id") is not None
            ):
                assert spark.sql(f"SELECT count(*) FROM {name}").collect()[0][0] == 1, name
    finally:
        for row in spark.sql("SHOW SCHEMAS IN spark_catalog").collect():
            if row[0].startswith(prefix):
                spark.sql(f"DROP SCHEMA IF EXISTS `spark_catalog`.`{row[0]}` CASCADE")
