"""Design files (schemax.design): the format and its JSON Schema, errors with file/line/column, sync
(exact ops, idempotent, explicit renames), export, and the round trip export -> sync over random states."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schemax
from schemax.adapters.memory import MemoryStore
from schemax.core.model import State
from schemax.design import (
    HEADER,
    design_documents,
    design_json_schema,
    dump_design,
    load_design,
    read_designs,
    read_yaml,
    sync_ops,
    write_design,
)
from schemax.design import format as fmt
from schemax.errors import DesignFileError, DuplicateDefinitionError

ROOT = Path(__file__).resolve().parents[2]
CASES_DIR = ROOT / "tests" / "cases"
sys.path.insert(0, str(CASES_DIR))

import random_states  # noqa: E402

SHOP = """\
version: 1
catalogs:
  - name: shop
    comment: Webshop
    tags: {tier: 1, pii: yes, ratio: 1.10}
    grants: {analysts: [USE CATALOG]}
    schemas:
      - name: sales
        comment: Orders and customers
        tables:
          - name: customers
            columns:
              - {name: id, type: bigint, nullable: false}
              - {name: name, type: string, comment: Full name}
            primary_key: {columns: [id]}
          - name: orders
            comment: One row per order
            columns:
              - {name: id, type: BIGINT, nullable: false}
              - {name: customer_id, type: BIGINT}
              - name: amount
                type: DECIMAL(10,2)
                default: "0"
                tags: {unit: EUR}
                mask: {function: shop.sales.mask_amount, using_columns: [customer_id]}
            cluster_by: [customer_id]
            foreign_keys:
              - columns: [customer_id]
                references: {table: customers, columns: [id]}
            checks:
              - {name: positive, expression: amount >= 0}
            row_filter: {function: shop.sales.only_mine, columns: [customer_id]}
            properties: {delta.enableChangeDataFeed: "true"}
            grants: {analysts: [SELECT], etl: [MODIFY, SELECT]}
        views:
          - name: big_orders
            comment: Orders over 100
            definition: |
              SELECT * FROM shop.sales.orders
              WHERE amount > 100
        volumes:
          - {name: raw, comment: Landing zone}
        functions:
          - name: mask_amount
            parameters: "x DECIMAL(10,2)"
            returns: "DECIMAL(10,2)"
            body: x
"""


def doc(text: str, name: str = "shop.yml") -> Any:
    return load_design(text, name)


def synced(text: str | list[Any], project: schemax.Project | None = None) -> schemax.Project:
    p = project or schemax.Project.in_memory("shop", author="designer")
    files = [doc(text)] if isinstance(text, str) else text
    p.record_ops(sync_ops(p.state(), files, author="designer"))
    return p


def canonical(state: State) -> Any:
    """The state without its ids: every id replaced by the logical name of its object (a column by
    table.column), the maps keyed by name, a table's constraints by name."""
    names: dict[str, str] = {}
    for k in ("catalogs", "schemas", "tables", "views", "volumes", "functions"):
        for oid in getattr(state, k):
            names[oid] = state.full_name(oid).lower()
    for t in state.tables.values():
        for c in t.columns:
            names[c.id] = state.full_name(c.id).lower()
        for con in t.constraints:
            names[con.id] = f"{state.full_name(t.id).lower()}#{con.name.lower()}"

    def swap(value: Any) -> Any:
        if isinstance(value, dict):
            return {names.get(k, k): swap(v) for k, v in value.items()}
        if isinstance(value, list):
            return [swap(v) for v in value]
        return names.get(value, value) if isinstance(value, str) else value

    data = swap(state.to_dict())
    for t in data["tables"].values():
        t["constraints"] = sorted(t["constraints"], key=lambda c: c["id"])
    return data


# ------------------------------------------------------------------------------------------------------
# the format


