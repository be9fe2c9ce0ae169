"""The public copies under `data/`: after every kind of change, the table's stream (moto's, read as Lambda reads
it) rewrites each object to exactly the API's answer to an anonymous reader; hidden and police-only content never
reaches them; a batch delivered again, or late, leaves the newest state."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from local.table_stream import TableStream, discover_streams, streams_client
from tests.conftest import DIRECTORY
from tests.functional.conftest import CheckedApi, seed_directory

CITIZEN, OTHER, OFFICER = "13800000001", "13800000002", "13900000003"  # 13900000003: 昆都仑区公安分局
BOARDS = ("report", "hukou", "exit-entry", "traffic", "qa")


class Copies:
    """The bucket's `data/` objects, and the stream that rewrites them."""

    def __init__(self, outputs: dict[str, str]) -> None:
        from app import app

        (self.binding,) = discover_streams(app)
        self.stream = TableStream(boto3.client("dynamodb"), streams_client(), outputs["TableName"])
        self.s3, self.bucket = boto3.client("s3"), outputs["PhotosBucketName"]

    def sync(self) -> list[dict[str, Any]]:
        """Deliver every pending record to the handler; return them (to deliver again later)."""
        taken: list[dict[str, Any]] = []
        while True:
            _, records = self.stream.pending(self.binding.batch_size)
            if not records:
                return taken
            assert self.stream.pump(self.binding) == len(records), "the handler failed"
            taken += records

    def deliver(self, records: list[dict[str, Any]]) -> None:
        """Hand records to the handler again, as a redelivery would."""
        self.binding.handler({"Records": records}, None)

    def get(self, key: str) -> tuple[Any, dict[str, Any]] | None:
        try:
            answer = self.s3.get_object(Bucket=self.bucket, Key=key)
        except self.s3.exceptions.NoSuchKey:
            return None
        return json.loads(answer["Body"].read()), answer

    def keys(self) -> list[str]:
        listed = self.s3.list_objects_v2(Bucket=self.bucket, Prefix="data/").get("Contents", [])
        return [item["Key"] for item in listed]

    def everything(self) -> str:
        """Every byte of every public copy, as text."""
        return "".join(self.s3.get_object(Bucket=self.bucket, Key=k)["Body"].read().decode() for k in self.keys())


@pytest.fixture
def copies(aws: dict[str, str], fresh_api: CheckedApi) -> Copies:
    seed_directory(fresh_api)
    return Copies(aws)


def anonymous(api: CheckedApi, path: str) -> Any:
    status, body, _ = api.call("GET", path)
    return body if status == 200 else None


def assert_copies_are_the_api(api: CheckedApi, copies: Copies, post_id: str, board: str) -> None:
    """The post's page and the feeds it shows in are the API's anonymous answers, with short caching."""
    for key, path in (
        (f"data/posts/{post_id}.json", f"/posts/{post_id}"),
        ("data/feed.json", "/posts"),
        (f"data/feed/{board}.json", f"/posts?board={board}"),
    ):
        found = copies.get(key)
        assert found is not None, key
        body, answer = found
        assert body == anonymous(api, path), key
        assert answer["ContentType"] == "application/json; charset=utf-8"
        assert answer["CacheControl"] == "public, max-age=15, stale-while-revalidate=30"


def test_every_change_of_a_post_rewrites_its_page_and_feeds_as_the_api_answers(
    fresh_api: CheckedApi, copies: Copies
) -> None:
    api = fresh_api
    author, other, officer = api.sign_in(CITIZEN), api.sign_in(OTHER), api.sign_in(OFFICER)
    post = api.new_report(author, "小区门口有人卖假药", "每天早上七点在昆区锦泰小区门口", district="昆都仑区")
    copies.sync()
    assert_copies_are_the_api(api, copies, post["id"], "report")

    steps = [
        ("POST", f"/posts/{post['id']}/replies", {"body": "我也看到过"}, other),
        ("POST", f"/posts/{post['id']}/replies", {"body": "已派民警核查"}, officer),
        ("STATUS", "in_progress", None, officer),
        ("STATUS", "resolved", None, officer),
        ("POST", f"/posts/{post['id']}/feedback", {"satisfied": True}, author),
    ]
    for method, path, body, token in steps:
        if method == "STATUS":
            version = anonymous(api, f"/posts/{post['id']}")["post"]["version"]
            status, answer, _ = api.call(
                "POST", f"/posts/{post['id']}/status", {"status": path, "version": version}, token=token
            )
        else:
            status, answer, _ = api.call(method, path, body, token=token)
        assert status in (200, 201), answer
        copies.sync()
        assert_copies_are_the_api(api, copies, post["id"], "report")
    timeline = copies.get(f"data/posts/{post['id']}.json")
    assert timeline is not None and timeline[0]["post"]["status"] == "resolved"
    assert [r["body"] for r in timeline[0]["replies"]] == ["我也看到过", "已派民警核查"]


def test_a_global_pin_shows_on_every_boards_copy_and_leaves_them_all_when_taken_off(
    fresh_api: CheckedApi, copies: Copies
) -> None:
    api = fresh_api
    token = api.sign_in(CITIZEN)
    post = api.new_post(token, title="冬季防火安全提示")
    assert api.admin("PUT", f"/admin/posts/{post['id']}/pin", {"scope": "global"})[0] == 200
    copies.sync()
    for board in BOARDS:
        found = copies.get(f"data/feed/{board}.json")
        assert found is not None and [p["id"] for p in found[0]["pinned"]] == [post["id"]], board
        assert found[0] == anonymous(api, f"/posts?board={board}")
    assert api.admin("DELETE", f"/admin/posts/{post['id']}/pin")[0] in (200, 204)
    copies.sync()
    for board in BOARDS:
        found = copies.get(f"data/feed/{board}.json")
        assert found is not None and found[0]["pinned"] == [], board
        assert found[0] == anonymous(api, f"/posts?board={board}")


