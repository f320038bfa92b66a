"""Settings and environments, kept in the project's own row (reading them is on the base)."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from schemax.core.environment import Environment, Settings
from schemax.core.names import validate_object_name
from schemax.core.naming import case_conflicts
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
                        principals: dict[str, str] | None = None) -> Environment:
        """Add a deployment environment: how logical catalogs map to physical ones, and what it allows.

        ``preflight``: probe the live data before each deploy (None, the default: only in production).
        ``principals``: logical principal -> this environment's, for owners and grants (``{"owners":
        "prod-owners"}``)."""
        if name in self.environments():
            raise ValidationError({"kind": "add_environment"}, f"environment {name!r} already exists")
        env = self._validated_env(dict(
            name=name, catalogs=dict(catalogs or {}), schema_prefix=schema_prefix,
            require_snapshot=require_snapshot, allow_drift=allow_drift, allow_breaking=allow_breaking,
            require_confirmation=require_confirmation,
            require_approval=require_approval, production=production, lock_ttl_seconds=lock_ttl_seconds,
            preflight=preflight, **({"principals": dict(principals)} if principals else {})))
        self._save_env(env)
        return env

    def update_environment(self, name: str, **changes: Any) -> Environment:
        """Change an environment's settings, e.g. ``p.update_environment("prod", allow_drift=True)``."""
        env = self.environment(name)
        updated = self._validated_env({**env.model_dump(), **changes, "name": name})
        self._save_env(updated)
        return updated

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
