"""Deployment, lock and drift-scan records of the Delta store (mixed into :class:`DeltaStore`).

Each record keeps a few key columns for filtering plus its full content as canonical JSON in
``record``, so the record types can grow without a table migration. Writes are one statement (one
Delta commit) per call; the lock is a MERGE whose conflict a concurrent taker loses.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from schemax.core.environment import DeploymentRecord, DriftScanRecord, LockRecord, StatementRecord
from schemax.core.hashing import canonical_json
from schemax.core.names import sql_string
from schemax.errors import SqlError, StoreConflictError

# table -> columns; ``record`` holds the whole record as JSON.
RECORD_TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "deployments": (("project", "STRING"), ("deployment_id", "STRING"), ("environment", "STRING"),
                    ("started_at", "STRING"), ("status", "STRING"), ("to_version", "STRING"),
                    ("record", "STRING"), ("updated_at", "TIMESTAMP")),
    "deployment_statements": (("project", "STRING"), ("deployment_id", "STRING"), ("seq", "BIGINT"),
                              ("status", "STRING"), ("sql", "STRING"), ("record", "STRING"),
                              ("updated_at", "TIMESTAMP")),
    "drift_scans": (("project", "STRING"), ("scan_id", "STRING"), ("environment", "STRING"), ("ts", "STRING"),
                    ("status", "STRING"), ("record", "STRING"), ("recorded_at", "TIMESTAMP")),
    "locks": (("project", "STRING"), ("environment", "STRING"), ("holder", "STRING"), ("acquired", "STRING"),
              ("expires", "STRING"), ("updated_at", "TIMESTAMP")),
}


#: The row of ``deployment_statements`` that holds a deployment's own record from its begin until its
#: ``deployments`` row is written: ``seq`` 0, status "deployment", and the deployment's id with this suffix,
#: so that a reader asking for the statements of a deployment by its id (an older schemax too) never
#: meets it
HEADER_SEQ = 0
HEADER_STATUS = "deployment"
HEADER_SUFFIX = "#deployment"


def _affected(result: Sequence[dict[str, Any]]) -> int | None:
    """``num_affected_rows`` of a MERGE's metrics row (None when the engine returns none)."""
    for row in result:
        for key in ("num_affected_rows", "numAffectedRows"):
            if row.get(key) is not None:
                return int(row[key])
    return None


def _s(value: Any) -> str:
    return "NULL" if value is None else sql_string(str(value))


def _source(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]]) -> str:
    """All rows as ONE JSON string literal unpacked by ``inline(from_json(...))`` (one value to escape)."""
    names = [c for c, _ in columns if c not in ("updated_at", "recorded_at")]
    schema = "array<struct<" + ", ".join(f"`{c}`: {t}" for c, t in columns if c in names) + ">>"
    payload = json.dumps([{c: r.get(c) for c in names} for r in rows], ensure_ascii=False)
    return f"SELECT inline(from_json({sql_string(payload)}, {sql_string(schema)}))"


