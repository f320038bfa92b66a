"""Declared effects: every statement that cannot simply run twice says what it changes, by name parts.

The effects replace the regexes a resume used to read rendered SQL with: over every golden case (both
directions) the effect each statement declares is exactly what those regexes found in its text, and no
other statement declares one. Effects survive the statement record's JSON.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from schemax.core import effects as fx
from schemax.core.environment import StatementRecord
from schemax.core.hashing import canonical_json
from schemax.core.names import split_qualified

CASES_DIR = Path(__file__).resolve().parents[1] / "cases"
sys.path.insert(0, str(CASES_DIR))

import make_cases  # noqa: E402

NAMES = sorted(p.name for p in CASES_DIR.iterdir() if (p / "before.json").is_file())

# the patterns services/resume.py matched rendered SQL with before statements declared their effects
_IDENT = r"`(?:[^`]|``)*`"
_NAME = rf"{_IDENT}(?:\.{_IDENT})*"
_ADD_COLUMNS = re.compile(rf"ALTER TABLE (?P<table>{_NAME}) ADD COLUMNS \((?P<column>{_IDENT})", re.S)
_RENAME_COLUMN = re.compile(
    rf"ALTER TABLE (?P<table>{_NAME}) RENAME COLUMN (?P<old>{_IDENT}) TO (?P<new>{_IDENT})$")
_RENAME = re.compile(
    rf"ALTER (?P<kind>TABLE|VIEW|SCHEMA|CATALOG|VOLUME) (?P<old>{_NAME}) RENAME TO (?P<new>{_NAME})$")
_ADD_CHECK = re.compile(rf"ALTER TABLE (?P<table>{_NAME}) ADD CONSTRAINT (?P<name>{_IDENT}) CHECK ")
_ADD_KEY = re.compile(rf"ALTER TABLE (?P<table>{_IDENT}\.{_IDENT}\.{_IDENT}) "
                      rf"ADD CONSTRAINT (?P<name>{_IDENT}) (?:PRIMARY|FOREIGN) KEY ")
_REWRITE_COPY = re.compile(rf"INSERT INTO (?P<shadow>{_NAME}) \(")


def _parts(name: str) -> tuple[str, ...]:
    return tuple(split_qualified(name))


def _from_text(sql: str) -> tuple[str, tuple[object, ...]] | None:
    """What the old regexes read from ``sql``: (effect kind, the names they captured)."""
    if m := _ADD_COLUMNS.match(sql):
        return "adds_columns", (_parts(m["table"]), _parts(m["column"])[0])
    if m := _RENAME_COLUMN.match(sql):
        return "renames_column", (_parts(m["table"]), _parts(m["old"])[0], _parts(m["new"])[0])
    if m := _RENAME.match(sql):
        old, new = _parts(m["old"]), _parts(m["new"])
        if len(new) == 1 and len(old) > 1:
            new = (*old[:-1], new[0])
        return "renames_object", (m["kind"], old, new)
    if m := _ADD_CHECK.match(sql):
        return "adds_check", (_parts(m["table"]), _parts(m["name"])[0])
    if m := _ADD_KEY.match(sql):
        return "adds_key", (_parts(m["table"]), _parts(m["name"])[0])
    if (m := _REWRITE_COPY.match(sql)) and "__sx_new_" in _parts(m["shadow"])[-1]:
        return "copies_rows", (_parts(m["shadow"]),)
    return None


def _declared(effect: fx.Effect | None) -> tuple[str, tuple[object, ...]] | None:
    if effect is None:
        return None
    if isinstance(effect, fx.AddsColumns):
        return effect.kind, (effect.table, effect.columns[0])
    if isinstance(effect, fx.RenamesColumn):
        return effect.kind, (effect.table, effect.old, effect.new)
    if isinstance(effect, fx.RenamesObject):
        return effect.kind, (effect.keyword, effect.old, effect.new)
    if isinstance(effect, (fx.AddsCheck, fx.AddsKey)):
        return effect.kind, (effect.table, effect.name)
    return effect.kind, (effect.shadow,)


@pytest.mark.parametrize("name", NAMES)
def test_every_non_idempotent_statement_declares_what_its_text_says(name: str) -> None:
    before, after, conf = make_cases.load(CASES_DIR / name)
    for x, y in ((before, after), (after, before)):
        for st in make_cases.plan_for(x, y, conf).statements:
            assert _declared(st.effect) == _from_text(st.sql), st.sql


def test_folded_add_columns_declare_every_column_and_keys_of_both_kinds() -> None:
    before, after, conf = make_cases.load(CASES_DIR / "add_columns_trailing_folded")
    (added,) = [s for s in make_cases.plan_for(before, after, conf).statements if " ADD COLUMNS " in s.sql]
    assert isinstance(added.effect, fx.AddsColumns) and len(added.effect.columns) > 1
    assert all(f"`{c}`" in added.sql for c in added.effect.columns)
    kinds = set()
    for name in NAMES:
        before, after, conf = make_cases.load(CASES_DIR / name)
        for st in make_cases.plan_for(before, after, conf).statements:
            if isinstance(st.effect, fx.AddsKey):
                kinds.add("PRIMARY KEY" if " PRIMARY KEY " in st.sql else "FOREIGN KEY")
    assert kinds == {"PRIMARY KEY", "FOREIGN KEY"}


@pytest.mark.parametrize("effect", [
    fx.AddsColumns(("c", "s", "t"), ("a", "b")),
    fx.RenamesColumn(("we`ird", "s", "t"), "a", "b"),
    fx.RenamesObject("CATALOG", ("old",), ("new",)),
    fx.AddsCheck(("c", "s", "t"), "positive"),
    fx.AddsKey(("c", "s", "t"), "t_pk"),
    fx.CopiesRows(("c", "s", "t__sx_new_1")),
    None,
])
def test_an_effect_survives_the_statement_records_json(effect: fx.Effect | None) -> None:
    rec = StatementRecord("d1", 1, "ALTER TABLE …", effect=effect)
    row = json.loads(canonical_json(rec.to_row()))
    assert StatementRecord.from_row(row) == rec


def test_records_without_an_effect_or_with_an_unknown_one_have_none() -> None:
    old = {"deployment_id": "d1", "seq": 1, "sql": "ALTER TABLE x ADD COLUMNS (`a` INT)"}
    assert StatementRecord.from_row(old).effect is None
    assert StatementRecord.from_row({**old, "effect": {"kind": "drops_universe"}}).effect is None
    assert StatementRecord.from_row({**old, "effect": {"kind": "adds_check", "table": ["t"]}}).effect is None
    assert set(fx.EFFECT_TYPES) == {t.kind for t in fx.EFFECT_TYPES.values()}
