"""`make dev` and photos: the browser's upload and the public photos go through the site's own origin.

One `python -m local.devstack`: the photos bucket exists with its rules, a presigned POST to /storage lands in
it, and /media serves the bucket's media/ copies and nothing else.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config

from tests.e2e.stack import Stack

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


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, Any]]:
    folder = tmp_path_factory.mktemp("photos-stack")
    running = Stack(folder / "data", folder / "stack.log")
    try:
        running.wait_until_ready()
        found = re.search(r"AWS:\s+(http://\S+)", running.output())
        assert found, running.output()
        yield running, _s3(found.group(1))
    finally:
        running.stop()


def test_the_stack_has_the_photos_bucket_with_its_lifecycle(stack: tuple[Stack, Any]) -> None:
    _, s3 = stack
    rules = {r["ID"]: r for r in s3.get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]}
    assert rules["uploads-expire"]["Expiration"] == {"Days": 1}
    assert rules["unused-photos-expire"]["Expiration"] == {"Days": 2}


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
