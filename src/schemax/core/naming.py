"""Logical ↔ physical names: the one place an environment's catalog mapping and schema prefix are applied.

A project's state uses logical names (``shop.sales.orders``); an environment maps logical catalogs to
physical ones (``shop -> dev_shop``) and may prefix every schema name (``pr7_``), so two environments can
share one physical catalog (local Spark has only ``spark_catalog``). Ids never change: a state mapped to
physical names (:meth:`Naming.map_state`) is compared with the observed catalog by name and traced back
to the project's objects by id.

Everything that maps names goes through :class:`Naming`: the planner (``plan.statements.Target`` and the
renderer's ``Ctx``), ``Environment.physical_catalog`` / ``physical_schema``, the names a deployment
records and a data rollback restores, drift's expected state, and the inverse an import reads the live
catalog back with (:meth:`Naming.logical_catalog`, :meth:`Naming.logical_schema`).

Case rules:

* logical catalog names are case-insensitive (a project cannot hold ``Shop`` and ``shop``), so a mapping
  key matches a logical catalog in any casing; the key spelled exactly like the logical name wins, else
  the first matching key in sorted order. An environment whose keys differ only in case is refused when
  it is added or changed (:func:`case_conflicts`), so that rule only decides for a mapping built by hand;
* a physical catalog is matched case-insensitively when read back; when two logical catalogs map to the
  same physical one, the later mapping entry wins (as the mapping lists them);
* the schema prefix is prepended as written and stripped only where a name starts with it exactly.

Quoting is :mod:`schemax.core.names` (:func:`~schemax.core.names.quote_ident`,
:func:`~schemax.core.names.qualified`): :meth:`Naming.name` is the back-quoted physical full name.

The functions a row filter or a column mask names are mapped too, the way the planner renders them
(:func:`physical_function`): a project writes ``mask_email`` or ``shop.sales.mask_email``, the catalog
reports ``dev_shop.pr1_sales.mask_email``.

Storage locations (issue 11) are templates resolved per environment: a catalog's or schema's managed
location and a table's or volume's location may name the environment's variables as ``${env.NAME}``
(``s3://${env.storage_root}/sales``), so dev, test and prod never write to one path. NAME is a letter or
``_`` then letters, digits or ``_``, matched exactly (case-sensitive); a ``$`` not followed by ``{`` is
kept as written, and any other ``${...}`` is refused (:class:`~schemax.errors.LocationTemplateError`), so
a typo never reaches a path. Resolution is pure: :meth:`Naming.resolve_location` and
:meth:`Naming.map_locations` (the planner and drift's expected state); a variable the environment does not
define is :class:`~schemax.errors.UnknownVariableError`, raised before anything runs. A naming without
variables (``variables=None``: logical names, ``Project.diff``) keeps every location as written.
:func:`shared_locations` resolves a state for every environment and lists the paths two environments would
share. Unity Catalog refuses overlapping paths within a metastore ("Tables can't overlap other tables",
"Managed storage locations can't overlap each other", "External tables can't overlap managed storage
locations": https://docs.databricks.com/data-governance/unity-catalog/paths.html); across environments the
same path means one environment writes another's files.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from schemax.core import kinds
from schemax.core.model import State, Table
from schemax.core.names import InvalidIdentifierError, qualified, split_qualified
from schemax.errors import LocationTemplateError, UnknownVariableError

#: the fields of a state's objects that hold a storage path (a template before it is resolved):
#: catalogs' and schemas' ``MANAGED LOCATION`` (CREATE CATALOG / CREATE SCHEMA,
#: https://docs.databricks.com/connect/unity-catalog/cloud-storage/managed-storage.html), tables' and
#: volumes' ``LOCATION`` (https://docs.databricks.com/tables/external,
#: https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-create-volume.html)
LOCATION_FIELDS = ("managed_location", "location")

_REFERENCE = re.compile(r"\$\{([^}]*)\}")
_VARIABLE = re.compile(r"env\.([A-Za-z_][A-Za-z0-9_]*)")
VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def template_variables(template: str) -> tuple[str, ...]:
    """The variable names ``template`` references, in order of first use; LocationTemplateError for a
    ``${`` that is not ``${env.NAME}``.

    >>> template_variables("s3://${env.bucket}/${env.root}/sales/${env.bucket}")
    ('bucket', 'root')
    """
    names: list[str] = []
    for _, name in _references(template):
        if name not in names:
            names.append(name)
    return tuple(names)


def _references(template: str) -> Iterator[tuple[re.Match[str], str]]:
    pos = 0
    while True:
        start = template.find("${", pos)
        if start < 0:
            return
        found = _REFERENCE.match(template, start)
        if found is None:
            raise LocationTemplateError(template, f"{template[start:]!r} has no closing '}}'")
        name = _VARIABLE.fullmatch(found.group(1))
        if name is None:
            raise LocationTemplateError(
                template, f"{found.group(0)!r} is not a variable reference: write ${{env.NAME}}")
        yield found, name.group(1)
        pos = found.end()


def resolve_template(template: str, variables: Mapping[str, str], *, environment: str | None = None,
                     object_name: str | None = None) -> str:
    """``template`` with every ``${env.NAME}`` replaced by ``variables[NAME]`` (pure, no I/O).

    UnknownVariableError for a name ``variables`` lacks, LocationTemplateError for a malformed reference;
    both carry the environment and object given.

    >>> resolve_template("s3://${env.root}/sales", {"root": "acme-dev"})
    's3://acme-dev/sales'
    """
    out: list[str] = []
    pos = 0
    try:
        for found, name in _references(template):
            if name not in variables:
                raise UnknownVariableError(template, name, environment=environment,
                                           object_name=object_name, known=sorted(variables))
            out.append(template[pos:found.start()])
            out.append(variables[name])
            pos = found.end()
    except UnknownVariableError:
        raise
    except LocationTemplateError as exc:
        raise LocationTemplateError(template, exc.reason, environment=environment,
                                    object_name=object_name) from None
    out.append(template[pos:])
    return "".join(out)


def case_conflicts(catalogs: Mapping[str, str]) -> list[tuple[str, ...]]:
    """Groups of mapping keys that differ only in case (each group sorted; empty when there are none).

    Logical catalog names are case-insensitive, so such keys would map one logical catalog two ways.
    """
    groups: dict[str, list[str]] = {}
    for key in catalogs:
        groups.setdefault(key.lower(), []).append(key)
    return [tuple(sorted(keys)) for _, keys in sorted(groups.items()) if len(keys) > 1]


@dataclass(frozen=True)
class Naming:
    """An environment's naming: ``catalogs`` (logical -> physical, keys case-insensitive) and the
    ``schema_prefix`` every physical schema name starts with. A logical catalog the mapping does not name
    keeps its name."""

    catalogs: Mapping[str, str] = field(default_factory=dict)
    schema_prefix: str = ""
    # issue 11: logical principal -> the environment's physical one (owners and grants); unmapped: itself
    principals: Mapping[str, str] = field(default_factory=dict)
    # issue 11: the environment's variables, NAME -> value, that ``${env.NAME}`` in a storage location
    # stands for; None: no environment (logical names), locations are kept as written
    variables: Mapping[str, str] | None = None
    environment: str | None = field(default=None, compare=False)  # named in a resolution error
    _lower: dict[str, str] = field(init=False, repr=False, compare=False)
    _inverse: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lower: dict[str, str] = {}
        for key in sorted(self.catalogs):  # keys differing only in case: the first in sorted order wins
            lower.setdefault(key.lower(), self.catalogs[key])
        object.__setattr__(self, "_lower", lower)
        object.__setattr__(self, "_inverse", {p.lower(): k for k, p in self.catalogs.items()})

    @property
    def is_identity(self) -> bool:
        """True when no name changes (no mapping, no prefix, no principal mapping) and no variable can
        change a location (none defined)."""
        return not self.catalogs and not self.schema_prefix and not self.principals and not self.variables

    # -- storage locations (issue 11) ------------------------------------------------------------------
    def resolve_location(self, template: str | None, object_name: str | None = None) -> str | None:
        """A location template resolved with this environment's variables (:func:`resolve_template`); as
        written when the naming has no variables (``variables=None``) or there is no location."""
        if template is None or self.variables is None or "${" not in template:
            return template
        return resolve_template(template, self.variables, environment=self.environment,
                                object_name=object_name)

    def locations(self, state: State) -> Iterator[tuple[str, str, str, str]]:
        """(object id, field, location as written, resolved) for every location of ``state``, in state
        order (catalogs, schemas, tables, volumes); raises as :meth:`resolve_location`."""
        for oid, f, written in _written_locations(state):
            yield oid, f, written, self.resolve_location(written, _full_name(state, oid)) or written

    def map_locations(self, state: State) -> State:
        """``state`` with every managed location and location resolved (:meth:`resolve_location`), ids
        unchanged; ``state`` itself when nothing changes. Raises UnknownVariableError (a variable this
        environment does not define) before anything is built."""
        if self.variables is None:
            return state
        changed: dict[str, dict[str, str]] = {}
        for oid, f, written, resolved in self.locations(state):
            if resolved != written:
                changed.setdefault(oid, {})[f] = resolved
        if not changed:
            return state
        maps: dict[str, Any] = {}
        for k in kinds.top_level():
            objects = dict(getattr(state, k.state_field))
            for oid in objects.keys() & changed.keys():
                objects[oid] = objects[oid].model_copy(update=changed[oid])
            maps[k.state_field] = objects
        return State(**maps)

    # -- principals (issue 11) -------------------------------------------------------------------------
    def principal(self, logical: str) -> str:
        """The physical principal of a logical one (exact key; principals are matched as written)."""
        return self.principals.get(logical, logical)

    def logical_principal(self, physical: str) -> str:
        """The logical principal a physical one stands for (case-insensitive; unmapped: itself)."""
        low = physical.lower()
        return next((k for k, v in sorted(self.principals.items()) if v.lower() == low), physical)

    def map_principals(self, state: State) -> State:
        """``state`` with every owner and grant principal mapped (:meth:`principal`), ids unchanged."""
        if not self.principals:
            return state
        maps: dict[str, Any] = {}
        for k in kinds.securable():
            objects = dict(getattr(state, k.state_field))
            for oid, obj in objects.items():
                grants = {self.principal(p): privs for p, privs in obj.grants.items()}
                owner = self.principal(obj.owner) if obj.owner is not None else None
                if grants != obj.grants or owner != obj.owner:
                    objects[oid] = obj.evolve(grants=grants, owner=owner)
            maps[k.state_field] = objects
        rest = {k.state_field: dict(getattr(state, k.state_field)) for k in kinds.top_level()}
        return State(**{**rest, **maps})

    # -- logical -> physical ---------------------------------------------------------------------------
    def catalog(self, logical: str) -> str:
        """The physical catalog of a logical one (the exact key first, then any casing)."""
        found = self.catalogs.get(logical)
        if found is None:
            found = self._lower.get(logical.lower(), logical)
        return found

    def maps_catalog(self, logical: str) -> bool:
        """True when the mapping names ``logical`` (in any casing)."""
        return logical.lower() in self._lower

    def schema(self, logical: str) -> str:
        """The physical name of a logical schema: the prefix, then the name."""
        return self.schema_prefix + logical

    def physical(self, parts: Sequence[str]) -> tuple[str, ...]:
        """Logical name parts (catalog, schema, object, column...) -> physical name parts."""
        out = [self.catalog(parts[0])]
        if len(parts) > 1:
            out.append(self.schema(parts[1]))
        out.extend(parts[2:])
        return tuple(out)

    def parts(self, state: State, object_id: str) -> tuple[str, ...]:
        """The physical name parts of an object of ``state`` (KeyError when it is not there)."""
        return self.physical(state.path(object_id))

    def name(self, state: State, object_id: str) -> str:
        """The back-quoted physical full name of an object of ``state``."""
        return qualified(*self.parts(state, object_id))

    def physical_catalogs(self) -> list[str]:
        """The physical catalogs the mapping names, sorted (what an import of the environment reads)."""
        return sorted(set(self.catalogs.values()))

    # -- physical -> logical ---------------------------------------------------------------------------
    def logical_catalog(self, physical: str) -> str:
        """The logical catalog a physical one holds (matched case-insensitively; unmapped: itself)."""
        return self._inverse.get(physical.lower(), physical)

    def mapped_physical(self, physical: str) -> bool:
        """True when some logical catalog maps to ``physical`` (in any casing)."""
        return physical.lower() in self._inverse

    def logical_schema(self, physical: str) -> str | None:
        """The logical schema a physical schema name holds: the name without the prefix; None when it does
        not start with the prefix (the schema belongs to no environment with this prefix)."""
        if not self.schema_prefix:
            return physical
        if not physical.startswith(self.schema_prefix):
            return None
        return physical[len(self.schema_prefix):]

    def unprefixed(self, physical: str) -> str:
        """A physical schema name without the prefix where it has it, else as it is."""
        found = self.logical_schema(physical)
        return physical if found is None else found

    # -- states ----------------------------------------------------------------------------------------
    def map_state(self, state: State) -> State:
        """``state`` with every catalog mapped and every schema prefixed, ids unchanged; the functions of
        row filters and masks are named physically too (:func:`physical_function`), and every location
        resolved with the environment's variables (:meth:`map_locations`)."""
        state = self.map_locations(state)
        if not self.catalogs and not self.schema_prefix and not self.principals:
            return state
        new_catalogs = {
            cid: c.model_copy(update={"name": self.catalog(c.name)}) for cid, c in state.catalogs.items()
        }
        if self.schema_prefix:
            new_schemas = {
                sid: s.model_copy(update={"name": self.schema(s.name)}) for sid, s in state.schemas.items()
            }
        else:
            new_schemas = dict(state.schemas)
        # A new State (not model_copy): State caches name indexes, which must not be carried over.
        maps: dict[str, Any] = {k.state_field: dict(getattr(state, k.state_field)) for k in kinds.top_level()}
        maps["tables"] = self._physical_governance(state)
        mapped = State(**{**maps, "catalogs": new_catalogs, "schemas": new_schemas})
        return self.map_principals(mapped)

    def physical_function(self, name: str, catalog: str, schema: str, known: Collection[str] = ()) -> str:
        """The physical, fully qualified name of a function a table in logical ``catalog.schema`` names.

        As the planner renders it: a catalog the project manages (in ``known`` or the mapping, any casing)
        is mapped and its schema prefixed; a name in another catalog (``system``, a shared one) is kept.
        """
        parts = function_parts(name, catalog, schema)
        if parts is None:
            return name
        cat, sch, fn = parts
        if not self.maps_catalog(cat) and cat.lower() not in {k.lower() for k in known}:
            return qualified(*parts)
        return qualified(self.catalog(cat), self.schema(sch), fn)

    def _physical_governance(self, state: State) -> dict[str, Table]:
        """``state.tables`` with the functions of row filters and column masks named physically."""
        known = {c.name.lower() for c in state.catalogs.values()}
        tables = dict(state.tables)
        for tid, t in state.tables.items():
            if t.row_filter is None and not any(c.mask is not None for c in t.columns):
                continue
            schema = state.schemas.get(t.schema_id)
            if schema is None or schema.catalog_id not in state.catalogs:
                continue
            cat, sch = state.catalogs[schema.catalog_id].name, schema.name

            def phys(fn: str, cat: str = cat, sch: str = sch) -> str:
                return self.physical_function(fn, cat, sch, known)

            rf = t.row_filter.evolve(function=phys(t.row_filter.function)) if t.row_filter else None
            cols = tuple(
                c.evolve(mask=c.mask.evolve(function=phys(c.mask.function))) if c.mask else c
                for c in t.columns
            )
            tables[tid] = t.evolve(row_filter=rf, columns=cols)
        return tables


def _full_name(state: State, object_id: str) -> str | None:
    try:
        return state.full_name(object_id)
    except KeyError:
        return None


@dataclass(frozen=True)
class SharedLocation:
    """Two environments whose locations would share files: ``path`` (resolved for ``environments[0]``)
    equals or contains ``other_path`` (resolved for ``environments[1]``). ``objects`` are the logical full
    names of the two objects (the same object, or two), ``fields`` their location fields, ``templates``
    the locations as written. ``same`` is True when the two paths are equal, False when one holds the
    other. Unity Catalog refuses overlapping paths within a metastore
    (https://docs.databricks.com/data-governance/unity-catalog/paths.html); across environments a
    shared path means one environment's deploy or drop touches another's files."""

    path: str
    other_path: str
    environments: tuple[str, str]
    objects: tuple[str, str]
    fields: tuple[str, str]
    templates: tuple[str, str]
    same: bool

    code = "shared-location"

    def __str__(self) -> str:
        (a, b), (oa, ob) = self.environments, self.objects
        how = "the same path" if self.same else "overlapping paths"
        where = f"{oa}" if oa == ob else f"{oa} and {ob}"
        return (f"{self.code}: environments {a!r} and {b!r} resolve {where} to {how} "
                f"({self.path!r}" + ("" if self.same else f", {self.other_path!r}") + "); give each "
                "environment its own path, e.g. a template naming ${env.storage_root}")

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "path": self.path, "other_path": self.other_path,
                "environments": list(self.environments), "objects": list(self.objects),
                "fields": list(self.fields), "templates": list(self.templates), "same": self.same,
                "message": str(self)}


