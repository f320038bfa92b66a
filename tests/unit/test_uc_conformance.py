"""Unity Catalog conformance: every statement shape the planner emits for UC has a cited rule.

A generated catalogue makes the planner emit every statement it can for the Unity Catalog engine: every
change kind and attribute (create, alter, drop and rename of every object kind; table, column and
constraint attributes; tags, grants, row filters, masks, rewrites; SQL and Python functions; managed and
external volumes; catalogs and schemas with locations and properties), the golden cases, random state
pairs, and states an old log may hold that break a rule. Each rendered statement is normalized to its
shape (:func:`schemax.core.uc_statements.normalize`) and looked up in
:data:`~schemax.core.uc_statements.SHAPES`; the test fails on a shape the table lacks. Each statement is
checked against the rules (a statement a rule refuses must be in ``plan.unsupported``) and parsed with
sqlglot's databricks dialect where sqlglot models it (the shapes it cannot parse are reported, not failed).

The counts are logged and shown in the terminal summary (``tests/unit/conftest.py``).
"""

from __future__ import annotations

import logging
import random
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlglot
from sqlglot import exp

import schemax
from schemax.core.model import State
from schemax.core.ops import Op
from schemax.core.replay import replay
from schemax.core.uc_rules import PRIVILEGES_BY_KIND, RULES
from schemax.core.uc_statements import SHAPES, Shape, shape_of, state_violations, statement_problems
from schemax.plan import UNITY_CATALOG, Plan, Target, Tracking, build_plan
from schemax.plan.changes import CHANGE_TYPES

CASES_DIR = Path(__file__).resolve().parents[1] / "cases"
sys.path.insert(0, str(CASES_DIR))

import make_cases  # noqa: E402
import random_states  # noqa: E402

log = logging.getLogger("schemax.tests.uc_conformance")
COL = schemax.Column
TARGET = Target(
    catalogs={"shop": "dev_shop"},
    tracking=Tracking(
        version="1.0.0",
        snapshot_id="snap",
        deployment_id="dep",
        environment="dev",
        deployed_at="2026-01-01T00:00:00Z",
    ),
)

Scenario = Callable[[schemax.Project], Iterator[None]]
SCENARIOS: dict[str, Scenario] = {}


def scenario(fn: Scenario) -> Scenario:
    SCENARIOS[fn.__name__] = fn
    return fn


def shop(p: schemax.Project) -> None:
    p.create_catalog("shop", comment="the shop", managed_location="s3://b/shop")
    p.create_schema("shop.sales", comment="sales", managed_location="s3://b/sales", properties={"team": "s"})
    p.create_schema("shop.ref")
    p.create_table("shop.sales.customers", [COL("id", "BIGINT", nullable=False), COL("name", "STRING")])
    p.add_primary_key("shop.sales.customers", ["id"])
    p.create_table(
        "shop.sales.orders",
        [
            COL("id", "BIGINT", nullable=False, comment="order id"),
            COL("customer_id", "BIGINT"),
            COL("qty", "INT"),
            COL("amount", "DECIMAL(10,2)"),
            COL("status", "STRING", default="'new'"),
            COL("note", "STRING", tags={"pii": "yes"}),
        ],
        comment="orders",
        properties={"quality": "gold"},
        tags={"domain": "sales"},
    )
    p.add_primary_key("shop.sales.orders", ["id"])
    p.add_foreign_key("shop.sales.orders", ["customer_id"], "shop.sales.customers", ["id"])
    p.add_check_constraint("shop.sales.orders", "qty_positive", "qty > 0")
    p.create_function("shop.sales.only_mine", "is_member('sales')", parameters="c BIGINT", returns="BOOLEAN")
    p.create_function(
        "shop.sales.mask_note",
        "CASE WHEN is_member('hr') THEN v ELSE '***' END",
        parameters="v STRING, k BIGINT",
        returns="STRING",
    )
    p.set_row_filter("shop.sales.orders", "shop.sales.only_mine", ["customer_id"])
    p.set_column_mask("shop.sales.orders", "note", "shop.sales.mask_note", ["id"])
    p.create_view(
        "shop.sales.big", "SELECT * FROM orders WHERE amount > 100", comment="big ones", properties={"k": "v"}
    )
    p.create_volume("shop.sales.files", comment="files")
    p.create_volume("shop.sales.landing", "EXTERNAL", location="s3://b/landing")


