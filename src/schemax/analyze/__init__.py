"""Breaking, destructive and data-dependent change analysis with stable codes (pure: no Spark import).

    from schemax.analyze import analyze, blocking
    findings = analyze(changes, before, after)
    if blocking(findings): ...

Every finding has a stable ``code`` (``SX1xx`` destructive, ``SX2xx`` breaking, ``SX3xx`` data-dependent,
``SX4xx`` protocol upgrade, ``SX5xx`` informational), a kebab-case ``name``, a :class:`Severity`, a one-line
``message`` and a plain-language ``impact`` naming the views that read what is dropped or renamed.
:data:`RULES` lists every rule for docs (``docs/findings.md``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from schemax.analyze.context import AnalysisContext, Dependents, Lineage
from schemax.analyze.evidence import CostClass, CostThresholds, Evidence, TableCost, Verdict
from schemax.analyze.findings import Finding, Severity
from schemax.analyze.rules import RULES_BY_CODE, Rule, run_checks
from schemax.core.changes import Change
from schemax.core.model import State


class RuleInfo(NamedTuple):
    """One row of the rule table (what ``docs/findings.md`` lists)."""

    code: str
    name: str
    severity: Severity
    summary: str


RULES: tuple[RuleInfo, ...] = tuple(
    RuleInfo(r.code, r.name, r.severity, r.summary)
    for r in sorted(RULES_BY_CODE.values(), key=lambda r: r.code)
)


def analyze(
    changes: Iterable[Change],
    before: State,
    after: State,
    *,
    lineage: Lineage | None = None,
) -> list[Finding]:
    """Findings for ``changes`` (from ``diff(before, after)``), most severe first.

    Order is deterministic: severity rank (destructive, breaking, warning, info), then object name, then
    code, then message. A finding reported by several changes (e.g. column mapping enabled by two renames
    on one table) appears once. ``lineage`` defaults to :mod:`schemax.core.lineage`.
    """
    ctx = AnalysisContext(before, after, Dependents(before, after, lineage=lineage))
    seen: dict[Finding, None] = {}
    for change in changes:
        for finding in run_checks(change, ctx):
            seen.setdefault(finding, None)
    return sorted(seen, key=lambda f: f.sort_key)


def blocking(findings: Iterable[Finding]) -> list[Finding]:
    """The findings that stop a deploy unless explicitly allowed (breaking and destructive)."""
    return [f for f in findings if f.blocking]


def rule(code: str) -> Rule:
    """The rule with this code (KeyError for an unknown code)."""
    return RULES_BY_CODE[code]


__all__ = [
    "RULES",
    "AnalysisContext",
    "CostClass",
    "CostThresholds",
    "Dependents",
    "Evidence",
    "Finding",
    "RuleInfo",
    "Severity",
    "TableCost",
    "Verdict",
    "analyze",
    "blocking",
    "rule",
]
