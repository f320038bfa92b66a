"""HTML for notebooks: the review screen of a plan (what ``Plan._repr_html_`` shows).

This module sits just above the core: it never imports the planner at runtime. It reads the plan it is
given (its changes, statements, findings, target, engine and states) and takes the wording of a change
as a function, so the planner passes :func:`schemax.plan.describe.describe` in.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from schemax.core.changes import Change
from schemax.core.words import count

if TYPE_CHECKING:  # the plan is read by attribute: the planner imports this module, not the reverse
    from schemax.plan.plan import Plan

PLAN_CSS = """
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


#: Added only to a plan whose findings carry a preflight's evidence (a plan without one renders as before).
EVIDENCE_CSS = """
.sx-plan .sx-evidence{margin-top:3px;padding:1px 6px;border-radius:4px;font-size:12px;display:inline-block}
.sx-plan .sx-ev-will_fail{background:#ffebe9;color:#a40e26;font-weight:600}
.sx-plan .sx-ev-loses_data{background:#fff1e5;color:#9a4c00}
.sx-plan .sx-ev-safe{background:#dafbe1;color:#116329}
.sx-plan .sx-ev-unknown{background:#f6f8fa;color:#57606a}
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


def plan_html(plan: Plan, describe: Callable[[Change], str]) -> str:
    """The review screen of a plan (:meth:`schemax.plan.Plan._repr_html_`): the changed objects, blocking
    ones first, each with its changes (worded by ``describe``) and findings; what the engine cannot run;
    notes; and the SQL in a collapsible block. Self-contained (inline CSS) and every value escaped."""
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
        extra += evidence_html(getattr(f, "evidence", None))
        return (
            f"<div class='sx-finding{' sx-block' if getattr(f, 'blocking', False) else ''}'>"
            f"<span class='sx-pill sx-{_e(sev)}'>{_e(getattr(f, 'code', ''))} {_e(sev)}</span>"
            f"{_e(getattr(f, 'message', f))}<div class='sx-impact'>{_e(getattr(f, 'impact', '') or '')}</div>"
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
    if plan.skipped:  # the environment skips what its engine does not emulate (unsupported: skip)
        rows = "".join(f"<li>{_e(reason)}: <code>{_e(s.sql[:160])}</code></li>" for s, reason in plan.skipped)
        unsupported += (f"<div class='sx-meta'><b>{count(len(plan.skipped), 'statement')} skipped on "
                        f"{_e(plan.capabilities.name)}</b> (unsupported: skip)<ul>{rows}</ul></div>")
    notes = "".join(f"<li>{_e(n)}</li>" for n in plan.notes)
    loose_html = "".join(finding_html(f) for f in loose)
    blocking_count = len(plan.breaking_changes)
    verdicts = [getattr(getattr(f, "evidence", None), "verdict", None) for f in plan.findings]
    checked = [str(getattr(v, "value", v)) for v in verdicts if v is not None]
    css = PLAN_CSS + (EVIDENCE_CSS if checked else "")
    preflight = ""
    if checked:
        failing = checked.count("will_fail")
        preflight = (f" · preflight: <b>{failing} will fail</b>" if failing
                     else f" · preflight: {len(checked)} checked, none will fail")
    return (
        f"<div class='sx-plan'><style>{css}</style>"
        f"<h3>schemax plan {_e(plan._version_line())}</h3>"
        f"<div class='sx-meta'>{_e(plan.target.describe())} · engine {_e(plan.capabilities.name)} · "
        f"{count(len(plan.changes), 'change')} · {count(len(plan.statements), 'statement')} · "
        f"{count(len(plan.findings), 'finding')}"
        f"{f' · <b>{blocking_count} blocking</b>' if blocking_count else ''}{preflight}</div>"
        f"<div>{pills}</div>{unsupported}{loose_html}{''.join(blocks) or '<p>No changes.</p>'}"
        f"{f'<ul>{notes}</ul>' if notes else ''}"
        f"<details><summary>SQL ({count(len(plan.statements), 'statement')})</summary>"
        f"<pre>{_e(plan.sql)}</pre></details>"
        f"</div>"
    )


def evidence_html(evidence: Any) -> str:
    """A finding's evidence as one line (verdict-coloured; the query that counted on hover); empty for
    None."""
    if evidence is None:
        return ""
    verdict = str(getattr(getattr(evidence, "verdict", ""), "value", getattr(evidence, "verdict", "")))
    query = getattr(evidence, "query", "") or ""
    title = f" title='{_e(query)}'" if query else ""
    return (f"<div><span class='sx-evidence sx-ev-{_e(verdict)}'{title}>"
            f"{_e(getattr(evidence, 'summary', evidence))}</span></div>")


__all__ = ["EVIDENCE_CSS", "PLAN_CSS", "evidence_html", "plan_html"]
