"""The live tier's scenario: every Unity Catalog statement class schemax emits, run on a real workspace.

One project (random names) whose logical catalog ``shop`` maps onto a scratch catalog of its own:

1. ``v1`` creates one object of each kind with every attribute schemax emits: catalog (comment, tags,
   properties, grants, managed location when ``SCHEMAX_TEST_MANAGED_LOCATION`` is set), schema (comment,
   tags, DBPROPERTIES, grants), tables with PRIMARY KEY / FOREIGN KEY / CHECK, partitioning, clustering,
   properties, tags, column comments / tags / defaults / a mask, a row filter and grants, a view with
   grants and tags, a managed volume with comment, tags and grants, SQL functions (and a Python one unless
   ``SCHEMAX_TEST_PYTHON_UDF=0``) with grants;
2. ``v2`` changes each of them: renames, comments, tags set and unset, grants and revokes, a new mask and
   row filter function, a view definition, function bodies, column mapping (a column rename), type
   widening, SET NOT NULL, a new default, CHECK added and dropped, clustering, a partitioning change (the
   copy-and-swap rewrite), a dropped table;
3. governance changed by hand (a revoke, a dropped row filter, a dropped mask) must show as drift, and be
   clean again once restored by hand;
4. a rollback to ``v1``.

After each deployment the catalog is read back through the Unity Catalog reader (the whole catalog, so its
own comment, tags and grants count too) and compared with the deployed state, and the environment's drift
scan must be clean. Statement classes the project API cannot reach (``schema_properties_unset``,
``table_move``) are probed with a plan between two hand-made states. Everything is recorded in a
:class:`Scenario` that the test module asserts on, one statement class per test; :meth:`Scenario.cleanup`
drops the scratch catalog and the store schema.

Importable as ``uc_scenario`` from the test modules next to it. Building the stages needs no workspace
(``build_v1`` / ``build_v2`` on ``Project.in_memory``), which is how the scenario's coverage can be checked
offline.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import schemax
from schemax.core.model import State
from schemax.core.uc_statements import shape_of
from schemax.drift import compare, map_to_physical, table_hashes
from schemax.errors import ExecutionError, SchemaxError
from schemax.plan import Target, build_plan
from schemax.plan.capabilities import UNITY_CATALOG

log = logging.getLogger("schemax.live")

ENV = "live"
LOGICAL = "shop"
SCHEMA = f"{LOGICAL}.sales"
V1, V2 = "1.0.0", "2.0.0"
COL = schemax.Column

#: statement classes that need something only some workspaces have: capability -> (env var, why)
OPTIONAL: dict[str, tuple[str, str]] = {
    "managed_location": ("SCHEMAX_TEST_MANAGED_LOCATION", "a storage path under an external location"),
    "python_functions": (
        "SCHEMAX_TEST_PYTHON_UDF",
        "a pro or serverless SQL warehouse (set it to 0 to skip)",
    ),
    # issue 11: SET OWNER TO a principal other than the deployer needs membership or a metastore admin
    "owner": ("SCHEMAX_TEST_OWNER", "a principal the deployer may hand ownership to (itself, or its group)"),
}


def optional_missing(capability: str) -> str | None:
    """Why a statement class cannot run on this workspace configuration (None: it can)."""
    if capability not in OPTIONAL:
        return None
    var, why = OPTIONAL[capability]
    value = os.environ.get(var)
    if capability == "python_functions":
        return f"{var}=0: Python UDFs need {why}" if value == "0" else None
    return None if value else f"needs {var} ({why})"


@dataclass(frozen=True)
class Names:
    """The random names of one run."""

    token: str
    catalog: str  # the scratch catalog the project's ``shop`` maps to
    store: str  # catalog.schema of the project's store
    principal: str  # who the grants are for
    managed_location: str | None
    python_udf: bool
    owner: str | None = None  # issue 11: who the owned objects go to (SCHEMAX_TEST_OWNER)

    @classmethod
    def fresh(cls, store_catalog: str) -> Names:
        token = uuid.uuid4().hex[:10]
        return cls(
            token=token,
            catalog=f"schemax_live_{token}",
            store=f"{store_catalog}.schemax_live_{token}_store",
            principal=os.environ.get("SCHEMAX_TEST_PRINCIPAL", "account users"),
            managed_location=os.environ.get("SCHEMAX_TEST_MANAGED_LOCATION") or None,
            python_udf=os.environ.get("SCHEMAX_TEST_PYTHON_UDF") != "0",
            owner=os.environ.get("SCHEMAX_TEST_OWNER") or None,
        )


# ---------------------------------------------------------------------------------------------------
# the two stages (pure: they only record ops)
# ---------------------------------------------------------------------------------------------------


def build_v1(p: schemax.Project, n: Names) -> None:
    """Every kind, every attribute."""
    who = n.principal
    with p.batch():
        # one prefix per run: the catalog under it, the probe schemas beside it (_probe_managed_location)
        location = f"{n.managed_location.rstrip('/')}/{n.catalog}/catalog" if n.managed_location else None
        p.create_catalog(
            LOGICAL, "schemax live tier", managed_location=location, properties={"purpose": "live"}
        )
        p.set_tags(LOGICAL, {"owner": "schemax", "stage": "v1"})
        p.grant(LOGICAL, who, ["USE CATALOG"])
        p.create_schema(SCHEMA, "Sales", properties={"team": "data", "retention": "7d"})
        p.set_tags(SCHEMA, {"domain": "sales"})
        p.grant(SCHEMA, who, ["USE SCHEMA"])

        p.create_function(
            f"{SCHEMA}.only_mine", "id > 0", parameters="id BIGINT", returns="BOOLEAN", comment="row filter"
        )
        p.create_function(f"{SCHEMA}.only_recent", "id > 100", parameters="id BIGINT", returns="BOOLEAN")
        p.create_function(
            f"{SCHEMA}.mask_email",
            "concat('***', right(e, 4))",
            parameters="e STRING",
            returns="STRING",
            comment="column mask",
        )
        p.create_function(
            f"{SCHEMA}.mask_all",
            "CASE WHEN k > 0 THEN '***' ELSE e END",
            parameters="e STRING, k BIGINT",
            returns="STRING",
        )
        p.grant(f"{SCHEMA}.mask_email", who, ["EXECUTE"])
        if n.python_udf:
            p.create_function(
                f"{SCHEMA}.py_double",
                "return x * 2",
                parameters="x INT",
                returns="INT",
                language="PYTHON",
                comment="a Python UDF",
            )

        p.create_table(
            f"{SCHEMA}.customers",
            [COL("id", "BIGINT", nullable=False), COL("name", "STRING", comment="who")],
            comment="Customers",
        )
        p.add_primary_key(f"{SCHEMA}.customers", ["id"], name="customers_pk")
        p.create_table(
            f"{SCHEMA}.orders",
            [
                COL("id", "BIGINT", nullable=False, comment="the id"),
                COL("customer_id", "BIGINT"),
                COL("email", "STRING", comment="contact", tags={"pii": "email"}),
                COL("amount", "DECIMAL(10,2)", default="0"),
                COL("qty", "INT"),
                COL("note", "STRING"),
                COL("day", "DATE"),
            ],
            comment="Orders",
            properties={"owner.team": "sales"},
            partition_by=["day"],
            tags={"tier": "gold"},
        )
        p.add_primary_key(f"{SCHEMA}.orders", ["id"], name="orders_pk")
        p.add_foreign_key(
            f"{SCHEMA}.orders", ["customer_id"], f"{SCHEMA}.customers", ["id"], name="orders_customer_fk"
        )
        p.add_check_constraint(f"{SCHEMA}.orders", "amount_pos", "amount >= 0")
        p.set_row_filter(f"{SCHEMA}.orders", "only_mine", ["id"])
        p.set_column_mask(f"{SCHEMA}.orders", "email", "mask_email")
        p.grant(f"{SCHEMA}.orders", who, ["SELECT"])
        p.create_table(
            f"{SCHEMA}.events",
            [COL("id", "BIGINT"), COL("kind", "STRING"), COL("at", "TIMESTAMP")],
            cluster_by=["kind"],
        )
        p.create_table(
            f"{SCHEMA}.ledger",
            [COL("id", "BIGINT"), COL("day", "DATE"), COL("v", "DOUBLE")],
            partition_by=["day"],
        )
        p.create_table(f"{SCHEMA}.scratch", [COL("x", "INT")], comment="dropped in v2")

        p.create_view(
            f"{SCHEMA}.big_orders",
            f"SELECT id, amount FROM {SCHEMA}.orders WHERE amount > 100",
            comment="Big orders",
            properties={"report": "yes"},
        )
        p.set_tags(f"{SCHEMA}.big_orders", {"kind": "report"})
        p.grant(f"{SCHEMA}.big_orders", who, ["SELECT"])

        p.create_volume(f"{SCHEMA}.files", comment="raw files")
        p.set_tags(f"{SCHEMA}.files", {"zone": "raw"})
        p.grant(f"{SCHEMA}.files", who, ["READ VOLUME"])
        build_v1_issue11(p, n)
    p.snapshot("every kind, every attribute", version=V1)


def build_v1_issue11(p: schemax.Project, n: Names) -> None:
    """Issue 11's statement classes: key options (RELY, TIMESERIES), CLUSTER BY AUTO, identity and
    generated columns, and owners (when ``SCHEMAX_TEST_OWNER`` names a principal the deployer may use)."""
    p.create_table(
        f"{SCHEMA}.ticks",
        [
            COL("id", "BIGINT", nullable=False, identity={"start": 1, "step": 1}),
            COL("ts", "TIMESTAMP", nullable=False),
            COL("day", "DATE", generated="CAST(ts AS DATE)"),
        ],
    )
    p.add_primary_key(f"{SCHEMA}.ticks", ["id", "ts"], name="ticks_pk", timeseries="ts", rely=True)
    p.create_table(f"{SCHEMA}.tick_marks", [COL("tick_id", "BIGINT"), COL("tick_ts", "TIMESTAMP")])
    p.add_foreign_key(
        f"{SCHEMA}.tick_marks", ["tick_id", "tick_ts"], f"{SCHEMA}.ticks", ["id", "ts"], name="tick_marks_fk",
        rely=True,
    )
    p.create_table(f"{SCHEMA}.auto_events", [COL("id", "BIGINT"), COL("kind", "STRING")], cluster_by="AUTO")
    if n.owner:
        for name in (SCHEMA, f"{SCHEMA}.customers", f"{SCHEMA}.big_orders", f"{SCHEMA}.files"):
            p.set_owner(name, n.owner)


def build_v2_issue11(p: schemax.Project, n: Names) -> None:
    """AUTO to explicit keys (the rollback goes back to AUTO)."""
    p.set_cluster_by(f"{SCHEMA}.auto_events", ["id"])


def build_v2(p: schemax.Project, n: Names) -> None:
    """A change of each: what the second deployment, and the rollback after it, run."""
    who, orders = n.principal, f"{SCHEMA}.orders"
    with p.batch():
        p.set_catalog_comment(LOGICAL, "schemax live tier, v2")
        p.set_tags(LOGICAL, {"stage": "v2"})
        p.unset_tags(LOGICAL, ["owner"])
        p.grant(LOGICAL, who, ["BROWSE"])
        p.set_schema_comment(SCHEMA, "Sales, v2")
        p.set_tags(SCHEMA, {"domain": "finance"})
        p.grant(SCHEMA, who, ["CREATE TABLE"])

        p.set_table_comment(orders, "Orders, v2")
        p.set_table_properties(orders, {"owner.team": "finance", "quality": "gold"})
        p.set_tags(orders, {"tier": "silver"})
        p.add_column(orders, "channel", "STRING", comment="web or app")
        p.rename_column(orders, "note", "memo")  # column mapping
        p.change_column_type(orders, "qty", "BIGINT")  # type widening
        p.set_column_nullable(orders, "customer_id", False)  # SET NOT NULL
        p.set_column_default(orders, "amount", "1")
        p.set_column_comment(orders, "email", "contact address")
        p.set_tags(f"{orders}.email", {"pii": "contact"})
        p.add_check_constraint(orders, "qty_pos", "qty >= 0")
        p.drop_constraint(orders, "amount_pos")
        p.set_column_mask(orders, "email", "mask_all", using=["id"])
        p.set_row_filter(orders, "only_recent", ["id"])
        p.grant(orders, who, ["MODIFY"])

        p.rename_table(f"{SCHEMA}.events", "events_v2")
        p.set_cluster_by(f"{SCHEMA}.events_v2", ["id"])
        p.set_partition_by(f"{SCHEMA}.ledger", [])  # a layout change: copy and swap
        p.drop_table(f"{SCHEMA}.scratch")

        # the definition changes, its tags and grant do not: they must survive the deployment
        p.update_view(f"{SCHEMA}.big_orders", f"SELECT id, amount, day FROM {orders} WHERE amount > 200")
        p.set_view_comment(f"{SCHEMA}.big_orders", "Bigger orders")

        p.rename_volume(f"{SCHEMA}.files", "files_v2")
        p.set_volume_comment(f"{SCHEMA}.files_v2", "curated files")
        p.set_tags(f"{SCHEMA}.files_v2", {"zone": "curated"})
        p.grant(f"{SCHEMA}.files_v2", who, ["WRITE VOLUME"])

        p.update_function(f"{SCHEMA}.only_mine", "id >= 0", parameters="id BIGINT", returns="BOOLEAN")
        p.set_function_comment(f"{SCHEMA}.only_mine", "row filter, v2")
        p.revoke(f"{SCHEMA}.mask_email", who, ["EXECUTE"])
        p.grant(f"{SCHEMA}.mask_all", who, ["EXECUTE"])
        if n.python_udf:
            p.update_function(
                f"{SCHEMA}.py_double", "return x + x", parameters="x INT", returns="INT", language="PYTHON"
            )
        build_v2_issue11(p, n)
    p.snapshot("a change of each", version=V2)


def hand_changes(n: Names) -> tuple[list[str], list[str]]:
    """(governance changed by hand after v2, the statements that put it back)."""
    cat, who = f"`{n.catalog}`", f"`{n.principal}`"
    orders = f"{cat}.`sales`.`orders`"
    change = [
        f"REVOKE MODIFY ON TABLE {orders} FROM {who}",
        f"ALTER TABLE {orders} DROP ROW FILTER",
        f"ALTER TABLE {orders} ALTER COLUMN `email` DROP MASK",
    ]
    restore = [
        f"GRANT MODIFY ON TABLE {orders} TO {who}",
        f"ALTER TABLE {orders} SET ROW FILTER {cat}.`sales`.`only_recent` ON (`id`)",
        f"ALTER TABLE {orders} ALTER COLUMN `email` SET MASK {cat}.`sales`.`mask_all` USING COLUMNS (`id`)",
    ]
    return change, restore


# ---------------------------------------------------------------------------------------------------
# probes: statement classes the project API cannot reach, planned between two hand-made states
# ---------------------------------------------------------------------------------------------------


def _probe_base(schemas: dict[str, dict[str, str]], location: str | None = None) -> State:
    p = schemax.Project.in_memory("probe", author="live")
    with p.batch():
        p.create_catalog(LOGICAL)
        for name, props in schemas.items():
            p.create_schema(f"{LOGICAL}.{name}", properties=props, managed_location=location)
        p.create_table(f"{LOGICAL}.a.t", [COL("x", "INT")])
    return p.state()


def _probe_schema_properties_unset(n: Names) -> tuple[State, State]:
    a = _probe_base({"a": {"keep": "1", "drop": "2"}})
    sid = next(iter(a.schemas))
    b = _with(a, schemas={sid: a.schemas[sid].evolve(properties={"keep": "1"})})
    return a, b


def _probe_managed_location(n: Names) -> tuple[State, State]:
    """A schema whose managed location moves (ALTER SCHEMA ... SET MANAGED LOCATION)."""
    root = (n.managed_location or "s3://unset").rstrip("/")
    a = _probe_base({"a": {}}, location=f"{root}/{n.catalog}/probe_a")
    sid = next(iter(a.schemas))
    b = _with(a, schemas={sid: a.schemas[sid].evolve(managed_location=f"{root}/{n.catalog}/probe_b")})
    return a, b


def _probe_table_move(n: Names) -> tuple[State, State]:
    a = _probe_base({"a": {}, "b": {}})
    target = next(s.id for s in a.schemas.values() if s.name == "b")
    tid = next(iter(a.tables))
    b = _with(a, tables={tid: a.tables[tid].evolve(schema_id=target)})
    return a, b


def _with(state: State, **maps: dict[str, Any]) -> State:
    """A new State (never model_copy: State caches name indexes) with some objects replaced."""
    fields_ = {
        k: dict(getattr(state, k)) for k in ("catalogs", "schemas", "tables", "views", "volumes", "functions")
    }
    for k, objs in maps.items():
        fields_[k].update(objs)
    return State(**fields_)


#: capability -> (before, after) states whose plan holds a statement of that class
PROBES: dict[str, Callable[[Names], tuple[State, State]]] = {
    "schema_properties_unset": _probe_schema_properties_unset,
    "managed_location": _probe_managed_location,
    "table_move": _probe_table_move,
}


# ---------------------------------------------------------------------------------------------------
# running it
# ---------------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one statement class did in the scenario."""

    ran: list[str] = field(default_factory=list)  # "<stage>: <sql>" of every applied statement
    failed: list[str] = field(default_factory=list)  # "<stage>: <sql> -> <error>"


