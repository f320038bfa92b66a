"""``import --from-json`` into a store that already holds the project: fast-forward, nothing when equal or
behind, HistoryDivergedError naming the first divergent op when the histories forked."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

import schemax
from schemax.adapters.memory import MemoryStore
from schemax.cli import EXIT_ERROR, EXIT_OK, run
from schemax.errors import HistoryDivergedError


@pytest.fixture()
def origin() -> schemax.Project:
    p = schemax.Project.create(None, "shop", store=MemoryStore("origin"), author="alice")
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.create_table("shop.sales.orders", [schemax.Column("id", "BIGINT", nullable=False)])
    p.snapshot("v1")
    return p


def _copy(origin: schemax.Project, tmp_path: Path, store: MemoryStore) -> schemax.Project:
    path = origin.export_json(tmp_path / "first.json")
    return schemax.Project.import_json(None, path, store=store)


def test_a_file_that_extends_the_store_fast_forwards_it(origin: schemax.Project, tmp_path: Path) -> None:
    store = MemoryStore("clone")
    clone = _copy(origin, tmp_path, store)
    assert clone.last_import is not None and clone.last_import.created
    store.save_project(clone.record.__class__(**{**clone.record.__dict__, "settings": {"kept": True}}))
    origin.add_column("shop.sales.orders", "status", "STRING")
    origin.snapshot("v2")
    origin.set_table_comment("shop.sales.orders", "Orders")
    path = origin.export_json(tmp_path / "second.json")
    again = schemax.Project.import_json(None, path, store=store)
    done = again.last_import
    assert done is not None and not done.created and (done.ops, done.snapshots) == (2, 1)
    assert again.state() == origin.state()
    assert again.verify().head == origin.verify().head
    assert [s.hash for s in again.snapshots()] == [s.hash for s in origin.snapshots()]
    assert again.record.settings == {"kept": True}  # the store's own settings are kept
    exported, expected = again.to_export(), json.loads(path.read_text(encoding="utf-8"))
    assert (exported["ops"], exported["snapshots"]) == (expected["ops"], expected["snapshots"])


def test_an_equal_or_older_file_records_nothing(origin: schemax.Project, tmp_path: Path) -> None:
    store = MemoryStore("clone")
    clone = _copy(origin, tmp_path, store)
    same = schemax.Project.import_json(None, tmp_path / "first.json", store=store)
    assert same.last_import is not None and not same.last_import.changed
    assert same.verify().head == clone.verify().head
    clone.add_column("shop.sales.orders", "status", "STRING")  # the store moves on
    behind = schemax.Project.import_json(None, tmp_path / "first.json", store=store)
    assert behind.last_import is not None and not behind.last_import.changed
    assert behind.last_import.store_ahead == 1 and len(behind.ops()) == len(origin.ops()) + 1


def test_forked_histories_are_refused_naming_the_first_divergent_op(origin: schemax.Project,
                                                                    tmp_path: Path) -> None:
    store = MemoryStore("clone")
    clone = _copy(origin, tmp_path, store)
    base = len(origin.ops())
    clone.add_column("shop.sales.orders", "mine", "STRING")
    origin.add_column("shop.sales.orders", "theirs", "STRING")
    origin.set_table_comment("shop.sales.orders", "Orders")
    path = origin.export_json(tmp_path / "forked.json")
    before = store.read_ops("shop")
    with pytest.raises(HistoryDivergedError) as err:
        schemax.Project.import_json(None, path, store=store)
    e = err.value
    assert (e.what, e.seq) == ("op", base + 1)
    assert e.store_op == clone.ops()[-1].op_id and e.file_op == origin.ops()[base].op_id
    assert e.store_ops == [clone.ops()[-1].op_id]
    assert e.file_ops == [op.op_id for op in origin.ops()[base:]]
    assert f"op seq {base + 1}" in str(e) and e.store_op in str(e)
    assert store.read_ops("shop") == before  # nothing written


def test_forked_snapshots_are_refused(origin: schemax.Project, tmp_path: Path) -> None:
    store = MemoryStore("clone")
    clone = _copy(origin, tmp_path, store)
    clone.snapshot("mine", version="0.2.0")
    origin.snapshot("theirs", version="0.2.0")
    with pytest.raises(HistoryDivergedError) as err:
        schemax.Project.import_json(None, origin.export_json(tmp_path / "s.json"), store=store)
    assert (err.value.what, err.value.seq, err.value.store_op, err.value.file_op) == ("snapshot", 2, "0.2.0",
                                                                                      "0.2.0")


def test_import_command_reports_the_fast_forward(origin: schemax.Project, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    store = MemoryStore("clone")
    _copy(origin, tmp_path, store)
    origin.add_column("shop.sales.orders", "status", "STRING")
    path = origin.export_json(tmp_path / "second.json")
    monkeypatch.setattr("schemax.cli.context.select_engine", lambda request, note: None)
    monkeypatch.setattr("schemax.cli.context.store_name", lambda args: store)
    monkeypatch.setattr("schemax.cli.project_commands.store_name", lambda args: store)
    monkeypatch.setenv("SCHEMAX_AUTHOR", "ci")

    def cli(*argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        return run(list(argv), out, err), out.getvalue(), err.getvalue()

    code, out, err = cli("import", "--from-json", str(path))
    assert code == EXIT_OK, err
    assert out.startswith("fast-forwarded project shop") and "1 new op(s)" in out
    code, out, _ = cli("import", "--from-json", str(path), "--json")
    assert code == EXIT_OK and json.loads(out)["import"]["ops"] == 0
    origin_fork = schemax.Project.import_json(None, tmp_path / "first.json", store=MemoryStore("other"))
    origin_fork.add_column("shop.sales.orders", "other", "INT")
    code, out, err = cli("import", "--from-json", str(origin_fork.export_json(tmp_path / "f.json")), "--json")
    assert code == EXIT_ERROR
    doc = json.loads(out)["error"]
    assert doc["type"] == "HistoryDivergedError" and doc["seq"] == len(origin.ops())
