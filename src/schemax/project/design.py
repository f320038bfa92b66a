"""Design files on the Project: sync the log to them, plan them before they are synced, write them.

The format, the loader and the diff live in :mod:`schemax.design` (pure); this mixin only records what a
sync computes (one commit) and hands the design plan to :mod:`schemax.services.design_plan`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path

from schemax.core.ops import Op
from schemax.design import read_designs, sync_ops, write_design
from schemax.errors import InsideBatchError
from schemax.plan import Plan
from schemax.project.facade import ServiceFacade
from schemax.services.design_plan import plan_design

log = logging.getLogger("schemax")

Files = str | os.PathLike[str] | Sequence[str | os.PathLike[str]]


def _paths(files: Files) -> list[str | os.PathLike[str]]:
    return [files] if isinstance(files, (str, os.PathLike)) else list(files)


class DesignFiles(ServiceFacade):
    """``sync``, ``plan_design`` and ``export_design``."""

    def sync(self, files: Files, *, dry_run: bool = False) -> list[Op]:
        """Record the ops that make the working state what the design files describe (one commit).

        ``files``: design files or directories of them (``*.yml``, ``*.yaml``). Returns the ops (none when
        the log already holds the design: a second sync records nothing); with ``dry_run`` they are only
        returned. DesignFileError (file, line, column) for what the files hold that no op can express.
        """
        if self._pending is not None:
            raise InsideBatchError("sync", "cannot sync design files inside a batch; leave the batch first")
        documents = read_designs(_paths(files))
        with self._lock:
            ops = sync_ops(self.state(), documents, author=self.author)
            if ops and not dry_run:
                ops = self.record_ops(ops)
        log.info("sync of %d design file(s): %d op(s)%s", len(documents), len(ops),
                 " (dry run)" if dry_run else "")
        return ops

    def plan_design(self, env: str, files: Files) -> Plan:
        """What deploying the design ``files`` to ``env`` would run, before they are synced: the files are
        applied to the working state in memory, nothing is recorded (the plan's ``to_version`` is
        ``"design"``). For reviewing a pull request that changes the design."""
        return plan_design(self.deployer(), self.environment(env), self.state(), read_designs(_paths(files)))

    def export_design(self, directory: str | os.PathLike[str]) -> list[Path]:
        """Write the working state as design files into ``directory``, one per schema (see
        :func:`schemax.design.write_design`); returns the files written."""
        return write_design(self.state(), directory)


__all__ = ["DesignFiles"]
