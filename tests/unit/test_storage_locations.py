"""Per-environment storage (issue 11): location templates (``s3://${env.storage_root}/sales``) resolved with
each environment's variables in the plan, drift's expected state and an import; an undefined variable
refused before anything runs; the paths two environments would share listed project-wide."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "cases"))

import random_states as rs  # noqa: E402

import schemax  # noqa: E402
from helpers import CliRunner  # noqa: E402
from helpers import RecordingEngine as Engine  # noqa: E402
from profiles import examples  # noqa: E402
from schemax.adapters.memory import MemoryStore  # noqa: E402
from schemax.cli import EXIT_BLOCKED, EXIT_ERROR, EXIT_OK, EXIT_USAGE  # noqa: E402
from schemax.core.environment import Environment  # noqa: E402
from schemax.core.model import State  # noqa: E402
from schemax.core.naming import (  # noqa: E402
    Naming,
    SharedLocation,
    UnresolvedLocation,
    resolve_template,
    shared_locations,
    template_variables,
)
from schemax.drift.report import is_tracking_finding  # noqa: E402
from schemax.plan import Target, build_plan  # noqa: E402
from schemax.ports import ObservedCatalog  # noqa: E402
from schemax.services.drift import DriftService, align  # noqa: E402

DEV = {"storage_root": "acme-dev"}
PROD = {"storage_root": "acme-prod"}



def _design(p: schemax.Project) -> None:
    p.create_catalog("shop", managed_location="s3://${env.storage_root}/shop")
    p.create_schema("shop.sales", managed_location="s3://${env.storage_root}/shop/sales_managed")
    p.create_table("shop.sales.orders", [schemax.Column("id", "BIGINT", nullable=False)],
                   table_type="EXTERNAL", location="s3://${env.storage_root}/sales/orders")
    p.create_volume("shop.sales.landing", "EXTERNAL", "s3://${env.storage_root}/landing")


@pytest.fixture()
def engine() -> Engine:
    return Engine()


@pytest.fixture()
def project(engine: Engine) -> schemax.Project:
    p = schemax.Project.create(engine, "shop", store=MemoryStore(), author="designer")
    _design(p)
    p.add_environment("dev", {"shop": "dev_shop"}, variables=DEV)
    p.add_environment("prod", {"shop": "shop"}, variables=PROD)
    p.snapshot("v1", version="1.0.0")
    return p


def _locations(sql: str) -> list[str]:
    return re.findall(r"LOCATION '([^']*)'", sql)


# -- the template syntax ---------------------------------------------------------------------------------

def test_only_env_references_are_resolved_and_a_lone_dollar_stays() -> None:
    assert template_variables("s3://${env.a}/${env.b_2}/${env.a}") == ("a", "b_2")
    assert resolve_template("s3://${env.a}/x/${env.b_2}", {"a": "A", "b_2": "B"}) == "s3://A/x/B"
    for literal in ("s3://bucket/$x/sales", "abfss://c@a.dfs.core.windows.net/a$", "s3://b/{x}", "/tmp/$"):
        assert template_variables(literal) == () and resolve_template(literal, {}) == literal
    for bad in ("s3://${storage_root}/x", "s3://${env.}/x", "s3://${env.a-b}/x", "s3://${env.a/x",
                "s3://${ env.a }/x", "s3://${env:HOME}/x"):
        with pytest.raises(schemax.LocationTemplateError) as info:
            resolve_template(bad, {"a": "A", "storage_root": "r"}, environment="dev", object_name="shop")
        assert not isinstance(info.value, schemax.UnknownVariableError)
        assert info.value.template == bad and info.value.environment == "dev"


def test_an_unknown_variable_names_itself_the_environment_and_the_object() -> None:
    naming = Environment(name="test", variables={"other": "x"}).naming
    with pytest.raises(schemax.UnknownVariableError) as info:
        naming.resolve_location("s3://${env.storage_root}/sales", "shop.sales.orders")
    err = info.value
    assert (err.variable, err.environment, err.object_name, err.known) == (
        "storage_root", "test", "shop.sales.orders", ["other"])
    assert "env set test --var storage_root=VALUE" in err.cli_message()
    assert isinstance(err, schemax.LocationTemplateError) and not err.blocked


def test_a_naming_without_variables_keeps_locations_as_written() -> None:
    p = schemax.Project.create(None, "shop", store=MemoryStore(), author="d")
    _design(p)
    state = p.state()
    kept = Naming({"shop": "dev_shop"}).map_state(state)
    assert [t.location for t in kept.tables.values()] == ["s3://${env.storage_root}/sales/orders"]
    resolved = Naming({"shop": "dev_shop"}, variables=DEV).map_state(state)
    assert [c.managed_location for c in resolved.catalogs.values()] == ["s3://acme-dev/shop"]
    assert [s.managed_location for s in resolved.schemas.values()] == ["s3://acme-dev/shop/sales_managed"]
    assert [t.location for t in resolved.tables.values()] == ["s3://acme-dev/sales/orders"]
    assert [v.location for v in resolved.volumes.values()] == ["s3://acme-dev/landing"]
    assert Naming().is_identity and Naming(variables={}).is_identity
    assert not Naming(variables=DEV).is_identity
    # an environment's naming always resolves (no variables: a template is an error, not a literal)
    with pytest.raises(schemax.UnknownVariableError):
        Environment(name="bare").naming.map_state(state)


# -- the plan ----------------------------------------------------------------------------------------------

def test_the_same_design_planned_for_dev_and_prod_gets_each_environments_paths(
        project: schemax.Project) -> None:
    dev, prod = project.plan("dev").sql, project.plan("prod").sql
    assert _locations(dev) == ["s3://acme-dev/shop", "s3://acme-dev/shop/sales_managed",
                               "s3://acme-dev/sales/orders", "s3://acme-dev/landing"]
    assert _locations(prod) == [loc.replace("acme-dev", "acme-prod") for loc in _locations(dev)]
    assert "${" not in dev + prod and "\\u0024{" not in dev + prod
    assert "CREATE CATALOG IF NOT EXISTS `dev_shop` MANAGED LOCATION 's3://acme-dev/shop'" in dev
    assert "CREATE EXTERNAL VOLUME IF NOT EXISTS `shop`.`sales`.`landing` LOCATION 's3://acme-prod/landing'" \
        in prod
    # the version tracking hashes the design, so both environments' tables carry one hash
    hashes = {re.search(r"'schemax.hash' = '([0-9a-f]+)'", s).group(1) for s in (dev, prod)}  # type: ignore[union-attr]
    assert len(hashes) == 1
    assert json.loads(project.plan("dev").to_json())["target"]["variables"] == DEV
    # in logical names (no environment) the template stays, escaped against Spark's substitution
    assert _locations(project.diff(None).sql)[0] == "s3://\\u0024{env.storage_root}/shop"


def test_an_unknown_variable_is_refused_before_anything_runs(project: schemax.Project,
                                                              engine: Engine) -> None:
    project.add_environment("test", {"shop": "test_shop"}, variables={"root": "acme-test"})
    with pytest.raises(schemax.UnknownVariableError) as info:
        project.plan("test")
    assert (info.value.variable, info.value.environment) == ("storage_root", "test")
    with pytest.raises(schemax.UnknownVariableError):
        project.deploy("test")
    assert not any("test_shop" in s for s in engine.sql)  # no statement for the environment ran
    assert project.store.read_deployments(project.name, "test") == []  # nor was a deployment recorded
    # nothing was left behind either (no lock, no half-written record): with the variable it deploys
    project.update_environment("test", variables={"storage_root": "acme-test"})
    dep = project.deploy("test")
    assert dep.status == "success" and "s3://acme-test/sales/orders" in dep.statements[2].sql


def test_a_changed_template_plans_the_resolved_change(project: schemax.Project) -> None:
    before = project.state()
    sid = next(iter(before.schemas))
    after = before.model_copy(update={"schemas": {sid: before.schemas[sid].evolve(
        managed_location="s3://${env.storage_root}/shop/sales_v2")}})
    plan = build_plan(before, after, Target.of(project.environment("prod").naming))
    assert [s.sql for s in plan.statements] == [
        "ALTER SCHEMA `shop`.`sales` SET MANAGED LOCATION 's3://acme-prod/shop/sales_v2'"]
    # the same template under other variables is no change: a plan resolves both sides alike
    assert build_plan(before, before, Target.of(project.environment("dev").naming)).is_empty


PICKS = st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 2**32)), max_size=10)
SETTINGS = settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _templated(state: State) -> State:
    """``state`` with a template location on every catalog, schema, external table and volume."""
    def loc(kind: str, oid: str) -> str:
        return f"s3://${{env.storage_root}}/{kind}/{oid}/$literal"

    return State(
        catalogs={i: c.evolve(managed_location=loc("c", i)) for i, c in state.catalogs.items()},
        schemas={i: s.evolve(managed_location=loc("s", i)) for i, s in state.schemas.items()},
        tables={i: t.evolve(location=loc("t", i)) if t.table_type == "EXTERNAL" else t
                for i, t in state.tables.items()},
        views=dict(state.views),
        volumes={i: v.evolve(volume_type="EXTERNAL", location=loc("v", i)) for i, v in state.volumes.items()},
        functions=dict(state.functions))


@SETTINGS
@given(PICKS)
def test_plan_of_a_templated_state_against_itself_is_empty(picks: list[tuple[int, int]]) -> None:
    a = _templated(rs.evolve(rs.base(), picks, rs.ALL_MUTATIONS))
    plan = build_plan(a, a, Target({"shop": "dev_shop"}, variables=DEV))
    assert plan.is_empty and plan.statements == () and plan.findings == ()


@SETTINGS
@given(PICKS, PICKS)
def test_planning_templates_is_planning_the_resolved_states(picks_a: list[tuple[int, int]],
                                                            picks_b: list[tuple[int, int]]) -> None:
    p = rs.base()
    a = _templated(p.state())
    b = _templated(rs.evolve(p, picks_a + picks_b, rs.ALL_MUTATIONS))
    naming = Naming({"shop": "dev_shop"}, "pr_", variables=DEV)
    templated = build_plan(a, b, Target({"shop": "dev_shop"}, "pr_", variables=DEV))
    resolved = build_plan(naming.map_locations(a), naming.map_locations(b),
                          Target({"shop": "dev_shop"}, "pr_"))
    assert [s.sql for s in templated.statements] == [s.sql for s in resolved.statements]
    assert all("${" not in s.sql and "\\u0024{" not in s.sql for s in templated.statements)


# -- drift and import ----------------------------------------------------------------------------------

class Reader:
    def __init__(self, state: State) -> None:
        self.state = state

    def read(self, scope: Any) -> ObservedCatalog:
        return ObservedCatalog(state=self.state)


def _live(project: schemax.Project, env: str, **paths: str) -> State:
    """What the environment holds: the design with every location resolved, or the ``paths`` given (table
    location, with a trailing slash as a catalog may report it)."""
    physical = project.environment(env).naming.map_state(project.state())
    tid = next(iter(physical.tables))
    table = physical.tables[tid]
    location = paths.get("table", f"{table.location}/")
    return physical.model_copy(update={"tables": {tid: table.evolve(location=location)}})


def _service(project: schemax.Project, engine: Engine, live: State) -> DriftService:
    record = project.store.get_project(project.name)
    from schemax.records import ProjectRecords
    return DriftService(ProjectRecords(project.store, record), engine, author="t", reader=Reader(live))


def test_drift_of_a_resolved_location_is_clean_and_another_environments_path_is_drift(
        project: schemax.Project, engine: Engine) -> None:
    project.deploy("dev")
    clean = _service(project, engine, _live(project, "dev")).check("dev", record=False)
    assert [f for f in clean.findings if not is_tracking_finding(f)] == []
    moved = _live(project, "dev", table="s3://acme-prod/sales/orders")
    report = _service(project, engine, moved).check("dev", record=False)
    found = [f for f in report.findings if not is_tracking_finding(f)]
    assert [(f.detail, f.expected, f.actual) for f in found] == [
        ("location", "s3://acme-dev/sales/orders", "s3://acme-prod/sales/orders")]


def test_an_import_keeps_the_template_where_it_resolves_to_the_observed_path(
        project: schemax.Project) -> None:
    env = project.environment("dev")
    reference = project.state()
    kept = align(_live(project, "dev"), reference, env)
    assert [t.location for t in kept.tables.values()] == ["s3://${env.storage_root}/sales/orders"]
    other = align(_live(project, "dev", table="s3://elsewhere/orders"), reference, env)
    assert [t.location for t in other.tables.values()] == ["s3://elsewhere/orders"]
    # the live catalog read back is the working state (locations and all)
    assert kept.tables == reference.tables and kept.volumes == reference.volumes


# -- the paths environments would share ----------------------------------------------------------------------

def test_environments_resolving_to_one_path_are_a_finding(project: schemax.Project) -> None:
    assert project.location_findings() == []
    project.add_environment("qa", {"shop": "qa_shop"}, variables={"storage_root": "acme-dev"})
    found = project.location_findings()
    assert all(isinstance(f, SharedLocation) for f in found)
    assert {frozenset(f.environments) for f in found} == {frozenset(("dev", "qa"))}  # type: ignore[union-attr]
    same = {f.objects for f in found if f.same}  # type: ignore[union-attr]
    assert same == {(o, o) for o in ("shop", "shop.sales", "shop.sales.orders", "shop.sales.landing")}
    # and each environment's catalog storage holds the other's schema storage (the outer path first)
    assert sorted((f.environments, f.objects) for f in found if not f.same) == [  # type: ignore[union-attr]
        (("dev", "qa"), ("shop", "shop.sales")), (("qa", "dev"), ("shop", "shop.sales"))]
    assert "shared-location: environments 'dev' and 'qa' resolve shop.sales.landing to the same path" in \
        str(found[0])
    project.update_environment("qa", variables={"storage_root": "acme-dev/shop/qa"})
    nested = project.location_findings()  # every qa path lies inside dev's catalog storage
    assert [(f.environments, f.path, f.objects[1], f.same) for f in nested] == [  # type: ignore[union-attr]
        (("dev", "qa"), "s3://acme-dev/shop", o, False)
        for o in ("shop.sales.landing", "shop.sales.orders", "shop", "shop.sales")]
    project.update_environment("qa", variables={"storage_root": "acme-qa"})
    assert project.location_findings() == []
    project.update_environment("qa", variables={})
    missing = project.location_findings()
    assert missing and all(isinstance(f, UnresolvedLocation) and f.environment == "qa" for f in missing)
    assert all(isinstance(f.error, schemax.UnknownVariableError) for f in missing)  # type: ignore[union-attr]


def test_a_literal_location_is_shared_by_every_pair_of_environments() -> None:
    p = schemax.Project.create(None, "shop", store=MemoryStore(), author="d")
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.create_table("shop.sales.t", [schemax.Column("id", "BIGINT")], table_type="EXTERNAL",
                   location="s3://one/bucket/t/")
    for env in ("dev", "test", "prod"):
        p.add_environment(env, {"shop": f"{env}_shop"})
    found = p.location_findings()
    assert [(f.environments, f.path) for f in found] == [  # type: ignore[union-attr]
        (("dev", "prod"), "s3://one/bucket/t"), (("dev", "test"), "s3://one/bucket/t"),
        (("prod", "test"), "s3://one/bucket/t")]
    assert p.location_findings(environments=["dev"]) == []
    assert json.loads(json.dumps(found[0].to_dict()))["code"] == "shared-location"


def test_sibling_paths_with_a_common_prefix_are_not_shared() -> None:
    p = schemax.Project.create(None, "x", store=MemoryStore(), author="d")
    p.create_catalog("c", managed_location="s3://b/${env.r}")
    state = p.state()
    shared, unresolved = shared_locations(state, {"a": Naming(variables={"r": "sales"}),
                                                  "b": Naming(variables={"r": "sales-eu"})})
    assert shared == [] and unresolved == []
    shared, _ = shared_locations(state, {"a": Naming(variables={"r": "sales"}),
                                         "b": Naming(variables={"r": "sales/eu"})})
    assert [(s.path, s.other_path, s.same) for s in shared] == [("s3://b/sales", "s3://b/sales/eu", False)]


# -- settings: the API and the command line -----------------------------------------------------------------

def test_bad_variables_are_refused_and_nothing_is_saved(project: schemax.Project) -> None:
    for bad in ({"storage-root": "x"}, {"1st": "x"}, {"root": ""}, {"root": "a${env.b}"}, {"root": "a\nb"}):
        with pytest.raises(schemax.ValidationError):
            project.update_environment("dev", variables=bad)
        with pytest.raises(schemax.ValidationError):
            project.add_environment("new", variables=bad)
    assert project.environment("dev").variables == DEV and "new" not in project.environments()


def test_variables_are_left_out_of_the_record_when_empty(project: schemax.Project) -> None:
    project.add_environment("plain", {"shop": "plain_shop"})
    record = project.store.get_project(project.name)
    assert "variables" not in record.environments["plain"]  # type: ignore[union-attr]
    assert record.environments["dev"]["variables"] == DEV  # type: ignore[union-attr]


def test_design_files_pass_templates_through(project: schemax.Project, tmp_path: Path) -> None:
    written = project.export_design(tmp_path)
    text = "".join(Path(f).read_text(encoding="utf-8") for f in written)
    assert "s3://${env.storage_root}/sales/orders" in text
    other = schemax.Project.create(None, "copy", store=MemoryStore(), author="d")
    other.sync(tmp_path)
    assert [t.location for t in other.state().tables.values()] == ["s3://${env.storage_root}/sales/orders"]
    assert [v.location for v in other.state().volumes.values()] == ["s3://${env.storage_root}/landing"]
    # the plan of design files not recorded yet resolves them for the environment, like a deploy's plan
    for env in ("dev", "prod"):
        designed = _locations(project.plan_design(env, tmp_path).sql)
        assert designed == _locations(project.plan(env).sql) and all(f"acme-{env}/" in x for x in designed)


@pytest.fixture()
def cli(monkeypatch: pytest.MonkeyPatch, project: schemax.Project, engine: Engine) -> CliRunner:
    return CliRunner(monkeypatch, engine, project.store)


def test_env_commands_set_variables_and_check_shared_paths(cli: CliRunner, project: schemax.Project) -> None:
    code, out, err = cli("env", "add", "qa", "--catalog", "shop:qa_shop", "--var", "storage_root=acme-dev")
    assert code == EXIT_OK, err
    assert "variables storage_root=acme-dev" in out and "warning: shared-location" in err
    code, out, _ = cli("env", "check")
    assert code == EXIT_BLOCKED and "environments 'dev' and 'qa'" in out
    code, out, err = cli("env", "set", "qa", "--var", "storage_root=acme-qa", "--json")
    doc = json.loads(out)
    assert code == EXIT_OK and doc["warnings"] == [] and doc["environment"]["variables"] == {
        "storage_root": "acme-qa"}
    code, out, _ = cli("env", "check", "--json")
    assert code == EXIT_OK and json.loads(out)["findings"] == []
    code, _, err = cli("env", "set", "qa", "--var", "novalue")
    assert code == EXIT_USAGE and "NAME=VALUE" in err
    code, _, err = cli("env", "set", "qa", "--unset-var", "nope")
    assert code == EXIT_USAGE and "no such variable" in err
    code, out, err = cli("env", "set", "qa", "--unset-var", "storage_root")
    assert code == EXIT_OK and "unresolved-location" in err
    assert project.environment("qa").variables == {}
    code, out, err = cli("plan", "qa")
    assert code == EXIT_ERROR and "storage_root" in err and "--var storage_root=VALUE" in err
