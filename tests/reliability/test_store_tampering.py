"""Store tampering (issue 16 item 5): rows edited or deleted behind schemax's back are each named, and a
deploy refuses to run on a broken chain before it records or runs anything.

On the memory store (the rows are reached directly); the Delta store's first defence is its tables'
``delta.appendOnly`` (docs/store.md), which a tamperer has to switch off first.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

import schemax
from helpers import RecordingEngine
from schemax.adapters.memory import MemoryStore
from schemax.core.ops import Op


def _project(store: MemoryStore, engine: RecordingEngine) -> schemax.Project:
    p = schemax.Project.create(engine, "shop", store=store, author="tester")
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    for t in ("a", "b", "c"):
        p.create_table(f"shop.sales.{t}", [schemax.Column("id", "BIGINT", nullable=False)])
    # the recording engine has no catalog to scan: drift is allowed, not checked
    p.add_environment("dev", {"shop": "dev_shop"}, allow_drift=True)
    p.snapshot("v1", version="1.0.0")
    p.set_table_comment("shop.sales.a", "the a table")
    p.snapshot("v2", version="1.1.0")
    return p


def _edit_op(store: MemoryStore, seq: int, **payload: Any) -> None:
    rec = store.read_ops("shop")[seq - 1]
    evil = Op(**{**rec.op.to_dict(), "payload": {**rec.op.payload, **payload}})
    store._replace_op("shop", seq, replace(rec, op=evil))


def test_verify_names_every_edited_and_deleted_row_at_once() -> None:
    store, engine = MemoryStore(), RecordingEngine()
    p = _project(store, engine)
    assert p.verify().ops == 6
    _edit_op(store, 3, name="renamed")  # create_table a: its payload edited
    del store._ops["shop"][4]  # seq 5 (create_table c) deleted
    first = store._snapshots["shop"][0]
    store._snapshots["shop"][0] = first.model_copy(update={"name": "not v1"})  # a header edited
    with pytest.raises(schemax.IntegrityError) as err:
        p.verify()
    found = {(problem.where.split(" (")[0], problem.detail) for problem in err.value.problems}
    assert ("op seq 3", "op changed after it was recorded") in found
    assert ("op seq 6", "sequence gap or duplicate") in found  # the row after the deleted one
    assert ("snapshot 1.0.0", "snapshot record changed") in found
    assert ("snapshot 1.0.0", "the op it was taken at is not in the log") in found  # at seq 5
    assert ("snapshot 1.1.0", "state differs from the replay of its ops") in found  # table c is gone
    first = err.value.problems[0]
    assert (err.value.snapshot, err.value.detail) == (first.where, first.detail)
    assert f"and {len(err.value.problems) - 1} more" in str(err.value)


def test_one_edited_row_is_one_problem_not_one_per_later_row() -> None:
    store, engine = MemoryStore(), RecordingEngine()
    p = _project(store, engine)
    _edit_op(store, 2, comment="edited")
    with pytest.raises(schemax.IntegrityError) as err:
        p.verify()
    details = [(problem.where.split(" (")[0], problem.detail) for problem in err.value.problems]
    assert details[0] == ("op seq 2", "op changed after it was recorded")
    # the replay differs from the snapshots taken after it; the chain itself holds
    assert all(where.startswith("snapshot") for where, _ in details[1:])


@pytest.mark.parametrize("tamper", ["edit an op", "delete an op", "edit a snapshot header", "edit a state"])
def test_a_deploy_refuses_a_broken_chain_before_recording_or_running_anything(tamper: str) -> None:
    store, engine = MemoryStore(), RecordingEngine()
    _project(store, engine)
    if tamper == "edit an op":
        _edit_op(store, 4, name="b2")
    elif tamper == "delete an op":
        del store._ops["shop"][2]
    elif tamper == "edit a snapshot header":
        snaps = store._snapshots["shop"]
        snaps[1] = snaps[1].model_copy(update={"created_by": "mallory"})
    else:  # the state the deploy would reach, its hash left as recorded
        snaps = store._snapshots["shop"]
        snaps[1] = snaps[1].model_copy(update={"state": snaps[0].state})

    def deploy(dry_run: bool) -> None:
        # a new process opens the store; deleting the row that created a table makes a later op on that
        # table fail to replay, so the open itself refuses (naming the gap) before a deploy can start
        reopened = schemax.Project.open(engine, "shop", store=store, author="tester")
        reopened.deploy("dev", dry_run=dry_run)

    for dry_run in (True, False):
        with pytest.raises(schemax.IntegrityError) as err:
            deploy(dry_run)
        assert err.value.problems
    assert engine.sql == []
    assert store.read_deployments("shop") == []


def test_an_intact_store_deploys() -> None:
    store, engine = MemoryStore(), RecordingEngine()
    _project(store, engine)
    reopened = schemax.Project.open(engine, "shop", store=store, author="tester")
    dep = reopened.deploy("dev")
    assert dep.record.status == "success" and any("CREATE TABLE" in s for s in engine.sql)


def test_the_cli_error_document_lists_every_problem() -> None:
    from schemax.cli.exits import EXIT_ERROR, error_doc

    problems = [schemax.IntegrityProblem("op seq 2 (op_1)", "a", "b", "op changed after it was recorded"),
                schemax.IntegrityProblem("op seq 5 (op_4)", "4", "5", "sequence gap or duplicate")]
    doc = error_doc(schemax.IntegrityError.of(problems), EXIT_ERROR)
    assert doc["type"] == "IntegrityError" and "op seq 2 (op_1)" in doc["message"]
    assert [p["detail"] for p in doc["problems"]] == ["op changed after it was recorded",
                                                      "sequence gap or duplicate"]


def _deployed_twice(store: MemoryStore, engine: RecordingEngine) -> schemax.Project:
    p = _project(store, engine)
    p.deploy("dev", "1.0.0")
    p.deploy("dev", "1.1.0")
    p.rollback("dev", "1.0.0")
    return p


def test_deployment_records_are_sealed_and_linked_and_verify_passes_after_real_work() -> None:
    store, engine = MemoryStore(), RecordingEngine()
    p = _deployed_twice(store, engine)
    newest_first = store.read_deployments("shop", "dev")
    assert [d.kind for d in newest_first] == ["rollback", "deploy", "deploy"]
    assert all(d.seal == d.compute_seal() for d in newest_first)
    ids = [d.deployment_id for d in newest_first]
    assert [d.previous for d in newest_first] == [ids[1], ids[2], None]
    p.verify()


def test_an_edited_or_deleted_deployment_row_is_named_and_the_next_deploy_refuses() -> None:
    store, engine = MemoryStore(), RecordingEngine()
    p = _deployed_twice(store, engine)
    rollback, second, first = store.read_deployments("shop", "dev")
    store._deployments[("shop", first.deployment_id)] = replace(first, deployed_by="mallory")  # stale seal
    del store._deployments[("shop", second.deployment_id)]  # the memory store keys rows per project
    with pytest.raises(schemax.IntegrityError) as err:
        p.verify()
    found = {(problem.where, problem.detail) for problem in err.value.problems}
    assert found == {(f"deployment {first.deployment_id} of dev", "deployment record changed"),
                     (f"deployment {rollback.deployment_id} of dev", "previous deployment deleted")}
    ran = len(engine.sql)
    with pytest.raises(schemax.IntegrityError):
        schemax.Project.open(engine, "shop", store=store, author="tester").deploy("dev", "1.1.0")
    assert len(engine.sql) == ran and len(store.read_deployments("shop", "dev")) == 2
