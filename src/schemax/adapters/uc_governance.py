"""Governance for the Unity Catalog reader: grants, row filters, column masks, and what a reader may not see.

Sources (each one query per catalog, read by :mod:`schemax.adapters.catalog_uc` with the other
``information_schema`` views):

==========================  ======================================================================
view                        gives
==========================  ======================================================================
``catalog_privileges``,     direct grants (rows whose ``inherited_from`` is ``NONE`` or NULL: a grant
``schema_privileges``,      inherited from the catalog or schema is the parent's grant, not the
``table_privileges``,       object's); ``privilege_type`` uses underscores (``ALL_PRIVILEGES``) and is
``volume_privileges``,      mapped to the SQL name (:func:`~schemax.drift.observed.privilege_name`).
``routine_privileges``      ``table_privileges`` covers views too.
``row_filters``             a table's row filter: ``filter_catalog.filter_schema.filter_name`` and
                            ``filter_col_usage`` (comma-separated columns, empty if none)
``column_masks``            a column's mask: ``mask_catalog.mask_schema.mask_name`` and
                            ``mask_col_usage`` (comma-separated other columns, NULL if none)
==========================  ======================================================================

Why ``information_schema`` and not the SDK's ``grants.get(securable_type, full_name)`` (direct grants,
``get_effective`` would add inherited ones): the API answers for one securable per call, so a schema of
500 tables would cost 500 calls; the views cost five queries per catalog, whatever its size. Their
caveat (Databricks ``table_privileges`` reference): "users with the MANAGE privilege on an object cannot
view all grants for that object in the INFORMATION_SCHEMA. Instead, the INFORMATION_SCHEMA only shows
their own grants on the object." So the views are trusted only for objects the reader owns (the
``*_owner`` columns against ``current_user()``, or a group it belongs to by ``is_account_group_member``,
one query for all owners). For any other object the reader asks ``grants.get`` when it has a workspace
client (those objects are listed in ``per_table``) and otherwise declares the object's grants unobserved
(``ObservedCatalog.partial``): never a grant reported missing because it was hidden.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from schemax.core.names import qualified, sql_string
from schemax.drift.observed import MaskSpec, RowFilterSpec, privilege_name
from schemax.errors import SqlError

log = logging.getLogger("schemax.catalog")

#: ``information_schema`` privilege view -> object kind its rows are about
PRIVILEGE_VIEWS: dict[str, str] = {
    "catalog_privileges": "catalog",
    "schema_privileges": "schema",
    "table_privileges": "relation",
    "volume_privileges": "volume",
    "routine_privileges": "function",
}

#: only direct grants: an inherited row names the ancestor it comes from
DIRECT_ONLY = "(inherited_from IS NULL OR upper(inherited_from) = 'NONE')"

#: object kind -> the securable type the Grants API takes (views are tables there)
SECURABLE_TYPES: dict[str, str] = {
    "catalog": "catalog",
    "schema": "schema",
    "relation": "table",
    "volume": "volume",
    "function": "function",
}

#: An object of one catalog read: ("catalog",), ("schema", s), (kind, s, name); names lower case.
ObjectKey = tuple[str, ...]
Grants = dict[str, set[str]]


def _low(value: Any) -> str:
    return str(value or "").lower()


def grants_from_rows(view: str, rows: Iterable[Mapping[str, Any]]) -> dict[ObjectKey, Grants]:
    """Direct grants per object from the rows of one privilege view (``grantee``, ``privilege_type``)."""
    kind = PRIVILEGE_VIEWS[view]
    out: dict[ObjectKey, Grants] = {}
    for r in rows:
        inherited = r.get("inherited_from")
        if inherited is not None and str(inherited).upper() != "NONE":
            continue  # the query filters these already; a fake or an older view may not
        if kind == "catalog":
            key: ObjectKey = ("catalog",)
        elif kind == "schema":
            key = ("schema", _low(r.get("schema_name")))
        elif kind == "relation":
            key = ("relation", _low(r.get("table_schema")), _low(r.get("table_name")))
        elif kind == "volume":
            key = ("volume", _low(r.get("volume_schema")), _low(r.get("volume_name")))
        else:
            key = ("function", _low(r.get("specific_schema")), _low(r.get("specific_name")))
        principal = str(r.get("grantee") or "")
        privilege = privilege_name(r.get("privilege_type"))
        if principal and privilege:
            out.setdefault(key, {}).setdefault(principal, set()).add(privilege)
    return out


def full_name_of(catalog: str, key: ObjectKey, names: Mapping[ObjectKey, str]) -> str:
    """The dotted full name the Grants API (and ``ObservedCatalog.partial``) use for ``key``; ``names``
    gives each object's name as the catalog spells it."""
    if key[0] == "catalog":
        return catalog
    if key[0] == "schema":
        return f"{catalog}.{names.get(key, key[1])}"
    return f"{catalog}.{names.get(('schema', key[1]), key[1])}.{names.get(key, key[2])}"


