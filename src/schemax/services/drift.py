"""Drift checks, scheduled scans and imports: the live catalog against what an environment should hold.

The expected state is the environment's last successful deployment, mapped to physical names. The live
catalog is read in bulk by the engine's :class:`~schemax.ports.CatalogReader` (a constant number of
queries per schema). Comparison is pure (``schemax.drift.compare``). Version drift is per table: each
table should carry the ``schemax.version`` of the deployment that last changed it, and the
``schemax.hash`` of its expected definition.

The service reads the project's records (:class:`~schemax.records.ProjectRecords`) and writes only drift
scans and, when a catalog is adopted, its baseline deployment. It never records design ops or snapshots:
:meth:`DriftService.drift_ops` and :meth:`DriftService.catalog_import` return the ops an import should
record, and the project records them (``Project.import_drift`` / ``Project.import_catalog``), then hands
an adopted import's snapshot back to :meth:`DriftService.adopt`.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, is_dataclass, replace
from typing import Any

from schemax.adapters.catalog_probe import SqlCatalogProbe
from schemax.adapters.catalog_spark import SparkCatalogReader
from schemax.adapters.catalog_uc import UnityCatalogReader
from schemax.core import kinds, tracking
from schemax.core.environment import DeploymentRecord, DriftScanRecord, Environment
from schemax.core.lineage import resolve, rewrite_relations
from schemax.core.model import State
from schemax.core.names import qualified
from schemax.core.naming import Naming, function_parts
from schemax.core.ops import Op, utc_now
from schemax.core.snapshot import Snapshot
from schemax.drift import DriftFinding, DriftReport, compare, declared_state, table_hashes
from schemax.drift.compare import sort_findings
from schemax.errors import (
    DriftDetectedError,
    EngineRequiredError,
    LocationTemplateError,
    NoCatalogMappingError,
    NotDeployedError,
)
from schemax.plan.capabilities import OSS_DELTA, EngineCapabilities
from schemax.plan.render import Ctx
from schemax.plan.render.restore import stamp_statements
from schemax.plan.statements import Target, Tracking
from schemax.plan.to_ops import ops_between
from schemax.ports import CatalogProbe, CatalogReader, SqlExecutor
from schemax.records import ProjectRecords
from schemax.services.deploy import deployed_state

log = logging.getLogger("schemax.drift")


class DriftService:
    """Drift for one project, through its engine.

    ``records`` is what the project holds (environments, snapshots, deployments in its store),
    ``executor`` the engine the live catalog is read through (None: every check refuses with
    ``EngineRequiredError``), ``capabilities`` what that engine can do (it picks the catalog reader unless
    ``reader`` is given), and ``author`` who an adopted baseline is recorded for.
    """

    def __init__(self, records: ProjectRecords, executor: SqlExecutor | None, *, author: str,
                 capabilities: EngineCapabilities | None = None, reader: CatalogReader | None = None,
                 workspace_client: Any = None, probe: CatalogProbe | None = None) -> None:
        self.records = records
        self._executor = executor
        self.author = author
        self.capabilities = capabilities
        self._reader = reader
        self._workspace_client = workspace_client
        self._probe = probe

    # -- reading --------------------------------------------------------------------------------------
    @property
    def executor(self) -> SqlExecutor:
        if self._executor is None:
            raise EngineRequiredError("drift", "drift needs a SQL engine: open the project with a "
                                      "SparkSession or an executor")
        return self._executor

    def reader(self) -> CatalogReader:
        """The catalog reader: the one given, else Unity Catalog's on an engine with catalog DDL, else
        Spark's (Delta checksum files in bulk)."""
        if self._reader is None:
            caps = self.capabilities
            if caps is not None and caps.has_catalog_ddl:
                self._reader = UnityCatalogReader(self.executor, workspace_client=self.workspace_client())
            else:
                self._reader = SparkCatalogReader(self.executor)
        return self._reader

    def probe(self) -> CatalogProbe:
        """The point questions an import asks the catalog (the schemas of a catalog): the one given, else
        over the executor."""
        if self._probe is None:
            self._probe = SqlCatalogProbe(self.executor)
        return self._probe

    def workspace_client(self) -> Any:
        """The SDK client the Unity Catalog reader takes table properties from in bulk: the one given, the
        SQL warehouse executor's, or on Databricks the runtime's own credentials. Without one the reader
        falls back to ``SHOW TBLPROPERTIES`` per table."""
        if self._workspace_client is None:
            self._workspace_client = getattr(self.executor, "ws", None) or _runtime_workspace_client()
        return self._workspace_client

    def expected(self, env: Environment) -> tuple[State, State, DeploymentRecord | None]:
        """(logical, physical) state the environment should hold, and the deployment that put it there."""
        deployed = deployed_state(self.records, env.name)
        logical = deployed.state
        physical = env.naming.map_state(logical)
        return logical, with_physical_view_sql(logical, physical, env), deployed.deployment

    def table_versions(self, env: Environment, physical: State) -> dict[str, str]:
        """Physical table name -> the version of the successful deployment that last changed it."""
        by_id: dict[str, str] = {}
        store, project = self.records.store, self.records.name
        records = sorted(self.records.deployments(env.name), key=lambda r: r.started_at)
        for rec in records:
            if rec.status != "success" or rec.to_version is None:
                continue
            if not rec.touched_tables and rec.statement_count:  # recorded before touched_tables existed
                for st in store.read_statements(project, rec.deployment_id):
                    if st.object_id and st.object_id.startswith("tbl_"):
                        by_id[st.object_id] = rec.to_version
            for tid in rec.touched_tables:
                by_id[tid] = rec.to_version
        return {physical.full_name(tid).lower(): v for tid, v in by_id.items() if tid in physical.tables}

    @staticmethod
    def scope(physical: State) -> list[tuple[str, str | None]]:
        return sorted({(physical.catalogs[s.catalog_id].name, s.name) for s in physical.schemas.values()})

    # -- checking -------------------------------------------------------------------------------------
    def check(self, env_name: str, *, record: bool = True, for_deploy: bool = False) -> DriftReport:
        """Compare the environment with the live catalog; the scan is recorded in ``drift_scans``."""
        self.executor  # noqa: B018 - no engine: refuse before anything is read
        with self.records.reading():  # one store read (project row, log tail, deployments) for the scan
            self.records.deployments(env_name)
            return self._check(env_name, record=record, for_deploy=for_deploy)

    def _check(self, env_name: str, *, record: bool, for_deploy: bool) -> DriftReport:
        env = self.records.environment(env_name)
        logical, physical, deployment = self.expected(env)
        if deployment is None:
            report = DriftReport(environment=env_name, notes=("nothing deployed yet: nothing to compare",))
        else:
            observed = qualify_views(self.reader().read(self.scope(physical)))
            report = compare(physical, observed, expected_hashes=table_hashes(logical, physical),
                             scope=self.scope(physical), environment=env_name)
            report = self._with_versions(report, env, physical, observed)
        if record:
            self.records.store.append_drift_scan(DriftScanRecord(
                project=self.records.name, scan_id=f"scan_{uuid.uuid4().hex[:16]}", environment=env_name,
                ts=utc_now(), status="drifted" if report.drifted else "clean",
                findings=[asdict(f) for f in report.findings],
                version=deployment.to_version if deployment else None))
        level = logging.WARNING if report.drifted else logging.INFO
        log.log(level, "drift scan of %s: %d finding(s)%s", env_name, len(report.findings),
                " (before deploy)" if for_deploy else "")
        return report

    def _with_versions(self, report: DriftReport, env: Environment, physical: State,
                       observed: Any) -> DriftReport:
        expected = self.table_versions(env, physical)
        obs_state: State = getattr(observed, "state", observed)
        extra = []
        for tid, table in obs_state.tables.items():
            name = obs_state.full_name(tid)
            want = expected.get(name.lower())
            if want is None:
                continue
            actual = table.properties.get(tracking.VERSION)
            if actual != want:
                extra.append(DriftFinding("table", name, "modified", want, actual, tracking.VERSION,
                                          owner=name))
        if not extra:
            return report
        return replace(report, findings=tuple(sort_findings([*report.findings, *extra])))

    def scan(self, env_name: str, *, raise_on_drift: bool = True) -> DriftReport:
        """For scheduled jobs: record the scan and raise DriftDetectedError (non-zero exit) on drift."""
        report = self.check(env_name, record=True)
        if report.drifted and raise_on_drift:
            raise DriftDetectedError(report)
        return report

    # -- importing ------------------------------------------------------------------------------------
    def observed_logical(self, env: Environment, reference: State,
                         scope: list[tuple[str, str | None]]) -> tuple[State, Any]:
        """The live catalog in logical names, with ids taken from ``reference`` wherever names match."""
        observed: Any = self.reader().read(scope)  # an ObservedCatalog (a bare State from simple readers)
        state = declared_state(getattr(observed, "state", observed))
        naming = env.naming  # views only: locations stay as written (an undefined variable is no bar)
        mapped = Naming(naming.catalogs, naming.schema_prefix, naming.principals).map_state(reference)
        physical = with_physical_view_sql(reference, mapped, env)
        rendered = {vid: v.definition for vid, v in physical.views.items()}
        return align(state, reference, env, unobserved=set(getattr(observed, "unobserved", ()) or ()),
                     rendered=rendered, partial=getattr(observed, "partial", None)), observed

    def drift_ops(self, env_name: str) -> list[Op]:
        """The ops that bring the project's working state to what the environment really holds (not
        recorded: ``Project.import_drift`` records them)."""
        self.executor  # noqa: B018 - no engine: refuse before anything is read
        env = self.records.environment(env_name)
        logical, physical, deployment = self.expected(env)
        if deployment is None:
            raise NotDeployedError(env_name, "drift",
                                   f"{env_name!r} has no deployment to compare with; use import_catalog")
        reality, _ = self.observed_logical(env, logical, self.scope(physical))
        return ops_between(logical, reality, author=self.author)

    def catalog_import(self, env_name: str, schemas: list[str] | None = None) -> ImportResult:
        """Reverse-engineer live catalogs/schemas of ``env`` into ops against the working state (not
        recorded: ``Project.import_catalog`` records them, and adopts them through :meth:`adopt`)."""
        env = self.records.environment(env_name)
        if not env.catalogs:
            raise NoCatalogMappingError(env_name)
        naming = env.naming
        scope: list[tuple[str, str | None]] = []
        for physical_cat in naming.physical_catalogs():
            if schemas:
                scope += [(physical_cat, naming.schema(s)) for s in schemas]
            else:
                for name in self.probe().schemas(physical_cat):
                    if naming.logical_schema(name) is not None and name != "information_schema":
                        scope.append((physical_cat, name))
        working = self.records.state()
        reality, observed = self.observed_logical(env, working, scope)
        merged = merge(working, reality)
        ops = ops_between(working, merged, author=self.author)
        return ImportResult(ops=ops, unrepresentable=list(getattr(observed, "unrepresentable", ()) or ()),
                            notes=list(getattr(observed, "notes", ()) or ()))

    def adopt(self, env_name: str, snap: Snapshot) -> None:
        """Record ``snap`` (an import's snapshot) as ``env``'s baseline deployment, so its next deploy is a
        no-op, and stamp the adopted tables with their version-tracking properties."""
        env = self.records.environment(env_name)
        rec = DeploymentRecord(
            deployment_id=f"dep_{uuid.uuid4().hex[:16]}", project=self.records.name, environment=env_name,
            status="success", kind="baseline", started_at=utc_now(), finished_at=utc_now(),
            deployed_by=self.author, to_version=snap.version, snapshot_id=snap.snapshot_id,
            touched_tables=tuple(sorted(snap.state.tables)))
        latest = self.records.deployments(env_name)
        rec = replace(rec, previous=latest[0].deployment_id if latest else None)
        self.records.store.begin_deployment(rec, [])
        self._stamp_versions(env, snap)

    def _stamp_versions(self, env: Environment, snap: Snapshot) -> None:
        """Write the version-tracking properties on adopted tables so the next scan sees no version drift
        (no deployment id or time: the baseline ran nothing)."""
        stamp = Tracking(version=snap.version, snapshot_id=snap.snapshot_id, environment=env.name,
                         deployment_id=None, deployed_at=None)
        target = Target.of(env.naming, stamp)
        for st in stamp_statements(target, snap.state):
            self.executor.execute(st.sql)


