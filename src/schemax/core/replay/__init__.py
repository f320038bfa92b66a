"""Applying ops to a state: the one interpreter that gives ops their meaning.

``replay(ops)`` is a pure fold from the empty state. Internally a :class:`StateBuilder` holds mutable maps
of immutable objects so that 100,000 ops replay in linear time; every handler validates the op completely
before it changes anything, so a rejected op leaves the builder exactly as it was.

Replay gives every op, old logs included, the meaning it had when it was recorded. The Unity Catalog
rules (:mod:`schemax.core.uc_rules`) are checked on top when a *new* op is recorded
(:meth:`StateBuilder.record`), so a rule added later never changes the state an existing log replays to.

Layout: ``builder.py`` (StateBuilder, the op kind -> handler registry, ``replay``), ``checks.py`` (the
validation the handlers share), then one module of handlers per family: ``catalogs.py`` (and schemas),
``tables.py``, ``columns.py``, ``constraints.py``, ``objects.py`` (views, volumes, functions),
``governance.py`` (tags, owners, grants). Every op kind has a handler: checked when this package loads.
"""

from __future__ import annotations

from schemax.core import ops as _ops
from schemax.core.registry import require_complete
from schemax.core.replay import catalogs, columns, constraints, governance, objects, tables  # noqa: F401 - handlers
from schemax.core.replay.builder import _HANDLERS, ENGINE_RESERVED_PROPERTIES, StateBuilder, replay

require_complete(_HANDLERS, _ops.OP_PAYLOADS, "op kinds without a state handler")

__all__ = ["ENGINE_RESERVED_PROPERTIES", "StateBuilder", "replay"]
