"""Deployments on real local Spark + Delta, with data in the tables so that any loss would show."""

from __future__ import annotations

import dataclasses
import os
import threading
import uuid
from typing import Any

import pytest

import schemax
from helpers import FailingExecutor
from schemax.adapters.memory import MemoryStore
from schemax.adapters.spark import SparkExecutor
from schemax.core.environment import StatementRecord
from schemax.services.deploy import Deployer
from schemax.services.resume import FOUND_APPLIED

pytestmark = pytest.mark.integration


def _uid() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture()
def prefix() -> str:
    return f"t{_uid()}_"


def _table_props(spark: Any, name: str) -> dict[str, str]:
    return {r["key"]: r["value"] for r in spark.sql(f"SHOW TBLPROPERTIES {name}").collect()}


def _columns(spark: Any, name: str) -> list[str]:
    return [f.name for f in spark.table(name).schema.fields]


def _drop_prefixed(spark: Any, prefix: str) -> None:
    for row in spark.sql("SHOW SCHEMAS").collect():
        name = row[0]
        if name.startswith(prefix):
            spark.sql(f"DROP SCHEMA IF EXISTS `{name}` CASCADE")


def _shop(p: schemax.Project) -> None:
    p.create_catalog("shop")
    p.create_schema("shop.sales", comment="Sales")
    p.create_table("shop.sales.customers", [schemax.Column("id", "BIGINT", nullable=False),
                                            schemax.Column("name", "STRING", comment="Full name")])
    p.create_table("shop.sales.orders", [schemax.Column("id", "BIGINT", nullable=False),
                                         schemax.Column("customer_id", "BIGINT"),
                                         schemax.Column("status", "STRING"),
                                         schemax.Column("legacy_code", "STRING")], comment="Orders")


@pytest.fixture()
def project(spark: Any, prefix: str):  # type: ignore[no-untyped-def]
    store = f"spark_catalog.{prefix}store"
    p = schemax.Project.create(spark, f"shop_{_uid()}", store=store, author="tester")
    _shop(p)
    p.add_environment("dev", {"shop": "spark_catalog"}, schema_prefix=f"{prefix}dev_")
    p.add_environment("prod", {"shop": "spark_catalog"}, schema_prefix=f"{prefix}prod_",
                      require_confirmation=True)
    yield p
    _drop_prefixed(spark, prefix)


def test_initial_development_workflow(spark: Any, project: schemax.Project, prefix: str) -> None:
    project.snapshot("Initial schema")
    project.add_column("shop.sales.orders", "email", "STRING", comment="Customer's \\ 'email'")
    s2 = project.snapshot("Email")
    plan = project.plan("dev")
    assert plan.from_version is None and plan.to_version == "0.2.0"
    dep = project.deploy("dev")
    assert dep.status == "success" and dep.to_version == "0.2.0" and dep.applied == len(dep.statements) > 0
    assert all(s.status == "applied" for s in dep.statements)
    orders = f"spark_catalog.`{prefix}dev_sales`.orders"
    assert _columns(spark, orders) == ["id", "customer_id", "status", "legacy_code", "email"]
    props = _table_props(spark, orders)
    assert props["schemax.version"] == "0.2.0"
    assert props["schemax.snapshot"] == s2.snapshot_id
    assert props["schemax.environment"] == "dev"
    assert props["schemax.deployment"] == dep.deployment_id
    described = spark.sql(f"DESCRIBE TABLE {orders}").collect()
    comment = [r for r in described if r["col_name"] == "email"][0]["comment"]
    assert comment == "Customer's \\ 'email'"
    # nothing left to do: deploying again is a no-op plan
    assert project.plan("dev").is_empty
    history = project.history("dev")
    assert [d.status for d in history] == ["success"]
    assert history[0].statements[0].sql.startswith("CREATE")