@dataclass
class Stage:
    """One deployment (or the hand-made changes) and what was read back after it."""

    name: str
    error: str | None = None
    findings: list[Any] = field(default_factory=list)  # reader vs deployed state, the whole catalog
    drift: Any = None  # the environment's drift scan
    observed: Any = None  # ObservedCatalog of the whole catalog
    restored: Any = None  # hand changes only: the drift scan once they were undone by hand
    notes: list[str] = field(default_factory=list)


@dataclass
class Scenario:
    executor: Any
    workspace: Any
    names: Names
    project: Any = None
    classes: dict[str, Outcome] = field(default_factory=dict)
    shapes: dict[str, Outcome] = field(default_factory=dict)  # statement shape id -> what it did (issue 11)
    stages: dict[str, Stage] = field(default_factory=dict)
    stopped: str | None = None  # why the scenario did not reach its end

    def outcome(self, capability: str) -> Outcome:
        return self.classes.setdefault(capability, Outcome())

    def shape_outcome(self, sql: str) -> Outcome:
        """What the statements of ``sql``'s shape (core/uc_statements.py SHAPES) did."""
        _, shape = shape_of(sql)
        return self.shapes.setdefault(shape.id if shape else "?", Outcome())

    # -- the steps --------------------------------------------------------------------------------------
    def run(self) -> Scenario:
        steps: list[tuple[str, Callable[[], None]]] = [
            ("v1", lambda: self._deploy("v1", V1, lambda: build_v1(self.project, self.names))),
            ("v2", lambda: self._deploy("v2", V2, lambda: build_v2(self.project, self.names))),
            ("hand", self._hand_changes),
            ("rollback", lambda: self._deploy("rollback", V1, None, rollback=True)),
        ]
        try:
            self.project = schemax.Project.create(
                self.executor, f"live_{self.names.token}", store=self.names.store, author="schemax-live"
            )
            self.project.add_environment(ENV, {LOGICAL: self.names.catalog})
        except Exception as exc:  # noqa: BLE001 - recorded: every case reports it
            self.stopped = f"the project could not be created in {self.names.store}: {exc}"
            return self
        for name, step in steps:
            try:
                step()
            except Exception as exc:  # noqa: BLE001 - recorded: the cases say where it stopped
                self.stages.setdefault(name, Stage(name)).error = f"{type(exc).__name__}: {exc}"
                self.stopped = f"stage {name} failed: {type(exc).__name__}: {str(exc)[:500]}"
                log.exception("live scenario stopped at %s", name)
                break
        self._probes()
        return self

    def _deploy(
        self, stage: str, version: str, build: Callable[[], None] | None, *, rollback: bool = False
    ) -> None:
        p = self.project
        if build is not None:
            build()
        planned = p.plan(ENV, version)
        assert planned.unsupported == (), planned.unsupported
        result = self.stages.setdefault(stage, Stage(stage))
        result.notes = list(planned.notes)
        try:
            if rollback:
                dep = p.rollback(ENV, version)
            else:
                dep = p.deploy(ENV, version, allow_breaking=True)
        except ExecutionError:
            self._record_failed(stage, planned)
            raise
        for st in dep.plan.statements:
            self.outcome(st.capability).ran.append(f"{stage}: {st.sql}")
            self.shape_outcome(st.sql).ran.append(f"{stage}: {st.sql}")
        self._read_back(result, version)

    def _record_failed(self, stage: str, planned: Any) -> None:
        failed = next(d for d in self.project.history(ENV) if d.status == "failed")
        for rec in failed.statements:
            st = planned.statements[rec.seq - 1]
            if rec.status == "applied":
                self.outcome(st.capability).ran.append(f"{stage}: {st.sql}")
                self.shape_outcome(st.sql).ran.append(f"{stage}: {st.sql}")
            elif rec.status == "failed":
                self.outcome(st.capability).failed.append(f"{stage}: {st.sql} -> {rec.error}")
                self.shape_outcome(st.sql).failed.append(f"{stage}: {st.sql} -> {rec.error}")

    def _read_back(self, result: Stage, version: str) -> None:
        """The whole scratch catalog read back and compared with what ``version`` declares, then the
        environment's own drift scan."""
        from schemax.adapters.catalog_uc import UnityCatalogReader
        from schemax.services.drift import qualify_views, with_physical_view_sql

        p = self.project
        env = p.environment(ENV)
        logical = p.snapshot_at(version).state
        physical = with_physical_view_sql(
            logical, map_to_physical(logical, env.catalogs, env.schema_prefix), env
        )
        scope = [(self.names.catalog, None)]
        observed = qualify_views(
            UnityCatalogReader(self.executor, workspace_client=self.workspace).read(scope)
        )
        result.observed = observed
        result.findings = list(
            compare(physical, observed, scope=scope, expected_hashes=table_hashes(logical, physical)).findings
        )
        result.drift = p.check_drift(ENV)

    def _hand_changes(self) -> None:
        result = self.stages.setdefault("hand", Stage("hand"))
        change, restore = hand_changes(self.names)
        for sql in change:
            self.executor.execute(sql)
        result.drift = self.project.check_drift(ENV)
        for sql in restore:
            self.executor.execute(sql)
        result.restored = self.project.check_drift(ENV)

    def _probes(self) -> None:
        """Plan and run, between two hand-made states, each supported class nothing else reached."""
        for capability, states in PROBES.items():
            if not UNITY_CATALOG.supports(capability) or self.outcome(capability).ran:
                continue
            if optional_missing(capability):
                continue
            a, b = states(self.names)
            target = Target(catalogs={LOGICAL: self.names.catalog}, schema_prefix=f"probe_{capability}_")
            try:
                for stage, (before, after) in (("probe setup", (State(), a)), ("probe", (a, b))):
                    plan = build_plan(before, after, target, capabilities=UNITY_CATALOG)
                    for st in plan.statements:
                        try:
                            self.executor.execute(st.sql)
                        except Exception as exc:  # noqa: BLE001 - recorded for the class's case
                            self.outcome(st.capability).failed.append(
                                f"{stage} {capability}: {st.sql} -> {exc}"
                            )
                            raise SchemaxError(str(exc)) from exc
                        if stage == "probe":
                            self.outcome(st.capability).ran.append(f"{stage} {capability}: {st.sql}")
            except SchemaxError:
                continue

    # -- cleanup ----------------------------------------------------------------------------------------
    def cleanup(self) -> list[str]:
        """Drop the scratch catalog (with everything in it) and the store schema; the problems, if any."""
        problems = []
        for sql in (
            f"DROP CATALOG IF EXISTS `{self.names.catalog}` CASCADE",
            "DROP SCHEMA IF EXISTS " + ".".join(f"`{x}`" for x in self.names.store.split(".")) + " CASCADE",
        ):
            try:
                self.executor.execute(sql)
            except Exception as exc:  # noqa: BLE001 - reported, the other drop still runs
                problems.append(f"{sql}: {exc}")
        return problems


