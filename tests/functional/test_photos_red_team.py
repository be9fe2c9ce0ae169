"""Red team of photos and location (issue 18): confidentiality of police-only and hidden posts' photos and places,
who may use an upload, bad input, and processing that is redelivered, crashes or is slow.

Races are played in a fixed order, not with threads: a use case is wrapped so that another writer acts at the
exact moment between two of its steps (chalice.test.Client is not thread safe; the services are shared)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
import requests

from chalicelib.bootstrap import services
from chalicelib.domain.commands import NewPost
from chalicelib.domain.people import Actor
from tests.conftest import Api, MovableClock, deliver, officer_messages
from tests.functional.test_dispatch import link_of
from tests.functional.test_photos import (
    BUCKET,
    HERE,
    KUNQU_OFFICER,
    NEIGHBOUR,
    REPORT_FIELDS,
    RESIDENT,
    jpeg_with_gps,
    keys,
    upload,
)
from tests.posting import new_post

ADMIN = Actor(role="admin", user_id="admin", nickname="管理员")


@pytest.fixture
def s3(aws: dict[str, str], directory: dict[str, Any]) -> Any:
    """The photos bucket, as tests/functional/test_photos.py makes it (and the test directory's officers)."""
    import boto3

    client = boto3.client("s3", region_name="us-east-1")
    if BUCKET not in [bucket["Name"] for bucket in client.list_buckets()["Buckets"]]:
        client.create_bucket(Bucket=BUCKET)
    return client


def ticket(api: Api, token: str, data: bytes) -> tuple[str, str]:
    """Start an upload and send the bytes, but do not process them yet: (upload id, key)."""
    status, started, _ = api.call("POST", "/uploads", {"content_type": "image/jpeg", "size": len(data)}, token)
    assert status == 201, started
    sent = requests.post(started["url"], data=started["fields"], files={"file": ("p", data, "image/jpeg")}, timeout=10)
    assert sent.status_code in (200, 201, 204), sent.text
    return str(started["upload_id"]), str(started["fields"]["key"])


def report(title: str, photo: str, visibility: str = "public") -> NewPost:
    """A report like REPORT_FIELDS, for the use case itself."""
    return NewPost(
        board="report",
        type="report",
        title=title,
        body="小区门口",
        district="昆都仑区",
        visibility=visibility,
        photos=(photo,),
    )


def process(api: Api, key: str) -> None:
    api.client.lambda_.invoke("process_upload", api.client.events.generate_s3_event(bucket=BUCKET, key=key))


def mine(api: Api, token: str) -> list[str]:
    return [p["id"] for p in api.call("GET", "/me/posts", token=token)[1]["posts"]]


# Confidentiality ----------------------------------------------------------------------------------------------


def test_a_reply_with_photos_racing_a_hide_leaves_no_public_copy(
    api: Api, s3: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    resident = api.sign_in(RESIDENT)
    post = new_post(api, resident)
    photo = upload(api, resident, jpeg_with_gps())
    photos = services().photos
    prepare = photos.prepare

    def prepare_then_hide(uploads: Any, public: bool) -> Any:
        shown = prepare(uploads, public)
        services().moderation.set_hidden(ADMIN, post["id"], True, "含个人隐私")  # the admin, at this moment
        return shown

    monkeypatch.setattr(photos, "prepare", prepare_then_hide)
    more = {"body": "再补一张", "photos": [photo]}
    status, reply, _ = api.call("POST", f"/posts/{post['id']}/replies", more, resident)
    monkeypatch.setattr(photos, "prepare", prepare)

    assert status in (201, 404, 409), reply
    assert api.call("GET", f"/posts/{post['id']}")[0] == 404  # hidden
    assert keys(s3, "media/") == []  # and nothing of it is public


def test_a_police_only_tip_that_wins_an_upload_from_a_racing_public_post_keeps_it_private(
    api: Api, s3: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    resident = api.sign_in(RESIDENT)
    photo = upload(api, resident, jpeg_with_gps())
    svc = services()
    actor = svc.identity.actor(resident)
    prepare = svc.photos.prepare
    tips: list[Any] = []

    def publish_then_lose(uploads: Any, public: bool) -> Any:
        shown = prepare(uploads, public)  # the public post has copied the photo to media/ ...
        if not tips:  # ... when a police-only tip with the same upload is written first
            tips.append(None)
            tip = report("线索", photo, "police_only")
            tips[0] = svc.forum.create_post(actor, tip)
        return shown

    monkeypatch.setattr(svc.photos, "prepare", publish_then_lose)
    status, error, _ = api.call("POST", "/posts", {**REPORT_FIELDS, "photos": [photo]}, resident)
    monkeypatch.setattr(svc.photos, "prepare", prepare)

    assert status == 400, error
    assert [p.id for p in tips[0].photos] == [photo]
    assert keys(s3, "media/") == [] and keys(s3, f"photos/{photo}/") != []
    assert photo not in json.dumps(api.call("GET", "/posts")[1])
    assert mine(api, resident) == [tips[0].id]


def test_two_public_posts_racing_for_one_upload_leave_it_published_only_for_the_winner(
    api: Api, s3: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    resident = api.sign_in(RESIDENT)
    photo = upload(api, resident, jpeg_with_gps())
    svc = services()
    actor = svc.identity.actor(resident)
    prepare = svc.photos.prepare
    winners: list[Any] = []

    def publish_then_lose(uploads: Any, public: bool) -> Any:
        shown = prepare(uploads, public)
        if not winners:
            winners.append(None)
            winners[0] = svc.forum.create_post(actor, report("先到", photo))
        return shown

    monkeypatch.setattr(svc.photos, "prepare", publish_then_lose)
    assert api.call("POST", "/posts", {**REPORT_FIELDS, "photos": [photo]}, resident)[0] == 400
    monkeypatch.setattr(svc.photos, "prepare", prepare)
    assert keys(s3, "media/") == [f"media/{photo}/full.jpg", f"media/{photo}/thumb.jpg"]
    assert api.call("GET", f"/posts/{winners[0].id}")[1]["post"]["photos"][0]["url"] == f"/media/{photo}/full.jpg"


def test_a_public_post_failing_half_way_through_publishing_leaves_nothing_public_for_a_later_tip(
    api: Api, s3: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    resident = api.sign_in(RESIDENT)
    photo = upload(api, resident, jpeg_with_gps())
    storage = services().photos.storage
    copy = storage.copy

    def fail_on_thumb(source: str, target: str, *args: Any, **kwargs: Any) -> Any:
        if target.endswith("thumb.jpg"):
            raise ConnectionError("S3 throttled this one")
        return copy(source, target, *args, **kwargs)

    monkeypatch.setattr(storage, "copy", fail_on_thumb)
    status, _, _ = api.call("POST", "/posts", {**REPORT_FIELDS, "photos": [photo]}, resident)
    monkeypatch.setattr(storage, "copy", copy)
    assert status >= 500 and mine(api, resident) == []
    tip = new_post(api, resident, photos=[photo], visibility="police_only")
    assert [p["id"] for p in tip["photos"]] == [photo]
    assert keys(s3, "media/") == []


def test_a_reply_with_photos_racing_an_unhide_is_published_with_the_post(
    api: Api, s3: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    resident = api.sign_in(RESIDENT)
    post = new_post(api, resident)
    assert api.admin("PUT", f"/admin/posts/{post['id']}/hidden", {"reason": "待核实"})[0] == 200
    photo = upload(api, resident, jpeg_with_gps())
    photos = services().photos
    prepare = photos.prepare

    def prepare_then_unhide(uploads: Any, public: bool) -> Any:
        shown = prepare(uploads, public)
        services().moderation.set_hidden(ADMIN, post["id"], False, None)
        return shown

    monkeypatch.setattr(photos, "prepare", prepare_then_unhide)
    more = {"body": "再补一张", "photos": [photo]}
    status, reply, _ = api.call("POST", f"/posts/{post['id']}/replies", more, resident)
    monkeypatch.setattr(photos, "prepare", prepare)

    assert status == 201, reply
    shown = api.call("GET", f"/posts/{post['id']}")[1]["replies"][0]["photos"][0]["url"]
    assert shown == f"/media/{photo}/full.jpg" and keys(s3, f"media/{photo}/") != []


def test_a_police_only_tip_shows_no_photo_place_or_refusal_in_any_public_output(api: Api, s3: Any) -> None:
    resident = api.sign_in(RESIDENT)
    good, bad = upload(api, resident, jpeg_with_gps()), upload(api, resident, b"%PDF-1.4 not a photo" * 20)
    address = "钢铁大街12号 13912345678"
    tip = new_post(api, resident, photos=[good, bad], visibility="police_only", location=HERE, address=address)
    assert tip["photos_refused"] == [2] and tip["address"] == address
    public = [
        api.call("GET", "/posts")[1],
        api.call("GET", f"/posts/{tip['id']}")[1],
        api.call("GET", "/open311/v2/requests.json")[1],
        api.call("GET", f"/open311/v2/requests/{tip['id']}.json")[1],
        api.call("GET", "/stats")[1],
        api.call("GET", "/me/posts", token=api.sign_in(NEIGHBOUR))[1],
    ]
    text = json.dumps(public, ensure_ascii=False)
    secrets = (good, "/media/", "photos_refused", "40.657", "40.658", "109.84", "钢铁大街", "13912345678", "无法识别")
    for secret in secrets:
        assert secret not in text, secret
    for path in ("/open311/v2/requests.xml", f"/open311/v2/requests/{tip['id']}.xml"):
        xml = api.client.http.get(path).body.decode()
        assert good not in xml and "<lat>" not in xml and "media_url>/" not in xml, xml
    assert keys(s3, "media/") == []


def test_the_public_sees_a_typed_address_masked_and_the_location_rounded(api: Api, s3: Any) -> None:
    resident = api.sign_in(RESIDENT)
    post = new_post(api, resident, location=HERE, address="钢铁大街12号 联系13912345678")
    public = api.call("GET", f"/posts/{post['id']}")[1]["post"]
    assert "13912345678" not in public["address"] and public["location"] == {"lat": 40.658, "long": 109.84}
    listed = next(p for p in api.call("GET", "/posts")[1]["posts"] if p["id"] == post["id"])
    assert "13912345678" not in json.dumps(listed) and "40.657891" not in json.dumps(listed)
    found = api.call("GET", f"/open311/v2/requests/{post['id']}.json")[1][0]
    assert "13912345678" not in json.dumps(found, ensure_ascii=False) and "40.657891" not in json.dumps(found)


def test_a_post_held_for_review_publishes_its_photos_only_when_the_reviewer_does(api: Api, s3: Any) -> None:
    resident = api.sign_in(RESIDENT)
    post = new_post(api, resident, photos=[upload(api, resident, jpeg_with_gps())])
    for phone in ("13812340001", "13812340002", "13812340003"):  # flags of new accounts: to review, or hidden
        api.call("POST", f"/posts/{post['id']}/flags", {"reason": "spam"}, api.sign_in(phone))
    shown = api.call("GET", f"/posts/{post['id']}")[0] == 200
    assert (len(keys(s3, "media/")) == 2) is shown
    api.admin("PUT", f"/admin/posts/{post['id']}/hidden", {"reason": "含个人隐私"})
    api.admin("PUT", f"/admin/posts/{post['id']}/hidden", {"reason": "含个人隐私"})  # twice: idempotent
    assert keys(s3, "media/") == []
    assert api.admin("DELETE", f"/admin/posts/{post['id']}/hidden")[0] == 200
    assert api.admin("DELETE", f"/admin/posts/{post['id']}/hidden")[0] == 200
    assert len(keys(s3, "media/")) == 2


# Authority ----------------------------------------------------------------------------------------------------


def test_a_reply_link_session_may_not_start_an_upload(api: Api, s3: Any, aws: dict[str, str]) -> None:
    new_post(api, api.sign_in(RESIDENT))
    deliver(api.client, aws)
    link = api.call("POST", "/auth/link", {"token": link_of(officer_messages(KUNQU_OFFICER)[0])})[1]["token"]
    status, error, _ = api.call("POST", "/uploads", {"content_type": "image/jpeg", "size": 100}, link)
    assert status == 403, error
    assert api.call("POST", "/uploads", {"content_type": "image/jpeg", "size": 100})[0] == 401


def test_a_reply_on_someone_elses_police_only_tip_with_photos_is_refused_and_the_upload_stays_unused(
    api: Api, s3: Any
) -> None:
    resident, neighbour = api.sign_in(RESIDENT), api.sign_in(NEIGHBOUR)
    tip = new_post(api, resident, visibility="police_only")
    photo = upload(api, neighbour, jpeg_with_gps())
    status, _, _ = api.call("POST", f"/posts/{tip['id']}/replies", {"body": "我也看到了", "photos": [photo]}, neighbour)
    assert status in (403, 404)
    assert keys(s3, "media/") == []
    assert new_post(api, neighbour, photos=[photo])["photos"][0]["id"] == photo  # still the neighbour's to use


def test_the_authors_reply_on_a_police_only_tip_keeps_its_photos_private(api: Api, s3: Any) -> None:
    resident = api.sign_in(RESIDENT)
    tip = new_post(api, resident, visibility="police_only")
    photo = upload(api, resident, jpeg_with_gps())
    status, reply, _ = api.call("POST", f"/posts/{tip['id']}/replies", {"body": "补充", "photos": [photo]}, resident)
    assert status == 201 and "Signature=" in reply["photos"][0]["url"]
    assert keys(s3, "media/") == []
    assert photo not in json.dumps(api.call("GET", f"/posts/{tip['id']}")[1])


def test_an_admin_cannot_remove_another_posts_photo_through_this_post(api: Api, s3: Any) -> None:
    resident = api.sign_in(RESIDENT)
    first = new_post(api, resident, title="第一帖")
    other = new_post(api, resident, title="第二帖", photos=[upload(api, resident, jpeg_with_gps())])
    photo = other["photos"][0]["id"]
    assert api.admin("DELETE", f"/admin/posts/{first['id']}/photos/{photo}")[0] == 404
    assert len(keys(s3, f"media/{photo}/")) == 2 and len(keys(s3, f"photos/{photo}/")) == 2
    assert api.admin("DELETE", f"/admin/posts/p_nosuchpost/photos/{photo}")[0] == 404
    assert [e for e in api.admin("GET", "/admin/audit")[1]["entries"] if e["action"] == "delete_photo"] == []


def test_a_110_link_signed_for_one_photo_does_not_open_another_real_photo(
    api: Api, s3: Any, aws: dict[str, str]
) -> None:
    resident = api.sign_in(RESIDENT)
    photo = upload(api, resident, jpeg_with_gps())
    new_post(api, resident, photos=[photo], title="有人持刀抢劫", body="快来人")
    other = upload(api, resident, jpeg_with_gps())
    new_post(api, resident, title="线索", photos=[other], visibility="police_only")
    deliver(api.client, aws)
    from tests.functional.test_cad import cad_records

    path = next(r for r in cad_records(aws) if r["photos"])["photos"][0].removeprefix("http://127.0.0.1:8000/api")
    assert api.client.http.get(path.replace(photo, other)).status_code == 403
    assert api.client.http.get(path.replace("sig=", "sig=" + "0" * 64 + "&x=")).status_code in (400, 403)
    assert api.client.http.get(path.replace("expires=", "expires=9")).status_code == 403


# Input --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "photos",
    [
        "u_x",
        [1],
        [None],
        [{"id": "u_x"}],
        [["u_x"]],
        [""],
        ["u_" + "x" * 5000],
        ["../photos/x"],
        ["u_x/../../y"],
        ["u_\u0000"],
        [f"u_{i}" for i in range(10)],
    ],
)
def test_bad_photo_lists_are_a_clear_400_and_nothing_is_written(api: Api, s3: Any, photos: Any) -> None:
    resident = api.sign_in(RESIDENT)
    status, error, _ = api.call("POST", "/posts", {**REPORT_FIELDS, "photos": photos}, resident)
    assert status == 400, error
    assert mine(api, resident) == []


@pytest.mark.parametrize(
    "fields",
    [
        '"location": {"lat": NaN, "long": 109.84}',
        '"location": {"lat": Infinity, "long": 109.84}',
        '"location": {"lat": 40.65, "long": -Infinity}',
        '"location": {"lat": "40.65", "long": "109.84"}',
        '"location": {"lat": true, "long": 109.84}',
        '"location": {"lat": 40.65}',
        '"location": {"lat": 40.65, "long": 109.84, "accuracy": 5}',
        '"location": [40.65, 109.84]',
        '"location": {"lat": 31.23, "long": 121.47}',
        '"location": {"lat": 1e400, "long": 109.84}',
        '"address": "' + "街" * 101 + '"',
        '"address": 12',
        '"address": "钢铁大街\\u0000\\u001b[2J12号"',
    ],
)
def test_bad_locations_and_addresses_are_a_clear_400_and_nothing_is_written(api: Api, s3: Any, fields: str) -> None:
    resident = api.sign_in(RESIDENT)
    body = json.dumps(REPORT_FIELDS, ensure_ascii=False)[:-1] + ", " + fields + "}"
    status, error, _ = api.call("POST", "/posts", body, resident)
    assert status == 400, (fields, error)
    assert mine(api, resident) == []


@pytest.mark.parametrize(
    "place",
    [
        {"lat": "40.61"},
        {"long": "109.91"},
        {"lat": "NaN", "long": "109.91"},
        {"lat": "inf", "long": "109.91"},
        {"lat": "40.61", "long": "abc"},
        {"lat": "4.061e1", "long": "1.0991e2"},
        {"lat": "40.61", "long": "109.91", "media_url": "http://169.254.169.254/latest/meta-data/"},
    ],
)
def test_open311_places_are_both_or_neither_finite_and_a_media_url_is_never_fetched(
    api: Api, s3: Any, place: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fetched: list[Any] = []
    monkeypatch.setattr(requests.Session, "request", lambda *a, **k: fetched.append(a))
    key = api.admin("POST", "/admin/api-keys", {"name": "随手拍 App"})[1]["api_key"]
    fields = {
        "api_key": key,
        "service_code": "report",
        "description": "路灯不亮",
        "phone": "13811112222",
        "attribute[type]": "report",
        **place,
    }
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    answer = api.client.http.post("/open311/v2/requests.json", headers=form, body=urlencode(fields))
    assert fetched == []
    if set(place) in ({"lat"}, {"long"}):  # half a place is no place: refused, naming the half missing
        assert answer.status_code == 400, answer.body
        assert ({"lat", "long"} - set(place)).pop() in answer.body.decode()
    elif "media_url" in place or place == {"lat": "4.061e1", "long": "1.0991e2"}:
        assert answer.status_code == 200, answer.body
        filed = json.loads(answer.body)[0]["service_request_id"]
        found = api.call("GET", f"/open311/v2/requests/{filed}.json")[1][0]
        assert found.get("media_url") in (None, "") and "169.254" not in json.dumps(found)
    else:
        assert answer.status_code == 400, answer.body


# Robustness ---------------------------------------------------------------------------------------------------


def test_a_redelivered_event_after_the_photo_is_used_changes_nothing(api: Api, s3: Any) -> None:
    resident = api.sign_in(RESIDENT)
    photo, key = ticket(api, resident, jpeg_with_gps())
    process(api, key)
    post = new_post(api, resident, photos=[photo])
    before = {k: s3.get_object(Bucket=BUCKET, Key=k)["ETag"] for k in keys(s3, "")}
    process(api, key)
    process(api, key)
    assert {k: s3.get_object(Bucket=BUCKET, Key=k)["ETag"] for k in keys(s3, "")} == before
    assert api.call("GET", f"/posts/{post['id']}")[1]["post"]["photos"][0]["id"] == photo


@pytest.mark.parametrize("key", ["media/u_x/full.jpg", "photos/u_x/full.jpg", "uploads/", "uploads/a/b", "uploads"])
def test_an_event_for_a_key_that_is_not_an_upload_touches_nothing(api: Api, s3: Any, key: str) -> None:
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"kept")
    process(api, key)
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == b"kept"


def test_an_event_for_an_unknown_upload_deletes_the_raw_bytes_and_writes_nothing(api: Api, s3: Any) -> None:
    s3.put_object(Bucket=BUCKET, Key="uploads/u_forged", Body=jpeg_with_gps())
    process(api, "uploads/u_forged")
    assert keys(s3, "") == []


def test_an_upload_older_than_a_day_cannot_be_used(api: Api, s3: Any, clock: MovableClock) -> None:
    resident = api.sign_in(RESIDENT)
    photo, key = ticket(api, resident, jpeg_with_gps())
    clock.advance(days=1, minutes=1)
    process(api, key)  # the event came late: processing it is harmless, using it is refused
    assert keys(s3, "uploads/") == []
    status, error, _ = api.call("POST", "/posts", {**REPORT_FIELDS, "photos": [photo]}, api.sign_in(RESIDENT))
    assert status == 400, error


def test_a_crash_between_the_two_writes_is_made_good_by_the_retried_event(
    api: Api, s3: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    resident = api.sign_in(RESIDENT)
    photo, key = ticket(api, resident, jpeg_with_gps())
    storage = services().photos.storage
    put = storage.put

    def crash_on_thumb(key_: str, *args: Any, **kwargs: Any) -> Any:
        if key_.endswith("thumb.jpg"):
            raise ConnectionError("the function was stopped")
        return put(key_, *args, **kwargs)

    monkeypatch.setattr(storage, "put", crash_on_thumb)
    with pytest.raises(Exception):  # Lambda sees the failure and sends the event again)
        process(api, key)
    monkeypatch.setattr(storage, "put", put)
    assert keys(s3, "uploads/") == [key]  # the raw bytes wait for the retry
    process(api, key)
    post = new_post(api, resident, photos=[photo])
    assert [p["id"] for p in post["photos"]] == [photo] and len(keys(s3, f"media/{photo}/")) == 2


def test_a_post_sent_while_its_photo_is_processed_is_409_and_writes_nothing(
    api: Api, s3: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    resident = api.sign_in(RESIDENT)
    photo, key = ticket(api, resident, jpeg_with_gps())
    monkeypatch.setattr(services().photos, "wait_seconds", 0.0)
    status, error, _ = api.call("POST", "/posts", {**REPORT_FIELDS, "photos": [photo]}, resident)
    assert status == 409, error
    assert mine(api, resident) == [] and keys(s3, "media/") == []
    process(api, key)
    assert new_post(api, resident, photos=[photo])["photos"][0]["id"] == photo


def test_a_disguised_html_or_svg_upload_never_reaches_storage_as_served_content(api: Api, s3: Any) -> None:
    resident = api.sign_in(RESIDENT)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    polyglot = jpeg_with_gps() + b"<html><script>alert(1)</script></html>"
    ids = [upload(api, resident, data) for data in (svg, b"<!doctype html><script>alert(1)</script>", polyglot)]
    post = new_post(api, resident, photos=ids)
    assert post["photos_refused"] == [1, 2] and [p["id"] for p in post["photos"]] == [ids[2]]
    for stored in keys(s3, ""):
        body = s3.get_object(Bucket=BUCKET, Key=stored)
        assert body["ContentType"] == "image/jpeg" and b"<script" not in body["Body"].read(), stored


def test_a_hide_whose_withdrawal_fails_is_finished_by_the_dispatcher(
    api: Api, s3: Any, aws: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    resident = api.sign_in(RESIDENT)
    post = new_post(api, resident, photos=[upload(api, resident, jpeg_with_gps())])
    deliver(api.client, aws)
    storage = services().photos.storage
    delete = storage.delete

    def unavailable(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("S3 is not answering")

    monkeypatch.setattr(storage, "delete", unavailable)
    assert api.admin("PUT", f"/admin/posts/{post['id']}/hidden", {"reason": "含个人隐私"})[0] == 200
    monkeypatch.setattr(storage, "delete", delete)
    assert len(keys(s3, "media/")) == 2  # still public, until the dispatcher's `photos` message
    deliver(api.client, aws)
    assert keys(s3, "media/") == []


def test_one_account_cannot_start_uploads_without_end(api: Api, s3: Any) -> None:
    resident = api.sign_in(RESIDENT)
    answers = [
        api.call("POST", "/uploads", {"content_type": "image/jpeg", "size": 10 * 1024 * 1024}, resident)[0]
        for _ in range(300)
    ]
    assert 429 in answers and set(answers) <= {201, 429}


@pytest.mark.parametrize("size", [True, 1.5, -1, "1e3", None, 2**63])
def test_an_upload_size_that_is_not_a_whole_number_of_bytes_is_400(api: Api, s3: Any, size: Any) -> None:
    status, error, _ = api.call("POST", "/uploads", {"content_type": "image/jpeg", "size": size}, api.sign_in(RESIDENT))
    assert status == 400 and "size" in str(error), error


def test_a_replayed_post_with_photos_returns_the_first_post_and_claims_nothing_again(api: Api, s3: Any) -> None:
    resident = api.sign_in(RESIDENT)
    photo = upload(api, resident, jpeg_with_gps())
    body = {**REPORT_FIELDS, "photos": [photo]}
    first = api.call("POST", "/posts", body, resident, headers={"Idempotency-Key": "k-photo-1"})
    again = api.call("POST", "/posts", body, resident, headers={"Idempotency-Key": "k-photo-1"})
    assert first[0] == 201 and again[0] in (200, 201) and again[1]["id"] == first[1]["id"]
    assert mine(api, resident) == [first[1]["id"]] and len(keys(s3, "media/")) == 2


@pytest.mark.usefixtures("one_request_at_a_time")
def test_many_posts_and_tips_racing_for_one_upload_let_one_win_and_publish_only_if_it_is_public(
    api: Api, s3: Any
) -> None:
    from tests.burst import all_at_once

    resident = api.sign_in(RESIDENT)
    svc = services()
    actor = svc.identity.actor(resident)
    for round_ in range(3):
        photo = upload(api, resident, jpeg_with_gps())
        kinds = ["public", "police_only"] * 4
        results = all_at_once(
            len(kinds), lambda i: svc.forum.create_post(actor, report(f"第{round_}轮{i}", photo, kinds[i]))
        )
        won = [r for r in results if not isinstance(r, Exception)]
        assert len(won) == 1, results
        assert all(type(r).__name__ in ("ValidationFailed", "Conflict") for r in results if isinstance(r, Exception))
        published = keys(s3, f"media/{photo}/")
        assert (published != []) is (won[0].visibility == "public"), (won[0].visibility, published)


@pytest.mark.parametrize(("decision", "public"), [("publish", True), ("hide", False)])
def test_a_post_held_for_its_words_publishes_its_photos_only_when_a_reviewer_publishes_it(
    api: Api, s3: Any, monkeypatch: pytest.MonkeyPatch, decision: str, public: bool
) -> None:
    monkeypatch.setattr(services().forum, "sensitive_words", ("敏感词",))
    resident = api.sign_in(RESIDENT)
    held = new_post(api, resident, body="这里有敏感词", photos=[upload(api, resident, jpeg_with_gps())])
    assert keys(s3, "media/") == [] and "Signature=" in held["photos"][0]["url"]
    assert api.call("GET", f"/posts/{held['id']}")[0] == 404
    services().review.decide(Actor(role="leader", user_id="o-chief", officer_id="o-chief"), held["id"], decision, None)
    assert (len(keys(s3, "media/")) == 2) is public
    assert (api.call("GET", f"/posts/{held['id']}")[0] == 200) is public
