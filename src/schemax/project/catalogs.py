"""Design ops on catalogs and schemas (one method per op kind, each validated before it is recorded)."""

from __future__ import annotations

from schemax.core.model import KIND_PREFIX
from schemax.core.ops import new_id
from schemax.project.base import ProjectBase


class CatalogDesign(ProjectBase):
    """Catalogs and schemas: create, rename, comment, drop."""

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

    def drop_schema(self, name: str) -> str:
        return self._emit("drop_schema", self._id(name, ("schema",), "schema"), {})
