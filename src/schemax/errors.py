"""The schemax error hierarchy.

Every error schemax raises derives from :class:`SchemaxError` and carries the data a caller needs to act
on it (the offending op, the findings, the lock holder, the environment and version, ...), not only a
message, so a caller branches on the class and reads the attributes instead of parsing text.

A class whose ``blocked`` attribute is true is a refusal on purpose ("schemax said no": drift, breaking
changes, a held lock), not a failure; the ``schemax`` command exits 2 for those and 1 for every other
error (``schemax.cli.exit_code_for``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar


class SchemaxError(Exception):
    """Root of every error schemax raises."""

    #: True for refusals on purpose (the command line exits 2 for them instead of 1).
    blocked: ClassVar[bool] = False

    def cli_message(self) -> str:
        """The message in the command line's terms (``--abandon`` rather than ``abandon=True``); the
        ``schemax`` command prints this one. The same as ``str(self)`` unless a class says otherwise."""
        return str(self)


# ------------------------------------------------------------------------------------------------------
# designing: ops, names, versions


class ValidationError(SchemaxError):
    """An op (or a request that would become ops) is invalid against the state it applies to.

    Nothing is recorded when this is raised.
    """

    def __init__(self, op: Any, reason: str) -> None:
        self.op = op
        self.reason = reason
        kind = getattr(op, "kind", None) or (op.get("kind") if isinstance(op, dict) else None)
        op_id = getattr(op, "op_id", None) or (op.get("op_id") if isinstance(op, dict) else None)
        where = f"{kind} ({op_id})" if kind else "request"
        super().__init__(f"invalid {where}: {reason}")


class RuleViolationError(ValidationError):
    """A new op breaks a Unity Catalog rule (:mod:`schemax.core.uc_rules`): ``rule`` is the rule's id,
    ``source`` the Databricks documentation page it comes from. Nothing is recorded.
    """

    def __init__(self, op: Any, rule: str, reason: str, source: str = "") -> None:
        super().__init__(op, f"{reason} [rule {rule}" + (f": {source}]" if source else "]"))
        self.reason = reason
        self.rule = rule
        self.source = source


class SqlDefinitionError(ValidationError):
    """A new op's SQL is unambiguously wrong (:mod:`schemax.core.sql_checks`, sqlglot's databricks
    dialect): ``what`` is ``"view definition"``, ``"check expression"`` or ``"function body"``, ``sql`` the
    text, ``problem`` one of ``syntax``, ``not_a_query``, ``unknown_relation``, ``unknown_column``, ``name``
    the unknown relation or column (None for the others). Refused when a design call (or, for the text
    alone, a design file) records it, not at deploy; nothing is recorded."""

    def __init__(self, op: Any, what: str, sql: str, problem: str, reason: str,
                 name: str | None = None) -> None:
        self.what = what
        self.sql = sql
        self.problem = problem
        self.name = name
        super().__init__(op, f"{what} {reason}")


class NotFoundError(SchemaxError):
    """A named object, snapshot, environment or deployment does not exist. ``suggestions`` are the
    closest names that do exist (did you mean ...?), best first; ``known`` every name that exists where
    that is short enough to list (environments, projects), else empty."""

    def __init__(self, what: str, name: str, suggestions: Sequence[str] = (),
                 known: Sequence[str] = ()) -> None:
        self.what = what
        self.name = name
        self.suggestions = list(suggestions)
        self.known = list(known)
        super().__init__(f"{what} not found: {name}{_did_you_mean(self.suggestions, self.known)}")


def _did_you_mean(suggestions: Sequence[str], known: Sequence[str]) -> str:
    if suggestions:
        return f" (did you mean {' or '.join(repr(s) for s in suggestions)}?)"
    if known:
        return f" (there are: {', '.join(known)})"
    return ""


class UnknownObjectError(ValidationError, NotFoundError):
    """A Project API call names an object (table, column, constraint, ...) the working state does not hold.

    It is a bad op, so ``except ValidationError`` catches it; it is also a ``NotFoundError``. ``what`` is
    what was looked for (``"table"``, ``"column"``, ``"partition column"``, ...), ``name`` the name as
    given, ``kinds`` the object kinds searched (empty: any kind). Nothing is recorded.
    """

    def __init__(self, what: str, name: str, kinds: tuple[str, ...] = ()) -> None:
        self.what = what
        self.name = name
        self.kinds = tuple(kinds)
        self.suggestions: list[str] = []
        self.known: list[str] = []
        self.op = None
        self.reason = f"{what} not found: {name}"
        SchemaxError.__init__(self, self.reason)


class VersionError(SchemaxError):
    """A snapshot version is not valid semver or does not increase."""

    def __init__(self, version: str, reason: str) -> None:
        self.version = version
        self.reason = reason
        super().__init__(f"version {version!r}: {reason}")


class InsideBatchError(SchemaxError):
    """``action`` (e.g. ``"snapshot"``) cannot run while a ``with p.batch():`` block is open."""

    def __init__(self, action: str, message: str | None = None) -> None:
        self.action = action
        super().__init__(message or f"cannot {action} inside a batch; leave the batch first")


class DesignFileError(SchemaxError):
    """A design file (:mod:`schemax.design`) says something schemax cannot read or cannot record.

    ``file``, ``line`` and ``column`` (1-based) point at the YAML node at fault; ``reason`` says what is
    wrong there. Nothing is recorded when this is raised.
    """

    def __init__(self, file: str, line: int, column: int, reason: str) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.reason = reason
        super().__init__(f"{file}:{line}:{column}: {reason}")


class DuplicateDefinitionError(DesignFileError):
    """Two design files (or two places in one) define the same object: ``file``/``line``/``column`` is the
    second definition, ``other_file``/``other_line``/``other_column`` the first."""

    def __init__(self, file: str, line: int, column: int, reason: str, other_file: str, other_line: int,
                 other_column: int) -> None:
        self.other_file = other_file
        self.other_line = other_line
        self.other_column = other_column
        super().__init__(file, line, column,
                         f"{reason} (first defined at {other_file}:{other_line}:{other_column})")


# ------------------------------------------------------------------------------------------------------
# projects, stores and exports


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


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _ids(ids: list[str], limit: int = 5) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f", ... {len(ids) - limit} more" if len(ids) > limit else "") if ids else "none"


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


# ------------------------------------------------------------------------------------------------------
# engines


class EngineRequiredError(SchemaxError):
    """Something needs a SQL engine and the project (or the call) has none.

    ``needed_for`` says what (``"deploy"``, ``"drift"``, ``"store"``). Open the project with a SparkSession
    or an executor; ``Project.in_memory`` projects have no engine.
    """

    def __init__(self, needed_for: str, message: str | None = None) -> None:
        self.needed_for = needed_for
        super().__init__(message or f"{needed_for} needs a SQL engine (a SparkSession or an executor)")


class EngineUnavailableError(SchemaxError):
    """The engine asked for cannot be had here: ``engine`` (``"local"``, ``"spark"``) and why."""

    def __init__(self, engine: str, message: str) -> None:
        self.engine = engine
        super().__init__(message)


class LocalEngineBusyError(EngineUnavailableError):
    """Another process runs the local engine in this local home (``home``; ``holder``: its pid as it wrote
    it, when known). The embedded Derby metastore admits one JVM at a time: wait for that process, or give
    this one its own home (``SCHEMAX_LOCAL_HOME``)."""

    def __init__(self, home: str, holder: str | None = None) -> None:
        self.home = home
        self.holder = holder
        who = f"process {holder}" if holder else "another process"
        super().__init__(
            "local",
            f"the local engine's home {home} is in use by {who} (its Derby metastore admits one JVM at a "
            "time): wait for it to finish, or run this one with its own home (SCHEMAX_LOCAL_HOME=<dir>)",
        )


# ------------------------------------------------------------------------------------------------------
# deploying: refusals before anything runs


class BreakingChangeError(SchemaxError):
    """A plan holds breaking or destructive changes and the caller did not allow them."""

    blocked: ClassVar[bool] = True

    def __init__(self, findings: Any, message: str | None = None) -> None:
        self.findings = list(findings)
        codes = ", ".join(sorted({getattr(f, "code", "?") for f in self.findings}))
        super().__init__(message or f"{len(self.findings)} breaking change(s) not allowed: {codes}")


class DriftDetectedError(SchemaxError):
    """The live catalog differs from what the environment should hold."""

    blocked: ClassVar[bool] = True

    def __init__(self, report: Any, message: str | None = None, *, restamp: str | None = None) -> None:
        self.report = report
        #: the environment when every finding is in schemax's own tracking properties: a re-stamp
        #: (``Project.restamp(env)``, ``schemax drift ENV --restamp``) repairs it without ``force``
        self.restamp = restamp
        n = len(getattr(report, "findings", ()) or ())
        self._base = message or f"drift detected: {n} finding(s)"
        super().__init__(self._message(f"Project.restamp({restamp!r})"))

    def _message(self, repair: str) -> str:
        if self.restamp is None:
            return self._base
        return (f"{self._base}, only in schemax's tracking properties (schemax.version / schemax.hash): "
                f"{repair} stamps those tables again, no force needed")

    def cli_message(self) -> str:
        return self._message(f"`schemax drift {self.restamp} --restamp`")


class RestoreDiscardsDataError(SchemaxError):
    """A data rollback's RESTORE would discard commits that changed data after the recorded versions (rows
    written since the deployment it undoes): refused before anything runs unless allowed
    (``allow_data_loss=True``, ``--allow-data-loss``). ``discarded``: per table, the commits (version,
    operation, rows) from Delta's history."""

    blocked: ClassVar[bool] = True

    def __init__(self, environment: str, discarded: Any) -> None:
        self.environment = environment
        self.discarded = list(discarded)
        super().__init__(self._message("allow_data_loss=True"))

    def _message(self, allow: str) -> str:
        tables = "; ".join(str(d) for d in self.discarded)
        return (f"rolling back {self.environment!r} with its data would discard what was written since: "
                f"{tables}; pass {allow} to roll back anyway")

    def cli_message(self) -> str:
        return self._message("--allow-data-loss")


