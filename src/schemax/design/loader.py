"""Reading design files: YAML with the line and column of every value kept, validated against the format.

The YAML is composed into nodes (PyYAML keeps each node's position) and turned into plain values with a
map from each value's path (``("catalogs", 0, "schemas", 1, "name")``) to its line and column, so every
error, from the YAML parser, the format's models or the sync later on, names ``file:line:column``.

Scalars are read the way YAML 1.2's core schema reads them, not YAML 1.1's: only ``true``/``false`` are
booleans (``yes``, ``no``, ``on`` and ``off`` stay text), only plain decimal integers are numbers
(``1.10``, ``007`` and ``0x1f`` stay text, so a tag value is never rounded), ``null``/``~``/nothing is
null. A mapping key is always text, and a key given twice is an error.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError as PydanticValidationError

from schemax.design.format import DESIGN_VERSION, DesignDocument
from schemax.errors import DesignFileError, NotFoundError

#: a position in a file: (line, column), both 1-based
Position = tuple[int, int]
#: where a value sits in a document: keys and list indexes from the top
Path_ = tuple[str | int, ...]

DESIGN_SUFFIXES = (".yml", ".yaml")

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"


# libyaml's parser when PyYAML has it (ten times faster on a large design); the same nodes either way
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):  # type: ignore[valid-type, misc]
    """SafeLoader resolving plain scalars the YAML 1.2 core way (see the module docstring)."""

    yaml_implicit_resolvers: dict[Any, Any] = {}


_Loader.add_implicit_resolver(_NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
_Loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_Loader.add_implicit_resolver(_INT, re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"))


@dataclass(frozen=True)
class DesignFile:
    """One design file, read and validated: its document and where each of its values is."""

    name: str  # the path as given (what errors name)
    document: DesignDocument
    positions: dict[Path_, Position] = field(default_factory=dict, repr=False, compare=False)
    key_positions: dict[Path_, Position] = field(default_factory=dict, repr=False, compare=False)

    def position(self, path: Path_, *, key: bool = False) -> Position:
        """Where the value at ``path`` is (or its key, with ``key=True``); a path that is not in the file
        (a default) gives the position of the nearest value that holds it."""
        if key and path in self.key_positions:
            return self.key_positions[path]
        for n in range(len(path), -1, -1):
            found = self.positions.get(path[:n])
            if found is not None:
                return found
        return (1, 1)

    def error(self, path: Path_, reason: str, *, key: bool = False) -> DesignFileError:
        line, column = self.position(path, key=key)
        return DesignFileError(self.name, line, column, reason)


def _scalar(node: yaml.ScalarNode, file: str) -> Any:
    if node.tag == _STR:
        return node.value
    if node.tag == _NULL:
        return None
    if node.tag == _BOOL:
        return node.value.lower() == "true"
    if node.tag == _INT:
        try:
            return int(node.value)
        except ValueError:
            pass
    mark = node.start_mark
    raise DesignFileError(file, mark.line + 1, mark.column + 1,
                          f"unsupported YAML value {node.value!r} ({node.tag}): quote it to give text")


class _Converter:
    """Nodes -> plain values, recording each value's (and each key's) position."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.positions: dict[Path_, Position] = {}
        self.key_positions: dict[Path_, Position] = {}
        self._open: set[int] = set()  # nodes being converted (an alias to an ancestor would never end)

    def _fail(self, node: yaml.Node, reason: str) -> DesignFileError:
        return DesignFileError(self.file, node.start_mark.line + 1, node.start_mark.column + 1, reason)

    def value(self, node: yaml.Node, path: Path_) -> Any:
        self.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node, self.file)
        if id(node) in self._open:
            raise self._fail(node, "an alias refers to a node that contains it")
        self._open.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.value(child, (*path, i)) for i, child in enumerate(node.value)]
            if isinstance(node, yaml.MappingNode):
                out: dict[str, Any] = {}
                for key_node, value_node in node.value:
                    if not isinstance(key_node, yaml.ScalarNode):
                        raise self._fail(key_node, "a mapping key must be text")
                    key = str(key_node.value)
                    if key in out:
                        raise self._fail(key_node, f"key {key!r} is given twice")
                    self.key_positions[path + (key,)] = (key_node.start_mark.line + 1,
                                                        key_node.start_mark.column + 1)
                    out[key] = self.value(value_node, path + (key,))
                return out
        finally:
            self._open.discard(id(node))
        raise self._fail(node, f"unsupported YAML node {node.tag}")  # pragma: no cover


