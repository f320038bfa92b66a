"""Expected state vs observed state -> :class:`~schemax.drift.report.DriftReport` (pure).

``compare(expected, observed)`` matches objects by their physical full names, case-insensitively (ids are
never compared: the observed state's ids are derived from names). ``expected`` is the environment's state
already mapped to physical names (:func:`schemax.drift.mapping.map_to_physical`); ``observed`` is what a
catalog reader returned (an :class:`~schemax.ports.ObservedCatalog` or a bare :class:`State`).

What is compared, and how each difference is reported (``issue`` / ``object_type`` / ``detail``):

* catalogs, schemas, tables, views, volumes, functions: ``missing`` / ``extra``; a missing container is one
  finding (its contents are not listed again), an extra one says how many objects it holds. An empty
  ``default`` schema (created by the engine with every catalog) and ``information_schema`` never count.
* tables: ``table type``, ``format``, ``location`` (only when the project declares one), ``comment``,
  ``partitioning``, ``clustering``, ``column order``.
* columns (``object_type="column"``): missing / extra / modified ``type`` (canonical types compared),
  ``nullability``, ``comment``, ``default``. A column renamed by hand is reported as one missing and one
  extra column: schemax does not guess renames, and says so in the detail.
* constraints: missing / extra / modified ``expression`` (CHECK, whitespace-insensitive), ``kind``,
  ``columns``, ``references``.
* properties (``object_type="property"``, ``detail`` = the key): only **declared** ones count: a key the
  project declares, or an observed key that is neither server-set nor ``schemax.*``
  (:mod:`schemax.drift.properties`).
* tags (``object_type="tag"``, ``detail`` = the key), where the reader can see tags.
* governance, where the reader can see it: grants (``object_type="grant"``, ``detail`` = the principal;
  ``missing`` when the principal holds nothing any more, ``modified`` with both privilege lists
  otherwise) on catalogs, schemas, tables, views, volumes and functions, for the principals the project
  declares on that object only (a principal it never mentions is not drift: the note says how many were
  left out); a table's row filter (``detail="row filter"``) and a column's mask (``detail="mask"``),
  compared by the function's full name (resolved in the table's schema) and the columns passed to it.
  ``ALL PRIVILEGES`` stands for every privilege it covers (it does not cover ``MANAGE`` and the
  ``EXTERNAL USE`` privileges).
* version drift: ``schemax.version`` against ``expected_version`` and ``schemax.hash`` against
  ``expected_hashes`` (physical full name -> hash of the logical table definition) are reported as
  ``modified`` on the table with ``detail`` ``schemax.version`` / ``schemax.hash``. No other ``schemax.*``
  property is ever drift.

Aspects the reader cannot see (``ObservedCatalog.unobserved``, e.g. ``tags`` on open-source Spark, and
``partial`` per object) are skipped, never reported as drift; the report lists them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from schemax.core import kinds
from schemax.core.model import (
    State,
)
from schemax.drift.compare.objects import _Comparer
from schemax.drift.compare.scope import _Scope
from schemax.drift.compare.text import ASPECTS
from schemax.drift.properties import is_declarable
from schemax.drift.report import DriftReport, sort_findings


def compare(
    expected: State,
    observed: Any,
    *,
    expected_version: str | None = None,
    expected_hashes: Mapping[str, str] | None = None,
    scope: Sequence[tuple[str, str | None]] | None = None,
    unobserved: Iterable[str] | None = None,
    environment: str = "",
) -> DriftReport:
    """Compare the expected (physical) state with what a catalog reader observed.

    ``observed`` is a :class:`State` or an :class:`~schemax.ports.ObservedCatalog` (whose ``unobserved``,
    ``partial``, ``notes``, ``unrepresentable`` and ``queries`` are carried into the report).
    ``scope``: (physical catalog, schema or None) pairs; only objects under them are compared (None:
    everything either side holds). ``unobserved``: extra aspects to skip (see :data:`ASPECTS`).
    """
    obs_state: State
    blind: set[str] = set(unobserved or ())
    partial: Mapping[str, frozenset[str]] = {}
    notes: tuple[str, ...] = ()
    unrepresentable: tuple[str, ...] = ()
    queries: int | None = None
    if isinstance(observed, State):
        obs_state = observed
    else:
        obs_state = observed.state
        blind |= set(getattr(observed, "unobserved", ()) or ())
        partial = dict(getattr(observed, "partial", {}) or {})
        notes = tuple(getattr(observed, "notes", ()) or ())
        unrepresentable = tuple(getattr(observed, "unrepresentable", ()) or ())
        queries = getattr(observed, "queries", None)
    comparer = _Comparer(
        expected,
        obs_state,
        expected_version=expected_version,
        expected_hashes=expected_hashes,
        scope=_Scope(scope),
        unobserved=frozenset(blind),
        partial=partial,
    )
    comparer.run()
    if comparer.undeclared_grants:
        notes = (
            *notes,
            f"grants of {comparer.undeclared_grants} principal(s) the project does not declare on the "
            "objects they hold them on were not compared (grant drift covers the principals it manages)",
        )
    return DriftReport(
        findings=sort_findings(comparer.findings),
        scanned={k: v for k, v in comparer.scanned.items()},
        expected_version=expected_version,
        notes=notes,
        unrepresentable=unrepresentable,
        unobserved=tuple(sorted(blind)),
        queries=queries,
        environment=environment,
    )


def declared_state(state: State) -> State:
    """An observed state as a project would declare it: server-set, ``schemax.*``, ``delta.constraints.*`` and
    ``clusteringColumns`` properties removed from tables and views (what an import records)."""
    maps: dict[str, Any] = {}
    for kind in kinds.top_level():
        objs = getattr(state, kind.state_field)
        if kind.namespace == kinds.TABLE.namespace:  # relations: their TBLPROPERTIES carry engine keys
            objs = {
                oid: obj.model_copy(
                    update={"properties": {k: v for k, v in obj.properties.items() if is_declarable(k)}}
                )
                for oid, obj in objs.items()
            }
        maps[kind.state_field] = dict(objs)
    return State(**maps)


__all__ = ["ASPECTS", "compare", "declared_state", "sort_findings"]
