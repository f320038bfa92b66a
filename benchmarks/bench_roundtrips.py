"""Store round trips per user-facing operation, on local Spark + Delta (machine-independent counts).

    python benchmarks/bench_roundtrips.py                  # drift part on 500 tables over 10 schemas
    python benchmarks/bench_roundtrips.py --tables 50      # smaller drift part

Every statement the project sends to the engine goes through a :class:`RecordingExecutor`, so the figures
are counts, not times: the same on a laptop and on a SQL warehouse, where each statement is a round trip
of roughly 0.3-2 s. For each operation it prints the statements sent besides the DDL the plan itself
holds, the goal from the performance issue, and which statements they were (``--verbose``).

Next to each figure it prints the count measured on main before issue 12 (the baseline, constants
below) and the goal. The same counts are asserted without Spark by tests/unit/test_store_roundtrips.py,
which runs the Delta store's SQL on a fake engine (tests/fake_delta.py).
"""

from __future__ import annotations

import argparse
import re
import sys
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import schemax  # noqa: E402
from schemax import local  # noqa: E402
from schemax.adapters.recording import RecordingExecutor  # noqa: E402
from schemax.adapters.spark import SparkExecutor  # noqa: E402

GOALS = {"open": 2, "status": 3, "plan": 3, "deploy": 6}

#: baseline before issue 12: the counts this benchmark measured on main before the round trips were cut
BASELINE = {"open": 4, "status": 5, "plan": 4, "deploy": 19}


def _kind(sql: str) -> str:
    """A short label for a statement: its verb and, for store statements, the store table."""
    text = " ".join(sql.split())
    table = re.search(r"`(projects|ops|snapshots|deployments|deployment_statements|drift_scans|locks)`", text)
    verb = " ".join(text.split(" ")[:2]).upper()
    return f"{verb} {table.group(1)}" if table else verb


def _measure(rec: RecordingExecutor, action: Any) -> tuple[Any, list[str]]:
    rec.clear()
    result = action()
    return result, rec.sql


