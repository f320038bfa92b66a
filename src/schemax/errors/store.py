"""Errors about projects, stores, exports and the integrity of stored records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from schemax.errors.base import NotFoundError, SchemaxError, _did_you_mean, _ids, _short


class ProjectExistsError(SchemaxError):
    """``Project.create`` was asked for a project that is already in the store."""

    def __init__(self, project: str, store: str) -> None:
        self.project = project
        self.store = store
        super().__init__(f"project {project!r} already exists in store {store}")


class ProjectNotFoundError(NotFoundError):
    """``Project.open`` was asked for a project that is not in the store (``suggestions``: the store's
    projects closest to that name)."""

    def __init__(self, project: str, store: str, suggestions: Sequence[str] = ()) -> None:
        self.project = project
        self.store = store
        self.suggestions = list(suggestions)
        self.known = []
        SchemaxError.__init__(self, f"project {project!r} not found in store {store}"
                                    f"{_did_you_mean(self.suggestions, ())}")
        self.what = "project"
        self.name = project


class NotAnExportError(SchemaxError):
    """``Project.import_json`` was given a file that is not a schemax export (``format`` is what it says)."""

    def __init__(self, path: str, format: Any) -> None:
        self.path = path
        self.format = format
        super().__init__(f"{path}: not a schemax export (format {format!r})")


class HistoryDivergedError(SchemaxError):
    """``import --from-json`` into a store whose project has another history: the file and the store agree
    on their first ``seq - 1`` ops and differ at op ``seq`` (``store_op`` / ``file_op``: the id of op
    ``seq`` on each side, None where that side has none). ``store_ops`` / ``file_ops`` are the ids of the
    ops each side has beyond the fork. With ``what == "snapshot"`` the ops agree and the snapshots fork
    (``seq`` counts snapshots, the ids are snapshot versions). Nothing is written: rebuild one side on the
    other (re-apply your changes on an export of the store, e.g. by syncing your design files again)."""

    def __init__(self, project: str, seq: int, store_op: str | None, file_op: str | None,
                 store_ops: list[str], file_ops: list[str], what: str = "op") -> None:
        self.project = project
        self.seq = seq
        self.store_op = store_op
        self.file_op = file_op
        self.store_ops = list(store_ops)
        self.file_ops = list(file_ops)
        self.what = what
        where = f"op seq {seq}" if what == "op" else f"snapshot {seq}"
        super().__init__(
            f"project {project!r}: the file and the store forked at {where} "
            f"(store: {store_op or f'no {what}'}, file: {file_op or f'no {what}'}); beyond the fork "
            f"the store has {len(self.store_ops)} {what}(s) ({_ids(self.store_ops)}), "
            f"the file {len(self.file_ops)} ({_ids(self.file_ops)})")


class HistoryConflictError(HistoryDivergedError):
    """``import --from-json`` of deployment history the store holds otherwise: a record of the file has the
    same id as one of the store's (``record``: ``"deployment"``, ``"statement"`` or ``"drift_scan"``) and
    differs in ``field`` (``store_value`` / ``file_value``: the two values as canonical JSON, shortened).
    ``deployment_id`` names the deployment (of the deployment or statement; None for a drift scan),
    ``seq`` the statement's position, ``scan_id`` the drift scan. Nothing is written (neither ops nor
    history): records are facts of what ran, so the import never overwrites one; export the store whose
    record is right and import that file instead."""

    def __init__(self, project: str, record: str, field: str, store_value: str, file_value: str, *,
                 deployment_id: str | None = None, seq: int | None = None,
                 scan_id: str | None = None) -> None:
        self.project = project
        self.record = record
        self.what = record
        self.field = field
        self.store_value = store_value
        self.file_value = file_value
        self.deployment_id = deployment_id
        self.seq = seq  # type: ignore[assignment]  # a statement's position; None for the other records
        self.scan_id = scan_id
        self.store_op = None
        self.file_op = None
        self.store_ops = []
        self.file_ops = []
        which = {"deployment": f"deployment {deployment_id}",
                 "statement": f"statement {seq} of deployment {deployment_id}",
                 "drift_scan": f"drift scan {scan_id}"}.get(record, record)
        SchemaxError.__init__(
            self, f"project {project!r}: the file's {which} differs from the store's in {field!r} "
                  f"(store: {_short(store_value)}, file: {_short(file_value)}); nothing imported")


@dataclass(frozen=True)
class IntegrityProblem:
    """One stored row that does not match what was recorded: where, what it should be, what it is, why."""

    where: str  # "op seq 3 (op_…)", "snapshot 1.0.0"
    expected: str
    actual: str
    detail: str

    def __str__(self) -> str:
        return f"{self.where}: expected {self.expected}, got {self.actual} ({self.detail})"


class IntegrityError(SchemaxError):
    """A stored op or snapshot does not hash to what was recorded (changed behind schemax's back).

    ``snapshot`` / ``expected`` / ``actual`` / ``detail`` describe the first problem; ``problems`` holds
    every one found (:class:`IntegrityProblem`; at least this one), so one check names every edited or
    deleted row.
    """

    def __init__(self, snapshot: str, expected: str, actual: str, detail: str = "", *,
                 problems: Sequence[IntegrityProblem] = ()) -> None:
        self.snapshot = snapshot
        self.expected = expected
        self.actual = actual
        self.detail = detail
        self.problems = tuple(problems) or (IntegrityProblem(snapshot, expected, actual, detail),)
        msg = f"integrity check failed for {snapshot}: expected {expected}, got {actual}"
        msg = f"{msg} ({detail})" if detail else msg
        more = self.problems[1:]
        if more:
            shown = "; ".join(str(p) for p in more[:5])
            msg += f"; and {len(more)} more: {shown}" + ("; ..." if len(more) > 5 else "")
        super().__init__(msg)

    @classmethod
    def of(cls, problems: Sequence[IntegrityProblem]) -> IntegrityError:
        """The error for a non-empty list of problems, named by its first."""
        first = problems[0]
        return cls(first.where, first.expected, first.actual, first.detail, problems=problems)


class StoreConflictError(SchemaxError):
    """A concurrent writer committed first; the write was not applied and may be retried."""

    def __init__(self, table: str, detail: str = "") -> None:
        self.table = table
        self.detail = detail
        super().__init__(f"concurrent write conflict on {table}" + (f": {detail}" if detail else ""))


class MissingArgumentError(SchemaxError):
    """A shortcut (``schemax.deploy`` & co.) was called without something it cannot find elsewhere.

    ``argument`` names it (``"project"``, ``"to"``).
    """

    def __init__(self, argument: str, message: str | None = None) -> None:
        self.argument = argument
        super().__init__(message or f"missing argument {argument}=...")


class UsageError(SchemaxError):
    """Bad command-line arguments (the ``schemax`` command exits 1: 2 means "blocked")."""
