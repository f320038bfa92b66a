"""Preflight probes: the read-only queries that ask an environment's live tables what a plan's
data-dependent findings depend on, and what the answers mean (pure: the queries run elsewhere).

For every finding whose outcome depends on the data (:data:`PROBES`: SET NOT NULL, a NOT NULL column,
ADD CHECK, a type change that rewrites the table, a partitioning change, a column-mapping upgrade, DROP
COLUMN, DROP TABLE) :func:`probes_for` builds one :class:`TableProbe` per table:

- ``DESCRIBE DETAIL <t>`` (Delta tables): size and files, giving the table's cost class;
- ONE counting query with every check on the table folded in::

      SELECT count(*) AS n_rows, count_if(`email` IS NULL) AS check_0,
             count_if(NOT coalesce((amount > 0), false)) AS check_1 FROM `shop`.`sales`.`orders`

- for a check that found rows, at most :data:`SAMPLE_ROWS` of their keys (or of the failing values):
  ``SELECT `id` FROM t WHERE `email` IS NULL LIMIT 3``.

Every query is a SELECT (or DESCRIBE) on one table; counts are exact unless the caller asks for a
``TABLESAMPLE`` of large tables, and a zero seen in a sample proves nothing (verdict ``unknown``).

What Delta checks, and so what the probes count (verified on Spark 4.2 + Delta 4.4):

- ``ADD CONSTRAINT … CHECK (e)`` refuses a table where any row has ``e`` FALSE *or NULL*
  ("DELTA_NEW_CHECK_CONSTRAINT_VIOLATION: 1 rows … violate", counting a NULL row), so a violating row is
  ``NOT coalesce((e), false)``;
- a rewrite's ``INSERT … SELECT CAST(c AS new)`` fails (ANSI mode) on a value that does not convert:
  ``c IS NOT NULL AND TRY_CAST(c AS new) IS NULL``; a value that converts but comes back different
  (``TRY_CAST(TRY_CAST(c AS new) AS old)`` not ``<=>`` c: precision, range, trailing text) is lost data.

:func:`evidence_for` turns one table's answers into an :class:`~schemax.analyze.evidence.Evidence` per
finding.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from schemax.analyze.evidence import CostThresholds, Evidence, TableCost, Verdict
from schemax.analyze.findings import Finding
from schemax.analyze.rules import RULES_BY_CODE
from schemax.core import changes as ch
from schemax.core.lineage import rename_columns
from schemax.core.model import Table
from schemax.core.names import quote_ident

#: How many failing keys (or values) a preflight shows per check.
SAMPLE_ROWS = 3
#: Longest sample value shown (longer ones are cut with an ellipsis).
SAMPLE_CHARS = 40


@dataclass(frozen=True)
class Check:
    """One count folded into a table's query: ``count_if(<condition>) AS <alias>``.

    ``sample`` are the expressions that identify a failing row (its key columns, or the failing value),
    shown as ``sample_label``; empty when samples say nothing (a column about to be dropped)."""

    alias: str
    condition: str
    sample: tuple[str, ...] = ()
    sample_label: str = ""


@dataclass(frozen=True)
class Answer:
    """What the queries returned for one finding's checks (in the order of its checks)."""

    counts: tuple[int | None, ...]
    samples: tuple[tuple[str, ...], ...]
    rows: int | None
    cost: TableCost | None
    query: str
    sampled_percent: float | None = None
    error: str | None = None


Judge = Callable[[Answer], Evidence]


@dataclass(frozen=True)
class FindingProbe:
    """The checks one finding needs (none: only the table's size and rows) and how to judge them."""

    index: int  # the finding's position in the plan's findings
    finding: Finding
    checks: tuple[Check, ...]
    judge: Judge = field(compare=False, repr=False)


