"""docs/ci.md: its pipelines are valid YAML, every ``schemax`` command in them parses with the CLI's own
parser, every ``databricks bundle`` command names a target and job of the bundle, and its Python example
runs (on the repository's design/ folder)."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from schemax.cli import build_parser

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", DOC, re.S)


def _scripts(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in ([v] if k in ("run", "script") and isinstance(v, str)
                                                       else _scripts(v))]
    if isinstance(node, list):
        return [s for v in node for s in _scripts(v)]
    return []


def _commands(tool: str) -> list[list[str]]:
    out = []
    for block in _blocks("yaml"):
        for script in _scripts(yaml.safe_load(block)):
            for line in script.replace("\\\n", " ").splitlines():
                if line.strip().startswith(f"{tool} "):
                    out.append(shlex.split(line.split(" > ")[0], comments=True)[1:])
    return out


def test_there_is_a_github_and_an_azure_pipeline() -> None:
    docs = [yaml.safe_load(b) for b in _blocks("yaml")]
    assert len(docs) == 2
    assert "jobs" in docs[0] and "stages" in docs[1]


def test_every_schemax_command_parses() -> None:
    commands = _commands("schemax")
    assert {argv[0] for argv in commands} >= {"sync", "plan"}
    parser = build_parser()
    for argv in commands:
        args = parser.parse_args(argv)
        if args.command == "plan":
            assert args.format == "markdown" and args.design == ["design/"]


def test_every_bundle_command_names_what_the_bundle_has() -> None:
    bundle = yaml.safe_load((ROOT / "databricks.yml").read_text(encoding="utf-8"))
    jobs = {k for p in (ROOT / "resources").glob("*.yml")
            for k in (yaml.safe_load(p.read_text(encoding="utf-8"))["resources"]["jobs"])}
    runs = [argv for argv in _commands("databricks") if argv[:1] == ["bundle"]]
    assert {argv[1] for argv in runs} == {"deploy", "run"}
    for argv in runs:
        target = argv[argv.index("-t") + 1]
        assert target in bundle["targets"]
        if argv[1] == "run":
            assert argv[argv.index("-t") + 2] in jobs


def test_the_python_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    (code,) = _blocks("python")
    monkeypatch.chdir(ROOT)
    namespace: dict[str, Any] = {}
    exec(compile(code, "docs/ci.md", "exec"), namespace)  # noqa: S102 - the documentation's own example
    assert namespace["p"].state().find("shop.sales.orders") is not None
    assert os.getcwd() == str(ROOT)
