"""Photos through the services on fakes: upload, processing, one use each, and who gets which link."""

from __future__ import annotations

from typing import NamedTuple

import pytest

from chalicelib.domain.commands import NewPost
from chalicelib.domain.errors import Conflict, Unauthenticated, ValidationFailed
from chalicelib.domain.people import Actor
from chalicelib.domain.photos import Location
from chalicelib.services.photos import PUBLIC_CACHE
from tests.fake_photos import InMemoryPhotoStorage
from tests.unit.services import Station, station
from tests.unit.world import ADMIN, CITIZEN, KUNQU_OFFICER, OTHER_CITIZEN

TIP = NewPost(
    board="report", type="report", title="路口有人乱停车", body="昆区钢铁大街每天早上都堵", district="昆都仑区"
)
ANONYMOUS = Actor(role="anonymous")


class Processed(NamedTuple):
    full: bytes
    thumb: bytes
    width: int
    height: int


def fake_process(data: bytes) -> Processed:
    """Stand in for Pillow: `IMG` bytes are an image, anything else is not."""
    if not data.startswith(b"IMG"):
        raise ValueError("not an image")
    return Processed(b"FULL" + data, b"THUMB" + data, 2048, 1536)


def desk() -> Station:
    s = station()
    photos = s.svc.photos
    photos._process = fake_process
    photos.wait_seconds = 0.0
    return s


def storage(s: Station) -> InMemoryPhotoStorage:
    store: InMemoryPhotoStorage = s.ports["photo_storage"]
    return store


def uploaded(s: Station, data: bytes = b"IMG-1", by: Actor = CITIZEN) -> str:
    """Upload bytes as the browser would, and let the S3 event's handler process them."""
    upload, post = s.svc.photos.start(by, "image/jpeg", len(data))
    assert post.fields["key"] == f"uploads/{upload.id}"
    storage(s).put(f"uploads/{upload.id}", data, "image/jpeg")
    s.svc.photos.process(f"uploads/{upload.id}")
    return upload.id


def test_an_upload_needs_a_signed_in_caller_an_image_type_and_at_most_10_mb() -> None:
    s = desk()
    with pytest.raises(Unauthenticated):
        s.svc.photos.start(ANONYMOUS, "image/jpeg", 10)
    with pytest.raises(ValidationFailed):
        s.svc.photos.start(CITIZEN, "text/html", 10)
    with pytest.raises(ValidationFailed):
        s.svc.photos.start(CITIZEN, "image/png", 10 * 1024 * 1024 + 1)
    upload, _ = s.svc.photos.start(CITIZEN, "image/webp", 10 * 1024 * 1024)
    assert s.ports["uploads"].get(upload.id).state == "pending"


def test_processing_keeps_the_clean_copies_private_deletes_the_raw_bytes_and_ignores_a_redelivery() -> None:
    s = desk()
    upload_id = uploaded(s)
    objects = storage(s).objects
    assert f"uploads/{upload_id}" not in objects  # the raw bytes (with their EXIF) are gone
    assert objects[f"photos/{upload_id}/full.jpg"][0] == b"FULLIMG-1"
    assert objects[f"photos/{upload_id}/thumb.jpg"][3] == "state=unused"  # expires unless a post takes it
    assert not [key for key in objects if key.startswith("media/")]
    assert s.ports["uploads"].get(upload_id).state == "ready"
    storage(s).put(f"uploads/{upload_id}", b"something else", "image/jpeg")  # S3 delivers the event again
    assert s.svc.photos.process(f"uploads/{upload_id}") == "settled"
    assert objects[f"photos/{upload_id}/full.jpg"][0] == b"FULLIMG-1"
    assert s.svc.photos.process("uploads/unknown") == "unknown"
    assert s.svc.photos.process("elsewhere/x") == "ignored"


def test_a_public_post_shows_its_photos_under_long_cached_public_copies_and_says_which_one_was_refused() -> None:
    s = desk()
    good, bad = uploaded(s, b"IMG-good"), uploaded(s, b"<html>not a photo</html>")
    post = s.svc.forum.create_post(CITIZEN, NewPost(**{**TIP.__dict__, "photos": (bad, good)}))
    assert [photo.id for photo in post.photos] == [good]
    assert post.refused_photos == (1,)
    assert "第1张照片无法识别为图片，未能发布" in s.detail(post.id).events[0].text
    objects = storage(s).objects
    assert objects[f"media/{good}/thumb.jpg"][2] == PUBLIC_CACHE
    assert objects[f"photos/{good}/full.jpg"][3] == "state=used"


def test_a_police_only_tip_never_gets_public_copies() -> None:
    s = desk()
    photo = uploaded(s)
    new = NewPost(**{**TIP.__dict__, "visibility": "police_only", "photos": (photo,)})
    post = s.svc.forum.create_post(CITIZEN, new)
    assert post.photos[0].id == photo
    assert not [key for key in storage(s).objects if key.startswith("media/")]


