"""Refusals before anything runs: breaking changes, drift, locks, stale plans, approvals, locations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from schemax.errors.base import SchemaxError


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