def test_the_committed_json_schema_is_the_one_the_models_generate() -> None:
    committed = json.loads((ROOT / "docs" / "design-schema.json").read_text(encoding="utf-8"))
    assert committed == design_json_schema(), "regenerate docs/design-schema.json (see docs/design-files.md)"
    text = (ROOT / "docs" / "design-schema.json").read_text(encoding="utf-8")
    assert text == json.dumps(design_json_schema(), indent=2, sort_keys=True) + "\n"


def _design_examples() -> list[Path]:
    return sorted((ROOT / "design").glob("*.yml"))


def test_the_json_schema_accepts_the_examples_and_what_export_writes() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(design_json_schema())
    texts = [p.read_text(encoding="utf-8") for p in _design_examples()] + [SHOP]
    texts += [dump_design(d) for _, d in design_documents(synced(SHOP).state())]
    assert _design_examples(), "the bundle's design/ folder has an example"
    for text in texts:
        data = read_yaml(text)
        assert list(validator.iter_errors(data)) == []
        doc(text)  # the runtime validator agrees
    assert list(validator.iter_errors({"version": 1, "catalogs": [{"name": "x", "colour": "red"}]}))
    assert list(validator.iter_errors({"version": 2}))


def test_the_format_covers_every_kind_and_field(monkeypatch: pytest.MonkeyPatch) -> None:
    fmt._check()
    monkeypatch.setitem(fmt.KIND_SPECS, "volume", (fmt.VolumeSpec, frozenset({"id"})))
    with pytest.raises(AssertionError, match=r"VolumeSpec has no key for Volume.schema_id"):
        fmt._check()
    monkeypatch.delitem(fmt.KIND_LISTS, "volume")
    with pytest.raises(AssertionError, match="object kinds design files cannot list: no entry for volume"):
        fmt._check()


def test_docs_example_is_valid_and_syncs() -> None:
    text = (ROOT / "docs" / "design-files.md").read_text(encoding="utf-8")
    block = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    p = synced(block)
    assert p.state().find("shop.sales.orders") is not None


def test_yaml_1_2_scalars_numbers_as_text_and_nothing_rounded() -> None:
    p = synced(SHOP)
    cat = p.state().catalogs[p.state().find("shop")]  # type: ignore[index]
    assert cat.tags == {"tier": "1", "pii": "yes", "ratio": "1.10"}
    t = p.state().tables[p.state().find("shop.sales.orders")]  # type: ignore[index]
    assert t.column_named("amount").default == "0"  # type: ignore[union-attr]
    assert t.properties == {"delta.enableChangeDataFeed": "true"}


# ------------------------------------------------------------------------------------------------------
# errors: every one names file, line and column


