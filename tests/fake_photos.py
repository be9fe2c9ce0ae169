"""Fakes of the photo ports (services.storage): upload records and a bucket in memory."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.photos import Upload
from chalicelib.services.storage import PresignedPost


class InMemoryUploadBook:
    """Upload records in a dict; `claim` is what the post repository's transaction does."""

    def __init__(self) -> None:
        self.uploads: dict[str, Upload] = {}
        self._lock = threading.Lock()

    def put(self, upload: Upload) -> None:
        self.uploads[upload.id] = upload

    def get(self, upload_id: str, consistent: bool = True) -> Upload | None:
        return self.uploads.get(upload_id)

    def settle(self, upload_id: str, state: str, width: int = 0, height: int = 0) -> bool:
        with self._lock:
            upload = self.uploads.get(upload_id)
            if upload is None or upload.state != "pending":
                return False
            self.uploads[upload_id] = upload.model_copy(update={"state": state, "width": width, "height": height})
            return True

    def claim(self, claims: Sequence[Upload], used_by: str) -> None:
        """Mark uploads used, all or none: each the owner's, in the state read, unused (as the table's condition)."""
        with self._lock:
            for upload in claims:
                stored = self.uploads.get(upload.id)
                if (
                    stored is None
                    or stored.owner_id != upload.owner_id
                    or stored.state != upload.state
                    or stored.used_by
                ):
                    raise ValidationFailed("照片已被使用或不属于您，请重新添加", {"photos": "used"})
            for upload in claims:
                self.uploads[upload.id] = self.uploads[upload.id].model_copy(update={"used_by": used_by})


class InMemoryPhotoStorage:
    """A bucket in a dict of key -> (bytes, content type, cache control, tags); invalidations recorded."""

    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, str, str, str]] = {}
        self.invalidated: list[str] = []

    def presign_post(self, key: str, content_type: str, max_bytes: int, expires_in: int) -> PresignedPost:
        return PresignedPost("https://storage.test/bucket", {"key": key, "Content-Type": content_type}, expires_in)

    def read(self, key: str, max_bytes: int) -> bytes | None:
        found = self.objects.get(key)
        if found is None:
            return None
        if len(found[0]) > max_bytes:
            raise ValueError("too big")
        return found[0]

    def put(self, key: str, data: bytes, content_type: str, *, cache: str = "", unused: bool = False) -> None:
        self.objects[key] = (data, content_type, cache, "state=unused" if unused else "")

    def mark_used(self, key: str) -> None:
        data, kind, cache, _ = self.objects[key]
        self.objects[key] = (data, kind, cache, "state=used")

    def copy(self, source: str, target: str, cache: str) -> None:
        data, kind, _, _ = self.objects[source]
        self.objects[target] = (data, kind, cache, "state=used")

    def delete(self, keys: list[str]) -> None:
        for key in keys:
            self.objects.pop(key, None)

    def signed_url(self, key: str, expires_in: int) -> str:
        return f"https://storage.test/bucket/{key}?expires={expires_in}&signature=x"

    def public_url(self, key: str) -> str:
        return f"https://media.test/{key}"

    def invalidate(self, paths: list[str]) -> None:
        self.invalidated.extend(paths)
