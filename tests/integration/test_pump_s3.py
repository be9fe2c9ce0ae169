"""The local pump delivers S3 uploads to on_s3_event handlers in the event shape S3 gives Lambda."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote_plus

import boto3
import pytest
from chalice.app import Blueprint, Chalice
from moto import mock_aws

from local.bucket_events import scan
from local.pump import Pump

BUCKET = "p24-pump-photos"


class Uploads:
    """A tiny Chalice app with an S3 handler in a blueprint (as workers/photos.py is), recording what it gets."""

    def __init__(self, bucket: str = BUCKET, failures: int = 0) -> None:
        self.events: list[dict[str, Any]] = []
        self.keys: list[str] = []
        self.failures = failures
        self.app = Chalice(app_name="pump-s3-test")
        photos = Blueprint(__name__)

        @photos.on_s3_event(bucket=bucket, prefix="uploads/", events=["s3:ObjectCreated:*"])
        def process_upload(event: Any) -> None:
            self.events.append(event.to_dict())
            if self.failures:
                self.failures -= 1
                raise RuntimeError("the processor fell over")
            self.keys.append(event.key)

        @photos.on_s3_event(bucket=bucket, events=["s3:ObjectRemoved:*"])
        def on_removed(event: Any) -> None:
            raise AssertionError("removals are not simulated")

        self.app.register_blueprint(photos)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Any]]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        yield s3, boto3.client("sqs")


def test_the_pump_finds_object_created_handlers_of_existing_buckets(aws: tuple[Any, Any]) -> None:
    s3, sqs = aws
    pump = Pump(Uploads().app, sqs, s3=s3)
    [binding] = pump.buckets
    assert (binding.function_name, binding.bucket, binding.prefix) == ("process_upload", BUCKET, "uploads/")
    assert Pump(Uploads(bucket="no-such-bucket").app, sqs, s3=s3).buckets == []
    assert Pump(Uploads().app, sqs).buckets == []  # no S3 client, no watching


def test_an_upload_arrives_once_as_an_s3_object_created_post_event(aws: tuple[Any, Any]) -> None:
    s3, sqs = aws
    uploads = Uploads()
    pump = Pump(uploads.app, sqs, s3=s3, region="us-east-1")
    key = "uploads/u1 a=b+c"  # S3 encodes a key in its events: space as +, = as %3D, + as %2B
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"photo bytes")
    s3.put_object(Bucket=BUCKET, Key="photos/u0/full.jpg", Body=b"not watched")

    assert scan(s3, pump.buckets[0], "us-east-1") == 1
    assert scan(s3, pump.buckets[0], "us-east-1") == 0  # delivered once

    [event] = uploads.events
    [record] = event["Records"]
    assert record["eventSource"] == "aws:s3"
    assert record["eventName"] == "ObjectCreated:Post"
    assert record["awsRegion"] == "us-east-1"
    assert record["eventTime"].endswith("Z")
    assert record["s3"]["bucket"] == {
        "name": BUCKET,
        "ownerIdentity": {"principalId": "LOCAL"},
        "arn": f"arn:aws:s3:::{BUCKET}",
    }
    found = record["s3"]["object"]
    assert found["key"] == "uploads/u1+a%3Db%2Bc"
    assert unquote_plus(found["key"]) == key
    assert found["size"] == len(b"photo bytes")
    assert found["eTag"] == hashlib.md5(b"photo bytes").hexdigest()  # S3's ETag of a simple upload
    assert uploads.keys == [key]  # chalice's S3Event decodes it back


def test_an_object_written_again_with_new_content_is_delivered_again(aws: tuple[Any, Any]) -> None:
    s3, sqs = aws
    uploads = Uploads()
    binding = Pump(uploads.app, sqs, s3=s3).buckets[0]
    s3.put_object(Bucket=BUCKET, Key="uploads/u2", Body=b"first")
    scan(s3, binding, "us-east-1")
    s3.put_object(Bucket=BUCKET, Key="uploads/u2", Body=b"second")
    scan(s3, binding, "us-east-1")
    s3.delete_object(Bucket=BUCKET, Key="uploads/u2")
    scan(s3, binding, "us-east-1")
    assert [e["Records"][0]["s3"]["object"]["size"] for e in uploads.events] == [5, 6]
    assert binding.delivered == set()  # what is gone is forgotten


def test_a_failing_handler_is_logged_and_called_again_next_tick(
    aws: tuple[Any, Any], caplog: pytest.LogCaptureFixture
) -> None:
    s3, sqs = aws
    uploads = Uploads(failures=2)
    binding = Pump(uploads.app, sqs, s3=s3).buckets[0]
    s3.put_object(Bucket=BUCKET, Key="uploads/u3", Body=b"x")

    with caplog.at_level(logging.ERROR, logger="local.bucket_events"):
        assert [scan(s3, binding, "us-east-1") for _ in range(4)] == [0, 0, 1, 0]

    assert len(uploads.events) == 3 and uploads.keys == ["uploads/u3"]
    assert sum("retried next tick" in r.getMessage() for r in caplog.records) == 2


def test_the_pump_thread_delivers_within_a_tick_and_stops_quickly(aws: tuple[Any, Any]) -> None:
    s3, sqs = aws
    uploads = Uploads()
    pump = Pump(uploads.app, sqs, s3=s3, bucket_interval=0.05)
    stop = threading.Event()
    threads = pump.start(stop)
    s3.put_object(Bucket=BUCKET, Key="uploads/u4", Body=b"x")
    deadline = time.monotonic() + 5
    while not uploads.keys and time.monotonic() < deadline:
        time.sleep(0.02)
    stop.set()
    for thread in threads:
        thread.join(timeout=3)
    assert not any(thread.is_alive() for thread in threads)
    assert uploads.keys == ["uploads/u4"]
