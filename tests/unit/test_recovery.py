"""Recovery paths a new user hits (issue 16, item 6), on the fake engine and the in-memory store: resumes
ask production's confirmation, Ctrl-C is recorded with its true count, a dry run shows what the run would
execute, an empty deploy records nothing, a resume says which plan it continues."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from test_deploy_unit import FakeEngine

import schemax
from schemax.adapters.memory import MemoryStore
from schemax.cli import EXIT_INTERRUPTED, EXIT_OK, run
from schemax.errors import SqlError
from schemax.plan import UNITY_CATALOG


class Engine(FakeEngine):
    """The fake engine, failing (``fail_on``) or raising KeyboardInterrupt (``interrupt_on``) on the
    statement containing that text."""

    def __init__(self) -> None:
        super().__init__()
        self.interrupt_on: str | None = None
        self.history: dict[str, list[dict[str, Any]]] = {}  # DESCRIBE HISTORY rows per table

    def execute(self, sql: str, params: Any = None) -> None:
        if self.interrupt_on and self.interrupt_on in sql:
            raise KeyboardInterrupt
        super().execute(sql, params)

    def query(self, sql: str, params: Any = None) -> list[dict[str, Any]]:
        name = sql[len("DESCRIBE HISTORY "):]
        if sql.startswith("DESCRIBE HISTORY ") and name in self.history:
            return self.history[name]
        return super().query(sql, params)


def _project(engine: Engine, store: MemoryStore | None = None) -> schemax.Project:
    p = schemax.Project.create(engine, "shop", store=store or MemoryStore(), author="tester")
    p._capabilities = UNITY_CATALOG  # what the fake engine claims to be
    p.create_catalog("shop")
    p.create_schema("shop.sales")
    for t in ("a", "b", "c"):
        p.create_table(f"shop.sales.{t}", [schemax.Column("id", "BIGINT", nullable=False),
                                           schemax.Column("v", "STRING")])
    p.add_environment("dev", {"shop": "dev_shop"}, allow_drift=True)
    p.add_environment("prod", {"shop": "prod_shop"}, allow_drift=True, require_confirmation=True)
    p.snapshot("v1", version="1.0.0")
    return p


@pytest.fixture()
def engine() -> Engine:
    return Engine()


@pytest.fixture()
def project(engine: Engine) -> schemax.Project:
    return _project(engine)


def cli(monkeypatch: pytest.MonkeyPatch, project: schemax.Project, *argv: str) -> tuple[int, str, str]:
    monkeypatch.setattr("schemax.cli.context.select_engine", lambda request, note: project.executor)
    monkeypatch.setattr("schemax.cli.context.store_name", lambda args: project.store)
    monkeypatch.setenv("SCHEMAX_AUTHOR", "cli-tester")
    out, err = io.StringIO(), io.StringIO()
    code = run(["--project", project.name, *argv], out, err)
    return code, out.getvalue(), err.getvalue()


def _fail_prod(project: schemax.Project, engine: Engine) -> str:
    engine.fail_on = "`b`"
    with pytest.raises(schemax.ExecutionError):
        project.deploy("prod", confirm="prod", max_workers=1)
    engine.fail_on = None
    return project.history("prod")[0].deployment_id


# -- (1) every execution on an environment requiring confirmation asks for it, resumes included ----------

def test_a_resume_of_production_asks_for_its_confirmation(project: schemax.Project, engine: Engine) -> None:
    failed = _fail_prod(project, engine)
    ran = len(engine.sql)
    with pytest.raises(schemax.ConfirmationRequiredError) as err:
        project.deploy("prod")  # was: resumed without --confirm prod
    assert err.value.environment == "prod"
    assert len(engine.sql) == ran  # nothing ran
    assert [(d.deployment_id, d.status) for d in project.history("prod")] == [(failed, "failed")]
    with pytest.raises(schemax.ConfirmationRequiredError):
        project.deploy("prod", abandon=True)  # abandoning leads to a run too
    assert project.history("prod")[0].status == "failed"
    resumed = project.deploy("prod", confirm="prod")
    assert resumed.kind == "resume" and resumed.status == "success"


def test_the_cli_says_how_to_confirm_in_its_own_terms(project: schemax.Project, engine: Engine,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _fail_prod(project, engine)
    code, out, err = cli(monkeypatch, project, "deploy", "prod")
    assert code == 1
    assert err.strip().splitlines()[-1] == "schemax: error: deploying to 'prod' needs --confirm prod"
    code, out, err = cli(monkeypatch, project, "deploy", "prod", "--confirm", "prod")
    assert code == EXIT_OK, err
    assert project.history("prod")[0].kind == "resume"


# -- (2) Ctrl-C: recorded as interrupted with its true applied count, one line, exit 130 ------------------

def test_ctrl_c_is_recorded_as_interrupted_with_the_true_count(project: schemax.Project,
                                                               engine: Engine) -> None:
    engine.interrupt_on = "`c`"  # the fifth statement (catalog, schema, a, b, then c)
    with pytest.raises(KeyboardInterrupt) as err:  # still a KeyboardInterrupt for whoever catches one
        project.deploy("dev", max_workers=1)
    assert isinstance(err.value, schemax.DeploymentInterruptedError)
    dep = project.history("dev")[0]
    assert dep.status == "interrupted"
    assert dep.applied == 4 == len(engine.sql) == err.value.applied
    assert [s.status for s in dep.statements].count("applied") == 4
    assert err.value.total == len(dep.statements) == 5
    assert dep.error == "interrupted (Ctrl-C) after 4/5 statement(s) applied"
    assert project.store.read_lock(project.name, "dev") is None
    engine.interrupt_on = None
    resumed = project.deploy("dev")
    assert resumed.kind == "resume" and resumed.status == "success"
    assert len([s for s in engine.sql if s.startswith("CREATE TABLE")]) == 3  # c once, nothing twice


def test_ctrl_c_while_tables_run_concurrently_counts_what_finished(project: schemax.Project,
                                                                   engine: Engine) -> None:
    engine.interrupt_on = "`b`"  # a worker thread's statement: the interrupt reaches the deploying thread
    with pytest.raises(schemax.DeploymentInterruptedError):
        project.deploy("dev", max_workers=3)
    dep = project.history("dev")[0]
    applied = [s for s in dep.statements if s.status == "applied"]
    assert dep.status == "interrupted" and dep.applied == len(applied) == len(engine.sql)
    assert not any("`b`" in s.sql for s in applied)


def test_the_cli_reports_an_interrupt_in_one_line_and_exits_130(project: schemax.Project, engine: Engine,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    engine.interrupt_on = "`c`"
    code, out, err = cli(monkeypatch, project, "deploy", "dev", "--max-workers", "1", "-q")
    assert code == EXIT_INTERRUPTED
    last = err.strip().splitlines()[-1]
    dep = project.history("dev")[0]
    assert last == (f"schemax: interrupted: deployment {dep.deployment_id} to 'dev' interrupted after 4/5 "
                    "statement(s) applied; run `schemax deploy dev` again to resume it (or --abandon to "
                    "give it up)")
    assert "KeyboardInterrupt" not in err
    code, out, err = cli(monkeypatch, project, "history", "dev")
    assert " interrupted " in out and " 4/5 " in out


# -- (3) a dry run shows exactly what the run would execute ------------------------------------------------

def _masked(sql: str) -> str:
    return re.sub(r"'schemax\.(deployed_at|deployment)' = '[^']*'", r"'schemax.\1' = '…'", sql)


def test_a_data_rollback_dry_run_shows_the_restores_the_run_executes(project: schemax.Project,
                                                                     engine: Engine) -> None:
    project.deploy("dev")
    project.drop_column("shop.sales.a", "v")
    project.snapshot("v2", version="2.0.0")
    project.deploy("dev", allow_breaking=True)
    dry = project.rollback("dev", "1.0.0", restore_data=True, dry_run=True)
    assert len(project.history("dev")) == 2  # nothing recorded
    engine.sql.clear()
    real = project.rollback("dev", "1.0.0", restore_data=True)
    assert [_masked(s.sql) for s in dry.statements] == [_masked(s) for s in engine.sql]
    assert dry.statements[0].sql == "RESTORE TABLE `dev_shop`.`sales`.`a` TO VERSION AS OF 7"
    assert [s.seq for s in dry.statements] == list(range(1, len(real.statements) + 1))


def test_a_data_rollback_restores_a_table_renamed_since_under_its_name_now(project: schemax.Project,
                                                                           engine: Engine) -> None:
    """A later deployment renamed the table it also changed destructively: RESTORE (data and schema, not
    the name) takes the table under its current name, then the rollback's plan renames it back."""
    project.deploy("dev")
    project.drop_column("shop.sales.a", "v")
    project.rename_table("shop.sales.a", "a2")
    project.snapshot("v2", version="2.0.0")
    dep = project.deploy("dev", allow_breaking=True)
    assert list(dep.table_versions) == ["`dev_shop`.`sales`.`a`"]  # recorded under the name it had then
    back = project.rollback("dev", "1.0.0", restore_data=True)
    sql = [s.sql for s in back.statements]
    assert sql[0] == "RESTORE TABLE `dev_shop`.`sales`.`a2` TO VERSION AS OF 7"
    assert "ALTER TABLE `dev_shop`.`sales`.`a2` RENAME TO `a`" in sql
    assert not any("ADD COLUMNS" in s for s in sql)  # the column came back with RESTORE, not empty
    assert back.status == "success" and project.plan("dev", to="1.0.0").is_empty


