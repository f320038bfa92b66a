"""View lineage, as the planner's API names it: it lives in :mod:`schemax.core.lineage`.

The analyzers and the planner both read lineage, so it sits below both (in ``core/``); this module
re-exports it so ``from schemax.plan.lineage import relations_read`` keeps working.
"""

from schemax.core.lineage import *  # noqa: F403 - a re-export of the lineage helpers
from schemax.core.lineage import __all__ as __all__