@dataclass(frozen=True)
class UnresolvedLocation:
    """A location an environment cannot resolve: ``error`` is the UnknownVariableError (or
    LocationTemplateError) its plan would raise."""

    environment: str
    object_name: str
    template: str
    error: LocationTemplateError

    code = "unresolved-location"

    def __str__(self) -> str:
        return f"{self.code}: {self.error}"

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "environment": self.environment, "object": self.object_name,
                "template": self.template, "message": str(self)}


def _norm_path(path: str) -> str:
    return path.rstrip("/")


def _contains(outer: str, inner: str) -> bool:
    """True when path ``outer`` equals ``inner`` or is a directory above it (case-sensitive, as object
    storage paths are)."""
    return inner == outer or inner.startswith(outer + "/")


def shared_locations(state: State, namings: Mapping[str, Naming]
                     ) -> tuple[list[SharedLocation], list[UnresolvedLocation]]:
    """Every pair of environments (``namings``: environment name -> its naming) that would resolve a
    location of ``state`` to the same path, or to one path inside the other, and every location an
    environment cannot resolve. Pure: nothing is read; sorted by path, environments, objects.

    A literal location (no template) is the same path in every environment, so it is listed for every
    pair of environments; locations within one environment are Unity Catalog's to refuse, not listed.
    """
    resolved: list[tuple[str, str, str, str, str]] = []  # (path, env, object, field, template)
    unresolved: list[UnresolvedLocation] = []
    for env in sorted(namings):
        naming = namings[env]
        for oid, f, written in _written_locations(state):
            name = _full_name(state, oid) or oid
            try:
                path = naming.resolve_location(written, name) or written
            except LocationTemplateError as exc:
                unresolved.append(UnresolvedLocation(env, name, written, exc))
                continue
            resolved.append((_norm_path(path), env, name, f, written))
    resolved.sort()
    shared: list[SharedLocation] = []
    for i, (pa, ea, oa, fa, ta) in enumerate(resolved):
        for pb, eb, ob, fb, tb in resolved[i + 1:]:
            if not pb.startswith(pa):  # sorted: every path pa contains starts with pa
                break
            if ea != eb and _contains(pa, pb):
                shared.append(SharedLocation(pa, pb, (ea, eb), (oa, ob), (fa, fb), (ta, tb), pa == pb))
    return shared, unresolved


