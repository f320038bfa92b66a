"""The change vocabulary, as the planner's API names it: it lives in :mod:`schemax.core.changes`.

The analyzers read the vocabulary and the planner calls the analyzers, so the vocabulary sits below
both (in ``core/``); this module re-exports it so ``from schemax.plan.changes import AddColumn`` and
``from schemax.plan import changes`` keep working.
"""

from schemax.core.changes import *  # noqa: F403 - a re-export of the whole vocabulary
from schemax.core.changes import __all__ as __all__
