"""The Statement Execution executor against a faulty warehouse (issue 16, item 3): the SDK's own
``WorkspaceClient`` talks HTTP to a local server (``fake_warehouse.py``) that throttles, resets
connections, loses the response of a statement that ran, answers too late, and leaves a statement
``PENDING``. Retries are bounded and never run a statement twice; a lost response is ``unknown``, and a
resume asks the catalog before running it again; nothing is recorded as applied that did not run.

Quick by default (part of ``make test``); ``SCHEMAX_RELIABILITY=thorough`` runs the fault campaign on
many more seeds.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("databricks.sdk")

from fake_warehouse import Catalog, Fault, Warehouse, serve, workspace_client  # noqa: E402

import schemax  # noqa: E402
from schemax.adapters.memory import MemoryStore  # noqa: E402
from schemax.adapters.statement_execution import StatementExecutionExecutor  # noqa: E402
from schemax.errors import SqlError  # noqa: E402
from schemax.plan import UNITY_CATALOG  # noqa: E402
from schemax.services.deploy import Deployer  # noqa: E402

THOROUGH = os.environ.get("SCHEMAX_RELIABILITY", "").lower() == "thorough"


class Sleeps:
    """The executor's backoff sleeps, recorded (and shortened: nothing waits for real)."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        time.sleep(min(seconds, 0.01))


@pytest.fixture()
def warehouse() -> Iterator[tuple[Warehouse, str]]:
    with serve() as running:
        yield running


def _executor(url: str, sleeps: Sleeps | None = None, **kw: Any) -> StatementExecutionExecutor:
    kw.setdefault("poll_interval", 0.01)
    return StatementExecutionExecutor(workspace_client(url), "wh-1", sleep=sleeps or Sleeps(), **kw)


T = "`dev_shop`.`sales`.`a`"
ADD = f"ALTER TABLE {T} ADD COLUMNS (`x` INT)"


def _with_table(wh: Warehouse) -> None:
    wh.catalog.columns[T] = ["id"]


# -- the executor alone --------------------------------------------------------------------------------

def test_throttling_is_retried_as_retry_after_says_and_the_statement_runs_once(
        warehouse: tuple[Warehouse, str]) -> None:
    wh, url = warehouse
    _with_table(wh)
    wh.faults = [Fault("429", "ADD COLUMNS", retry_after=3), Fault("503", "ADD COLUMNS", retry_after=2)]
    sleeps = Sleeps()
    _executor(url, sleeps).execute(ADD)
    assert sleeps.calls == [3.0, 2.0]  # Retry-After honoured
    assert wh.posts.count(ADD) == 3 and wh.catalog.ran.count(ADD) == 1
    assert wh.catalog.columns[T] == ["id", "x"]


def test_retries_are_bounded(warehouse: tuple[Warehouse, str]) -> None:
    wh, url = warehouse
    _with_table(wh)
    wh.faults = [Fault("503", "ADD COLUMNS", times=100, retry_after=1)]
    with pytest.raises(SqlError) as err:
        _executor(url, max_retries=3).execute(ADD)
    assert "TemporarilyUnavailable" in err.value.cause
    assert wh.posts.count(ADD) == 4 and wh.catalog.ran == []  # 1 + 3 retries, nothing ran


@pytest.mark.parametrize("kind", ["lost", "reset", "slow"])
def test_a_lost_response_is_unknown_and_never_submitted_again(warehouse: tuple[Warehouse, str],
                                                              kind: str) -> None:
    wh, url = warehouse
    _with_table(wh)
    wh.faults = [Fault(kind, "ADD COLUMNS")]
    with pytest.raises(SqlError) as err:
        _executor(url).execute(ADD)
    assert err.value.kind == "unknown"
    assert wh.posts.count(ADD) == 1  # neither schemax nor the SDK's HTTP layer sent it again
    assert wh.catalog.ran.count(ADD) == (0 if kind == "reset" else 1)


def test_a_read_whose_response_is_lost_is_asked_again(warehouse: tuple[Warehouse, str]) -> None:
    wh, url = warehouse
    _with_table(wh)
    wh.faults = [Fault("lost", "DESCRIBE TABLE"), Fault("reset", "DESCRIBE TABLE")]
    rows = _executor(url).query(f"DESCRIBE TABLE {T}")
    assert [r["col_name"] for r in rows] == ["id"]
    assert wh.posts.count(f"DESCRIBE TABLE {T}") == 3


@pytest.mark.parametrize("kind", ["poll_reset", "poll_503"])
def test_faults_while_polling_are_retried(warehouse: tuple[Warehouse, str], kind: str) -> None:
    wh, url = warehouse
    _with_table(wh)
    wh.faults = [Fault(kind, "ADD COLUMNS")]
    _executor(url).execute(ADD)
    assert wh.posts.count(ADD) == 1 and wh.catalog.ran.count(ADD) == 1 and wh.polls >= 2


def test_a_statement_stuck_pending_past_its_deadline_is_cancelled_and_did_not_run(
        warehouse: tuple[Warehouse, str]) -> None:
    wh, url = warehouse
    _with_table(wh)
    wh.faults = [Fault("pending", "ADD COLUMNS")]
    with pytest.raises(SqlError) as err:
        _executor(url, timeout=0.2).execute(ADD)
    assert err.value.kind == "timeout" and "cancelled" in err.value.cause
    (sid,) = [s for s, sql in wh.sql_of.items() if sql == ADD]
    assert wh.statements[sid]["status"]["state"] == "CANCELED"
    assert wh.catalog.ran == []


# -- a deployment through the executor --------------------------------------------------------------------

