"""Moving a project between stores (and through git) as one exported JSON document.

``read_export`` checks a document written by ``Project.export_json``: every op's hash chain link, every
snapshot's hashes, and that the ops replay. ``import_export`` writes it into a store:

- a project the store does not hold is created with the whole history;
- a project the store holds is *fast-forwarded* when the file extends the store's hash chain: only the ops
  and snapshots beyond the store's are appended (the store's own settings and environments are kept);
- when both hold the same history (or the store is further along) nothing is written;
- when the histories forked (the two sides hold different ops at some position, or different snapshots),
  :class:`~schemax.errors.HistoryDivergedError` names the first divergent op and what each side has beyond
  it, and nothing is written.

Format ``schemax.project/2`` also carries the deployment history: every deployment with its statements,
and every drift scan, each record as the store's record types serialize it (``to_row``; a drift scan's
fields). Files of format ``schemax.project/1`` (no history) still read. After the ops and snapshots, an
import adds the history records the store does not hold; a record the store holds equal is skipped, one
it holds with the same id and other content is refused with
:class:`~schemax.errors.HistoryConflictError` (the deployment, the field) -- unless one of the two rows is
a later state of the other as schemax itself moves records on (a deployment that was in progress and
finished, a failed one resumed or given up; a pending statement that ran): the file's later state
updates the store's record, the store's later state is kept. Every check runs before the first write: a
refused import writes nothing at all. The missing records go in with ONE
:meth:`~schemax.ports.Store.add_history` call, the updated ones through ``update_statements`` (one call)
and ``update_deployment``.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from schemax.core.environment import DeploymentRecord, DriftScanRecord, StatementRecord
from schemax.core.hashing import GENESIS_HASH, canonical_json, op_hash
from schemax.core.integrity import deployment_problems
from schemax.core.model import State
from schemax.core.ops import Op
from schemax.core.replay import StateBuilder
from schemax.core.snapshot import Snapshot
from schemax.errors import HistoryConflictError, HistoryDivergedError, IntegrityError, NotAnExportError
from schemax.ports import OpRecord, ProjectRecord, Store

log = logging.getLogger("schemax.exchange")

#: the format :meth:`Project.to_export` writes
EXPORT_FORMAT = "schemax.project/2"
#: the formats an import reads (``/1``: ops and snapshots only, no deployment history)
READABLE_FORMATS = ("schemax.project/1", EXPORT_FORMAT)


@dataclass(frozen=True)
class DeploymentHistory:
    """One deployment of an export and its statements (in seq order)."""

    deployment: DeploymentRecord
    statements: tuple[StatementRecord, ...] = ()


@dataclass(frozen=True)
class Export:
    """A verified export: the project row, its op records and snapshots (oldest first), and its deployment
    history: deployments (by ``started_at``, then id) and drift scans (by ``ts``, then id)."""

    record: ProjectRecord
    ops: tuple[OpRecord, ...]
    snapshots: tuple[Snapshot, ...]
    deployments: tuple[DeploymentHistory, ...] = ()
    drift_scans: tuple[DriftScanRecord, ...] = ()


@dataclass(frozen=True)
class ImportResult:
    """What an import did: ``created`` the project, or appended ``ops`` and ``snapshots`` to it (both 0:
    the store already held the file's history; ``store_ahead`` ops more than the file, when it does), and
    the history records it added (``deployments``, ``statements``, ``drift_scans``) or brought to the later
    state the file holds (``updated``: a deployment that finished, was resumed or given up since);
    ``history_behind``: records the store holds in a later state than the file (kept)."""

    project: str
    created: bool
    ops: int
    snapshots: int
    store_ahead: int = 0
    deployments: int = 0
    statements: int = 0
    drift_scans: int = 0
    updated: int = 0
    history_behind: int = 0

    @property
    def changed(self) -> bool:
        return self.created or bool(self.ops or self.snapshots or self.history)

    @property
    def history(self) -> int:
        """History records written (deployments, statements and drift scans added, records updated)."""
        return self.deployments + self.statements + self.drift_scans + self.updated


# ------------------------------------------------------------------------------------------------------
# history records <-> export rows


def deployment_row(record: DeploymentRecord) -> dict[str, Any]:
    """A deployment as an export holds it (its store serialization, JSON-ready)."""
    return _plain(record.to_row())


def statement_row(record: StatementRecord) -> dict[str, Any]:
    """A statement as an export holds it."""
    return _plain(record.to_row())


def drift_scan_row(record: DriftScanRecord) -> dict[str, Any]:
    """A drift scan as an export holds it (its fields, as the Delta store keeps them)."""
    return _plain(asdict(record))


def _moved(record: DeploymentRecord, project: str) -> DeploymentRecord:
    """``record`` under project ``project``: sealed again when it was sealed (the seal covers the name)."""
    moved = replace(record, project=project)
    return moved.sealed() if record.seal is not None else moved


def _plain(row: Mapping[str, Any]) -> dict[str, Any]:
    """``row`` as JSON reads it back (tuples become lists), so rows compare equal across a round trip."""
    return dict(json.loads(canonical_json(row)))


def _scan_from_row(row: Mapping[str, Any]) -> DriftScanRecord:
    names = {f.name for f in fields(DriftScanRecord)}
    return DriftScanRecord(**{k: v for k, v in row.items() if k in names})


def by_deployment(statements: Iterable[StatementRecord]) -> dict[str, list[StatementRecord]]:
    """Statements grouped by deployment id, each group in seq order."""
    out: dict[str, list[StatementRecord]] = {}
    for st in statements:
        out.setdefault(st.deployment_id, []).append(st)
    return {k: sorted(v, key=lambda s: s.seq) for k, v in out.items()}


def history_sections(deployments: Iterable[tuple[DeploymentRecord, Sequence[StatementRecord]]],
                     drift_scans: Iterable[DriftScanRecord]) -> dict[str, Any]:
    """The export's ``deployments`` and ``drift_scans`` lists: oldest first (``started_at`` then id,
    ``ts`` then id; statements by seq), each record as its row, so that an export is the same text
    whichever store (and whichever of the store's own orders) it came from."""
    blocks = [{"deployment": deployment_row(d),
               "statements": [statement_row(s) for s in sorted(sts, key=lambda s: s.seq)]}
              for d, sts in sorted(deployments, key=lambda x: (x[0].started_at, x[0].deployment_id))]
    scans = [drift_scan_row(s) for s in sorted(drift_scans, key=lambda s: (s.ts, s.scan_id))]
    return {"deployments": blocks, "drift_scans": scans}


def read_export(path: str | os.PathLike[str], *, name: str | None = None) -> Export:
    """Read and verify an export file (``name``: import under another project name). IntegrityError for an
    altered file, NotAnExportError for a file that is not an export."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except ValueError:
        raise NotAnExportError(str(path), None) from None
    if not isinstance(doc, dict) or doc.get("format") not in READABLE_FORMATS:
        raise NotAnExportError(str(path), doc.get("format") if isinstance(doc, dict) else None)
    return verify_export(doc, name=name)


def verify_export(doc: dict[str, Any], *, name: str | None = None) -> Export:
    """The records of an export document, each hash checked and the ops replayed; with the history of a
    ``/2`` document (its records moved to project ``name`` when given). IntegrityError for a history
    record that is malformed, belongs to another project or repeats an id."""
    meta = doc["project"]
    record = ProjectRecord(name=name or meta["name"], created_at=meta["created_at"],
                           created_by=meta["created_by"], settings=meta.get("settings", {}),
                           environments=meta.get("environments", {}))
    records: list[OpRecord] = []
    prev = GENESIS_HASH
    builder = StateBuilder()
    for row in doc["ops"]:
        op = Op(**{k: row[k] for k in ("op_id", "ts", "author", "kind", "target", "payload")})
        h = op_hash(op, prev)
        if h != row["hash"] or row["prev_hash"] != prev:
            raise IntegrityError(f"op seq {row['seq']} ({op.op_id})", row["hash"], h, "export was altered")
        if row["seq"] != len(records) + 1:
            raise IntegrityError(f"op seq {row['seq']} ({op.op_id})", str(len(records) + 1), str(row["seq"]),
                                 "sequence gap or duplicate in the export")
        builder.apply(op)  # ValidationError: an op that does not replay
        records.append(OpRecord(seq=row["seq"], op=op, prev_hash=prev, hash=h))
        prev = h
    snaps = []
    for row in doc["snapshots"]:
        snap = Snapshot.model_validate({**row, "state": State.from_dict(row["state"])})
        snap.verify()
        snaps.append(snap)
    snaps.sort(key=lambda s: (s.op_seq, s.semver))
    if doc.get("format") == "schemax.project/1":
        return Export(record, tuple(records), tuple(snaps))
    deployments, scans = _read_history(doc, meta["name"], record.name)
    return Export(record, tuple(records), tuple(snaps), deployments, scans)


def _read_history(doc: Mapping[str, Any], owner: str,
                  name: str) -> tuple[tuple[DeploymentHistory, ...], tuple[DriftScanRecord, ...]]:
    """The ``deployments`` and ``drift_scans`` of a ``/2`` document, checked (see :func:`verify_export`:
    also each deployment's seal and ``previous`` link, :func:`~schemax.core.integrity.deployment_problems`)
    and moved from project ``owner`` to ``name`` (a sealed record sealed again under its new name)."""
    def bad(where: str, expected: str, actual: str, detail: str) -> IntegrityError:
        return IntegrityError(where, expected, actual, detail)

    blocks: list[DeploymentHistory] = []
    seen: set[str] = set()
    for i, block in enumerate(doc.get("deployments") or []):
        try:
            dep = DeploymentRecord.from_row(block["deployment"])
            sts = [StatementRecord.from_row(row) for row in block.get("statements") or []]
        except (KeyError, TypeError, ValueError) as exc:
            raise bad(f"deployment {i + 1} of the export", "a deployment record", "something else",
                      f"malformed record: {exc}") from None
        where = f"deployment {dep.deployment_id}"
        if dep.project != owner:
            raise bad(where, owner, dep.project, "deployment of another project")
        if dep.deployment_id in seen:
            raise bad(where, "one record", "two", "deployment listed twice")
        seen.add(dep.deployment_id)
        seqs = [s.seq for s in sts]
        if len(set(seqs)) != len(seqs):
            raise bad(where, "distinct statement seqs", str(seqs), "statement listed twice")
        stray = next((s.deployment_id for s in sts if s.deployment_id != dep.deployment_id), None)
        if stray is not None:
            raise bad(where, dep.deployment_id, stray, "statement of another deployment")
        blocks.append(DeploymentHistory(dep, tuple(sorted(sts, key=lambda s: s.seq))))
    problems = deployment_problems([b.deployment for b in blocks])
    if problems:
        raise IntegrityError.of([replace(p, detail=f"{p.detail}: export was altered") for p in problems])
    if name != owner:
        blocks = [replace(b, deployment=_moved(b.deployment, name)) for b in blocks]
    scans: list[DriftScanRecord] = []
    seen = set()
    for i, row in enumerate(doc.get("drift_scans") or []):
        try:
            scan = _scan_from_row(row)
        except (KeyError, TypeError, ValueError) as exc:
            raise bad(f"drift scan {i + 1} of the export", "a drift scan record", "something else",
                      f"malformed record: {exc}") from None
        if scan.project != owner:
            raise bad(f"drift scan {scan.scan_id}", owner, scan.project, "drift scan of another project")
        if scan.scan_id in seen:
            raise bad(f"drift scan {scan.scan_id}", "one record", "two", "drift scan listed twice")
        seen.add(scan.scan_id)
        scans.append(replace(scan, project=name))
    blocks.sort(key=lambda b: (b.deployment.started_at, b.deployment.deployment_id))
    scans.sort(key=lambda s: (s.ts, s.scan_id))
    return tuple(blocks), tuple(scans)


def _fork(project: str, ours: Sequence[Any], theirs: Sequence[Any], key: Any, label: Any, what: str) -> int:
    """The number of leading items both sides share; HistoryDivergedError when one side is not a prefix
    of the other."""
    shared = 0
    for a, b in zip(ours, theirs, strict=False):
        if key(a) != key(b):
            break
        shared += 1
    if shared < min(len(ours), len(theirs)):
        raise HistoryDivergedError(project, shared + 1, label(ours[shared]), label(theirs[shared]),
                                   [label(x) for x in ours[shared:]], [label(x) for x in theirs[shared:]],
                                   what=what)
    return shared


#: How schemax moves a deployment record on after writing it: an ``in_progress`` one finishes
#: (``success``, ``failed``, ``interrupted``: ``Deployer._execute`` in ``services/deploy_base.py``; ``failed``
#: when its lock expired: ``_unfinished``) or is given up (``abandoned``: ``deploy --abandon``,
#: ``services/deploy.py``), a failed or interrupted one is given up. A resume appends `` [resumed by <id>]``
#: to the record's ``error`` without changing its status (``services/deploy_resume.py``). Only the
#: ``_DEPLOYMENT_MOVING`` fields move.
_DEPLOYMENT_NEXT: dict[str, frozenset[str]] = {
    "in_progress": frozenset({"success", "failed", "interrupted", "abandoned"}),
    "failed": frozenset({"abandoned"}),
    "interrupted": frozenset({"abandoned"}),
}
_DEPLOYMENT_MOVING = frozenset({"status", "finished_at", "error", "applied"})
#: fields that follow from the others (a deployment's ``seal``, its hash, checked by ``verify_export``)
_DEPLOYMENT_DERIVED = frozenset({"seal"})
#: statuses whose record may still move without changing status: its ``error`` grows (a resume's note)
_DEPLOYMENT_NOTED = frozenset({"failed", "interrupted"})
#: A statement's record moves from ``pending`` / ``running`` to its outcome (``services/statuses.py``).
_STATEMENT_NEXT: dict[str, frozenset[str]] = {
    "pending": frozenset({"running", "applied", "failed", "unknown", "skipped"}),
    "running": frozenset({"applied", "failed", "unknown", "skipped"}),
}
_STATEMENT_MOVING = frozenset({"status", "started_at", "finished_at", "error"})


@dataclass(frozen=True)
class _Lifecycle:
    """How one kind of history record moves on after it is written: ``nexts`` the statuses each status
    may become, ``moving`` the fields that may change with it, ``noted`` the statuses under which only
    ``error`` may grow (text appended) without a change of status, ``derived`` fields computed from the
    others (not compared)."""

    nexts: Mapping[str, frozenset[str]]
    moving: frozenset[str]
    noted: frozenset[str] = frozenset()
    derived: frozenset[str] = frozenset()

    def later(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
        """``new`` is a later state of the record ``old`` (two different rows of one record)."""
        def differs(k: str) -> bool:
            return canonical_json(old.get(k)) != canonical_json(new.get(k))

        if any(differs(k) for k in set(old) | set(new) if k not in self.moving | self.derived):
            return False
        before, after = old.get("status"), new.get("status")
        if after in self.nexts.get(str(before), frozenset()):
            return True
        if before == after and before in self.noted:
            was, now = old.get("error") or "", new.get("error") or ""
            return now.startswith(was) and not any(differs(k) for k in self.moving - {"error"})
        return False


_DEPLOYMENT = _Lifecycle(_DEPLOYMENT_NEXT, _DEPLOYMENT_MOVING, _DEPLOYMENT_NOTED, _DEPLOYMENT_DERIVED)
_STATEMENT = _Lifecycle(_STATEMENT_NEXT, _STATEMENT_MOVING)
_DRIFT_SCAN = _Lifecycle({}, frozenset())  # a drift scan never changes once written


@dataclass(frozen=True)
class _HistoryPlan:
    """What :func:`import_export` writes of an export's history: the records the store lacks (``add_*``,
    one :meth:`~schemax.ports.Store.add_history` call) and the store's records the file holds in a later
    state (``update_*``: the existing writers, ``update_deployment`` and ``update_statements``);
    ``behind``: records the store holds in a later state than the file (left as they are)."""

    add_deployments: tuple[DeploymentRecord, ...] = ()
    add_statements: tuple[StatementRecord, ...] = ()
    add_drift_scans: tuple[DriftScanRecord, ...] = ()
    update_deployments: tuple[DeploymentRecord, ...] = ()
    update_statements: tuple[StatementRecord, ...] = ()
    behind: int = 0

    @property
    def updated(self) -> int:
        return len(self.update_deployments) + len(self.update_statements)

    def write(self, store: Store, project: str) -> None:
        """New records first (statements before deployments), then the records that moved on: a
        deployment is never read without its statements, nor in its later state before they are."""
        if self.add_deployments or self.add_statements or self.add_drift_scans:
            store.add_history(project, self.add_deployments, self.add_statements, self.add_drift_scans)
        if self.update_statements:
            store.update_statements(project, self.update_statements)
        for dep in self.update_deployments:
            store.update_deployment(dep)


def _first_difference(ours: Mapping[str, Any], theirs: Mapping[str, Any],
                      ignored: frozenset[str] = frozenset()) -> str | None:
    """The first field (sorted, not ``ignored``) whose value differs between two rows, None when they are
    equal."""
    return next((k for k in sorted(set(ours) | set(theirs))
                 if k not in ignored and canonical_json(ours.get(k)) != canonical_json(theirs.get(k))), None)


def _compare(project: str, record: str, ours: Mapping[str, Any], theirs: Mapping[str, Any],
             lifecycle: _Lifecycle, **where: Any) -> str:
    """``"same"``, ``"file_later"``, ``"store_later"`` for two rows of one record; HistoryConflictError
    (the first field that differs) when neither is the other's later state. Rows that differ only in
    derived fields (a seal one side has and the other, written before seals, has not) are the same."""
    field = _first_difference(ours, theirs, lifecycle.derived)
    if field is None:
        return "same"
    if lifecycle.later(ours, theirs):
        return "file_later"
    if lifecycle.later(theirs, ours):
        return "store_later"
    raise HistoryConflictError(project, record, field, canonical_json(ours.get(field)),
                               canonical_json(theirs.get(field)), **where)


def _history_plan(store: Store, export: Export) -> _HistoryPlan:
    """What to write of the export's history (see :class:`_HistoryPlan`); HistoryConflictError for a
    record the store holds otherwise. Reads only, at most three: the deployments, the statements (when
    both sides hold a deployment), the drift scans."""
    name = export.record.name
    if not export.deployments and not export.drift_scans:
        return _HistoryPlan()
    held = {d.deployment_id: d for d in store.read_deployments(name)} if export.deployments else {}
    add_deps: list[DeploymentRecord] = []
    add_sts: list[StatementRecord] = []
    upd_deps: list[DeploymentRecord] = []
    upd_sts: list[StatementRecord] = []
    behind = 0
    shared = any(b.deployment.deployment_id in held for b in export.deployments)
    store_sts = by_deployment(store.read_all_statements(name)) if shared else {}
    for block in export.deployments:
        dep = block.deployment
        ours = held.get(dep.deployment_id)
        if ours is None:
            add_deps.append(dep)
            add_sts.extend(block.statements)
            continue
        verdict = _compare(name, "deployment", deployment_row(ours), deployment_row(dep), _DEPLOYMENT,
                           deployment_id=dep.deployment_id)
        if verdict == "file_later":
            upd_deps.append(dep)
        behind += verdict == "store_later"
        held_sts = {s.seq: s for s in store_sts.get(dep.deployment_id, [])}
        for st in block.statements:
            mine = held_sts.get(st.seq)
            if mine is None:
                add_sts.append(st)
                continue
            verdict = _compare(name, "statement", statement_row(mine), statement_row(st), _STATEMENT,
                               deployment_id=dep.deployment_id, seq=st.seq)
            if verdict == "file_later":
                upd_sts.append(st)
            behind += verdict == "store_later"
    scans = {s.scan_id: s for s in store.read_drift_scans(name)} if export.drift_scans else {}
    add_scans: list[DriftScanRecord] = []
    for scan in export.drift_scans:
        mine_scan = scans.get(scan.scan_id)
        if mine_scan is None:
            add_scans.append(scan)
        else:
            _compare(name, "drift_scan", drift_scan_row(mine_scan), drift_scan_row(scan), _DRIFT_SCAN,
                     scan_id=scan.scan_id)
    return _HistoryPlan(tuple(add_deps), tuple(add_sts), tuple(add_scans), tuple(upd_deps), tuple(upd_sts),
                        behind)


def import_export(store: Store, export: Export) -> ImportResult:
    """Write ``export`` into ``store``: create the project, fast-forward it, or nothing (see the module
    docstring), then bring its history in. HistoryDivergedError (HistoryConflictError for a history
    record), before anything is written, when the two sides disagree."""
    name = export.record.name
    existing = store.get_project(name)
    if existing is None:
        history = _history_plan(store, export)
        store.create_project(export.record)
        if export.ops:
            store.append_ops(name, list(export.ops))
        for snap in export.snapshots:
            store.append_snapshot(name, snap)
        history.write(store, name)
        log.info("imported project %s: %d op(s), %d snapshot(s), %d deployment(s), %d drift scan(s)", name,
                 len(export.ops), len(export.snapshots), len(history.add_deployments),
                 len(history.add_drift_scans))
        return _result(name, True, len(export.ops), len(export.snapshots), 0, history)
    ours = store.read_ops(name)
    shared = _fork(name, ours, export.ops, key=lambda r: r.hash, label=lambda r: r.op.op_id, what="op")
    store_snaps = sorted(store.read_snapshots(name), key=lambda s: (s.op_seq, s.semver))
    shared_snaps = _fork(name, store_snaps, export.snapshots, key=lambda s: s.hash,
                         label=lambda s: s.version, what="snapshot")
    history = _history_plan(store, export)
    new_ops = list(export.ops[shared:])
    new_snaps = list(export.snapshots[shared_snaps:])
    if new_ops:
        store.append_ops(name, new_ops)  # conflict-checked on seq: a concurrent writer makes it fail whole
    for snap in new_snaps:
        store.append_snapshot(name, snap)
    history.write(store, name)
    ahead = max(0, len(ours) - len(export.ops))
    log.info("import of %s: %d new op(s), %d new snapshot(s), %d new deployment(s), %d new statement(s), "
             "%d new drift scan(s), %d record(s) brought up to date%s%s", name, len(new_ops), len(new_snaps),
             len(history.add_deployments), len(history.add_statements), len(history.add_drift_scans),
             history.updated, f"; the store is {ahead} op(s) ahead of the file" if ahead else "",
             f"; {history.behind} history record(s) are further along in the store" if history.behind else "")
    return _result(name, False, len(new_ops), len(new_snaps), ahead, history)


def _result(name: str, created: bool, ops: int, snaps: int, ahead: int,
            history: _HistoryPlan) -> ImportResult:
    return ImportResult(name, created, ops, snaps, ahead, deployments=len(history.add_deployments),
                        statements=len(history.add_statements), drift_scans=len(history.add_drift_scans),
                        updated=history.updated, history_behind=history.behind)


__all__ = ["EXPORT_FORMAT", "READABLE_FORMATS", "DeploymentHistory", "Export", "ImportResult",
           "by_deployment", "deployment_row", "drift_scan_row", "history_sections", "import_export",
           "read_export", "statement_row", "verify_export"]
