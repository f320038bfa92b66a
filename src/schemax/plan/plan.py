"""The :class:`Plan`: what a deploy would do, ready for review before anything runs.

``build_plan(before, after, target)`` diffs the states, orders the changes, renders them for the target
environment and engine, and asks the analyzers what could break. The plan is an immutable value: its
statements, the changes and findings behind them, what the engine cannot run, and renderings for a
script (``.sql``), machines (``.to_json()``), undoing (``.reverse_sql()``) and a notebook
(``_repr_html_``).
"""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from schemax.core.model import State
from schemax.core.ops import Op
from schemax.plan.capabilities import UNITY_CATALOG, EngineCapabilities
from schemax.plan.changes import Change
from schemax.plan.describe import describe
from schemax.plan.diff import attach_op_ids, diff
from schemax.plan.order import order_changes
from schemax.plan.render import render
from schemax.plan.statements import Risk, Statement, Target

log = logging.getLogger("schemax.plan")


def _one_line(text: str) -> str:
    """Text safe inside a ``--`` SQL comment: one line, no control characters."""
    return " ".join("".join(ch if ch >= " " else " " for ch in text).split())


def _analyze(changes: Sequence[Change], before: State, after: State) -> tuple[Any, ...]:
    try:
        from schemax.analyze import analyze
    except ImportError:  # the analyzers are optional while they are being built
        log.debug("schemax.analyze is not available: the plan has no findings")
        return ()
    return tuple(analyze(changes, before, after))


@dataclass(frozen=True)
class Plan:
    """An ordered, rendered, analyzed migration from one state to another."""

    changes: tuple[Change, ...]
    statements: tuple[Statement, ...]
    findings: tuple[Any, ...] = ()
    unsupported: tuple[tuple[Statement, str], ...] = ()
    notes: tuple[str, ...] = ()
    from_version: str | None = None
    to_version: str | None = None
    target: Target = field(default_factory=Target)
    capabilities: EngineCapabilities = UNITY_CATALOG
    before: State = field(default_factory=State, repr=False, compare=False)
    after: State = field(default_factory=State, repr=False, compare=False)

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
        if self.unsupported:
            lines.append(
                f"-- UNSUPPORTED on {self.capabilities.name}: {len(self.unsupported)} statement(s); "
                "the plan cannot run as is"
            )
            for stmt, reason in self.unsupported:
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
            "target": {"catalogs": dict(self.target.catalogs), "schema_prefix": self.target.schema_prefix},
            "engine": self.capabilities.name,
            "changes": [
                {"kind": c.kind, "subject": c.subject, "op_ids": list(c.op_ids), "description": describe(c)}
                for c in self.changes
            ],
            "statements": [s.to_dict() for s in self.statements],
            "findings": [f.to_dict() if hasattr(f, "to_dict") else str(f) for f in self.findings],
            "unsupported": [{"sql": s.sql, "reason": r} for s, r in self.unsupported],
            "notes": list(self.notes),
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def __repr__(self) -> str:
        counts = ", ".join(_count(n, word) for n, word in ((len(self.statements), "statement"),
                                                            (len(self.changes), "change"),
                                                            (len(self.findings), "finding")))
        return f"Plan({self._version_line()}, {counts}, {len(self.unsupported)} unsupported)"

    def _repr_html_(self) -> str:
        return _html(self)


# ---------------------------------------------------------------------------------------------------
# the review screen
# ---------------------------------------------------------------------------------------------------

