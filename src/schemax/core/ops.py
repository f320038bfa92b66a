"""The op vocabulary: every schema change a user can record, as an immutable, typed record.

An op is ``(op_id, ts, author, kind, target, payload)``. ``target`` is the stable id of the object the
op creates or changes; ``payload`` is plain JSON whose shape is fixed per kind by a pydantic model below.
The vocabulary is closed: :data:`OP_PAYLOADS` lists every kind. Interpreters (apply to a state, render,
describe) dispatch on ``kind`` through their own registries.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from schemax.core.kinds import KINDS, ObjectKind, securable, taggable, top_level
from schemax.core.objects import Frozen, optional


def new_id(kind_prefix: str) -> str:
    """A fresh stable id such as ``tbl_3f2a…``."""
    return f"{kind_prefix}_{uuid.uuid4().hex[:20]}"


def utc_now() -> str:
    """ISO-8601 UTC timestamp with microseconds, the form every op and record uses."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Op(Frozen):
    """One recorded schema change. Immutable; the op log only ever grows."""

    op_id: str
    ts: str
    author: str
    kind: str
    target: str
    payload: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def new(
        cls,
        kind: str,
        target: str,
        payload: dict[str, Any] | BaseModel | None = None,
        *,
        author: str = "unknown",
        ts: str | None = None,
        op_id: str | None = None,
    ) -> Op:
        if isinstance(payload, BaseModel):
            payload = payload.model_dump(mode="json", exclude_none=False)
        return cls(
            op_id=op_id or new_id("op"),
            ts=ts or utc_now(),
            author=author,
            kind=kind,
            target=target,
            payload=payload or {},
        )

    @property
    def timestamp(self) -> datetime:
        return datetime.fromisoformat(self.ts.replace("Z", "+00:00"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "op_id": self.op_id,
            "ts": self.ts,
            "author": self.author,
            "kind": self.kind,
            "target": self.target,
            "payload": self.payload,
        }


# ---------------------------------------------------------------------------------------------------
# Payloads. ``extra="forbid"`` so a typo in a payload key is a validation error, not a silent no-op.
# ---------------------------------------------------------------------------------------------------


class Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def problem(self) -> str | None:
        """Why this payload cannot make its object, beyond what its field types say; None when it can.

        The registry-driven ``create_<kind>`` handler (:mod:`schemax.core.replay.objects`) refuses the op
        with it, so a new object kind states its own rules here instead of in a handler of its own.
        """
        return None


class Empty(Payload):
    pass


class Rename(Payload):
    name: str


class SetComment(Payload):
    comment: str | None = None


class SetProperties(Payload):
    properties: dict[str, str]


class UnsetProperties(Payload):
    keys: list[str]


class SetTags(Payload):
    tags: dict[str, str]


class UnsetTags(Payload):
    keys: list[str]


class CreateCatalog(Payload):
    name: str
    comment: str | None = None
    managed_location: str | None = None
    properties: dict[str, str] = Field(default_factory=dict)


class CreateSchema(Payload):
    catalog_id: str
    name: str
    comment: str | None = None
    managed_location: str | None = None
    properties: dict[str, str] = Field(default_factory=dict)


class IdentitySpec(Payload):
    always: bool = True
    start: int | None = None
    step: int | None = None


class ColumnSpec(Payload):
    id: str
    name: str
    type: str
    nullable: bool = True
    comment: str | None = None
    default: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    generated: str | None = optional()  # issue 11: GENERATED ALWAYS AS (expr)
    identity: IdentitySpec | None = optional()  # issue 11: GENERATED ... AS IDENTITY


class CreateTable(Payload):
    schema_id: str
    name: str
    columns: list[ColumnSpec]
    comment: str | None = None
    table_type: Literal["MANAGED", "EXTERNAL"] = "MANAGED"
    format: str = "DELTA"
    location: str | None = None
    properties: dict[str, str] = Field(default_factory=dict)
    partition_by: list[str] = Field(default_factory=list)  # column ids
    cluster_by: list[str] = Field(default_factory=list)  # column ids
    tags: dict[str, str] = Field(default_factory=dict)
    cluster_auto: bool = optional(False)  # CLUSTER BY AUTO (issue 11); then cluster_by is empty


class AddColumn(Payload):
    table_id: str
    name: str
    type: str
    nullable: bool = True
    comment: str | None = None
    default: str | None = None
    after: str | None = None  # column id to place it after; None = last ("FIRST" = first)
    # accepted so the refusal can say why: neither can be added to an existing table (core/replay/columns.py)
    generated: str | None = optional()
    identity: IdentitySpec | None = optional()


class ChangeColumnType(Payload):
    type: str


class SetColumnNullable(Payload):
    nullable: bool


class SetColumnDefault(Payload):
    default: str | None = None


class ReorderColumns(Payload):
    order: list[str]  # every column id of the table, in the new order


class AddPrimaryKey(Payload):
    table_id: str
    name: str
    columns: list[str]
    # options (issue 11), absent from the payload when unset so older ops hash as they did
    rely: bool = optional(False)
    not_enforced: bool = optional(False)
    timeseries: str | None = optional()  # the id of one of ``columns``


class AddForeignKey(Payload):
    table_id: str
    name: str
    columns: list[str]
    ref_table: str
    ref_columns: list[str]
    rely: bool = optional(False)


def key_options(
    *, rely: bool = False, not_enforced: bool = False, timeseries: str | None = None
) -> dict[str, Any]:
    """The option keys of an ``add_primary_key`` / ``add_foreign_key`` payload, only those set (a key without
    options has the payload it always had)."""
    out: dict[str, Any] = {}
    if rely:
        out["rely"] = True
    if not_enforced:
        out["not_enforced"] = True
    if timeseries is not None:
        out["timeseries"] = timeseries
    return out


class AddCheckConstraint(Payload):
    table_id: str
    name: str
    expression: str


class SetColumns(Payload):
    columns: list[str]  # column ids; empty list clears
    auto: bool = optional(False)  # set_cluster_by only: CLUSTER BY AUTO (columns empty)


class SetRowFilter(Payload):
    function: str
    columns: list[str] = Field(default_factory=list)


class SetColumnMask(Payload):
    function: str
    using_columns: list[str] = Field(default_factory=list)


class GrantPayload(Payload):
    principal: str
    privileges: list[str]


class SetOwner(Payload):
    """``set_owner`` on any securable: the principal that owns it, or None to stop managing the owner."""

    owner: str | None = None


class CreateView(Payload):
    schema_id: str
    name: str
    definition: str
    comment: str | None = None
    properties: dict[str, str] = Field(default_factory=dict)


class UpdateViewDefinition(Payload):
    definition: str


class CreateVolume(Payload):
    schema_id: str
    name: str
    volume_type: Literal["MANAGED", "EXTERNAL"] = "MANAGED"
    location: str | None = None
    comment: str | None = None

    def problem(self) -> str | None:
        external_without_location = self.volume_type == "EXTERNAL" and not self.location
        return "an external volume needs a location" if external_without_location else None


class CreateFunction(Payload):
    schema_id: str
    name: str
    parameters: str = ""
    returns: str = "STRING"
    language: Literal["SQL", "PYTHON"] = "SQL"
    body: str
    comment: str | None = None


class UpdateFunction(Payload):
    parameters: str = ""
    returns: str = "STRING"
    language: Literal["SQL", "PYTHON"] = "SQL"
    body: str


# kind -> (target object kind, payload model). The single source of truth for the vocabulary: the ops
# particular to one object kind are listed here, the families below complete it.
OP_PAYLOADS: dict[str, tuple[str, type[Payload]]] = {
    # catalogs and schemas
    "create_catalog": ("catalog", CreateCatalog),
    "create_schema": ("schema", CreateSchema),
    # tables
    "create_table": ("table", CreateTable),
    "set_cluster_by": ("table", SetColumns),
    "set_partition_by": ("table", SetColumns),
    "set_row_filter": ("table", SetRowFilter),
    "drop_row_filter": ("table", Empty),
    "reorder_columns": ("table", ReorderColumns),
    # columns
    "add_column": ("column", AddColumn),
    "change_column_type": ("column", ChangeColumnType),
    "set_column_nullable": ("column", SetColumnNullable),
    "set_column_default": ("column", SetColumnDefault),
    "set_column_mask": ("column", SetColumnMask),
    "drop_column_mask": ("column", Empty),
    # constraints
    "add_primary_key": ("constraint", AddPrimaryKey),
    "add_foreign_key": ("constraint", AddForeignKey),
    "add_check_constraint": ("constraint", AddCheckConstraint),
    # views, volumes, functions
    "create_view": ("view", CreateView),
    "update_view_definition": ("view", UpdateViewDefinition),
    "create_volume": ("volume", CreateVolume),
    "create_function": ("function", CreateFunction),
    "update_function": ("function", UpdateFunction),
    # grants, on any securable
    "grant": ("securable", GrantPayload),
    "revoke": ("securable", GrantPayload),
    # ownership (issue 11), on any securable
    "set_owner": ("securable", SetOwner),
}

# The families, one per trait an object kind has (schemax.core.kinds): drop_<kind> for every kind,
# rename_<kind> when it is renamable, set_<kind>_comment when it has a comment, set_/unset_<kind>_tags when
# it is taggable, set_/unset_<kind>_properties when it has properties.
for _k in KINDS:
    OP_PAYLOADS[f"drop_{_k.name}"] = (_k.name, Empty)
    if _k.renamable:
        OP_PAYLOADS[f"rename_{_k.name}"] = (_k.name, Rename)
    if _k.has_comment:
        OP_PAYLOADS[f"set_{_k.name}_comment"] = (_k.name, SetComment)
    if _k.taggable:
        OP_PAYLOADS[f"set_{_k.name}_tags"] = (_k.name, SetTags)
        OP_PAYLOADS[f"unset_{_k.name}_tags"] = (_k.name, UnsetTags)
    if _k.has_properties:
        OP_PAYLOADS[f"set_{_k.name}_properties"] = (_k.name, SetProperties)
        OP_PAYLOADS[f"unset_{_k.name}_properties"] = (_k.name, UnsetProperties)



def derived_create_payload(kind: ObjectKind) -> type[Payload]:
    """The create payload of a kind whose state is its payload: every field of its model except the id and
    what ops of their own set (tags, grants, owner). A kind declares a payload above only when its create
    says more or less than that, or has rules of its own (:meth:`Payload.problem`)."""
    own: dict[str, Any] = {
        name: (f.annotation, f) for name, f in kind.model.model_fields.items()
        if name not in {"id", "tags", "grants", "owner"}
    }
    return create_model(f"Create{kind.model.__name__}", __base__=Payload, **own)


# every top-level kind is created by an op of its own (held kinds: add_column, add_<constraint>)
for _k in top_level():
    OP_PAYLOADS.setdefault(f"create_{_k.name}", (_k.name, derived_create_payload(_k)))

OP_KINDS: tuple[str, ...] = tuple(sorted(OP_PAYLOADS))

# Derived from the registry, kept for the code that tests membership by kind name.
TAGGABLE_KINDS: tuple[str, ...] = tuple(k.name for k in taggable())
SECURABLE_KINDS: tuple[str, ...] = tuple(k.name for k in securable())

# Privileges Unity Catalog knows, by securable. ALL PRIVILEGES is valid everywhere.
PRIVILEGES: frozenset[str] = frozenset(
    {
        "ALL PRIVILEGES", "APPLY TAG", "BROWSE", "CREATE FUNCTION", "CREATE MATERIALIZED VIEW",
        "CREATE MODEL", "CREATE SCHEMA", "CREATE TABLE", "CREATE VOLUME", "EXECUTE", "EXTERNAL USE SCHEMA",
        "MANAGE", "MODIFY", "READ FILES", "READ VOLUME", "REFRESH", "SELECT", "USE CATALOG", "USE SCHEMA",
        "WRITE FILES", "WRITE VOLUME", "CREATE FOREIGN CATALOG", "CREATE CONNECTION", "USE CONNECTION",
    }
)


def payload_model(kind: str) -> type[Payload]:
    return OP_PAYLOADS[kind][1]


__all__ = [
    "OP_KINDS", "OP_PAYLOADS", "PRIVILEGES", "SECURABLE_KINDS", "TAGGABLE_KINDS", "Op", "new_id", "utc_now"
]
