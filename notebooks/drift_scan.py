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

import os

try:
    dbutils  # noqa: B018 - defined in Databricks notebooks
except NameError:  # outside Databricks: no widgets, defaults and environment variables instead
    dbutils = None


def widget(name, default, label=None):
    """A text widget's value; outside Databricks ``$SCHEMAX_<NAME>`` or the default."""
    if dbutils is None:
        return os.environ.get(f"SCHEMAX_{name.upper()}", default)
    dbutils.widgets.text(name, default, label or name)
    return dbutils.widgets.get(name).strip() or default


environment = widget("environment", "prod", "Environment")
project = widget("project", os.environ.get("SCHEMAX_PROJECT", "schemax"), "Project")
store = widget("store", os.environ.get("SCHEMAX_STORE", "main.schemax"), "Store (catalog.schema)")
fail_on_drift = widget("fail_on_drift", "true", "Fail on drift (true/false)").lower() == "true"
print(f"drift scan of {environment} for project {project} in {store}")

# COMMAND ----------

import schemax


def show(obj):
    """Render schemax results as HTML in Databricks (displayHTML), as text elsewhere."""
    render = globals().get("displayHTML")
    if render is not None and hasattr(obj, "_repr_html_"):
        render(obj._repr_html_())
    else:
        print(obj)


try:
    spark  # noqa: B018 - the notebook's SparkSession
except NameError:
    spark = None  # the shortcuts use the active SparkSession

# COMMAND ----------

try:
    report = schemax.scan(environment, project=project, store=store, spark=spark)
except schemax.DriftDetectedError as drift:
    report = drift.report
    show(report)
    if fail_on_drift:
        raise
else:
    show(report)
