"""Feed SQS messages, the schedule and S3 uploads to the app's Lambda handlers, as Lambda would.

S3 ObjectCreated events (on_s3_event handlers) are local/bucket_events.py: given an S3 client, the pump lists
each watched prefix every `bucket_interval` seconds. The table's stream (on_dynamodb_record handlers) is
local/table_stream.py: given the table's stream, the pump reads it every `stream_interval` seconds.

SQS event sources report batch item failures (tools/package.py sets it on every one): a handler that
returns `{"batchItemFailures": [{"itemIdentifier": <message id>}, ...]}` has only the others deleted.
"""

from __future__ import annotations

import base64
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError
from chalice.app import ScheduledEventConfig, SQSEventConfig
from chalice.local import LambdaContext
from moto.core.models import DEFAULT_ACCOUNT_ID

from local.bucket_events import BucketBinding, discover_buckets, watch
from local.table_stream import StreamBinding, TableStream, discover_streams

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass(frozen=True)
class QueueBinding:
    """A queue and the Lambda function that consumes it."""

    function_name: str
    queue_name: str
    url: str
    arn: str
    batch_size: int
    handler: Handler


@dataclass(frozen=True)
class ScheduleBinding:
    """A Lambda function that runs on a schedule."""

    function_name: str
    expression: str
    handler: Handler


def _expression(config: ScheduledEventConfig) -> str:
    expression = config.schedule_expression
    return expression if isinstance(expression, str) else expression.to_string()


def discover(chalice_app: Any, sqs: Any) -> tuple[list[QueueBinding], list[ScheduleBinding]]:
    """Find the app's SQS and schedule handlers (blueprints included) and resolve queue URLs."""
    queues: list[QueueBinding] = []
    schedules: list[ScheduleBinding] = []
    for source in chalice_app.event_sources:
        handler = chalice_app.handler_map[source.name]
        if isinstance(source, SQSEventConfig):
            name = source.queue or str(source.queue_arn).rsplit(":", 1)[-1]
            try:
                url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
            except ClientError:
                log.warning("pump: queue %s of %s does not exist; skipped", name, source.name)
                continue
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
            queues.append(
                QueueBinding(
                    function_name=source.name,
                    queue_name=name,
                    url=url,
                    arn=arn["Attributes"]["QueueArn"],
                    batch_size=max(1, min(10, int(source.batch_size))),
                    handler=handler,
                )
            )
        elif isinstance(source, ScheduledEventConfig):
            schedules.append(ScheduleBinding(source.name, _expression(source), handler))
    return queues, schedules


def _lambda_attribute(value: dict[str, Any]) -> dict[str, Any]:
    """Turn an SQS API message attribute into the camelCase shape Lambda delivers."""
    binary = value.get("BinaryValue")
    return {
        "stringValue": value.get("StringValue"),
        "binaryValue": base64.b64encode(binary).decode("ascii") if binary else None,
        "stringListValues": list(value.get("StringListValues", [])),
        "binaryListValues": [base64.b64encode(b).decode("ascii") for b in value.get("BinaryListValues", [])],
        "dataType": value.get("DataType", "String"),
    }


