"""``make demo``: the design's workflows end to end on local Spark + Delta.

1. design a small shop schema (ops), take snapshots;
2. deploy to dev: full CREATE script, tables tagged with ``schemax.version``;
3. an incremental change with a breaking rename: refused, then allowed;
4. promote dev -> prod (prod requires confirmation);
5. a hand-made ALTER in prod is caught by the drift scan;
6. drop a column, deploy, then roll back with its data restored.

Everything runs in a fresh, throw-away store under ``.schemax-local/`` (override with
``SCHEMAX_LOCAL_HOME``); run it as often as you like.
"""

from __future__ import annotations

import logging
import sys
import time
import uuid

import schemax
from schemax.local import spark_session

log = logging.getLogger("schemax.demo")


def _say(title: str) -> None:
    log.info("")
    log.info("== %s ==", title)


def run(spark) -> None:  # type: ignore[no-untyped-def]
    """The walkthrough, in schemas of its own (``demo_<run>_…``) that it drops at the end, even on failure,
    so runs do not pile up in the local warehouse."""
    run_id = uuid.uuid4().hex[:6]
    try:
        _walkthrough(spark, run_id)
    finally:
        dropped = [row[0] for row in spark.sql("SHOW SCHEMAS").collect()
                   if row[0].startswith(f"demo_{run_id}_")]
        for name in dropped:
            spark.sql(f"DROP SCHEMA IF EXISTS `{name}` CASCADE")
        log.info("dropped the demo's %d schema(s): %s", len(dropped), ", ".join(sorted(dropped)))


