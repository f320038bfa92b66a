"""Errors a caller can branch on: every refusal has its own SchemaxError subclass carrying its data.

Each refusal is triggered through the public API without Spark (in-memory projects, MemoryStore, the
fake engine of test_deploy_unit) and its class and data are checked.
"""

from __future__ import annotations

import inspect
import json
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

import schemax
from schemax import errors
from schemax.adapters.memory import MemoryStore
from schemax.cli import EXIT_BLOCKED, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, exit_code_for
from schemax.errors import SqlError
from schemax.plan import UNITY_CATALOG
from schemax.services.drift import DriftService


def _error_classes() -> list[type[errors.SchemaxError]]:
    return [c for _, c in inspect.getmembers(errors, inspect.isclass)
            if issubclass(c, errors.SchemaxError) and c.__module__.startswith(errors.__name__ + ".")]


class FakeEngine:
    """Accepts every statement (optionally failing those containing ``fail_on``); DESCRIBE HISTORY answers
    version 7 for the latest version, and ``history`` (or a SqlError when it is None) for the full one."""

    def __init__(self, fail_on: str | None = None, history: list[int] | None = None) -> None:
        self.sql: list[str] = []
        self.fail_on = fail_on
        self.history = history
        self._lock = threading.Lock()

    def execute(self, sql: str, params: Any = None) -> None:
        if self.fail_on and self.fail_on in sql:
            raise SqlError(sql, "boom", "error")
        with self._lock:
            self.sql.append(sql)

    def query(self, sql: str, params: Any = None) -> list[dict[str, Any]]:
        if sql.startswith("DESCRIBE HISTORY") and sql.endswith("LIMIT 1"):
            return [{"version": 7}]
        if sql.startswith("DESCRIBE HISTORY"):
            if self.history is None:
                raise SqlError(sql, "[TABLE_OR_VIEW_NOT_FOUND] gone", "not_found")
            return [{"version": v} for v in self.history]
        return [{"u": "tester"}]


def _project(engine: Any) -> schemax.Project:
    p = schemax.Project.create(engine, "shop", store=MemoryStore(), author="tester")
    p._capabilities = UNITY_CATALOG  # what the fake engine claims to be
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.create_table("shop.sales.a", [schemax.Column("id", "BIGINT", nullable=False),
                                    schemax.Column("v", "STRING")])
    p.add_environment("dev", {"shop": "dev_shop"}, allow_drift=True)
    p.snapshot("v1", version="1.0.0")
    return p


@pytest.fixture()
def project() -> schemax.Project:
    return _project(FakeEngine())


# ------------------------------------------------------------------------------------------------------
# the hierarchy


def test_every_error_class_is_exported_and_documented() -> None:
    classes = _error_classes()
    assert len(classes) >= 29
    for cls in classes:
        assert cls.__name__ in errors.__all__, f"{cls.__name__} missing from schemax.errors.__all__"
        assert cls.__name__ in schemax.__all__, f"{cls.__name__} missing from schemax.__all__"
        assert getattr(schemax, cls.__name__) is cls
        assert cls.__dict__.get("__doc__"), f"{cls.__name__} has no docstring of its own"
    assert set(errors.__all__) == {c.__name__ for c in classes}


def test_blocked_is_a_property_of_the_class_and_sets_the_exit_code() -> None:
    blocked = {c for c in _error_classes() if c.blocked}
    assert blocked == {errors.BreakingChangeError, errors.DriftDetectedError, errors.DeploymentLockedError,
                       errors.PreflightFailedError, errors.StalePlanError, errors.RestoreDiscardsDataError}
    assert exit_code_for(errors.DriftDetectedError(None)) == EXIT_BLOCKED
    assert exit_code_for(errors.PreflightFailedError("prod", [])) == EXIT_BLOCKED
    assert exit_code_for(errors.BreakingChangeError([])) == EXIT_BLOCKED
    assert exit_code_for(errors.DeploymentLockedError("ann#1", "2999-01-01", "prod")) == EXIT_BLOCKED
    assert exit_code_for(errors.StalePlanError("prod", "moved", "a" * 64, "b" * 64)) == EXIT_BLOCKED
    # refusals and failures that are neither blocked nor one of the distinct classes exit 1
    for exc in (errors.ConfirmationRequiredError("prod"), errors.ApprovalRequiredError("prod", "1.0.0"),
                errors.SqlError("x", "y"), errors.IntegrityError("s", "a", "b"),
                errors.UnknownObjectError("table", "shop.sales.nope"), ValueError("bad")):
        assert exit_code_for(exc) == EXIT_ERROR, exc
    assert exit_code_for(KeyboardInterrupt()) == EXIT_INTERRUPTED


