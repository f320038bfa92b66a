"""HTML for notebooks: deployment history, snapshot lists and the version timeline.

Everything is self-contained (inline CSS, inline SVG), escapes every value, and renders the same in a
Databricks notebook, Jupyter, or a plain browser.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

CSS = """
<style>
.sx{font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;font-size:13px;color:#1b1f24}
.sx table{border-collapse:collapse;margin:4px 0 10px 0}
.sx th,.sx td{border-bottom:1px solid #e1e4e8;padding:4px 10px;text-align:left;vertical-align:top}
.sx th{background:#f6f8fa;font-weight:600}
.sx code,.sx pre{font-family:SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
.sx pre{background:#f6f8fa;padding:8px;border-radius:4px;white-space:pre-wrap}
.sx .badge{display:inline-block;padding:1px 7px;border-radius:10px;font-size:11px;font-weight:600;color:#fff}
.sx .success,.sx .applied,.sx .clean{background:#1a7f37}.sx .failed,.sx .drifted{background:#cf222e}
.sx .in_progress,.sx .pending,.sx .running{background:#9a6700}.sx .rolled_back,.sx .abandoned,.sx .skipped{background:#6e7781}
</style>
"""


def badge(status: str) -> str:
    return f"<span class='badge {escape(status)}'>{escape(status)}</span>"


def deployment_html(deployments: Iterable[Any], *, with_sql: bool = True) -> str:
    """A deployment history table; each deployment's statements in a collapsible block."""
    rows = []
    for d in deployments:
        stmts = ""
        if with_sql and d.statements:
            items = "".join(
                f"<tr><td>{s.seq}</td><td>{badge(s.status)}</td><td>{escape(s.risk)}</td>"
                f"<td><pre>{escape(s.sql)}</pre>{('<div>' + escape(s.error) + '</div>') if s.error else ''}</td></tr>"
                for s in d.statements)
            stmts = (f"<details><summary>{len(d.statements)} statement(s)</summary><table><tr><th>#</th>"
                     f"<th>status</th><th>risk</th><th>SQL</th></tr>{items}</table></details>")
        rows.append(
            f"<tr><td><code>{escape(d.deployment_id)}</code></td><td>{escape(d.environment)}</td>"
            f"<td>{escape(d.kind)}</td><td>{badge(d.status)}</td>"
            f"<td>{escape(str(d.from_version))} → {escape(str(d.to_version))}</td>"
            f"<td>{escape(d.started_at[:19])}</td><td>{escape(d.deployed_by)}</td>"
            f"<td>{d.applied}</td><td>{escape(d.error or '')}{stmts}</td></tr>")
    return (f"{CSS}<div class='sx'><table><tr><th>deployment</th><th>env</th><th>kind</th><th>status</th>"
            f"<th>versions</th><th>started</th><th>by</th><th>applied</th><th>details</th></tr>"
            f"{''.join(rows)}</table></div>")


def snapshots_html(snapshots: Sequence[Any], deployed: dict[str, str] | None = None) -> str:
    """Snapshot list, newest first, with the environments each version runs in."""
    where: dict[str, list[str]] = {}
    for env, version in (deployed or {}).items():
        if version:
            where.setdefault(version, []).append(env)
    rows = "".join(
        f"<tr><td><b>{escape(s.version)}</b></td><td>{escape(s.name)}</td><td>{escape(s.ts[:19])}</td>"
        f"<td>{escape(s.created_by)}</td><td>{len(s.op_ids)}</td><td><code>{escape(s.hash[:12])}</code></td>"
        f"<td>{' '.join(badge('success').replace('success', escape(e), 2) for e in sorted(where.get(s.version, [])))}"
        f"</td></tr>" for s in reversed(list(snapshots)))
    return (f"{CSS}<div class='sx'><table><tr><th>version</th><th>name</th><th>created</th><th>by</th>"
            f"<th>ops</th><th>hash</th><th>deployed to</th></tr>{rows}</table></div>")


def timeline_svg(snapshots: Sequence[Any], deployed: dict[str, str] | None = None, *, width: int = 720) -> str:
    """Versions as dots on a line, with a flag per environment at the version it runs."""
    snaps = list(snapshots)
    if not snaps:
        return f"{CSS}<div class='sx'><i>no snapshots yet</i></div>"
    step = (width - 80) / max(1, len(snaps) - 1)
    xs = {s.version: 40 + i * step for i, s in enumerate(snaps)}
    parts = [f"<line x1='40' y1='60' x2='{width - 40}' y2='60' stroke='#d0d7de' stroke-width='2'/>"]
    for s in snaps:
        x = xs[s.version]
        parts.append(f"<circle cx='{x:.0f}' cy='60' r='7' fill='#0969da'><title>{escape(s.name)}</title></circle>"
                     f"<text x='{x:.0f}' y='88' text-anchor='middle' font-size='12'>{escape(s.version)}</text>")
    stacked: dict[str, int] = {}
    for env, version in sorted((deployed or {}).items()):
        if version not in xs:
            continue
        level = stacked.get(version, 0)
        stacked[version] = level + 1
        x, y = xs[version], 40 - level * 16
        parts.append(f"<rect x='{x - 24:.0f}' y='{y - 12}' width='48' height='14' rx='3' fill='#1a7f37'/>"
                     f"<text x='{x:.0f}' y='{y - 1}' text-anchor='middle' font-size='10' fill='#fff'>"
                     f"{escape(env)}</text>")
    height = 100 + 0
    return (f"{CSS}<div class='sx'><svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
            f"viewBox='0 -20 {width} {height + 20}' role='img' aria-label='schemax version timeline'>"
            f"{''.join(parts)}</svg></div>")


__all__ = ["CSS", "badge", "deployment_html", "snapshots_html", "timeline_svg"]
