"""The registry of cited Unity Catalog rules (:data:`RULES`): each documented fact with its source page and
where schemax enforces it. The checks that apply them are in :mod:`schemax.core.uc_rules` (which
re-exports this table), the statement shapes in :mod:`schemax.core.uc_statements`."""

from __future__ import annotations

from dataclasses import dataclass

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