def test_distinct_exit_codes_by_class() -> None:
    from schemax.cli import EXIT_FAILED, EXIT_NOT_FOUND, EXIT_UNSUPPORTED, EXIT_USAGE

    codes = {EXIT_OK, EXIT_ERROR, EXIT_BLOCKED, EXIT_FAILED, EXIT_USAGE, EXIT_NOT_FOUND, EXIT_UNSUPPORTED,
             EXIT_INTERRUPTED}
    assert len(codes) == 8  # all distinct
    assert exit_code_for(errors.ExecutionError("ALTER TABLE t", 3, "boom", "dep_1")) == EXIT_FAILED
    assert exit_code_for(errors.UsageError("bad")) == EXIT_USAGE
    assert exit_code_for(errors.PlanFileError("plan.json", "edited")) == EXIT_USAGE
    assert exit_code_for(errors.NotFoundError("environment", "dve")) == EXIT_NOT_FOUND
    assert exit_code_for(errors.ProjectNotFoundError("shop", "main.schemax")) == EXIT_NOT_FOUND
    assert exit_code_for(errors.UnsupportedError([])) == EXIT_UNSUPPORTED


def test_cli_usage_error_is_the_one_in_errors() -> None:
    import schemax.cli

    assert schemax.cli.UsageError is errors.UsageError


# ------------------------------------------------------------------------------------------------------
# designing


def test_unknown_target_is_a_validation_error_and_a_not_found_error() -> None:
    p = schemax.Project.in_memory("shop")
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    p.create_table("shop.sales.t", [schemax.Column("id", "BIGINT")])
    before = p.last_seq
    cases = [
        (lambda: p.rename_table("shop.sales.nope", "x"), "table", "shop.sales.nope", ("table",)),
        (lambda: p.drop_column("shop.sales.t", "nope"), "column", "shop.sales.t.nope", ("column",)),
        (lambda: p.drop_constraint("shop.sales.t", "nope"), "constraint", "shop.sales.t.nope",
         ("constraint",)),
        (lambda: p.create_schema("nope.s"), "catalog", "nope", ("catalog",)),
        (lambda: p.set_tags("shop.nope", {"a": "b"}), "object", "shop.nope", ()),
        (lambda: p.create_table("shop.sales.u", [schemax.Column("id", "BIGINT")], partition_by=["x"]),
         "partition column", "x", ("column",)),
    ]
    for call, what, name, kinds in cases:
        with pytest.raises(schemax.UnknownObjectError) as info:
            call()
        err = info.value
        assert isinstance(err, schemax.ValidationError) and isinstance(err, schemax.NotFoundError)
        assert (err.what, err.name, err.kinds) == (what, name, kinds)
        assert str(err) == f"{what} not found: {name}"  # the message of the NotFoundError it was
    assert p.last_seq == before  # nothing recorded
    with pytest.raises(schemax.ValidationError):  # what a caller validating ops catches
        p.rename_view("shop.sales.nope", "x")


def test_snapshot_inside_a_batch() -> None:
    p = schemax.Project.in_memory("shop")
    with pytest.raises(schemax.InsideBatchError) as info, p.batch():
        p.create_catalog("shop")
        p.snapshot("inside")
    assert info.value.action == "snapshot" and "inside a batch" in str(info.value)


def test_import_of_a_file_that_is_not_an_export(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"format": "something/1"}), encoding="utf-8")
    with pytest.raises(schemax.NotAnExportError) as info:
        schemax.Project.import_json(None, path, store=MemoryStore())
    assert info.value.path == str(path) and info.value.format == "something/1"
    assert str(info.value) == f"{path}: not a schemax export (format 'something/1')"


# ------------------------------------------------------------------------------------------------------
# engines


def test_no_engine() -> None:
    p = schemax.Project.in_memory("shop")
    p.add_environment("dev", {"shop": "dev_shop"})
    with pytest.raises(schemax.EngineRequiredError) as info:
        p.deploy("dev")
    assert info.value.needed_for == "deploy"
    with pytest.raises(schemax.EngineRequiredError) as info:
        DriftService(p.records, p.executor, author=p.author).executor  # noqa: B018 - the property raises
    assert info.value.needed_for == "drift"
    with pytest.raises(schemax.EngineRequiredError) as info:
        schemax.Project.open(None, "shop", store="main.schemax")
    assert info.value.needed_for == "store"


def test_engine_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    from schemax import engines

    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    monkeypatch.setattr(SparkSession, "getActiveSession", staticmethod(lambda: None))
    with pytest.raises(schemax.EngineUnavailableError) as info:
        engines.require_spark()
    assert info.value.engine == "spark" and "no active SparkSession" in str(info.value)
    monkeypatch.setitem(sys.modules, "pyspark", None)  # as if pyspark were not installed
    with pytest.raises(schemax.EngineUnavailableError) as info:
        engines.local_spark()
    assert info.value.engine == "local" and "schemax[local]" in str(info.value)


