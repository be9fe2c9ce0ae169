"""Photos and location through the real app on moto: the upload contract, processing by the S3 event's handler,
who gets which link, hiding, Open311 and the 110 hand-off."""

from __future__ import annotations

import io
import json
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest
import requests

from tests.conftest import Api, MovableClock, deliver
from tests.functional.test_cad import cad_records
from tests.posting import new_post

RESIDENT, NEIGHBOUR, ADMIN_PHONE = "13812345678", "13812345679", "13900000009"
KUNQU_OFFICER = "13900000003"
BUCKET = "police24-photos"
HERE = {"lat": 40.657891, "long": 109.840123}  # 昆都仑区


def jpeg_with_gps(width: int = 64, height: int = 48) -> bytes:
    """A small JPEG carrying a camera's EXIF: make, GPS position and orientation."""
    from PIL import Image

    image = Image.new("RGB", (width, height), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 1
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (40.0, 39.0, 28.0), 3: "E", 4: (109.0, 50.0, 24.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def s3(aws: dict[str, str], directory: dict) -> Any:
    """The photos bucket (and the test directory's officers, so that their phones sign in as police)."""
    client = boto3.client("s3", region_name="us-east-1")
    if BUCKET not in [bucket["Name"] for bucket in client.list_buckets()["Buckets"]]:
        client.create_bucket(Bucket=BUCKET)
    return client


def keys(s3: Any, prefix: str) -> list[str]:
    return sorted(item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", []))


def upload(api: Api, token: str, data: bytes, content_type: str = "image/jpeg", declared: int | None = None) -> str:
    """Ask for an upload, send the file the way the browser does, and let the S3 event's handler process it."""
    status, ticket, _ = api.call(
        "POST", "/uploads", {"content_type": content_type, "size": declared or len(data)}, token
    )
    assert status == 201 and ticket["expires_in"] == 900, ticket  # the presigned POST's own lifetime
    sent = requests.post(
        ticket["url"], data=ticket["fields"], files={"file": ("photo", data, content_type)}, timeout=10
    )
    assert sent.status_code in (200, 201, 204), sent.text
    key = ticket["fields"]["key"]
    api.client.lambda_.invoke("process_upload", api.client.events.generate_s3_event(bucket=BUCKET, key=key))
    return str(ticket["upload_id"])


def test_a_photo_is_cleaned_published_for_a_public_post_and_the_raw_upload_is_gone(api: Api, s3: Any) -> None:
    from PIL import Image

    resident = api.sign_in(RESIDENT)
    photo = upload(api, resident, jpeg_with_gps())
    assert keys(s3, "uploads/") == []  # the raw bytes, GPS and all, are deleted once processed
    post = new_post(api, resident, photos=[photo], location=HERE, address="钢铁大街 12 号")
    assert [p["id"] for p in post["photos"]] == [photo]
    assert post["photos"][0]["url"] == f"/media/{photo}/full.jpg"  # MEDIA_URL "": the site's own origin
    assert (post["photos"][0]["width"], post["photos"][0]["height"]) == (64, 48)
    public = s3.get_object(Bucket=BUCKET, Key=f"media/{photo}/full.jpg")
    assert public["CacheControl"] == "public, max-age=31536000, immutable"
    cleaned = Image.open(io.BytesIO(public["Body"].read()))
    assert cleaned.format == "JPEG" and not cleaned.getexif() and "exif" not in cleaned.info
    _, seen, _ = api.call("GET", f"/posts/{post['id']}")
    assert seen["post"]["photos"][0]["thumb_url"] == f"/media/{photo}/thumb.jpg"
    assert seen["post"]["location"] == {"lat": 40.658, "long": 109.84}  # about 100 m for the public
    _, mine, _ = api.call("GET", f"/posts/{post['id']}", token=resident)
    assert mine["post"]["location"] == HERE


@pytest.mark.parametrize(
    ("ticket", "field"),
    [
        ({"content_type": "text/html", "size": 10}, "content_type"),
        ({"content_type": "image/jpeg", "size": 10 * 1024 * 1024 + 1}, "size"),
        ({"content_type": "image/jpeg", "size": 0}, "size"),
        ({"content_type": "image/jpeg"}, "size"),
        ({"content_type": "image/jpeg", "size": "100"}, "size"),
    ],
)
def test_an_upload_of_another_type_or_size_is_refused(api: Api, s3: Any, ticket: dict, field: str) -> None:
    status, error, _ = api.call("POST", "/uploads", ticket, api.sign_in(RESIDENT))
    assert status == 400 and field in str(error), error


def test_more_bytes_than_declared_are_refused(api: Api, s3: Any) -> None:
    """S3 refuses them by the POST policy's content-length-range (moto does not check it): the processor too."""
    resident = api.sign_in(RESIDENT)
    photo = upload(api, resident, jpeg_with_gps(), declared=100)
    post = new_post(api, resident, photos=[photo])
    assert post["photos"] == [] and post["photos_refused"] == [1]
    assert keys(s3, "uploads/") == [] and keys(s3, f"photos/{photo}/") == []


def test_someone_elses_upload_an_unknown_one_and_a_used_one_are_refused_and_nothing_is_written(
    api: Api, s3: Any
) -> None:
    resident, neighbour = api.sign_in(RESIDENT), api.sign_in(NEIGHBOUR)
    photo = upload(api, resident, jpeg_with_gps())
    for token, ids in ((neighbour, [photo]), (resident, ["u_nosuchupload"]), (resident, [photo, photo])):
        status, error, _ = api.call("POST", "/posts", {**REPORT_FIELDS, "photos": ids}, token)
        assert status == 400, error
    assert api.call("GET", "/me/posts", token=neighbour)[1]["posts"] == []
    first = new_post(api, resident, photos=[photo])
    status, error, _ = api.call("POST", "/posts", {**REPORT_FIELDS, "title": "再发一次", "photos": [photo]}, resident)
    assert status == 400, error
    status, error, _ = api.call("POST", f"/posts/{first['id']}/replies", {"body": "补充", "photos": [photo]}, resident)
    assert status == 400, error
    assert [p["id"] for p in api.call("GET", "/me/posts", token=resident)[1]["posts"]] == [first["id"]]


REPORT_FIELDS = {"board": "report", "type": "report", "title": "可疑人员", "body": "小区门口", "district": "昆都仑区"}


def test_a_renamed_text_file_is_dropped_and_the_post_says_which(api: Api, s3: Any) -> None:
    resident = api.sign_in(RESIDENT)
    good, bad = upload(api, resident, jpeg_with_gps()), upload(api, resident, b"<script>alert(1)</script>" * 10)
    post = new_post(api, resident, photos=[good, bad])
    assert [p["id"] for p in post["photos"]] == [good] and post["photos_refused"] == [2]
    assert keys(s3, f"photos/{bad}/") == [] and keys(s3, f"media/{bad}/") == []
    timeline = api.call("GET", f"/posts/{post['id']}")[1]["timeline"]
    assert "第2张照片无法识别为图片，未能发布" in timeline[0]["text"]


def test_a_police_only_tips_photos_reach_only_its_author_and_the_police_through_signed_links(api: Api, s3: Any) -> None:
    resident = api.sign_in(RESIDENT)
    photo = upload(api, resident, jpeg_with_gps())
    post = new_post(api, resident, photos=[photo], visibility="police_only", location=HERE)
    assert keys(s3, "media/") == []
    signed = post["photos"][0]["url"]
    assert f"photos/{photo}/full.jpg" in signed and "Signature=" in signed
    anonymous = api.call("GET", f"/posts/{post['id']}")[1]["post"]
    assert "photos" not in anonymous or anonymous["photos"] == []
    assert "location" not in anonymous and photo not in str(api.call("GET", "/posts")[1])
    officer = api.sign_in(KUNQU_OFFICER)
    seen = api.call("GET", f"/posts/{post['id']}", token=officer)[1]["post"]
    assert "Signature=" in seen["photos"][0]["thumb_url"] and seen["location"] == HERE


def test_hiding_a_post_withdraws_its_public_photos_and_showing_it_again_restores_them(api: Api, s3: Any) -> None:
    resident = api.sign_in(RESIDENT)
    post = new_post(api, resident, photos=[upload(api, resident, jpeg_with_gps())])
    status, reply, _ = api.call(
        "POST",
        f"/posts/{post['id']}/replies",
        {"body": "再补一张", "photos": [upload(api, resident, jpeg_with_gps())]},
        resident,
    )
    assert status == 201 and reply["photos"][0]["url"].startswith("/media/")
    assert len(keys(s3, "media/")) == 4
    status, _, _ = api.admin("PUT", f"/admin/posts/{post['id']}/hidden", {"reason": "含个人隐私"})
    assert status == 200 and keys(s3, "media/") == []
    mine = api.call("GET", f"/posts/{post['id']}", token=resident)[1]
    assert "Signature=" in mine["post"]["photos"][0]["url"] and "Signature=" in mine["replies"][0]["photos"][0]["url"]
    assert api.admin("DELETE", f"/admin/posts/{post['id']}/hidden")[0] == 200
    assert len(keys(s3, "media/")) == 4


def test_open311_carries_the_first_photo_and_the_rounded_location_and_takes_lat_long(api: Api, s3: Any) -> None:
    resident = api.sign_in(RESIDENT)
    post = new_post(api, resident, photos=[upload(api, resident, jpeg_with_gps())], location=HERE)
    found = api.call("GET", f"/open311/v2/requests/{post['id']}.json")[1][0]
    assert found["media_url"] == f"/media/{post['photos'][0]['id']}/full.jpg"
    assert (found["lat"], found["long"]) == (40.658, 109.84)
    key = api.admin("POST", "/admin/api-keys", {"name": "随手拍 App"})[1]["api_key"]
    fields = {
        "api_key": key,
        "service_code": "report",
        "description": "路灯不亮",
        "phone": "13811112222",
        "attribute[type]": "report",
        "lat": "40.612345",
        "long": "109.912345",
    }
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    answer = api.client.http.post("/open311/v2/requests.json", headers=form, body=urlencode(fields))
    assert answer.status_code == 200, answer.body
    filed = api.call("GET", f"/open311/v2/requests/{json.loads(answer.body)[0]['service_request_id']}.json")
    assert (filed[1][0]["lat"], filed[1][0]["long"]) == (40.612, 109.912)
    outside = api.client.http.post(
        "/open311/v2/requests.json", headers=form, body=urlencode({**fields, "lat": "31.2", "long": "121.5"})
    )
    assert outside.status_code == 400


def test_the_110_record_carries_signed_links_to_the_full_photos_and_the_exact_place(
    api: Api, s3: Any, aws: dict[str, str]
) -> None:
    resident = api.sign_in(RESIDENT)
    photo = upload(api, resident, jpeg_with_gps())
    post = new_post(api, resident, photos=[photo], location=HERE, title="有人持刀抢劫", body="快来人")
    deliver(api.client, aws)
    record = next(r for r in cad_records(aws) if r["post_id"] == post["id"])
    assert record["schema_version"] == "1.1" and record["location"] == HERE
    link = record["photos"][0]
    assert link.startswith(f"http://127.0.0.1:8000/api/cad/photos/{photo}?expires=")
    path = link.removeprefix("http://127.0.0.1:8000/api")
    opened = api.client.http.get(path)
    assert opened.status_code == 302 and "Signature=" in opened.headers["Location"]
    assert requests.get(opened.headers["Location"], timeout=10).content[:2] == b"\xff\xd8"  # the full JPEG
    for forged in (path.replace(photo, "u_other"), path[:-1] + ("0" if path[-1] != "0" else "1"), path.split("&")[0]):
        assert api.client.http.get(forged).status_code in (400, 403), forged


def test_a_110_photo_link_lapses_after_a_week(api: Api, s3: Any, aws: dict[str, str], clock: MovableClock) -> None:
    resident = api.sign_in(RESIDENT)
    new_post(api, resident, photos=[upload(api, resident, jpeg_with_gps())], title="有人持刀抢劫", body="快来人")
    deliver(api.client, aws)
    path = cad_records(aws)[0]["photos"][0].removeprefix("http://127.0.0.1:8000/api")
    assert api.client.http.get(path).status_code == 302
    clock.advance(days=7, minutes=1)
    assert api.client.http.get(path).status_code == 403


def test_an_admin_removes_a_photo_from_a_post_and_from_a_reply_every_copy_goes_and_the_trail_says_so(
    api: Api, s3: Any
) -> None:
    resident = api.sign_in(RESIDENT)
    kept, removed = upload(api, resident, jpeg_with_gps()), upload(api, resident, jpeg_with_gps())
    post = new_post(api, resident, photos=[kept, removed])
    in_reply = upload(api, resident, jpeg_with_gps())
    api.call("POST", f"/posts/{post['id']}/replies", {"body": "再补一张", "photos": [in_reply]}, resident)
    status, shown, _ = api.admin("DELETE", f"/admin/posts/{post['id']}/photos/{removed}")
    assert status == 200 and [p["id"] for p in shown["photos"]] == [kept]
    assert api.admin("DELETE", f"/admin/posts/{post['id']}/photos/{in_reply}")[0] == 200
    assert keys(s3, f"photos/{removed}/") == keys(s3, f"media/{removed}/") == keys(s3, f"media/{in_reply}/") == []
    detail = api.call("GET", f"/posts/{post['id']}")[1]
    assert [p["id"] for p in detail["post"]["photos"]] == [kept] and detail["replies"][0]["photos"] == []
    trail = api.admin("GET", "/admin/audit")[1]["entries"]
    removals = [e for e in trail if e["action"] == "delete_photo"]
    assert {e["target"] for e in removals} == {
        f"post:{post['id']}",
        f"post:{post['id']}/reply:{detail['replies'][0]['id']}",
    }
    assert api.admin("DELETE", f"/admin/posts/{post['id']}/photos/{removed}")[0] == 404
    status, _, _ = api.call("DELETE", f"/admin/posts/{post['id']}/photos/{kept}", token=resident)
    assert status == 403 and keys(s3, f"media/{kept}/") != []
