"""The pull-request rendering of a plan (:mod:`schemax.display.markdown`): golden cases byte for byte, and
text from the plan never changes the layout."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

CASES_DIR = Path(__file__).resolve().parents[1] / "cases"
sys.path.insert(0, str(CASES_DIR))

import make_cases  # noqa: E402

import schemax  # noqa: E402
from schemax.display import plan_markdown  # noqa: E402
from schemax.display.markdown import md_code, md_text  # noqa: E402
from schemax.plan import build_plan  # noqa: E402
from schemax.plan.describe import describe  # noqa: E402

# cases kept as tests/cases/<name>/review.md: blocking findings, many objects, what the engine cannot run
REVIEWED = sorted(p.parent.name for p in CASES_DIR.glob("*/review.md"))


def test_there_are_reviewed_cases() -> None:
    assert len(REVIEWED) >= 3


@pytest.mark.parametrize("name", REVIEWED)
def test_plan_markdown_matches_its_golden_file(name: str) -> None:
    before, after, conf = make_cases.load(CASES_DIR / name)
    plan = make_cases.plan_for(before, after, conf)
    expected = (CASES_DIR / name / "review.md").read_text(encoding="utf-8")
    assert plan.to_markdown() == expected
    assert plan_markdown(plan, describe) == expected
    assert plan.sql.rstrip("\n") in expected


def test_text_from_the_plan_cannot_change_the_layout() -> None:
    assert md_text("a | b\n# c <b>*x*</b> [l](u) `q`") == r"a \| b \# c \<b>\*x\*\</b> \[l\](u) \`q\`"
    assert md_code("x`y|z") == "``x`y\\|z``"
    assert md_code("`edge`") == "`` `edge` ``"


def test_an_empty_plan_says_so_and_sql_fences_outgrow_backticks() -> None:
    p = schemax.Project.in_memory("shop")
    p.create_catalog("shop")
    p.create_schema("shop.s", comment="```sql fence``` inside")
    empty = build_plan(p.state(), p.state())
    assert "Nothing to do" in empty.to_markdown() and "```sql" not in empty.to_markdown()
    text = build_plan(schemax.State(), p.state()).to_markdown()
    assert "\n````sql\n" in text and "\n````\n" in text