def test_shortcut_without_what_it_needs(monkeypatch: pytest.MonkeyPatch, project: schemax.Project) -> None:
    monkeypatch.delenv("SCHEMAX_PROJECT", raising=False)
    with pytest.raises(schemax.MissingArgumentError) as info:
        schemax.plan("dev", store=MemoryStore())
    assert info.value.argument == "project"
    with pytest.raises(schemax.MissingArgumentError) as info:
        schemax.rollback("dev", project=project)
    assert info.value.argument == "to"


# ------------------------------------------------------------------------------------------------------
# deploying


def test_snapshot_required(project: schemax.Project) -> None:
    project.add_environment("prod", {"shop": "prod_shop"}, require_snapshot=True, allow_drift=True)
    with pytest.raises(schemax.SnapshotRequiredError) as info:
        project.deploy("prod", to="working")
    assert info.value.environment == "prod"


def test_approval_required(project: schemax.Project) -> None:
    project.update_environment("dev", require_approval=True)
    with pytest.raises(schemax.ApprovalRequiredError) as info:
        project.deploy("dev")
    assert (info.value.environment, info.value.version) == ("dev", "1.0.0")
    project.approve("dev", "1.0.0")
    assert project.deploy("dev").status == "success"


def test_confirmation_required(project: schemax.Project) -> None:
    project.update_environment("dev", require_confirmation=True)
    with pytest.raises(schemax.ConfirmationRequiredError) as info:
        project.deploy("dev")
    assert info.value.environment == "dev"
    with pytest.raises(schemax.ConfirmationRequiredError):
        project.deploy("dev", confirm="prod")
    assert project.deploy("dev", confirm="dev").status == "success"


def test_unfinished_deployment() -> None:
    p = _project(FakeEngine(fail_on="ADD COLUMNS"))
    p.deploy("dev")
    p.add_column("shop.sales.a", "w", "STRING")
    p.snapshot("v2", version="2.0.0")
    with pytest.raises(schemax.ExecutionError) as failed:
        p.deploy("dev", to="2.0.0")
    p.drop_column("shop.sales.a", "w")
    p.snapshot("v3", version="3.0.0")
    with pytest.raises(schemax.UnfinishedDeploymentError) as info:
        p.deploy("dev", to="3.0.0")
    err = info.value
    assert (err.environment, err.deployment_id, err.to_version) == ("dev", failed.value.deployment_id,
                                                                     "2.0.0")
    assert p.deploy("dev", to="3.0.0", abandon=True).status == "success"


def test_nothing_deployed(project: schemax.Project) -> None:
    project.add_environment("prod", {"shop": "prod_shop"}, allow_drift=True)
    with pytest.raises(schemax.NotDeployedError) as info:
        project.rollback("dev", to="1.0.0")
    assert (info.value.environment, info.value.action) == ("dev", "rollback")
    with pytest.raises(schemax.NotDeployedError) as info:
        project.promote("dev", "prod")
    assert (info.value.environment, info.value.action) == ("dev", "promote")
    assert "no deployed snapshot to promote" in str(info.value)
    with pytest.raises(schemax.NotDeployedError) as info:
        project.import_drift("dev")
    assert (info.value.environment, info.value.action) == ("dev", "drift")


def test_no_catalog_mapping(project: schemax.Project) -> None:
    project.add_environment("bare")
    with pytest.raises(schemax.NoCatalogMappingError) as info:
        project.import_catalog("bare")
    assert info.value.environment == "bare"


def _deployed_with_a_dropped_column(engine: FakeEngine) -> schemax.Project:
    p = _project(engine)
    p.deploy("dev")
    p.drop_column("shop.sales.a", "v")
    p.snapshot("v2", version="2.0.0")
    assert p.deploy("dev", allow_breaking=True).status == "success"
    return p


def test_restore_out_of_the_retention_window() -> None:
    p = _deployed_with_a_dropped_column(FakeEngine(history=[9, 10]))
    with pytest.raises(schemax.RetentionWindowPassedError) as info:
        p.rollback("dev", to="1.0.0", restore_data=True)
    err = info.value
    assert isinstance(err, schemax.RestoreUnavailableError)
    assert (err.table, err.version, err.oldest_version) == ("`dev_shop`.`sales`.`a`", 7, 9)
    assert "outside the retention window" in str(err)


def test_restore_of_a_table_that_is_gone() -> None:
    p = _deployed_with_a_dropped_column(FakeEngine(history=None))
    with pytest.raises(schemax.RestoreUnavailableError) as info:
        p.rollback("dev", to="1.0.0", restore_data=True)
    err = info.value
    assert not isinstance(err, schemax.RetentionWindowPassedError)
    assert (err.table, err.version) == ("`dev_shop`.`sales`.`a`", 7)
    assert "gone" in err.cause and "the table is gone" in str(err)
