"""Random but valid states for the planner's property tests, built through the Project API.

``evolve(p, picks)`` applies a sequence of mutations, each picked by an index and given a seeded
``random.Random`` to choose its targets; a mutation the current state rejects is skipped. Starting
from :func:`base` and evolving twice gives a realistic pair (renames and drops keep stable ids).

``LOCAL_MUTATIONS`` is the subset local Spark + Delta can deploy (no tags, grants, row filters, masks,
PK/FK, SET NOT NULL, volumes), for the tests that execute plans.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

import schemax
from schemax.adapters.memory import MemoryStore
from schemax.core.model import State

COL = schemax.Column
Mutation = Callable[[schemax.Project, random.Random], Any]

TYPES = ["INT", "BIGINT", "STRING", "DOUBLE", "DATE", "DECIMAL(10,2)", "BOOLEAN", "SMALLINT", "FLOAT"]
WORDS = ["alpha", "beta", "gamma", "delta", "eps", "zeta", "eta", "theta", "iota", "kappa"]
TEXTS = ["plain", "it's", "back\\slash", "semi;colon -- dash", "two\nlines", "ünïcödé 😀", ""]


def base(schemas: Sequence[str] = ("sales", "ref")) -> schemax.Project:
    p = schemax.Project.create(None, "rnd", store=MemoryStore(), author="prop")
    p.create_catalog("shop")
    for s in schemas:
        p.create_schema(f"shop.{s}")
    p.create_table(
        "shop.sales.orders",
        [
            COL("id", "BIGINT", nullable=False),
            COL("qty", "INT"),
            COL("status", "STRING"),
            COL("amount", "DECIMAL(10,2)"),
        ],
    )
    p.create_table("shop.sales.customers", [COL("id", "BIGINT", nullable=False), COL("name", "STRING")])
    return p


def _tables(p: schemax.Project, schema: str | None = None) -> list[str]:
    s = p.state()
    return sorted(
        s.full_name(t) for t in s.tables if schema is None or s.full_name(t).split(".")[1] == schema
    )


def _table(p: schemax.Project, r: random.Random) -> str:
    names = _tables(p)
    if not names:
        raise schemax.SchemaxError("no table")
    return r.choice(names)


def _column(p: schemax.Project, r: random.Random, table: str) -> str:
    s = p.state()
    t = s.tables[s.find(table)]  # type: ignore[index]
    return r.choice([c.name for c in t.columns])


def _schema(p: schemax.Project, r: random.Random) -> str:
    s = p.state()
    names = sorted(s.full_name(x) for x in s.schemas)
    if not names:
        raise schemax.SchemaxError("no schema")
    return r.choice(names)


def _fresh(r: random.Random) -> str:
    return f"{r.choice(WORDS)}_{r.randrange(1000)}"


def add_table(p: schemax.Project, r: random.Random) -> None:
    cols = [COL("id", "BIGINT", nullable=False)] + [
        COL(_fresh(r), r.choice(TYPES), comment=r.choice([None, *TEXTS])) for _ in range(r.randrange(1, 4))
    ]
    p.create_table(
        f"{_schema(p, r)}.{_fresh(r)}",
        cols,
        comment=r.choice([None, *TEXTS]),
        properties=r.choice([{}, {"team": r.choice(TEXTS)}]),
    )


def drop_table(p: schemax.Project, r: random.Random) -> None:
    p.drop_table(_table(p, r))


def rename_table(p: schemax.Project, r: random.Random) -> None:
    p.rename_table(_table(p, r), _fresh(r))


def add_column(p: schemax.Project, r: random.Random) -> None:
    t = _table(p, r)
    where = r.choice(["end", "end", "after", "first"])
    p.add_column(
        t,
        _fresh(r),
        r.choice(TYPES),
        comment=r.choice([None, *TEXTS]),
        after=_column(p, r, t) if where == "after" else None,
        first=where == "first",
    )


def drop_column(p: schemax.Project, r: random.Random) -> None:
    t = _table(p, r)
    p.drop_column(t, _column(p, r, t))


def rename_column(p: schemax.Project, r: random.Random) -> None:
    t = _table(p, r)
    p.rename_column(t, _column(p, r, t), _fresh(r))


def widen_column(p: schemax.Project, r: random.Random) -> None:
    t = _table(p, r)
    s = p.state()
    table = s.tables[s.find(t)]  # type: ignore[index]
    wider = {"INT": "BIGINT", "SMALLINT": "INT", "FLOAT": "DOUBLE", "DECIMAL(10,2)": "DECIMAL(12,2)"}
    candidates = [c.name for c in table.columns if c.type in wider]
    if not candidates:
        raise schemax.SchemaxError("nothing to widen")
    name = r.choice(candidates)
    p.change_column_type(t, name, wider[table.column_named(name).type])  # type: ignore[union-attr]


def retype_column(p: schemax.Project, r: random.Random) -> None:
    # only changes every engine can CAST (a DATE never casts to a number)
    t = _table(p, r)
    name = _column(p, r, t)
    s = p.state()
    current = s.tables[s.find(t)].column_named(name).type  # type: ignore[index, union-attr]
    p.change_column_type(t, name, r.choice(["BIGINT", "DOUBLE"]) if current == "STRING" else "STRING")


def column_comment(p: schemax.Project, r: random.Random) -> None:
    t = _table(p, r)
    p.set_column_comment(t, _column(p, r, t), r.choice([None, *TEXTS]))


def drop_not_null(p: schemax.Project, r: random.Random) -> None:
    t = _table(p, r)
    p.set_column_nullable(t, _column(p, r, t), True)


def set_not_null(p: schemax.Project, r: random.Random) -> None:
    t = _table(p, r)
    p.set_column_nullable(t, _column(p, r, t), False)


def column_default(p: schemax.Project, r: random.Random) -> None:
    t = _table(p, r)
    s = p.state()
    table = s.tables[s.find(t)]  # type: ignore[index]
    strings = [c.name for c in table.columns if c.type == "STRING"]
    if not strings:
        raise schemax.SchemaxError("no string column")
    p.set_column_default(t, r.choice(strings), r.choice([None, "'x'", "'it\\'s'"]))


def table_comment(p: schemax.Project, r: random.Random) -> None:
    p.set_table_comment(_table(p, r), r.choice([None, *TEXTS]))


def table_properties(p: schemax.Project, r: random.Random) -> None:
    p.set_table_properties(_table(p, r), {r.choice(["a", "b", "team.name"]): r.choice(TEXTS)})


def unset_table_property(p: schemax.Project, r: random.Random) -> None:
    t = _table(p, r)
    s = p.state()
    keys = sorted(s.tables[s.find(t)].properties)  # type: ignore[index]
    if not keys:
        raise schemax.SchemaxError("no property")
    p.unset_table_properties(t, [r.choice(keys)])


def reorder(p: schemax.Project, r: random.Random) -> None:
    t = _table(p, r)
    s = p.state()
    names = [c.name for c in s.tables[s.find(t)].columns]  # type: ignore[index]
    r.shuffle(names)
    p.reorder_columns(t, names)


def cluster(p: schemax.Project, r: random.Random) -> None:
    t = _table(p, r)
    p.set_cluster_by(t, r.choice([[], [_column(p, r, t)]]))


def partition(p: schemax.Project, r: random.Random) -> None:
    t = _table(p, r)
    p.set_partition_by(t, r.choice([[], [_column(p, r, t)]]))


def check(p: schemax.Project, r: random.Random) -> None:
    t = _table(p, r)
    p.add_check_constraint(t, _fresh(r), r.choice(["id > 0", "id IS NOT NULL", "id < 1000000"]))


def drop_check(p: schemax.Project, r: random.Random) -> None:
    t = _table(p, r)
    s = p.state()
    checks = [c.name for c in s.tables[s.find(t)].constraints if c.kind == "check"]  # type: ignore[index]
    if not checks:
        raise schemax.SchemaxError("no check")
    p.drop_constraint(t, r.choice(checks))


def add_view(p: schemax.Project, r: random.Random) -> None:
    t = _table(p, r)
    p.create_view(f"{_schema(p, r)}.v_{_fresh(r)}", f"SELECT id FROM {t}", comment=r.choice([None, *TEXTS]))


def change_view(p: schemax.Project, r: random.Random) -> None:
    s = p.state()
    if not s.views:
        raise schemax.SchemaxError("no view")
    v = r.choice(sorted(s.full_name(x) for x in s.views))
    p.update_view(v, f"SELECT id FROM {_table(p, r)} WHERE id > {r.randrange(10)}")


def drop_view(p: schemax.Project, r: random.Random) -> None:
    s = p.state()
    if not s.views:
        raise schemax.SchemaxError("no view")
    p.drop_view(r.choice(sorted(s.full_name(x) for x in s.views)))


def add_function(p: schemax.Project, r: random.Random) -> None:
    p.create_function(
        f"{_schema(p, r)}.f_{_fresh(r)}", f"x + {r.randrange(9)}", parameters="x INT", returns="INT"
    )


def schema_ops(p: schemax.Project, r: random.Random) -> None:
    if not p.state().catalogs:
        raise schemax.SchemaxError("no catalog")
    name = f"shop.{_fresh(r)}"
    p.create_schema(name, comment=r.choice([None, *TEXTS]))


# UC-only mutations
def tags(p: schemax.Project, r: random.Random) -> None:
    t = _table(p, r)
    target = r.choice([t, f"{t}.{_column(p, r, t)}", "shop", _schema(p, r)])
    p.set_tags(target, {r.choice(["pii", "tier"]): r.choice(TEXTS[:3])})


def grants(p: schemax.Project, r: random.Random) -> None:
    t = _table(p, r)
    if r.random() < 0.6:
        p.grant(t, r.choice(["analysts", "etl"]), [r.choice(["SELECT", "MODIFY"])])
    else:
        s = p.state()
        held = s.tables[s.find(t)].grants  # type: ignore[index]
        if not held:
            raise schemax.SchemaxError("no grants")
        principal = r.choice(sorted(held))
        p.revoke(t, principal, [r.choice(held[principal])])


def row_filter(p: schemax.Project, r: random.Random) -> None:
    t = _table(p, r)
    if r.random() < 0.7:
        p.set_row_filter(t, "shop.sales.rf", [_column(p, r, t)])
    else:
        p.drop_row_filter(t)


def mask(p: schemax.Project, r: random.Random) -> None:
    t = _table(p, r)
    p.set_column_mask(t, _column(p, r, t), "mask_fn")


def keys(p: schemax.Project, r: random.Random) -> None:
    t = _table(p, r)
    s = p.state()
    table = s.tables[s.find(t)]  # type: ignore[index]
    if not any(c.kind == "primary_key" for c in table.constraints):
        p.add_primary_key(t, ["id"])
    else:
        other = _table(p, r)
        p.add_column(other, f"ref_{_fresh(r)}", "BIGINT")
        cols = [c.name for c in p.state().tables[p.state().find(other)].columns]  # type: ignore[index]
        p.add_foreign_key(other, [cols[-1]], t, ["id"])


def volume(p: schemax.Project, r: random.Random) -> None:
    p.create_volume(f"{_schema(p, r)}.vol_{_fresh(r)}", comment=r.choice([None, *TEXTS]))


def drop_schema(p: schemax.Project, r: random.Random) -> None:
    p.drop_schema(_schema(p, r))


LOCAL_MUTATIONS: list[Mutation] = [
    add_table,
    drop_table,
    rename_table,
    add_column,
    drop_column,
    rename_column,
    widen_column,
    retype_column,
    column_comment,
    drop_not_null,
    column_default,
    table_comment,
    table_properties,
    unset_table_property,
    reorder,
    cluster,
    partition,
    check,
    drop_check,
    add_view,
    change_view,
    drop_view,
    add_function,
    schema_ops,
]
ALL_MUTATIONS: list[Mutation] = [
    *LOCAL_MUTATIONS,
    set_not_null,
    tags,
    grants,
    row_filter,
    mask,
    keys,
    volume,
    drop_schema,
]


def evolve(p: schemax.Project, picks: Sequence[tuple[int, int]], mutations: Sequence[Mutation]) -> State:
    for index, seed in picks:
        try:
            mutations[index % len(mutations)](p, random.Random(seed))
        except schemax.SchemaxError:
            pass  # the state does not allow this mutation now: skip it
    return p.state()


def pair(
    picks_a: Sequence[tuple[int, int]],
    picks_b: Sequence[tuple[int, int]],
    mutations: Sequence[Mutation] = ALL_MUTATIONS,
) -> tuple[State, State]:
    p = base()
    a = evolve(p, picks_a, mutations)
    b = evolve(p, picks_b, mutations)
    return a, b
