"""schemax's version-tracking table properties: the one module that spells the ``schemax.*`` keys.

Every table a deployment creates or changes carries which version, snapshot and deployment put it there,
for which environment and when, and the hash of its expected definition:

* ``schemax.version``: the snapshot version deployed (``working`` for the working state);
* ``schemax.snapshot``: the snapshot id;
* ``schemax.deployment``: the deployment id;
* ``schemax.environment``: the environment's name;
* ``schemax.deployed_at``: when the deployment was planned (UTC); ``(planned)`` in a plan that is no
  deployment yet (as ``schemax.deployment`` is), so that plan is deterministic (``plan/saved.py``);
* ``schemax.hash``: :func:`table_definition_hash` of the table's logical definition.

Drift compares only :data:`VERSION_KEYS` (version drift, see :mod:`schemax.drift.compare`); no other
``schemax.*`` key is ever drift. The prefix is reserved: a design op may not set a ``schemax.*`` property
(:mod:`schemax.core.replay`), and the definition hash leaves such keys out. The renderer (CREATE TABLE and
the folded ``SET TBLPROPERTIES`` of a table unit), a data rollback's stamp after RESTORE and an adopted
import's stamp all build their pairs with :func:`tracking_properties`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from schemax.core.hashing import canonical_bytes, sha256_hex

#: Every tracking key starts with it; design ops may not set such keys.
PREFIX = "schemax."
VERSION = "schemax.version"
SNAPSHOT = "schemax.snapshot"
DEPLOYMENT = "schemax.deployment"
ENVIRONMENT = "schemax.environment"
DEPLOYED_AT = "schemax.deployed_at"
HASH = "schemax.hash"
#: Every key, sorted (the order they are written in).
KEYS: tuple[str, ...] = tuple(sorted((VERSION, SNAPSHOT, DEPLOYMENT, ENVIRONMENT, DEPLOYED_AT, HASH)))
#: The keys drift compares (version drift); every other ``schemax.*`` key is bookkeeping.
VERSION_KEYS: tuple[str, ...] = (VERSION, HASH)


def is_tracking_key(key: str) -> bool:
    """True for a key in schemax's reserved ``schemax.`` namespace (as written: exact prefix)."""
    return key.startswith(PREFIX)


def is_reserved(key: str) -> bool:
    """True for a key a design op may not set: the prefix in any casing."""
    return key.lower().startswith(PREFIX)


@dataclass(frozen=True)
class Tracking:
    """Version-tracking values written to every created or changed table as ``schemax.*`` properties.

    A value of None is not written (an adopted import has no deployment time); an empty string is.
    """

    version: str
    snapshot_id: str | None = ""
    deployment_id: str | None = ""
    environment: str | None = ""
    deployed_at: str | None = ""


def table_definition_hash(table: Any) -> str:
    """SHA-256 of one table's expected definition (written to ``schemax.hash`` and checked by drift).

    Grants and the owner are left out: they live outside the table's own metadata; so are the tracking keys
    themselves.
    """
    data = table.model_dump(mode="json", exclude={"grants", "owner"})
    data["properties"] = {k: v for k, v in data["properties"].items() if not is_tracking_key(k)}
    return sha256_hex(canonical_bytes(data))


def tracking_properties(tracking: Tracking | None, table: Any) -> list[tuple[str, str]]:
    """The ``schemax.*`` (key, value) pairs ``table`` is stamped with, in key order; none without tracking."""
    if tracking is None:
        return []
    values = {
        DEPLOYED_AT: tracking.deployed_at,
        DEPLOYMENT: tracking.deployment_id,
        ENVIRONMENT: tracking.environment,
        HASH: table_definition_hash(table),
        SNAPSHOT: tracking.snapshot_id,
        VERSION: tracking.version,
    }
    return [(k, v) for k, v in sorted(values.items()) if v is not None]


__all__ = [
    "DEPLOYED_AT",
    "DEPLOYMENT",
    "ENVIRONMENT",
    "HASH",
    "KEYS",
    "PREFIX",
    "SNAPSHOT",
    "VERSION",
    "VERSION_KEYS",
    "Tracking",
    "is_reserved",
    "is_tracking_key",
    "table_definition_hash",
    "tracking_properties",
]
