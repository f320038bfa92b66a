"""The README's examples, run on the embedded engine
(its ``>>>`` examples run as doctests: ``pytest README.md``).

Each fenced block is found by the section it stands in, so that editing the README changes what runs here:

- "In a Databricks notebook": the cell runs as a notebook would run it (the last expression is displayed
  through ``_repr_html_``), with only the names that exist on a workspace alone replaced by local ones
  (``LOCAL_EQUIVALENTS``; every replacement must match, so a README edit cannot silently skip it);
- "In a job": runs verbatim, with the project and store given the way a job gives them (environment);
- "From the command line": every ``schemax`` line runs through ``schemax.cli.main`` in this process (so
  ``--local`` takes the shared session), ``python FILE`` through ``runpy``, ``export`` sets the variable;
  the workspace lines are parsed by the CLI's own parser (no workspace here);
- "As a Databricks Asset Bundle": the ``databricks bundle`` lines cannot run here, so each target,
  variable, job and job parameter they name is checked against ``databricks.yml`` and ``resources/``.
"""

from __future__ import annotations

import ast
import json
import re
import runpy
import shlex
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

import schemax
from schemax.cli import EXIT_OK, build_parser, main

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"


@dataclass(frozen=True)
class Block:
    section: str
    lang: str
    code: str


def readme_blocks() -> list[Block]:
    blocks: list[Block] = []
    section, lang, lines = "", None, []
    for line in README.read_text(encoding="utf-8").splitlines():
        if lang is None and line.startswith("## "):
            section = line[3:].strip()
        elif lang is None and line.startswith("```"):
            lang, lines = line[3:].strip(), []
        elif lang is not None and line.startswith("```"):
            blocks.append(Block(section, lang, "\n".join(lines) + "\n"))
            lang = None
        elif lang is not None:
            lines.append(line)
    return blocks


def blocks_in(section: str, lang: str) -> list[str]:
    found = [b.code for b in readme_blocks() if b.section == section and b.lang == lang]
    assert found, f"README has no {lang} block under '## {section}'"
    return found


def commands(code: str) -> Iterator[list[str]]:
    """Shell lines as argv lists, comments dropped."""
    for line in code.splitlines():
        argv = shlex.split(line, comments=True)
        if argv:
            yield argv


def run_cell(code: str, namespace: dict[str, Any]) -> Any:
    """Run a notebook cell: every statement, then the value of a final expression (what a notebook shows)."""
    tree = ast.parse(code)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, "<README cell>", "exec"), namespace)
    if last is None:
        return None
    return eval(compile(ast.Expression(last.value), "<README cell>", "eval"), namespace)


def _drop_schemas(spark: Any, *names: str) -> None:
    for name in names:
        spark.sql(f"DROP SCHEMA IF EXISTS spark_catalog.`{name}` CASCADE")


def _columns(spark: Any, table: str) -> list[str]:
    return [f.name for f in spark.table(table).schema.fields]


def _tracked_version(spark: Any, table: str) -> str:
    return spark.sql(f"SHOW TBLPROPERTIES {table} ('schemax.version')").collect()[0]["value"]


# ---------------------------------------------------------------------------------------------------
# In a Databricks notebook
# ---------------------------------------------------------------------------------------------------

def local_equivalents(uid: str) -> dict[str, str]:
    """What only a workspace has -> its embedded-engine stand-in (a schema prefix in spark_catalog)."""
    return {
        'store="main.schemax"': f'store="spark_catalog.{uid}_schemax"',
        'catalogs={"shop": "dev_shop"}': f'catalogs={{"shop": "spark_catalog"}}, schema_prefix="{uid}_dev_"',
        'catalogs={"shop": "shop"}': f'catalogs={{"shop": "spark_catalog"}}, schema_prefix="{uid}_prod_"',
        "dev_shop.sales.orders": f"spark_catalog.{uid}_dev_sales.orders",
    }


