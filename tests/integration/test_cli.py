"""The ``schemax`` command line, end to end on local Spark + Delta, run in-process (``main([...])``).

``--local`` reuses the session-scoped ``spark`` fixture (the CLI takes the active SparkSession), so no second
JVM starts. Every command runs once for people and once with ``--json`` (whose output must parse).
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest

import schemax
from schemax.cli import (
    EXIT_BLOCKED,
    EXIT_ERROR,
    EXIT_FAILED,
    EXIT_NOT_FOUND,
    EXIT_OK,
    EXIT_UNSUPPORTED,
    EXIT_USAGE,
    main,
)

pytestmark = pytest.mark.integration


def _uid() -> str:
    return uuid.uuid4().hex[:8]


class Cli:
    """Runs ``schemax --local --project P --store S <args>`` and captures what it prints."""

    def __init__(self, capsys: pytest.CaptureFixture[str], project: str, store: str) -> None:
        self.capsys = capsys
        self.project = project
        self.store = store

    def __call__(self, *args: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = main(["--local", "--project", self.project, "--store", self.store, *args])
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def json(self, *args: str) -> tuple[int, Any, str]:
        code, out, err = self(*args, "--json")
        try:
            doc = json.loads(out)
        except ValueError:
            pytest.fail(f"--json output of {args} does not parse:\n{out}\n--- stderr:\n{err}")
        return code, doc, err


def _drop_prefixed(spark: Any, prefix: str) -> None:
    for row in spark.sql("SHOW SCHEMAS").collect():
        if row[0].startswith(prefix):
            spark.sql(f"DROP SCHEMA IF EXISTS `{row[0]}` CASCADE")


@pytest.fixture()
def prefix(spark: Any) -> Any:
    p = f"cli{_uid()}_"
    yield p
    _drop_prefixed(spark, p)


@pytest.fixture(scope="module")
def store(spark: Any) -> Any:
    """One store for the module (projects are named apart): its tables are created once."""
    schema = f"cli{_uid()}_store"
    yield f"spark_catalog.{schema}"
    spark.sql(f"DROP SCHEMA IF EXISTS `{schema}` CASCADE")


@pytest.fixture()
def cli(store: str, prefix: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("SCHEMAX_AUTHOR", "cli-tester")
    monkeypatch.delenv("DATABRICKS_RUNTIME_VERSION", raising=False)
    for var in ("SCHEMAX_PROJECT", "SCHEMAX_STORE", "DATABRICKS_WAREHOUSE_ID", "DATABRICKS_CONFIG_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    return Cli(capsys, f"shop_{_uid()}", store)


def _design(spark: Any, cli: Cli) -> schemax.Project:
    """Record a small design through the Python API, on the same store the CLI uses."""
    p = schemax.Project.open(spark, cli.project, store=cli.store)
    with p.batch():
        p.create_catalog("shop")
        p.create_schema("shop.sales", comment="Sales")
        p.create_table(
            "shop.sales.customers",
            [
                schemax.Column("id", "BIGINT", nullable=False),
                schemax.Column("name", "STRING", comment="Full name"),
            ],
        )
        p.create_table(
            "shop.sales.orders",
            [
                schemax.Column("id", "BIGINT", nullable=False),
                schemax.Column("customer_id", "BIGINT"),
                schemax.Column("status", "STRING"),
            ],
            comment="Orders",
        )
    return p


def _init(cli: Cli, prefix: str) -> dict[str, Any]:
    code, doc, _ = cli.json(
        "init",
        "--env",
        "dev=shop:spark_catalog",
        "--schema-prefix",
        f"dev={prefix}dev_",
        "--env",
        "prod=shop:spark_catalog",
        "--schema-prefix",
        f"prod={prefix}prod_",
        "--production",
        "prod",
    )
    assert code == EXIT_OK, doc
    return doc


# ------------------------------------------------------------------------------------------------------
# no engine needed


def test_help_version_and_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "exit codes:" in out and "2    blocked" in out
    for command in (
        "init",
        "status",
        "plan",
        "deploy",
        "drift",
        "snapshot",
        "history",
        "rollback",
        "promote",
        "import",
        "export",
        "verify",
    ):
        assert command in out
    assert main(["--version"]) == EXIT_OK
    assert schemax.__version__ in capsys.readouterr().out
    assert main(["deploy"]) == EXIT_USAGE  # usage errors are 4: 2 means "blocked"
    assert "required" in capsys.readouterr().err
    assert main(["frobnicate", "--json"]) == EXIT_USAGE
    assert json.loads(capsys.readouterr().out)["error"]["type"] == "UsageError"


@pytest.mark.parametrize(
    "exc, code",
    [
        (schemax.DriftDetectedError(None), EXIT_BLOCKED),
        (schemax.BreakingChangeError([]), EXIT_BLOCKED),
        (schemax.DeploymentLockedError("ann#1", "2026-01-01T00:00:00Z", "prod"), EXIT_BLOCKED),
        (schemax.ExecutionError("ALTER TABLE t ...", 3, "boom"), EXIT_FAILED),
        (schemax.IntegrityError("op seq 3", "a", "b"), EXIT_ERROR),
        (schemax.UnsupportedError([]), EXIT_UNSUPPORTED),
        (ValueError("bad"), EXIT_ERROR),
    ],
)
def test_exit_codes(exc: BaseException, code: int) -> None:
    from schemax.cli import exit_code_for

    assert exit_code_for(exc) == code


def test_console_script_raises_system_exit_on_failure(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A python_wheel_task ignores the entry point's return value: the failure must be an exception."""
    import sys

    monkeypatch.setattr(sys, "argv", ["schemax", "plan"])
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == EXIT_USAGE
    monkeypatch.setattr(sys, "argv", ["schemax", "--version"])
    assert main() == EXIT_OK
    capsys.readouterr()


