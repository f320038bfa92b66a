"""Issue 11: Unity Catalog attributes schemax expresses: key constraint options (RELY, NOT ENFORCED,
TIMESERIES), CLUSTER BY AUTO, ownership, identity and generated columns.

Each attribute goes op -> replay -> diff -> SQL -> findings -> design file -> drift; an attribute that is
unset leaves the canonical JSON (op payloads, state hashes, golden files) exactly as it was before it existed.
"""

from __future__ import annotations

import types
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schemax
from profiles import examples
from schemax.adapters.uc_info_schema import constraints_from_sdk
from schemax.analyze import analyze
from schemax.core.hashing import canonical_json
from schemax.core.model import State
from schemax.design import design_documents, dump_design, load_design, sync_ops
from schemax.drift import ObservedStateBuilder, compare
from schemax.drift.observed import ColumnSpec, ConstraintSpec
from schemax.errors import ValidationError
from schemax.plan import UNITY_CATALOG, Target, apply_changes, build_plan, diff
from schemax.plan.to_ops import ops_between

COL = schemax.Column
TARGET = Target(catalogs={"shop": "dev_shop"})


def project() -> schemax.Project:
    p = schemax.Project.in_memory("shop", author="t")
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.create_table(
        "shop.sales.readings",
        [
            COL("sensor_id", "BIGINT", nullable=False),
            COL("ts", "TIMESTAMP", nullable=False),
            COL("v", "DOUBLE"),
        ],
    )
    p.create_table("shop.sales.marks", [COL("sensor_id", "BIGINT"), COL("ts", "TIMESTAMP")])
    return p


def table(state: State, name: str) -> Any:
    return next(t for t in state.tables.values() if t.name == name)


def sql_of(before: State, after: State) -> list[str]:
    return [s.sql for s in build_plan(before, after, TARGET, capabilities=UNITY_CATALOG).statements]


def export_and_sync(state: State) -> State:
    """The state written as design files, then synced into an empty project."""
    files = [load_design(dump_design(document), f"{stem}.yml") for stem, document in design_documents(state)]
    fresh = schemax.Project.in_memory("shop", author="t")
    fresh.record_ops(sync_ops(fresh.state(), files, author="t"))
    return fresh.state()


# -- 1. key constraint options ---------------------------------------------------------------------------


def test_a_key_without_options_dumps_and_records_as_before() -> None:
    p = project()
    before = p.state()
    p.add_primary_key("shop.sales.readings", ["sensor_id", "ts"])
    con = table(p.state(), "readings").constraints[0]
    keys = {"id", "name", "kind", "columns", "ref_table", "ref_columns", "expression"}
    assert set(con.model_dump()) == keys
    assert "rely" not in canonical_json(p.state().to_dict())
    (op,) = ops_between(before, p.state())
    assert set(op.payload) == {"table_id", "name", "columns"}


def test_key_options_are_recorded_rendered_and_replayed() -> None:
    p = project()
    before = p.state()
    p.add_primary_key(
        "shop.sales.readings", ["sensor_id", "ts"], timeseries="ts", rely=True, not_enforced=True
    )
    p.add_foreign_key(
        "shop.sales.marks", ["sensor_id", "ts"], "shop.sales.readings", ["sensor_id", "ts"], rely=True
    )
    after = p.state()
    pk = table(after, "readings").constraints[0]
    fk = table(after, "marks").constraints[0]
    assert (pk.rely, pk.not_enforced, table(after, "readings").column(pk.timeseries).name) == (
        True, True, "ts"
    )
    assert (fk.rely, fk.not_enforced, fk.timeseries) == (True, False, None)
    statements = sql_of(before, after)
    assert (
        "ALTER TABLE `dev_shop`.`sales`.`readings` ADD CONSTRAINT `readings_pk` "
        "PRIMARY KEY (`sensor_id`, `ts` TIMESERIES) NOT ENFORCED RELY" in statements
    )
    assert statements[-1].endswith("REFERENCES `dev_shop`.`sales`.`readings` (`sensor_id`, `ts`) RELY")
    # the diff applied, and the diff as ops, give the same state back
    assert apply_changes(before, diff(before, after)) == after
    ops = ops_between(before, after)
    assert ops[0].payload["timeseries"] == pk.timeseries and ops[-1].payload["rely"] is True