def _where(path: Sequence[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "the file"


def _pydantic_error(name: str, conv: _Converter, exc: PydanticValidationError) -> DesignFileError:
    errors = exc.errors()
    first = errors[0]
    loc = tuple(first["loc"])
    reason = first["msg"]
    if first["type"] == "string_type" and isinstance(first.get("input"), bool):
        reason += " (true/false are booleans here: quote the value to give text)"
    if first["type"] == "extra_forbidden":
        reason = f"unknown key {loc[-1]!r}" if loc else reason
    more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    probe = DesignFile(name, DesignDocument.model_construct(), conv.positions, conv.key_positions)
    return probe.error(loc, f"{_where(loc)}: {reason}{more}", key=first["type"] == "extra_forbidden")


def _compose(text: str, name: str) -> tuple[Any, _Converter, yaml.Node]:
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = " ".join(x for x in (exc.context, exc.problem) if x) or "not valid YAML"
        raise DesignFileError(name, line, column, f"not valid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise DesignFileError(name, 1, 1, f"not valid YAML: {exc}") from None
    if node is None:
        raise DesignFileError(name, 1, 1, f"empty design file: it starts with 'version: {DESIGN_VERSION}'")
    conv = _Converter(name)
    return conv.value(node, ()), conv, node


def read_yaml(text: str, name: str = "<design>") -> Any:
    """The plain values of a YAML text as design files read it (see the module docstring): what the
    JSON Schema in ``docs/design-schema.json`` describes. DesignFileError for YAML that does not parse."""
    return _compose(text, name)[0]


def load_design(text: str, name: str = "<design>") -> DesignFile:
    """Read one design file's text (``name`` is what errors call it). DesignFileError names the line and
    column of the first problem."""
    data, conv, node = _compose(text, name)
    if not isinstance(data, dict):
        raise conv._fail(node, "a design file is a mapping (version: 1, catalogs: [...])")
    if "version" not in data:
        raise conv._fail(node, f"a design file starts with 'version: {DESIGN_VERSION}'")
    if data["version"] != DESIGN_VERSION:
        line, column = conv.positions[("version",)]
        raise DesignFileError(name, line, column, f"design file version {data['version']!r} is not "
                              f"supported: this schemax reads version {DESIGN_VERSION}")
    try:
        document = DesignDocument.model_validate(data)
    except PydanticValidationError as exc:
        raise _pydantic_error(name, conv, exc) from None
    return DesignFile(name, document, conv.positions, conv.key_positions)


def read_design_file(path: str | os.PathLike[str]) -> DesignFile:
    """Read and validate one design file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFoundError("design file", str(path)) from None
    except UnicodeDecodeError as exc:
        raise DesignFileError(str(path), 1, 1, f"not UTF-8 text: {exc.reason}") from None
    return load_design(text, str(path))


def design_paths(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The design files ``paths`` name: files as given, directories expanded to their ``*.yml`` and
    ``*.yaml`` files (recursively, sorted). NotFoundError for a path that does not exist."""
    out: list[Path] = []
    for given in paths:
        p = Path(given)
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in DESIGN_SUFFIXES))
        elif p.is_file():
            out.append(p)
        else:
            raise NotFoundError("design file or directory", str(given))
    return list(dict.fromkeys(out))


def read_designs(paths: Iterable[str | os.PathLike[str]]) -> list[DesignFile]:
    """Read every design file ``paths`` name (see :func:`design_paths`). NotFoundError when they name
    none: a sync of no files at all would drop everything."""
    given = [str(p) for p in paths]
    files = design_paths(given)
    if not files:
        raise NotFoundError("design files (*.yml, *.yaml)", ", ".join(given) or "(no path given)")
    return [read_design_file(f) for f in files]


__all__ = [
    "DESIGN_SUFFIXES", "DesignFile", "design_paths", "load_design", "read_design_file", "read_designs",
    "read_yaml",
]
