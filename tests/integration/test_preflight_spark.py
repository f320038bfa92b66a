"""Preflight and rehearsal on real local Spark + Delta: each probe with the data present and absent (a NULL,
a violating row, a lossy cast), a large and a small table (large by a lowered threshold), the refusal of a
production deploy before anything runs or is recorded, and a rehearsal on scratch copies that leaves no
scratch schema behind."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

import schemax
from schemax.adapters.memory import MemoryStore
from schemax.adapters.spark import SparkExecutor
from schemax.analyze.evidence import CostClass, CostThresholds, Verdict
from schemax.cli import EXIT_BLOCKED, EXIT_OK, main
from schemax.errors import PreflightFailedError

pytestmark = pytest.mark.integration


def _uid() -> str:
    return uuid.uuid4().hex[:8]


class Recording:
    """A SparkExecutor that keeps every statement it was asked to execute (queries pass through)."""

    def __init__(self, spark: Any) -> None:
        self.inner = SparkExecutor(spark)
        self.executed: list[str] = []
        self._lock = threading.Lock()

    def execute(self, sql: str, params: Any = None) -> None:
        with self._lock:
            self.executed.append(sql)
        self.inner.execute(sql, params)

    def query(self, sql: str, params: Any = None) -> list[dict[str, Any]]:
        return self.inner.query(sql, params)


def _schemas(spark: Any, start: str) -> list[str]:
    return [r[0] for r in spark.sql("SHOW SCHEMAS").collect() if r[0].startswith(start)]


@pytest.fixture()
def prefix(spark: Any) -> Iterator[str]:
    p = f"pf{_uid()}_"
    yield p
    for name in _schemas(spark, p):
        spark.sql(f"DROP SCHEMA IF EXISTS `{name}` CASCADE")


def _project(spark: Any, prefix: str, store: Any = None) -> tuple[schemax.Project, Recording]:
    engine = Recording(spark)
    p = schemax.Project.create(engine, f"shop_{_uid()}", store=store or MemoryStore(), author="tester")
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.create_table("shop.sales.orders", [schemax.Column("id", "BIGINT", nullable=False),
                                         schemax.Column("email", "STRING"),
                                         schemax.Column("amount", "DOUBLE"),
                                         schemax.Column("code", "STRING")])
    p.create_table("shop.sales.small", [schemax.Column("id", "BIGINT")])
    # "prod" is production by its name: a deploy there runs a preflight unless told otherwise
    p.add_environment("prod", {"shop": "spark_catalog"}, schema_prefix=f"{prefix}prod_", allow_drift=True)
    p.snapshot("v1", version="1.0.0")
    p.deploy("prod")
    return p, engine


def _orders(prefix: str) -> str:
    return f"spark_catalog.`{prefix}prod_sales`.orders"


def _evidence(result: Any, code: str) -> Any:
    (found,) = [f.evidence for f in result.findings if f.code == code]
    return found


def test_null_probe_present_and_absent(spark: Any, prefix: str) -> None:
    p, _ = _project(spark, prefix)
    spark.sql(f"INSERT INTO {_orders(prefix)} VALUES (1, 'a@x', 1.0, '1'), (2, NULL, 2.0, '2'), "
              "(3, NULL, 3.0, '3')")
    p.set_column_nullable("shop.sales.orders", "email", False)
    p.snapshot("not null", version="2.0.0")
    ev = _evidence(p.preflight("prod"), "SX302")
    assert ev.verdict is Verdict.WILL_FAIL and ev.count == 2
    assert ev.summary.startswith("will fail: 2 rows hold NULL in email (e.g. id ")
    assert sorted(ev.samples) == ["2", "3"]
    assert ev.cost is not None and ev.cost.cost_class is CostClass.SMALL and ev.cost.rows == 3
    spark.sql(f"UPDATE {_orders(prefix)} SET email = 'n/a' WHERE email IS NULL")
    ev = _evidence(p.preflight("prod"), "SX302")
    assert ev.verdict is Verdict.SAFE and ev.count == 0
    assert ev.summary.startswith("safe: 0 rows hold NULL in email")


def test_check_probe_present_and_absent_counts_as_delta_does(spark: Any, prefix: str) -> None:
    p, _ = _project(spark, prefix)
    orders = _orders(prefix)
    spark.sql(f"INSERT INTO {orders} VALUES (1, 'a', 5.0, '1'), (2, 'b', -1.0, '2'), (3, 'c', NULL, '3')")
    p.add_check_constraint("shop.sales.orders", "positive", "amount > 0")
    p.snapshot("check", version="2.0.0")
    ev = _evidence(p.preflight("prod"), "SX303")
    # Delta refuses a CHECK on a row where it is NULL too: both rows 2 and 3 violate
    assert ev.verdict is Verdict.WILL_FAIL and ev.count == 2 and sorted(ev.samples) == ["2", "3"]
    with pytest.raises(Exception, match="2 rows .* violate the new CHECK constraint"):
        spark.sql(f"ALTER TABLE {orders} ADD CONSTRAINT probe_check CHECK (amount > 0)")
    spark.sql(f"DELETE FROM {orders} WHERE id IN (2, 3)")
    ev = _evidence(p.preflight("prod"), "SX303")
    assert ev.verdict is Verdict.SAFE and ev.count == 0


def test_lossy_cast_probe_present_and_absent(spark: Any, prefix: str) -> None:
    p, _ = _project(spark, prefix)
    orders = _orders(prefix)
    spark.sql(f"INSERT INTO {orders} VALUES (1, 'a', 1.0, '10'), (2, 'b', 2.0, NULL), (3, 'c', 3.0, '30')")
    p.change_column_type("shop.sales.orders", "code", "INT")
    p.snapshot("int code", version="2.0.0")
    ev = _evidence(p.preflight("prod"), "SX305")
    assert ev.verdict is Verdict.SAFE and ev.count == 0  # every value converts and comes back unchanged
    spark.sql(f"INSERT INTO {orders} VALUES (4, 'd', 4.0, 'abc')")
    ev = _evidence(p.preflight("prod"), "SX305")
    assert ev.verdict is Verdict.WILL_FAIL and ev.count == 1 and ev.samples == ("'abc'",)
    assert ev.summary.startswith("will fail: 1 value of code does not convert to INT (e.g. values 'abc')")
    spark.sql(f"DELETE FROM {orders} WHERE id = 4")
    spark.sql(f"INSERT INTO {orders} VALUES (5, 'e', 5.0, '007')")
    ev = _evidence(p.preflight("prod"), "SX305")
    assert ev.verdict is Verdict.LOSES_DATA and ev.samples == ("'007'",)  # converts to 7, not '007' again


def test_large_and_small_tables_and_what_a_drop_makes_unreadable(spark: Any, prefix: str) -> None:
    p, _ = _project(spark, prefix)
    spark.sql(f"INSERT INTO {_orders(prefix)} VALUES (1, 'a', 1.0, 'x'), (2, 'b', 2.0, NULL)")
    p.drop_column("shop.sales.orders", "code")
    p.drop_table("shop.sales.small")
    p.snapshot("drops", version="2.0.0")
    result = p.preflight("prod")
    dropped_column, dropped_table = _evidence(result, "SX101"), _evidence(result, "SX102")
    assert dropped_column.verdict is Verdict.LOSES_DATA and dropped_column.count == 1
    assert dropped_column.text == "1 non-NULL value of code becomes unreadable"
    assert dropped_table.verdict is Verdict.SAFE and dropped_table.text == "the table is empty (0 rows)"
    by_table = {t.table.split(".")[-1]: t.cost for t in result.tables}
    assert by_table["`orders`"].cost_class is CostClass.SMALL and by_table["`orders`"].size_bytes > 0
    assert by_table["`orders`"].files >= 1 and by_table["`orders`"].rows == 2
    # "large" by a lowered threshold: the same table, classified against 1 KiB
    lowered = p.preflight("prod", thresholds=CostThresholds(small_below_bytes=100, large_from_bytes=1024))
    orders = next(t.cost for t in lowered.tables if t.table.endswith("`orders`"))
    assert orders.cost_class is CostClass.LARGE
    assert "table large: " in _evidence(lowered, "SX101").summary


def test_production_deploy_is_refused_before_anything_runs_or_is_recorded(spark: Any, prefix: str) -> None:
    store = f"spark_catalog.{prefix}store"
    p, engine = _project(spark, prefix, store=store)
    orders = _orders(prefix)
    spark.sql(f"INSERT INTO {orders} VALUES (1, 'a', 5.0, '1'), (2, 'b', -3.0, '2')")
    p.add_check_constraint("shop.sales.orders", "positive", "amount > 0")
    p.snapshot("check", version="2.0.0")
    deployments = len(p.history("prod"))
    version = spark.sql(f"DESCRIBE HISTORY {orders} LIMIT 1").collect()[0]["version"]
    engine.executed.clear()
    with pytest.raises(PreflightFailedError) as err:
        p.deploy("prod")
    assert "will fail: 1 row violates CHECK positive (amount > 0) (e.g. id 2)" in str(err.value)
    assert not any("ALTER TABLE" in s or "CREATE" in s for s in engine.executed)  # no statement ran
    assert len(p.history("prod")) == deployments  # nothing recorded in the Delta store
    assert schemax.Project.open(spark, p.name, store=store).history("prod")[0].to_version == "1.0.0"
    assert spark.sql(f"DESCRIBE HISTORY {orders} LIMIT 1").collect()[0]["version"] == version
    props = {r["key"] for r in spark.sql(f"SHOW TBLPROPERTIES {orders}").collect()}
    assert "delta.constraints.positive" not in props
    # fixed data: the same deploy goes through
    spark.sql(f"DELETE FROM {orders} WHERE amount <= 0")
    assert p.deploy("prod").status == "success"
    props = {r["key"] for r in spark.sql(f"SHOW TBLPROPERTIES {orders}").collect()}
    assert "delta.constraints.positive" in props


def test_rehearsal_runs_on_shallow_clones_and_leaves_nothing_behind(spark: Any, prefix: str) -> None:
    p, engine = _project(spark, prefix)
    orders = _orders(prefix)
    spark.sql(f"INSERT INTO {orders} VALUES (1, 'a', 5.0, '10'), (2, 'b', -3.0, '20')")
    p.add_check_constraint("shop.sales.orders", "positive", "amount > 0")
    p.add_column("shop.sales.orders", "note", "STRING")
    p.snapshot("check", version="2.0.0")
    deployments = len(p.history("prod"))
    failed = p.deploy("prod", rehearse=True)
    assert not failed.ok and [c.mode for c in failed.copies] == ["shallow_clone"]
    (bad,) = failed.failures
    assert "ADD CONSTRAINT" in bad.sql and "violate the new CHECK constraint" in (bad.error or "")
    assert f"`{failed.prefix}{prefix}prod_sales`" in bad.sql  # the scratch twin, not the live table
    assert not _schemas(spark, "sx_rehearsal_"), "the scratch schema is dropped"
    assert not failed.cleanup_errors
    assert len(p.history("prod")) == deployments  # nothing recorded
    assert spark.table(orders).count() == 2  # the live table is untouched
    assert "note" not in [f.name for f in spark.table(orders).schema.fields]
    # clean data: every statement runs on the copy, each timed; the type change rewrites the clone
    spark.sql(f"DELETE FROM {orders} WHERE amount <= 0")
    p.change_column_type("shop.sales.orders", "code", "INT")
    p.snapshot("int code", version="3.0.0")
    result = p.rehearse("prod")
    assert result.ok, result.lines()
    assert all(s.status == "applied" and s.seconds is not None for s in result.statements)
    assert any("INSERT INTO" in s.sql for s in result.statements)  # the rewrite's copy ran on the clone
    assert not _schemas(spark, "sx_rehearsal_")
    assert spark.table(orders).schema["code"].dataType.simpleString() == "string"
    assert "every statement ran" in result._repr_html_()


def test_cli_preflight_exits_2_when_a_statement_will_fail(spark: Any, prefix: str,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    store = f"spark_catalog.{prefix}clistore"
    p, _ = _project(spark, prefix, store=store)
    spark.sql(f"INSERT INTO {_orders(prefix)} VALUES (1, NULL, 1.0, '1')")
    p.set_column_nullable("shop.sales.orders", "email", False)
    p.snapshot("not null", version="2.0.0")
    args = ["--local", "--project", p.name, "--store", store]
    capsys.readouterr()
    assert main([*args, "preflight", "prod"]) == EXIT_BLOCKED
    out = capsys.readouterr().out
    assert "SX302 shop.sales.orders.email: will fail: 1 row holds NULL in email (e.g. id 1)" in out
    assert main([*args, "preflight", "prod", "--json"]) == EXIT_BLOCKED
    assert '"verdict": "will_fail"' in capsys.readouterr().out
    spark.sql(f"UPDATE {_orders(prefix)} SET email = 'x'")
    assert main([*args, "preflight", "prod"]) == EXIT_OK