def test_incremental_changes_are_alters_only_and_keep_data(spark: Any, project: schemax.Project,
                                                          prefix: str) -> None:
    project.snapshot("v1", version="1.0.0")
    project.deploy("dev")
    orders = f"spark_catalog.`{prefix}dev_sales`.orders"
    spark.sql(f"INSERT INTO {orders} VALUES (1, 10, 'open', 'A'), (2, 20, 'paid', 'B')")
    project.add_column("shop.sales.orders", "email", "STRING")
    project.rename_table("shop.sales.customers", "clients")
    project.snapshot("v1.1", version="1.1.0")
    plan = project.plan("dev")
    assert plan.statements
    assert not any(s.sql.lstrip().upper().startswith("CREATE TABLE") for s in plan.statements)
    with pytest.raises(schemax.BreakingChangeError) as err:
        project.deploy("dev")
    assert any("rename" in f.name for f in err.value.findings)
    dep = project.deploy("dev", allow_breaking=True)
    assert dep.status == "success" and dep.from_version == "1.0.0" and dep.to_version == "1.1.0"
    rows = spark.sql(f"SELECT id, status FROM {orders} ORDER BY id").collect()
    assert [(r["id"], r["status"]) for r in rows] == [(1, "open"), (2, "paid")]
    assert spark.catalog.tableExists(f"spark_catalog.{prefix}dev_sales.clients")


def test_promotion_carries_every_change_since_prod_version(spark: Any, project: schemax.Project,
                                                           prefix: str) -> None:
    project.snapshot("v1", version="1.0.0")
    project.deploy("dev")
    with pytest.raises(schemax.SchemaxError, match="confirm"):
        project.promote("dev", "prod")
    project.promote("dev", "prod", confirm="prod")
    project.add_column("shop.sales.orders", "email", "STRING")
    project.snapshot("v1.1", version="1.1.0")
    project.deploy("dev")
    project.set_table_comment("shop.sales.orders", "All orders")
    project.add_column("shop.sales.customers", "tier", "INT")
    project.snapshot("v1.2", version="1.2.0")
    project.deploy("dev")
    plan = project.plan("prod", to="1.2.0")
    assert (plan.from_version, plan.to_version) == ("1.0.0", "1.2.0")
    text = plan.sql
    assert "`email`" in text and "`tier`" in text and "All orders" in text
    dep = project.promote("dev", "prod", confirm="prod")
    assert dep.to_version == "1.2.0"
    status = project.status()
    assert status.deployed == {"dev": "1.2.0", "prod": "1.2.0"}
    prod_orders = f"spark_catalog.`{prefix}prod_sales`.orders"
    assert "email" in _columns(spark, prod_orders)


FAULT_INDEXES = os.environ.get("SCHEMAX_FAULT_INDEXES", "1,2,11,20")


@pytest.fixture(scope="module")
def fault_project(spark: Any) -> schemax.Project:
    # The records live in memory here (the Delta store has its own tests); the DDL runs on real Delta.
    p = schemax.Project.create(spark, "faults", store=MemoryStore(), author="tester")
    p.create_catalog("shop")
    p.create_schema("shop.s")
    for t in FAULT_TABLES:
        p.create_table(t, [schemax.Column("id", "BIGINT", nullable=False), schemax.Column("v", "STRING"),
                           schemax.Column("old", "STRING")])
    p.snapshot("v1", version="1.0.0")
    for t in FAULT_TABLES:
        p.add_column(t, "extra", "INT", comment="added")
        p.rename_column(t, "v", "value")
    p.snapshot("v2", version="2.0.0")
    return p


FAULT_TABLES = [f"shop.s.t{i}" for i in range(5)]  # 4 statements per table: a 20-statement migration


def _fault_indexes() -> list[int]:
    # Every index of the 20-statement migration runs with SCHEMAX_FAULT_INDEXES=all (about 20 deploy pairs on
    # Delta); the default covers the first, second, a middle and the last statement. Every index is covered
    # on the fake engine by tests/unit/test_deploy_unit.py::test_fault_at_every_index_then_resume.
    return list(range(1, 21)) if FAULT_INDEXES == "all" else [int(x) for x in FAULT_INDEXES.split(",")]


