"""Markdown for a pull-request comment: the review of a plan (what ``Plan.to_markdown()`` and
``schemax plan ENV --format markdown`` print).

Like :mod:`schemax.display.plan`, this module never imports the planner at runtime: it reads the plan it
is given and takes the wording of a change as a function (:func:`schemax.plan.describe.describe`). The
output is GitHub-flavoured Markdown that Azure DevOps renders too: a summary, the findings (blocking
first) in a table, the changes per object, what the engine cannot run, notes, and the SQL in a fenced
block inside ``<details>``. Every piece of text from the plan is escaped, so a name or a comment cannot
change the layout; the SQL fence is longer than any run of backticks in the SQL.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from schemax.core.words import count

if TYPE_CHECKING:
    from schemax.core.changes import Change
    from schemax.plan.plan import Plan

#: a mark per severity, before its name
SEVERITY_MARKS = {"destructive": "🛑", "breaking": "⛔", "warning": "⚠️", "info": "ℹ️"}

# what can start emphasis, code, links, HTML, strike-through or a heading, or end a table cell
_SPECIAL = re.compile(r"([\\`*_\[\]<|#~])")


def md_text(value: Any) -> str:
    """Text safe anywhere in Markdown (a table cell included): one line, punctuation escaped."""
    text = " ".join(str(value).split())
    return _SPECIAL.sub(r"\\\1", text)


def md_code(value: Any) -> str:
    """Inline code safe in a table cell: fenced by more backticks than it holds, ``|`` escaped."""
    text = " ".join(str(value).split()).replace("|", "\\|")
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _fence(text: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def _object_name(plan: Plan, object_id: str) -> str:
    for state in (plan.after, plan.before):
        try:
            return state.full_name(object_id)
        except KeyError:
            continue
    return object_id


def _severity(f: Any) -> str:
    return str(getattr(getattr(f, "severity", None), "value", getattr(f, "severity", "")))


def plan_markdown(plan: Plan, describe: Callable[[Change], str]) -> str:
    """The plan as Markdown for a pull-request comment (see the module docstring)."""
    lines = [f"### schemax plan {md_text(plan._version_line())}", ""]
    risks: dict[Any, int] = {}
    for s in plan.statements:
        risks[s.risk] = risks.get(s.risk, 0) + 1
    risky = ", ".join(f"{n} {md_text(r.value.replace('_', '-'))}"
                      for r, n in sorted(risks.items(), key=lambda x: -x[0].rank) if r.value != "safe")
    blocking = len(plan.breaking_changes)
    lines.append(
        f"**Target:** {md_text(plan.target.describe())} · **engine:** {md_code(plan.capabilities.name)} · "
        f"**{count(len(plan.statements), 'statement')}** for {count(len(plan.changes), 'change')}"
        + (f" ({risky})" if risky else ""))
    lines.append("")
    if blocking:
        lines.append(f"> **{count(blocking, 'blocking finding')}**: the deploy is refused unless breaking "
                     "changes are allowed for the environment.")
        lines.append("")
    if plan.findings:
        lines += [f"#### Findings ({len(plan.findings)})", "",
                  "| | Code | Severity | Object | Finding | Impact |", "|---|---|---|---|---|---|"]
        for f in sorted(plan.findings, key=lambda f: not getattr(f, "blocking", False)):
            sev = _severity(f)
            lines.append(
                f"| {SEVERITY_MARKS.get(sev, '')} | {md_code(getattr(f, 'code', ''))} | "
                f"{'**' + md_text(sev) + '**' if getattr(f, 'blocking', False) else md_text(sev)} | "
                f"{md_code(getattr(f, 'object_name', '') or '-')} | {md_text(getattr(f, 'message', f))} | "
                f"{md_text(getattr(f, 'impact', '') or '')} |")
        lines.append("")
    if plan.unsupported:
        lines += [f"#### Cannot run on {md_text(plan.capabilities.name)} ({len(plan.unsupported)})", ""]
        lines += [f"- {md_text(reason)}: {md_code(' '.join(s.sql.split())[:160])}"
                  for s, reason in plan.unsupported]
        lines.append("")
    if plan.skipped:
        engine = md_text(plan.capabilities.name)
        lines += [f"#### Skipped on {engine} ({len(plan.skipped)}; unsupported: skip)", ""]
        lines += [f"- {md_text(reason)}: {md_code(' '.join(s.sql.split())[:160])}"
                  for s, reason in plan.skipped]
        lines.append("")
    groups: dict[str, list[Change]] = {}
    for c in plan.changes:
        groups.setdefault(c.table_id or c.subject, []).append(c)
    if groups:
        names = {oid: _object_name(plan, oid) for oid in groups}
        lines += [f"#### Changes ({len(plan.changes)})", ""]
        for oid in sorted(groups, key=lambda oid: (names[oid].lower(), oid)):
            lines.append(f"- {md_code(names[oid])}")
            lines += [f"  - {md_text(describe(c))}" for c in groups[oid]]
        lines.append("")
    else:
        lines += ["Nothing to do: the environment already holds this state.", ""]
    if plan.notes:
        lines += ["#### Notes", ""]
        lines += [f"- {md_text(note)}" for note in plan.notes]
        lines.append("")
    if plan.statements:
        sql = plan.sql.rstrip("\n")
        fence = _fence(sql)
        lines += [f"<details><summary>SQL ({count(len(plan.statements), 'statement')})</summary>", "",
                  f"{fence}sql", sql, fence, "", "</details>", ""]
    return "\n".join(lines)


__all__ = ["SEVERITY_MARKS", "md_code", "md_text", "plan_markdown"]
