"""Record the shop's design as ops: the step between ``schemax init`` and ``schemax snapshot create``.

Designing happens in Python (a notebook or a script like this one); the command line takes it from
there. The project and store come from ``SCHEMAX_PROJECT`` / ``SCHEMAX_STORE`` (default store
``spark_catalog.schemax``), as for the ``schemax`` command. See the README, "From the command line".
"""

import schemax
from schemax.local import spark_session
from schemax.shortcuts import resolve_project

spark = spark_session()  # the embedded engine; on Databricks use the notebook's ``spark``
p = resolve_project(spark=spark)

with p.batch():  # one commit for the whole design
    p.create_catalog("shop", comment="Webshop")
    p.create_schema("shop.sales", comment="Orders and customers")
    p.create_table("shop.sales.customers", [
        schemax.Column("id", "BIGINT", nullable=False),
        schemax.Column("name", "STRING", comment="Full name"),
    ], comment="People who buy things")
    p.create_table("shop.sales.orders", [
        schemax.Column("id", "BIGINT", nullable=False),
        schemax.Column("customer_id", "BIGINT"),
        schemax.Column("amount", "DECIMAL(10,2)"),
    ], comment="One row per order")

print(f"project {p.name}: {len(p.uncommitted_ops())} ops not in a snapshot yet")
