"""The migration planner: state diff → ordered changes → Databricks SQL, with findings (pure: no Spark).

    from schemax.plan import plan
    p = plan(before_state, after_state, catalogs={"shop": "dev_shop"})
    print(p.sql)
    p.breaking_changes

Modules: :mod:`~schemax.plan.diff`, :mod:`~schemax.plan.order`, :mod:`~schemax.plan.render` (a package:
one renderer module per object family), :mod:`~schemax.plan.capabilities`, :mod:`~schemax.plan.apply` and
:mod:`~schemax.plan.plan` (its review screen is :mod:`schemax.display.plan`). The change vocabulary and
view lineage live below the analyzers, in :mod:`schemax.core.changes` and :mod:`schemax.core.lineage`
(re-exported as ``schemax.plan.changes`` and ``schemax.plan.lineage``).

``schemax.plan`` as an attribute of the top-level package is the notebook shortcut (``schemax.plan("prod")``,
bound in ``schemax/__init__.py``); import this package by name: ``from schemax.plan import build_plan``.
"""

from schemax.core.changes import Change, ColumnFlag, ObjectFlag
from schemax.plan.apply import apply_changes
from schemax.plan.capabilities import OSS_DELTA, UNITY_CATALOG, EngineCapabilities, detect_capabilities
from schemax.plan.diff import attach_op_ids, diff
from schemax.plan.order import order_changes
from schemax.plan.plan import Plan, build_plan, build_plan_between, plan
from schemax.plan.statements import Risk, Statement, Target, Tracking

__all__ = [
    "OSS_DELTA",
    "UNITY_CATALOG",
    "Change",
    "ColumnFlag",
    "EngineCapabilities",
    "ObjectFlag",
    "Plan",
    "Risk",
    "Statement",
    "Target",
    "Tracking",
    "apply_changes",
    "attach_op_ids",
    "build_plan",
    "build_plan_between",
    "detect_capabilities",
    "diff",
    "order_changes",
    "plan",
]

