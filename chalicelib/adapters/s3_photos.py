"""Photos in S3, public copies behind CloudFront (services.storage.PhotoStorage)."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

from botocore.exceptions import ClientError

from chalicelib.adapters.aws import client
from chalicelib.config import Settings
from chalicelib.services.storage import PresignedPost

_USED = "state=used"


def invalidate(region: str, distribution: str, paths: list[str]) -> None:
    """Tell the CloudFront distribution to forget these paths (photos under /media/*, public copies under /data/*)."""
    client("cloudfront", region).create_invalidation(
        DistributionId=distribution,
        InvalidationBatch={"Paths": {"Quantity": len(paths), "Items": paths}, "CallerReference": uuid.uuid4().hex},
    )


class S3PhotoStorage:
    """One bucket; the browser reaches it at `storage_url` when set (the local proxy), the public at `media_url`."""

    def __init__(self, settings: Settings) -> None:
        self.bucket, self.region = settings.photos_bucket, settings.region
        self.media_url, self.storage_url = settings.media_url, settings.storage_url
        self.distribution = settings.media_distribution

    @property
    def s3(self) -> Any:
        return client("s3", self.region)

    def presign_post(self, key: str, content_type: str, max_bytes: int, expires_in: int) -> PresignedPost:
        post = self.s3.generate_presigned_post(
            Bucket=self.bucket,
            Key=key,
            Fields={"Content-Type": content_type},
            Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=expires_in,
        )
        url = f"{self.storage_url}/{self.bucket}" if self.storage_url else post["url"]
        return PresignedPost(url, dict(post["fields"]), expires_in)

    def read(self, key: str, max_bytes: int) -> bytes | None:
        try:
            answer = self.s3.get_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise
        if int(answer.get("ContentLength") or 0) > max_bytes:
            answer["Body"].close()
            raise ValueError(f"{key} is larger than {max_bytes} bytes")
        data: bytes = answer["Body"].read(max_bytes + 1)
        if len(data) > max_bytes:
            raise ValueError(f"{key} is larger than {max_bytes} bytes")
        return data

    def put(self, key: str, data: bytes, content_type: str, *, cache: str = "", unused: bool = False) -> None:
        extra: dict[str, str] = {"CacheControl": cache} if cache else {}
        if unused:
            extra["Tagging"] = "state=unused"
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type, **extra)

    def mark_used(self, key: str) -> None:
        self.s3.put_object_tagging(Bucket=self.bucket, Key=key, Tagging={"TagSet": [{"Key": "state", "Value": "used"}]})

    def copy(self, source: str, target: str, cache: str) -> None:
        self.s3.copy_object(
            Bucket=self.bucket,
            Key=target,
            CopySource={"Bucket": self.bucket, "Key": source},
            MetadataDirective="REPLACE",
            ContentType="image/jpeg",
            CacheControl=cache,
            TaggingDirective="REPLACE",
            Tagging=_USED,
        )

    def delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):
            chunk = keys[start : start + 1000]
            self.s3.delete_objects(
                Bucket=self.bucket, Delete={"Objects": [{"Key": key} for key in chunk], "Quiet": True}
            )

    def signed_url(self, key: str, expires_in: int) -> str:
        url: str = self.s3.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=expires_in
        )
        if not self.storage_url:
            return url
        parts = urlsplit(url)  # path style on a custom endpoint: /<bucket>/<key>?<signature>
        return f"{self.storage_url}{parts.path}?{parts.query}"

    def public_url(self, key: str) -> str:
        return f"{self.media_url}/{key}"

    def invalidate(self, paths: list[str]) -> None:
        if not self.distribution or not paths:
            return
        invalidate(self.region, self.distribution, paths)
