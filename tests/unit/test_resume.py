"""Resume after a crash: which non-idempotent statements already took effect; group-committed statuses."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from schemax.adapters.catalog_probe import SqlCatalogProbe
from schemax.adapters.memory import MemoryStore
from schemax.core import effects as fx
from schemax.core.environment import DeploymentRecord, StatementRecord
from schemax.errors import SqlError
from schemax.services.resume import already_applied
from schemax.services.statuses import StatusWriter

T = "`c`.`s`.`orders`"


class FakeCatalog:
    """Answers DESCRIBE / SHOW TBLPROPERTIES the way Spark does, from a dict of tables."""

    def __init__(self, tables: dict[str, list[str]], checks: dict[str, list[str]] | None = None,
                 rows: dict[str, int] | None = None) -> None:
        self.tables = tables
        self.checks = checks or {}
        self.rows = rows or {}
        self.queries: list[str] = []

    def query(self, sql: str, params: Any = None) -> list[dict[str, Any]]:
        self.queries.append(sql)
        if sql.startswith("SELECT 1 AS one FROM "):
            name = sql[len("SELECT 1 AS one FROM "):-len(" LIMIT 1")]
            return [{"one": 1}] if self.rows.get(name) else []
        kind, _, name = sql.partition(" ")[2].partition(" ")
        if sql.startswith("SHOW TBLPROPERTIES"):
            name = sql[len("SHOW TBLPROPERTIES "):]
            if name not in self.tables:
                raise SqlError(sql, "TABLE_OR_VIEW_NOT_FOUND", "error")
            return [{"key": f"delta.constraints.{c}", "value": "x > 0"} for c in self.checks.get(name, [])]
        if name not in self.tables:
            raise SqlError(sql, "TABLE_OR_VIEW_NOT_FOUND", "error")
        rows = [{"col_name": c, "data_type": "int"} for c in self.tables[name]]
        return [*rows, {"col_name": "# Partition Information", "data_type": ""},
                {"col_name": "part", "data_type": ""}]

    def execute(self, sql: str, params: Any = None) -> None:  # pragma: no cover - never called here
        raise AssertionError(sql)


ORDERS = ("c", "s", "orders")


@pytest.mark.parametrize(("effect", "tables", "applied"), [
    # ALTER TABLE `c`.`s`.`orders` ADD COLUMNS (`extra` INT COMMENT 'a, b', `more` DECIMAL(10,2))
    (fx.AddsColumns(ORDERS, ("extra", "more")), {T: ["id", "extra", "more"]}, True),
    (fx.AddsColumns(ORDERS, ("extra", "more")), {T: ["id"]}, False),
    (fx.AddsColumns(ORDERS, ("Extra",)), {T: ["id", "extra"]}, True),  # names are case-insensitive
    # ALTER TABLE `c`.`s`.`orders` RENAME COLUMN `v` TO `value`
    (fx.RenamesColumn(ORDERS, "v", "value"), {T: ["id", "value"]}, True),
    (fx.RenamesColumn(ORDERS, "v", "value"), {T: ["id", "v"]}, False),
    (fx.RenamesColumn(ORDERS, "v", "value"), {T: ["id", "v", "value"]}, False),  # ambiguous: run it
    # ALTER TABLE `c`.`s`.`orders` RENAME TO `orders2` (a bare new name: the effect names it in full)
    (fx.RenamesObject("TABLE", ORDERS, ("c", "s", "orders2")), {"`c`.`s`.`orders2`": ["id"]}, True),
    (fx.RenamesObject("TABLE", ORDERS, ("c", "s", "orders2")), {T: ["id"]}, False),
    # ALTER TABLE `c`.`s`.`orders` RENAME TO `c`.`s2`.`orders`
    (fx.RenamesObject("TABLE", ORDERS, ("c", "s2", "orders")), {"`c`.`s2`.`orders`": ["id"]}, True),
    # ALTER TABLE `we``ird`.`s`.`t` RENAME COLUMN `a``b` TO `c`
    (fx.RenamesColumn(("we`ird", "s", "t"), "a`b", "c"), {"`we``ird`.`s`.`t`": ["c"]}, True),
    # ALTER TABLE `c`.`s`.`orders` ADD CONSTRAINT `positive` CHECK (id > 0)
    (fx.AddsCheck(ORDERS, "positive"), {T: ["id"]}, False),
    (None, {T: ["id"]}, False),  # SET TBLPROPERTIES, CREATE TABLE IF NOT EXISTS: idempotent, run again
])
def test_already_applied_asks_the_catalog_only_for_declared_effects(
        effect: fx.Effect | None, tables: dict[str, list[str]], applied: bool) -> None:
    fake = FakeCatalog(tables)
    assert already_applied(effect, SqlCatalogProbe(fake)) is applied
    assert bool(fake.queries) is (effect is not None)


def test_check_constraint_found_in_delta_properties() -> None:
    fake = FakeCatalog({T: ["id"]}, checks={T: ["positive"]})
    assert already_applied(fx.AddsCheck(ORDERS, "Positive"), SqlCatalogProbe(fake))


@pytest.mark.parametrize(("rows", "applied"), [(2, True), (0, False)])
def test_a_rewrite_copy_ran_when_its_shadow_table_has_rows(rows: int, applied: bool) -> None:
    shadow = "`c`.`s`.`orders__sx_new_1a2b3c4d`"
    fake = FakeCatalog({shadow: ["id"]}, rows={shadow: rows})
    effect = fx.CopiesRows(("c", "s", "orders__sx_new_1a2b3c4d"))
    assert already_applied(effect, SqlCatalogProbe(fake)) is applied


def test_an_insert_into_anything_but_a_rewrite_shadow_is_never_skipped() -> None:
    fake = FakeCatalog({T: ["id"]}, rows={T: 5})
    assert not already_applied(None, SqlCatalogProbe(fake))  # a plain INSERT declares no effect
    assert fake.queries == []  # not even asked


class CountingStore(MemoryStore):
    """A memory store whose status writes are slow, so statuses queue up behind one write."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[int] = []
        self.gate = threading.Event()

    def update_statements(self, project: str, updates: Any) -> None:
        self.gate.wait(5)
        self.batches.append(len(updates))
        super().update_statements(project, updates)


