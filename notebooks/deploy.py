# Databricks notebook source
# MAGIC %md
# MAGIC # schemax · deploy
# MAGIC
# MAGIC Plans, then deploys a schemax snapshot to one environment, and shows the result.
# MAGIC
# MAGIC * **environment**: the schemax environment to deploy to (`dev`, `test`, `prod`, …)
# MAGIC * **project** / **store**: the schemax project and where it lives (`catalog.schema`)
# MAGIC * **version**: the snapshot to deploy (`latest` by default)
# MAGIC * **dry_run**: `true` to plan and check everything without running a statement
# MAGIC * **allow_breaking**: `true` to allow breaking and destructive changes
# MAGIC * **confirm**: the environment's name, for environments that require confirmation
# MAGIC
# MAGIC The cluster needs the schemax wheel (the bundle's jobs install it; interactively:
# MAGIC `%pip install /Workspace/<bundle root>/artifacts/.internal/schemax-*.whl`).
# MAGIC Outside Databricks the widgets fall back to the `SCHEMAX_*` environment variables.

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


environment = widget("environment", "dev", "Environment")
project = widget("project", os.environ.get("SCHEMAX_PROJECT", "schemax"), "Project")
store = widget("store", os.environ.get("SCHEMAX_STORE", "main.schemax"), "Store (catalog.schema)")
version = widget("version", "latest", "Snapshot version")
dry_run = widget("dry_run", "false", "Dry run (true/false)").lower() == "true"
allow_breaking = widget("allow_breaking", "false", "Allow breaking changes (true/false)").lower() == "true"
confirm = widget("confirm", "", "Confirm (environment name)") or None
print(f"project {project} in {store}: deploy {version} to {environment}"
      f"{' (dry run)' if dry_run else ''}{' (breaking allowed)' if allow_breaking else ''}")

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

to = None if version in ("", "latest") else version

# COMMAND ----------

# MAGIC %md ## Plan

# COMMAND ----------

plan = schemax.plan(environment, project=project, store=store, spark=spark, to=to)
show(plan)

# COMMAND ----------

# MAGIC %md ## Deploy
# MAGIC A refusal (drift, breaking changes, a deployment already running) raises and fails the run.

# COMMAND ----------

deployment = schemax.deploy(environment, project=project, store=store, spark=spark, to=to, dry_run=dry_run,
                            allow_breaking=allow_breaking, confirm=confirm)
show(deployment)

# COMMAND ----------

# MAGIC %md ## Where each version runs now

# COMMAND ----------

show(schemax.status(project=project, store=store, spark=spark))