# -- everything created, with every attribute -----------------------------------------------------------
@scenario
def create_everything(p: schemax.Project) -> Iterator[None]:
    yield
    shop(p)
    p.create_table(
        "shop.sales.events",
        [
            COL("id", "BIGINT", nullable=False),
            COL("day", "DATE"),
            COL("payload", "STRUCT<a:INT,b:ARRAY<STRING>>"),
        ],
        partition_by=["day"],
        table_type="EXTERNAL",
        location="s3://b/events",
    )
    p.create_table("shop.sales.clicks", [COL("id", "BIGINT"), COL("my col", "STRING")], cluster_by=["id"])
    p.create_function(
        "shop.sales.slug", "return s.lower()", parameters="s STRING", language="PYTHON", comment="slugs"
    )
    p.create_function("shop.sales.n", "SELECT count(*) FROM orders", returns="BIGINT")
    for name, tags in (
        ("shop", {"env": "dev"}),
        ("shop.sales", {"tier": "1"}),
        ("shop.sales.big", {"t": "1"}),
        ("shop.sales.files", {"kind": "raw"}),
    ):
        p.set_tags(name, tags)
    _grant_everything(p)


def _grant_everything(p: schemax.Project) -> None:
    names = {
        "catalog": "shop",
        "schema": "shop.sales",
        "table": "shop.sales.orders",
        "view": "shop.sales.big",
        "volume": "shop.sales.files",
        "function": "shop.sales.only_mine",
    }
    for kind, name in names.items():
        p.grant(name, "analysts", sorted(PRIVILEGES_BY_KIND[kind] - {"ALL PRIVILEGES"}))
        p.grant(name, "admins", ["ALL PRIVILEGES"])


# -- catalogs and schemas ---------------------------------------------------------------------------------
@scenario
def catalogs_and_schemas(p: schemax.Project) -> Iterator[None]:
    shop(p)
    p.set_tags("shop", {"env": "dev", "old": "x"})
    p.set_tags("shop.sales", {"tier": "1", "old": "x"})
    p.set_schema_properties("shop.sales", {"gone": "x"})
    p.create_catalog("old_cat")
    yield
    p.set_catalog_comment("shop", "new")
    p.set_schema_comment("shop.sales", None)
    p.set_tags("shop", {"env": "prod"})
    p.unset_tags("shop", ["old"])
    p.set_tags("shop.sales", {"tier": "2"})
    p.unset_tags("shop.sales", ["old"])
    p.set_schema_properties("shop.sales", {"team": "t"})
    p.unset_schema_properties("shop.sales", ["gone"])
    p.rename_schema("shop.ref", "reference")
    p.rename_catalog("old_cat", "new_cat")
    p.create_schema("shop.extra", comment="x")
    p.drop_schema("shop.reference")


@scenario
def drop_catalog(p: schemax.Project) -> Iterator[None]:
    shop(p)
    yield
    p.drop_catalog("shop")


# -- tables -----------------------------------------------------------------------------------------------
@scenario
def table_attributes(p: schemax.Project) -> Iterator[None]:
    shop(p)
    p.create_table(
        "shop.sales.t",
        [COL("a", "INT"), COL("b", "STRING")],
        cluster_by=["a"],
        properties={"x": "1", "y": "2"},
        comment="t",
    )
    p.create_table("shop.sales.gone", [COL("a", "INT")])
    yield
    p.rename_table("shop.sales.t", "t2")
    p.set_table_comment("shop.sales.t2", None)
    p.set_table_comment("shop.sales.orders", "all orders")
    p.set_table_properties("shop.sales.t2", {"x": "one"})
    p.unset_table_properties("shop.sales.t2", ["y"])
    p.set_tags("shop.sales.orders", {"domain": "retail", "owner": "ops"})
    p.unset_tags("shop.sales.orders", ["domain"])
    p.set_cluster_by("shop.sales.t2", [])
    p.set_cluster_by("shop.sales.customers", ["id"])
    p.set_row_filter("shop.sales.orders", "shop.sales.only_mine", ["id"])
    p.drop_row_filter("shop.sales.orders")
    p.reorder_columns("shop.sales.t2", ["b", "a"])
    p.drop_table("shop.sales.gone")


