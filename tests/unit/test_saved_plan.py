"""Plans you can sign off: ``Plan.save`` / ``SavedPlan.load`` / ``p.deploy(env, plan=...)`` and the
``plan ENV --out FILE`` / ``deploy ENV --plan FILE`` commands, on the fake engine."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_errors import FakeEngine

import schemax
from helpers import CliRunner
from schemax.adapters.memory import MemoryStore
from schemax.cli import EXIT_BLOCKED, EXIT_OK
from schemax.cli.exits import EXIT_USAGE
from schemax.plan import UNITY_CATALOG
from schemax.plan.saved import PLANNED, SavedPlan


def _project(engine: FakeEngine, store: MemoryStore | None = None) -> schemax.Project:
    p = schemax.Project.create(engine, "shop", store=store or MemoryStore(), author="tester")
    p._capabilities = UNITY_CATALOG  # what the fake engine claims to be
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.create_table("shop.sales.a", [schemax.Column("id", "BIGINT", nullable=False),
                                    schemax.Column("v", "STRING")])
    p.add_environment("dev", {"shop": "dev_shop"}, allow_drift=True)
    p.snapshot("v1", version="1.0.0")
    return p


@pytest.fixture()
def project() -> schemax.Project:
    return _project(FakeEngine())


def test_a_plan_is_deterministic_and_has_no_timestamp(project: schemax.Project, tmp_path: Path) -> None:
    first, second = project.plan("dev"), project.plan("dev")
    assert first.fingerprint == second.fingerprint and len(first.fingerprint) == 64
    a = first.save(tmp_path / "a.json", project="shop")
    b = second.save(tmp_path / "b.json", project="shop")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    assert a.fingerprint == b.fingerprint == first.fingerprint
    stamps = [sql for sql in a.statements if "schemax.deployed_at" in sql]
    assert stamps and all(f"'schemax.deployed_at' = '{PLANNED}'" in sql for sql in stamps)
    assert all(f"'schemax.deployment' = '{PLANNED}'" in sql for sql in stamps)
    doc = json.loads((tmp_path / "a.json").read_text())
    assert doc["format"] == "schemax-plan" and doc["project"] == "shop"
    assert doc["plan"]["from_version"] is None and doc["plan"]["to_version"] == "1.0.0"
    assert doc["plan"]["snapshot_id"] == project.snapshot_at("1.0.0").snapshot_id


def test_the_fingerprint_changes_with_what_the_plan_runs(project: schemax.Project) -> None:
    before = project.plan("dev").fingerprint
    project.add_column("shop.sales.a", "w", "INT")
    project.snapshot("v2", version="1.1.0")
    assert project.plan("dev", to="1.1.0").fingerprint != before
    assert project.plan("dev", to="1.0.0").fingerprint == before
    project.add_environment("test", {"shop": "test_shop"})
    assert project.plan("test", to="1.0.0").fingerprint != before  # another environment, other names


def test_deploy_runs_exactly_the_saved_plan(project: schemax.Project, tmp_path: Path) -> None:
    saved = project.plan("dev").save(tmp_path / "plan.json", project="shop")
    engine = project.executor
    assert isinstance(engine, FakeEngine)
    dep = project.deploy("dev", plan=tmp_path / "plan.json")
    assert dep.status == "success" and dep.to_version == "1.0.0"
    ran = [st.sql for st in dep.statements]
    assert len(ran) == len(saved.statements)
    stamped = 0
    for planned, done in zip(saved.statements, ran, strict=True):
        # the same statement; only the two stamp placeholders now hold the deployment's id and time
        normalized = re.sub(r"'schemax\.deployed_at' = '[^']*'", f"'schemax.deployed_at' = '{PLANNED}'",
                            done.replace(f"'{dep.deployment_id}'", f"'{PLANNED}'"))
        assert normalized == planned
        stamped += PLANNED not in done and PLANNED in planned
    assert stamped >= 1
    assert engine.sql[-len(ran):] == ran


def test_a_stale_plan_is_refused_and_nothing_is_recorded(project: schemax.Project, tmp_path: Path) -> None:
    project.plan("dev").save(tmp_path / "plan.json", project="shop")
    project.deploy("dev")  # someone deployed 1.0.0 after the plan was written
    deployments = len(project.history("dev"))
    with pytest.raises(schemax.StalePlanError) as info:
        project.deploy("dev", plan=tmp_path / "plan.json")
    err = info.value
    assert err.environment == "dev" and "environment moved" in err.reason and "1.0.0" in err.reason
    assert err.planned_fingerprint != err.current_fingerprint and err.blocked
    with pytest.raises(schemax.StalePlanError):
        project.deploy("dev", plan=tmp_path / "plan.json", dry_run=True)
    assert len(project.history("dev")) == deployments


def test_a_plan_of_the_working_state_goes_stale_when_the_working_state_moves(
        project: schemax.Project, tmp_path: Path) -> None:
    project.add_column("shop.sales.a", "w", "INT")
    saved = project.plan("dev", to="working").save(tmp_path / "plan.json")
    project.set_table_comment("shop.sales.a", "changed after sign-off")
    with pytest.raises(schemax.StalePlanError) as info:
        project.deploy("dev", plan=saved)
    assert "target moved" in info.value.reason


def test_an_edited_or_foreign_plan_file_is_refused(project: schemax.Project, tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    project.plan("dev").save(path, project="shop")
    doc = json.loads(path.read_text())
    doc["plan"]["statements"][0]["sql"] = "DROP CATALOG `dev_shop` CASCADE"
    (tmp_path / "edited.json").write_text(json.dumps(doc))
    with pytest.raises(schemax.PlanFileError) as info:
        SavedPlan.load(tmp_path / "edited.json")
    assert "changed after it was written" in info.value.reason
    doc = json.loads(path.read_text())
    doc["review"]["changes"] = doc["review"]["changes"][1:]  # a change hidden from the reviewer
    (tmp_path / "review.json").write_text(json.dumps(doc))
    with pytest.raises(schemax.PlanFileError, match="digest"):
        SavedPlan.load(tmp_path / "review.json")
    (tmp_path / "export.json").write_text(json.dumps({"format": "schemax-export"}))
    with pytest.raises(schemax.PlanFileError, match="not a schemax plan"):
        SavedPlan.load(tmp_path / "export.json")
    with pytest.raises(schemax.PlanFileError, match="cannot read"):
        SavedPlan.load(tmp_path / "missing.json")
    project.add_environment("test", {"shop": "test_shop"})
    with pytest.raises(schemax.PlanFileError, match="for environment 'dev', not 'test'"):
        project.deploy("test", plan=path)
    other = _project(FakeEngine())
    other_plan = other.plan("dev").save(tmp_path / "other.json", project="elsewhere")
    with pytest.raises(schemax.PlanFileError, match="project 'elsewhere'"):
        project.deploy("dev", plan=other_plan)
    assert len(project.history("dev")) == 0


# ------------------------------------------------------------------------------------------------------
# the command line




@pytest.fixture()
def cli(monkeypatch: pytest.MonkeyPatch) -> tuple[CliRunner, schemax.Project]:
    engine, store = FakeEngine(), MemoryStore()
    return CliRunner(monkeypatch, engine, store), _project(engine, store)


def test_plan_out_then_deploy_plan(cli: tuple[CliRunner, schemax.Project], tmp_path: Path) -> None:
    run_cli, project = cli
    path = tmp_path / "plan.json"
    code, out, err = run_cli("plan", "dev", "--out", str(path))
    assert code == EXIT_OK, err
    saved = SavedPlan.load(path)
    assert f"wrote {path}" in out and saved.short in out and saved.project == "shop"
    code, out2, err = run_cli("plan", "dev", "--out", str(tmp_path / "again.json"))
    assert code == EXIT_OK and (tmp_path / "again.json").read_bytes() == path.read_bytes()
    code, out, err = run_cli("deploy", "dev", "--plan", str(path), "--json")
    assert code == EXIT_OK, err
    assert json.loads(out)["deployment"]["status"] == "success"
    code, out, err = run_cli("deploy", "dev", "--plan", str(path), "--json")
    doc = json.loads(out)["error"]
    assert code == EXIT_BLOCKED and doc["type"] == "StalePlanError" and doc["environment"] == "dev"
    assert "environment moved" in doc["reason"]


def test_deploy_plan_checks_the_file_before_the_engine(cli: tuple[CliRunner, schemax.Project], tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    run_cli, project = cli
    path = tmp_path / "plan.json"
    assert run_cli("plan", "dev", "--out", str(path))[0] == EXIT_OK

    def no_engine(request: object, note: object) -> None:
        raise AssertionError("the engine was started")

    monkeypatch.setattr("schemax.cli.context.select_engine", no_engine)
    code, _, err = run_cli("deploy", "prod", "--plan", str(path))
    assert code == EXIT_USAGE and "for environment 'dev'" in err
    code, _, err = run_cli("deploy", "dev", "--plan", str(path), "--to", "2.0.0")
    assert code == EXIT_USAGE and "--to" in err
    code, _, err = run_cli("deploy", "dev", "--plan", str(tmp_path / "nope.json"))
    assert code == EXIT_USAGE and "cannot read" in err
    code, _, err = run_cli("plan", "dev", "--out", str(path), "--design", str(tmp_path))
    assert code == EXIT_USAGE and "--out" in err
