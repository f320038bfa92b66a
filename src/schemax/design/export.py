"""A state written as design files: one file per schema, one per catalog (the reverse of a sync).

:func:`design_documents` gives the documents (plain data, in the format of
:mod:`schemax.design.format`), :func:`dump_design` one document as YAML, :func:`write_design` the files.
Everything is in a fixed order (catalogs, schemas and schema children by name, columns in table order,
keys in the format's order) and defaults are left out, so a file changes only where the state does and
diffs well in a pull request. Syncing the written files into an empty project gives the same state, ids
apart; syncing them into the project they came from records nothing.

File names: ``<catalog>.yml`` holds a catalog's own attributes (written when it has some, or no schema),
``<catalog>.<schema>.yml`` a schema and everything in it. Characters other than letters, digits, ``_`` and
``-`` become ``_`` in a file name (never in the names inside).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

from schemax.core import kinds
from schemax.core.model import Catalog, Column, Schema, State, Table, View
from schemax.design.format import DESIGN_VERSION, KIND_LISTS, KIND_SPECS
from schemax.design.loader import DESIGN_SUFFIXES

#: the first line of every file :func:`write_design` writes (how it knows which files it may replace)
HEADER = "# schemax design file"
_HEADER_TEXT = (f"{HEADER}: the declared state of the project. Edit it and record the difference with\n"
                "# `schemax sync`; see docs/design-files.md.\n")


def _by_name(objects: Any) -> list[Any]:
    return sorted(objects, key=lambda o: (o.name.lower(), o.name, o.id))


def _put(out: dict[str, Any], key: str, value: Any, default: Any = None) -> None:
    if value != default and not (default is None and value in ({}, [], ())):
        out[key] = value


def _grants(obj: Any) -> dict[str, list[str]]:
    return {p: list(privs) for p, privs in sorted(obj.grants.items())}


def _common(out: dict[str, Any], obj: Any) -> dict[str, Any]:
    """Properties, tags and grants, as far as the object has them, last."""
    for key in ("properties", "tags"):
        if hasattr(obj, key):
            _put(out, key, dict(sorted(getattr(obj, key).items())))
    if hasattr(obj, "grants"):
        _put(out, "grants", _grants(obj))
    _put(out, "owner", getattr(obj, "owner", None))
    return out


def _catalog(c: Catalog) -> dict[str, Any]:
    out: dict[str, Any] = {"name": c.name}
    _put(out, "comment", c.comment)
    _put(out, "managed_location", c.managed_location)
    return _common(out, c)


def _column(table: Table, col: Column) -> dict[str, Any]:
    out: dict[str, Any] = {"name": col.name, "type": col.type}
    _put(out, "nullable", col.nullable, True)
    _put(out, "comment", col.comment)
    _put(out, "default", col.default)
    _put(out, "generated", col.generated)
    if col.identity is not None:
        identity: dict[str, Any] = {}
        _put(identity, "always", col.identity.always, True)
        _put(identity, "start", col.identity.start)
        _put(identity, "step", col.identity.step)
        out["identity"] = identity
    _put(out, "tags", dict(sorted(col.tags.items())))
    if col.mask is not None:
        mask: dict[str, Any] = {"function": col.mask.function}
        _put(mask, "using_columns", table.column_names(col.mask.using_columns))
        out["mask"] = mask
    return out


def _table(state: State, t: Table) -> dict[str, Any]:
    out: dict[str, Any] = {"name": t.name}
    _put(out, "comment", t.comment)
    _put(out, "table_type", t.table_type, "MANAGED")
    _put(out, "format", t.format, "DELTA")
    _put(out, "location", t.location)
    out["columns"] = [_column(t, c) for c in t.columns]
    _put(out, "partition_by", t.column_names(t.partition_by))
    _put(out, "cluster_by", "AUTO" if t.cluster_auto else t.column_names(t.cluster_by))
    schema = state.schemas.get(t.schema_id)
    fks, checks = [], []
    for con in t.constraints:
        if con.kind == "primary_key":
            pk: dict[str, Any] = {"name": con.name, "columns": t.column_names(con.columns)}
            if con.rely:
                pk["rely"] = True
            if con.not_enforced:
                pk["not_enforced"] = True
            if con.timeseries is not None:
                pk["timeseries"] = t.column_names((con.timeseries,))[0]
            out["primary_key"] = pk
        elif con.kind == "foreign_key":
            ref = state.tables.get(con.ref_table or "")
            reference: dict[str, Any] = {}
            if ref is not None:
                ref_schema = state.schemas.get(ref.schema_id)
                if schema is not None and ref_schema is not None:
                    if ref_schema.catalog_id != schema.catalog_id:
                        reference["catalog"] = state.catalogs[ref_schema.catalog_id].name
                    if ref_schema.id != schema.id:
                        reference["schema"] = ref_schema.name
                reference["table"] = ref.name
                reference["columns"] = ref.column_names(con.ref_columns)
            fk: dict[str, Any] = {
                "name": con.name, "columns": t.column_names(con.columns), "references": reference,
            }
            if con.rely:
                fk["rely"] = True
            fks.append(fk)
        else:
            checks.append({"name": con.name, "expression": con.expression})
    _put(out, "foreign_keys", fks)
    _put(out, "checks", checks)
    if t.row_filter is not None:
        row_filter: dict[str, Any] = {"function": t.row_filter.function}
        _put(row_filter, "columns", t.column_names(t.row_filter.columns))
        out["row_filter"] = row_filter
    return _common(out, t)


def _view(v: View) -> dict[str, Any]:
    out: dict[str, Any] = {"name": v.name, "definition": v.definition}
    _put(out, "comment", v.comment)
    return _common(out, v)


#: the spec keys every kind writes in one way (:func:`_common`), not from its own attributes
_SHARED_KEYS = frozenset({"name", "renamed_from", "properties", "tags", "grants", "owner"})


def _plain(kind: str, obj: Any) -> dict[str, Any]:
    """An object whose spec keys are its model's fields (volumes, functions, and any new kind by default):
    its name, every other key of its spec (left out at the spec's default), then :func:`_common`."""
    out: dict[str, Any] = {"name": obj.name}
    for key, spec_field in KIND_SPECS[kind][0].model_fields.items():
        if key not in _SHARED_KEYS:
            _put(out, key, getattr(obj, key), None if spec_field.is_required() else spec_field.default)
    return _common(out, obj)


def _schema(state: State, s: Schema) -> dict[str, Any]:
    out: dict[str, Any] = {"name": s.name}
    _put(out, "comment", s.comment)
    _put(out, "managed_location", s.managed_location)
    _common(out, s)

    def children(objects: dict[str, Any]) -> list[Any]:
        return _by_name(o for o in objects.values() if o.schema_id == s.id)

    writers: dict[str, Callable[[Any], dict[str, Any]]] = {"table": lambda t: _table(state, t), "view": _view}
    for kind in kinds.schema_children():
        write = writers.get(kind.name) or functools.partial(_plain, kind.name)
        _put(out, KIND_LISTS[kind.name][1][0], [write(o) for o in children(getattr(state, kind.state_field))])
    return out


def _file_part(name: str) -> str:
    return re.sub(r"[^\w-]", "_", name) or "_"


def design_documents(state: State) -> Iterator[tuple[str, dict[str, Any]]]:
    """(file name, document) for every file of ``state``'s design, in a fixed order."""
    taken: set[str] = set()

    def unique(stem: str) -> str:
        name, n = stem, 1
        while name.lower() in taken:
            n += 1
            name = f"{stem}-{n}"
        taken.add(name.lower())
        return f"{name}.yml"

    for cat in _by_name(state.catalogs.values()):
        schemas = _by_name(s for s in state.schemas.values() if s.catalog_id == cat.id)
        own = _catalog(cat)
        if len(own) > 1 or not schemas:
            yield unique(_file_part(cat.name)), {"version": DESIGN_VERSION, "catalogs": [own]}
        for s in schemas:
            document = {"version": DESIGN_VERSION,
                        "catalogs": [{"name": cat.name, "schemas": [_schema(state, s)]}]}
            yield unique(f"{_file_part(cat.name)}.{_file_part(s.name)}"), document


class _Dumper(yaml.SafeDumper):
    """Block style, lists indented under their key, lists of names on one line, multi-line text as ``|``
    blocks."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
        return super().increase_indent(flow, False)


def _text(dumper: yaml.SafeDumper, value: str) -> Any:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _list(dumper: yaml.SafeDumper, value: list[Any]) -> Any:
    # a list of names or privileges on one line ([id, name]); lists of mappings in block style
    flow = bool(value) and all(isinstance(v, str) and "\n" not in v for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_Dumper.add_representer(str, _text)
_Dumper.add_representer(list, _list)


def dump_design(document: dict[str, Any]) -> str:
    """One design document as YAML text (with the header comment)."""
    body = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)
    return _HEADER_TEXT + body


def write_design(state: State, directory: str | os.PathLike[str]) -> list[Path]:
    """Write ``state``'s design into ``directory`` (created if missing); returns the files written.

    Files a previous export wrote there (they start with :data:`HEADER`) that the state no longer needs are
    removed, so a dropped schema's file goes away; other files are left alone.
    """
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, document in design_documents(state):
        path = out / name
        path.write_text(dump_design(document), encoding="utf-8")
        written.append(path)
    keep = {p.name for p in written}
    for old in sorted(out.iterdir()):
        if old.is_file() and old.suffix.lower() in DESIGN_SUFFIXES and old.name not in keep:
            with old.open(encoding="utf-8", errors="replace") as fh:
                first = fh.readline()
            if first.startswith(HEADER):
                old.unlink()
    return written


__all__ = ["HEADER", "design_documents", "dump_design", "write_design"]
