"""Store tampering directly in Delta (issue 16 item 5), on real local Spark + Delta.

The ops and snapshots tables are ``delta.appendOnly``: an UPDATE or DELETE is refused until someone
switches that off, which is the first thing a tamperer (or a careless clean-up) has to do here. After
that, an op row edited, a snapshot row deleted and a deployment row edited are each named by ``verify()``,
and a new process's deploy refuses before it records or runs anything.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

import schemax

pytestmark = pytest.mark.integration


def test_rows_edited_and_deleted_in_delta_are_named_and_a_deploy_refuses(spark: Any) -> None:
    prefix = f"sxt_{uuid.uuid4().hex[:6]}_"
    store = f"spark_catalog.{prefix}store"
    try:
        p = schemax.Project.create(spark, "tampered", store=store, author="tester")
        p.create_catalog("shop")
        p.create_schema("shop.sales")
        p.create_table("shop.sales.orders", [schemax.Column("id", "BIGINT", nullable=False)])
        p.add_environment("dev", {"shop": "spark_catalog"}, schema_prefix=f"{prefix}dev_")
        p.snapshot("v1", version="1.0.0")
        first = p.deploy("dev", "1.0.0")
        p.set_table_comment("shop.sales.orders", "Orders")
        p.snapshot("v2", version="1.1.0")
        assert p.verify().ops == 4  # the deployment's seal holds through its JSON row in Delta

        ops, snapshots = f"{store}.ops", f"{store}.snapshots"

        def statement_rows() -> int:
            return int(spark.sql(f"SELECT * FROM {store}.deployment_statements WHERE project = 'tampered'")
                       .count())

        rows_before = statement_rows()
        with pytest.raises(Exception, match="DELTA_CANNOT_MODIFY_APPEND_ONLY"):
            spark.sql(f"UPDATE {ops} SET author = 'mallory' WHERE project = 'tampered'")
        for table in (ops, snapshots):
            spark.sql(f"ALTER TABLE {table} SET TBLPROPERTIES ('delta.appendOnly' = 'false')")
        spark.sql(f"UPDATE {ops} SET payload = replace(payload, 'Orders', 'Hacked') "
                  "WHERE project = 'tampered' AND seq = 4")
        spark.sql(f"DELETE FROM {snapshots} WHERE project = 'tampered' AND version = '1.0.0'")
        spark.sql(f"UPDATE {store}.deployments SET record = replace(record, '\"tester\"', '\"mallory\"') "
                  f"WHERE project = 'tampered' AND deployment_id = '{first.record.deployment_id}'")

        reopened = schemax.Project.open(spark, "tampered", store=store, author="tester")
        with pytest.raises(schemax.IntegrityError) as err:
            reopened.verify()
        found = {(problem.where.split(" (")[0], problem.detail) for problem in err.value.problems}
        assert ("op seq 4", "op changed after it was recorded") in found
        assert ("snapshot 1.1.0", "snapshot chain broken") in found  # its previous is gone
        assert (f"deployment {first.record.deployment_id} of dev", "deployment record changed") in found

        with pytest.raises(schemax.IntegrityError):
            reopened.deploy("dev")
        assert spark.sql(f"SELECT * FROM {store}.deployments WHERE project = 'tampered'").count() == 1
        assert statement_rows() == rows_before  # nothing recorded
        comment = spark.sql(f"DESCRIBE TABLE EXTENDED spark_catalog.`{prefix}dev_sales`.orders").collect()
        assert not [r for r in comment if r["col_name"] == "Comment" and r["data_type"] == "Orders"]
    finally:
        for row in spark.sql("SHOW SCHEMAS").collect():
            if row[0].startswith(prefix):
                spark.sql(f"DROP SCHEMA IF EXISTS `{row[0]}` CASCADE")