@scenario
def row_filter_set(p: schemax.Project) -> Iterator[None]:
    shop(p)
    yield
    p.set_row_filter("shop.sales.customers", "shop.sales.only_mine", ["id"])


@scenario
def columns(p: schemax.Project) -> Iterator[None]:
    shop(p)
    p.set_tags("shop.sales.orders.qty", {"a": "1", "b": "2"})
    yield
    p.add_column("shop.sales.orders", "channel", "STRING", comment="where")
    p.add_column("shop.sales.orders", "first", "INT", first=True)
    p.add_column("shop.sales.orders", "mid", "DATE", comment="m", after="qty")
    p.add_column("shop.sales.orders", "must", "STRING", nullable=False, default="'x'")
    p.add_column("shop.sales.orders", "dflt", "INT", default="0")
    p.drop_column("shop.sales.orders", "status")
    p.rename_column("shop.sales.customers", "name", "full_name")
    p.change_column_type("shop.sales.orders", "qty", "BIGINT")
    p.set_column_nullable("shop.sales.orders", "amount", False)
    p.set_column_comment("shop.sales.orders", "id", None)
    p.set_column_comment("shop.sales.orders", "amount", "value")
    p.set_column_default("shop.sales.orders", "qty", "1")
    p.set_tags("shop.sales.orders.qty", {"a": "one"})
    p.unset_tags("shop.sales.orders.qty", ["b"])
    p.set_column_mask("shop.sales.orders", "customer_id", "shop.sales.mask_note")
    p.drop_column_mask("shop.sales.orders", "note")


@scenario
def column_defaults_and_nullability(p: schemax.Project) -> Iterator[None]:
    shop(p)
    p.create_table("shop.sales.t", [COL("a", "INT", nullable=False), COL("b", "STRING", default="'x'")])
    yield
    p.set_column_nullable("shop.sales.t", "a", True)
    p.set_column_default("shop.sales.t", "b", None)


@scenario
def rewrites(p: schemax.Project) -> Iterator[None]:
    shop(p)
    p.create_table(
        "shop.sales.t", [COL("id", "BIGINT", nullable=False), COL("v", "STRING"), COL("d", "DATE")]
    )
    yield
    p.set_partition_by("shop.sales.t", ["d"])
    p.change_column_type("shop.sales.orders", "amount", "STRING")


@scenario
def constraints(p: schemax.Project) -> Iterator[None]:
    shop(p)
    p.create_table("shop.sales.items", [COL("id", "BIGINT", nullable=False), COL("order_id", "BIGINT")])
    yield
    p.drop_constraint("shop.sales.orders", "qty_positive")
    p.add_check_constraint("shop.sales.orders", "amount_positive", "amount > 0")
    p.add_primary_key("shop.sales.items", ["id"])
    p.add_foreign_key("shop.sales.items", ["order_id"], "shop.sales.orders", ["id"])
    p.drop_constraint("shop.sales.orders", "orders_customer_id_fk")
    p.drop_constraint("shop.sales.customers", "customers_pk")


@scenario
def key_options(p: schemax.Project) -> Iterator[None]:
    """Issue 11: RELY / NOT ENFORCED / TIMESERIES on primary keys, RELY on foreign keys, and a key whose
    options change (dropped and added again)."""
    shop(p)
    p.create_table(
        "shop.sales.ticks", [COL("id", "BIGINT", nullable=False), COL("ts", "TIMESTAMP", nullable=False)]
    )
    yield
    p.add_primary_key("shop.sales.ticks", ["id", "ts"], timeseries="ts", rely=True, not_enforced=True)
    p.create_table("shop.sales.marks", [COL("tick_id", "BIGINT"), COL("tick_ts", "TIMESTAMP")])
    p.add_foreign_key("shop.sales.marks", ["tick_id", "tick_ts"], "shop.sales.ticks", ["id", "ts"], rely=True)


