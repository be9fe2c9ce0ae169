"""The local photos bucket survives a restart of moto: saved to the data folder, put back at start."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from local.bucket_mirror import BucketMirror

BUCKET = "p24-mirror-photos"
LONG_CACHE = "public, max-age=31536000, immutable"


@pytest.fixture
def region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)


def _fresh_moto() -> Iterator[Any]:
    with mock_aws():
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        yield s3


def _write_photos(s3: Any) -> None:
    s3.put_object(Bucket=BUCKET, Key="photos/u1/full.jpg", Body=b"full", ContentType="image/jpeg", Tagging="state=used")
    s3.put_object(
        Bucket=BUCKET, Key="media/u1/full.jpg", Body=b"public", ContentType="image/jpeg", CacheControl=LONG_CACHE
    )
    s3.put_object(Bucket=BUCKET, Key="uploads/u2", Body=b"raw upload")


@pytest.mark.usefixtures("region")
def test_photos_saved_before_a_restart_are_back_after_it(tmp_path: Path) -> None:
    first = _fresh_moto()
    s3 = next(first)
    _write_photos(s3)
    mirror = BucketMirror(s3, BUCKET, tmp_path)
    assert mirror.sync() == 3
    assert mirror.sync() == 0  # nothing changed: nothing read again
    s3.delete_object(Bucket=BUCKET, Key="uploads/u2")  # processed
    assert mirror.sync() == 1
    first.close()

    second = _fresh_moto()
    s3 = next(second)
    assert BucketMirror(s3, BUCKET, tmp_path).restore() == 2

    keys = sorted(item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"])
    assert keys == ["media/u1/full.jpg", "photos/u1/full.jpg"]
    public = s3.get_object(Bucket=BUCKET, Key="media/u1/full.jpg")
    assert (public["Body"].read(), public["ContentType"], public["CacheControl"]) == (
        b"public",
        "image/jpeg",
        LONG_CACHE,
    )
    tags = s3.get_object_tagging(Bucket=BUCKET, Key="photos/u1/full.jpg")["TagSet"]
    assert tags == [{"Key": "state", "Value": "used"}]
    assert BucketMirror(s3, BUCKET, tmp_path).sync() == 0  # restored as saved
    second.close()


@pytest.mark.usefixtures("region")
def test_an_object_written_again_is_saved_again(tmp_path: Path) -> None:
    moto = _fresh_moto()
    s3 = next(moto)
    mirror = BucketMirror(s3, BUCKET, tmp_path)
    s3.put_object(Bucket=BUCKET, Key="photos/u3/thumb.jpg", Body=b"one")
    mirror.sync()
    s3.put_object(Bucket=BUCKET, Key="photos/u3/thumb.jpg", Body=b"two")
    assert mirror.sync() == 1
    s3.delete_object(Bucket=BUCKET, Key="photos/u3/thumb.jpg")
    BucketMirror(s3, BUCKET, tmp_path).restore()
    assert s3.get_object(Bucket=BUCKET, Key="photos/u3/thumb.jpg")["Body"].read() == b"two"
    moto.close()
