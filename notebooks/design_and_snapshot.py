# Databricks notebook source
# MAGIC %md
# MAGIC # schemax · design and snapshot
# MAGIC
# MAGIC An interactive walkthrough: record schema changes as ops, freeze them in snapshots, and look at
# MAGIC what a deployment would run before it runs. Every step is safe to re-run.
# MAGIC
# MAGIC 1. open (or create) a project in the store;
# MAGIC 2. design: a catalog, a schema and two tables, recorded as ops (nothing runs yet);
# MAGIC 3. an environment `dev` mapping the logical catalog `shop` to a physical one;
# MAGIC 4. snapshot `0.1.0`, then a change and snapshot `0.2.0`;
# MAGIC 5. the plan for `dev`, optionally the deployment, and the version timeline.
# MAGIC
# MAGIC Outside Databricks the widgets fall back to the `SCHEMAX_*` environment variables, and the embedded
# MAGIC Spark + Delta engine (`schemax.local`) stands in for the cluster.

# COMMAND ----------

import schemax
from schemax import Column
from schemax.notebook import Notebook

nb = Notebook(globals())  # widgets, displayHTML and spark: Databricks' own, stand-ins outside it
environment = nb.text("environment", "dev", "Environment")
project = nb.text("project", "schemax_walkthrough", "Project")
store = nb.text("store", "main.schemax", "Store (catalog.schema)")
catalog = nb.text("catalog", "main", "Physical catalog for the logical catalog 'shop'")
schema_prefix = nb.text("schema_prefix", "schemax_walkthrough_", "Schema name prefix in this environment")
deploy_now = nb.flag("deploy", False, "Deploy to the environment (true/false)")
spark = nb.engine()  # outside Databricks: the active session, else the embedded engine
print(f"project {project} in {store}; environment {environment}: shop -> {catalog}, prefix {schema_prefix!r}")

# COMMAND ----------

# MAGIC %md ## 1. The project

# COMMAND ----------

try:
    p = schemax.Project.open(spark, project, store=store)
except schemax.ProjectNotFoundError:
    p = schemax.Project.create(spark, project, store=store)
nb.show(p)

# COMMAND ----------

# MAGIC %md ## 2. Design: ops are recorded, nothing runs yet
# MAGIC `with p.batch():` records the ops in one commit (or none of them if a step is invalid).

# COMMAND ----------

if not p.ops():
    with p.batch():
        p.create_catalog("shop", comment="Online shop")
        p.create_schema("shop.sales", comment="Orders and customers")
        p.create_table("shop.sales.customers", [
            Column("id", "BIGINT", nullable=False, comment="Customer id"),
            Column("name", "STRING", comment="Full name"),
        ], comment="One row per customer")
        p.create_table("shop.sales.orders", [
            Column("id", "BIGINT", nullable=False),
            Column("customer_id", "BIGINT", comment="customers.id"),
            Column("amount", "DECIMAL(12,2)"),
            Column("status", "STRING"),
        ], comment="One row per order")
print(f"{len(p.ops())} op(s) recorded, {len(p.uncommitted_ops())} not in a snapshot yet")

# COMMAND ----------

# MAGIC %md ## 3. An environment: logical catalog `shop` → a physical catalog

# COMMAND ----------

if environment not in p.environments():
    p.add_environment(environment, {"shop": catalog}, schema_prefix=schema_prefix)
print(p.environment(environment))

# COMMAND ----------

# MAGIC %md ## 4. Snapshots: hashed, versioned points in time

# COMMAND ----------

if not p.snapshots():
    p.snapshot("Initial schema")
if len(p.snapshots()) == 1:
    p.add_column("shop.sales.orders", "email", "STRING", comment="Customer's e-mail, as typed")
    p.snapshot("Order e-mail")
for snap in p.snapshots():
    print(snap.version, snap.name, snap.hash[:12])

# COMMAND ----------

# MAGIC %md ## 5. What a deployment would run

# COMMAND ----------

plan = p.plan(environment)
nb.show(plan)

# COMMAND ----------

if deploy_now:
    nb.show(p.deploy(environment))
else:
    print("set the 'deploy' widget to true to deploy")

# COMMAND ----------

# MAGIC %md ## Status: which version runs where

# COMMAND ----------

status = p.status()
nb.show(status)