def test_timeseries_must_be_a_key_column() -> None:
    p = project()
    with pytest.raises(ValidationError, match="TIMESERIES"):
        p.add_primary_key("shop.sales.readings", ["sensor_id"], timeseries="ts")
    assert table(p.state(), "readings").constraints == ()


def test_changing_a_key_option_drops_and_adds_the_key_with_a_rely_finding() -> None:
    p = project()
    p.add_primary_key("shop.sales.readings", ["sensor_id", "ts"])
    before = p.state()
    p.drop_constraint("shop.sales.readings", "readings_pk")
    p.add_primary_key("shop.sales.readings", ["sensor_id", "ts"], rely=True)
    after = p.state()
    statements = sql_of(before, after)
    assert statements == [
        "ALTER TABLE `dev_shop`.`sales`.`readings` DROP CONSTRAINT IF EXISTS `readings_pk`",
        "ALTER TABLE `dev_shop`.`sales`.`readings` ADD CONSTRAINT `readings_pk` "
        "PRIMARY KEY (`sensor_id`, `ts`) RELY",
    ]
    codes = [f.code for f in analyze(diff(before, after), before, after)]
    assert codes == ["SX307"]


def test_no_rely_no_finding() -> None:
    p = project()
    before = p.state()
    p.add_primary_key("shop.sales.readings", ["sensor_id", "ts"], timeseries="ts")
    assert [f.code for f in analyze(diff(before, p.state()), before, p.state())] == []


def test_key_options_in_design_files_round_trip() -> None:
    p = project()
    p.add_primary_key(
        "shop.sales.readings", ["sensor_id", "ts"], timeseries="ts", rely=True, not_enforced=True
    )
    p.add_foreign_key(
        "shop.sales.marks", ["sensor_id", "ts"], "shop.sales.readings", ["sensor_id", "ts"], rely=True
    )
    text = "".join(dump_design(d) for _, d in design_documents(p.state()))
    assert "rely: true" in text and "timeseries: ts" in text and "not_enforced: true" in text
    back = export_and_sync(p.state())
    pk = table(back, "readings").constraints[0]
    assert (pk.rely, pk.not_enforced, table(back, "readings").column(pk.timeseries).name) == (
        True, True, "ts"
    )
    assert table(back, "marks").constraints[0].rely is True


def test_a_design_file_naming_an_unknown_timeseries_column_is_refused_with_its_place() -> None:
    text = """\
version: 1
catalogs:
  - name: shop
    schemas:
      - name: sales
        tables:
          - name: t
            columns:
              - {name: id, type: BIGINT, nullable: false}
            primary_key: {columns: [id], timeseries: nope}
"""
    p = schemax.Project.in_memory("shop", author="t")
    with pytest.raises(schemax.DesignFileError, match="no column 'nope'"):
        sync_ops(p.state(), [load_design(text, "t.yml")])


def _observed(rely: bool, timeseries: str | None) -> State:
    b = ObservedStateBuilder()
    b.catalog("c")
    b.schema("c", "s")
    key = ConstraintSpec("t_pk", "primary_key", columns=("id", "ts"), rely=rely, timeseries=timeseries)
    columns = [ColumnSpec("id", "BIGINT", nullable=False), ColumnSpec("ts", "TIMESTAMP")]
    b.table("c", "s", "t", columns=columns, constraints=[key])
    return b.build()


def test_drift_reports_rely_and_timeseries_when_the_reader_sees_them() -> None:
    expected = _observed(True, "ts")
    assert compare(expected, _observed(True, "ts")).findings == ()
    got = sorted((f.detail, f.expected, f.actual) for f in compare(expected, _observed(False, None)).findings)
    assert got == [("rely", "RELY", "NORELY"), ("timeseries", "ts", None)]
    # a reader that cannot see key options (information_schema only) hides them: nothing is reported
    hidden = compare(expected, _observed(False, None), unobserved=frozenset({"key_options"}))
    assert hidden.findings == ()


def test_the_uc_reader_takes_rely_and_timeseries_from_the_api() -> None:
    pk = types.SimpleNamespace(name="t_pk", child_columns=["id", "ts"], rely=True, timeseries_columns=["ts"])
    fk = types.SimpleNamespace(name="t_fk", child_columns=["x"], parent_table="c.s.p", parent_columns=["id"],
                               rely=True)
    info = types.SimpleNamespace(table_constraints=[
        types.SimpleNamespace(primary_key_constraint=pk, foreign_key_constraint=None),
        types.SimpleNamespace(primary_key_constraint=None, foreign_key_constraint=fk),
    ])
    got = constraints_from_sdk("c", info)
    assert (got[0].rely, got[0].timeseries) == (True, "ts")
    assert (got[1].rely, got[1].ref_table) == (True, ("c", "s", "p"))


