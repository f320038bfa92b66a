"""Literal and identifier fuzzing of rendered plans (hypothesis), checked with sqlglot's Databricks lexer.

Every comment, property value, tag value and column name a user can type goes through the renderer; the
lexer must read back exactly the values we put in (its string tokens decode ``\\'``, ``\\\\``, ``\\n`` the
way Spark does) and see exactly one statement (no ``;`` outside a literal, no comment swallowing the rest).
The executed counterpart on local Delta is ``tests/integration/test_plan_fuzz_spark.py``.
"""

from __future__ import annotations

import sqlglot
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlglot.dialects.databricks import Databricks
from sqlglot.tokens import TokenType

from profiles import examples
from schemax.core.model import Catalog, Column, Schema, State, Table, View
from schemax.plan import OSS_DELTA, Target, build_plan

TRICKY = [
    "'",
    "\\",
    '"',
    "\n",
    "\r",
    "\t",
    "--",
    ";",
    "/*",
    "*/",
    "${x}",
    "`",
    "''",
    "\\'",
    "\\n",
    "é",
    "😀",
    "日本",
    "\u2028",
    "\x01",
    "\x7f",
    " ",
    "%",
    "_",
]

text = st.lists(
    st.one_of(
        st.sampled_from(TRICKY),
        st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=8),
    ),
    max_size=6,
).map("".join)
column_name = text.filter(
    lambda s: s != "" and "${" not in s and all(c >= " " and c != "\x7f" for c in s) and len(s) <= 255
)

LEXER = Databricks()


def tokens(sql: str) -> tuple[list[str], list[str], int]:
    toks = LEXER.tokenize(sql)
    strings = [t.text for t in toks if t.token_type == TokenType.STRING]
    idents = [t.text for t in toks if t.token_type == TokenType.IDENTIFIER]
    semis = sum(1 for t in toks if t.token_type == TokenType.SEMICOLON)
    return strings, idents, semis


def one_table_state(col: str, comment: str, col_comment: str, value: str, tag: str) -> State:
    columns = (
        Column(id="col_1", name=col, type="STRING", comment=col_comment, tags={"k": tag}),
        Column(id="col_2", name=f"{col}_2" if len(col) < 250 else "other", type="INT"),
    )
    return State(
        catalogs={"cat_1": Catalog(id="cat_1", name="shop")},
        schemas={"sch_1": Schema(id="sch_1", catalog_id="cat_1", name="sales")},
        tables={
            "tbl_1": Table(
                id="tbl_1",
                schema_id="sch_1",
                name="t",
                comment=comment,
                columns=columns,
                properties={"p": value},
                tags={"t": tag},
            )
        },
    )


@settings(max_examples=examples(1200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(column_name, text, text, text, text)
@example("a`b c", "it's", "back\\slash", "x; DROP TABLE y; --", "line\nbreak")
def test_created_table_literals_and_names_read_back_exactly(
    col: str, comment: str, col_comment: str, value: str, tag: str
) -> None:
    state = one_table_state(col, comment, col_comment, value, tag)
    plan = build_plan(State(), state, Target({"shop": "dev"}))
    create = next(s for s in plan.statements if s.sql.startswith("CREATE TABLE"))
    strings, idents, semis = tokens(create.sql)
    assert semis == 0
    assert strings == [
        col_comment,
        comment,
        *[
            v
            for kv in sorted(
                {
                    "p": value,
                    **(
                        {"delta.columnMapping.mode": "name"}
                        if "'delta.columnMapping.mode'" in create.sql
                        else {}
                    ),
                }.items()
            )
            for v in kv
        ],
    ]
    assert idents[:4] == ["dev", "sales", "t", col]
    assert len(sqlglot.parse(create.sql, read="databricks")) == 1
    for st_ in plan.statements:
        assert tokens(st_.sql)[2] == 0
        if st_.capability == "tags":  # not "SET TAGS" in the SQL: a property value may say that
            assert tag in tokens(st_.sql)[0]


@settings(max_examples=examples(500), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text, text, column_name, column_name)
def test_changed_literals_and_renames_read_back_exactly(old: str, new: str, col: str, renamed: str) -> None:
    before = one_table_state(col, old, old, old, old)
    table = before.tables["tbl_1"]
    cols = (table.columns[0].model_copy(update={"name": renamed, "comment": new}), table.columns[1])
    if cols[0].name.lower() == cols[1].name.lower():
        return
    after = before.model_copy(
        update={
            "tables": {
                "tbl_1": table.model_copy(
                    update={"comment": new, "columns": cols, "properties": {"p": new}, "tags": {"t": new}}
                )
            }
        }
    )
    plan = build_plan(before, after, Target(), capabilities=OSS_DELTA)
    for s in plan.statements:
        strings, idents, semis = tokens(s.sql)
        assert semis == 0
        if "RENAME COLUMN" in s.sql and col != renamed:
            assert idents[-2:] == [col, renamed]
        if s.sql.startswith("COMMENT ON TABLE") and new:
            assert strings == [new]
        if "ALTER COLUMN" in s.sql and " COMMENT " in s.sql:
            assert strings == [new]
        if "SET TBLPROPERTIES ('p'" in s.sql:
            assert strings == ["p", new]
        if s.reverse:
            assert tokens(s.reverse)[2] == s.reverse.count(";\n")


@settings(max_examples=examples(300), deadline=None)
@given(text, column_name)
def test_view_definition_and_comment(comment: str, alias: str) -> None:
    view = View(
        id="viw_1",
        schema_id="sch_1",
        name="v",
        comment=comment,
        definition=f"SELECT 1 AS `{alias.replace('`', '``')}` FROM sales.t",
    )
    state = one_table_state("c", "", "", "", "").model_copy(update={"views": {"viw_1": view}})
    plan = build_plan(State(), state, Target({"shop": "dev"}))
    sql = next(s.sql for s in plan.statements if "VIEW" in s.sql)
    strings, idents, semis = tokens(sql)
    assert semis == 0 and strings == [comment]
    assert idents[-3:] == ["dev", "sales", "t"] and alias in idents