BAD_FILES = [
    ("version: 1\ncatalogs: [\n", 3, 1, "not valid YAML"),
    ("", 1, 1, "empty design file"),
    ("catalogs: []\n", 1, 1, "starts with 'version: 1'"),
    ("version: 2\ncatalogs: []\n", 1, 10, "version 2 is not supported"),
    ("- version: 1\n", 1, 1, "a design file is a mapping"),
    ("version: 1\ncatalogs:\n  - name: shop\n    colour: red\n", 4, 5, "unknown key 'colour'"),
    ("version: 1\ncatalogs:\n  - name: shop\n    name: again\n", 4, 5, "key 'name' is given twice"),
    ("version: 1\ncatalogs:\n  - name: shop\n    comment: true\n", 4, 14, "quote the value"),
    ("version: 1\ncatalogs:\n  - comment: x\n", 3, 5, "catalogs[0].name: Field required"),
    ("version: 1\ncatalogs:\n  - name: shop\n    schemas:\n      - name: s\n        tables:\n"
     "          - name: t\n            columns: []\n", 8, 22, "at least 1 item"),
    ("version: 1\ncatalogs:\n  - name: shop\n    tags: {a: !!float 1.5}\n", 4, 15, "unsupported YAML value"),
    ("version: 1\ncatalogs:\n  - name: shop\n    schemas:\n      - name: s\n        tables:\n"
     "          - name: t\n            columns:\n              - {name: id, type: intt}\n", 9, 34,
     "column 'id'"),
    ("version: 1\ncatalogs:\n  - name: shop\n    schemas:\n      - name: s\n        tables:\n"
     "          - name: t\n            columns: [{name: id, type: INT}]\n"
     "            primary_key: {columns: [idx]}\n", 9, 37, "has no column 'idx'"),
    ("version: 1\ncatalogs:\n  - name: shop\n    schemas:\n      - name: s\n        tables:\n"
     "          - name: t\n            columns: [{name: id, type: INT}]\n"
     "            cluster_by: [id, nope]\n", 9, 30, "cluster_by: table 't' has no column 'nope'"),
    ("version: 1\ncatalogs:\n  - name: shop\n    grants: {ann: [ALL PRIVILEGES, SELECT]}\n", 4, 19,
     "all-privileges-alone"),
    ("version: 1\ncatalogs:\n  - name: shop\n    grants: {ann: [FLY]}\n", 4, 19, "unknown privilege"),
    ("version: 1\ncatalogs:\n  - name: sh.op\n", 3, 5, "period"),
    ("version: 1\ncatalogs:\n  - name: shop\n    schemas:\n      - name: s\n        tables:\n"
     "          - name: t\n            columns: [{name: id, type: INT}]\n"
     "            foreign_keys: [{columns: [id], references: {table: other, columns: [id]}}]\n",
     9, 64, "do not define"),
    ("version: 1\ncatalogs:\n  - name: shop\n    schemas:\n      - name: s\n        tables:\n"
     "          - name: t\n            columns: [{name: id, type: INT}]\n"
     "          - name: T\n            columns: [{name: id, type: INT}]\n", 9, 13,
     "table 'T' is defined twice"),
    ("version: 1\ncatalogs:\n  - name: shop\n    schemas:\n      - name: s\n        tables:\n"
     "          - name: t\n            columns: [{name: id, type: INT}]\n"
     "        views:\n          - {name: t, definition: SELECT 1}\n", 10, 13, "already exists"),
    ("version: 1\ncatalogs:\n  - name: shop\n    schemas:\n      - name: s\n        tables:\n"
     "          - name: t\n            renamed_from: other.t\n            columns: [{name: id, type: INT}]\n",
     8, 27, "moving it to another schema"),
    ("version: 1\ncatalogs:\n  - name: shop\n    schemas:\n      - name: s\n        functions:\n"
     "          - {name: f, body: x, renamed_from: g}\n", 7, 32, "unknown key 'renamed_from'"),
]


@pytest.mark.parametrize(("text", "line", "column", "reason"), BAD_FILES,
                         ids=[r for _, _, _, r in BAD_FILES])
def test_every_error_names_file_line_and_column(text: str, line: int, column: int, reason: str) -> None:
    p = schemax.Project.in_memory("shop")
    with pytest.raises(DesignFileError) as err:
        sync_ops(p.state(), [doc(text, "design/bad.yml")])
    e = err.value
    assert (e.file, e.line, e.column) == ("design/bad.yml", line, column), str(e)
    assert reason in e.reason, e.reason
    assert str(e).startswith(f"design/bad.yml:{line}:{column}: ")
    assert p.ops() == []


def test_a_schema_defined_in_two_files_names_both() -> None:
    one = doc("version: 1\ncatalogs:\n  - name: shop\n    schemas:\n      - name: sales\n", "a.yml")
    two = doc("version: 1\ncatalogs:\n  - name: SHOP\n    schemas:\n      - {name: other}\n"
              "      - name: Sales\n", "b.yml")
    with pytest.raises(DuplicateDefinitionError) as err:
        sync_ops(State(), [one, two])
    e = err.value
    assert (e.file, e.line, e.column) == ("b.yml", 6, 9)
    assert (e.other_file, e.other_line, e.other_column) == ("a.yml", 5, 9)
    assert "a.yml:5:9" in str(e)