@pytest.mark.parametrize("index", _fault_indexes())
def test_fault_injection_then_resume(spark: Any, prefix: str, fault_project: schemax.Project,
                                     index: int) -> None:
    p = fault_project
    executor = SparkExecutor(spark)
    env = f"e{index}_{uuid.uuid4().hex[:4]}"
    p.add_environment(env, {"shop": "spark_catalog"}, schema_prefix=f"{prefix}{env}_")
    p.deploy(env, to="1.0.0")
    for i, _ in enumerate(FAULT_TABLES):
        spark.sql(f"INSERT INTO spark_catalog.`{prefix}{env}_s`.t{i} VALUES ({i}, 'x{i}', 'o')")
    deployer = Deployer(p.records, FailingExecutor(executor, index), author=p.author,
                        capabilities=p.capabilities(), max_workers=3)
    plan = deployer.plan(env, "2.0.0")
    assert len(plan.statements) == 20, plan.sql
    with pytest.raises(schemax.ExecutionError) as err:
        deployer.deploy(env, "2.0.0", allow_breaking=True)
    failed = p.history(env)[0]
    assert failed.status == "failed" and err.value.applied == failed.applied
    assert [s.status for s in failed.statements].count("failed") == 1
    assert "injected failure" in (failed.error or "")
    # a different target is refused while the failed deployment is unfinished
    with pytest.raises(schemax.SchemaxError, match="unfinished"):
        p.deploy(env, to="1.0.0")
    resumed = p.deploy(env, to="2.0.0", allow_breaking=True)
    assert resumed.status == "success" and resumed.kind == "resume"
    # then the tracking stamp again of each table that had statements left (issue 16)
    stamps = [s for s in resumed.statements if s.change_kinds == ("stamp",)]
    assert stamps and resumed.applied - len(stamps) == 20 - failed.applied
    assert [d.kind for d in p.history(env)][:2] == ["resume", "deploy"]
    for i, _ in enumerate(FAULT_TABLES):
        name = f"spark_catalog.`{prefix}{env}_s`.t{i}"
        assert _columns(spark, name) == ["id", "value", "old", "extra"]
        assert [tuple(r) for r in spark.sql(f"SELECT id, value FROM {name}").collect()] == [(i, f"x{i}")]


class Killed(BaseException):
    """The process dies: nothing after this point runs, not even a status write of the statement."""


@pytest.mark.parametrize("form", ["ADD COLUMNS", "RENAME COLUMN"])
def test_crash_after_a_statement_ran_but_before_its_status_resumes_without_running_it_twice(
        spark: Any, prefix: str, fault_project: schemax.Project, form: str) -> None:
    p = fault_project
    env = f"k{uuid.uuid4().hex[:4]}"
    p.add_environment(env, {"shop": "spark_catalog"}, schema_prefix=f"{prefix}{env}_")
    p.deploy(env, to="1.0.0")
    victim: list[StatementRecord] = []

    def die_after(seq: int, st: StatementRecord) -> None:
        if form in st.sql and not victim:
            victim.append(st)
            raise Killed()

    deployer = Deployer(p.records, SparkExecutor(spark), author=p.author, capabilities=p.capabilities(),
                        max_workers=1,
                        after_statement=die_after)
    with pytest.raises(Killed):
        deployer.deploy(env, "2.0.0", allow_breaking=True)
    crashed = p.history(env)[0]
    assert crashed.status == "in_progress"
    assert {s.seq: s.status for s in crashed.statements}[victim[0].seq] == "pending"  # it ran, unrecorded

    # Run again as is, the statement would fail (column already exists / not found); resume sees its effect.
    resumed = p.deploy(env, to="2.0.0", allow_breaking=True)
    assert resumed.status == "success" and resumed.kind == "resume"
    again = [s for s in resumed.statements if s.sql == victim[0].sql]
    assert [(s.status, s.error) for s in again] == [("applied", FOUND_APPLIED)]
    for i, _ in enumerate(FAULT_TABLES):
        assert _columns(spark, f"spark_catalog.`{prefix}{env}_s`.t{i}") == ["id", "value", "old", "extra"]


