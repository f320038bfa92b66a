"""The Spark + Delta catalog reader on the real local engine, and drift from hand-made changes.

Objects are created with plain SQL in random-named schemas, read back through the reader, changed by hand,
and compared. Also checks (and documents) that the metastore's ``SHOW TABLE EXTENDED`` text is stale for
Delta tables while the reader returns the Delta log's truth.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from helpers import scratch_schema
from schemax.adapters.catalog_spark import SparkCatalogReader, parse_information
from schemax.adapters.recording import RecordingExecutor
from schemax.adapters.spark import SparkExecutor
from schemax.drift import compare, declared_state, observed_id
from schemax.drift.observed import ObservedStateBuilder
from schemax.ports import CatalogReader

pytestmark = pytest.mark.integration

CAT = "spark_catalog"


def _run_all(spark: Any, statements: list[str], workers: int = 4) -> None:
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda s: spark.sql(s).collect(), statements))


@pytest.fixture()
def schema(spark: Any) -> Iterator[str]:
    with scratch_schema(lambda sql: spark.sql(sql).collect(), "drift_", comment="drift test") as name:
        yield name


@pytest.fixture()
def executor(spark: Any) -> SparkExecutor:
    return SparkExecutor(spark)


def _create_reference_objects(spark: Any, s: str) -> None:
    _run_all(
        spark,
        [
            f"""CREATE TABLE {s}.orders (
              id BIGINT NOT NULL COMMENT 'the id',
              email STRING COMMENT 'it''s the "mail", a = b ] \\\\ done',
              amount DECIMAL(10,2) DEFAULT 1.5,
              meta STRUCT<source: STRING NOT NULL, score: INT COMMENT 'sc'>,
              day DATE)
            USING DELTA PARTITIONED BY (day) COMMENT 'Orders, it''s [all] = here'
            TBLPROPERTIES ('owner.team' = 'sales, eu=1]', 'delta.appendOnly' = 'false',
                           'delta.feature.allowColumnDefaults' = 'supported', 'schemax.version' = '1.0.0')""",
            f"""CREATE TABLE {s}.events (id INT, kind STRING, at TIMESTAMP) USING DELTA CLUSTER BY (kind)
            TBLPROPERTIES ('delta.columnMapping.mode' = 'name', 'schemax.version' = '1.0.0')""",
            f"CREATE TABLE {s}.legacy (id INT COMMENT 'x', d DATE) USING PARQUET PARTITIONED BY (d) "
            "TBLPROPERTIES ('a' = '1, b=2', 'c' = '3')",
        ],
    )
    _run_all(
        spark,
        [
            f"ALTER TABLE {s}.orders ADD CONSTRAINT amount_pos CHECK (amount > 0)",
            f"CREATE VIEW {s}.big_orders COMMENT 'big ones' AS "
            f"SELECT id, amount FROM {s}.orders WHERE amount > 100",
            f"CREATE VIEW {s}.kinds TBLPROPERTIES ('purpose' = 'report') AS "
            f"SELECT DISTINCT kind FROM {s}.events",
        ],
    )


def test_read_back_what_plain_sql_created(spark: Any, schema: str, executor: SparkExecutor) -> None:
    _create_reference_objects(spark, schema)
    reader = SparkCatalogReader(executor)
    assert isinstance(reader, CatalogReader)
    read = reader.read([(CAT, schema)])
    state = read.state

    assert [c.name for c in state.catalogs.values()] == [CAT]
    sch = state.schemas[observed_id("schema", CAT, schema)]
    assert sch.comment == "drift test"

    orders = state.tables[observed_id("table", CAT, schema, "orders")]
    assert orders.format == "DELTA" and orders.table_type == "MANAGED"
    assert orders.comment == "Orders, it's [all] = here"
    assert [(c.name, c.type, c.nullable, c.comment, c.default) for c in orders.columns] == [
        ("id", "BIGINT", False, "the id", None),
        ("email", "STRING", True, 'it\'s the "mail", a = b ] \\ done', None),
        ("amount", "DECIMAL(10,2)", True, None, "1.5"),
        ("meta", "STRUCT<source:STRING NOT NULL,score:INT COMMENT 'sc'>", True, None, None),
        ("day", "DATE", True, None, None),
    ]
    assert orders.column_names(orders.partition_by) == ["day"] and orders.cluster_by == ()
    assert orders.properties["owner.team"] == "sales, eu=1]"
    assert orders.properties["schemax.version"] == "1.0.0"
    assert orders.properties["delta.minWriterVersion"] == "7"  # all properties, server-set ones included
    assert [(c.name, c.kind, c.expression) for c in orders.constraints] == [
        ("amount_pos", "check", "amount > 0")
    ]

    events = state.tables[observed_id("table", CAT, schema, "events")]
    assert events.column_names(events.cluster_by) == ["kind"]
    assert json.loads(events.properties["clusteringColumns"]) == [["kind"]]

    legacy = state.tables[observed_id("table", CAT, schema, "legacy")]
    assert legacy.format == "PARQUET" and legacy.column_names(legacy.partition_by) == ["d"]
    assert legacy.properties["a"] == "1, b=2" and legacy.properties["c"] == "3"  # not the ambiguous text
    assert legacy.columns[0].comment == "x"

    big = state.views[observed_id("view", CAT, schema, "big_orders")]
    assert big.comment == "big ones" and "WHERE amount > 100" in big.definition
    kinds = state.views[observed_id("view", CAT, schema, "kinds")]
    assert kinds.properties["purpose"] == "report"

    # bulk: the Delta tables came from their logs; only the parquet table and the view whose
    # properties text is ambiguous were read one by one
    assert read.per_table == sorted([f"{CAT}.{schema}.legacy", f"{CAT}.{schema}.kinds"])
    assert {"tags", "grants", "functions", "volumes"} <= read.unobserved
    assert read.unrepresentable == []


def test_bulk_read_equals_the_per_table_engine_read(spark: Any, schema: str, executor: SparkExecutor) -> None:
    _create_reference_objects(spark, schema)
    spark.sql(f"ALTER TABLE {schema}.events RENAME COLUMN at TO happened_at").collect()
    bulk = SparkCatalogReader(executor).read([(CAT, schema)])
    naive = SparkCatalogReader(executor, use_delta_log=False).read([(CAT, schema)])
    assert bulk.state == naive.state
    assert compare(declared_state(naive.state), bulk).findings == ()
    # without a session the per-table path cannot see nullability: it says so instead of guessing
    no_session = SparkCatalogReader(RecordingExecutor(_NoSession(executor)), use_delta_log=False)
    assert no_session.spark is None
    blind = no_session.read([(CAT, schema)])
    assert blind.partial[f"{CAT}.{schema}.orders".lower()] == frozenset({"nullability"})


class _NoSession:
    """An executor that hides its SparkSession (like a SQL-only connection)."""

    def __init__(self, inner: SparkExecutor) -> None:
        self._inner = inner

    def execute(self, sql: str, params: Any = None) -> None:
        self._inner.execute(sql, params)

    def query(self, sql: str, params: Any = None) -> list[dict[str, Any]]:
        return self._inner.query(sql, params)


def test_queries_per_schema_do_not_grow_with_tables(spark: Any, schema: str, executor: SparkExecutor) -> None:
    ddl = "(id BIGINT, v STRING) USING DELTA"
    _run_all(spark, [f"CREATE TABLE {schema}.t{i} {ddl}" for i in range(3)])
    rec = RecordingExecutor(executor)
    three = SparkCatalogReader(rec).read([(CAT, schema)])
    _run_all(spark, [f"CREATE TABLE {schema}.t{i} {ddl}" for i in range(3, 9)])
    rec.clear()
    nine = SparkCatalogReader(rec).read([(CAT, schema)])
    assert len(nine.state.tables) == 9 and len(three.state.tables) == 3
    # one session catalog call (the comments and locations of all schemas) + SHOW TABLE EXTENDED + the
    # Delta logs of all tables (listing, checksums): the catalog call is counted, it is no SQL statement
    assert three.queries == nine.queries == 4, rec.sql
    assert [s.split(" ")[0] for s in rec.sql] == ["SHOW", "SELECT", "SELECT"]
    assert nine.per_table == []


def test_schema_facts_from_the_session_listing_equal_describe_schema(
    spark: Any, executor: SparkExecutor, tmp_path: Any
) -> None:
    """One ``listDatabases()`` call per read stands in for one ``DESCRIBE SCHEMA EXTENDED`` per schema
    (issue 12's drift row): both paths must observe the same comment and location, and a schema that does
    not exist must be missing on both."""
    names = [f"sx_facts_{uuid.uuid4().hex[:8]}_{i}" for i in range(3)]
    location = tmp_path / "facts0"
    spark.sql(f"CREATE SCHEMA {names[0]} COMMENT 'sales: eu/us' LOCATION '{location}'").collect()
    spark.sql(f"CREATE SCHEMA {names[1]}").collect()  # no comment, the default location
    try:
        scope = [(CAT, n) for n in names]  # names[2] does not exist
        rec = RecordingExecutor(executor)
        listed = SparkCatalogReader(rec).read(scope)
        assert not [s for s in rec.sql if s.startswith("DESCRIBE")], rec.sql
        described = SparkCatalogReader(RecordingExecutor(_NoSession(executor))).read(scope)
        assert listed.queries is not None and described.queries is not None
        assert described.queries - listed.queries == len(names) - 1  # one DESCRIBE per schema, less the call
        assert listed.state.schemas == described.state.schemas
        got = {s.name: s for s in listed.state.schemas.values()}
        assert sorted(got) == sorted(names[:2])
        assert got[names[0]].comment == "sales: eu/us" and got[names[1]].comment is None
        located = got[names[0]].managed_location
        assert located is not None and located.endswith("facts0")
    finally:
        for n in names[:2]:
            spark.sql(f"DROP SCHEMA IF EXISTS {n} CASCADE").collect()


def test_metastore_text_is_stale_for_delta_and_the_reader_is_not(
    spark: Any, schema: str, executor: SparkExecutor
) -> None:
    """After ALTERs made through Delta, compare the bulk read with Delta's own per-table answers."""
    t = f"{schema}.st"
    spark.sql(f"""CREATE TABLE {t} (id INT NOT NULL, name STRING, n INT) USING DELTA COMMENT 'before'
                  TBLPROPERTIES ('delta.columnMapping.mode' = 'name',
                                 'delta.enableTypeWidening' = 'true')""").collect()
    for stmt in [
        f"ALTER TABLE {t} ADD COLUMNS (extra STRING COMMENT 'added')",
        f"ALTER TABLE {t} RENAME COLUMN name TO full_name",
        f"ALTER TABLE {t} ALTER COLUMN n TYPE BIGINT",
        f"ALTER TABLE {t} ALTER COLUMN id DROP NOT NULL",
        f"COMMENT ON TABLE {t} IS 'after'",
        f"ALTER TABLE {t} ALTER COLUMN full_name COMMENT 'renamed'",
        f"ALTER TABLE {t} SET TBLPROPERTIES ('k' = 'v')",
        f"ALTER TABLE {t} ADD CONSTRAINT id_pos CHECK (id > 0)",
        f"ALTER TABLE {t} CLUSTER BY (full_name)",
    ]:
        spark.sql(stmt).collect()
    # the metastore's text: no columns, no properties, and the OLD comment
    info = parse_information(
        spark.sql(f"SHOW TABLE EXTENDED IN {schema} LIKE 'st'").collect()[0]["information"]
    )
    assert info["Comment"] == "before"
    assert "Schema" not in info and "Table Properties" not in info

    read = SparkCatalogReader(executor).read([(CAT, schema)])
    assert read.per_table == []
    table = read.state.tables[observed_id("table", CAT, schema, "st")]
    truth = spark.table(t).schema
    assert (
        [c.name for c in table.columns] == [f.name for f in truth.fields] == ["id", "full_name", "n", "extra"]
    )
    assert (
        [c.nullable for c in table.columns] == [f.nullable for f in truth.fields] == [True, True, True, True]
    )
    assert [c.type for c in table.columns] == ["INT", "STRING", "BIGINT", "STRING"]
    assert [c.comment for c in table.columns] == [f.metadata.get("comment") for f in truth.fields]
    detail = spark.sql(f"DESCRIBE DETAIL {t}").collect()[0].asDict()
    assert table.comment == detail["description"] == "after"
    assert table.column_names(table.cluster_by) == detail["clusteringColumns"] == ["full_name"]
    for key, value in detail["properties"].items():
        assert table.properties[key] == value
    shown = {r["key"]: r["value"] for r in spark.sql(f"SHOW TBLPROPERTIES {t}").collect()}
    assert table.properties == shown  # exactly what Delta reports, protocol mirror included
    assert [(c.name, c.expression) for c in table.constraints] == [("id_pos", "id > 0")]


def test_each_hand_made_change_is_reported_once(spark: Any, schema: str, executor: SparkExecutor) -> None:
    s = schema
    cm = (
        "TBLPROPERTIES ('delta.columnMapping.mode' = 'name', 'delta.enableTypeWidening' = 'true', "
        "'schemax.version' = '1.0.0')"
    )
    names = [
        "add_col",
        "drop_col",
        "ren_col",
        "typ_col",
        "null_col",
        "cmt_tbl",
        "cmt_col",
        "prop",
        "gone",
        "ver",
        "chk",
        "server",
    ]
    _run_all(
        spark,
        [
            f"CREATE TABLE {s}.{n} (id INT NOT NULL COMMENT 'id', v INT COMMENT 'v', w STRING) USING DELTA "
            f"COMMENT 'c' {cm}"
            for n in names
        ],
    )
    spark.sql(f"CREATE VIEW {s}.vw AS SELECT id FROM {s}.prop").collect()
    before = SparkCatalogReader(executor).read([(CAT, s)])
    expected = declared_state(before.state)
    assert compare(expected, before, expected_version="1.0.0").findings == ()  # clean environment

    _run_all(
        spark,
        [
            f"ALTER TABLE {s}.add_col ADD COLUMNS (x STRING)",
            f"ALTER TABLE {s}.drop_col DROP COLUMN w",
            f"ALTER TABLE {s}.ren_col RENAME COLUMN w TO w2",
            f"ALTER TABLE {s}.typ_col ALTER COLUMN v TYPE BIGINT",
            f"ALTER TABLE {s}.null_col ALTER COLUMN id DROP NOT NULL",
            f"COMMENT ON TABLE {s}.cmt_tbl IS 'changed by hand'",
            f"ALTER TABLE {s}.cmt_col ALTER COLUMN v COMMENT 'changed'",
            f"ALTER TABLE {s}.prop SET TBLPROPERTIES ('hand' = 'made')",
            f"DROP TABLE {s}.gone",
            f"CREATE TABLE {s}.intruder (x INT) USING DELTA",
            f"ALTER TABLE {s}.ver SET TBLPROPERTIES ('schemax.version' = '0.9.0')",
            f"ALTER TABLE {s}.chk ADD CONSTRAINT v_pos CHECK (v > 0)",
            # server-set only: protocol upgrade, features, checkpoint settings, deletion vectors, row tracking
            f"ALTER TABLE {s}.server SET TBLPROPERTIES ('delta.enableDeletionVectors' = 'true', "
            "'delta.checkpoint.writeStatsAsStruct' = 'true', 'delta.enableRowTracking' = 'true', "
            "'schemax.deployed_at' = '2026-01-01')",
        ],
    )
    after = SparkCatalogReader(executor).read([(CAT, s)])
    report = compare(expected, after, expected_version="1.0.0")
    got = sorted(
        (f.issue, f.object_type, f.object_name.removeprefix(f"{CAT}.{s}."), f.detail.split(" (")[0])
        for f in report.findings
    )
    assert got == sorted(
        [
            ("extra", "column", "add_col.x", "column not in the project"),
            ("missing", "column", "drop_col.w", "column not found"),
            ("missing", "column", "ren_col.w", "column not found"),
            ("extra", "column", "ren_col.w2", "column not in the project"),
            ("modified", "column", "typ_col.v", "type"),
            ("modified", "column", "null_col.id", "nullability"),
            ("modified", "table", "cmt_tbl", "comment"),
            ("modified", "column", "cmt_col.v", "comment"),
            ("extra", "property", "prop", "hand"),
            ("missing", "table", "gone", "table not found"),
            ("extra", "table", "intruder", "table not in the project"),
            ("modified", "table", "ver", "schemax.version"),
            ("extra", "constraint", "chk.v_pos", "CHECK constraint not in the project"),
        ]
    ), report.summary()
    rename = [f for f in report.findings if "ren_col" in f.object_name]
    assert all("renamed by hand" in f.detail for f in rename)
    versions = {
        f.object_name: (f.expected, f.actual) for f in report.findings if f.detail == "schemax.version"
    }
    assert versions == {f"{CAT}.{s}.ver": ("1.0.0", "0.9.0")}
    html = report._repr_html_()
    assert "intruder" in html and "sxd-missing" in html
    json.loads(report.to_json())


def test_missing_schema_and_catalog_scope(spark: Any, executor: SparkExecutor) -> None:
    ghost = f"drift_{uuid.uuid4().hex[:10]}"
    read = SparkCatalogReader(executor).read([(CAT, ghost)])
    assert read.state.schemas == {} and [c.name for c in read.state.catalogs.values()] == [CAT]
    expected = ObservedStateBuilder()
    expected.schema(CAT, ghost)
    report = compare(expected.build(), read, scope=[(CAT, ghost)])
    assert [(f.issue, f.object_type, f.object_name) for f in report.findings] == [
        ("missing", "schema", f"{CAT}.{ghost}")
    ]


def test_whole_catalog_scope_lists_schemas(spark: Any, schema: str, executor: SparkExecutor) -> None:
    read = SparkCatalogReader(executor).read([(CAT, None)])
    assert observed_id("schema", CAT, schema) in read.state.schemas