def test_a_catalog_may_be_listed_in_many_files_but_defined_in_one() -> None:
    one = doc("version: 1\ncatalogs:\n  - name: shop\n    comment: Webshop\n", "shop.yml")
    two = doc("version: 1\ncatalogs:\n  - name: shop\n    schemas: [{name: sales}]\n", "shop.sales.yml")
    three = doc("version: 1\ncatalogs:\n  - name: shop\n    schemas: [{name: ops}]\n", "shop.ops.yml")
    p = synced([one, two, three])
    s = p.state()
    assert s.catalogs[s.find("shop")].comment == "Webshop"  # type: ignore[index]
    assert s.find("shop.sales") and s.find("shop.ops")
    again = doc("version: 1\ncatalogs:\n  - name: shop\n    tags: {a: b}\n", "other.yml")
    with pytest.raises(DuplicateDefinitionError) as err:
        sync_ops(s, [one, two, again])
    assert (err.value.file, err.value.other_file) == ("other.yml", "shop.yml")


def test_what_no_op_can_change_is_refused_with_its_place() -> None:
    p = synced("version: 1\ncatalogs:\n  - name: shop\n    managed_location: s3://a/\n")
    moved = doc("version: 1\ncatalogs:\n  - name: shop\n    managed_location: s3://b/\n", "shop.yml")
    with pytest.raises(DesignFileError) as err:
        sync_ops(p.state(), [moved])
    assert (err.value.line, err.value.column) == (3, 5)
    assert "managed_location of catalog 'shop' cannot be changed" in err.value.reason
    assert "'s3://a/'" in err.value.reason and "'s3://b/'" in err.value.reason


def test_a_renamed_from_still_defined_under_its_name_is_refused() -> None:
    p = synced("version: 1\ncatalogs:\n  - name: shop\n    schemas: [{name: a}]\n")
    both = doc("version: 1\ncatalogs:\n  - name: shop\n    schemas:\n      - {name: a}\n"
               "      - {name: b, renamed_from: a}\n")
    with pytest.raises(DesignFileError) as err:
        sync_ops(p.state(), [both])
    assert (err.value.line, err.value.column) == (6, 33)
    assert "still defined under that name at shop.yml:5:9" in err.value.reason


# ------------------------------------------------------------------------------------------------------
# sync


def test_sync_records_exactly_what_the_files_say_and_a_second_sync_nothing() -> None:
    p = synced(SHOP)
    s = p.state()
    orders = s.tables[s.find("shop.sales.orders")]  # type: ignore[index]
    assert [c.name for c in orders.columns] == ["id", "customer_id", "amount"]
    assert [c.type for c in orders.columns] == ["BIGINT", "BIGINT", "DECIMAL(10,2)"]
    assert {c.kind for c in orders.constraints} == {"foreign_key", "check"}
    assert orders.grants == {"analysts": ("SELECT",), "etl": ("MODIFY", "SELECT")}
    assert orders.row_filter is not None and orders.column_named("amount").mask is not None  # type: ignore
    assert s.views[s.find("shop.sales.big_orders")].definition.endswith("WHERE amount > 100")  # type: ignore
    assert sync_ops(s, [doc(SHOP)]) == []
    assert p.sync  # the Project API, on files


def test_project_sync_is_one_commit_and_idempotent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = MemoryStore()
    p = schemax.Project.create(None, "shop", store=store, author="designer")
    (tmp_path / "shop.yml").write_text(SHOP, encoding="utf-8")
    appends: list[int] = []
    original = store.append_ops
    monkeypatch.setattr(store, "append_ops", lambda name, recs: (appends.append(len(recs)),
                                                                   original(name, recs))[1])
    ops = p.sync(tmp_path)
    assert len(appends) == 1 and appends[0] == len(ops) == len(p.ops()) > 10
    assert {op.author for op in ops} == {"designer"}
    assert p.sync([tmp_path / "shop.yml"]) == [] and len(appends) == 1
    assert p.sync(tmp_path, dry_run=True) == []