@scenario
def cluster_auto(p: schemax.Project) -> Iterator[None]:
    """Issue 11: CLUSTER BY AUTO on a new table, on an existing clustered one, and turned off again."""
    shop(p)
    p.create_table("shop.sales.auto_off", [COL("a", "INT")], cluster_by="AUTO")
    yield
    p.create_table("shop.sales.auto_new", [COL("a", "INT"), COL("b", "STRING")], cluster_by="AUTO")
    p.set_cluster_by("shop.sales.customers", "AUTO")
    p.set_cluster_by("shop.sales.auto_off", [])


@scenario
def ownership(p: schemax.Project) -> Iterator[None]:
    """Issue 11: an owner on every securable kind (a function's is refused: no documented statement), one
    owner transferred, one no longer managed."""
    shop(p)
    p.set_owner("shop.sales.customers", "etl")
    p.set_owner("shop.sales.files", "etl")
    yield
    p.set_owner("shop", "platform admins")
    p.set_owner("shop.sales", "sales-owners")
    p.set_owner("shop.sales.orders", "etl@example.com")
    p.set_owner("shop.sales.customers", "sales-owners")
    p.set_owner("shop.sales.big", "analysts")
    p.set_owner("shop.sales.files", None)
    p.set_owner("shop.sales.only_mine", "sec")


@scenario
def identity_and_generated(p: schemax.Project) -> Iterator[None]:
    """Issue 11: identity and generated columns in CREATE TABLE; a rewrite of a table with an identity
    column is refused."""
    shop(p)
    p.create_table("shop.sales.seq", [COL("id", "BIGINT", identity=True), COL("d", "DATE")])
    yield
    p.create_table(
        "shop.sales.events",
        [
            COL("id", "BIGINT", nullable=False, identity={"start": 1, "step": -1}),
            COL("ref", "BIGINT", identity={"always": False, "start": 5}),
            COL("ts", "TIMESTAMP", comment="when"),
            COL("day", "DATE", generated="CAST(ts AS DATE)"),
        ],
    )
    p.set_partition_by("shop.sales.seq", ["d"])


# -- views, volumes, functions ----------------------------------------------------------------------------
@scenario
def views(p: schemax.Project) -> Iterator[None]:
    shop(p)
    p.create_view("shop.sales.v", "SELECT id FROM orders", properties={"a": "1", "b": "2"})
    p.create_view("shop.sales.gone", "SELECT 1 AS one")
    p.set_tags("shop.sales.v", {"old": "x"})
    p.grant("shop.sales.big", "analysts", ["SELECT"])
    yield
    p.update_view("shop.sales.big", "SELECT id, qty FROM orders WHERE amount > 1000")
    p.set_view_comment("shop.sales.big", "very big")
    p.rename_view("shop.sales.v", "order_ids")
    p.set_view_properties("shop.sales.order_ids", {"a": "one"})
    p.unset_view_properties("shop.sales.order_ids", ["b"])
    p.set_tags("shop.sales.order_ids", {"certified": "yes"})
    p.unset_tags("shop.sales.order_ids", ["old"])
    p.drop_view("shop.sales.gone")
    p.create_view("shop.sales.plain", "SELECT 2 AS two")


@scenario
def volumes(p: schemax.Project) -> Iterator[None]:
    shop(p)
    p.create_volume("shop.sales.old")
    p.set_tags("shop.sales.files", {"a": "1"})
    yield
    p.rename_volume("shop.sales.files", "outbox")
    p.set_volume_comment("shop.sales.outbox", "outgoing")
    p.set_volume_comment("shop.sales.landing", None)
    p.set_tags("shop.sales.outbox", {"b": "2"})
    p.unset_tags("shop.sales.outbox", ["a"])
    p.drop_volume("shop.sales.old")
    p.create_volume("shop.sales.raw")


