"""The Unity Catalog rules applied to what a plan carries, and the table of statement shapes.

* :func:`state_violations` — what a planned state holds that a rule of :mod:`schemax.core.uc_rules`
  refuses (an old log's ALL PRIVILEGES beside a list, a tag key with a ``-``, a MANAGED table with a
  location, two key constraints of one name in a schema), each with the statements that would carry it;
* :func:`statement_problems` — what one rendered statement breaks, read from its SQL alone;
* :data:`SHAPES` — every statement shape the planner emits for Unity Catalog (names, literals, types and
  free SQL replaced by placeholders, see :func:`normalize`), each with the facts and the documentation page
  it rests on, or the rule that refuses it. ``tests/unit/test_uc_conformance.py`` renders a catalogue of
  every change kind and attribute and fails when a statement's shape is not in the table.

:func:`schemax.plan.plan.build_plan` consults the first two for engines whose capabilities have
``uc_rules`` and lists what they find in ``plan.unsupported`` before anything runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from schemax.core import kinds as _kinds
from schemax.core.model import State, Table
from schemax.core.names import quote_ident, sql_string
from schemax.core.uc_rules import (
    ALL_PRIVILEGES,
    RULES,
    privileges_invalid_on,
    tag_problems,
    tag_problems_by_key,
)

# ---------------------------------------------------------------------------------------------------
# when a plan targets Unity Catalog: the planned state
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Violation:
    """Something a state holds that Unity Catalog refuses, and how to find the statements that carry it.

    A statement carries the violation when it acts on ``object_id`` (a column's table), runs one of
    ``capabilities``, starts with ``prefix`` and contains every string of ``marks``.
    """

    rule: str
    object_id: str
    reason: str
    capabilities: frozenset[str]
    prefix: str = ""
    marks: tuple[str, ...] = field(default_factory=tuple)
    privileges: frozenset[str] = frozenset()  # a GRANT carries it only when it names one of these

    def carried_by(self, sql: str, object_id: str | None, capability: str) -> bool:
        if not (
            object_id == self.object_id
            and capability in self.capabilities
            and sql.startswith(self.prefix)
            and all(m in sql for m in self.marks)
        ):
            return False
        if self.privileges:
            m = _GRANT.match(sql)
            return m is not None and bool(self.privileges & {p.strip() for p in m.group(2).split(",")})
        return True

    @property
    def message(self) -> str:
        return f"{self.reason} [rule {self.rule}: {RULES[self.rule].source}]"


def _literal(text: str) -> str:
    try:
        return sql_string(text)
    except Exception:  # noqa: BLE001 - a text SQL cannot carry is refused by replay; match nothing
        return "\x00"


def _tag_violations(
    path: str, carrier: str, tags: Mapping[str, str], column: str | None
) -> Iterator[Violation]:
    where = f"ALTER COLUMN {_ident(column)} SET TAGS" if column is not None else "SET TAGS"
    for rule_id, problem, key in tag_problems_by_key(tags, {}):
        marks = (where,) if key is None else (where, _literal(key))
        yield Violation(rule_id, carrier, f"{path}: {problem}", frozenset({"tags"}), "ALTER ", marks)


def _ident(name: str | None) -> str:
    try:
        return quote_ident(name or "")
    except Exception:  # noqa: BLE001 - a name SQL cannot carry is refused by replay
        return "\x00"


def state_violations(state: State) -> list[Violation]:
    """Everything ``state`` holds that a Unity Catalog rule refuses (checked when a plan targets UC)."""
    out: list[Violation] = []
    for k in _kinds.securable():
        for obj in getattr(state, k.state_field).values():
            for principal, privs in sorted(obj.grants.items()):
                path = f"{k.name} {state.full_name(obj.id)}"
                marks = (_ident(principal),)
                if ALL_PRIVILEGES in privs and len(privs) > 1:
                    out.append(Violation(
                        "all-privileges-alone", obj.id, f"{path}: {principal!r} holds ALL PRIVILEGES and "
                        f"{sorted(set(privs) - {ALL_PRIVILEGES})} (recorded before the rule); revoke "
                        "one or the other", frozenset({"grants"}), "GRANT ", marks))
                bad = privileges_invalid_on(k.name, privs)
                if bad:
                    out.append(Violation(
                        "privileges-per-securable", obj.id, f"{path}: {bad} cannot be granted on a "
                        f"{k.name} (to {principal!r})", frozenset({"grants"}), "GRANT ", marks,
                        frozenset(bad)))
    for k in _kinds.taggable():
        if k.top_level:
            for obj in getattr(state, k.state_field).values():
                out.extend(_tag_violations(f"{k.name} {state.full_name(obj.id)}", obj.id, obj.tags, None))
    for t in state.tables.values():
        for col in t.columns:
            if col.tags:
                path = f"column {state.full_name(t.id)}.{col.name}"
                out.extend(_tag_violations(path, t.id, col.tags, col.name))
    for kind, objs, typ, caps in (("table", state.tables, "table_type", {"table_ddl", "table_rewrite"}),
                                  ("volume", state.volumes, "volume_type", {"volumes"})):
        for obj in objs.values():
            if getattr(obj, typ) == "MANAGED" and obj.location:
                out.append(Violation(
                    "managed-without-location", obj.id, f"MANAGED {kind} {state.full_name(obj.id)} has a "
                    f"location ({obj.location!r}): it would be created external; declare it EXTERNAL or "
                    "drop the location", frozenset(caps), "CREATE ", (" LOCATION ",)))
    keys: dict[tuple[str, str], list[tuple[Table, str]]] = {}
    for t in state.tables.values():
        for con in t.constraints:
            if con.kind in ("primary_key", "foreign_key"):
                keys.setdefault((t.schema_id, con.name.lower()), []).append((t, con.name))
    for holders in keys.values():
        if len(holders) > 1:
            tables = sorted(state.full_name(t.id) for t, _ in holders)
            for t, name in holders:
                out.append(Violation(
                    "key-constraint-names-per-schema", t.id, f"key constraint {name!r} is declared on "
                    f"{tables}, in one schema", frozenset({"constraints_pk_fk", "table_rewrite"}),
                    "ALTER TABLE ", (f"ADD CONSTRAINT {_ident(name)} ",)))
    return out


# ---------------------------------------------------------------------------------------------------
# when a plan targets Unity Catalog: the rendered statements
# ---------------------------------------------------------------------------------------------------

_GRANT = re.compile(r"^(GRANT|REVOKE) (.+?) ON (CATALOG|SCHEMA|TABLE|VIEW|VOLUME|FUNCTION) ")
_STRING = re.compile(r"'((?:[^'\\]|\\.)*)'")
_UNESCAPES = {"\\": "\\", "'": "'", "n": "\n", "r": "\r", "t": "\t"}


def unquote_literal(body: str) -> str:
    """The text of a string literal's body as :func:`~schemax.core.names.sql_string` wrote it."""
    out, i = [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", body[i + 2:i + 6]):
                out.append(chr(int(body[i + 2:i + 6], 16)))
                i += 6
                continue
            out.append(_UNESCAPES.get(nxt, nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def statement_problems(sql: str) -> list[tuple[str, str]]:
    """(rule id, reason) for each rule one rendered statement breaks, read from its SQL alone: ALL
    PRIVILEGES joined with other privileges, a privilege the ON kind does not take, a tag key or value UC
    refuses, more tags in one statement than an object may carry."""
    out: list[tuple[str, str]] = []
    m = _GRANT.match(sql)
    if m:
        privs = [p.strip() for p in m.group(2).split(",")]
        if ALL_PRIVILEGES in privs and len(privs) > 1:
            out.append(("all-privileges-alone", f"{m.group(1)} joins ALL PRIVILEGES with {privs}"))
        bad = privileges_invalid_on(m.group(3).lower(), privs)
        if bad and m.group(1) == "GRANT":
            out.append(("privileges-per-securable", f"{bad} cannot be granted on a {m.group(3).lower()}"))
    at = sql.find(" SET TAGS (")
    if at >= 0 and sql.startswith("ALTER "):
        literals = [unquote_literal(x) for x in _STRING.findall(sql[at:])]
        tags = dict(zip(literals[0::2], literals[1::2], strict=False))
        out.extend(tag_problems(tags))
    return out



# ---------------------------------------------------------------------------------------------------
# statement shapes
# ---------------------------------------------------------------------------------------------------

_BODY = re.compile(r"\$\$.*?\$\$", re.S)
_STR = re.compile(r"'(?:[^'\\]|\\.)*'")
_NAME = re.compile(r"`(?:[^`]|``)*`(?:\.`(?:[^`]|``)*`)*")
_SIMPLE_TYPE = re.compile(
    r"\b(?:(?:BIGINT|INT|INTEGER|SMALLINT|TINYINT|BYTE|SHORT|LONG|STRING|BOOLEAN|DATE|TIMESTAMP_NTZ"
    r"|TIMESTAMP|DOUBLE|FLOAT|REAL|BINARY|VARIANT|VOID)\b|(?:VAR)?CHAR\(\d+\)|DECIMAL\b(?:\(\d+(?:,\d+)?\))?"
    r"|INTERVAL (?:YEAR|MONTH|DAY|HOUR|MINUTE|SECOND)\b(?: TO (?:MONTH|HOUR|MINUTE|SECOND)\b)?)"
)
_NESTED_TYPE = re.compile(r"\b(?:ARRAY|MAP|STRUCT)<[^<>]*>")
_VIEW = re.compile(
    r"^((?:CREATE OR REPLACE|CREATE|ALTER) VIEW(?: IF NOT EXISTS)? «name»"
    r"(?: COMMENT «str»| TBLPROPERTIES \([^()]*\))*) AS .*$", re.S
)
_FUNCTION = re.compile(
    r"^(CREATE (?:OR REPLACE )?FUNCTION(?: IF NOT EXISTS)? «name»)\((.*?)\) RETURNS ", re.S
)
_INSERT = re.compile(r"^(INSERT INTO «name» \([^()]*\)) SELECT .* FROM «name»$", re.S)
_UPDATE = re.compile(r"^UPDATE «name» SET «ident» = .* WHERE «ident» IS NULL$", re.S)
_NUMBER = re.compile(r"(?<![\w«])-?\d+(?:\.\d+)?(?![\w»])")


def _balanced_end(text: str, start: int) -> int:
    """The index just past the parenthesis closing the one at ``start``."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i + 1
    return len(text)


def _replace_checks(text: str) -> str:
    out, at = [], 0
    while (i := text.find("CHECK (", at)) >= 0:
        end = _balanced_end(text, i + 6)
        out.append(text[at:i] + "CHECK («expr»)")
        at = end
    return "".join(out) + text[at:]


_DEFAULT_ENDS = (" COMMENT ", " NOT NULL", " MASK ")


def _replace_defaults(text: str) -> str:
    out, at = [], 0
    while (i := text.find(" DEFAULT ", at)) >= 0:
        if text.endswith(" BY", 0, i):  # GENERATED BY DEFAULT AS IDENTITY (issue 11): not a DEFAULT clause
            out.append(text[at:i + len(" DEFAULT ")])
            at = i + len(" DEFAULT ")
            continue
        j, depth = i + len(" DEFAULT "), 0
        while j < len(text):
            ch = text[j]
            if depth == 0 and (ch in ",)" or text.startswith(_DEFAULT_ENDS, j)):
                break
            depth += (ch == "(") - (ch == ")")
            j += 1
        out.append(text[at:i] + " DEFAULT «expr»")
        at = j
    return "".join(out) + text[at:]


def _replace_generated(text: str) -> str:
    """``GENERATED ALWAYS AS (<expr>)`` -> ``GENERATED ALWAYS AS («expr»)`` (issue 11; balanced
    parentheses)."""
    out, at, key = [], 0, " GENERATED ALWAYS AS ("
    while (i := text.find(key, at)) >= 0:
        j, depth = i + len(key), 1
        while j < len(text) and depth:
            depth += (text[j] == "(") - (text[j] == ")")
            j += 1
        out.append(text[at:i] + " GENERATED ALWAYS AS («expr»)")
        at = j
    return "".join(out) + text[at:]


def _split_top(inner: str) -> list[str]:
    items, depth, start = [], 0, 0
    for i, ch in enumerate(inner):
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            items.append(inner[start:i])
            start = i + 1
    items.append(inner[start:])
    return [x.strip() for x in items]


def _collapse(text: str) -> str:
    """Every parenthesized list as its distinct item forms, sorted: ``(a, b, a)`` -> ``(a, b)``."""
    stack: list[list[str]] = [[]]
    for ch in text:
        if ch == "(":
            stack.append([])
        elif ch == ")" and len(stack) > 1:
            inner = "".join(stack.pop())
            items = _split_top(inner)
            stack[-1].append("(" + (", ".join(sorted(set(items))) if len(items) > 1 else inner) + ")")
        else:
            stack[-1].append(ch)
    while len(stack) > 1:  # an unbalanced "(": keep the text as it was
        rest = "".join(stack.pop())
        stack[-1].append("(" + rest)
    return "".join(stack[0])


def normalize(sql: str) -> str:
    """The shape of a statement: qualified names (``«name»``), single identifiers (``«ident»``), literals,
    numbers, data types and free SQL (view queries, function bodies and parameters, CHECK conditions,
    DEFAULT expressions, a copy's SELECT list) replaced by placeholders, and every list collapsed to its
    distinct item forms.

    >>> normalize("ALTER TABLE `c`.`s`.`t` SET TAGS ('a' = 'x', 'b' = 'y')")
    'ALTER TABLE «name» SET TAGS («str» = «str»)'
    >>> normalize("ALTER TABLE `c`.`s`.`t` RENAME TO `u`")
    'ALTER TABLE «name» RENAME TO «ident»'
    """
    text = _BODY.sub("«body»", sql)
    text = _STR.sub("«str»", text)
    text = _NAME.sub(lambda m: "«name»" if "`.`" in m.group(0) else "«ident»", text)
    text = _VIEW.sub(r"\1 AS «query»", text)
    m = _FUNCTION.match(text)
    if m:
        params = "«params»" if m.group(2).strip() else ""
        text = f"{m.group(1)}({params}) RETURNS " + text[m.end():]
        text = re.sub(r" RETURN .*$", " RETURN «expr»", text, flags=re.S)
    text = _replace_checks(text)
    text = _replace_generated(text)
    text = _replace_defaults(text)
    text = _INSERT.sub(r"\1 SELECT «exprs» FROM «name»", text)
    text = _UPDATE.sub("UPDATE «name» SET «ident» = «expr» WHERE «ident» IS NULL", text)
    while True:
        nested = _NESTED_TYPE.sub("«type»", text)
        if nested == text:
            break
        text = nested
    text = _SIMPLE_TYPE.sub("«type»", text)
    text = _NUMBER.sub("«n»", text)
    return _collapse(text)


# -- the table ---------------------------------------------------------------------------------------
_CREATE_CATALOG_URL = "https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-create-catalog.html"
_DROP_CATALOG_URL = (
    "https://learn.microsoft.com/mt-mt/azure/Databricks/sql/language-manual/sql-ref-syntax-ddl-drop-catalog"
)
_CREATE_SCHEMA_URL = "https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-create-schema.html"
_DROP_SCHEMA_URL = "https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-drop-schema.html"
_COMMENT_URL = "https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-comment.html"
_CREATE_TABLE_URL = "https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-create-table-using.html"
_DROP_TABLE_URL = (
    "https://learn.microsoft.com/en-us/Azure/databricks/sql/language-manual/sql-ref-syntax-ddl-drop-table"
)
_MANAGE_COLUMN_URL = (
    "https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-alter-table-manage-column.html"
)
_COLUMN_TAGS_URL = (
    "https://docs.databricks.com/aws/en/sql/language-manual/sql-ref-syntax-ddl-alter-view-manage-column"
)
_CLUSTER_BY_URL = "https://docs.databricks.com/en/sql/language-manual/sql-ref-syntax-ddl-cluster-by.html"
_ROW_FILTER_URL = "https://docs.databricks.com/en/sql/language-manual/sql-ref-syntax-ddl-row-filter.html"
_MASK_URL = "https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-column-mask.html"
_CREATE_VIEW_URL = "https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-create-view.html"
_DROP_VIEW_URL = "https://docs.databricks.com/archive/spark-sql-2.x-language-manual/drop-view.html"
_DROP_VOLUME_URL = (
    "https://learn.microsoft.com/en-us/Azure/databricks/sql/language-manual/sql-ref-syntax-ddl-drop-volume"
)
_CREATE_FUNCTION_URL = (
    "https://learn.microsoft.com/en-in/azure/databricks/sql/language-manual/sql-ref-syntax-ddl-create-sql-function"
)
_DROP_FUNCTION_URL = (
    "https://learn.microsoft.com/en-us/%20azure/databricks/sql/language-manual/sql-ref-syntax-ddl-drop-function"
)
_INSERT_URL = "https://docs.databricks.com/sql/language-manual/sql-ref-syntax-dml-insert-into.html"
_UPDATE_URL = "https://docs.databricks.com/en/sql/language-manual/delta-update.html"
_OWNER_CATALOG_URL = "https://docs.azure.cn/databricks/sql/language-manual/sql-ref-syntax-ddl-alter-catalog"
_OWNER_SCHEMA_URL = "https://docs.databricks.com/ja/sql/language-manual/sql-ref-syntax-ddl-alter-schema.html"
_OWNER_TABLE_URL = "https://docs.azure.cn/en-us/databricks/sql/language-manual/sql-ref-syntax-ddl-alter-table"
_OWNER_VIEW_URL = "https://docs.databricks.com/aws/en/sql/language-manual/sql-ref-syntax-ddl-alter-view"
_OWNER_VOLUME_URL = "https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-alter-volume.html"
_FUNCTION_OWNER_API_URL = "https://databrickslabs.github.io/databricks-sdk-r/reference/update_function.html"
_KEY_CONSTRAINT_URL = "https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-create-table-constraint.html"
_PRIVILEGES_SQL_URL = "https://learn.microsoft.com/en-in/azure/databricks/sql/language-manual/sql-ref-privileges"


@dataclass(frozen=True)
class Shape:
    """One statement shape the planner emits for Unity Catalog and where the documentation has it.

    ``pattern`` matches the whole :func:`normalize`\\ d statement. ``facts`` and ``source`` cite the page
    that documents it; ``refused_by`` names the rule that makes a plan list the statement in
    ``plan.unsupported`` instead (a shape UC does not document); ``rules`` the rules checked against it.
    """

    id: str
    pattern: str
    facts: tuple[str, ...]
    source: str
    rules: tuple[str, ...] = ()
    refused_by: str | None = None
    note: str = ""

    def matches(self, shape: str) -> bool:
        return re.fullmatch(self.pattern, shape) is not None


_T = "«type»"
_GENERATION = (  # issue 11 (UC-58): GENERATED ALWAYS AS (expr), GENERATED ... AS IDENTITY
    r"(?: GENERATED ALWAYS AS \(«expr»\)| GENERATED (?:ALWAYS|BY DEFAULT) AS IDENTITY"
    r"(?: \((?:START WITH -?«n»)?(?: ?INCREMENT BY -?«n»)?\))?)?"
)
_COLUMN = rf"«ident» {_T}(?: NOT NULL)?{_GENERATION}(?: DEFAULT «expr»)?(?: COMMENT «str»)?"
_COLUMNS = rf"{_COLUMN}(?:, {_COLUMN})*"
_ADDED = rf"«ident» {_T}(?: COMMENT «str»)?(?: FIRST| AFTER «ident»)?"
_TAGS = r"(?:SET TAGS \(«str» = «str»\)|UNSET TAGS \(«str»\))"
_PRIVS = r"[A-Z]+(?: [A-Z]+)*(?:, [A-Z]+(?: [A-Z]+)*)*"
_NAMES = r"«ident»(?:, «ident»)*"
_ALTER_COLUMN = r"ALTER TABLE «name» ALTER COLUMN «ident» "

SHAPES: tuple[Shape, ...] = (
    # catalogs and schemas
    Shape("create-catalog",
          r"CREATE CATALOG IF NOT EXISTS «ident»(?: MANAGED LOCATION «str»)?(?: COMMENT «str»)?",
          ("UC-29",), _CREATE_CATALOG_URL),
    Shape("drop-catalog", r"DROP CATALOG IF EXISTS «ident» CASCADE", ("UC-30",), _DROP_CATALOG_URL),
    Shape("rename-catalog", r"ALTER CATALOG «ident» RENAME TO «ident»", ("UC-28",),
          "https://docs.databricks.com/aws/en/sql/language-manual/sql-ref-syntax-ddl-alter-catalog.html",
          refused_by="catalog-rename"),
    Shape("create-schema",
          r"CREATE SCHEMA IF NOT EXISTS «name»(?: COMMENT «str»)?(?: MANAGED LOCATION «str»)?"
          r"(?: WITH DBPROPERTIES \(«str» = «str»\))?", ("UC-27",), _CREATE_SCHEMA_URL),
    Shape("drop-schema", r"DROP SCHEMA IF EXISTS «name»", ("UC-30",), _DROP_SCHEMA_URL),
    Shape("rename-schema", r"ALTER SCHEMA «name» RENAME TO «name»", ("UC-26",),
          "https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-alter-schema.html",
          refused_by="schema-rename"),
    Shape("schema-set-properties", r"ALTER SCHEMA «name» SET DBPROPERTIES \(«str» = «str»\)", ("UC-26",),
          "https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-alter-schema.html"),
    Shape("schema-unset-properties", r"ALTER SCHEMA «name» UNSET DBPROPERTIES \(«str»\)", ("UC-26",),
          "https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-alter-schema.html",
          refused_by="schema-unset-dbproperties"),
    Shape("set-managed-location", r"ALTER (?:CATALOG «ident»|SCHEMA «name») SET MANAGED LOCATION «str»",
          ("UC-26", "UC-28"),
          "https://docs.databricks.com/aws/en/sql/language-manual/sql-ref-syntax-ddl-alter-catalog.html",
          note="documented only in recent versions of the ALTER CATALOG / ALTER SCHEMA pages"),
    Shape("comment-on", r"COMMENT ON (?:CATALOG «ident»|(?:SCHEMA|TABLE|VOLUME) «name») IS (?:«str»|NULL)",
          ("UC-25",), _COMMENT_URL, note="COMMENT ON TABLE also names a view; the IS NULL form is Spark's "
          "(not found in the Databricks text)"),
    Shape("object-tags", rf"ALTER (?:CATALOG «ident»|(?:SCHEMA|TABLE|VIEW|VOLUME) «name») {_TAGS}",
          ("UC-10",), "https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-alter-volume.html",
          rules=("tag-key", "tag-value", "tags-per-object")),
    # tables
    Shape("create-table",
          rf"CREATE (?:TABLE IF NOT EXISTS|OR REPLACE TABLE) «name» \({_COLUMNS}\) USING DELTA"
          r"(?: PARTITIONED BY \(«ident»(?:, «ident»)*\))?(?: CLUSTER BY (?:\(«ident»(?:, «ident»)*\)|AUTO))?"
          r"(?: LOCATION «str»)?(?: COMMENT «str»)?(?: TBLPROPERTIES \(«str» = «str»\))?",
          ("UC-35", "UC-20", "UC-56", "UC-58"), _CREATE_TABLE_URL,
          rules=("managed-without-location", "rewrite-external-refused", "column-defaults-upgrade",
                 "cluster-auto-managed")),
    Shape("drop-table", r"DROP TABLE IF EXISTS «name»", ("UC-49",), _DROP_TABLE_URL),
    Shape("rename-relation", r"ALTER (?:TABLE|VIEW) «name» RENAME TO «ident»", ("UC-31", "UC-32"),
          "https://docs.azure.cn/zh-cn/databricks/spark/latest/spark-sql/language-manual/alter-table-or-view"),
    Shape("move-relation", r"ALTER (?:TABLE|VIEW) «name» RENAME TO «name»", ("UC-31", "UC-32"),
          "https://docs.azure.cn/zh-cn/databricks/spark/latest/spark-sql/language-manual/alter-table-or-view",
          refused_by="relation-move"),
    Shape("relation-properties", r"ALTER (?:TABLE|VIEW) «name» (?:SET TBLPROPERTIES \(«str» = «str»\)"
          r"|UNSET TBLPROPERTIES IF EXISTS \(«str»\))", ("UC-34", "UC-51", "UC-52", "UC-53"),
          "https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-tblproperties.html",
          rules=("delta-keys-case-insensitive", "column-mapping-upgrade", "type-widening-upgrade",
                 "column-defaults-upgrade")),
    Shape("cluster-by", r"ALTER TABLE «name» CLUSTER BY (?:\(«ident»(?:, «ident»)*\)|NONE)", ("UC-37",),
          _CLUSTER_BY_URL),
    Shape("owner-catalog", r"ALTER CATALOG «ident» SET OWNER TO «ident»", ("UC-57",), _OWNER_CATALOG_URL,
          rules=("owner-last",)),
    Shape("owner-schema", r"ALTER SCHEMA «name» SET OWNER TO «ident»", ("UC-57",), _OWNER_SCHEMA_URL,
          rules=("owner-last",)),
    Shape("owner-table", r"ALTER TABLE «name» SET OWNER TO «ident»", ("UC-57",), _OWNER_TABLE_URL,
          rules=("owner-last",)),
    Shape("owner-view", r"ALTER VIEW «name» SET OWNER TO «ident»", ("UC-57",), _OWNER_VIEW_URL,
          rules=("owner-last",)),
    Shape("owner-volume", r"ALTER VOLUME «name» SET OWNER TO «ident»", ("UC-57",), _OWNER_VOLUME_URL,
          rules=("owner-last",)),
    Shape("owner-function", r"ALTER FUNCTION «name» SET OWNER TO «ident»", ("UC-57",),
          _FUNCTION_OWNER_API_URL, refused_by="function-owner-sql"),
    Shape("cluster-by-auto", r"ALTER TABLE «name» CLUSTER BY AUTO", ("UC-56",), _CLUSTER_BY_URL,
          rules=("cluster-auto-managed",), note="issue 11: automatic liquid clustering (DBR 15.4+)"),
    Shape("row-filter", r"ALTER TABLE «name» (?:SET ROW FILTER «name» ON \((?:«ident»(?:, «ident»)*)?\)"
          r"|DROP ROW FILTER)", ("UC-41",), _ROW_FILTER_URL),
    Shape("add-columns", rf"ALTER TABLE «name» ADD COLUMNS \({_ADDED}(?:, {_ADDED})*\)", ("UC-36",),
          _MANAGE_COLUMN_URL),
    Shape("drop-columns", rf"ALTER TABLE «name» DROP COLUMNS IF EXISTS \({_NAMES}\)", ("UC-36", "UC-51"),
          _MANAGE_COLUMN_URL, rules=("column-mapping-upgrade",)),
    Shape("rename-column", r"ALTER TABLE «name» RENAME COLUMN «ident» TO «ident»", ("UC-51",),
          "https://docs.databricks.com/delta/column-mapping.html", rules=("column-mapping-upgrade",)),
    Shape("column-position", _ALTER_COLUMN + r"(?:FIRST|AFTER «ident»)", ("UC-36",), _MANAGE_COLUMN_URL),
    Shape("column-type", _ALTER_COLUMN + rf"TYPE {_T}", ("UC-52",),
          "https://learn.microsoft.com/en-in/azure/databricks/delta/type-widening",
          rules=("type-widening-upgrade",)),
    Shape("column-nullability", _ALTER_COLUMN + r"(?:SET|DROP) NOT NULL", ("UC-36",), _MANAGE_COLUMN_URL),
    Shape("column-default", _ALTER_COLUMN + r"(?:SET DEFAULT «expr»|DROP DEFAULT)", ("UC-36", "UC-53"),
          _MANAGE_COLUMN_URL, rules=("column-defaults-upgrade",)),
    Shape("column-comment", _ALTER_COLUMN + r"COMMENT «str»", ("UC-36",), _MANAGE_COLUMN_URL),
    Shape("column-tags", _ALTER_COLUMN + _TAGS, ("UC-11", "UC-12"), _COLUMN_TAGS_URL,
          rules=("tag-key", "tag-value", "tags-per-object")),
    Shape("column-mask", _ALTER_COLUMN + rf"(?:SET MASK «name»(?: USING COLUMNS \({_NAMES}\))?|DROP MASK)",
          ("UC-42",), _MASK_URL),
    Shape("add-check", r"ALTER TABLE «name» ADD CONSTRAINT «ident» CHECK \(«expr»\)", ("UC-17",),
          "https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-alter-table-add-constraint.html",
          rules=("check-constraint-names-per-table",)),
    Shape("add-key", rf"ALTER TABLE «name» ADD CONSTRAINT «ident» (?:PRIMARY KEY \({_NAMES}\)"
          rf"|FOREIGN KEY \({_NAMES}\) REFERENCES «name» \({_NAMES}\))", ("UC-15", "UC-16", "UC-17"),
          "https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-alter-table-add-constraint.html",
          rules=("key-constraint-names-per-schema", "rewrite-key-names")),
    Shape("add-key-options", r"ALTER TABLE «name» ADD CONSTRAINT «ident» "
          r"(?:PRIMARY KEY \(«ident»(?: TIMESERIES)?(?:, «ident»(?: TIMESERIES)?)*\)"
          r"(?: NOT ENFORCED)?(?: RELY)?"
          rf"|FOREIGN KEY \({_NAMES}\) REFERENCES «name» \({_NAMES}\)(?: RELY)?)", ("UC-55",),
          _KEY_CONSTRAINT_URL, rules=("key-constraint-names-per-schema", "rewrite-key-names"),
          note="issue 11: key_column TIMESERIES and the constraint options NOT ENFORCED, RELY"),
    Shape("drop-constraint", r"ALTER TABLE «name» DROP CONSTRAINT IF EXISTS «ident»", ("UC-18",),
          "https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-alter-table-drop-constraint.html",
          rules=("rewrite-referenced-key",)),
    Shape("copy-rows", r"INSERT INTO «name» \(«ident»(?:, «ident»)*\) SELECT «exprs» FROM «name»", (),
          _INSERT_URL, note="DML: the copy step of a rewrite"),
    Shape("backfill", r"UPDATE «name» SET «ident» = (?:«expr»|«str») WHERE «ident» IS NULL", (), _UPDATE_URL,
          note="DML: fills a new NOT NULL column before SET NOT NULL"),
    # views, volumes, functions
    Shape("create-view",
          r"CREATE OR REPLACE VIEW «name»(?: COMMENT «str»)?(?: TBLPROPERTIES \(«str» = «str»\))? AS «query»",
          ("UC-33",), _CREATE_VIEW_URL),
    Shape("alter-view-query", r"ALTER VIEW «name» AS «query»", ("UC-32",),
          "https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-alter-view.html"),
    Shape("drop-view", r"DROP VIEW IF EXISTS «name»", ("UC-30",), _DROP_VIEW_URL),
    Shape("create-volume", r"CREATE (?:EXTERNAL )?VOLUME IF NOT EXISTS «name»(?: LOCATION «str»)?"
          r"(?: COMMENT «str»)?", ("UC-22",), "https://docs.databricks.com/sql/language-manual/"
          "sql-ref-syntax-ddl-create-volume.html", rules=("managed-without-location",)),
    Shape("drop-volume", r"DROP VOLUME IF EXISTS «name»", ("UC-24",), _DROP_VOLUME_URL),
    Shape("rename-volume", r"ALTER VOLUME «name» RENAME TO «ident»", ("UC-23",),
          "https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-alter-volume.html"),
    Shape("move-volume", r"ALTER VOLUME «name» RENAME TO «name»", ("UC-23",),
          "https://docs.databricks.com/sql/language-manual/sql-ref-syntax-ddl-alter-volume.html",
          refused_by="volume-move"),
    Shape("create-function", rf"CREATE (?:OR REPLACE )?FUNCTION «name»\((?:«params»)?\) RETURNS {_T}"
          r"(?: LANGUAGE PYTHON)?(?: COMMENT «str»)? (?:RETURN «expr»|AS «body»)", ("UC-38", "UC-39"),
          _CREATE_FUNCTION_URL),
    Shape("drop-function", r"DROP FUNCTION IF EXISTS «name»", ("UC-30",), _DROP_FUNCTION_URL),
    # grants
    Shape("grant", rf"(?:GRANT {_PRIVS} ON (?:CATALOG «ident»|(?:SCHEMA|TABLE|VIEW|VOLUME|FUNCTION) «name») "
          rf"TO «ident»|REVOKE {_PRIVS} ON (?:CATALOG «ident»|(?:SCHEMA|TABLE|VIEW|VOLUME|FUNCTION) «name») "
          r"FROM «ident»)", ("UC-01", "UC-04", "UC-05"), _PRIVILEGES_SQL_URL,
          rules=("privileges-per-securable", "all-privileges-alone", "all-privileges-replaces-list",
                 "all-privileges-narrowing")),
)
_SHAPE_IDS = [s.id for s in SHAPES]
if len(set(_SHAPE_IDS)) != len(_SHAPE_IDS):
    raise AssertionError("two statement shapes share an id")
_UNKNOWN_RULES = {r for s in SHAPES for r in (*s.rules, s.refused_by) if r is not None} - set(RULES)
if _UNKNOWN_RULES:
    raise AssertionError(f"statement shapes name unknown rules: {sorted(_UNKNOWN_RULES)}")


def shape_of(sql: str) -> tuple[str, Shape | None]:
    """(the normalized statement, the shape of :data:`SHAPES` it is, or None)."""
    form = normalize(sql)
    return form, next((s for s in SHAPES if s.matches(form)), None)
