"""Unity Catalog rules: what the Databricks documentation says, as named, cited checks in the pure core.

Each :class:`Rule` is one documented fact turned into a check: an id, the rule in one sentence, the page it
comes from and where schemax enforces it. :data:`RULES` (kept in :mod:`schemax.core.uc_rule_table`,
re-exported here) is the one registry: ``docs/unity-catalog.md``
lists it (a test keeps the two in step), and ``tests/unit/test_uc_conformance.py`` checks every statement
shape the planner emits for Unity Catalog against :data:`~schemax.core.uc_statements.SHAPES` and these rules.

Where the rules run:

* **when an op is recorded** — :func:`check_op`, called by
  :meth:`StateBuilder.record <schemax.core.replay.StateBuilder.record>`, the path the Project API records
  every new op through. A bad op raises :class:`~schemax.errors.RuleViolationError` (a ValidationError
  carrying the rule id) and nothing is recorded. Replaying an existing log does not run them, so a log
  recorded before a rule existed replays to the same states (``Project.verify`` compares snapshots to a
  replay). A grant of ALL PRIVILEGES to a principal holding a list is recorded as the revoke of that list
  followed by the grant: the state then holds ALL PRIVILEGES alone, with ops replay already understands;
* **when a plan targets Unity Catalog** — :func:`~schemax.core.uc_statements.state_violations` and
  :func:`~schemax.core.uc_statements.statement_problems`, consulted by :func:`schemax.plan.plan.build_plan`
  for engines whose capabilities have ``uc_rules``: what the planned state or a rendered statement breaks
  is listed in ``plan.unsupported`` before anything runs;
* **in the Unity Catalog capability preset** (:mod:`schemax.plan.capabilities`) — statements UC does not
  document (the rules with a ``capability``);
* **in the renderer** — rules about how a change is expressed (the order of ALL PRIVILEGES grants, the
  copy-and-swap rewrite, Delta property keys).

The facts (UC-01 … UC-54) are the research notes behind issue 10; every URL below comes from a look-up of
the documentation (none is guessed), and nothing was verified against a live workspace.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from pydantic import ValidationError as PydanticValidationError

from schemax.core import kinds as _kinds
from schemax.core import ops as o
from schemax.core.model import Table
from schemax.core.registry import require_complete
from schemax.core.uc_rule_table import RULES, Rule, rule, rules_markdown
from schemax.errors import RuleViolationError

# privileges
# ---------------------------------------------------------------------------------------------------

ALL_PRIVILEGES = "ALL PRIVILEGES"

# The privileges each securable kind takes (UC-06 catalog row; UC-07 Terraform's lists for the others).
# A catalog also takes the privileges its children inherit from it; a schema those its children inherit.
PRIVILEGES_BY_KIND: dict[str, frozenset[str]] = {
    "catalog": frozenset({
        ALL_PRIVILEGES, "APPLY TAG", "BROWSE", "CREATE SCHEMA", "USE CATALOG", "CREATE FUNCTION",
        "CREATE TABLE", "CREATE MATERIALIZED VIEW", "CREATE MODEL", "CREATE VOLUME", "EXTERNAL USE SCHEMA",
        "READ VOLUME", "REFRESH", "WRITE VOLUME", "EXECUTE", "MANAGE", "MODIFY", "SELECT", "USE SCHEMA",
    }),
    "schema": frozenset({
        ALL_PRIVILEGES, "APPLY TAG", "CREATE FUNCTION", "CREATE TABLE", "CREATE VOLUME", "MANAGE",
        "USE SCHEMA", "EXECUTE", "MODIFY", "REFRESH", "SELECT", "READ VOLUME", "WRITE VOLUME",
        "CREATE MATERIALIZED VIEW", "CREATE MODEL", "EXTERNAL USE SCHEMA",
    }),
    "table": frozenset({ALL_PRIVILEGES, "APPLY TAG", "MANAGE", "SELECT", "MODIFY"}),
    "view": frozenset({ALL_PRIVILEGES, "APPLY TAG", "MANAGE", "SELECT"}),
    "volume": frozenset({ALL_PRIVILEGES, "APPLY TAG", "MANAGE", "READ VOLUME", "WRITE VOLUME"}),
    "function": frozenset({ALL_PRIVILEGES, "EXECUTE", "MANAGE"}),
}
require_complete(PRIVILEGES_BY_KIND, [k.name for k in _kinds.securable()], "securables without privileges")
_UNKNOWN = set().union(*PRIVILEGES_BY_KIND.values()) - o.PRIVILEGES
if _UNKNOWN:  # replay accepts every privilege a kind takes (old logs may hold any of o.PRIVILEGES)
    raise AssertionError(f"privileges replay does not know: {sorted(_UNKNOWN)}")


def normalize_privilege(privilege: str) -> str:
    """A privilege as SQL spells it: upper case, single spaces (``"use  schema"`` -> ``"USE SCHEMA"``)."""
    return " ".join(privilege.upper().split())


def known_privileges(privileges: Iterable[str]) -> tuple[tuple[str, ...], str | None]:
    """(the privileges normalized, sorted and unique; the reason when one is unknown or none is given).

    This is the check replay applies to every grant and revoke, old logs included: a privilege Unity
    Catalog knows on some securable (:data:`schemax.core.ops.PRIVILEGES`). Which securable takes which is
    a rule checked when an op is recorded and when a plan targets Unity Catalog.
    """
    out = []
    for p in privileges:
        norm = normalize_privilege(p)
        if norm not in o.PRIVILEGES:
            return (), f"unknown privilege {p!r}"
        out.append(norm)
    if not out:
        return (), "no privileges given"
    return tuple(sorted(set(out))), None


def privileges_invalid_on(kind: str, privileges: Iterable[str]) -> list[str]:
    """The privileges (normalized) a securable of ``kind`` does not take, sorted."""
    valid = PRIVILEGES_BY_KIND.get(kind, frozenset())
    return sorted({normalize_privilege(p) for p in privileges} - valid)


# ---------------------------------------------------------------------------------------------------
# tags
# ---------------------------------------------------------------------------------------------------

MAX_TAG_KEY = 255
MAX_TAG_VALUE = 1000
MAX_TAGS_PER_OBJECT = 20
TAG_KEY_FORBIDDEN = ".,-=/:"


def basic_tag_problem(tags: Mapping[str, str] | Iterable[str]) -> str | None:
    """What replay has always refused in tags (old logs included): an empty or over-long key, a control
    character in a key, an over-long value or a NUL in one. None when there is nothing."""
    for key in tags:
        if not key or len(key) > MAX_TAG_KEY or any(ord(ch) < 32 for ch in key):
            return f"invalid tag key {key!r}"
    if isinstance(tags, Mapping):
        for key, value in tags.items():
            if len(value) > MAX_TAG_VALUE or "\x00" in value:
                return f"invalid value for tag {key!r}"
    return None


def tag_key_problem(key: str) -> str | None:
    """Why UC refuses ``key`` as a tag key (rule ``tag-key``), or None."""
    if not key or len(key) > MAX_TAG_KEY:
        return f"tag key {key!r} must be 1 to {MAX_TAG_KEY} characters"
    bad = sorted({ch for ch in key if ch in TAG_KEY_FORBIDDEN or ord(ch) < 32 or ord(ch) == 127})
    if bad:
        return f"tag key {key!r} contains {', '.join(repr(ch) for ch in bad)}; none of . , - = / : is allowed"
    return None


def tag_value_problem(key: str, value: str) -> str | None:
    """Why UC refuses ``value`` for tag ``key`` (rule ``tag-value``), or None."""
    if len(value) > MAX_TAG_VALUE:
        return f"the value of tag {key!r} has {len(value)} characters; at most {MAX_TAG_VALUE} are allowed"
    return None


def tag_problems_by_key(
    tags: Mapping[str, str], existing: Mapping[str, str]
) -> list[tuple[str, str, str | None]]:
    """(rule id, reason, the tag key at fault or None) for what UC refuses in setting ``tags``."""
    out: list[tuple[str, str, str | None]] = []
    for key, value in tags.items():
        for rid, problem in (("tag-key", tag_key_problem(key)), ("tag-value", tag_value_problem(key, value))):
            if problem:
                out.append((rid, problem, key))
    count = len(set(existing) | set(tags))
    if count > MAX_TAGS_PER_OBJECT:
        out.append(("tags-per-object", f"the object would carry {count} tags; at most {MAX_TAGS_PER_OBJECT} "
                                       "are allowed", None))
    return out


def tag_problems(tags: Mapping[str, str], existing: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """(rule id, reason) for everything UC refuses in setting ``tags`` on an object that has ``existing``."""
    return [(rid, problem) for rid, problem, _ in tag_problems_by_key(tags, existing or {})]


# ---------------------------------------------------------------------------------------------------
# when an op is recorded
# ---------------------------------------------------------------------------------------------------


class Working(Protocol):
    """What :func:`check_op` reads from the state a new op applies to (a StateBuilder)."""

    def current(self, object_id: str) -> Any | None:
        """The object (a column too) with this id, or None."""

    def key_constraint_owner(self, schema_id: str, name: str) -> str | None:
        """The id of a table in ``schema_id`` holding a PRIMARY/FOREIGN KEY named ``name`` (any case)."""


OpCheck = Callable[[Working, o.Op, Any], "list[o.Op] | None"]
_OP_CHECKS: dict[str, OpCheck] = {}


def _checks(*op_kinds: str) -> Callable[[OpCheck], OpCheck]:
    def register(fn: OpCheck) -> OpCheck:
        for kind in op_kinds:
            if kind not in o.OP_PAYLOADS:
                raise AssertionError(f"unknown op kind {kind}")
            _OP_CHECKS[kind] = fn
        return fn

    return register


def _refuse(op: o.Op, rule_id: str, reason: str) -> RuleViolationError:
    return RuleViolationError(op, rule_id, reason, RULES[rule_id].source)


def check_op(working: Working, op: o.Op) -> list[o.Op]:
    """The ops to record for a new ``op`` under the Unity Catalog rules, checked against ``working``.

    Usually ``[op]``; a grant of ALL PRIVILEGES to a principal holding single privileges becomes
    ``[revoke of those, op]``. Raises :class:`~schemax.errors.RuleViolationError` when the op breaks a
    rule. An op that is malformed in another way is returned as is, for replay to report.
    """
    check = _OP_CHECKS.get(op.kind)
    if check is None:
        return [op]
    try:
        payload = o.OP_PAYLOADS[op.kind][1].model_validate(op.payload)
    except PydanticValidationError:
        return [op]
    return check(working, op, payload) or [op]


def _what(kind: str, obj: Any) -> str:
    return f"{kind} {obj.name!r}"


@_checks("grant")
def _grant(w: Working, op: o.Op, p: o.GrantPayload) -> list[o.Op] | None:
    obj = w.current(op.target)
    kind = _kinds.kind_of_id(op.target)
    if obj is None or kind is None:
        return None
    privs = {normalize_privilege(x) for x in p.privileges}
    if ALL_PRIVILEGES in privs and len(privs) > 1:
        raise _refuse(op, "all-privileges-alone", "ALL PRIVILEGES cannot be granted together with other "
                      f"privileges ({sorted(privs - {ALL_PRIVILEGES})}): grant ALL PRIVILEGES alone, or the "
                      "list without it")
    bad = [x for x in privileges_invalid_on(kind.name, privs) if x in o.PRIVILEGES]
    if bad:
        raise _refuse(op, "privileges-per-securable", f"{bad} cannot be granted on a {kind.name}; a "
                      f"{kind.name} takes {sorted(PRIVILEGES_BY_KIND[kind.name])}")
    principal = p.principal.strip()
    held = set(obj.grants.get(principal, ()))
    if privs == {ALL_PRIVILEGES}:
        replaced = sorted(held - {ALL_PRIVILEGES})
        if not replaced:
            return None
        revoke = o.Op.new("revoke", op.target, {"principal": p.principal, "privileges": replaced},
                          author=op.author, ts=op.ts)
        return [revoke, op]
    if ALL_PRIVILEGES in held:
        raise _refuse(op, "all-privileges-alone", f"{principal!r} holds ALL PRIVILEGES on "
                      f"{_what(kind.name, obj)}, which already includes {sorted(privs)}; to narrow it, "
                      "revoke ALL PRIVILEGES, then grant the narrower list")
    return None


@_checks("revoke")
def _revoke(w: Working, op: o.Op, p: o.GrantPayload) -> list[o.Op] | None:
    obj = w.current(op.target)
    kind = _kinds.kind_of_id(op.target)
    if obj is None or kind is None:
        return None
    privs = {normalize_privilege(x) for x in p.privileges}
    held = set(obj.grants.get(p.principal.strip(), ()))
    if ALL_PRIVILEGES in held and ALL_PRIVILEGES not in privs and privs - held:
        raise _refuse(op, "all-privileges-alone", f"{p.principal.strip()!r} holds ALL PRIVILEGES on "
                      f"{_what(kind.name, obj)}: revoking {sorted(privs - held)} would leave them granted; "
                      "to narrow it, revoke ALL PRIVILEGES, then grant the narrower list")
    return None


def _check_tags(op: o.Op, tags: Mapping[str, str], existing: Mapping[str, str], what: str) -> None:
    for rule_id, problem in tag_problems(tags, existing):
        raise _refuse(op, rule_id, f"{what}: {problem}")


@_checks(*(f"set_{k.name}_tags" for k in _kinds.taggable()))
def _set_tags(w: Working, op: o.Op, p: o.SetTags) -> None:
    obj = w.current(op.target)
    _check_tags(op, p.tags, obj.tags if obj is not None else {}, "tags")


@_checks("create_table")
def _create_table(w: Working, op: o.Op, p: o.CreateTable) -> None:
    if p.table_type == "MANAGED" and p.location:
        raise _refuse(op, "managed-without-location", f"MANAGED table {p.name!r} has a location "
                      f"({p.location!r}): a table created with a LOCATION is external; declare it "
                      "EXTERNAL, or leave the location to Unity Catalog")
    if p.cluster_auto and p.table_type != "MANAGED":
        raise _refuse(op, "cluster-auto-managed", f"{p.table_type} table {p.name!r} cannot use CLUSTER BY "
                      "AUTO: automatic liquid clustering is for Unity Catalog managed tables; name the "
                      "clustering columns instead")
    _check_tags(op, p.tags, {}, f"tags of table {p.name!r}")
    for col in p.columns:
        _check_tags(op, col.tags, {}, f"tags of column {col.name!r}")


@_checks("set_cluster_by")
def _set_cluster_by(w: Working, op: o.Op, p: o.SetColumns) -> None:
    table = w.current(op.target)
    if p.auto and table is not None and getattr(table, "table_type", "MANAGED") != "MANAGED":
        raise _refuse(op, "cluster-auto-managed", f"{table.table_type} table {table.name!r} cannot use "
                      "CLUSTER BY AUTO: automatic liquid clustering is for Unity Catalog managed tables; "
                      "name the clustering columns instead")


@_checks("create_volume")
def _create_volume(w: Working, op: o.Op, p: o.CreateVolume) -> None:
    if p.volume_type == "MANAGED" and p.location:
        raise _refuse(op, "managed-without-location", f"MANAGED volume {p.name!r} has a location "
                      f"({p.location!r}): LOCATION does not apply to managed volumes; declare it EXTERNAL, "
                      "or leave the location to Unity Catalog")


@_checks("add_primary_key", "add_foreign_key")
def _key_constraint(w: Working, op: o.Op, p: o.AddPrimaryKey | o.AddForeignKey) -> None:
    table = w.current(p.table_id)
    if not isinstance(table, Table):
        return
    holder = w.key_constraint_owner(table.schema_id, p.name)
    if holder is not None and holder != table.id:
        other = w.current(holder)
        raise _refuse(op, "key-constraint-names-per-schema", f"table {getattr(other, 'name', holder)!r} in "
                      f"the same schema already has a key constraint named {p.name!r}; PRIMARY and "
                      "FOREIGN KEY names are unique per schema in Unity Catalog")


__all__ = [
    "ALL_PRIVILEGES",
    "MAX_TAGS_PER_OBJECT",
    "PRIVILEGES_BY_KIND",
    "RULES",
    "Rule",
    "Working",
    "basic_tag_problem",
    "check_op",
    "known_privileges",
    "normalize_privilege",
    "privileges_invalid_on",
    "rule",
    "rules_markdown",
    "tag_key_problem",
    "tag_problems",
    "tag_problems_by_key",
    "tag_value_problem",
]
