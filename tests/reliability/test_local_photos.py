"""`make dev` and photos: the browser's upload and the public photos go through the site's own origin.

One `python -m local.devstack`: the photos bucket exists with its rules, a presigned POST to /storage lands in
it, /media serves the bucket's media/ copies and nothing else, and the photos are still there after Ctrl-C and
a new start on the same data folder.
"""

from __future__ import annotations

import io
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config

from tests.e2e.stack import Stack
from tests.integration.test_photos_bucket import expiry_days

pytestmark = pytest.mark.slow
BUCKET = "police24-photos"


def _s3(endpoint: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"),
    )


@dataclass
class Running:
    """The stack now running on `folder`/data (a test may restart it)."""

    stack: Stack
    folder: Path

    def start(self, log: str) -> None:
        self.stack = Stack(self.folder / "data", self.folder / log)
        self.stack.wait_until_ready()

    @property
    def s3(self) -> Any:
        found = re.search(r"AWS:\s+(http://\S+)", self.stack.output())
        assert found, self.stack.output()
        return _s3(found.group(1))


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    folder = tmp_path_factory.mktemp("photos-stack")
    holder = Running(Stack(folder / "data", folder / "first.log"), folder)
    try:
        holder.stack.wait_until_ready()
        yield holder
    finally:
        holder.stack.stop()


@pytest.fixture
def stack(running: Running) -> tuple[Stack, Any]:
    return running.stack, running.s3


def test_the_stack_has_the_photos_bucket_with_its_lifecycle(stack: tuple[Stack, Any]) -> None:
    _, s3 = stack
    assert expiry_days(s3, BUCKET) == {("uploads/", ()): 1, ("photos/", (("state", "unused"),)): 2}


def test_a_presigned_post_to_storage_on_the_sites_origin_lands_in_the_bucket(stack: tuple[Stack, Any]) -> None:
    site, s3 = stack
    key = f"uploads/{uuid.uuid4().hex}"
    post = _s3(site.base + "/storage").generate_presigned_post(
        BUCKET, key, Fields={"Content-Type": "image/png"}, Conditions=[{"Content-Type": "image/png"}]
    )
    answer = requests.post(post["url"], data=post["fields"], files={"file": ("a.png", b"\x89PNG...")}, timeout=30)
    assert answer.status_code == 204, answer.text
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == b"\x89PNG..."


def test_media_serves_the_public_copies_alone(stack: tuple[Stack, Any], tmp_path: Path) -> None:
    site, s3 = stack
    photo = uuid.uuid4().hex
    s3.put_object(Bucket=BUCKET, Key=f"photos/{photo}/full.jpg", Body=b"private", ContentType="image/jpeg")
    assert requests.get(f"{site.base}/media/{photo}/full.jpg", timeout=10).status_code == 404

    cache = "public, max-age=31536000, immutable"
    s3.put_object(
        Bucket=BUCKET, Key=f"media/{photo}/full.jpg", Body=b"public", ContentType="image/jpeg", CacheControl=cache
    )
    answer = requests.get(f"{site.base}/media/{photo}/full.jpg", timeout=10)
    assert (answer.status_code, answer.content) == (200, b"public")
    assert (answer.headers["Content-Type"], answer.headers["Cache-Control"]) == ("image/jpeg", cache)


def _phone_photo() -> bytes:
    from PIL import ExifTags, Image

    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SECRET-CAMERA"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update({1: "N", 2: (40.0, 39.0, 28.0), 3: "E", 4: (109.0, 50.0, 24.0)})
    out = io.BytesIO()
    Image.new("RGB", (3000, 2000), (30, 120, 200)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_a_photo_goes_from_the_browser_through_the_pump_to_a_public_post(stack: tuple[Stack, Any]) -> None:
    """The whole loop on `make dev`: ticket, presigned POST on the site's origin, the pump's S3 event, the post."""
    site, s3 = stack
    token = site.sign_in(site.new_phone())["token"]
    data = _phone_photo()
    status, ticket = site.call("POST", "/uploads", {"content_type": "image/jpeg", "size": len(data)}, token)
    assert status == 201, ticket
    assert ticket["url"] == f"/storage/{BUCKET}"  # the site's own origin
    sent = requests.post(site.base + ticket["url"], data=ticket["fields"], files={"file": ("p.jpg", data)}, timeout=30)
    assert sent.status_code == 204, sent.text
    key = ticket["fields"]["key"]
    deadline = time.monotonic() + 20
    while "Contents" in s3.list_objects_v2(Bucket=BUCKET, Prefix=key) and time.monotonic() < deadline:
        time.sleep(0.2)  # the pump lists uploads/ every second and calls process_upload, which deletes it

    post = site.post(
        token,
        board="qa",
        type="question",
        title=f"带图 {uuid.uuid4().hex[:6]}",
        body="看图",
        photos=[ticket["upload_id"]],
    )

    [photo] = post["photos"]
    assert (photo["width"], photo["height"]) == (2048, 1365)
    for url in (photo["url"], photo["thumb_url"]):
        answer = requests.get(site.base + url, timeout=10)
        assert answer.status_code == 200 and answer.headers["Content-Type"] == "image/jpeg"
        assert b"SECRET-CAMERA" not in answer.content and b"Exif" not in answer.content


def test_photos_are_still_there_after_a_restart(running: Running) -> None:
    photo = uuid.uuid4().hex
    cache = "public, max-age=31536000, immutable"
    running.s3.put_object(Bucket=BUCKET, Key=f"media/{photo}/thumb.jpg", Body=b"kept", CacheControl=cache)
    running.stack.stop()  # Ctrl-C: the last sync saves what the last second wrote

    running.start("second.log")

    answer = requests.get(f"{running.stack.base}/media/{photo}/thumb.jpg", timeout=10)
    assert (answer.status_code, answer.content, answer.headers["Cache-Control"]) == (200, b"kept", cache)
