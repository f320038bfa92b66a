"""Hostile text end to end on Delta (issue 16 item 4): generated column names, column and table comments
and table property values holding quotes, backslashes, newlines, unicode, ``--``, ``;``, ``${…}`` and
``/* */`` are deployed through schemax's renderer to local Spark + Delta and read back from the catalog
byte for byte, then through schemax's own drift reader (no drift).

Quick form: 2,000 texts (4 tables × 250 columns, each a hostile name and comment, + 500 property values
+ the table comments); ``SCHEMAX_RELIABILITY=thorough`` multiplies the tables by 4.
"""

from __future__ import annotations

import os
import random
import uuid
from typing import Any

import pytest

import schemax
from strategies import ESCAPE_LOOKALIKES, NON_ASCII, SQL_BREAKERS

pytestmark = pytest.mark.integration

FRAGMENTS = (*SQL_BREAKERS, *ESCAPE_LOOKALIKES, *NON_ASCII, "*/", "${x}", "${spark.app.name}", "$", "{",
             "}", "`", "``", "\u2028", "%", "_", " ", "=", "(", ")", ",")
# what a column name may not hold (validate_column_name): control characters, and ``${`` (Spark's variable
# substitution rewrites it even inside back-quotes); the rest is allowed with Delta column mapping (the
# tables below turn it on)
NAME_FRAGMENTS = tuple(f for f in FRAGMENTS
                       if not any(ch < " " or ch == "\x7f" for ch in f) and "${" not in f)
TABLES = 16 if os.environ.get("SCHEMAX_RELIABILITY") == "thorough" else 4
COLUMNS = 250
PROPERTIES = 125  # per table


def _text(rng: random.Random, fragments: tuple[str, ...], *, plain: str = "abcXYZ09 ") -> str:
    parts = [rng.choice(fragments) if rng.random() < 0.6 else "".join(rng.choices(plain, k=rng.randint(1, 4)))
             for _ in range(rng.randint(1, 8))]
    return "".join(parts)


def _unique(rng: random.Random, taken: set[str], make: Any) -> str:
    while True:
        value = make()
        if value.lower() not in taken and value.strip() == value and value and "${" not in value:
            taken.add(value.lower())
            return value


def test_thousands_of_hostile_texts_deploy_and_read_back_byte_for_byte(spark: Any) -> None:
    rng = random.Random(16)
    prefix = f"sxh_{uuid.uuid4().hex[:6]}_"
    design: dict[str, dict[str, Any]] = {}
    for t in range(TABLES):
        taken: set[str] = set()
        columns = [(_unique(rng, taken, lambda: _text(rng, NAME_FRAGMENTS)), _text(rng, FRAGMENTS))
                   for _ in range(COLUMNS)]
        properties = {f"hostile.p{i}": _text(rng, FRAGMENTS) for i in range(PROPERTIES)}
        design[f"t{t}"] = {"columns": columns, "properties": properties, "comment": _text(rng, FRAGMENTS)}
    texts = sum(2 * len(d["columns"]) + len(d["properties"]) + 1 for d in design.values())
    assert texts >= 2000

    p = schemax.Project.create(spark, "hostile", store=f"spark_catalog.{prefix}store", author="tester")
    try:
        p.create_catalog("lab")
        p.create_schema("lab.s")
        with p.batch():
            for name, d in design.items():
                columns = [schemax.Column(c, "STRING", comment=cm) for c, cm in d["columns"]]
                p.create_table(f"lab.s.{name}", columns, comment=d["comment"])
                p.set_table_properties(f"lab.s.{name}", {
                    "delta.columnMapping.mode": "name", "delta.minReaderVersion": "2",
                    "delta.minWriterVersion": "5", **d["properties"]})
        p.add_environment("dev", {"lab": "spark_catalog"}, schema_prefix=f"{prefix}dev_")
        dep = p.deploy("dev", "working", allow_breaking=True)
        assert dep.record.status == "success"

        mismatches = []
        for name, d in design.items():
            physical = f"spark_catalog.`{prefix}dev_s`.`{name}`"
            fields = spark.table(physical).schema.fields
            got_columns = [(f.name, f.metadata.get("comment")) for f in fields]
            mismatches += [(name, want, got) for want, got in zip(d["columns"], got_columns, strict=True)
                           if want != got]
            props = {r["key"]: r["value"] for r in spark.sql(f"SHOW TBLPROPERTIES {physical}").collect()}
            mismatches += [(name, k, v, props.get(k)) for k, v in d["properties"].items()
                           if props.get(k) != v]
            detail = spark.sql(f"DESCRIBE TABLE EXTENDED {physical}").collect()
            comment = next((r["data_type"] for r in detail if r["col_name"] == "Comment"), None)
            if comment != d["comment"]:
                mismatches.append((name, "comment", d["comment"], comment))
        print(f"hostile text on Delta: {texts} texts deployed and read back, {len(mismatches)} mismatches")
        assert mismatches == []

        report = p.check_drift("dev")  # schemax's own reader parses the same texts back
        assert report.findings == (), report.summary()
    finally:
        for row in spark.sql("SHOW SCHEMAS").collect():
            if row[0].startswith(prefix):
                spark.sql(f"DROP SCHEMA IF EXISTS `{row[0]}` CASCADE")
