"""HTML for notebooks: deployment history, snapshot lists, the version timeline and the plan review screen.

Everything is self-contained (inline CSS, inline SVG), escapes every value, and renders the same in a
Databricks notebook, Jupyter, or a plain browser. The package sits just above the core in the dependency
order (planner and services → display → core): it reads the records and plans it is given and never
imports the planner, services or adapters at runtime.

Modules: :mod:`~schemax.display.history` (deployments, snapshots, timeline),
:mod:`~schemax.display.plan` (the review screen of a plan, with a preflight's evidence when it has one),
:mod:`~schemax.display.markdown` (a plan as Markdown, for a pull-request comment) and
:mod:`~schemax.display.preflight` (a preflight's and a rehearsal's results).
"""

from schemax.display.history import (
    CSS,
    ENV_PALETTE,
    badge,
    deployment_html,
    env_badge,
    env_colour,
    env_label,
    snapshots_html,
    timeline_svg,
)
from schemax.display.markdown import plan_markdown
from schemax.display.plan import EVIDENCE_CSS, PLAN_CSS, evidence_html, plan_html
from schemax.display.preflight import REHEARSAL_CSS, preflight_html, rehearsal_html

__all__ = [
    "CSS",
    "ENV_PALETTE",
    "EVIDENCE_CSS",
    "PLAN_CSS",
    "REHEARSAL_CSS",
    "badge",
    "deployment_html",
    "env_badge",
    "env_colour",
    "env_label",
    "evidence_html",
    "plan_html",
    "plan_markdown",
    "preflight_html",
    "rehearsal_html",
    "snapshots_html",
    "timeline_svg",
]