# -- 2. CLUSTER BY AUTO ----------------------------------------------------------------------------------


def test_cluster_by_auto_is_recorded_rendered_and_left_out_when_unset() -> None:
    p = project()
    assert "cluster_auto" not in canonical_json(p.state().to_dict())
    before = p.state()
    p.create_table("shop.sales.visits", [COL("id", "BIGINT")], cluster_by="auto")
    p.set_cluster_by("shop.sales.marks", "AUTO")
    after = p.state()
    assert table(after, "visits").cluster_auto and table(after, "visits").cluster_by == ()
    assert sql_of(before, after) == [
        "ALTER TABLE `dev_shop`.`sales`.`marks` CLUSTER BY AUTO",
        "CREATE TABLE IF NOT EXISTS `dev_shop`.`sales`.`visits` (`id` BIGINT) USING DELTA CLUSTER BY AUTO",
    ]
    assert apply_changes(before, diff(before, after)) == after
    ops = ops_between(before, after)
    assert {op.kind: op.payload.get("auto", op.payload.get("cluster_auto")) for op in ops} == {
        "set_cluster_by": True, "create_table": True,
    }
    # back to explicit keys: AUTO is off again
    p.set_cluster_by("shop.sales.marks", ["sensor_id"])
    marks = table(p.state(), "marks")
    assert (marks.cluster_auto, marks.column_names(marks.cluster_by)) == (False, ["sensor_id"])


def test_cluster_by_auto_is_refused_with_partitioning_and_on_external_tables() -> None:
    p = project()
    p.set_partition_by("shop.sales.readings", ["sensor_id"])
    with pytest.raises(ValidationError, match="partition"):
        p.set_cluster_by("shop.sales.readings", "AUTO")
    with pytest.raises(schemax.RuleViolationError) as err:
        p.create_table("shop.sales.ext", [COL("a", "INT")], cluster_by="AUTO", table_type="EXTERNAL",
                       location="s3://b/ext")
    assert err.value.rule == "cluster-auto-managed"
    assert table(p.state(), "readings").cluster_auto is False


def test_cluster_by_auto_is_databricks_only() -> None:
    from schemax.plan import OSS_DELTA

    p = project()
    before = p.state()
    p.set_cluster_by("shop.sales.marks", "AUTO")
    plan = build_plan(before, p.state(), Target(catalogs={"shop": "spark_catalog"}), capabilities=OSS_DELTA)
    assert [st.capability for st, _ in plan.unsupported] == ["cluster_by_auto"]


def test_cluster_by_auto_in_design_files_round_trips() -> None:
    p = project()
    p.set_cluster_by("shop.sales.marks", "AUTO")
    text = "".join(dump_design(d) for _, d in design_documents(p.state()))
    assert "cluster_by: AUTO" in text
    back = export_and_sync(p.state())
    assert table(back, "marks").cluster_auto is True


def _clustered(auto: bool, keys: tuple[str, ...] = ()) -> State:
    b = ObservedStateBuilder()
    b.catalog("c")
    b.schema("c", "s")
    b.table("c", "s", "t", columns=[ColumnSpec("a", "INT"), ColumnSpec("b", "INT")], cluster_by=keys,
            cluster_auto=auto)
    return b.build()


def test_drift_on_cluster_by_auto_compares_only_that_it_is_on() -> None:
    expected = _clustered(True)
    assert compare(expected, _clustered(True, ("b",))).findings == ()  # the keys are Databricks' choice
    (f,) = compare(expected, _clustered(False, ("a",))).findings
    assert (f.detail, f.expected, f.actual) == ("clustering", "AUTO", "a")
    (f,) = compare(_clustered(False, ("a",)), _clustered(True, ("a",))).findings
    assert (f.expected, f.actual) == ("a", "AUTO")


def test_the_uc_reader_reads_cluster_by_auto_from_the_table_properties() -> None:
    from schemax.adapters.uc_info_schema import cluster_auto_from_properties
    from schemax.drift import is_server_set

    assert cluster_auto_from_properties({"clusterByAuto": "true", "clusteringColumns": '[["a"]]'})
    assert not cluster_auto_from_properties({"clusterByAuto": "false"})
    assert not cluster_auto_from_properties({})
    assert is_server_set("clusterByAuto")


