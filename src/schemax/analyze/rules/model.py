"""The rule model and registry: :class:`Rule` (code, name, severity, summary, advice), :class:`Report`
(what one check found), :func:`define` a rule, :func:`check` a change type for it, :func:`run_checks`.

Codes follow :data:`FAMILIES` (the first digit is the family, which fixes the severities a rule may
have). A check looks at ONE change type of the closed vocabulary (:data:`~schemax.core.changes.CHANGE_TYPES`);
registering one for any other type fails at import. Not every change type needs a check.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from schemax.analyze.context import Affected, AnalysisContext
from schemax.analyze.findings import Finding, Severity
from schemax.core.changes import CHANGE_TYPES, Change

#: family digit -> (family name, severities a rule of that family may have)
FAMILIES: dict[int, tuple[str, frozenset[Severity]]] = {
    1: ("destructive", frozenset({Severity.DESTRUCTIVE})),
    2: ("breaking", frozenset({Severity.BREAKING})),
    3: ("data-dependent", frozenset({Severity.WARNING, Severity.BREAKING})),
    4: ("protocol upgrade", frozenset({Severity.WARNING})),
    5: ("informational", frozenset({Severity.INFO})),
}

CODE_PATTERN = re.compile(r"^SX([1-5])(\d{2})$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Report:
    """What a check found; the rule turns it into a :class:`Finding` (code, name, severity, blocking)."""

    object_name: str
    message: str
    impact: str
    affected: Affected = Affected()


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str  # what the finding means
    advice: str  # what to do about it

    @property
    def family(self) -> int:
        return int(self.code[2])

    @property
    def blocking(self) -> bool:
        return self.severity.blocks

    def finding(self, change: Change, report: Report) -> Finding:
        return Finding(
            code=self.code,
            name=self.name,
            severity=self.severity,
            object_name=report.object_name,
            message=report.message,
            impact=report.impact,
            change=change,
            views=report.affected.views,
            indirect_views=report.affected.indirect_views,
        )

    def as_row(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "blocking": self.blocking,
            "family": FAMILIES[self.family][0],
            "summary": self.summary,
            "advice": self.advice,
        }


CheckFn = Callable[[Any, AnalysisContext], Iterable[Report]]
C = TypeVar("C", bound=Change)

#: code -> rule, in definition order
RULES_BY_CODE: dict[str, Rule] = {}
#: change type -> the (rule, check) pairs that look at that change type
CHECKS: dict[type[Change], list[tuple[Rule, CheckFn]]] = {}


def define(code: str, name: str, severity: Severity, summary: str, advice: str) -> Rule:
    """Declare a rule. Codes and names are unique; the severity must fit the code's family."""
    match = CODE_PATTERN.match(code)
    if match is None:
        raise ValueError(f"rule code {code!r} must look like SX1nn … SX5nn")
    if not NAME_PATTERN.match(name):
        raise ValueError(f"rule name {name!r} must be kebab-case")
    family_name, allowed = FAMILIES[int(match.group(1))]
    if severity not in allowed:
        raise ValueError(f"{code}: a {family_name} rule cannot have severity {severity.value}")
    if code in RULES_BY_CODE or any(r.name == name for r in RULES_BY_CODE.values()):
        raise ValueError(f"duplicate rule {code} {name}")
    rule = Rule(code, name, severity, summary, advice)
    RULES_BY_CODE[code] = rule
    return rule


TypedCheck = Callable[[C, AnalysisContext], Iterable[Report]]


def check(rule: Rule, change_type: type[C]) -> Callable[[TypedCheck[C]], TypedCheck[C]]:
    """Register ``fn(change, ctx) -> Iterable[Report]`` as ``rule``'s check over ``change_type``.

    ``change_type`` must be one of :data:`~schemax.core.changes.CHANGE_TYPES`: a check registered for
    any other type would never run, so it fails at import instead.
    """
    if change_type not in CHANGE_TYPES:
        raise TypeError(f"{rule.code}: {change_type!r} is not a change type of schemax.plan.changes")

    def register(fn: TypedCheck[C]) -> TypedCheck[C]:
        CHECKS.setdefault(change_type, []).append((rule, fn))
        return fn

    return register


def checks_for(change: Change) -> list[tuple[Rule, CheckFn]]:
    """The checks registered for this change's type (or a base class of it)."""
    out: list[tuple[Rule, CheckFn]] = []
    for cls in type(change).__mro__:
        out.extend(CHECKS.get(cls, ()))  # type: ignore[arg-type]
    return out


def run_checks(change: Change, ctx: AnalysisContext) -> Iterator[Finding]:
    for rule, fn in checks_for(change):
        for report in fn(change, ctx):
            yield rule.finding(change, report)
