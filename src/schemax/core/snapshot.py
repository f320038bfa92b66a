"""Snapshots: named, semver-versioned, hashed points in the op log.

A snapshot holds the full state at that point, the ids of the ops recorded since the previous snapshot,
the log position it covers (``op_seq``) and a SHA-256 over all of it. ``verify`` recomputes both the
state's hash and the snapshot's own, so a row edited behind schemax's back is caught on read.
"""

from __future__ import annotations

from typing import Any, Literal

import semver

from schemax.core.hashing import canonical_bytes, sha256_hex, state_hash
from schemax.core.model import Frozen, State
from schemax.core.ops import new_id, utc_now
from schemax.errors import IntegrityError, VersionError

Bump = Literal["major", "minor", "patch"]


def parse_version(text: str, prefix: str = "") -> semver.Version:
    """Parse ``1.2.0`` (or ``v1.2.0`` when ``prefix`` is ``v``) into a semver Version."""
    raw = text.strip()
    if prefix and raw.startswith(prefix):
        raw = raw[len(prefix):]
    elif raw[:1] in ("v", "V") and raw[1:2].isdigit():
        raw = raw[1:]
    try:
        return semver.Version.parse(raw)
    except (ValueError, TypeError) as exc:
        raise VersionError(text, f"not a semantic version ({exc})") from None


def next_version(last: str | None, bump: Bump = "minor") -> str:
    """The version after ``last``: 0.1.0 for the first snapshot, then a minor (or chosen) bump."""
    if last is None:
        return "0.1.0" if bump != "major" else "1.0.0"
    v = parse_version(last)
    bumped = {"major": v.bump_major, "minor": v.bump_minor, "patch": v.bump_patch}[bump]()
    return str(bumped)


class Snapshot(Frozen):
    snapshot_id: str
    version: str
    name: str
    ts: str
    created_by: str
    state: State
    op_ids: tuple[str, ...] = ()  # ops recorded since the previous snapshot
    op_seq: int = 0  # the last op (by log position) included; replaying ops 1..op_seq gives ``state``
    previous: str | None = None  # snapshot_id of the previous snapshot
    state_hash: str = ""
    hash: str = ""
    tags: tuple[str, ...] = ()
    comment: str | None = None

    @classmethod
    def create(
        cls,
        *,
        version: str,
        name: str,
        state: State,
        op_ids: tuple[str, ...] | list[str],
        op_seq: int,
        previous: str | None,
        created_by: str,
        tags: tuple[str, ...] | list[str] = (),
        comment: str | None = None,
        ts: str | None = None,
        snapshot_id: str | None = None,
    ) -> Snapshot:
        draft = cls(
            snapshot_id=snapshot_id or new_id("snap"),
            version=str(parse_version(version)),
            name=name,
            ts=ts or utc_now(),
            created_by=created_by,
            state=state,
            op_ids=tuple(op_ids),
            op_seq=op_seq,
            previous=previous,
            state_hash=state_hash(state),
            tags=tuple(tags),
            comment=comment,
        )
        return draft.model_copy(update={"hash": draft.compute_hash()})

    def header(self) -> dict[str, Any]:
        """Every field but the state itself (represented by its hash) and the snapshot hash."""
        return {
            "snapshot_id": self.snapshot_id,
            "version": self.version,
            "name": self.name,
            "ts": self.ts,
            "created_by": self.created_by,
            "op_ids": list(self.op_ids),
            "op_seq": self.op_seq,
            "previous": self.previous,
            "state_hash": self.state_hash,
            "tags": list(self.tags),
            "comment": self.comment,
        }

    def compute_hash(self) -> str:
        return sha256_hex(canonical_bytes(self.header()))

    def verify(self) -> None:
        """Raise IntegrityError if the stored state or header no longer hashes to what was recorded."""
        actual_state = state_hash(self.state)
        if actual_state != self.state_hash:
            raise IntegrityError(f"snapshot {self.version}", self.state_hash, actual_state, "state changed")
        actual = self.compute_hash()
        if actual != self.hash:
            raise IntegrityError(f"snapshot {self.version}", self.hash, actual, "snapshot record changed")

    @property
    def semver(self) -> semver.Version:
        return parse_version(self.version)

    def __repr__(self) -> str:
        return (
            f"Snapshot(version={self.version!r}, name={self.name!r}, ts={self.ts!r}, hash={self.hash[:12]}…)"
        )


__all__ = ["Snapshot", "next_version", "parse_version"]
