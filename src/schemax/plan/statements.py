"""What a plan is made of: :class:`Statement` (one SQL statement with its provenance) and :class:`Target`.

A statement carries the changes it was rendered from, the op ids behind them, a risk class, the SQL that
undoes it where such SQL exists, the object it touches (so independent tables can run concurrently) and
the capability an engine needs to run it (so a plan can say up front what an engine cannot do).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from schemax.core.changes import Change
from schemax.core.effects import Effect
from schemax.core.naming import Naming
from schemax.core.tracking import Tracking


class Risk(str, Enum):
    """How dangerous running one statement is."""

    SAFE = "safe"  # metadata only, nothing can be lost or break
    DATA_DEPENDENT = "data_dependent"  # may fail (or rewrite data) depending on what the table holds
    BREAKING = "breaking"  # readers or writers of the object may break (rename, protocol upgrade, revoke)
    DESTRUCTIVE = "destructive"  # data or definitions are removed

    @property
    def rank(self) -> int:
        return _RISK_RANK[self]

    def __str__(self) -> str:
        return self.value


_RISK_RANK = {Risk.SAFE: 0, Risk.DATA_DEPENDENT: 1, Risk.BREAKING: 2, Risk.DESTRUCTIVE: 3}


@dataclass(frozen=True)
class Statement:
    """One SQL statement of a plan.

    ``reverse`` may hold several statements separated by ``;\\n`` (e.g. undoing a property change both
    restores old values and unsets new keys); it is None when nothing can undo the statement (DROP TABLE,
    protocol upgrades, type widening). ``effect`` declares what a statement that cannot simply run twice
    changes (:mod:`schemax.core.effects`), so a resume can ask whether it already took effect; it is not
    part of :meth:`to_dict`.
    """

    sql: str
    changes: tuple[Change, ...] = ()
    op_ids: tuple[str, ...] = ()
    risk: Risk = Risk.SAFE
    reverse: str | None = None
    object_id: str | None = None
    capability: str = "table_ddl"
    note: str | None = None
    effect: Effect | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "sql": self.sql,
            "risk": self.risk.value,
            "capability": self.capability,
            "object_id": self.object_id,
            "op_ids": list(self.op_ids),
            "changes": [{"kind": c.kind, "subject": c.subject} for c in self.changes],
            "reverse": self.reverse,
            "note": self.note,
        }

    def __str__(self) -> str:
        return self.sql


@dataclass(frozen=True)
class Target:
    """Where logical names land: catalog mapping, schema-name prefix, optional version tracking.

    ``schema_prefix`` is prepended to every schema name so two environments can share one physical
    catalog (local Spark has only ``spark_catalog``). A logical catalog missing from ``catalogs`` keeps
    its name. The naming rules are :class:`~schemax.core.naming.Naming`'s (:attr:`naming`).
    """

    catalogs: Mapping[str, str] = field(default_factory=dict)
    schema_prefix: str = ""
    tracking: Tracking | None = None
    principals: Mapping[str, str] = field(default_factory=dict)  # owners and grants (issue 11)
    # the environment's variables for storage location templates (issue 11); None: kept as written
    variables: Mapping[str, str] | None = None
    environment: str | None = field(default=None, compare=False)  # named in a resolution error
    naming: Naming = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "naming", Naming(self.catalogs, self.schema_prefix, self.principals,
                                                  self.variables, environment=self.environment))

    @classmethod
    def of(cls, naming: Naming, tracking: Tracking | None = None) -> Target:
        """The target of an environment's naming (``Environment.naming``), with optional tracking."""
        return cls(catalogs=dict(naming.catalogs), schema_prefix=naming.schema_prefix, tracking=tracking,
                   principals=dict(naming.principals),
                   variables=None if naming.variables is None else dict(naming.variables),
                   environment=naming.environment)

    def catalog(self, logical: str) -> str:
        return self.naming.catalog(logical)

    def schema(self, logical: str) -> str:
        return self.naming.schema(logical)

    def describe(self) -> str:
        parts = [f"{k} -> {v}" for k, v in sorted(self.catalogs.items())]
        text = ", ".join(parts) if parts else "catalogs unmapped"
        if self.schema_prefix:
            text += f"; schema prefix {self.schema_prefix!r}"
        if self.principals:
            text += "; principals " + ", ".join(f"{k} -> {v}" for k, v in sorted(self.principals.items()))
        if self.variables:
            text += "; variables " + ", ".join(f"{k}={v}" for k, v in sorted(self.variables.items()))
        return text


__all__ = ["Risk", "Statement", "Target", "Tracking"]
