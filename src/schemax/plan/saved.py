"""Plans you can sign off: a plan written to a file, reviewed, and deployed exactly as written.

``schemax plan prod --out plan.json`` writes a :class:`SavedPlan`; ``schemax deploy prod --plan plan.json``
re-plans under the environment's lock and runs the plan only when it is the same plan (the Terraform
saved-plan habit); otherwise it refuses with :class:`~schemax.errors.StalePlanError`, naming what moved.

Determinism: a plan that is not a deployment yet stamps its tables with the placeholders
``'schemax.deployment' = '(planned)'`` and ``'schemax.deployed_at' = '(planned)'``
(:data:`PLANNED`, see ``services/deploy.Deployer.plan``), so the same project planned twice writes the
same bytes. The deployment that runs the plan writes its own id and time in those two properties and
nothing else differs: the deploy compares the fingerprint of its own placeholder plan with the file's
before it records anything.

The fingerprint (:func:`plan_fingerprint`, SHA-256 over canonical JSON) covers the environment, the
target naming, the engine, the source and target versions, the target snapshot id, the hashes of the
state before and after, and every statement (SQL, risk, object); findings and notes are in the file for
the reviewer and are derived from those. The file's own ``fingerprint`` is checked on load, so an edited
statement is refused (``PlanFileError``) instead of run, and so is its ``digest`` (SHA-256 over the whole
document), so an edited review or project name is refused too. Neither is a signature: they catch edits,
not forgeries.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schemax.core.hashing import canonical_bytes, sha256_hex, state_hash
from schemax.errors import PlanFileError

#: What a plan that is not a deployment yet writes for the deployment id and time of its stamps.
PLANNED = "(planned)"
#: The ``format`` of a saved plan file.
FORMAT = "schemax-plan"
FORMAT_VERSION = 1


def _statement_identity(st: Any) -> dict[str, Any]:
    return {"sql": st.sql, "risk": str(getattr(st.risk, "value", st.risk)), "object_id": st.object_id}


def plan_identity(plan: Any) -> dict[str, Any]:
    """What a plan's fingerprint is computed over (see the module doc)."""
    tracking = plan.target.tracking
    return {
        "environment": getattr(tracking, "environment", None) or "",
        "catalogs": dict(sorted(plan.target.catalogs.items())),
        "schema_prefix": plan.target.schema_prefix,
        "engine": plan.capabilities.name,
        "from_version": plan.from_version,
        "to_version": plan.to_version,
        "snapshot_id": getattr(tracking, "snapshot_id", None) or "",
        "before_hash": state_hash(plan.before),
        "after_hash": state_hash(plan.after),
        "statements": [_statement_identity(st) for st in plan.statements],
    }


def _fingerprint(identity: Mapping[str, Any]) -> str:
    return sha256_hex(canonical_bytes(dict(identity)))


def _digest(body: Mapping[str, Any]) -> str:
    """SHA-256 over the whole document but the digest: the review and the project are covered too."""
    return sha256_hex(canonical_bytes(dict(body)))


def plan_fingerprint(plan: Any) -> str:
    """SHA-256 over what makes a plan this plan: environment, naming, engine, versions, snapshot, the
    states before and after, and every statement. Equal fingerprints run equal statements."""
    return _fingerprint(plan_identity(plan))