# -- 3. ownership ----------------------------------------------------------------------------------------


def test_owner_is_left_out_when_unmanaged_and_runs_last_when_set() -> None:
    p = project()
    assert "owner" not in canonical_json(p.state().to_dict())
    before = p.state()
    p.set_owner("shop.sales.readings", "etl")
    p.grant("shop.sales.readings", "analysts", ["SELECT"])
    p.set_owner("shop", "admins")
    after = p.state()
    plan = build_plan(before, after, TARGET, capabilities=UNITY_CATALOG)
    assert [s.sql for s in plan.statements] == [
        "GRANT SELECT ON TABLE `dev_shop`.`sales`.`readings` TO `analysts`",
        "ALTER CATALOG `dev_shop` SET OWNER TO `admins`",
        "ALTER TABLE `dev_shop`.`sales`.`readings` SET OWNER TO `etl`",
    ]
    assert plan.statements[-1].reverse is None  # the owner before was not managed: nothing to go back to
    assert {f.code for f in plan.findings} == {"SX506"}
    assert apply_changes(before, diff(before, after)) == after
    assert [op.kind for op in ops_between(before, after)][-2:] == ["set_owner", "set_owner"]


def test_transferring_a_managed_owner_is_breaking_and_reversible() -> None:
    p = project()
    p.set_owner("shop.sales.readings", "etl")
    before = p.state()
    p.set_owner("shop.sales.readings", "stewards")
    plan = build_plan(before, p.state(), TARGET, capabilities=UNITY_CATALOG)
    (st,) = plan.statements
    assert st.reverse == "ALTER TABLE `dev_shop`.`sales`.`readings` SET OWNER TO `etl`"
    (finding,) = plan.findings
    assert (finding.code, finding.blocking) == ("SX213", True)


def test_an_owner_no_longer_managed_renders_nothing() -> None:
    p = project()
    p.set_owner("shop.sales.readings", "etl")
    before = p.state()
    p.set_owner("shop.sales.readings", None)
    assert table(p.state(), "readings").owner is None
    assert build_plan(before, p.state(), TARGET, capabilities=UNITY_CATALOG).statements == ()


def test_only_securables_have_owners() -> None:
    p = project()
    col = table(p.state(), "readings").columns[0].id
    from schemax.core.ops import Op

    with pytest.raises(ValidationError):
        p.record_ops([Op.new("set_owner", col, {"owner": "x"}, author="t")])
    with pytest.raises(ValidationError, match="principal"):
        p.set_owner("shop.sales.readings", "  ")


def test_owner_in_design_files_round_trips() -> None:
    p = project()
    p.set_owner("shop.sales", "sales-owners")
    p.set_owner("shop.sales.readings", "etl")
    text = "".join(dump_design(d) for _, d in design_documents(p.state()))
    assert "owner: sales-owners" in text and "owner: etl" in text
    back = export_and_sync(p.state())
    assert table(back, "readings").owner == "etl"
    assert next(iter(back.schemas.values())).owner == "sales-owners"


def test_an_environment_maps_principals_for_owners_and_grants() -> None:
    from schemax.core.naming import Naming

    p = project()
    p.set_owner("shop.sales.readings", "owners")
    p.grant("shop.sales.readings", "readers", ["SELECT"])
    env = p.add_environment("prod", {"shop": "prod_shop"}, principals={"owners": "prod-owners"})
    assert env.principals == {"owners": "prod-owners"}
    assert "principals" not in p.add_environment("dev", {"shop": "dev_shop"}).model_dump()
    plan = build_plan(State(), p.state(), Target.of(env.naming), capabilities=UNITY_CATALOG)
    assert plan.statements[-1].sql == "ALTER TABLE `prod_shop`.`sales`.`readings` SET OWNER TO `prod-owners`"
    grant = "GRANT SELECT ON TABLE `prod_shop`.`sales`.`readings` TO `readers`"
    assert grant in [s.sql for s in plan.statements]
    # drift's expected state is in the environment's principals too
    physical = env.naming.map_state(p.state())
    assert table(physical, "readings").owner == "prod-owners"
    assert Naming(principals={"owners": "prod-owners"}).logical_principal("PROD-owners") == "owners"


