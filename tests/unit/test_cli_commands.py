"""The command line a team expects, on the fake engine: ``env list|add|set|approve``, ``diff``, ``ops``,
did-you-mean for an unknown environment, distinct exit codes, and the checks made before the engine
starts."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from test_errors import FakeEngine

import schemax
from helpers import CliRunner
from schemax.adapters.memory import MemoryStore
from schemax.cli import (
    EXIT_BLOCKED,
    EXIT_ERROR,
    EXIT_FAILED,
    EXIT_NOT_FOUND,
    EXIT_OK,
    EXIT_UNSUPPORTED,
    EXIT_USAGE,
    run,
)
from schemax.plan import OSS_DELTA, UNITY_CATALOG
from schemax.project.facade import _CAPABILITIES


@pytest.fixture()
def cli(monkeypatch: pytest.MonkeyPatch) -> tuple[CliRunner, schemax.Project]:
    engine, store = FakeEngine(), MemoryStore()
    p = schemax.Project.create(engine, "shop", store=store, author="designer")
    p._capabilities = UNITY_CATALOG
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.create_table("shop.sales.orders", [schemax.Column("id", "BIGINT", nullable=False)])
    p.add_environment("dev", {"shop": "dev_shop"}, allow_drift=True)
    p.add_environment("prod", {"shop": "prod_shop"}, allow_drift=True)
    p.snapshot("v1", version="1.0.0")
    return CliRunner(monkeypatch, engine, store), p


def test_env_set_changes_settings_and_says_what_changed(cli: tuple[CliRunner, schemax.Project]) -> None:
    run_cli, project = cli
    code, out, err = run_cli("env", "set", "dev", "--allow-breaking", "--require-snapshot")
    assert code == EXIT_OK, err
    assert out.splitlines() == ["dev: allow_breaking off -> on", "dev: require_snapshot off -> on"]
    env = project.environment("dev")
    assert env.allow_breaking and env.require_snapshot
    code, out, _ = run_cli("env", "set", "dev", "--no-allow-breaking", "--catalog", "ops:dev_ops", "--json")
    doc = json.loads(out)
    assert code == EXIT_OK and doc["changed"]["allow_breaking"] == {"from": True, "to": False}
    assert project.environment("dev").catalogs == {"shop": "dev_shop", "ops": "dev_ops"}
    code, out, _ = run_cli("env", "set", "dev", "--require-snapshot")
    assert code == EXIT_OK and out.strip() == "dev: already so, nothing changed"
    code, out, _ = run_cli("env", "set", "prod", "--production", "--require-confirmation",
                           "--require-approval", "--no-preflight", "--lock-ttl", "600")
    prod = project.environment("prod")
    assert code == EXIT_OK and prod.production and prod.require_confirmation and prod.require_approval
    assert prod.preflight is False and prod.lock_ttl_seconds == 600
    code, out, _ = run_cli("env", "list")
    lines = out.splitlines()
    assert lines[0] == "dev: ops -> dev_ops, shop -> dev_shop [require-snapshot, allow-drift]"
    assert lines[1] == ("prod: shop -> prod_shop [production, require-confirmation, require-approval, "
                        "allow-drift]")


def test_env_add_and_approve(cli: tuple[CliRunner, schemax.Project]) -> None:
    run_cli, project = cli
    code, out, err = run_cli("env", "add", "test", "--catalog", "shop:test_shop", "--schema-prefix", "t_",
                             "--require-approval")
    assert code == EXIT_OK, err
    assert out.strip() == "added environment test: shop -> test_shop; schema prefix 't_' [require-approval]"
    code, out, _ = run_cli("deploy", "test", "--json")
    assert code == EXIT_ERROR and json.loads(out)["error"]["type"] == "ApprovalRequiredError"
    code, out, err = run_cli("env", "approve", "test", "1.0.0", "--comment", "reviewed")
    assert code == EXIT_OK and out.strip() == "approved 1.0.0 for test (by ci)"
    assert run_cli("deploy", "test")[0] == EXIT_OK
    code, _, err = run_cli("env", "add", "test")
    assert code == EXIT_ERROR and "already exists" in err


def test_env_set_checks_its_arguments_before_the_engine(cli: tuple[CliRunner, schemax.Project]) -> None:
    run_cli, _ = cli
    for argv, message in (
        (("env", "set", "dev"), "nothing to change"),
        (("env", "set", "dev", "--catalog", "shop"), "expected LOGICAL:PHYSICAL"),
        (("env", "set", "dev", "--lock-ttl", "0"), "above 0"),
        (("deploy", "prod", "--confirm", "prd"), "does not name the environment 'prod'"),
        (("promote", "dev", "prod", "--confirm", "dev"), "does not name the environment 'prod'"),
        (("env", "frobnicate"), "invalid choice"),
    ):
        code, _, err = run_cli(*argv)
        assert code == EXIT_USAGE and message in err, (argv, err)
    assert run_cli.engine_started == 0


def test_unknown_environment_suggests_the_closest_names(cli: tuple[CliRunner, schemax.Project]) -> None:
    run_cli, _ = cli
    code, out, err = run_cli("plan", "dve")
    assert code == EXIT_NOT_FOUND
    assert err.strip() == "schemax: error: environment not found: dve (did you mean 'dev'?)"
    code, out, _ = run_cli("env", "set", "Prod", "--allow-breaking", "--json")
    doc = json.loads(out)["error"]
    assert code == EXIT_NOT_FOUND and doc["what"] == "environment" and doc["name"] == "Prod"
    assert doc["suggestions"] == ["prod"]
    code, _, err = run_cli("deploy", "staging")
    assert code == EXIT_NOT_FOUND and "(there are: dev, prod)" in err, err
    code, _, err = run_cli("diff", "1.0.0", "1.0.1")
    assert code == EXIT_NOT_FOUND and "snapshot not found: 1.0.1 (did you mean '1.0.0'?)" in err


def test_unknown_project_suggests_the_stores_projects(cli: tuple[CliRunner, schemax.Project]) -> None:
    run_cli, _ = cli
    out, err = io.StringIO(), io.StringIO()
    code = run(["--project", "shpo", "status"], out, err)
    assert code == EXIT_NOT_FOUND and "did you mean 'shop'?" in err.getvalue()


def test_diff_between_snapshots_and_the_working_state(cli: tuple[CliRunner, schemax.Project]) -> None:
    run_cli, project = cli
    project.add_column("shop.sales.orders", "amount", "DECIMAL(10,2)")
    project.snapshot("v2", version="1.1.0")
    project.set_table_comment("shop.sales.orders", "every order")
    code, out, err = run_cli("diff", "1.0.0", "1.1.0")
    assert code == EXIT_OK, err
    assert out.splitlines()[0] == "plan 1.0.0 -> 1.1.0: 1 statement(s), 0 finding(s), 0 blocking"
    assert "ADD COLUMNS" in out and "`shop`.`sales`.`orders`" in out  # logical names
    code, out, _ = run_cli("diff", "1.1.0")
    assert code == EXIT_OK and out.startswith("plan 1.1.0 -> working:") and "COMMENT" in out
    code, out, _ = run_cli("diff", "empty", "1.0.0", "--format", "json")
    doc = json.loads(out)
    assert code == EXIT_OK and doc["from_version"] is None and doc["to_version"] == "1.0.0"
    assert any("CREATE TABLE" in s["sql"] for s in doc["statements"])
    code, out, _ = run_cli("diff", "1.0.0", "1.1.0", "--format", "markdown")
    assert code == EXIT_OK and out.startswith("### schemax plan 1.0.0 -> 1.1.0")


def test_ops_lists_what_is_pending_since_the_latest_snapshot(cli: tuple[CliRunner, schemax.Project]) -> None:
    run_cli, project = cli
    code, out, _ = run_cli("ops")
    assert code == EXIT_OK and out.strip() == "no ops since snapshot 1.0.0"
    project.add_column("shop.sales.orders", "amount", "DECIMAL(10,2)")
    project.set_table_comment("shop.sales.orders", "every order")
    code, out, _ = run_cli("ops")
    lines = out.splitlines()
    assert code == EXIT_OK and lines[0] == "2 op(s) since snapshot 1.0.0:"
    assert "add_column" in lines[1] and "shop.sales.orders.amount" in lines[1] and "designer" in lines[1]
    assert "set_table_comment" in lines[2] and "'every order'" in lines[2]
    code, out, _ = run_cli("ops", "--json")
    doc = json.loads(out)
    assert doc["since"] == "1.0.0" and [o["kind"] for o in doc["ops"]] == ["add_column", "set_table_comment"]
    assert [o["seq"] for o in doc["ops"]] == [project.last_seq - 1, project.last_seq]
    code, out, _ = run_cli("ops", "--all", "--json")
    assert len(json.loads(out)["ops"]) == project.last_seq


def test_exit_codes_of_a_failed_and_an_unsupported_deploy(monkeypatch: pytest.MonkeyPatch) -> None:
    engine, store = FakeEngine(fail_on="ADD COLUMNS"), MemoryStore()
    p = schemax.Project.create(engine, "shop", store=store, author="designer")
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.create_table("shop.sales.orders", [schemax.Column("id", "BIGINT")])
    p.add_environment("dev", {"shop": "dev_shop"}, allow_drift=True)
    p.snapshot("v1", version="1.0.0")
    p.set_tags("shop.sales.orders", {"team": "sales"})
    p.snapshot("v2", version="1.1.0")
    run_cli = CliRunner(monkeypatch, engine, store)
    monkeypatch.setattr("schemax.project.facade.detect_capabilities", lambda ex: OSS_DELTA)
    code, out, _ = run_cli("deploy", "dev", "--json")  # tags on an engine without Unity Catalog
    assert code == EXIT_UNSUPPORTED and json.loads(out)["error"]["type"] == "UnsupportedError"
    monkeypatch.setattr("schemax.project.facade.detect_capabilities", lambda ex: UNITY_CATALOG)
    _CAPABILITIES.forget(engine)  # detected once per engine and process: make this "another" engine
    assert run_cli("deploy", "dev", "--to", "1.1.0")[0] == EXIT_OK
    p.add_column("shop.sales.orders", "amount", "INT")
    p.snapshot("v3", version="1.2.0")
    code, out, _ = run_cli("deploy", "dev", "--json")
    doc = json.loads(out)["error"]
    assert code == EXIT_FAILED and doc["type"] == "ExecutionError" and doc["deployment_id"]
    assert EXIT_FAILED not in (EXIT_OK, EXIT_ERROR, EXIT_BLOCKED)


def test_cheap_checks_run_before_the_engine_starts(cli: tuple[CliRunner, schemax.Project],
                                                   tmp_path: Path) -> None:
    run_cli, _ = cli
    out, err = io.StringIO(), io.StringIO()
    assert run(["status"], out, err) == EXIT_USAGE  # which project?
    assert "which project?" in err.getvalue()
    (tmp_path / "bad.yml").write_text("version: 1\ncatalogs:\n  - name: shop\n    colour: red\n",
                                      encoding="utf-8")
    code, _, err2 = run_cli("sync", str(tmp_path / "bad.yml"))
    assert code == EXIT_ERROR and "bad.yml:4:5" in err2
    code, _, err2 = run_cli("plan", "dev", "--design", str(tmp_path / "missing"))
    assert code == EXIT_NOT_FOUND and "missing" in err2
    code, _, err2 = run_cli("import", "--from-json", str(tmp_path / "nope.json"))
    assert code == EXIT_NOT_FOUND and "export file not found" in err2
    (tmp_path / "plan.json").write_text('{"format": "schemax-plan"}', encoding="utf-8")
    code, _, err2 = run_cli("import", "--from-json", str(tmp_path / "plan.json"))
    assert code == EXIT_ERROR and "not a schemax export" in err2
    assert run_cli.engine_started == 0


def test_export_is_laid_out_to_diff_well(cli: tuple[CliRunner, schemax.Project], tmp_path: Path) -> None:
    run_cli, project = cli
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert run_cli("export", str(first))[0] == EXIT_OK
    text = first.read_text(encoding="utf-8")
    assert json.loads(text) == project.to_export()
    ops = [line for line in text.splitlines() if line.startswith('    {"') and '"op_id"' in line]
    assert len(ops) == project.last_seq  # one op per line
    project.set_table_comment("shop.sales.orders", "every order")
    assert run_cli("export", str(second))[0] == EXIT_OK
    import difflib

    diff = [d for d in difflib.unified_diff(text.splitlines(), second.read_text().splitlines(), lineterm="",
                                            n=0) if d[:1] in "+-" and d[:3] not in ("+++", "---")]
    # the new op is one added line; the op before it gains its comma
    added, removed = [d for d in diff if d.startswith("+")], [d for d in diff if d.startswith("-")]
    assert len(added) == 2 and len(removed) == 1
    assert "set_table_comment" in diff[-1]
    code, out, _ = run_cli("export")
    assert code == EXIT_OK and out == second.read_text(encoding="utf-8")
    code, out, _ = run_cli("export", "--canonical")
    assert code == EXIT_OK and out.count("\n") == 1 and json.loads(out) == json.loads(second.read_text())
    copy = schemax.Project.import_json(None, second, store=MemoryStore("copy"))
    assert copy.state() == project.state() and copy.verify().head == project.verify().head


def test_env_unsupported_skip_is_set_shown_and_switched_back(cli: tuple[CliRunner, schemax.Project]) -> None:
    run_cli, project = cli
    code, out, err = run_cli("env", "set", "dev", "--unsupported", "skip")
    assert code == EXIT_OK, err
    assert project.environment("dev").unsupported == "skip"
    code, out, _ = run_cli("env", "list")
    assert out.splitlines()[0] == "dev: shop -> dev_shop; unsupported: skip [allow-drift]"
    code, out, err = run_cli("env", "set", "dev", "--unsupported", "refuse")
    assert code == EXIT_OK, err
    assert project.environment("dev").unsupported is None
    code, _, _ = run_cli("env", "set", "dev", "--unsupported", "rewrite")
    assert code == EXIT_USAGE
    code, _, err = run_cli("env", "add", "ci", "--catalog", "shop:spark_catalog", "--unsupported", "skip")
    assert code == EXIT_OK, err
    assert project.environment("ci").unsupported == "skip"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_environment_names_in_their_colour_on_a_terminal_and_plain_otherwise(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    from schemax.cli.env_commands import env_line
    from schemax.cli.output import Output
    from schemax.display import env_colour

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    args = argparse.Namespace(json=False, quiet=False)
    terminal = Output(args, _Terminal(), io.StringIO())
    rgb = env_colour("prod").lstrip("#")
    code = f"\x1b[1;38;2;{int(rgb[0:2], 16)};{int(rgb[2:4], 16)};{int(rgb[4:6], 16)}m"
    assert terminal.env("prod", 8) == f"{code}prod\x1b[0m    "  # padded outside the colour: columns line up
    env = schemax.core.environment.Environment(name="prod", catalogs={"shop": "prod_shop"})
    assert env_line(env, terminal.env).startswith(f"{code}prod\x1b[0m: shop -> prod_shop")
    assert Output(args, io.StringIO(), io.StringIO()).env("prod", 8) == "prod    "  # a pipe: plain
    monkeypatch.setenv("NO_COLOR", "1")
    assert Output(args, _Terminal(), io.StringIO()).env("prod") == "prod"
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert Output(args, io.StringIO(), io.StringIO()).env("prod").startswith(code)
    as_json = argparse.Namespace(json=True, quiet=False)
    assert Output(as_json, _Terminal(), io.StringIO()).env("prod") == "prod"
