"""Integrity, export and import: re-walking the hash chain, and the project as one canonical JSON file."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schemax.core.hashing import canonical_json, state_hash
from schemax.core.integrity import ChainCheck, IntegrityProblem, deployment_problems, snapshot_problems
from schemax.core.model import State
from schemax.core.replay import StateBuilder
from schemax.errors import IntegrityError, ValidationError
from schemax.project.base import ProjectBase
from schemax.services.exchange import EXPORT_FORMAT, by_deployment, history_sections


@dataclass(frozen=True)
class VerifyResult:
    """What :meth:`Project.verify` checked."""

    ops: int
    snapshots: int
    head: str


class Integrity(ProjectBase):
    """:meth:`verify` the op log and snapshots; :meth:`to_export` / :meth:`export_json` the project."""

    def verify(self) -> VerifyResult:
        """Re-hash the op log and every snapshot and replay the log against the snapshots.

        :class:`IntegrityError` names every row that does not match (``problems``): an op row, snapshot or
        deployment record edited or deleted behind schemax's back; the first is the error's own fields.
        """
        records = self.store.read_ops(self.name)
        snaps = sorted(self.store.read_snapshots(self.name), key=lambda s: s.op_seq)
        wanted = {s.op_seq for s in snaps}
        chain = ChainCheck()
        builder = StateBuilder()
        states_at: dict[int, str] = {0: state_hash(State())} if 0 in wanted else {}
        replayed_to: int | None = None  # where the replay stopped: a later op no longer applies
        for rec in records:
            chain.add(rec)
            if replayed_to is not None:
                continue
            try:
                builder.apply(rec.op)
            except ValidationError as exc:
                chain.problems.append(IntegrityProblem(
                    f"op seq {rec.seq} ({rec.op.op_id})", "an op that applies", exc.reason,
                    "op no longer applies to the log before it"))
                replayed_to = rec.seq - 1
                continue
            if rec.seq in wanted:
                states_at[rec.seq] = state_hash(builder.build())
        problems = [*chain.problems, *snapshot_problems(snaps, replayed=states_at, log_length=chain.seq,
                                                        replayed_to=replayed_to),
                    *deployment_problems(self.store.read_deployments(self.name))]
        if problems:
            raise IntegrityError.of(problems)
        return VerifyResult(ops=len(records), snapshots=len(snaps), head=chain.head)

    def to_export(self) -> dict[str, Any]:
        """The whole project as one JSON-ready document (canonical when serialized): its row, ops and
        snapshots, and its deployment history (every deployment with its statements, every drift scan;
        oldest first, see :func:`schemax.services.exchange.history_sections`). Three store reads,
        whatever the history's size: the row, ops, snapshots and deployments
        (:meth:`~schemax.ports.Store.read_changes`), every statement, the drift scans."""
        changes = self.store.read_changes(self.name, deployments=True)
        rec = changes.project or self.record
        statements = by_deployment(self.store.read_all_statements(self.name)) if changes.deployments else {}
        history = history_sections(
            [(d, statements.get(d.deployment_id, [])) for d in changes.deployments or []],
            self.store.read_drift_scans(self.name))
        return {
            "format": EXPORT_FORMAT,
            "project": {"name": rec.name, "created_at": rec.created_at, "created_by": rec.created_by,
                        "settings": rec.settings, "environments": rec.environments},
            "ops": [{"seq": r.seq, "prev_hash": r.prev_hash, "hash": r.hash, **r.op.to_dict()}
                    for r in sorted(changes.ops, key=lambda r: r.seq)],
            "snapshots": [{**s.header(), "hash": s.hash, "state": s.state.to_dict()}
                          for s in sorted(changes.snapshots, key=lambda s: s.op_seq)],
            **history,
        }

    def export_json(self, path: str | os.PathLike[str], *, canonical: bool = False) -> Path:
        """Write the project to one JSON file for review in git or moving between stores: laid out to diff
        well (:func:`export_text`: one op per line, sorted keys) or, with ``canonical``, as one canonical
        line. Both read back the same (``Project.import_json``); hashes never depend on the layout."""
        return write_export(self.to_export(), path, canonical=canonical)


def write_export(doc: dict[str, Any], path: str | os.PathLike[str], *, canonical: bool = False) -> Path:
    """Write an export document to ``path``: :func:`export_text`, or one canonical line."""
    out = Path(path)
    out.write_text(canonical_json(doc) + "\n" if canonical else export_text(doc), encoding="utf-8")
    return out


def export_text(doc: dict[str, Any]) -> str:
    """An export document laid out for a pull request: keys sorted, two-space indent, every op on a line
    of its own (canonical JSON, in log order: new ops are new lines at the end), every snapshot a block of
    its own with its state indented (sorted keys, so an object's lines stay in place between exports),
    every deployment a block of its own holding its record on one line and each statement on a line of its
    own, every drift scan on a line of its own (both oldest first: new ones are new lines at the end; a
    deployment that changed status changes its one line). Deterministic: the same project writes the same
    bytes."""
    def block(value: Any, indent: int) -> str:
        text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
        return text.replace("\n", "\n" + " " * indent)

    parts = []
    for key in sorted(doc):
        value = doc[key]
        if key == "ops" and isinstance(value, list):
            lines = ",\n".join(f"    {canonical_json(op)}" for op in value)
            parts.append(f'  "ops": [\n{lines}\n  ]' if value else '  "ops": []')
        elif key == "snapshots" and isinstance(value, list):
            snaps = ",\n".join(f"    {block(snap, 4)}" for snap in value)
            parts.append(f'  "snapshots": [\n{snaps}\n  ]' if value else '  "snapshots": []')
        elif key == "deployments" and isinstance(value, list):
            blocks = ",\n".join(_deployment_block(b) for b in value)
            parts.append(f'  "deployments": [\n{blocks}\n  ]' if value else '  "deployments": []')
        elif key == "drift_scans" and isinstance(value, list):
            lines = ",\n".join(f"    {canonical_json(scan)}" for scan in value)
            parts.append(f'  "drift_scans": [\n{lines}\n  ]' if value else '  "drift_scans": []')
        else:
            parts.append(f"  {json.dumps(key)}: {block(value, 2)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def _deployment_block(block: dict[str, Any]) -> str:
    """One deployment of :func:`export_text`: its record on one line, its statements one per line."""
    keys = sorted(block)
    if keys != ["deployment", "statements"] or not isinstance(block["statements"], list):
        text = json.dumps(block, indent=2, sort_keys=True, ensure_ascii=False)
        return "    " + text.replace("\n", "\n    ")
    sts = block["statements"]
    statements = ("[\n" + ",\n".join(f"        {canonical_json(st)}" for st in sts) + "\n      ]"
                  if sts else "[]")
    return (f'    {{\n      "deployment": {canonical_json(block["deployment"])},\n'
            f'      "statements": {statements}\n    }}')


__all__ = ["EXPORT_FORMAT", "Integrity", "VerifyResult", "export_text", "write_export"]