def sdk_grants(ws: Any, kind: str, full_name: str) -> Grants:
    """Direct grants of one securable through ``grants.get`` (all pages)."""
    out: Grants = {}
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {"max_results": 0}
        if token:
            kwargs["page_token"] = token
        resp = ws.grants.get(SECURABLE_TYPES[kind], full_name, **kwargs)
        for a in getattr(resp, "privilege_assignments", None) or []:
            if not a.principal:
                continue
            privs = {privilege_name(p) for p in a.privileges or []} - {""}
            out.setdefault(a.principal, set()).update(privs)
        token = getattr(resp, "next_page_token", None)
        if not isinstance(token, str) or not token:
            return out


# -- row filters and masks -----------------------------------------------------------------------------


def split_usage(text: Any) -> tuple[str, ...]:
    """``"a, `b c`"`` -> ``("a", "b c")``: the comma-separated column lists of row_filters/column_masks."""
    if not text:
        return ()
    out = []
    for part in str(text).split(","):
        name = part.strip()
        if len(name) >= 2 and name.startswith("`") and name.endswith("`"):
            name = name[1:-1].replace("``", "`")
        if name:
            out.append(name)
    return tuple(out)


def filters_from_rows(rows: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], RowFilterSpec]:
    out = {}
    for r in rows:
        fn = qualified(str(r["filter_catalog"]), str(r["filter_schema"]), str(r["filter_name"]))
        out[(_low(r["schema_name"]), _low(r["table_name"]))] = RowFilterSpec(
            function=fn, columns=split_usage(r.get("filter_col_usage"))
        )
    return out


def masks_from_rows(rows: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str, str], MaskSpec]:
    out = {}
    for r in rows:
        fn = qualified(str(r["mask_catalog"]), str(r["mask_schema"]), str(r["mask_name"]))
        key = (_low(r["schema_name"]), _low(r["table_name"]), _low(r["column_name"]))
        out[key] = MaskSpec(function=fn, using=split_usage(r.get("mask_col_usage")))
    return out


def filter_from_sdk(info: Any) -> RowFilterSpec | None:
    """``TableInfo.row_filter`` (``function_name`` is the full name, ``input_column_names`` the columns)."""
    rf = getattr(info, "row_filter", None)
    if rf is None or not rf.function_name:
        return None
    return RowFilterSpec(function=rf.function_name, columns=tuple(rf.input_column_names or ()))


def mask_from_sdk(column: Any) -> MaskSpec | None:
    """``ColumnInfo.mask`` (``function_name`` is the full name, ``using_column_names`` the other columns)."""
    m = getattr(column, "mask", None)
    if m is None or not m.function_name:
        return None
    return MaskSpec(function=m.function_name, using=tuple(m.using_column_names or ()))


# -- who is reading ------------------------------------------------------------------------------------


class ReaderIdentity:
    """Who the reader runs as, and which owners' objects it sees every grant of (itself, its groups).

    ``query`` runs one SQL query (the reader's counted executor). ``current_user()`` is asked once; group
    membership once per batch of owners not seen before, in one query.
    """

    def __init__(self, query: Callable[[str], list[dict[str, Any]]]) -> None:
        self._query = query
        self._user: str | None = None
        self._asked = False
        self._members: dict[str, bool] = {}
        self.problem: str | None = None  # why nothing could be trusted, for the notes

    def user(self) -> str | None:
        if not self._asked:
            self._asked = True
            try:
                rows = self._query("SELECT current_user() AS user")
                name = str(rows[0].get("user") or "") if rows else ""
                self._user = name or None
            except SqlError as exc:
                self.problem = f"current_user() failed: {exc.cause.splitlines()[0]}"
            if self._user is None and self.problem is None:
                self.problem = "current_user() returned nothing"
        return self._user

    def trusted(self, owners: Iterable[str | None]) -> set[str]:
        """The owners (lower case) whose objects' grants the reader sees in full."""
        user = self.user()
        if user is None:
            return set()
        wanted = {o for o in owners if o}
        unknown = sorted({o for o in wanted if o.lower() != user.lower() and o.lower() not in self._members})
        if unknown:
            cols = ", ".join(
                f"is_account_group_member({sql_string(o)}) AS m{i}" for i, o in enumerate(unknown)
            )
            try:
                row = (self._query(f"SELECT {cols}") or [{}])[0]
                for i, o in enumerate(unknown):
                    self._members[o.lower()] = str(row.get(f"m{i}")).lower() in ("true", "1")
            except SqlError as exc:
                log.info("group membership of object owners not known (%s)", exc.cause.splitlines()[0])
                for o in unknown:
                    self._members[o.lower()] = False
        return {user.lower()} | {o for o, member in self._members.items() if member}


__all__ = [
    "DIRECT_ONLY",
    "PRIVILEGE_VIEWS",
    "SECURABLE_TYPES",
    "ReaderIdentity",
    "filter_from_sdk",
    "filters_from_rows",
    "full_name_of",
    "grants_from_rows",
    "mask_from_sdk",
    "masks_from_rows",
    "sdk_grants",
    "split_usage",
]
