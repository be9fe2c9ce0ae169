"""Fault injection on moto, and the real dispatch queue driven as Lambda's SQS integration drives it.

`faults` sits where moto answers botocore (BotocoreStubber.process_request), below botocore's retries: an
injected throttle or 5xx is seen, and retried, exactly as one from AWS would be. It also lets moto serve one
request at a time (moto is not thread safe; DynamoDB applies each request atomically), so tests may call
the app from many threads. Retries keep their number but not their waiting (`no_backoff`).
"""

from __future__ import annotations

import dataclasses
import json
import os
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import boto3
import pytest

from tests.conftest import Api

CONNECTION_RESET = "ConnectionReset"  # not an AWS error code: the connection drops before any answer
ANSWER_LOST = "AnswerLost"  # not an AWS error code: the request is applied, then the connection drops
# The app's clients retry in botocore's standard mode with max_attempts=4 (retries): 5 attempts in all.
ATTEMPTS = 5


@dataclass
class Fault:
    """Fail `times` calls of one operation (after letting `skip` through) with an AWS error; with `recipient`, only
    the calls for that recipient (a phone number or an officer id among the request's parameters), so that a
    fault stays one person's when a unit's officers are notified at once."""

    service: str
    operation: str
    code: str
    times: int
    status: int = 400
    skip: int = 0
    reasons: tuple[str, ...] = ()  # the cancellation reasons of a TransactionCanceledException
    recipient: str | None = None
    seen: int = 0
    injected: int = 0

    def take(self, service: str, operation: str, parameters: tuple[str, ...] = ()) -> bool:
        """Tell whether this call fails (and count it)."""
        if (service, operation) != (self.service, self.operation):
            return False
        if self.recipient is not None and not any(value.endswith(self.recipient) for value in parameters):
            return False
        self.seen += 1
        if self.seen <= self.skip or self.injected >= self.times:
            return False
        self.injected += 1
        return True


def parameters_of(request: Any) -> tuple[str, ...]:
    """Return the parameter values of a query-protocol request (SNS: PhoneNumber, message attributes)."""
    body = request.body or b""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    return tuple(value for _, value in parse_qsl(text))


def operation_of(request: Any) -> tuple[str, str]:
    """Return (service, operation) of a botocore request: JSON protocols name it in a header, query in the body."""
    service = request.url.split("//", 1)[-1].split(".", 1)[0]
    target = request.headers.get("X-Amz-Target")
    if target:
        return service, (target.decode() if isinstance(target, bytes) else target).rsplit(".", 1)[-1]
    body = request.body or b""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    return service, dict(parse_qsl(text)).get("Action", "")


def error_response(fault: Fault, request: Any) -> tuple[int, dict[str, str], bytes]:
    """Shape the error as the service's protocol would (JSON for DynamoDB and SQS, XML for SNS)."""
    message = f"injected {fault.code}"
    content_type = request.headers.get("Content-Type") or ""
    content_type = content_type.decode() if isinstance(content_type, bytes) else content_type
    if "json" in content_type:
        body: dict[str, Any] = {"__type": f"com.amazonaws.{fault.service}#{fault.code}", "message": message}
        if fault.reasons:
            body["message"] = f"Transaction cancelled, please refer cancellation reasons [{', '.join(fault.reasons)}]"
            body["CancellationReasons"] = [{"Code": reason} for reason in fault.reasons]
        headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "injected"}
        return fault.status, headers, json.dumps(body).encode()
    kind = "Receiver" if fault.status >= 500 else "Sender"
    xml = (
        f"<ErrorResponse><Error><Type>{kind}</Type><Code>{fault.code}</Code><Message>{message}</Message>"
        "</Error><RequestId>injected</RequestId></ErrorResponse>"
    )
    return fault.status, {"Content-Type": "text/xml"}, xml.encode()


