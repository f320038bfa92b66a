"""The Project API on the in-memory store: recording, batching, snapshots, verify, export/import."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest

import schemax
from schemax.adapters.memory import MemoryStore
from schemax.core.ops import Op


@pytest.fixture()
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture()
def project(store: MemoryStore) -> schemax.Project:
    p = schemax.Project.create(None, "shop", store=store, author="alice")
    p.create_catalog("shop")
    p.create_schema("shop.sales", comment="Sales data")
    p.create_table("shop.sales.orders", [schemax.Column("id", "BIGINT", nullable=False),
                                         schemax.Column("amount", "decimal(10, 2)")], comment="Orders")
    return p


def test_create_and_open(store: MemoryStore, project: schemax.Project) -> None:
    with pytest.raises(schemax.ProjectExistsError):
        schemax.Project.create(None, "shop", store=store)
    with pytest.raises(schemax.ProjectNotFoundError):
        schemax.Project.open(None, "nope", store=store)
    again = schemax.Project.open(None, "shop", store=store)
    assert again.state() == project.state()
    assert [o.kind for o in again.ops()] == ["create_catalog", "create_schema", "create_table"]
    assert all(o.author == "alice" for o in again.ops())


def test_names_resolve_case_insensitively_and_ids_survive_renames(project: schemax.Project) -> None:
    table_id = project.state().find("shop.sales.orders")
    project.rename_table("SHOP.Sales.ORDERS", "orders_v2")
    project.rename_column("shop.sales.orders_v2", "AMOUNT", "total")
    state = project.state()
    assert state.find("shop.sales.orders_v2") == table_id
    assert [c.name for c in state.tables[table_id].columns] == ["id", "total"]


def test_invalid_op_records_nothing(project: schemax.Project, store: MemoryStore) -> None:
    before = len(project.ops())
    commits = store.commits
    with pytest.raises(schemax.ValidationError) as err:
        project.add_column("shop.sales.orders", "id", "INT")
    assert err.value.op.kind == "add_column"
    with pytest.raises(schemax.ValidationError, match="invalid data type"):
        project.add_column("shop.sales.orders", "x", "decimal(99,2)")
    with pytest.raises(schemax.NotFoundError):
        project.drop_column("shop.sales.orders", "nope")
    assert len(project.ops()) == before
    assert store.commits == commits


@pytest.mark.parametrize("kind,name", [("catalog", "shop"), ("schema", "shop.sales")])
def test_catalog_and_schema_properties(project: schemax.Project, store: MemoryStore, kind: str,
                                       name: str) -> None:
    set_props = getattr(project, f"set_{kind}_properties")
    unset_props = getattr(project, f"unset_{kind}_properties")
    set_props(name, {"team": "data", "tier": "gold"})
    unset_props(name, ["tier"])
    obj = project.state().get(project.state().find(name))
    assert obj.properties == {"team": "data"}
    assert [o.kind for o in project.ops()[-2:]] == [f"set_{kind}_properties", f"unset_{kind}_properties"]
    before, commits = len(project.ops()), store.commits
    for bad, reason in (({"schemax.version": "1"}, "reserved for schemax"),
                        ({"location": "s3://x"}, "reserved by the engine"), ({}, "no properties")):
        with pytest.raises(schemax.ValidationError, match=reason) as err:
            set_props(name, bad)
        assert err.value.op.kind == f"set_{kind}_properties"
    with pytest.raises(schemax.ValidationError, match="not set"):
        unset_props(name, ["tier"])
    with pytest.raises(schemax.NotFoundError):
        set_props(f"{name}x", {"k": "v"})
    assert len(project.ops()) == before  # nothing recorded on rejection
    assert store.commits == commits
    assert project.state().get(project.state().find(name)).properties == {"team": "data"}


def test_batch_is_one_commit_and_all_or_nothing(project: schemax.Project, store: MemoryStore) -> None:
    commits = store.commits
    with project.batch():
        project.add_column("shop.sales.orders", "email", "STRING")
        project.set_column_comment("shop.sales.orders", "email", "contact")  # sees the pending add
        project.create_table("shop.sales.items", [("sku", "STRING")])
    assert store.commits == commits + 1
    assert project.state().find("shop.sales.items") is not None
    n = len(project.ops())
    with pytest.raises(schemax.ValidationError):
        with project.batch():
            project.add_column("shop.sales.orders", "phone", "STRING")
            project.add_column("shop.sales.orders", "phone", "STRING")
    assert len(project.ops()) == n
    assert project.state().find("shop.sales.orders.phone") is None
    with pytest.raises(RuntimeError):
        with project.batch():
            project.add_column("shop.sales.orders", "phone", "STRING")
            raise RuntimeError("user code failed")
    assert len(project.ops()) == n


def test_snapshots_auto_bump_and_explicit_versions(project: schemax.Project) -> None:
    s1 = project.snapshot("Initial schema")
    assert s1.version == "0.1.0" and s1.previous is None and len(s1.op_ids) == 3
    project.add_column("shop.sales.orders", "email", "STRING")
    s2 = project.snapshot("Email", tags=["milestone"], comment="adds email")
    assert (s2.version, s2.previous, s2.tags, s2.comment) == (
        "0.2.0", s1.snapshot_id, ("milestone",), "adds email")
    assert len(s2.op_ids) == 1
    with pytest.raises(schemax.VersionError):
        project.snapshot("Back in time", version="0.1.5")
    with pytest.raises(schemax.VersionError):
        project.snapshot("Not semver", version="one")
    s3 = project.snapshot("Release", version="v1.0.0")
    assert s3.version == "1.0.0"
    assert project.snapshot_at("1.0.0") == s3
    assert project.snapshot_at("0.1.0").state.find("shop.sales.orders.email") is None
    assert [s.version for s in project.snapshots()] == ["0.1.0", "0.2.0", "1.0.0"]
    with pytest.raises(schemax.NotFoundError):
        project.snapshot_at("9.9.9")
    assert project.uncommitted_ops() == []


def test_verify_catches_tampered_op_and_snapshot(project: schemax.Project, store: MemoryStore) -> None:
    project.snapshot("Initial")
    result = project.verify()
    assert (result.ops, result.snapshots) == (3, 1)
    rec = store.read_ops("shop")[1]
    evil = Op(**{**rec.op.to_dict(), "payload": {**rec.op.payload, "comment": "changed"}})
    store._replace_op("shop", rec.seq, replace(rec, op=evil))
    with pytest.raises(schemax.IntegrityError) as err:
        project.verify()
    assert "op seq 2" in err.value.snapshot
    # restore the op, now tamper with the snapshot's state instead
    store._replace_op("shop", rec.seq, rec)
    project.verify()
    snap = store._snapshots["shop"][0]
    bad_state = snap.state.model_copy(update={"catalogs": {}})
    store._snapshots["shop"][0] = snap.model_copy(update={"state": bad_state})
    with pytest.raises(schemax.IntegrityError, match="snapshot 0.1.0"):
        project.verify()


def test_export_import_round_trip(project: schemax.Project, tmp_path: Path) -> None:
    project.snapshot("Initial")
    project.set_tags("shop.sales.orders.amount", {"unit": "EUR"})
    path = project.export_json(tmp_path / "shop.json")
    other = MemoryStore("other")
    copy = schemax.Project.import_json(None, path, store=other)
    assert copy.state() == project.state()
    assert [s.hash for s in copy.snapshots()] == [s.hash for s in project.snapshots()]
    assert copy.verify().head == project.verify().head
    # exporting the copy gives the same canonical bytes
    assert copy.export_json(tmp_path / "copy.json").read_bytes() == path.read_bytes()
    # a hand-edited export is refused before anything is written
    text = path.read_text().replace('"Orders"', '"Hacked"')
    (tmp_path / "bad.json").write_text(text)
    third = MemoryStore("third")
    with pytest.raises(schemax.IntegrityError):
        schemax.Project.import_json(None, tmp_path / "bad.json", store=third)
    assert third.list_projects() == []


def test_concurrent_writers_lose_nothing(store: MemoryStore) -> None:
    schemax.Project.create(None, "conc", store=store)
    first = schemax.Project.open(None, "conc", store=store)
    first.create_catalog("c")
    first.create_schema("c.s")
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            p = schemax.Project.open(None, "conc", store=store)  # each thread has its own stale view
            for i in range(10):
                p.create_table(f"c.s.t{n}_{i}", [("id", "INT")])
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    final = schemax.Project.open(None, "conc", store=store)
    assert len(final.state().tables) == 40
    assert [r.seq for r in final.op_records()] == list(range(1, 43))
    final.verify()


def test_concurrent_duplicate_is_rejected_on_rebase(store: MemoryStore) -> None:
    a = schemax.Project.create(None, "dup", store=store)
    a.create_catalog("c")
    a.create_schema("c.s")
    b = schemax.Project.open(None, "dup", store=store)
    a.create_table("c.s.t", [("id", "INT")])
    # b has not seen a's table; its own create is re-validated against the new log and refused
    with pytest.raises(schemax.ValidationError, match="already exists"):
        b.create_table("c.s.t", [("id", "INT")])
    assert len(schemax.Project.open(None, "dup", store=store).state().tables) == 1


def test_every_public_op_method(project: schemax.Project) -> None:
    p = project
    p.set_catalog_comment("shop", "Shop")
    p.set_catalog_properties("shop", {"team": "data"})
    p.unset_catalog_properties("shop", ["team"])
    p.create_schema("shop.ref")
    p.set_schema_comment("shop.ref", "Reference")
    p.set_schema_properties("shop.ref", {"tier": "gold"})
    p.unset_schema_properties("shop.ref", ["tier"])
    p.create_table("shop.ref.countries", [schemax.Column("code", "STRING", nullable=False)])
    p.add_primary_key("shop.ref.countries", ["code"])
    p.add_column("shop.sales.orders", "country", "STRING", after="id")
    p.add_foreign_key("shop.sales.orders", ["country"], "shop.ref.countries", ["code"])
    p.add_check_constraint("shop.sales.orders", "amount_pos", "amount > 0")
    p.change_column_type("shop.sales.orders", "amount", "DECIMAL(12,2)")
    p.set_column_nullable("shop.sales.orders", "amount", False)
    p.set_column_default("shop.sales.orders", "amount", "0")
    p.reorder_columns("shop.sales.orders", ["amount", "id", "country"])
    p.set_table_properties("shop.sales.orders", {"delta.enableChangeDataFeed": "true"})
    p.unset_table_properties("shop.sales.orders", ["delta.enableChangeDataFeed"])
    p.set_table_comment("shop.sales.orders", None)
    p.set_cluster_by("shop.sales.orders", ["id"])
    p.create_function("shop.sales.is_eu", "country IN ('DE','FR')",
                      parameters="country STRING", returns="BOOLEAN")
    p.set_row_filter("shop.sales.orders", "shop.sales.is_eu", ["country"])
    p.set_column_mask("shop.sales.orders", "amount", "shop.sales.is_eu", using=["country"])
    p.drop_column_mask("shop.sales.orders", "amount")
    p.drop_row_filter("shop.sales.orders")
    p.create_view("shop.sales.big", "SELECT * FROM shop.sales.orders WHERE amount > 100")
    p.update_view("shop.sales.big", "SELECT * FROM shop.sales.orders WHERE amount > 1000")
    p.set_view_comment("shop.sales.big", "Big ones")
    p.set_view_properties("shop.sales.big", {"x": "1"})
    p.unset_view_properties("shop.sales.big", ["x"])
    p.rename_view("shop.sales.big", "huge")
    p.create_volume("shop.sales.landing", comment="raw files")
    p.set_volume_comment("shop.sales.landing", "Raw")
    p.rename_volume("shop.sales.landing", "raw")
    p.update_function("shop.sales.is_eu", "country = 'DE'", parameters="country STRING", returns="BOOLEAN")
    p.set_function_comment("shop.sales.is_eu", "EU check")
    for name in ("shop", "shop.sales", "shop.sales.orders", "shop.sales.orders.id", "shop.sales.huge",
                 "shop.sales.raw"):
        p.set_tags(name, {"k": "v"})
        p.unset_tags(name, ["k"])
    p.grant("shop.sales.orders", "analysts", ["SELECT"])
    p.revoke("shop.sales.orders", "analysts", ["SELECT"])
    p.drop_constraint("shop.sales.orders", "amount_pos")
    p.rename_schema("shop.ref", "reference")
    p.rename_catalog("shop", "store")
    state = p.state()
    orders = state.tables[state.find("store.sales.orders")]
    assert [c.name for c in orders.columns] == ["amount", "id", "country"]
    amount = orders.column_named("amount")
    assert amount.type == "DECIMAL(12,2)" and not amount.nullable
    assert [c.kind for c in orders.constraints] == ["foreign_key"]
    assert state.find("store.sales.huge") and state.find("store.sales.raw")
    p.drop_view("store.sales.huge")
    p.drop_volume("store.sales.raw")
    p.drop_function("store.sales.is_eu")
    p.drop_table("store.sales.orders")
    p.drop_schema("store.reference")
    p.drop_catalog("store")
    assert p.state().is_empty()
    used = {op.kind for op in p.ops()}
    assert len(used) >= 50
    p.verify()


def test_verify_names_a_deleted_op_row(project: schemax.Project, store: MemoryStore) -> None:
    # issue 16 item 5 (store tampering): an op row deleted behind schemax's back is a gap in the seqs
    project.verify()
    del store._ops["shop"][1]  # seq 2 gone; seq 3 now sits at position 2
    with pytest.raises(schemax.IntegrityError) as err:
        project.verify()
    assert "op seq 3" in err.value.snapshot
    assert (err.value.expected, err.value.actual) == ("2", "3")
    assert "sequence gap" in err.value.detail
