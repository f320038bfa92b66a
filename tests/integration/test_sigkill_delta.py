"""SIGKILL at a statement index, in real processes (issue 16 item 1).

``tests/integration/test_deploy.py`` kills a deployment in-process (a hook raises). Here the process
really dies: ``sigkill_child.py`` deploys a ~20-statement v2 (creates, column adds / comments /
properties, renames of a column and a table, a drop column, a rewrite) to ``dev`` on local Spark + Delta
with the project's records in a Delta store in the same local home, and at statement ``i`` SIGKILLs its
JVM and itself, ``before`` the statement runs or ``after`` it ran and before its status is recorded. A
second process on the same home then resumes and checks everything (see the child's docstring); it prints
one JSON line and the assertions are made here.

The project (v1 deployed with rows, v2 snapshotted) is built once per run by the child's ``setup`` phase
and copied to the same path before each case, so every case starts from a fresh home (the metastore
keeps absolute table locations, so the copy must sit where the original was built).

The lock the dead process leaves: ``after`` cases use a 3 s TTL (the second process waits until the
row's expiry has passed, then takes it over for real); ``before`` cases use a one-hour TTL, assert the
deterministic refusal (``DeploymentLockedError`` naming the dead holder), then take it over with the
store asked as of the lock's expiry (the store's ``acquire_lock`` takes ``now`` as an argument).

Quick form (``make test``): one case (each costs two fresh JVMs, ~4 min on the 2-core machine under load).
``SCHEMAX_RELIABILITY=thorough``: every index, both moments.
``SCHEMAX_SIGKILL_CASES=after:5,before:19`` picks cases by hand.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

CHILD = Path(__file__).resolve().parent / "sigkill_child.py"
SRC = Path(__file__).resolve().parents[2] / "src"
sys.path.insert(0, str(CHILD.parent))
import sigkill_child as child  # noqa: E402  (the child's expectations: V1_ROWS, V2_COLUMNS, ...)

STATEMENTS = 20
#: the quick form: right after an ADD COLUMNS ran (its status, and those of a RENAME TO and a RENAME COLUMN
#: before it, lost: all found applied on resume). ``SCHEMAX_SIGKILL_CASES=before:19`` (measured: survived)
#: kills before the rewrite's first rename, with the copy into the shadow done
QUICK = [("after", 5)]
CHILD_TIMEOUT_S = 900

log = logging.getLogger("schemax.tests.sigkill")


def _cases() -> list[tuple[str, int]]:
    chosen = os.environ.get("SCHEMAX_SIGKILL_CASES", "").strip()
    if chosen:
        return [(m, int(i)) for m, i in (c.split(":") for c in chosen.split(","))]
    if os.environ.get("SCHEMAX_RELIABILITY", "").lower() == "thorough":
        return [(m, i) for i in range(1, STATEMENTS + 1) for m in ("after", "before")]
    return QUICK


def _run(phase: str, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), str(CHILD.parent)]),
           "SCHEMAX_LOCAL_HOME": str(home)}
    return subprocess.run([sys.executable, str(CHILD), phase, "--home", str(home), *args], env=env,
                          capture_output=True, text=True, timeout=CHILD_TIMEOUT_S, check=False)


def _result(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    assert lines, f"no result line (rc {proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    out = json.loads(lines[-1])
    assert "error" not in out, f"{out['error']}\n{out.get('traceback', '')}\n{proc.stderr[-3000:]}"
    return out


def _gone(pid: int) -> bool:
    """The process is gone or a zombie (a zombie holds no file and no lock)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return True
    return state in ("Z", "X")


def _wait_gone(pid: int | None) -> None:
    for _ in range(600):
        if pid is None or _gone(pid):
            return
        time.sleep(0.1)
    raise AssertionError(f"the killed child's JVM {pid} is still running")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[str]]:
    """The home every case starts from: (its path, a pristine copy of it, the v2 plan's statements)."""
    root = tmp_path_factory.mktemp("sigkill")
    home = root / "home"
    home.mkdir()
    out = _result(_run("setup", home, "--ttl", "3"))
    assert out["unsupported"] == [], out["unsupported"]
    assert len(out["statements"]) == STATEMENTS, "\n".join(out["statements"])
    pristine = root / "base"
    shutil.copytree(home, pristine, symlinks=True)
    return home, pristine, out["statements"]


@pytest.fixture(scope="module")
def figures() -> Any:
    """The per-case figures (docs/reliability.md): logged at the end, and written as JSON to
    ``$SCHEMAX_SIGKILL_FIGURES`` when set."""
    rows: list[dict[str, Any]] = []
    yield rows
    if not rows:
        return
    per = [r["seconds"] for r in rows]
    log.warning("SIGKILL at a statement index: %d case(s), %d survived, %d statement(s) applied twice; "
                "%.0f-%.0f s per case (two processes)", len(rows), sum(r["survived"] for r in rows),
                sum(r["twice"] for r in rows), min(per), max(per))
    target = os.environ.get("SCHEMAX_SIGKILL_FIGURES")
    if target:
        Path(target).write_text(json.dumps(rows, indent=1), encoding="utf-8")


