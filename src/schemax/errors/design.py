"""Errors while designing: ops, names, versions, design files."""

from __future__ import annotations

from typing import Any

from schemax.errors.base import NotFoundError, SchemaxError


class ValidationError(SchemaxError):
    """An op (or a request that would become ops) is invalid against the state it applies to.

    Nothing is recorded when this is raised.
    """

    def __init__(self, op: Any, reason: str) -> None:
        self.op = op
        self.reason = reason
        kind = getattr(op, "kind", None) or (op.get("kind") if isinstance(op, dict) else None)
        op_id = getattr(op, "op_id", None) or (op.get("op_id") if isinstance(op, dict) else None)
        where = f"{kind} ({op_id})" if kind else "request"
        super().__init__(f"invalid {where}: {reason}")


class RuleViolationError(ValidationError):
    """A new op breaks a Unity Catalog rule (:mod:`schemax.core.uc_rules`): ``rule`` is the rule's id,
    ``source`` the Databricks documentation page it comes from. Nothing is recorded.
    """

    def __init__(self, op: Any, rule: str, reason: str, source: str = "") -> None:
        super().__init__(op, f"{reason} [rule {rule}" + (f": {source}]" if source else "]"))
        self.reason = reason
        self.rule = rule
        self.source = source


class SqlDefinitionError(ValidationError):
    """A new op's SQL is unambiguously wrong (:mod:`schemax.core.sql_checks`, sqlglot's databricks
    dialect): ``what`` is ``"view definition"``, ``"check expression"`` or ``"function body"``, ``sql`` the
    text, ``problem`` one of ``syntax``, ``not_a_query``, ``unknown_relation``, ``unknown_column``, ``name``
    the unknown relation or column (None for the others). Refused when a design call (or, for the text
    alone, a design file) records it, not at deploy; nothing is recorded."""

    def __init__(self, op: Any, what: str, sql: str, problem: str, reason: str,
                 name: str | None = None) -> None:
        self.what = what
        self.sql = sql
        self.problem = problem
        self.name = name
        super().__init__(op, f"{what} {reason}")


class UnknownObjectError(ValidationError, NotFoundError):
    """A Project API call names an object (table, column, constraint, ...) the working state does not hold.

    It is a bad op, so ``except ValidationError`` catches it; it is also a ``NotFoundError``. ``what`` is
    what was looked for (``"table"``, ``"column"``, ``"partition column"``, ...), ``name`` the name as
    given, ``kinds`` the object kinds searched (empty: any kind). Nothing is recorded.
    """

    def __init__(self, what: str, name: str, kinds: tuple[str, ...] = ()) -> None:
        self.what = what
        self.name = name
        self.kinds = tuple(kinds)
        self.suggestions: list[str] = []
        self.known: list[str] = []
        self.op = None
        self.reason = f"{what} not found: {name}"
        SchemaxError.__init__(self, self.reason)


class VersionError(SchemaxError):
    """A snapshot version is not valid semver or does not increase."""

    def __init__(self, version: str, reason: str) -> None:
        self.version = version
        self.reason = reason
        super().__init__(f"version {version!r}: {reason}")


class InsideBatchError(SchemaxError):
    """``action`` (e.g. ``"snapshot"``) cannot run while a ``with p.batch():`` block is open."""

    def __init__(self, action: str, message: str | None = None) -> None:
        self.action = action
        super().__init__(message or f"cannot {action} inside a batch; leave the batch first")


class DesignFileError(SchemaxError):
    """A design file (:mod:`schemax.design`) says something schemax cannot read or cannot record.

    ``file``, ``line`` and ``column`` (1-based) point at the YAML node at fault; ``reason`` says what is
    wrong there. Nothing is recorded when this is raised.
    """

    def __init__(self, file: str, line: int, column: int, reason: str) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.reason = reason
        super().__init__(f"{file}:{line}:{column}: {reason}")


class DuplicateDefinitionError(DesignFileError):
    """Two design files (or two places in one) define the same object: ``file``/``line``/``column`` is the
    second definition, ``other_file``/``other_line``/``other_column`` the first."""

    def __init__(self, file: str, line: int, column: int, reason: str, other_file: str, other_line: int,
                 other_column: int) -> None:
        self.other_file = other_file
        self.other_line = other_line
        self.other_column = other_column
        super().__init__(file, line, column,
                         f"{reason} (first defined at {other_file}:{other_line}:{other_column})")
