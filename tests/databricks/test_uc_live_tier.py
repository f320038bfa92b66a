"""The live tier: every Unity Catalog statement class schemax emits, deployed and read back on a workspace.

Skipped unless DATABRICKS_HOST and DATABRICKS_WAREHOUSE_ID are set (see ``docs/unity-catalog.md``,
"Running the live tier"). One scenario (``uc_scenario``) runs once per module: a project with random names
in a scratch catalog, deployed (``v1``), read back, changed (``v2``), governance changed by hand and put
back, rolled back to ``v1``; the scratch catalog and the store schema are dropped at the end, whatever
happened. Each statement class is its own case (``test_statement_class[grants]``, ...), and so is each
read-back, each drift scan and the hand-made governance changes, so a failure names what broke.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest
import uc_scenario as sc
from live import CATALOG, MARKS, statement_executor

from schemax.drift.observed import observed_id
from schemax.plan.capabilities import CAPABILITIES, UNITY_CATALOG

pytestmark = MARKS

CLASSES = sorted(UNITY_CATALOG.supported)
STAGES = ("v1", "v2", "rollback")
#: the row filter and mask functions orders carries after each stage
GOVERNANCE = {
    "v1": ("only_mine", "mask_email"),
    "v2": ("only_recent", "mask_all"),
    "rollback": ("only_mine", "mask_email"),
}
#: what a reader must see on this workspace (the deployer owns every object it created)
MUST_SEE = frozenset(
    {"grants", "row_filters", "column_masks", "tags", "view_definition", "volumes", "functions"}
)


@pytest.fixture(scope="module")
def scenario() -> Iterator[sc.Scenario]:
    sdk = pytest.importorskip("databricks.sdk")
    workspace = sdk.WorkspaceClient()
    run = sc.Scenario(statement_executor(workspace), workspace, sc.Names.fresh(CATALOG))
    try:
        yield run.run()
    finally:
        for problem in run.cleanup():
            warnings.warn(f"live tier cleanup: {problem}", stacklevel=1)


def _reached(scenario: sc.Scenario, stage: str) -> sc.Stage:
    result = scenario.stages.get(stage)
    if result is None or result.error is not None:
        pytest.fail(f"stage {stage} did not complete: {result.error if result else scenario.stopped}")
    return result


@pytest.mark.parametrize("capability", CLASSES)
def test_statement_class(scenario: sc.Scenario, capability: str) -> None:
    """Every statement of this class that the scenario planned ran on the warehouse, and at least one did."""
    why = sc.optional_missing(capability)
    if why:
        pytest.skip(f"{capability}: {why}")
    outcome = scenario.outcome(capability)
    assert not outcome.failed, "\n".join(outcome.failed)
    stopped = f" (the scenario stopped early: {scenario.stopped})" if scenario.stopped else ""
    assert outcome.ran, f"no {capability} statement ({CAPABILITIES[capability]}) ran{stopped}"


@pytest.mark.parametrize("stage", STAGES)
def test_read_back_matches_the_deployment(scenario: sc.Scenario, stage: str) -> None:
    """The Unity Catalog reader sees what the deployment declared: the whole catalog compares clean, and
    nothing was skipped as unobserved (the deployer owns every object, so nothing is hidden from it)."""
    result = _reached(scenario, stage)
    observed: Any = result.observed
    assert not (MUST_SEE & observed.unobserved), observed.unobserved
    cat = scenario.names.catalog
    ours = {cat, f"{cat}.sales"}  # the catalog, and what the project declares (not the engine's `default`)
    hidden = {
        name: set(aspects) - {"column_defaults"}
        for name, aspects in observed.partial.items()
        if name in ours or name.startswith(f"{cat}.sales.")
    }
    assert not {n: a for n, a in hidden.items() if a}, hidden
    if any("column_defaults" in a for a in observed.partial.values()):
        warnings.warn(
            "column defaults are not observable on this workspace (COLUMN_DEFAULT is NULL)", stacklevel=1
        )
    assert result.findings == [], "\n".join(str(f) for f in result.findings)

    orders = observed.state.tables[observed_id("table", cat, "sales", "orders")]
    row_filter, mask = GOVERNANCE[stage]
    assert orders.row_filter is not None and orders.row_filter.function.endswith(f"`{row_filter}`")
    email = orders.column_named("email")
    assert email is not None and email.mask is not None and email.mask.function.endswith(f"`{mask}`")
    assert scenario.names.principal in orders.grants
    assert {c.kind for c in orders.constraints} == {"primary_key", "foreign_key", "check"}
    view = observed.state.views[observed_id("view", cat, "sales", "big_orders")]
    assert view.grants and view.tags and view.definition


@pytest.mark.parametrize("stage", STAGES)
def test_drift_scan_is_clean(scenario: sc.Scenario, stage: str) -> None:
    report = _reached(scenario, stage).drift
    assert not report.drifted, report.summary()


def test_hand_made_governance_changes_are_drift(scenario: sc.Scenario) -> None:
    """A revoked grant, a dropped row filter and a dropped mask show as drift; put back by hand, clean."""
    result = _reached(scenario, "hand")
    cat, who = scenario.names.catalog, scenario.names.principal
    orders = f"{cat}.sales.orders"
    got = {(f.object_type, f.object_name, f.detail) for f in result.drift.findings}
    assert got >= {
        ("grant", orders, who),
        ("table", orders, "row filter"),
        ("column", f"{orders}.email", "mask"),
    }, result.drift.summary()
    assert not result.restored.drifted, result.restored.summary()


#: the statement shapes issue 11 added (core/uc_statements.py SHAPES): each ran in the scenario, none failed
ISSUE11_SHAPES = (
    "add-key-options", "cluster-by-auto", "owner-schema", "owner-table", "owner-view", "owner-volume",
)


@pytest.mark.parametrize("shape", ISSUE11_SHAPES)
def test_issue11_statement_shape(scenario: sc.Scenario, shape: str) -> None:
    """RELY / TIMESERIES keys, CLUSTER BY AUTO and SET OWNER TO ran on the warehouse (owners only with
    ``SCHEMAX_TEST_OWNER``: handing ownership to anyone but yourself or your group needs a metastore
    admin)."""
    if shape.startswith("owner-") and not scenario.names.owner:
        pytest.skip(f"{shape}: {sc.optional_missing('owner')}")
    outcome = scenario.shapes.get(shape, sc.Outcome())
    assert not outcome.failed, "\n".join(outcome.failed)
    assert outcome.ran, f"no {shape} statement ran" + (f" ({scenario.stopped})" if scenario.stopped else "")


def test_issue11_attributes_read_back(scenario: sc.Scenario) -> None:
    """What v1 declared is what the Unity Catalog reader sees: key options from the API's TableInfo, AUTO
    from clusterByAuto, identity and generation expressions from the columns' type_json, declared owners."""
    observed: Any = _reached(scenario, "v1").observed
    cat = scenario.names.catalog
    ticks = observed.state.tables[observed_id("table", cat, "sales", "ticks")]
    (pk,) = [c for c in ticks.constraints if c.kind == "primary_key"]
    assert pk.rely and ticks.column(pk.timeseries).name == "ts"
    marks = observed.state.tables[observed_id("table", cat, "sales", "tick_marks")]
    assert all(c.rely for c in marks.constraints if c.kind == "foreign_key")
    ident = ticks.column_named("id").identity
    assert ident is not None and ident.always and (ident.start, ident.step) == (1, 1)
    assert (ticks.column_named("day").generated or "").replace(" ", "").lower() == "cast(tsasdate)"
    assert observed.state.tables[observed_id("table", cat, "sales", "auto_events")].cluster_auto
    if scenario.names.owner:
        customers = observed.state.tables[observed_id("table", cat, "sales", "customers")]
        assert (customers.owner or "").lower() == scenario.names.owner.lower()