def sqs_event(messages: list[dict[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    """Build the event Lambda's SQS integration would pass for these received messages."""
    records = [
        {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": dict(message.get("Attributes", {})),
            "messageAttributes": {
                name: _lambda_attribute(value) for name, value in message.get("MessageAttributes", {}).items()
            },
            "md5OfBody": message.get("MD5OfBody", ""),
            "eventSource": "aws:sqs",
            "eventSourceARN": queue_arn,
            "awsRegion": region,
        }
        for message in messages
    ]
    return {"Records": records}


def scheduled_event(rule: str, region: str, now: float | None = None) -> dict[str, Any]:
    """Build the event EventBridge passes to a scheduled Lambda."""
    moment = datetime.fromtimestamp(time.time() if now is None else now, UTC)
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": DEFAULT_ACCOUNT_ID,
        "time": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [f"arn:aws:events:{region}:{DEFAULT_ACCOUNT_ID}:rule/{rule}"],
        "detail": {},
    }


def failed_ids(response: Any, messages: list[dict[str, Any]]) -> set[str]:
    """Read a handler's partial batch response (ReportBatchItemFailures) as Lambda does.

    No response or an empty list: every message went through. An identifier that is missing, empty or not
    one of the batch's message ids makes the whole batch a failure.
    """
    ids = {m["MessageId"] for m in messages}
    if not isinstance(response, dict) or not response.get("batchItemFailures"):
        return set()
    failed: set[str] = set()
    for failure in response["batchItemFailures"]:
        item = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not isinstance(item, str) or item not in ids:
            return ids
        failed.add(item)
    return failed


class Pump:
    """Long-poll each bound queue and call its handler; call schedule handlers every minute."""

    def __init__(
        self,
        chalice_app: Any,
        sqs: Any,
        *,
        region: str = "us-east-1",
        wait_seconds: int = 1,
        schedule_interval: float = 60.0,
        s3: Any = None,
        bucket_interval: float = 1.0,
        stream: TableStream | None = None,
        stream_interval: float = 0.5,
    ) -> None:
        self.sqs = sqs
        self.s3 = s3
        self.region = region
        self.wait_seconds = wait_seconds
        self.schedule_interval = schedule_interval
        self.bucket_interval = bucket_interval
        self.queues, self.schedules = discover(chalice_app, sqs)
        self.buckets: list[BucketBinding] = discover_buckets(chalice_app, s3) if s3 is not None else []
        self.stream, self.stream_interval = stream, stream_interval
        self.streams: list[StreamBinding] = discover_streams(chalice_app) if stream is not None else []

    def poll(self, binding: QueueBinding, wait_seconds: int | None = None) -> tuple[int, int]:
        """Receive one batch, hand it to the handler; return (received, deleted)."""
        wait = self.wait_seconds if wait_seconds is None else wait_seconds
        answer = self.sqs.receive_message(
            QueueUrl=binding.url,
            MaxNumberOfMessages=binding.batch_size,
            WaitTimeSeconds=wait,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = answer.get("Messages", [])
        if not messages:
            return 0, 0
        event = sqs_event(messages, binding.arn, self.region)
        context = LambdaContext(binding.function_name, memory_size=256, max_runtime_ms=30_000)
        try:
            failed = failed_ids(binding.handler(event, context), messages)
        except Exception:
            ids = ", ".join(m["MessageId"] for m in messages)
            log.exception("pump: %s failed on %s; left for retry", binding.function_name, ids)
            return len(messages), 0
        done = [m for m in messages if m["MessageId"] not in failed]
        if failed:
            log.warning("pump: %s failed on %s; left for retry", binding.function_name, ", ".join(sorted(failed)))
        if done:
            self.sqs.delete_message_batch(
                QueueUrl=binding.url,
                Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(done)],
            )
        log.info("pump: %s handled %d message(s)", binding.function_name, len(done))
        return len(messages), len(done)

    def run_schedules(self) -> int:
        """Call every schedule handler once; return how many succeeded."""
        done = 0
        for binding in self.schedules:
            context = LambdaContext(binding.function_name, memory_size=256, max_runtime_ms=60_000)
            try:
                binding.handler(scheduled_event(binding.function_name, self.region), context)
                done += 1
            except Exception:
                log.exception("pump: schedule %s failed", binding.function_name)
        return done

    def _consume(self, binding: QueueBinding, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.poll(binding)
            except Exception:
                log.exception("pump: polling %s failed", binding.queue_name)
                stop.wait(1.0)

    def _follow(self, binding: StreamBinding, stop: threading.Event) -> None:
        """Hand the table's stream to its handler until stopped; a failed batch comes again next time."""
        assert self.stream is not None
        while not stop.wait(self.stream_interval):
            try:
                self.stream.drain(binding)
            except Exception:
                log.exception("pump: reading the table's stream failed")

    def _tick(self, stop: threading.Event) -> None:
        while not stop.wait(self.schedule_interval):
            self.run_schedules()

    def start(self, stop: threading.Event) -> list[threading.Thread]:
        """Start one thread per queue, one for the schedule, one per watched bucket and one per stream handler; they
        end when `stop` is set."""
        threads = [
            threading.Thread(target=self._consume, args=(b, stop), name=f"pump-{b.queue_name}") for b in self.queues
        ]
        if self.schedules:
            threads.append(threading.Thread(target=self._tick, args=(stop,), name="pump-schedule"))
        threads += [
            threading.Thread(
                target=watch,
                args=(self.s3, b, self.region, stop, self.bucket_interval),
                name=f"pump-s3-{b.function_name}",
            )
            for b in self.buckets
        ]
        threads += [
            threading.Thread(target=self._follow, args=(b, stop), name=f"pump-stream-{b.function_name}")
            for b in self.streams
        ]
        for thread in threads:
            thread.daemon = True
            thread.start()
        return threads
