"""The integrity of an op log and its snapshots, every problem at once (pure).

``Project.verify()`` walks the whole log with it, replaying it; the read model the services share
(:class:`schemax.records.ProjectRecords`) feeds it each row as it reads the row, so a deploy can refuse a
broken chain without reading the store again (issue 16, store tampering). Each row is checked against its
own stored link, so one edited or deleted row is one problem, not one per later row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from schemax.core.environment import DeploymentRecord
from schemax.core.hashing import GENESIS_HASH, op_hash, state_hash
from schemax.core.ops import Op
from schemax.core.snapshot import Snapshot
from schemax.errors import IntegrityProblem


class LogRow(Protocol):
    """What the checker reads of an op log row (:class:`schemax.ports.OpRecord`)."""

    @property
    def seq(self) -> int: ...
    @property
    def op(self) -> Op: ...
    @property
    def prev_hash(self) -> str: ...
    @property
    def hash(self) -> str: ...


@dataclass
class ChainCheck:
    """The op log's hash chain, checked one row at a time, oldest first."""

    seq: int = 0
    head: str = GENESIS_HASH
    problems: list[IntegrityProblem] = field(default_factory=list)

    def add(self, row: LogRow) -> None:
        where = f"op seq {row.seq} ({row.op.op_id})"
        if row.seq != self.seq + 1:
            self.problems.append(IntegrityProblem(where, str(self.seq + 1), str(row.seq),
                                                  "sequence gap or duplicate"))
        elif row.prev_hash != self.head:
            self.problems.append(IntegrityProblem(where, self.head, row.prev_hash, "hash chain broken"))
        actual = op_hash(row.op, row.prev_hash)
        if actual != row.hash:
            self.problems.append(IntegrityProblem(where, row.hash, actual,
                                                  "op changed after it was recorded"))
        self.seq, self.head = row.seq, row.hash


def snapshot_problems(snapshots: Sequence[Snapshot], *, states: bool = True,
                      replayed: Mapping[int, str] | None = None, log_length: int | None = None,
                      replayed_to: int | None = None) -> list[IntegrityProblem]:
    """What the snapshots (oldest first) break: their own hashes (``states``: the state's too, the costly
    part), their chain of ``previous`` links and, given the replay's state hashes at their seqs
    (``replayed``, valid up to ``replayed_to`` of a log of ``log_length`` ops), agreement with the log."""
    problems = []
    previous: str | None = None
    for snap in snapshots:
        where = f"snapshot {snap.version}"
        if states:
            actual_state = state_hash(snap.state)
            if actual_state != snap.state_hash:
                problems.append(IntegrityProblem(where, snap.state_hash, actual_state, "state changed"))
        actual = snap.compute_hash()
        if actual != snap.hash:
            problems.append(IntegrityProblem(where, snap.hash, actual, "snapshot record changed"))
        if replayed is not None and log_length is not None:
            if snap.op_seq > log_length:
                problems.append(IntegrityProblem(where, f"op seq {snap.op_seq}", "missing",
                                                 "snapshot points past the op log"))
            elif replayed_to is None or snap.op_seq <= replayed_to:
                if snap.op_seq not in replayed:  # the row it was taken at is gone
                    problems.append(IntegrityProblem(where, f"op seq {snap.op_seq}", "missing",
                                                     "the op it was taken at is not in the log"))
                elif replayed[snap.op_seq] != snap.state_hash:
                    problems.append(IntegrityProblem(where, replayed[snap.op_seq], snap.state_hash,
                                                     "state differs from the replay of its ops"))
        if snap.previous != previous:
            problems.append(IntegrityProblem(where, str(previous), str(snap.previous),
                                             "snapshot chain broken"))
        previous = snap.snapshot_id
    return problems


def deployment_problems(deployments: Sequence[DeploymentRecord]) -> list[IntegrityProblem]:
    """What deployment records (any environments, any order) break: a sealed record whose fields no longer
    match its seal (edited), a ``previous`` that names no recorded deployment of its environment (the row
    between was deleted). Records written before seals existed are not checked. Deleting the newest row
    leaves no trace here (nothing points at it yet)."""
    problems = []
    ids = {(d.environment, d.deployment_id) for d in deployments}
    for d in sorted(deployments, key=lambda d: (d.environment, d.started_at, d.deployment_id)):
        where = f"deployment {d.deployment_id} of {d.environment}"
        if d.seal is not None and d.compute_seal() != d.seal:
            problems.append(IntegrityProblem(where, d.seal, d.compute_seal(), "deployment record changed"))
        if d.previous is not None and (d.environment, d.previous) not in ids:
            problems.append(IntegrityProblem(where, d.previous, "missing", "previous deployment deleted"))
    return problems


__all__ = ["ChainCheck", "IntegrityProblem", "LogRow", "deployment_problems", "snapshot_problems"]
