"""The registry of object kinds and the import-time completeness check every per-kind table uses."""

from __future__ import annotations

import pytest

from schemax.core import kinds
from schemax.core import ops as o
from schemax.core.model import ID_PREFIXES, KIND_FIELD, KIND_PREFIX, State, kind_of_id
from schemax.core.registry import require_complete
from schemax.plan import changes as ch


def test_require_complete_names_every_missing_member() -> None:
    table = {ch.CreateCatalog: 1, ch.DropCatalog: 2}
    with pytest.raises(AssertionError, match=r"^appliers: no entry for AlterCatalog, RenameCatalog$"):
        require_complete(table, [ch.CreateCatalog, ch.RenameCatalog, ch.DropCatalog, ch.AlterCatalog],
                         "appliers")
    with pytest.raises(AssertionError, match="object kinds without phases: no entry for volume"):
        require_complete({"table": 0}, ["table", "volume"], "object kinds without phases")
    require_complete(table, [ch.CreateCatalog], "appliers")  # complete: no error


def test_registry_lookups() -> None:
    assert kinds.kind("table") is kinds.TABLE
    assert kinds.kind_of_id("tbl_x1") is kinds.TABLE
    assert kinds.kind_of_id("nope_x") is None and kinds.kind_of_id("tbl_") is None
    assert kind_of_id("viw_1") == "view"  # the model's alias gives the name
    assert [k.name for k in kinds.top_level()] == ["catalog", "schema", "table", "view", "volume", "function"]
    assert [k.name for k in kinds.schema_children()] == ["table", "view", "volume", "function"]
    assert [k.name for k in kinds.in_namespace("relation")] == ["table", "view"]
    assert [k.name for k in kinds.children_of("table")] == ["column", "constraint"]
    assert [k.depth for k in (kinds.CATALOG, kinds.SCHEMA, kinds.VIEW, kinds.COLUMN)] == [1, 2, 3, 4]
    assert [k.position for k in kinds.KINDS] == list(range(len(kinds.KINDS)))
    with pytest.raises(ValueError, match="held inside their table"):
        _ = kinds.COLUMN.state_field


def test_derived_aliases_keep_their_values() -> None:
    assert ID_PREFIXES == {"cat": "catalog", "sch": "schema", "tbl": "table", "viw": "view", "vol": "volume",
                           "fun": "function", "col": "column", "con": "constraint"}
    assert KIND_PREFIX == {v: k for k, v in ID_PREFIXES.items()}
    assert list(KIND_FIELD.items()) == [("catalog", "catalogs"), ("schema", "schemas"), ("table", "tables"),
                                        ("view", "views"), ("volume", "volumes"), ("function", "functions")]
    assert tuple(State.model_fields) == tuple(KIND_FIELD.values())  # the snapshot format is unchanged
    assert set(o.TAGGABLE_KINDS) == {"catalog", "schema", "table", "column", "view", "volume"}
    assert set(o.SECURABLE_KINDS) == {"catalog", "schema", "table", "view", "volume", "function"}


@pytest.mark.parametrize("kind", kinds.KINDS, ids=lambda k: k.name)
def test_each_kind_has_exactly_the_op_families_its_flags_say(kind: kinds.ObjectKind) -> None:
    n = kind.name
    families = {
        f"drop_{n}": True,
        f"rename_{n}": kind.renamable,
        f"set_{n}_comment": kind.has_comment,
        f"set_{n}_tags": kind.taggable,
        f"unset_{n}_tags": kind.taggable,
        f"set_{n}_properties": kind.has_properties,
        f"unset_{n}_properties": kind.has_properties,
    }
    for op_kind, expected in families.items():
        assert (op_kind in o.OP_PAYLOADS) == expected, op_kind
        if expected:
            assert o.OP_PAYLOADS[op_kind][0] == n


def test_every_top_level_kind_has_its_change_family() -> None:
    for kind in kinds.top_level():
        family = ch.OBJECT_CHANGES[kind.name]
        assert family.create.kind == f"create_{kind.name}" and family.drop.kind == f"drop_{kind.name}"
        assert (family.rename is not None) == kind.renamable
        for t in family.types():
            assert ch.KIND_OF_CHANGE[t] is kind
