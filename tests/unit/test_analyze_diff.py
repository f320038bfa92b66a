"""Analyzers end to end: Project ops → states → ``schemax.plan.diff.diff`` → ``analyze``.

``test_analyze.py`` pins each rule with hand-built changes; this file checks the analyzers see the same
things in the changes the real diff produces (skipped until ``schemax.plan.diff`` exists).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import schemax

diff_module = pytest.importorskip("schemax.plan.diff", reason="schemax.plan.diff is not merged yet")

from test_analyze import LINEAGE, MAPPED, shop  # noqa: E402

from profiles import examples  # noqa: E402
from schemax.analyze import analyze, blocking  # noqa: E402

Mutation = Callable[[schemax.Project], Any]

SCENARIOS: list[tuple[str, Mutation, dict[str, str], set[tuple[str, str]]]] = [
    ("add nullable column", lambda p: p.add_column("shop.sales.orders", "note", "STRING"), {}, set()),
    (
        "add not null column",
        lambda p: p.add_column("shop.sales.orders", "region", "STRING", nullable=False),
        {},
        {("SX301", "shop.sales.orders.region")},
    ),
    (
        "drop column",
        lambda p: p.drop_column("shop.sales.orders", "email"),
        {},
        {("SX101", "shop.sales.orders.email"), ("SX401", "shop.sales.orders")},
    ),
    (
        "rename column on a mapped table",
        lambda p: p.rename_column("shop.sales.orders", "status", "order_status"),
        MAPPED,
        {("SX201", "shop.sales.orders.status")},
    ),
    (
        "rename table",
        lambda p: p.rename_table("shop.sales.orders", "orders_v2"),
        {},
        {("SX202", "shop.sales.orders")},
    ),
    (
        "widen type",
        lambda p: p.change_column_type("shop.sales.orders", "qty", "BIGINT"),
        {},
        {("SX304", "shop.sales.orders.qty"), ("SX402", "shop.sales.orders")},
    ),
    (
        "narrow type",
        lambda p: p.change_column_type("shop.sales.orders", "customer_id", "INT"),
        {},
        {("SX305", "shop.sales.orders.customer_id")},
    ),
    (
        "reorder",
        lambda p: p.reorder_columns(
            "shop.sales.orders", ["email", "id", "status", "qty", "code", "customer_id"]
        ),
        {},
        {("SX501", "shop.sales.orders")},
    ),
    ("drop table", lambda p: p.drop_table("shop.sales.customers"), {}, {("SX102", "shop.sales.customers")}),
    (
        "drop view",
        lambda p: p.drop_view("shop.sales.order_emails"),
        {},
        {("SX103", "shop.sales.order_emails")},
    ),
    ("drop schema", lambda p: p.drop_schema("shop.sales"), {}, {("SX104", "shop.sales")}),
    ("drop catalog", lambda p: p.drop_catalog("shop"), {}, {("SX105", "shop")}),
    (
        "rename view",
        lambda p: p.rename_view("shop.sales.order_emails", "emails"),
        {},
        {("SX203", "shop.sales.order_emails")},
    ),
    ("rename schema", lambda p: p.rename_schema("shop.sales", "commerce"), {}, {("SX204", "shop.sales")}),
    ("rename catalog", lambda p: p.rename_catalog("shop", "store"), {}, {("SX205", "shop")}),
    (
        "set not null",
        lambda p: p.set_column_nullable("shop.sales.orders", "email", False),
        {},
        {("SX302", "shop.sales.orders.email")},
    ),
    (
        "check constraint",
        lambda p: p.add_check_constraint("shop.sales.orders", "qty_pos", "qty > 0"),
        {},
        {("SX303", "shop.sales.orders")},
    ),
    (
        "partitioning",
        lambda p: p.set_partition_by("shop.sales.orders", ["status"]),
        {},
        {("SX306", "shop.sales.orders")},
    ),
    (
        "clustering",
        lambda p: p.set_cluster_by("shop.sales.orders", ["status"]),
        {},
        {("SX502", "shop.sales.orders")},
    ),
    (
        "column mapping by property",
        lambda p: p.set_table_properties("shop.sales.orders", {"delta.columnMapping.mode": "name"}),
        {},
        {("SX401", "shop.sales.orders")},
    ),
]


@pytest.mark.parametrize(("title", "mutate", "props", "expected"), SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_diff_changes_produce_the_expected_findings(
    title: str, mutate: Mutation, props: dict[str, str], expected: set[tuple[str, str]]
) -> None:
    p = shop(**props)
    before = p.state()
    mutate(p)
    after = p.state()
    findings = analyze(diff_module.diff(before, after), before, after, lineage=LINEAGE)
    found = {(f.code, f.object_name) for f in findings}
    assert expected <= found, f"{title}: {sorted(found)}"
    if not expected:
        assert not [f for f in findings if f.severity.value != "info"], findings


def test_no_changes_no_findings() -> None:
    state = shop().state()
    assert analyze(diff_module.diff(state, state), state, state, lineage=LINEAGE) == []


def test_revoke_through_diff() -> None:
    p = shop()
    p.grant("shop.sales.orders", "analysts", ["SELECT", "MODIFY"])
    before = p.state()
    p.revoke("shop.sales.orders", "analysts", ["MODIFY"])
    after = p.state()
    findings = analyze(diff_module.diff(before, after), before, after, lineage=LINEAGE)
    assert [(f.code, f.object_name) for f in blocking(findings)] == [("SX207", "shop.sales.orders")]


def test_drop_column_names_views_through_diff() -> None:
    p = shop(**MAPPED)
    before = p.state()
    p.drop_column("shop.sales.orders", "email")
    after = p.state()
    findings = analyze(diff_module.diff(before, after), before, after, lineage=LINEAGE)
    f = next(f for f in findings if f.code == "SX101")
    assert f.views == ("shop.sales.all_orders", "shop.sales.order_emails")
    assert f.indirect_views == ("shop.reporting.email_report",)


# ---------------------------------------------------------------------------------------------------
# property: any sequence of ops → findings that are well-formed, sorted and name only real views
# ---------------------------------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from schemax.analyze import RULES  # noqa: E402

OPS: list[Mutation] = [
    lambda p: p.add_column("shop.sales.orders", "note", "STRING"),
    lambda p: p.add_column("shop.sales.customers", "tier", "STRING", nullable=False),
    lambda p: p.drop_column("shop.sales.orders", "email"),
    lambda p: p.rename_column("shop.sales.orders", "status", "state"),
    lambda p: p.change_column_type("shop.sales.orders", "qty", "BIGINT"),
    lambda p: p.change_column_type("shop.sales.orders", "code", "INT"),
    lambda p: p.set_column_nullable("shop.sales.orders", "code", False),
    lambda p: p.rename_table("shop.sales.customers", "clients"),
    lambda p: p.drop_view("shop.sales.order_emails"),
    lambda p: p.update_view("shop.sales.all_orders", "SELECT id FROM orders"),
    lambda p: p.set_cluster_by("shop.sales.orders", ["id"]),
    lambda p: p.set_table_properties("shop.sales.orders", {"delta.enableDeletionVectors": "true"}),
    lambda p: p.add_check_constraint("shop.sales.orders", "qty_pos", "qty > 0"),
    lambda p: p.grant("shop.sales.orders", "analysts", ["SELECT"]),
    lambda p: p.rename_schema("shop.reporting", "bi"),
    lambda p: p.drop_schema("shop.reporting"),
]


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=0, max_value=len(OPS) - 1), min_size=1, max_size=6))
def test_findings_are_well_formed_for_any_op_sequence(picks: list[int]) -> None:
    p = shop()
    before = p.state()
    for i in picks:
        try:
            OPS[i](p)
        except schemax.SchemaxError:
            pass  # the op no longer applies (e.g. column already dropped)
    after = p.state()
    findings = analyze(diff_module.diff(before, after), before, after, lineage=LINEAGE)
    by_code = {r.code: r for r in RULES}
    view_names = {before.full_name(v) for v in before.views}
    assert findings == sorted(findings, key=lambda f: f.sort_key)
    assert len(set(findings)) == len(findings)
    for f in findings:
        assert f.code in by_code and by_code[f.code].name == f.name and by_code[f.code].severity is f.severity
        assert f.blocking == f.severity.blocks
        assert f.message and f.impact and f.object_name
        assert set(f.views) <= view_names and set(f.indirect_views) <= view_names
        assert not set(f.views) & set(f.indirect_views)
