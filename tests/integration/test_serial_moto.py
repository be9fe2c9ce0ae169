"""The local stack's moto serves one request at a time, a long poll holds up no one, and writes are counted."""

from __future__ import annotations

import io
import json
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from local.serial import OneRequestAtATime, SerialMotoServer


@pytest.fixture
def server() -> Iterator[SerialMotoServer]:
    running = SerialMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    running.start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def endpoint(server: SerialMotoServer) -> str:
    return "http://{}:{}".format(*server.get_host_and_port())


def client(service: str, endpoint: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_the_app_behind_it_never_serves_two_requests_at_once() -> None:
    busy, most = [0], [0]
    lock = threading.Lock()

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        with lock:
            busy[0] += 1
            most[0] = max(most[0], busy[0])
        time.sleep(0.005)  # long enough for the other threads to pile in
        with lock:
            busy[0] -= 1
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [environ["wsgi.input"].read()]

    serial = OneRequestAtATime(app)
    answers: list[bytes] = []

    def call(index: int) -> None:
        body = f"request {index}".encode()
        environ = {"wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))}
        answers.append(b"".join(serial(environ, lambda status, headers: None)))

    threads = [threading.Thread(target=call, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert most[0] == 1
    assert sorted(answers) == sorted(f"request {i}".encode() for i in range(20))


def test_a_long_poll_lets_other_requests_through_and_gets_a_message_sent_meanwhile(endpoint: str) -> None:
    sqs = client("sqs", endpoint)
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    got: list[Any] = []
    poller = threading.Thread(
        target=lambda: got.append(client("sqs", endpoint).receive_message(QueueUrl=url, WaitTimeSeconds=5))
    )
    started = time.monotonic()
    poller.start()
    time.sleep(0.3)
    sqs.list_queues()  # served while the poll waits
    sqs.send_message(QueueUrl=url, MessageBody="hello")
    poller.join(10)

    assert time.monotonic() - started < 2
    assert [m["Body"] for m in got[0]["Messages"]] == ["hello"]
    empty = client("sqs", endpoint).receive_message(QueueUrl=url, WaitTimeSeconds=1)
    assert empty.get("Messages", []) == []


def test_it_counts_dynamodb_writes_and_nothing_else(endpoint: str, server: SerialMotoServer) -> None:
    dynamodb = client("dynamodb", endpoint)
    dynamodb.create_table(
        TableName="t",
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
    )
    before = server.writes()
    dynamodb.put_item(TableName="t", Item={"PK": {"S": "a"}})
    dynamodb.update_item(
        TableName="t",
        Key={"PK": {"S": "a"}},
        UpdateExpression="SET n = :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    dynamodb.get_item(TableName="t", Key={"PK": {"S": "a"}})
    dynamodb.scan(TableName="t")
    client("sqs", endpoint).list_queues()
    assert server.writes() - before == 2


def test_the_snapshotter_reads_the_table_only_after_writes() -> None:
    from local.snapshot import Snapshotter

    writes, dumps = [0], []
    snapshotter = Snapshotter(None, "t", Path("unused.json"))
    snapshotter.dump_if_changed = lambda: dumps.append(writes[0]) or True  # type: ignore[method-assign]
    stop = threading.Event()
    runner = threading.Thread(target=snapshotter.run, args=(stop, 0.01, lambda: writes[0]))
    runner.start()
    time.sleep(0.2)
    writes[0] = 3
    time.sleep(0.2)
    stop.set()
    runner.join(5)
    assert dumps == [0, 3]  # once at start, once after the writes; never for an unchanged table


def new_table(dynamodb: Any, name: str = "") -> str:
    """Create a table (moto's memory is shared by every server in this process: a new name each time)."""
    name = name or f"journal-{uuid.uuid4().hex[:8]}"
    dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
    )
    return name


def test_a_write_is_journalled_and_fsynced_before_its_answer_and_a_refused_one_is_not(
    endpoint: str, server: SerialMotoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from local.journal import Entry, Journal

    dynamodb = client("dynamodb", endpoint)
    table = new_table(dynamodb)
    journal = Journal(tmp_path / "journal.log")
    assert journal.recover(0) == []
    server.keep_journal(journal)
    synced: list[int] = []  # the journal's size on disk at each fsync
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.fstat(fd).st_size)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)

    dynamodb.put_item(TableName=table, Item={"PK": {"S": "a"}}, ConditionExpression="attribute_not_exists(PK)")
    written = (tmp_path / "journal.log").read_bytes()
    assert synced == [len(written)] and written.endswith(b"\n")  # on disk, whole, when the answer came
    with pytest.raises(dynamodb.exceptions.ConditionalCheckFailedException):
        dynamodb.put_item(TableName=table, Item={"PK": {"S": "a"}}, ConditionExpression="attribute_not_exists(PK)")
    dynamodb.get_item(TableName=table, Key={"PK": {"S": "a"}})
    client("sqs", endpoint).list_queues()

    assert (tmp_path / "journal.log").read_bytes() == written and len(synced) == 1
    entry = Entry.parse(written.rstrip(b"\n"))
    assert entry.seq == 1 and dict(entry.headers)["X-Amz-Target"] == "DynamoDB_20120810.PutItem"
    journal.close()


def test_replaying_the_journal_on_an_empty_table_gives_back_exactly_the_same_table(
    endpoint: str, server: SerialMotoServer, tmp_path: Path
) -> None:
    from local.journal import Journal
    from local.snapshot import scan

    dynamodb = client("dynamodb", endpoint)

    t = new_table(dynamodb)
    journal = Journal(tmp_path / "journal.log")
    journal.recover(0)
    server.keep_journal(journal)
    for _ in range(3):  # not idempotent: replayed once each, or the count is wrong
        dynamodb.update_item(
            TableName=t,
            Key={"PK": {"S": "count"}},
            UpdateExpression="ADD n :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )
    dynamodb.put_item(TableName=t, Item={"PK": {"S": "blob"}, "b": {"B": b"\x00\xff"}, "t": {"S": "昆都仑区"}})
    dynamodb.batch_write_item(RequestItems={t: [{"PutRequest": {"Item": {"PK": {"S": f"b{i}"}}}} for i in range(3)]})
    dynamodb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": t, "Item": {"PK": {"S": "post"}}, "ConditionExpression": "attribute_not_exists(PK)"}},
            {"Delete": {"TableName": t, "Key": {"PK": {"S": "b0"}}}},
        ]
    )
    dynamodb.delete_item(TableName=t, Key={"PK": {"S": "b1"}})
    before = scan(dynamodb, t)
    journal.close()
    server.serial.journal = None  # type: ignore[union-attr]  # the process dies; moto's memory with it
    dynamodb.delete_table(TableName=t)
    new_table(dynamodb, t)

    again = Journal(tmp_path / "journal.log")
    entries = again.recover(0)
    assert [e.seq for e in entries] == list(range(1, 8))
    assert server.replay(entries) == (7, 0)
    assert scan(dynamodb, t) == before
    assert next(i for i in before if i["PK"]["S"] == "count")["n"] == {"N": "3"}
    again.close()


def test_writes_answered_together_are_each_on_disk_when_answered(
    endpoint: str, server: SerialMotoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from local.journal import Entry, Journal

    table = new_table(client("dynamodb", endpoint))
    journal = Journal(tmp_path / "journal.log")
    journal.recover(0)
    server.keep_journal(journal)
    on_disk = [0]  # bytes of the journal the last fsync covered
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        size = os.fstat(fd).st_size
        real_fsync(fd)
        on_disk[0] = max(on_disk[0], size)

    monkeypatch.setattr(os, "fsync", fsync)
    seen: dict[str, int] = {}

    def write(index: int) -> None:
        client("dynamodb", endpoint).put_item(TableName=table, Item={"PK": {"S": f"k{index}"}})
        seen[f"k{index}"] = on_disk[0]  # what was surely on disk when this answer came

    threads = [threading.Thread(target=write, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    data = (tmp_path / "journal.log").read_bytes()
    end = 0
    for line in data.splitlines(keepends=True):
        end += len(line)
        key = json.loads(Entry.parse(line).body)["Item"]["PK"]["S"]
        assert seen[key] >= end, key
    assert len(seen) == 16
    journal.close()
