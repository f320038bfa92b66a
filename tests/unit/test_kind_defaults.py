"""The registry-driven defaults a new object kind gets without code of its own (issue 14).

A schema child whose state is its create payload needs no replay handler, no op emitter, no comparer and
no emission phase of its own: volumes use every default today, so these tests pin the defaults through
them (and the golden cases pin that volumes render and plan as before).
"""

from __future__ import annotations

import pydantic
import pytest

import schemax
from schemax.adapters.memory import MemoryStore
from schemax.core import kinds
from schemax.core import ops as o
from schemax.core.model import State
from schemax.core.replay import replay
from schemax.drift import ObservedStateBuilder, compare
from schemax.plan.to_ops import ops_between


def _project() -> schemax.Project:
    p = schemax.Project.create(None, "p", store=MemoryStore(), author="t")
    p.create_catalog("c")
    p.create_schema("c.s")
    return p


def test_a_volume_created_by_default_holds_every_field_of_its_payload() -> None:
    p = _project()
    vid = p.create_volume("c.s.landing", "external", "s3://bucket/landing", comment="raw 'files'")
    vol = p.state().volumes[vid]
    assert (vol.schema_id, vol.name, vol.volume_type, vol.location, vol.comment) == (
        p.state().find("c.s"), "landing", "EXTERNAL", "s3://bucket/landing", "raw 'files'"
    )


def test_the_default_create_refuses_what_every_kind_refuses_and_what_the_payload_says() -> None:
    p = _project()
    with pytest.raises(schemax.ValidationError, match="an external volume needs a location"):
        p.create_volume("c.s.bad", "EXTERNAL")
    p.create_volume("c.s.files")
    with pytest.raises(schemax.ValidationError, match="volume"):
        p.create_volume("c.s.FILES")  # one name namespace per schema, case-insensitively
    with pytest.raises(schemax.ValidationError):
        p.create_volume("c.nowhere.files")
    assert [v.name for v in p.state().volumes.values()] == ["files"]  # nothing half-recorded


def test_the_default_emitter_replays_to_the_same_volume_with_its_tags_and_grants() -> None:
    p = _project()
    before = p.state()
    p.create_volume("c.s.landing", "EXTERNAL", "s3://bucket/landing", comment="raw")
    p.set_tags("c.s.landing", {"tier": "bronze"})
    p.grant("c.s.landing", "engineers", ["READ VOLUME", "WRITE VOLUME"])
    after = p.state()
    ops = ops_between(before, after)
    assert [op.kind for op in ops] == ["create_volume", "set_volume_tags", "grant"]
    assert set(ops[0].payload) == set(o.CreateVolume.model_fields)
    assert replay(ops, before) == after
    assert ops_between(after, after) == []


def test_the_default_phase_of_a_schema_childs_ops_is_the_views() -> None:
    from schemax.plan.to_ops import _PHASE_OF

    for child in kinds.schema_children():
        for op_kind, (target, _) in o.OP_PAYLOADS.items():
            if target == child.name:
                assert op_kind in _PHASE_OF, op_kind
    # a drop of a volume runs before the tables it lives beside are dropped, its create after the schema's
    assert _PHASE_OF["drop_volume"] < _PHASE_OF["drop_table"] < _PHASE_OF["drop_schema"]
    assert _PHASE_OF["create_schema"] < _PHASE_OF["create_volume"]


def _volumes(**volume: object) -> State:
    b = ObservedStateBuilder()
    b.catalog("c")
    b.schema("c", "s")
    b.volume("c", "s", "landing", **volume)  # type: ignore[arg-type]
    return b.build()


def test_the_default_comparer_reports_each_attribute_the_design_sets() -> None:
    expected = _volumes(volume_type="EXTERNAL", location="s3://bucket/landing/", comment="raw")
    assert compare(expected, _volumes(volume_type="EXTERNAL", location="s3://bucket/landing",
                                      comment="raw")).findings == ()  # locations compared normalized
    moved = compare(expected, _volumes(volume_type="EXTERNAL", location="s3://other", comment="raw"))
    assert [(f.object_type, f.detail, f.expected, f.actual) for f in moved.findings] == [
        ("volume", "location", "s3://bucket/landing", "s3://other")
    ]
    report = compare(expected, _volumes(volume_type="MANAGED", comment=None, tags={"x": "1"}))
    got = {(f.object_type, f.detail, f.expected, f.actual) for f in report.findings}
    assert ("volume", "volume type", "EXTERNAL", "MANAGED") in got
    assert any(f.detail == "comment" for f in report.findings)
    assert any(f.object_type == "tag" for f in report.findings), report.summary()


def test_an_attribute_the_design_leaves_to_the_engine_is_not_compared() -> None:
    managed = _volumes()
    assert compare(managed, _volumes(location="s3://metastore-root/__unitystorage/vol")).findings == ()


def test_create_object_reaches_any_schema_child_and_matches_the_typed_method() -> None:
    typed, generic = _project(), _project()
    typed.create_volume("c.s.landing", "EXTERNAL", "s3://bucket/landing", comment="raw")
    generic.create_object("volume", "c.s.landing", volume_type="EXTERNAL", location="s3://bucket/landing",
                          comment="raw")
    generic.create_object("function", "c.s.twice", parameters="x INT", returns="INT", body="x * 2")

    def shape(p: schemax.Project, field: str) -> list[dict[str, object]]:
        return [o.model_dump(exclude={"id", "schema_id"}) for o in getattr(p.state(), field).values()]

    assert shape(generic, "volumes") == shape(typed, "volumes")
    functions = [(f["name"], f["returns"], f["body"]) for f in shape(generic, "functions")]
    assert functions == [("twice", "INT", "x * 2")]


def test_create_object_refuses_an_unknown_kind_a_table_and_an_unknown_attribute_recording_nothing() -> None:
    p = _project()
    seq = len(p.ops())
    with pytest.raises(schemax.ValidationError, match="view, volume, function, not 'widget'"):
        p.create_object("widget", "c.s.w")
    with pytest.raises(schemax.ValidationError, match="not 'table'"):
        p.create_object("table", "c.s.t")
    with pytest.raises(schemax.ValidationError, match="size"):
        p.create_object("volume", "c.s.files", size=3)
    assert len(p.ops()) == seq


@pytest.mark.parametrize("kind", [k for k in kinds.top_level() if k.name != "table"], ids=lambda k: k.name)
def test_a_derived_create_payload_has_the_fields_of_the_declared_one(kind: kinds.ObjectKind) -> None:
    """What a new kind gets without a payload of its own is what every kind but tables declares today."""
    declared = o.payload_model(f"create_{kind.name}")
    derived = o.derived_create_payload(kind)
    assert list(derived.model_fields) == list(declared.model_fields)
    with pytest.raises(pydantic.ValidationError, match="Extra inputs are not permitted"):
        derived.model_validate({"name": "x", "grants": {}})  # ops of their own set grants, tags, owner


def test_a_derived_create_payload_validates_what_the_declared_one_does() -> None:
    payload = {"schema_id": "sch_1", "name": "landing", "volume_type": "EXTERNAL", "location": "s3://b/l"}
    derived = o.derived_create_payload(kinds.VOLUME).model_validate(payload)
    assert derived.model_dump() == o.CreateVolume.model_validate(payload).model_dump()
    with pytest.raises(pydantic.ValidationError, match="volume_type"):
        o.derived_create_payload(kinds.VOLUME).model_validate({**payload, "volume_type": "TEMPORARY"})
