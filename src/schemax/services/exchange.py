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
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schemax.core.hashing import GENESIS_HASH, op_hash
from schemax.core.model import State
from schemax.core.ops import Op
from schemax.core.replay import StateBuilder
from schemax.core.snapshot import Snapshot
from schemax.errors import HistoryDivergedError, IntegrityError, NotAnExportError
from schemax.ports import OpRecord, ProjectRecord, Store

log = logging.getLogger("schemax.exchange")

EXPORT_FORMAT = "schemax.project/1"


@dataclass(frozen=True)
class Export:
    """A verified export: the project row, its op records and snapshots (oldest first)."""

    record: ProjectRecord
    ops: tuple[OpRecord, ...]
    snapshots: tuple[Snapshot, ...]


@dataclass(frozen=True)
class ImportResult:
    """What an import did: ``created`` the project, or appended ``ops`` and ``snapshots`` to it (both 0:
    the store already held the file's history; ``store_ahead`` ops more than the file, when it does)."""

    project: str
    created: bool
    ops: int
    snapshots: int
    store_ahead: int = 0

    @property
    def changed(self) -> bool:
        return self.created or bool(self.ops or self.snapshots)


def read_export(path: str | os.PathLike[str], *, name: str | None = None) -> Export:
    """Read and verify an export file (``name``: import under another project name). IntegrityError for an
    altered file, NotAnExportError for a file that is not an export."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except ValueError:
        raise NotAnExportError(str(path), None) from None
    if not isinstance(doc, dict) or doc.get("format") != EXPORT_FORMAT:
        raise NotAnExportError(str(path), doc.get("format") if isinstance(doc, dict) else None)
    return verify_export(doc, name=name)


def verify_export(doc: dict[str, Any], *, name: str | None = None) -> Export:
    """The records of an export document, each hash checked and the ops replayed."""
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
    return Export(record, tuple(records), tuple(snaps))


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


def import_export(store: Store, export: Export) -> ImportResult:
    """Write ``export`` into ``store``: create the project, fast-forward it, or nothing (see the module
    docstring). HistoryDivergedError, before anything is written, when the histories forked."""
    name = export.record.name
    existing = store.get_project(name)
    if existing is None:
        store.create_project(export.record)
        if export.ops:
            store.append_ops(name, list(export.ops))
        for snap in export.snapshots:
            store.append_snapshot(name, snap)
        log.info("imported project %s: %d op(s), %d snapshot(s)", name, len(export.ops),
                 len(export.snapshots))
        return ImportResult(name, True, len(export.ops), len(export.snapshots))
    ours = store.read_ops(name)
    shared = _fork(name, ours, export.ops, key=lambda r: r.hash, label=lambda r: r.op.op_id, what="op")
    store_snaps = sorted(store.read_snapshots(name), key=lambda s: (s.op_seq, s.semver))
    shared_snaps = _fork(name, store_snaps, export.snapshots, key=lambda s: s.hash,
                         label=lambda s: s.version, what="snapshot")
    new_ops = list(export.ops[shared:])
    new_snaps = list(export.snapshots[shared_snaps:])
    if new_ops:
        store.append_ops(name, new_ops)  # conflict-checked on seq: a concurrent writer makes it fail whole
    for snap in new_snaps:
        store.append_snapshot(name, snap)
    ahead = max(0, len(ours) - len(export.ops))
    log.info("import of %s: %d new op(s), %d new snapshot(s)%s", name, len(new_ops), len(new_snaps),
             f"; the store is {ahead} op(s) ahead of the file" if ahead else "")
    return ImportResult(name, False, len(new_ops), len(new_snaps), ahead)


__all__ = ["EXPORT_FORMAT", "Export", "ImportResult", "import_export", "read_export", "verify_export"]
