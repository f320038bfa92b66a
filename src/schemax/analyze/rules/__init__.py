"""The analyzer rules: each a small unit with a stable code, a kebab-case name, a severity and checks.

A :class:`Rule` carries the metadata (what docs and CI gates refer to); a *check* is a function over ONE
change type, attached to a rule with :func:`check`. :func:`checks_for` dispatches on the change's type
through the registry — no if/elif over change types anywhere. A rule may have checks for several change
types (column mapping gets enabled by a RENAME COLUMN, a DROP COLUMN or a property change).

Code families (the first digit is the family, fixed by :data:`FAMILIES`):

* ``SX1xx`` destructive — data or definitions are lost.
* ``SX2xx`` breaking — queries, jobs or principals that work today fail (or see data they should not).
* ``SX3xx`` data-dependent — may fail, or rewrites data, depending on what the table holds.
* ``SX4xx`` protocol upgrade — a Delta protocol/feature upgrade older readers or writers cannot follow.
* ``SX5xx`` informational — safe, worth knowing.

Modules: :mod:`~schemax.analyze.rules.model` (the rule model and registry),
:mod:`~schemax.analyze.rules.helpers` (shared by the checks), then one module per family:
:mod:`~schemax.analyze.rules.destructive` (SX1xx), :mod:`~schemax.analyze.rules.renames` (SX201–SX206),
:mod:`~schemax.analyze.rules.governance` (SX207–SX212), :mod:`~schemax.analyze.rules.data` (SX3xx),
:mod:`~schemax.analyze.rules.protocol` (SX4xx), :mod:`~schemax.analyze.rules.informational` (SX5xx).
They are imported in code order: rules are defined, and each change type's checks run, in code order
(checked at import).
"""

from __future__ import annotations

# isort: off
# the family modules define their rules and register their checks when imported, in code order:
# SX1xx, SX201-SX206, SX207-SX212, SX3xx, SX4xx, SX5xx
from schemax.analyze.rules import destructive  # noqa: F401
from schemax.analyze.rules import renames  # noqa: F401
from schemax.analyze.rules import governance  # noqa: F401
from schemax.analyze.rules import data  # noqa: F401
from schemax.analyze.rules import protocol  # noqa: F401
from schemax.analyze.rules import informational  # noqa: F401

# isort: on
from schemax.analyze.rules.model import (
    CHECKS,
    FAMILIES,
    RULES_BY_CODE,
    CheckFn,
    Report,
    Rule,
    check,
    checks_for,
    define,
    run_checks,
)


def _require_code_order() -> None:
    """Rules defined, and every change type's checks registered, in code order (the family modules are
    imported in that order): the order checks run in, and so findings are produced in, is part of the
    behaviour."""
    codes = list(RULES_BY_CODE)
    if codes != sorted(codes):
        raise AssertionError(f"rules are not defined in code order: {codes}")
    for change_type, pairs in CHECKS.items():
        order = [rule.code for rule, _ in pairs]
        if order != sorted(order):
            raise AssertionError(f"checks for {change_type.__name__} are not in code order: {order}")


_require_code_order()

RULES: tuple[Rule, ...] = tuple(RULES_BY_CODE.values())

__all__ = [
    "CHECKS",
    "FAMILIES",
    "RULES",
    "RULES_BY_CODE",
    "CheckFn",
    "Report",
    "Rule",
    "check",
    "checks_for",
    "define",
    "run_checks",
]