def test_import_takes_the_live_owner_only_where_the_project_manages_it() -> None:
    from schemax.services.drift import align

    p = project()
    p.set_owner("shop.sales.readings", "owners")
    env = p.add_environment("prod", {"shop": "prod_shop"}, principals={"owners": "prod-owners"})
    live = env.naming.map_state(p.state())
    readings = table(live, "readings")
    marks = table(live, "marks")
    tables = {
        **live.tables, readings.id: readings.evolve(owner="prod-owners"), marks.id: marks.evolve(owner="bob"),
    }
    live = live.model_copy(update={"tables": tables})
    aligned = align(live, p.state(), env)
    assert table(aligned, "readings").owner == "owners"  # mapped back to the logical principal
    assert table(aligned, "marks").owner is None  # not managed: an import does not start managing it


# -- 4. identity and generated columns -------------------------------------------------------------------


def _events(p: schemax.Project) -> None:
    p.create_table(
        "shop.sales.events",
        [
            COL("id", "BIGINT", nullable=False, identity={"start": 100, "step": 5}),
            COL("ts", "TIMESTAMP"),
            COL("day", "DATE", generated="CAST(ts AS DATE)"),
        ],
    )


def test_identity_and_generated_columns_render_in_create_table_only() -> None:
    p = project()
    assert '"identity"' not in canonical_json(p.state().to_dict())
    assert '"generated"' not in canonical_json(p.state().to_dict())
    before = p.state()
    _events(p)
    (sql,) = sql_of(before, p.state())
    assert sql == (
        "CREATE TABLE IF NOT EXISTS `dev_shop`.`sales`.`events` (`id` BIGINT NOT NULL GENERATED ALWAYS AS "
        "IDENTITY (START WITH 100 INCREMENT BY 5), `ts` TIMESTAMP, `day` DATE GENERATED ALWAYS AS "
        "(CAST(ts AS DATE))) USING DELTA"
    )
    assert [f.code for f in analyze(diff(before, p.state()), before, p.state())] == ["SX405"]
    # the diff as ops records the same columns again
    from schemax.core.replay import replay

    again = replay(ops_between(before, p.state()), before)
    assert table(again, "events").columns == table(p.state(), "events").columns


@pytest.mark.parametrize(("column", "reason"), [
    (COL("id", "INT", identity=True), "must be BIGINT"),
    (COL("id", "BIGINT", identity={"step": 0}), "cannot be 0"),
    (COL("id", "BIGINT", identity=True, default="1"), "cannot also have"),
    (COL("d", "DATE", generated="CAST(now() AS DATE)", default="current_date()"), "both generated"),
])
def test_bad_identity_or_generated_columns_are_refused(column: Any, reason: str) -> None:
    p = project()
    with pytest.raises(ValidationError, match=reason):
        p.create_table("shop.sales.bad", [column])
    assert "bad" not in {t.name for t in p.state().tables.values()}


def test_identity_and_generated_columns_cannot_be_added_to_an_existing_table() -> None:
    p = project()
    with pytest.raises(ValidationError, match="cannot be added to an existing table.*generated-columns"):
        p.add_column("shop.sales.readings", "seq", "BIGINT", identity=True)
    with pytest.raises(ValidationError, match="ADD COLUMNS has no GENERATED clause"):
        p.add_column("shop.sales.readings", "day", "DATE", generated="CAST(ts AS DATE)")
    assert [c.name for c in table(p.state(), "readings").columns] == ["sensor_id", "ts", "v"]


def test_a_rewrite_of_a_table_with_an_identity_column_is_refused() -> None:
    p = project()
    _events(p)
    before = p.state()
    p.set_partition_by("shop.sales.events", ["day"])
    plan = build_plan(before, p.state(), TARGET, capabilities=UNITY_CATALOG)
    reasons = [r for _, r in plan.unsupported]
    assert reasons and all("identity column(s) ['id']" in r for r in reasons)


def test_a_design_file_cannot_change_an_identity_column() -> None:
    p = project()
    _events(p)
    text = "".join(dump_design(d) for _, d in design_documents(p.state()))
    assert "identity: {start: 100, step: 5}" in text or "start: 100" in text
    assert export_and_sync(p.state()) is not None
    changed = text.replace("start: 100", "start: 1")
    files = [load_design(changed, "shop.yml")]
    with pytest.raises(schemax.SchemaxError):
        p.record_ops(sync_ops(p.state(), files, author="t"))


