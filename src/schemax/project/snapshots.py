"""Taking snapshots: the current state frozen, hashed and versioned (reading them is on the base)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from schemax.core.snapshot import Bump, Snapshot, next_version, parse_version
from schemax.errors import InsideBatchError, StoreConflictError, VersionError
from schemax.project.base import MAX_COMMIT_ATTEMPTS, ProjectBase

log = logging.getLogger("schemax")


class SnapshotDesign(ProjectBase):
    """:meth:`snapshot`: a new, hashed snapshot of the working state."""

    def snapshot(self, name: str, version: str | None = None, tags: Sequence[str] = (),
                 comment: str | None = None, *, bump: Bump = "minor") -> Snapshot:
        """Freeze the current state as a new, hashed snapshot.

        Without ``version`` the last one is bumped (0.1.0, 0.2.0, …); an explicit version must be greater.
        """
        if self._pending is not None:
            raise InsideBatchError("snapshot", "cannot take a snapshot inside a batch; leave the batch first")
        for attempt in range(1, MAX_COMMIT_ATTEMPTS + 1):
            self.refresh()
            last = self.latest_snapshot()
            if version is None:
                chosen = next_version(last.version if last else None, bump)
            else:
                chosen = str(parse_version(version, self.record.settings.get("version_prefix", "")))
                if last is not None and parse_version(chosen) <= last.semver:
                    raise VersionError(version, f"must be greater than the latest snapshot {last.version}")
            since = last.op_seq if last else 0
            snap = Snapshot.create(
                version=chosen, name=name, state=self.state(), op_seq=self.last_seq,
                previous=last.snapshot_id if last else None,
                op_ids=[r.op.op_id for r in self.records.loaded_op_records() if r.seq > since],
                created_by=self.author, tags=list(tags), comment=comment,
            )
            try:
                self.store.append_snapshot(self.name, snap)
            except StoreConflictError:
                if version is not None:
                    raise VersionError(chosen, "taken by a concurrent snapshot") from None
                log.debug("snapshot version conflict (attempt %d); retrying", attempt)
                continue
            self.records.snapshot_appended(snap)
            log.info("snapshot %s %r: %d op(s) since previous", snap.version, name, len(snap.op_ids))
            return snap
        raise StoreConflictError("snapshots", "gave up after repeated version conflicts")


__all__ = ["SnapshotDesign"]
