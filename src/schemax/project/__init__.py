"""The project: :class:`Project`, the notebook-facing façade (design ops, snapshots, environments,
integrity) over the op log and the services. ``schemax.api`` re-exports it.

Modules: :mod:`~schemax.project.base` (op log, batching, names), :mod:`~schemax.project.catalogs`,
:mod:`~schemax.project.tables`, :mod:`~schemax.project.objects` (design ops by object family),
:mod:`~schemax.project.snapshots`, :mod:`~schemax.project.environments`,
:mod:`~schemax.project.integrity` (verify, export), :mod:`~schemax.project.facade` (the methods that
build services) and :mod:`~schemax.project.project` (opening, display).
"""

from schemax.project.base import MAX_COMMIT_ATTEMPTS, Column, ProgressCallback
from schemax.project.integrity import EXPORT_FORMAT, VerifyResult
from schemax.project.project import Project

#: the modules whose design methods mint new ids (tests/cases/make_cases.py fixes them for golden cases)
DESIGN_MODULES = ("schemax.project.catalogs", "schemax.project.tables", "schemax.project.objects")

__all__ = ["DESIGN_MODULES", "EXPORT_FORMAT", "MAX_COMMIT_ATTEMPTS", "Column", "ProgressCallback", "Project",
           "VerifyResult"]
