"""The dispatch queue on SQS."""

from __future__ import annotations

import json

from chalicelib.adapters.aws import client


class SqsDispatchQueue:
    """Send one message per post to the dispatch queue."""

    def __init__(self, queue_url: str, region: str) -> None:
        self.queue_url, self.region = queue_url, region

    def enqueue(self, post_id: str) -> None:
        if not self.queue_url:
            raise RuntimeError("DISPATCH_QUEUE_URL is not configured")
        client("sqs", self.region).send_message(
            QueueUrl=self.queue_url, MessageBody=json.dumps({"post_id": post_id})
        )