class Faults:
    """The faults to inject, and a count of every AWS call moto answered or refused."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.rules: list[Fault] = []
        self.calls: Counter[tuple[str, str]] = Counter()

    def inject(self, service: str, operation: str, code: str, times: int, **options: Any) -> Fault:
        fault = Fault(service, operation, code, times, **options)
        with self.lock:
            self.rules.append(fault)
        return fault

    def clear(self) -> None:
        with self.lock:
            self.rules.clear()

    def answer(self, serve: Any, stubber: Any, request: Any) -> Any:
        from botocore.exceptions import ConnectionClosedError

        service, operation = operation_of(request)
        with self.lock:
            self.calls[service, operation] += 1
            parameters = parameters_of(request) if any(f.recipient for f in self.rules) else ()
            for fault in self.rules:
                if fault.take(service, operation, parameters):
                    if fault.code == ANSWER_LOST:
                        serve(stubber, request)
                        raise ConnectionClosedError(endpoint_url=request.url)
                    if fault.code == CONNECTION_RESET:
                        raise ConnectionClosedError(endpoint_url=request.url)
                    return error_response(fault, request)
            return serve(stubber, request)


@pytest.fixture(autouse=True)
def faults(monkeypatch: pytest.MonkeyPatch) -> Faults:
    """Serve moto one request at a time and inject the faults a test asks for."""
    from moto.core.botocore_stubber import BotocoreStubber

    injector = Faults()
    serve = BotocoreStubber.process_request

    def process_request(self: BotocoreStubber, request: Any) -> Any:
        return injector.answer(serve, self, request)

    monkeypatch.setattr(BotocoreStubber, "process_request", process_request)
    return injector


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """Figures a test measured; `make bench` collects them (RELIABILITY_FIGURES names a JSON-lines file)."""
    measured: dict[str, Any] = {}
    yield measured
    target = os.environ.get("RELIABILITY_FIGURES")
    if target and measured:
        with open(target, "a", encoding="utf-8") as out:
            out.write(json.dumps({"test": request.node.nodeid, **measured}, ensure_ascii=False) + "\n")


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep botocore's retries (standard mode, 4 attempts) but not their sleeps of up to seconds."""
    from botocore.retries.standard import ExponentialBackoff

    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0)


@dataclass
class DispatchQueue:
    """The stack's dispatch queue (redrive to its DLQ after 3 receives) feeding the app's real handler.

    It receives and deletes with real receipt handles through local/pump.py, as Lambda's SQS integration
    does, and counts how often each message reached the handler.
    """

    outputs: dict[str, str]
    deliveries: Counter[str] = field(default_factory=Counter)
    bodies: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        from app import app
        from local.pump import Pump

        self.sqs = boto3.client("sqs", region_name="us-east-1")
        self.pump = Pump(app, self.sqs, wait_seconds=0)
        real = next(b for b in self.pump.queues if b.function_name == "dispatch_post")

        def counting(event: dict[str, Any], context: Any) -> Any:
            for record in event["Records"]:
                self.deliveries[record["messageId"]] += 1
                self.bodies[record["messageId"]] = record["body"]
            return real.handler(event, context)

        self.binding = dataclasses.replace(real, handler=counting)
        self.url, self.dlq_url = self.outputs["DispatchQueueUrl"], self.outputs["DispatchDlqUrl"]
        # A failed message returns when its visibility timeout (180 s) ends; here that is at once.
        self.sqs.set_queue_attributes(QueueUrl=self.url, Attributes={"VisibilityTimeout": "0"})

    def send(self, body: dict[str, Any] | str) -> str:
        text = body if isinstance(body, str) else json.dumps(body)
        return str(self.sqs.send_message(QueueUrl=self.url, MessageBody=text)["MessageId"])

    def drain(self, max_polls: int = 200) -> int:
        """Poll until a receive finds nothing; return how many polls handed messages to the handler."""
        for polls in range(max_polls):
            received, _ = self.pump.poll(self.binding)
            if not received:
                return polls
        raise AssertionError(f"the queue still had messages after {max_polls} polls")

    def receive_one(self) -> dict[str, Any]:
        [message] = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=1, AttributeNames=["All"])[
            "Messages"
        ]
        return dict(message)

    def dead_letters(self) -> list[str]:
        """Return the bodies now in the DLQ (each received once, then made visible again)."""
        messages: list[dict[str, Any]] = []
        while got := self.sqs.receive_message(QueueUrl=self.dlq_url, MaxNumberOfMessages=10, VisibilityTimeout=30).get(
            "Messages", []
        ):
            messages += got
        for message in messages:
            self.sqs.change_message_visibility(
                QueueUrl=self.dlq_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
            )
        return [m["Body"] for m in messages]

    def depth(self, url: str | None = None) -> int:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=url or self.url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


@pytest.fixture
def queue(aws: dict[str, str], client: Any) -> Iterator[DispatchQueue]:
    yield DispatchQueue(aws)


def timeline(api: Api, post_id: str) -> list[str]:
    """Return the kinds of a post's public timeline, oldest first."""
    status, detail, _ = api.call("GET", f"/posts/{post_id}")
    assert status == 200, detail
    return [event["kind"] for event in detail["timeline"]]