def _runtime_workspace_client() -> Any:
    """On Databricks (a notebook or job) the SDK authenticates from the runtime; elsewhere: None."""
    if not os.environ.get("DATABRICKS_RUNTIME_VERSION"):
        return None
    try:
        from databricks.sdk import WorkspaceClient  # optional engine package: only on a Databricks runtime

        return WorkspaceClient()
    except Exception as exc:  # noqa: BLE001 - any auth/config problem: fall back to per-table reads
        log.info("no workspace client on this runtime (%s); table properties are read per table", exc)
        return None


def _qualifier(catalog: str, schema: str) -> Callable[[Sequence[str]], str]:
    """Fully qualifies a relation a view in ``catalog.schema`` reads."""
    return lambda parts: qualified(*resolve(tuple(parts), catalog, schema))


def qualify_views(observed: Any) -> Any:
    """Observed view SQL with every relation fully qualified (as the planner renders it), so a view written
    with short names by hand and the same view deployed by schemax compare equal."""
    state: State = getattr(observed, "state", observed)
    if not state.views:
        return observed
    views = {}
    for vid, v in state.views.items():
        catalog, schema = state.path(v.schema_id)
        text = rewrite_relations(v.definition, _qualifier(catalog, schema))
        views[vid] = v.model_copy(update={"definition": text or v.definition})
    new_state = state.model_copy(update={"views": views})
    if is_dataclass(observed) and not isinstance(observed, type):
        return replace(observed, state=new_state)
    return new_state