def _deployment(store: MemoryStore, n: int) -> list[StatementRecord]:
    rec = DeploymentRecord("d1", "p", "dev", "in_progress", "deploy", "2026-01-01", "me", statement_count=n)
    sts = [StatementRecord("d1", i, f"SELECT {i}") for i in range(1, n + 1)]
    store.begin_deployment(rec, sts)
    return sts


def test_status_writer_groups_statuses_that_finish_during_a_write() -> None:
    store = CountingStore()
    sts = _deployment(store, 6)
    writer = StatusWriter(store, "p")
    for st in sts:
        writer.put(StatementRecord(st.deployment_id, st.seq, st.sql, status="applied"))
    store.gate.set()
    writer.close()
    assert sum(store.batches) == 6 and len(store.batches) < 6
    assert [s.status for s in store.read_statements("p", "d1")] == ["applied"] * 6


def test_status_writer_hands_a_failed_write_to_the_deploying_thread() -> None:
    class Broken(MemoryStore):
        def update_statements(self, project: str, updates: Any) -> None:
            raise OSError("store is gone")

    writer = StatusWriter(Broken(), "p")
    writer.put(StatementRecord("d1", 1, "SELECT 1", status="applied"))
    with pytest.raises(OSError, match="store is gone"):
        writer.close()


class KeyConstraints:
    """Answers the information_schema question the way Unity Catalog does, and keeps the SQL it was sent."""

    def __init__(self, present: bool) -> None:
        self.present = present
        self.sql: list[str] = []

    def query(self, sql: str, params: Any = None) -> list[dict[str, Any]]:
        self.sql.append(sql)
        return [{"one": 1}] if self.present else []


@pytest.mark.parametrize("present", [True, False])
def test_key_constraints_are_looked_up_in_information_schema(present: bool) -> None:
    fake = KeyConstraints(present)
    # ALTER TABLE `c`.`s`.`ord'ers` ADD CONSTRAINT `orders_pk` PRIMARY KEY (`id`) / FOREIGN KEY ...
    assert already_applied(fx.AddsKey(("c", "s", "ord'ers"), "orders_pk"), SqlCatalogProbe(fake)) is present
    (asked,) = fake.sql
    assert asked.startswith("SELECT 1 AS one FROM `c`.`information_schema`.`table_constraints`")
    assert "lower('ord\\'ers')" in asked and "lower('orders_pk')" in asked  # values quoted as literals


def test_status_writer_commits_at_most_once_per_interval_and_everything_at_close() -> None:
    class Recording(MemoryStore):
        def __init__(self) -> None:
            super().__init__()
            self.batches: list[int] = []
            self.wrote = threading.Event()

        def update_statements(self, project: str, updates: Any) -> None:
            self.batches.append(len(updates))
            super().update_statements(project, updates)
            self.wrote.set()

    store = Recording()
    sts = _deployment(store, 5)
    writer = StatusWriter(store, "p", interval=3600)  # a deployment shorter than the interval
    for st in sts:
        writer.put(StatementRecord(st.deployment_id, st.seq, st.sql, status="applied"))
    assert store.batches == []  # nothing is due before the interval
    writer.close()
    assert store.batches == [5] and writer.commits == 1  # one statement for every status
    eager = Recording()
    sts = _deployment(eager, 2)
    writer = StatusWriter(eager, "p", interval=0)  # no interval: a status is written as soon as it is queued
    writer.put(StatementRecord("d1", 1, "SELECT 1", status="applied"))
    assert eager.wrote.wait(10)
    writer.close()
    assert eager.batches == [1]
