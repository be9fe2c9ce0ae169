"""Snapshots of the local table: a dump and a restore give back exactly the same items, and with the journal
every write since the last snapshot comes back once after a kill."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from local.journal import Entry, Gate, Journal
from local.provision import provision
from local.serial import SerialMotoServer
from local.snapshot import Snapshotter, dump, restore, scan, serialize, write_atomically

ITEMS: list[dict[str, Any]] = [
    {
        "PK": {"S": "POST#p1"},
        "SK": {"S": "META"},
        "title": {"S": "捡到求救纸条 请求解救"},
        "count": {"N": "42"},
        "ratio": {"N": "0.125"},
        "big": {"N": "12345678901234567890123456789"},
        "tags": {"SS": ["昆都仑区", "传销"]},
        "scores": {"NS": ["1", "2.5"]},
        "author": {"M": {"nickname": {"S": "Balox"}, "verified": {"BOOL": True}, "deleted": {"NULL": True}}},
        "history": {"L": [{"S": "received"}, {"N": "3"}, {"M": {"unit": {"S": "昆区分局"}}}]},
        "blob": {"B": b"\x00\xffbinary"},
        "blobs": {"BS": [b"\x01", b"\x02\x03"]},
    },
    {"PK": {"S": "UNIT#command-center"}, "SK": {"S": "META"}, "name": {"S": "包头市公安局指挥中心"}},
    {"PK": {"S": "OTP#139"}, "SK": {"S": "CODE"}, "expires_at": {"N": "1000"}},
]


@pytest.fixture
def tables(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, str, str]]:
    """Two empty tables provisioned from the template in an in-process moto."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        first = provision("p24-snap-a")["TableName"]
        second = provision("p24-snap-b")["TableName"]
        yield boto3.client("dynamodb"), first, second


def _put(client: Any, table: str) -> None:
    for item in ITEMS:
        client.put_item(TableName=table, Item=item)


def _normalised(items: list[dict[str, Any]]) -> list[str]:
    """Compare sets regardless of order (DynamoDB does not keep set order)."""

    def fix(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: sorted(fix(v)) if k in ("SS", "NS", "BS") else fix(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fix(v) for v in value]
        return value.hex() if isinstance(value, bytes) else value

    return sorted(json.dumps(fix(item), sort_keys=True, ensure_ascii=False) for item in items)


def test_dump_and_restore_keep_every_type_exactly(tables: tuple[Any, str, str], tmp_path: Path) -> None:
    client, first, second = tables
    _put(client, first)
    path = tmp_path / "table.json"
    assert dump(client, first, path) == 3
    assert restore(client, second, path, now=0) == 3
    assert _normalised(scan(client, second)) == _normalised(ITEMS)


def test_restore_leaves_out_items_ttl_would_have_expired(tables: tuple[Any, str, str], tmp_path: Path) -> None:
    client, first, second = tables
    _put(client, first)
    path = tmp_path / "table.json"
    dump(client, first, path)
    assert restore(client, second, path, now=2000) == 2
    assert {item["PK"]["S"] for item in scan(client, second)} == {"POST#p1", "UNIT#command-center"}


def test_snapshot_file_is_utf8_json_and_written_only_on_change(tables: tuple[Any, str, str], tmp_path: Path) -> None:
    client, first, _ = tables
    path = tmp_path / "data" / "table.json"
    snapshotter = Snapshotter(client, first, path)
    assert snapshotter.restore() == 0
    assert snapshotter.dump_if_changed() is False
    _put(client, first)
    assert snapshotter.dump_if_changed() is True
    assert snapshotter.dump_if_changed() is False
    text = path.read_text(encoding="utf-8")
    assert "包头市公安局指挥中心" in text
    assert len(json.loads(text)["items"]) == 3
    assert [p.name for p in path.parent.iterdir()] == ["table.json"]


def test_restoring_without_a_snapshot_does_nothing(tables: tuple[Any, str, str], tmp_path: Path) -> None:
    client, first, _ = tables
    assert restore(client, first, tmp_path / "missing.json") == 0
    assert scan(client, first) == []


class Journalled:
    """The local stack's store on a serial moto server: snapshot, journal, and a kill -9 and start over."""

    def __init__(self, server: SerialMotoServer, folder: Path) -> None:
        self.server, self.folder = server, folder
        endpoint = "http://{}:{}".format(*server.get_host_and_port())
        self.client = boto3.client(
            "dynamodb",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        self.table = f"journal-{uuid.uuid4().hex[:8]}"
        self.snapshotter = self.start()

    def start(self) -> Snapshotter:
        """What the devstack does: a fresh table, the snapshot and the journal after it, then journal writes."""
        self.client.create_table(
            TableName=self.table,
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "PK", "AttributeType": "S"},
                {"AttributeName": "SK", "AttributeType": "S"},
            ],
        )
        journal = Journal(self.folder / "journal.log")
        snapshotter = Snapshotter(self.client, self.table, self.folder / "table.json", journal)
        snapshotter.restore(self.server.replay)
        self.server.keep_journal(journal)
        return snapshotter

    def kill_and_start(self) -> Snapshotter:
        """The process dies (moto's memory and all, nothing saved) and the stack starts again."""
        assert self.snapshotter.journal is not None
        self.snapshotter.journal.close()
        assert self.server.serial is not None
        self.server.serial.journal = None
        self.client.delete_table(TableName=self.table)
        self.snapshotter = self.start()
        return self.snapshotter

    def count(self, by: int = 1) -> None:
        self.client.update_item(
            TableName=self.table,
            Key={"PK": {"S": "STATS"}, "SK": {"S": "posts"}},
            UpdateExpression="ADD n :by",
            ExpressionAttributeValues={":by": {"N": str(by)}},
        )

    def counted(self) -> str:
        item = self.client.get_item(TableName=self.table, Key={"PK": {"S": "STATS"}, "SK": {"S": "posts"}})
        return str(item.get("Item", {}).get("n", {}).get("N", "none"))

    def journal_bytes(self) -> bytes:
        return (self.folder / "journal.log").read_bytes()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Journalled]:
    server = SerialMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        yield Journalled(server, tmp_path)
    finally:
        server.stop()