def test_sync_refuses_inside_a_batch_and_without_files(tmp_path: Path) -> None:
    p = schemax.Project.in_memory("shop")
    with pytest.raises(schemax.InsideBatchError), p.batch():
        p.sync(tmp_path)
    with pytest.raises(schemax.NotFoundError, match="design files"):
        p.sync(tmp_path)  # an empty directory would drop everything
    with pytest.raises(schemax.NotFoundError, match="nowhere"):
        p.sync(tmp_path / "nowhere")


def test_renames_are_explicit_and_recorded_as_renames() -> None:
    p = synced(SHOP)
    ids = {n: p.state().find(n) for n in ("shop", "shop.sales", "shop.sales.orders", "shop.sales.big_orders",
                                          "shop.sales.raw", "shop.sales.orders.amount")}
    def rename(text: str, indent: int, old: str, new: str) -> str:
        pad = " " * indent
        return text.replace(f"{pad}- name: {old}\n", f"{pad}- name: {new}\n{pad}  renamed_from: {old}\n")

    renamed = SHOP
    for indent, old, new in ((2, "shop", "store"), (6, "sales", "sales2"), (10, "orders", "purchases"),
                             (14, "amount", "total"), (10, "big_orders", "large")):
        renamed = rename(renamed, indent, old, new)
    renamed = (renamed
               .replace("{name: raw, comment", "{name: landing, renamed_from: raw, comment")
               .replace("amount >= 0", "total >= 0"))
    ops = sync_ops(p.state(), [doc(renamed)])
    kinds = sorted(op.kind for op in ops)
    assert kinds.count("rename_catalog") == kinds.count("rename_schema") == kinds.count("rename_table") == 1
    assert kinds.count("rename_column") == kinds.count("rename_view") == kinds.count("rename_volume") == 1
    replaced = ("drop_table", "create_", "drop_column", "add_column")
    assert not [k for k in kinds if k.startswith(replaced)], kinds
    p.record_ops(ops)
    s = p.state()
    assert s.find("store.sales2.purchases") == ids["shop.sales.orders"]
    assert s.find("store.sales2.purchases.total") == ids["shop.sales.orders.amount"]
    assert s.find("store.sales2.large") == ids["shop.sales.big_orders"]
    assert s.find("store.sales2.landing") == ids["shop.sales.raw"]
    assert sync_ops(s, [doc(renamed)]) == []  # renamed_from may stay in the file: a second sync is a no-op


def test_without_renamed_from_a_new_name_is_a_drop_and_a_create() -> None:
    p = synced(SHOP)
    ops = sync_ops(p.state(), [doc(SHOP.replace("{name: raw, comment", "{name: landing, comment"))])
    assert sorted(op.kind for op in ops) == ["create_volume", "drop_volume"]
    case_only = sync_ops(p.state(), [doc(SHOP.replace("{name: raw, comment", "{name: RAW, comment"))])
    assert [op.kind for op in case_only] == ["rename_volume"]  # names match case-insensitively


def test_changes_drops_and_governance() -> None:
    p = synced(SHOP)
    changed = (SHOP.replace("comment: Full name", "comment: Name")
               .replace("{name: customer_id, type: BIGINT}",
                        "{name: customer_id, type: BIGINT, nullable: false}")
               .replace("grants: {analysts: [SELECT], etl: [MODIFY, SELECT]}", "grants: {analysts: [SELECT]}")
               .replace("        volumes:\n          - {name: raw, comment: Landing zone}\n", "")
               .replace("tags: {tier: 1, pii: yes, ratio: 1.10}", "tags: {tier: 2}"))
    ops = sync_ops(p.state(), [doc(changed)])
    kinds = sorted(op.kind for op in ops)
    assert kinds == ["drop_volume", "revoke", "set_catalog_tags", "set_column_comment", "set_column_nullable",
                     "unset_catalog_tags"]
    p.record_ops(ops)
    assert sync_ops(p.state(), [doc(changed)]) == []


def test_objects_not_in_the_files_are_dropped() -> None:
    p = synced(SHOP)
    ops = sync_ops(p.state(), [doc("version: 1\ncatalogs: []\n")])
    assert [op.kind for op in ops][-1] == "drop_catalog"
    p.record_ops(ops)
    assert p.state().is_empty()


