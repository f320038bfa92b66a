"""The migration planner: state diff → ordered changes → Databricks SQL, with findings (pure: no Spark).

    from schemax.plan import plan
    p = plan(before_state, after_state, catalogs={"shop": "dev_shop"})
    print(p.sql)
    p.breaking_changes

Modules: :mod:`~schemax.plan.changes` (the change vocabulary), :mod:`~schemax.plan.diff`,
:mod:`~schemax.plan.order`, :mod:`~schemax.plan.render` (a package: one renderer module per object
family), :mod:`~schemax.plan.lineage`, :mod:`~schemax.plan.capabilities`, :mod:`~schemax.plan.apply` and
:mod:`~schemax.plan.plan` (its review screen is :mod:`schemax.display.plan`).
"""

from schemax.plan.apply import apply_changes
from schemax.plan.capabilities import OSS_DELTA, UNITY_CATALOG, EngineCapabilities, detect_capabilities
from schemax.plan.changes import Change, ColumnFlag, ObjectFlag
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


# ``schemax.plan`` is both this package and the notebook shortcut ``schemax.plan("prod")``: calling the
# module with an environment name plans a deployment (schemax.shortcuts.plan); calling it with two
# states plans between them (plan() above).
import sys as _sys
import types as _types


class _CallableModule(_types.ModuleType):
    def __call__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if args and isinstance(args[0], str):
            from schemax.shortcuts import plan as plan_environment

            return plan_environment(*args, **kwargs)
        return plan(*args, **kwargs)


_sys.modules[__name__].__class__ = _CallableModule