def test_writes_since_the_last_snapshot_come_back_after_a_kill(store: Journalled) -> None:
    for _ in range(3):
        store.count()
    store.snapshotter.dump_if_changed()
    assert store.journal_bytes() == b""  # the snapshot holds them all
    for _ in range(4):
        store.count()

    store.kill_and_start()

    assert store.counted() == "7"
    assert store.snapshotter.replayed == (4, 0)


def test_a_crash_between_the_snapshot_and_emptying_the_journal_applies_no_write_twice(
    store: Journalled, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(5):
        store.count()
    journal = store.snapshotter.journal
    assert journal is not None
    with monkeypatch.context() as patch:
        patch.setattr(journal, "compacted", lambda upto: None)  # the crash comes right after the snapshot
        assert store.snapshotter.dump_if_changed() is True
    assert json.loads((store.folder / "table.json").read_text())["journal_seq"] == 5
    assert store.journal_bytes().count(b"\n") == 5  # still there
    store.count()
    store.count()

    snapshotter = store.kill_and_start()

    assert store.counted() == "7"  # 5 from the snapshot, 2 replayed; the 5 it already held skipped
    assert snapshotter.replayed == (2, 0)
    snapshotter.dump_if_changed()
    assert json.loads((store.folder / "table.json").read_text())["journal_seq"] == 7
    assert store.journal_bytes() == b""


def test_a_torn_last_entry_is_left_out_and_cut_off_before_the_next_write(store: Journalled) -> None:
    for _ in range(3):
        store.count()
    with (store.folder / "journal.log").open("ab") as out:
        out.write(b'{"seq":4,"method":"POST","path":"/","qu')  # the crash came in the middle of this write

    store.kill_and_start()

    assert store.counted() == "3" and store.snapshotter.replayed == (3, 0)
    assert json.loads((store.folder / "table.json").read_text())["journal_seq"] == 3  # saved at start
    assert store.journal_bytes() == b""
    store.count()
    assert Entry.parse(store.journal_bytes().rstrip(b"\n")).seq == 4
    store.kill_and_start()
    assert store.counted() == "4"


def test_a_torn_tail_is_cut_off_when_the_journal_is_opened(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.log")
    journal.recover(0)
    for _ in range(2):
        journal.append("POST", "/", "", [("X-Amz-Target", "DynamoDB_20120810.PutItem")], '{"a": "昆"}'.encode())
    journal.close()
    whole = (tmp_path / "journal.log").read_bytes()
    (tmp_path / "journal.log").write_bytes(whole + b'{"seq":3,"meth')

    again = Journal(tmp_path / "journal.log")
    assert [entry.seq for entry in again.recover(0)] == [1, 2]
    assert (tmp_path / "journal.log").read_bytes() == whole
    assert again.append("POST", "/", "", [], b"{}") == 3
    again.close()
    assert [entry.seq for entry in Journal(tmp_path / "journal.log").recover(0)] == [1, 2, 3]


def test_a_replayed_write_whose_condition_fails_is_skipped_and_the_start_goes_on(store: Journalled) -> None:
    item = {"PK": {"S": "POST#p1"}, "SK": {"S": "META"}, "title": {"S": "first"}}
    store.client.put_item(TableName=store.table, Item=item, ConditionExpression="attribute_not_exists(PK)")
    expired = {"PK": {"S": "OTP#139"}, "SK": {"S": "CODE"}, "expires_at": {"N": "1000"}}
    # A snapshot that already holds the post but not the journal's number for it: the replay finds it there.
    write_atomically(store.folder / "table.json", serialize([item, expired], journal_seq=0))

    snapshotter = store.kill_and_start()

    assert snapshotter.replayed == (0, 1)
    assert _normalised(scan(store.client, store.table)) == _normalised([item])  # TTL'd item gone after replay
    store.count()
    assert store.counted() == "1"


def test_a_journal_that_does_not_follow_the_snapshot_is_set_aside_not_half_replayed(store: Journalled) -> None:
    store.count()
    store.snapshotter.dump_if_changed()
    store.count()
    (store.folder / "table.json").unlink()  # a developer starting over

    store.kill_and_start()

    assert store.counted() == "none"
    assert [p.name.startswith("journal.log.orphaned-") for p in store.folder.iterdir()].count(True) == 1
    store.count()
    assert Entry.parse(store.journal_bytes().rstrip(b"\n")).seq == 1


def test_a_write_made_after_an_expired_item_was_dropped_at_start_comes_back_after_a_kill(store: Journalled) -> None:
    code = {"PK": {"S": "OTP#13900000001"}, "SK": {"S": "CODE"}, "expires_at": {"N": "1000"}, "hash": {"S": "old"}}
    write_atomically(store.folder / "table.json", serialize([code], journal_seq=0))
    store.kill_and_start()  # the expired code is left out
    fresh = dict(code, expires_at={"N": "99999999999"}, hash={"S": "new"})
    store.client.put_item(TableName=store.table, Item=fresh, ConditionExpression="attribute_not_exists(PK)")

    snapshotter = store.kill_and_start()

    assert snapshotter.replayed == (1, 0)  # against the table it was made on, without the expired code
    assert scan(store.client, store.table) == [fresh]


def test_writes_pass_the_gate_together_and_a_snapshot_waits_for_them_and_holds_them_off() -> None:
    gate = Gate()
    events: list[str] = []
    first_in, release = threading.Event(), threading.Event()

    def write(name: str) -> None:
        with gate.write():
            events.append(f"{name} in")
            first_in.set()
            release.wait(5)
            events.append(f"{name} out")

    def snapshot() -> None:
        with gate.closed():
            events.append("snapshot")
            time.sleep(0.1)
            events.append("snapshot done")

    writers = [threading.Thread(target=write, args=(n,)) for n in ("a", "b")]
    for thread in writers:
        thread.start()
    first_in.wait(5)
    time.sleep(0.05)
    assert sorted(events) == ["a in", "b in"]  # writes do not wait for one another
    snapshotter = threading.Thread(target=snapshot)
    snapshotter.start()
    time.sleep(0.05)
    late = threading.Thread(target=write, args=("c",))
    late.start()
    time.sleep(0.05)
    assert "snapshot" not in events and "c in" not in events  # the snapshot waits; a new write waits behind it
    release.set()
    for thread in [*writers, snapshotter, late]:
        thread.join(5)
    assert events.index("snapshot") > max(events.index("a out"), events.index("b out"))
    assert events.index("c in") > events.index("snapshot done")
