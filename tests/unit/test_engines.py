"""Engine selection (schemax.engines) and the command line on a fake engine, without Spark."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from test_errors import FakeEngine

import schemax
from schemax import engines
from schemax.adapters import connect, statement_execution
from schemax.adapters.memory import MemoryStore
from schemax.adapters.spark import SparkExecutor
from schemax.cli import EXIT_BLOCKED, EXIT_ERROR, EXIT_OK, run
from schemax.core.environment import LockRecord
from schemax.engines import EngineRequest, select_engine


@pytest.fixture()
def no_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for var in ("DATABRICKS_WAREHOUSE_ID", "DATABRICKS_CONFIG_PROFILE", "DATABRICKS_RUNTIME_VERSION",
                "SCHEMAX_PROJECT", "SCHEMAX_STORE"):
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


def test_select_engine_order(no_env: pytest.MonkeyPatch) -> None:
    made: list[tuple[str, dict[str, Any]]] = []
    no_env.setattr(statement_execution, "workspace_executor",
                   lambda **kw: made.append(("warehouse", kw)) or "WAREHOUSE")
    no_env.setattr(connect, "connect_session",
                   lambda profile, **kw: made.append(("connect", {"profile": profile, **kw})) or "CONNECT")
    no_env.setattr(engines, "local_spark", lambda local_home=None, note=None: "LOCAL")
    no_env.setattr(engines, "runtime_spark", lambda: "RUNTIME")
    notes: list[str] = []

    def engine(**request: Any) -> Any:
        return select_engine(EngineRequest(**request), note=notes.append)

    assert engine() == "LOCAL"
    assert engine(warehouse_id="abc", profile="prod") == "WAREHOUSE"
    assert made[-1] == ("warehouse", {"profile": "prod", "warehouse_id": "abc"})
    assert notes[-1] == "using SQL warehouse abc (profile prod)"
    no_env.setenv("DATABRICKS_WAREHOUSE_ID", "from-env")
    no_env.setenv("DATABRICKS_CONFIG_PROFILE", "envprofile")
    assert engine() == "WAREHOUSE" and made[-1][1] == {"profile": "envprofile", "warehouse_id": "from-env"}
    assert engine(warehouse_id="") == "LOCAL"  # an empty job parameter: not a warehouse
    assert engine(local=True) == "LOCAL"  # --local wins over the environment
    no_env.delenv("DATABRICKS_WAREHOUSE_ID")
    assert engine(connect=True, cluster_id="c-1") == "CONNECT"
    assert made[-1] == ("connect", {"profile": "envprofile", "cluster_id": "c-1", "serverless": False})
    assert engine(serverless=True) == "CONNECT" and made[-1][1]["serverless"] is True
    assert engine(runtime=True) == "RUNTIME"
    assert engine(runtime=True, warehouse_id="wh") == "WAREHOUSE"
    no_env.setenv("DATABRICKS_RUNTIME_VERSION", "16.4")
    assert engine() == "RUNTIME"
    given = FakeEngine()
    assert engine(engine=given, local=True) is given


def test_executor_and_store_for() -> None:
    fake = FakeEngine()
    assert engines.executor_for(None) is None
    assert engines.executor_for(fake) is fake
    session = object()  # anything that is not an executor is taken for a SparkSession
    wrapped = engines.executor_for(session)
    assert isinstance(wrapped, SparkExecutor) and wrapped.spark is session
    store = MemoryStore()
    assert engines.store_for(fake, store) == (store, fake)
    delta, executor = engines.store_for(fake, None)
    assert executor is fake and delta.location == engines.DEFAULT_STORE
    with pytest.raises(schemax.EngineRequiredError):
        engines.store_for(None, "main.schemax")


def test_notebook_engine_is_the_local_one(monkeypatch: pytest.MonkeyPatch) -> None:
    import schemax.notebook as notebook

    monkeypatch.setattr(notebook, "local_spark", lambda: "LOCAL")
    assert notebook.Notebook({}).engine() == "LOCAL"
    assert notebook.Notebook({"spark": "NB"}).engine() == "NB"


# ------------------------------------------------------------------------------------------------------
# the command line on the fake engine (an in-memory store in place of the Delta store)


class Cli:
    def __init__(self, monkeypatch: pytest.MonkeyPatch, engine: FakeEngine, store: MemoryStore) -> None:
        monkeypatch.setattr("schemax.cli.context.select_engine", lambda request, note: engine)
        monkeypatch.setattr("schemax.cli.context.store_name", lambda args: store)
        monkeypatch.setenv("SCHEMAX_AUTHOR", "cli-tester")

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = run(["--project", "shop", *argv], out, err)
        return code, out.getvalue(), err.getvalue()


@pytest.fixture()
def cli(no_env: pytest.MonkeyPatch) -> tuple[Cli, schemax.Project]:
    engine, store = FakeEngine(), MemoryStore()
    project = schemax.Project.create(engine, "shop", store=store, author="designer")
    project.create_catalog("shop")
    project.create_schema("shop.sales")
    project.create_table("shop.sales.a", [schemax.Column("id", "BIGINT"), schemax.Column("v", "STRING")])
    project.add_environment("dev", {"shop": "dev_shop"}, allow_drift=True)
    project.add_environment("prod", {"shop": "prod_shop"}, allow_drift=True, require_confirmation=True)
    project.snapshot("v1", version="1.0.0")
    return Cli(no_env, engine, store), project


def test_cli_deploy_reports_progress_through_the_api(cli: tuple[Cli, schemax.Project]) -> None:
    run_cli, project = cli
    code, out, err = run_cli("deploy", "dev")
    assert code == EXIT_OK, err
    assert "deploy dep_" in out and "success" in out
    progress = [line for line in err.splitlines() if line.startswith("[")]
    assert progress and progress[0].startswith("[1/") and "CREATE CATALOG" in progress[0]
    assert len(progress) == len(project.history("dev")[0].statements)
    project.drop_column("shop.sales.a", "v")
    project.snapshot("v2", version="2.0.0")
    code, out, err = run_cli("deploy", "dev", "--allow-breaking", "-q")
    assert code == EXIT_OK and not [line for line in err.splitlines() if line.startswith("[")]
    code, out, err = run_cli("rollback", "dev", "--to", "1.0.0")
    assert code == EXIT_OK, err
    assert "rollback dep_" in out and any(line.startswith("[1/") for line in err.splitlines())
    code, out, err = run_cli("promote", "dev", "prod", "--confirm", "prod")
    assert code == EXIT_OK, err
    assert any(line.startswith("[1/") for line in err.splitlines())
    assert project.history("prod")[0].to_version == "1.0.0"


def test_cli_refusals_exit_by_error_class(cli: tuple[Cli, schemax.Project]) -> None:
    run_cli, project = cli
    code, out, err = run_cli("deploy", "prod", "--json")
    assert code == EXIT_ERROR  # a confirmation refusal exits 1, as before
    doc = json.loads(out)["error"]
    assert doc["type"] == "ConfirmationRequiredError" and doc["environment"] == "prod"
    assert doc["blocked"] is False
    project.store.acquire_lock(LockRecord("shop", "dev", "other#1", "2026-01-01", "2999-01-01"), "2026-01-01")
    code, out, err = run_cli("deploy", "dev")
    assert code == EXIT_BLOCKED and err.startswith("schemax: blocked: environment 'dev' is locked by other#1")
    code, out, err = run_cli("rollback", "prod", "--to", "1.0.0", "--json")
    doc = json.loads(out)["error"]
    assert code == EXIT_ERROR and doc["type"] == "NotDeployedError"
    assert (doc["environment"], doc["action"]) == ("prod", "rollback")
