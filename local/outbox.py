"""Collect what SNS "sent" in moto (SMS, email), the WeChat simulator's notices and the 110 hand-offs into the
app's table as outbox items."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from botocore.exceptions import ClientError
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends

from chalicelib.domain.messages import WECHAT_FIELDS

log = logging.getLogger(__name__)

SHANGHAI = timezone(timedelta(hours=8))
KEEP_SECONDS = 7 * 24 * 3600
CHANNELS = {"sms": "sms", "email": "email"}


@dataclass(frozen=True)
class Delivery:
    """One message as one recipient would have received it."""

    key: str
    channel: str
    to: str
    body: str
    subject: str | None = None
    url: str | None = None


def _body_for(message: str, protocol: str) -> str:
    """Pick the protocol's text when the message was published with MessageStructure=json."""
    if not message.startswith("{"):
        return message
    try:
        parsed = json.loads(message)
    except ValueError:
        return message
    if isinstance(parsed, dict) and isinstance(parsed.get("default"), str):
        chosen = parsed.get(protocol, parsed["default"])
        return chosen if isinstance(chosen, str) else message
    return message


def deliveries(account_id: str, region: str) -> Iterator[Delivery]:
    """List every SMS and email delivery moto's SNS has made so far."""
    backend = sns_backends[account_id][region]
    for message_id, (phone, message) in list(backend.sms_messages.items()):
        yield Delivery(key=message_id, channel="sms", to=phone, body=message)
    for topic in list(backend.topics.values()):
        notifications = list(topic.sent_notifications)
        if not notifications:
            continue
        subscriptions = [s for s in list(backend.subscriptions.values()) if s.topic.arn == topic.arn]
        for message_id, message, subject, attributes, _group in notifications:
            for subscription in subscriptions:
                channel = CHANNELS.get(subscription.protocol)
                if channel is None:
                    continue
                matcher = subscription._filter_policy_matcher
                if matcher is not None and not matcher.matches(attributes, message):
                    continue
                yield Delivery(
                    key=f"{message_id}:{subscription.arn.rsplit(':', 1)[-1]}",
                    channel=channel,
                    to=subscription.endpoint,
                    body=_body_for(message, subscription.protocol),
                    subject=subject if channel == "email" and subject else None,
                )


def wechat_delivery(message: dict[str, Any]) -> Delivery:
    """Shape a notice the WeChat simulator accepted as its reader sees it: 事项：…, 编号：…, one field a line."""
    labels = dict(WECHAT_FIELDS)
    data: dict[str, str] = message["data"]
    names = [name for name, _ in WECHAT_FIELDS if name in data] + [name for name in data if name not in labels]
    return Delivery(
        key=f"wechat:{message['msgid']}",
        channel="wechat",
        to=message["touser"],
        body="\n".join(f"{labels.get(name, name)}：{data[name]}" for name in names),
        url=message.get("url") or None,
    )


def outbox_item(delivery: Delivery, now: float) -> dict[str, Any]:
    """Shape a delivery as the app's outbox item (typed, for the low-level client)."""
    millis = int(now * 1000)
    moment = datetime.fromtimestamp(now, SHANGHAI).isoformat(timespec="seconds")
    item: dict[str, Any] = {
        "PK": {"S": "OUTBOX"},
        "SK": {"S": f"{millis:013d}#{delivery.key}"},
        "channel": {"S": delivery.channel},
        "to": {"S": delivery.to},
        "body": {"S": delivery.body},
        "at": {"S": moment},
        "expires_at": {"N": str(int(now) + KEEP_SECONDS)},
    }
    if delivery.subject:
        item["subject"] = {"S": delivery.subject}
    if delivery.url:
        item["url"] = {"S": delivery.url}
    return item


class OutboxCollector:
    """Copy each new moto SNS delivery (and each 110 hand-off, each WeChat notice) once into the table, newest last.

    With `cad_queue_url` it also stands in for the 110 command system: it consumes the
    cad-outbox queue and shows every incident record in the outbox (channel `cad`, to `110`).
    With `wechat` (the simulator's sent messages, oldest first) it shows each WeChat notice (channel `wechat`).
    """

    def __init__(
        self,
        client: Any,
        table: str,
        *,
        region: str = "us-east-1",
        account_id: str = DEFAULT_ACCOUNT_ID,
        clock: Callable[[], float] = time.time,
        sqs: Any = None,
        cad_queue_url: str = "",
        on_cad: Callable[[str], None] | None = None,
        wechat: Callable[[], list[dict[str, Any]]] | None = None,
    ) -> None:
        self.wechat = wechat
        self.on_cad = on_cad
        self.client = client
        self.table = table
        self.region = region
        self.account_id = account_id
        self.clock = clock
        self.sqs = sqs
        self.cad_queue_url = cad_queue_url
        self._seen: set[str] = set()
        self._last = 0.0
        self._lock = threading.Lock()

    def collect(self) -> int:
        """Record the deliveries not recorded yet; return how many were added."""
        added = 0
        with self._lock:
            for delivery in deliveries(self.account_id, self.region):
                added += self._record(delivery)
            for message in self.wechat() if self.wechat is not None else ():
                added += self._record(wechat_delivery(message))
            if self.sqs is not None and self.cad_queue_url:
                added += self._drain_cad()
        return added

    def _record(self, delivery: Delivery) -> int:
        if delivery.key in self._seen:
            return 0
        # Strictly increasing milliseconds keep the outbox in collection order.
        self._last = max(self.clock(), self._last + 0.001)
        self._put(outbox_item(delivery, self._last))
        self._seen.add(delivery.key)
        return 1

    def _drain_cad(self) -> int:
        """Receive every waiting incident record, record it, then delete it from the queue."""
        added = 0
        while True:
            answer = self.sqs.receive_message(QueueUrl=self.cad_queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
            messages = answer.get("Messages", [])
            if not messages:
                return added
            for message in messages:
                new = self._record(Delivery(key=message["MessageId"], channel="cad", to="110", body=message["Body"]))
                if new and self.on_cad is not None:
                    self.on_cad(message["Body"])
                added += new
            self.sqs.delete_message_batch(
                QueueUrl=self.cad_queue_url,
                Entries=[{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages)],
            )

    def _put(self, item: dict[str, Any]) -> None:
        try:
            self.client.put_item(
                TableName=self.table,
                Item=item,
                ConditionExpression="attribute_not_exists(PK)",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    def run(self, stop: threading.Event, interval: float = 0.5) -> None:
        """Collect every `interval` seconds until stopped."""
        while not stop.wait(interval):
            try:
                self.collect()
            except Exception:
                log.exception("outbox collection failed")
