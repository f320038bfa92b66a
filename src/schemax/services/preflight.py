"""Preflight: before the first statement runs, ask the environment's live tables whether their data lets
the plan succeed.

For every data-dependent finding of a plan (SET NOT NULL, a NOT NULL column, ADD CHECK, a type change
that rewrites the table, a partitioning change, a column-mapping upgrade, DROP COLUMN, DROP TABLE) the
planner-level :mod:`schemax.plan.probes` builds one read-only probe per table; this service runs them
through the :class:`~schemax.ports.SqlExecutor` and attaches what they found to the findings as
:class:`~schemax.analyze.evidence.Evidence` ("will fail: 12 rows hold NULL in email (e.g. id 3, 7, 9)").

Per table: ``DESCRIBE DETAIL`` (Delta tables: bytes and files, hence the cost class), ONE counting query
with every check folded in, and for a check that found rows one ``LIMIT``-ed query for a few samples.
Tables are probed concurrently in a bounded pool; the whole preflight waits at most ``timeout`` seconds
(a table still running then is reported ``unknown``; an executor with a statement timeout of its own,
the SQL warehouse's, bounds every query as well). A probe that fails (a table missing, a non-Delta table,
an expression the engine rejects) makes its evidence ``unknown``, never the preflight fail: only a proof
refuses a deploy.

:func:`preflight_check` is the deploy step: the :class:`~schemax.services.deploy.Deployer` calls it after
its other checks and before anything is recorded; it runs in environments whose ``preflight`` setting
says so (by default: production) and raises :class:`~schemax.errors.PreflightFailedError` when a statement
will fail.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from schemax.analyze.evidence import CostThresholds, Evidence, TableCost
from schemax.core.environment import Environment
from schemax.core.model import State
from schemax.display import preflight_html
from schemax.errors import PreflightFailedError
from schemax.plan import Plan
from schemax.plan.probes import SAMPLE_ROWS, TableProbe, evidence_for, probes_for, table_cost
from schemax.ports import SqlExecutor

log = logging.getLogger("schemax.preflight")

#: How long a preflight waits for all its tables (seconds).
DEFAULT_TIMEOUT_SECONDS = 300.0
#: How many tables are probed at once.
DEFAULT_WORKERS = 4
#: The sample a large table's counts see when sampling is asked for (``sample_above_bytes``).
DEFAULT_SAMPLE_PERCENT = 10.0


@dataclass(frozen=True)
class TableReport:
    """What probing one table took: its size and cost class, the queries, the time, an error if any."""

    table: str
    cost: TableCost | None
    queries: tuple[str, ...]
    seconds: float
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"table": self.table, "cost": self.cost.to_dict() if self.cost else None,
                "queries": list(self.queries), "seconds": round(self.seconds, 3), "error": self.error}


@dataclass(frozen=True)
class Preflight:
    """The outcome of a preflight: the plan with evidence on its data-dependent findings, per table."""

    environment: str
    plan: Plan
    tables: tuple[TableReport, ...]
    seconds: float
    thresholds: CostThresholds = CostThresholds()

    @property
    def findings(self) -> list[Any]:
        """The findings a probe answered, each with its ``evidence``."""
        return self.plan.evidence

    @property
    def failing(self) -> list[Any]:
        """The findings whose evidence proves a statement will fail."""
        return [f for f in self.findings if f.evidence.will_fail]

    @property
    def ok(self) -> bool:
        """True when nothing was proved to fail (``unknown`` evidence does not count as a failure)."""
        return not self.failing

    @property
    def queries(self) -> int:
        return sum(len(t.queries) for t in self.tables)

    def lines(self) -> list[str]:
        """The result for people: one line per answered finding, then one per table."""
        head = (f"preflight {self.environment}: {len(self.findings)} finding(s) checked on "
                f"{len(self.tables)} table(s) with {self.queries} query(ies) in {self.seconds:.1f}s; "
                + (f"{len(self.failing)} will fail" if self.failing else "nothing will fail"))
        out = [head]
        for f in self.findings:
            out.append(f"  {f.code} {f.object_name}: {f.evidence.summary}")
        for t in self.tables:
            cost = t.cost.describe() if t.cost else "unknown"
            out.append(f"  table {t.table}: {cost}" + (f" (error: {t.error})" if t.error else ""))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "environment": self.environment,
            "ok": self.ok,
            "will_fail": len(self.failing),
            "seconds": round(self.seconds, 3),
            "thresholds": {"small_below_bytes": self.thresholds.small_below_bytes,
                           "large_from_bytes": self.thresholds.large_from_bytes},
            "findings": [f.to_dict() for f in self.findings],
            "tables": [t.to_dict() for t in self.tables],
        }

    def __repr__(self) -> str:
        return (f"Preflight({self.environment!r}, {len(self.findings)} checked, "
                f"{len(self.failing)} will fail, {len(self.tables)} table(s))")

    def _repr_html_(self) -> str:
        return preflight_html(self)


def table_names(state: State, env: Environment) -> dict[str, str]:
    """The physical name of every table of ``state`` in ``env``: the deploy's own naming."""
    return {tid: env.naming.name(state, tid) for tid in state.tables}