def test_drift_reads_generation_and_identity_from_delta_field_metadata() -> None:
    from schemax.drift.observed import columns_from_spark_schema

    schema = {"type": "struct", "fields": [
        {"name": "id", "type": "long", "nullable": False, "metadata": {
            "delta.identity.start": 100, "delta.identity.step": 5,
            "delta.identity.allowExplicitInsert": False}},
        {"name": "ts", "type": "timestamp", "nullable": True, "metadata": {}},
        {"name": "day", "type": "date", "nullable": True,
         "metadata": {"delta.generationExpression": "CAST(ts AS DATE)"}},
    ]}
    cols, facts = columns_from_spark_schema(schema, "c.s.events")
    assert facts.unrepresentable == []
    assert (cols[0].identity.always, cols[0].identity.start, cols[0].identity.step) == (True, 100, 5)
    assert cols[2].generated == "CAST(ts AS DATE)"
    b = ObservedStateBuilder()
    b.catalog("c")
    b.schema("c", "s")
    b.table("c", "s", "events", columns=cols)
    observed = b.build()
    assert compare(observed, observed).findings == ()
    other = [cols[0].__class__(name="id", type="BIGINT", nullable=False, identity=None), *cols[1:]]
    b2 = ObservedStateBuilder()
    b2.catalog("c")
    b2.schema("c", "s")
    b2.table("c", "s", "events", columns=other)
    (f,) = compare(observed, b2.build()).findings
    assert (f.detail, f.actual) == ("identity", None)
    hidden = compare(observed, b2.build(), unobserved=frozenset({"generation"}))
    assert hidden.findings == ()


# -- the live tier's scenario covers issue 11, checked offline ----------------------------------------------


def test_the_live_scenario_plans_every_issue11_statement_shape() -> None:
    import dataclasses
    import sys
    from pathlib import Path

    from schemax.core.uc_statements import shape_of

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "databricks"))
    import uc_scenario as sc  # noqa: PLC0415 - the live tier's module, found beside its tests

    names = dataclasses.replace(sc.Names.fresh("main"), owner="data-owners")
    p = schemax.Project.in_memory("live-offline", author="live")
    target = Target(catalogs={sc.LOGICAL: names.catalog})
    sc.build_v1(p, names)
    v1 = p.state()
    sc.build_v2(p, names)
    v2 = p.state()
    shapes: set[str] = set()
    for a, b in ((State(), v1), (v1, v2), (v2, v1)):
        plan = build_plan(a, b, target, capabilities=UNITY_CATALOG)
        assert plan.unsupported == ()
        shapes |= {s.id for st in plan.statements if (s := shape_of(st.sql)[1]) is not None}
    live = Path(__file__).resolve().parents[1] / "databricks" / "test_uc_live_tier.py"
    wanted = {
        "add-key-options", "cluster-by-auto", "owner-schema", "owner-table", "owner-view", "owner-volume",
    }
    assert wanted <= shapes
    assert all(f'"{s}"' in live.read_text(encoding="utf-8") for s in wanted)


def test_columns_a_generated_column_names_cannot_be_dropped_or_renamed_and_identity_is_fixed() -> None:
    p = project()
    _events(p)
    with pytest.raises(ValidationError, match="generated column day"):
        p.drop_column("shop.sales.events", "ts")
    with pytest.raises(ValidationError, match="generated column day"):
        p.rename_column("shop.sales.events", "ts", "at")
    with pytest.raises(ValidationError, match="type cannot change"):
        p.change_column_type("shop.sales.events", "id", "DECIMAL(20,0)")
    with pytest.raises(ValidationError, match="takes no DEFAULT"):
        p.set_column_default("shop.sales.events", "id", "1")
    p.rename_column("shop.sales.events", "id", "event_id")  # nothing names it: fine
    assert [c.name for c in table(p.state(), "events").columns] == ["event_id", "ts", "day"]


def test_the_design_files_doc_example_of_issue11_syncs_and_renders() -> None:
    import textwrap
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "design-files.md").read_text(encoding="utf-8")
    block = doc.split("```text\n", 1)[1].split("```", 1)[0]
    text = "version: 1\ncatalogs:\n  - name: shop\n    schemas:\n      - name: sales\n"
    p = schemax.Project.in_memory("shop", author="t")
    p.record_ops(sync_ops(p.state(), [load_design(text + textwrap.indent(block, " " * 8), "x.yml")]))
    statements = sql_of(State(), p.state())
    assert statements[-1] == "ALTER TABLE `dev_shop`.`sales`.`readings` SET OWNER TO `data-eng`"
    assert any("CLUSTER BY AUTO" in s and "GENERATED ALWAYS AS IDENTITY" in s for s in statements)
    assert any(s.endswith("PRIMARY KEY (`id`, `ts` TIMESERIES) RELY") for s in statements)