@dataclass
class NotebookRun:
    uid: str
    store: str
    namespace: dict[str, Any]
    shown: Any

    @property
    def dev_orders(self) -> str:
        return f"spark_catalog.{self.uid}_dev_sales.orders"

    @property
    def prod_orders(self) -> str:
        return f"spark_catalog.{self.uid}_prod_sales.orders"


@pytest.fixture(scope="module")
def notebook_run(spark: Any) -> Iterator[NotebookRun]:
    (cell,) = blocks_in("In a Databricks notebook", "python")
    uid = f"rd{uuid.uuid4().hex[:6]}"
    for original, local in local_equivalents(uid).items():
        assert original in cell, f"the README notebook cell no longer contains {original!r}"
        cell = cell.replace(original, local)
    namespace: dict[str, Any] = {"spark": spark}
    try:
        shown = run_cell(cell, namespace)
        yield NotebookRun(uid, f"spark_catalog.{uid}_schemax", namespace, shown)
    finally:
        _drop_schemas(spark, f"{uid}_dev_sales", f"{uid}_prod_sales", f"{uid}_schemax")


def test_notebook_cell_deploys_promotes_and_rolls_back_with_data(spark: Any,
                                                                  notebook_run: NotebookRun) -> None:
    p = notebook_run.namespace["p"]
    assert [s.version for s in p.snapshots()] == ["0.1.0", "0.2.0"]

    # rollback to 0.1.0 with restore_data: the dropped column is back, and so is its value
    assert _columns(spark, notebook_run.dev_orders) == ["id", "status"]
    assert [tuple(r) for r in spark.table(notebook_run.dev_orders).collect()] == [(1, "open")]
    assert _tracked_version(spark, notebook_run.dev_orders) == "0.1.0"
    # prod got 0.1.0 by promotion and nothing since
    assert _columns(spark, notebook_run.prod_orders) == ["id", "status"]
    assert p.status().deployed == {"dev": "0.1.0", "prod": "0.1.0"}

    # the cell's last line is the dev history, shown in the notebook through _repr_html_
    shown = notebook_run.shown
    assert [(d.from_version, d.to_version, d.status) for d in shown] == [
        ("0.2.0", "0.1.0", "success"), ("0.1.0", "0.2.0", "success"), (None, "0.1.0", "success")]
    html = shown._repr_html_()
    assert "0.2.0" in html and "<table" in html
    assert len(p.drift_scans("dev")) == 1