def with_physical_view_sql(logical: State, physical: State, env: Environment) -> State:
    """Views as deployed: the planner maps the relations a view reads to physical names; so must drift."""
    if not logical.views:
        return physical
    target = Target.of(env.naming)
    ctx = Ctx(before=logical, after=logical, target=target, caps=OSS_DELTA)
    views = {vid: v.model_copy(update={"definition": ctx.map_sql(logical.views[vid].definition, v.schema_id,
                                                                  logical)[0]})
             for vid, v in physical.views.items()}
    return physical.model_copy(update={"views": views})


class ImportResult:
    """Ops recorded by an import, what could not be represented, and how the catalog was read."""

    def __init__(self, ops: list[Op], unrepresentable: list[str], notes: list[str]) -> None:
        self.ops = ops
        self.unrepresentable = unrepresentable
        self.notes = notes
        self.snapshot: str | None = None

    def __repr__(self) -> str:
        return (f"ImportResult({len(self.ops)} op(s), {len(self.unrepresentable)} unrepresentable, "
                f"snapshot={self.snapshot})")


def align(observed: State, reference: State, env: Environment, *, unobserved: set[str] = frozenset(),  # type: ignore[assignment]
          rendered: dict[str, str] | None = None,
          partial: Mapping[str, frozenset[str]] | None = None) -> State:
    """Observed state (physical names) -> logical names, reusing ``reference``'s ids where names match.

    Aspects the reader could not see (tags, grants, masks, row filters on open-source Spark; ``partial``:
    per object, by lower-case physical full name, e.g. a view definition or grants Unity Catalog hides
    from a non-owner) are taken from the matching reference object, so an import never "drops" what it
    simply cannot observe. Row filters and masks that were seen name their function in logical terms.
    """
    hidden_by_name = {k.lower(): set(v) for k, v in (partial or {}).items()}

    def blind(object_id: str) -> set[str]:
        return set(unobserved) | hidden_by_name.get(observed.full_name(object_id).lower(), set())

    naming = env.naming
    if naming.principals:  # owners and grants back in the project's principals (issue 11)
        observed = Naming(principals={v: k for k, v in naming.principals.items()}).map_principals(observed)
    # physical -> logical catalog for the functions of filters and masks: the mapped ones, and the
    # project's catalogs the environment does not map (they keep their name; their schemas are prefixed)
    fn_catalogs = {c.name.lower(): c.name for c in reference.catalogs.values()
                   if not naming.maps_catalog(c.name)}
    fn_catalogs.update({p.lower(): naming.logical_catalog(p) for p in naming.physical_catalogs()})
    ref_by_name = {reference.full_name(i).lower(): i
                   for k in kinds.top_level() for i in getattr(reference, k.state_field)}
    ids: dict[str, str] = {}
    names: dict[str, str] = {}
    catalogs, schemas, tables, views = {}, {}, {}, {}
    for cid, cat in observed.catalogs.items():
        logical = naming.logical_catalog(cat.name)
        names[cid] = logical
        new_id = ref_by_name.get(logical.lower(), cid)
        ids[cid] = new_id
        base_cat = reference.catalogs.get(new_id)
        catalogs[new_id] = (base_cat or cat).model_copy(update={
            "id": new_id, "name": base_cat.name if base_cat else logical,
            "comment": cat.comment if base_cat is None else base_cat.comment,
            "owner": _managed_owner(base_cat, cat)})
    for sid, sch in observed.schemas.items():
        logical_schema = naming.logical_schema(sch.name)
        if logical_schema is None:
            continue  # not a schema of this environment (its prefix differs)
        logical = logical_schema
        full = f"{names[sch.catalog_id]}.{logical}".lower()
        new_id = ref_by_name.get(full, sid)
        ids[sid], names[sid] = new_id, f"{names[sch.catalog_id]}.{logical}"
        base_schema = reference.schemas.get(new_id)
        keep = _unobserved_fields(base_schema, blind(sid))
        # a storage location the engine chose is not part of the declaration: copying it into the project
        # would make every other environment point at this environment's files
        schemas[new_id] = sch.model_copy(update={
            "id": new_id, "catalog_id": ids[sch.catalog_id], "name": logical,
            "managed_location": base_schema.managed_location if base_schema else None,
            # no catalog reader observes schema properties (DBPROPERTIES): keep the declared ones, or an
            # import would record unset_schema_properties for every declared key
            "properties": base_schema.properties if base_schema else sch.properties,
            "owner": _managed_owner(base_schema, sch), **keep})
    for tid, t in observed.tables.items():
        if t.schema_id not in ids:
            continue
        full = f"{names[t.schema_id]}.{t.name}".lower()
        new_id = ref_by_name.get(full, tid)
        base_table = reference.tables.get(new_id)
        col_ids = {c.name.lower(): c.id for c in base_table.columns} if base_table else {}
        cols = []
        hidden = blind(tid)
        for c in t.columns:
            cid = col_ids.get(c.name.lower(), c.id)
            bcol = base_table.column(cid) if base_table else None
            kept = _unobserved_fields(bcol, hidden, ("tags", "mask", "default"))
            cols.append(c.model_copy(update={"id": cid, **kept}))
        remap = {c.id: n.id for c, n in zip(t.columns, cols, strict=True)}
        if "column_masks" not in hidden:  # masks that were seen, in the project's terms
            where = observed.path(t.schema_id)
            cols = [_logical_mask(c, base_table, remap, env, fn_catalogs, where, reference) for c in cols]
        cons = []
        base_cons = {c.name.lower(): c for c in base_table.constraints} if base_table else {}
        for con in t.constraints:
            bc = base_cons.get(con.name.lower())
            options: dict[str, Any] = {"timeseries": remap.get(con.timeseries, con.timeseries)
                                       if con.timeseries else None}
            if "key_options" in hidden and bc is not None:  # not observed: the project's own
                options = {"rely": bc.rely, "not_enforced": bc.not_enforced, "timeseries": bc.timeseries}
            elif bc is not None:  # NOT ENFORCED is every Databricks key: the project's spelling stays
                options["not_enforced"] = bc.not_enforced
            cons.append(con.model_copy(update={"id": bc.id if bc else con.id,
                                               "columns": tuple(remap.get(x, x) for x in con.columns),
                                               **options}))
        keep = _unobserved_fields(base_table, hidden, ("tags", "grants", "row_filter"))
        if "row_filter" not in keep:
            keep["row_filter"] = _logical_ref(t.row_filter, base_table.row_filter if base_table else None,
                                              remap, env, fn_catalogs, observed.path(t.schema_id),
                                              reference.path(base_table.schema_id) if base_table else None)
        tables[new_id] = t.model_copy(update={
            "location": _logical_location(t.location if t.table_type == "EXTERNAL" else None,
                                          base_table.location if base_table else None, naming),
            "id": new_id, "schema_id": ids[t.schema_id], "columns": tuple(cols), "constraints": tuple(cons),
            "partition_by": tuple(remap.get(x, x) for x in t.partition_by),
            "cluster_by": tuple(remap.get(x, x) for x in t.cluster_by),
            "owner": _managed_owner(base_table, t), **keep})
    for vid, v in observed.views.items():
        if v.schema_id not in ids:
            continue
        new_id = ref_by_name.get(f"{names[v.schema_id]}.{v.name}".lower(), vid)
        base_view = reference.views.get(new_id)
        hidden = blind(vid)
        keep = _unobserved_fields(base_view, hidden, ("tags", "grants"))
        same = base_view is not None and (_same_sql(base_view.definition, v.definition)
                                     or _same_sql((rendered or {}).get(new_id, ""), v.definition)
                                     or "view_definition" in hidden)
        if same and base_view is not None:
            definition = base_view.definition
        else:
            definition = _logical_sql(v.definition, naming)
        views[new_id] = v.model_copy(update={"id": new_id, "schema_id": ids[v.schema_id],
                                             "definition": definition,
                                             "owner": _managed_owner(base_view, v), **keep})
    aligned: dict[str, dict[str, Any]] = {"catalogs": catalogs, "schemas": schemas, "tables": tables,
                                          "views": views}
    # the other schema children (volumes, functions): engines that cannot read them report them
    # unobserved; keep the reference's
    for k in kinds.schema_children():
        aligned.setdefault(k.state_field, {i: o for i, o in getattr(reference, k.state_field).items()
                                           if o.schema_id in schemas})
    return State(**aligned)