@scenario
def functions(p: schemax.Project) -> Iterator[None]:
    shop(p)
    p.create_function("shop.sales.old", "1", returns="INT")
    p.create_function("shop.sales.py", "return 1", returns="INT", language="PYTHON")
    yield
    p.update_function("shop.sales.only_mine", "is_member('ops')", parameters="c BIGINT", returns="BOOLEAN")
    p.update_function("shop.sales.py", "return 2", returns="INT", language="PYTHON")
    p.update_function("shop.sales.old", "1", parameters="x INT", returns="BIGINT")
    p.set_function_comment("shop.sales.mask_note", "masks")
    p.create_function(
        "shop.sales.tax",
        "amount * 0.2",
        parameters="amount DECIMAL(10,2)",
        returns="DECIMAL(10,2)",
        comment="VAT",
    )


@scenario
def function_dropped(p: schemax.Project) -> Iterator[None]:
    shop(p)
    p.create_function("shop.sales.old", "1", returns="INT")
    yield
    p.drop_function("shop.sales.old")


# -- grants -----------------------------------------------------------------------------------------------
@scenario
def grants(p: schemax.Project) -> Iterator[None]:
    shop(p)
    _grant_everything(p)
    p.grant("shop.sales.customers", "etl", ["SELECT", "MODIFY"])
    p.grant("shop.sales.customers", "ops", ["ALL PRIVILEGES"])
    yield
    for kind, name in (
        ("catalog", "shop"),
        ("schema", "shop.sales"),
        ("view", "shop.sales.big"),
        ("volume", "shop.sales.files"),
        ("function", "shop.sales.only_mine"),
    ):
        p.revoke(name, "analysts", sorted(PRIVILEGES_BY_KIND[kind] - {"ALL PRIVILEGES"}))
        p.revoke(name, "admins", ["ALL PRIVILEGES"])
    p.grant("shop.sales.customers", "etl", ["ALL PRIVILEGES"])  # a list replaced by ALL PRIVILEGES
    p.revoke("shop.sales.customers", "ops", ["ALL PRIVILEGES"])  # ALL PRIVILEGES narrowed to a list
    p.grant("shop.sales.customers", "ops", ["SELECT"])
    p.grant("shop.sales.orders", "`weird` name", ["SELECT"])


# -- states only an import, a rollback or an old log produce ----------------------------------------------
def _moved(state: State, **objects: str) -> State:
    """``state`` with the named objects (table/view/volume name -> schema name) in another schema."""
    out = state
    for name, schema in objects.items():
        oid = out.find(f"shop.sales.{name}") or ""
        field_ = {"tbl": "tables", "viw": "views", "vol": "volumes"}[oid[:3]]
        objs = dict(getattr(out, field_))
        objs[oid] = objs[oid].model_copy(update={"schema_id": out.find(f"shop.{schema}")})
        out = out.model_copy(update={field_: objs})
    return out


def _relocated(state: State) -> State:
    cats = {i: c.model_copy(update={"managed_location": "s3://b/shop2"}) for i, c in state.catalogs.items()}
    schemas = {i: s.model_copy(update={"managed_location": "s3://b/s2"}) for i, s in state.schemas.items()}
    vols = {
        i: v.model_copy(update={"location": "s3://b/landing2"}) if v.volume_type == "EXTERNAL" else v
        for i, v in state.volumes.items()
    }
    return state.model_copy(update={"catalogs": cats, "schemas": schemas, "volumes": vols})