def _design(p: schemax.Project, tables: int, schemas: int, tag: str) -> None:
    with p.batch():
        p.create_catalog("rt")
        for s in range(schemas):
            p.create_schema(f"rt.s{s}")
        for i in range(tables):
            p.create_table(f"rt.s{i % schemas}.t{i}", [schemax.Column("id", "BIGINT", nullable=False),
                                                        schemax.Column("v", "STRING")])
    p.snapshot(f"create {tag}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tables", type=int, default=500, help="tables for the drift part (default 500)")
    ap.add_argument("--schemas", type=int, default=10)
    ap.add_argument("--verbose", action="store_true", help="list the statements of each operation")
    args = ap.parse_args(argv)

    spark = local.spark_session()
    rec = RecordingExecutor(SparkExecutor(spark))
    run = uuid.uuid4().hex[:6]
    store = f"spark_catalog.sx_rt_{run}"
    rows: list[tuple[str, int, str, str, list[str]]] = []

    try:
        p = schemax.Project.create(rec, "rt", store=store, author="bench")
        p.add_environment("dev", catalogs={"rt": "spark_catalog"}, schema_prefix=f"rt{run}_dev_",
                          allow_breaking=True)
        _design(p, 4, 2, "small")

        def row(name: str, goal: str, sql: list[str], ddl: int = 0, baseline: str = "-") -> None:
            rows.append((name, len(sql) - ddl, baseline, goal, sql))

        _, sql = _measure(rec, lambda: schemax.Project.open(rec, "rt", store=store, author="bench").state())
        row("open a project (records + ops tail)", f"<= {GOALS['open']}", sql, baseline=str(BASELINE["open"]))
        _, sql = _measure(rec, p.status)
        row("status", f"<= {GOALS['status']}", sql, baseline=str(BASELINE["status"]))
        plan, sql = _measure(rec, lambda: p.plan("dev"))
        row("plan dev", f"<= {GOALS['plan']}", sql, baseline=str(BASELINE["plan"]))
        for k_tables in (4, 16):
            q = schemax.Project.create(rec, f"rt{k_tables}", store=store, author="bench")
            q.add_environment("dev", catalogs={"rt": "spark_catalog"}, schema_prefix=f"rt{run}_k{k_tables}_",
                              allow_breaking=True)
            _design(q, k_tables, 2, str(k_tables))
            dep, sql = _measure(rec, lambda q=q: q.deploy("dev"))
            k = len(dep.statements)
            row(f"deploy of k={k} statements", f"<= {GOALS['deploy']}, independent of k", sql, ddl=k,
                baseline=str(BASELINE["deploy"]))
            if k_tables == 4:
                destructive = q
        # destructive steps: the Delta version of each table they touch, one DESCRIBE HISTORY per table
        # (the statement names one table and is no table-valued function: no single-query form exists)
        try:
            for i in (0, 1):
                destructive.drop_column(f"rt.s{i % 2}.t{i}", "v")
            destructive.snapshot("drop two columns")
            # force: no pre-deploy drift scan (its catalog reads are the drift row's figure, below)
            dep, sql = _measure(rec, lambda: destructive.deploy("dev", allow_breaking=True, force=True))
            history = sum(1 for s in sql if s.startswith("DESCRIBE HISTORY"))
            row(f"deploy dropping columns of 2 tables (k={len(dep.statements)})",
                f"<= {GOALS['deploy']} + {history} DESCRIBE HISTORY (1 per destructive table)", sql,
                ddl=len(dep.statements))
        except Exception as exc:  # noqa: BLE001 - the other figures are still worth printing
            print(f"destructive deploy not measured: {type(exc).__name__}: {exc}", flush=True)

        if args.tables:
            d = schemax.Project.create(rec, "rtdrift", store=store, author="bench")
            d.add_environment("dev", catalogs={"rt": "spark_catalog"}, schema_prefix=f"rt{run}_d_",
                              allow_breaking=True)
            _design(d, args.tables, args.schemas, "drift")
            print(f"deploying {args.tables} tables for the drift part ...", flush=True)
            d.deploy("dev")
            report, sql = _measure(rec, lambda: d.check_drift("dev"))
            quoted = ".".join(f"`{part}`" for part in store.split("."))
            catalog = [s for s in sql if quoted not in s]
            # the reader also counts what it asks the session's catalog API (one listDatabases() per read),
            # which is a round trip but no SQL statement: counted here too
            calls = (getattr(report, "queries", None) or len(catalog)) - len(catalog)
            catalog += ["spark.catalog.listDatabases()  -- a session catalog call, no SQL"] * max(0, calls)
            store_sql = [s for s in sql if quoted in s]
            row(f"drift dev ({args.tables} tables / {args.schemas} schemas)",
                f"<= {2 * args.schemas} (2 per schema)", catalog + store_sql)
            row("  of which catalog reads", f"<= {2 * args.schemas} (2 per schema)", catalog)
            row("  of which store statements (read, scan record)", "constant", store_sql)

    finally:  # what was measured is printed even when a later step fails
        print("\nstatements sent to the engine besides the plan's DDL")
        print(f"{'operation':<50} {'baseline before issue 12':>24} {'now':>5}  goal")
        for name, n, baseline, goal, _ in rows:
            print(f"{name:<50} {baseline:>24} {n:>5}  {goal}")
        if args.verbose:
            for name, _, _, _, sql in rows:
                print(f"\n== {name}")
                for label, count in Counter(_kind(s) for s in sql).most_common():
                    print(f"  {count:>5}  {label}")
        for schema in [r["namespace"] for r in spark.sql("SHOW SCHEMAS").collect()]:
            if schema.startswith(f"rt{run}_") or schema == f"sx_rt_{run}":
                spark.sql(f"DROP SCHEMA IF EXISTS `{schema}` CASCADE")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