_CSS = """
.sx-plan{font-family:system-ui,-apple-system,Segoe UI,sans-serif;font-size:13px;color:#1f2328;
  max-width:1100px}
.sx-plan h3{margin:4px 0 6px;font-size:15px}
.sx-plan .sx-meta{color:#57606a;margin-bottom:8px}
.sx-plan .sx-pill{display:inline-block;border-radius:10px;padding:0 7px;margin-right:4px;font-size:11px;
  font-weight:600;border:1px solid #d0d7de;background:#f6f8fa}
.sx-plan .sx-destructive{background:#ffebe9;border-color:#ff8182;color:#a40e26}
.sx-plan .sx-breaking{background:#fff1e5;border-color:#ffb77c;color:#9a4c00}
.sx-plan .sx-warning,.sx-plan .sx-data_dependent{background:#fff8c5;border-color:#e3c300;color:#6b5800}
.sx-plan .sx-info,.sx-plan .sx-safe{background:#ddf4ff;border-color:#80ccff;color:#0a3069}
.sx-plan .sx-object{border:1px solid #d0d7de;border-radius:6px;margin:6px 0;padding:6px 10px}
.sx-plan .sx-object.sx-blocking{border-color:#ff8182;background:#fffafa}
.sx-plan .sx-name{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-weight:600}
.sx-plan ul{margin:4px 0 4px 18px;padding:0}
.sx-plan .sx-finding{margin:4px 0;padding:4px 8px;border-left:3px solid #d0d7de}
.sx-plan .sx-finding.sx-block{border-left-color:#cf222e}
.sx-plan .sx-impact{color:#57606a}
.sx-plan pre{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:8px;overflow:auto;
  font-size:12px;white-space:pre-wrap}
.sx-plan .sx-unsupported{background:#ffebe9;border:1px solid #ff8182;border-radius:6px;padding:6px 10px}
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _object_name(plan: Plan, object_id: str) -> str:
    for state in (plan.after, plan.before):
        try:
            return state.full_name(object_id)
        except KeyError:
            continue
    return object_id


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _html(plan: Plan) -> str:
    groups: dict[str, list[Change]] = {}
    for c in plan.changes:
        groups.setdefault(c.table_id or c.subject, []).append(c)
    by_object: dict[str, list[Any]] = {}
    loose: list[Any] = []
    names = {oid: _object_name(plan, oid) for oid in groups}
    for f in plan.findings:
        change = getattr(f, "change", None)
        key = (change.table_id or change.subject) if change is not None else None
        if key in groups:
            by_object.setdefault(key, []).append(f)
        else:
            match = next(
                (
                    oid
                    for oid, n in names.items()
                    if str(getattr(f, "object_name", "")).lower().startswith(n.lower())
                ),
                None,
            )
            (by_object.setdefault(match, []) if match else loose).append(f)

    def finding_html(f: Any) -> str:
        sev = getattr(getattr(f, "severity", None), "value", str(getattr(f, "severity", "")))
        views = getattr(f, "views", ()) or ()
        extra = f"<div class='sx-impact'>views reading it: {_e(', '.join(views))}</div>" if views else ""
        return (
            f"<div class='sx-finding{' sx-block' if getattr(f, 'blocking', False) else ''}'>"
            f"<span class='sx-pill sx-{_e(sev)}'>{_e(getattr(f, 'code', ''))} {_e(sev)}</span>"
            f"{_e(getattr(f, 'message', f))}<div class='sx-impact'>{_e(getattr(f, 'impact', ''))}</div>"
            f"{extra}</div>"
        )

    blocks = []
    order = sorted(
        groups,
        key=lambda oid: (
            not any(getattr(f, "blocking", False) for f in by_object.get(oid, ())),
            names[oid].lower(),
        ),
    )
    for oid in order:
        fs = by_object.get(oid, [])
        blocking = any(getattr(f, "blocking", False) for f in fs)
        items = "".join(f"<li>{_e(describe(c))}</li>" for c in groups[oid])
        blocks.append(
            f"<div class='sx-object{' sx-blocking' if blocking else ''}'>"
            f"<span class='sx-name'>{_e(names[oid])}</span>"
            f"<ul>{items}</ul>{''.join(finding_html(f) for f in fs)}</div>"
        )
    risks: dict[str, int] = {}
    for s in plan.statements:
        risks[s.risk.value] = risks.get(s.risk.value, 0) + 1
    pills = "".join(
        f"<span class='sx-pill sx-{_e(r)}'>{n} {_e(r.replace('_', '-'))}</span>"
        for r, n in sorted(risks.items())
    )
    unsupported = ""
    if plan.unsupported:
        rows = "".join(
            f"<li>{_e(reason)}: <code>{_e(s.sql[:160])}</code></li>" for s, reason in plan.unsupported
        )
        unsupported = (
            f"<div class='sx-unsupported'><b>{len(plan.unsupported)} statement(s) cannot run on "
            f"{_e(plan.capabilities.name)}</b><ul>{rows}</ul></div>"
        )
    notes = "".join(f"<li>{_e(n)}</li>" for n in plan.notes)
    loose_html = "".join(finding_html(f) for f in loose)
    blocking_count = len(plan.breaking_changes)
    return (
        f"<div class='sx-plan'><style>{_CSS}</style>"
        f"<h3>schemax plan {_e(plan._version_line())}</h3>"
        f"<div class='sx-meta'>{_e(plan.target.describe())} · engine {_e(plan.capabilities.name)} · "
        f"{len(plan.changes)} changes · {len(plan.statements)} statements · {len(plan.findings)} findings"
        f"{f' · <b>{blocking_count} blocking</b>' if blocking_count else ''}</div>"
        f"<div>{pills}</div>{unsupported}{loose_html}{''.join(blocks) or '<p>No changes.</p>'}"
        f"{f'<ul>{notes}</ul>' if notes else ''}"
        f"<details><summary>SQL ({len(plan.statements)} statements)</summary>"
        f"<pre>{_e(plan.sql)}</pre></details>"
        f"</div>"
    )


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
) -> Plan:
    """Plan the migration from ``before`` to ``after`` for ``target`` on an engine with ``capabilities``."""
    target = target or Target()
    changes = diff(before, after)
    if ops is not None:
        changes = attach_op_ids(changes, ops)
    ordered = order_changes(changes, before, after)
    rendered = render(ordered, before, after, target, capabilities)
    return Plan(
        changes=tuple(ordered),
        statements=rendered.statements,
        findings=_analyze(changes, before, after),
        unsupported=rendered.unsupported,
        notes=rendered.notes,
        from_version=from_version,
        to_version=to_version,
        target=target,
        capabilities=capabilities,
        before=before,
        after=after,
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
