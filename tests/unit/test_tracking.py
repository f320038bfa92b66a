"""core/tracking.py: the schemax.* keys, and the planner's restore and stamp statements built from them."""

from __future__ import annotations

import schemax
from schemax.core import tracking
from schemax.core.tracking import Tracking, table_definition_hash, tracking_properties
from schemax.drift.properties import VERSION_KEYS, is_declarable
from schemax.plan.render.restore import restore_statements, stamp_statements
from schemax.plan.statements import Risk, Target


def _state() -> tuple[schemax.Project, str]:
    p = schemax.Project.in_memory("t")
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.create_table("shop.sales.orders", [schemax.Column("id", "BIGINT")])
    tid = p.state().find("shop.sales.orders")
    assert tid is not None
    return p, tid


def test_keys_and_pairs() -> None:
    assert tracking.KEYS == tuple(sorted(tracking.KEYS))
    assert all(k.startswith(tracking.PREFIX) for k in tracking.KEYS)
    assert VERSION_KEYS == (tracking.VERSION, tracking.HASH)
    assert not is_declarable(tracking.DEPLOYMENT) and tracking.is_reserved("SchemaX.version")
    p, tid = _state()
    table = p.state().tables[tid]
    assert tracking_properties(None, table) == []
    full = tracking_properties(Tracking("1.0.0", "snap", "dep", "dev", "2026-01-01T00:00:00Z"), table)
    assert [k for k, _ in full] == list(tracking.KEYS)
    assert dict(full)[tracking.HASH] == table_definition_hash(table)
    adopted = tracking_properties(Tracking("1.0.0", "snap", None, "dev", None), table)
    assert [k for k, _ in adopted] == [tracking.ENVIRONMENT, tracking.HASH, tracking.SNAPSHOT,
                                       tracking.VERSION]
    stamped = table.model_copy(update={"properties": {tracking.VERSION: "0.9", "q": "1"}})
    assert table_definition_hash(stamped) == table_definition_hash(
        table.model_copy(update={"properties": {"q": "1"}}))


def test_restore_and_stamp_statements_are_planner_output() -> None:
    p, tid = _state()
    state = p.state()
    target = Target(catalogs={"shop": "dev_shop"}, schema_prefix="p_",
                    tracking=Tracking("2.0.0", "snap", "dep_1", "dev", "2026-01-01T00:00:00Z"))
    name = "`dev_shop`.`p_sales`.`orders`"
    steps = restore_statements(target, state, state, {name: 3, "`gone`.`s`.`t`": 1})
    assert [n for n, _ in steps] == ["`dev_shop`.`p_sales`.`orders`"] * 2 + ["`gone`.`s`.`t`"]
    restore, stamp, other = (st for _, st in steps)
    assert restore.sql == f"RESTORE TABLE {name} TO VERSION AS OF 3" and restore.risk is Risk.DESTRUCTIVE
    assert restore.object_id == tid and other.object_id is None
    assert stamp.sql.startswith(f"ALTER TABLE {name} SET TBLPROPERTIES ('schemax.deployed_at' = ")
    assert "'schemax.deployment' = 'dep_1'" in stamp.sql and stamp.capability == "table_properties"
    (only,) = stamp_statements(target, state)
    assert only.sql == stamp.sql
    assert stamp_statements(Target(), state) == []
