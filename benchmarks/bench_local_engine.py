"""Local engine tuning: the same schemax workload on the embedded Spark + Delta engine per configuration.

    python benchmarks/bench_local_engine.py               # every variant, once each
    python benchmarks/bench_local_engine.py --rounds 2    # alternate the variants twice (less noise)
    python benchmarks/bench_local_engine.py --variants baseline,no-codegen

Each variant runs in a fresh Python process with its own home (so every run pays the same cold start):
start the session, then a workload typical of the test suite and the CLI on tiny metadata tables —
create a project on the Delta store, record a design of 8 tables, snapshot, deploy it, check drift, change
4 tables, deploy again, read the history. It prints the session start, the workload's wall time and its
CPU time (JVM from /proc + Python, Linux only: far less sensitive to other load on the machine than wall
time) per variant, each as a ratio against ``baseline`` (the settings ``schemax.local`` ships) measured
in the same run. The figures live in docs/local-engine.md; what helps is kept in ``schemax.local``.
A short workload favours quick JIT warm-up; for long runs (the test suite) measure a test module too.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# conf on top of what schemax.local ships; "baseline" is what ships (docs/local-engine.md has the figures
# and why none of the variants ships)
VARIANTS: dict[str, dict[str, str]] = {
    "baseline": {},
    # tiny data: compiling generated code costs more than it saves
    "no-codegen": {"spark.sql.codegen.wholeStage": "false"},
    # no adaptive re-planning of a two-row query
    "no-aqe": {"spark.sql.adaptive.enabled": "false"},
    # Delta: no per-file statistics for data skipping on metadata tables
    "no-stats": {"spark.databricks.delta.stats.collect": "false"},
    # JIT: C1 only, quicker to warm up
    "c1-only": {"spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1"},
    "combined": {"spark.sql.codegen.wholeStage": "false", "spark.databricks.delta.stats.collect": "false",
                 "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1"},
    # C1 only with a code cache it does not fill (the default 48 MB fills within half a minute)
    "c1-256m": {"spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=256m"},
}

_CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
conf = json.loads(sys.argv[3])
t0 = time.perf_counter()
from schemax import local
spark = local.spark_session(sys.argv[2], app_name="bench-local-engine", extra_conf=conf)
spark.sql("SELECT 1").collect()
started = time.perf_counter() - t0
import schemax
import os
jvm_pid = spark._jvm.java.lang.ProcessHandle.current().pid()
def jvm_cpu():
    with open(f"/proc/{jvm_pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
cpu0 = jvm_cpu() + time.process_time()
t1 = time.perf_counter()
p = schemax.Project.create(spark, "tune", store="spark_catalog.tune_schemax", author="bench")
with p.batch():
    p.create_catalog("tune")
    p.create_schema("tune.s")
    for i in range(8):
        p.create_table(f"tune.s.t{i}", [schemax.Column("id", "BIGINT", nullable=False),
                                        schemax.Column("v", "STRING")], comment=f"table {i}")
p.snapshot("v1")
p.add_environment("dev", {"tune": "spark_catalog"}, schema_prefix="dev_")
p.deploy("dev")
p.check_drift("dev")
for i in range(4):
    p.add_column(f"tune.s.t{i}", "w", "INT")
p.snapshot("v2")
p.deploy("dev")
p.history("dev")
p.check_drift("dev")
work = time.perf_counter() - t1
cpu = jvm_cpu() + time.process_time() - cpu0
print("RESULT " + json.dumps({"start": started, "work": work, "cpu": cpu}))
local.stop_session()
"""


def run_variant(conf: dict[str, str]) -> dict[str, float]:
    home = tempfile.mkdtemp(prefix="schemax-bench-engine-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYSPARK_GATEWAY")}
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(ROOT / "src"), home, json.dumps(conf)],
                          capture_output=True, text=True, env=env, timeout=1800, check=False)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            result: dict[str, float] = json.loads(line[len("RESULT "):])
            return result
    raise RuntimeError(f"variant failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.variants.split(",") if n.strip()]
    if "baseline" not in names:
        names.insert(0, "baseline")
    unknown = sorted(set(names) - set(VARIANTS))
    if unknown:
        parser.error(f"unknown variant(s): {', '.join(unknown)}; known: {', '.join(VARIANTS)}")
    samples: dict[str, list[dict[str, float]]] = {n: [] for n in names}
    for _ in range(args.rounds):
        for name in names:  # alternated, so a busy moment of the machine hits every variant alike
            samples[name].append(run_variant(VARIANTS[name]))
            last = samples[name][-1]
            print(f"  {name}: start {last['start']:.1f} s, work {last['work']:.1f} s, "
                  f"cpu {last['cpu']:.1f} s", flush=True)

    def best(name: str, key: str) -> float:
        return min(s[key] for s in samples[name])

    base_start, base_work = best("baseline", "start"), best("baseline", "work")
    base_cpu = best("baseline", "cpu")
    print(f"{'variant':<12} {'start s':>8} {'work s':>8} {'cpu s':>7} {'wall vs base':>13} "
          f"{'cpu vs base':>12}  conf")
    for name in names:
        start, work, cpu = best(name, "start"), best(name, "work"), best(name, "cpu")
        conf = VARIANTS[name] or "(as shipped)"
        print(f"{name:<12} {start:8.1f} {work:8.1f} {cpu:7.1f} {base_work / work:12.2f}x "
              f"{base_cpu / cpu:11.2f}x  {conf}")
    print(f"(best of {args.rounds} round(s); a ratio above 1 is faster than the baseline; start baseline "
          f"{base_start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
