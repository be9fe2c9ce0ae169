"""docs/bench.json's entries (bench/figures.py) from recorded calls: units, bytes and where the writes went."""

from __future__ import annotations

from bench.counting import Call, Calls
from bench.figures import bench_json, key, many
from bench.units import Units


def call(operation: str, partition: str | None, units: Units, **more: object) -> Call:
    return Call("dynamodb", operation, None, partition, 0, 100, 90, 200, units, **more)  # type: ignore[arg-type]


def test_an_operation_carries_its_calls_units_and_bytes() -> None:
    calls = Calls(
        [
            call("Query", None, Units(read=1.5), item_bytes=9000),
            call("UpdateItem", "STATS", Units(write=1), index_partitions={}),
            call("TransactWriteItems", None, Units(write=4, index_write=3), index_partitions={"GSI1 FEED": 3}),
            Call("sqs", "SendMessage", None, None, 0, 10, 10, 200),
        ],
        bytes_returned=4321,
    )
    data = bench_json(1000, {"create post": calls}, {"create post": "POST /posts"}, {}, {})
    entry = data["operations"]["create_post"]
    assert entry["calls"] == 3 and entry["sqs"] == 1
    assert (entry["read_units"], entry["write_units"], entry["index_write_units"]) == (1.5, 8.0, 3.0)
    assert (entry["bytes_read"], entry["bytes_returned"]) == (9000, 4321)
    assert entry["partition_writes"] == {
        "STATS": {"calls": 1, "write_units": 1.0},
        "GSI1 FEED": {"calls": 1, "write_units": 3.0},
    }
    assert data["table_posts"] == 1000


def test_partitions_named_by_a_user_or_post_are_many_keys() -> None:
    assert many("GSI3 AUTHOR#u_93997592b48517ea") == "GSI3 AUTHOR#*"
    assert many("GSI1 FEED") == "GSI1 FEED"
    assert many("GSI6 WORK#kun-branch#open") == "GSI6 WORK#kun-branch#open"
    assert key("official_reply message") == "official_reply_message" and key("sign-in code") == "sign_in_code"
