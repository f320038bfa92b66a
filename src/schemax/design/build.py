"""The state design files describe, built against a working state: :func:`build_target`.

The files are merged first (a catalog may be listed in several files, each object is defined once), then
every object is matched to the working state's object of the same kind by its logical name under the
same parent (case-insensitive, as :meth:`~schemax.core.model.State.find` resolves names), or else by its
``renamed_from``, and takes that object's stable id; an object matched by neither gets a new id. The
target state is then built by recording create ops into an empty state (so types, privileges and
definitions are normalized and the Unity Catalog rules are checked exactly as for any recorded op), each
op remembering the file, line and column it comes from, so a refusal names them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from schemax.core import kinds
from schemax.core.model import KIND_PREFIX, State
from schemax.core.names import InvalidIdentifierError, validate_column_name
from schemax.core.ops import Op, key_options, new_id, payload_model
from schemax.core.replay import StateBuilder
from schemax.core.types import TypeParseError, normalize_type
from schemax.design.format import CATALOG_ATTRIBUTES, KIND_LISTS, CatalogSpec, SchemaSpec, TableSpec, ViewSpec
from schemax.design.loader import DesignFile, Path_
from schemax.errors import DesignFileError, DuplicateDefinitionError, RuleViolationError, ValidationError


@dataclass(frozen=True)
class Where:
    """A place in a design file: the file and the path of a value in it."""

    file: DesignFile
    path: Path_

    def at(self, *more: str | int) -> Where:
        return Where(self.file, (*self.path, *more))

    def error(self, reason: str, *, key: bool = False) -> DesignFileError:
        return self.file.error(self.path, reason, key=key)

    def label(self) -> str:
        line, column = self.file.position(self.path)
        return f"{self.file.name}:{line}:{column}"

    def duplicate(self, first: Where, reason: str) -> DuplicateDefinitionError:
        line, column = self.file.position(self.path)
        other_line, other_column = first.file.position(first.path)
        return DuplicateDefinitionError(self.file.name, line, column, reason, first.file.name, other_line,
                                        other_column)


@dataclass
class Target:
    """The state the files describe, and where each of its objects (columns and constraints too) is
    defined."""

    state: State
    where: dict[str, Where] = field(default_factory=dict)

    def error_for(self, object_id: str, reason: str) -> DesignFileError:
        where = self.where.get(object_id)
        if where is None:
            owner = self.state.column_owner(object_id) or self.state.constraint_owner(object_id)
            where = self.where.get(owner.id) if owner is not None else None
        if where is None:  # an object the files no longer hold (a drop): the files as a whole
            first = next(iter(self.where.values()), None)
            if first is None:
                return DesignFileError("<design>", 1, 1, reason)
            return DesignFileError(first.file.name, 1, 1, reason)
        return where.error(reason)


# ---------------------------------------------------------------------------------------------------
# merging the files
# ---------------------------------------------------------------------------------------------------


@dataclass
class _Catalog:
    spec: CatalogSpec  # the defining entry (or the first mention)
    where: Where
    defined: Where | None
    schemas: list[tuple[SchemaSpec, Where]] = field(default_factory=list)


def _defines(spec: CatalogSpec) -> bool:
    return bool(spec.model_fields_set & set(CATALOG_ATTRIBUTES))


def merge(files: Sequence[DesignFile]) -> list[_Catalog]:
    """The catalogs of all files, each with its schemas from every file, in the order first seen.

    A catalog's attributes given in two entries, or a schema defined twice, is a DuplicateDefinitionError
    naming both places.
    """
    catalogs: dict[str, _Catalog] = {}
    schemas: dict[tuple[str, str], Where] = {}
    for file in files:
        for i, spec in enumerate(file.document.catalogs):
            where = Where(file, ("catalogs", i))
            key = spec.name.lower()
            entry = catalogs.get(key)
            if entry is None:
                entry = catalogs[key] = _Catalog(spec, where, where if _defines(spec) else None)
            elif _defines(spec):
                if entry.defined is not None:
                    raise where.duplicate(entry.defined, f"catalog {spec.name!r} is defined twice: give its "
                                          f"{', '.join(CATALOG_ATTRIBUTES)} in one file only")
                entry.spec, entry.defined = spec, where
            for j, schema in enumerate(spec.schemas):
                swhere = where.at("schemas", j)
                skey = (key, schema.name.lower())
                if skey in schemas:
                    raise swhere.duplicate(schemas[skey],
                                           f"schema {spec.name}.{schema.name} is defined twice")
                schemas[skey] = swhere
                entry.schemas.append((schema, swhere))
    return list(catalogs.values())


# ---------------------------------------------------------------------------------------------------
# matching names to the working state's ids
# ---------------------------------------------------------------------------------------------------

Named = tuple[str, "str | None", Where]  # (name, renamed_from, where)


def _unique(items: Sequence[Named], what: str) -> None:
    seen: dict[str, Where] = {}
    for name, _, where in items:
        if name.lower() in seen:
            raise where.duplicate(seen[name.lower()], f"{what} {name!r} is defined twice")
        seen[name.lower()] = where


def match(items: Sequence[Named], existing: dict[str, str], what: str, parent: str) -> list[str | None]:
    """The working state's id for each item (``existing``: lower-cased name -> id of the objects of one kind
    under one parent): the object of the same name, else the one its ``renamed_from`` names; None for a
    new object. An object is matched once: ``renamed_from`` naming an object that is still defined under
    its own name is an error."""
    _unique(items, what)
    ids: list[str | None] = [existing.get(name.lower()) for name, _, _ in items]
    by_id = {oid: k for k, oid in enumerate(ids) if oid is not None}
    for k, (_, old, where) in enumerate(items):
        if ids[k] is not None or old is None:
            continue
        if "." in old:
            raise where.at("renamed_from").error(
                f"renamed_from {old!r}: a {what} is renamed within its {parent} (a bare name); moving it "
                f"to another {parent} is no rename an op can record")
        found = existing.get(old.lower())
        if found is None:
            continue  # nothing of that name (any more): a new object
        if found in by_id:
            other = items[by_id[found]][2]
            raise where.at("renamed_from").error(
                f"renamed_from {old!r}: {what} {old!r} is still defined under that name at {other.label()}; "
                "rename it in one sync and define the new one in the next")
        ids[k] = found
        by_id[found] = k
    return ids


class _Index:
    """The working state's objects by (parent id, kind, lower-cased name)."""

    def __init__(self, state: State) -> None:
        self.names: dict[tuple[str, str], dict[str, str]] = {}
        for c in state.catalogs.values():
            self._add("", "catalog", c.name, c.id)
        for s in state.schemas.values():
            self._add(s.catalog_id, "schema", s.name, s.id)
        for kind in kinds.schema_children():
            for o in getattr(state, kind.state_field).values():
                self._add(o.schema_id, kind.name, o.name, o.id)
        for t in state.tables.values():
            for col in t.columns:
                self._add(t.id, "column", col.name, col.id)
            for con in t.constraints:
                self._add(t.id, "constraint", con.name, con.id)

    def _add(self, parent: str, kind: str, name: str, oid: str) -> None:
        self.names.setdefault((parent, kind), {})[name.lower()] = oid

    def under(self, parent: str | None, kind: str) -> dict[str, str]:
        return self.names.get((parent, kind), {}) if parent is not None else {}


