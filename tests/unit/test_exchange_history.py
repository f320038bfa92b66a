"""Deployment history in export / import (format ``schemax.project/2``), on the in-memory store.

The properties: export → import into an empty store → export is the same text; a second import records
nothing; a history record the store holds otherwise is refused (HistoryConflictError) with nothing
written, ops included; a ``schemax.project/1`` file (no history) still imports.
"""

from __future__ import annotations

import dataclasses
import io
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schemax
from schemax.adapters.memory import MemoryStore
from schemax.cli import EXIT_ERROR, EXIT_OK, run
from schemax.core.environment import DeploymentRecord, DriftScanRecord, StatementRecord
from schemax.drift import map_to_physical
from schemax.errors import (
    ExecutionError,
    HistoryConflictError,
    HistoryDivergedError,
    IntegrityError,
    SqlError,
)
from schemax.plan import UNITY_CATALOG
from schemax.ports import ObservedCatalog, ProjectRecord
from schemax.project.integrity import export_text
from schemax.services.deploy import Deployer
from schemax.services.drift import DriftService
from schemax.services.exchange import EXPORT_FORMAT, import_export, verify_export
from store_contract import NASTY


class FakeEngine:
    """Accepts every statement (or fails the ones containing ``fail_on``); DESCRIBE HISTORY says 7."""

    def __init__(self, fail_on: str | None = None) -> None:
        self.fail_on = fail_on
        self._lock = threading.Lock()

    def execute(self, sql: str, params: Any = None) -> None:
        if self.fail_on and self.fail_on in sql:
            raise SqlError(sql, "boom: it's \\ broken", "error")

    def query(self, sql: str, params: Any = None) -> list[dict[str, Any]]:
        return [{"version": 7}] if sql.startswith("DESCRIBE HISTORY") else [{"u": "tester"}]


def _deploy(p: schemax.Project, engine: Any, env: str = "dev", **kw: Any) -> Any:
    return Deployer(p.records, engine, author=p.author, capabilities=UNITY_CATALOG).deploy(env, **kw)


def _scan(p: schemax.Project, live: Any) -> None:
    class Live:
        def read(self, scope: Any) -> ObservedCatalog:
            return ObservedCatalog(state=live)

    DriftService(p.records, FakeEngine(), author="t", reader=Live()).check("dev")


@pytest.fixture()
def origin() -> schemax.Project:
    """A project with history: a successful deployment, a failed one, two drift scans with findings."""
    p = schemax.Project.create(FakeEngine(), "shop", store=MemoryStore("origin"), author="alice")
    p._capabilities = UNITY_CATALOG
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.create_table("shop.sales.orders", [schemax.Column("id", "BIGINT", nullable=False),
                                         schemax.Column("note", "STRING", comment=NASTY[1])])
    p.add_environment("dev", {"shop": "dev_shop"})
    p.snapshot("v1", version="1.0.0")
    assert _deploy(p, FakeEngine()).status == "success"
    live = map_to_physical(p.state(), {"shop": "dev_shop"})
    _scan(p, live)  # finds the tracking properties the deployment set (unknown to this live state)
    p.add_column("shop.sales.orders", "status", "STRING", comment=NASTY[4])
    p.snapshot("v2", version="2.0.0")
    with pytest.raises(ExecutionError):
        _deploy(p, FakeEngine(fail_on="ADD COLUMNS"))
    _scan(p, live.model_copy(update={"tables": {}}))  # drifted: the table is gone
    return p


def _history(store: MemoryStore, name: str = "shop") -> tuple[Any, ...]:
    deps = store.read_deployments(name)
    return (deps, [store.read_statements(name, d.deployment_id) for d in deps], store.read_drift_scans(name))


