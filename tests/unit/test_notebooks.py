"""The Databricks notebooks in notebooks/: source format, public API only, and runnable without Databricks.

Outside Databricks there is no ``dbutils``: each notebook's first code cell (the widget prologue) must fall
back to defaults and ``SCHEMAX_*`` environment variables. The deploy and drift-scan notebooks are run end to
end here with the schemax shortcuts replaced by recorders (no Spark); the design walkthrough, which needs an
engine, runs on local Spark in tests/integration/test_notebooks_local.py.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

import schemax

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.py"))
HEADER = "# Databricks notebook source"
SEPARATOR = "# COMMAND ----------"
REQUIRED = {"deploy.py", "drift_scan.py", "design_and_snapshot.py"}
PUBLIC_MODULES = {"schemax", "schemax.local", "schemax.notebook"}  # what a notebook may import from schemax


def _cells(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    body = text.split("\n", 1)[1]
    return [c.strip("\n") for c in body.split(f"\n{SEPARATOR}\n")]


def _is_magic(cell: str) -> bool:
    lines = [ln for ln in cell.splitlines() if ln.strip()]
    return bool(lines) and all(ln.startswith("# MAGIC") for ln in lines)


def _code_cells(path: Path) -> list[str]:
    return [c for c in _cells(path) if not _is_magic(c)]


class FakeWidgets:
    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.defined: dict[str, tuple[str, str]] = {}

    def text(self, name: str, default: str, label: str | None = None) -> None:
        self.defined[name] = (default, label or name)

    def get(self, name: str) -> str:
        assert name in self.defined, f"widget {name!r} read before it was defined"
        return self.values.get(name, self.defined[name][0])


class FakeDbutils:
    def __init__(self, values: dict[str, str] | None = None) -> None:
        self.widgets = FakeWidgets(values or {})


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in (
        "SCHEMAX_ENVIRONMENT",
        "SCHEMAX_PROJECT",
        "SCHEMAX_STORE",
        "SCHEMAX_VERSION",
        "SCHEMAX_DRY_RUN",
        "SCHEMAX_FAIL_ON_DRIFT",
        "SCHEMAX_CONFIRM",
        "SCHEMAX_ALLOW_BREAKING",
    ):
        monkeypatch.delenv(var, raising=False)


def test_the_three_notebooks_exist() -> None:
    assert REQUIRED <= {p.name for p in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_source_format(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.startswith(HEADER + "\n"), "first line must be the Databricks source header"
    assert text.count(SEPARATOR) >= 3
    for line in text.splitlines():
        if line.startswith("# COMMAND"):
            assert line == SEPARATOR, f"malformed separator {line!r}"
    cells = _cells(path)
    assert all(c.strip() for c in cells), "empty cell"
    assert _is_magic(cells[0]) and cells[0].startswith("# MAGIC %md"), "starts with a markdown description"
    for cell in cells:
        if "# MAGIC" in cell:
            assert _is_magic(cell), "a cell mixes MAGIC lines and code"
    compile(text, str(path), "exec")  # the whole file is valid Python (MAGIC lines are comments)
    for cell in _code_cells(path):
        compile(cell, f"{path.name}[cell]", "exec")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_only_the_public_api_is_used(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    public = set(schemax.__all__)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("schemax"):
            assert node.module in PUBLIC_MODULES, f"imports internal module {node.module}"
            if node.module == "schemax":
                assert {a.name for a in node.names} <= public
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("schemax"):
                    assert alias.name in PUBLIC_MODULES, f"imports internal module {alias.name}"
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "schemax"
        ):
            assert node.attr in public, f"schemax.{node.attr} is not public API"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_prologue_without_dbutils_uses_defaults_and_environment(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prologue = _code_cells(path)[0]
    assert "Notebook(globals())" in prologue  # widgets come from the notebook's own dbutils, if any
    ns: dict[str, Any] = {"__name__": "__notebook__", "spark": "SPARK"}
    exec(compile(prologue, path.name, "exec"), ns)  # noqa: S102 - the notebook's own code
    assert not ns["nb"].on_databricks
    assert ns["environment"] and ns["project"] and ns["store"] == "main.schemax"

    monkeypatch.setenv("SCHEMAX_ENVIRONMENT", "qa")
    monkeypatch.setenv("SCHEMAX_PROJECT", "billing")
    monkeypatch.setenv("SCHEMAX_STORE", "ops.schemax")
    ns = {"__name__": "__notebook__", "spark": "SPARK"}
    exec(compile(prologue, path.name, "exec"), ns)  # noqa: S102
    assert (ns["environment"], ns["project"], ns["store"]) == ("qa", "billing", "ops.schemax")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_prologue_on_databricks_defines_and_reads_widgets(path: Path) -> None:
    prologue = _code_cells(path)[0]
    dbutils = FakeDbutils({"environment": "prod", "project": "shop", "store": "main.sx"})
    ns: dict[str, Any] = {"__name__": "__notebook__", "dbutils": dbutils, "spark": "SPARK"}
    exec(compile(prologue, path.name, "exec"), ns)  # noqa: S102
    assert {"environment", "project", "store"} <= set(dbutils.widgets.defined)
    assert (ns["environment"], ns["project"], ns["store"]) == ("prod", "shop", "main.sx")


class Recorder:
    """Stands in for the schemax shortcuts: records calls, returns displayable values."""

    def __init__(self, drift: bool = False) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        self.drift = drift

    def _value(self, name: str) -> Any:
        class Shown:
            def __repr__(self) -> str:
                return f"<{name}>"

            def _repr_html_(self) -> str:
                return f"<b>{name}</b>"

        return Shown()

    def __getattr__(self, name: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, args, kwargs))
            if name == "scan" and self.drift:
                report = self._value("report")
                report.findings = [object()]  # type: ignore[attr-defined]
                raise schemax.DriftDetectedError(report)
            return self._value(name)

        return call


def _run_notebook(
    path: Path, recorder: Recorder, monkeypatch: pytest.MonkeyPatch, **ns: Any
) -> dict[str, Any]:
    for name in ("plan", "deploy", "status", "scan", "rollback"):
        monkeypatch.setattr(schemax, name, getattr(recorder, name))
    namespace: dict[str, Any] = {"__name__": "__notebook__", **ns}
    exec(compile(path.read_text(encoding="utf-8"), path.name, "exec"), namespace)  # noqa: S102
    return namespace


def test_deploy_notebook_runs_plan_deploy_status(monkeypatch: pytest.MonkeyPatch) -> None:
    rec = Recorder()
    shown: list[str] = []
    dbutils = FakeDbutils(
        {
            "environment": "test",
            "project": "shop",
            "store": "main.sx",
            "version": "1.2.0",
            "allow_breaking": "true",
            "confirm": "test",
        }
    )
    _run_notebook(
        ROOT / "notebooks" / "deploy.py",
        rec,
        monkeypatch,
        dbutils=dbutils,
        spark="SPARK",
        displayHTML=shown.append,
    )
    assert [c[0] for c in rec.calls] == ["plan", "deploy", "status"]
    name, args, kwargs = rec.calls[1]
    assert args == ("test",)
    assert kwargs == {
        "project": "shop",
        "store": "main.sx",
        "spark": "SPARK",
        "to": "1.2.0",
        "dry_run": False,
        "allow_breaking": True,
        "confirm": "test",
    }
    assert rec.calls[0][2]["to"] == "1.2.0"
    assert shown == ["<b>plan</b>", "<b>deploy</b>", "<b>status</b>"]


def test_deploy_notebook_outside_databricks(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    rec = Recorder()
    monkeypatch.setenv("SCHEMAX_PROJECT", "shop")
    _run_notebook(ROOT / "notebooks" / "deploy.py", rec, monkeypatch)
    assert rec.calls[1][1] == ("dev",) and rec.calls[1][2]["to"] is None and rec.calls[1][2]["spark"] is None
    assert "<deploy>" in capsys.readouterr().out


def test_drift_notebook_fails_on_drift_and_shows_the_report(monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    with pytest.raises(schemax.DriftDetectedError):
        _run_notebook(
            ROOT / "notebooks" / "drift_scan.py",
            Recorder(drift=True),
            monkeypatch,
            dbutils=FakeDbutils({"environment": "prod"}),
            displayHTML=shown.append,
        )
    assert shown == ["<b>report</b>"]

    rec = Recorder(drift=True)
    _run_notebook(
        ROOT / "notebooks" / "drift_scan.py",
        rec,
        monkeypatch,
        dbutils=FakeDbutils({"fail_on_drift": "false"}),
        displayHTML=shown.append,
    )
    assert rec.calls[0][0] == "scan" and rec.calls[0][1] == ("prod",)

    rec = Recorder(drift=False)
    ns = _run_notebook(
        ROOT / "notebooks" / "drift_scan.py",
        rec,
        monkeypatch,
        dbutils=FakeDbutils({}),
        displayHTML=shown.append,
    )
    assert repr(ns["report"]) == "<scan>"
