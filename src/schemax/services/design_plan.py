"""The plan of a design not recorded yet: what deploying the design files to an environment would run.

A pull request changes the design files; before they are merged (and synced into the log) a reviewer
wants the plan they lead to. :func:`plan_design` syncs the files onto the project's working state in
memory (nothing is recorded) and plans from what the environment runs (its last successful deployment) to
that state, like a deploy's plan. The plan's ``to_version`` is ``"design"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from schemax.core.environment import Environment
from schemax.core.model import State
from schemax.design import DesignFile, target_state
from schemax.plan import Plan, Target, Tracking, build_plan
from schemax.plan.saved import PLANNED
from schemax.services.deploy import Deployer

DESIGN_VERSION_LABEL = "design"


def plan_design(deployer: Deployer, env: Environment, working: State,
                documents: Sequence[DesignFile]) -> Plan:
    """The plan from ``env``'s deployed state to ``working`` with ``documents`` synced onto it, rendered
    for the deployer's engine. DesignFileError as for a sync."""
    current = deployer.deployed(env.name)
    state = target_state(working, documents)
    tracking = Tracking(version=DESIGN_VERSION_LABEL, environment=env.name, deployment_id=PLANNED,
                        deployed_at=PLANNED)  # deterministic: the same files comment the same plan
    target = Target.of(env.naming, tracking)  # the environment's naming: principals, variables too
    kwargs: dict[str, Any] = {}
    if deployer.capabilities is not None:
        kwargs["capabilities"] = deployer.capabilities
    return build_plan(current.state, state, target, from_version=current.version,
                      to_version=DESIGN_VERSION_LABEL, **kwargs)


__all__ = ["DESIGN_VERSION_LABEL", "plan_design"]
