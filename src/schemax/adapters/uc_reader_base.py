"""The Unity Catalog reader's foundation: counted queries, bounded concurrent API calls, what one read
accumulates, and the lookups that fall back to the SDK object by object (view and function definitions,
table properties); see :mod:`schemax.adapters.catalog_uc`."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from schemax.adapters import uc_governance as gov
from schemax.adapters.uc_info_schema import (
    TABLE_TYPES,
    VIEW_TYPES,
    as_int,
    enum_text,
    is_yes,
    param_name,
)
from schemax.core.names import quote_ident
from schemax.drift.observed import (
    ObservedStateBuilder,
    full_name,
)
from schemax.errors import SqlError
from schemax.ports import SqlExecutor

UNOBSERVED = frozenset({"schema_location"})
MAX_WORKERS = 8

log = logging.getLogger("schemax.catalog")
T = TypeVar("T")
R = TypeVar("R")


@dataclass
class _Run:
    """What one read accumulates across catalogs."""

    notes: list[str] = field(default_factory=list)
    unrep: list[str] = field(default_factory=list)
    unobserved: set[str] = field(default_factory=set)
    per_table: list[str] = field(default_factory=list)
    partial: dict[str, set[str]] = field(default_factory=dict)

    def hide(self, name: str, aspect: str) -> None:
        """``aspect`` of the object ``name`` was not seen: the comparison skips it for that object."""
        self.partial.setdefault(name.lower(), set()).add(aspect)



class _ReaderBase:
    """Queries, API fan-out and the per-object fallbacks of
    :class:`~schemax.adapters.catalog_uc.UnityCatalogReader`."""

    def __init__(
        self, executor: SqlExecutor, *, workspace_client: Any = None, max_workers: int = MAX_WORKERS
    ) -> None:
        self.executor = executor
        self.ws = workspace_client
        self.max_workers = max(1, min(max_workers, MAX_WORKERS))
        self._lock = threading.Lock()
        self._queries = 0
        self._identity = gov.ReaderIdentity(self._query)

    def _count(self, n: int = 1) -> None:
        with self._lock:
            self._queries += n

    def _query(self, sql: str) -> list[dict[str, Any]]:
        self._count()
        return self.executor.query(sql)

    def _each(self, items: Sequence[T], call: Callable[[T], R]) -> list[tuple[T, R | Exception]]:
        """``call`` for every item, ``max_workers`` at a time, each counted as one round trip; a failure
        is returned, not raised (the caller declares that object's aspect unobserved)."""

        def one(item: T) -> tuple[T, R | Exception]:
            self._count()
            try:
                return item, call(item)
            except Exception as exc:  # noqa: BLE001 - any API failure: this object stays unobserved
                log.info(
                    "unity catalog reader: %s failed for %s: %s", getattr(call, "__name__", call), item, exc
                )
                return item, exc

        if not items:
            return []
        with ThreadPoolExecutor(max_workers=self.max_workers) as pool:
            return list(pool.map(one, items))

    # -- read ----------------------------------------------------------------------------------------------
    def _view_definitions(
        self,
        cat: str,
        tables: list[dict[str, Any]],
        sdk_tables: Mapping[tuple[str, str], Any],
        rows_of: Callable[[str], list[dict[str, Any]]],
        run: _Run,
    ) -> dict[tuple[str, str], str]:
        """View text per view: information_schema (NULL unless the reader owns the view), else the API's
        ``view_definition`` (``tables.list``, then ``tables.get``), else unobserved."""
        defs: dict[tuple[str, str], str] = {}
        for r in rows_of("views"):
            if r.get("view_definition"):
                defs[(r["table_schema"].lower(), r["table_name"].lower())] = r["view_definition"]
        hidden: list[tuple[tuple[str, str], str]] = []
        for r in tables:
            if enum_text(r.get("table_type")).upper() not in VIEW_TYPES:
                continue
            key = (r["table_schema"].lower(), r["table_name"].lower())
            if key in defs:
                continue
            info = sdk_tables.get(key)
            if info is not None and info.view_definition:
                defs[key] = info.view_definition
            else:
                hidden.append((key, full_name(cat, r["table_schema"], r["table_name"])))
        if not hidden or "view_definition" in run.unobserved:  # no views view: unobserved for all anyway
            return defs
        if self.ws is not None:
            for (key, _), got in self._each(hidden, lambda item: self.ws.tables.get(item[1]).view_definition):
                if isinstance(got, str) and got:
                    defs[key] = got
            run.per_table.extend(fq for _, fq in hidden)
        unseen = [fq for key, fq in hidden if key not in defs]
        for fq in unseen:
            run.hide(fq, "view_definition")
        if unseen:
            run.notes.append(
                f"{cat}: definition of {len(unseen)} view(s) not compared: information_schema shows it only "
                "to the view's owner" + ("" if self.ws is None else ", and the Tables API gave none either")
            )
        return defs

    def _properties(
        self,
        cat: str,
        tables: list[dict[str, Any]],
        sdk_tables: Mapping[tuple[str, str], Any],
        run: _Run,
    ) -> dict[tuple[str, str], dict[str, str]]:
        properties: dict[tuple[str, str], dict[str, str]] = {}
        if self.ws is not None:
            for tkey, tinfo in sdk_tables.items():
                properties[tkey] = dict(tinfo.properties or {})
            return properties
        todo = [
            (r["table_schema"], r["table_name"])
            for r in tables
            if enum_text(r.get("table_type")).upper() in TABLE_TYPES
            or enum_text(r.get("table_type")).upper() in VIEW_TYPES
        ]
        if not todo:
            return properties
        run.notes.append(
            f"{cat}: no WorkspaceClient: table properties read with SHOW TBLPROPERTIES, "
            f"{len(todo)} table(s)/view(s) one by one, {self.max_workers} at a time"
        )

        def read_props(item: tuple[str, str]) -> tuple[tuple[str, str], dict[str, str] | None]:
            sch, name = item
            try:
                rows = self._query(
                    f"SHOW TBLPROPERTIES {quote_ident(cat)}.{quote_ident(sch)}.{quote_ident(name)}"
                )
            except SqlError as exc:
                if exc.kind == "not_found":
                    return (sch.lower(), name.lower()), None
                raise
            return (sch.lower(), name.lower()), {r["key"]: r["value"] for r in rows}

        with ThreadPoolExecutor(max_workers=self.max_workers) as pool:
            for pkey, value in pool.map(read_props, todo):
                if value is not None:
                    properties[pkey] = value
        run.per_table.extend(full_name(cat, s, n) for s, n in todo)
        return properties

    # -- functions -------------------------------------------------------------------------------------------
    def _functions(
        self,
        cat: str,
        rows_of: Callable[[str], list[dict[str, Any]]],
        grants_of: Callable[..., dict[str, set[str]]],
        builder: ObservedStateBuilder,
        run: _Run,
    ) -> None:
        params: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for r in rows_of("parameters"):
            if is_yes(r.get("is_result", "NO")):
                continue
            params.setdefault((r["specific_schema"].lower(), r["specific_name"].lower()), []).append(r)
        routines = []
        for r in rows_of("routines"):
            if str(r.get("routine_type") or "FUNCTION").upper() != "FUNCTION":
                fq = full_name(cat, r["routine_schema"], r["routine_name"])
                run.unrep.append(f"{fq}: {r.get('routine_type')} is not represented")
            else:
                routines.append(r)
        # routine_definition, like view_definition, may be hidden from a reader that does not own it
        bodies: dict[str, str] = {}
        hidden = [
            full_name(cat, r["routine_schema"], r["routine_name"])
            for r in routines
            if not r.get("routine_definition")
        ]
        if hidden and self.ws is not None:
            for fq, got in self._each(hidden, lambda fq: self.ws.functions.get(fq).routine_definition):
                if isinstance(got, str) and got:
                    bodies[fq] = got
            run.per_table.extend(hidden)
        unseen = [fq for fq in hidden if fq not in bodies]
        for fq in unseen:
            run.hide(fq, "function_body")
        if unseen:
            run.notes.append(
                f"{cat}: body of {len(unseen)} function(s) not compared: information_schema.routines did not "
                "show it" + ("" if self.ws is None else ", and the Functions API gave none either")
            )
        for r in routines:
            sch, name = r["routine_schema"], r["routine_name"]
            specific = str(r.get("specific_name") or name).lower()
            plist = sorted(
                params.get((sch.lower(), specific), []), key=lambda p: as_int(p.get("ordinal_position"))
            )
            body_kind = str(r.get("routine_body") or "SQL").upper()
            language = "SQL" if body_kind == "SQL" else str(r.get("external_language") or body_kind).upper()
            fq = full_name(cat, sch, name)
            builder.function(
                cat,
                sch,
                name,
                parameters=", ".join(
                    f"{param_name(p['parameter_name'])} {p.get('full_data_type') or ''}".strip()
                    for p in plist
                ),
                returns=r.get("full_data_type") or "",
                language=language,
                body=r.get("routine_definition") or bodies.get(fq) or "",
                comment=r.get("comment"),
                grants=grants_of("function", sch.lower(), specific),
                owner=r.get("routine_owner"),
            )

