"""The comparer's walk over catalogs, schemas and their children; views, functions, and any other schema child
by its registry entry (pure)."""

from __future__ import annotations

from typing import Any

from schemax.core import kinds
from schemax.core.model import (
    Function,
    Schema,
    View,
)
from schemax.core.registry import require_complete
from schemax.drift.compare.tables import _TableComparer
from schemax.drift.compare.text import _key, _norm_location, _norm_params, _norm_sql, _norm_type


class _Comparer(_TableComparer):
    # -- containers --------------------------------------------------------------------------------
    def run(self) -> None:
        for key, cat in self.exp.catalogs.items():
            if not self.scope.catalog_touched(cat.name):
                continue
            ocat = self.obs.catalogs.get(key)
            if ocat is None:
                self.add("catalog", cat.name, "missing", cat.name, None, "catalog not found")
                continue
            if self.scope.catalog_whole(cat.name):
                if self.sees("catalog_comment", cat.name):
                    self.compare_text("catalog", cat.name, "comment", cat.comment, ocat.comment)
                self.compare_tags(cat.name, cat.tags, ocat.tags, cat.name)
                self.compare_grants(cat.name, cat.grants, ocat.grants)
                self.compare_owner(cat.name, cat.owner, ocat.owner)
        for key, ocat in self.obs.catalogs.items():
            if not self.scope.catalog_touched(ocat.name):
                continue
            self.scanned["catalogs"] += 1
            if key not in self.exp.catalogs and self.scope.catalog_whole(ocat.name):
                self.add("catalog", ocat.name, "extra", None, ocat.name, "catalog not in the project")

        for key, sch in self.exp.schemas.items():
            cat_name = self.exp.schema_parts[sch.id][0]
            if not self.scope.schema_in(cat_name, sch.name):
                continue
            if _key(cat_name) not in self.obs.catalogs:
                continue  # reported once, as a missing catalog
            name = f"{cat_name}.{sch.name}"
            osch = self.obs.schemas.get(key)
            if osch is None:
                self.add("schema", name, "missing", name, None, "schema not found")
                continue
            self.compare_schema(name, sch, osch)
        for key, osch in self.obs.schemas.items():
            cat_name = self.obs.schema_parts[osch.id][0]
            if not self.scope.schema_in(cat_name, osch.name):
                continue
            self.scanned["schemas"] += 1
            if key in self.exp.schemas or osch.name.lower() == "information_schema":
                continue
            if _key(cat_name) not in self.exp.catalogs:
                continue  # an extra catalog is reported once
            contents = self.contents_of(cat_name, osch.name)
            if osch.name.lower() == "default" and not contents:
                continue
            detail = "schema not in the project" + (f" (holds {contents})" if contents else "")
            self.add("schema", f"{cat_name}.{osch.name}", "extra", None, f"{cat_name}.{osch.name}", detail)

        # schema children
        for key, (kind, obj) in self.exp.children.items():
            cat, sch_name, _ = self.exp.parts_of(obj)
            if not self.scope.schema_in(cat, sch_name):
                continue
            if _key(cat, sch_name) not in self.obs.schemas:
                continue  # reported once, as a missing schema or catalog
            if not self.sees_kind(kind):
                continue
            name = ".".join((cat, sch_name, obj.name))
            hit = self.obs.children.get(key)
            if hit is None:
                self.add(kind, name, "missing", kind, None, f"{kind} not found")
                continue
            okind, oobj = hit
            if okind != kind:
                self.add(kind, name, "modified", kind, okind, "object type")
                continue
            _CHILD_COMPARERS[kind](self, name, obj, oobj)
        for key, (okind, oobj) in self.obs.children.items():
            cat, sch_name, _ = self.obs.parts_of(oobj)
            if not self.scope.schema_in(cat, sch_name):
                continue
            if not self.sees_kind(okind):
                continue
            self.scanned[kinds.kind(okind).state_field] += 1
            if okind == "table":
                self.scanned["columns"] += len(oobj.columns)
            if key in self.exp.children:
                continue
            if _key(cat, sch_name) not in self.exp.schemas:
                continue  # reported once, as an extra schema
            name = ".".join((cat, sch_name, oobj.name))
            self.add(okind, name, "extra", None, okind, f"{okind} not in the project")

    def contents_of(self, cat: str, sch: str) -> str:
        counts: dict[str, int] = {}
        for key, (kind, _) in self.obs.children.items():
            if key[:2] == _key(cat, sch):
                counts[kind] = counts.get(kind, 0) + 1
        return ", ".join(f"{n} {k}{'s' if n != 1 else ''}" for k, n in sorted(counts.items()))

    def compare_schema(self, name: str, exp: Schema, obs: Schema) -> None:
        if self.sees("schema_comment", name):
            self.compare_text("schema", name, "comment", exp.comment, obs.comment)
        if exp.managed_location and self.sees("schema_location", name):
            e, a = _norm_location(exp.managed_location), _norm_location(obs.managed_location)
            if e != a:
                self.add("schema", name, "modified", e, a, "managed location")
        self.compare_tags(name, exp.tags, obs.tags, name)
        self.compare_grants(name, exp.grants, obs.grants)
        self.compare_owner(name, exp.owner, obs.owner)

    # -- other children ---------------------------------------------------------------------------------
    def compare_view(self, name: str, exp: View, obs: View) -> None:
        if self.sees("view_definition", name) and _norm_sql(exp.definition) != _norm_sql(obs.definition):
            self.add("view", name, "modified", exp.definition, obs.definition, "definition")
        self.compare_text("view", name, "comment", exp.comment, obs.comment)
        self.compare_properties(name, exp.properties, obs.properties)
        self.compare_tags(name, exp.tags, obs.tags, name)
        self.compare_grants(name, exp.grants, obs.grants)
        self.compare_owner(name, exp.owner, obs.owner)

    def compare_function(self, name: str, exp: Function, obs: Function) -> None:
        if exp.language != obs.language:
            self.add("function", name, "modified", exp.language, obs.language, "language")
        if _norm_type(exp.returns) != _norm_type(obs.returns):
            self.add("function", name, "modified", exp.returns, obs.returns, "returns")
        if _norm_params(exp.parameters) != _norm_params(obs.parameters):
            self.add(
                "function", name, "modified", exp.parameters or None, obs.parameters or None, "parameters"
            )
        if obs.body and self.sees("function_body", name) and _norm_sql(exp.body) != _norm_sql(obs.body):
            self.add("function", name, "modified", exp.body, obs.body, "body")
        self.compare_text("function", name, "comment", exp.comment, obs.comment)
        self.compare_grants(name, exp.grants, obs.grants)
        self.compare_owner(name, exp.owner, obs.owner)


