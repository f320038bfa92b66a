"""Design ops on catalogs and schemas (one method per op kind, each validated before it is recorded)."""

from __future__ import annotations

from collections.abc import Sequence

from schemax.core.model import KIND_PREFIX
from schemax.core.ops import new_id
from schemax.project.base import ProjectBase


class CatalogDesign(ProjectBase):
    """Catalogs and schemas: create, rename, comment, properties, drop."""

    # ------------------------------------------------------------------------------------------------
    # catalogs and schemas
    # ------------------------------------------------------------------------------------------------
    def create_catalog(self, name: str, comment: str | None = None, *, managed_location: str | None = None,
                       properties: dict[str, str] | None = None) -> str:
        """Record a new catalog; returns its stable id."""
        return self._emit("create_catalog", new_id(KIND_PREFIX["catalog"]), {
            "name": name, "comment": comment, "managed_location": managed_location,
            "properties": properties or {}})

    def rename_catalog(self, name: str, new_name: str) -> str:
        return self._emit("rename_catalog", self._id(name, ("catalog",), "catalog"), {"name": new_name})

    def set_catalog_comment(self, name: str, comment: str | None) -> str:
        return self._emit("set_catalog_comment", self._id(name, ("catalog",), "catalog"),
                          {"comment": comment})

    def set_catalog_properties(self, name: str, properties: dict[str, str]) -> str:
        """Add or change properties of a catalog (``schemax.*`` and engine-reserved keys are refused)."""
        return self._emit("set_catalog_properties", self._id(name, ("catalog",), "catalog"),
                          {"properties": dict(properties)})

    def unset_catalog_properties(self, name: str, keys: Sequence[str]) -> str:
        """Remove properties of a catalog; every key must be set."""
        return self._emit("unset_catalog_properties", self._id(name, ("catalog",), "catalog"),
                          {"keys": list(keys)})

    def drop_catalog(self, name: str) -> str:
        return self._emit("drop_catalog", self._id(name, ("catalog",), "catalog"), {})

    def create_schema(self, name: str, comment: str | None = None, *, managed_location: str | None = None,
                      properties: dict[str, str] | None = None) -> str:
        """Record a new schema ``catalog.schema``; returns its stable id."""
        catalog_id, leaf = self._parent(name, 1)
        return self._emit("create_schema", new_id(KIND_PREFIX["schema"]), {
            "catalog_id": catalog_id, "name": leaf, "comment": comment, "managed_location": managed_location,
            "properties": properties or {}})

    def rename_schema(self, name: str, new_name: str) -> str:
        return self._emit("rename_schema", self._id(name, ("schema",), "schema"), {"name": new_name})

    def set_schema_comment(self, name: str, comment: str | None) -> str:
        return self._emit("set_schema_comment", self._id(name, ("schema",), "schema"), {"comment": comment})

    def set_schema_properties(self, name: str, properties: dict[str, str]) -> str:
        """Add or change properties of a schema (``schemax.*`` and engine-reserved keys are refused)."""
        return self._emit("set_schema_properties", self._id(name, ("schema",), "schema"),
                          {"properties": dict(properties)})

    def unset_schema_properties(self, name: str, keys: Sequence[str]) -> str:
        """Remove properties of a schema; every key must be set."""
        return self._emit("unset_schema_properties", self._id(name, ("schema",), "schema"),
                          {"keys": list(keys)})

    def drop_schema(self, name: str) -> str:
        return self._emit("drop_schema", self._id(name, ("schema",), "schema"), {})
