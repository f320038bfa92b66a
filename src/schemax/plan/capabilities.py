"""What an engine can run, by statement class ("capability"), so a plan can say up front what it cannot do.

Every :class:`~schemax.plan.statements.Statement` names one capability. A plan built for an engine lists
each statement whose capability the engine lacks in ``plan.unsupported``, with the reason, before anything
runs. The two presets were checked statement by statement: :data:`UNITY_CATALOG` against the Databricks
SQL reference (what it leaves out are the rules of :mod:`schemax.core.uc_rules` with a ``capability``,
each reason citing its page), :data:`OSS_DELTA` by running every statement class on local Spark 4.2 +
Delta 4.4 (``tests/integration/test_plan_spark.py`` keeps that honest).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from schemax.core.uc_rules import RULES

CAPABILITIES: dict[str, str] = {
    "catalog_ddl": "CREATE/DROP/COMMENT ON CATALOG",
    "catalog_rename": "renaming a catalog",
    "schema_ddl": "CREATE/DROP SCHEMA, COMMENT ON SCHEMA, SET DBPROPERTIES",
    "schema_rename": "renaming a schema",
    "schema_comment": "COMMENT ON SCHEMA (changing an existing schema's comment)",
    "schema_properties_unset": "ALTER SCHEMA ... UNSET DBPROPERTIES",
    "managed_location": "MANAGED LOCATION of a catalog or schema",
    "table_ddl": "CREATE/DROP/ALTER TABLE basics (columns, comments, rename)",
    "table_move": "moving a table to another schema",
    "table_properties": "ALTER TABLE ... SET/UNSET TBLPROPERTIES",
    "table_rewrite": "rewriting a table into a new definition (copy and swap)",
    "column_mapping": "Delta column mapping (RENAME/DROP COLUMN, names with special characters)",
    "type_widening": "ALTER COLUMN ... TYPE (Delta type widening)",
    "set_not_null": "ALTER COLUMN ... SET NOT NULL on an existing column",
    "column_default": "column DEFAULT values",
    "check_constraint": "CHECK constraints",
    "constraints_pk_fk": "PRIMARY KEY / FOREIGN KEY constraints",
    "cluster_by": "liquid clustering (CLUSTER BY)",
    "cluster_by_auto": "automatic liquid clustering (CLUSTER BY AUTO)",
    "owner": "ALTER ... SET OWNER TO (catalogs, schemas, tables, views, volumes)",
    "function_owner": "a function's owner",
    "tags": "SET/UNSET TAGS",
    "grants": "GRANT/REVOKE",
    "row_filter": "row filters",
    "column_mask": "column masks",
    "views": "CREATE/ALTER/DROP VIEW",
    "functions": "SQL user-defined functions",
    "python_functions": "Python user-defined functions",
    "volumes": "volumes",
    "volume_move": "moving a volume to another schema",
}

WideningRules = Literal["databricks", "delta"]


@dataclass(frozen=True)
class EngineCapabilities:
    """The statement classes an engine can run, and the catalogs it already has.

    ``widening_rules`` picks which type changes are in-place widenings (Databricks runtime vs open-source
    Delta rules, see :func:`schemax.core.types.widening`). ``existing_catalogs`` matters only when the
    engine has no catalog DDL: a logical catalog mapped onto one of them is satisfied as is.
    ``uc_rules``: a plan for this engine is checked against the Unity Catalog rules
    (:func:`schemax.core.uc_rules.state_violations`, :func:`~schemax.core.uc_rules.statement_problems`).
    """

    name: str
    supported: frozenset[str]
    has_catalog_ddl: bool = True
    existing_catalogs: frozenset[str] = frozenset()
    widening_rules: WideningRules = "databricks"
    reasons: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    uc_rules: bool = False
    #: the names this engine accepts for schemas, tables, views and functions (a full-match regex; None:
    #: whatever schemax's own identifier rules accept), and why, checked when a plan is built
    object_names: str | None = None
    object_names_reason: str = ""

    def refuses_name(self, name: str) -> bool:
        """Whether this engine refuses ``name`` for a schema, table, view or function."""
        return self.object_names is not None and re.fullmatch(self.object_names, name) is None

    def supports(self, capability: str) -> bool:
        return capability in self.supported

    def reason(self, capability: str) -> str:
        if capability in self.reasons:
            return self.reasons[capability]
        what = CAPABILITIES.get(capability, capability)
        return f"{self.name} cannot run {what}"

    def with_catalogs(self, catalogs: set[str] | frozenset[str]) -> EngineCapabilities:
        """The same engine, knowing which catalogs exist (e.g. from ``SHOW CATALOGS``)."""
        return replace(self, existing_catalogs=frozenset(c.lower() for c in catalogs))


# the statement classes Unity Catalog does not document, each with its rule (and that rule's page)
_UC_REFUSED = {r.capability: r.message for r in RULES.values() if r.capability is not None}

UNITY_CATALOG = EngineCapabilities(
    name="Unity Catalog",
    supported=frozenset(CAPABILITIES) - set(_UC_REFUSED),
    has_catalog_ddl=True,
    widening_rules="databricks",
    reasons=dict(_UC_REFUSED),
    uc_rules=True,
)
if set(_UC_REFUSED) - set(CAPABILITIES):  # a rule naming a capability that does not exist
    raise AssertionError(f"unknown capabilities in uc_rules: {sorted(set(_UC_REFUSED) - set(CAPABILITIES))}")

# Verified on Spark 4.2 + Delta 4.4 (local, Hive metastore): the statements below fail there with a parse
# error (tags, row filters, masks, CREATE CATALOG/VOLUME, GRANT), an unsupported-operation error (PRIMARY
# KEY on a session-catalog table, SET NOT NULL: "Cannot change nullable column to non-nullable"), or
# "RENAME TABLE source and destination databases do not match" (moving a table across schemas). COMMENT ON
# SCHEMA is worse: it succeeds and changes nothing (the Hive metastore keeps a database's description).
OSS_DELTA = EngineCapabilities(
    name="open-source Spark + Delta",
    supported=frozenset(
        {
            "schema_ddl",
            "schema_properties_unset",
            "table_ddl",
            "table_properties",
            "table_rewrite",
            "column_mapping",
            "type_widening",
            "column_default",
            "check_constraint",
            "cluster_by",
            "views",
            "functions",
        }
    ),
    has_catalog_ddl=False,
    existing_catalogs=frozenset({"spark_catalog"}),
    # Spark's session catalog: "Valid names only contain alphabet characters, numbers and _"
    # (INVALID_SCHEMA_OR_RELATION_NAME, schemas, tables, views); Hive's metastore says "is not a valid
    # object name" for functions. Verified on Spark 4.2 (tests/integration/test_plan_spark.py)
    object_names=r"[A-Za-z0-9_]+",
    object_names_reason="open-source Spark's session catalog accepts only letters, digits and _ in schema, "
                        "table, view and function names",
    widening_rules="delta",
    reasons={
        "catalog_ddl": "open-source Spark cannot create, drop or comment catalogs (it has spark_catalog)",
        "catalog_rename": "open-source Spark cannot rename catalogs",
        "schema_rename": "Spark has no ALTER SCHEMA ... RENAME",
        "schema_comment": "Spark's Hive metastore ignores COMMENT ON SCHEMA (the statement succeeds, "
        "the comment "
        "stays): set the comment when the schema is created",
        "managed_location": "MANAGED LOCATION is Unity Catalog only",
        "table_move": "Spark's session catalog cannot move a table across schemas",
        "set_not_null": "Delta cannot make an existing nullable column NOT NULL",
        "constraints_pk_fk": "PRIMARY KEY / FOREIGN KEY constraints are Unity Catalog only",
        "cluster_by_auto": "CLUSTER BY AUTO is Databricks only (Runtime 15.4+, predictive optimization)",
        "owner": "object ownership is Unity Catalog only",
        "function_owner": "object ownership is Unity Catalog only",
        "tags": "tags are Unity Catalog only",
        "grants": "GRANT/REVOKE are Unity Catalog only",
        "row_filter": "row filters are Unity Catalog only",
        "column_mask": "column masks are Unity Catalog only",
        "volumes": "volumes are Unity Catalog only",
        "volume_move": "volumes are Unity Catalog only",
        "python_functions": "Python UDFs (LANGUAGE PYTHON) are Unity Catalog only",
    },
)

#: Capabilities an environment with ``unsupported: skip`` may go without (governance: who may see and do
#: what, and labels): leaving them out changes no table, view or function definition, so what the engine
#: does run is what a Unity Catalog environment runs. Everything else stays refused.
GOVERNANCE: frozenset[str] = frozenset({"tags", "grants", "owner", "function_owner", "row_filter",
                                        "column_mask"})

PRESETS: dict[str, EngineCapabilities] = {"unity_catalog": UNITY_CATALOG, "oss_delta": OSS_DELTA}


def detect_capabilities(executor: Any) -> EngineCapabilities:
    """Ask the engine behind ``executor`` (a :class:`~schemax.ports.SqlExecutor`) what it is.

    ``current_metastore()`` exists only on Unity Catalog; ``SHOW CATALOGS`` lists the catalogs that a
    plan may map onto when the engine cannot create them. Two queries, whatever the project's size.
    """
    try:
        executor.query("SELECT current_metastore() AS metastore")
        base = UNITY_CATALOG
    except Exception:  # noqa: BLE001 - any failure means "not Unity Catalog"
        base = OSS_DELTA
    try:
        rows = executor.query("SHOW CATALOGS")
    except Exception:  # noqa: BLE001 - an engine without SHOW CATALOGS has only its session catalog
        rows = []
    names = {str(row.get("catalog") or next(iter(row.values()), "")) for row in rows if row}
    names.discard("")
    return base.with_catalogs(names) if names else base


__all__ = [
    "CAPABILITIES",
    "OSS_DELTA",
    "PRESETS",
    "UNITY_CATALOG",
    "EngineCapabilities",
    "detect_capabilities",
]
