"""The Spark + Delta reader's pure parts: metastore text, DESCRIBE rows, Delta log listings and checksums."""

from __future__ import annotations

import json

import pytest

from schemax.adapters.catalog_spark import (
    TableRecord,
    delta_log_versions,
    glob_escape,
    glob_for,
    location_key,
    parse_bracket_properties,
    parse_describe,
    parse_information,
    parse_tree_nullability,
    protocol_properties,
    record_from_checksum,
    split_location,
)

VIEW_TEXT = (
    "Catalog: spark_catalog\nDatabase: s\nTable: v1\nOwner: root\n"
    "Created Time: Tue Nov 24 05:31:31 UTC 2026\n"
    "Last Access: UNKNOWN\nCreated By: Spark 4.2.0\nType: VIEW\nComment: multi\nline: with colon\n"
    "View Text: SELECT id\nFROM s.pq\nView Original Text: SELECT id\nFROM s.pq\n"
    "View Schema Mode: COMPENSATION\n"
    "View Catalog and Namespace: spark_catalog.default\nView Query Output Columns: [`id`]\n"
    "Table Properties: [transient_lastDdlTime=1795498291]\nSerde Library: x\nSchema: root\n"
    " |-- id: integer (nullable = true)\n |-- s: struct (nullable = false)\n"
    " |    |-- a: integer (nullable = true)\n\n"
)


def test_information_text_keys_and_multiline_values() -> None:
    info = parse_information(VIEW_TEXT)
    assert info["Type"] == "VIEW"
    assert info["Comment"] == "multi\nline: with colon"
    assert info["View Text"] == "SELECT id\nFROM s.pq"
    assert info["Table Properties"] == "[transient_lastDdlTime=1795498291]"
    assert parse_tree_nullability(info["Schema"]) == [True, False]


def test_a_key_looking_line_inside_a_value_does_not_start_an_earlier_key() -> None:
    info = parse_information("Table: t\nType: MANAGED\nComment: a\nType: not a key here\nLocation: file:/x\n")
    assert info["Comment"] == "a\nType: not a key here" and info["Location"] == "file:/x"


@pytest.mark.parametrize(
    ("text", "props", "trusted"),
    [
        (None, {}, True),
        ("[]", {}, True),
        ("[transient_lastDdlTime=1]", {"transient_lastDdlTime": "1"}, True),
        ("[k=a=b]", {"k": "a=b"}, True),
        ("[k=x]y]", {"k": "x]y"}, True),
        # ambiguous: one property 'a' = '1, b=2' prints exactly like two properties
        ("[a=1, b=2, c=3]", {"a": "1", "b": "2", "c": "3"}, False),
        ("[a.b=x, y=z], k=v]", {"a.b": "x", "y": "z]", "k": "v"}, False),
        ("[a=x, no equals]", {"a": "x, no equals"}, False),
        ("garbage", {}, False),
    ],
)
def test_bracket_properties_are_only_trusted_when_unambiguous(
    text: str | None, props: dict[str, str], trusted: bool
) -> None:
    assert parse_bracket_properties(text) == (props, trusted)


def test_describe_rows() -> None:
    rows = [
        {"col_name": "id", "data_type": "bigint", "comment": "the id"},
        {"col_name": "amt", "data_type": "decimal(10,2)", "comment": None},
        {"col_name": "d", "data_type": "date", "comment": None},
        {"col_name": "# Partition Information", "data_type": "", "comment": ""},
        {"col_name": "# col_name", "data_type": "data_type", "comment": "comment"},
        {"col_name": "d", "data_type": "date", "comment": None},
        {"col_name": "", "data_type": "", "comment": ""},
        {"col_name": "# Detailed Table Information", "data_type": "", "comment": ""},
        {"col_name": "Comment", "data_type": "new comment", "comment": ""},
        {"col_name": "Type", "data_type": "MANAGED", "comment": ""},
        {"col_name": "Table Properties", "data_type": "[a=1]", "comment": ""},
        {"col_name": "", "data_type": "", "comment": ""},
        {"col_name": "# Column Default Values", "data_type": "", "comment": ""},
        {"col_name": "amt", "data_type": "decimal(10,2)", "comment": "1.5"},
    ]
    d = parse_describe(rows)
    assert d.columns == [("id", "bigint", "the id"), ("amt", "decimal(10,2)", None), ("d", "date", None)]
    assert d.partition_columns == ["d"]
    assert d.defaults == {"amt": "1.5"}
    assert d.details["Comment"] == "new comment" and d.details["Type"] == "MANAGED"