def _walkthrough(spark, run_id: str) -> None:  # type: ignore[no-untyped-def]
    store = f"spark_catalog.demo_{run_id}_schemax"
    dev, prod = f"demo_{run_id}_dev_", f"demo_{run_id}_prod_"

    _say("1. design: ops and snapshots")
    p = schemax.Project.create(spark, "shop", store=store, author="demo@schemax")
    with p.batch():
        p.create_catalog("shop", comment="Webshop")
        p.create_schema("shop.sales", comment="Orders and customers")
        p.create_table("shop.sales.customers", [
            schemax.Column("id", "BIGINT", nullable=False),
            schemax.Column("name", "STRING", comment="Full name"),
            schemax.Column("email", "STRING"),
        ], comment="People who buy things")
        p.create_table("shop.sales.orders", [
            schemax.Column("id", "BIGINT", nullable=False),
            schemax.Column("customer_id", "BIGINT"),
            schemax.Column("status", "STRING", comment="open | paid | shipped"),
            schemax.Column("amount", "DECIMAL(10,2)"),
            schemax.Column("legacy_code", "STRING", comment="from the old shop"),
        ], comment="One row per order")
        p.create_view("shop.sales.open_orders",
                      "SELECT id, amount FROM shop.sales.orders WHERE status = 'open'")
    log.info("recorded %d ops in one commit; state has %d tables", len(p.ops()), len(p.state().tables))
    s1 = p.snapshot("Initial schema")
    p.add_column("shop.sales.customers", "country", "STRING", comment="ISO country code")
    s2 = p.snapshot("Customer country", tags=["milestone"])
    log.info("snapshots: %s", ", ".join(f"{s.version} {s.name!r} ({s.hash[:10]}…)" for s in (s1, s2)))
    p.verify()
    log.info("verify(): op hash chain and snapshot hashes intact")

    p.add_environment("dev", {"shop": "spark_catalog"}, schema_prefix=dev)
    p.add_environment("prod", {"shop": "spark_catalog"}, schema_prefix=prod, require_confirmation=True)

    _say("2. deploy to dev (full CREATE script)")
    plan = p.plan("dev")
    log.info("%s", plan.sql)
    dep = p.deploy("dev")
    log.info("deployment %s: %s, %d statements", dep.deployment_id, dep.status, dep.applied)
    orders_dev = f"spark_catalog.`{dev}sales`.orders"
    spark.sql(f"INSERT INTO {orders_dev} VALUES (1, 7, 'open', 12.50, 'L-1'), (2, 7, 'paid', 99.00, 'L-2')")
    version = spark.sql(f"SHOW TBLPROPERTIES {orders_dev} ('schemax.version')").collect()[0]["value"]
    log.info("%s now carries schemax.version = %s", orders_dev, version)

    _say("3. incremental change with a breaking rename")
    p.rename_column("shop.sales.orders", "status", "order_status")
    p.update_view("shop.sales.open_orders",  # SX201 names this view: it is updated in the same release
                  "SELECT id, amount FROM shop.sales.orders WHERE order_status = 'open'")
    p.add_column("shop.sales.orders", "shipped_at", "TIMESTAMP")
    p.snapshot("Order status rename")
    plan = p.plan("dev")
    for finding in plan.findings:
        log.info("  %s %s %s: %s", finding.code, finding.severity, finding.object_name, finding.message)
    try:
        p.deploy("dev")
    except schemax.BreakingChangeError as exc:
        log.info("refused: %s", exc)
    dep = p.deploy("dev", allow_breaking=True)
    log.info("allowed explicitly: %s -> %s, %d ALTER statement(s)",
             dep.from_version, dep.to_version, dep.applied)

    _say("4. promote dev -> prod")
    try:
        p.promote("dev", "prod")
    except schemax.SchemaxError as exc:
        log.info("refused: %s", exc)
    dep = p.promote("dev", "prod", confirm="prod", allow_breaking=True)
    log.info("prod now at %s (%d statements)", dep.to_version, dep.applied)
    log.info("%s", p.status())

    _say("5. drift: a hand-made ALTER in prod")
    orders_prod = f"spark_catalog.`{prod}sales`.orders"
    spark.sql(f"ALTER TABLE {orders_prod} ALTER COLUMN order_status COMMENT 'edited by hand'")
    report = p.check_drift("prod")
    for f in report.findings:
        log.info("  %s %s %s (%s): expected %r, actual %r", f.issue, f.object_type, f.object_name, f.detail,
                 f.expected, f.actual)
    p.add_column("shop.sales.orders", "note", "STRING")
    p.snapshot("Notes")
    try:
        p.deploy("prod", confirm="prod")
    except schemax.DriftDetectedError as exc:
        log.info("deploy refused: %s", exc)
    spark.sql(f"ALTER TABLE {orders_prod} ALTER COLUMN order_status COMMENT 'open | paid | shipped'")
    log.info("after undoing the hand edit: drifted = %s", p.check_drift("prod").drifted)
    dep = p.deploy("prod", confirm="prod")
    log.info("prod now at %s", dep.to_version)

    _say("6. drop a column, then roll back with its data")
    p.drop_column("shop.sales.orders", "legacy_code")
    p.snapshot("Drop legacy code")
    dep = p.deploy("dev", allow_breaking=True)
    cols = [f.name for f in spark.table(orders_dev).schema.fields]
    log.info("dev deployed %s; columns now %s", dep.to_version, cols)
    back = p.rollback("dev", to=p.snapshots()[-2].version, restore_data=True)
    rows = spark.sql(f"SELECT id, legacy_code FROM {orders_dev} ORDER BY id").collect()
    log.info("rolled back to %s; legacy_code values: %s", back.to_version, [r["legacy_code"] for r in rows])

    _say("history of dev")
    for d in p.history("dev"):
        log.info("  %s %-8s %-9s %s -> %s  %d statement(s)", d.started_at[:19], d.kind, d.status,
                 d.from_version or "(nothing)", d.to_version, len(d.statements))


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    for noisy in ("py4j", "schemax.deploy", "schemax.local", "schemax"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    log.setLevel(logging.INFO)
    t0 = time.perf_counter()
    spark = spark_session()
    log.info("local Spark + Delta ready in %.1fs", time.perf_counter() - t0)
    run(spark)
    log.info("")
    log.info("demo finished in %.1fs", time.perf_counter() - t0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