class PreflightFailedError(SchemaxError):
    """A preflight proved, from the environment's live data, that a statement of the plan will fail
    (``schemax.services.preflight``): refused before anything runs or is recorded.

    ``findings`` are the failing findings, each with its ``evidence`` (counts, samples, the query);
    ``environment`` the environment probed. The message names each with its evidence.
    """

    blocked: ClassVar[bool] = True

    def __init__(self, environment: str, findings: Any, message: str | None = None) -> None:
        self.environment = environment
        self.findings = list(findings)
        lines = [
            f"{getattr(f, 'code', '?')} {getattr(f, 'object_name', '')}: "
            f"{getattr(getattr(f, 'evidence', None), 'summary', '') or getattr(f, 'message', f)}"
            for f in self.findings
        ]
        first = lines[0] if lines else "no findings"
        more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
        text = message or (f"preflight on {environment!r}: {len(lines)} statement(s) will fail on the data: "
                           f"{first}{more}")
        super().__init__("\n".join([text, *(f"  {line}" for line in lines)]) if len(lines) > 1 else text)


class DeploymentLockedError(SchemaxError):
    """Another deployment holds the environment's lock."""

    blocked: ClassVar[bool] = True

    def __init__(self, holder: str, expires: Any, environment: str = "") -> None:
        self.holder = holder
        self.expires = expires
        self.environment = environment
        super().__init__(f"environment {environment!r} is locked by {holder} until {expires}")


