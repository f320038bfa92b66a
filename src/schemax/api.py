"""The notebook-facing API: :class:`Project`, re-exported from :mod:`schemax.project`.

A project is an append-only op log plus snapshots, kept in a :class:`~schemax.ports.Store`. Every method
that changes the schema validates the op against the current state first and records it only when valid;
``with p.batch():`` groups many ops into one commit. The façade is split by concern in the
``schemax.project`` package; this module keeps ``from schemax.api import Project, Column, DEFAULT_STORE``
working.
"""

from schemax.engines import DEFAULT_STORE
from schemax.project import (
           EXPORT_FORMAT,
           MAX_COMMIT_ATTEMPTS,
           Column,
           ProgressCallback,
           Project,
           VerifyResult,
)

__all__ = ["DEFAULT_STORE", "EXPORT_FORMAT", "MAX_COMMIT_ATTEMPTS", "Column", "ProgressCallback", "Project",
           "VerifyResult"]
