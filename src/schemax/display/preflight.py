"""HTML for notebooks: a preflight's evidence and a rehearsal's timings (``Preflight._repr_html_``,
``Rehearsal._repr_html_``).

Like the rest of the package it reads the values it is given by attribute and imports nothing above the
core: the results are built by :mod:`schemax.services.preflight` and :mod:`schemax.services.rehearsal`.
"""

from __future__ import annotations

from typing import Any

from schemax.display.plan import EVIDENCE_CSS, PLAN_CSS, _e, evidence_html

REHEARSAL_CSS = """
.sx-plan table.sx-steps{border-collapse:collapse;margin:6px 0;font-size:12px}
.sx-plan table.sx-steps td,.sx-plan table.sx-steps th{border-bottom:1px solid #d0d7de;padding:2px 8px;
  text-align:left;vertical-align:top}
.sx-plan table.sx-steps td.sx-num{text-align:right;font-variant-numeric:tabular-nums}
.sx-plan table.sx-steps code{white-space:pre-wrap}
.sx-plan .sx-st-applied{color:#116329}
.sx-plan .sx-st-failed{color:#a40e26;font-weight:600}
.sx-plan .sx-st-skipped,.sx-plan .sx-st-not_run{color:#57606a}
"""


def preflight_html(preflight: Any) -> str:
    """What a preflight found: per finding its evidence, per table its size and cost class."""
    findings = list(getattr(preflight, "findings", []) or [])
    failing = list(getattr(preflight, "failing", []) or [])
    rows = "".join(
        f"<div class='sx-finding{' sx-block' if f.evidence.will_fail else ''}'>"
        f"<span class='sx-pill sx-{_e(f.severity.value)}'>{_e(f.code)} {_e(f.severity.value)}</span>"
        f"<span class='sx-name'>{_e(f.object_name)}</span> {_e(f.message)}{evidence_html(f.evidence)}</div>"
        for f in findings
    )
    tables = "".join(
        f"<tr><td><code>{_e(t.table)}</code></td><td>{_e(t.cost.describe() if t.cost else 'unknown')}</td>"
        f"<td class='sx-num'>{len(t.queries)}</td><td class='sx-num'>{t.seconds:.2f}s</td>"
        f"<td>{_e(t.error or '')}</td></tr>"
        for t in getattr(preflight, "tables", ())
    )
    verdict = (f"<b>{len(failing)} will fail</b>" if failing else "nothing will fail")
    thresholds = getattr(preflight, "thresholds", None)
    legend = f" · cost classes: {_e(thresholds.describe())}" if thresholds is not None else ""
    return (
        f"<div class='sx-plan'><style>{PLAN_CSS}{EVIDENCE_CSS}{REHEARSAL_CSS}</style>"
        f"<h3>schemax preflight {_e(getattr(preflight, 'environment', ''))}</h3>"
        f"<div class='sx-meta'>{len(findings)} finding(s) checked on {len(getattr(preflight, 'tables', ()))} "
        f"table(s) in {getattr(preflight, 'seconds', 0.0):.1f}s · {verdict}{legend}</div>"
        f"{rows or '<p>No data-dependent findings.</p>'}"
        + (f"<table class='sx-steps'><tr><th>table</th><th>size</th><th>queries</th><th>time</th>"
           f"<th>error</th></tr>{tables}</table>" if tables else "")
        + "</div>"
    )


def rehearsal_html(rehearsal: Any) -> str:
    """A rehearsal: the copies made, then every statement with its status and time."""
    copies = "".join(
        f"<tr><td><code>{_e(c.source)}</code></td><td><code>{_e(c.copy)}</code></td>"
        f"<td>{_e(c.mode.replace('_', ' '))}</td><td class='sx-num'>{c.seconds:.2f}s</td>"
        f"<td>{_e(c.error or '')}</td></tr>"
        for c in getattr(rehearsal, "copies", ())
    )

    def step(s: Any) -> str:
        took = f"{s.seconds:.2f}s" if s.seconds is not None else ""
        return (f"<tr><td class='sx-num'>{s.seq}</td><td class='sx-st-{_e(s.status)}'>"
                f"{_e(s.status.replace('_', ' '))}</td><td class='sx-num'>{took}</td>"
                f"<td><code>{_e(s.sql)}</code>"
                + (f"<div class='sx-impact'>{_e(s.error)}</div>" if s.error else "") + "</td></tr>")

    ran = (*getattr(rehearsal, "setup", ()), *getattr(rehearsal, "statements", ()))
    steps = "".join(step(s) for s in ran)
    failures = list(getattr(rehearsal, "failures", []) or [])
    verdict = f"<b>{len(failures)} failed</b>" if failures else "every statement ran"
    cleanup = list(getattr(rehearsal, "cleanup_errors", ()) or ())
    dropped = ("scratch schemas dropped" if not cleanup
               else f"<b>cleanup failed</b>: {_e('; '.join(cleanup))}")
    return (
        f"<div class='sx-plan'><style>{PLAN_CSS}{REHEARSAL_CSS}</style>"
        f"<h3>schemax rehearsal {_e(getattr(rehearsal, 'environment', ''))}</h3>"
        f"<div class='sx-meta'>{len(getattr(rehearsal, 'statements', ()))} statement(s) in "
        f"{getattr(rehearsal, 'seconds', 0.0):.1f}s on copies in "
        f"<code>{_e(getattr(rehearsal, 'prefix', ''))}*</code> · {verdict} · {dropped}</div>"
        + (f"<table class='sx-steps'><tr><th>table</th><th>copy</th><th>how</th><th>time</th><th>error</th>"
           f"</tr>{copies}</table>" if copies else "")
        + f"<table class='sx-steps'><tr><th>#</th><th>status</th><th>time</th><th>statement</th></tr>"
        f"{steps}</table></div>"
    )


__all__ = ["REHEARSAL_CSS", "preflight_html", "rehearsal_html"]