def test_an_upload_is_used_once_by_its_owner_only() -> None:
    s = desk()
    photo = uploaded(s)
    with pytest.raises(ValidationFailed):
        s.svc.forum.create_post(OTHER_CITIZEN, NewPost(**{**TIP.__dict__, "photos": (photo,)}))
    s.svc.forum.create_post(CITIZEN, NewPost(**{**TIP.__dict__, "photos": (photo,)}))
    with pytest.raises(ValidationFailed):
        s.svc.forum.create_post(CITIZEN, NewPost(**{**TIP.__dict__, "title": "又一次", "photos": (photo,)}))
    with pytest.raises(ValidationFailed):
        s.svc.forum.create_post(CITIZEN, NewPost(**{**TIP.__dict__, "photos": ("u_nosuch",)}))
    with pytest.raises(ValidationFailed):
        s.svc.forum.create_post(CITIZEN, NewPost(**{**TIP.__dict__, "photos": tuple(f"u{n}" for n in range(10))}))


def test_a_post_sent_before_its_photo_is_processed_waits_then_asks_to_try_again() -> None:
    s = desk()
    upload, _ = s.svc.photos.start(CITIZEN, "image/jpeg", len(b"IMG-late"))
    with pytest.raises(Conflict):
        s.svc.forum.create_post(CITIZEN, NewPost(**{**TIP.__dict__, "photos": (upload.id,)}))
    assert s.ports["uploads"].get(upload.id).used_by is None  # nothing was written: the upload is still free
    storage(s).put(f"uploads/{upload.id}", b"IMG-late", "image/jpeg")
    s.svc.photos.process(f"uploads/{upload.id}")
    assert s.svc.forum.create_post(CITIZEN, NewPost(**{**TIP.__dict__, "photos": (upload.id,)})).photos


def test_hiding_a_post_withdraws_the_public_copies_of_its_and_its_replies_photos_and_showing_it_restores_them() -> None:
    s = desk()
    post = s.svc.forum.create_post(CITIZEN, NewPost(**{**TIP.__dict__, "photos": (uploaded(s),)}))
    reply_photo = uploaded(s, b"IMG-reply")
    reply, _ = s.svc.forum.reply(CITIZEN, post.id, "补充一张照片", photos=(reply_photo,))
    assert reply.photos[0].id == reply_photo
    media = lambda: sorted(key for key in storage(s).objects if key.startswith("media/"))  # noqa: E731
    assert len(media()) == 4
    s.svc.moderation.set_hidden(ADMIN, post.id, True, "违规")
    assert media() == []
    assert sorted(storage(s).invalidated) == sorted(f"/media/{p}/*" for p in (post.photos[0].id, reply_photo))
    s.svc.moderation.set_hidden(ADMIN, post.id, False, None)
    assert len(media()) == 4


def test_a_location_outside_the_bureaus_area_is_refused_and_a_typed_address_is_kept() -> None:
    s = desk()
    with pytest.raises(ValidationFailed):
        s.svc.forum.create_post(CITIZEN, NewPost(**{**TIP.__dict__, "location": Location(lat=39.9, long=116.4)}))
    new = NewPost(**{**TIP.__dict__, "location": Location(lat=40.65432, long=109.84321), "address": "钢铁大街 12 号"})
    post = s.svc.forum.create_post(CITIZEN, new)
    assert (post.location, post.address) == (Location(lat=40.65432, long=109.84321), "钢铁大街 12 号")
    assert post.location.rounded() == Location(lat=40.654, long=109.843)


def test_an_officer_reply_may_carry_photos_too() -> None:
    s = desk()
    post = s.post()
    photo = uploaded(s, by=KUNQU_OFFICER)
    reply, _ = s.svc.forum.reply(KUNQU_OFFICER, post.id, "已到现场处置", photos=(photo,))
    assert reply.official is not None and reply.photos[0].id == photo


def test_a_public_post_racing_a_police_only_tip_for_the_same_photo_leaves_no_public_copy() -> None:
    s = desk()
    photo = uploaded(s)
    stale = s.svc.photos.claimable(CITIZEN, (photo,))  # the public post read the upload before the tip took it
    s.svc.forum.create_post(CITIZEN, NewPost(**{**TIP.__dict__, "visibility": "police_only", "photos": (photo,)}))
    s.svc.photos.claimable = lambda actor, ids: stale  # type: ignore[method-assign]
    with pytest.raises(ValidationFailed):
        s.svc.forum.create_post(CITIZEN, NewPost(**{**TIP.__dict__, "title": "公开的", "photos": (photo,)}))
    assert not [key for key in storage(s).objects if key.startswith("media/")]


def test_an_upload_older_than_a_day_is_no_longer_usable() -> None:
    s = desk()
    photo = uploaded(s)
    s.clock.advance(hours=25)
    with pytest.raises(ValidationFailed):
        s.svc.forum.create_post(CITIZEN, NewPost(**{**TIP.__dict__, "photos": (photo,)}))