def _logical_location(observed: str | None, declared: str | None, naming: Naming) -> str | None:
    """The location an import records: the project's own (a template such as
    ``s3://${env.storage_root}/sales``, issue 11) when it resolves, for this environment, to the observed
    path (compared as drift compares them, without a trailing ``/``), else the observed path. A template
    the environment cannot resolve is not kept: the observed path is what there is."""
    if observed is None or declared is None:
        return observed
    try:
        resolved = naming.resolve_location(declared)
    except LocationTemplateError:
        return observed
    return declared if (resolved or "").rstrip("/") == observed.rstrip("/") else observed


def _managed_owner(base: Any, observed: Any) -> str | None:
    """The owner an import records: the live one where the project manages the object's owner, else none
    (an import never starts managing owners: every object has one, mostly whoever created it)."""
    return observed.owner if base is not None and base.owner is not None else None


def _logical_sql(sql: str, naming: Naming) -> str:
    """A view's SQL as read from the engine (physical names) with its relations back in logical names."""
    def rename(parts: tuple[str, ...]) -> str | None:
        if len(parts) == 3:
            return qualified(naming.logical_catalog(parts[0]), naming.unprefixed(parts[1]), parts[2])
        if len(parts) == 2:
            return qualified(naming.unprefixed(parts[0]), parts[1])
        return None

    return rewrite_relations(sql, rename) or sql