@pytest.mark.parametrize(("moment", "index"), _cases(), ids=[f"{m}-{i}" for m, i in _cases()])
def test_sigkill_at_a_statement_then_resume_in_a_new_process(
        base: tuple[Path, Path, list[str]], figures: list[dict[str, Any]], moment: str, index: int) -> None:
    home, pristine, statements = base
    started = time.monotonic()
    shutil.rmtree(home)
    shutil.copytree(pristine, home, symlinks=True)
    live_lock = moment == "before"
    ttl = 3600 if live_lock else 3

    first = _run("kill", home, "--index", str(index), "--moment", moment, "--ttl", str(ttl))
    assert first.returncode == -signal.SIGKILL, (first.returncode, first.stdout[-2000:], first.stderr[-3000:])
    killed = json.loads((home / "kill.json").read_text())
    _wait_gone(killed["jvm_pid"])

    out = _result(_run("resume", home, *(["--live-lock"] if live_lock else [])))
    seconds = time.monotonic() - started
    keep = os.environ.get("SCHEMAX_SIGKILL_KEEP")
    if keep:  # every case's findings, for the record (docs/reliability.md)
        Path(keep).mkdir(parents=True, exist_ok=True)
        (Path(keep) / f"{moment}-{index}.json").write_text(json.dumps(out, indent=1), encoding="utf-8")
    twice = len(out["ran_again_non_idempotent"]) + len(out["delta_history_mismatches"])
    figures.append({"moment": moment, "index": index, "seconds": seconds, "twice": twice, "survived": False})

    # what the dead process left: exactly the statements before (and, after, including) i ran; the
    # deployment is in progress, statement i pending (its status never written)
    ran = set(range(1, index + 1)) if moment == "after" else set(range(1, index))
    assert set(out["ran_before_kill"]) == ran
    assert out["crashed"]["status"] == "in_progress" and out["crashed"]["to_version"] == "2.0.0"
    assert out["crashed"]["statuses"][str(index)] == "pending"
    assert out["lock_left"] is not None and out["lock_left"]["holder"].startswith("first#")
    if live_lock:
        assert out["locked_refusal"] == {"holder": out["lock_left"]["holder"],
                                         "expires": out["lock_left"]["expires"]}

    # the resume reached v2, in the catalog
    assert out["resume"]["status"] == "success" and out["resume"]["kind"] == "resume"
    assert out["columns"] == {t: [list(c) for c in cols] for t, cols in child.V2_COLUMNS.items()}
    assert out["comments"] == child.V2_COMMENTS
    assert out["properties"] == child.V2_PROPERTIES
    assert out["rows"] == {t: [list(r) for r in sorted(rows, key=repr)] for t, rows in child.V2_ROWS.items()}
    assert out["old_name_exists"] is False
    # and looks exactly like the same v2 deployed without interruption (every table, its rows, and drift)
    assert out["catalog"] == out["ref_catalog"]
    assert out["drift"] == out["ref_drift"]

    # nothing ran twice: every non-idempotent statement the dead process ran was found applied, and
    # Delta's history holds one ADD COLUMNS / RENAME COLUMN commit per such statement of the plan
    assert set(out["effects"].values()) == {"adds_columns", "renames_column", "renames_object", "copies_rows"}
    assert out["ran_again_non_idempotent"] == []
    assert out["delta_history_mismatches"] == {}
    t_add = out["delta_operations"]["t_add"]
    assert t_add["ADD COLUMNS"] == t_add["RENAME COLUMN"] == 1
    killed_sql = statements[index - 1]
    if moment == "after" and out["killed_effect"]:  # ran, status lost: found applied, not run again
        assert killed_sql in out["found_applied"]
    if moment == "before":
        assert killed_sql not in out["found_applied"]

    # the history shows the interrupted deployment and its resume
    hist = out["history"]
    assert [(d["kind"], d["status"]) for d in hist] == [("resume", "success"), ("deploy", "failed"),
                                                        ("deploy", "success")]
    assert hist[0]["resumes"] == hist[1]["id"]

    # rollback to 1.0.0 with the data: what was written before v2 is back (the rewritten table: below)
    # (the rewritten table's RESTORE may be refused as discarding data, the defect below: only that one)
    assert out["rollback_refused"] in (None, ["`spark_catalog`.`dev_s`.`t_rw`"])
    assert out["rollback"] == {"status": "success", "kind": "rollback", "to_version": "1.0.0"}
    assert out["status_after_rollback"] == "1.0.0"
    v1 = {t: [list(r) for r in sorted(rows, key=repr)] for t, rows in child.V1_ROWS.items()}
    assert {t: r for t, r in out["after_rollback_rows"].items() if t != "t_rw"} == {
        t: r for t, r in v1.items() if t != "t_rw"}
    assert [f for f in out["drift_after_rollback"] if ".t_rw" not in f] == []
    figures[-1]["survived"] = True
    ROLLED_BACK.append(out)


#: the outputs of the cases above that got as far as their rollback
ROLLED_BACK: list[dict[str, Any]] = []


@pytest.mark.xfail(strict=True, reason=(
    "defect: a data rollback RESTOREs the rewritten table `t_rw` to the Delta version recorded before the "
    "rewrite, but `t_rw` is now the copy (a new Delta log; the old table is kept as t_rw__sx_old_<h>): "
    "the rows stay INT and the design says STRING (drift: modified column t_rw.code), and when the resume "
    "re-ran the rewrite's CREATE OR REPLACE, the RESTORE is refused as discarding the second copy "
    "(RestoreDiscardsDataError); a rollback after an uninterrupted deploy hits the same RESTORE"))
def test_a_data_rollback_after_a_rewrite_brings_the_table_back() -> None:
    if not ROLLED_BACK:
        pytest.skip("no SIGKILL case got to its rollback")
    out = ROLLED_BACK[-1]
    assert out["rollback_refused"] is None
    assert out["after_rollback_rows"]["t_rw"] == [list(r) for r in sorted(child.V1_ROWS["t_rw"], key=repr)]
    assert out["drift_after_rollback"] == out["ref_drift"]