# -- a property: every mix of the new attributes plans, applies and round-trips ----------------------------

OWNERS = st.sampled_from([None, "etl", "Data Owners", "a@b.com"])
_OBJECTS = ("shop", "shop.sales", "shop.sales.readings", "shop.sales.marks")


def _evolve(p: schemax.Project, owners: list[str | None], auto: bool, rely: bool, ts: bool) -> None:
    for name, owner in zip(_OBJECTS, owners, strict=True):
        if owner is not None:
            p.set_owner(name, owner)
    if auto:
        p.set_cluster_by("shop.sales.marks", "AUTO")
    if rely or ts:
        p.add_primary_key(
            "shop.sales.readings", ["sensor_id", "ts"], rely=rely, timeseries="ts" if ts else None
        )


@given(
    st.lists(OWNERS, min_size=4, max_size=4), st.booleans(), st.booleans(), st.booleans(),
    st.lists(OWNERS, min_size=4, max_size=4), st.booleans(), st.booleans(), st.booleans(),
)
@settings(max_examples=examples(120), deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_mix_of_owners_auto_clustering_and_key_options_plans_and_round_trips(
    owners_a: list[str | None], auto_a: bool, rely_a: bool, ts_a: bool,
    owners_b: list[str | None], auto_b: bool, rely_b: bool, ts_b: bool,
) -> None:
    from schemax.core.replay import replay

    p = project()
    _evolve(p, owners_a, auto_a, rely_a, ts_a)
    a = p.state()
    if rely_a or ts_a:
        p.drop_constraint("shop.sales.readings", "readings_pk")
    if auto_a and not auto_b:
        p.set_cluster_by("shop.sales.marks", [])
    for name, owner in zip(_OBJECTS, owners_a, strict=True):
        if owner is not None:
            p.set_owner(name, None)
    _evolve(p, owners_b, auto_b, rely_b, ts_b)
    b = p.state()
    assert apply_changes(a, diff(a, b)) == b
    assert replay(ops_between(a, b), a) == b
    plan = build_plan(a, b, TARGET, capabilities=UNITY_CATALOG)
    owner_at = [i for i, st_ in enumerate(plan.statements) if " SET OWNER TO " in st_.sql]
    assert owner_at == list(range(len(plan.statements) - len(owner_at), len(plan.statements)))  # last
    assert export_and_sync(b) is not None
    assert build_plan(b, b, TARGET, capabilities=UNITY_CATALOG).statements == ()


def test_a_recreated_object_gets_its_unchanged_owner_again_last() -> None:
    p = project()
    p.create_view("shop.sales.v", "SELECT sensor_id FROM shop.sales.readings")
    p.set_owner("shop.sales.v", "analysts")
    p.set_owner("shop.sales.marks", "etl")
    before = p.state()
    p.update_view("shop.sales.v", "SELECT sensor_id, ts FROM shop.sales.readings")
    p.set_partition_by("shop.sales.marks", ["ts"])  # a rewrite: copy and swap
    plan = build_plan(before, p.state(), TARGET, capabilities=UNITY_CATALOG)
    sqls = [s.sql for s in plan.statements]
    # ALTER VIEW … AS keeps the view (and its owner); the copy and swap makes a new table: owner again, last
    marks_owner = "ALTER TABLE `dev_shop`.`sales`.`marks` SET OWNER TO `etl`"
    assert "ALTER VIEW `dev_shop`.`sales`.`v` AS SELECT sensor_id, ts FROM `dev_shop`.`sales`.`readings`" in (
        sqls
    )
    assert [s for s in sqls if "SET OWNER" in s] == [marks_owner]
    assert sqls[-1] == marks_owner
    # an owner that changes in the same plan is set once, by its own change
    p.set_owner("shop.sales.v", "stewards")
    plan = build_plan(before, p.state(), TARGET, capabilities=UNITY_CATALOG)
    owner_sqls = [s.sql for s in plan.statements if "`v` SET OWNER" in s.sql]
    assert owner_sqls == ["ALTER VIEW `dev_shop`.`sales`.`v` SET OWNER TO `stewards`"]
