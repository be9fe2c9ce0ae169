"""The proxy's storage routes on moto: the browser's presigned POST and signed GETs through /storage on the
site's origin, and the public photos at /media/<id>/<full|thumb>.jpg from the bucket's media/ keys alone."""

from __future__ import annotations

import base64
import http.client
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config
from moto.server import ThreadedMotoServer

from local.photos_bucket import ensure_photos_bucket
from local.proxy import SiteServer

BUCKET = "p24-proxy-photos"
TEN_MB = 10 * 1024 * 1024
LONG_CACHE = "public, max-age=31536000, immutable"


@dataclass
class Site:
    """The proxy's base URL and a client on moto itself (as the app's own is)."""

    base: str
    port: int
    s3: Any

    def browser_client(self) -> Any:
        """An S3 client whose URLs point at the site's /storage (what the app gives the browser locally)."""
        return _client(self.base + "/storage")


def _client(endpoint: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"),
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
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
        proxy = SiteServer(0, Path(web), storage_endpoint=endpoint, photos_bucket=BUCKET)
        thread = threading.Thread(target=proxy.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        port = proxy.server_address[1]
        try:
            yield Site(f"http://127.0.0.1:{port}", port, _client(endpoint))
        finally:
            proxy.shutdown()
            proxy.server_close()
            thread.join()
            moto.stop()


def _raw(port: int, method: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        connection.close()


def test_the_browsers_presigned_post_of_a_ten_mb_photo_goes_through_the_same_origin(site: Site) -> None:
    photo = b"\xff\xd8\xff\xe0" + bytes(range(256)) * (TEN_MB // 256 - 1)
    post = site.browser_client().generate_presigned_post(
        BUCKET,
        "uploads/u-ten-mb",
        Fields={"Content-Type": "image/jpeg"},
        Conditions=[{"Content-Type": "image/jpeg"}, ["content-length-range", 1, TEN_MB]],
        ExpiresIn=900,
    )
    assert post["url"] == f"{site.base}/storage/{BUCKET}"

    answer = requests.post(post["url"], data=post["fields"], files={"file": ("a.jpg", photo)}, timeout=60)

    assert answer.status_code == 204, answer.text
    stored = site.s3.get_object(Bucket=BUCKET, Key="uploads/u-ten-mb")
    assert stored["Body"].read() == photo
    assert stored["ContentType"] == "image/jpeg"


def test_a_signed_get_through_the_same_origin_gives_the_private_photo(site: Site) -> None:
    site.s3.put_object(Bucket=BUCKET, Key="photos/p-signed/full.jpg", Body=b"JPEG-BYTES", ContentType="image/jpeg")
    url = site.browser_client().generate_presigned_url(
        "get_object", Params={"Bucket": BUCKET, "Key": "photos/p-signed/full.jpg"}, ExpiresIn=300
    )
    assert url.startswith(f"{site.base}/storage/{BUCKET}/photos/p-signed/full.jpg?")

    answer = requests.get(url, timeout=10)

    assert answer.status_code == 200
    assert answer.content == b"JPEG-BYTES"
    assert answer.headers["Content-Type"] == "image/jpeg"


def test_a_body_over_twelve_mb_is_refused_before_it_reaches_storage(site: Site) -> None:
    answer = requests.post(f"{site.base}/storage/{BUCKET}", data=b"x" * (13 * 1024 * 1024), timeout=30)
    assert answer.status_code == 413
    assert b"EntityTooLarge" in answer.content


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/storage/another-bucket/key", {}),
        ("/storage/", {}),
        (f"/storage/{BUCKET}-x/key", {}),
        (f"/storage/{BUCKET}/", {"X-Amz-Target": "DynamoDB_20120810.ListTables"}),
        (
            f"/storage/{BUCKET}/",
            {"Authorization": "AWS4-HMAC-SHA256 Credential=testing/20261203/us-east-1/dynamodb/aws4_request, x=y"},
        ),
    ],
)
def test_storage_reaches_the_photos_bucket_and_no_other_service(site: Site, path: str, headers: dict[str, str]) -> None:
    status, _, body = _raw(site.port, "POST", path, headers)
    assert status == 404
    assert b"TableNames" not in body


def _publish(site: Site, upload_id: str) -> bytes:
    body = f"public {upload_id}".encode()
    for name in ("full", "thumb"):
        site.s3.put_object(
            Bucket=BUCKET,
            Key=f"media/{upload_id}/{name}.jpg",
            Body=body,
            ContentType="image/jpeg",
            CacheControl=LONG_CACHE,
        )
    return body


def test_a_public_photo_is_served_from_media_with_its_type_and_long_cache(site: Site) -> None:
    body = _publish(site, "u-public")

    status, headers, answer = _raw(site.port, "GET", "/media/u-public/thumb.jpg")
    assert (status, answer) == (200, body)
    assert headers["content-type"] == "image/jpeg"
    assert headers["cache-control"] == LONG_CACHE
    assert headers["content-length"] == str(len(body))

    status, headers, answer = _raw(site.port, "HEAD", "/media/u-public/full.jpg")
    assert (status, answer) == (200, b"")
    assert headers["content-length"] == str(len(body))

    status, _, answer = _raw(site.port, "GET", "/media/u-public/full.jpg", {"If-None-Match": headers["etag"]})
    assert (status, answer) == (304, b"")


@pytest.mark.parametrize(
    "path",
    [
        "/media/u-private/full.jpg",  # processed but not public: no media/ copy
        "/media/u-private/thumb.jpg",
        "/media/../photos/u-private/full.jpg",
        "/media/%2e%2e/photos/u-private/full.jpg",
        "/media/u-private/../../uploads/u-private",
        "/media/u-public/original.jpg",
        "/media/u-public/full.png",
        "/media/u-public",
        "/media/",
        "/media/u-public/full.jpg/",
    ],
)
def test_nothing_but_media_copies_is_reachable_through_media(site: Site, path: str) -> None:
    _publish(site, "u-public")
    site.s3.put_object(Bucket=BUCKET, Key="photos/u-private/full.jpg", Body=b"PRIVATE")
    site.s3.put_object(Bucket=BUCKET, Key="uploads/u-private", Body=b"PRIVATE")

    status, _, body = _raw(site.port, "GET", path)

    assert status == 404
    assert b"PRIVATE" not in body and b"public" not in body


def test_media_is_read_only(site: Site) -> None:
    _publish(site, "u-public")
    for method in ("PUT", "DELETE", "POST"):
        assert _raw(site.port, method, "/media/u-public/full.jpg")[0] == 405
    assert site.s3.get_object(Bucket=BUCKET, Key="media/u-public/full.jpg")["Body"].read() == b"public u-public"


def _policy(site: Site, key: str, expires: int = 900) -> dict[str, Any]:
    post: dict[str, Any] = site.browser_client().generate_presigned_post(
        BUCKET,
        key,
        Fields={"Content-Type": "image/jpeg"},
        Conditions=[{"Content-Type": "image/jpeg"}, ["content-length-range", 1, 1000]],
        ExpiresIn=expires,
    )
    return post


def _tampered_policy(fields: dict[str, str]) -> str:
    policy = json.loads(base64.b64decode(fields["policy"]))
    policy["conditions"] = [
        c for c in policy["conditions"] if not isinstance(c, list) or c[0] != "content-length-range"
    ]
    return base64.b64encode(json.dumps(policy).encode()).decode()


@pytest.mark.parametrize(
    ("change", "size", "status", "code"),
    [
        ({}, 1001, 400, "EntityTooLarge"),
        ({}, 0, 400, "EntityTooSmall"),
        ({"Content-Type": "text/html"}, 10, 403, "AccessDenied"),
        ({"key": "media/u-policy/full.jpg"}, 10, 403, "AccessDenied"),  # would be public through /media
        ({"acl": "public-read"}, 10, 403, "AccessDenied"),  # a field the policy does not name
        ({"x-amz-signature": "0" * 64}, 10, 403, "SignatureDoesNotMatch"),
        ({"policy": _tampered_policy}, 5000, 403, "SignatureDoesNotMatch"),
        ({"expired": True}, 10, 403, "AccessDenied"),
    ],
    ids=["too-big", "empty", "other-type", "other-key", "extra-field", "bad-signature", "tampered", "expired"],
)
def test_an_upload_outside_its_policy_is_refused_as_s3_refuses_it_and_nothing_is_stored(
    site: Site, change: dict[str, Any], size: int, status: int, code: str
) -> None:
    key = f"uploads/u-policy-{code}-{size}"
    post = _policy(site, key, expires=-60 if change.get("expired") else 900)
    fields = dict(post["fields"])
    fields.update({n: v(fields) if callable(v) else v for n, v in change.items() if n != "expired"})

    answer = requests.post(post["url"], data=fields, files={"file": ("a.jpg", b"x" * size)}, timeout=30)

    assert answer.status_code == status, answer.text
    assert f"<Code>{code}</Code>" in answer.text
    for prefix in (key, "media/u-policy"):
        assert "Contents" not in site.s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix)


def test_a_post_without_a_policy_is_refused(site: Site) -> None:
    answer = requests.post(
        f"{site.base}/storage/{BUCKET}", data={"key": "uploads/anonymous"}, files={"file": b"x"}, timeout=10
    )
    assert answer.status_code == 403
    assert "Contents" not in site.s3.list_objects_v2(Bucket=BUCKET, Prefix="uploads/anonymous")


def test_the_apps_s3_client_presigns_with_sigv4_which_s3_and_this_proxy_accept(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """boto3 presigns S3 with SigV2 in us-east-1 by default; buckets created since June 2020 refuse SigV2."""
    from chalicelib.adapters.aws import clear_clients, client

    monkeypatch.setenv("AWS_ENDPOINT_URL", site.base + "/storage")
    clear_clients()
    try:
        s3 = client("s3", "us-east-1")
        post = s3.generate_presigned_post(BUCKET, "uploads/u-app", ExpiresIn=60)
        # the app signs reads of processed photos only (photos/<id>/...): the proxy lets nothing else through
        url = s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "photos/u-app/full.jpg"})
    finally:
        clear_clients()
    assert post["fields"]["x-amz-algorithm"] == "AWS4-HMAC-SHA256" and "X-Amz-Algorithm=AWS4-HMAC-SHA256" in url
    assert requests.post(post["url"], data=post["fields"], files={"file": b"x"}, timeout=10).status_code == 204
    assert site.s3.get_object(Bucket=BUCKET, Key="uploads/u-app")["Body"].read() == b"x"
    site.s3.put_object(Bucket=BUCKET, Key="photos/u-app/full.jpg", Body=b"y", ContentType="image/jpeg")
    assert requests.get(url, timeout=10).content == b"y"
