"""The notebook HTML of :mod:`schemax.display`: the plan review screen byte for byte against golden
cases, and the package's place in the dependency order (it never imports the planner at runtime)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

CASES_DIR = Path(__file__).resolve().parents[1] / "cases"
DISPLAY_DIR = Path(__file__).resolve().parents[2] / "src" / "schemax" / "display"
sys.path.insert(0, str(CASES_DIR))

import make_cases  # noqa: E402

from schemax.display import (  # noqa: E402
    CSS,
    PLAN_CSS,
    deployment_html,
    plan_html,
    snapshots_html,
    timeline_svg,
)
from schemax.plan.describe import describe  # noqa: E402

# cases whose review screen is kept as tests/cases/<name>/review.html: blocking findings, findings on many
# objects, statements the engine cannot run, notes
REVIEWED = sorted(p.parent.name for p in CASES_DIR.glob("*/review.html"))


def test_there_are_reviewed_cases() -> None:
    assert len(REVIEWED) >= 4


@pytest.mark.parametrize("name", REVIEWED)
def test_plan_review_screen_matches_its_golden_html(name: str) -> None:
    before, after, conf = make_cases.load(CASES_DIR / name)
    plan = make_cases.plan_for(before, after, conf)
    expected = (CASES_DIR / name / "review.html").read_text(encoding="utf-8")
    assert plan._repr_html_() == expected
    assert plan_html(plan, describe) == expected
    assert f"<style>{PLAN_CSS}</style>" in expected


def _runtime_imports(path: Path) -> set[str]:
    """Modules ``path`` imports outside ``if TYPE_CHECKING:`` blocks."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip.update(id(n) for n in ast.walk(node))
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
    return out


@pytest.mark.parametrize("path", sorted(DISPLAY_DIR.glob("*.py")), ids=lambda p: p.name)
def test_display_sits_just_above_the_core(path: Path) -> None:
    imported = {m for m in _runtime_imports(path) if m.startswith("schemax")}
    allowed = ("schemax.display", "schemax.core", "schemax.errors")
    assert all(m.startswith(allowed) for m in imported), sorted(imported)


def test_history_helpers_are_exported() -> None:
    assert "<style>" in CSS
    assert callable(deployment_html) and callable(snapshots_html) and callable(timeline_svg)
    assert "no snapshots yet" in timeline_svg([])
