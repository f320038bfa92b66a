"""Deploy benchmark on local Spark + Delta: statements per op, and concurrent vs strictly serial deploys.

    python benchmarks/bench_deploy.py              # 200 new tables, then 200 altered (3 changes each)
    python benchmarks/bench_deploy.py --tables 40  # smaller run

Both deploys run the same plans into two environments of one project; the only difference is the pool
size (``max_workers=4`` vs ``1``). Records go to an in-memory store so the figures are the DDL's own.

Then the records' cost, on a Delta store: statement statuses group-committed by one writer thread
(what deploys do) vs the naive one commit per statement, same plan, serial pool (``--records N`` tables).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid

import schemax
from schemax.adapters.memory import MemoryStore


def build(p: schemax.Project, n: int) -> None:
    with p.batch():
        p.create_catalog("bench")
        p.create_schema("bench.s")
        for i in range(n):
            p.create_table(f"bench.s.t{i}", [schemax.Column("id", "BIGINT", nullable=False),
                                             schemax.Column("v", "STRING"), schemax.Column("w", "INT")])
    p.snapshot("create")
    with p.batch():
        for i in range(n):  # three changes per table, folded into as few statements as possible
            p.add_column(f"bench.s.t{i}", "extra", "STRING")
            p.set_column_comment(f"bench.s.t{i}", "v", "value")
            p.set_table_properties(f"bench.s.t{i}", {"quality": "gold"})
    p.snapshot("alter")


def run(p: schemax.Project, env: str, workers: int) -> tuple[float, float, int, int]:
    t0 = time.perf_counter()
    first = p.deploy(env, to="0.1.0", max_workers=workers)
    t1 = time.perf_counter()
    second = p.deploy(env, to="0.2.0", max_workers=workers)
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, len(first.statements), len(second.statements)


class OneCommitPerStatement:
    """The naive baseline: every statement's status is its own Delta commit, written before the next runs."""

    def __init__(self, store: object, project: str, **_: object) -> None:  # interval: unused
        self.store, self.project = store, project

    def put(self, record: object) -> None:
        self.store.update_statements(self.project, [record])  # type: ignore[attr-defined]

    def close(self) -> None:
        pass


def records_bench(spark: object, tables: int, tag: str) -> None:
    from schemax.services import deploy_base as deploy_module

    store = f"spark_catalog.b{tag}_records"
    p = schemax.Project.create(spark, "records", store=store, author="bench")
    build(p, tables)
    writes: list[int] = []
    update = p.store.update_statements

    def counted(project: str, updates: list[object]) -> None:
        writes.append(len(updates))
        update(project, updates)

    p.store.update_statements = counted  # type: ignore[method-assign]
    timings = {}
    for label, writer in (("one commit per statement", OneCommitPerStatement),
                          ("group commit", deploy_module.StatusWriter)):
        original = deploy_module.StatusWriter
        deploy_module.StatusWriter = writer  # type: ignore[misc]
        env = "naive" if writer is OneCommitPerStatement else "group"
        p.add_environment(env, {"bench": "spark_catalog"}, schema_prefix=f"b{tag}_{env}_")
        writes.clear()
        try:
            t0 = time.perf_counter()
            dep = p.deploy(env, to="0.1.0", max_workers=1)
            timings[label] = time.perf_counter() - t0
        finally:
            deploy_module.StatusWriter = original  # type: ignore[misc]
        print(f"records on Delta, {label}: {len(dep.statements)} statements, {len(writes)} status commits, "
              f"{timings[label]:.1f} s")
        spark.sql(f"DROP SCHEMA IF EXISTS spark_catalog.`b{tag}_{env}_s` CASCADE")  # type: ignore[attr-defined]
    naive, group = timings["one commit per statement"], timings["group commit"]
    print(f"group commit vs one commit per statement: {naive / group:.2f}x faster deploy")
    spark.sql(f"DROP SCHEMA IF EXISTS {store} CASCADE")  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tables", type=int, default=200)
    parser.add_argument("--records", type=int, default=20,
                        help="tables in the records benchmark (0: skip it)")
    args = parser.parse_args(argv)
    from schemax.local import spark_session

    spark = spark_session(tempfile.mkdtemp(prefix="schemax-bench-deploy-"))
    tag = uuid.uuid4().hex[:6]
    p = schemax.Project.create(spark, "bench", store=MemoryStore(), author="bench")
    build(p, args.tables)
    create_ops = args.tables + 2
    alter_ops = args.tables * 3
    p.add_environment("serial", {"bench": "spark_catalog"}, schema_prefix=f"b{tag}_serial_")
    p.add_environment("pool", {"bench": "spark_catalog"}, schema_prefix=f"b{tag}_pool_")
    s_create, s_alter, n_create, n_alter = run(p, "serial", 1)
    c_create, c_alter, _, _ = run(p, "pool", 4)
    print(f"{args.tables} tables: create {create_ops} ops -> {n_create} statements "
          f"({n_create / create_ops:.2f} per op); alter {alter_ops} ops -> {n_alter} statements "
          f"({n_alter / alter_ops:.2f} per op)")
    print(f"create: serial {s_create:7.1f} s, concurrent {c_create:7.1f} s  "
          f"(serial/concurrent {s_create / c_create:4.2f}x)")
    print(f"alter:  serial {s_alter:7.1f} s, concurrent {c_alter:7.1f} s  "
          f"(serial/concurrent {s_alter / c_alter:4.2f}x)")
    print(f"per object: {1000 * c_create / args.tables:.0f} ms to create, "
          f"{1000 * c_alter / args.tables:.0f} ms to alter")
    for env in ("serial", "pool"):
        spark.sql(f"DROP SCHEMA IF EXISTS spark_catalog.`b{tag}_{env}_s` CASCADE")
    if args.records:
        records_bench(spark, args.records, tag)
    return 0


if __name__ == "__main__":
    sys.exit(main())