def _written_locations(state: State) -> Iterator[tuple[str, str, str]]:
    for k in kinds.top_level():
        for oid, obj in getattr(state, k.state_field).items():
            for f in LOCATION_FIELDS:
                written = getattr(obj, f, None)
                if written:
                    yield oid, f, written


def function_parts(name: str, catalog: str, schema: str) -> tuple[str, str, str] | None:
    """A function name as written (1 to 3 parts) completed with the catalog and schema it is resolved in;
    None when it is not a valid name.

    >>> function_parts("sales.mask", "shop", "ops")
    ('shop', 'sales', 'mask')
    """
    try:
        parts = split_qualified(name)
    except (InvalidIdentifierError, TypeError):
        return None
    if len(parts) == 1:
        return (catalog, schema, parts[0])
    if len(parts) == 2:
        return (catalog, parts[0], parts[1])
    if len(parts) == 3:
        return (parts[0], parts[1], parts[2])
    return None


def physical_function(
    name: str,
    catalog: str,
    schema: str,
    catalogs: Mapping[str, str],
    schema_prefix: str = "",
    known: Collection[str] = (),
) -> str:
    """:meth:`Naming.physical_function` for a mapping and prefix given apart."""
    return Naming(catalogs, schema_prefix).physical_function(name, catalog, schema, known)


__all__ = [
    "LOCATION_FIELDS",
    "Naming",
    "SharedLocation",
    "UnresolvedLocation",
    "case_conflicts",
    "function_parts",
    "physical_function",
    "resolve_template",
    "shared_locations",
    "template_variables",
]