def test_job_example_scans_prod_and_deploys_dev(spark: Any, notebook_run: NotebookRun,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    (code,) = blocks_in("In a job", "python")
    monkeypatch.setenv("SCHEMAX_PROJECT", "shop")
    monkeypatch.setenv("SCHEMAX_STORE", notebook_run.store)
    exec(compile(code, "<README job>", "exec"), {})

    p = schemax.Project.open(spark, "shop", store=notebook_run.store)
    assert p.status().deployed == {"dev": "0.2.0", "prod": "0.1.0"}
    assert _columns(spark, notebook_run.dev_orders) == ["id"]
    assert [scan.status for scan in p.drift_scans("prod")] == ["clean"]


# ---------------------------------------------------------------------------------------------------
# From the command line
# ---------------------------------------------------------------------------------------------------

def test_local_command_line_example_runs_end_to_end(spark: Any, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    local_block = blocks_in("From the command line (a laptop, CI)", "bash")[0]
    store_schema = f"rd{uuid.uuid4().hex[:6]}_schemax"
    # The README's commands read the store from SCHEMAX_STORE (default spark_catalog.schemax); this test
    # gives them one of their own. Nothing else is set: the commands run exactly as written.
    monkeypatch.setenv("SCHEMAX_STORE", f"spark_catalog.{store_schema}")
    monkeypatch.setenv("SCHEMAX_AUTHOR", "readme")
    for var in ("SCHEMAX_PROJECT", "DATABRICKS_WAREHOUSE_ID", "DATABRICKS_CONFIG_PROFILE",
                "DATABRICKS_RUNTIME_VERSION"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    subcommands: set[str] = set()
    try:
        for argv in commands(local_block):
            if argv[0] == "export":
                for assignment in argv[1:]:
                    key, _, value = assignment.partition("=")
                    monkeypatch.setenv(key, value)
            elif argv[0] == "python":
                runpy.run_path(str(ROOT / argv[1]), run_name="__main__")
            elif argv[0] == "schemax":
                capsys.readouterr()
                code = main(argv[1:])
                out, err = capsys.readouterr()
                assert code == EXIT_OK, f"{shlex.join(argv)} exited {code}\n{out}\n{err}"
                subcommands.add(next(a for a in argv[1:] if not a.startswith("-")))
            else:
                pytest.fail("README command line block has a line this test cannot run: "
                            f"{shlex.join(argv)}")

        assert {"init", "deploy", "drift"} <= subcommands
        orders = "spark_catalog.dev_sales.orders"
        assert _columns(spark, orders) == ["id", "customer_id", "amount"]
        assert _tracked_version(spark, orders) == "0.1.0"
        exported = json.loads((tmp_path / "shop.json").read_text(encoding="utf-8"))
        assert exported["project"]["name"] == "shop" and len(exported["snapshots"]) == 1
    finally:
        _drop_schemas(spark, "dev_sales", store_schema)


def test_workspace_command_lines_parse_with_the_cli_parser() -> None:
    workspace_block = blocks_in("From the command line (a laptop, CI)", "bash")[1]
    parser = build_parser()
    lines = list(commands(workspace_block))
    assert lines
    for argv in lines:
        assert argv[0] == "schemax"
        args = parser.parse_args(argv[1:])
        assert args.warehouse_id and args.profile, f"{shlex.join(argv)} would not run on a SQL warehouse"


# ---------------------------------------------------------------------------------------------------
# As a Databricks Asset Bundle
# ---------------------------------------------------------------------------------------------------

def _option(argv: list[str], *names: str) -> list[str]:
    values = []
    for i, arg in enumerate(argv):
        for name in names:
            if arg == name and i + 1 < len(argv):
                values.append(argv[i + 1])
            elif arg.startswith(name + "="):
                values.append(arg[len(name) + 1:])
    return values


def test_bundle_commands_name_targets_variables_jobs_and_parameters_that_exist() -> None:
    (block,) = blocks_in("As a Databricks Asset Bundle", "bash")
    bundle = yaml.safe_load((ROOT / "databricks.yml").read_text(encoding="utf-8"))
    jobs: dict[str, Any] = {}
    for path in sorted((ROOT / "resources").glob("*.yml")):
        resources = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        jobs.update(resources.get("resources", {}).get("jobs", {}))
    checked = 0
    for argv in commands(block):
        assert argv[:2] == ["databricks", "bundle"] and argv[2] in {"validate", "deploy", "run"}, argv
        for target in _option(argv, "-t", "--target"):
            assert target in bundle["targets"], f"no target {target!r} in databricks.yml"
            checked += 1
        for assignment in _option(argv, "--var"):
            assert assignment.split("=", 1)[0] in bundle["variables"], assignment
            checked += 1
        if argv[2] == "run":
            job = next(a for a in argv[3:]
                       if not a.startswith("-") and a not in _option(argv, "-t", "--params"))
            assert job in jobs, f"no job {job!r} in resources/"
            declared = {p["name"] for p in jobs[job].get("parameters", [])}
            for params in _option(argv, "--params"):
                for pair in params.split(","):
                    assert pair.split("=", 1)[0] in declared, f"job {job} has no parameter {pair!r}"
                    checked += 1
    assert checked >= 6


def test_every_readme_code_block_is_run_here_or_as_a_doctest() -> None:
    """A new block in a new section must be given a runner here (or be a doctest), not go unchecked."""
    covered = {"In a Databricks notebook", "In a job", "From the command line (a laptop, CI)",
               "As a Databricks Asset Bundle"}
    for block in readme_blocks():
        is_first_screen = block.section == "" and re.search(r"^make ", block.code, re.M)
        is_doctest = block.code.lstrip().startswith(">>>")
        assert block.section in covered or is_first_screen or is_doctest, (
            f"README block under '## {block.section}' is run by no test")