def test_locations_and_globs() -> None:
    assert split_location("file:/tmp/w/s.db/t") == ("file:", "/tmp/w/s.db/t")
    assert split_location("file:///tmp/w/a%20b/") == ("file:", "/tmp/w/a b")
    assert split_location("s3://bucket/p/t") == ("s3://bucket", "/p/t")
    assert location_key("file:///tmp/x/") == location_key("file:/tmp/x") == "file:/tmp/x"
    assert glob_escape("a{b}[c]*?,\\d") == "a\\{b\\}\\[c\\]\\*\\?\\,\\\\d"
    assert glob_for("file:", ["/w/s.db/t1"], "_delta_log/*") == "file:/w/s.db/t1/_delta_log/*"
    assert glob_for("file:", ["/w/s.db/t1", "/w/s.db/t,2", "/w/o.db/x"], "_delta_log/*") == (
        "file:/w/{s.db/t1/_delta_log/*,s.db/t\\,2/_delta_log/*,o.db/x/_delta_log/*}"
    )
    assert glob_for("s3://b", ["/a", "/b"], ["_delta_log/1.crc", "_delta_log/2.crc"]) == (
        "s3://b/{a/_delta_log/1.crc,b/_delta_log/2.crc}"
    )


def test_delta_log_versions_find_latest_commit_and_checksums() -> None:
    paths = [
        "file:/w/t1/_delta_log/00000000000000000000.json",
        "file:/w/t1/_delta_log/00000000000000000000.crc",
        "file:/w/t1/_delta_log/00000000000000000001.json",
        "file:/w/t1/_delta_log/00000000000000000001.crc",
        "file:/w/t1/_delta_log/00000000000000000010.checkpoint.parquet",
        "file:/w/t1/_delta_log/_staged_commits/00000000000000000002.uuid.json",
        "file:/w/a%20b/_delta_log/00000000000000000003.json",
    ]
    v = delta_log_versions(paths)
    assert v["file:/w/t1"] == (1, {0, 1})
    assert v["file:/w/a b"] == (3, set())


def _crc(**over: object) -> dict[str, object]:
    schema = {
        "type": "struct",
        "fields": [
            {
                "name": "id",
                "type": "long",
                "nullable": False,
                "metadata": {
                    "comment": "the id",
                    "delta.columnMapping.physicalName": "col-1",
                    "delta.columnMapping.id": 1,
                },
            },
            {
                "name": "v",
                "type": "string",
                "nullable": True,
                "metadata": {"CURRENT_DEFAULT": "'x'", "delta.columnMapping.physicalName": "col-2"},
            },
        ],
    }
    crc: dict[str, object] = {
        "metadata": {
            "description": "t comment",
            "schemaString": json.dumps(schema),
            "partitionColumns": ["v"],
            "configuration": {"k": "v", "delta.constraints.pos": "id > 0"},
        },
        "protocol": {
            "minReaderVersion": 3,
            "minWriterVersion": 7,
            "readerFeatures": ["columnMapping"],
            "writerFeatures": ["columnMapping", "clustering", "domainMetadata"],
        },
        "domainMetadata": [
            {
                "domain": "delta.clustering",
                "removed": False,
                "configuration": json.dumps({"clusteringColumns": [["col-2"]]}),
            }
        ],
    }
    crc.update(over)
    return crc


def test_checksum_gives_the_whole_table() -> None:
    rec = TableRecord("c", "s", "t")
    assert record_from_checksum(rec, _crc()) is None
    assert [(c.name, c.type, c.nullable, c.comment, c.default) for c in rec.columns] == [
        ("id", "BIGINT", False, "the id", None),
        ("v", "string", True, None, "'x'"),
    ]
    assert rec.comment == "t comment" and rec.partition_by == ["v"] and rec.cluster_by == ["v"]
    assert rec.properties == {
        "k": "v",
        "delta.constraints.pos": "id > 0",
        "delta.minReaderVersion": "3",
        "delta.minWriterVersion": "7",
        "delta.feature.clustering": "supported",
        "delta.feature.columnMapping": "supported",
        "delta.feature.domainMetadata": "supported",
        "clusteringColumns": '[["v"]]',
    }


@pytest.mark.parametrize(
    ("over", "reason"),
    [
        ({"metadata": None}, "without metadata"),
        ({"domainMetadata": None}, "no domain metadata"),
        (
            {
                "protocol": {
                    "minReaderVersion": 3,
                    "minWriterVersion": 7,
                    "readerFeatures": ["catalogManaged"],
                    "writerFeatures": ["catalogManaged"],
                }
            },
            "catalog-managed",
        ),
    ],
)
def test_checksums_that_cannot_be_trusted_send_the_table_to_a_per_table_read(
    over: dict[str, object], reason: str
) -> None:
    crc = _crc(**over)
    if over.get("domainMetadata", 1) is None:
        del crc["domainMetadata"]
    assert reason in (record_from_checksum(TableRecord("c", "s", "t"), crc) or "")


def test_protocol_properties_mirror_show_tblproperties() -> None:
    assert protocol_properties({"minReaderVersion": 1, "minWriterVersion": 2}) == {
        "delta.minReaderVersion": "1",
        "delta.minWriterVersion": "2",
    }
    assert protocol_properties(
        {"minReaderVersion": 3, "minWriterVersion": 7, "readerFeatures": ["b"], "writerFeatures": ["a", "b"]}
    ) == {
        "delta.minReaderVersion": "3",
        "delta.minWriterVersion": "7",
        "delta.feature.a": "supported",
        "delta.feature.b": "supported",
    }
