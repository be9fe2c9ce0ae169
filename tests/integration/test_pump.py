"""The local pump: SQS messages and the schedule reach the app's handlers the way Lambda delivers them."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from chalice.app import Blueprint, Chalice, Rate
from moto import mock_aws

from local.pump import Pump

QUEUE = "p24-pump-jobs"


class Recorder:
    """A tiny Chalice app whose handlers record what they receive (in a blueprint, as the real app does).

    With `report`, the queue handler reports its failures as the dispatcher does (`report(failed ids)` is the
    response); otherwise a failure raises, failing the whole batch.
    """

    def __init__(self, report: Callable[[list[str]], Any] | None = None) -> None:
        self.records: list[dict[str, Any]] = []
        self.ticks: list[dict[str, Any]] = []
        self.app = Chalice(app_name="pump-test")
        workers = Blueprint(__name__)

        @workers.on_sqs_message(queue=QUEUE, batch_size=5)
        def handle_job(event: Any) -> Any:
            failed = []
            for record in event:
                self.records.append(record.to_dict())
                if record.body == "fail":
                    if report is None:
                        raise RuntimeError("cannot handle this one")
                    failed.append(record.to_dict()["messageId"])
            return report(failed) if report else None

        @workers.schedule(Rate(1, unit=Rate.MINUTES))
        def every_minute(event: Any) -> None:
            self.ticks.append(event.to_dict())

        self.app.register_blueprint(workers)


@pytest.fixture
def sqs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """An in-process moto with the job queue (visible again at once) and its DLQ."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        client = boto3.client("sqs")
        dlq = client.create_queue(QueueName=f"{QUEUE}-dlq")["QueueUrl"]
        dlq_arn = client.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3})
        client.create_queue(QueueName=QUEUE, Attributes={"VisibilityTimeout": "0", "RedrivePolicy": redrive})
        yield client


def _url(sqs: Any, name: str) -> str:
    return str(sqs.get_queue_url(QueueName=name)["QueueUrl"])


def _count(sqs: Any, name: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=_url(sqs, name),
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def test_pump_finds_blueprint_queue_and_schedule_handlers(sqs: Any) -> None:
    pump = Pump(Recorder().app, sqs)
    [binding] = pump.queues
    assert (binding.function_name, binding.queue_name, binding.batch_size) == ("handle_job", QUEUE, 5)
    assert binding.arn.endswith(f":{QUEUE}")
    assert [s.function_name for s in pump.schedules] == ["every_minute"]
    assert pump.schedules[0].expression == "rate(1 minute)"


def test_a_handled_message_arrives_lambda_shaped_and_is_deleted(sqs: Any) -> None:
    recorder = Recorder()
    pump = Pump(recorder.app, sqs, wait_seconds=0)
    sqs.send_message(
        QueueUrl=_url(sqs, QUEUE),
        MessageBody='{"post_id": "p1"}',
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "post_created"}},
    )

    assert pump.poll(pump.queues[0]) == (1, 1)

    [record] = recorder.records
    assert record["body"] == '{"post_id": "p1"}'
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == pump.queues[0].arn
    assert record["awsRegion"] == "us-east-1"
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["messageAttributes"]["kind"]["stringValue"] == "post_created"
    assert record["messageAttributes"]["kind"]["dataType"] == "String"
    assert record["messageId"] and record["receiptHandle"] and record["md5OfBody"]
    assert _count(sqs, QUEUE) == 0


def test_a_message_failing_three_times_ends_in_the_dlq(sqs: Any) -> None:
    recorder = Recorder()
    pump = Pump(recorder.app, sqs, wait_seconds=0)
    sqs.send_message(QueueUrl=_url(sqs, QUEUE), MessageBody="fail")

    results = [pump.poll(pump.queues[0]) for _ in range(4)]

    assert results == [(1, 0), (1, 0), (1, 0), (0, 0)]
    assert [r["attributes"]["ApproximateReceiveCount"] for r in recorder.records] == ["1", "2", "3"]
    assert _count(sqs, QUEUE) == 0
    assert _count(sqs, f"{QUEUE}-dlq") == 1


def batch_item_failures(ids: list[str]) -> dict[str, Any]:
    return {"batchItemFailures": [{"itemIdentifier": i} for i in ids]}


def test_only_the_messages_a_handler_reports_as_failed_come_back(sqs: Any) -> None:
    recorder = Recorder(report=batch_item_failures)
    pump = Pump(recorder.app, sqs, wait_seconds=0)
    for body in ("one", "fail", "two"):
        sqs.send_message(QueueUrl=_url(sqs, QUEUE), MessageBody=body)

    assert pump.poll(pump.queues[0]) == (3, 2)
    assert [pump.poll(pump.queues[0]) for _ in range(3)] == [(1, 0), (1, 0), (0, 0)]

    assert [r["body"] for r in recorder.records] == ["one", "fail", "two", "fail", "fail"]
    assert _count(sqs, QUEUE) == 0
    assert _count(sqs, f"{QUEUE}-dlq") == 1  # the failure alone, after its three receives


@pytest.mark.parametrize(
    ("report", "deleted"),
    [
        (lambda ids: {"batchItemFailures": []}, 2),  # an empty report: all went through
        (lambda ids: {"batchItemFailures": [{"itemIdentifier": "not-in-this-batch"}]}, 0),
        (lambda ids: {"batchItemFailures": [{"itemIdentifier": ""}]}, 0),
        (lambda ids: {"batchItemFailures": [{"id": ids[0]}]}, 0),  # a wrong key: the whole batch fails
    ],
)
def test_a_report_is_read_as_lambda_reads_it(sqs: Any, report: Callable[[list[str]], Any], deleted: int) -> None:
    pump = Pump(Recorder(report=report).app, sqs, wait_seconds=0)
    for body in ("one", "fail"):
        sqs.send_message(QueueUrl=_url(sqs, QUEUE), MessageBody=body)
    assert pump.poll(pump.queues[0]) == (2, deleted)


def test_schedule_handlers_get_a_scheduled_event(sqs: Any) -> None:
    recorder = Recorder()
    pump = Pump(recorder.app, sqs)
    assert pump.run_schedules() == 1
    [tick] = recorder.ticks
    assert tick["detail-type"] == "Scheduled Event"
    assert tick["source"] == "aws.events"
    assert tick["resources"][0].endswith(":rule/every_minute")


def test_pump_threads_deliver_and_stop_quickly(sqs: Any) -> None:
    recorder = Recorder()
    pump = Pump(recorder.app, sqs, wait_seconds=1, schedule_interval=0.05)
    stop = threading.Event()
    threads = pump.start(stop)
    sqs.send_message(QueueUrl=_url(sqs, QUEUE), MessageBody="hello")
    deadline = time.monotonic() + 5
    while (not recorder.records or not recorder.ticks) and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    started = time.monotonic()
    for thread in threads:
        thread.join(timeout=5)
    assert time.monotonic() - started < 3
    assert not any(thread.is_alive() for thread in threads)
    assert [r["body"] for r in recorder.records] == ["hello"]
    assert recorder.ticks
