"""The dependency direction, as far as a unit test can see it: no import hides inside a function.

A function-level ``from schemax... import`` is how an import circle hides (the module imports fine, the
circle bites at call time); the layers themselves are checked by ``lint-imports`` (the
``[tool.importlinter]`` contracts in ``pyproject.toml``, run by ``make lint`` and CI). The only imports
left inside functions are the optional engine packages, each marked as optional where it is imported.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"

#: packages an engine brings (not dependencies of schemax's pure parts): imported only when that engine
#: is used. ``requests`` is the SQL warehouse engine's HTTP client, installed with databricks-sdk.
OPTIONAL_ENGINE_PACKAGES = frozenset({"pyspark", "py4j", "delta", "databricks", "requests"})


def _modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def _module_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements that run at import time: the body, and the blocks of its if/try/with."""
    for node in body:
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for field in ("body", "orelse", "finalbody"):
            yield from _module_level(getattr(node, field, []) or [])
        for handler in getattr(node, "handlers", []) or []:
            yield from _module_level(handler.body)


def _imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.ImportFrom):
        return ["schemax" if node.level else (node.module or "")]
    return [alias.name for alias in node.names]


def nested_imports(path: Path) -> list[tuple[int, str, str]]:
    """(line, imported module, source text) of every import not at module level; the text is the import's
    first line, with a comment line just above it if there is one."""
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text, filename=str(path))
    top = {id(n) for n in _module_level(tree.body)}
    lines = text.splitlines()
    out = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in top:
            text = lines[node.lineno - 1].strip()
            above = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
            if above.startswith("#"):
                text = f"{above} / {text}"
            for name in _imported(node):
                out.append((node.lineno, name, text))
    return out


def test_the_source_tree_is_found() -> None:
    assert len(_modules()) > 50 and (SRC / "schemax" / "__init__.py").is_file()


def test_no_function_level_import_of_schemax() -> None:
    bad = [f"{p.relative_to(SRC)}:{line}: {text}"
           for p in _modules() for line, name, text in nested_imports(p)
           if name.split(".")[0] == "schemax"]
    assert not bad, "import at module level, following the layer order:\n" + "\n".join(bad)


def test_function_level_imports_are_only_the_optional_engine_packages() -> None:
    bad = [f"{p.relative_to(SRC)}:{line}: {text}"
           for p in _modules() for line, name, text in nested_imports(p)
           if name.split(".")[0] not in OPTIONAL_ENGINE_PACKAGES]
    assert not bad, "only optional engine packages may be imported inside a function:\n" + "\n".join(bad)


def test_each_optional_import_says_it_is_optional() -> None:
    bad = [f"{p.relative_to(SRC)}:{line}: {text}"
           for p in _modules() for line, name, text in nested_imports(p)
           if name.split(".")[0] in OPTIONAL_ENGINE_PACKAGES and "optional" not in text.lower()]
    assert not bad, "say why the import is inside the function (# optional ...):\n" + "\n".join(bad)


def test_the_checker_sees_a_function_level_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os\n"
        "try:\n    import fcntl\nexcept ImportError:\n    fcntl = None\n"
        "def f():\n    from schemax.core import ops\n"
        "class C:\n    def m(self):\n        import pyspark  # optional\n",
        encoding="utf-8")
    found = [(line, name) for line, name, _ in nested_imports(sample)]
    assert found == [(7, "schemax.core"), (10, "pyspark")]