def _old_log_state() -> State:
    """What a log recorded before the rules may hold: each thing a rule now refuses."""

    def op(kind: str, target: str, payload: dict[str, Any]) -> Op:
        return Op.new(kind, target, payload, author="old", ts="2025-01-01T00:00:00.000000Z")

    return replay(
        [
            op("create_catalog", "cat_1", {"name": "shop"}),
            op("create_schema", "sch_1", {"catalog_id": "cat_1", "name": "sales"}),
            op(
                "create_table",
                "tbl_1",
                {
                    "schema_id": "sch_1",
                    "name": "a",
                    "location": "s3://b/a",
                    "columns": [
                        {
                            "id": "col_1",
                            "name": "id",
                            "type": "BIGINT",
                            "nullable": False,
                            "tags": {"x:y": "1"},
                        }
                    ],
                    "tags": {"data-owner": "s", **{f"k{i}": "v" for i in range(20)}},
                },
            ),
            op(
                "create_table",
                "tbl_2",
                {
                    "schema_id": "sch_1",
                    "name": "b",
                    "columns": [{"id": "col_2", "name": "id", "type": "BIGINT", "nullable": False}],
                },
            ),
            op("add_primary_key", "con_1", {"table_id": "tbl_1", "name": "pk", "columns": ["col_1"]}),
            op("add_primary_key", "con_2", {"table_id": "tbl_2", "name": "pk", "columns": ["col_2"]}),
            op("grant", "tbl_1", {"principal": "a", "privileges": ["SELECT"]}),
            op("grant", "tbl_1", {"principal": "a", "privileges": ["ALL PRIVILEGES"]}),
            op("grant", "tbl_1", {"principal": "b", "privileges": ["READ VOLUME"]}),
            op("create_volume", "vol_1", {"schema_id": "sch_1", "name": "v", "location": "s3://b/v"}),
        ]
    )


# ---------------------------------------------------------------------------------------------------
# the catalogue
# ---------------------------------------------------------------------------------------------------


def _built(fn: Scenario) -> tuple[State, State]:
    p = schemax.Project.in_memory(fn.__name__, author="conformance")
    steps = fn(p)
    next(steps)
    before = p.state()
    for _ in steps:
        pass
    return before, p.state()


def catalogue() -> Iterator[tuple[str, State, State]]:
    for name, fn in SCENARIOS.items():
        before, after = _built(fn)
        yield name, before, after
        if name == "catalogs_and_schemas":
            yield "relocated", before, _relocated(before)
        if name == "table_attributes":
            yield "moved", before, _moved(before, orders="ref", big="ref", files="ref")
        yield f"{name} (dropped)", after, State() if name == "create_everything" else before
    yield "old log", State(), _old_log_state()
    for case in make_cases.CASES:
        before, after, conf = make_cases.load(CASES_DIR / case)
        if conf["engine"] == "unity_catalog":
            yield f"golden {case}", before, after
    rnd = random.Random(20260110)
    for i in range(60):
        picks_a = [(rnd.randrange(100), rnd.randrange(10**6)) for _ in range(rnd.randrange(0, 10))]
        picks_b = [(rnd.randrange(100), rnd.randrange(10**6)) for _ in range(rnd.randrange(1, 10))]
        a, b = random_states.pair(picks_a, picks_b)
        yield f"random {i}", a, b
        yield f"random {i} back", b, a


@dataclass
class Report:
    forms: Counter[str] = field(default_factory=Counter)
    shapes: dict[str, Shape] = field(default_factory=dict)
    uncited: dict[str, str] = field(default_factory=dict)  # form -> an example statement
    unparsed: dict[str, str] = field(default_factory=dict)  # shape id -> sqlglot's error
    not_refused: list[str] = field(default_factory=list)
    change_types: set[type] = field(default_factory=set)
    plans: int = 0
    statements: int = 0

    def summary(self) -> str:
        cited = len(self.forms) - len(self.uncited)
        pct = 100.0 * cited / len(self.forms) if self.forms else 0.0
        return (
            f"UC conformance: {self.statements} statements in {self.plans} plans; "
            f"{len(self.forms)} statement forms in {len(self.shapes)} shapes; "
            f"{cited} forms with a cited rule ({pct:.0f}%); sqlglot cannot parse {len(self.unparsed)} "
            f"shapes: {', '.join(sorted(self.unparsed)) or 'none'}"
        )


