"""Settings and environments, kept in the project's own row (reading them is on the base)."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from schemax.core.environment import Environment, Settings
from schemax.core.model import State
from schemax.core.names import validate_object_name
from schemax.core.naming import (
    VARIABLE_NAME,
    SharedLocation,
    UnresolvedLocation,
    case_conflicts,
    shared_locations,
)
from schemax.core.ops import utc_now
from schemax.errors import SchemaxError, ValidationError
from schemax.project.base import ProjectBase

log = logging.getLogger("schemax")


class EnvironmentDesign(ProjectBase):
    """Project settings, deployment environments (catalog mapping, safety switches) and approvals."""

    def update_settings(self, **changes: Any) -> Settings:
        """Change project settings, e.g. ``p.update_settings(require_comments=True)``."""
        current = self.settings()
        try:
            updated = Settings.model_validate({**current.model_dump(), **changes})
        except Exception as exc:
            raise ValidationError({"kind": "update_settings"}, str(exc)) from None
        self._save(settings=updated.model_dump())
        return updated

    def add_environment(self, name: str, catalogs: dict[str, str] | None = None,
                        schema_prefix: str = "", *, require_snapshot: bool = False,
                        allow_drift: bool = False, allow_breaking: bool = False,
                        require_confirmation: bool = False, require_approval: bool = False,
                        production: bool = False, lock_ttl_seconds: int = 3600,
                        preflight: bool | None = None,
                        principals: dict[str, str] | None = None,
                        variables: dict[str, str] | None = None,
                        unsupported: str | None = None) -> Environment:
        """Add a deployment environment: how logical catalogs map to physical ones, and what it allows.

        ``unsupported="skip"``: the statements of governance features its engine does not emulate (tags,
        grants, owners, row filters, column masks on a local engine) are left out of its plans and listed
        in ``Plan.skipped`` instead of refusing the plan; the default refuses.

        ``preflight``: probe the live data before each deploy (None, the default: only in production).
        ``principals``: logical principal -> this environment's, for owners and grants (``{"owners":
        "prod-owners"}``). ``variables``: what ``${env.NAME}`` in a storage location stands for here
        (``{"storage_root": "acme-dev"}``: ``s3://${env.storage_root}/sales`` is ``s3://acme-dev/sales``).
        :meth:`location_findings` lists the locations it would share with another environment (``schemax
        env add|set`` prints them)."""
        if name in self.environments():
            raise ValidationError({"kind": "add_environment"}, f"environment {name!r} already exists")
        env = self._validated_env(dict(
            name=name, catalogs=dict(catalogs or {}), schema_prefix=schema_prefix,
            require_snapshot=require_snapshot, allow_drift=allow_drift, allow_breaking=allow_breaking,
            require_confirmation=require_confirmation,
            require_approval=require_approval, production=production, lock_ttl_seconds=lock_ttl_seconds,
            preflight=preflight, **({"principals": dict(principals)} if principals else {}),
            **({"variables": dict(variables)} if variables else {}),
            **({"unsupported": unsupported} if unsupported else {})))
        self._save_env(env)
        return env

    def update_environment(self, name: str, **changes: Any) -> Environment:
        """Change an environment's settings, e.g. ``p.update_environment("prod", allow_drift=True)``."""
        env = self.environment(name)
        updated = self._validated_env({**env.model_dump(), **changes, "name": name})
        self._save_env(updated)
        return updated

    def location_findings(self, state: State | None = None,
                          environments: list[str] | None = None) -> list[SharedLocation | UnresolvedLocation]:
        """The storage locations of ``state`` (default: the working state) two environments would share
        (:class:`~schemax.core.naming.SharedLocation`: the same path, or one inside the other) and the
        ones an environment cannot resolve (:class:`~schemax.core.naming.UnresolvedLocation`: a
        ``${env.NAME}`` it does not define, which its plan would refuse), over every environment (or
        ``environments``). Pure: nothing is read from an engine.

        Unity Catalog refuses overlapping paths within a metastore
        (https://docs.databricks.com/data-governance/unity-catalog/paths.html); across environments a
        shared path lets one environment's deploy write (or a drop delete) another's files, which is why
        locations are templates resolved per environment."""
        envs = self.environments()
        chosen = sorted(envs) if environments is None else [self.environment(e).name for e in environments]
        shared, unresolved = shared_locations(self.state() if state is None else state,
                                              {e: envs[e].naming for e in chosen})
        return [*shared, *unresolved]

    def approve(self, env: str, version: str, comment: str | None = None) -> dict[str, Any]:
        """Approve a snapshot for an environment that requires approval (who and when are recorded)."""
        snap = self.snapshot_at(version)
        environment = self.environment(env)
        approval = {"version": snap.version, "snapshot_id": snap.snapshot_id, "by": self.author,
                    "at": utc_now(), "comment": comment}
        self._save_env(environment.model_copy(update={"approvals": (*environment.approvals, approval)}))
        log.info("%s approved %s for %s", self.author, snap.version, env)
        return approval

    def _validated_env(self, data: dict[str, Any]) -> Environment:
        try:
            env = Environment.model_validate(data)
            for logical, physical in env.catalogs.items():
                validate_object_name(logical, "catalog")
                validate_object_name(physical, "catalog")
            for keys in case_conflicts(env.catalogs):
                # logical catalog names are case-insensitive: these keys would map one catalog two ways
                raise ValueError(f"catalog mapping keys {', '.join(map(repr, keys))} differ only in case: "
                                 "they name the same logical catalog")
            if env.schema_prefix and any(ch in env.schema_prefix for ch in "./` \n"):
                raise ValueError(f"schema_prefix {env.schema_prefix!r} has a character names cannot hold")
            for key, value in env.variables.items():
                if not VARIABLE_NAME.fullmatch(key):
                    raise ValueError(f"variable {key!r}: a name is a letter or _ then letters, digits or _ "
                                     "(referenced as ${env.NAME})")
                if not value or "${" in value or any(ch < " " for ch in value):
                    raise ValueError(f"variable {key!r} = {value!r}: a value is a non-empty path part "
                                     "without control characters or ${ (variables are not nested)")
        except SchemaxError:
            raise
        except Exception as exc:
            raise ValidationError({"kind": "environment"}, str(exc)) from None
        return env

    def _save_env(self, env: Environment) -> None:
        envs = dict(self.records.reload().environments)
        envs[env.name] = env.model_dump(mode="json", exclude={"name"})
        self._save(environments=envs)

    def _save(self, **changes: Any) -> None:
        record = replace(self.records.reload(), **changes)
        self.records.saved(record)
        self.store.save_project(record)


__all__ = ["EnvironmentDesign"]
