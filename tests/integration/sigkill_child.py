"""The child process of ``test_sigkill_delta.py`` (test code, run as a script: never imported by schemax).

Two phases, each a fresh process with its own JVM on the same local home (``schemax.local``: warehouse,
Derby metastore and the project's Delta store all under ``--home``):

``kill``    create the project (v1: five tables with rows, deployed; v2: about twenty statements of
            creates, alters, a rename, a drop column and a rewrite), then deploy v2 with a hook that
            SIGKILLs the JVM and this process at statement ``--index``: ``before`` it runs, or ``after``
            it ran and before its status is recorded. Every statement that ran is appended (fsync'd) to
            ``<home>/ran.jsonl`` first, so the parent and the next phase know exactly what ran. Never
            returns normally: a deploy that ends prints ``{"error": ...}`` and exits 3.
``resume``  open the project again, check the dead process's lock (refused while live; taken over once
            expired), resume, then read the catalog back (schemas, comments, properties, rows, Delta
            history) and compare with v2, check the history and that no statement ran twice, roll back
            to 1.0.0 with ``restore_data=True`` and compare the data with what was written before v2.
            Prints one JSON line with everything it found; the parent asserts on it.

The kill phase also writes ``<home>/kill.json`` (the JVM's pid, the plan's statements, the kill time)
before it deploys.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

import schemax
from schemax import local
from schemax.core.environment import StatementRecord
from schemax.services.resume import FOUND_APPLIED

PROJECT = "sigkill"
STORE = "spark_catalog.sigkill_store"
ENV = "dev"
PREFIX = "dev_"
SCHEMA = f"spark_catalog.`{PREFIX}s`"
#: an environment that deploys v2 without interruption (setup), to compare with
REF = "ref"
REF_PREFIX = "ref_"

#: v1 rows per table (logical name -> rows); the data a rollback with restore_data must bring back
V1_ROWS: dict[str, list[tuple[Any, ...]]] = {
    "t_add": [(1, "a1", "o1"), (2, "a2", "o2")],
    "t_meta": [(1, "m1")],
    "t_drop": [(1, "k1", "L-1"), (2, "k2", "L-2")],
    "t_rw": [(1, "10"), (2, "20"), (3, "30")],
    "t_ren": [(1, "r1")],
}

#: the v2 target, read back from the catalog: table -> [(column, type, comment)], table comment, properties
V2_COLUMNS: dict[str, list[tuple[str, str, str | None]]] = {
    "t_add": [("id", "bigint", None), ("value", "string", None), ("old", "string", "kept"),
              ("extra", "int", "added")],
    "t_meta": [("id", "bigint", None), ("name", "string", "Display name")],
    "t_drop": [("id", "bigint", None), ("keep", "string", "kept too")],
    "t_rw": [("id", "bigint", None), ("code", "int", None)],
    "t_renamed": [("id", "bigint", None), ("v", "string", None), ("note", "string", "why")],
    "t_new": [("id", "bigint", None), ("label", "string", None)],
}
V2_COMMENTS = {"t_meta": "Metadata table"}
V2_PROPERTIES = {"t_meta": {"team": "core", "tier": "gold"}}
V2_ROWS: dict[str, list[tuple[Any, ...]]] = {
    "t_add": [(1, "a1", "o1", None), (2, "a2", "o2", None)],
    "t_meta": [(1, "m1")],
    "t_drop": [(1, "k1"), (2, "k2")],
    "t_rw": [(1, 10), (2, 20), (3, 30)],
    "t_renamed": [(1, "r1", None)],
    "t_new": [],
}
#: Delta history operations that must appear exactly once per statement that asks for them (a second
#: ADD COLUMNS / RENAME COLUMN commit would be a statement applied twice)
COUNTED_OPERATIONS = {"adds_columns": "ADD COLUMNS", "renames_column": "RENAME COLUMN"}

log = logging.getLogger("sigkill_child")


def _design_v1(p: schemax.Project) -> None:
    C = schemax.Column
    p.create_catalog("shop")
    p.create_schema("shop.s")
    p.create_table("shop.s.t_add", [C("id", "BIGINT", nullable=False), C("v", "STRING"), C("old", "STRING")])
    p.create_table("shop.s.t_meta", [C("id", "BIGINT"), C("name", "STRING")])
    p.create_table("shop.s.t_drop", [C("id", "BIGINT"), C("keep", "STRING"), C("legacy", "STRING")])
    p.create_table("shop.s.t_rw", [C("id", "BIGINT"), C("code", "STRING")])
    p.create_table("shop.s.t_ren", [C("id", "BIGINT"), C("v", "STRING")])


def _design_v2(p: schemax.Project) -> None:
    C = schemax.Column
    p.add_column("shop.s.t_add", "extra", "INT", comment="added")
    p.rename_column("shop.s.t_add", "v", "value")
    p.set_table_comment("shop.s.t_meta", "Metadata table")
    p.set_table_properties("shop.s.t_meta", {"team": "core", "tier": "gold"})
    p.set_column_comment("shop.s.t_meta", "name", "Display name")
    p.drop_column("shop.s.t_drop", "legacy")
    p.change_column_type("shop.s.t_rw", "code", "INT")  # not a widening: the table is rewritten on OSS
    p.rename_table("shop.s.t_ren", "t_renamed")
    p.add_column("shop.s.t_renamed", "note", "STRING", comment="why")
    p.create_table("shop.s.t_new", [C("id", "BIGINT"), C("label", "STRING")])
    p.set_column_comment("shop.s.t_add", "old", "kept")
    p.set_column_comment("shop.s.t_drop", "keep", "kept too")


def _ran(home: Path, st: StatementRecord, moment: str) -> None:
    """Append what is about to run / just ran, and make it durable before any kill."""
    with open(home / "ran.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"seq": st.seq, "moment": moment, "sql": st.sql}) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def _die(jvm_pid: int | None) -> None:
    """The driver machine dies: the JVM and this process, SIGKILL, no shutdown hook, no status flush."""
    if jvm_pid:
        os.kill(jvm_pid, signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)


def _jvm_pid() -> int | None:
    from pyspark import SparkContext

    proc = getattr(SparkContext._gateway, "proc", None)
    return proc.pid if proc is not None else None


def phase_setup(home: Path, ttl: int) -> dict[str, Any]:
    """Create the project, deploy v1, write its rows, snapshot v2: the home every index starts from."""
    marks: dict[str, float] = {}
    t0 = time.monotonic()
    spark = local.spark_session(home, app_name="schemax-sigkill-setup")
    marks["session"] = time.monotonic() - t0
    p = schemax.Project.create(spark, PROJECT, store=STORE, author="setup")
    with p.batch():
        _design_v1(p)
    p.snapshot("v1", version="1.0.0")
    p.add_environment(ENV, {"shop": "spark_catalog"}, schema_prefix=PREFIX, lock_ttl_seconds=ttl)
    marks["project"] = time.monotonic() - t0
    p.deploy(ENV)
    marks["deploy_v1"] = time.monotonic() - t0
    _insert_v1_rows(spark, SCHEMA)
    with p.batch():
        _design_v2(p)
    p.snapshot("v2", version="2.0.0")
    marks["v2"] = time.monotonic() - t0
    plan = p.plan(ENV)
    # the same v2 deployed without interruption elsewhere: what a resumed dev must look like
    p.add_environment(REF, {"shop": "spark_catalog"}, schema_prefix=REF_PREFIX)
    p.deploy(REF, "1.0.0")
    _insert_v1_rows(spark, f"spark_catalog.`{REF_PREFIX}s`")
    p.deploy(REF, "2.0.0", allow_breaking=True)
    marks["ref"] = time.monotonic() - t0
    ref = _catalog(spark, f"spark_catalog.`{REF_PREFIX}s`")
    drift = _drift(p, REF)
    (home / "ref.json").write_text(json.dumps({"catalog": ref, "drift": drift}, default=str),
                                   encoding="utf-8")
    return {"statements": [s.sql for s in plan.statements], "unsupported": [str(u) for u in plan.unsupported],
            "ref": ref, "ref_drift": drift, "marks": marks}


def _insert_v1_rows(spark: Any, schema: str) -> None:
    for table, rows in V1_ROWS.items():
        values = ", ".join("(" + ", ".join(_lit(v) for v in row) + ")" for row in rows)
        spark.sql(f"INSERT INTO {schema}.{table} VALUES {values}")


def _drift(p: schemax.Project, env: str) -> list[str]:
    """The environment's drift findings, with the environment's schema prefix taken out."""
    prefix = p.environment(env).schema_prefix
    return sorted(f"{f.issue} {f.object_type} {f.object_name} expected={f.expected} actual={f.actual}"
                  .replace(prefix, "<env>_") for f in p.check_drift(env, record=False).findings)


def _catalog(spark: Any, schema: str) -> dict[str, Any]:
    """Every table of ``schema`` as the catalog describes it: columns (name, type, nullable, comment),
    table comment, user properties (not delta.*, not schemax.*), rows."""
    out: dict[str, Any] = {}
    for row in spark.sql(f"SHOW TABLES IN {schema}").collect():
        name = row["tableName"]
        full = f"{schema}.`{name}`"
        fields = spark.table(full).schema.fields
        detail = spark.sql(f"DESCRIBE TABLE EXTENDED {full}").collect()
        comment = [r["data_type"] for r in detail if r["col_name"] == "Comment"]
        props = {r["key"]: r["value"] for r in spark.sql(f"SHOW TBLPROPERTIES {full}").collect()
                 if not r["key"].startswith(("delta.", "schemax.", "transient", "option."))}
        rows = sorted((tuple(r) for r in spark.table(full).collect()), key=repr)
        # a rewrite's backup is named after the target definition's hash: the same in both environments
        out[name] = {"columns": [[f.name, f.dataType.simpleString(), f.nullable, f.metadata.get("comment")]
                                 for f in fields],
                     "comment": comment[0] if comment else None, "properties": props,
                     "rows": [list(r) for r in rows]}
    return out


def phase_kill(home: Path, index: int, moment: str, ttl: int) -> dict[str, Any]:
    """Deploy v2 and die at statement ``index`` (``before`` it runs or ``after`` it ran)."""
    spark = local.spark_session(home, app_name="schemax-sigkill-1")
    p = schemax.Project.open(spark, PROJECT, store=STORE, author="first")
    if p.environment(ENV).lock_ttl_seconds != ttl:
        p.update_environment(ENV, lock_ttl_seconds=ttl)
    jvm = _jvm_pid()
    (home / "kill.json").write_text(json.dumps({"jvm_pid": jvm, "index": index, "moment": moment}),
                                    encoding="utf-8")

    def before(seq: int, st: StatementRecord) -> None:
        if seq == index and moment == "before":
            _die(jvm)

    def after(seq: int, st: StatementRecord) -> None:
        _ran(home, st, "ran")
        if seq == index and moment == "after":
            _die(jvm)

    deployer = p.deployer(max_workers=1, before_statement=before, after_statement=after)
    dep = deployer.deploy(ENV, "2.0.0", allow_breaking=True)
    return {"error": f"not killed: the deploy ended ({dep.status}, {len(dep.statements)} statements)"}


def _lit(v: Any) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, str):
        return "'" + v.replace("'", "''") + "'"
    return str(v)


def _columns(spark: Any, table: str) -> list[tuple[str, str, str | None]]:
    out = []
    for f in spark.table(f"{SCHEMA}.{table}").schema.fields:
        out.append((f.name, f.dataType.simpleString(), f.metadata.get("comment")))
    return out


def _rows(spark: Any, table: str) -> list[tuple[Any, ...]]:
    return sorted((tuple(r) for r in spark.table(f"{SCHEMA}.{table}").collect()), key=repr)


def _table_comment(spark: Any, table: str) -> str | None:
    rows = spark.sql(f"DESCRIBE TABLE EXTENDED {SCHEMA}.{table}").collect()
    found = [r["data_type"] for r in rows if r["col_name"] == "Comment"]
    return found[0] if found else None


def _user_properties(spark: Any, table: str) -> dict[str, str]:
    rows = spark.sql(f"SHOW TBLPROPERTIES {SCHEMA}.{table}").collect()
    return {r["key"]: r["value"] for r in rows if not r["key"].startswith(("delta.", "schemax.", "transient"))
            and r["key"] not in ("option.path",)}


def _history_operations(spark: Any, table: str) -> Counter[str]:
    return Counter(r["operation"] for r in spark.sql(f"DESCRIBE HISTORY {SCHEMA}.{table}").collect())


def phase_resume(home: Path, shift_lock_clock: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    killed = json.loads((home / "kill.json").read_text(encoding="utf-8"))
    ran = [json.loads(line) for line in (home / "ran.jsonl").read_text(encoding="utf-8").splitlines()] \
        if (home / "ran.jsonl").exists() else []
    ran_seqs = {r["seq"] for r in ran}
    spark = local.spark_session(home, app_name="schemax-sigkill-2")
    p = schemax.Project.open(spark, PROJECT, store=STORE, author="second")

    crashed = p.history(ENV)[0]
    out["crashed"] = {"status": crashed.status, "to_version": crashed.to_version,
                      "statuses": {s.seq: s.status for s in crashed.statements}}
    recorded = p.store.read_statements(p.name, crashed.deployment_id)
    by_seq = {s.seq: s for s in recorded}
    out["effects"] = {s.seq: getattr(s.effect, "kind", None) for s in recorded if s.effect is not None}
    victim = by_seq.get(killed["index"])
    out["killed_effect"] = getattr(victim.effect, "kind", None) if victim is not None else None
    out["ran_before_kill"] = sorted(ran_seqs)

    # the dead process's lock is still there, with its expiry
    lock = p.store.read_lock(p.name, ENV)
    out["lock_left"] = {"holder": lock.holder, "expires": lock.expires} if lock else None
    if shift_lock_clock:
        # the TTL is long (live lock): a deploy now is refused, naming the dead holder
        try:
            p.deploy(ENV, allow_breaking=True)
            out["locked_refusal"] = None
        except schemax.DeploymentLockedError as exc:
            out["locked_refusal"] = {"holder": exc.holder, "expires": str(exc.expires)}
        # then the TTL passes: the store is asked "as of" a moment after the lock's expiry, the same
        # MERGE a later process runs (``acquire_lock(lock, now)`` takes the time as an argument)
        real = p.store.acquire_lock
        later = lock.expires if lock else None

        def acquire_after_expiry(record: Any, now: str) -> Any:
            return real(record, max(now, later) if later else now)

        p.store.acquire_lock = acquire_after_expiry  # type: ignore[method-assign]
    elif lock is not None:
        # a short TTL: wait (no assertion on time) until the lock's expiry has passed
        from schemax.core.ops import utc_now

        while utc_now() <= lock.expires:
            time.sleep(0.2)

    resumed = p.deploy(ENV, allow_breaking=True)
    out["resume"] = {"status": resumed.status, "kind": resumed.kind, "applied": resumed.applied,
                     "statements": [{"sql": s.sql, "status": s.status, "error": s.error,
                                     "kind": list(s.change_kinds)} for s in resumed.statements]}

    # the catalog, read back
    out["columns"] = {t: _columns(spark, t) for t in V2_COLUMNS}
    out["comments"] = {t: _table_comment(spark, t) for t in V2_COMMENTS}
    out["properties"] = {t: _user_properties(spark, t) for t in V2_PROPERTIES}
    out["rows"] = {t: [list(r) for r in _rows(spark, t)] for t in V2_ROWS}
    out["old_name_exists"] = spark.catalog.tableExists(f"spark_catalog.{PREFIX}s.t_ren")
    out["catalog"] = _catalog(spark, SCHEMA)
    ref = json.loads((home / "ref.json").read_text(encoding="utf-8"))
    out["ref_catalog"] = ref["catalog"]
    out["drift"] = _drift(p, ENV)
    out["ref_drift"] = ref["drift"]

    # no statement applied twice: (1) every non-idempotent statement the dead process ran is either
    # recorded applied already or found applied by the resume; (2) Delta's own history holds one commit
    # per ADD COLUMNS / RENAME COLUMN statement of the plan
    by_sql = {s.sql: s for s in recorded}
    twice, recopied = [], []
    rerun = {s.sql for s in resumed.statements if s.status == "applied" and s.error != FOUND_APPLIED}
    for s in resumed.statements:
        old = by_sql.get(s.sql)
        if old is None or old.effect is None or old.seq not in ran_seqs or s.error == FOUND_APPLIED:
            continue
        shadow_replaced = any(sql.startswith("CREATE OR REPLACE TABLE ") and
                              f"`{getattr(old.effect, 'shadow', ('',))[-1]}`" in sql.split("(")[0]
                              for sql in rerun)
        if getattr(old.effect, "kind", "") == "copies_rows" and shadow_replaced:
            # the resume ran the shadow's CREATE OR REPLACE again (its status was lost too), emptying it:
            # the copy runs again into the empty table, once
            recopied.append(old.seq)
            continue
        twice.append({"seq": old.seq, "sql": s.sql, "status": s.status, "error": s.error})
    out["ran_again_non_idempotent"] = twice
    out["recopied_after_replace"] = recopied
    expected_ops: dict[str, Counter[str]] = {}
    for s in recorded:
        op = COUNTED_OPERATIONS.get(getattr(s.effect, "kind", ""))
        if op is not None:
            table = s.effect.table[-1]  # type: ignore[union-attr]
            table = "t_renamed" if table == "t_ren" else table
            expected_ops.setdefault(table, Counter())[op] += 1
    delta_twice = {}
    out["delta_operations"] = {}
    for table in V2_COLUMNS:
        hist = _history_operations(spark, table)
        out["delta_operations"][table] = dict(hist)
        for op in COUNTED_OPERATIONS.values():
            want = expected_ops.get(table, Counter())[op]
            if hist[op] != want:
                delta_twice[f"{table}:{op}"] = {"expected": want, "found": hist[op]}
    out["delta_history_mismatches"] = delta_twice
    found_applied = [s.sql for s in resumed.statements if s.error == FOUND_APPLIED]
    out["found_applied"] = found_applied

    history = p.history(ENV)
    out["history"] = [{"kind": d.kind, "status": d.status, "to_version": d.to_version,
                       "resumes": d.record.resumes, "id": d.deployment_id,
                       "statuses": Counter(s.status for s in d.statements)} for d in history]

    # rollback to v1 with the data
    # (drift an uninterrupted deploy leaves too is not the kill's doing: it does not block the rollback)
    force = bool(out["drift"]) and out["drift"] == out["ref_drift"]
    out["rollback_refused"] = None
    try:
        try:
            back = p.rollback(ENV, "1.0.0", restore_data=True, force=force)
        except schemax.RestoreDiscardsDataError as exc:
            # reported (the parent asserts which tables), then rolled back anyway
            out["rollback_refused"] = sorted(d.table for d in exc.discarded)
            back = p.rollback(ENV, "1.0.0", restore_data=True, force=force, allow_data_loss=True)
    except schemax.SchemaxError as exc:  # reported, asserted by the parent
        out["rollback"] = {"error": f"{type(exc).__name__}: {exc}"}
        return out
    out["rollback"] = {"status": back.status, "kind": back.kind, "to_version": back.to_version}
    out["after_rollback_rows"] = {t: [list(r) for r in _rows(spark, t)] for t in V1_ROWS}
    out["after_rollback_columns"] = {t: [c[0] for c in _columns(spark, t)] for t in V1_ROWS}
    out["status_after_rollback"] = p.status().deployed.get(ENV)
    out["drift_after_rollback"] = _drift(p, ENV)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("phase", choices=["setup", "kill", "resume"])
    ap.add_argument("--home", required=True)
    ap.add_argument("--index", type=int, default=0)
    ap.add_argument("--moment", choices=["before", "after"], default="after")
    ap.add_argument("--ttl", type=int, default=3)
    ap.add_argument("--live-lock", action="store_true",
                    help="resume phase: the lock's TTL is long; check the refusal, then take it over")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    home = Path(args.home)
    started = time.monotonic()
    try:
        if args.phase == "setup":
            result = phase_setup(home, args.ttl)
            code = 0
        elif args.phase == "kill":
            result = phase_kill(home, args.index, args.moment, args.ttl)
            code = 3
        else:
            result = phase_resume(home, args.live_lock)
            code = 0
    except Exception as exc:  # noqa: BLE001 - reported to the parent as JSON
        result = {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
        code = 4
    result["seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(result, default=str), flush=True)
    local.stop_session(shutdown_jvm=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