@dataclass(frozen=True)
class TableProbe:
    """Every check on one live table: its queries and the findings they answer."""

    table_id: str
    name: str  # the physical, back-quoted name the deploy uses
    findings: tuple[FindingProbe, ...]
    delta: bool = True  # DESCRIBE DETAIL answers for Delta tables only

    @property
    def checks(self) -> tuple[Check, ...]:
        return tuple(c for fp in self.findings for c in fp.checks)

    @property
    def detail_sql(self) -> str | None:
        """``DESCRIBE DETAIL`` (size in bytes, files); None for a table that is not Delta."""
        return f"DESCRIBE DETAIL {self.name}" if self.delta else None

    def count_sql(self, sample_percent: float | None = None) -> str:
        """The one counting query: ``count(*)`` and every check's ``count_if`` (of a sample, if asked)."""
        counts = ["count(*) AS n_rows", *(f"count_if({c.condition}) AS {c.alias}" for c in self.checks)]
        return f"SELECT {', '.join(counts)} FROM {self.name}{_sample(sample_percent)}"

    def check_sql(self, check: Check, sample_percent: float | None = None) -> str:
        """One check alone (when the folded query failed, so one bad check cannot hide the others)."""
        sample = _sample(sample_percent)
        return f"SELECT count_if({check.condition}) AS {check.alias} FROM {self.name}{sample}"

    @property
    def rows_sql(self) -> str:
        """The exact row count (Delta answers it from the log's statistics)."""
        return f"SELECT count(*) AS n_rows FROM {self.name}"

    def sample_sql(self, check: Check, limit: int = SAMPLE_ROWS) -> str | None:
        """At most ``limit`` failing rows' keys (or values); None for a check without samples."""
        if not check.sample or limit <= 0:
            return None
        cols = ", ".join(f"{expr} AS sample_{i}" for i, expr in enumerate(check.sample))
        return f"SELECT {cols} FROM {self.name} WHERE {check.condition} LIMIT {int(limit)}"


def _sample(percent: float | None) -> str:
    return f" TABLESAMPLE ({percent:g} PERCENT)" if percent is not None else ""


# ---------------------------------------------------------------------------------------------------
# wording
# ---------------------------------------------------------------------------------------------------


def _n(n: int, one: str, many: str) -> str:
    """``1 row holds`` / ``12 rows hold``: ``one``/``many`` are the noun and verb for each number."""
    return f"{n:,} {one if n == 1 else many}"


def _counted(answer: Answer, n: int | None, fail: Verdict, one: str, many: str,
             samples: tuple[str, ...] = (), label: str = "") -> Evidence:
    """The common verdict of one count: ``fail`` when rows were found, safe for an exact zero."""
    if n is None:
        return _unknown(answer, answer.error or "the query failed")
    if n == 0 and answer.sampled_percent is not None:
        return _evidence(answer, Verdict.UNKNOWN, f"{_n(0, one, many)} in a {answer.sampled_percent:g}% "
                                                  "sample (a sample cannot prove there are none)", 0)
    if n == 0:
        return _evidence(answer, Verdict.SAFE, _n(0, one, many), 0)
    text = _n(n, one, many) + (f" in a {answer.sampled_percent:g}% sample" if answer.sampled_percent else "")
    return _evidence(answer, fail, text, n, samples, label)


def _evidence(answer: Answer, verdict: Verdict, text: str, count: int | None = None,
              samples: tuple[str, ...] = (), label: str = "") -> Evidence:
    return Evidence(verdict, text, count, samples, label if samples else "", answer.query, answer.cost,
                    answer.sampled_percent)


def _unknown(answer: Answer, why: str) -> Evidence:
    return _evidence(answer, Verdict.UNKNOWN, f"the probe could not tell ({_one_line(why)[:200]})")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _rows(answer: Answer) -> int | None:
    return answer.rows


# ---------------------------------------------------------------------------------------------------
# the probes, one per finding code
# ---------------------------------------------------------------------------------------------------

# A builder gets the finding, the live table (as the plan's ``before`` holds it) and the table as the plan
# leaves it; it returns the finding's checks (aliases are given per table later) and its judge, or None
# when the change needs no probe.
_Spec = tuple[tuple[str, tuple[str, ...], str], ...]  # (condition, sample expressions, sample label)
Builder = Callable[[Finding, Table, Table | None], tuple[_Spec, Callable[[Answer], Evidence]] | None]


