"""What the analyzers report: a :class:`Finding` per risky change, with a stable code and a severity.

Findings are immutable values. ``code`` and ``name`` never change meaning once released (tools, CI gates
and per-environment settings refer to them); ``message`` says in one line what the change does and
``impact`` says, in plain language, who or what is affected and what to do about it. A preflight
(``schemax.services.preflight``) adds ``evidence``: what the live data says (:mod:`schemax.analyze.evidence`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from schemax.analyze.evidence import Evidence
from schemax.core.changes import Change


class Severity(str, Enum):
    """How bad a finding is. ``breaking`` and ``destructive`` block a deploy unless explicitly allowed."""

    INFO = "info"
    WARNING = "warning"
    BREAKING = "breaking"
    DESTRUCTIVE = "destructive"

    @property
    def rank(self) -> int:
        """Sort key: the most severe first (destructive 0 … info 3)."""
        return _RANK[self]

    @property
    def blocks(self) -> bool:
        """True when a finding of this severity stops a deploy unless the caller opts in."""
        return self in (Severity.BREAKING, Severity.DESTRUCTIVE)

    def __str__(self) -> str:
        return self.value


_RANK: dict[Severity, int] = {
    Severity.DESTRUCTIVE: 0,
    Severity.BREAKING: 1,
    Severity.WARNING: 2,
    Severity.INFO: 3,
}


@dataclass(frozen=True)
class Finding:
    """One risk found in a plan.

    ``views`` names (logical full names, as they are before the change) the views whose SQL reads the
    dropped, renamed or changed table or column directly; ``indirect_views`` the views that fail in
    turn because they read one of those views. ``blocking`` follows from the severity. ``evidence`` is
    what a preflight found in the environment's data (None without one); it is not part of a finding's
    identity, and ``to_dict`` carries it only when it is there.
    """

    code: str
    name: str
    severity: Severity
    object_name: str
    message: str
    impact: str
    change: Change | None = field(default=None, compare=False, repr=False)
    views: tuple[str, ...] = ()
    indirect_views: tuple[str, ...] = ()
    evidence: Evidence | None = field(default=None, compare=False, repr=False)
    blocking: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "severity", Severity(self.severity))
        object.__setattr__(self, "blocking", self.severity.blocks)

    @property
    def sort_key(self) -> tuple[int, str, str, str]:
        return (self.severity.rank, self.object_name.lower(), self.code, self.message)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (what ``findings.json`` golden files and plan exports hold)."""
        out: dict[str, Any] = {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "blocking": self.blocking,
            "object": self.object_name,
            "message": self.message,
            "impact": self.impact,
            "views": list(self.views),
            "indirect_views": list(self.indirect_views),
        }
        if self.change is not None:
            out["change"] = {
                "kind": self.change.kind,
                "subject": self.change.subject,
                "op_ids": list(self.change.op_ids),
            }
        if self.evidence is not None:
            out["evidence"] = self.evidence.to_dict()
        return out

    def __str__(self) -> str:
        return f"{self.code} {self.severity.value.upper()} {self.object_name}: {self.message}"


__all__ = ["Finding", "Severity"]
