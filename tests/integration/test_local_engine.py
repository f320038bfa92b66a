"""The embedded engine (schemax.local): Delta tables, the Delta features schemax relies on, and a
metastore shared between sessions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from chispa import assert_df_equality

from helpers import scratch_schema

pytestmark = pytest.mark.integration


@pytest.fixture
def schema(spark: Any) -> Iterator[str]:
    with scratch_schema(spark.sql, "it_local_") as name:
        yield name


def _table_properties(spark: Any, table: str) -> dict[str, str]:
    return {r["key"]: r["value"] for r in spark.sql(f"SHOW TBLPROPERTIES {table}").collect()}


def test_session_is_local_delta_and_hive(spark: Any) -> None:
    conf = spark.sparkContext.getConf()
    assert conf.get("spark.master") == "local[2]"
    assert spark.conf.get("spark.sql.extensions") == "io.delta.sql.DeltaSparkSessionExtension"
    assert spark.conf.get("spark.sql.catalogImplementation") == "hive"
    assert spark.conf.get("spark.sql.shuffle.partitions") == "2"


def test_python_workers_run_this_interpreter(spark: Any) -> None:
    import sys

    prefixes = spark.sparkContext.parallelize([0], 1).map(lambda _: __import__("sys").prefix).collect()
    assert prefixes == [sys.prefix]


def test_delta_table_round_trip(spark: Any, schema: str) -> None:
    table = f"`{schema}`.`people`"
    spark.sql(f"CREATE TABLE {table} (id BIGINT NOT NULL, name STRING, score DOUBLE) USING DELTA")
    spark.sql(f"INSERT INTO {table} VALUES (1, 'ada', 9.5), (2, 'grace', NULL), (3, 'o''brien', 7.0)")

    actual = spark.sql(f"SELECT id, name, score FROM {table}")
    expected = spark.createDataFrame(
        [(1, "ada", 9.5), (2, "grace", None), (3, "o'brien", 7.0)],
        "id BIGINT NOT NULL, name STRING, score DOUBLE",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=False)

    detail = spark.sql(f"DESCRIBE DETAIL {table}").collect()[0]
    assert detail["format"] == "delta"
    assert detail["numFiles"] >= 1
    history = spark.sql(f"DESCRIBE HISTORY {table}").select("operation").collect()
    assert [r["operation"] for r in history][-1] == "CREATE TABLE"


def test_column_mapping_upgrade_and_rename_column(spark: Any, schema: str) -> None:
    table = f"`{schema}`.`orders`"
    spark.sql(f"CREATE TABLE {table} (id BIGINT, amt DECIMAL(10, 2)) USING DELTA")
    spark.sql(f"INSERT INTO {table} VALUES (1, 10.50), (2, 3.25)")

    spark.sql(
        f"ALTER TABLE {table} SET TBLPROPERTIES ("
        "'delta.columnMapping.mode' = 'name', "
        "'delta.minReaderVersion' = '2', "
        "'delta.minWriterVersion' = '5')"
    )
    props = _table_properties(spark, table)
    assert props["delta.columnMapping.mode"] == "name"
    assert int(props["delta.minReaderVersion"]) >= 2
    assert int(props["delta.minWriterVersion"]) >= 5

    spark.sql(f"ALTER TABLE {table} RENAME COLUMN amt TO amount")
    assert spark.table(f"{schema}.orders").columns == ["id", "amount"]
    rows = spark.sql(f"SELECT id, CAST(amount AS STRING) AS amount FROM {table} ORDER BY id").collect()
    assert [tuple(r) for r in rows] == [(1, "10.50"), (2, "3.25")]

    # Without column mapping a rename is refused: the upgrade above is what made it possible.
    plain = f"`{schema}`.`plain`"
    spark.sql(f"CREATE TABLE {plain} (a INT) USING DELTA")
    with pytest.raises(Exception, match=r"(?i)column mapping|DELTA_UNSUPPORTED_RENAME_COLUMN"):
        spark.sql(f"ALTER TABLE {plain} RENAME COLUMN a TO b")


def test_table_visible_to_a_new_session(spark: Any, schema: str) -> None:
    spark.sql(f"CREATE TABLE `{schema}`.`shared` (k STRING) USING DELTA")
    spark.sql(f"INSERT INTO `{schema}`.`shared` VALUES ('x')")

    other = spark.newSession()
    assert other is not spark
    names = [r["tableName"] for r in other.sql(f"SHOW TABLES IN `{schema}`").collect()]
    assert "shared" in names
    assert [r["k"] for r in other.table(f"{schema}.shared").collect()] == ["x"]
    # session-local state is not shared, the catalog is
    other.sql("CREATE TEMPORARY VIEW only_here AS SELECT 1 AS one")
    assert not spark.catalog.tableExists("only_here")


_CHILD = """
import sys
from schemax import local
spark = local.spark_session(sys.argv[1])
if sys.argv[2] == "write":
    spark.sql("CREATE SCHEMA IF NOT EXISTS persisted")
    spark.sql("CREATE TABLE persisted.t (id INT) USING DELTA")
    spark.sql("INSERT INTO persisted.t VALUES (42)")
else:
    print("ROWS=" + repr([r[0] for r in spark.sql("SELECT id FROM persisted.t").collect()]))
local.stop_session()
"""


def test_metastore_persists_across_processes(tmp_path: Any) -> None:
    """A table created by one process is in the catalog of the next one (Derby metastore on disk)."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("PYSPARK_GATEWAY")}
    home = str(tmp_path / "home")
    for step in ("write", "read"):
        proc = subprocess.run(
            [sys.executable, "-c", _CHILD, home, step], capture_output=True, text=True, env=env, timeout=600
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
    assert "ROWS=[42]" in proc.stdout
    assert (tmp_path / "home" / "metastore_db").is_dir()
    assert (tmp_path / "home" / "derby.log").is_file()
    assert (tmp_path / "home" / "warehouse" / "persisted.db" / "t" / "_delta_log").is_dir()
