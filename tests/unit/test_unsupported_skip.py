"""Local runs of a Unity Catalog design (issue 15): an environment with ``unsupported: skip`` leaves out the
governance statements its engine does not emulate and lists them; everything else stays refused."""

from __future__ import annotations

from typing import Any

import pytest

import schemax
from helpers import RecordingEngine
from schemax.adapters.memory import MemoryStore
from schemax.plan import OSS_DELTA


def _project(engine: RecordingEngine, **env: Any) -> schemax.Project:
    p = schemax.Project.create(engine, "shop", store=MemoryStore(), author="tester")
    p._capabilities = OSS_DELTA  # what a local engine is
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.create_table("shop.sales.orders", [schemax.Column("id", "BIGINT", nullable=False),
                                         schemax.Column("email", "STRING")], comment="Orders")
    p.set_tags("shop.sales.orders", {"tier": "gold"})
    p.set_tags("shop.sales.orders.email", {"pii": "email"})
    p.grant("shop.sales.orders", "analysts", ["SELECT"])
    p.snapshot("v1", version="1.0.0")
    # no catalog to scan behind the recording engine: drift is allowed, not checked
    p.add_environment("dev", {"shop": "spark_catalog"}, allow_drift=True, **env)
    return p


def test_by_default_a_plan_with_governance_the_engine_lacks_is_refused() -> None:
    p = _project(RecordingEngine())
    plan = p.plan("dev")
    assert {s.capability for s, _ in plan.unsupported} == {"tags", "grants"} and plan.skipped == ()
    with pytest.raises(schemax.UnsupportedError):
        p.deploy("dev")


def test_skip_lists_the_governance_statements_and_deploys_the_rest() -> None:
    engine = RecordingEngine()
    p = _project(engine, unsupported="skip")
    plan = p.plan("dev")
    assert plan.unsupported == ()
    assert sorted(s.capability for s, _ in plan.skipped) == ["grants", "tags", "tags"]
    assert not [s for s in plan.statements if s.capability in ("tags", "grants")]
    assert f"-- SKIPPED on {OSS_DELTA.name}: 3 statement(s)" in plan.script(), plan.script()
    assert [r["reason"] for r in plan.to_dict()["skipped"]].count("tags are Unity Catalog only") == 2
    assert "3 statements skipped on" in plan._repr_html_() and "GRANT" in plan._repr_html_()
    assert "#### Skipped on" in plan.to_markdown()
    dep = p.deploy("dev")
    assert dep.status == "success"
    assert any("CREATE TABLE" in sql for sql in engine.sql)
    assert not [sql for sql in engine.sql if "SET TAGS" in sql or sql.startswith("GRANT")]
    # the environment holds the design as a Unity Catalog one would: nothing is left to plan
    assert p.plan("dev").statements == () and p.plan("dev").skipped == ()


def test_skip_never_leaves_out_what_changes_a_definition() -> None:
    p = _project(RecordingEngine(), unsupported="skip")
    p.add_primary_key("shop.sales.orders", ["id"])  # Unity Catalog only, and not governance
    p.snapshot("v2", version="2.0.0")
    plan = p.plan("dev")
    assert [s.capability for s, _ in plan.unsupported] == ["constraints_pk_fk"]
    with pytest.raises(schemax.UnsupportedError):
        p.deploy("dev")


def test_the_setting_is_left_out_of_the_record_unless_set_and_can_be_switched_back() -> None:
    p = _project(RecordingEngine())
    assert "unsupported" not in p.environment("dev").model_dump()
    assert p.update_environment("dev", unsupported="skip").unsupported == "skip"
    assert p.update_environment("dev", unsupported=None).unsupported is None
    with pytest.raises(schemax.ValidationError):
        p.update_environment("dev", unsupported="rewrite")