def _project() -> schemax.Project:
    p = schemax.Project.create(None, "shop", store=MemoryStore(), author="tester")
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    for t in ("a", "b", "c"):
        p.create_table(f"shop.sales.{t}", [schemax.Column("id", "BIGINT", nullable=False)])
    p.add_environment("dev", {"shop": "dev_shop"})
    p.snapshot("v1", version="1.0.0")
    for t in ("a", "b", "c"):
        p.add_column(f"shop.sales.{t}", "x", "INT")
        p.add_column(f"shop.sales.{t}", "y", "STRING")
    p.snapshot("v2", version="2.0.0")
    return p


def _deployer(p: schemax.Project, executor: Any) -> Deployer:
    return Deployer(p.records, executor, author="tester", capabilities=UNITY_CATALOG, max_workers=2)


def _applied_ran(p: schemax.Project, wh: Warehouse) -> None:
    """Nothing is recorded as applied that did not run: each statement recorded applied (and not found
    applied by a resume) is one the warehouse ran."""
    for dep in p.history("dev"):
        for st in dep.statements:
            if st.status == "applied" and not (st.error or "").startswith("found applied"):
                assert st.sql in wh.catalog.ran, st.sql


def test_a_deploy_whose_statement_response_is_lost_resumes_by_asking_the_catalog(
        warehouse: tuple[Warehouse, str]) -> None:
    wh, url = warehouse
    p = _project()
    executor = _executor(url)
    _deployer(p, executor).deploy("dev", "1.0.0")
    b_add = "ALTER TABLE `dev_shop`.`sales`.`b` ADD COLUMNS (`x` INT, `y` STRING)"
    wh.faults = [Fault("lost", b_add)]
    with pytest.raises(schemax.ExecutionError):
        _deployer(p, executor).deploy("dev", "2.0.0")
    failed = p.history("dev")[0]
    (lost,) = [s for s in failed.statements if s.sql == b_add]
    assert lost.status == "unknown" and "outcome unknown" in (lost.error or "")  # not "applied", not "failed"
    assert failed.applied == sum(s.status == "applied" for s in failed.statements)
    _applied_ran(p, wh)
    resumed = _deployer(p, executor).deploy("dev", "2.0.0")
    assert resumed.kind == "resume" and resumed.status == "success"
    again = [s for s in resumed.statements if s.sql == b_add]
    assert [s.error for s in again] == ["found applied when resuming: not run again"]
    assert wh.catalog.ran.count(b_add) == 1 and wh.catalog.refused == []
    assert all(cols == ["id", "x", "y"] for cols in wh.catalog.columns.values())
    assert all(props.get("schemax.version") == "2.0.0" for props in wh.catalog.props.values())
    _applied_ran(p, wh)


# -- the fault campaign: random faults on every statement, deploy until it succeeds -----------------------

KINDS = ["429", "503", "reset", "lost", "poll_reset", "poll_503", "pending"]


def _campaign(seed: int, url: str, wh: Warehouse) -> dict[str, int]:
    rng = random.Random(seed)
    p = _project()
    executor = _executor(url, timeout=0.3, max_retries=2)
    _deployer(p, executor).deploy("dev", "1.0.0")
    plan = _deployer(p, executor).plan("dev", "2.0.0")
    wh.faults = [Fault(rng.choice(KINDS), st.sql, times=rng.randint(1, 3), retry_after=0)
                 for st in plan.statements if rng.random() < 0.5]
    attempts = 0
    while True:
        attempts += 1
        assert attempts <= 20, "no progress"
        try:
            _deployer(p, executor).deploy("dev", "2.0.0")
            break
        except schemax.ExecutionError:
            continue
    _applied_ran(p, wh)
    return {"attempts": attempts, "faults": len(wh.faults), "duplicates": len(wh.catalog.refused)}


@pytest.mark.parametrize("seed", range(40 if THOROUGH else 3))
def test_random_faults_on_every_statement_end_at_the_target_with_nothing_run_twice(
        seed: int, terminal_summary: list[str]) -> None:
    with serve(Catalog()) as (wh, url):
        figures = _campaign(seed, url, wh)
        assert figures["duplicates"] == 0  # no ADD COLUMNS ran twice
        assert {t: c for t, c in wh.catalog.columns.items()} == {
            f"`dev_shop`.`sales`.`{t}`": ["id", "x", "y"] for t in "abc"}
        assert all(props.get("schemax.version") == "2.0.0" for props in wh.catalog.props.values())
    terminal_summary.append(f"faulty warehouse seed {seed}: {figures['faults']} statement(s) with faults, "
                            f"{figures['attempts']} deploy(s) to the target, 0 run twice, 0 data lost")


def test_the_store_runs_a_keyed_merge_again_when_its_response_is_lost(warehouse: tuple[Warehouse, str]
                                                                       ) -> None:
    from schemax.adapters.delta_store import DeltaStore
    from schemax.core.environment import DeploymentRecord

    wh, url = warehouse
    store = DeltaStore(_executor(url), "main.schemax")
    rec = DeploymentRecord("dep_1", "shop", "dev", "success", "deploy", "2026-01-01T00:00:00Z", "tester")
    wh.faults = [Fault("lost", "MERGE INTO")]
    store.update_deployment(rec)  # an upsert by key: the same values again, so it is safe to re-run
    merges = [sql for sql in wh.catalog.ran if sql.startswith("MERGE INTO")]
    assert len(merges) == 2 and merges[0] == merges[1]
    wh.faults = [Fault("lost", "INSERT INTO")]
    with pytest.raises(SqlError) as err:  # an append is not: its outcome is unknown, never sent twice
        store.begin_deployment(rec, [])
    assert err.value.kind == "unknown"
    assert len([sql for sql in wh.posts if sql.startswith("INSERT INTO")]) == 1