def _key(table: Table, probed: Sequence[str] = ()) -> tuple[tuple[str, ...], str]:
    """What identifies a row in samples: the primary key's columns, else the first column not probed."""
    for con in table.constraints:
        if con.kind == "primary_key" and con.columns:
            names = table.column_names(con.columns)
            return tuple(quote_ident(n) for n in names), ", ".join(names)
    low = {p.lower() for p in probed}
    for col in table.columns:
        if col.name.lower() not in low:
            return (quote_ident(col.name),), col.name
    return (), ""


def _live_column(table: Table, column_id: str, fallback: str) -> str:
    """The column's name in the live table (a rename in the same plan has not run yet)."""
    col = table.column(column_id)
    return col.name if col is not None else fallback


def _set_not_null(f: Finding, live: Table, _after: Table | None) -> tuple[_Spec, Judge] | None:
    change = f.change
    if not isinstance(change, ch.ModifyColumn):
        return None
    col = _live_column(live, change.before.id, change.before.name)
    key, label = _key(live, [col])

    def judge(a: Answer) -> Evidence:
        return _counted(a, a.counts[0], Verdict.WILL_FAIL, f"row holds NULL in {col}",
                        f"rows hold NULL in {col}", a.samples[0], label)

    return ((f"{quote_ident(col)} IS NULL", key, label),), judge


def _add_not_null_column(f: Finding, _live: Table, _after: Table | None) -> tuple[_Spec, Judge] | None:
    change = f.change
    if not isinstance(change, ch.AddColumn):
        return None
    default = change.column.default

    def judge(a: Answer) -> Evidence:
        rows = _rows(a)
        if rows is None:
            return _unknown(a, a.error or "the row count failed")
        if rows == 0:
            return _evidence(a, Verdict.SAFE, "the table is empty (0 rows)", 0)
        if default is not None:
            filled = _n(rows, "existing row", "existing rows")
            return _evidence(a, Verdict.SAFE, f"the plan fills the {filled} with the column's DEFAULT "
                                              "before SET NOT NULL", rows)
        return _evidence(a, Verdict.WILL_FAIL, f"the table holds {_n(rows, 'row', 'rows')}, and a NOT NULL "
                                               "column without a DEFAULT leaves them NULL", rows)

    return (), judge


def _add_check(f: Finding, live: Table, after: Table | None) -> tuple[_Spec, Judge] | None:
    change = f.change
    if not isinstance(change, ch.AddConstraint) or change.constraint.kind != "check":
        return None
    con = change.constraint
    expression = con.expression or "true"
    # the expression names columns as the plan leaves them; the live table still has the old names
    renames = {}
    for col in (after or change.table).columns:
        old = live.column(col.id)
        if old is not None and old.name != col.name:
            renames[col.name.lower()] = old.name
    if renames:
        expression = rename_columns(expression, renames) or expression
    key, label = _key(live)
    what = f"CHECK {con.name} ({con.expression})"

    def judge(a: Answer) -> Evidence:
        return _counted(a, a.counts[0], Verdict.WILL_FAIL, f"row violates {what}", f"rows violate {what}",
                        a.samples[0], label)

    # Delta counts a row whose expression is NULL as violating (see the module docstring)
    return ((f"NOT coalesce(({expression}), false)", key, label),), judge


