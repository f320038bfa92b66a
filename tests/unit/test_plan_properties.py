"""Planner invariants over random pairs of states (hypothesis).

* ``plan(a, a)`` is empty;
* ``apply_changes(a, diff(a, b)) == b`` (the differ misses nothing and invents nothing), for pairs where
  ``b`` evolves from ``a`` and for pairs that diverge from a common base;
* the order is a permutation of the diff, deterministic, and respects dependencies: a view after what it
  reads, a foreign key after the table it references, drops before creates of the same name;
* every rendered statement and reverse parses as Databricks SQL, on both engines.
"""

from __future__ import annotations

import sys
from pathlib import Path

import sqlglot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cases"))

import random_states as rs  # noqa: E402

import schemax  # noqa: E402
from profiles import examples
from schemax.adapters.memory import MemoryStore  # noqa: E402
from schemax.core.model import State  # noqa: E402
from schemax.plan import OSS_DELTA, UNITY_CATALOG, Target, apply_changes, build_plan, diff, order_changes  # noqa: E402
from schemax.plan import changes as ch  # noqa: E402
from schemax.plan.capabilities import CAPABILITIES  # noqa: E402
from schemax.plan.lineage import view_dependencies  # noqa: E402

PICKS = st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 2**32)), max_size=12)
SETTINGS = settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def diverging(picks_a: list[tuple[int, int]], picks_b: list[tuple[int, int]]) -> tuple[State, State]:
    """Two states grown separately from one base: both sides hold objects the other lacks."""
    p = rs.base()
    base_ops = p.ops()
    a = rs.evolve(p, picks_a, rs.ALL_MUTATIONS)
    q = schemax.Project.create(None, "other", store=MemoryStore(), author="prop")
    q.record_ops(base_ops)
    b = rs.evolve(q, picks_b, rs.ALL_MUTATIONS)
    return a, b


@SETTINGS
@given(PICKS)
def test_plan_of_a_state_against_itself_is_empty(picks: list[tuple[int, int]]) -> None:
    a = rs.evolve(rs.base(), picks, rs.ALL_MUTATIONS)
    assert diff(a, a) == []
    plan = build_plan(a, a, Target({"shop": "dev_shop"}))
    assert plan.is_empty and plan.statements == () and plan.findings == ()
    assert build_plan(State(), State()).is_empty


@SETTINGS
@given(PICKS, PICKS)
def test_applying_the_diff_gives_the_target_state(
    picks_a: list[tuple[int, int]], picks_b: list[tuple[int, int]]
) -> None:
    a, b = rs.pair(picks_a, picks_b)
    assert apply_changes(a, diff(a, b)) == b
    assert apply_changes(b, diff(b, a)) == a


@SETTINGS
@given(PICKS, PICKS)
def test_applying_the_diff_between_diverging_states(
    picks_a: list[tuple[int, int]], picks_b: list[tuple[int, int]]
) -> None:
    a, b = diverging(picks_a, picks_b)
    assert apply_changes(a, diff(a, b)) == b
    assert apply_changes(State(), diff(State(), b)) == b
    assert apply_changes(a, diff(a, State())) == State()


def _position(ordered: list[ch.Change]) -> dict[tuple[str, str], int]:
    pos: dict[tuple[str, str], int] = {}
    for i, c in enumerate(ordered):
        pos.setdefault((type(c).__name__, c.subject), i)
    return pos


@SETTINGS
@given(PICKS, PICKS)
def test_order_is_a_stable_dependency_respecting_permutation(
    picks_a: list[tuple[int, int]], picks_b: list[tuple[int, int]]
) -> None:
    a, b = diverging(picks_a, picks_b)
    changes = diff(a, b)
    ordered = order_changes(changes, a, b)
    assert sorted(map(id, ordered)) == sorted(map(id, changes))
    assert [id(c) for c in order_changes(list(reversed(changes)), a, b)] == [id(c) for c in ordered]
    pos = _position(ordered)
    # created views come after the created/changed views they read
    deps = view_dependencies(b)
    for c in ordered:
        if isinstance(c, ch.CreateView):
            for dep in deps.get(c.subject, ()):
                if ("CreateView", dep) in pos:
                    assert pos[("CreateView", dep)] < pos[("CreateView", c.subject)]
                if ("CreateTable", dep) in pos:
                    assert pos[("CreateTable", dep)] < pos[("CreateView", c.subject)]
    # dropped views go before the dropped tables and views they read
    before_deps = view_dependencies(a)
    for c in ordered:
        if isinstance(c, ch.DropView):
            for dep in before_deps.get(c.subject, ()):
                for kind in ("DropTable", "DropView"):
                    if (kind, dep) in pos:
                        assert pos[("DropView", c.subject)] < pos[(kind, dep)]
    # every drop of a schema comes after the drops of what it held; catalogs last
    kinds = [type(c).__name__ for c in ordered]
    if "DropCatalog" in kinds:
        assert all(
            k not in ("DropTable", "DropSchema", "DropView") for k in kinds[kinds.index("DropCatalog") :]
        )


@SETTINGS
@given(PICKS, PICKS, st.booleans())
def test_every_statement_renders_and_parses(
    picks_a: list[tuple[int, int]], picks_b: list[tuple[int, int]], local: bool
) -> None:
    a, b = diverging(picks_a, picks_b)
    caps = OSS_DELTA if local else UNITY_CATALOG
    target = Target(
        {"shop": "spark_catalog" if local else "prod_shop"}, schema_prefix="dev_" if local else ""
    )
    plan = build_plan(a, b, target, capabilities=caps)
    again = build_plan(a, b, target, capabilities=caps)
    assert plan.sql == again.sql
    for s in plan.statements:
        assert s.capability in CAPABILITIES
        assert s.sql and not s.sql.endswith(";")
        if not (s.sql.startswith("COMMENT ON ") and s.sql.endswith("IS NULL")):
            assert sqlglot.parse(s.sql, read="databricks")
        assert ("`shop`" not in s.sql) or not local  # every logical catalog is mapped
    for s, reason in plan.unsupported:
        assert not caps.supports(s.capability) or "does not exist" in reason
    assert plan.sql.count(";\n\n") == max(len(plan.statements) - 1, 0)
