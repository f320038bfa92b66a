"""Unity Catalog rules: what the Databricks documentation says, as named, cited checks in the pure core.

Each :class:`Rule` is one documented fact turned into a check: an id, the rule in one sentence, the page it
comes from and where schemax enforces it. :data:`RULES` is the one registry: ``docs/unity-catalog.md``
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
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import ValidationError as PydanticValidationError

from schemax.core import kinds as _kinds
from schemax.core import ops as o
from schemax.core.model import Table
from schemax.core.registry import require_complete
from schemax.errors import RuleViolationError

# -- sources ------------------------------------------------------------------------------------------
GRANT_URL = "https://docs.databricks.com/spark/latest/spark-sql/language-manual/grant.html"
REVOKE_URL = "https://docs.databricks.com/sql/language-manual/security-revoke.html"
REVOKE_OLD_URL = "https://learn.microsoft.com/en-us/azure/databricks/sql/language-manual/security-revoke"
PRIVILEGES_URL = (
    "https://docs.databricks.com/gcp/ja/data-governance/unity-catalog/access-control/privileges-reference"
)
TERRAFORM_GRANTS_URL = (
    "https://github.com/databricks/terraform-provider-databricks/blob/main/docs/resources/grants.md"
)
TAGS_OLD_URL = "https://learn.microsoft.com/en-gb/azure/databricks/database-objects/tags"
TAGS_NEW_URL = "https://learn.microsoft.com/ka-ge/azure/databricks/database-objects/tags"
TAGS_URL = "https://docs.databricks.com/database-objects/tags.html"
KEY_NAMES_URL = "https://docs.azure.cn/databricks/sql/language-manual/sql-ref-syntax-ddl-create-table-constraint"
ADD_CONSTRAINT_URL = (
    "https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-alter-table-add-constraint.html"
)
DROP_CONSTRAINT_URL = (
    "https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-alter-table-drop-constraint.html"
)
EXTERNAL_TABLES_URL = "https://docs.databricks.com/tables/external"
CREATE_VOLUME_URL = "https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-create-volume.html"
ALTER_SCHEMA_URL = "https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-alter-schema.html"
ALTER_CATALOG_URL = "https://docs.databricks.com/aws/en/sql/language-manual/sql-ref-syntax-ddl-alter-catalog.html"
ALTER_TABLE_URL = "https://docs.azure.cn/zh-cn/databricks/spark/latest/spark-sql/language-manual/alter-table-or-view"
ALTER_VIEW_URL = "https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-alter-view.html"
ALTER_VOLUME_URL = "https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-alter-volume.html"
PATHS_URL = "https://docs.databricks.com/data-governance/unity-catalog/paths.html"
TBLPROPERTIES_URL = "https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-tblproperties.html"
COLUMN_MAPPING_URL = "https://docs.databricks.com/delta/column-mapping.html"
TYPE_WIDENING_URL = "https://learn.microsoft.com/en-in/azure/databricks/delta/type-widening"
COLUMN_DEFAULTS_URL = "https://docs.delta.io/delta-default-columns"
OWNER_CATALOG_URL = "https://docs.azure.cn/databricks/sql/language-manual/sql-ref-syntax-ddl-alter-catalog"
OWNER_SCHEMA_URL = "https://docs.databricks.com/ja/sql/language-manual/sql-ref-syntax-ddl-alter-schema.html"
OWNER_TABLE_URL = "https://docs.azure.cn/en-us/databricks/sql/language-manual/sql-ref-syntax-ddl-alter-table"
OWNER_VIEW_URL = "https://docs.databricks.com/aws/en/sql/language-manual/sql-ref-syntax-ddl-alter-view"
OWNER_VOLUME_URL = ALTER_VOLUME_URL
FUNCTION_OWNER_API_URL = "https://databrickslabs.github.io/databricks-sdk-r/reference/update_function.html"
CLUSTER_BY_URL = "https://docs.databricks.com/en/sql/language-manual/sql-ref-syntax-ddl-cluster-by.html"
AUTO_CLUSTERING_URL = "https://databricks.com/kr/blog/announcing-automatic-liquid-clustering"

# -- where a rule is enforced --------------------------------------------------------------------------
RECORD = "record: core/uc_rules.py check_op (StateBuilder.record)"
PLAN = "plan: plan/plan.py (core/uc_statements.py: state_violations, statement_problems)"
PRESET = "plan/capabilities.py UNITY_CATALOG"


@dataclass(frozen=True)
class Rule:
    """One Unity Catalog rule: what it says, where it comes from, where schemax enforces it.

    ``capability`` names the statement class the Unity Catalog preset leaves out for this rule, and
    ``reason`` what a plan says about such a statement (default: the rule and its source).
    """

    id: str
    rule: str
    source: str
    enforced: tuple[str, ...]
    facts: tuple[str, ...] = ()
    note: str = ""
    also: tuple[str, ...] = ()
    capability: str | None = None
    reason: str = ""

    @property
    def message(self) -> str:
        """What a plan or a refused op says: the reason, or the rule with its source."""
        return self.reason or f"{self.rule} ({self.source})"


_NOT_IN_SQL = "Databricks SQL has no statement for this; do it in Catalog Explorer or the REST API"

RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule(
            "privileges-per-securable",
            "A privilege is granted only on a securable kind Unity Catalog lists it for (READ VOLUME on a "
            "volume, schema or catalog, never on a table; USE CATALOG on a catalog only).",
            PRIVILEGES_URL,
            (RECORD, PLAN),
            facts=("UC-05", "UC-06", "UC-07"),
            note="The catalog row comes from the Databricks privileges reference table; its schema, table, "
            "view, volume and function rows were not readable in any excerpt, so those come from "
            "Terraform's Databricks-maintained list (databricks/terraform-provider-databricks "
            "docs/resources/grants.md). A schema also takes CREATE MATERIALIZED VIEW, CREATE MODEL and "
            "EXTERNAL USE SCHEMA, which the catalog row lists as inherited by schemas (an inference).",
            also=(TERRAFORM_GRANTS_URL,),
        ),
        Rule(
            "all-privileges-alone",
            "ALL PRIVILEGES is never combined with other privileges: GRANT and REVOKE take either ALL "
            "PRIVILEGES or a list, and a principal holds one or the other.",
            GRANT_URL,
            (
                RECORD + ": a grant of ALL PRIVILEGES replaces the principal's list (recorded as the revoke "
                "of the list, then the grant); a grant or revoke of single privileges beside ALL PRIVILEGES "
                "is refused",
                "render: plan/render/grants.py never joins ALL PRIVILEGES with other privileges",
                PLAN + ": a state holding both (an old log) is listed in plan.unsupported",
            ),
            facts=("UC-01", "UC-02"),
            also=(REVOKE_URL,),
        ),
        Rule(
            "all-privileges-replaces-list",
            "When ALL PRIVILEGES replaces a principal's list, GRANT ALL PRIVILEGES runs first and the REVOKE "
            "of the replaced privileges right after it: ALL PRIVILEGES is one grant, not the individual "
            "ones, so that REVOKE leaves it in place and the principal never loses access.",
            GRANT_URL,
            ("render: plan/render/grants.py",),
            facts=("UC-02", "UC-03"),
            note="REVOKE succeeds even for privileges not granted, so the pair is safe to re-run on resume.",
            also=(REVOKE_URL,),
        ),
        Rule(
            "all-privileges-narrowing",
            "A narrower grant after ALL PRIVILEGES is REVOKE ALL PRIVILEGES, then GRANT of the list: a "
            "REVOKE of single privileges would leave ALL PRIVILEGES in place, and REVOKE ALL PRIVILEGES "
            "after the GRANT may take the list away again.",
            REVOKE_URL,
            ("render: plan/render/grants.py (both in the GRANT phase, adjacent)", RECORD),
            facts=("UC-02", "UC-03"),
            note="Sources disagree on what REVOKE ALL PRIVILEGES removes (the newer page: the privileges it "
            "implies too; the older one: only itself); the order is right under both.",
            also=(REVOKE_OLD_URL,),
        ),
        Rule(
            "tag-key",
            "A tag key is 1 to 255 characters, with none of . , - = / : and no control character.",
            TAGS_NEW_URL,
            (RECORD, PLAN),
            facts=("UC-13",),
            note="The older page says only 'Special characters cannot be used in tag names'; the newer one "
            "lists the characters, which schemax refuses.",
            also=(TAGS_OLD_URL,),
        ),
        Rule(
            "tag-value",
            "A tag value is at most 1000 characters.",
            TAGS_OLD_URL,
            (RECORD, PLAN),
            facts=("UC-13",),
        ),
        Rule(
            "tags-per-object",
            "An object carries at most 20 tags.",
            TAGS_OLD_URL,
            (RECORD, PLAN),
            facts=("UC-13",),
            note="Sources disagree: older pages say 20 tags per object, newer ones 50. schemax keeps 20, "
            "which every workspace accepts; 50 would fail part-way on a workspace that still has the lower "
            "limit.",
            also=(TAGS_NEW_URL,),
        ),
        Rule(
            "taggable-kinds",
            "Tags go on catalogs, schemas, tables, columns, views and volumes; functions take none.",
            TAGS_URL,
            ("core/kinds.py (no tag op exists for a function)",),
            facts=("UC-12", "UC-14"),
            note="Function tags appear only in the newest pages (SET TAG ON FUNCTION).",
        ),
        Rule(
            "key-constraint-names-per-schema",
            "PRIMARY KEY and FOREIGN KEY constraint names are unique within their schema, not only within "
            "their table.",
            KEY_NAMES_URL,
            (RECORD + " (add_primary_key, add_foreign_key)", PLAN),
            facts=("UC-16",),
            also=(ADD_CONSTRAINT_URL,),
        ),
        Rule(
            "check-constraint-names-per-table",
            "CHECK constraint names are unique within their table (Delta keys them per relation).",
            ADD_CONSTRAINT_URL,
            ("core/replay/constraints.py (every constraint name is unique within its table)",),
            facts=("UC-16", "UC-17"),
        ),
        Rule(
            "owner-last",
            "Ownership moves after every other statement of a plan: SET OWNER TO a principal other than the "
            "deployer (or a group it is in) needs a metastore admin, and the deployer may lose the rights "
            "the statements after it need.",
            OWNER_VIEW_URL,
            ("render: plan/render/owners.py (Phase.OWNER)", "analyze: SX213 transfer-ownership"),
            facts=("UC-57",),
            also=(OWNER_CATALOG_URL, OWNER_SCHEMA_URL, OWNER_TABLE_URL, OWNER_VOLUME_URL),
            note="The privileges are spelled out on the ALTER VIEW page ('If the principal is yourself, you "
            "must have the MANAGE privilege … If the principal is a group, you must be a member of that "
            "group. In all other cases, you must be a metastore admin'); the other kinds' pages only give "
            "the clause.",
        ),
        Rule(
            "function-owner-sql",
            "A function's owner has no statement in the Databricks SQL reference pages found (no ALTER "
            "FUNCTION … OWNER TO): it is changed with the Functions API (update, owner) or in Catalog "
            "Explorer.",
            FUNCTION_OWNER_API_URL,
            (PRESET,),
            facts=("UC-57",),
            capability="function_owner",
            reason="a function's owner has no documented SQL statement (no ALTER FUNCTION … OWNER TO in the "
            "Databricks SQL reference); change it with the Functions API (functions.update(owner=…)) or in "
            f"Catalog Explorer ({FUNCTION_OWNER_API_URL})",
        ),
        Rule(
            "cluster-auto-managed",
            "CLUSTER BY AUTO is for Unity Catalog managed tables (predictive optimization picks the keys): "
            "an external table with AUTO is refused.",
            AUTO_CLUSTERING_URL,
            (RECORD + " (create_table, set_cluster_by)",),
            facts=("UC-56",),
            also=(CLUSTER_BY_URL,),
            note="The SQL reference documents AUTO for Databricks Runtime 15.4 and above without naming the "
            "table type; the announcement says to configure 'UC managed unpartitioned or Liquid tables' "
            "with it.",
        ),
        Rule(
            "managed-without-location",
            "A MANAGED table or volume has no LOCATION: a table created with one is external, and LOCATION "
            "does not apply to managed volumes.",
            EXTERNAL_TABLES_URL,
            (RECORD + " (create_table, create_volume)", PLAN),
            facts=("UC-20", "UC-22"),
            also=(CREATE_VOLUME_URL,),
        ),
        Rule(
            "schema-unset-dbproperties",
            "ALTER SCHEMA has no UNSET DBPROPERTIES in Unity Catalog: removing a schema property is refused.",
            ALTER_SCHEMA_URL,
            (PRESET,),
            facts=("UC-26",),
            capability="schema_properties_unset",
            reason="Unity Catalog's ALTER SCHEMA has no UNSET DBPROPERTIES (" + ALTER_SCHEMA_URL + "): keep "
            "the property, or give it a new value",
        ),
        Rule(
            "relation-move",
            "A table is renamed only within its schema, a view at most within its catalog: moving either to "
            "another schema (or catalog) is refused.",
            ALTER_TABLE_URL,
            (PRESET,),
            facts=("UC-31", "UC-32"),
            note="Sources disagree for views: older pages rename a view within its schema, the newer one "
            "within its catalog. A view move is refused too, since the plan cannot know the runtime; a view "
            "holds no data, so creating it in the new schema costs nothing.",
            also=(ALTER_VIEW_URL,),
            capability="table_move",
            reason="Unity Catalog renames a table only within its schema (" + ALTER_TABLE_URL + ") and a "
            "view at most within its catalog (" + ALTER_VIEW_URL + "): create it in the new schema instead "
            "(copying a table's data)",
        ),
        Rule(
            "volume-move",
            "A volume is renamed only within its schema.",
            ALTER_VOLUME_URL,
            (PRESET,),
            facts=("UC-23",),
            capability="volume_move",
            reason="ALTER VOLUME ... RENAME TO cannot change the schema; create the volume in the new schema "
            "and copy its files",
        ),
        Rule(
            "catalog-rename",
            "ALTER CATALOG has no RENAME TO.",
            ALTER_CATALOG_URL,
            (PRESET,),
            facts=("UC-28",),
            capability="catalog_rename",
            reason=_NOT_IN_SQL,
        ),
        Rule(
            "schema-rename",
            "ALTER SCHEMA has no RENAME TO.",
            ALTER_SCHEMA_URL,
            (PRESET,),
            facts=("UC-26",),
            capability="schema_rename",
            reason=_NOT_IN_SQL,
        ),
        # rules the renderer and core/delta_properties.py implement (listed here so the docs and the
        # conformance test see one registry)
        Rule(
            "rewrite-external-refused",
            "A rewrite (copy and swap) of an EXTERNAL table is refused: its shadow table would overlap the "
            "table's path, and UC paths cannot overlap.",
            PATHS_URL,
            ("render: plan/render/rewrite.py _external_refusal",),
            facts=("UC-21",),
        ),
        Rule(
            "rewrite-key-names",
            "In a rewrite the old table gives up its PRIMARY/FOREIGN KEY names before the new table takes "
            "them (names are unique per schema).",
            ADD_CONSTRAINT_URL,
            ("render: plan/render/rewrite.py",),
            facts=("UC-16",),
            also=(KEY_NAMES_URL,),
        ),
        Rule(
            "rewrite-referenced-key",
            "A primary key still referenced by a foreign key cannot be dropped (RESTRICT is the default): a "
            "rewrite drops the referencing foreign keys first and adds them back.",
            DROP_CONSTRAINT_URL,
            ("render: plan/render/rewrite.py",),
            facts=("UC-18",),
        ),
        Rule(
            "delta-keys-case-insensitive",
            "delta.* table property keys are compared case-insensitively, the way Delta compares them.",
            TBLPROPERTIES_URL,
            ("core/delta_properties.py (renderer and analyzers)",),
            facts=("UC-34",),
        ),
        Rule(
            "column-mapping-upgrade",
            "RENAME COLUMN and DROP COLUMNS (and column names Delta accepts only with it) enable column "
            "mapping first, once.",
            COLUMN_MAPPING_URL,
            ("render: plan/render/units.py", "deploy: services/deploy.py (remembered per environment)"),
            facts=("UC-51",),
        ),
        Rule(
            "type-widening-upgrade",
            "An in-place type change enables type widening first, once.",
            TYPE_WIDENING_URL,
            ("render: plan/render/units.py", "deploy: services/deploy.py (remembered per environment)"),
            facts=("UC-52",),
        ),
        Rule(
            "column-defaults-upgrade",
            "A column DEFAULT enables the allowColumnDefaults table feature first, once.",
            COLUMN_DEFAULTS_URL,
            ("render: plan/render/units.py", "deploy: services/deploy.py (remembered per environment)"),
            facts=("UC-53",),
        ),
    )
}


def rule(rule_id: str) -> Rule:
    """The rule called ``rule_id`` (KeyError for an unknown one)."""
    return RULES[rule_id]


def rules_markdown() -> str:
    """The rules as the Markdown table of ``docs/unity-catalog.md`` (``rule | where enforced | source``)."""
    rows = ["| rule | where enforced | source |", "|---|---|---|"]
    for r in RULES.values():
        text = r.rule + (f" *{r.note}*" if r.note else "")
        sources = " ".join([r.source, *r.also]) + (f" ({', '.join(r.facts)})" if r.facts else "")
        rows.append(f"| `{r.id}` — {text} | {'; '.join(r.enforced)} | {sources} |".replace("\n", " "))
    return "\n".join(rows) + "\n"


# ---------------------------------------------------------------------------------------------------
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
