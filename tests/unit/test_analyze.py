"""Analyzers: every rule fires with the right code, severity, object name and dependent views.

States are built with the Project API on a MemoryStore; the changes between them are built explicitly from
``schemax.plan.changes`` so each test pins one rule (``test_analyze_diff.py`` runs the same scenarios
through ``schemax.plan.diff`` once it exists). View lineage comes from ``schemax.plan.lineage`` when it is
importable, otherwise from a small sqlglot stub with the same API (see ``lineage`` below).
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import sqlglot
from sqlglot import exp

import schemax
from schemax.adapters.memory import MemoryStore
from schemax.analyze import RULES, Finding, Severity, analyze, blocking, rule
from schemax.analyze.context import selects_star
from schemax.analyze.rules import CHECKS, FAMILIES, RULES_BY_CODE, check, define
from schemax.core.model import Column, Constraint, State, Table
from schemax.plan.changes import (
    CHANGE_TYPES,
    AddColumn,
    AddConstraint,
    AlterFunction,
    Change,
    ColumnFlag,
    DropCatalog,
    DropColumn,
    DropConstraint,
    DropFunction,
    DropSchema,
    DropTable,
    DropView,
    DropVolume,
    ModifyColumn,
    ObjectFlag,
    RenameCatalog,
    RenameColumn,
    RenameSchema,
    RenameTable,
    RenameView,
    RenameVolume,
    ReorderColumns,
    Revoke,
    SetClustering,
    SetPartitioning,
    SetRowFilter,
    SetTableProperties,
)

ROOT = Path(__file__).resolve().parents[2]

# ---------------------------------------------------------------------------------------------------
# lineage: the real module when present, else a stub with exactly its API
# ---------------------------------------------------------------------------------------------------


def _stub_lineage() -> Any:
    def relations_read(sql: str) -> set[tuple[str, ...]]:
        tree = sqlglot.parse_one(sql, read="databricks")
        ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
        out = set()
        for t in tree.find_all(exp.Table):
            parts = tuple(p for p in (t.catalog, t.db, t.name) if p)
            if len(parts) == 1 and parts[0].lower() in ctes:
                continue
            out.add(parts)
        return out

    def columns_read(sql: str) -> set[str]:
        tree = sqlglot.parse_one(sql, read="databricks")
        return {c.name for c in tree.find_all(exp.Column) if c.name}

    def resolve(parts: tuple[str, ...], default_catalog: str, default_schema: str) -> tuple[str, str, str]:
        full = (default_catalog, default_schema, *parts)[-3:]
        return (full[0], full[1], full[2])

    def view_dependencies(state: State) -> dict[str, set[str]]:
        deps: dict[str, set[str]] = {}
        for view in state.views.values():
            cat, sch = state.path(view.schema_id)
            found = set()
            for parts in relations_read(view.definition):
                oid = state.find(list(resolve(parts, cat, sch)), kinds=("table", "view"))
                if oid is not None:
                    found.add(oid)
            deps[view.id] = found
        return deps

    return SimpleNamespace(
        relations_read=relations_read,
        columns_read=columns_read,
        resolve=resolve,
        view_dependencies=view_dependencies,
    )


try:
    from schemax.plan import lineage as _real_lineage  # type: ignore[attr-defined]

    LINEAGE: Any = _real_lineage
except ImportError:  # the lineage helper is not merged yet
    LINEAGE = _stub_lineage()


def run(changes: list[Change], before: State, after: State) -> list[Finding]:
    return analyze(changes, before, after, lineage=LINEAGE)


# ---------------------------------------------------------------------------------------------------
# a small shop: orders, customers, and views in a two-level chain
# ---------------------------------------------------------------------------------------------------


def shop(**table_props: str) -> schemax.Project:
    p = schemax.Project.create(None, "t", store=MemoryStore())
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.create_schema("shop.reporting")
    p.create_table(
        "shop.sales.orders",
        [
            schemax.Column("id", "BIGINT", nullable=False),
            schemax.Column("email", "STRING"),
            schemax.Column("status", "STRING"),
            schemax.Column("qty", "INT"),
            schemax.Column("code", "VARCHAR(10)"),
            schemax.Column("customer_id", "BIGINT"),
        ],
        properties=dict(table_props),
    )
    p.create_table(
        "shop.sales.customers",
        [schemax.Column("id", "BIGINT", nullable=False), schemax.Column("name", "STRING")],
    )
    p.create_view("shop.sales.order_emails", "SELECT id, email FROM orders")
    p.create_view("shop.sales.order_status", "SELECT o.id, o.status FROM shop.sales.orders AS o")
    p.create_view("shop.sales.all_orders", "SELECT * FROM orders")
    p.create_view("shop.sales.customer_names", "SELECT name FROM customers")
    # second level: reads a view that reads orders.email
    p.create_view("shop.reporting.email_report", "SELECT email FROM shop.sales.order_emails")
    # another schema reading sales directly
    p.create_view("shop.reporting.daily", "SELECT COUNT(*) AS n FROM shop.sales.orders WHERE status = 'paid'")
    return p


def tbl(state: State, name: str) -> Table:
    oid = state.find(name, kinds=("table",))
    assert oid is not None, name
    return state.tables[oid]


def col(state: State, table: str, name: str) -> Column:
    c = tbl(state, table).column_named(name)
    assert c is not None, name
    return c


def obj(state: State, name: str, kind: str) -> Any:
    oid = state.find(name, kinds=(kind,))
    assert oid is not None, name
    return state.get(oid)


def change_and_states(mutate: Callable[[schemax.Project], Any], **props: str) -> tuple[State, State]:
    p = shop(**props)
    before = p.state()
    mutate(p)
    return before, p.state()


def only(findings: list[Finding], code: str) -> Finding:
    hits = [f for f in findings if f.code == code]
    assert len(hits) == 1, f"expected one {code}, got {[str(f) for f in findings]}"
    return hits[0]


def one(code: str, change: Change, before: State, after: State) -> Finding:
    """The single ``code`` finding that analyzing ``change`` alone gives."""
    return only(run([change], before, after), code)


def codes(findings: list[Finding]) -> set[str]:
    return {f.code for f in findings}


MAPPED = {"delta.columnMapping.mode": "name"}

# ---------------------------------------------------------------------------------------------------
# the rule catalogue
# ---------------------------------------------------------------------------------------------------


def test_codes_are_unique_and_follow_the_family_scheme() -> None:
    assert len(RULES) >= 25
    assert len({r.code for r in RULES}) == len(RULES)
    assert len({r.name for r in RULES}) == len(RULES)
    expected_severities = {
        "1": {Severity.DESTRUCTIVE},
        "2": {Severity.BREAKING},
        "3": {Severity.WARNING, Severity.BREAKING},
        "4": {Severity.WARNING},
        "5": {Severity.INFO},
    }
    for r in RULES:
        assert re.fullmatch(r"SX[1-5]\d\d", r.code), r.code
        assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", r.name), r.name
        assert r.severity in expected_severities[r.code[2]], r
        assert r.summary.strip().endswith("."), r
        assert rule(r.code).blocking == (r.severity in (Severity.BREAKING, Severity.DESTRUCTIVE))
    assert [r.code for r in RULES] == sorted(r.code for r in RULES)
    # every family is used
    assert {r.code[2] for r in RULES} == set(expected_severities) == {str(k) for k in FAMILIES}


def test_define_rejects_bad_codes_and_duplicates() -> None:
    count = len(RULES_BY_CODE)
    with pytest.raises(ValueError, match="cannot have severity"):
        define("SX199", "bad-family", Severity.INFO, "x.", "y")
    with pytest.raises(ValueError, match="must look like"):
        define("SX600", "bad-code", Severity.INFO, "x.", "y")
    with pytest.raises(ValueError, match="kebab-case"):
        define("SX599", "Not_Kebab", Severity.INFO, "x.", "y")
    with pytest.raises(ValueError, match="duplicate"):
        define("SX101", "another-name", Severity.DESTRUCTIVE, "x.", "y")
    with pytest.raises(ValueError, match="duplicate"):
        define("SX198", "drop-column", Severity.DESTRUCTIVE, "x.", "y")
    assert len(RULES_BY_CODE) == count


def test_checks_are_registered_per_change_type_of_the_closed_vocabulary() -> None:
    assert set(CHECKS) <= set(CHANGE_TYPES)
    checked_rules = {r.code for pairs in CHECKS.values() for r, _ in pairs}
    assert checked_rules == set(RULES_BY_CODE), "every rule has at least one check"


def test_a_check_for_a_type_outside_the_vocabulary_fails_when_registered() -> None:
    class NotAChange(Change):
        pass

    before = {t: list(pairs) for t, pairs in CHECKS.items()}
    with pytest.raises(TypeError, match="not a change type"):
        check(RULES_BY_CODE["SX101"], NotAChange)
    with pytest.raises(TypeError, match="not a change type"):
        check(RULES_BY_CODE["SX101"], Change)
    assert {t: list(pairs) for t, pairs in CHECKS.items()} == before


def test_rules_are_defined_and_checks_run_in_code_order() -> None:
    assert list(RULES_BY_CODE) == sorted(RULES_BY_CODE)
    for pairs in CHECKS.values():
        assert [r.code for r, _ in pairs] == sorted(r.code for r, _ in pairs)


def test_docs_list_every_rule() -> None:
    doc = (ROOT / "docs" / "findings.md").read_text()
    for r in RULES:
        row = next((line for line in doc.splitlines() if line.startswith(f"| {r.code} ")), None)
        assert row is not None, f"{r.code} missing from docs/findings.md"
        assert f"`{r.name}`" in row and r.severity.value in row, row
        assert ("yes" in row.split("|")[4]) == rule(r.code).blocking, row


# ---------------------------------------------------------------------------------------------------
# the original design's table
# ---------------------------------------------------------------------------------------------------


def _design_case(op: str) -> list[Finding]:
    if op == "add_column (nullable)":
        before, after = change_and_states(lambda p: p.add_column("shop.sales.orders", "note", "STRING"))
        t = tbl(after, "shop.sales.orders")
        return run([AddColumn(table=t, column=col(after, "shop.sales.orders", "note"))], before, after)
    if op == "add_column (not null)":
        before, after = change_and_states(
            lambda p: p.add_column("shop.sales.orders", "region", "STRING", nullable=False)
        )
        t = tbl(after, "shop.sales.orders")
        return run([AddColumn(table=t, column=col(after, "shop.sales.orders", "region"))], before, after)
    if op == "drop_column":
        before, after = change_and_states(lambda p: p.drop_column("shop.sales.orders", "email"), **MAPPED)
        return run(
            [
                DropColumn(
                    table=tbl(before, "shop.sales.orders"), column=col(before, "shop.sales.orders", "email")
                )
            ],
            before,
            after,
        )
    if op == "rename_column":
        return _rename_status(**MAPPED)
    if op == "rename_table":
        before, after = change_and_states(lambda p: p.rename_table("shop.sales.orders", "orders_v2"))
        return run(
            [RenameTable(before=tbl(before, "shop.sales.orders"), after=tbl(after, "shop.sales.orders_v2"))],
            before,
            after,
        )
    if op in ("change_column_type (widening)", "change_column_type (narrowing)"):
        name, new = ("qty", "BIGINT") if "widening" in op else ("customer_id", "INT")
        return _type_change(name, new, **{"delta.enableTypeWidening": "true"})
    if op == "reorder_columns":
        before, after = change_and_states(
            lambda p: p.reorder_columns(
                "shop.sales.orders", ["email", "id", "status", "qty", "code", "customer_id"]
            )
        )
        return run(
            [ReorderColumns(before=tbl(before, "shop.sales.orders"), after=tbl(after, "shop.sales.orders"))],
            before,
            after,
        )
    raise AssertionError(op)


@pytest.mark.parametrize(
    ("op", "verdict"),
    [
        ("add_column (nullable)", "no"),
        ("add_column (not null)", "maybe"),
        ("drop_column", "yes"),
        ("rename_column", "yes"),
        ("rename_table", "yes"),
        ("change_column_type (widening)", "maybe"),
        ("change_column_type (narrowing)", "maybe"),
        ("reorder_columns", "no"),
    ],
)
def test_original_design_breaking_change_table(op: str, verdict: str) -> None:
    findings = _design_case(op)
    if verdict == "no":  # safe: nothing, or information only
        assert all(f.severity is Severity.INFO for f in findings), findings
        assert not blocking(findings)
    elif verdict == "yes":  # breaking or destructive, blocks by default
        assert blocking(findings)
        assert any(f.code[2] in "12" for f in findings)
    else:  # maybe: a data-dependent SX3xx finding
        assert findings and all(f.code[2] == "3" for f in findings), findings


def test_add_nullable_column_reports_nothing() -> None:
    assert _design_case("add_column (nullable)") == []


# ---------------------------------------------------------------------------------------------------
# SX1xx destructive
# ---------------------------------------------------------------------------------------------------


def test_drop_column_names_the_views_that_read_it_and_their_dependents() -> None:
    before, after = change_and_states(lambda p: p.drop_column("shop.sales.orders", "email"), **MAPPED)
    change = DropColumn(
        table=tbl(before, "shop.sales.orders"), column=col(before, "shop.sales.orders", "email")
    )
    f = one("SX101", change, before, after)
    assert (f.name, f.severity, f.blocking) == ("drop-column", Severity.DESTRUCTIVE, True)
    assert f.object_name == "shop.sales.orders.email"
    # order_emails selects it, all_orders selects *; order_status and daily do not read it
    assert f.views == ("shop.sales.all_orders", "shop.sales.order_emails")
    assert f.indirect_views == ("shop.reporting.email_report",)
    assert "shop.sales.order_emails" in f.impact and "shop.reporting.email_report" in f.impact
    assert "RESTORE" in f.impact


def test_drop_column_does_not_name_views_fixed_or_dropped_in_the_same_plan() -> None:
    def mutate(p: schemax.Project) -> None:
        p.update_view("shop.sales.order_emails", "SELECT id FROM orders")
        p.drop_view("shop.sales.all_orders")
        p.drop_column("shop.sales.orders", "email")

    before, after = change_and_states(mutate, **MAPPED)
    change = DropColumn(
        table=tbl(before, "shop.sales.orders"), column=col(before, "shop.sales.orders", "email")
    )
    f = one("SX101", change, before, after)
    assert f.views == () and f.indirect_views == ()


def test_drop_table_names_direct_and_transitive_readers() -> None:
    before, after = change_and_states(lambda p: p.drop_table("shop.sales.customers"))
    f = only(run([DropTable(before=tbl(before, "shop.sales.customers"))], before, after), "SX102")
    assert (f.severity, f.object_name) == (Severity.DESTRUCTIVE, "shop.sales.customers")
    assert f.views == ("shop.sales.customer_names",)


def test_drop_table_with_a_two_level_view_chain() -> None:
    def mutate(p: schemax.Project) -> None:
        for v in ("order_emails", "order_status", "all_orders"):
            p.drop_view(f"shop.sales.{v}")
        p.drop_view("shop.reporting.daily")

    p = shop()
    p.create_table("shop.sales.leads", [schemax.Column("email", "STRING")])
    p.create_view("shop.sales.lead_emails", "SELECT email FROM leads")
    p.create_view("shop.reporting.lead_report", "SELECT * FROM shop.sales.lead_emails")
    p.create_view("shop.reporting.lead_report_2", "SELECT email FROM lead_report")
    before = p.state()
    p.drop_table("shop.sales.leads")
    after = p.state()
    f = only(run([DropTable(before=tbl(before, "shop.sales.leads"))], before, after), "SX102")
    assert f.views == ("shop.sales.lead_emails",)
    assert f.indirect_views == ("shop.reporting.lead_report", "shop.reporting.lead_report_2")
    assert "through them 2 more views" in f.impact


def test_drop_external_table_says_files_stay() -> None:
    p = shop()
    p.create_table(
        "shop.sales.raw", [schemax.Column("x", "INT")], table_type="EXTERNAL", location="s3://bucket/raw"
    )
    before = p.state()
    p.drop_table("shop.sales.raw")
    f = only(run([DropTable(before=tbl(before, "shop.sales.raw"))], before, p.state()), "SX102")
    assert "s3://bucket/raw" in f.message and "stay" in f.message


def test_drop_view_names_views_reading_it() -> None:
    before, after = change_and_states(lambda p: p.drop_view("shop.sales.order_emails"))
    f = only(run([DropView(before=obj(before, "shop.sales.order_emails", "view"))], before, after), "SX103")
    assert (f.name, f.severity, f.object_name) == (
        "drop-view",
        Severity.DESTRUCTIVE,
        "shop.sales.order_emails",
    )
    assert f.views == ("shop.reporting.email_report",)


def test_drop_schema_counts_what_goes_with_it_and_names_outside_readers() -> None:
    before, after = change_and_states(lambda p: p.drop_schema("shop.sales"))
    f = only(run([DropSchema(before=obj(before, "shop.sales", "schema"))], before, after), "SX104")
    assert (f.severity, f.object_name) == (Severity.DESTRUCTIVE, "shop.sales")
    assert "2 tables and 4 views" in f.message
    # views inside the schema go with it; the two reporting views read it from outside
    assert f.views == ("shop.reporting.daily", "shop.reporting.email_report")


def test_drop_catalog_counts_schemas_and_objects() -> None:
    before, after = change_and_states(lambda p: p.drop_catalog("shop"))
    f = only(run([DropCatalog(before=obj(before, "shop", "catalog"))], before, after), "SX105")
    assert (f.severity, f.object_name) == (Severity.DESTRUCTIVE, "shop")
    assert "2 schemas, 2 tables and 6 views" in f.message
    assert f.views == ()  # nothing outside the catalog reads it


def test_drop_volume_managed_and_external() -> None:
    p = shop()
    p.create_volume("shop.sales.files")
    p.create_volume("shop.sales.landing", "EXTERNAL", "s3://bucket/landing")
    before = p.state()
    p.drop_volume("shop.sales.files")
    p.drop_volume("shop.sales.landing")
    after = p.state()
    findings = run(
        [
            DropVolume(before=obj(before, "shop.sales.files", "volume")),
            DropVolume(before=obj(before, "shop.sales.landing", "volume")),
        ],
        before,
        after,
    )
    assert [(f.code, f.object_name) for f in findings] == [
        ("SX106", "shop.sales.files"),
        ("SX106", "shop.sales.landing"),
    ]
    assert "deleted" in findings[0].message and "/Volumes/shop/sales/files" in findings[0].impact
    assert "s3://bucket/landing" in findings[1].message


def test_drop_function_names_tables_whose_mask_uses_it() -> None:
    p = shop()
    p.create_function(
        "shop.sales.mask_email", "CASE WHEN is_member('hr') THEN e ELSE '***' END", parameters="e STRING"
    )
    p.set_column_mask("shop.sales.orders", "email", "shop.sales.mask_email")
    before = p.state()
    p.drop_column_mask("shop.sales.orders", "email")
    p.drop_function("shop.sales.mask_email")
    after_drop_both = p.state()
    change = DropFunction(before=obj(before, "shop.sales.mask_email", "function"))
    f = only(run([change], before, after_drop_both), "SX107")
    assert (f.severity, f.object_name) == (Severity.DESTRUCTIVE, "shop.sales.mask_email")
    assert "shop.sales.orders" not in f.impact  # the mask goes in the same plan
    # keep the mask in the target state: the impact names the table whose queries fail
    still_masked = after_drop_both.model_copy(update={"tables": before.tables})
    f2 = only(run([change], before, still_masked), "SX107")
    assert "shop.sales.orders" in f2.impact


# ---------------------------------------------------------------------------------------------------
# SX2xx breaking
# ---------------------------------------------------------------------------------------------------


def _rename_status(
    mutate_more: Callable[[schemax.Project], Any] | None = None, **props: str
) -> list[Finding]:
    def mutate(p: schemax.Project) -> None:
        p.rename_column("shop.sales.orders", "status", "order_status")
        if mutate_more:
            mutate_more(p)

    before, after = change_and_states(mutate, **props)
    return run(
        [
            RenameColumn(
                table=tbl(after, "shop.sales.orders"),
                before=col(before, "shop.sales.orders", "status"),
                after=col(after, "shop.sales.orders", "order_status"),
            )
        ],
        before,
        after,
    )


def test_rename_column_names_readers_of_the_column() -> None:
    f = only(_rename_status(**MAPPED), "SX201")
    assert (f.name, f.severity, f.blocking) == ("rename-column", Severity.BREAKING, True)
    assert f.object_name == "shop.sales.orders.status"
    assert "order_status" in f.message
    assert f.views == ("shop.reporting.daily", "shop.sales.all_orders", "shop.sales.order_status")
    assert f.indirect_views == ()


def test_rename_column_skips_a_view_updated_to_the_new_name() -> None:
    f = only(
        _rename_status(
            lambda p: p.update_view("shop.sales.order_status", "SELECT id, order_status FROM orders"),
            **MAPPED,
        ),
        "SX201",
    )
    assert "shop.sales.order_status" not in f.views


def test_rename_table_names_every_reader() -> None:
    before, after = change_and_states(lambda p: p.rename_table("shop.sales.orders", "orders_v2"))
    findings = run(
        [RenameTable(before=tbl(before, "shop.sales.orders"), after=tbl(after, "shop.sales.orders_v2"))],
        before,
        after,
    )
    f = only(findings, "SX202")
    assert (f.severity, f.object_name) == (Severity.BREAKING, "shop.sales.orders")
    assert "shop.sales.orders_v2" in f.message
    assert f.views == (
        "shop.reporting.daily",
        "shop.sales.all_orders",
        "shop.sales.order_emails",
        "shop.sales.order_status",
    )
    assert f.indirect_views == ("shop.reporting.email_report",)


def test_rename_table_with_views_repointed_in_the_same_plan() -> None:
    def mutate(p: schemax.Project) -> None:
        p.rename_table("shop.sales.orders", "orders_v2")
        p.update_view("shop.sales.order_emails", "SELECT id, email FROM orders_v2")

    before, after = change_and_states(mutate)
    change = RenameTable(before=tbl(before, "shop.sales.orders"), after=tbl(after, "shop.sales.orders_v2"))
    f = one("SX202", change, before, after)
    assert "shop.sales.order_emails" not in f.views
    assert "shop.reporting.email_report" not in f.indirect_views


def test_rename_view() -> None:
    before, after = change_and_states(lambda p: p.rename_view("shop.sales.order_emails", "emails"))
    change = RenameView(
        before=obj(before, "shop.sales.order_emails", "view"),
        after=obj(after, "shop.sales.emails", "view"),
    )
    f = one("SX203", change, before, after)
    assert (f.severity, f.object_name, f.views) == (
        Severity.BREAKING,
        "shop.sales.order_emails",
        ("shop.reporting.email_report",),
    )


def test_rename_schema_and_catalog_name_readers() -> None:
    before, after = change_and_states(lambda p: p.rename_schema("shop.sales", "commerce"))
    change = RenameSchema(
        before=obj(before, "shop.sales", "schema"), after=obj(after, "shop.commerce", "schema")
    )
    f = one("SX204", change, before, after)
    assert (f.severity, f.object_name) == (Severity.BREAKING, "shop.sales")
    assert "shop.reporting.daily" in f.views and "shop.reporting.email_report" in f.views

    before, after = change_and_states(lambda p: p.rename_catalog("shop", "store"))
    rename = RenameCatalog(before=obj(before, "shop", "catalog"), after=obj(after, "store", "catalog"))
    f = one("SX205", rename, before, after)
    assert (f.severity, f.object_name) == (Severity.BREAKING, "shop")
    assert "2 schemas" in f.message and "shop.reporting.daily" in f.views


def test_rename_volume_names_the_paths() -> None:
    p = shop()
    p.create_volume("shop.sales.files")
    before = p.state()
    p.rename_volume("shop.sales.files", "docs")
    after = p.state()
    change = RenameVolume(
        before=obj(before, "shop.sales.files", "volume"),
        after=obj(after, "shop.sales.docs", "volume"),
    )
    f = one("SX206", change, before, after)
    assert "/Volumes/shop/sales/files" in f.impact and "/Volumes/shop/sales/docs" in f.impact


def test_revoke_is_breaking_unless_the_object_goes_away() -> None:
    p = shop()
    p.grant("shop.sales.orders", "analysts", ["SELECT", "MODIFY"])
    before = p.state()
    p.revoke("shop.sales.orders", "analysts", ["MODIFY"])
    after = p.state()
    change = Revoke(
        securable=tbl(before, "shop.sales.orders").id, principal="analysts", privileges=("MODIFY",)
    )
    f = only(run([change], before, after), "SX207")
    assert (f.name, f.severity, f.object_name) == (
        "revoke-privileges",
        Severity.BREAKING,
        "shop.sales.orders",
    )
    assert "analysts" in f.message and "MODIFY" in f.message
    for view in ("order_emails", "order_status", "all_orders"):
        p.drop_view(f"shop.sales.{view}")
    p.drop_view("shop.reporting.daily")
    p.drop_table("shop.sales.orders")
    assert run([change], before, p.state()) == []  # the drop's own finding covers it


def _with_fk() -> tuple[State, State, Constraint]:
    p = shop()
    p.add_primary_key("shop.sales.customers", ["id"], name="customers_pk")
    p.add_foreign_key(
        "shop.sales.orders", ["customer_id"], "shop.sales.customers", ["id"], name="orders_customer_fk"
    )
    before = p.state()
    customers = tbl(before, "shop.sales.customers")
    pk = customers.constraints[0]
    # replay refuses this drop, but an imported or drifted state can hold it: the analyzer must still see it
    after = before.model_copy(
        update={"tables": {**before.tables, customers.id: customers.model_copy(update={"constraints": ()})}}
    )
    return before, after, pk


def test_dropping_a_referenced_primary_key_is_breaking() -> None:
    before, after, pk = _with_fk()
    change = DropConstraint(table=after.tables[tbl(before, "shop.sales.customers").id], constraint=pk)
    f = only(run([change], before, after), "SX208")
    assert (f.severity, f.object_name) == (Severity.BREAKING, "shop.sales.customers")
    assert "shop.sales.orders (orders_customer_fk)" in f.impact


def test_dropping_a_primary_key_with_its_foreign_keys_is_fine() -> None:
    p = shop()
    p.add_primary_key("shop.sales.customers", ["id"], name="customers_pk")
    p.add_foreign_key("shop.sales.orders", ["customer_id"], "shop.sales.customers", ["id"], name="fk")
    before = p.state()
    p.drop_constraint("shop.sales.orders", "fk")
    p.drop_constraint("shop.sales.customers", "customers_pk")
    after = p.state()
    pk = tbl(before, "shop.sales.customers").constraints[0]
    assert run([DropConstraint(table=tbl(after, "shop.sales.customers"), constraint=pk)], before, after) == []


def test_row_filter_dropped_is_breaking_and_added_is_info() -> None:
    p = shop()
    p.create_function(
        "shop.sales.only_mine", "is_account_group_member('admins')", parameters="s STRING", returns="BOOLEAN"
    )
    empty = p.state()
    p.set_row_filter("shop.sales.orders", "shop.sales.only_mine", ["status"])
    filtered = p.state()
    add = SetRowFilter(before=tbl(empty, "shop.sales.orders"), after=tbl(filtered, "shop.sales.orders"))
    f = only(run([add], empty, filtered), "SX504")
    assert f.severity is Severity.INFO
    drop = SetRowFilter(before=tbl(filtered, "shop.sales.orders"), after=tbl(empty, "shop.sales.orders"))
    f = only(run([drop], filtered, empty), "SX209")
    assert (f.name, f.severity, f.blocking, f.object_name) == (
        "drop-row-filter",
        Severity.BREAKING,
        True,
        "shop.sales.orders",
    )
    assert "every row" in f.impact


def test_column_mask_dropped_is_breaking_and_added_is_info() -> None:
    p = shop()
    p.create_function("shop.sales.mask", "'***'", parameters="e STRING")
    plain = p.state()
    p.set_column_mask("shop.sales.orders", "email", "shop.sales.mask")
    masked = p.state()
    t_plain, t_masked = tbl(plain, "shop.sales.orders"), tbl(masked, "shop.sales.orders")
    c_plain, c_masked = col(plain, "shop.sales.orders", "email"), col(masked, "shop.sales.orders", "email")
    drop = ModifyColumn(table=t_plain, before=c_masked, after=c_plain, flags=frozenset({ColumnFlag.MASK}))
    f = only(run([drop], masked, plain), "SX210")
    assert (f.severity, f.object_name) == (Severity.BREAKING, "shop.sales.orders.email")
    add = ModifyColumn(table=t_masked, before=c_plain, after=c_masked, flags=frozenset({ColumnFlag.MASK}))
    assert only(run([add], plain, masked), "SX505").severity is Severity.INFO


def test_function_signature_change() -> None:
    p = shop()
    p.create_function("shop.sales.fmt", "concat(a, '!')", parameters="a STRING")
    before = p.state()
    p.update_function("shop.sales.fmt", "concat(a, b)", parameters="a STRING, b STRING")
    after = p.state()
    fb, fa = obj(before, "shop.sales.fmt", "function"), obj(after, "shop.sales.fmt", "function")
    f = only(
        run([AlterFunction(before=fb, after=fa, flags=frozenset({ObjectFlag.DEFINITION}))], before, after),
        "SX211",
    )
    assert f.severity is Severity.BREAKING and "b STRING" in f.message
    # same signature, new body: nothing to report
    same = fa.model_copy(update={"parameters": fb.parameters, "body": "upper(a)"})
    assert (
        run([AlterFunction(before=fb, after=same, flags=frozenset({ObjectFlag.DEFINITION}))], before, after)
        == []
    )


def _props_change(props_before: dict[str, str], props: dict[str, str]) -> tuple[list[Finding], State, State]:
    before, after = change_and_states(
        lambda p: p.set_table_properties("shop.sales.orders", props), **props_before
    )
    change = SetTableProperties(
        before=tbl(before, "shop.sales.orders"),
        after=tbl(after, "shop.sales.orders"),
        set=tuple(sorted(props.items())),
    )
    return run([change], before, after), before, after


def test_append_only() -> None:
    findings, _, _ = _props_change({}, {"delta.appendOnly": "true"})
    f = only(findings, "SX212")
    assert (f.severity, f.object_name) == (Severity.BREAKING, "shop.sales.orders")
    findings, _, _ = _props_change({"delta.appendOnly": "true"}, {"delta.appendOnly": "true", "x": "1"})
    assert "SX212" not in codes(findings)


# ---------------------------------------------------------------------------------------------------
# SX3xx data-dependent
# ---------------------------------------------------------------------------------------------------


def test_add_not_null_column_is_a_maybe() -> None:
    before, after = change_and_states(
        lambda p: p.add_column("shop.sales.orders", "region", "STRING", nullable=False)
    )
    change = AddColumn(
        table=tbl(after, "shop.sales.orders"), column=col(after, "shop.sales.orders", "region")
    )
    f = one("SX301", change, before, after)
    assert (f.name, f.severity, f.blocking) == ("add-not-null-column", Severity.WARNING, False)
    assert f.object_name == "shop.sales.orders.region"
    assert "empty" in f.impact and "no DEFAULT" in f.impact


def test_add_not_null_column_with_default_needs_the_defaults_feature() -> None:
    before, after = change_and_states(
        lambda p: p.add_column("shop.sales.orders", "region", "STRING", nullable=False, default="'EU'")
    )
    findings = run(
        [AddColumn(table=tbl(after, "shop.sales.orders"), column=col(after, "shop.sales.orders", "region"))],
        before,
        after,
    )
    assert "DEFAULT 'EU'" in only(findings, "SX301").impact
    assert only(findings, "SX404").object_name == "shop.sales.orders"
    # already enabled: no protocol finding
    before, after = change_and_states(
        lambda p: p.add_column("shop.sales.orders", "region", "STRING", default="'EU'"),
        **{"delta.feature.allowColumnDefaults": "supported"},
    )
    assert (
        run(
            [
                AddColumn(
                    table=tbl(after, "shop.sales.orders"), column=col(after, "shop.sales.orders", "region")
                )
            ],
            before,
            after,
        )
        == []
    )


def test_add_not_null_column_to_a_new_table_is_not_reported() -> None:
    p = shop()
    before = p.state()
    p.create_table("shop.sales.new", [schemax.Column("a", "INT")])
    p.add_column("shop.sales.new", "b", "INT", nullable=False)
    after = p.state()
    assert (
        run(
            [AddColumn(table=tbl(after, "shop.sales.new"), column=col(after, "shop.sales.new", "b"))],
            before,
            after,
        )
        == []
    )


def test_set_not_null_on_existing_column() -> None:
    before, after = change_and_states(lambda p: p.set_column_nullable("shop.sales.orders", "email", False))
    change = ModifyColumn(
        table=tbl(after, "shop.sales.orders"),
        before=col(before, "shop.sales.orders", "email"),
        after=col(after, "shop.sales.orders", "email"),
        flags=frozenset({ColumnFlag.NULLABILITY}),
    )
    f = only(run([change], before, after), "SX302")
    assert (f.severity, f.blocking, f.object_name) == (Severity.WARNING, False, "shop.sales.orders.email")
    assert "IS NULL" in f.impact
    # dropping NOT NULL is safe
    reverse = ModifyColumn(
        table=tbl(before, "shop.sales.orders"),
        before=change.after,
        after=change.before,
        flags=frozenset({ColumnFlag.NULLABILITY}),
    )
    assert run([reverse], after, before) == []


def test_new_check_constraint_on_existing_table() -> None:
    before, after = change_and_states(
        lambda p: p.add_check_constraint("shop.sales.orders", "qty_pos", "qty > 0")
    )
    t = tbl(after, "shop.sales.orders")
    f = only(run([AddConstraint(table=t, constraint=t.constraints[0])], before, after), "SX303")
    assert (f.severity, f.object_name) == (Severity.WARNING, "shop.sales.orders")
    assert "NOT (qty > 0)" in f.impact
    # dropping it again is informational
    g = only(
        run(
            [DropConstraint(table=tbl(before, "shop.sales.orders"), constraint=t.constraints[0])],
            after,
            before,
        ),
        "SX503",
    )
    assert g.severity is Severity.INFO


def _type_change(name: str, new: str, **props: str) -> list[Finding]:
    before, after = change_and_states(lambda p: p.change_column_type("shop.sales.orders", name, new), **props)
    return run(
        [
            ModifyColumn(
                table=tbl(after, "shop.sales.orders"),
                before=col(before, "shop.sales.orders", name),
                after=col(after, "shop.sales.orders", name),
                flags=frozenset({ColumnFlag.TYPE}),
            )
        ],
        before,
        after,
    )


def test_widening_needs_the_type_widening_feature() -> None:
    findings = _type_change("qty", "BIGINT")
    f = only(findings, "SX304")
    assert (f.severity, f.blocking, f.object_name) == (Severity.WARNING, False, "shop.sales.orders.qty")
    assert "INT" in f.message and "BIGINT" in f.message
    g = only(findings, "SX402")
    assert (g.severity, g.object_name) == (Severity.WARNING, "shop.sales.orders")
    assert codes(_type_change("qty", "BIGINT", **{"delta.enableTypeWidening": "true"})) == {"SX304"}


def test_metadata_only_widening_needs_no_feature() -> None:
    assert codes(_type_change("code", "STRING")) == {"SX304"}


def test_narrowing_and_other_type_changes_are_blocking_rewrites() -> None:
    for name, new in (("customer_id", "INT"), ("status", "INT"), ("qty", "STRING")):
        f = only(_type_change(name, new), "SX305")
        assert (f.name, f.severity, f.blocking) == ("rewrite-column-type", Severity.BREAKING, True)
        assert f.object_name == f"shop.sales.orders.{name}"
    # views reading the column are named
    f = only(_type_change("status", "INT"), "SX305")
    assert "shop.sales.order_status" in f.views and "shop.reporting.daily" in f.views


def test_partitioning_change_rewrites_the_table() -> None:
    before, after = change_and_states(lambda p: p.set_partition_by("shop.sales.orders", ["status"]))
    change = SetPartitioning(before=tbl(before, "shop.sales.orders"), after=tbl(after, "shop.sales.orders"))
    f = one("SX306", change, before, after)
    assert (f.severity, f.blocking, f.object_name) == (Severity.BREAKING, True, "shop.sales.orders")
    assert "(status)" in f.message


# ---------------------------------------------------------------------------------------------------
# SX4xx protocol upgrades
# ---------------------------------------------------------------------------------------------------


def test_rename_or_drop_column_without_column_mapping_flags_the_upgrade_once() -> None:
    def mutate(p: schemax.Project) -> None:
        p.rename_column("shop.sales.orders", "status", "order_status")
        p.drop_column("shop.sales.orders", "email")

    before, after = change_and_states(mutate)
    changes: list[Change] = [
        RenameColumn(
            table=tbl(after, "shop.sales.orders"),
            before=col(before, "shop.sales.orders", "status"),
            after=col(after, "shop.sales.orders", "order_status"),
        ),
        DropColumn(table=tbl(before, "shop.sales.orders"), column=col(before, "shop.sales.orders", "email")),
    ]
    findings = run(changes, before, after)
    f = only(findings, "SX401")
    assert (f.name, f.severity, f.blocking, f.object_name) == (
        "enable-column-mapping",
        Severity.WARNING,
        False,
        "shop.sales.orders",
    )
    assert "one-way" in f.message
    assert "SX401" not in codes(_rename_status(**MAPPED))


def test_column_mapping_enabled_by_property() -> None:
    findings, _, _ = _props_change({}, {"delta.columnMapping.mode": "name"})
    assert codes(findings) == {"SX401"}
    findings, _, _ = _props_change({"delta.columnMapping.mode": "name"}, {"delta.columnMapping.mode": "name"})
    assert findings == []


def test_other_table_features() -> None:
    findings, _, _ = _props_change(
        {},
        {
            "delta.enableDeletionVectors": "true",
            "delta.enableChangeDataFeed": "true",
            "delta.feature.variantType": "supported",
            "comment.x": "y",
        },
    )
    features = sorted(f.message for f in findings if f.code == "SX403")
    assert len(features) == 3
    assert any("deletionVectors" in m for m in features) and any("changeDataFeed" in m for m in features)
    readers = {f.message.split()[3]: "can no longer read" in f.impact for f in findings}
    assert readers == {"deletionVectors": True, "changeDataFeed": False, "variantType": True}
    findings, _, _ = _props_change({}, {"delta.enableTypeWidening": "true"})
    assert codes(findings) == {"SX402"}
    findings, _, _ = _props_change({}, {"delta.feature.allowColumnDefaults": "supported"})
    assert codes(findings) == {"SX404"}


def test_liquid_clustering_on_an_existing_table() -> None:
    before, after = change_and_states(lambda p: p.set_cluster_by("shop.sales.orders", ["status"]))
    findings = run(
        [SetClustering(before=tbl(before, "shop.sales.orders"), after=tbl(after, "shop.sales.orders"))],
        before,
        after,
    )
    assert codes(findings) == {"SX403", "SX502"}
    assert "clustering" in only(findings, "SX403").message
    assert only(findings, "SX502").severity is Severity.INFO


def test_first_timestamp_ntz_column_enables_a_reader_feature() -> None:
    before, after = change_and_states(lambda p: p.add_column("shop.sales.orders", "seen", "TIMESTAMP_NTZ"))
    change = AddColumn(
        table=tbl(after, "shop.sales.orders"), column=col(after, "shop.sales.orders", "seen")
    )
    f = one("SX403", change, before, after)
    assert "timestampNtz" in f.message


def test_protocol_rules_ignore_non_delta_tables() -> None:
    p = shop()
    p.create_table(
        "shop.sales.csv", [schemax.Column("a", "STRING"), schemax.Column("b", "INT")], format="CSV"
    )
    before = p.state()
    p.rename_column("shop.sales.csv", "a", "aa")
    after = p.state()
    findings = run(
        [
            RenameColumn(
                table=tbl(after, "shop.sales.csv"),
                before=col(before, "shop.sales.csv", "a"),
                after=col(after, "shop.sales.csv", "aa"),
            )
        ],
        before,
        after,
    )
    assert codes(findings) == {"SX201"}


# ---------------------------------------------------------------------------------------------------
# SX5xx informational
# ---------------------------------------------------------------------------------------------------


def test_reorder_columns_names_select_star_views() -> None:
    findings = _design_case("reorder_columns")
    f = only(findings, "SX501")
    assert (f.severity, f.blocking, f.object_name) == (Severity.INFO, False, "shop.sales.orders")
    assert f.views == ("shop.sales.all_orders",)


def test_clustering_change_and_removal_are_info() -> None:
    p = shop()
    p.set_cluster_by("shop.sales.orders", ["status"])
    before = p.state()
    p.set_cluster_by("shop.sales.orders", ["email"])
    after = p.state()
    change = SetClustering(before=tbl(before, "shop.sales.orders"), after=tbl(after, "shop.sales.orders"))
    f = one("SX502", change, before, after)
    assert "(status)" in f.message and "(email)" in f.message and "OPTIMIZE" in f.impact
    assert "SX403" not in codes(
        run(
            [SetClustering(before=tbl(before, "shop.sales.orders"), after=tbl(after, "shop.sales.orders"))],
            before,
            after,
        )
    )


# ---------------------------------------------------------------------------------------------------
# the analyze() contract
# ---------------------------------------------------------------------------------------------------


def _mixed() -> tuple[list[Change], State, State]:
    def mutate(p: schemax.Project) -> None:
        p.rename_column("shop.sales.orders", "status", "order_status")
        p.drop_column("shop.sales.orders", "email")
        p.reorder_columns("shop.sales.orders", ["customer_id", "id", "order_status", "qty", "code"])
        p.add_column("shop.sales.customers", "tier", "STRING", nullable=False)
        p.drop_view("shop.sales.customer_names")

    before, after = change_and_states(mutate)
    t_after = tbl(after, "shop.sales.orders")
    changes: list[Change] = [
        RenameColumn(
            table=t_after,
            before=col(before, "shop.sales.orders", "status"),
            after=col(after, "shop.sales.orders", "order_status"),
        ),
        DropColumn(table=tbl(before, "shop.sales.orders"), column=col(before, "shop.sales.orders", "email")),
        ReorderColumns(before=tbl(before, "shop.sales.orders"), after=t_after),
        AddColumn(
            table=tbl(after, "shop.sales.customers"), column=col(after, "shop.sales.customers", "tier")
        ),
        DropView(before=obj(before, "shop.sales.customer_names", "view")),
    ]
    return changes, before, after


def test_order_is_by_severity_then_object_then_code_and_independent_of_input_order() -> None:
    changes, before, after = _mixed()
    findings = run(changes, before, after)
    assert [(f.code, f.object_name) for f in findings] == [
        ("SX103", "shop.sales.customer_names"),
        ("SX101", "shop.sales.orders.email"),
        ("SX201", "shop.sales.orders.status"),
        ("SX301", "shop.sales.customers.tier"),
        ("SX401", "shop.sales.orders"),
        ("SX501", "shop.sales.orders"),
    ]
    ranks = [f.severity.rank for f in findings]
    assert ranks == sorted(ranks)
    for seed in range(5):
        shuffled = list(changes)
        random.Random(seed).shuffle(shuffled)
        assert run(shuffled, before, after) == findings


def test_blocking_helper_and_finding_values() -> None:
    changes, before, after = _mixed()
    findings = run(changes, before, after)
    assert [f.code for f in blocking(findings)] == ["SX103", "SX101", "SX201"]
    f = findings[1]
    d = f.to_dict()
    assert d["code"] == "SX101" and d["severity"] == "destructive" and d["blocking"] is True
    assert d["object"] == "shop.sales.orders.email" and d["change"]["kind"] == "drop_column"
    assert d["views"] == list(f.views)
    with pytest.raises(AttributeError):
        f.code = "SX999"  # type: ignore[misc]
    # the change does not take part in equality
    assert (
        Finding(
            f.code,
            f.name,
            f.severity,
            f.object_name,
            f.message,
            f.impact,
            change=None,
            views=f.views,
            indirect_views=f.indirect_views,
        )
        == f
    )
    assert str(f).startswith("SX101 DESTRUCTIVE shop.sales.orders.email")


def test_every_change_type_can_be_analyzed_and_safe_ones_report_nothing() -> None:
    """A change type without checks passes through; comment/tag changes never produce findings."""
    before, after = change_and_states(lambda p: p.set_table_comment("shop.sales.orders", "Orders"))
    from schemax.plan.changes import SetTableComment, SetTableTags

    t_b, t_a = tbl(before, "shop.sales.orders"), tbl(after, "shop.sales.orders")
    assert (
        run(
            [SetTableComment(before=t_b, after=t_a), SetTableTags(before=t_b, after=t_a, set=(("a", "b"),))],
            before,
            after,
        )
        == []
    )


def test_unparseable_view_sql_does_not_break_analysis() -> None:
    # a new op with such SQL is refused (schemax.core.sql_checks); an old log may hold one: replayed
    from schemax.core.ops import Op
    from schemax.core.replay import StateBuilder

    p = shop()
    state = p.state()
    broken = Op.new("create_view", "viw_broken", {"schema_id": state.find("shop.sales"), "name": "broken",
                                                  "definition": "SELECT FROM WHERE ((( orders"})
    before = StateBuilder(state).apply_all([broken]).build()
    drop = Op.new("drop_table", before.find("shop.sales.customers"), {})
    after = StateBuilder(before).apply_all([drop]).build()
    f = only(run([DropTable(before=tbl(before, "shop.sales.customers"))], before, after), "SX102")
    assert f.views == ("shop.sales.customer_names",)


def test_selects_star() -> None:
    assert selects_star("SELECT * FROM t")
    assert selects_star("SELECT o.* FROM t AS o JOIN u ON o.id = u.id")
    assert selects_star("WITH x AS (SELECT * FROM t) SELECT a FROM x")
    assert not selects_star("SELECT COUNT(*) FROM t")
    assert not selects_star("SELECT a, b FROM t")
    assert not selects_star("this is not sql ((")


def test_analyze_package_is_pure() -> None:
    code = (
        "import sys, schemax.analyze, schemax.analyze.rules\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('pyspark', 'databricks', 'delta')]\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src")},
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_indirect_view_rewritten_in_the_same_plan_is_not_named() -> None:
    def mutate(p: schemax.Project) -> None:
        p.update_view("shop.reporting.email_report", "SELECT name FROM shop.sales.customers")
        p.drop_column("shop.sales.orders", "email")

    before, after = change_and_states(mutate, **MAPPED)
    change = DropColumn(
        table=tbl(before, "shop.sales.orders"), column=col(before, "shop.sales.orders", "email")
    )
    f = only(run([change], before, after), "SX101")
    assert f.views == ("shop.sales.all_orders", "shop.sales.order_emails")
    assert f.indirect_views == ()