def _rewrite_type(f: Finding, live: Table, _after: Table | None) -> tuple[_Spec, Judge] | None:
    change = f.change
    if not isinstance(change, ch.ModifyColumn):
        return None
    col = _live_column(live, change.before.id, change.before.name)
    c, old, new = quote_ident(col), change.before.type, change.after.type
    fails = f"{c} IS NOT NULL AND TRY_CAST({c} AS {new}) IS NULL"
    specs: list[tuple[str, tuple[str, ...], str]] = [(fails, (c,), "values")]
    # MAP values cannot be compared, so only the values that do not convert at all are counted for them
    comparable = "MAP<" not in old.upper().replace(" ", "") and "MAP<" not in new.upper().replace(" ", "")
    if comparable:
        specs.append((f"{c} IS NOT NULL AND NOT (TRY_CAST(TRY_CAST({c} AS {new}) AS {old}) <=> {c})",
                      (c,), "values"))

    def judge(a: Answer) -> Evidence:
        failing = _counted(a, a.counts[0], Verdict.WILL_FAIL, f"value of {col} does not convert to {new}",
                           f"values of {col} do not convert to {new}", a.samples[0], "values")
        if failing.verdict is not Verdict.SAFE or not comparable:
            return failing
        return _counted(a, a.counts[1], Verdict.LOSES_DATA, f"value of {col} changes when cast to {new}",
                        f"values of {col} change when cast to {new}", a.samples[1], "values")

    return tuple(specs), judge


def _cost_only(what: str) -> Builder:
    """A finding whose outcome the data cannot change: its evidence is the table's size and rows."""

    def build(_f: Finding, _live: Table, _after: Table | None) -> tuple[_Spec, Judge]:
        def judge(a: Answer) -> Evidence:
            if a.error is not None and a.rows is None and a.cost is None:
                return _unknown(a, a.error)
            rows = _rows(a)
            count = f" ({_n(rows, 'row', 'rows')})" if rows is not None else ""
            return _evidence(a, Verdict.SAFE, f"{what}{count}", rows)

        return (), judge

    return build


def _drop_column(f: Finding, live: Table, _after: Table | None) -> tuple[_Spec, Judge] | None:
    change = f.change
    if not isinstance(change, ch.DropColumn):
        return None
    col = _live_column(live, change.column.id, change.column.name)

    def judge(a: Answer) -> Evidence:
        n = a.counts[0]
        if n == 0 and a.sampled_percent is None:
            return _evidence(a, Verdict.SAFE, f"{col} holds no values (0 non-NULL)", 0)
        return _counted(a, n, Verdict.LOSES_DATA, f"non-NULL value of {col} becomes unreadable",
                        f"non-NULL values of {col} become unreadable")

    return ((f"{quote_ident(col)} IS NOT NULL", (), ""),), judge


def _drop_table(f: Finding, _live: Table, _after: Table | None) -> tuple[_Spec, Judge] | None:
    if not isinstance(f.change, ch.DropTable):
        return None

    def judge(a: Answer) -> Evidence:
        rows = _rows(a)
        if rows is None:
            return _unknown(a, a.error or "the row count failed")
        if rows == 0:
            return _evidence(a, Verdict.SAFE, "the table is empty (0 rows)", 0)
        return _evidence(a, Verdict.LOSES_DATA, f"{_n(rows, 'row becomes', 'rows become')} unreadable", rows)

    return (), judge


#: finding code -> the probe that answers it. Findings of other codes do not depend on the data.
PROBES: dict[str, Builder] = {
    "SX101": _drop_column,
    "SX102": _drop_table,
    "SX301": _add_not_null_column,
    "SX302": _set_not_null,
    "SX303": _add_check,
    "SX305": _rewrite_type,
    "SX306": _cost_only("the rewrite copies every row"),
    "SX401": _cost_only("a metadata-only protocol upgrade, no data is rewritten"),
}
_unknown_codes = set(PROBES) - set(RULES_BY_CODE)
if _unknown_codes:  # a probe for a code no rule reports
    raise AssertionError(f"probes for unknown finding codes: {sorted(_unknown_codes)}")


# ---------------------------------------------------------------------------------------------------
# building and judging
# ---------------------------------------------------------------------------------------------------