# ---------------------------------------------------------------------------------------------------
# building the target state
# ---------------------------------------------------------------------------------------------------


def _grants(grants: dict[str, list[str]]) -> list[tuple[str, list[str]]]:
    return sorted(grants.items())


S = TypeVar("S", bound=Any)


class _Builder:
    def __init__(self, working: State, author: str) -> None:
        self.index = _Index(working)
        self.author = author
        self.builder = StateBuilder()
        self.where: dict[str, Where] = {}

    def record(self, kind: str, target: str, payload: dict[str, Any], where: Where) -> None:
        op = Op.new(kind, target, payload, author=self.author)
        try:
            self.builder.record(op)
        except RuleViolationError as exc:
            raise where.error(f"{exc.reason} [rule {exc.rule}: {exc.source}]") from None
        except ValidationError as exc:
            raise where.error(exc.reason) from None

    def matched(self, specs: Sequence[S], where: Where, parent: str | None, kind: str, parent_kind: str
                ) -> list[tuple[S, Where, str]]:
        """(spec, where, id) for specs of one kind under one parent (``where``: the list holding them): the
        id of the working state's object each matches (see :func:`match`), or a new one."""
        items = [(spec, where.at(i)) for i, spec in enumerate(specs)]
        named = [(spec.name, getattr(spec, "renamed_from", None), w) for spec, w in items]
        found = match(named, self.index.under(parent, kind), kind, parent_kind)
        out = []
        for (spec, w), oid in zip(items, found, strict=True):
            chosen = oid or new_id(KIND_PREFIX[kind])
            self.where[chosen] = w
            out.append((spec, w, chosen))
        return out

    def governance(self, kind: str, oid: str, spec: Any, where: Where) -> None:
        """The tags (when the kind has them and the create op does not carry them) and grants of an object."""
        tags = getattr(spec, "tags", None)
        if tags and kind not in ("table",):
            self.record(f"set_{kind}_tags", oid, {"tags": dict(tags)}, where.at("tags"))
        for principal, privileges in _grants(spec.grants):
            self.record("grant", oid, {"principal": principal, "privileges": list(privileges)},
                        where.at("grants", principal))
        if getattr(spec, "owner", None) is not None:
            self.record("set_owner", oid, {"owner": spec.owner}, where.at("owner"))

    # -- the tree ----------------------------------------------------------------------------------
    def build(self, catalogs: Sequence[_Catalog]) -> Target:
        named = [(c.spec.name, c.spec.renamed_from, c.defined or c.where) for c in catalogs]
        cat_ids = match(named, self.index.under("", "catalog"), "catalog", "project")
        tables: list[tuple[str, TableSpec, Where, str, str]] = []  # (id, spec, where, catalog, schema)
        others: list[Callable[[], None]] = []
        views: list[tuple[str, str, ViewSpec, Where]] = []
        for cat, found in zip(catalogs, cat_ids, strict=True):
            spec, where = cat.spec, cat.defined or cat.where
            cid = found or new_id(KIND_PREFIX["catalog"])
            self.where[cid] = where
            self.record("create_catalog", cid, {
                "name": spec.name, "comment": spec.comment, "managed_location": spec.managed_location,
                "properties": dict(spec.properties)}, where)
            self.governance("catalog", cid, spec, where)
            for schema, swhere, sid in self._schemas(cat, cid):
                self.record("create_schema", sid, {
                    "catalog_id": cid, "name": schema.name, "comment": schema.comment,
                    "managed_location": schema.managed_location, "properties": dict(schema.properties)},
                    swhere)
                self.governance("schema", sid, schema, swhere)
                self._children(spec.name, schema, swhere, sid, tables, others, views)
        for tid, table, twhere, _, _ in tables:
            if table.primary_key is not None:
                self._primary_key(tid, table, twhere)
        for tid, table, twhere, cname, sname in tables:
            self._foreign_keys(tid, table, twhere, cname, sname)
            self._checks(tid, table, twhere)
        for action in others:
            action()
        self._views(views)
        return Target(self.builder.build(), self.where)

    def _children(self, catalog: str, schema: SchemaSpec, where: Where, sid: str,
                  tables: list[tuple[str, TableSpec, Where, str, str]], others: list[Callable[[], None]],
                  views: list[tuple[str, str, ViewSpec, Where]]) -> None:
        # tables and views share one namespace: a name given to both is caught when the second is created
        for table, twhere, tid in self.matched(schema.tables, where.at("tables"), sid, "table", "schema"):
            self._table(sid, tid, table, twhere)
            tables.append((tid, table, twhere, catalog, schema.name))
        for view, vwhere, vid in self.matched(schema.views, where.at("views"), sid, "view", "schema"):
            views.append((sid, vid, view, vwhere))
        # every other schema child (volumes, functions, any new kind): its create op from its spec's keys
        for kind in kinds.schema_children():
            if kind.name in ("table", "view"):
                continue
            key = KIND_LISTS[kind.name][1][0]
            fields = [f for f in payload_model(f"create_{kind.name}").model_fields if f != "schema_id"]
            specs = getattr(schema, key)
            for spec, swhere, oid in self.matched(specs, where.at(key), sid, kind.name, "schema"):
                def create(spec: Any = spec, oid: str = oid, swhere: Where = swhere, kind: str = kind.name,
                           fields: list[str] = fields) -> None:
                    payload = {"schema_id": sid, **{f: getattr(spec, f) for f in fields}}
                    self.record(f"create_{kind}", oid, payload, swhere)
                    self.governance(kind, oid, spec, swhere)
                others.append(create)

    def _schemas(self, cat: _Catalog, cid: str) -> list[tuple[SchemaSpec, Where, str]]:
        named = [(s.name, s.renamed_from, w) for s, w in cat.schemas]
        found = match(named, self.index.under(cid, "schema"), "schema", "catalog")
        out = []
        for (schema, swhere), oid in zip(cat.schemas, found, strict=True):
            sid = oid or new_id(KIND_PREFIX["schema"])
            self.where[sid] = swhere
            out.append((schema, swhere, sid))
        return out

    # -- tables ------------------------------------------------------------------------------------
    def _column_ids(self, tid: str, names: Sequence[str], where: Where, what: str) -> list[str]:
        table = self.builder.tables[tid]
        out = []
        for i, name in enumerate(names):
            col = table.column_named(name)
            if col is None:
                raise where.at(i).error(f"{what}: table {table.name!r} has no column {name!r}")
            out.append(col.id)
        return out

    def _table(self, sid: str, tid: str, table: TableSpec, where: Where) -> None:
        cols = self.matched(table.columns, where.at("columns"), tid, "column", "table")
        for col, cwhere, _ in cols:  # pointed at the column, not at the table the create op is for
            try:
                validate_column_name(col.name)
            except InvalidIdentifierError as exc:
                raise cwhere.at("name").error(str(exc)) from None
            try:
                normalize_type(col.type)
            except TypeParseError as exc:
                raise cwhere.at("type").error(f"column {col.name!r}: {exc}") from None
        columns = [{"id": cid, "name": c.name, "type": c.type, "nullable": c.nullable, "comment": c.comment,
                    "default": c.default, "tags": dict(c.tags),
                    **({"generated": c.generated} if c.generated is not None else {}),
                    **({"identity": c.identity.model_dump()} if c.identity is not None else {})}
                   for c, _, cid in cols]
        by_name = {c.name.lower(): cid for c, _, cid in cols}

        def layout(names: list[str], key: str) -> list[str]:
            missing = [i for i, n in enumerate(names) if n.lower() not in by_name]
            if missing:
                raise where.at(key, missing[0]).error(f"{key}: table {table.name!r} has no column "
                                                      f"{names[missing[0]]!r}")
            return [by_name[n.lower()] for n in names]

        self.record("create_table", tid, {
            "schema_id": sid, "name": table.name, "columns": columns, "comment": table.comment,
            "table_type": table.table_type, "format": table.format, "location": table.location,
            "properties": dict(table.properties), "partition_by": layout(table.partition_by, "partition_by"),
            "cluster_by": [] if table.cluster_by == "AUTO" else layout(table.cluster_by, "cluster_by"),
            "tags": dict(table.tags),
            **({"cluster_auto": True} if table.cluster_by == "AUTO" else {})}, where)
        for col, cwhere, cid in cols:
            if col.mask is not None:
                mwhere = cwhere.at("mask")
                using = self._column_ids(tid, col.mask.using_columns, mwhere.at("using_columns"),
                                         "mask using_columns")
                self.record("set_column_mask", cid, {"function": col.mask.function, "using_columns": using},
                            mwhere)
        if table.row_filter is not None:
            rwhere = where.at("row_filter")
            filtered = self._column_ids(tid, table.row_filter.columns, rwhere.at("columns"), "row filter")
            self.record("set_row_filter", tid, {"function": table.row_filter.function, "columns": filtered},
                        rwhere)
        self.governance("table", tid, table, where)

    def _constraint_id(self, tid: str, name: str, where: Where) -> str:
        found = self.index.under(tid, "constraint").get(name.lower())
        oid = found if found is not None and found not in self.where else new_id(KIND_PREFIX["constraint"])
        self.where[oid] = where
        return oid

    def _check_constraint_names(self, table: TableSpec, where: Where) -> None:
        names: list[Named] = []
        if table.primary_key is not None:
            names.append((table.primary_key.name or f"{table.name}_pk", None, where.at("primary_key")))
        for i, fk in enumerate(table.foreign_keys):
            names.append((fk.name or _fk_name(table.name, fk.columns), None, where.at("foreign_keys", i)))
        for i, check in enumerate(table.checks):
            names.append((check.name, None, where.at("checks", i)))
        _unique(names, "constraint")

    def _primary_key(self, tid: str, table: TableSpec, where: Where) -> None:
        self._check_constraint_names(table, where)
        pk = table.primary_key
        assert pk is not None
        pwhere = where.at("primary_key")
        name = pk.name or f"{table.name}_pk"
        cols = self._column_ids(tid, pk.columns, pwhere.at("columns"), "primary key")
        timeseries = None
        if pk.timeseries is not None:
            col = self.builder.tables[tid].column_named(pk.timeseries)
            if col is None:
                raise pwhere.at("timeseries").error(
                    f"primary key: table {table.name!r} has no column {pk.timeseries!r}")
            timeseries = col.id
        options = key_options(rely=pk.rely, not_enforced=pk.not_enforced, timeseries=timeseries)
        self.record("add_primary_key", self._constraint_id(tid, name, pwhere),
                    {"table_id": tid, "name": name, "columns": cols, **options}, pwhere)

    def _foreign_keys(self, tid: str, table: TableSpec, where: Where, catalog: str, schema: str) -> None:
        if table.primary_key is None:
            self._check_constraint_names(table, where)
        for i, fk in enumerate(table.foreign_keys):
            fwhere = where.at("foreign_keys", i)
            ref = fk.references
            parts = [ref.catalog or catalog, ref.schema_ or schema, ref.table]
            ref_id = self.builder.find(parts, ("table",))
            if ref_id is None or ref_id not in self.builder.tables:
                raise fwhere.at("references", "table").error(
                    f"foreign key references table {'.'.join(parts)!r}, which the design files do not define")
            name = fk.name or _fk_name(table.name, fk.columns)
            cols = self._column_ids(tid, fk.columns, fwhere.at("columns"), "foreign key")
            ref_cols = self._column_ids(ref_id, ref.columns, fwhere.at("references", "columns"),
                                        "foreign key references")
            self.record("add_foreign_key", self._constraint_id(tid, name, fwhere), {
                "table_id": tid, "name": name, "columns": cols, "ref_table": ref_id, "ref_columns": ref_cols,
                **key_options(rely=fk.rely),
            }, fwhere)

    def _checks(self, tid: str, table: TableSpec, where: Where) -> None:
        for i, check in enumerate(table.checks):
            cwhere = where.at("checks", i)
            self.record("add_check_constraint", self._constraint_id(tid, check.name, cwhere),
                        {"table_id": tid, "name": check.name, "expression": check.expression}, cwhere)

    # -- views: after every table, volume and function, each once the ones it may read exist ------------
    def _views(self, views: list[tuple[str, str, ViewSpec, Where]]) -> None:
        pending = list(views)
        while pending:
            failed: list[tuple[tuple[str, str, ViewSpec, Where], DesignFileError]] = []
            for item in pending:
                sid, vid, view, vwhere = item
                try:
                    self.record("create_view", vid, {
                        "schema_id": sid, "name": view.name, "definition": view.definition,
                        "comment": view.comment, "properties": dict(view.properties)}, vwhere)
                except DesignFileError as exc:
                    failed.append((item, exc))
                    continue
                self.governance("view", vid, view, vwhere)
            if len(failed) == len(pending):
                raise failed[0][1]
            pending = [item for item, _ in failed]


def _fk_name(table: str, columns: Sequence[str]) -> str:
    """The name :meth:`Project.add_foreign_key` gives a foreign key without one."""
    return f"{table}_{'_'.join(columns)}_fk"


def build_target(working: State, files: Sequence[DesignFile], *, author: str = "schemax") -> Target:
    """The state ``files`` describe, with the ids of ``working``'s objects they match (see the module
    docstring). DesignFileError (file, line, column) for anything the files hold that no op can record."""
    return _Builder(working, author).build(merge(files))


__all__ = ["Target", "Where", "build_target", "match", "merge"]
