"""The local stack's moto serves one request at a time, a long poll holds up no one, and writes are counted."""

from __future__ import annotations

import io
import threading
import time
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
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


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
    dynamodb.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                          KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}])
    before = server.writes()
    dynamodb.put_item(TableName="t", Item={"PK": {"S": "a"}})
    dynamodb.update_item(TableName="t", Key={"PK": {"S": "a"}}, UpdateExpression="SET n = :one",
                         ExpressionAttributeValues={":one": {"N": "1"}})
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
