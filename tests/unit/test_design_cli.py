"""The design commands on the fake engine: ``sync`` (``--check`` exit codes, ``--snapshot``),
``export-design``, ``plan --format markdown|json`` and ``plan --design``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from test_errors import FakeEngine

import schemax
from helpers import CliRunner
from schemax.adapters.memory import MemoryStore
from schemax.cli import EXIT_BLOCKED, EXIT_ERROR, EXIT_NOT_FOUND, EXIT_OK, EXIT_USAGE

SHOP = (Path(__file__).resolve().parents[2] / "design" / "shop.yml").read_text(encoding="utf-8")




@pytest.fixture()
def cli(monkeypatch: pytest.MonkeyPatch) -> tuple[CliRunner, schemax.Project]:
    engine, store = FakeEngine(), MemoryStore()
    project = schemax.Project.create(engine, "shop", store=store, author="designer")
    project.add_environment("dev", {"shop": "dev_shop"}, allow_drift=True)
    return CliRunner(monkeypatch, engine, store), project


@pytest.fixture()
def design(tmp_path: Path) -> Path:
    folder = tmp_path / "design"
    folder.mkdir()
    (folder / "shop.yml").write_text(SHOP, encoding="utf-8")
    return folder


def test_sync_check_exits_2_when_the_files_and_the_log_differ(cli: tuple[CliRunner, schemax.Project],
                                                               design: Path) -> None:
    run_cli, project = cli
    code, out, err = run_cli("sync", "--check", str(design))
    assert code == EXIT_BLOCKED, err
    assert out.startswith("out of sync: ") and "create_table" in out and "shop.sales.orders" in out
    assert project.ops() == []  # --check records nothing
    code, out, err = run_cli("sync", str(design))
    assert code == EXIT_OK, err
    assert out.startswith("recorded ") and len(project.ops()) > 0
    recorded = len(project.ops())
    code, out, _ = run_cli("sync", "--check", str(design / "shop.yml"))
    assert code == EXIT_OK and out.startswith("in sync")
    code, out, _ = run_cli("sync", str(design))
    assert code == EXIT_OK and out.startswith("nothing to record") and len(project.ops()) == recorded
    project.set_table_comment("shop.sales.orders", "changed in a notebook")  # the log moves past git
    code, out, _ = run_cli("sync", "--check", str(design), "--json")
    doc = json.loads(out)
    assert code == EXIT_BLOCKED and doc["in_sync"] is False and doc["recorded"] is False
    assert [op["kind"] for op in doc["ops"]] == ["set_table_comment"]


def test_sync_errors_name_the_place_and_exit_1(cli: tuple[CliRunner, schemax.Project], design: Path) -> None:
    run_cli, project = cli
    bad = "version: 1\ncatalogs:\n  - name: shop\n    colour: red\n"
    (design / "bad.yml").write_text(bad, encoding="utf-8")
    code, out, err = run_cli("sync", str(design), "--json")
    assert code == EXIT_ERROR
    doc = json.loads(out)["error"]
    assert doc["type"] == "DesignFileError" and doc["file"].endswith("bad.yml")
    assert (doc["line"], doc["column"]) == (4, 5)
    code, _, err = run_cli("sync", str(design / "missing"))
    assert code == EXIT_NOT_FOUND and "not found" in err
    assert project.ops() == []


def test_sync_then_snapshot_only_when_something_changed(cli: tuple[CliRunner, schemax.Project],
                                                        design: Path) -> None:
    run_cli, project = cli
    code, out, err = run_cli("sync", str(design), "--snapshot", "from git", "--snapshot-version", "")
    assert code == EXIT_OK, err
    assert [s.version for s in project.snapshots()] == ["0.1.0"] and "snapshot 0.1.0" in out
    code, out, err = run_cli("sync", str(design), "--snapshot", "from git")
    project.refresh()
    assert code == EXIT_OK and [s.version for s in project.snapshots()] == ["0.1.0"]
    assert "no snapshot taken" in err
    changed = SHOP.replace("comment: Webshop", "comment: The webshop")
    (design / "shop.yml").write_text(changed, encoding="utf-8")
    code, out, err = run_cli("sync", str(design), "--snapshot", "from git", "--snapshot-version", "1.0.0")
    assert code == EXIT_OK, err
    project.refresh()  # another Project object (the command's) took the snapshot
    assert [s.version for s in project.snapshots()] == ["0.1.0", "1.0.0"]
    code, _, err = run_cli("sync", str(design), "--check", "--snapshot", "x")
    assert code == EXIT_USAGE and "takes no --snapshot" in err


def test_export_design_then_sync_is_a_round_trip(cli: tuple[CliRunner, schemax.Project], design: Path,
                                                 tmp_path: Path) -> None:
    run_cli, project = cli
    assert run_cli("sync", str(design))[0] == EXIT_OK
    code, out, err = run_cli("export-design", str(tmp_path / "exported"))
    assert code == EXIT_OK, err
    assert "wrote 2 design file(s)" in out
    assert sorted(p.name for p in (tmp_path / "exported").iterdir()) == ["shop.sales.yml", "shop.yml"]
    code, out, _ = run_cli("sync", "--check", str(tmp_path / "exported"))
    assert code == EXIT_OK, out


def test_plan_formats_and_the_plan_of_a_design(cli: tuple[CliRunner, schemax.Project], design: Path) -> None:
    run_cli, project = cli
    code, out, err = run_cli("plan", "dev", "--design", str(design), "--format", "markdown")
    assert code == EXIT_OK, err
    assert out.startswith("### schemax plan (nothing) -> design")
    assert "```sql" in out and "CREATE TABLE IF NOT EXISTS `dev_shop`.`sales`.`orders`" in out
    assert project.ops() == []  # planning a design records nothing
    assert run_cli("sync", str(design), "--snapshot", "v1")[0] == EXIT_OK
    code, out, err = run_cli("plan", "dev", "--format", "json")
    assert code == EXIT_OK, err
    doc = json.loads(out)
    assert doc["to_version"] == "0.1.0" and doc["statements"]
    code, out, _ = run_cli("plan", "dev", "--format", "markdown")
    assert code == EXIT_OK and "### schemax plan (nothing) -> 0.1.0" in out
    code, _, err = run_cli("plan", "dev", "--format", "markdown", "--json")
    assert code == EXIT_USAGE and "give one of them" in err
    code, _, err = run_cli("plan", "dev", "--design", str(design), "--to", "0.1.0")
    assert code == EXIT_USAGE and "takes no --to" in err
    project.update_environment("dev", allow_breaking=False)
    (design / "shop.yml").write_text(SHOP.replace("              - {name: amount, type: \"DECIMAL(10,2)\"}\n",
                                                  ""), encoding="utf-8")
    assert run_cli("deploy", "dev")[0] == EXIT_OK
    code, out, _ = run_cli("plan", "dev", "--design", str(design), "--format", "markdown", "--check")
    assert code == EXIT_BLOCKED
    assert "🛑" in out and "**Blocked:** 'dev'" in out and "DROP COLUMN" in out


def test_the_bundles_deploy_job_runs_its_tasks_in_order(cli: tuple[CliRunner, schemax.Project],
                                                        design: Path) -> None:
    """Each task of resources/schemax_deploy.job.yml, its job parameters filled in, on the fake engine."""
    yaml = pytest.importorskip("yaml")
    run_cli, project = cli
    job_file = Path(__file__).resolve().parents[2] / "resources" / "schemax_deploy.job.yml"
    job = yaml.safe_load(job_file.read_text(encoding="utf-8"))["resources"]["jobs"]["schemax_deploy"]
    values = {p["name"]: p["default"] for p in job["parameters"]}
    values.update(environment="dev", design=str(design), snapshot_name="from the bundle", project="shop")

    def argv(task: dict[str, Any]) -> list[str]:
        args = task["python_wheel_task"]["parameters"]
        return [re.sub(r"\{\{job\.parameters\.(\w+)\}\}", lambda m: values[m.group(1)], a) for a in args]

    def run_job() -> list[int]:
        return [run_cli(*argv(task))[0] for task in job["tasks"]]

    assert run_job() == [EXIT_OK, EXIT_OK, EXIT_OK]
    project.refresh()
    assert [s.version for s in project.snapshots()] == ["0.1.0"]
    assert project.history("dev")[0].to_version == "0.1.0"
    assert run_job() == [EXIT_OK, EXIT_OK, EXIT_OK]  # a re-run: nothing new, no new snapshot
    project.refresh()
    assert [s.version for s in project.snapshots()] == ["0.1.0"]
    (design / "shop.yml").write_text(SHOP.replace("comment: Webshop", "comment: Shop"), encoding="utf-8")
    values["snapshot_version"] = "2.0.0"
    assert run_job() == [EXIT_OK, EXIT_OK, EXIT_OK]
    assert project.history("dev")[0].to_version == "2.0.0"
    values["design"] = ""  # an empty design parameter: no sync, deploy what the log holds
    assert run_job() == [EXIT_OK, EXIT_OK, EXIT_OK]