def _parse(sql: str) -> str | None:
    """Why sqlglot's databricks dialect does not model ``sql`` (None when it parses it to a tree)."""
    text = sql[: -len("NULL")] + "''" if sql.startswith("COMMENT ON ") and sql.endswith(" IS NULL") else sql
    try:
        tree = sqlglot.parse_one(text, read="databricks")
    except Exception as exc:  # noqa: BLE001 - any parse failure is what is recorded
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
    if isinstance(tree, exp.Command):
        return "kept as an unparsed command"
    return None


def _check(report: Report, label: str, pl: Plan) -> None:
    report.plans += 1
    report.change_types.update(type(c) for c in pl.changes)
    unsupported = {id(s) for s, _ in pl.unsupported}
    violations = state_violations(pl.after)
    for stmt in pl.statements:
        report.statements += 1
        form, shape = shape_of(stmt.sql)
        report.forms[form] += 1
        if shape is None:
            report.uncited.setdefault(form, stmt.sql)
            continue
        report.shapes[shape.id] = shape
        must_refuse = [f"shape {shape.id} (rule {shape.refused_by})"] if shape.refused_by else []
        must_refuse += [f"rule {r}: {why}" for r, why in statement_problems(stmt.sql)]
        must_refuse += [
            f"rule {v.rule}: {v.reason}"
            for v in violations
            if v.carried_by(stmt.sql, stmt.object_id, stmt.capability)
        ]
        if must_refuse and id(stmt) not in unsupported:
            report.not_refused.append(f"{label}: {stmt.sql[:160]} <- {must_refuse}")
        if shape.id not in report.unparsed:
            error = _parse(stmt.sql)
            if error:
                report.unparsed[shape.id] = error


@pytest.fixture(scope="module")
def report(terminal_summary: list[str]) -> Report:
    out = Report()
    for label, before, after in catalogue():
        _check(out, label, build_plan(before, after, TARGET, capabilities=UNITY_CATALOG))
    log.info(out.summary())
    for shape_id, error in sorted(out.unparsed.items()):
        log.info("sqlglot cannot parse shape %s: %s", shape_id, error)
    terminal_summary.append(out.summary())
    return out


def test_every_statement_shape_has_a_cited_rule(report: Report) -> None:
    assert report.statements > 1000 and len(report.forms) > 100
    assert not report.uncited, (
        "statement shapes without a cited rule (add them to SHAPES in "
        "core/uc_statements.py with their source):\n"
        + "\n".join(f"{form}\n    e.g. {sql[:200]}" for form, sql in sorted(report.uncited.items()))
    )


def test_every_shape_cites_a_fact_or_a_rule_with_a_source() -> None:
    for shape in SHAPES:
        assert shape.source.startswith("https://"), shape.id
        assert shape.facts or shape.note.startswith("DML"), shape.id
        for rid in (*shape.rules, *([shape.refused_by] if shape.refused_by else [])):
            assert rid in RULES, (shape.id, rid)


def test_statements_a_rule_refuses_are_listed_before_anything_runs(report: Report) -> None:
    assert not report.not_refused, "\n".join(report.not_refused)


def test_the_catalogue_covers_every_change_type(report: Report) -> None:
    missing = sorted(t.__name__ for t in CHANGE_TYPES if t not in report.change_types)
    assert not missing, f"change types the catalogue never produces: {missing}"


def test_the_catalogue_reaches_every_shape_the_planner_emits_today(report: Report) -> None:
    # shapes kept for renderers on their way (ALTER VIEW … AS) may be unused; every other one is reached
    unreached = sorted(s.id for s in SHAPES if s.id not in report.shapes and s.id != "alter-view-query")
    assert not unreached, f"shapes the catalogue never reaches: {unreached}"


def test_the_refused_rules_show_up_in_the_catalogue(report: Report) -> None:
    """The catalogue exercises every rule a plan enforces: each appears in some plan's unsupported list."""
    seen = {s.refused_by for s in report.shapes.values() if s.refused_by}
    assert seen == {r.id for r in RULES.values() if r.capability}