def run_preflight(plan: Plan, env: Environment, executor: SqlExecutor, *,
                  thresholds: CostThresholds | None = None, timeout: float | None = DEFAULT_TIMEOUT_SECONDS,
                  max_workers: int = DEFAULT_WORKERS, sample_rows: int = SAMPLE_ROWS,
                  sample_above_bytes: int | None = None,
                  sample_percent: float = DEFAULT_SAMPLE_PERCENT) -> Preflight:
    """Probe ``env``'s live tables for ``plan``'s data-dependent findings (see the module docstring).

    ``thresholds`` set the cost classes; ``sample_above_bytes``: count a ``sample_percent`` sample of
    tables larger than that instead of every row (a zero then proves nothing); ``sample_rows`` samples
    per failing check.
    """
    thresholds = thresholds or CostThresholds()
    started = time.monotonic()
    probes = probes_for(plan.findings, plan.before.tables, table_names(plan.before, env), plan.after.tables)
    evidence: dict[int, Evidence] = {}
    reports: list[TableReport] = []
    if probes:
        pool = ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(probes))),
                                  thread_name_prefix="schemax-preflight")
        try:
            futures: dict[Future[tuple[dict[int, Evidence], TableReport]], TableProbe] = {
                pool.submit(_probe_table, executor, p, thresholds, sample_rows, sample_above_bytes,
                            sample_percent): p
                for p in probes
            }
            done, pending = wait(futures, timeout=timeout)
            for future, probe in futures.items():
                if future in done:
                    found, report = future.result()
                else:
                    why = f"timed out after {timeout:g}s"
                    found = evidence_for(probe, counts=None, cost=None, error=why)
                    report = TableReport(probe.name, None, (), time.monotonic() - started, why)
                evidence.update(found)
                reports.append(report)
        finally:
            # a table still running is left to finish in the background: the preflight does not wait
            pool.shutdown(wait=False, cancel_futures=True)
    result = Preflight(env.name, plan.with_evidence(evidence), tuple(reports), time.monotonic() - started,
                       thresholds)
    log.info("%s", result.lines()[0])
    return result


def _query(executor: SqlExecutor, sql: str, queries: list[str]) -> list[dict[str, Any]]:
    queries.append(sql)
    return executor.query(sql)