def _cli(store: MemoryStore, monkeypatch: pytest.MonkeyPatch, *argv: str) -> tuple[int, str, str]:
    monkeypatch.setattr("schemax.cli.context.select_engine", lambda request, note: None)
    monkeypatch.setattr("schemax.cli.context.store_name", lambda args: store)
    monkeypatch.setattr("schemax.cli.project_commands.store_name", lambda args: store)
    monkeypatch.setenv("SCHEMAX_AUTHOR", "ci")
    out, err = io.StringIO(), io.StringIO()
    return run(list(argv), out, err), out.getvalue(), err.getvalue()


# ------------------------------------------------------------------------------------------------------
# the round trip


def test_export_import_export_is_the_same_text(origin: schemax.Project, tmp_path: Path) -> None:
    first = origin.export_json(tmp_path / "first.json").read_text(encoding="utf-8")
    doc = json.loads(first)
    assert doc["format"] == EXPORT_FORMAT == "schemax.project/2"
    assert [b["deployment"]["status"] for b in doc["deployments"]] == ["success", "failed"]
    assert all(b["statements"] for b in doc["deployments"])
    assert len(doc["drift_scans"]) == 2 and all(s["findings"] for s in doc["drift_scans"])
    store = MemoryStore("copy")
    copy = schemax.Project.import_json(None, tmp_path / "first.json", store=store)
    done = copy.last_import
    assert done is not None and done.created
    assert (done.deployments, done.drift_scans) == (2, 2)
    assert done.statements == sum(len(b["statements"]) for b in doc["deployments"])
    assert export_text(copy.to_export()) == first
    assert _history(store) == _history(origin.store)  # as records too, not only as text
    assert copy.status().deployed == origin.status().deployed == {"dev": "1.0.0"}


def test_the_canonical_file_imports_the_same(origin: schemax.Project, tmp_path: Path) -> None:
    path = origin.export_json(tmp_path / "c.json", canonical=True)
    copy = schemax.Project.import_json(None, path, store=MemoryStore("copy"))
    assert export_text(copy.to_export()) == export_text(origin.to_export())


def test_a_second_import_records_nothing(origin: schemax.Project, tmp_path: Path) -> None:
    path = origin.export_json(tmp_path / "e.json")
    store = MemoryStore("copy")
    schemax.Project.import_json(None, path, store=store)
    commits, before = store.commits, _history(store)
    again = schemax.Project.import_json(None, path, store=store)
    done = again.last_import
    assert done is not None and not done.changed and done.history == 0
    assert store.commits == commits and _history(store) == before


def test_new_history_is_added_and_records_that_moved_on_are_brought_up_to_date(origin: schemax.Project,
                                                                               tmp_path: Path) -> None:
    store = MemoryStore("copy")
    schemax.Project.import_json(None, origin.export_json(tmp_path / "old.json"), store=store)
    failed = store.read_deployments("shop")[0]
    assert failed.status == "failed" and "resumed by" not in (failed.error or "")
    dep = _deploy(origin, FakeEngine())  # resumes the failed deployment: a third one, and a note on it
    assert dep.status == "success"
    (record,) = [d for d in origin.store.read_deployments("shop") if d.deployment_id == dep.deployment_id]
    assert record.resumes == failed.deployment_id
    again = schemax.Project.import_json(None, origin.export_json(tmp_path / "new.json"), store=store)
    done = again.last_import
    assert done is not None and (done.ops, done.snapshots, done.deployments, done.drift_scans) == (0, 0, 1, 0)
    assert done.statements == len(origin.store.read_statements("shop", dep.deployment_id))
    assert done.updated == 1  # the failed deployment, now noted as resumed
    (now,) = [d for d in store.read_deployments("shop") if d.deployment_id == failed.deployment_id]
    assert now.status == "failed" and f"resumed by {dep.deployment_id}" in (now.error or "")
    assert export_text(again.to_export()) == (tmp_path / "new.json").read_text(encoding="utf-8")
    from schemax.cli.project_commands import _history_note
    assert _history_note(done, "new ").endswith("0 new drift scan(s), 1 history record(s) brought up to date")
    # the old file again: the store holds later states of its records, which stay as they are
    older = schemax.Project.import_json(None, tmp_path / "old.json", store=store)
    assert older.last_import is not None and not older.last_import.changed
    assert older.last_import.history_behind == 1
    assert export_text(older.to_export()) == (tmp_path / "new.json").read_text(encoding="utf-8")


