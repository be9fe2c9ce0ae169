"""The dispatch (work) queue on SQS."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.adapters.aws import client


class SqsDispatchQueue:
    """Send one message per piece of work about a post."""

    def __init__(self, queue_url: str, region: str) -> None:
        self.queue_url, self.region = queue_url, region

    def enqueue(self, post_id: str, kind: str = "dispatch", **extra: str) -> None:
        if not self.queue_url:
            raise RuntimeError("DISPATCH_QUEUE_URL is not configured")
        body = {"kind": kind, "post_id": post_id, **extra}
        client("sqs", self.region).send_message(QueueUrl=self.queue_url, MessageBody=json.dumps(body))


class SqsCadOutbox:
    """The `cad-outbox` queue the 110 command system consumes."""

    def __init__(self, queue_url: str, region: str) -> None:
        self.queue_url, self.region = queue_url, region

    def send(self, record: dict[str, Any]) -> None:
        if not self.queue_url:
            raise RuntimeError("CAD_QUEUE_URL is not configured")
        client("sqs", self.region).send_message(
            QueueUrl=self.queue_url, MessageBody=json.dumps(record, ensure_ascii=False)
        )
