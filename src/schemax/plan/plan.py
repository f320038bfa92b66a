"""The :class:`Plan`: what a deploy would do, ready for review before anything runs.

``build_plan(before, after, target)`` diffs the states, orders the changes, renders them for the target
environment and engine, checks them against the Unity Catalog rules when the engine has them
(:mod:`schemax.core.uc_rules`), and asks the analyzers what could break. The plan is an immutable value: its
statements, the changes and findings behind them, what the engine cannot run, and renderings for a
script (``.sql``), machines (``.to_json()``), undoing (``.reverse_sql()``), a notebook
(``_repr_html_``, the review screen of :mod:`schemax.display.plan`) and a pull request (``.to_markdown()``,
:mod:`schemax.display.markdown`).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from schemax.analyze import analyze
from schemax.core.changes import Change
from schemax.core.delta_properties import with_features
from schemax.core.kinds import kind_of_id
from schemax.core.model import State
from schemax.core.ops import Op
from schemax.core.uc_rules import RULES
from schemax.core.uc_statements import state_violations, statement_problems
from schemax.display import plan_html, plan_markdown
from schemax.plan.capabilities import GOVERNANCE, UNITY_CATALOG, EngineCapabilities
from schemax.plan.describe import describe
from schemax.plan.diff import attach_op_ids, diff
from schemax.plan.order import order_changes
from schemax.plan.render import render
from schemax.plan.saved import SavedPlan, plan_fingerprint
from schemax.plan.statements import Risk, Statement, Target

log = logging.getLogger("schemax.plan")


def _one_line(text: str) -> str:
    """Text safe inside a ``--`` SQL comment: one line, no control characters."""
    return " ".join("".join(ch if ch >= " " else " " for ch in text).split())


def _analyze(changes: Sequence[Change], before: State, after: State) -> tuple[Any, ...]:
    # a hard dependency: a plan is never built without its findings (they guard every deploy)
    return tuple(analyze(changes, before, after))


@dataclass(frozen=True)
class Plan:
    """An ordered, rendered, analyzed migration from one state to another."""

    changes: tuple[Change, ...]
    statements: tuple[Statement, ...]
    findings: tuple[Any, ...] = ()
    unsupported: tuple[tuple[Statement, str], ...] = ()
    notes: tuple[str, ...] = ()
    #: statements left out because the environment skips what its engine does not emulate
    #: (``unsupported: skip``), each with the reason the engine cannot run it
    skipped: tuple[tuple[Statement, str], ...] = ()
    from_version: str | None = None
    to_version: str | None = None
    target: Target = field(default_factory=Target)
    capabilities: EngineCapabilities = UNITY_CATALOG
    before: State = field(default_factory=State, repr=False, compare=False)
    after: State = field(default_factory=State, repr=False, compare=False)
    #: the table features (protocol upgrades) this plan's statements enable that the design does not
    #: declare, table id -> {key: value}: a deployment remembers them for the environment's next plans
    features: Mapping[str, Mapping[str, str]] = field(default_factory=dict, repr=False, compare=False)
    #: the table features the environment's tables already had, as given to :func:`build_plan`
    existing_features: Mapping[str, Mapping[str, str]] = field(default_factory=dict, repr=False,
                                                               compare=False)

    # -- questions ---------------------------------------------------------------------------------------
    @property
    def is_empty(self) -> bool:
        return not self.changes and not self.statements

    @property
    def breaking_changes(self) -> list[Any]:
        """The findings that block a deploy unless explicitly allowed."""
        return [f for f in self.findings if getattr(f, "blocking", False)]

    @property
    def runnable(self) -> bool:
        """True when the engine can run every statement."""
        return not self.unsupported

    @property
    def sql(self) -> str:
        return self.script()

    def __len__(self) -> int:
        return len(self.statements)

    def __iter__(self) -> Any:
        return iter(self.statements)

    # -- renderings --------------------------------------------------------------------------------------
    def _version_line(self) -> str:
        return f"{self.from_version or '(nothing)'} -> {self.to_version or '(working state)'}"

    def header(self) -> list[str]:
        risks: dict[Risk, int] = {}
        for s in self.statements:
            risks[s.risk] = risks.get(s.risk, 0) + 1
        counted = ", ".join(
            f"{n} {r.value.replace('_', '-')}"
            for r, n in sorted(risks.items(), key=lambda x: -x[0].rank)
            if r is not Risk.SAFE
        )
        lines = [
            f"-- schemax plan: {self._version_line()}",
            f"-- target: {_one_line(self.target.describe())}; engine: {self.capabilities.name}",
            f"-- {len(self.statements)} statement(s) for {len(self.changes)} change(s)"
            + (f" ({counted})" if counted else ""),
        ]
        if self.findings:
            blocking = len(self.breaking_changes)
            lines.append(f"-- findings: {len(self.findings)} ({blocking} blocking)")
            for f in self.findings:
                lines.append(f"--   {_one_line(str(f))}")
                if getattr(f, "impact", None):
                    lines.append(f"--     impact: {_one_line(f.impact)}")
                if getattr(f, "evidence", None) is not None:  # only after a preflight
                    lines.append(f"--     evidence: {_one_line(f.evidence.summary)}")
        if self.unsupported:
            lines.append(
                f"-- UNSUPPORTED on {self.capabilities.name}: {len(self.unsupported)} statement(s); "
                "the plan cannot run as is"
            )
            for stmt, reason in self.unsupported:
                lines.append(f"--   {_one_line(reason)}: {_one_line(stmt.sql)[:120]}")
        if self.skipped:
            lines.append(f"-- SKIPPED on {self.capabilities.name}: {len(self.skipped)} statement(s) the "
                         "environment skips (unsupported: skip); they run where the engine has them")
            for stmt, reason in self.skipped:
                lines.append(f"--   {_one_line(reason)}: {_one_line(stmt.sql)[:120]}")
        for note in self.notes:
            lines.append(f"-- note: {_one_line(note)}")
        return lines

    def script(self) -> str:
        """The plan as one SQL script: a commented header, then statements separated by ``;\\n\\n``."""
        parts = ["\n".join(self.header())]
        if not self.statements:
            parts[0] += "\n-- nothing to do"
            return parts[0] + "\n"
        blocks = []
        for s in self.statements:
            comment = []
            if s.risk is not Risk.SAFE:
                comment.append(s.risk.value.replace("_", "-"))
            if s.note:
                comment.append(_one_line(s.note))
            prefix = f"-- {': '.join(comment)}\n" if comment else ""
            blocks.append(prefix + s.sql)
        return parts[0] + "\n\n" + ";\n\n".join(blocks) + ";\n"

    def reverse_sql(self) -> str:
        """SQL that undoes the plan as far as SQL can: reverses in reverse order; the rest listed."""
        lines = [f"-- schemax reverse plan: {self._version_line()} undone"]
        blocks = []
        for s in reversed(self.statements):
            if s.reverse:
                blocks.append(s.reverse)
            else:
                lines.append(f"-- cannot be undone by SQL: {_one_line(s.sql)[:120]}")
        if not blocks:
            return "\n".join(lines) + "\n"
        return "\n".join(lines) + "\n\n" + ";\n\n".join(blocks) + ";\n"

    def to_dict(self) -> dict[str, Any]:
        return {
            "from_version": self.from_version,
            "to_version": self.to_version,
            "target": {"catalogs": dict(self.target.catalogs), "schema_prefix": self.target.schema_prefix,
                       **({"variables": dict(self.target.variables)} if self.target.variables else {})},
            "engine": self.capabilities.name,
            "changes": [
                {"kind": c.kind, "subject": c.subject, "op_ids": list(c.op_ids), "description": describe(c)}
                for c in self.changes
            ],
            "statements": [s.to_dict() for s in self.statements],
            "findings": [f.to_dict() if hasattr(f, "to_dict") else str(f) for f in self.findings],
            "unsupported": [{"sql": s.sql, "reason": r} for s, r in self.unsupported],
            **({"skipped": [{"sql": s.sql, "reason": r} for s, r in self.skipped]} if self.skipped else {}),
            "notes": list(self.notes),
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @property
    def fingerprint(self) -> str:
        """SHA-256 over what makes this plan this plan (:func:`schemax.plan.saved.plan_fingerprint`)."""
        return plan_fingerprint(self)

    def save(self, path: str | os.PathLike[str], *, project: str | None = None) -> SavedPlan:
        """Write the plan for sign-off (:class:`~schemax.plan.saved.SavedPlan`, deterministic JSON);
        ``p.deploy(env, plan=path)`` runs exactly it or refuses with ``StalePlanError``."""
        saved = SavedPlan.of(self, project=project)
        saved.save(path)
        return replace(saved, path=str(path))

    def with_evidence(self, evidence: Mapping[int, Any]) -> Plan:
        """The same plan with evidence (:class:`~schemax.analyze.evidence.Evidence`, by the index of the
        finding in :attr:`findings`) attached to its findings: what a preflight found in the data."""
        findings = tuple(
            replace(f, evidence=evidence[i]) if i in evidence else f for i, f in enumerate(self.findings)
        )
        return replace(self, findings=findings)

    @property
    def evidence(self) -> list[Any]:
        """The findings that carry evidence (after a preflight), in finding order."""
        return [f for f in self.findings if getattr(f, "evidence", None) is not None]

    def __repr__(self) -> str:
        counts = ", ".join(_count(n, word) for n, word in ((len(self.statements), "statement"),
                                                            (len(self.changes), "change"),
                                                            (len(self.findings), "finding")))
        return f"Plan({self._version_line()}, {counts}, {len(self.unsupported)} unsupported)"

    def _repr_html_(self) -> str:
        return plan_html(self, describe)

    def to_markdown(self) -> str:
        """The plan as Markdown for a pull-request comment: summary, findings, changes per object, SQL."""
        return plan_markdown(self, describe)


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _uc_rule_refusals(statements: Sequence[Statement], after: State) -> list[tuple[Statement, str]]:
    """The statements that would carry what a Unity Catalog rule refuses, each with the rule's reason: what
    the planned state holds (an old log's ALL PRIVILEGES beside a list, a bad tag key, a MANAGED table with
    a location, a key constraint name twice in a schema) and what a statement's SQL breaks. One entry per
    statement and rule."""
    violations = state_violations(after)
    out: list[tuple[Statement, str]] = []
    for stmt in statements:
        seen: set[str] = set()
        for v in violations:
            if v.rule not in seen and v.carried_by(stmt.sql, stmt.object_id, stmt.capability):
                seen.add(v.rule)
                out.append((stmt, v.message))
        for rule_id, reason in statement_problems(stmt.sql):
            if rule_id not in seen:
                seen.add(rule_id)
                out.append((stmt, f"{reason} [rule {rule_id}: {RULES[rule_id].source}]"))
    return out


_NAMED_KINDS = ("schema", "table", "view", "function")


def _name_refusals(statements: Sequence[Statement], before: State, after: State, target: Target,
                   capabilities: EngineCapabilities) -> list[tuple[Statement, str]]:
    """The statements that create or rename a schema, table, view or function under a name the engine
    refuses (:meth:`EngineCapabilities.refuses_name`), each with the reason: refused in the plan, not at
    statement 12 of a deployment. A schema is checked by its physical name (prefix included)."""
    out: list[tuple[Statement, str]] = []
    for stmt in statements:
        kind = kind_of_id(stmt.object_id or "")
        if kind is None or kind.name not in _NAMED_KINDS:
            continue
        obj = getattr(after, kind.state_field).get(stmt.object_id)
        old = getattr(before, kind.state_field).get(stmt.object_id)
        if obj is None or (old is not None and old.name == obj.name):
            continue  # dropped, or under a name the engine already holds
        name = target.naming.schema(obj.name) if kind.name == "schema" else obj.name
        if capabilities.refuses_name(name):
            out.append((stmt, f"{capabilities.object_names_reason}: {kind.name} {name!r}"))
    return out


# ---------------------------------------------------------------------------------------------------
# entry points
# ---------------------------------------------------------------------------------------------------


def build_plan(
    before: State,
    after: State,
    target: Target | None = None,
    *,
    capabilities: EngineCapabilities = UNITY_CATALOG,
    ops: Iterable[Op] | None = None,
    from_version: str | None = None,
    to_version: str | None = None,
    features: Mapping[str, Mapping[str, str]] | None = None,
    skip: Collection[str] = (),
) -> Plan:
    """Plan the migration from ``before`` to ``after`` for ``target`` on an engine with ``capabilities``.

    ``skip``: capabilities (of :data:`~schemax.plan.capabilities.GOVERNANCE`) whose statements the engine
    lacks are left out and listed in :attr:`Plan.skipped` instead of refusing the plan.

    ``features`` are the table features the environment's tables already have (table id -> {key: value}:
    the protocol upgrades earlier deployments made, see ``DeploymentRecord.features``). They join the
    properties of those tables in both states (:func:`~schemax.core.delta_properties.with_features`), so
    the plan neither upgrades them again nor warns again, and the diff sees no change for them; the version
    tracking still hashes the design's own definition. ``Plan.before`` / ``Plan.after`` are the states
    with them.
    """
    target = target or Target()
    definitions = None
    if features:
        definitions = after
        before, after = with_features(before, features), with_features(after, features)
    if target.naming.principals:  # owners and grants in the environment's principals (issue 11)
        definitions = definitions or after
        before, after = target.naming.map_principals(before), target.naming.map_principals(after)
    if target.naming.variables is not None:
        # storage location templates resolved for the environment (issue 11): the renderers print the
        # resolved paths as they are; a variable the environment lacks raises UnknownVariableError here,
        # before any statement exists. schemax.hash keeps hashing the design (``definitions``), so every
        # environment's table carries the same hash, as drift expects (drift.mapping.table_hashes)
        resolved_before = target.naming.map_locations(before)
        resolved_after = target.naming.map_locations(after)
        if resolved_after is not after:
            definitions = definitions or after
        before, after = resolved_before, resolved_after
    changes = diff(before, after)
    if ops is not None:
        changes = attach_op_ids(changes, ops)
    ordered = order_changes(changes, before, after)
    rendered = render(ordered, before, after, target, capabilities, definitions)
    unsupported = rendered.unsupported
    if capabilities.uc_rules:  # what a Unity Catalog rule refuses, listed before anything runs
        unsupported += tuple(_uc_rule_refusals(rendered.statements, after))
    if capabilities.object_names is not None:  # the engine's own identifier rules, before anything runs
        unsupported += tuple(_name_refusals(rendered.statements, before, after, target, capabilities))
    statements = rendered.statements
    skippable = set(skip) & GOVERNANCE
    skipped = tuple((s, r) for s, r in unsupported
                    if s.capability in skippable and not capabilities.supports(s.capability))
    if skipped:
        gone = {id(s) for s, _ in skipped}
        unsupported = tuple(u for u in unsupported if id(u[0]) not in gone)
        statements = tuple(s for s in statements if id(s) not in gone)
    return Plan(
        changes=tuple(ordered),
        statements=statements,
        skipped=skipped,
        findings=_analyze(changes, before, after),
        unsupported=unsupported,
        notes=rendered.notes,
        from_version=from_version,
        to_version=to_version,
        target=target,
        capabilities=capabilities,
        before=before,
        after=after,
        features=rendered.features,
        existing_features=dict(features or {}),
    )


def plan(
    before: State,
    after: State,
    catalogs: Mapping[str, str] | None = None,
    schema_prefix: str = "",
    capabilities: EngineCapabilities = UNITY_CATALOG,
    **kwargs: Any,
) -> Plan:
    """:func:`build_plan` with a catalog mapping: ``plan(a, b, catalogs={"shop": "dev_shop"})``."""
    return build_plan(
        before,
        after,
        Target(catalogs=dict(catalogs or {}), schema_prefix=schema_prefix),
        capabilities=capabilities,
        **kwargs,
    )


def build_plan_between(
    before: State,
    after: State,
    *,
    from_version: str | None = None,
    to_version: str | None = None,
    catalogs: Mapping[str, str] | None = None,
    schema_prefix: str = "",
    capabilities: EngineCapabilities = UNITY_CATALOG,
    target: Target | None = None,
    ops: Iterable[Op] | None = None,
) -> Plan:
    """The plan between two snapshots' states (``Project.diff``): logical names unless a mapping is given."""
    return build_plan(
        before,
        after,
        target or Target(catalogs=dict(catalogs or {}), schema_prefix=schema_prefix),
        capabilities=capabilities,
        ops=ops,
        from_version=from_version,
        to_version=to_version,
    )


__all__ = ["Plan", "build_plan", "build_plan_between", "plan"]
