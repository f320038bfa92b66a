"""Services on ports and records: built from a store's records alone, never from a ``Project``.

Also the two planner guarantees the services rely on: a plan always carries its findings (a DROP TABLE
deploys guarded), and the deploy barriers come from the change vocabulary, one entry per change type.
"""

from __future__ import annotations

import importlib

import pytest

import schemax
from helpers import RecordingEngine as Engine
from schemax.adapters.memory import MemoryStore
from schemax.analyze import analyze
from schemax.core import changes as ch
from schemax.core.model import Column, State
from schemax.core.registry import require_complete
from schemax.drift import map_to_physical
from schemax.plan import build_plan
from schemax.ports import CatalogScope, ObservedCatalog
from schemax.records import ProjectRecords
from schemax.services.deploy import Deployer
from schemax.services.drift import DriftService
from schemax.services.history import history, project_status


def _designed(store: MemoryStore) -> schemax.Project:
    p = schemax.Project.create(None, "shop", store=store, author="designer")
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.create_table("shop.sales.orders", [schemax.Column("id", "BIGINT", nullable=False)])
    p.add_environment("dev", {"shop": "dev_shop"})
    p.snapshot("v1", version="1.0.0")
    return p


def _records(store: MemoryStore) -> ProjectRecords:
    record = store.get_project("shop")
    assert record is not None
    return ProjectRecords(store, record)


def test_a_deployer_needs_only_the_stores_records_and_an_executor() -> None:
    store = MemoryStore()
    p = _designed(store)
    engine = Engine()
    dep = Deployer(_records(store), engine, author="ci").deploy("dev")
    assert dep.status == "success" and dep.deployed_by == "ci"
    assert any("CREATE TABLE" in sql for sql in engine.sql)
    # the project sees what the service recorded: one store, no callbacks
    assert [d.deployment_id for d in p.history("dev")] == [dep.deployment_id]
    assert p.status().deployed == {"dev": "1.0.0"}


def test_the_records_catch_up_with_ops_recorded_elsewhere() -> None:
    store = MemoryStore()
    p = _designed(store)
    records = _records(store)
    assert records.last_seq == 0  # nothing read yet
    assert records.state() == p.state() and records.last_seq == p.last_seq
    p.add_column("shop.sales.orders", "note", "STRING")
    p.snapshot("v2")
    assert records.state() == p.state()
    assert [s.version for s in records.snapshots()] == ["1.0.0", "1.1.0"]
    assert records.snapshot_at("1.1.0").state == p.state()
    assert records.uncommitted_ops() == []
    assert records.state_at_seq(3) == p.snapshot_at("1.0.0").state


def test_history_and_status_are_read_from_the_records() -> None:
    store = MemoryStore()
    p = _designed(store)
    records = _records(store)
    assert project_status(records).deployed == {"dev": None}
    Deployer(records, Engine(), author="ci").deploy("dev")
    status = project_status(records)
    assert (status.latest_snapshot, status.deployed, status.uncommitted_ops) == ("1.0.0", {"dev": "1.0.0"}, 0)
    assert len(history(store, "shop", "dev")) == 1 and len(history(store, "shop", "prod")) == 0
    assert p.status().to_dict() == status.to_dict()


class HandEdited:
    """A catalog reader that sees what ``dev`` holds, plus a column someone added by hand."""

    def __init__(self, physical: State) -> None:
        tid = next(iter(physical.tables))
        table = physical.tables[tid]
        extra = Column(id="col_by_hand", name="note", type="STRING")
        self.state = physical.model_copy(update={
            "tables": {tid: table.model_copy(update={"columns": (*table.columns, extra)})}})

    def read(self, scope: CatalogScope) -> ObservedCatalog:
        return ObservedCatalog(state=self.state)


def test_drift_import_ops_are_returned_and_the_project_records_them(monkeypatch: pytest.MonkeyPatch) -> None:
    store = MemoryStore()
    engine = Engine()
    p = schemax.Project.create(engine, "shop", store=store, author="designer")
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.create_table("shop.sales.orders", [schemax.Column("id", "BIGINT", nullable=False)])
    p.add_environment("dev", {"shop": "dev_shop"})
    p.snapshot("v1", version="1.0.0")
    records = _records(store)
    Deployer(records, engine, author="ci").deploy("dev")
    reader = HandEdited(map_to_physical(p.state(), {"shop": "dev_shop"}))
    service = DriftService(records, engine, author="importer", reader=reader)

    seq = p.last_seq
    ops = service.drift_ops("dev")
    assert [(op.kind, op.payload["name"]) for op in ops] == [("add_column", "note")]
    assert p.last_seq == seq  # the service computes; it records no design op

    monkeypatch.setattr(p, "drift_service", lambda **options: service)
    recorded = p.import_drift("dev")
    assert [op.kind for op in recorded] == ["add_column"] and p.last_seq == seq + 1
    assert [c.name for c in p.state().tables[next(iter(p.state().tables))].columns] == ["id", "note"]


def test_a_drift_check_without_an_engine_refuses_up_front() -> None:
    store = MemoryStore()
    _designed(store)
    with pytest.raises(schemax.EngineRequiredError) as info:
        DriftService(_records(store), None, author="x").check("dev")
    assert info.value.needed_for == "drift"


# -- what the services rely on from the planner ---------------------------------------------------------

def test_a_plan_with_a_drop_table_always_carries_its_finding() -> None:
    p = schemax.Project.in_memory("shop")
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.create_table("shop.sales.orders", [schemax.Column("id", "BIGINT")])
    before = p.state()
    p.drop_table("shop.sales.orders")
    plan = build_plan(before, p.state())
    assert any("DROP TABLE" in st.sql for st in plan.statements)
    assert [f.code for f in plan.findings] == ["SX102"]
    assert [f.code for f in plan.breaking_changes] == ["SX102"]
    # the planner calls the analyzers it imported at module level: nothing can make them optional
    assert importlib.import_module("schemax.plan.plan").analyze is analyze


def test_deploy_barriers_are_declared_for_every_change_type() -> None:
    assert set(ch.DEPLOY_BARRIER) == set(ch.CHANGE_TYPES)
    # the statements that run alone, between the concurrent per-table waves (as before the table)
    assert ch.BARRIER_KINDS == {
        "create_catalog", "drop_catalog", "rename_catalog", "alter_catalog",
        "create_schema", "drop_schema", "rename_schema", "alter_schema",
        "create_view", "drop_view", "rename_view", "alter_view",
        "create_function", "drop_function", "alter_function",
        "create_volume", "drop_volume", "rename_volume", "alter_volume",
        "grant", "revoke", "set_owner", "add_constraint", "drop_constraint", "drop_table", "rename_table",
    }
    partial = {t: b for t, b in ch.DEPLOY_BARRIER.items() if t is not ch.Grant}
    with pytest.raises(AssertionError, match="deploy barriers: no entry for Grant"):
        require_complete(partial, ch.CHANGE_TYPES, "deploy barriers")