@pytest.mark.parametrize("status_of_create_lost", [False, True],
                         ids=["copy-unrecorded", "create-and-copy-unrecorded"])
def test_crash_after_a_rewrite_copied_the_rows_resumes_without_copying_twice(
        spark: Any, prefix: str, status_of_create_lost: bool) -> None:
    """A type change Delta cannot widen rewrites the table: CREATE OR REPLACE <shadow>, INSERT INTO <shadow>
    SELECT …, two renames. The process dies right after the copy, before its status is written; with
    ``status_of_create_lost`` the shadow's CREATE status is lost as well (statuses are group-committed).
    The resume must copy the rows exactly once: skip the copy if it happened, and if CREATE OR REPLACE
    runs again (emptying the shadow), copy again."""
    p = schemax.Project.create(spark, "rewrite", store=MemoryStore(), author="tester")
    p.create_catalog("shop")
    p.create_schema("shop.s")
    p.create_table("shop.s.codes", [schemax.Column("id", "BIGINT", nullable=False),
                                    schemax.Column("code", "STRING")])
    p.snapshot("v1", version="1.0.0")
    p.change_column_type("shop.s.codes", "code", "INT")
    p.snapshot("v2", version="2.0.0")
    p.add_environment("dev", {"shop": "spark_catalog"}, schema_prefix=prefix)
    p.deploy("dev", to="1.0.0")
    table = f"spark_catalog.`{prefix}s`.codes"
    spark.sql(f"INSERT INTO {table} VALUES (1, '10'), (2, '20'), (3, '30')")

    def die_after_copy(seq: int, st: StatementRecord) -> None:
        if st.sql.startswith("INSERT INTO"):
            raise Killed()

    deployer = Deployer(p.records, SparkExecutor(spark), author=p.author, capabilities=p.capabilities(),
                        max_workers=1,
                        after_statement=die_after_copy)
    with pytest.raises(Killed):
        deployer.deploy("dev", "2.0.0", allow_breaking=True)
    crashed = p.history("dev")[0]
    if status_of_create_lost:
        create = next(s for s in crashed.statements if s.sql.startswith("CREATE OR REPLACE TABLE"))
        p.store.update_statements(p.name, [dataclasses.replace(create, status="pending", finished_at=None)])

    resumed = p.deploy("dev", to="2.0.0", allow_breaking=True)
    assert resumed.status == "success"
    copy = next(s for s in resumed.statements if s.sql.startswith("INSERT INTO"))
    assert (copy.error == FOUND_APPLIED) is not status_of_create_lost  # copied again only after a re-CREATE
    assert sorted(tuple(r) for r in spark.table(table).collect()) == [(1, 10), (2, 20), (3, 30)]
    assert dict(spark.table(table).dtypes)["code"] == "int"


def test_two_deployers_one_wins_and_expired_lock_is_taken_over(spark: Any, project: schemax.Project) -> None:
    project.snapshot("v1")
    from schemax.core.environment import LockRecord
    from schemax.core.ops import utc_now

    held = LockRecord(project.name, "dev", "someone-else#1", utc_now(), "2999-01-01T00:00:00.000000Z")
    assert project.store.acquire_lock(held, utc_now()) is None
    with pytest.raises(schemax.DeploymentLockedError) as err:
        project.deploy("dev")
    assert err.value.holder == "someone-else#1"
    project.store.release_lock(project.name, "dev", "someone-else#1")
    expired = LockRecord(project.name, "dev", "crashed#2", utc_now(), "2000-01-01T00:00:00.000000Z")
    assert project.store.acquire_lock(expired, utc_now()) is None
    assert project.deploy("dev").status == "success"  # the expired lock was taken over


