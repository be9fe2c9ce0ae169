"""The local stack's side of the public copies: the proxy serves `/data/*` from moto's S3 as CloudFront's `/data/*`
does, and the pump hands the table's stream to `on_dynamodb_record` handlers as Lambda does."""

from __future__ import annotations

import gzip
import http.client
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from chalice.app import Blueprint, Chalice
from moto import mock_aws
from moto.server import ThreadedMotoServer

from local.photos_bucket import ensure_photos_bucket
from local.proxy import SiteServer
from local.pump import Pump
from local.table_stream import TableStream, streams_client

BUCKET = "p24-data-photos"
SHORT_CACHE = "public, max-age=15, stale-while-revalidate=30"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Any]]:
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    endpoint = "http://{}:{}".format(*moto.get_host_and_port())
    web = tmp_path_factory.mktemp("web")
    (web / "index.html").write_text("<!doctype html><title>24小时警局</title>", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in (("AWS_ENDPOINT_URL", endpoint), ("AWS_DEFAULT_REGION", "us-east-1")):
            patch.setenv(name, value)
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        ensure_photos_bucket(BUCKET)
        s3 = boto3.client("s3", endpoint_url=endpoint)
        proxy = SiteServer(0, Path(web), storage_endpoint=endpoint, photos_bucket=BUCKET)
        thread = threading.Thread(target=proxy.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        try:
            yield proxy.server_address[1], s3
        finally:
            proxy.shutdown()
            proxy.server_close()
            thread.join()
            moto.stop()


def _get(port: int, path: str, headers: dict[str, str] | None = None, method: str = "GET") -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        connection.close()


def test_the_proxy_serves_a_public_copy_with_its_cache_headers_gzip_and_revalidation(site: tuple[int, Any]) -> None:
    port, s3 = site
    feed = json.dumps({"pinned": [], "posts": [{"id": "p1", "title": "夜间巡逻"}], "next_cursor": None}).encode()
    s3.put_object(
        Bucket=BUCKET, Key="data/feed.json", Body=feed, ContentType="application/json", CacheControl=SHORT_CACHE
    )
    status, headers, body = _get(port, "/data/feed.json")
    assert status == 200 and json.loads(body) == json.loads(feed)
    assert headers["cache-control"] == SHORT_CACHE
    assert headers["content-type"] == "application/json; charset=utf-8"
    assert headers["x-content-type-options"] == "nosniff"
    status, zipped, body = _get(port, "/data/feed.json", {"Accept-Encoding": "gzip"})
    assert status == 200 and zipped["content-encoding"] == "gzip" and gzip.decompress(body) == feed
    status, again, body = _get(port, "/data/feed.json", {"If-None-Match": headers["etag"]})
    assert status == 304 and body == b"" and again["cache-control"] == SHORT_CACHE


def test_the_proxy_serves_nothing_but_the_copies_under_data(site: tuple[int, Any]) -> None:
    port, s3 = site
    s3.put_object(Bucket=BUCKET, Key="photos/secret.jpg", Body=b"private photo")
    s3.put_object(Bucket=BUCKET, Key="data/notes.txt", Body=b"not a copy")
    s3.put_object(Bucket=BUCKET, Key="data/feed/report.json", Body=b"{}", CacheControl=SHORT_CACHE)
    assert _get(port, "/data/feed/report.json")[0] == 200
    for path in ("/data/posts/none.json", "/data/notes.txt", "/data/../photos/secret.jpg", "/data/feed/../x.json"):
        status, _, body = _get(port, path)
        assert status == 404 and b"private photo" not in body, path
    assert _get(port, "/data/feed.json", method="DELETE")[0] == 405


class Recorder:
    """A tiny app with a stream handler in a blueprint (as workers/publish.py is), failing its first batch."""

    def __init__(self) -> None:
        self.batches: list[list[dict[str, Any]]] = []
        self.app = Chalice(app_name="pump-stream-test")
        stream = Blueprint(__name__)

        @stream.on_dynamodb_record(stream_arn="arn:aws:dynamodb:us-east-1:0:table/t/stream/0", batch_size=10)
        def publish_posts(event: Any) -> None:
            self.batches.append(event.to_dict()["Records"])
            if len(self.batches) == 1:
                raise RuntimeError("the handler fell over")

        self.app.register_blueprint(stream)


def test_the_pump_hands_the_tables_stream_to_its_handler_in_order_and_again_after_a_failure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("PK", "SK")],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
        for n in range(3):
            dynamodb.put_item(TableName="t", Item={"PK": {"S": f"POST#p{n}"}, "SK": {"S": "META"}})
        recorder = Recorder()
        stream = TableStream(dynamodb, streams_client(), "t")
        pump = Pump(recorder.app, boto3.client("sqs"), stream=stream, stream_interval=0.05)
        stop = threading.Event()
        threads = pump.start(stop)
        deadline = time.monotonic() + 10
        while len(recorder.batches) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        dynamodb.put_item(TableName="t", Item={"PK": {"S": "POST#p3"}, "SK": {"S": "META"}})
        while len(recorder.batches) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        stop.set()
        for thread in threads:
            thread.join(5)
    first, again, later = recorder.batches[:3]
    assert again == first  # the failed batch came again, whole
    keys = [r["dynamodb"]["Keys"]["PK"]["S"] for r in first + later]
    assert keys == ["POST#p0", "POST#p1", "POST#p2", "POST#p3"]  # in order, each once after the failure
    record = later[0]
    assert record["eventName"] == "INSERT" and record["eventSource"] == "aws:dynamodb"
    assert record["eventSourceARN"].startswith("arn:aws:dynamodb:us-east-1:") and "/stream/" in record["eventSourceARN"]
    assert isinstance(record["dynamodb"]["ApproximateCreationDateTime"], float)
    assert record["dynamodb"]["NewImage"]["PK"] == {"S": "POST#p3"}
