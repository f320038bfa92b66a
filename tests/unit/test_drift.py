"""Drift comparison (pure): every finding kind, declared-only properties, governance (grants of declared
principals, row filters, masks), version drift, mapping, report."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

import schemax
from schemax.adapters.memory import MemoryStore
from schemax.core.model import State
from schemax.core.tracking import table_definition_hash
from schemax.drift import (
    DriftFinding,
    DriftReport,
    ObservedStateBuilder,
    compare,
    declared_state,
    is_server_set,
    map_to_physical,
    observed_id,
    scope_of,
    table_hashes,
)
from schemax.drift.mapping import function_parts, physical_function
from schemax.drift.observed import ColumnSpec, ConstraintSpec, MaskSpec, RowFilterSpec, spark_json_type
from schemax.ports import ObservedCatalog

CAT, SCH = "dev_shop", "sales"
T = f"{CAT}.{SCH}.orders"


ORDERS_COLUMNS = (
    ColumnSpec("id", "BIGINT", nullable=False, comment="the id"),
    ColumnSpec("email", "STRING", comment="it's"),
    ColumnSpec("amount", "DECIMAL(10,2)", default="0"),
    ColumnSpec("day", "DATE"),
)


def orders_columns(**changes: dict[str, Any] | None) -> list[ColumnSpec]:
    """The orders columns of ``base``; a keyword per column name changes its fields, or drops it (None)."""
    assert set(changes) <= {c.name for c in ORDERS_COLUMNS}, changes
    return [
        dataclasses.replace(c, **(changes.get(c.name) or {}))
        for c in ORDERS_COLUMNS
        if not (c.name in changes and changes[c.name] is None)
    ]


def base(
    b: ObservedStateBuilder,
    *,
    name: Callable[[str], str] = str,
    view: str = "SELECT * FROM orders WHERE amount > 100",
    **table: Any,
) -> None:
    """The reference catalog: one schema, an orders table, a customers table and a view. ``name`` spells
    the names of the catalog, schema, objects and the customers columns; ``table`` overrides orders."""
    cat, sch = name(CAT), name(SCH)
    b.catalog(cat, comment="shop")
    b.schema(cat, sch, comment="Sales")
    spec: dict[str, Any] = dict(
        columns=orders_columns(),
        comment="Orders",
        partition_by=["day"],
        properties={"owner.team": "sales", "delta.appendOnly": "false"},
        constraints=[ConstraintSpec("amount_pos", "check", expression="amount > 0")],
    )
    spec.update(table)
    b.table(cat, sch, name("orders"), **spec)
    b.table(
        cat,
        sch,
        name("customers"),
        columns=[ColumnSpec(name("id"), "BIGINT", nullable=False)],
        constraints=[ConstraintSpec(name("pk"), "primary_key", columns=(name("id"),))],
    )
    b.view(cat, sch, name("big_orders"), definition=view, comment="big")


def state(edit: Callable[[ObservedStateBuilder], None] | None = None, **table: Any) -> State:
    b = ObservedStateBuilder()
    base(b, **table)
    if edit is not None:
        edit(b)
    return b.build()


def only(report: DriftReport) -> DriftFinding:
    assert len(report.findings) == 1, report.summary()
    return report.findings[0]


# -- clean ---------------------------------------------------------------------------------------------


def test_equal_states_report_nothing() -> None:
    s = state()
    report = compare(s, s)
    assert not report.drifted
    assert report.findings == ()
    assert report.scanned["tables"] == 2 and report.scanned["views"] == 1 and report.scanned["columns"] == 5
    assert report.summary().startswith("no drift")


def test_objects_match_by_name_case_insensitively() -> None:
    b = ObservedStateBuilder()
    base(
        b,
        name=str.upper,
        view="SELECT *\n  FROM orders WHERE amount > 100;",
        columns=[
            ColumnSpec("ID", "bigint", nullable=False, comment="the id"),
            ColumnSpec("EMAIL", "string", comment="it's"),
            ColumnSpec("AMOUNT", "decimal(10, 2)", default="0"),
            ColumnSpec("DAY", "date"),
        ],
        partition_by=["DAY"],
        constraints=[ConstraintSpec("AMOUNT_POS", "check", expression="amount  >  0")],
    )
    assert compare(state(), b.build()).findings == ()


# -- tables and columns ------------------------------------------------------------------------------


def test_missing_and_extra_tables() -> None:
    def drop_and_add(b: ObservedStateBuilder) -> None:
        del b.tables[observed_id("table", CAT, SCH, "customers")]
        b.table(CAT, SCH, "tmp_copy", columns=[ColumnSpec("x", "INT")])

    report = compare(state(), state(drop_and_add))
    assert [(f.issue, f.object_type, f.object_name) for f in report.findings] == [
        ("missing", "table", f"{CAT}.{SCH}.customers"),
        ("extra", "table", f"{CAT}.{SCH}.tmp_copy"),
    ]


def test_column_added_dropped_type_nullability_comment_default() -> None:
    cols = orders_columns(
        id={"type": "INT", "nullable": True},  # type + nullability
        email={"comment": "changed"},  # comment
        amount={"default": "1"},  # default
    ) + [ColumnSpec("note", "STRING")]  # extra
    report = compare(state(), state(columns=cols))
    got = {
        (f.object_name.split(".")[-1], f.issue, f.detail.split(" ")[0]): (f.expected, f.actual)
        for f in report.findings
    }
    assert got == {
        ("id", "modified", "type"): ("BIGINT", "INT"),
        ("id", "modified", "nullability"): ("NOT NULL", "NULL"),
        ("email", "modified", "comment"): ("it's", "changed"),
        ("amount", "modified", "default"): ("0", "1"),
        ("note", "extra", "column"): (None, "STRING"),
    }
    assert all(f.owner == T and f.object_type == "column" for f in report.findings)


def test_type_comparison_uses_canonical_types() -> None:
    cols = orders_columns(
        id={"type": "long"}, email={"type": "string"}, amount={"type": "numeric(10, 2)"}, day={"type": "date"}
    )
    assert compare(state(), state(columns=cols)).findings == ()


def test_renamed_column_is_one_missing_and_one_extra_never_a_guess() -> None:
    cols = orders_columns(email={"name": "mail"})
    report = compare(state(), state(columns=cols))
    assert [(f.issue, f.object_name) for f in report.findings] == [
        ("missing", f"{T}.email"),
        ("extra", f"{T}.mail"),
    ]
    assert all("renamed by hand" in f.detail and "does not guess" in f.detail for f in report.findings)


def test_dropped_column_alone_has_no_rename_hint() -> None:
    cols = orders_columns(email=None)
    f = only(compare(state(), state(columns=cols)))
    assert (f.issue, f.object_name, f.expected, f.detail) == (
        "missing",
        f"{T}.email",
        "STRING",
        "column not found",
    )


def test_column_order() -> None:
    cols = orders_columns()
    cols[0], cols[1] = cols[1], cols[0]  # email, id, amount, day
    f = only(compare(state(), state(columns=cols)))
    assert (f.object_type, f.detail, f.expected, f.actual) == (
        "table",
        "column order",
        "id, email, amount, day",
        "email, id, amount, day",
    )


@pytest.mark.parametrize(
    ("change", "detail", "expected", "actual"),
    [
        ({"comment": "new"}, "comment", "Orders", "new"),
        ({"comment": None}, "comment", "Orders", None),
        ({"partition_by": []}, "partitioning", "day", None),
        ({"cluster_by": ["id"]}, "clustering", None, "id"),
        ({"format": "parquet"}, "format", "DELTA", "PARQUET"),
        ({"table_type": "EXTERNAL"}, "table type", "MANAGED", "EXTERNAL"),
    ],
)
def test_table_level_changes(
    change: dict[str, Any], detail: str, expected: str | None, actual: str | None
) -> None:
    f = only(compare(state(), state(**change)))
    assert (f.issue, f.object_type, f.object_name, f.detail, f.expected, f.actual) == (
        "modified",
        "table",
        T,
        detail,
        expected,
        actual,
    )


def test_location_compared_only_when_the_project_declares_one() -> None:
    assert compare(state(), state(location="s3://b/x")).findings == ()
    f = only(compare(state(location="s3://b/orders/"), state(location="s3://b/other")))
    assert (f.detail, f.expected, f.actual) == ("location", "s3://b/orders", "s3://b/other")


def test_table_replaced_by_a_view_is_one_finding() -> None:
    def swap(b: ObservedStateBuilder) -> None:
        del b.tables[observed_id("table", CAT, SCH, "customers")]
        b.view(CAT, SCH, "customers", definition="SELECT 1")

    f = only(compare(state(), state(swap)))
    assert (f.object_type, f.issue, f.detail, f.expected, f.actual) == (
        "table",
        "modified",
        "object type",
        "table",
        "view",
    )


# -- constraints ----------------------------------------------------------------------------------


def test_constraints_missing_extra_modified() -> None:
    cons = [
        ConstraintSpec("amount_pos", "check", expression="amount >= 0"),
        ConstraintSpec("email_set", "check", expression="email IS NOT NULL"),
    ]
    report = compare(state(), state(constraints=cons))
    got = [(f.issue, f.object_name, f.detail, f.expected, f.actual) for f in report.findings]
    assert got == [
        ("modified", f"{T}.amount_pos", "expression", "amount > 0", "amount >= 0"),
        ("extra", f"{T}.email_set", "CHECK constraint not in the project", None, "CHECK (email IS NOT NULL)"),
    ]
    f = only(compare(state(), state(constraints=[])))
    assert (f.issue, f.object_type, f.expected) == ("missing", "constraint", "CHECK (amount > 0)")


def test_foreign_key_references() -> None:
    fk = ConstraintSpec(
        "fk_cust", "foreign_key", columns=("id",), ref_table=(CAT, SCH, "customers"), ref_columns=("id",)
    )
    assert compare(state(constraints=[fk]), state(constraints=[fk])).findings == ()

    def other_parent(b: ObservedStateBuilder) -> None:
        b.table(CAT, SCH, "clients", columns=[ColumnSpec("id", "BIGINT")])

    fk2 = ConstraintSpec(
        "fk_cust", "foreign_key", columns=("id",), ref_table=(CAT, SCH, "clients"), ref_columns=("id",)
    )
    report = compare(state(other_parent, constraints=[fk]), state(other_parent, constraints=[fk2]))
    f = only(report)
    assert (f.detail, f.expected, f.actual) == (
        "references",
        f"{CAT}.{SCH}.customers(id)",
        f"{CAT}.{SCH}.clients(id)",
    )


# -- properties ------------------------------------------------------------------------------------


SERVER_SET = {
    "delta.minReaderVersion": "3",
    "delta.minWriterVersion": "7",
    "delta.feature.columnMapping": "supported",
    "delta.columnMapping.maxColumnId": "9",
    "delta.columnMapping.mode": "name",
    "delta.enableTypeWidening": "true",
    "delta.checkpointPolicy": "v2",
    "delta.checkpoint.writeStatsAsStruct": "true",
    "delta.lastCommitTimestamp": "1700000000000",
    "delta.lastUpdateVersion": "12",
    "delta.enableDeletionVectors": "true",
    "delta.enableRowTracking": "true",
    "delta.rowTracking.materializedRowIdColumnName": "_row_id",
    "delta.constraints.amount_pos": "amount > 0",
    "clusteringColumns": '[["id"]]',
    "option.mergeSchema": "true",
    "transient_lastDdlTime": "1700000000",
    "spark.sql.create.version": "4.2.0",
    "schemax.snapshot": "snap_1",
    "schemax.deployed_at": "2026-01-01T00:00:00Z",
    "schemax.environment": "dev",
}


def test_server_set_and_schemax_properties_never_count() -> None:
    props = {"owner.team": "sales", "delta.appendOnly": "false", **SERVER_SET}
    assert compare(state(), state(properties=props)).findings == ()
    assert all(is_server_set(k) or k.startswith("schemax.") for k in SERVER_SET)
    assert not is_server_set("delta.appendOnly") and not is_server_set("owner.team")


def test_declared_properties_missing_modified_extra() -> None:
    props = {"delta.appendOnly": "true", "quality": "gold", **SERVER_SET}
    report = compare(state(), state(properties=props))
    got = [(f.issue, f.object_type, f.object_name, f.detail, f.expected, f.actual) for f in report.findings]
    assert got == [
        ("modified", "property", T, "delta.appendOnly", "false", "true"),
        ("missing", "property", T, "owner.team", "sales", None),
        ("extra", "property", T, "quality", None, "gold"),
    ]


def test_a_declared_managed_property_is_compared() -> None:
    expected = state(
        properties={"owner.team": "sales", "delta.appendOnly": "false", "delta.columnMapping.mode": "name"}
    )
    f = only(compare(expected, state()))
    assert (f.issue, f.detail, f.expected) == ("missing", "delta.columnMapping.mode", "name")
    assert (
        compare(
            expected,
            state(properties={**expected.tables[observed_id("table", CAT, SCH, "orders")].properties}),
        ).findings
        == ()
    )


def test_boolean_property_values_compare_case_insensitively() -> None:
    assert (
        compare(state(), state(properties={"owner.team": "sales", "delta.appendOnly": "FALSE"})).findings
        == ()
    )


# -- version drift --------------------------------------------------------------------------------------


def test_version_and_hash_drift() -> None:
    props = {
        "owner.team": "sales",
        "delta.appendOnly": "false",
        "schemax.version": "1.2.0",
        "schemax.hash": "abc",
    }

    def versioned_customers(b: ObservedStateBuilder) -> None:
        b.table(
            CAT,
            SCH,
            "customers",
            columns=[ColumnSpec("id", "BIGINT", nullable=False)],
            constraints=[ConstraintSpec("pk", "primary_key", columns=("id",))],
            properties={"schemax.version": "1.2.0"},
        )

    observed = state(versioned_customers, properties=props)
    assert compare(state(), observed, expected_version="1.2.0", expected_hashes={T: "abc"}).findings == ()
    report = compare(state(), observed, expected_version="1.3.0")
    assert len(report.findings) == 2
    f = report.findings[1]
    assert (f.issue, f.object_type, f.object_name, f.detail, f.expected, f.actual) == (
        "modified",
        "table",
        T,
        "schemax.version",
        "1.3.0",
        "1.2.0",
    )
    f = only(compare(state(), observed, expected_hashes={T.upper(): "def"}))
    assert (f.detail, f.expected, f.actual) == ("schemax.hash", "def", "abc")
    # a table without version properties (created by hand) reports the absence
    report = compare(state(), state(), expected_version="1.2.0")
    assert {(f.object_name, f.actual) for f in report.findings} == {
        (T, None),
        (f"{CAT}.{SCH}.customers", None),
    }


# -- containers, views, tags -----------------------------------------------------------------------------


def test_missing_schema_is_one_finding_not_one_per_table() -> None:
    expected = state()

    def extra_schema(b: ObservedStateBuilder) -> None:
        b.schema(CAT, "scratch")
        b.table(CAT, "scratch", "t", columns=[ColumnSpec("x", "INT")])
        b.view(CAT, "scratch", "v", definition="SELECT 1")

    observed = ObservedStateBuilder()
    observed.catalog(CAT, comment="shop")
    extra_schema(observed)
    report = compare(expected, observed.build())
    got = [(f.issue, f.object_type, f.object_name, f.detail) for f in report.findings]
    assert got == [
        ("missing", "schema", f"{CAT}.{SCH}", "schema not found"),
        ("extra", "schema", f"{CAT}.scratch", "schema not in the project (holds 1 table, 1 view)"),
    ]


def test_empty_default_and_information_schema_never_count() -> None:
    def engine_schemas(b: ObservedStateBuilder) -> None:
        b.schema(CAT, "default")
        b.schema(CAT, "information_schema")

    assert compare(state(), state(engine_schemas)).findings == ()


def test_missing_catalog() -> None:
    f = only(compare(state(), State()))
    assert (f.issue, f.object_type, f.object_name) == ("missing", "catalog", CAT)


def test_view_definition_and_comment() -> None:
    def change(b: ObservedStateBuilder) -> None:
        b.view(CAT, SCH, "big_orders", definition="SELECT * FROM orders WHERE amount > 1000", comment="big")

    f = only(compare(state(), state(change)))
    assert (f.object_type, f.issue, f.detail) == ("view", "modified", "definition")


def test_schema_and_catalog_comments() -> None:
    def change(b: ObservedStateBuilder) -> None:
        b.catalog(CAT, comment="other")
        b.schema(CAT, SCH, comment="Sales!")

    report = compare(state(), state(change))
    assert [(f.object_type, f.detail, f.actual) for f in report.findings] == [
        ("catalog", "comment", "other"),
        ("schema", "comment", "Sales!"),
    ]


def test_tags_are_compared_only_where_the_reader_sees_them() -> None:
    expected = state(
        tags={"pii": "yes"},
        columns=orders_columns(id={"tags": {"key": "1"}}),
    )
    observed = state(tags={"pii": "no", "owner": "x"})
    report = compare(expected, observed)
    got = [(f.issue, f.object_name, f.detail, f.expected, f.actual) for f in report.findings]
    assert got == [
        ("extra", T, "owner", None, "x"),
        ("modified", T, "pii", "yes", "no"),
        ("missing", f"{T}.id", "key", "1", None),
    ]
    blind = ObservedCatalog(state=observed, unobserved=frozenset({"tags"}))
    report = compare(expected, blind)
    assert report.findings == () and "tags" in report.unobserved


def test_partial_aspects_per_object_are_skipped() -> None:
    cols = orders_columns(id={"nullable": True})
    observed = ObservedCatalog(state=state(columns=cols), partial={T.upper(): frozenset({"nullability"})})
    assert compare(state(), observed).findings == ()
    assert only(compare(state(), state(columns=cols))).detail == "nullability"


def test_volumes_and_functions_skipped_when_unobserved() -> None:
    def extras(b: ObservedStateBuilder) -> None:
        b.volume(CAT, SCH, "files")
        b.function(CAT, SCH, "f", returns="INT", body="1")

    expected = state(extras)
    assert (
        compare(
            expected, ObservedCatalog(state=state(), unobserved=frozenset({"volumes", "functions"}))
        ).findings
        == ()
    )
    report = compare(expected, state())
    assert {(f.object_type, f.issue) for f in report.findings} == {
        ("volume", "missing"),
        ("function", "missing"),
    }


def test_scope_limits_the_comparison() -> None:
    def other(b: ObservedStateBuilder) -> None:
        b.schema(CAT, "ops")
        b.table(CAT, "ops", "jobs", columns=[ColumnSpec("x", "INT")])

    observed = state(other)
    assert [f.object_name for f in compare(state(), observed).findings] == [f"{CAT}.ops"]
    assert compare(state(), observed, scope=[(CAT, SCH)]).findings == ()
    assert [f.object_name for f in compare(state(), observed, scope=[(CAT, None)]).findings] == [f"{CAT}.ops"]
    assert compare(state(), State(), scope=[("elsewhere", None)]).findings == ()


# -- governance -----------------------------------------------------------------------------------------


def test_grants_of_declared_principals_missing_and_modified() -> None:
    expected = state(grants={"analysts": ["SELECT"], "etl": ["MODIFY", "SELECT"]})
    observed = state(grants={"Analysts": ["SELECT", "MODIFY"], "intern": ["SELECT"]})
    report = compare(expected, observed)
    got = [(f.object_type, f.issue, f.detail, f.expected, f.actual) for f in report.findings]
    assert got == [
        ("grant", "modified", "analysts", "SELECT", "MODIFY, SELECT"),  # principals match case-insensitively
        ("grant", "missing", "etl", "MODIFY, SELECT", None),
    ]
    assert any("grants of 1 principal(s) the project does not declare" in n for n in report.notes)
    assert report.findings[1].message == f"grant of 'MODIFY, SELECT' on {T} to 'etl' is missing"
    assert report.findings[0].message == (
        f"grants on {T} to 'analysts' differ: expected 'SELECT', actual 'MODIFY, SELECT'"
    )


def test_all_privileges_stands_for_what_it_covers() -> None:
    expected = state(grants={"bi": ["ALL PRIVILEGES", "SELECT"]})
    assert compare(expected, state(grants={"bi": ["ALL_PRIVILEGES"]})).findings == ()
    f = only(compare(expected, state(grants={"bi": ["ALL PRIVILEGES", "MANAGE"]})))
    assert (f.object_type, f.expected, f.actual) == ("grant", "ALL PRIVILEGES", "ALL PRIVILEGES, MANAGE")


def test_grants_on_every_securable_and_unobserved_grants_skipped() -> None:
    def granted(b: ObservedStateBuilder, who: str = "g") -> None:
        b.catalog(CAT, comment="shop", grants={who: ["USE CATALOG"]})
        b.schema(CAT, SCH, comment="Sales", grants={who: ["USE SCHEMA"]})
        b.view(CAT, SCH, "big_orders", definition="SELECT * FROM orders WHERE amount > 100", comment="big",
               grants={who: ["SELECT"]})
        b.volume(CAT, SCH, "files", grants={who: ["READ VOLUME"]})
        b.function(CAT, SCH, "f", returns="INT", body="1", grants={who: ["EXECUTE"]})

    expected = state(lambda b: granted(b, "g"))
    observed = state(lambda b: granted(b, "other"))
    names = {f.object_name for f in compare(expected, observed).findings}
    assert names == {CAT, f"{CAT}.{SCH}", f"{CAT}.{SCH}.big_orders", f"{CAT}.{SCH}.files", f"{CAT}.{SCH}.f"}
    # a catalog's own grants count only when the whole catalog is compared, like its comment and tags
    assert CAT not in {f.object_name for f in compare(expected, observed, scope=[(CAT, SCH)]).findings}
    assert compare(expected, ObservedCatalog(state=observed, unobserved=frozenset({"grants"}))).findings == ()
    partial = ObservedCatalog(state=observed, partial={f"{CAT}.{SCH}.files": frozenset({"grants"})})
    assert f"{CAT}.{SCH}.files" not in {f.object_name for f in compare(expected, partial).findings}


def _masked(function: str, using: tuple[str, ...] = ()) -> list[ColumnSpec]:
    return orders_columns(email={"mask": MaskSpec(function, using)})


def test_row_filter_and_mask_compared_by_resolved_function_name() -> None:
    # the project names the function as it likes; the catalog reports the full name
    expected = state(
        columns=_masked("mask_email", ("id",)), row_filter=RowFilterSpec("sales.only_mine", ("day",))
    )
    observed = state(
        columns=_masked(f"`{CAT}`.`{SCH}`.`mask_email`", ("ID",)),
        row_filter=RowFilterSpec(f"{CAT}.{SCH}.only_mine", ("day",)),
    )
    assert compare(expected, observed).findings == ()
    changed = state(columns=_masked(f"{CAT}.{SCH}.mask_all"), row_filter=None)
    report = compare(expected, changed)
    got = [(f.object_type, f.object_name, f.detail, f.expected, f.actual) for f in report.findings]
    assert got == [
        ("table", T, "row filter", f"{CAT}.{SCH}.only_mine ON (day)", None),
        ("column", f"{T}.email", "mask", f"{CAT}.{SCH}.mask_email USING COLUMNS (id)",
         f"{CAT}.{SCH}.mask_all"),
    ]
    # a filter or mask set by hand on a table that declares none is drift too
    added = only(compare(state(), state(row_filter=RowFilterSpec("f"))))
    assert (added.detail, added.expected, added.actual) == ("row filter", None, f"{CAT}.{SCH}.f ON ()")
    blind = ObservedCatalog(state=changed, unobserved=frozenset({"row_filters", "column_masks"}))
    assert compare(expected, blind).findings == ()


def test_function_body_hidden_per_object_is_skipped() -> None:
    def fn(body: str) -> Callable[[ObservedStateBuilder], None]:
        return lambda b: b.function(CAT, SCH, "f", returns="INT", body=body)

    observed = ObservedCatalog(state=state(fn("2")), partial={f"{CAT}.{SCH}.f": frozenset({"function_body"})})
    assert compare(state(fn("1")), observed).findings == ()
    assert only(compare(state(fn("1")), state(fn("2")))).detail == "body"


# -- mapping --------------------------------------------------------------------------------------------


@pytest.fixture()
def project() -> schemax.Project:
    p = schemax.Project.create(None, "shop", store=MemoryStore(), author="alice")
    p.create_catalog("shop")
    p.create_schema("shop.sales", comment="Sales data")
    p.create_table(
        "shop.sales.orders",
        [schemax.Column("id", "BIGINT", nullable=False), schemax.Column("amount", "decimal(10, 2)")],
        comment="Orders",
    )
    return p


def test_map_to_physical_renames_catalogs_and_prefixes_schemas_keeping_ids(project: schemax.Project) -> None:
    logical = project.state()
    physical = map_to_physical(logical, {"SHOP": "dev_shop"}, schema_prefix="pr7_")
    tid = next(iter(logical.tables))
    assert logical.full_name(tid) == "shop.sales.orders"  # unchanged
    assert physical.full_name(tid) == "dev_shop.pr7_sales.orders"
    assert set(physical.tables) == set(logical.tables) and set(physical.schemas) == set(logical.schemas)
    assert physical.find("dev_shop.pr7_sales.orders") == tid
    assert map_to_physical(logical, {}) is logical
    assert map_to_physical(logical, {"other": "x"}).full_name(tid) == "shop.sales.orders"
    assert scope_of(physical) == [("dev_shop", "pr7_sales")]


def test_map_to_physical_names_row_filter_and_mask_functions_physically(project: schemax.Project) -> None:
    project.create_function("shop.sales.only_mine", "true", parameters="x BIGINT", returns="BOOLEAN")
    project.create_function("shop.sales.hide", "'***'", parameters="x DECIMAL(10,2)", returns="DECIMAL(10,2)")
    project.set_row_filter("shop.sales.orders", "only_mine", ["id"])
    project.set_column_mask("shop.sales.orders", "amount", "shop.sales.hide")
    logical = project.state()
    physical = map_to_physical(logical, {"shop": "dev_shop"}, schema_prefix="pr7_")
    t = next(iter(physical.tables.values()))
    assert t.row_filter is not None and t.row_filter.function == "`dev_shop`.`pr7_sales`.`only_mine`"
    amount = t.column_named("amount")
    assert amount is not None and amount.mask is not None
    assert amount.mask.function == "`dev_shop`.`pr7_sales`.`hide`"
    assert physical_function("system.ai.mask", "shop", "sales", {"shop": "dev_shop"}, "pr7_") == (
        "`system`.`ai`.`mask`"  # a catalog the project does not manage keeps its name
    )
    assert function_parts("a.b.c.d", "x", "y") is None and physical_function("a..b", "x", "y", {}) == "a..b"
    # the observed copy, as the catalog reports it, is no drift
    b = ObservedStateBuilder()
    b.table(
        "dev_shop",
        "pr7_sales",
        "orders",
        comment="Orders",
        columns=[
            ColumnSpec("id", "bigint", nullable=False),
            ColumnSpec("amount", "DECIMAL(10,2)", mask=MaskSpec("dev_shop.pr7_sales.hide")),
        ],
        row_filter=RowFilterSpec("dev_shop.pr7_sales.only_mine", ("id",)),
    )
    found = compare(physical, b.build(), scope=[("dev_shop", "pr7_sales")])
    assert [f for f in found.findings if f.detail in ("mask", "row filter")] == []


def test_project_state_compared_with_an_observed_copy(project: schemax.Project) -> None:
    physical = map_to_physical(project.state(), {"shop": "dev_shop"})
    b = ObservedStateBuilder()
    b.catalog("dev_shop")
    b.schema("dev_shop", "sales", comment="Sales data")
    b.table(
        "dev_shop",
        "sales",
        "orders",
        comment="Orders",
        columns=[ColumnSpec("id", "bigint", nullable=False), ColumnSpec("amount", "DECIMAL(10,2)")],
        properties={"delta.minReaderVersion": "1"},
    )
    assert compare(physical, b.build()).findings == ()


def test_table_hashes_are_of_the_logical_definition_keyed_by_physical_name(project: schemax.Project) -> None:
    logical = project.state()
    physical = map_to_physical(logical, {"shop": "prod_shop"})
    tid = next(iter(logical.tables))
    assert table_hashes(logical, physical) == {
        "prod_shop.sales.orders": table_definition_hash(logical.tables[tid])
    }


# -- observed states ------------------------------------------------------------------------------------


def test_observed_ids_are_deterministic_and_case_insensitive() -> None:
    assert observed_id("table", "A", "b", "C") == observed_id("table", "a", "B", "c")
    assert observed_id("table", "a", "b", "c").startswith("tbl_")
    assert observed_id("column", "a", "b.c", "d") != observed_id("column", "a.b", "c", "d")
    assert state() == state()


def test_declared_state_strips_server_set_properties() -> None:
    s = declared_state(state(properties={"owner.team": "sales", **SERVER_SET}))
    assert s.tables[observed_id("table", CAT, SCH, "orders")].properties == {"owner.team": "sales"}


@pytest.mark.parametrize(
    ("json_type", "metadata", "sql"),
    [
        ("long", None, "BIGINT"),
        ("integer", None, "INT"),
        ("decimal(10,2)", None, "decimal(10,2)"),
        ("string", {"__CHAR_VARCHAR_TYPE_STRING": "varchar(10)"}, "varchar(10)"),
        ("string", {"__COLLATIONS": {"c": "spark.UTF8_LCASE"}}, "STRING COLLATE UTF8_LCASE"),
        ({"type": "array", "elementType": "short", "containsNull": True}, None, "ARRAY<SMALLINT>"),
        (
            {"type": "map", "keyType": "string", "valueType": "byte", "valueContainsNull": True},
            None,
            "MAP<string,TINYINT>",
        ),
        (
            {
                "type": "struct",
                "fields": [
                    {"name": "a b", "type": "integer", "nullable": False, "metadata": {"comment": "it's"}},
                    {"name": "x`y", "type": "string", "nullable": True, "metadata": {}},
                ],
            },
            None,
            "STRUCT<`a b`:INT NOT NULL COMMENT 'it\\'s',`x``y`:string>",
        ),
    ],
)
def test_spark_json_types(json_type: Any, metadata: Any, sql: str) -> None:
    assert spark_json_type(json_type, metadata, "c") == sql


def test_unrepresentable_column_types_are_reported_not_dropped() -> None:
    from schemax.drift.observed import columns_from_spark_schema

    schema = {
        "type": "struct",
        "fields": [
            {"name": "p", "type": {"type": "udt", "class": "x.Point"}, "nullable": True, "metadata": {}},
            {
                "name": "g",
                "type": "long",
                "nullable": True,
                "metadata": {"delta.generationExpression": "id * 2"},
            },
        ],
    }
    cols, facts = columns_from_spark_schema(schema, "c.s.t")
    assert [c.name for c in cols] == ["p", "g"]
    assert any("c.s.t.p" in u and "user-defined" in u for u in facts.unrepresentable)
    # issue 11: a generated column is represented now (its expression read from the field metadata)
    assert not any("c.s.t.g" in u for u in facts.unrepresentable)
    assert cols[1].generated == "id * 2"


# -- report ------------------------------------------------------------------------------------------------


def test_report_json_round_trip_and_summary() -> None:
    cols = orders_columns(id={"type": "INT"})
    report = compare(state(), state(columns=cols), environment="dev")
    data = json.loads(report.to_json())
    assert data["drifted"] is True and data["counts"] == {"missing": 0, "modified": 1, "extra": 0}
    assert data["findings"][0] == {
        "object_type": "column",
        "object_name": f"{T}.id",
        "issue": "modified",
        "expected": "BIGINT",
        "actual": "INT",
        "detail": "type",
        "owner": T,
    }
    assert DriftReport.from_json(report.to_json()) == report
    text = report.summary()
    assert "DRIFT in dev" in text and f"column {T}.id type differs: expected 'BIGINT', actual 'INT'" in text


def test_html_is_grouped_escaped_and_self_contained() -> None:
    def evil(b: ObservedStateBuilder) -> None:
        b.table(CAT, SCH, "x<script>", columns=[ColumnSpec("c", "INT")], comment="<b>&")

    report = compare(state(), state(evil, comment="</td><script>alert(1)</script>"))
    page = report._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert page.count("<details open") == 2  # one group per table
    assert "<style>" in page and "http" not in page  # no external resources
    assert "sxd-extra" in page and "sxd-modified" in page
    assert "No drift" in compare(state(), state())._repr_html_()


def test_finding_messages() -> None:
    f = DriftFinding("property", T, "extra", None, "gold", "quality", T)
    assert f.message == f"property 'quality' on {T} exists but is not in the project (value 'gold')"
    assert str(DriftFinding("table", T, "missing", "table", None, "table not found")).startswith(
        "[missing] table"
    )


# -- purity ---------------------------------------------------------------------------------------------


def test_drift_package_never_imports_engines() -> None:
    code = (
        "import sys; import schemax.drift, schemax.drift.compare, schemax.drift.observed, "
        "schemax.drift.report, "
        "schemax.drift.mapping, schemax.drift.properties; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('pyspark', 'py4j', 'databricks', 'delta')]; "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# -- which catalog reader a drift check uses ------------------------------------------------------------

def _uc_drift(executor: Any) -> Any:
    """The drift service of a project on ``executor``, an engine that reports Unity Catalog."""
    from schemax.plan.capabilities import UNITY_CATALOG
    from schemax.services.drift import DriftService

    p = schemax.Project.create(executor, "uc", store=MemoryStore(), author="t")
    return DriftService(p.records, executor, author=p.author, capabilities=UNITY_CATALOG)


def test_unity_catalog_reader_takes_the_warehouse_executors_workspace_client() -> None:
    from unittest.mock import create_autospec

    from databricks.sdk import WorkspaceClient

    from schemax.adapters.catalog_uc import UnityCatalogReader
    from schemax.adapters.statement_execution import StatementExecutionExecutor

    ws = create_autospec(WorkspaceClient, instance=True)
    reader = _uc_drift(StatementExecutionExecutor(ws, "wh-1")).reader()
    assert isinstance(reader, UnityCatalogReader) and reader.ws is ws  # properties in bulk from tables.list


def test_on_a_runtime_the_reader_gets_a_workspace_client_elsewhere_it_reads_per_table(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import databricks.sdk

    class RuntimeClient:
        pass

    class Engine:  # a cluster's SparkSession seen through an executor: no SDK client of its own
        def query(self, sql: str, params: Any = None) -> list[dict[str, Any]]:
            return []

        def execute(self, sql: str, params: Any = None) -> None:
            return None

    monkeypatch.setattr(databricks.sdk, "WorkspaceClient", RuntimeClient)
    monkeypatch.delenv("DATABRICKS_RUNTIME_VERSION", raising=False)
    assert _uc_drift(Engine()).reader().ws is None
    monkeypatch.setenv("DATABRICKS_RUNTIME_VERSION", "17.3")
    assert isinstance(_uc_drift(Engine()).reader().ws, RuntimeClient)


def test_import_keeps_declared_schema_properties_no_reader_observes() -> None:
    """No catalog reader observes DBPROPERTIES: aligning what was seen must not turn the declared schema
    properties into ``unset_schema_properties`` ops (the next deploy would UNSET them live)."""
    from schemax.core.environment import Environment
    from schemax.drift.mapping import map_to_physical
    from schemax.plan.to_ops import ops_between
    from schemax.services.drift import align

    p = schemax.Project.in_memory("props")
    p.create_catalog("shop")
    p.create_schema("shop.sales", properties={"owner.team": "sales"})
    reference = p.state()
    env = Environment(name="dev", catalogs={"shop": "dev_shop"})
    seen = map_to_physical(reference, env.catalogs)
    seen = seen.model_copy(update={"schemas": {sid: s.model_copy(update={"properties": {}})
                                               for sid, s in seen.schemas.items()}})
    aligned = align(seen, reference, env)
    assert [op.kind for op in ops_between(reference, aligned, author="t")] == []


# -- importing what a Unity Catalog read saw ------------------------------------------------------------


def test_import_keeps_the_projects_governance_terms_and_what_was_hidden(project: schemax.Project) -> None:
    from schemax.core.environment import Environment
    from schemax.services.drift import align

    project.create_function("shop.sales.only_mine", "true", parameters="x BIGINT", returns="BOOLEAN")
    project.create_function("shop.sales.hide", "0", parameters="x DECIMAL(10,2)", returns="DECIMAL(10,2)")
    project.set_row_filter("shop.sales.orders", "only_mine", ["id"])
    project.set_column_mask("shop.sales.orders", "amount", "hide")
    project.set_column_default("shop.sales.orders", "amount", "0")
    project.grant("shop.sales.orders", "analysts", ["SELECT"])
    project.create_view("shop.sales.v", "SELECT id FROM shop.sales.orders")
    project.grant("shop.sales.v", "analysts", ["SELECT"])
    reference = project.state()
    env = Environment(name="dev", catalogs={"shop": "dev_shop"}, schema_prefix="pr7_")
    tid = reference.find("shop.sales.orders")
    assert tid is not None

    def observed(mask: str) -> State:
        b = ObservedStateBuilder()
        b.table(
            "dev_shop",
            "pr7_sales",
            "orders",
            comment="Orders",
            columns=[
                ColumnSpec("id", "bigint", nullable=False),
                ColumnSpec("amount", "DECIMAL(10,2)", mask=MaskSpec(mask, ("id",) if "all" in mask else ())),
            ],
            row_filter=RowFilterSpec("`dev_shop`.`pr7_sales`.`only_mine`", ("id",)),
            grants={"analysts": ["SELECT"], "intern": ["SELECT"]},
        )
        b.view("dev_shop", "pr7_sales", "v", definition="", grants={})
        return b.build()

    hidden = {
        "dev_shop.pr7_sales.orders": frozenset({"column_defaults"}),
        "dev_shop.pr7_sales.v": frozenset({"view_definition", "grants"}),
    }
    got = align(observed("dev_shop.pr7_sales.hide"), reference, env, partial=hidden)
    orders, ref_orders = got.tables[tid], reference.tables[tid]
    assert orders.row_filter == ref_orders.row_filter  # the same function, in the project's own words
    assert orders.column_named("amount") == ref_orders.column_named("amount")  # mask and hidden default
    assert orders.grants == {"analysts": ("SELECT",), "intern": ("SELECT",)}  # what the catalog holds
    vid = reference.find("shop.sales.v")
    assert got.views[vid].definition == reference.views[vid].definition  # hidden: the project's text
    assert got.views[vid].grants == reference.views[vid].grants  # hidden: the project's grants

    changed = align(observed("dev_shop.pr7_sales.mask_all"), reference, env, partial=hidden)
    amount = changed.tables[tid].column_named("amount")
    assert amount is not None and amount.mask is not None
    assert amount.mask.function == "`shop`.`sales`.`mask_all`"  # a logical name, not dev's physical one
    assert amount.mask.using_columns == (ref_orders.columns[0].id,)  # the project's column ids