def probes_for(findings: Sequence[Finding], before: Mapping[str, Table], names: Mapping[str, str],
               after: Mapping[str, Table] | None = None) -> list[TableProbe]:
    """One :class:`TableProbe` per live table that a data-dependent finding is about.

    ``before`` are the tables as the environment holds them (the plan's ``before``), ``after`` as the plan
    leaves them, ``names`` their physical names (the deploy's naming, computed by the caller). A finding
    about a table the environment does not hold yet needs no probe. Tables come out in name order.
    """
    per_table: dict[str, list[tuple[int, Finding, _Spec, Judge]]] = {}
    for index, finding in enumerate(findings):
        builder = PROBES.get(getattr(finding, "code", ""))
        change = getattr(finding, "change", None)
        table_id = change.table_id if change is not None else None
        if builder is None or table_id is None or table_id not in before or table_id not in names:
            continue
        built = builder(finding, before[table_id], (after or {}).get(table_id))
        if built is not None:
            per_table.setdefault(table_id, []).append((index, finding, *built))
    out = []
    for table_id, items in per_table.items():
        n = 0
        probes = []
        for index, finding, specs, judge in items:
            checks = []
            for condition, sample, label in specs:
                checks.append(Check(f"check_{n}", condition, sample, label))
                n += 1
            probes.append(FindingProbe(index, finding, tuple(checks), judge))
        table = before[table_id]
        delta = table.format.upper() == "DELTA"
        out.append(TableProbe(table_id, names[table_id], tuple(probes), delta=delta))
    return sorted(out, key=lambda p: p.name.lower())


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def table_cost(detail: Mapping[str, Any] | None, rows: int | None, thresholds: CostThresholds) -> TableCost:
    """A table's cost from its ``DESCRIBE DETAIL`` row (``sizeInBytes``, ``numFiles``) and row count."""
    size = _int((detail or {}).get("sizeInBytes"))
    files = _int((detail or {}).get("numFiles"))
    return TableCost(thresholds.classify(size), size, files, rows)


def format_sample(row: Mapping[str, Any], width: int) -> str:
    """One sample row as shown: ``3``, ``'abc'``, or ``(1, 'x')`` for a key of several columns."""
    values = [row.get(f"sample_{i}") for i in range(width)]
    shown = [_value(v) for v in values]
    return shown[0] if width == 1 else "(" + ", ".join(shown) + ")"


def _value(value: Any) -> str:
    if value is None:
        text = "NULL"
    elif isinstance(value, str):
        text = "'" + value.replace("'", "\\'") + "'"
    else:
        text = str(value)
    return text if len(text) <= SAMPLE_CHARS else text[: SAMPLE_CHARS - 1] + "…"


def evidence_for(probe: TableProbe, *, counts: Mapping[str, Any] | None, cost: TableCost | None,
                 samples: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
                 rows: int | None = None, query: str = "", sampled_percent: float | None = None,
                 errors: Mapping[str, str] | None = None, error: str | None = None) -> dict[int, Evidence]:
    """Each finding's evidence (by its index in the plan's findings) from one table's answers.

    ``counts`` is the counting query's row (``n_rows`` and one value per check alias; a check missing from
    it failed, its error in ``errors``), ``samples`` the sample rows per alias, ``rows`` the exact row
    count when ``counts`` saw a sample only, ``error`` why the table could not be probed at all.
    """
    counts = counts or {}
    samples = samples or {}
    errors = errors or {}
    total = rows if rows is not None else (_int(counts.get("n_rows")) if sampled_percent is None else None)
    out: dict[int, Evidence] = {}
    for fp in probe.findings:
        check_errors = [errors[c.alias] for c in fp.checks if c.alias in errors]
        answer = Answer(
            counts=tuple(_int(counts.get(c.alias)) for c in fp.checks),
            samples=tuple(tuple(format_sample(r, len(c.sample)) for r in samples.get(c.alias, ()))
                          for c in fp.checks),
            rows=total,
            cost=cost,
            query=query,
            sampled_percent=sampled_percent,
            error=error or (check_errors[0] if check_errors else None),
        )
        out[fp.index] = fp.judge(answer)
    return out


__all__ = [
    "PROBES",
    "SAMPLE_ROWS",
    "Answer",
    "Check",
    "FindingProbe",
    "TableProbe",
    "evidence_for",
    "format_sample",
    "probes_for",
    "table_cost",
]
