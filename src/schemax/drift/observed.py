"""Building an observed :class:`~schemax.core.model.State` from what a catalog reader saw (pure).

Catalog readers (``schemax.adapters.catalog_spark``, ``schemax.adapters.catalog_uc``) collect plain records
(names, type strings, comments, properties) and hand them to :class:`ObservedStateBuilder`, which gives every
object a deterministic id derived from its lower-case physical full name (:func:`observed_id`). Two reads of
the same catalog therefore give equal states, and the comparison (``schemax.drift.compare``) matches objects
by name, never by id.

The records themselves (column, constraint and governance specs, and Spark's JSON schema form to a canonical
SQL type) are in :mod:`schemax.drift.observed_parts`; they are re-exported here, where both readers import
them from.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from schemax.core import kinds
from schemax.core.model import (
    Catalog,
    Column,
    ColumnMask,
    Constraint,
    Function,
    RowFilter,
    Schema,
    State,
    Table,
    View,
    Volume,
)
from schemax.drift.observed_parts import (
    ColumnSpec,
    ConstraintSpec,
    MaskSpec,
    RowFilterSpec,
    SchemaFacts,
    UnrepresentableType,
    columns_from_spark_schema,
    generation_from_metadata,
    normalize_observed_type,
    observed_grants,
    privilege_name,
    spark_json_type,
)

# ------------------------------------------------------------------------------------------------------
# ids


def full_name(*parts: str) -> str:
    """The dotted physical name used in findings and notes (parts are not quoted)."""
    return ".".join(parts)


def name_key(*parts: str) -> tuple[str, ...]:
    """Case-insensitive lookup key of a name path."""
    return tuple(p.lower() for p in parts)


def observed_id(kind: str, *parts: str) -> str:
    """Deterministic id of an observed object: kind prefix + SHA-1 of the lower-case name path.

    >>> observed_id("table", "Main", "sales", "orders") == observed_id("table", "main", "SALES", "orders")
    True
    """
    prefix = kinds.kind(kind).prefix
    digest = hashlib.sha1("\x1f".join(p.lower() for p in parts).encode("utf-8")).hexdigest()
    return f"{prefix}_{digest[:24]}"


# ------------------------------------------------------------------------------------------------------
# the builder


def _blank(value: str | None) -> str | None:
    return value if value else None


class ObservedStateBuilder:
    """Accumulates observed objects and builds an immutable :class:`State` (see the module docs).

    Parents are created on demand (a table creates its schema and catalog entries when missing), so a
    reader adds what it saw in any order. Anything the model cannot hold is appended to
    ``unrepresentable`` with the object's full name.
    """

    # one map per top-level kind (schemax.core.kinds), named like the State field
    catalogs: dict[str, Catalog]
    schemas: dict[str, Schema]
    tables: dict[str, Table]
    views: dict[str, View]
    volumes: dict[str, Volume]
    functions: dict[str, Function]

    def __init__(self) -> None:
        for k in kinds.top_level():
            setattr(self, k.state_field, {})
        self.unrepresentable: list[str] = []

    # -- containers -----------------------------------------------------------------------------------
    def catalog(
        self,
        name: str,
        *,
        comment: str | None = None,
        tags: Mapping[str, str] | None = None,
        properties: Mapping[str, str] | None = None,
        managed_location: str | None = None,
        grants: Mapping[str, Iterable[str]] | None = None,
        owner: str | None = None,
    ) -> str:
        cid = observed_id("catalog", name)
        self.catalogs[cid] = Catalog(
            id=cid,
            name=name,
            comment=_blank(comment),
            managed_location=_blank(managed_location),
            properties=dict(properties or {}),
            tags=dict(tags or {}),
            grants=observed_grants(grants),
            owner=_blank(owner),
        )
        return cid

    def _ensure_catalog(self, name: str) -> str:
        cid = observed_id("catalog", name)
        if cid not in self.catalogs:
            self.catalog(name)
        return cid

    def schema(
        self,
        catalog: str,
        name: str,
        *,
        comment: str | None = None,
        managed_location: str | None = None,
        tags: Mapping[str, str] | None = None,
        properties: Mapping[str, str] | None = None,
        grants: Mapping[str, Iterable[str]] | None = None,
        owner: str | None = None,
    ) -> str:
        cid = self._ensure_catalog(catalog)
        sid = observed_id("schema", catalog, name)
        self.schemas[sid] = Schema(
            id=sid,
            catalog_id=cid,
            name=name,
            comment=_blank(comment),
            managed_location=_blank(managed_location),
            properties=dict(properties or {}),
            tags=dict(tags or {}),
            grants=observed_grants(grants),
            owner=_blank(owner),
        )
        return sid

    def _ensure_schema(self, catalog: str, name: str) -> str:
        sid = observed_id("schema", catalog, name)
        if sid not in self.schemas:
            self.schema(catalog, name)
        return sid

    def _one_of(self, value: str | None, allowed: tuple[str, str], problem: Callable[[str], str]) -> str:
        """``value`` upper-cased when the model can hold it (None: the first of ``allowed``); otherwise
        the first of ``allowed``, with ``problem(value)`` recorded as unrepresentable."""
        upper = (value or allowed[0]).upper()
        if upper in allowed:
            return upper
        self.unrepresentable.append(problem(upper))
        return allowed[0]

    def has_schema(self, catalog: str, name: str) -> bool:
        return observed_id("schema", catalog, name) in self.schemas

    # -- schema children ------------------------------------------------------------------------------
    def table(
        self,
        catalog: str,
        schema: str,
        name: str,
        *,
        columns: Sequence[ColumnSpec] = (),
        table_type: str = "MANAGED",
        format: str = "DELTA",
        location: str | None = None,
        comment: str | None = None,
        partition_by: Sequence[str] = (),
        cluster_by: Sequence[str] = (),
        cluster_auto: bool = False,
        properties: Mapping[str, str] | None = None,
        tags: Mapping[str, str] | None = None,
        constraints: Sequence[ConstraintSpec] = (),
        row_filter: RowFilterSpec | None = None,
        grants: Mapping[str, Iterable[str]] | None = None,
        owner: str | None = None,
    ) -> str:
        sid = self._ensure_schema(catalog, schema)
        tid = observed_id("table", catalog, schema, name)
        fq = full_name(catalog, schema, name)
        ttype = self._one_of(
            table_type, ("MANAGED", "EXTERNAL"), lambda t: f"{fq}: table type {t} recorded as MANAGED"
        )
        cols: list[Column] = []
        by_name: dict[str, str] = {}
        for spec in columns:
            ctype, ok = normalize_observed_type(spec.type)
            if not ok:
                self.unrepresentable.append(f"{fq}.{spec.name}: column type {spec.type!r} kept as text")
            col_id = observed_id("column", catalog, schema, name, spec.name)
            by_name[spec.name.lower()] = col_id
            cols.append(
                Column(
                    id=col_id,
                    name=spec.name,
                    type=ctype,
                    nullable=spec.nullable,
                    comment=_blank(spec.comment),
                    default=_blank(spec.default),
                    tags=dict(spec.tags),
                    generated=spec.generated,
                    identity=spec.identity,
                )
            )

        def ids(names: Sequence[str], what: str) -> tuple[str, ...]:
            out = []
            for n in names:
                cid = by_name.get(n.lower())
                if cid is None:
                    self.unrepresentable.append(f"{fq}: {what} column {n!r} is not a top-level column")
                    continue
                out.append(cid)
            return tuple(out)

        # a mask names other columns, so masks are resolved once every column has its id
        masks = {spec.name.lower(): spec.mask for spec in columns if spec.mask is not None}
        if masks:
            resolved = []
            for col in cols:
                m = masks.get(col.name.lower())
                if m is not None:
                    using = ids(m.using, f"mask of {col.name}")
                    col = col.evolve(mask=ColumnMask(function=m.function, using_columns=using))
                resolved.append(col)
            cols = resolved

        cons: list[Constraint] = []
        for c in constraints:
            ref_id = observed_id("table", *c.ref_table) if c.ref_table else None
            ref_cols = (
                tuple(observed_id("column", *c.ref_table, n) for n in c.ref_columns) if c.ref_table else ()
            )
            cons.append(
                Constraint(
                    id=observed_id("constraint", catalog, schema, name, c.name),
                    name=c.name,
                    kind=c.kind,
                    columns=ids(c.columns, f"constraint {c.name}"),
                    ref_table=ref_id,
                    ref_columns=ref_cols,
                    expression=c.expression,
                    rely=c.rely,
                    timeseries=next(iter(ids((c.timeseries,), f"constraint {c.name}")), None)
                    if c.timeseries
                    else None,
                )
            )
        self.tables[tid] = Table(
            id=tid,
            schema_id=sid,
            name=name,
            table_type=ttype,  # type: ignore[arg-type]
            format=(format or "DELTA").upper(),
            location=_blank(location),
            comment=_blank(comment),
            columns=tuple(cols),
            partition_by=ids(partition_by, "partition"),
            cluster_by=ids(cluster_by, "clustering"),
            cluster_auto=cluster_auto,
            properties=dict(properties or {}),
            tags=dict(tags or {}),
            constraints=tuple(cons),
            row_filter=(
                RowFilter(function=row_filter.function, columns=ids(row_filter.columns, "row filter"))
                if row_filter is not None
                else None
            ),
            grants=observed_grants(grants),
            owner=_blank(owner),
        )
        return tid

    def view(
        self,
        catalog: str,
        schema: str,
        name: str,
        *,
        definition: str,
        comment: str | None = None,
        properties: Mapping[str, str] | None = None,
        tags: Mapping[str, str] | None = None,
        grants: Mapping[str, Iterable[str]] | None = None,
        owner: str | None = None,
    ) -> str:
        sid = self._ensure_schema(catalog, schema)
        vid = observed_id("view", catalog, schema, name)
        self.views[vid] = View(
            id=vid,
            schema_id=sid,
            name=name,
            definition=definition or "",
            comment=_blank(comment),
            properties=dict(properties or {}),
            tags=dict(tags or {}),
            grants=observed_grants(grants),
            owner=_blank(owner),
        )
        return vid

    def volume(
        self,
        catalog: str,
        schema: str,
        name: str,
        *,
        volume_type: str = "MANAGED",
        location: str | None = None,
        comment: str | None = None,
        tags: Mapping[str, str] | None = None,
        grants: Mapping[str, Iterable[str]] | None = None,
        owner: str | None = None,
    ) -> str:
        sid = self._ensure_schema(catalog, schema)
        vid = observed_id("volume", catalog, schema, name)
        fq = full_name(catalog, schema, name)
        vtype = self._one_of(volume_type, ("MANAGED", "EXTERNAL"), lambda t: f"{fq}: volume type {t}")
        self.volumes[vid] = Volume(
            id=vid,
            schema_id=sid,
            name=name,
            volume_type=vtype,  # type: ignore[arg-type]
            location=_blank(location) if vtype == "EXTERNAL" else None,
            comment=_blank(comment),
            tags=dict(tags or {}),
            grants=observed_grants(grants),
            owner=_blank(owner),
        )
        return vid

    def function(
        self,
        catalog: str,
        schema: str,
        name: str,
        *,
        parameters: str = "",
        returns: str = "STRING",
        language: str = "SQL",
        body: str = "",
        comment: str | None = None,
        grants: Mapping[str, Iterable[str]] | None = None,
        owner: str | None = None,
    ) -> str:
        sid = self._ensure_schema(catalog, schema)
        fid = observed_id("function", catalog, schema, name)
        fq = full_name(catalog, schema, name)
        lang = self._one_of(language, ("SQL", "PYTHON"), lambda t: f"{fq}: function language {t}")
        self.functions[fid] = Function(
            id=fid,
            schema_id=sid,
            name=name,
            parameters=parameters or "",
            returns=returns or "STRING",
            language=lang,  # type: ignore[arg-type]
            body=body or "",
            comment=_blank(comment),
            grants=observed_grants(grants),
            owner=_blank(owner),
        )
        return fid

    def build(self) -> State:
        def ordered(d: Mapping[str, Any]) -> dict[str, Any]:
            return {k: d[k] for k in sorted(d)}

        return State(**{k.state_field: ordered(getattr(self, k.state_field)) for k in kinds.top_level()})


def check_constraints_from_properties(properties: Mapping[str, str]) -> list[ConstraintSpec]:
    """CHECK constraints stored by Delta as ``delta.constraints.<name>`` table properties."""
    out = []
    for key in sorted(properties):
        if key.lower().startswith("delta.constraints."):
            out.append(
                ConstraintSpec(
                    name=key[len("delta.constraints.") :], kind="check", expression=properties[key]
                )
            )
    return out


def sorted_unique(items: Iterable[str]) -> list[str]:
    return sorted(set(items))


__all__ = [
    "ColumnSpec",
    "ConstraintSpec",
    "MaskSpec",
    "ObservedStateBuilder",
    "RowFilterSpec",
    "SchemaFacts",
    "UnrepresentableType",
    "check_constraints_from_properties",
    "columns_from_spark_schema",
    "full_name",
    "generation_from_metadata",
    "name_key",
    "normalize_observed_type",
    "observed_grants",
    "observed_id",
    "privilege_name",
    "sorted_unique",
    "spark_json_type",
]
