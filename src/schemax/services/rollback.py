"""Rollback: the inverse migration to an earlier snapshot, optionally restoring table data first."""

from __future__ import annotations

from typing import Any

from schemax.core.model import State
from schemax.core.snapshot import parse_version
from schemax.errors import NotDeployedError, RestoreUnavailableError, VersionError
from schemax.records import ProjectRecords
from schemax.services.deploy import Deployer


def plan_rollback(records: ProjectRecords, deployer: Deployer, env_name: str, to: str,
                  restore_data: bool) -> tuple[State, dict[str, int]]:
    """The state to plan the rollback from, and the tables to RESTORE (physical name -> Delta version).

    Without ``restore_data`` the rollback is a plain inverse migration from the deployed state: a column
    dropped later comes back empty. With it, every table that a deployment after ``to`` changed
    destructively is restored to the Delta version recorded before that deployment (the oldest such
    version wins), and those tables are planned from the definition they had then, so the migration
    only does what RESTORE did not.

    RESTORE works only on a table that exists: a table a later deployment dropped cannot be restored. If
    the rollback target has it, the rollback is refused with what does bring it back (``UNDROP TABLE`` on
    Unity Catalog, within the recovery window); if the target does not have it either, it is left alone.
    """
    env = records.environment(env_name)
    target = records.snapshot_at(to)
    current = deployer.deployed(env_name)
    if current.deployment is None:
        raise NotDeployedError(env_name, "rollback",
                               f"environment {env_name!r} has no successful deployment to roll back")
    if not restore_data:
        return current.state, {}
    restore: dict[str, int] = {}
    restored_defs: dict[str, Any] = {}
    history = [r for r in records.deployments(env_name) if r.status == "success"]
    previous_of = {history[i].deployment_id: (history[i + 1] if i + 1 < len(history) else None)
                   for i in range(len(history))}
    for rec in history:  # newest first
        if rec.kind != "rollback" and _at_or_before(rec.to_version, target.version):
            # the environment ran the target (or an older version, when it skipped the target): what this
            # and older deployments changed is not undone by rolling back to the target
            break
        if not rec.table_versions:
            continue
        prev = previous_of[rec.deployment_id]
        from_state = deployer.state_of(prev) if prev is not None else State()
        by_physical = {env.naming.name(from_state, t.id): t for t in from_state.tables.values()}
        for name, version in rec.table_versions.items():
            table = by_physical.get(name)
            if table is not None and table.id not in current.state.tables:
                if table.id not in target.state.tables:
                    continue  # dropped later and not in the target either: nothing to bring back
                raise RestoreUnavailableError(name, version, "dropped by a later deployment",
                                              _dropped_message(name, rec.deployment_id))
            if table is not None and table.id in current.state.tables:
                # renamed by a later deployment: RESTORE takes the table under its name now (RESTORE
                # brings back data and schema, not the name), planned from its old definition under that
                # name, so the rollback's plan renames it back
                now = current.state.tables[table.id]
                name = env.naming.name(current.state, table.id)
                table = table.model_copy(update={"name": now.name, "schema_id": now.schema_id})
            restore[name] = version  # walking back in time: older deployments overwrite newer versions
            if table is not None:
                restored_defs[name] = table
    if not restore:
        return current.state, {}
    tables = dict(current.state.tables)
    for table in restored_defs.values():
        tables[table.id] = table
    return current.state.model_copy(update={"tables": tables}), restore


def _at_or_before(version: str | None, target: str) -> bool:
    """Whether ``version`` is ``target`` or older (versions that are not semver compare by equality)."""
    if version == target:
        return True
    try:
        return version is not None and parse_version(version) <= parse_version(target)
    except VersionError:
        return False


def _dropped_message(name: str, deployment_id: str) -> str:
    # RESTORE needs an existing table (https://docs.databricks.com/sql/language-manual/delta-restore.html);
    # Unity Catalog recovers a dropped managed table with UNDROP TABLE within its recovery window, without
    # its primary and foreign keys (UC-48, UC-49):
    # https://learn.microsoft.com/en-in/azure/databricks/sql/language-manual/sql-ref-syntax-ddl-undrop-table
    return (
        f"cannot restore {name}: deployment {deployment_id} dropped it, and RESTORE works only on a table "
        f"that exists. On Unity Catalog, UNDROP TABLE {name} brings a dropped managed table back within "
        "the recovery window (7 days by default, without its primary and foreign keys); then roll back "
        "without restore_data (its CREATE TABLE IF NOT EXISTS keeps the recovered table). Rolling back "
        "without restore_data alone re-creates the table empty."
    )


__all__ = ["plan_rollback"]