def test_hidden_and_police_only_content_never_reaches_a_public_copy(fresh_api: CheckedApi, copies: Copies) -> None:
    api = fresh_api
    token = api.sign_in(CITIZEN)
    tip = api.new_report(token, "举报毒品交易线索甲乙丙", "线索人住在某小区丁戊己", visibility="police_only")
    shown = api.new_post(token, title="被隐藏的帖子庚辛壬", body="隐藏之前所有人可见癸子丑")
    copies.sync()
    assert copies.get(f"data/posts/{tip['id']}.json") is None  # the public is answered by the API: a stub
    assert copies.get(f"data/posts/{shown['id']}.json") is not None
    early = copies.stream.after

    assert api.admin("PUT", f"/admin/posts/{shown['id']}/hidden", {"reason": "违规"})[0] == 200
    copies.sync()
    assert copies.get(f"data/posts/{shown['id']}.json") is None
    text = copies.everything()
    for secret in ("甲乙丙", "丁戊己", "庚辛壬", "癸子丑", tip["author"]["nickname"]):
        assert secret not in text
    for key, path in (("data/feed.json", "/posts"), ("data/feed/report.json", "/posts?board=report")):
        found = copies.get(key)
        assert found is not None and found[0] == anonymous(api, path), key

    # The records of the posts' creation, delivered again after the hiding (late, or twice): the newest state stays.
    stream = TableStream(copies.stream.dynamodb, copies.stream.streams, copies.stream.table_name)
    _, old = stream.pending(1000)
    assert early is not None and any(r["dynamodb"]["SequenceNumber"] <= early for r in old)
    copies.deliver([r for r in old if r["dynamodb"]["SequenceNumber"] <= early])
    copies.deliver(old)
    assert copies.get(f"data/posts/{shown['id']}.json") is None
    assert copies.get(f"data/posts/{tip['id']}.json") is None
    assert all(secret not in copies.everything() for secret in ("甲乙丙", "庚辛壬"))

    assert api.admin("DELETE", f"/admin/posts/{shown['id']}/hidden")[0] == 200
    copies.sync()
    assert_copies_are_the_api(api, copies, shown["id"], "qa")


def test_a_forged_record_saying_a_withheld_post_is_public_publishes_nothing_of_it(
    fresh_api: CheckedApi, copies: Copies
) -> None:
    api = fresh_api
    tip = api.new_report(api.sign_in(CITIZEN), "警方专用线索寅卯辰", "详情巳午未", visibility="police_only")
    copies.sync()
    forged = {
        "eventName": "MODIFY",
        "dynamodb": {
            "Keys": {"PK": {"S": f"POST#{tip['id']}"}, "SK": {"S": "META"}},
            "NewImage": {
                "PK": {"S": f"POST#{tip['id']}"},
                "SK": {"S": "META"},
                "visibility": {"S": "public"},
                "title": {"S": "寅卯辰"},
                "board": {"S": "report"},
            },
            "SequenceNumber": "9" * 21,
        },
    }
    copies.deliver([forged])
    assert copies.get(f"data/posts/{tip['id']}.json") is None
    assert "寅卯辰" not in copies.everything() and "巳午未" not in copies.everything()


def test_records_of_other_partitions_write_nothing(copies: Copies, fresh_api: CheckedApi) -> None:
    fresh_api.sign_in(CITIZEN)  # an account, a one-time code, limits: no post
    copies.sync()
    assert copies.keys() == []
    assert DIRECTORY["units"]  # the directory's writes (seeded) wrote nothing either


def test_a_photo_shows_on_the_copies_once_processed_and_leaves_them_when_an_admin_removes_it(
    fresh_api: CheckedApi, copies: Copies
) -> None:
    from tests.functional.test_photos import jpeg_with_gps, upload

    api = fresh_api
    token = api.sign_in(CITIZEN)
    photo = upload(api, token, jpeg_with_gps())
    post = api.new_report(token, "路边有人乱倒垃圾", "每天傍晚在昆区河边", district="昆都仑区", photos=[photo])
    copies.sync()
    page = copies.get(f"data/posts/{post['id']}.json")
    assert page is not None and [p["thumb_url"] for p in page[0]["post"]["photos"]] == [f"/media/{photo}/thumb.jpg"]
    assert_copies_are_the_api(api, copies, post["id"], "report")
    assert api.admin("DELETE", f"/admin/posts/{post['id']}/photos/{photo}")[0] in (200, 204)
    copies.sync()
    assert_copies_are_the_api(api, copies, post["id"], "report")
    assert photo not in copies.everything()


def test_the_one_off_job_writes_the_copies_of_posts_stored_before_the_copies_existed(
    fresh_api: CheckedApi, copies: Copies
) -> None:
    from tools.publish_copies import publish_all

    token = fresh_api.sign_in(CITIZEN)
    older = [fresh_api.new_post(token, title=f"以前的帖子{n}") for n in range(3)]
    assert copies.keys() == []  # the stream not read: as before the copies existed
    assert publish_all() == (3, 3 + 2)  # three post pages, the feed of every board and the Q&A board's
    for post in older:
        assert_copies_are_the_api(fresh_api, copies, post["id"], "qa")
    before = {key: copies.get(key) for key in copies.keys()}
    assert publish_all() == (3, 3 + 2)  # twice: the same copies (an unchanged one is not put again: test_publish.py)
    assert {key: copies.get(key) for key in copies.keys()}.keys() == before.keys()
