"""The Unity Catalog rules (schemax.core.uc_rules): each accepted and refused when an op is recorded (nothing
recorded on refusal), old logs replaying unchanged, and plans for Unity Catalog listing what a rule refuses.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import schemax
from schemax.adapters.memory import MemoryStore
from schemax.core import uc_rules
from schemax.core.hashing import GENESIS_HASH, op_hash, state_hash
from schemax.core.model import State
from schemax.core.ops import PRIVILEGES, Op
from schemax.core.replay import replay
from schemax.core.uc_rules import ALL_PRIVILEGES, PRIVILEGES_BY_KIND, RULES
from schemax.core.uc_statements import state_violations, statement_problems
from schemax.errors import RuleViolationError, ValidationError
from schemax.plan import OSS_DELTA, UNITY_CATALOG, plan
from schemax.plan.capabilities import CAPABILITIES
from schemax.ports import OpRecord

DOC = Path(__file__).resolve().parents[2] / "docs" / "unity-catalog.md"


def shop() -> schemax.Project:
    p = schemax.Project.in_memory("shop", author="tester")
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.create_schema("shop.ref")
    p.create_table(
        "shop.sales.orders",
        [schemax.Column("id", "BIGINT", nullable=False), schemax.Column("customer_id", "BIGINT")],
    )
    p.create_table("shop.sales.customers", [schemax.Column("id", "BIGINT", nullable=False)])
    p.create_view("shop.sales.v", "SELECT id FROM orders")
    p.create_volume("shop.sales.files")
    p.create_function("shop.sales.f", "x + 1", parameters="x INT", returns="INT")
    return p


def refused(p: schemax.Project, rule: str, action: Callable[[], Any]) -> RuleViolationError:
    """``action`` raises RuleViolationError for ``rule`` and records nothing."""
    before = len(p.ops())
    with pytest.raises(RuleViolationError) as info:
        action()
    assert info.value.rule == rule, info.value
    assert info.value.source == RULES[rule].source and info.value.source in str(info.value)
    assert isinstance(info.value, ValidationError)
    assert len(p.ops()) == before, "a refused op must record nothing"
    return info.value


def grants(p: schemax.Project, name: str) -> dict[str, tuple[str, ...]]:
    s = p.state()
    return dict(s.get(s.find(name) or "").grants)  # type: ignore[union-attr]


# ---------------------------------------------------------------------------------------------------
# the registry
# ---------------------------------------------------------------------------------------------------


def test_every_rule_is_cited_and_says_where_it_is_enforced() -> None:
    assert len(RULES) >= 20
    for rid, r in RULES.items():
        assert rid == r.id and re.fullmatch(r"[a-z]+(-[a-z]+)*", rid)
        assert r.rule.endswith(".") and r.source.startswith("https://"), rid
        assert r.enforced and all(w for w in r.enforced), rid
        assert all(u.startswith("https://") for u in r.also), rid
        assert all(re.fullmatch(r"UC-\d\d", f) for f in r.facts), rid


def test_the_uc_preset_leaves_out_exactly_the_rules_with_a_capability_and_cites_them() -> None:
    refused_caps = {r.capability: r for r in RULES.values() if r.capability}
    assert set(CAPABILITIES) - UNITY_CATALOG.supported == set(refused_caps)
    for cap, r in refused_caps.items():
        assert UNITY_CATALOG.reason(cap) == r.message
    assert "https://" in UNITY_CATALOG.reason("schema_properties_unset")
    assert "https://" in UNITY_CATALOG.reason("table_move")
    assert UNITY_CATALOG.uc_rules and not OSS_DELTA.uc_rules


def test_docs_list_every_rule_with_its_source() -> None:
    text = DOC.read_text(encoding="utf-8")
    for r in RULES.values():
        row = next((line for line in text.splitlines() if line.startswith(f"| `{r.id}` — ")), None)
        assert row is not None, f"docs/unity-catalog.md has no row for rule {r.id}"
        assert r.source in row, f"the row of {r.id} does not cite {r.source}"
    # the table is the registry's, verbatim (regenerate it with uc_rules.rules_markdown())
    assert uc_rules.rules_markdown() in text


def test_the_privilege_table_covers_every_securable_kind_and_replay_knows_every_privilege() -> None:
    assert set(PRIVILEGES_BY_KIND) == {"catalog", "schema", "table", "view", "volume", "function"}
    for kind, privs in PRIVILEGES_BY_KIND.items():
        assert ALL_PRIVILEGES in privs and privs <= PRIVILEGES, kind
    assert "READ VOLUME" not in PRIVILEGES_BY_KIND["table"]
    assert "USE CATALOG" not in PRIVILEGES_BY_KIND["schema"]


# ---------------------------------------------------------------------------------------------------
# privileges per securable
# ---------------------------------------------------------------------------------------------------

_SECURABLES = {
    "catalog": "shop",
    "schema": "shop.sales",
    "table": "shop.sales.orders",
    "view": "shop.sales.v",
    "volume": "shop.sales.files",
    "function": "shop.sales.f",
}


@pytest.mark.parametrize("kind", sorted(_SECURABLES))
def test_each_securable_takes_its_privileges_and_refuses_the_others(kind: str) -> None:
    p = shop()
    name = _SECURABLES[kind]
    for priv in sorted(PRIVILEGES_BY_KIND[kind] - {ALL_PRIVILEGES}):
        p.grant(name, "analysts", [priv.lower()])  # privileges are keywords: any case
    assert set(grants(p, name)["analysts"]) == PRIVILEGES_BY_KIND[kind] - {ALL_PRIVILEGES}
    for priv in sorted(PRIVILEGES - PRIVILEGES_BY_KIND[kind]):
        err = refused(p, "privileges-per-securable", lambda priv=priv: p.grant(name, "etl", [priv]))
        assert priv in err.reason and f"on a {kind}" in err.reason


def test_a_volume_privilege_on_a_table_is_refused() -> None:
    p = shop()
    refused(p, "privileges-per-securable", lambda: p.grant("shop.sales.orders", "etl", ["READ VOLUME"]))
    p.grant("shop.sales.files", "etl", ["READ VOLUME"])
    assert grants(p, "shop.sales.files") == {"etl": ("READ VOLUME",)}


def test_an_unknown_privilege_is_still_replays_error() -> None:
    p = shop()
    with pytest.raises(ValidationError, match="unknown privilege"):
        p.grant("shop.sales.orders", "etl", ["FLY"])


# ---------------------------------------------------------------------------------------------------
# ALL PRIVILEGES
# ---------------------------------------------------------------------------------------------------


def test_all_privileges_with_other_privileges_in_one_grant_is_refused() -> None:
    p = shop()
    err = refused(
        p, "all-privileges-alone", lambda: p.grant("shop.sales.orders", "etl", ["ALL PRIVILEGES", "SELECT"])
    )
    assert "grant ALL PRIVILEGES alone" in err.reason


def test_granting_all_privileges_replaces_the_principals_list() -> None:
    p = shop()
    p.grant("shop.sales.orders", "analysts", ["SELECT", "MODIFY"])
    n = len(p.ops())
    p.grant("shop.sales.orders", "analysts", ["ALL PRIVILEGES"])
    assert grants(p, "shop.sales.orders") == {"analysts": (ALL_PRIVILEGES,)}
    recorded = p.ops()[n:]
    assert [(op.kind, op.payload["privileges"]) for op in recorded] == [
        ("revoke", ["MODIFY", "SELECT"]),
        ("grant", ["ALL PRIVILEGES"]),
    ]
    # the log replays to the same state, and verify agrees with a snapshot taken now
    assert replay(p.ops()) == p.state()
    p.snapshot("1.0.0")
    assert p.verify().ops == len(p.ops())
    # granting it again changes nothing and records only the grant
    p.grant("shop.sales.orders", "analysts", ["all privileges"])
    assert p.ops()[-1].kind == "grant" and grants(p, "shop.sales.orders") == {"analysts": (ALL_PRIVILEGES,)}


def test_granting_all_privileges_in_a_batch_replaces_the_list_and_a_failed_batch_records_nothing() -> None:
    p = shop()
    n = len(p.ops())
    with p.batch():
        p.grant("shop.sales.orders", "analysts", ["SELECT"])
        p.grant("shop.sales.orders", "analysts", ["ALL PRIVILEGES"])
    assert [op.kind for op in p.ops()[n:]] == ["grant", "revoke", "grant"]
    assert grants(p, "shop.sales.orders") == {"analysts": (ALL_PRIVILEGES,)}
    n = len(p.ops())
    with pytest.raises(RuleViolationError), p.batch():
        p.grant("shop.sales.orders", "etl", ["SELECT"])
        p.grant("shop.sales.orders", "analysts", ["MODIFY"])  # beside ALL PRIVILEGES: refused
    assert len(p.ops()) == n


def test_a_single_privilege_beside_all_privileges_is_refused_with_how_to_narrow() -> None:
    p = shop()
    p.grant("shop.sales.orders", "analysts", ["ALL PRIVILEGES"])
    for action in (
        lambda: p.grant("shop.sales.orders", "analysts", ["SELECT"]),
        lambda: p.revoke("shop.sales.orders", "analysts", ["MODIFY"]),
    ):
        err = refused(p, "all-privileges-alone", action)
        assert "revoke ALL PRIVILEGES, then grant the narrower list" in err.reason
    # the way to narrow it
    p.revoke("shop.sales.orders", "analysts", ["ALL PRIVILEGES"])
    p.grant("shop.sales.orders", "analysts", ["SELECT"])
    assert grants(p, "shop.sales.orders") == {"analysts": ("SELECT",)}


def test_revert_across_all_privileges_replacing_and_narrowing_a_list_is_recorded() -> None:
    """revert_to records the ops between two states; between ALL PRIVILEGES and a list they must revoke
    first, or the rules would refuse them."""
    p = shop()
    p.grant("shop.sales.orders", "analysts", ["SELECT"])
    p.grant("shop.sales.v", "analysts", ["ALL PRIVILEGES"])
    p.snapshot("0.1.0")
    p.grant("shop.sales.orders", "analysts", ["ALL PRIVILEGES"])
    p.revoke("shop.sales.v", "analysts", ["ALL PRIVILEGES"])
    p.grant("shop.sales.v", "analysts", ["SELECT"])
    p.snapshot("0.2.0")
    p.revert_to("0.1.0")
    assert grants(p, "shop.sales.orders") == {"analysts": ("SELECT",)}
    assert grants(p, "shop.sales.v") == {"analysts": (ALL_PRIVILEGES,)}
    p.revert_to("0.2.0")
    assert grants(p, "shop.sales.orders") == {"analysts": (ALL_PRIVILEGES,)}
    assert grants(p, "shop.sales.v") == {"analysts": ("SELECT",)}


def _old_log(ops: list[Op]) -> schemax.Project:
    """A project whose log was written before the rules (straight into the store, as an old log is)."""
    store, prev, records = MemoryStore(), GENESIS_HASH, []
    p = schemax.Project.create(None, "old", store=store, author="tester")
    for seq, op in enumerate(ops, start=1):
        h = op_hash(op, prev)
        records.append(OpRecord(seq=seq, op=op, prev_hash=prev, hash=h))
        prev = h
    store.append_ops("old", records)
    p.refresh()
    return p


def _op(kind: str, target: str, payload: dict[str, Any]) -> Op:
    return Op.new(
        kind,
        target,
        payload,
        author="old",
        ts="2025-01-01T00:00:00.000000Z",
        op_id=f"op_{kind}_{target}_" + str(len(str(payload))),
    )


OLD_OPS = [
    _op("create_catalog", "cat_1", {"name": "shop"}),
    _op("create_schema", "sch_1", {"catalog_id": "cat_1", "name": "sales"}),
    _op(
        "create_table",
        "tbl_1",
        {
            "schema_id": "sch_1",
            "name": "orders",
            "location": "s3://b/orders",
            "columns": [{"id": "col_1", "name": "id", "type": "BIGINT", "nullable": False}],
            "tags": {"data-owner": "sales"},
        },
    ),
    _op(
        "create_table",
        "tbl_2",
        {
            "schema_id": "sch_1",
            "name": "items",
            "columns": [{"id": "col_2", "name": "id", "type": "BIGINT", "nullable": False}],
        },
    ),
    _op("add_primary_key", "con_1", {"table_id": "tbl_1", "name": "pk", "columns": ["col_1"]}),
    _op("add_primary_key", "con_2", {"table_id": "tbl_2", "name": "pk", "columns": ["col_2"]}),
    _op("grant", "tbl_1", {"principal": "analysts", "privileges": ["SELECT"]}),
    _op("grant", "tbl_1", {"principal": "analysts", "privileges": ["ALL PRIVILEGES"]}),
    _op("grant", "tbl_1", {"principal": "etl", "privileges": ["READ VOLUME"]}),
    _op("create_volume", "vol_1", {"schema_id": "sch_1", "name": "files", "location": "s3://b/files"}),
]


def test_an_old_log_replays_to_the_state_it_always_had() -> None:
    """Replay gives old ops their old meaning: the rules refuse only new ops, so verify() keeps passing."""
    p = _old_log(OLD_OPS)
    s = p.state()
    assert s.tables["tbl_1"].grants == {"analysts": ("ALL PRIVILEGES", "SELECT"), "etl": ("READ VOLUME",)}
    assert s.tables["tbl_1"].tags == {"data-owner": "sales"} and s.tables["tbl_1"].location == "s3://b/orders"
    assert state_hash(s) == state_hash(replay(OLD_OPS))
    p.snapshot("1.0.0")
    assert p.verify().snapshots == 1
    # a new op on top is held to the rules; cleaning the old state up is allowed
    refused(p, "all-privileges-alone", lambda: p.grant("shop.sales.orders", "analysts", ["MODIFY"]))
    p.revoke("shop.sales.orders", "analysts", ["SELECT"])
    p.revoke("shop.sales.orders", "etl", ["READ VOLUME"])
    assert p.state().tables["tbl_1"].grants == {"analysts": ("ALL PRIVILEGES",)}
    p.create_table("shop.sales.x", [schemax.Column("id", "BIGINT", nullable=False)])
    refused(p, "key-constraint-names-per-schema", lambda: p.add_primary_key("shop.sales.x", ["id"], "pk"))


# ---------------------------------------------------------------------------------------------------
# tags
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("ch", list(".,-=/:") + ["\x07"])
def test_a_tag_key_with_a_character_uc_refuses_is_refused(ch: str) -> None:
    p = shop()
    for name in (
        "shop",
        "shop.sales",
        "shop.sales.orders",
        "shop.sales.orders.id",
        "shop.sales.v",
        "shop.sales.files",
    ):
        refused(p, "tag-key", lambda name=name: p.set_tags(name, {f"data{ch}owner": "x"}))


def test_tag_keys_uc_accepts_are_recorded() -> None:
    p = shop()
    p.set_tags(
        "shop.sales.orders", {"data_owner": "sales", "PII": "yes", "tier 1": "a-b.c=d/e:f", "k" * 255: ""}
    )
    assert len(p.state().tables[p.state().find("shop.sales.orders")].tags) == 4  # type: ignore[index]
    refused(p, "tag-key", lambda: p.set_tags("shop.sales.orders", {"k" * 256: "x"}))


def test_a_tag_value_over_1000_characters_is_refused() -> None:
    p = shop()
    p.set_tags("shop.sales.orders", {"note": "x" * 1000})
    refused(p, "tag-value", lambda: p.set_tags("shop.sales.orders", {"note": "x" * 1001}))


def test_an_object_carries_at_most_20_tags() -> None:
    p = shop()
    p.set_tags("shop.sales.orders", {f"k{i:02}": "v" for i in range(19)})
    p.set_tags("shop.sales.orders", {"k19": "v"})
    p.set_tags("shop.sales.orders", {"k00": "new value"})  # changing a tag keeps the count
    err = refused(p, "tags-per-object", lambda: p.set_tags("shop.sales.orders", {"k20": "v"}))
    assert "21 tags" in err.reason
    refused(
        p, "tags-per-object", lambda: p.set_tags("shop.sales.orders.id", {f"c{i}": "v" for i in range(21)})
    )


def test_a_function_takes_no_tags() -> None:
    from schemax.core.ops import OP_KINDS

    p = shop()
    with pytest.raises(ValidationError, match="a function cannot carry tags"):
        p.set_tags("shop.sales.f", {"k": "v"})
    assert "set_function_tags" not in OP_KINDS and "taggable-kinds" in RULES


def test_a_new_table_with_bad_tags_is_refused() -> None:
    p = shop()
    refused(p, "tag-key", lambda: p.create_table("shop.sales.t", [("id", "INT")], tags={"a.b": "x"}))
    refused(
        p, "tag-key", lambda: p.create_table("shop.sales.t", [schemax.Column("id", "INT", tags={"a:b": "x"})])
    )
    p.create_table("shop.sales.t", [schemax.Column("id", "INT", tags={"ab": "x"})], tags={"ok": "1"})


# ---------------------------------------------------------------------------------------------------
# constraint names
# ---------------------------------------------------------------------------------------------------


def test_key_constraint_names_are_unique_per_schema() -> None:
    p = shop()
    p.add_primary_key("shop.sales.customers", ["id"], name="pk")
    err = refused(
        p,
        "key-constraint-names-per-schema",
        lambda: p.add_primary_key("shop.sales.orders", ["id"], name="PK"),
    )
    assert "'customers'" in err.reason
    refused(
        p,
        "key-constraint-names-per-schema",
        lambda: p.add_foreign_key(
            "shop.sales.orders", ["customer_id"], "shop.sales.customers", ["id"], name="pk"
        ),
    )
    # another schema has names of its own; a dropped key frees its name
    p.create_table("shop.ref.orders", [schemax.Column("id", "BIGINT", nullable=False)])
    p.add_primary_key("shop.ref.orders", ["id"], name="pk")
    p.add_foreign_key("shop.sales.orders", ["customer_id"], "shop.sales.customers", ["id"], name="orders_fk")
    p.drop_constraint("shop.sales.orders", "orders_fk")
    p.drop_constraint("shop.sales.customers", "pk")
    p.add_primary_key("shop.sales.orders", ["id"], name="pk")


def test_check_constraint_names_stay_per_table() -> None:
    p = shop()
    p.add_check_constraint("shop.sales.orders", "positive", "id > 0")
    p.add_check_constraint("shop.sales.customers", "positive", "id > 0")  # Delta keys CHECKs per table
    with pytest.raises(ValidationError, match="already exists"):
        p.add_check_constraint("shop.sales.orders", "positive", "id > 1")


def test_a_dropped_table_or_schema_frees_its_key_names() -> None:
    p = shop()
    p.add_primary_key("shop.sales.customers", ["id"], name="pk")
    p.drop_table("shop.sales.customers")
    p.add_primary_key("shop.sales.orders", ["id"], name="pk")
    p.create_table("shop.ref.t", [schemax.Column("id", "BIGINT", nullable=False)])
    p.add_primary_key("shop.ref.t", ["id"], name="ref_pk")
    p.drop_schema("shop.ref")
    p.create_schema("shop.ref")
    p.create_table("shop.ref.u", [schemax.Column("id", "BIGINT", nullable=False)])
    p.add_primary_key("shop.ref.u", ["id"], name="ref_pk")


# ---------------------------------------------------------------------------------------------------
# managed objects and locations
# ---------------------------------------------------------------------------------------------------


def test_a_managed_table_or_volume_with_a_location_is_refused() -> None:
    p = shop()
    err = refused(
        p,
        "managed-without-location",
        lambda: p.create_table("shop.sales.t", [("id", "INT")], location="s3://b/t"),
    )
    assert "declare it EXTERNAL" in err.reason
    refused(p, "managed-without-location", lambda: p.create_volume("shop.sales.raw", location="s3://b/raw"))
    p.create_table("shop.sales.t", [("id", "INT")], table_type="EXTERNAL", location="s3://b/t")
    p.create_volume("shop.sales.raw", "EXTERNAL", location="s3://b/raw")
    p.create_table("shop.sales.m", [("id", "INT")])


# ---------------------------------------------------------------------------------------------------
# plans for Unity Catalog
# ---------------------------------------------------------------------------------------------------


def _reasons(pl: schemax.plan.Plan) -> list[tuple[str, str]]:  # type: ignore[name-defined]
    return [
        (stmt.sql, re.search(r"\[rule ([a-z-]+)", reason).group(1) if "[rule " in reason else reason)
        for stmt, reason in pl.unsupported
    ]


def test_a_plan_from_an_old_log_lists_what_the_rules_refuse_before_anything_runs() -> None:
    after = replay(OLD_OPS)
    pl = plan(State(), after, catalogs={"shop": "dev_shop"})
    rules = {r for _, r in _reasons(pl)}
    assert rules == {
        "all-privileges-alone",
        "privileges-per-securable",
        "tag-key",
        "managed-without-location",
        "key-constraint-names-per-schema",
    }
    by_sql = dict(_reasons(pl))
    assert by_sql["ALTER TABLE `dev_shop`.`sales`.`orders` SET TAGS ('data-owner' = 'sales')"] == "tag-key"
    assert (
        by_sql["GRANT READ VOLUME ON TABLE `dev_shop`.`sales`.`orders` TO `etl`"]
        == "privileges-per-securable"
    )
    assert by_sql["CREATE VOLUME IF NOT EXISTS `dev_shop`.`sales`.`files` LOCATION 's3://b/files'"] == (
        "managed-without-location"
    )
    # ALL PRIVILEGES and SELECT are rendered apart, never joined, and both are listed
    granted = [s.sql for s in pl.statements if s.sql.startswith("GRANT") and "`analysts`" in s.sql]
    assert granted == [
        "GRANT ALL PRIVILEGES ON TABLE `dev_shop`.`sales`.`orders` TO `analysts`",
        "GRANT SELECT ON TABLE `dev_shop`.`sales`.`orders` TO `analysts`",
    ]
    assert all(by_sql[g] == "all-privileges-alone" for g in granted)
    assert not pl.runnable
    header = pl.sql.split("\n\n")[0]
    assert "UNSUPPORTED on Unity Catalog" in header and RULES["tag-key"].source in header
    # open-source Spark is not held to Unity Catalog's rules (it cannot run grants or tags at all)
    oss = plan(State(), after, capabilities=OSS_DELTA)
    assert not any("[rule " in r for _, r in oss.unsupported)


def test_a_plan_that_does_not_emit_a_violation_does_not_list_it() -> None:
    before = replay(OLD_OPS)
    after = replay([*OLD_OPS, _op("set_table_comment", "tbl_2", {"comment": "items"}),
                    _op("grant", "tbl_1", {"principal": "etl", "privileges": ["SELECT"]}),
                    _op("set_table_tags", "tbl_1", {"tags": {"tier": "gold"}})])
    pl = plan(before, after)
    assert [s.sql for s in pl.statements if "tier" in s.sql or "GRANT" in s.sql] == [
        "ALTER TABLE `shop`.`sales`.`orders` SET TAGS ('tier' = 'gold')",
        "GRANT SELECT ON TABLE `shop`.`sales`.`orders` TO `etl`"]
    assert pl.unsupported == ()


def test_unset_schema_properties_is_refused_on_uc_and_runs_on_oss() -> None:
    p = shop()
    p.set_schema_properties("shop.sales", {"team": "a", "tier": "1"})
    before = p.state()
    p.unset_schema_properties("shop.sales", ["tier"])
    uc = plan(before, p.state())
    assert [(s.sql, r) for s, r in uc.unsupported] == [
        (
            "ALTER SCHEMA `shop`.`sales` UNSET DBPROPERTIES ('tier')",
            RULES["schema-unset-dbproperties"].message,
        )
    ]
    assert plan(before, p.state(), capabilities=OSS_DELTA).unsupported == ()


def test_a_table_or_view_moved_to_another_schema_is_refused_on_uc() -> None:
    p = shop()
    before = p.state()
    ref = before.find("shop.ref")
    moved = before.model_copy(
        update={
            "tables": {
                i: t.model_copy(update={"schema_id": ref}) if t.name == "customers" else t
                for i, t in before.tables.items()
            },
            "views": {i: v.model_copy(update={"schema_id": ref}) for i, v in before.views.items()},
        }
    )
    uc = plan(before, moved)
    assert [(s.sql, r) for s, r in uc.unsupported] == [
        (
            "ALTER TABLE `shop`.`sales`.`customers` RENAME TO `shop`.`ref`.`customers`",
            RULES["relation-move"].message,
        ),
        ("ALTER VIEW `shop`.`sales`.`v` RENAME TO `shop`.`ref`.`v`", RULES["relation-move"].message),
    ]


# ---------------------------------------------------------------------------------------------------
# grants as rendered
# ---------------------------------------------------------------------------------------------------


def test_all_privileges_replacing_a_list_is_granted_first_and_undone_in_the_narrowing_order() -> None:
    p = shop()
    p.grant("shop.sales.orders", "analysts", ["SELECT", "MODIFY"])
    before = p.state()
    p.grant("shop.sales.orders", "analysts", ["ALL PRIVILEGES"])
    pl = plan(before, p.state())
    assert [s.sql for s in pl.statements] == [
        "GRANT ALL PRIVILEGES ON TABLE `shop`.`sales`.`orders` TO `analysts`",
        "REVOKE MODIFY, SELECT ON TABLE `shop`.`sales`.`orders` FROM `analysts`",
    ]
    assert pl.unsupported == ()
    undo = [b.strip() for b in pl.reverse_sql().split("\n\n")[1:]]
    assert undo == [
        "GRANT MODIFY, SELECT ON TABLE `shop`.`sales`.`orders` TO `analysts`;",
        "REVOKE ALL PRIVILEGES ON TABLE `shop`.`sales`.`orders` FROM `analysts`;\n"
        "GRANT MODIFY, SELECT ON TABLE `shop`.`sales`.`orders` TO `analysts`;",
    ]


def test_a_list_replaced_by_all_privileges_is_not_a_breaking_revoke() -> None:
    # the REVOKE of the replaced list runs after GRANT ALL PRIVILEGES: the principal loses nothing, so
    # SX207 (a revoke breaks the principal's queries) must not block the deploy
    p = shop()
    p.grant("shop.sales.orders", "analysts", ["SELECT", "MODIFY"])
    before = p.state()
    p.grant("shop.sales.orders", "analysts", ["ALL PRIVILEGES"])
    assert [f.code for f in plan(before, p.state()).findings] == []
    p.revoke("shop.sales.orders", "analysts", ["ALL PRIVILEGES"])
    assert [f.code for f in plan(before, p.state()).findings] == ["SX207"]  # a real revoke still counts


def test_narrowing_all_privileges_revokes_it_right_before_granting_the_list() -> None:
    p = shop()
    p.grant("shop.sales.orders", "analysts", ["ALL PRIVILEGES"])
    p.grant("shop.sales.v", "analysts", ["SELECT"])
    before = p.state()
    p.revoke("shop.sales.v", "analysts", ["SELECT"])  # an ordinary revoke stays in the REVOKE phase
    p.revoke("shop.sales.orders", "analysts", ["ALL PRIVILEGES"])
    p.grant("shop.sales.orders", "analysts", ["SELECT"])
    p.grant("shop", "analysts", ["USE CATALOG"])
    sql = [s.sql for s in plan(before, p.state()).statements]
    assert sql == [
        "REVOKE SELECT ON VIEW `shop`.`sales`.`v` FROM `analysts`",
        "GRANT USE CATALOG ON CATALOG `shop` TO `analysts`",
        "REVOKE ALL PRIVILEGES ON TABLE `shop`.`sales`.`orders` FROM `analysts`",
        "GRANT SELECT ON TABLE `shop`.`sales`.`orders` TO `analysts`",
    ]


def test_cleaning_up_an_old_state_that_held_both_grants_the_kept_privileges_again() -> None:
    """REVOKE ALL PRIVILEGES may revoke the privileges it implies (the newer REVOKE page): the ones the
    principal keeps are granted again right after it."""
    base = OLD_OPS[:2] + [OLD_OPS[3]]
    before = replay([*base, _op("grant", "tbl_2", {"principal": "a", "privileges": ["SELECT", "MODIFY"]}),
                     _op("grant", "tbl_2", {"principal": "a", "privileges": ["ALL PRIVILEGES"]})])
    after = replay([*base, _op("grant", "tbl_2", {"principal": "a", "privileges": ["SELECT", "APPLY TAG"]})])
    pl = plan(before, after)
    assert [s.sql for s in pl.statements] == [
        "REVOKE ALL PRIVILEGES ON TABLE `shop`.`sales`.`items` FROM `a`",
        "REVOKE MODIFY ON TABLE `shop`.`sales`.`items` FROM `a`",
        "GRANT SELECT ON TABLE `shop`.`sales`.`items` TO `a`",
        "GRANT APPLY TAG ON TABLE `shop`.`sales`.`items` TO `a`",
    ]
    assert pl.unsupported == ()


def test_the_renderer_never_joins_all_privileges_with_other_privileges() -> None:
    from schemax.plan.render.grants import _privileges

    with pytest.raises(ValueError, match="ALL PRIVILEGES joined"):
        _privileges(["ALL PRIVILEGES", "SELECT"])
    # an old state holding both is granted in two statements, for a created object too
    after = replay(
        OLD_OPS[:2]
        + [
            OLD_OPS[3],
            _op("grant", "tbl_2", {"principal": "a", "privileges": ["SELECT"]}),
            _op("grant", "tbl_2", {"principal": "a", "privileges": ["ALL PRIVILEGES"]}),
        ]
    )
    pl = plan(State(), after)
    assert [s.sql for s in pl.statements if s.sql.startswith("GRANT")] == [
        "GRANT ALL PRIVILEGES ON TABLE `shop`.`sales`.`items` TO `a`",
        "GRANT SELECT ON TABLE `shop`.`sales`.`items` TO `a`",
    ]
    assert {r for _, r in _reasons(pl)} == {"all-privileges-alone"}


# ---------------------------------------------------------------------------------------------------
# the checks themselves
# ---------------------------------------------------------------------------------------------------


def test_statement_problems_read_the_rules_from_sql() -> None:
    assert statement_problems("GRANT ALL PRIVILEGES, SELECT ON TABLE `c`.`s`.`t` TO `a`")[0][0] == (
        "all-privileges-alone"
    )
    assert (
        statement_problems("GRANT READ VOLUME ON TABLE `c`.`s`.`t` TO `a`")[0][0]
        == "privileges-per-securable"
    )
    assert statement_problems("REVOKE READ VOLUME ON TABLE `c`.`s`.`t` FROM `a`") == []  # cleaning up is fine
    assert statement_problems("ALTER TABLE `c`.`s`.`t` SET TAGS ('a-b' = 'x')")[0][0] == "tag-key"
    assert statement_problems("ALTER TABLE `c`.`s`.`t` SET TAGS ('it\\'s' = 'x')") == []
    many = ", ".join(f"'k{i}' = 'v'" for i in range(21))
    assert [r for r, _ in statement_problems(f"ALTER VIEW `c`.`s`.`v` SET TAGS ({many})")] == [
        "tags-per-object"
    ]
    assert statement_problems("GRANT SELECT ON TABLE `c`.`s`.`t` TO `a`") == []


def test_state_violations_name_the_statements_that_carry_them() -> None:
    violations = state_violations(replay(OLD_OPS))
    assert {v.rule for v in violations} == {
        "all-privileges-alone",
        "privileges-per-securable",
        "tag-key",
        "managed-without-location",
        "key-constraint-names-per-schema",
    }
    tag = next(v for v in violations if v.rule == "tag-key")
    assert tag.carried_by("ALTER TABLE `x` SET TAGS ('data-owner' = 'y')", "tbl_1", "tags")
    assert not tag.carried_by("ALTER TABLE `x` SET TAGS ('other' = 'y')", "tbl_1", "tags")
    assert not tag.carried_by("ALTER TABLE `x` SET TAGS ('data-owner' = 'y')", "tbl_2", "tags")
    assert uc_rules.tag_problems({"ok": "v"}) == []
