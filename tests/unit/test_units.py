"""DynamoDB's size rules and request units (bench/units.py) on items whose sizes are worked out by hand."""

from __future__ import annotations

import pytest

from bench.units import Index, Schema, Units, index_units, item_size, number_size, read_cost, value_size, write_cost

SCHEMA = Schema(
    ("PK", "SK"),
    (
        Index("GSI1", ("GSI1PK", "GSI1SK"), "ALL"),
        Index("GSI6", ("GSI6PK", "GSI6SK"), "INCLUDE", ("board",)),
        Index("GSI8", ("GSI8PK",), "KEYS_ONLY"),
    ),
)


def test_strings_count_their_utf8_bytes_and_names_count_too() -> None:
    # "PK" 2 + "POST#1" 6; "title" 5 + 六个汉字 18 (3 bytes each)
    assert item_size({"PK": {"S": "POST#1"}, "title": {"S": "六个汉字测试"}}) == 8 + 23


def test_numbers_are_one_byte_plus_one_per_two_significant_digits() -> None:
    assert number_size("0") == 1
    assert number_size("7") == 2
    assert number_size("12345") == 4  # 5 digits -> 3 bytes, + 1
    assert number_size("1200") == 2  # trailing zeros trimmed: "12"
    assert number_size("0.0015") == 2  # leading zeros trimmed: "15"
    assert number_size("-12") == 3


def test_lists_and_maps_cost_three_bytes_plus_one_per_element() -> None:
    assert value_size({"BOOL": True}) == value_size({"NULL": True}) == 1
    assert value_size({"L": [{"S": "ab"}, {"N": "1"}]}) == 3 + (1 + 2) + (1 + 2)
    assert value_size({"M": {"id": {"S": "u1"}}}) == 3 + 1 + 2 + 2
    assert value_size({"SS": ["a", "bc"]}) == 3
    assert value_size({"B": b"\x00\x01\x02"}) == 3


def test_a_write_costs_a_unit_a_kilobyte_of_the_larger_image_doubled_in_a_transaction() -> None:
    small = {"PK": {"S": "P"}, "SK": {"S": "S"}}  # 4 bytes
    big = {**small, "body": {"S": "x" * 1500}}  # 4 + 4 + 1500 = 1508 bytes: 2 KB
    assert write_cost(SCHEMA, None, small) == Units(write=1)
    assert write_cost(SCHEMA, big, small) == Units(write=2)  # an update that shrinks pays for the old size
    assert write_cost(SCHEMA, None, big, transactional=True) == Units(write=4)
    assert write_cost(SCHEMA, big, None) == Units(write=2)  # a delete pays for what it deletes
    assert write_cost(SCHEMA, big, big, failed=True) == Units(write=2)


def test_every_index_the_item_is_projected_into_is_written() -> None:
    item = {
        "PK": {"S": "P"},
        "SK": {"S": "S"},
        "GSI1PK": {"S": "F"},
        "GSI1SK": {"S": "1"},
        "GSI6PK": {"S": "U"},
        "GSI6SK": {"S": "1"},
        "board": {"S": "qa"},
    }
    # new in GSI1 (all of it) and in GSI6 (keys, table keys and board); not in GSI8 (no GSI8PK): 2 entries
    assert write_cost(SCHEMA, None, item) == Units(write=1, index_write=2)
    body_changed = {**item, "body": {"S": "new"}}
    assert index_units(SCHEMA, item, body_changed) == 1  # GSI1 projects the body; GSI6 does not
    board_changed = {**item, "board": {"S": "report"}}
    assert index_units(SCHEMA, item, board_changed) == 2  # both project the board
    moved = {**item, "GSI1SK": {"S": "2"}}
    assert index_units(SCHEMA, item, moved) == 2  # GSI1: a delete and a put; GSI6 does not project GSI1SK


def test_an_index_copy_is_written_at_its_projected_size() -> None:
    long = {"PK": {"S": "P"}, "SK": {"S": "S"}, "GSI6PK": {"S": "U"}, "GSI6SK": {"S": "1"}, "body": {"S": "x" * 3000}}
    entry = SCHEMA.indexes[1].entry(long, SCHEMA.keys)
    assert entry is not None and "body" not in entry
    assert write_cost(SCHEMA, None, long) == Units(write=3, index_write=1)  # the table 3 KB, the GSI6 entry 1 KB
    assert write_cost(SCHEMA, long, None) == Units(write=3, index_write=1)  # a delete removes the copy too


def test_reads_round_up_per_query_or_per_item_and_halve_when_eventually_consistent() -> None:
    three_kb = {"PK": {"S": "P"}, "d": {"S": "x" * 3069}}  # 3 + 1 + 3069 = 3073 bytes
    assert read_cost([three_kb]) == Units(read=0.5)
    assert read_cost([three_kb, three_kb]) == Units(read=1.0)  # 6 KB in one Query: two 4 KB blocks
    assert read_cost([three_kb, three_kb], apiece=True) == Units(read=1.0)
    assert read_cost([three_kb], consistent=True) == Units(read=1.0)
    assert read_cost([three_kb], transactional=True) == Units(read=2.0)
    assert read_cost([]) == Units(read=0.5)  # an empty Query still costs the minimum


def test_the_schema_is_the_tables_in_the_stack() -> None:
    schema = Schema.from_template()
    assert schema.keys == ("PK", "SK")
    names = {i.name: i for i in schema.indexes}
    assert "GSI1" in names and names["GSI1"].projection == "ALL"
    assert any(i.projection == "INCLUDE" and i.non_key for i in schema.indexes)


def test_an_unknown_type_is_refused() -> None:
    with pytest.raises(ValueError):
        value_size({"X": "1"})


def test_index_writes_are_told_by_index_partition() -> None:
    from bench.units import index_writes

    item = {"PK": {"S": "P"}, "SK": {"S": "S"}, "GSI1PK": {"S": "FEED#all"}, "GSI1SK": {"S": "1"}}
    assert index_writes(SCHEMA, None, item) == {"GSI1 FEED#all": 1}
    moved = {**item, "GSI1PK": {"S": "FEED#qa"}}
    assert index_writes(SCHEMA, item, moved) == {"GSI1 FEED#all": 1, "GSI1 FEED#qa": 1}  # out of one, into another