class DeltaRecordsMixin:
    """Deployments, statements, locks and drift scans on top of DeltaStore's ``executor``/``table``."""

    executor: Any

    def table(self, name: str) -> str:  # pragma: no cover - provided by DeltaStore
        raise NotImplementedError

    def _insert(self, table: str, rows: Sequence[dict[str, Any]]) -> None:
        columns = RECORD_TABLES[table]
        names = [c for c, _ in columns if c not in ("updated_at", "recorded_at")]
        stamp = [c for c, _ in columns if c in ("updated_at", "recorded_at")]
        cols = ", ".join(f"`{c}`" for c in names + stamp)
        vals = ", ".join([f"`{c}`" for c in names] + ["current_timestamp()"] * len(stamp))
        self.executor.execute(f"INSERT INTO {self.table(table)} ({cols}) SELECT {vals} FROM "
                              f"({_source(rows, columns)})")

    def _upsert(self, table: str, rows: Sequence[dict[str, Any]], keys: Sequence[str], *,
                insert: bool = True) -> None:
        columns = RECORD_TABLES[table]
        names = [c for c, _ in columns if c not in ("updated_at", "recorded_at")]
        on = " AND ".join(f"t.`{k}` = s.`{k}`" for k in keys)
        sets = ", ".join(f"`{c}` = s.`{c}`" for c in names if c not in keys)
        sql = (f"MERGE INTO {self.table(table)} t USING ({_source(rows, columns)}) s ON {on} "
               f"WHEN MATCHED THEN UPDATE SET {sets}, `updated_at` = current_timestamp()")
        if insert:
            cols = ", ".join(f"`{c}`" for c in [*names, "updated_at"])
            vals = ", ".join([f"s.`{c}`" for c in names] + ["current_timestamp()"])
            sql += f" WHEN NOT MATCHED THEN INSERT ({cols}) VALUES ({vals})"
        self.executor.execute(sql)

    # -- deployments -------------------------------------------------------------------------------
    @staticmethod
    def _deployment_row(rec: DeploymentRecord, *, seal: bool = True) -> dict[str, Any]:
        """A ``deployments`` row: the record sealed (``seal=False``: as it is, an import's)."""
        return {"project": rec.project, "deployment_id": rec.deployment_id, "environment": rec.environment,
                "started_at": rec.started_at, "status": rec.status, "to_version": rec.to_version,
                "record": canonical_json((rec.sealed() if seal else rec).to_row())}

    @staticmethod
    def _statement_row(project: str, st: StatementRecord) -> dict[str, Any]:
        return {"project": project, "deployment_id": st.deployment_id, "seq": st.seq, "status": st.status,
                "sql": st.sql, "record": canonical_json(st.to_row())}

    def begin_deployment(self, record: DeploymentRecord, statements: Sequence[StatementRecord]) -> None:
        # ONE statement, one Delta commit: the deployment's own record travels as row ``seq = 0`` of
        # ``deployment_statements`` with every statement, so the record and its statements exist together
        # or not at all. Its ``deployments`` row is written by the first update (the finish, or an
        # interruption found later); until then readers take the header (:meth:`read_deployments`).
        if record.status != "in_progress":  # a finished record (an import's baseline): its own row
            if statements:
                self._insert("deployment_statements",
                             [self._statement_row(record.project, s) for s in statements])
            self._insert("deployments", [self._deployment_row(record)])
            return
        header = {"project": record.project, "deployment_id": record.deployment_id + HEADER_SUFFIX,
                  "seq": HEADER_SEQ,
                  "status": HEADER_STATUS, "sql": None, "record": canonical_json(record.sealed().to_row())}
        self._insert("deployment_statements",
                     [header, *(self._statement_row(record.project, s) for s in statements)])

    def update_statements(self, project: str, updates: Sequence[StatementRecord]) -> None:
        if updates:
            rows = [self._statement_row(project, s) for s in updates]
            self._retrying(lambda: self._upsert("deployment_statements", rows,
                                                ("project", "deployment_id", "seq"), insert=False))

    def update_deployment(self, record: DeploymentRecord) -> None:
        row = self._deployment_row(record)
        self._retrying(lambda: self._upsert("deployments", [row], ("project", "deployment_id")))

    @staticmethod
    def _retrying(write: Any, attempts: int = 5) -> None:
        # Status rows of one deployment are written from several threads; Delta may report their
        # MERGEs as conflicting although they touch different rows: retry, they commute. A keyed MERGE
        # whose response was lost (SqlError kind "unknown", a SQL warehouse) sets the same values when
        # it runs again: retried too.
        for attempt in range(attempts):
            try:
                write()
                return
            except SqlError as exc:
                if exc.kind != "unknown" or attempt == attempts - 1:
                    raise
            except StoreConflictError:
                if attempt == attempts - 1:
                    raise

    def _deployment_branches(self, project: str, environment: str | None) -> list[str]:
        """The UNION ALL branches that read deployments: the ``deployments`` rows, and the headers of
        deployments that have none yet (begun, not finished: a left anti join, so no record is read
        twice). Headers are filtered by environment after parsing (their table has no such column)."""
        where = f"`project` = {_s(project)}" + (
            f" AND `environment` = {_s(environment)}" if environment else "")
        dep, st = self.table("deployments"), self.table("deployment_statements")
        return [
            f"SELECT 'deployment' AS `kind`, to_json(struct(`record`)) AS `row` FROM {dep} WHERE {where}",
            f"SELECT 'header' AS `kind`, to_json(struct(h.`record`)) AS `row` FROM {st} h "
            f"LEFT ANTI JOIN {dep} d ON d.`project` = h.`project` "
            f"AND concat(d.`deployment_id`, {_s(HEADER_SUFFIX)}) = h.`deployment_id` "
            f"WHERE h.`project` = {_s(project)} AND h.`seq` = {HEADER_SEQ}",
        ]

    @staticmethod
    def _deployment_records(rows: Sequence[dict[str, Any]],
                            environment: str | None) -> list[DeploymentRecord]:
        """Rows of :meth:`_deployment_branches` as records, newest first (started_at, then id)."""
        records = [DeploymentRecord.from_row(json.loads(r["record"])) for r in rows if r.get("record")]
        if environment:
            records = [r for r in records if r.environment == environment]
        return sorted(records, key=lambda r: (r.started_at, r.deployment_id), reverse=True)

    def read_deployments(self, project: str, environment: str | None = None) -> list[DeploymentRecord]:
        rows = self.executor.query(" UNION ALL ".join(self._deployment_branches(project, environment)))
        return self._deployment_records(
            [{"kind": r["kind"], "record": json.loads(r["row"]).get("record")} for r in rows], environment)

    def read_statements(self, project: str, deployment_id: str) -> list[StatementRecord]:
        rows = self.executor.query(
            f"SELECT `record` FROM {self.table('deployment_statements')} WHERE `project` = {_s(project)} "
            f"AND `deployment_id` = {_s(deployment_id)} AND `seq` > {HEADER_SEQ} ORDER BY `seq`")
        return [StatementRecord.from_row(json.loads(r["record"])) for r in rows]

    def read_all_statements(self, project: str) -> list[StatementRecord]:
        rows = self.executor.query(
            f"SELECT `record` FROM {self.table('deployment_statements')} WHERE `project` = {_s(project)} "
            f"AND `seq` > {HEADER_SEQ} ORDER BY `deployment_id`, `seq`")
        return [StatementRecord.from_row(json.loads(r["record"])) for r in rows]

    # -- locks -------------------------------------------------------------------------------------
    def acquire_lock(self, lock: LockRecord, now: str) -> LockRecord | None:
        columns = RECORD_TABLES["locks"]
        row = {"project": lock.project, "environment": lock.environment, "holder": lock.holder,
               "acquired": lock.acquired, "expires": lock.expires}
        names = [c for c, _ in columns if c != "updated_at"]
        cols = ", ".join(f"`{c}`" for c in [*names, "updated_at"])
        vals = ", ".join([f"s.`{c}`" for c in names] + ["current_timestamp()"])
        sql = (f"MERGE INTO {self.table('locks')} t USING ({_source([row], columns)}) s "
               f"ON t.`project` = s.`project` AND t.`environment` = s.`environment` "
               f"WHEN MATCHED AND (t.`expires` <= {_s(now)} OR t.`holder` = s.`holder`) THEN UPDATE SET "
               f"`holder` = s.`holder`, `acquired` = s.`acquired`, `expires` = s.`expires`, "
               f"`updated_at` = current_timestamp() "
               f"WHEN NOT MATCHED THEN INSERT ({cols}) VALUES ({vals})")
        try:
            taken = _affected(self.executor.query(sql))
        except StoreConflictError:
            taken = None  # a concurrent taker committed first; whoever holds it now is read below
        if taken:  # the MERGE wrote our row (Delta's metrics say so): no need to read it back
            return None
        held = self.read_lock(lock.project, lock.environment)
        if held is not None and held.holder == lock.holder:
            return None
        return held or LockRecord(lock.project, lock.environment, "unknown (concurrent taker)", now, now)

    def release_lock(self, project: str, environment: str, holder: str) -> None:
        for attempt in range(5):
            try:
                self.executor.execute(
                    f"DELETE FROM {self.table('locks')} WHERE `project` = {_s(project)} AND "
                    f"`environment` = {_s(environment)} AND `holder` = {_s(holder)}")
                return
            except StoreConflictError:
                if attempt == 4:
                    raise

    def read_lock(self, project: str, environment: str) -> LockRecord | None:
        rows = self.executor.query(
            f"SELECT `project`, `environment`, `holder`, `acquired`, `expires` FROM {self.table('locks')} "
            f"WHERE `project` = {_s(project)} AND `environment` = {_s(environment)}")
        if not rows:
            return None
        r = rows[0]
        return LockRecord(r["project"], r["environment"], r["holder"], r["acquired"], r["expires"])

    # -- drift scans -------------------------------------------------------------------------------
    @staticmethod
    def _scan_row(scan: DriftScanRecord) -> dict[str, Any]:
        return {"project": scan.project, "scan_id": scan.scan_id, "environment": scan.environment,
                "ts": scan.ts, "status": scan.status, "record": canonical_json(asdict(scan))}

    def append_drift_scan(self, scan: DriftScanRecord) -> None:
        self._insert("drift_scans", [self._scan_row(scan)])

    def read_drift_scans(self, project: str, environment: str | None = None) -> list[DriftScanRecord]:
        where = f"`project` = {_s(project)}" + (
            f" AND `environment` = {_s(environment)}" if environment else "")
        rows = self.executor.query(f"SELECT `record` FROM {self.table('drift_scans')} WHERE {where} "
                                   "ORDER BY `ts` DESC, `scan_id` DESC")
        return [DriftScanRecord(**json.loads(r["record"])) for r in rows]

    # -- history as a whole (an import) --------------------------------------------------------------
    def add_history(self, project: str, deployments: Sequence[DeploymentRecord],
                    statements: Sequence[StatementRecord], drift_scans: Sequence[DriftScanRecord]) -> None:
        """Insert the records whose keys are free (:meth:`schemax.ports.Store.add_history`): one insert-only
        ``MERGE`` per table that has records to write, keyed per row (``ON t.key = s.key ... WHEN NOT
        MATCHED THEN INSERT``), so a row already there is skipped, never duplicated, and running the same
        batch again (after a cut) writes only what is missing. Statements go first, drift scans next,
        deployments last: a reader meets a deployment only once its statements are there."""
        other = next((o for o in sorted({d.project for d in deployments} | {s.project for s in drift_scans})
                      if o != project), None)
        if other is not None:
            raise ValueError(f"history of project {other!r} given to add_history({project!r}, ...)")
        batches = [
            ("deployment_statements", [self._statement_row(project, s) for s in statements],
             ("deployment_id", "seq")),
            ("drift_scans", [self._scan_row(s) for s in drift_scans], ("scan_id",)),
            ("deployments", [self._deployment_row(d, seal=False) for d in deployments], ("deployment_id",)),
        ]
        for table, rows, keys in batches:
            if rows:
                self._retrying(lambda t=table, r=rows, k=keys: self._insert_missing(t, project, r, k))

    def _insert_missing(self, table: str, project: str, rows: Sequence[dict[str, Any]],
                        keys: Sequence[str]) -> None:
        """One insert-only MERGE of ``rows`` into ``table``: rows whose ``project`` + ``keys`` are taken
        are left out (an insert-only MERGE is allowed on the append-only ``drift_scans``)."""
        columns = RECORD_TABLES[table]
        names = [c for c, _ in columns if c not in ("updated_at", "recorded_at")]
        stamp = [c for c, _ in columns if c in ("updated_at", "recorded_at")]
        on = " AND ".join([f"t.`project` = {_s(project)}", *(f"t.`{k}` = s.`{k}`" for k in keys)])
        cols = ", ".join(f"`{c}`" for c in names + stamp)
        vals = ", ".join([f"s.`{c}`" for c in names] + ["current_timestamp()"] * len(stamp))
        self.executor.execute(f"MERGE INTO {self.table(table)} t USING ({_source(rows, columns)}) s ON {on} "
                              f"WHEN NOT MATCHED THEN INSERT ({cols}) VALUES ({vals})")


__all__ = ["HEADER_SEQ", "RECORD_TABLES", "DeltaRecordsMixin"]
