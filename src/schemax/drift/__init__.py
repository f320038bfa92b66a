"""Drift: what the live catalog holds versus what an environment should hold (pure: no pyspark, no SDK).

- :func:`map_to_physical` turns a project's state into the environment's physical names;
- catalog readers (``schemax.adapters.catalog_spark`` / ``catalog_uc``) return an
  :class:`~schemax.ports.ObservedCatalog` built with :class:`ObservedStateBuilder`;
- :func:`compare` produces a :class:`DriftReport` of :class:`DriftFinding` s.
"""

from schemax.drift.compare import ASPECTS, compare, declared_state
from schemax.drift.mapping import map_to_physical, scope_of, table_hashes
from schemax.drift.observed import ObservedStateBuilder, observed_id
from schemax.drift.properties import declared_properties, is_declarable, is_server_set
from schemax.drift.report import DriftFinding, DriftReport

__all__ = [
    "ASPECTS",
    "DriftFinding",
    "DriftReport",
    "ObservedStateBuilder",
    "compare",
    "declared_properties",
    "declared_state",
    "is_declarable",
    "is_server_set",
    "map_to_physical",
    "observed_id",
    "scope_of",
    "table_hashes",
]
