"""The object kinds: one registry that every enumeration of catalogs, schemas, tables, ... iterates.

Each :class:`ObjectKind` says how its objects are identified (the id prefix, ``tbl_…``), where the state
keeps them (a :class:`~schemax.core.model.State` field, or inside their table for columns and
constraints), what they belong to and through which attribute (``schema_id``), which name namespace they
share with their siblings (tables and views: one ``relation`` namespace per schema), whether they carry
tags, properties and grants, whether they can be renamed, the SQL keyword that names them in
``GRANT … ON``, ``COMMENT ON`` and ``ALTER … SET TAGS``, the engine capability of their DDL, and the plan
phases their changes run in.

:data:`KINDS` lists them parents before children; its order is the order every interpreter walks them
(state maps, diffs, renames). Interpreters that keep a table per kind check it with
:func:`schemax.core.registry.require_complete` against :func:`top_level` or :func:`schema_children`, so
a kind added here without its entries fails the first import.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemax.core.objects import Catalog, Column, Constraint, Frozen, Function, Schema, Table, View, Volume


@dataclass(frozen=True, kw_only=True)
class ObjectKind:
    """One kind of object in the catalog tree."""

    name: str  # "table"; also the middle of its op kinds (set_table_comment) and change kinds
    prefix: str  # of its stable ids: "tbl" -> "tbl_3f2a…"
    model: type[Frozen]  # the pydantic model holding one object
    field: str | None  # the State field holding them; None: held inside their parent (columns, constraints)
    parent: str | None  # name of the kind it belongs to; None for catalogs
    parent_key: str | None  # attribute naming the parent's id ("schema_id"); None: top or held inside
    namespace: str | None  # names are unique per (parent, namespace); None: a namespace of its own kind
    keyword: str | None  # SQL keyword naming it: GRANT ... ON TABLE, COMMENT ON VIEW, ALTER VOLUME ...
    capability: str | None  # engine capability of its basic DDL (see schemax.plan.capabilities)
    # the plan phases (schemax.plan.order.Phase names) its creates and alters, and its drops, run in;
    # None for kinds held in a table (their changes run with their table's)
    phase: str | None = None
    drop_phase: str | None = None
    renamable: bool = True  # a rename_<kind> op exists (functions are replaced instead)
    has_comment: bool = True  # set_<kind>_comment exists
    taggable: bool = False  # set_/unset_<kind>_tags exist
    securable: bool = False  # grant/revoke may target it
    has_properties: bool = False  # set_/unset_<kind>_properties exist

    @property
    def top_level(self) -> bool:
        """True for kinds held in a State map of their own (not inside a table)."""
        return self.field is not None

    @property
    def state_field(self) -> str:
        """The State field holding them; ValueError for a kind held inside its parent."""
        if self.field is None:
            raise ValueError(f"{self.name}s are held inside their {self.parent}, not in a State map")
        return self.field

    @property
    def position(self) -> int:
        """Index in :data:`KINDS`: parents before children, and the order renames run in."""
        return _POSITION[self.name]

    @property
    def depth(self) -> int:
        """Number of name parts of one of its objects: catalog 1, schema 2, table 3, column 4."""
        return 1 if self.parent is None else 1 + _BY_NAME[self.parent].depth

    @property
    def name_namespace(self) -> str:
        """The namespace its names are claimed in inside the parent (the kind's own name by default)."""
        return self.namespace or self.name


CATALOG = ObjectKind(
    name="catalog", prefix="cat", model=Catalog, field="catalogs", parent=None, parent_key=None,
    namespace=None, keyword="CATALOG", capability="catalog_ddl", phase="CATALOG", drop_phase="DROP_CATALOG",
    taggable=True, securable=True, has_properties=True,
)
SCHEMA = ObjectKind(
    name="schema", prefix="sch", model=Schema, field="schemas", parent="catalog", parent_key="catalog_id",
    namespace=None, keyword="SCHEMA", capability="schema_ddl", phase="SCHEMA", drop_phase="DROP_SCHEMA",
    taggable=True, securable=True, has_properties=True,
)
TABLE = ObjectKind(
    name="table", prefix="tbl", model=Table, field="tables", parent="schema", parent_key="schema_id",
    namespace="relation", keyword="TABLE", capability="table_ddl", phase="TABLE", drop_phase="DROP_OBJECT",
    taggable=True, securable=True, has_properties=True,
)
VIEW = ObjectKind(
    name="view", prefix="viw", model=View, field="views", parent="schema", parent_key="schema_id",
    namespace="relation", keyword="VIEW", capability="views", phase="VIEW", drop_phase="DROP_VIEW",
    taggable=True, securable=True, has_properties=True,
)
VOLUME = ObjectKind(
    name="volume", prefix="vol", model=Volume, field="volumes", parent="schema", parent_key="schema_id",
    namespace="volume", keyword="VOLUME", capability="volumes", phase="VOLUME", drop_phase="DROP_OBJECT",
    taggable=True, securable=True,
)
FUNCTION = ObjectKind(
    name="function", prefix="fun", model=Function, field="functions", parent="schema", parent_key="schema_id",
    namespace="function", keyword="FUNCTION", capability="functions", phase="FUNCTION",
    drop_phase="DROP_OBJECT", renamable=False, securable=True,
)
COLUMN = ObjectKind(
    name="column", prefix="col", model=Column, field=None, parent="table", parent_key=None, namespace=None,
    keyword="COLUMN", capability="table_ddl", taggable=True,
)
CONSTRAINT = ObjectKind(
    name="constraint", prefix="con", model=Constraint, field=None, parent="table", parent_key=None,
    namespace=None, keyword=None, capability=None, renamable=False, has_comment=False,
)

#: Every kind, parents before children.
KINDS: tuple[ObjectKind, ...] = (CATALOG, SCHEMA, TABLE, VIEW, VOLUME, FUNCTION, COLUMN, CONSTRAINT)

_BY_NAME: dict[str, ObjectKind] = {k.name: k for k in KINDS}
_BY_PREFIX: dict[str, ObjectKind] = {k.prefix: k for k in KINDS}
_POSITION: dict[str, int] = {k.name: i for i, k in enumerate(KINDS)}
_TOP_LEVEL = tuple(k for k in KINDS if k.top_level)
_SCHEMA_CHILDREN = tuple(k for k in KINDS if k.parent == SCHEMA.name)
_TAGGABLE = tuple(k for k in KINDS if k.taggable)
_SECURABLE = tuple(k for k in KINDS if k.securable)


def kind(name: str) -> ObjectKind:
    """The kind called ``name`` (KeyError for an unknown one)."""
    return _BY_NAME[name]


def kind_of_id(object_id: str) -> ObjectKind | None:
    """The kind an id names, from its prefix; None for a malformed id."""
    prefix, sep, rest = object_id.partition("_")
    if not sep or not rest:
        return None
    return _BY_PREFIX.get(prefix)


def top_level() -> tuple[ObjectKind, ...]:
    """Kinds held in a State map of their own: catalog, schema, table, view, volume, function."""
    return _TOP_LEVEL


def schema_children() -> tuple[ObjectKind, ...]:
    """Kinds whose objects live directly in a schema."""
    return _SCHEMA_CHILDREN


def children_of(parent: str) -> tuple[ObjectKind, ...]:
    """Kinds whose objects belong to an object of kind ``parent``."""
    return tuple(k for k in KINDS if k.parent == parent)


def in_namespace(namespace: str) -> tuple[ObjectKind, ...]:
    """Kinds sharing one name namespace (``relation``: tables and views)."""
    return tuple(k for k in KINDS if k.namespace == namespace)


def taggable() -> tuple[ObjectKind, ...]:
    return _TAGGABLE


def securable() -> tuple[ObjectKind, ...]:
    return _SECURABLE


def _check() -> None:
    """The registry agrees with the models it names: a flag that lied would half-wire a kind."""
    problems = []
    for k in KINDS:
        fields = k.model.model_fields
        if k.parent is not None and _POSITION.get(k.parent, len(KINDS)) >= _POSITION[k.name]:
            problems.append(f"{k.name}: its parent {k.parent!r} must come before it")
        if (k.phase is None or k.drop_phase is None) == k.top_level:
            problems.append(f"{k.name}: a top-level kind has plan phases, a kind held in a table none")
        if k.parent_key is not None and k.parent_key not in fields:
            problems.append(f"{k.name}: {k.model.__name__} has no {k.parent_key!r}")
        for flag, field in (("taggable", "tags"), ("securable", "grants"), ("has_properties", "properties"),
                            ("has_comment", "comment")):
            if getattr(k, flag) != (field in fields):
                problems.append(f"{k.name}: {flag} disagrees with {k.model.__name__}.{field}")
    if len(_BY_PREFIX) != len(KINDS):
        problems.append("two kinds share an id prefix")
    if problems:
        raise AssertionError("object kinds: " + "; ".join(problems))


_check()

__all__ = [
    "CATALOG",
    "COLUMN",
    "CONSTRAINT",
    "FUNCTION",
    "KINDS",
    "SCHEMA",
    "TABLE",
    "VIEW",
    "VOLUME",
    "ObjectKind",
    "children_of",
    "in_namespace",
    "kind",
    "kind_of_id",
    "schema_children",
    "securable",
    "taggable",
    "top_level",
]