#: how each kind of schema child found on both sides is compared
_CHILD_COMPARERS: dict[str, Any] = {
    "table": _Comparer.compare_table,
    "view": _Comparer.compare_view,
    "function": _Comparer.compare_function,
}


def _compare_attributes(kind: kinds.ObjectKind) -> Any:
    """The comparer of a schema child with no comparer of its own (volumes today): each attribute of its
    model the design sets (None leaves it to the engine; locations normalized), then its comment,
    properties, tags, grants and owner as far as its kind has them."""
    shared = {"id", "name", kind.parent_key, "comment", "properties", "tags", "grants", "owner"}
    attributes = tuple(f for f in kind.model.model_fields if f not in shared)

    def compare(self: _Comparer, name: str, exp: Any, obs: Any) -> None:
        for attribute in attributes:
            e, a = getattr(exp, attribute), getattr(obs, attribute)
            if e is None:
                continue
            if attribute.endswith("location"):
                e, a = _norm_location(e), _norm_location(a)
            if e != a:
                self.add(kind.name, name, "modified", e, a, attribute.replace("_", " "))
        if kind.has_comment:
            self.compare_text(kind.name, name, "comment", exp.comment, obs.comment)
        if kind.has_properties:
            self.compare_properties(name, exp.properties, obs.properties)
        if kind.taggable:
            self.compare_tags(name, exp.tags, obs.tags, name)
        if kind.securable:
            self.compare_grants(name, exp.grants, obs.grants)
        self.compare_owner(name, exp.owner, obs.owner)

    return compare


for _kind in kinds.schema_children():
    _CHILD_COMPARERS.setdefault(_kind.name, _compare_attributes(_kind))
require_complete(
    _CHILD_COMPARERS, [k.name for k in kinds.schema_children()], "schema children without a comparer"
)
