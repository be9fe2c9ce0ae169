"""Deliver S3 ObjectCreated events to the app's `on_s3_event` handlers, as Lambda would (used by local/pump.py).

moto does not invoke Lambda functions on S3 notifications, so the pump lists each watched prefix every second
and hands every new object (new key, or a key with a new ETag) to its handler in the event shape S3 gives
Lambda: one record per object, `eventName` `ObjectCreated:Post` (the browser's presigned POST), the key
URL-encoded as S3 encodes it (`unquote_plus` gives it back, as chalice's S3Event does). What was delivered is
remembered in memory only: a restart delivers again, which the handler must take (S3 redelivers too). A handler
that raises is logged and called again on the next tick, as Lambda retries an asynchronous invocation.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus

from botocore.exceptions import ClientError
from chalice.app import S3EventConfig
from chalice.local import LambdaContext

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class BucketBinding:
    """A bucket prefix and the Lambda function its ObjectCreated events invoke."""

    function_name: str
    bucket: str
    prefix: str
    suffix: str
    handler: Handler
    delivered: set[tuple[str, str]] = field(default_factory=set)  # (key, ETag) handled without an exception


def discover_buckets(chalice_app: Any, s3: Any) -> list[BucketBinding]:
    """Find the app's on_s3_event handlers for ObjectCreated events on buckets that exist."""
    bindings = []
    for source in chalice_app.event_sources:
        if not isinstance(source, S3EventConfig):
            continue
        if not any(e.startswith("s3:ObjectCreated:") for e in source.events):
            continue
        try:
            s3.head_bucket(Bucket=source.bucket)
        except ClientError:
            log.warning("pump: bucket %s of %s does not exist; skipped", source.bucket, source.name)
            continue
        handler = chalice_app.handler_map[source.name]
        bindings.append(BucketBinding(source.name, source.bucket, source.prefix or "", source.suffix or "", handler))
    return bindings


def s3_event(binding: BucketBinding, item: dict[str, Any], region: str) -> dict[str, Any]:
    """Build the event S3 passes to Lambda for one object created by a POST (`item` is a ListObjectsV2 entry)."""
    modified = item.get("LastModified") or datetime.now(UTC)
    record = {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": region,
        "eventTime": modified.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "eventName": "ObjectCreated:Post",
        "userIdentity": {"principalId": "AWS:LOCAL"},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {"x-amz-request-id": uuid.uuid4().hex[:16].upper(), "x-amz-id-2": uuid.uuid4().hex},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": binding.function_name,
            "bucket": {
                "name": binding.bucket,
                "ownerIdentity": {"principalId": "LOCAL"},
                "arn": f"arn:aws:s3:::{binding.bucket}",
            },
            "object": {
                "key": quote_plus(item["Key"], safe="/"),
                "size": int(item.get("Size", 0)),
                "eTag": str(item.get("ETag", "")).strip('"'),
                "sequencer": f"{time.time_ns():016X}",
            },
        },
    }
    return {"Records": [record]}


def _listing(s3: Any, binding: BucketBinding) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=binding.bucket, Prefix=binding.prefix):
        items.extend(i for i in page.get("Contents", []) if i["Key"].endswith(binding.suffix))
    return items


def scan(s3: Any, binding: BucketBinding, region: str) -> int:
    """Deliver each object not yet delivered under the binding's prefix; return how many were handled."""
    items = _listing(s3, binding)
    present = {(i["Key"], str(i.get("ETag", "")).strip('"')) for i in items}
    binding.delivered &= present  # forget what is gone (the handler deletes what it processed)
    handled = 0
    for item in sorted(items, key=lambda i: (i.get("LastModified") or 0, i["Key"])):
        seen = (item["Key"], str(item.get("ETag", "")).strip('"'))
        if seen in binding.delivered:
            continue
        context = LambdaContext(binding.function_name, memory_size=1024, max_runtime_ms=60_000)
        try:
            binding.handler(s3_event(binding, item, region), context)
        except Exception:
            name, bucket = binding.function_name, binding.bucket
            log.exception("pump: %s failed on s3://%s/%s; retried next tick", name, bucket, seen[0])
            continue
        binding.delivered.add(seen)
        handled += 1
    if handled:
        log.info("pump: %s handled %d object(s)", binding.function_name, handled)
    return handled


def watch(s3: Any, binding: BucketBinding, region: str, stop: threading.Event, interval: float) -> None:
    """Scan the binding's prefix every `interval` seconds until `stop` is set."""
    while not stop.is_set():
        try:
            scan(s3, binding, region)
        except Exception:
            log.exception("pump: listing s3://%s/%s failed", binding.bucket, binding.prefix)
        stop.wait(interval)
