"""The public copies (services.publish.PublicObjects) under `data/` in the photos bucket, served by CloudFront's
`/data/*` behaviour (infra/edge.json) and locally by the proxy (local/data_routes.py).

Writes are conditional on the object read (S3's `If-Match`, or `If-None-Match: *` for a new one), so two writers
of one feed never overwrite each other's newer copy; a copy equal to the stored one is not written again (its
ETag is the MD5 of the body: SSE-S3, single part), since a write costs twelve times a read.
"""

from __future__ import annotations

import hashlib
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.aws import client
from chalicelib.adapters.s3_photos import invalidate
from chalicelib.config import Settings

CONTENT_TYPE = "application/json; charset=utf-8"
_LOST_RACE = ("PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey", "412", "409")


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


class S3PublicObjects:
    """JSON objects in the photos bucket; CloudFront told to forget withdrawn ones."""

    def __init__(self, settings: Settings) -> None:
        self.bucket, self.region = settings.photos_bucket, settings.region
        self.distribution = settings.media_distribution

    @property
    def s3(self) -> Any:
        return client("s3", self.region)

    def etag(self, key: str) -> str | None:
        try:
            answer = self.s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _code(error) in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return str(answer["ETag"]).strip('"')

    def write(self, key: str, body: bytes, etag: str | None, cache_control: str) -> bool:
        if etag is not None and hashlib.md5(body, usedforsecurity=False).hexdigest() == etag:
            return True  # already there
        condition = {"IfMatch": f'"{etag}"'} if etag is not None else {"IfNoneMatch": "*"}
        try:
            self.s3.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=body,
                ContentType=CONTENT_TYPE,
                CacheControl=cache_control,
                **condition,
            )
        except ClientError as error:
            if _code(error) in _LOST_RACE:
                return False
            raise
        return True

    def delete(self, key: str) -> bool:
        if self.etag(key) is None:
            return False
        self.s3.delete_object(Bucket=self.bucket, Key=key)
        return True

    def invalidate(self, paths: list[str]) -> None:
        if not self.distribution or not paths:
            return
        invalidate(self.region, self.distribution, paths)
