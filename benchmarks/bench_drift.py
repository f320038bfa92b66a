"""Drift scan cost on local Spark + Delta: the bulk catalog reader vs a naive per-table scan, same process.

    python benchmarks/bench_drift.py                 # 500 tables x 8 columns over 10 schemas
    python benchmarks/bench_drift.py --tables 100    # smaller
    python benchmarks/bench_drift.py --home DIR      # where the tables live (default: a temp dir), reused

Creates the tables with plain ``CREATE TABLE`` (a few minutes for 500; kept in ``--home`` so a rerun skips
it), then, ``--rounds`` times, with Delta's in-process log cache cleared before each scan so every scan
starts like a fresh scheduled job:

* naive scan: ``DESCRIBE TABLE`` + ``SHOW TBLPROPERTIES`` per table (what per-table tools do);
* bulk scan: ``SparkCatalogReader.read`` over all schemas (``SHOW TABLE EXTENDED`` per schema + the
  tables' Delta logs in bulk), which returns more (nullability, comments, defaults, constraints, clustering);
* per-table reader: the same reader with ``use_delta_log=False`` (same fidelity, one table at a time).

Prints statement counts (total and per schema), wall times (median of the rounds), the ratios, and the
tables the bulk scan had to read one by one.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from schemax import local  # noqa: E402
from schemax.adapters.catalog_spark import SparkCatalogReader  # noqa: E402
from schemax.adapters.recording import RecordingExecutor  # noqa: E402
from schemax.adapters.spark import SparkExecutor  # noqa: E402
from schemax.drift import compare, declared_state  # noqa: E402

COLUMNS = (
    "id BIGINT NOT NULL COMMENT 'key', customer STRING COMMENT 'who', amount DECIMAL(12,2), qty INT, "
    "price DOUBLE, created_at TIMESTAMP, day DATE, active BOOLEAN"
)


def _clear_delta_cache(spark: Any) -> None:
    try:
        spark._jvm.org.apache.spark.sql.delta.DeltaLog.clearCache()
    except Exception:  # noqa: BLE001 - not a JVM session: nothing cached here
        pass


def create_tables(spark: Any, schemas: list[str], per_schema: list[int], workers: int) -> float:
    started = time.perf_counter()
    todo = []
    for sch, n in zip(schemas, per_schema, strict=True):
        spark.sql(f"CREATE SCHEMA IF NOT EXISTS {sch}").collect()
        have = {r.tableName for r in spark.sql(f"SHOW TABLES IN {sch}").collect()}
        for i in range(n):
            if f"t{i:04d}" not in have:
                todo.append(
                    f"CREATE TABLE IF NOT EXISTS {sch}.t{i:04d} ({COLUMNS}) USING DELTA "
                    f"COMMENT 'table {i}' TBLPROPERTIES ('owner.team' = 'bench', 'schemax.version' = '1.0.0')"
                )
    if todo:
        print(f"creating {len(todo)} table(s) with {workers} threads ...", flush=True)
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(lambda s: spark.sql(s).collect(), todo))
    return time.perf_counter() - started


def naive_scan(executor: RecordingExecutor, tables: list[str]) -> None:
    for t in tables:
        executor.query(f"DESCRIBE TABLE {t}")
        executor.query(f"SHOW TBLPROPERTIES {t}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tables", type=int, default=500)
    ap.add_argument("--schemas", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workers", type=int, default=8, help="threads creating the tables")
    ap.add_argument(
        "--home",
        default=str(Path(tempfile.gettempdir()) / "schemax-bench-drift"),
        help="local engine home (warehouse + metastore), reused between runs",
    )
    args = ap.parse_args(argv)

    n_schemas = max(1, min(args.schemas, args.tables))
    per_schema = [
        args.tables // n_schemas + (1 if i < args.tables % n_schemas else 0) for i in range(n_schemas)
    ]
    schemas = [f"bench_drift_{i:02d}" for i in range(n_schemas)]
    spark = local.spark_session(args.home, app_name="bench-drift")
    created = create_tables(spark, schemas, per_schema, args.workers)
    tables = [f"{s}.t{i:04d}" for s, n in zip(schemas, per_schema, strict=True) for i in range(n)]
    scope = [("spark_catalog", s) for s in schemas]
    print(
        f"bench_drift: {len(tables)} Delta tables x 8 columns over {n_schemas} schemas "
        f"(Spark {spark.version}, {spark.sparkContext.master}); setup {created:.1f}s",
        flush=True,
    )

    base = SparkExecutor(spark)
    # warm-up (JIT, metastore connections): one full pass of each scan, not timed
    warm = RecordingExecutor(base)
    SparkCatalogReader(warm).read(scope)
    naive_scan(warm, tables)

    naive_times, bulk_times, one_by_one_times = [], [], []
    naive_q = bulk_q = one_q = 0
    bulk_read = None
    for r in range(args.rounds):
        _clear_delta_cache(spark)
        rec = RecordingExecutor(base)
        t0 = time.perf_counter()
        naive_scan(rec, tables)
        naive_times.append(time.perf_counter() - t0)
        naive_q = rec.statements

        _clear_delta_cache(spark)
        rec = RecordingExecutor(base)
        t0 = time.perf_counter()
        bulk_read = SparkCatalogReader(rec).read(scope)
        bulk_times.append(time.perf_counter() - t0)
        bulk_q = rec.statements

        if r == 0:  # the full-fidelity per-table reader, once (it is the slow one)
            _clear_delta_cache(spark)
            rec = RecordingExecutor(base)
            t0 = time.perf_counter()
            per_table_read = SparkCatalogReader(rec, use_delta_log=False).read(scope)
            one_by_one_times.append(time.perf_counter() - t0)
            one_q = per_table_read.queries
            assert compare(declared_state(per_table_read.state), bulk_read).findings == (), "readers disagree"
        print(f"  round {r + 1}: naive {naive_times[-1]:.2f}s, bulk {bulk_times[-1]:.2f}s", flush=True)

    assert bulk_read is not None
    naive_t, bulk_t = statistics.median(naive_times), statistics.median(bulk_times)
    per_schema_q = (bulk_q - 2) / n_schemas
    print()
    print(f"{'scan':<28}{'statements':>12}{'per schema':>12}{'wall (median)':>16}")
    print(
        f"{'naive (DESCRIBE+SHOW TBLPROPERTIES)':<36}{naive_q:>4}"
        f"{naive_q / n_schemas:>12.0f}{naive_t:>15.2f}s"
    )
    print(
        f"{'bulk SparkCatalogReader':<28}{bulk_q:>12}{per_schema_q:>12.0f}{bulk_t:>15.2f}s"
        "   (+2 per read: Delta log listing, checksums)"
    )
    print(
        f"{'per-table SparkCatalogReader':<28}{one_q:>12}{one_q / n_schemas:>12.0f}"
        f"{one_by_one_times[0]:>15.2f}s"
        "   (same fidelity as bulk, one table at a time)"
    )
    print()
    print(
        f"ratio: bulk is {naive_t / bulk_t:.1f}x faster than naive (goal >= 5x), "
        f"{naive_q / max(bulk_q, 1):.0f}x fewer statements; "
        f"{one_by_one_times[0] / bulk_t:.1f}x faster than the per-table reader"
    )
    print(
        f"tables read one by one by the bulk scan: {len(bulk_read.per_table)}"
        + (f" -> {', '.join(bulk_read.per_table[:20])}" if bulk_read.per_table else "")
    )
    for note in bulk_read.notes[:10]:
        print(f"  note: {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
