"""Photos (随手拍): the upload, its processing, its use by one post or reply, and who may see it.

An upload goes from the browser straight to storage (`uploads/<id>`); the S3 event's handler decodes it, writes
the processed copies under `photos/<id>/` (private, tagged unused) and deletes the raw bytes. A post or reply
that shows it claims it in the transaction that writes it; its copies are then kept, and published under
`media/<id>/` (long-cached, public) while the post is public and visible. Everyone else who may see the post
whole gets short-lived signed URLs of the private copies. Hiding a post deletes the public copies.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from chalicelib.domain import access
from chalicelib.domain.actors import Actor
from chalicelib.domain.errors import Conflict, ValidationFailed
from chalicelib.domain.ids import new_id
from chalicelib.domain.photos import (
    MAX_PHOTOS,
    MAX_UPLOAD_BYTES,
    UPLOAD_KEPT_SECONDS,
    UPLOAD_SECONDS,
    Photo,
    Upload,
    check_upload,
)
from chalicelib.services.limits import Limits
from chalicelib.services.ports import Clock, PostDetail
from chalicelib.services.storage import PhotoStorage, PresignedPost, UploadBook

log = logging.getLogger(__name__)

KINDS = ("full.jpg", "thumb.jpg")
PUBLIC_CACHE = "public, max-age=31536000, immutable"
SIGNED_SECONDS = 15 * 60  # a signed link in a page: long enough to look, short enough not to be passed on
WAIT_SECONDS = 8.0  # a post sent while its photos are still being processed waits this long for them
_POLL = 0.25


def raw_key(upload_id: str) -> str:
    return f"uploads/{upload_id}"


def private_key(upload_id: str, kind: str) -> str:
    return f"photos/{upload_id}/{kind}"


def public_key(upload_id: str, kind: str) -> str:
    return f"media/{upload_id}/{kind}"


def _default_process(data: bytes) -> Any:
    from chalicelib.adapters.images import process  # Pillow: only the processing function loads it

    return process(data)


def _each(items: Sequence[tuple[str, str]], act: Callable[[tuple[str, str]], None]) -> None:
    """Do one storage call per item, several at a time (a post with 9 photos makes 18 copies while it waits);
    the first failure is raised once all have run."""
    if len(items) <= 1:
        for item in items:
            act(item)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(8, len(items))) as pool:
        for future in [pool.submit(act, item) for item in items]:
            future.result()


class Photos:
    """Uploads, processing, claims and links of photos."""

    def __init__(
        self,
        uploads: UploadBook,
        storage: PhotoStorage,
        clock: Clock,
        process: Callable[[bytes], Any] = _default_process,
        sleep: Callable[[float], None] = time.sleep,
        wait_seconds: float = WAIT_SECONDS,
        limits: Limits | None = None,
    ) -> None:
        self.uploads, self.storage, self.clock, self.limits = uploads, storage, clock, limits
        self._process, self.sleep, self.wait_seconds = process, sleep, wait_seconds

    def start(self, actor: Actor, content_type: str, size: int) -> tuple[Upload, PresignedPost]:
        """Record an upload and return the presigned POST the browser sends the file with."""
        access.require_signed_in(actor)
        access.require_link_for(actor, None)
        check_upload(content_type, size)
        if self.limits is not None and not actor.is_police:
            self.limits.upload(actor.user_id, self.clock.now())
        upload = Upload(
            id=new_id("u"), owner_id=actor.user_id, content_type=content_type, size=size, created_at=self.clock.now()
        )
        self.uploads.put(upload)
        # The POST may carry at most the declared size: a browser cannot send more than it said.
        return upload, self.storage.presign_post(raw_key(upload.id), content_type, size, UPLOAD_SECONDS)

    def process(self, key: str) -> str:
        """Process one uploaded object (the S3 event's key); return what happened, for the log. Idempotent: an
        upload settled before, or gone, is left as it is, and the raw bytes are deleted in every case."""
        upload_id = key.removeprefix("uploads/")
        if upload_id == key or not upload_id or "/" in upload_id:
            return "ignored"
        upload = self.uploads.get(upload_id)
        if upload is None or upload.state != "pending":
            self.storage.delete([key])
            return "unknown" if upload is None else "settled"
        outcome = self._decode(upload, key)
        self.storage.delete([key])
        return outcome

    def _decode(self, upload: Upload, key: str) -> str:
        try:  # S3 holds a POST to the declared size by its policy; a larger object is refused here in any case
            data = self.storage.read(key, min(upload.size, MAX_UPLOAD_BYTES))
        except ValueError:
            data = b""  # larger than declared: refused like any non-image
        if data is None:
            return "missing"  # an event for an object already deleted: nothing to do
        try:
            processed = self._process(data)
        except ValueError as error:  # images.NotAnImage, and Pillow's own refusals
            log.info("upload refused", extra={"upload_id": upload.id, "reason": str(error)})
            self.uploads.settle(upload.id, "refused")
            return "refused"
        self.storage.put(private_key(upload.id, "full.jpg"), processed.full, "image/jpeg", unused=True)
        self.storage.put(private_key(upload.id, "thumb.jpg"), processed.thumb, "image/jpeg", unused=True)
        self.uploads.settle(upload.id, "ready", processed.width, processed.height)
        return "ready"

    def claimable(self, actor: Actor, ids: Sequence[str]) -> list[Upload]:
        """Return the caller's uploads a new post or reply may show, processed, in order; 400 for another's, an
        unknown or a used one, 409 if processing has not finished after a few seconds (try again)."""
        if not ids:
            return []
        if len(ids) > MAX_PHOTOS:
            raise ValidationFailed(f"每次最多上传{MAX_PHOTOS}张照片", {"photos": f"at most {MAX_PHOTOS}"})
        if len(set(ids)) != len(ids):
            raise ValidationFailed("同一张照片不能添加两次", {"photos": "repeated"})
        deadline = time.monotonic() + self.wait_seconds
        while True:
            found = [self._own(actor, upload_id) for upload_id in ids]
            if all(upload.state != "pending" for upload in found):
                return found
            if time.monotonic() >= deadline:
                raise Conflict("照片仍在处理中，请稍后再提交")
            self.sleep(_POLL)

    def _own(self, actor: Actor, upload_id: str) -> Upload:
        upload = self.uploads.get(upload_id) if isinstance(upload_id, str) and upload_id else None
        expired = upload is not None and (self.clock.now() - upload.created_at).total_seconds() > UPLOAD_KEPT_SECONDS
        if upload is None or expired or upload.owner_id != actor.user_id or upload.used_by is not None:
            raise ValidationFailed(
                "照片不存在、已被使用或不属于您，请重新添加", {"photos": f"{upload_id!r} not usable"}
            )
        return upload

    def prepare(self, uploads: Sequence[Upload], public: bool) -> None:
        """Before the post or reply is written: keep the processed copies from expiring, and publish them if the
        post is public and visible (else make sure no public copy is left from an earlier failed attempt)."""
        ready = [upload for upload in uploads if upload.state == "ready"]
        keep = [(upload.id, kind) for upload in ready for kind in KINDS]
        _each(keep, lambda item: self.storage.mark_used(private_key(*item)))
        if public:
            _each(keep, lambda item: self.storage.copy(private_key(*item), public_key(*item), PUBLIC_CACHE))
        elif keep:
            self.storage.delete([public_key(*item) for item in keep])

    def withdraw(self, uploads: Sequence[Upload]) -> list[str]:
        """After a post or reply that published these uploads failed to be written: withdraw the public copies of
        those no one uses; return the posts (or `<post>/<reply>`) that use the others, to follow them again."""
        users: list[str] = []
        unused: list[Photo] = []
        for upload in uploads:
            current = self.uploads.get(upload.id)
            if current is not None and current.used_by:
                users.append(current.used_by)
            elif upload.state == "ready":
                unused.append(upload.photo())
        self.sync(unused, public=False)
        return users

    def sync(self, photos: Sequence[Photo], public: bool) -> None:
        """Make the public copies follow the post: published while public and visible, deleted (and the CDN told
        to forget them) otherwise. Idempotent."""
        if not photos:
            return
        if public:
            items = [(photo.id, kind) for photo in photos for kind in KINDS]
            _each(items, lambda item: self.storage.copy(private_key(*item), public_key(*item), PUBLIC_CACHE))
            return
        self.storage.delete([public_key(photo.id, kind) for photo in photos for kind in KINDS])
        self.storage.invalidate([f"/media/{photo.id}/*" for photo in photos])

    def follow(self, detail: PostDetail) -> None:
        """Make the public copies of a post's and its replies' photos follow the post (store.PostStore calls it)."""
        photos = [*detail.post.photos, *(photo for reply in detail.replies for photo in reply.photos)]
        self.sync(photos, detail.post.shown_publicly)

    def erase(self, photo_id: str) -> None:
        """Delete every copy of a photo (an admin's removal), and have the CDN forget the public one."""
        self.storage.delete([key(photo_id, kind) for key in (private_key, public_key) for kind in KINDS])
        self.storage.invalidate([f"/media/{photo_id}/*"])

    def links(self, photo: Photo, public: bool) -> tuple[str, str]:
        """Return (thumbnail, full) URLs: long-cached public ones, or short-lived signed ones."""
        if public:
            return (
                self.storage.public_url(public_key(photo.id, "thumb.jpg")),
                self.storage.public_url(public_key(photo.id, "full.jpg")),
            )
        return (
            self.storage.signed_url(private_key(photo.id, "thumb.jpg"), SIGNED_SECONDS),
            self.storage.signed_url(private_key(photo.id, "full.jpg"), SIGNED_SECONDS),
        )

    def original(self, photo_id: str) -> str:
        """Return a signed link, good for 15 minutes, to a photo's full image (a 110 record's link opens it)."""
        return self.storage.signed_url(private_key(photo_id, "full.jpg"), SIGNED_SECONDS)