def test_an_unfinished_deployment_and_its_statements_move_on(tmp_path: Path) -> None:
    origin = schemax.Project.create(None, "shop", store=MemoryStore("origin"), author="alice")
    origin.create_catalog("shop")
    running = DeploymentRecord("dep_1", "shop", "dev", "in_progress", "deploy", "2026-01-01T00:00:00Z", "me",
                               statement_count=2)
    sts = [StatementRecord("dep_1", 1, "CREATE CATALOG x"), StatementRecord("dep_1", 2, "CREATE SCHEMA x.y")]
    origin.store.begin_deployment(running, sts)
    store = MemoryStore("copy")
    schemax.Project.import_json(None, origin.export_json(tmp_path / "running.json"), store=store)
    assert store.read_deployments("shop") == [running.sealed()]
    origin.store.update_statements("shop", [dataclasses.replace(sts[0], status="applied", started_at="a",
                                                                finished_at="b")])
    origin.store.update_deployment(dataclasses.replace(running, status="failed", applied=1, finished_at="c",
                                                       error="boom"))
    again = schemax.Project.import_json(None, origin.export_json(tmp_path / "failed.json"), store=store)
    assert again.last_import is not None and again.last_import.updated == 2
    assert export_text(again.to_export()) == (tmp_path / "failed.json").read_text(encoding="utf-8")
    # a record moved back (failed -> in progress) is not a later state: the old file changes nothing
    same = schemax.Project.import_json(None, tmp_path / "running.json", store=store)
    assert same.last_import is not None and not same.last_import.changed
    # but the same record moved on differently on each side is a conflict
    doc = json.loads((tmp_path / "failed.json").read_text(encoding="utf-8"))
    block = doc["deployments"][0]
    block["deployment"] = _resealed({**block["deployment"], "status": "success"})
    (tmp_path / "other.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(HistoryConflictError) as err:
        schemax.Project.import_json(None, tmp_path / "other.json", store=store)
    assert (err.value.deployment_id, err.value.field) == ("dep_1", "status")


def test_a_project_imported_under_another_name_carries_its_history(origin: schemax.Project,
                                                                   tmp_path: Path) -> None:
    path = origin.export_json(tmp_path / "e.json")
    store = origin.store  # the same store: the copy's history must not touch the original's
    copy = schemax.Project.import_json(None, path, store=store, name="shop_copy")
    assert copy.last_import is not None and copy.last_import.deployments == 2
    theirs = _history(store, "shop_copy")
    assert all(d.project == "shop_copy" for d in theirs[0])
    assert all(s.project == "shop_copy" for s in theirs[2])
    renamed = json.loads(export_text(copy.to_export()))
    original = json.loads(path.read_text(encoding="utf-8"))
    for block in original["deployments"]:  # moved to the new name, and sealed again under it
        block["deployment"] = _resealed({**block["deployment"], "project": "shop_copy"})
    for scan in original["drift_scans"]:
        scan["project"] = "shop_copy"
    original["project"]["name"] = "shop_copy"
    assert renamed == original
    assert len(_history(store, "shop")[0]) == 2  # the original's history is as it was


# ------------------------------------------------------------------------------------------------------
# conflicts: refused, nothing written


def _resealed(row: dict[str, Any]) -> dict[str, Any]:
    """A deployment row with a seal that matches it (a record another store wrote that way)."""
    return json.loads(json.dumps(DeploymentRecord.from_row(row).sealed().to_row()))


def _tamper_deployment(doc: dict[str, Any]) -> tuple[str, str]:
    """The first deployment as another store recorded it: rolled back (its seal matches)."""
    doc["deployments"][0]["deployment"] = _resealed({**doc["deployments"][0]["deployment"],
                                                     "status": "rolled_back"})
    return "deployment", "status"


def _tamper_statement(doc: dict[str, Any]) -> tuple[str, str]:
    doc["deployments"][1]["statements"][0]["sql"] += " -- edited"
    return "statement", "sql"


def _tamper_scan(doc: dict[str, Any]) -> tuple[str, str]:
    doc["drift_scans"][1]["findings"] = []
    return "drift_scan", "findings"


@pytest.mark.parametrize("tamper", [_tamper_deployment, _tamper_statement, _tamper_scan])
def test_a_conflicting_record_is_refused_and_nothing_is_written(origin: schemax.Project, tmp_path: Path,
                                                                tamper: Any) -> None:
    store = MemoryStore("copy")
    schemax.Project.import_json(None, origin.export_json(tmp_path / "e.json"), store=store)
    origin.add_column("shop.sales.orders", "later", "INT")  # the file would also fast-forward an op ...
    origin.snapshot("v3", version="3.0.0")
    _deploy(origin, FakeEngine())  # ... a snapshot and a deployment
    doc = json.loads(origin.export_json(tmp_path / "e2.json").read_text(encoding="utf-8"))
    record, field = tamper(doc)
    (tmp_path / "bad.json").write_text(json.dumps(doc), encoding="utf-8")
    commits, ops, snaps, history = (store.commits, store.read_ops("shop"), store.read_snapshots("shop"),
                                    _history(store))
    with pytest.raises(HistoryConflictError) as err:
        schemax.Project.import_json(None, tmp_path / "bad.json", store=store)
    e = err.value
    assert isinstance(e, HistoryDivergedError)  # a caller handling forked histories handles this one too
    assert (e.project, e.record, e.what, e.field) == ("shop", record, record, field)
    if record == "drift_scan":
        assert e.deployment_id is None and e.scan_id == doc["drift_scans"][1]["scan_id"]
    else:
        block = doc["deployments"][0 if record == "deployment" else 1]
        assert e.deployment_id == block["deployment"]["deployment_id"]
        assert e.seq == (block["statements"][0]["seq"] if record == "statement" else None)
        assert e.deployment_id in str(e)
    assert e.store_value != e.file_value and field in str(e) and "nothing imported" in str(e)
    assert (store.commits, store.read_ops("shop"), store.read_snapshots("shop"), _history(store)) == (
        commits, ops, snaps, history)


def test_the_import_command_reports_a_conflict_with_its_data(origin: schemax.Project, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    store = MemoryStore("copy")
    path = origin.export_json(tmp_path / "e.json")
    code, out, err = _cli(store, monkeypatch, "import", "--from-json", str(path))
    assert code == EXIT_OK, err
    assert "2 deployment(s)" in out and "2 drift scan(s)" in out
    code, out, _ = _cli(store, monkeypatch, "import", "--from-json", str(path))
    assert code == EXIT_OK and "nothing imported" in out
    doc = json.loads(path.read_text(encoding="utf-8"))
    _tamper_deployment(doc)
    path.write_text(json.dumps(doc), encoding="utf-8")
    code, out, _ = _cli(store, monkeypatch, "import", "--from-json", str(path), "--json")
    assert code == EXIT_ERROR
    error = json.loads(out)["error"]
    assert error["type"] == "HistoryConflictError"
    assert (error["record"], error["field"]) == ("deployment", "status")
    assert error["deployment_id"] == doc["deployments"][0]["deployment"]["deployment_id"]


def test_export_command_counts_the_history(origin: schemax.Project, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = _cli(origin.store, monkeypatch, "--project", "shop", "export", str(tmp_path / "x.json"),
                          "--json")
    assert code == EXIT_OK, err
    doc = json.loads(out)
    assert (doc["ops"], doc["snapshots"], doc["deployments"], doc["drift_scans"]) == (
        len(origin.ops()), 2, 2, 2)
    assert (tmp_path / "x.json").read_text(encoding="utf-8") == export_text(origin.to_export())


# ------------------------------------------------------------------------------------------------------
# format 1, malformed history


def _format_1(origin: schemax.Project) -> dict[str, Any]:
    doc = origin.to_export()
    del doc["deployments"], doc["drift_scans"]
    return {**doc, "format": "schemax.project/1"}


def test_a_format_1_file_still_imports(origin: schemax.Project, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "v1.json"
    path.write_text(export_text(_format_1(origin)), encoding="utf-8")
    store = MemoryStore("copy")
    copy = schemax.Project.import_json(None, path, store=store)
    assert copy.last_import is not None and copy.last_import.created and copy.last_import.history == 0
    assert copy.verify().head == origin.verify().head and _history(store) == ([], [], [])
    doc = copy.to_export()
    assert doc["format"] == EXPORT_FORMAT and (doc["deployments"], doc["drift_scans"]) == ([], [])
    # and a /2 file brings the history to the store the /1 file filled
    again = schemax.Project.import_json(None, origin.export_json(tmp_path / "v2.json"), store=store)
    assert again.last_import is not None and (again.last_import.ops, again.last_import.deployments) == (0, 2)
    code, out, err = _cli(MemoryStore("cli"), monkeypatch, "import", "--from-json", str(path))
    assert code == EXIT_OK and out.startswith("imported project shop"), err


def test_a_format_1_file_ignores_history_keys(origin: schemax.Project) -> None:
    doc = {**_format_1(origin), "deployments": [{"deployment": {"nonsense": 1}}]}
    assert verify_export(doc).deployments == ()


@pytest.mark.parametrize("change, detail", [
    (lambda d: d["deployments"][0]["deployment"].update(project="other"), "deployment of another project"),
    (lambda d: d["deployments"].append(d["deployments"][0]), "deployment listed twice"),
    (lambda d: d["deployments"][0]["statements"].append(d["deployments"][0]["statements"][0]),
     "statement listed twice"),
    (lambda d: d["deployments"][0]["statements"][0].update(deployment_id="dep_x"),
     "statement of another deployment"),
    (lambda d: d["deployments"][0]["deployment"].pop("started_at"), "malformed record"),
    (lambda d: d["drift_scans"][0].update(project="other"), "drift scan of another project"),
    (lambda d: d["drift_scans"].append(d["drift_scans"][0]), "drift scan listed twice"),
])
def test_malformed_history_is_refused_before_anything_is_written(origin: schemax.Project, change: Any,
                                                                 detail: str) -> None:
    doc = json.loads(export_text(origin.to_export()))
    change(doc)
    with pytest.raises(IntegrityError) as err:
        verify_export(doc)
    assert detail in str(err.value)


def test_the_layout_puts_each_record_on_a_line_oldest_first(origin: schemax.Project) -> None:
    doc = origin.to_export()
    text = export_text(doc)
    assert json.loads(text) == doc
    lines = text.splitlines()

    def one_line(row: dict[str, Any]) -> str:
        return json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    for block in doc["deployments"]:
        assert f'      "deployment": {one_line(block["deployment"])},' in lines
        for i, row in enumerate(block["statements"]):
            end = "," if i < len(block["statements"]) - 1 else ""
            assert f"        {one_line(row)}{end}" in lines
    for i, scan in enumerate(doc["drift_scans"]):
        assert f"    {one_line(scan)}{',' if i < len(doc['drift_scans']) - 1 else ''}" in lines
    starts = [(b["deployment"]["started_at"], b["deployment"]["deployment_id"]) for b in doc["deployments"]]
    assert starts == sorted(starts)
    scans = [(s["ts"], s["scan_id"]) for s in doc["drift_scans"]]
    assert scans == sorted(scans)


# ------------------------------------------------------------------------------------------------------
# the property, over generated history (ties in time, hostile text, any write order)

_text = st.sampled_from(NASTY) | st.text(max_size=12)
_times = st.sampled_from(["2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z", "2026-01-02T00:00:00Z"])


@st.composite
def _histories(draw: Any) -> tuple[list[tuple[DeploymentRecord, list[StatementRecord]]],
                                   list[DriftScanRecord]]:
    n = draw(st.integers(0, 5))
    ids = draw(st.lists(st.text("abcdef0123456789", min_size=1, max_size=6), min_size=n, max_size=n,
                        unique=True))
    deps = []
    for dep_id in ids:
        rec = DeploymentRecord(
            deployment_id=dep_id, project="shop", environment=draw(st.sampled_from(["dev", "prod"])),
            status=draw(st.sampled_from(["success", "failed", "in_progress", "rolled_back"])),
            kind=draw(st.sampled_from(["deploy", "rollback", "resume"])), started_at=draw(_times),
            deployed_by=draw(_text), to_version=draw(st.none() | st.just("1.0.0")),
            error=draw(st.none() | _text),
            table_versions=draw(st.dictionaries(_text, st.integers(0, 9), max_size=2)),
            touched_tables=tuple(draw(st.lists(_text, max_size=2))))
        sts = [StatementRecord(deployment_id=dep_id, seq=i + 1, sql=draw(_text),
                               status=draw(st.sampled_from(["applied", "failed", "pending"])),
                               change_kinds=tuple(draw(st.lists(_text, max_size=2))),
                               reverse=draw(st.none() | _text))
               for i in range(draw(st.integers(0, 3)))]
        deps.append((rec, sts))
    scan_ids = draw(st.lists(st.text("xyz0123", min_size=1, max_size=5), max_size=4, unique=True))
    scans = [DriftScanRecord(project="shop", scan_id=s, environment="dev", ts=draw(_times),
                             status=draw(st.sampled_from(["clean", "drifted", "error"])),
                             findings=draw(st.lists(
                                 st.fixed_dictionaries({"what": _text, "n": st.integers()}), max_size=2)))
             for s in scan_ids]
    return deps, scans


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(history=_histories(), order=st.randoms(use_true_random=False))
def test_property_export_import_export_is_identical(history: Any, order: Any) -> None:
    deps, scans = history
    store = MemoryStore("origin")
    p = schemax.Project.create(None, "shop", store=store, author="alice")
    p.create_catalog("shop")
    p.snapshot("v1", version="1.0.0")
    writes = [("dep", d) for d in deps] + [("scan", s) for s in scans]
    order.shuffle(writes)
    for what, item in writes:
        if what == "dep":
            store.begin_deployment(*item)
        else:
            store.append_drift_scan(item)
    doc = p.to_export()
    text = export_text(doc)
    target = MemoryStore("copy")
    done = import_export(target, verify_export(json.loads(text)))
    assert (done.deployments, done.statements, done.drift_scans) == (
        len(deps), sum(len(s) for _, s in deps), len(scans))
    again = schemax.Project.open(None, "shop", store=target)
    assert export_text(again.to_export()) == text
    commits = target.commits
    second = import_export(target, verify_export(json.loads(text)))
    assert not second.changed and target.commits == commits


def test_memory_store_orders_deployments_like_the_delta_store() -> None:
    store = MemoryStore()
    store.create_project(ProjectRecord("shop", "t", "me"))
    same = "2026-01-01T00:00:00Z"
    for dep_id in ("b", "c", "a"):
        store.begin_deployment(DeploymentRecord(dep_id, "shop", "dev", "success", "deploy", same, "me"), [])
    store.begin_deployment(DeploymentRecord("z", "shop", "dev", "success", "deploy", "2025-12-31", "me"), [])
    assert [d.deployment_id for d in store.read_deployments("shop")] == ["c", "b", "a", "z"]
    for scan_id in ("s2", "s1"):
        store.append_drift_scan(DriftScanRecord("shop", scan_id, "dev", same, "clean"))
    assert [s.scan_id for s in store.read_drift_scans("shop")] == ["s2", "s1"]


def test_deployment_ids_are_per_project_in_the_memory_store() -> None:
    store = MemoryStore()
    rec = DeploymentRecord("d1", "shop", "dev", "success", "deploy", "t", "me")
    store.begin_deployment(rec, [StatementRecord("d1", 1, "SELECT 1")])
    store.begin_deployment(dataclasses.replace(rec, project="other"), [StatementRecord("d1", 1, "SELECT 2")])
    assert [s.sql for s in store.read_statements("shop", "d1")] == ["SELECT 1"]
    assert [s.sql for s in store.read_statements("other", "d1")] == ["SELECT 2"]


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(history=_histories(), finish=st.data())
def test_property_records_that_moved_on_fast_forward_and_never_move_back(history: Any, finish: Any) -> None:
    deps, scans = history
    store = MemoryStore("origin")
    p = schemax.Project.create(None, "shop", store=store, author="alice")
    p.create_catalog("shop")
    for dep, sts in deps:
        store.begin_deployment(dep, sts)
    for scan in scans:
        store.append_drift_scan(scan)
    old = export_text(p.to_export())
    target = MemoryStore("copy")
    import_export(target, verify_export(json.loads(old)))
    moved = 0
    for dep, sts in deps:  # as a deployment moves on: its statements run, then it finishes
        for s in sts:
            if s.status == "pending" and finish.draw(st.booleans()):
                store.update_statements("shop", [dataclasses.replace(s, status="applied", started_at="s",
                                                                     finished_at="f")])
                moved += 1
        if dep.status == "in_progress" and finish.draw(st.booleans()):
            status = finish.draw(st.sampled_from(["success", "failed", "interrupted", "abandoned"]))
            store.update_deployment(dataclasses.replace(dep, status=status, finished_at="f", applied=1))
            moved += 1
        elif dep.status == "failed" and finish.draw(st.booleans()):
            store.update_deployment(dataclasses.replace(dep, error=(dep.error or "") + " [resumed by dep_x]"))
            moved += 1
    new = export_text(p.to_export())
    done = import_export(target, verify_export(json.loads(new)))
    assert done.updated == moved and (done.deployments, done.statements, done.drift_scans) == (0, 0, 0)
    copy = schemax.Project.open(None, "shop", store=target)
    assert export_text(copy.to_export()) == new
    commits = target.commits
    back = import_export(target, verify_export(json.loads(old)))  # the older file moves nothing back
    assert not back.changed and target.commits == commits
    assert export_text(copy.to_export()) == new


def test_a_deployment_edited_in_the_file_is_refused_by_its_seal(origin: schemax.Project,
                                                                tmp_path: Path) -> None:
    doc = json.loads(export_text(origin.to_export()))
    doc["deployments"][0]["deployment"]["deployed_by"] = "mallory"  # the seal no longer matches
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    store = MemoryStore("copy")
    with pytest.raises(IntegrityError) as err:
        schemax.Project.import_json(None, path, store=store)
    assert "deployment record changed: export was altered" in str(err.value)
    assert store.list_projects() == [] and store.commits == 0
    doc["deployments"][0]["deployment"] = _resealed(doc["deployments"][0]["deployment"])
    del doc["deployments"][0]  # the deployment the second one links to (``previous``) is gone
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(IntegrityError) as err:
        schemax.Project.import_json(None, path, store=store)
    assert "previous deployment deleted" in str(err.value) and store.commits == 0


def test_the_copy_verifies_its_deployment_records(origin: schemax.Project, tmp_path: Path) -> None:
    copy = schemax.Project.import_json(None, origin.export_json(tmp_path / "e.json"), store=MemoryStore("c"))
    deps = copy.store.read_deployments("shop")
    assert all(d.seal is not None and d.seal == d.compute_seal() for d in deps)
    assert deps[0].previous == deps[1].deployment_id
    copy.verify()
    renamed = schemax.Project.import_json(None, tmp_path / "e.json", store=copy.store, name="other")
    assert all(d.seal == d.compute_seal() for d in renamed.store.read_deployments("other"))
    renamed.verify()
