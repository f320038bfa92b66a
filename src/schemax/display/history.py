"""HTML for notebooks: deployment history, snapshot lists and the version timeline.

Everything is self-contained (inline CSS, inline SVG), escapes every value, and renders the same in a
Databricks notebook, Jupyter, or a plain browser. Deployments and snapshots are read by attribute
(``deployment_id``, ``statements``, ``version``, …): this module imports none of their classes.
"""

from __future__ import annotations

import hashlib
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
.sx pre{background:#f6f8fa;padding:8px;border-radius:4px;white-space:pre-wrap;overflow-wrap:anywhere}
.sx .badge{display:inline-block;padding:1px 7px;border-radius:10px;font-size:11px;font-weight:600;color:#fff}
.sx .success,.sx .applied,.sx .clean{background:#1a7f37}.sx .failed,.sx .drifted{background:#cf222e}
.sx .env{background:#0969da}.sx .in_progress,.sx .interrupted,.sx .pending,.sx .running{background:#9a6700}\
.sx .rolled_back,.sx .abandoned,.sx .skipped{background:#6e7781}
.sx .unknown{background:#cf222e}
</style>
"""


#: One colour per environment, the same in every view (timeline flags, snapshot badges, deployment
#: history, status): the well-known names have theirs, any other name takes one of the palette by a stable
#: hash of its lower-cased name. None of them is a status colour (green, red, amber, grey), and white text
#: reads on each (WCAG AA contrast >= 4.5).
ENV_PALETTE: tuple[str, ...] = ("#0969da", "#8250df", "#bf3989", "#1b7c83", "#953800", "#3e4b9e",
                                "#6639ba", "#0550ae")
_WELL_KNOWN = {"dev": 0, "development": 0, "sandbox": 3, "test": 1, "qa": 1, "staging": 4, "stage": 4,
               "uat": 5, "prod": 2, "production": 2, "prd": 2}


def env_colour(env: str) -> str:
    """The colour of environment ``env`` (a hex RGB string), the same everywhere and on every run."""
    key = env.lower()
    if key in _WELL_KNOWN:
        return ENV_PALETTE[_WELL_KNOWN[key]]
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return ENV_PALETTE[digest[0] % len(ENV_PALETTE)]


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
                f"<td><pre>{escape(s.sql)}</pre>"
                f"{('<div>' + escape(s.error) + '</div>') if s.error else ''}</td></tr>"
                for s in d.statements)
            stmts = (f"<details><summary>{len(d.statements)} statement(s)</summary><table><tr><th>#</th>"
                     f"<th>status</th><th>risk</th><th>SQL</th></tr>{items}</table></details>")
        rows.append(
            f"<tr><td><code>{escape(d.deployment_id)}</code></td><td>{env_label(d.environment)}</td>"
            f"<td>{escape(d.kind)}</td><td>{badge(d.status)}</td>"
            f"<td>{escape(d.from_version or '(nothing)')} → {escape(d.to_version or '(nothing)')}</td>"
            f"<td>{escape(d.started_at[:19])}</td><td>{escape(d.deployed_by)}</td>"
            f"<td>{d.applied}</td><td>{escape(d.error or '')}{stmts}</td></tr>")
    return (f"{CSS}<div class='sx'><table><tr><th>deployment</th><th>env</th><th>kind</th><th>status</th>"
            f"<th>versions</th><th>started</th><th>by</th><th>applied</th><th>details</th></tr>"
            f"{''.join(rows)}</table></div>")


def env_badge(env: str) -> str:
    """An environment's name as a badge in its own colour (:func:`env_colour`; status colours stay
    distinct)."""
    return (f"<span class='badge env' style='background:{env_colour(env)}' "
            f"title='environment {escape(env)}'>{escape(env)}</span>")


def env_label(env: str) -> str:
    """An environment's name in a table cell, with a swatch of its colour (:func:`env_colour`): lighter
    than a badge, for columns that list environments (history, status)."""
    return (f"<span class='sx-env-label' data-env='{escape(env)}'><span style='display:inline-block;"
            f"width:9px;height:9px;border-radius:2px;margin-right:5px;background:{env_colour(env)}'>"
            f"</span>{escape(env)}</span>")


def snapshots_html(snapshots: Sequence[Any], deployed: dict[str, str] | None = None) -> str:
    """Snapshot list, newest first, with the environments each version runs in."""
    where: dict[str, list[str]] = {}
    for env, version in (deployed or {}).items():
        if version:
            where.setdefault(version, []).append(env)
    rows = "".join(
        f"<tr><td><b>{escape(s.version)}</b></td><td>{escape(s.name)}</td><td>{escape(s.ts[:19])}</td>"
        f"<td>{escape(s.created_by)}</td><td>{len(s.op_ids)}</td><td><code>{escape(s.hash[:12])}</code></td>"
        f"<td>{' '.join(env_badge(e) for e in sorted(where.get(s.version, [])))}</td></tr>"
        for s in reversed(list(snapshots)))
    return (f"{CSS}<div class='sx'><table><tr><th>version</th><th>name</th><th>created</th><th>by</th>"
            f"<th>ops</th><th>hash</th><th>deployed to</th></tr>{rows}</table></div>")


# timeline geometry (px)
_MARGIN = 56
_MIN_STEP = 56  # below this the version labels would collide: the timeline widens, up to _MAX_WIDTH
_MAX_WIDTH = 2400
_FLAG_H = 18
_FLAG_GAP = 4
_FLAG_FONT = 11
_LABEL_FONT = 12


def _text_width(text: str, size: int) -> float:
    """A generous estimate of rendered text width (sans-serif), to size badges before the browser does."""
    return len(text) * size * 0.68


def timeline_svg(snapshots: Sequence[Any], deployed: dict[str, str] | None = None, *,
                 width: int | None = None) -> str:
    """Versions as dots on a line (oldest left), with a badge per environment above the version it runs.

    Badges are sized to their environment's name and stacked when several environments run one version;
    the drawing grows to fit them. With many snapshots the line widens (up to a bound), then only every
    k-th version is labelled (every dot keeps its version and name as a tooltip).
    """
    snaps = list(snapshots)
    if not snaps:
        return f"{CSS}<div class='sx'><i>no snapshots yet</i></div>"
    n = len(snaps)
    if width is None:
        width = int(min(_MAX_WIDTH, max(720, _MIN_STEP * (n - 1) + 2 * _MARGIN)))
    step = (width - 2 * _MARGIN) / (n - 1) if n > 1 else 0.0
    xs = {s.version: (_MARGIN + i * step if n > 1 else width / 2) for i, s in enumerate(snaps)}
    envs_at: dict[str, list[str]] = {}
    for env, version in sorted((deployed or {}).items()):
        if version in xs:
            envs_at.setdefault(version, []).append(env)
    levels = max((len(v) for v in envs_at.values()), default=0)
    line_y = 12 + levels * (_FLAG_H + _FLAG_GAP) + 10
    height = line_y + 34
    every = 1 if step >= _MIN_STEP or n == 1 else int(-(-_MIN_STEP // max(step, 1)))
    latest = max(snaps, key=lambda s: getattr(s, "semver", s.version)).version

    parts = [f"<line x1='{_MARGIN / 2:.0f}' y1='{line_y}' x2='{width - _MARGIN / 2:.0f}' y2='{line_y}' "
             f"stroke='#d0d7de' stroke-width='2'/>"]
    for i, s in enumerate(snaps):
        x = xs[s.version]
        ring = " fill='#0969da'" if s.version != latest else " stroke='#0969da' stroke-width='3' fill='#fff'"
        parts.append(f"<g class='sx-snapshot' data-version='{escape(s.version)}'>"
                     f"<circle cx='{x:.1f}' cy='{line_y}' r='7'{ring}>"
                     f"<title>{escape(s.version)} {escape(s.name)}</title></circle>")
        if i % every == 0 or i == n - 1:
            parts.append(f"<text x='{x:.1f}' y='{line_y + 26}' text-anchor='middle' "
                         f"font-size='{_LABEL_FONT}' fill='#1b1f24'>{escape(s.version)}</text>")
        parts.append("</g>")
    for version, envs in envs_at.items():
        x = xs[version]
        for level, env in enumerate(envs):
            w = max(36.0, _text_width(env, _FLAG_FONT) + 12)
            left = min(max(2.0, x - w / 2), width - w - 2)
            bottom = line_y - 11 - level * (_FLAG_H + _FLAG_GAP)
            top = bottom - _FLAG_H
            parts.append(f"<g class='sx-env' data-env='{escape(env)}' data-version='{escape(version)}'>"
                         f"<rect x='{left:.1f}' y='{top}' width='{w:.1f}' height='{_FLAG_H}' rx='4' "
                         f"fill='{env_colour(env)}'>"
                         f"<title>{escape(env)} runs {escape(version)}</title></rect>"
                         f"<text x='{left + w / 2:.1f}' y='{bottom - 5}' text-anchor='middle' "
                         f"font-size='{_FLAG_FONT}' font-weight='600' fill='#fff'>{escape(env)}</text></g>")
    return (f"{CSS}<div class='sx'><svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
            f"viewBox='0 0 {width} {height}' role='img' aria-label='schemax version timeline' "
            f"font-family='-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif'>{''.join(parts)}"
            f"</svg></div>")


__all__ = ["CSS", "ENV_PALETTE", "badge", "deployment_html", "env_badge", "env_colour", "env_label",
           "snapshots_html", "timeline_svg"]