def _same_sql(a: str, b: str) -> bool:
    return " ".join(a.split()).lower() == " ".join(b.split()).lower()


def _unobserved_fields(base: Any, unobserved: set[str],
                       fields: tuple[str, ...] = ("tags", "grants")) -> dict[str, Any]:
    if base is None:
        return {}
    aspect = {"tags": "tags", "grants": "grants", "mask": "column_masks", "row_filter": "row_filters",
              "default": "column_defaults"}
    return {f: getattr(base, f) for f in fields if aspect[f] in unobserved or f in unobserved}


def _logical_ref(ref: Any, base: Any, remap: dict[str, str], env: Environment, catalogs: dict[str, str],
                 where: tuple[str, ...], base_where: tuple[str, ...] | None) -> Any:
    """An observed row filter or mask (physical function name, observed column ids) in the project's terms:
    the reference's own when it names the same function with the same columns, else the function's
    logical name (``catalogs``: lower-case physical -> logical catalog the project manages) and the
    aligned column ids."""
    if ref is None:
        return None
    cols_field = "columns" if hasattr(ref, "columns") else "using_columns"
    cols = tuple(remap.get(x, x) for x in getattr(ref, cols_field))
    seen = function_parts(ref.function, *where[:2])
    if base is not None and base_where is not None and getattr(base, cols_field) == cols:
        known = {base_where[0]}  # and the catalogs the environment maps
        mine = function_parts(
            env.naming.physical_function(base.function, base_where[0], base_where[1], known), *where[:2])
        if seen and mine and [p.lower() for p in seen] == [p.lower() for p in mine]:
            return base
    if seen is None:
        return ref.model_copy(update={cols_field: cols})
    cat, sch, fn = seen
    if cat.lower() in catalogs:
        cat = catalogs[cat.lower()]
        sch = env.naming.unprefixed(sch)
    return ref.model_copy(update={"function": qualified(cat, sch, fn), cols_field: cols})


def _logical_mask(col: Any, base_table: Any, remap: dict[str, str], env: Environment,
                  catalogs: dict[str, str], where: tuple[str, ...], reference: State) -> Any:
    """A column whose observed mask is put in the project's terms (see :func:`_logical_ref`)."""
    if col.mask is None:
        return col
    base_col = base_table.column(col.id) if base_table is not None else None
    mask = _logical_ref(col.mask, base_col.mask if base_col is not None else None, remap, env, catalogs,
                        where, reference.path(base_table.schema_id) if base_table is not None else None)
    return col.model_copy(update={"mask": mask})


def merge(working: State, reality: State) -> State:
    """``working`` with every object of ``reality`` added or replaced (by id); nothing is removed."""
    merged = {k.state_field: {**getattr(working, k.state_field), **getattr(reality, k.state_field)}
              for k in kinds.top_level()}
    # a catalog keeps the working state's definition: reality only adds the catalogs it lacks
    merged["catalogs"] = {**working.catalogs,
                          **{k: v for k, v in reality.catalogs.items() if k not in working.catalogs}}
    return State(**merged)


__all__ = ["DriftService", "ImportResult", "align", "merge"]
