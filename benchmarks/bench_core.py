"""Core benchmark: replay + hash of a 100,000-op log, and batched vs one-by-one op recording on Delta.

    python benchmarks/bench_core.py                 # full run (needs local Spark + Delta for part 2)
    python benchmarks/bench_core.py --no-spark      # part 1 only
    python benchmarks/bench_core.py --single 200    # fewer one-by-one commits (each is a Delta commit)

Figures are printed as ratios against baselines measured in the same run:
  * replay+hash vs ``json.loads`` of the same op log (goal: at most 10x);
  * recording N ops one per commit vs all N in one batch on local Delta (goal: at least 20x).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid

from schemax.core.hashing import chain_head, state_hash
from schemax.core.ops import Op
from schemax.core.replay import replay

TS = "2026-01-01T00:00:00.000000Z"


def build_log(tables: int = 2000, columns: int = 40, initial: int = 10) -> list[Op]:
    """~100,000 ops: 2,000 tables created with 10 columns, 30 columns added, 19 comments set each."""
    ops = [Op(op_id="op_c", ts=TS, author="bench", kind="create_catalog", target="cat_b",
              payload={"name": "bench"})]
    for s in range(20):
        ops.append(Op(op_id=f"op_s{s}", ts=TS, author="bench", kind="create_schema", target=f"sch_{s}",
                      payload={"catalog_id": "cat_b", "name": f"s{s}"}))
    for t in range(tables):
        tid = f"tbl_{t}"
        ops.append(Op(op_id=f"op_t{t}", ts=TS, author="bench", kind="create_table", target=tid, payload={
            "schema_id": f"sch_{t % 20}", "name": f"t{t}",
            "columns": [{"id": f"col_{t}_{c}", "name": f"c{c}", "type": "BIGINT" if c == 0 else "STRING"}
                        for c in range(initial)]}))
        for c in range(initial, columns):
            ops.append(Op(op_id=f"op_a{t}_{c}", ts=TS, author="bench", kind="add_column",
                          target=f"col_{t}_{c}",
                          payload={"table_id": tid, "name": f"c{c}",
                                   "type": "decimal(18, 2)" if c % 3 else "int"}))
        for c in range(19):
            ops.append(Op(op_id=f"op_m{t}_{c}", ts=TS, author="bench", kind="set_column_comment",
                          target=f"col_{t}_{c}", payload={"comment": f"column {c} of table {t}"}))
    return ops


def best_of(n: int, fn):  # type: ignore[no-untyped-def]
    best, result = float("inf"), None
    for _ in range(n):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def part_replay() -> None:
    ops = build_log()
    text = json.dumps([op.to_dict() for op in ops])
    print(f"op log: {len(ops):,} ops, {len(text) / 1e6:.1f} MB of JSON")
    t_json, rows = best_of(3, lambda: json.loads(text))
    t_parse, parsed = best_of(3, lambda: [Op(**r) for r in rows])
    t_replay, state = best_of(3, lambda: replay(parsed))
    t_hash, _ = best_of(3, lambda: (state_hash(state), chain_head(parsed)))
    cols = sum(len(t.columns) for t in state.tables.values())
    print(f"state: {len(state.tables):,} tables, {cols:,} columns")
    print(f"json.loads baseline         {t_json:8.3f} s")
    print(f"parse rows -> Op objects    {t_parse:8.3f} s   ({t_parse / t_json:5.1f}x json.loads)")
    print(f"replay                      {t_replay:8.3f} s")
    print(f"hash (state + op chain)     {t_hash:8.3f} s")
    ratio = (t_replay + t_hash) / t_json
    print(f"replay+hash                 {t_replay + t_hash:8.3f} s   ({ratio:5.1f}x json.loads; goal <= 10x)")


def part_batching(single: int) -> None:
    import schemax
    from schemax.local import spark_session

    spark = spark_session(tempfile.mkdtemp(prefix="schemax-bench-"))
    store = f"spark_catalog.bench_{uuid.uuid4().hex[:8]}"
    p = schemax.Project.create(spark, "bench", store=store, author="bench")
    p.create_catalog("bench")
    p.create_schema("bench.s")
    p.create_table("bench.s.t", [("id", "BIGINT")])
    t0 = time.perf_counter()
    for i in range(single):
        p.set_table_properties("bench.s.t", {"k": str(i)})
    t_single = time.perf_counter() - t0
    batch_n = max(single, 1000)
    t0 = time.perf_counter()
    with p.batch():
        for i in range(batch_n):
            p.set_table_properties("bench.s.t", {"k": f"b{i}"})
    t_batch = time.perf_counter() - t0
    per_single, per_batch = t_single / single, t_batch / batch_n
    print(f"one op per commit           {t_single:8.3f} s for {single} ops  ({per_single * 1000:7.2f} ms/op)")
    print(f"one batch                   {t_batch:8.3f} s for {batch_n} ops ({per_batch * 1000:7.2f} ms/op)")
    print(f"one-by-one vs batch         {per_single / per_batch:8.1f}x per op (goal >= 20x)")
    spark.sql(f"DROP SCHEMA IF EXISTS {store} CASCADE")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-spark", action="store_true", help="skip the Delta batching part")
    parser.add_argument("--single", type=int, default=1000, help="ops recorded one per commit (default 1000)")
    args = parser.parse_args(argv)
    print("== replay and hashing (pure) ==")
    part_replay()
    if not args.no_spark:
        print("== recording ops on local Delta ==")
        part_batching(args.single)
    return 0


if __name__ == "__main__":
    sys.exit(main())