@dataclass(frozen=True)
class SavedPlan:
    """A plan as written to a file for sign-off (``Plan.save``, ``schemax plan ENV --out FILE``).

    ``identity`` holds what the fingerprint covers (environment, versions, snapshot, state hashes,
    statements); ``review`` what a reviewer reads beside it (changes, findings, notes, reverse SQL), not
    part of the fingerprint. ``project`` is the project it was planned for (None when not known).
    """

    identity: Mapping[str, Any]
    fingerprint: str
    project: str | None = None
    review: Mapping[str, Any] = field(default_factory=dict)
    path: str | None = field(default=None, compare=False)

    # -- what it says --------------------------------------------------------------------------------
    @property
    def environment(self) -> str:
        return str(self.identity.get("environment") or "")

    @property
    def from_version(self) -> str | None:
        return self.identity.get("from_version")

    @property
    def to_version(self) -> str | None:
        return self.identity.get("to_version")

    @property
    def snapshot_id(self) -> str:
        return str(self.identity.get("snapshot_id") or "")

    @property
    def statements(self) -> list[str]:
        """The SQL of every statement, in order (with the ``(planned)`` stamp placeholders)."""
        return [s["sql"] for s in self.identity.get("statements", [])]

    @property
    def short(self) -> str:
        """The first 12 hex digits of the fingerprint, for people."""
        return self.fingerprint[:12]

    # -- making and reading one ----------------------------------------------------------------------
    @classmethod
    def of(cls, plan: Any, project: str | None = None) -> SavedPlan:
        """The saved form of ``plan`` (a :class:`~schemax.plan.Plan` of an environment)."""
        if plan.target.tracking is None:
            raise PlanFileError("(plan)", "only the plan of an environment (p.plan(env)) can be saved: "
                                "this one has no environment")
        identity = plan_identity(plan)
        full = plan.to_dict()
        review = {"changes": full["changes"], "findings": full["findings"], "notes": full["notes"],
                  "unsupported": full["unsupported"],
                  "reverse": [s.get("reverse") for s in full["statements"]]}
        return cls(identity=identity, fingerprint=_fingerprint(identity), project=project, review=review)

    def to_dict(self) -> dict[str, Any]:
        body = {"format": FORMAT, "format_version": FORMAT_VERSION, "project": self.project,
                "fingerprint": self.fingerprint, "plan": dict(self.identity), "review": dict(self.review)}
        return {**body, "digest": _digest(body)}

    def to_json(self) -> str:
        """Deterministic JSON: sorted keys, two-space indent, a final newline (diffs well in a PR)."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the plan to ``path`` (all at once: a temporary file renamed over it)."""
        target = Path(path)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(self.to_json(), encoding="utf-8")
        tmp.replace(target)
        return target

    @classmethod
    def from_dict(cls, doc: Any, path: str = "(plan)") -> SavedPlan:
        """Read a saved plan's document; :class:`PlanFileError` when it is not one or was edited."""
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            fmt = doc.get("format") if isinstance(doc, dict) else type(doc).__name__
            raise PlanFileError(path, f"not a schemax plan (format {fmt!r})")
        if doc.get("format_version") != FORMAT_VERSION:
            raise PlanFileError(path, f"plan format version {doc.get('format_version')!r} is not "
                                f"{FORMAT_VERSION}: plan it again with this schemax")
        identity = doc.get("plan")
        if not isinstance(identity, dict) or not isinstance(identity.get("statements"), list):
            raise PlanFileError(path, "the file holds no plan")
        try:
            actual = _fingerprint(identity)
        except (TypeError, ValueError) as exc:
            raise PlanFileError(path, f"the plan cannot be hashed: {exc}") from None
        if actual != doc.get("fingerprint"):
            raise PlanFileError(path, f"the plan was changed after it was written: its fingerprint is "
                                f"{str(doc.get('fingerprint'))[:12]}, its content hashes to {actual[:12]}")
        body = {k: v for k, v in doc.items() if k != "digest"}
        try:
            digest = _digest(body)
        except (TypeError, ValueError):
            digest = ""
        if digest != doc.get("digest"):
            raise PlanFileError(path, "the file was changed after it was written (its review, project or "
                                "format no longer match its digest)")
        project = doc.get("project")
        return cls(identity=identity, fingerprint=actual,
                   project=project if isinstance(project, str) else None,
                   review=doc.get("review") or {}, path=path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> SavedPlan:
        """Read a plan written by :meth:`save`; :class:`PlanFileError` when the file is missing, is not a
        plan, or was edited (its fingerprint no longer matches)."""
        name = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise PlanFileError(name, f"cannot read it: {exc.strerror or exc}") from None
        try:
            doc = json.loads(text)
        except ValueError as exc:
            raise PlanFileError(name, f"not JSON: {exc}") from None
        return cls.from_dict(doc, name)

    def stale_reason(self, current: Any) -> str | None:
        """Why ``current`` (the plan of the same environment now, a :class:`~schemax.plan.Plan`) is not
        this plan; None when it is."""
        now = plan_identity(current)
        if _fingerprint(now) == self.fingerprint:
            return None
        mine = self.identity
        if now["environment"] != mine.get("environment"):
            return f"the plan is for environment {mine.get('environment')!r}, not {now['environment']!r}"
        if now["from_version"] != mine.get("from_version") or now["before_hash"] != mine.get("before_hash"):
            return (f"the environment moved: it runs {now['from_version'] or '(nothing)'} now, the plan "
                    f"was made when it ran {mine.get('from_version') or '(nothing)'}")
        if now["snapshot_id"] != mine.get("snapshot_id") or now["after_hash"] != mine.get("after_hash"):
            return (f"the target moved: {now['to_version']} is not the state the plan was made for "
                    f"({mine.get('to_version')})")
        if now["engine"] != mine.get("engine"):
            return f"the engine differs: the plan was made for {mine.get('engine')}, this is {now['engine']}"
        if (now["catalogs"], now["schema_prefix"]) != (mine.get("catalogs"), mine.get("schema_prefix")):
            return "the environment's catalog mapping or schema prefix changed"
        return "its statements differ from what the environment needs now"


__all__ = ["FORMAT", "FORMAT_VERSION", "PLANNED", "SavedPlan", "plan_fingerprint", "plan_identity"]