class StalePlanError(SchemaxError):
    """``deploy --plan FILE`` (``p.deploy(env, plan=...)``): the saved plan is not what the environment
    needs now, so nothing ran and nothing was recorded. ``reason`` says what moved (the environment's
    deployed version, the target snapshot, the engine, the naming, or the statements);
    ``planned_fingerprint`` / ``current_fingerprint`` are the two plans' fingerprints. Plan again and
    sign off the new plan."""

    blocked: ClassVar[bool] = True

    def __init__(self, environment: str, reason: str, planned_fingerprint: str,
                 current_fingerprint: str) -> None:
        self.environment = environment
        self.reason = reason
        self.planned_fingerprint = planned_fingerprint
        self.current_fingerprint = current_fingerprint
        super().__init__(f"the saved plan {planned_fingerprint[:12]} for {environment!r} is stale: {reason} "
                         f"(the plan now is {current_fingerprint[:12]}); plan again")


class PlanFileError(SchemaxError):
    """A saved plan file (``plan ENV --out FILE``) cannot be used: missing, not a plan, from another
    format version, edited after it was written (its fingerprint no longer matches), or made for another
    project or environment. ``path`` is the file, ``reason`` why. Nothing ran."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class SnapshotRequiredError(SchemaxError):
    """The environment deploys snapshots only, and the deploy asked for the working state (or there is no
    snapshot yet)."""

    def __init__(self, environment: str) -> None:
        self.environment = environment
        super().__init__(f"environment {environment!r} deploys snapshots only; take a snapshot first")


class ApprovalRequiredError(SchemaxError):
    """The environment requires an approved snapshot and ``version`` is not approved for it
    (``p.approve(environment, version)``)."""

    def __init__(self, environment: str, version: str) -> None:
        self.environment = environment
        self.version = version
        super().__init__(f"{environment!r} requires an approved snapshot; {version} is not approved "
                         f"(p.approve({environment!r}, {version!r}))")


class ConfirmationRequiredError(SchemaxError):
    """The environment requires confirmation: pass ``confirm=<environment name>`` (``--confirm``)."""

    def __init__(self, environment: str, action: str = "deploying to") -> None:
        self.environment = environment
        self.action = action
        super().__init__(f"{action} {environment!r} needs confirm={environment!r}")

    def cli_message(self) -> str:
        return f"{self.action} {self.environment!r} needs --confirm {self.environment}"


class UnfinishedDeploymentError(SchemaxError):
    """The environment's last deployment did not finish and this deploy is not its resumption.

    Deploy ``to_version`` again to resume it, or pass ``abandon=True`` (``--abandon``).
    """

    def __init__(self, environment: str, deployment_id: str, to_version: str | None) -> None:
        self.environment = environment
        self.deployment_id = deployment_id
        self.to_version = to_version
        super().__init__(self._message("abandon=True"))

    def _message(self, abandon: str) -> str:
        return (f"environment {self.environment!r} has an unfinished deployment {self.deployment_id} "
                f"(to {self.to_version}); deploy {self.to_version} again to resume it, or pass {abandon} "
                "to give it up and plan from what is known to be applied")

    def cli_message(self) -> str:
        return self._message("--abandon")


class NotDeployedError(SchemaxError):
    """``action`` (``"drift"``, ``"rollback"``, ``"promote"``) needs a successful deployment (of a
    snapshot, for ``promote``) in ``environment``, and there is none."""

    def __init__(self, environment: str, action: str, message: str | None = None) -> None:
        self.environment = environment
        self.action = action
        super().__init__(message or f"environment {environment!r} has no successful deployment ({action})")


class NoCatalogMappingError(SchemaxError):
    """The environment maps no logical catalogs to physical ones, so there is nothing to read."""

    def __init__(self, environment: str) -> None:
        self.environment = environment
        super().__init__(f"environment {environment!r} maps no catalogs; nothing to import")


class LocationTemplateError(SchemaxError):
    """A storage location template (``s3://${env.storage_root}/sales``, issue 11) cannot be resolved for
    an environment: ``template`` as written, ``reason`` why, ``environment`` and ``object_name`` (the
    object's logical full name) where known. Raised while planning, before any statement runs; only
    ``${env.NAME}`` is a reference (see :mod:`schemax.core.naming`)."""

    def __init__(self, template: str, reason: str, *, environment: str | None = None,
                 object_name: str | None = None) -> None:
        self.template = template
        self.reason = reason
        self.environment = environment
        self.object_name = object_name
        where = f" of {object_name}" if object_name else ""
        env = f" in environment {environment!r}" if environment else ""
        super().__init__(f"location {template!r}{where}{env}: {reason}")


class UnknownVariableError(LocationTemplateError):
    """A location names ``${env.<variable>}`` and the environment defines no such variable: ``variable``
    is its name, ``environment`` the environment's, ``known`` the variables it does define. Nothing runs;
    define it with ``p.update_environment(env, variables={...})`` (``schemax env set ENV --var
    NAME=VALUE``)."""

    def __init__(self, template: str, variable: str, *, environment: str | None = None,
                 object_name: str | None = None, known: Sequence[str] = ()) -> None:
        self.variable = variable
        self.known = list(known)
        has = f"; it has {', '.join(self.known)}" if self.known else "; it defines none"
        super().__init__(template, f"variable {variable!r} is not defined{has}", environment=environment,
                         object_name=object_name)

    def cli_message(self) -> str:
        env = self.environment or "ENV"
        return f"{self}; define it: schemax env set {env} --var {self.variable}=VALUE"


class UnsupportedError(SchemaxError):
    """The engine cannot run something the plan needs; raised before anything runs."""

    def __init__(self, items: Any, message: str | None = None) -> None:
        self.items = list(items)
        super().__init__(message or f"{len(self.items)} statement(s) not supported by this engine")


class RestoreUnavailableError(SchemaxError):
    """A rollback with ``restore_data`` cannot RESTORE ``table`` to Delta ``version``; nothing ran.

    ``cause`` says why (the table is gone: the engine's message).
    """

    def __init__(self, table: str, version: int, cause: str = "", message: str | None = None) -> None:
        self.table = table
        self.version = version
        self.cause = cause
        super().__init__(message or f"cannot restore {table}: the table is gone ({cause[:200]})")


class RetentionWindowPassedError(RestoreUnavailableError):
    """The recorded Delta ``version`` of ``table`` is older than its history (``oldest_version``): out of
    Delta's retention window, so RESTORE cannot reach it; nothing ran."""

    def __init__(self, table: str, version: int, oldest_version: int) -> None:
        self.oldest_version = oldest_version
        super().__init__(
            table, version, "outside the retention window",
            message=f"cannot restore {table} to version {version}: Delta's history now starts at "
                    f"{oldest_version} (outside the retention window)")


# ------------------------------------------------------------------------------------------------------
# running


class ExecutionError(SchemaxError):
    """A statement failed while a deployment ran. Its record was written before this was raised."""

    def __init__(
        self, statement: Any, applied: int, cause: str = "", deployment_id: str | None = None
    ) -> None:
        self.statement = statement
        self.applied = applied
        self.cause = cause
        self.deployment_id = deployment_id
        sql = getattr(statement, "sql", statement)
        super().__init__(f"statement failed after {applied} applied: {cause}\n{sql}")


class DeploymentInterruptedError(SchemaxError, KeyboardInterrupt):
    """A deployment was interrupted (Ctrl-C) while it ran. Its record says ``interrupted`` with the
    ``applied`` count of ``total`` statements; deploying again resumes it. Also a ``KeyboardInterrupt``,
    so whatever stops on Ctrl-C stops on it (the command line exits 130)."""

    def __init__(self, environment: str, deployment_id: str, applied: int, total: int) -> None:
        self.environment = environment
        self.deployment_id = deployment_id
        self.applied = applied
        self.total = total
        super().__init__(self._message(f"deploy({environment!r}) again", "abandon=True"))

    def _message(self, again: str, abandon: str) -> str:
        return (f"deployment {self.deployment_id} to {self.environment!r} interrupted after "
                f"{self.applied}/{self.total} statement(s) applied; {again} to resume it "
                f"(or {abandon} to give it up)")

    def cli_message(self) -> str:
        return self._message(f"run `schemax deploy {self.environment}` again", "--abandon")


class SqlError(SchemaxError):
    """A statement the engine rejected, normalized from the engine's own exception type
    (``schemax.adapters.engine_errors``). ``kind`` is short: ``not_found``, ``already_exists``,
    ``parse``, ``permission``, ``unsupported``, ``analysis``, ``timeout``, ``connection``, ..., ``error``."""

    def __init__(self, sql: str, cause: str, kind: str = "error") -> None:
        self.sql = sql
        self.cause = cause
        self.kind = kind
        super().__init__(f"{kind}: {cause}")


__all__ = [
    "ApprovalRequiredError",
    "BreakingChangeError",
    "ConfirmationRequiredError",
    "DeploymentInterruptedError",
    "DeploymentLockedError",
    "DesignFileError",
    "DriftDetectedError",
    "DuplicateDefinitionError",
    "EngineRequiredError",
    "EngineUnavailableError",
    "ExecutionError",
    "HistoryConflictError",
    "HistoryDivergedError",
    "InsideBatchError",
    "IntegrityError",
    "LocalEngineBusyError",
    "LocationTemplateError",
    "MissingArgumentError",
    "NoCatalogMappingError",
    "NotAnExportError",
    "NotDeployedError",
    "NotFoundError",
    "PlanFileError",
    "PreflightFailedError",
    "ProjectExistsError",
    "ProjectNotFoundError",
    "RestoreUnavailableError",
    "RestoreDiscardsDataError",
    "RetentionWindowPassedError",
    "RuleViolationError",
    "SchemaxError",
    "SnapshotRequiredError",
    "SqlDefinitionError",
    "SqlError",
    "StalePlanError",
    "StoreConflictError",
    "UnfinishedDeploymentError",
    "UnknownObjectError",
    "UnknownVariableError",
    "UnsupportedError",
    "UsageError",
    "ValidationError",
    "VersionError",
]
