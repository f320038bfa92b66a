"""A diff expressed as ops: replaying ``ops_between(a, b)`` on ``a`` gives exactly ``b``."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import schemax
from profiles import examples
from schemax.adapters.memory import MemoryStore
from schemax.core.model import State
from schemax.core.replay import replay
from schemax.plan.to_ops import ops_between


def _base(p: schemax.Project) -> None:
    p.create_catalog("c")
    p.create_schema("c.s")
    p.create_schema("c.r")
    p.create_table("c.r.ref", [schemax.Column("k", "INT", nullable=False), schemax.Column("label", "STRING")])
    p.add_primary_key("c.r.ref", ["k"])
    for i in range(3):
        columns = [
            schemax.Column("id", "BIGINT", nullable=False),
            schemax.Column("a", "INT"),
            schemax.Column("b", "STRING", comment="bee"),
        ]
        p.create_table(f"c.s.t{i}", columns)
    p.create_view("c.s.v", "SELECT id FROM c.s.t0")


def _mutate(p: schemax.Project, rng: random.Random, steps: int) -> None:
    """Random valid edits; edits that are invalid in the current state are simply skipped."""
    actions = [
        lambda t: p.add_column(t, f"n{rng.randrange(1000)}", rng.choice(["INT", "STRING", "DATE"]),
                               first=rng.random() < 0.2),
        lambda t: p.drop_column(t, rng.choice(["a", "b"])),
        lambda t: p.rename_column(t, rng.choice(["a", "b"]), f"r{rng.randrange(100)}"),
        lambda t: p.change_column_type(t, "a", rng.choice(["BIGINT", "DOUBLE", "STRING"])),
        lambda t: p.set_column_comment(t, "b", rng.choice([None, "x", "it's"])),
        lambda t: p.set_column_nullable(t, "a", rng.random() < 0.5),
        lambda t: p.set_table_comment(t, rng.choice([None, "c1", "c2"])),
        lambda t: p.set_table_properties(t, {f"k{rng.randrange(3)}": str(rng.randrange(9))}),
        lambda t: p.unset_table_properties(t, ["k0"]),
        lambda t: p.set_tags(t, {"owner": rng.choice(["x", "y"])}),
        lambda t: p.set_tags(f"{t}.id", {"pii": "no"}),
        lambda t: p.unset_tags(t, ["owner"]),
        lambda t: p.set_cluster_by(t, rng.choice([[], ["id"]])),
        lambda t: p.set_partition_by(t, rng.choice([[], ["id"]])),
        lambda t: p.reorder_columns(
            t, list(reversed([c.name for c in p.state().tables[p.state().find(t)].columns]))
        ),
        lambda t: p.add_check_constraint(t, f"ck{rng.randrange(3)}", "id > 0"),
        lambda t: p.drop_constraint(t, "ck0"),
        lambda t: p.add_column(t, "k", "INT") and p.add_foreign_key(t, ["k"], "c.r.ref", ["k"], name="fk"),
        lambda t: p.drop_constraint(t, "fk"),
        lambda t: p.grant(t, "analysts", [rng.choice(["SELECT", "MODIFY"])]),
        lambda t: p.revoke(t, "analysts", ["SELECT"]),
        lambda t: p.set_column_mask(t, "b", "c.s.m"),
        lambda t: p.drop_column_mask(t, "b"),
        lambda t: p.set_row_filter(t, "c.s.f", ["id"]),
        lambda t: p.drop_row_filter(t),
        lambda t: p.rename_table(t, f"{t.split('.')[-1]}x"),
        lambda t: p.drop_table(t),
        lambda t: p.create_table(f"c.s.new{rng.randrange(5)}", [("id", "INT")]),
        lambda t: p.update_view("c.s.v", f"SELECT id FROM c.s.t{rng.randrange(3)}"),
        lambda t: p.rename_view("c.s.v", "v2"),
        lambda t: p.create_volume(f"c.s.vol{rng.randrange(2)}"),
        lambda t: p.create_function("c.s.f", "true", parameters="x BIGINT", returns="BOOLEAN"),
        lambda t: p.set_tags("c.s", {"domain": rng.choice(["a", "b"])}),
        lambda t: p.set_schema_comment("c.s", rng.choice([None, "s"])),
        lambda t: p.set_schema_properties(rng.choice(["c.s", "c.r"]),
                                          {f"p{rng.randrange(3)}": str(rng.randrange(9))}),
        lambda t: p.unset_schema_properties(rng.choice(["c.s", "c.r"]), ["p0"]),
        lambda t: p.set_catalog_properties("c", {f"p{rng.randrange(3)}": str(rng.randrange(9))}),
        lambda t: p.unset_catalog_properties("c", ["p0"]),
        lambda t: p.set_catalog_comment("c", rng.choice([None, "cat"])),
        lambda t: p.set_tags("c", {"area": rng.choice(["a", "b"])}),
        lambda t: p.rename_schema("c.r", "ref2"),
        lambda t: p.drop_schema("c.r"),
    ]
    for _ in range(steps):
        tables = [p.state().full_name(t) for t in p.state().tables]
        target = rng.choice(tables) if tables else "c.s.t0"
        try:
            rng.choice(actions)(target)
        except schemax.SchemaxError:
            pass


def _pair(seed: int, steps_a: int, steps_b: int) -> tuple[State, State]:
    rng = random.Random(seed)
    p = schemax.Project.create(None, "p", store=MemoryStore(), author="t")
    _base(p)
    p.snapshot("base")
    _mutate(p, rng, steps_a)
    a = p.state()
    p.revert_to("0.1.0")  # back to the shared base, then a different future
    _mutate(p, rng, steps_b)
    return a, p.state()


@given(st.integers(0, 10_000), st.integers(0, 12), st.integers(0, 12))
@settings(max_examples=examples(120), deadline=None)
def test_replaying_ops_between_gives_the_target(seed: int, steps_a: int, steps_b: int) -> None:
    a, b = _pair(seed, steps_a, steps_b)
    ops = ops_between(a, b)
    assert replay(ops, a) == b
    assert ops_between(b, b) == []


def test_revert_to_appends_ops_and_keeps_history() -> None:
    p = schemax.Project.create(None, "p", store=MemoryStore(), author="t")
    _base(p)
    s1 = p.snapshot("base")
    p.drop_table("c.s.t1")
    p.rename_column("c.s.t0", "a", "alpha")
    p.add_column("c.s.t2", "z", "INT")
    n = len(p.ops())
    added = p.revert_to(s1.version)
    assert added and len(p.ops()) == n + len(added)
    assert p.state() == s1.state  # same ids too: the dropped table comes back as itself
    assert p.revert_to(s1.version) == []
    p.verify()


@pytest.mark.parametrize("seed", range(5))
def test_ops_between_from_empty_rebuilds_everything(seed: int) -> None:
    a, _ = _pair(seed, 6, 0)
    assert replay(ops_between(State(), a)) == a


@pytest.mark.parametrize("kind,name", [("catalog", "c"), ("schema", "c.s")])
def test_catalog_and_schema_properties_become_ops(kind: str, name: str) -> None:
    # these had no op kind: ops_between (import_drift, revert_to) dropped them without a word
    p = schemax.Project.create(None, "p", store=MemoryStore(), author="t")
    _base(p)
    getattr(p, f"set_{kind}_properties")(name, {"keep": "1", "change": "a", "drop": "x"})
    a = p.state()
    getattr(p, f"set_{kind}_properties")(name, {"change": "b", "new": "2"})
    getattr(p, f"unset_{kind}_properties")(name, ["drop"])
    b = p.state()
    ops = ops_between(a, b)
    target = b.find(name)
    assert [(op.kind, op.target, op.payload) for op in ops] == [
        (f"set_{kind}_properties", target, {"properties": {"change": "b", "new": "2"}}),
        (f"unset_{kind}_properties", target, {"keys": ["drop"]}),
    ]
    assert replay(ops, a) == b
    assert replay(ops_between(b, a), b) == a


def test_alter_provenance_includes_property_ops() -> None:
    from schemax.plan.diff import attach_op_ids, diff

    p = schemax.Project.create(None, "p", store=MemoryStore(), author="t")
    _base(p)
    a = p.state()
    p.set_schema_properties("c.s", {"k": "v"})
    p.set_schema_comment("c.s", "hello")
    (change,) = attach_op_ids(diff(a, p.state()), p.ops())
    assert change.kind == "alter_schema"
    assert change.op_ids == tuple(op.op_id for op in p.ops()[-2:])


def test_grants_beside_all_privileges_are_recorded_as_all_privileges_alone() -> None:
    """A live catalog may show ALL PRIVILEGES beside other privileges; the model holds ALL PRIVILEGES
    alone (core/uc_rules.py), and the ops are ordered so that recording them is never refused."""
    p = schemax.Project.create(None, "g", store=MemoryStore(), author="t")
    p.create_catalog("c")
    p.create_schema("c.s")
    p.create_table("c.s.t", [schemax.Column("id", "INT")])
    p.grant("c.s.t", "readers", ["SELECT"])
    p.grant("c.s.t", "owners", ["ALL PRIVILEGES"])
    start = p.state()
    tid = start.find("c.s.t")
    assert tid is not None
    live = start.tables[tid].model_copy(update={"grants": {
        "readers": ("ALL PRIVILEGES", "SELECT"), "owners": ("MODIFY",), "etl": ("ALL PRIVILEGES", "MODIFY")}})
    seen = start.model_copy(update={"tables": {**start.tables, tid: live}})
    ops = ops_between(start, seen, author="t")
    assert [(o.kind, o.payload["principal"], o.payload["privileges"]) for o in ops] == [
        ("revoke", "owners", ["ALL PRIVILEGES"]),  # revokes first: nothing is refused when recorded
        ("grant", "etl", ["ALL PRIVILEGES"]),
        ("grant", "owners", ["MODIFY"]),
        ("grant", "readers", ["ALL PRIVILEGES"]),  # recording it replaces the list (revoke SELECT)
    ]
    p.record_ops(ops)  # the record-time rules accept every op, in this order
    assert p.state().tables[tid].grants == {
        "etl": ("ALL PRIVILEGES",), "owners": ("MODIFY",), "readers": ("ALL PRIVILEGES",)}