def _probe_table(executor: SqlExecutor, probe: TableProbe, thresholds: CostThresholds, sample_rows: int,
                 sample_above_bytes: int | None,
                 sample_percent: float) -> tuple[dict[int, Evidence], TableReport]:
    """One table: DESCRIBE DETAIL, the folded count (each check alone if that fails), samples."""
    started = time.monotonic()
    queries: list[str] = []
    errors: list[str] = []
    detail: Mapping[str, Any] | None = None
    if probe.detail_sql is not None:
        try:
            found = _query(executor, probe.detail_sql, queries)
            detail = found[0] if found else None
        except Exception as exc:  # noqa: BLE001 - any engine error: the size is unknown, the counts may work
            errors.append(_message(exc))
    size = _int((detail or {}).get("sizeInBytes"))
    sampled = (sample_percent if sample_above_bytes is not None and size is not None
               and size > sample_above_bytes and probe.checks else None)
    count_sql = probe.count_sql(sampled)
    counts: dict[str, Any] = {}
    check_errors: dict[str, str] = {}
    try:
        counts = dict(_query(executor, count_sql, queries)[0])
    except Exception as exc:  # noqa: BLE001 - one bad check must not hide the others: each alone
        errors.append(_message(exc))
        for check in probe.checks:
            if len(probe.checks) == 1:
                check_errors[check.alias] = errors[-1]
                continue
            try:
                counts.update(_query(executor, probe.check_sql(check, sampled), queries)[0])
            except Exception as check_exc:  # noqa: BLE001
                check_errors[check.alias] = _message(check_exc)
    rows = _int(counts.get("n_rows")) if sampled is None else None
    if rows is None and probe.checks and (sampled is not None or counts or check_errors):
        try:  # the exact row count: a sample's is not the table's, and a failed fold had none
            rows = _int(_query(executor, probe.rows_sql, queries)[0].get("n_rows"))
        except Exception as exc:  # noqa: BLE001
            errors.append(_message(exc))
    cost = table_cost(detail, rows, thresholds) if detail is not None or rows is not None else None
    samples: dict[str, list[dict[str, Any]]] = {}
    for check in probe.checks:
        sql = probe.sample_sql(check, sample_rows)
        if not _int(counts.get(check.alias)) or sql is None:
            continue
        try:
            samples[check.alias] = _query(executor, sql, queries)
        except Exception as exc:  # noqa: BLE001 - samples are a courtesy: the count stands without them
            log.info("samples of %s failed: %s", probe.name, _message(exc))
    # the table could not be read at all: every finding on it is unknown, for the first reason
    unreadable = errors[0] if errors and rows is None and not counts else None
    evidence = evidence_for(probe, counts=counts, cost=cost, samples=samples, rows=rows, query=count_sql,
                            sampled_percent=sampled, errors=check_errors, error=unreadable)
    problem = unreadable or next(iter(check_errors.values()), None)
    return evidence, TableReport(probe.name, cost, tuple(queries), time.monotonic() - started, problem)


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _message(exc: BaseException) -> str:
    return " ".join(str(getattr(exc, "cause", None) or exc).split())[:500]


def preflight_check(executor: SqlExecutor, forced: bool | None = None,
                    **options: Any) -> Callable[[Environment, Plan], Preflight | None]:
    """The deploy step: run a preflight where ``forced`` (True/False) or the environment's setting says
    so (:attr:`~schemax.core.environment.Environment.preflight_on_deploy`), and refuse with
    :class:`~schemax.errors.PreflightFailedError` when a statement will fail. ``options`` as for
    :func:`run_preflight`."""

    def check(env: Environment, plan: Plan) -> Preflight | None:
        wanted = forced if forced is not None else env.preflight_on_deploy
        if not wanted:
            return None
        result = run_preflight(plan, env, executor, **options)
        for f in result.findings:
            log.info("preflight %s %s: %s", f.code, f.object_name, f.evidence.summary)
        if result.failing:
            raise PreflightFailedError(env.name, result.failing)
        return result

    return check


__all__ = [
    "DEFAULT_SAMPLE_PERCENT",
    "DEFAULT_TIMEOUT_SECONDS",
    "DEFAULT_WORKERS",
    "Preflight",
    "TableReport",
    "preflight_check",
    "run_preflight",
    "table_names",
]
