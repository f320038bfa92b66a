# Databricks notebook source
# MAGIC %md
# MAGIC # schemax · drift scan
# MAGIC
# MAGIC Compares the live catalog with what the environment should hold (the snapshot deployed there):
# MAGIC missing, extra and modified objects down to columns, types, comments, tags, constraints and
# MAGIC declared properties. The scan is recorded in the store's `drift_scans` table.
# MAGIC
# MAGIC With **fail_on_drift** = `true` (the default) the notebook fails when there is drift, so that a
# MAGIC scheduled job's failure alerts fire. Outside Databricks the widgets fall back to the `SCHEMAX_*`
# MAGIC environment variables.

# COMMAND ----------

import schemax
from schemax.notebook import Notebook

nb = Notebook(globals())  # widgets, displayHTML and spark: Databricks' own, stand-ins outside it
environment = nb.text("environment", "prod", "Environment")
project = nb.text("project", "schemax", "Project")
store = nb.text("store", "main.schemax", "Store (catalog.schema)")
fail_on_drift = nb.flag("fail_on_drift", True, "Fail on drift (true/false)")
print(f"drift scan of {environment} for project {project} in {store}")

# COMMAND ----------

# MAGIC %md ## Scan
# MAGIC The scan is recorded either way; on drift the report is shown, then the run fails (unless
# MAGIC **fail_on_drift** is `false`).

# COMMAND ----------

try:
    report = schemax.scan(environment, project=project, store=store, spark=nb.spark)
except schemax.DriftDetectedError as drift:
    report = drift.report
    nb.show(report)
    if fail_on_drift:
        raise
else:
    nb.show(report)