def test_a_dry_run_over_an_unfinished_deployment_shows_the_resume(project: schemax.Project,
                                                                  engine: Engine) -> None:
    engine.fail_on = "`b`"
    with pytest.raises(schemax.ExecutionError):
        project.deploy("dev", max_workers=1)
    engine.fail_on = None
    dry = project.deploy("dev", dry_run=True)
    assert dry.kind == "resume" and [n.deployment_id for n in dry.notes] == [
        project.history("dev")[0].deployment_id]
    assert len(project.history("dev")) == 1  # nothing recorded
    engine.sql.clear()
    project.deploy("dev", max_workers=1)
    # the same statements (each table's chain runs in its own order)
    assert sorted(_masked(s.sql) for s in dry.statements) == sorted(_masked(s) for s in engine.sql)
    assert any(s.change_kinds == ("stamp",) for s in dry.statements)


# -- (4) an empty deploy records no deployment row and is not blocked by drift ----------------------------

def test_a_deploy_with_nothing_to_do_records_nothing(project: schemax.Project, engine: Engine,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    project.deploy("dev")
    ran = len(engine.sql)

    def drifted(env: Any) -> Any:  # drift it cannot cause must not block it
        raise AssertionError("an empty deploy asked for drift")

    again = project.deployer(drift_check=drifted).deploy("dev")
    assert again.recorded is False and again.statements == [] and again.status == "success"
    assert len(project.history("dev")) == 1 and len(engine.sql) == ran
    code, out, err = cli(monkeypatch, project, "deploy", "dev")
    assert code == EXIT_OK, err
    assert out.strip() == "nothing to do: dev runs 1.0.0 already (nothing recorded)"
    assert len(project.history("dev")) == 1
    # a new snapshot with no change to run still records that the environment runs it
    project.snapshot("same", version="1.0.1")
    moved = project.deploy("dev")
    assert moved.recorded and project.status().deployed["dev"] == "1.0.1"


# -- (5) a resume of an old plan says which plan, and how to choose the newer snapshot -------------------

def test_a_resume_of_an_older_plan_says_so_in_the_callers_terms(project: schemax.Project, engine: Engine,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    engine.fail_on = "`b`"
    with pytest.raises(schemax.ExecutionError):
        project.deploy("dev", max_workers=1)
    failed = project.history("dev")[0].deployment_id
    engine.fail_on = None
    project.add_column("shop.sales.a", "x", "INT")
    project.snapshot("fix", version="1.0.1")
    code, out, err = cli(monkeypatch, project, "deploy", "dev", "--to", "1.0.1")
    assert code == 1 and "--abandon" in err and "abandon=True" not in err and failed in err
    with pytest.raises(schemax.UnfinishedDeploymentError, match=r"abandon=True"):
        project.deploy("dev", "1.0.1")
    code, out, err = cli(monkeypatch, project, "deploy", "dev")
    assert code == EXIT_OK, err
    assert out.splitlines()[0] == (
        f"note: resuming deployment {failed} of 'dev' ((nothing) -> 1.0.0), which did not finish; the "
        "latest snapshot is 1.0.1: to deploy it instead, give this one up with --abandon")
    resumed = project.history("dev")[0]
    assert resumed.kind == "resume" and resumed.to_version == "1.0.0"
    code, out, err = cli(monkeypatch, project, "deploy", "dev", "--json")
    assert json.loads(out)["deployment"]["notes"] == []  # nothing unfinished any more


def test_the_python_note_names_abandon_true(project: schemax.Project, engine: Engine) -> None:
    engine.fail_on = "`b`"
    with pytest.raises(schemax.ExecutionError):
        project.deploy("dev", max_workers=1)
    engine.fail_on = None
    project.add_column("shop.sales.a", "x", "INT")
    project.snapshot("fix", version="1.0.1")
    dep = project.deploy("dev")
    assert [n.newer for n in dep.notes] == ["1.0.1"]
    assert str(dep.notes[0]).endswith("give this one up with abandon=True")
    assert project.deploy("dev").to_version == "1.0.1"  # the next deploy takes the newer snapshot



# -- (6) the tracking stamp of every table a deployment covers holds; a re-stamp repairs tracking drift ----

_PAIRS = re.compile(r"'((?:[^'\\]|\\.)*)' = '((?:[^'\\]|\\.)*)'")


class PropsEngine(Engine):
    """The fake engine keeping each table's properties as Spark would: ``CREATE TABLE IF NOT EXISTS`` of
    a table that exists changes nothing, ``SET TBLPROPERTIES`` merges."""

    def __init__(self) -> None:
        super().__init__()
        self.props: dict[str, dict[str, str]] = {}

    def execute(self, sql: str, params: Any = None) -> None:
        super().execute(sql, params)
        if m := re.match(r"CREATE TABLE IF NOT EXISTS (\S+) .* TBLPROPERTIES \((.*)\)$", sql, re.S):
            self.props.setdefault(m.group(1), dict(_PAIRS.findall(m.group(2))))
        elif m := re.match(r"ALTER TABLE (\S+) SET TBLPROPERTIES \((.*)\)$", sql, re.S):
            self.props.setdefault(m.group(1), {}).update(_PAIRS.findall(m.group(2)))


def _quoted(name: str) -> str:
    return ".".join(f"`{part}`" for part in name.split("."))


def _live(project: schemax.Project, engine: PropsEngine) -> Any:
    """A catalog reader answering with the deployed tables, holding the properties the engine has."""
    from schemax.drift import map_to_physical
    from schemax.ports import ObservedCatalog
    from schemax.services.drift import DriftService

    class Live:
        def read(self, scope: Any) -> ObservedCatalog:
            state = map_to_physical(project.deployer().deployed("dev").state, {"shop": "dev_shop"})
            tables = {tid: t.model_copy(update={"properties": {
                **t.properties, **engine.props.get(_quoted(state.full_name(tid)), {})}})
                for tid, t in state.tables.items()}
            return ObservedCatalog(state=state.model_copy(update={"tables": tables}))

    return lambda **kw: DriftService(project.records, engine, author="t", reader=Live())


def test_a_resume_stamps_a_table_whose_create_found_it_there() -> None:
    engine = PropsEngine()
    project = _project(engine)
    engine.props["`dev_shop`.`sales`.`c`"] = {}  # c is there already (left by an earlier attempt)
    engine.fail_on = "`b`"
    with pytest.raises(schemax.ExecutionError):
        project.deploy("dev", max_workers=1)
    engine.fail_on = None
    resumed = project.deploy("dev")  # CREATE TABLE IF NOT EXISTS c is a no-op: its stamp is not written
    assert resumed.status == "success"
    for name in ("a", "b", "c"):
        assert engine.props[f"`dev_shop`.`sales`.`{name}`"]["schemax.version"] == "1.0.0", name
    project.drift_service = _live(project, engine)  # type: ignore[method-assign]
    assert not project.check_drift("dev", record=False).drifted


def test_drift_only_in_tracking_properties_is_repaired_by_a_restamp_without_force(
        monkeypatch: pytest.MonkeyPatch) -> None:
    engine = PropsEngine()
    project = _project(engine)
    project.update_environment("dev", allow_drift=False)
    engine.props["`dev_shop`.`sales`.`c`"] = {}
    project.deploy("dev")  # c existed: CREATE TABLE IF NOT EXISTS left it unstamped
    project.drift_service = _live(project, engine)  # type: ignore[method-assign]
    report = project.check_drift("dev", record=False)
    assert {(f.object_name, f.detail) for f in report.findings} == {
        ("dev_shop.sales.c", "schemax.version"), ("dev_shop.sales.c", "schemax.hash")}
    project.add_column("shop.sales.a", "x", "INT")
    project.snapshot("v2", version="2.0.0")
    with pytest.raises(schemax.DriftDetectedError) as err:
        project.deploy("dev")
    assert err.value.restamp == "dev" and "Project.restamp('dev')" in str(err.value)
    assert "`schemax drift dev --restamp`" in err.value.cli_message()
    ran = len(engine.sql)
    fixed = project.restamp("dev")  # no force
    assert fixed is not None and fixed.kind == "restamp" and fixed.status == "success"
    assert [s.sql.split(" SET ")[0] for s in fixed.statements] == ["ALTER TABLE `dev_shop`.`sales`.`c`"]
    assert len(engine.sql) == ran + 1
    assert engine.props["`dev_shop`.`sales`.`c`"]["schemax.version"] == "1.0.0"
    assert project.status().deployed["dev"] == "1.0.0"  # what the environment runs is unchanged
    assert not project.check_drift("dev", record=False).drifted
    assert project.restamp("dev") is None  # nothing left to re-stamp
    assert project.deploy("dev").to_version == "2.0.0"


def test_a_restamp_refuses_when_more_than_tracking_drifted(project: schemax.Project) -> None:
    from schemax.drift import DriftFinding, DriftReport

    project.deploy("dev")
    report = DriftReport(environment="dev", findings=(
        DriftFinding("table", "dev_shop.sales.c", "modified", "1.0.0", None, "schemax.version"),
        DriftFinding("column", "dev_shop.sales.c.v", "missing")))

    class Service:
        def check(self, env: str, **kw: Any) -> DriftReport:
            return report

    project.drift_service = lambda **kw: Service()  # type: ignore[method-assign,assignment,return-value]
    ran = len(project.executor.sql)  # type: ignore[union-attr]
    with pytest.raises(schemax.DriftDetectedError) as err:
        project.restamp("dev")
    assert [f.object_type for f in err.value.report.findings] == ["column"] and err.value.restamp is None
    assert len(project.executor.sql) == ran  # type: ignore[union-attr]


# -- (7) import the drift, then deploy: the environment's recorded state advances -----------------------

def test_an_imported_drift_is_not_deployed_again_to_where_it_came_from(monkeypatch: pytest.MonkeyPatch
                                                                      ) -> None:
    from schemax.core.objects import Column
    from schemax.drift import map_to_physical
    from schemax.ports import ObservedCatalog
    from schemax.services.drift import DriftService

    engine = PropsEngine()
    project = _project(engine)
    project.update_environment("prod", allow_drift=False)
    project.deploy("prod", confirm="prod")
    project.deploy("dev")
    live = map_to_physical(project.deployer().deployed("prod").state, {"shop": "prod_shop"})
    a = live.find("prod_shop.sales.a")
    assert a is not None
    hand = live.tables[a].model_copy(update={"columns": (
        *live.tables[a].columns, Column(id="col_by_hand", name="fx_rate", type="DOUBLE"))})
    reality = live.model_copy(update={"tables": {**live.tables, a: hand}})  # ADD COLUMNS fx_rate, by hand

    class Live:
        def read(self, scope: Any) -> ObservedCatalog:
            tables = {tid: t.model_copy(update={"properties": {
                **t.properties, **engine.props.get(_quoted(reality.full_name(tid)), {})}})
                for tid, t in reality.tables.items()}
            return ObservedCatalog(state=reality.model_copy(update={"tables": tables}))

    project.drift_service = lambda **kw: DriftService(  # type: ignore[method-assign]
        project.records, engine, author="t", reader=Live())
    assert project.check_drift("prod", record=False).drifted
    with pytest.raises(schemax.ConfirmationRequiredError):
        project.import_drift("prod")  # it stamps prod's tables: confirmed like any run there
    assert project.history("prod")[0].kind == "deploy"
    ops = project.import_drift("prod", confirm="prod")
    assert [op.kind for op in ops] == ["add_column"]
    imported = project.history("prod")[0]
    assert imported.kind == "import" and imported.status == "success"
    assert [s.sql.split(" SET ")[0] for s in imported.statements] == ["ALTER TABLE `prod_shop`.`sales`.`a`"]
    assert not project.check_drift("prod", record=False).drifted  # the same drift no longer blocks
    project.snapshot("with fx_rate", version="1.1.0")
    assert not project.plan("prod").statements  # nothing of what was imported
    engine.sql.clear()
    dep = project.deploy("prod", confirm="prod")  # was: ADD COLUMNS fx_rate -> FIELD_ALREADY_EXISTS
    assert dep.to_version == "1.1.0" and not any("fx_rate" in s for s in engine.sql)
    assert project.status().deployed["prod"] == "1.1.0"
    assert not project.check_drift("prod", record=False).drifted
    # another environment receives it as an ordinary change
    assert [s.sql for s in project.plan("dev").statements][0] == (
        "ALTER TABLE `dev_shop`.`sales`.`a` ADD COLUMNS (`fx_rate` DOUBLE)")


# -- (8) abandon, then deploy: what the abandoned run applied is not run again -----------------------------

class ColumnsEngine(Engine):
    """The fake engine keeping each table's columns: ``ADD COLUMNS`` of a column that exists fails as Delta
    does (FIELD_ALREADY_EXISTS); ``DESCRIBE TABLE`` answers the columns."""

    def __init__(self) -> None:
        super().__init__()
        self.columns: dict[str, list[str]] = {}

    def execute(self, sql: str, params: Any = None) -> None:
        if m := re.match(r"ALTER TABLE (\S+) ADD COLUMNS \((.*)\)$", sql, re.S):
            new = re.findall(r"(?:^|, )`([^`]+)` ", m.group(2))
            if set(new) & set(self.columns.get(m.group(1), [])):
                raise SqlError(sql, "[FIELD_ALREADY_EXISTS] Cannot add column", "already_exists")
            super().execute(sql, params)
            self.columns.setdefault(m.group(1), []).extend(new)
            return
        super().execute(sql, params)
        if m := re.match(r"CREATE TABLE IF NOT EXISTS (\S+) \((.*?)\) USING", sql, re.S):
            self.columns.setdefault(m.group(1), re.findall(r"(?:^|, )`([^`]+)` ", m.group(2)))

    def query(self, sql: str, params: Any = None) -> list[dict[str, Any]]:
        if sql.startswith("DESCRIBE TABLE "):
            name = sql[len("DESCRIBE TABLE "):]
            if name not in self.columns:
                raise SqlError(sql, "[TABLE_OR_VIEW_NOT_FOUND]", "not_found")
            return [{"col_name": c, "data_type": "int"} for c in self.columns[name]]
        return super().query(sql, params)


def test_a_deploy_after_an_abandon_does_not_rerun_what_the_abandoned_one_applied() -> None:
    engine = ColumnsEngine()
    project = _project(engine)
    project.deploy("dev")
    for t in ("a", "b"):
        project.add_column(f"shop.sales.{t}", "fx_rate", "DOUBLE")
    project.snapshot("v2", version="2.0.0")
    engine.fail_on = "`b` ADD COLUMNS"
    with pytest.raises(schemax.ExecutionError):
        project.deploy("dev", max_workers=1)  # a's ADD COLUMNS ran, b's failed
    engine.fail_on = None
    assert engine.columns["`dev_shop`.`sales`.`a`"] == ["id", "v", "fx_rate"]
    project.add_column("shop.sales.c", "note", "STRING")
    project.snapshot("the fix", version="2.0.1")
    dep = project.deploy("dev", abandon=True)  # was: FIELD_ALREADY_EXISTS on a
    assert dep.status == "success" and dep.to_version == "2.0.1"
    found = [s for s in dep.statements if s.error == "found applied when resuming: not run again"]
    assert [s.sql for s in found] == ["ALTER TABLE `dev_shop`.`sales`.`a` ADD COLUMNS (`fx_rate` DOUBLE)"]
    assert {t: cols for t, cols in engine.columns.items()} == {
        "`dev_shop`.`sales`.`a`": ["id", "v", "fx_rate"], "`dev_shop`.`sales`.`b`": ["id", "v", "fx_rate"],
        "`dev_shop`.`sales`.`c`": ["id", "v", "note"]}
    assert [d.status for d in project.history("dev")] == ["success", "abandoned", "success"]


# -- (9) a data rollback says what it discards, and refuses unless allowed -------------------------------

B = "`dev_shop`.`sales`.`b`"


def _dropped_b(project: schemax.Project, engine: Engine) -> None:
    project.deploy("dev")
    project.drop_column("shop.sales.b", "v")
    project.snapshot("v2", version="2.0.0")
    project.deploy("dev", allow_breaking=True)  # records b at version 7 before the drop
    engine.history[B] = [  # newest first, as DESCRIBE HISTORY answers
        {"version": 10, "operation": "MERGE", "operationMetrics": {
            "numTargetRowsInserted": "2", "numTargetRowsUpdated": "1", "numTargetRowsDeleted": "0"}},
        {"version": 9, "operation": "WRITE", "operationMetrics": '{"numOutputRows": "5"}'},  # as JSON
        {"version": 8, "operation": "DROP COLUMNS", "operationMetrics": {}},  # the deploy's own: not data
        {"version": 7, "operation": "WRITE", "operationMetrics": {"numOutputRows": "100"}},  # kept
        {"version": 6, "operation": "OPTIMIZE", "operationMetrics": {}},
    ]


def test_a_data_rollback_refuses_to_discard_rows_written_since(project: schemax.Project, engine: Engine,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    _dropped_b(project, engine)
    ran = len(engine.sql)
    dry = project.rollback("dev", "1.0.0", restore_data=True, dry_run=True)  # reports, runs nothing
    assert [(d.table, d.version, [(c.version, c.operation, c.rows) for c in d.commits], d.rows)
            for d in dry.discarded] == [(B, 7, [(9, "WRITE", 5), (10, "MERGE", 3)], 8)]
    with pytest.raises(schemax.RestoreDiscardsDataError) as err:
        project.rollback("dev", "1.0.0", restore_data=True)
    assert err.value.blocked and [d.table for d in err.value.discarded] == [B]
    assert str(err.value) == (
        "rolling back 'dev' with its data would discard what was written since: `dev_shop`.`sales`.`b`: "
        "2 commit(s) after version 7 discarded (WRITE v9, MERGE v10; 8 row(s) written or changed); pass "
        "allow_data_loss=True to roll back anyway")
    assert len(engine.sql) == ran and project.history("dev")[0].kind == "deploy"  # nothing ran or recorded
    code, out, err_text = cli(monkeypatch, project, "rollback", "dev", "--to", "1.0.0", "--restore-data",
                              "--dry-run")
    assert code == EXIT_OK and ("data loss: would discard 2 commit(s) after version 7 discarded (WRITE v9, "
                                "MERGE v10; 8 row(s) written or changed) on `dev_shop`.`sales`.`b`") in out
    code, out, err_text = cli(monkeypatch, project, "rollback", "dev", "--to", "1.0.0", "--restore-data")
    assert code == 2 and err_text.strip().endswith("pass --allow-data-loss to roll back anyway")
    back = project.rollback("dev", "1.0.0", restore_data=True, allow_data_loss=True)
    assert back.status == "success" and [d.table for d in back.discarded] == [B]
    assert engine.sql[ran] == f"RESTORE TABLE {B} TO VERSION AS OF 7"


def test_a_data_rollback_with_nothing_written_since_runs_without_allowance(project: schemax.Project,
                                                                           engine: Engine) -> None:
    _dropped_b(project, engine)
    engine.history[B] = [h for h in engine.history[B] if h["operation"] != "WRITE" or h["version"] < 8
                         if h["operation"] != "MERGE"]
    back = project.rollback("dev", "1.0.0", restore_data=True)
    assert back.status == "success" and back.discarded == []


def test_a_rollback_that_upgrades_the_protocol_says_so(project: schemax.Project, engine: Engine,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    project.deploy("dev")
    project.add_column("shop.sales.a", "w", "INT")
    project.snapshot("v2", version="2.0.0")
    project.deploy("dev")
    for argv in (("--dry-run",), ()):  # the way back drops w: column mapping gets enabled on a
        code, out, err = cli(monkeypatch, project, "rollback", "dev", "--to", "1.0.0", *argv)
        assert code == EXIT_OK, err
        upgrades = [line for line in out.splitlines() if line.strip().startswith("SX401")]
        assert upgrades == ["  SX401 warning     shop.sales.a: Delta column mapping (delta.columnMapping."
                            "mode = 'name') gets enabled on shop.sales.a: a one-way protocol upgrade."], out
        ran = out if argv else err  # the dry run lists the statements, the run shows its progress
        assert "SET TBLPROPERTIES ('delta.columnMapping.mode' = 'name')" in ran


def test_a_deploy_with_nothing_to_do_says_so_in_its_repr(project: schemax.Project) -> None:
    project.deploy("dev")
    assert repr(project.deploy("dev")) == "Deployment(nothing to do, env='dev' runs 1.0.0, nothing recorded)"
