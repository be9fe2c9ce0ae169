"""The ports of photos (services.photos): the upload records and the object storage; adapters implement them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from chalicelib.domain.photos import Upload


@dataclass(frozen=True)
class PresignedPost:
    """Where and how the browser sends one file straight to storage."""

    url: str
    fields: dict[str, str]
    expires_in: int  # seconds the POST stays good


class UploadBook(Protocol):
    """One record per upload: owner, declared type and size, how processing went, what uses it."""

    def put(self, upload: Upload) -> None:
        """Record a new upload (forgotten a day on unless used)."""

    def get(self, upload_id: str, consistent: bool = True) -> Upload | None:
        """Return an upload, or None."""

    def settle(self, upload_id: str, state: str, width: int = 0, height: int = 0) -> bool:
        """Record how processing went, once: False if unknown or settled before (a redelivered event)."""


class PhotoStorage(Protocol):
    """The bucket: raw uploads, private processed photos, public copies (S3 and CloudFront in the cloud)."""

    def presign_post(self, key: str, content_type: str, max_bytes: int, expires_in: int) -> PresignedPost:
        """Return a POST the browser can send one file of that type and at most that size with, to that key."""

    def read(self, key: str, max_bytes: int) -> bytes | None:
        """Return an object's bytes (None if missing; ValueError if larger than max_bytes)."""

    def put(self, key: str, data: bytes, content_type: str, *, cache: str = "", unused: bool = False) -> None:
        """Write an object; `unused` tags it for the lifecycle rule that expires photos no post took."""

    def mark_used(self, key: str) -> None:
        """Take the `unused` tag off, so the lifecycle rule keeps the object."""

    def copy(self, source: str, target: str, cache: str) -> None:
        """Copy an object within the bucket, with the given Cache-Control."""

    def delete(self, keys: list[str]) -> None:
        """Delete objects (missing ones are fine)."""

    def signed_url(self, key: str, expires_in: int) -> str:
        """Return a short-lived signed GET URL of a private object."""

    def public_url(self, key: str) -> str:
        """Return the long-cached public URL of an object under media/."""

    def invalidate(self, paths: list[str]) -> None:
        """Ask the CDN to forget cached copies (paths like /media/<id>/*); nothing where there is no CDN."""
