"""Design ops on views, volumes and functions, and the tags and grants of any object."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from schemax.core import kinds
from schemax.core import ops as o
from schemax.core.model import KIND_PREFIX, kind_of_id
from schemax.core.ops import new_id
from schemax.errors import ValidationError
from schemax.project.base import ProjectBase


class ObjectDesign(ProjectBase):
    """Views, volumes, functions; tags (on anything taggable) and grants (on any securable)."""

    # ------------------------------------------------------------------------------------------------
    # views, volumes, functions
    # ------------------------------------------------------------------------------------------------
    def create_object(self, kind: str, name: str, **attributes: Any) -> str:
        """Create a schema child of any kind from the fields of its create op, e.g.
        ``create_object("volume", "main.raw.landing", volume_type="EXTERNAL", location="s3://bucket/raw")``.

        The typed ``create_view`` / ``create_volume`` / ``create_function`` are shorthands for it, and an
        object kind without a typed method is reachable through it (and through design files). Tables are
        created with :meth:`create_table` (their columns need ids of their own). Returns the new id; an
        unknown kind or attribute is a :class:`~schemax.ValidationError` and records nothing.
        """
        leaves = [k.name for k in kinds.schema_children() if not kinds.children_of(k.name)]
        if kind not in leaves:
            raise ValidationError({"kind": f"create_{kind}"},
                                  f"create_object makes one of {', '.join(leaves)}, not {kind!r}")
        schema_id, leaf = self._parent(name, 2)
        return self._emit(f"create_{kind}", new_id(kinds.kind(kind).prefix),
                          {"schema_id": schema_id, "name": leaf, **attributes})

    def create_view(self, name: str, definition: str, comment: str | None = None,
                    properties: dict[str, str] | None = None) -> str:
        schema_id, leaf = self._parent(name, 2)
        return self._emit("create_view", new_id(KIND_PREFIX["view"]), {
            "schema_id": schema_id, "name": leaf, "definition": definition, "comment": comment,
            "properties": properties or {}})

    def _view(self, name: str) -> str:
        return self._id(name, ("view",), "view")

    def rename_view(self, name: str, new_name: str) -> str:
        return self._emit("rename_view", self._view(name), {"name": new_name})

    def update_view(self, name: str, definition: str) -> str:
        return self._emit("update_view_definition", self._view(name), {"definition": definition})

    def set_view_comment(self, name: str, comment: str | None) -> str:
        return self._emit("set_view_comment", self._view(name), {"comment": comment})

    def set_view_properties(self, name: str, properties: dict[str, str]) -> str:
        return self._emit("set_view_properties", self._view(name), {"properties": dict(properties)})

    def unset_view_properties(self, name: str, keys: Sequence[str]) -> str:
        return self._emit("unset_view_properties", self._view(name), {"keys": list(keys)})

    def drop_view(self, name: str) -> str:
        return self._emit("drop_view", self._view(name), {})

    def create_volume(self, name: str, volume_type: str = "MANAGED", location: str | None = None,
                      comment: str | None = None) -> str:
        schema_id, leaf = self._parent(name, 2)
        return self._emit("create_volume", new_id(KIND_PREFIX["volume"]), {
            "schema_id": schema_id, "name": leaf, "volume_type": volume_type.upper(), "location": location,
            "comment": comment})

    def _volume(self, name: str) -> str:
        return self._id(name, ("volume",), "volume")

    def rename_volume(self, name: str, new_name: str) -> str:
        return self._emit("rename_volume", self._volume(name), {"name": new_name})

    def set_volume_comment(self, name: str, comment: str | None) -> str:
        return self._emit("set_volume_comment", self._volume(name), {"comment": comment})

    def drop_volume(self, name: str) -> str:
        return self._emit("drop_volume", self._volume(name), {})

    def create_function(self, name: str, body: str, parameters: str = "", returns: str = "STRING",
                        language: str = "SQL", comment: str | None = None) -> str:
        schema_id, leaf = self._parent(name, 2)
        return self._emit("create_function", new_id(KIND_PREFIX["function"]), {
            "schema_id": schema_id, "name": leaf, "parameters": parameters, "returns": returns,
            "language": language.upper(), "body": body, "comment": comment})

    def _function(self, name: str) -> str:
        return self._id(name, ("function",), "function")

    def update_function(self, name: str, body: str, parameters: str = "", returns: str = "STRING",
                        language: str = "SQL") -> str:
        return self._emit("update_function", self._function(name), {
            "parameters": parameters, "returns": returns, "language": language.upper(), "body": body})

    def set_function_comment(self, name: str, comment: str | None) -> str:
        return self._emit("set_function_comment", self._function(name), {"comment": comment})

    def drop_function(self, name: str) -> str:
        return self._emit("drop_function", self._function(name), {})

    # ------------------------------------------------------------------------------------------------
    # tags and grants
    # ------------------------------------------------------------------------------------------------
    def set_tags(self, name: str, tags: dict[str, str]) -> str:
        """Set tags on a catalog, schema, table, view, volume (1-3 parts) or column (4 parts)."""
        target = self._object(name)
        kind = kind_of_id(target)
        if kind not in o.TAGGABLE_KINDS:
            raise ValidationError({"kind": "set_tags"}, f"a {kind} cannot carry tags")
        return self._emit(f"set_{kind}_tags", target, {"tags": dict(tags)})

    def unset_tags(self, name: str, keys: Sequence[str]) -> str:
        target = self._object(name)
        kind = kind_of_id(target)
        if kind not in o.TAGGABLE_KINDS:
            raise ValidationError({"kind": "unset_tags"}, f"a {kind} cannot carry tags")
        return self._emit(f"unset_{kind}_tags", target, {"keys": list(keys)})

    def grant(self, name: str, principal: str, privileges: Sequence[str]) -> str:
        return self._emit("grant", self._object(name),
                          {"principal": principal, "privileges": list(privileges)})

    def set_owner(self, name: str, principal: str | None) -> str:
        """The principal that owns a catalog, schema, table, view, volume or function (``ALTER ... SET OWNER
        TO``, run after everything else in a plan); None stops managing the owner (the object keeps its
        owner)."""
        return self._emit("set_owner", self._object(name), {"owner": principal})

    def revoke(self, name: str, principal: str, privileges: Sequence[str]) -> str:
        return self._emit("revoke", self._object(name),
                          {"principal": principal, "privileges": list(privileges)})