# ------------------------------------------------------------------------------------------------------
# export and the round trip


def test_export_writes_one_file_per_schema_and_replaces_only_its_own(tmp_path: Path) -> None:
    p = synced(SHOP)
    p.create_schema("shop.ops")
    (tmp_path / "notes.yml").write_text("hand: written\n", encoding="utf-8")
    (tmp_path / "shop.gone.yml").write_text(f"{HEADER}: old\nversion: 1\n", encoding="utf-8")
    written = p.export_design(tmp_path)
    assert [f.name for f in written] == ["shop.yml", "shop.ops.yml", "shop.sales.yml"]
    assert sorted(f.name for f in tmp_path.iterdir()) == ["notes.yml", "shop.ops.yml", "shop.sales.yml",
                                                          "shop.yml"]
    assert all(f.read_text(encoding="utf-8").startswith(HEADER) for f in written)
    q = schemax.Project.in_memory("copy")
    q.sync(written)
    assert canonical(q.state()) == canonical(p.state())
    assert p.sync(written) == []
    assert write_design(p.state(), tmp_path) == written  # the same names, the same bytes
    assert [f.read_bytes() for f in written] == [f.read_bytes() for f in write_design(p.state(), tmp_path)]


def _round_trip(state: State) -> None:
    files = [load_design(dump_design(d), name) for name, d in design_documents(state)]
    assert sync_ops(state, files) == []  # the files of a state describe it exactly
    q = schemax.Project.in_memory("copy")
    q.record_ops(sync_ops(q.state(), files))
    assert canonical(q.state()) == canonical(state)
    assert sync_ops(q.state(), files) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 2**32)), min_size=1, max_size=40))
def test_round_trip_of_random_states(picks: list[tuple[int, int]]) -> None:
    p = random_states.base()
    _round_trip(random_states.evolve(p, picks, random_states.ALL_MUTATIONS))


def test_round_trip_of_the_golden_cases() -> None:
    names = sorted(d.name for d in CASES_DIR.iterdir() if (d / "after.json").is_file())
    assert len(names) >= 40
    for name in names:
        for side in ("before", "after"):
            text = (CASES_DIR / name / f"{side}.json").read_text(encoding="utf-8")
            _round_trip(State.from_dict(json.loads(text)))


def test_tricky_text_round_trips() -> None:
    texts = ["", "it's", 'say "hi"', "two\nlines", "trailing \n", " lead", "tab\there", "yes", "null",
             "1.10", "007", "#not a comment", "a: b", "- x", "ünïcödé 😀", "back\\slash", "\r\n", "x\n\n",
             "{a}", "*ref"]
    p = schemax.Project.in_memory("shop")
    p.create_catalog("shop", comment=texts[0])
    p.create_schema("shop.s")
    p.create_table("shop.s.t", [schemax.Column(f"c{i}", "STRING", comment=t) for i, t in enumerate(texts)])
    p.set_tags("shop.s.t", {f"k{i}": t for i, t in enumerate(texts[:18])})
    p.create_view("shop.s.v", "SELECT 1 AS x\n  -- it's a comment\nFROM  dual  ")
    _round_trip(p.state())


def test_read_designs_expands_directories_in_order(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.yaml").write_text("version: 1\n", encoding="utf-8")
    (tmp_path / "a.yml").write_text("version: 1\n", encoding="utf-8")
    (tmp_path / "readme.md").write_text("not a design\n", encoding="utf-8")
    files = read_designs([tmp_path])
    assert [Path(f.name).name for f in files] == ["a.yml", "z.yaml"]


def test_random_generator_is_deterministic_for_the_property_test() -> None:
    a = random_states.evolve(random_states.base(), [(3, 7), (9, 1)], random_states.ALL_MUTATIONS)
    b = random_states.evolve(random_states.base(), [(3, 7), (9, 1)], random_states.ALL_MUTATIONS)
    assert canonical(a) == canonical(b)
    assert random.Random(1).random() == random.Random(1).random()
