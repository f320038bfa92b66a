"""Canonical JSON and SHA-256: what every integrity check in schemax is computed over.

Canonical JSON is sorted keys, no insignificant whitespace, UTF-8 (non-ASCII kept as is), so the same
value always gives the same bytes on every machine and Python version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from schemax.core.model import State
    from schemax.core.ops import Op

GENESIS_HASH = "0" * 64


# One encoder, reused: json.dumps builds a new encoder per call, which dominates for small values.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def canonical_json(value: Any) -> str:
    return _ENCODER.encode(value)


def canonical_bytes(value: Any) -> bytes:
    return canonical_json(value).encode("utf-8")


def sha256_hex(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def state_hash(state: State) -> str:
    """SHA-256 of the canonical JSON of a state."""
    # python-mode dump: tuples encode as JSON arrays, same bytes as the json-mode dump, much faster
    return sha256_hex(canonical_bytes(state.model_dump()))


def op_hash(op: Op, prev_hash: str) -> str:
    """Link of the op log's hash chain: SHA-256 over the previous link and the op's canonical JSON."""
    return sha256_hex(prev_hash.encode("ascii") + canonical_bytes(op.to_dict()))


def chain(ops: Iterable[Op], prev_hash: str = GENESIS_HASH) -> list[tuple[str, str]]:
    """(prev_hash, hash) for each op, continuing the chain from ``prev_hash``."""
    links = []
    for op in ops:
        h = op_hash(op, prev_hash)
        links.append((prev_hash, h))
        prev_hash = h
    return links


def chain_head(ops: Iterable[Op], prev_hash: str = GENESIS_HASH) -> str:
    """The hash of the last link (the whole log's digest)."""
    for op in ops:
        prev_hash = op_hash(op, prev_hash)
    return prev_hash


__all__ = [
    "GENESIS_HASH", "canonical_bytes", "canonical_json", "chain", "chain_head", "op_hash", "sha256_hex",
    "state_hash",
]
