"""Export and import of a project with deployment history between two Delta stores on local Spark + Delta.

    python benchmarks/bench_exchange.py                          # 50 deployments x 10 statements, 20 scans
    python benchmarks/bench_exchange.py --deployments 200

The history is written straight into the origin store (one ``Store.add_history``), then the project is
exported, imported into a second store (another schema), imported again (nothing to write) and exported
from the copy. For each step it prints the wall time on this machine and the statements sent to the
engine (machine-independent: on a SQL warehouse each one is a round trip), split into reads and writes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import schemax  # noqa: E402
from schemax.adapters.recording import RecordingExecutor  # noqa: E402
from schemax.adapters.spark import SparkExecutor  # noqa: E402
from schemax.core.environment import DeploymentRecord, DriftScanRecord, StatementRecord  # noqa: E402
from schemax.project.integrity import export_text  # noqa: E402


def _history(project: str, deployments: int, statements: int,
             scans: int) -> tuple[list[DeploymentRecord], list[StatementRecord], list[DriftScanRecord]]:
    deps = [DeploymentRecord(f"dep_{i:04d}", project, "dev", "success", "deploy",
                             f"2026-01-01T00:{i // 60:02d}:{i % 60:02d}.000000Z", "bench",
                             to_version="0.1.0", applied=statements, statement_count=statements)
            for i in range(deployments)]
    sts = [StatementRecord(d.deployment_id, seq, f"ALTER TABLE `s`.`t{seq}` ADD COLUMNS (c INT)",
                           status="applied", change_kinds=("add_column",), op_ids=(f"op_{seq}",))
           for d in deps for seq in range(1, statements + 1)]
    found = [DriftScanRecord(project, f"scan_{i:04d}", "dev", f"2026-01-02T00:00:{i % 60:02d}.000000Z",
                             "clean") for i in range(scans)]
    return deps, sts, found


def _step(rec: RecordingExecutor, what: str, action: Any) -> Any:
    rec.clear()
    start = time.perf_counter()
    result = action()
    took = time.perf_counter() - start
    writes = sum(1 for s in rec.sql if s.lstrip().split()[0].upper() in ("MERGE", "INSERT", "DELETE"))
    print(f"{what:<28} {took:7.2f} s  {len(rec.sql):4d} statement(s): {len(rec.sql) - writes:4d} read(s), "
          f"{writes:3d} write(s)")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deployments", type=int, default=50)
    parser.add_argument("--statements", type=int, default=10, help="statements per deployment")
    parser.add_argument("--scans", type=int, default=20)
    args = parser.parse_args(argv)
    from schemax.local import spark_session

    spark = spark_session(tempfile.mkdtemp(prefix="schemax-bench-exchange-"))
    tag = uuid.uuid4().hex[:6]
    origin_store, copy_store = f"spark_catalog.bx{tag}_a", f"spark_catalog.bx{tag}_b"
    rec = RecordingExecutor(SparkExecutor(spark))
    try:
        p = schemax.Project.create(rec, "bench", store=origin_store, author="bench")
        p.create_catalog("bench")
        p.create_schema("bench.s")
        p.snapshot("v1")
        deps, sts, scans = _history("bench", args.deployments, args.statements, args.scans)
        _step(rec, "add_history (origin)", lambda: p.store.add_history("bench", deps, sts, scans))
        out = Path(tempfile.mkdtemp(prefix="schemax-bench-exchange-")) / "bench.json"
        _step(rec, "export", lambda: p.export_json(out))
        schemax.Project.in_memory("warm").export_json(out.with_name("warm.json"))
        schemax.Project.import_json(rec, out.with_name("warm.json"), store=copy_store)  # tables exist
        copy = _step(rec, "import into an empty store", lambda: schemax.Project.import_json(
            rec, out, store=copy_store))
        _step(rec, "import again (nothing new)",
              lambda: schemax.Project.import_json(rec, out, store=copy_store))
        text = _step(rec, "export of the copy", lambda: export_text(copy.to_export()))
        same = text == out.read_text(encoding="utf-8")
        print(f"{args.deployments} deployment(s) x {args.statements} statement(s), "
              f"{args.scans} drift scan(s); file {out.stat().st_size / 1024:.0f} KiB; "
              f"export of the copy identical: {same}")
        return 0 if same else 1
    finally:
        for store in (origin_store, copy_store):
            spark.sql(f"DROP SCHEMA IF EXISTS {store} CASCADE")


if __name__ == "__main__":
    sys.exit(main())
