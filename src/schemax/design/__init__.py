"""Schema as code: declarative design files, synced into the op log.

A design file (YAML, ``version: 1``; :mod:`~schemax.design.format`, ``docs/design-files.md``,
``docs/design-schema.json``) declares catalogs, schemas and everything in them. :func:`sync_ops` diffs a
working state against the files and returns exactly the ops that get there (``Project.sync`` records them
as one commit; a second sync records nothing); :func:`write_design` writes a state back as files (one per
schema), so a design can start from an existing project.

Pure, like the core: nothing here reads a store or runs SQL. Modules: ``format`` (the file format's
models and JSON Schema), ``loader`` (YAML with line and column of every value), ``build`` (the target
state, matched to the working state's ids), ``sync`` (the ops), ``export`` (state -> files).
"""

from schemax.design.build import Target, build_target
from schemax.design.export import HEADER, design_documents, dump_design, write_design
from schemax.design.format import DESIGN_VERSION, DesignDocument, design_json_schema
from schemax.design.loader import (
    DesignFile,
    design_paths,
    load_design,
    read_design_file,
    read_designs,
    read_yaml,
)
from schemax.design.sync import sync_ops, target_state

__all__ = [
    "DESIGN_VERSION",
    "HEADER",
    "DesignDocument",
    "DesignFile",
    "Target",
    "build_target",
    "design_documents",
    "design_json_schema",
    "design_paths",
    "dump_design",
    "load_design",
    "read_design_file",
    "read_designs",
    "read_yaml",
    "sync_ops",
    "target_state",
    "write_design",
]