def test_progress_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    from types import SimpleNamespace

    from schemax.cli import Output, Progress

    err = io.StringIO()
    progress = Progress(Output(SimpleNamespace(json=True, quiet=False), io.StringIO(), err))
    progress(1, 2, SimpleNamespace(sql="ALTER TABLE `a`.`b`\n  ADD COLUMNS (x INT)"))
    progress(2, 2, SimpleNamespace(sql="CREATE VIEW v AS SELECT 1"))
    lines = err.getvalue().splitlines()
    assert re.fullmatch(r"\[1/2 +\d+\.\ds\] ALTER TABLE `a`\.`b` ADD COLUMNS \(x INT\)", lines[0])
    assert lines[1].startswith("[2/2 ") and lines[1].endswith("CREATE VIEW v AS SELECT 1")
    quiet = io.StringIO()
    Progress(Output(SimpleNamespace(json=False, quiet=True), io.StringIO(), quiet))(1, 1, "SELECT 1")
    assert quiet.getvalue() == ""


def test_engine_selection(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """--warehouse-id / DATABRICKS_WAREHOUSE_ID pick the Statement Execution executor; empty ids do not."""
    import io
    from types import SimpleNamespace

    import schemax.adapters.statement_execution as se
    from schemax.cli import Output, build_parser, engine_for

    made: list[dict[str, Any]] = []
    monkeypatch.setattr(se, "workspace_executor", lambda **kw: made.append(kw) or "EXECUTOR")
    monkeypatch.setattr("schemax.engines.local_spark", lambda local_home=None, note=None: "LOCAL")
    monkeypatch.delenv("DATABRICKS_WAREHOUSE_ID", raising=False)
    monkeypatch.delenv("DATABRICKS_CONFIG_PROFILE", raising=False)
    monkeypatch.delenv("DATABRICKS_RUNTIME_VERSION", raising=False)
    sink = io.StringIO()
    out = Output(SimpleNamespace(json=False, quiet=True), sink, sink)

    def engine(*argv: str) -> Any:
        return engine_for(build_parser().parse_args([*argv, "status"]), out)

    assert engine("--profile", "prod", "--warehouse-id", "abc") == "EXECUTOR"
    assert made[-1] == {"profile": "prod", "warehouse_id": "abc"}
    monkeypatch.setenv("DATABRICKS_WAREHOUSE_ID", "from-env")
    monkeypatch.setenv("DATABRICKS_CONFIG_PROFILE", "envprofile")
    assert engine() == "EXECUTOR" and made[-1] == {"profile": "envprofile", "warehouse_id": "from-env"}
    assert engine("--warehouse-id=") == "LOCAL"  # the plan-preview job's empty parameter: not a warehouse
    assert engine("--local") == "LOCAL"  # --local wins over the environment

    pytest.importorskip("pyspark")

    class RuntimeSession:
        builder = SimpleNamespace(getOrCreate=lambda: "RUNTIME")

        @staticmethod
        def getActiveSession() -> None:  # noqa: N802 - pyspark's name
            return None

    monkeypatch.setattr("pyspark.sql.SparkSession", RuntimeSession)
    monkeypatch.delenv("DATABRICKS_WAREHOUSE_ID")
    assert engine("--runtime") == "RUNTIME"  # what the bundle's jobs pass
    assert engine("--runtime", "--warehouse-id=wh") == "EXECUTOR"  # the plan preview with a warehouse
    assert engine() == "LOCAL"
    monkeypatch.setenv("DATABRICKS_RUNTIME_VERSION", "16.4")
    assert engine() == "RUNTIME"


def test_connect_without_databricks_connect_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    if importlib.util.find_spec("databricks.connect") is not None:
        pytest.skip("databricks-connect is installed here")
    monkeypatch.delenv("DATABRICKS_WAREHOUSE_ID", raising=False)
    assert main(["--connect", "--project", "x", "status"]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert "Databricks Connect is not installed" in err and "Traceback" not in err


def test_missing_project_is_a_one_line_error(
    spark: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SCHEMAX_PROJECT", raising=False)
    assert main(["--local", "status"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [
        "schemax: error: which project? pass --project NAME or set SCHEMAX_PROJECT"
    ]
    code = main(
        ["--local", "--project", f"nope_{_uid()}", "--store", f"spark_catalog.cli{_uid()}_store", "status"]
    )
    captured = capsys.readouterr()
    assert code == EXIT_NOT_FOUND and "not found" in captured.err and "Traceback" not in captured.err


# ------------------------------------------------------------------------------------------------------
# project, snapshots, integrity, export/import (no planner needed)


def test_init_snapshots_status_verify_export_import(
    spark: Any, cli: Cli, prefix: str, tmp_path: Path
) -> None:
    doc = _init(cli, prefix)
    assert doc["project"] == cli.project and set(doc["environments"]) == {"dev", "prod"}
    assert doc["environments"]["dev"]["catalogs"] == {"shop": "spark_catalog"}
    assert doc["environments"]["prod"]["production"] is True

    code, _, err = cli("init")
    assert code == EXIT_ERROR and "already exists" in err

    _design(spark, cli)
    code, doc, _ = cli.json("snapshot", "create", "Initial schema", "--tag", "baseline")
    assert (
        code == EXIT_OK and doc["snapshot"]["version"] == "0.1.0" and doc["snapshot"]["tags"] == ["baseline"]
    )
    code, out, _ = cli("snapshot", "create", "Hotfix", "--bump", "patch", "--comment", "nothing changed")
    assert code == EXIT_OK and out.startswith("snapshot 0.1.1 'Hotfix'")
    code, _, err = cli("snapshot", "create", "Too old", "--version", "0.0.9")
    assert code == EXIT_ERROR and "must be greater" in err

    code, doc, _ = cli.json("snapshot", "list")
    assert [s["version"] for s in doc["snapshots"]] == ["0.1.0", "0.1.1"]
    assert all(re.fullmatch(r"[0-9a-f]{64}", s["hash"]) for s in doc["snapshots"])
    code, out, _ = cli("snapshot", "list")
    assert "0.1.0" in out and "Initial schema" in out

    code, doc, _ = cli.json("status")
    assert code == EXIT_OK, doc
    assert doc["latest_snapshot"] == "0.1.1" and doc["uncommitted_ops"] == 0
    assert doc["deployed"] == {"dev": None, "prod": None} and len(doc["snapshots"]) == 2
    code, out, _ = cli("status")
    assert f"project {cli.project}" in out and "dev" in out

    code, doc, _ = cli.json("verify")
    assert code == EXIT_OK and doc == {"ok": True, "ops": 4, "snapshots": 2, "head": doc["head"]}

    code, doc, _ = cli.json("history")
    assert code == EXIT_OK and doc["deployments"] == []

    exported = tmp_path / "shop.json"
    code, doc, _ = cli.json("export", str(exported))
    assert code == EXIT_OK and doc["ops"] == 4 and doc["snapshots"] == 2
    code, out, _ = cli("export")  # to stdout: the canonical document itself
    assert json.loads(out) == json.loads(exported.read_text(encoding="utf-8"))

    copy = f"{cli.project}_copy"
    code, doc, _ = Cli(cli.capsys, copy, cli.store).json("import", "--from-json", str(exported))
    assert code == EXIT_OK and doc["project"] == copy and doc["ops"] == 4 and doc["snapshots"] == 2

    tampered = json.loads(exported.read_text(encoding="utf-8"))
    tampered["ops"][1]["payload"]["comment"] = "changed behind schemax's back"
    bad = tmp_path / "tampered.json"
    bad.write_text(json.dumps(tampered), encoding="utf-8")
    code, doc, _ = Cli(cli.capsys, f"{cli.project}_bad", cli.store).json("import", "--from-json", str(bad))
    assert code == EXIT_ERROR and doc["error"]["type"] == "IntegrityError"


# ------------------------------------------------------------------------------------------------------
# plan -> deploy -> drift -> rollback -> history -> status -> verify -> export


def _columns(spark: Any, table: str) -> list[str]:
    return [f.name for f in spark.table(table).schema.fields]


def test_plan_deploy_drift_rollback(spark: Any, cli: Cli, prefix: str, tmp_path: Path) -> None:
    _init(cli, prefix)
    p = _design(spark, cli)
    assert cli("snapshot", "create", "Initial schema")[0] == EXIT_OK
    orders = f"spark_catalog.`{prefix}dev_sales`.orders"

    # plan: runs nothing
    code, doc, _ = cli.json("plan", "dev")
    assert code == EXIT_OK, doc
    plan = doc["plan"]
    assert doc["environment"] == "dev" and doc["blocked"] is False
    assert plan["to_version"] == "0.1.0" and plan["from_version"] is None
    assert len(plan["statements"]) >= 3
    code, out, _ = cli("plan", "dev", "--sql")
    assert code == EXIT_OK and "CREATE TABLE" in out.upper() and "(nothing) -> 0.1.0" in out
    assert not spark.catalog.databaseExists(f"{prefix}dev_sales")

    # deploy: progress on stderr, statement i of n with the elapsed time
    code, doc, err = cli.json("deploy", "dev")
    assert code == EXIT_OK, doc
    dep = doc["deployment"]
    assert dep["status"] == "success" and dep["to_version"] == "0.1.0" and dep["environment"] == "dev"
    assert dep["applied"] == len(dep["statements"]) > 0
    n = len(dep["statements"])
    assert re.search(rf"\[{n}/{n} +\d+\.\ds\] ", err), err
    assert _columns(spark, orders) == ["id", "customer_id", "status"]

    # a second version, deployed the people's way
    p.add_column("shop.sales.orders", "email", "STRING", comment="Customer's \\ 'email'")
    assert cli("snapshot", "create", "Email")[0] == EXIT_OK
    code, out, err = cli("deploy", "dev")
    assert code == EXIT_OK, err
    assert re.match(
        r"deploy dep_\w+ to dev: success, 0\.1\.0 -> 0\.2\.0, \d+/\d+ statement\(s\) in [\d.]+s", out
    )
    assert _columns(spark, orders) == ["id", "customer_id", "status", "email"]

    # drift: clean, then a hand-made ALTER
    code, doc, _ = cli.json("drift", "dev")
    assert code == EXIT_OK and doc["drifted"] is False, doc
    spark.sql(f"ALTER TABLE {orders} ADD COLUMNS (hand_made STRING)")
    code, doc, _ = cli.json("drift", "dev")
    assert code == EXIT_BLOCKED and doc["drifted"] is True
    assert "hand_made" in json.dumps(doc["report"])
    code, out, _ = cli("drift", "dev")
    assert code == EXIT_BLOCKED and "drift in dev" in out.lower() and "hand_made" in out

    # deploying onto drift is blocked (exit 2) ...
    p.add_column("shop.sales.customers", "tier", "STRING")
    assert cli("snapshot", "create", "Tier")[0] == EXIT_OK
    code, doc, err = cli.json("deploy", "dev")
    assert code == EXIT_BLOCKED and doc["error"]["type"] == "DriftDetectedError" and doc["error"]["blocked"]
    assert err.strip().splitlines()[-1].startswith("schemax: blocked: drift detected")

    # ... and a rollback with --force goes back to 0.1.0 (email dropped; the hand-made column stays)
    code, doc, err = cli.json("rollback", "dev", "--to", "0.1.0", "--force")
    assert code == EXIT_OK, doc
    assert doc["deployment"]["kind"] == "rollback" and doc["deployment"]["to_version"] == "0.1.0"
    assert "email" not in _columns(spark, orders)

    # history, newest first; status; integrity; export
    code, doc, _ = cli.json("history", "dev")
    assert code == EXIT_OK
    kinds = [(d["kind"], d["status"], d["to_version"]) for d in doc["deployments"]]
    assert kinds[:3] == [
        ("rollback", "success", "0.1.0"),
        ("deploy", "success", "0.2.0"),
        ("deploy", "success", "0.1.0"),
    ]
    code, out, _ = cli("history", "dev", "--sql")
    assert code == EXIT_OK and "rollback" in out and "[applied]" in out

    code, doc, _ = cli.json("status")
    assert doc["deployed"]["dev"] == "0.1.0" and doc["latest_snapshot"] == "0.3.0"
    assert cli.json("verify")[0] == EXIT_OK
    code, doc, _ = cli.json("export", str(tmp_path / "after.json"))
    assert code == EXIT_OK and doc["snapshots"] == 3


def test_breaking_change_is_blocked_then_allowed(spark: Any, cli: Cli, prefix: str) -> None:
    _init(cli, prefix)
    p = _design(spark, cli)
    assert cli("snapshot", "create", "Initial schema")[0] == EXIT_OK
    assert cli("deploy", "dev", "-q")[0] == EXIT_OK
    p.drop_column("shop.sales.orders", "status")
    assert cli("snapshot", "create", "Drop status")[0] == EXIT_OK

    code, doc, _ = cli.json("plan", "dev", "--check")
    assert code == EXIT_BLOCKED and doc["blocked"] is True
    code, doc, err = cli.json("deploy", "dev")
    assert code == EXIT_BLOCKED and doc["error"]["type"] == "BreakingChangeError" and doc["error"]["findings"]
    code, doc, _ = cli.json("deploy", "dev", "--allow-breaking")
    assert code == EXIT_OK and doc["deployment"]["to_version"] == "0.2.0"


def test_promote_and_confirmation(spark: Any, cli: Cli, prefix: str) -> None:
    _init(cli, prefix)
    _design(spark, cli)
    assert cli("snapshot", "create", "Initial schema")[0] == EXIT_OK
    assert cli("deploy", "dev", "-q")[0] == EXIT_OK
    code, _, err = cli("promote", "dev", "prod")
    assert code == EXIT_ERROR and "confirm" in err  # production environments need --confirm
    code, doc, _ = cli.json("promote", "dev", "prod", "--confirm", "prod", "--dry-run")
    assert code == EXIT_OK and doc["dry_run"] is True
    assert not spark.catalog.databaseExists(f"{prefix}prod_sales")
    code, doc, _ = cli.json("promote", "dev", "prod", "--confirm", "prod")
    assert code == EXIT_OK and doc["deployment"]["environment"] == "prod"
    assert spark.catalog.databaseExists(f"{prefix}prod_sales")


def test_import_catalog_adopts_live_objects(spark: Any, cli: Cli, prefix: str) -> None:
    _init(cli, prefix)
    spark.sql(f"CREATE SCHEMA `{prefix}dev_legacy`")
    spark.sql(f"CREATE TABLE `{prefix}dev_legacy`.events (id BIGINT, payload STRING) USING DELTA")
    code, doc, _ = cli.json("import", "dev", "--adopt")
    assert code == EXIT_OK, doc
    assert doc["adopted"] is True and doc["ops"] and all("kind" in op for op in doc["ops"])
    p = schemax.Project.open(spark, cli.project, store=cli.store)
    assert any(t.name == "events" for t in p.state().tables.values())
    assert cli("snapshot", "create", "Adopted")[0] == EXIT_OK
    code, doc, _ = cli.json("drift", "dev")
    assert code == EXIT_OK, doc


# ------------------------------------------------------------------------------------------------------
# --warehouse-id: the Statement Execution executor, against a fake warehouse that runs on local Spark


class FakeWarehouse:
    """``WorkspaceClient.statement_execution`` answered by local Spark, with the SDK's own response objects.

    Statements come back PENDING first (so the executor polls), results in chunks of ``chunk`` rows as
    ``JSON_ARRAY`` strings, failures as ``FAILED`` with the engine's message: what a warehouse does.
    """

    def __init__(self, spark: Any, chunk: int = 3) -> None:
        self.spark = spark
        self.chunk = chunk
        self.results: dict[str, tuple[Any, list[list[Any]]]] = {}
        self.statements: list[str] = []
        self.parameters_seen = 0

    # -- conversions --------------------------------------------------------------------------------
    @staticmethod
    def _arg(item: Any) -> Any:
        import datetime as dt
        from decimal import Decimal

        if item.value is None:
            return None
        t = (item.type or "STRING").upper()
        if t == "BIGINT":
            return int(item.value)
        if t == "BOOLEAN":
            return item.value == "true"
        if t == "DOUBLE":
            return float(item.value)
        if t.startswith("DECIMAL"):
            return Decimal(item.value)
        if t == "DATE":
            return dt.date.fromisoformat(item.value)
        if t == "TIMESTAMP":
            return dt.datetime.fromisoformat(item.value)
        return item.value

    @staticmethod
    def _type_name(data_type: Any) -> Any:
        from databricks.sdk.service.sql import ColumnInfoTypeName as T

        name = data_type.typeName()
        return {
            "integer": T.INT,
            "long": T.LONG,
            "short": T.SHORT,
            "byte": T.BYTE,
            "string": T.STRING,
            "boolean": T.BOOLEAN,
            "double": T.DOUBLE,
            "float": T.FLOAT,
            "timestamp": T.TIMESTAMP,
            "timestamp_ntz": T.TIMESTAMP,
            "date": T.DATE,
            "binary": T.BINARY,
            "array": T.ARRAY,
            "map": T.MAP,
            "struct": T.STRUCT,
            "void": T.NULL,
        }.get(name.split("(")[0], T.DECIMAL if name.startswith("decimal") else T.STRING)

    @staticmethod
    def _json_value(value: Any) -> Any:
        import base64
        import datetime as dt
        from decimal import Decimal

        if value is None:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, dt.datetime):
            if value.tzinfo is not None:
                value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
            return value.isoformat(timespec="milliseconds") + "Z"
        if isinstance(value, (dt.date, Decimal, int, float)):
            return str(value) if not isinstance(value, dt.date) else value.isoformat()
        if isinstance(value, (bytes, bytearray)):
            return base64.b64encode(bytes(value)).decode()
        if isinstance(value, (list, dict)):
            return json.dumps(value, default=str)
        if hasattr(value, "asDict"):
            return json.dumps(value.asDict(recursive=True), default=str)
        return str(value)

    # -- the API --------------------------------------------------------------------------------------
    def execute_statement(self, statement: str, warehouse_id: str, **kw: Any) -> Any:
        from databricks.sdk.service.sql import (
            ColumnInfo,
            ResultManifest,
            ResultSchema,
            ServiceError,
            ServiceErrorCode,
            StatementResponse,
            StatementState,
            StatementStatus,
        )

        from schemax.adapters.spark import error_class

        statement_id = f"st-{len(self.statements)}"
        self.statements.append(statement)
        args = {p.name: self._arg(p) for p in kw.get("parameters") or []}
        self.parameters_seen += len(args)
        try:
            try:
                df = self.spark.sql(statement, args=args) if args else self.spark.sql(statement)
            except Exception as exc:  # noqa: BLE001 - Delta's parser drops bound values (see adapters/spark.py)
                if not (args and error_class(exc) == "UNBOUND_SQL_PARAMETER"):
                    raise
                self.spark.conf.set("spark.sql.legacy.parameterSubstitution.constantsOnly", "true")
                df = self.spark.sql(statement, args=args)
            rows = df.collect()
        except Exception as exc:  # noqa: BLE001 - reported like a warehouse does
            message = str(exc).split("\n\tat ", 1)[0]
            return StatementResponse(
                statement_id=statement_id,
                status=StatementStatus(
                    state=StatementState.FAILED,
                    error=ServiceError(error_code=ServiceErrorCode.BAD_REQUEST, message=message),
                ),
            )
        fields = df.schema.fields
        manifest = ResultManifest(
            schema=ResultSchema(
                column_count=len(fields),
                columns=[
                    ColumnInfo(
                        name=f.name,
                        type_name=self._type_name(f.dataType),
                        type_text=f.dataType.simpleString(),
                        position=i,
                    )
                    for i, f in enumerate(fields)
                ],
            )
        )
        data = [[self._json_value(v) for v in row] for row in rows]
        self.results[statement_id] = (manifest, data)
        return StatementResponse(
            statement_id=statement_id, status=StatementStatus(state=StatementState.PENDING)
        )

    def _chunk(self, statement_id: str, index: int) -> Any:
        from databricks.sdk.service.sql import ResultData

        data = self.results[statement_id][1]
        part = data[index * self.chunk : (index + 1) * self.chunk]
        more = (index + 1) * self.chunk < len(data)
        return ResultData(
            chunk_index=index,
            row_offset=index * self.chunk,
            row_count=len(part),
            data_array=part,
            next_chunk_index=index + 1 if more else None,
        )

    def get_statement(self, statement_id: str) -> Any:
        from databricks.sdk.service.sql import StatementResponse, StatementState, StatementStatus

        manifest, _ = self.results[statement_id]
        return StatementResponse(
            statement_id=statement_id,
            status=StatementStatus(state=StatementState.SUCCEEDED),
            manifest=manifest,
            result=self._chunk(statement_id, 0),
        )

    def get_statement_result_chunk_n(self, statement_id: str, chunk_index: int) -> Any:
        return self._chunk(statement_id, chunk_index)

    def cancel_execution(self, statement_id: str) -> None:
        return None


def test_cli_on_a_sql_warehouse(
    spark: Any,
    prefix: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """``--profile P --warehouse-id W``: the project lives and deploys through the Statement Execution API."""
    from unittest.mock import create_autospec

    from databricks.sdk import WorkspaceClient

    from schemax.adapters.statement_execution import StatementExecutionExecutor

    warehouse = FakeWarehouse(spark)
    profiles: list[dict[str, Any]] = []

    def workspace_client(**kwargs: Any) -> Any:
        profiles.append(kwargs)
        ws = create_autospec(WorkspaceClient)
        ws.statement_execution = warehouse
        return ws

    monkeypatch.setattr("databricks.sdk.WorkspaceClient", workspace_client)
    monkeypatch.setenv("SCHEMAX_AUTHOR", "warehouse-tester")
    monkeypatch.setattr("schemax.adapters.statement_execution.time.sleep", lambda s: None)
    project, store = f"wh_{_uid()}", f"spark_catalog.{prefix}store"

    def cli(*args: str) -> tuple[int, Any]:
        capsys.readouterr()
        code = main(
            [
                "--profile",
                "staging",
                "--warehouse-id",
                "wh-1",
                "--project",
                project,
                "--store",
                store,
                *args,
                "--json",
            ]
        )
        out = capsys.readouterr().out
        return code, json.loads(out)

    code, doc = cli("init", "--env", "dev=shop:spark_catalog", "--schema-prefix", f"dev={prefix}dev_")
    assert code == EXIT_OK, doc
    assert profiles and all(p == {"profile": "staging"} for p in profiles)

    executor = StatementExecutionExecutor(workspace_client(profile="staging"), "wh-1", sleep=lambda s: None)
    p = schemax.Project.open(executor, project, store=store)
    with p.batch():
        p.create_catalog("shop")
        p.create_schema("shop.sales")
        p.create_table(
            "shop.sales.orders",
            [
                schemax.Column("id", "BIGINT", nullable=False),
                schemax.Column("note", "STRING", comment="it's a \\ 'note'"),
            ],
        )
    code, doc = cli("snapshot", "create", "Initial schema")
    assert code == EXIT_OK and doc["snapshot"]["version"] == "0.1.0"
    code, doc = cli("snapshot", "list")
    assert [s["name"] for s in doc["snapshots"]] == ["Initial schema"]
    code, doc = cli("verify")
    assert code == EXIT_OK and doc["ops"] == 3 and doc["snapshots"] == 1, doc
    assert len(warehouse.statements) > 10 and any(s.upper().startswith("MERGE") for s in warehouse.statements)

    code, doc = cli("export", str(tmp_path / "wh.json"))
    assert code == EXIT_OK and doc["ops"] == 3

    code, doc = cli("deploy", "dev")
    assert code == EXIT_OK, doc
    assert doc["deployment"]["status"] == "success"
    assert [f.name for f in spark.table(f"spark_catalog.`{prefix}dev_sales`.orders").schema.fields] == [
        "id",
        "note",
    ]
    code, doc = cli("status")
    assert code == EXIT_OK and doc["deployed"] == {"dev": "0.1.0"}