def test_concurrent_deployers_exactly_one_runs(spark: Any, project: schemax.Project) -> None:
    project.snapshot("v1")
    results: list[Any] = []
    barrier = threading.Barrier(2)

    def go() -> None:
        other = schemax.Project.open(spark, project.name, store=project.store.location, author="t")
        barrier.wait()
        try:
            results.append(other.deploy("dev"))
        except Exception as exc:  # noqa: BLE001
            results.append(exc)

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok = [r for r in results if isinstance(r, schemax.services.deploy.Deployment)]
    locked = [r for r in results if isinstance(r, schemax.DeploymentLockedError)]
    assert len(ok) == 1 and len(locked) == 1, results


def test_rollback_restores_dropped_column_with_data(spark: Any, project: schemax.Project,
                                                    prefix: str) -> None:
    project.snapshot("v1", version="1.0.0")
    project.deploy("dev")
    orders = f"spark_catalog.`{prefix}dev_sales`.orders"
    spark.sql(f"INSERT INTO {orders} VALUES (1, 10, 'open', 'A-1'), (2, 20, 'paid', 'B-2')")
    project.drop_column("shop.sales.orders", "legacy_code")
    project.snapshot("v2", version="2.0.0")
    dep = project.deploy("dev", allow_breaking=True)
    assert "legacy_code" not in _columns(spark, orders)
    assert any("orders" in name for name in dep.table_versions)
    # schema-only rollback would bring the column back empty; restore_data brings the values
    back = project.rollback("dev", to="1.0.0", restore_data=True)
    assert back.kind == "rollback" and back.status == "success" and back.to_version == "1.0.0"
    rows = spark.sql(f"SELECT id, legacy_code FROM {orders} ORDER BY id").collect()
    assert [(r["id"], r["legacy_code"]) for r in rows] == [(1, "A-1"), (2, "B-2")]
    assert project.status().deployed["dev"] == "1.0.0"
    assert project.plan("dev", to="1.0.0").is_empty


def test_rollback_without_restore_is_schema_only(spark: Any, project: schemax.Project, prefix: str) -> None:
    project.snapshot("v1", version="1.0.0")
    project.deploy("dev")
    orders = f"spark_catalog.`{prefix}dev_sales`.orders"
    spark.sql(f"INSERT INTO {orders} VALUES (1, 10, 'open', 'A-1')")
    project.drop_column("shop.sales.orders", "legacy_code")
    project.snapshot("v2", version="2.0.0")
    project.deploy("dev", allow_breaking=True)
    project.rollback("dev", to="1.0.0")
    rows = spark.sql(f"SELECT id, legacy_code FROM {orders}").collect()
    assert [(r["id"], r["legacy_code"]) for r in rows] == [(1, None)]


def test_module_shortcuts_use_spark_conf(spark: Any, project: schemax.Project) -> None:
    project.snapshot("v1")
    spark.conf.set("schemax.project", project.name)
    spark.conf.set("schemax.store", project.store.location)
    try:
        plan = schemax.plan("dev", spark=spark)
        assert plan.to_version == "0.1.0" and plan.statements
        dep = schemax.deploy("dev", spark=spark)
        assert dep.status == "success"
    finally:
        spark.conf.unset("schemax.project")
        spark.conf.unset("schemax.store")


def test_dry_run_changes_nothing(spark: Any, project: schemax.Project, prefix: str) -> None:
    project.snapshot("v1")
    dep = project.deploy("dev", dry_run=True)
    assert dep.statements and all(s.status == "pending" for s in dep.statements)
    assert not spark.catalog.databaseExists(f"{prefix}dev_sales")
    assert len(project.history("dev")) == 0