def capabilities_planned(names: Names) -> dict[str, set[str]]:
    """Offline: the statement classes each stage's plan holds (deploy v1, deploy v2, roll back to v1),
    planned for Unity Catalog on an in-memory project. No workspace needed."""
    p = schemax.Project.in_memory("live-offline", author="live")
    target = Target(catalogs={LOGICAL: names.catalog})
    build_v1(p, names)
    v1 = p.state()
    build_v2(p, names)
    v2 = p.state()
    out = {}
    for stage, (a, b) in {"v1": (State(), v1), "v2": (v1, v2), "rollback": (v2, v1)}.items():
        plan = build_plan(a, b, target, capabilities=UNITY_CATALOG)
        out[stage] = {st.capability for st in plan.statements}
    for capability, states in PROBES.items():
        a, b = states(names)
        out.setdefault("probe", set()).update(
            st.capability
            for st in build_plan(a, b, target, capabilities=UNITY_CATALOG).statements
            if st.capability == capability
        )
    return out


__all__ = [
    "ENV",
    "OPTIONAL",
    "PROBES",
    "Names",
    "Scenario",
    "build_v1",
    "build_v1_issue11",
    "build_v2",
    "build_v2_issue11",
    "capabilities_planned",
    "hand_changes",
    "optional_missing",
]
