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

import schemax
from schemax.notebook import Notebook

nb = Notebook(globals())  # widgets, displayHTML and spark: Databricks' own, stand-ins outside it
environment = nb.text("environment", "dev", "Environment")
project = nb.text("project", "schemax", "Project")
store = nb.text("store", "main.schemax", "Store (catalog.schema)")
version = nb.text("version", "latest", "Snapshot version")
dry_run = nb.flag("dry_run", False, "Dry run (true/false)")
allow_breaking = nb.flag("allow_breaking", False, "Allow breaking changes (true/false)")
confirm = nb.text("confirm", "", "Confirm (environment name)") or None
print(f"project {project} in {store}: deploy {version} to {environment}"
      f"{' (dry run)' if dry_run else ''}{' (breaking allowed)' if allow_breaking else ''}")
to = None if version in ("", "latest") else version

# COMMAND ----------

# MAGIC %md ## Plan

# COMMAND ----------

plan = schemax.plan(environment, project=project, store=store, spark=nb.spark, to=to)
nb.show(plan)

# COMMAND ----------

# MAGIC %md ## Deploy
# MAGIC A refusal (drift, breaking changes, a deployment already running) raises and fails the run.

# COMMAND ----------

deployment = schemax.deploy(environment, project=project, store=store, spark=nb.spark, to=to, dry_run=dry_run,
                            allow_breaking=allow_breaking, confirm=confirm)
nb.show(deployment)

# COMMAND ----------

# MAGIC %md ## Where each version runs now

# COMMAND ----------

nb.show(schemax.status(project=project, store=store, spark=nb.spark))
