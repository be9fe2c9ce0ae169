"""Every bad input gets its documented status in the API's error shape, and nothing is stored."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import ADMIN_KEY, DIRECTORY
from tests.functional.conftest import World, assert_error_shape

POST = {"board": "qa", "type": "question", "title": "身份证丢了怎么补办", "body": "在外地丢的,能在包头补办吗?"}


def without(key: str) -> dict[str, Any]:
    return {k: v for k, v in POST.items() if k != key}


def first_page(people: World) -> list[dict[str, Any]]:
    """What the all-boards feed shows first; a stored post would show here."""
    status, page, _ = people.api.call("GET", "/posts?limit=50")
    assert status == 200
    return [*page["pinned"], *page["posts"]]


@pytest.fixture
def post(people: World) -> dict[str, Any]:
    return people.api.new_post(people.token("citizen"))


# -- posts -----------------------------------------------------------------------------------------

BAD_POSTS = [
    pytest.param({**POST, "author": "警察"}, "author", id="unknown-field"),
    pytest.param({**POST, "status": "resolved"}, "status", id="unknown-field-status"),
    pytest.param(without("title"), "title", id="missing-title"),
    pytest.param(without("body"), "body", id="missing-body"),
    pytest.param(without("board"), "board", id="missing-board"),
    pytest.param(without("type"), "type", id="missing-type"),
    pytest.param({**POST, "title": 123}, "title", id="title-number"),
    pytest.param({**POST, "body": ["正文"]}, "body", id="body-list"),
    pytest.param({**POST, "board": None}, "board", id="board-null"),
    pytest.param({**POST, "district": 5}, "district", id="district-number"),
    pytest.param({**POST, "visibility": True}, "visibility", id="visibility-bool"),
    pytest.param({**POST, "title": ""}, "title", id="title-0"),
    pytest.param({**POST, "title": "   "}, "title", id="title-blank"),
    pytest.param({**POST, "title": "标" * 101}, "title", id="title-101"),
    pytest.param({**POST, "body": ""}, "body", id="body-0"),
    pytest.param({**POST, "body": "文" * 5001}, "body", id="body-5001"),
    pytest.param({**POST, "board": "gossip"}, "board", id="unknown-board"),
    pytest.param({**POST, "type": "rumour"}, "type", id="unknown-type"),
    pytest.param({**POST, "board": "anti-drug", "type": "help"}, "type", id="type-not-on-board"),
    pytest.param({**POST, "district": "朝阳区"}, "district", id="unknown-district"),
    pytest.param({**POST, "visibility": "secret"}, "visibility", id="unknown-visibility"),
]


@pytest.mark.parametrize(("body", "field"), BAD_POSTS)
def test_a_bad_post_is_400_and_not_stored(people: World, body: dict, field: str) -> None:
    before = first_page(people)
    status, data, _ = people.api.call("POST", "/posts", body, token=people.token("citizen"))
    assert status == 400, data
    assert_error_shape(data, "validation_error")
    assert field in data["error"]["fields"], data
    assert first_page(people) == before


RAW_BODIES = [
    pytest.param(b'{"board": "qa", "title": ', id="bad-json"),
    pytest.param(json.dumps([POST]).encode(), id="json-array"),
    pytest.param(b'"a string"', id="json-string"),
    pytest.param(b"null", id="json-null"),
    pytest.param(b"42", id="json-number"),
    pytest.param(b"", id="empty"),
    pytest.param(b'{"board": "qa", "title": "\xff\xfe"}', id="not-utf8"),
]


@pytest.mark.parametrize("raw", RAW_BODIES)
def test_a_body_that_is_not_a_json_object_is_400(people: World, raw: bytes) -> None:
    before = first_page(people)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {people.token('citizen')}"}
    status, data, _ = people.api.raw("POST", "/posts", raw, headers)
    assert status == 400, data
    assert_error_shape(data, "validation_error")
    assert first_page(people) == before


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "text/html",
        "application/xml",
    ],
)
def test_a_non_json_content_type_is_415_in_the_error_shape(people: World, content_type: str) -> None:
    before = first_page(people)
    headers = {"Content-Type": content_type, "Authorization": f"Bearer {people.token('citizen')}"}
    status, data, got = people.api.raw("POST", "/posts", json.dumps(POST), headers)
    assert status == 415, data
    assert_error_shape(data)
    assert got["Content-Type"].startswith("application/json")
    assert first_page(people) == before


def test_a_json_content_type_with_a_charset_is_accepted(people: World) -> None:
    headers = {"Content-Type": "application/json; charset=utf-8", "Authorization": f"Bearer {people.token('citizen')}"}
    status, data, _ = people.api.raw("POST", "/posts", json.dumps({**POST, "title": "带字符集"}), headers)
    assert status == 201 and data["title"] == "带字符集"


def test_an_over_size_body_is_413(people: World) -> None:
    before = first_page(people)
    status, data, _ = people.api.call("POST", "/posts", {**POST, "body": "文" * 30_000}, token=people.token("citizen"))
    assert status == 413, data
    assert_error_shape(data)
    assert first_page(people) == before


def test_bad_input_is_400_before_the_missing_token_is_401(people: World) -> None:
    status, data, _ = people.api.call("POST", "/posts", {**POST, "title": ""})
    assert status == 400
    status, data, _ = people.api.call("POST", "/posts", POST)
    assert status == 401
    assert_error_shape(data, "unauthenticated")


# -- replies ---------------------------------------------------------------------------------------

BAD_REPLIES = [
    pytest.param({"body": "好的", "official": True}, id="unknown-field"),
    pytest.param({}, id="missing-body"),
    pytest.param({"body": ""}, id="body-0"),
    pytest.param({"body": "  "}, id="body-blank"),
    pytest.param({"body": "答" * 2001}, id="body-2001"),
    pytest.param({"body": 5}, id="body-number"),
    pytest.param({"body": "好的", "template": "t" * 41}, id="template-too-long"),
    pytest.param([{"body": "好的"}], id="json-array"),
    pytest.param('{"body": "好的"', id="bad-json"),
]


@pytest.mark.parametrize("body", BAD_REPLIES)
def test_a_bad_reply_is_400_and_not_stored(people: World, post: dict, body: Any) -> None:
    status, data, _ = people.api.call("POST", f"/posts/{post['id']}/replies", body, token=people.token("unit_officer"))
    assert status == 400, data
    assert_error_shape(data, "validation_error")
    detail = people.api.detail(post["id"])
    assert detail["replies"] == [] and detail["post"]["reply_count"] == 0
    assert [e["kind"] for e in detail["timeline"]] == ["received"]


def test_a_reply_in_another_content_type_is_415(people: World, post: dict) -> None:
    headers = {"Content-Type": "text/plain", "Authorization": f"Bearer {people.token('citizen')}"}
    status, data, _ = people.api.raw("POST", f"/posts/{post['id']}/replies", '{"body": "好的"}', headers)
    assert status == 415
    assert_error_shape(data)
    assert people.api.detail(post["id"])["replies"] == []


def test_an_over_size_reply_is_413(people: World, post: dict) -> None:
    status, data, _ = people.api.call(
        "POST", f"/posts/{post['id']}/replies", {"body": "答" * 30_000}, token=people.token("citizen")
    )
    assert status == 413
    assert_error_shape(data)
    assert people.api.detail(post["id"])["replies"] == []


# -- status ----------------------------------------------------------------------------------------

BAD_STATUS = [
    pytest.param({"status": "closed", "version": 1}, "status", id="unknown-status"),
    pytest.param({"status": "acknowledged"}, "version", id="missing-version"),
    pytest.param({"version": 1}, "status", id="missing-status"),
    pytest.param({"status": "acknowledged", "version": "1"}, "version", id="version-string"),
    pytest.param({"status": "acknowledged", "version": 1.5}, "version", id="version-float"),
    pytest.param({"status": "acknowledged", "version": 0}, "version", id="version-0"),
    pytest.param({"status": "acknowledged", "version": 1, "note": "注" * 501}, "note", id="note-501"),
    pytest.param({"status": "acknowledged", "version": 1, "by": "leader"}, "by", id="unknown-field"),
]


@pytest.mark.parametrize(("body", "field"), BAD_STATUS)
def test_a_bad_status_change_is_400_and_changes_nothing(people: World, post: dict, body: dict, field: str) -> None:
    before = people.api.detail(post["id"])
    status, data, _ = people.api.call("POST", f"/posts/{post['id']}/status", body, token=people.token("leader"))
    assert status == 400, data
    assert field in data["error"]["fields"]
    assert people.api.detail(post["id"]) == before


# -- pins ------------------------------------------------------------------------------------------

BAD_PINS = [
    pytest.param({"scope": "everywhere"}, "scope", id="unknown-scope"),
    pytest.param({}, "scope", id="missing-scope"),
    pytest.param({"scope": "global", "until": "tomorrow"}, "until", id="until-not-a-time"),
    pytest.param({"scope": "global", "until": "2099-01-01T00:00:00"}, "until", id="until-without-offset"),
    pytest.param({"scope": "global", "until": "2020-01-01T00:00:00+08:00"}, "until", id="until-in-the-past"),
    pytest.param({"scope": "global", "weight": 9}, "weight", id="unknown-field"),
]


@pytest.mark.parametrize(("body", "field"), BAD_PINS)
def test_a_bad_pin_is_400_and_the_post_stays_unpinned(people: World, post: dict, body: dict, field: str) -> None:
    status, data, _ = people.api.admin("PUT", f"/admin/posts/{post['id']}/pin", body)
    assert status == 400, data
    assert field in data["error"]["fields"]
    assert people.api.detail(post["id"])["post"]["pinned"] is False
    assert post["id"] not in [p["id"] for p in people.api.call("GET", "/posts")[1]["pinned"]]


@pytest.mark.parametrize("body", [b"{}", b'{"scope": "global"}', b"x"])
def test_a_delete_with_a_body_is_400_and_the_pin_stays(people: World, post: dict, body: bytes) -> None:
    assert people.api.admin("PUT", f"/admin/posts/{post['id']}/pin", {"scope": "board"})[0] == 200
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {ADMIN_KEY}"}
    status, data, _ = people.api.raw("DELETE", f"/admin/posts/{post['id']}/pin", body, headers)
    assert status == 400, data
    assert_error_shape(data, "validation_error")
    assert people.api.detail(post["id"])["post"]["pinned"] is True


# -- feed queries ----------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["limit=0", "limit=-3", "limit=abc", "limit=1.5", "limit=1e3", "board=gossip"])
def test_a_bad_feed_query_is_400(people: World, query: str) -> None:
    status, data, _ = people.api.call("GET", f"/posts?{query}")
    assert status == 400, data
    assert_error_shape(data, "validation_error")


def test_limit_defaults_to_20_and_above_50_is_treated_as_50(people: World) -> None:
    listed = people.api.feed_ids()
    for i in range(51 - len(listed)):  # the module's other tests usually stored enough already
        people.api.new_post(people.token("citizen"), title=f"第{i}问")
    status, page, _ = people.api.call("GET", "/posts")
    assert status == 200 and len(page["posts"]) == 20 and page["next_cursor"]
    status, fifty, _ = people.api.call("GET", "/posts?limit=50")
    status, clamped, _ = people.api.call("GET", "/posts?limit=1000")
    assert status == 200 and len(clamped["posts"]) == 50 and clamped["next_cursor"]
    assert [p["id"] for p in clamped["posts"]] == [p["id"] for p in fifty["posts"]]
    assert [p["id"] for p in clamped["posts"]][:20] == [p["id"] for p in page["posts"]]
    rest = people.api.call("GET", f"/posts?limit=1000&cursor={clamped['next_cursor']}")[1]
    shown = [p["id"] for p in clamped["pinned"] + clamped["posts"] + rest["posts"]]
    assert rest["pinned"] == [] and len(shown) == len(set(shown))


def test_a_foreign_or_tampered_cursor_is_400(people: World) -> None:
    for _ in range(3):
        people.api.new_post(people.token("citizen"), board="hukou")
    cursor = people.api.call("GET", "/posts?board=hukou&limit=1")[1]["next_cursor"]
    all_boards = people.api.call("GET", "/posts?limit=1")[1]["next_cursor"]
    assert cursor and all_boards
    assert people.api.call("GET", f"/posts?board=hukou&limit=1&cursor={cursor}")[0] == 200
    payload, _, signature = cursor.partition(".")
    bad = [
        "garbage",
        cursor[:-1] + ("0" if cursor[-1] != "0" else "1"),  # signature changed
        payload[:-1] + ("A" if payload[-1] != "A" else "B") + "." + signature,  # position changed
        f"{payload}.",
        all_boards,  # the all-boards feed's cursor on one board
    ]
    for tampered in bad:
        status, data, _ = people.api.call("GET", f"/posts?board=hukou&limit=1&cursor={tampered}")
        assert status == 400, tampered
        assert_error_shape(data, "validation_error")
    assert people.api.call("GET", f"/posts?board=qa&limit=1&cursor={cursor}")[0] == 400  # another board's
    assert people.api.call("GET", f"/posts?limit=1&cursor={cursor}")[0] == 400


# -- other routes and headers ----------------------------------------------------------------------


def test_an_unsupported_method_is_405_in_the_error_shape(people: World) -> None:
    status, data, _ = people.api.call("PUT", "/posts", POST, token=people.token("citizen"))
    assert status == 405
    assert_error_shape(data)


def test_a_foreign_origin_is_never_allowed(people: World, post: dict) -> None:
    origin = {"Origin": "https://evil.example"}
    for method, path, body, token in [
        ("GET", "/posts", None, None),
        ("GET", f"/posts/{post['id']}", None, people.token("citizen")),
        ("POST", f"/posts/{post['id']}/replies", {"body": "跨站"}, people.token("citizen")),
        ("GET", "/me", None, people.token("citizen")),
    ]:
        _, _, headers = people.api.call(method, path, body, token=token, headers=origin)
        assert "Access-Control-Allow-Origin" not in headers
        assert headers.get("Access-Control-Allow-Credentials") is None


def test_every_answer_carries_nosniff_and_authenticated_ones_no_store(people: World, post: dict) -> None:
    token = people.token("citizen")
    calls = [
        ("GET", "/boards", None, None),
        ("GET", "/districts", None, None),
        ("GET", "/units", None, None),
        ("GET", "/posts", None, token),
        ("GET", f"/posts/{post['id']}", None, token),
        ("GET", "/me", None, token),
        ("GET", "/posts/p0000000000000000", None, token),
        ("GET", "/me", None, None),
        ("POST", "/posts", {"title": ""}, token),
        ("GET", "/admin/routing", None, ADMIN_KEY),
    ]
    for method, path, body, credential in calls:
        _, _, headers = people.api.call(method, path, body, token=credential)  # CheckedApi asserts both
        assert headers["X-Content-Type-Options"] == "nosniff"
        if credential:
            assert "no-store" in headers["Cache-Control"]


# -- hostile JSON, control characters and headers (API.md conventions) -----------------------------

CONTROLS = [
    "\x00",
    "\x01",
    "\x08",
    "\x0b",
    "\x1b",
    "\x1f",
    "\x7f",
    "\x80",
    "\x85",
    "\x9f",
    "\r",
    "\ud800",
    "\udfff",
    "\ufffe",
]


def stored(people: World) -> list[dict[str, Any]]:
    """Every item of the module's table, in a stable order: what a refused request must leave as it was."""
    import boto3

    client = boto3.client("dynamodb", region_name="us-east-1")
    items = [
        item
        for page in client.get_paginator("scan").paginate(TableName=people.outputs["TableName"])
        for item in page["Items"]
    ]
    return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))


def send(
    people: World, method: str, path: str, raw: bytes | str, token: str | None, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    """Send a body exactly as given, as JSON, and check the error shape of any 4xx."""
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
    status, data, _ = people.api.raw(method, path, raw, all_headers)
    if status >= 400:
        assert_error_shape(data)
    return status, data


def resolved_post(people: World) -> dict[str, Any]:
    post = people.api.new_post(people.token("citizen"))
    status, data, _ = people.api.call(
        "POST", f"/posts/{post['id']}/status", {"status": "resolved", "version": 1}, token=people.token("leader")
    )
    assert status == 200, data
    return dict(data)


# (method, path with {post}, persona, body with X where the bad text goes, field the error names)
TEXT_FIELDS = [
    ("POST", "/posts", "citizen", {**POST, "title": "X"}, "title"),
    ("POST", "/posts", "citizen", {**POST, "body": "正文X"}, "body"),
    ("POST", "/posts", "citizen", {**POST, "board": "qaX"}, "board"),
    ("POST", "/posts/{post}/replies", "unit_officer", {"body": "答复X"}, "body"),
    ("POST", "/posts/{post}/replies", "citizen", {"body": "好的", "template": "X"}, "template"),
    ("PATCH", "/me", "other_citizen", {"nickname": "昵称X"}, "nickname"),
    ("POST", "/posts/{post}/status", "leader", {"status": "acknowledged", "version": 1, "note": "X"}, "note"),
    ("POST", "/posts/{post}/route", "leader", {"unit_id": "qingfu", "note": "改派X"}, "note"),
    ("POST", "/posts/{post}/flags", "other_citizen", {"reason": "广告X"}, "reason"),
    ("POST", "/posts/{resolved}/feedback", "citizen", {"satisfied": False, "comment": "不满意X"}, "comment"),
    ("PUT", "/admin/posts/{post}/hidden", "admin_key", {"reason": "违规X"}, "reason"),
    ("PUT", "/admin/units/kunqu", "admin_key", {**DIRECTORY["units"]["kunqu"], "name": "分局X"}, "name"),
    (
        "PUT",
        "/admin/units/kunqu",
        "admin_key",
        {**DIRECTORY["units"]["kunqu"], "public_contact": "0472X"},
        "public_contact",
    ),
    ("PUT", "/admin/officers/o-qingfu", "admin_key", {**DIRECTORY["officers"]["o-qingfu"], "title": "民警X"}, "title"),
    ("PUT", "/admin/officers/o-qingfu", "admin_key", {**DIRECTORY["officers"]["o-qingfu"], "name": "李X"}, "name"),
    ("PUT", "/admin/templates", "admin_key", {"templates": [{"id": "t1", "text": "模板X"}]}, "templates.0.text"),
    (
        "PUT",
        "/admin/routing",
        "admin_key",
        {"rules": [{"board": "report", "district": "昆都仑区X", "unit_id": "kunqu"}]},
        "rules.0.district",
    ),
    ("POST", "/admin/api-keys", "admin_key", {"name": "合作方X"}, "name"),
    ("POST", "/auth/otp", "anonymous", {"phone": "1380000X0009"}, "phone"),
]


def fill(value: Any, text: str) -> Any:
    """Put the bad text where the template says X."""
    if isinstance(value, str):
        return value.replace("X", text)
    if isinstance(value, list):
        return [fill(item, text) for item in value]
    if isinstance(value, dict):
        return {key: fill(item, text) for key, item in value.items()}
    return value


@pytest.mark.parametrize(
    ("method", "template", "persona", "body", "field"),
    [pytest.param(*case, id=f"{case[1]}:{case[4]}") for case in TEXT_FIELDS],
)
@pytest.mark.parametrize("control", [CONTROLS[1], CONTROLS[11]], ids=["U+0001", "lone-surrogate"])
def test_a_control_character_in_any_text_field_is_400_naming_it_and_nothing_is_stored(
    people: World, method: str, template: str, persona: str, body: dict, field: str, control: str
) -> None:
    path = template.format(
        post=people.api.new_post(people.token("citizen"))["id"] if "{post}" in template else "",
        resolved=resolved_post(people)["id"] if "{resolved}" in template else "",
    )
    raw = json.dumps(fill(body, control))  # ASCII: a control as \u0001, a lone surrogate as \ud800
    before = stored(people)
    status, data = send(people, method, path, raw, people.token(persona))
    assert status == 400, data
    assert_error_shape(data, "validation_error")
    assert field in data["error"]["fields"], data
    assert stored(people) == before


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
def test_every_refused_character_is_400_in_a_title_escaped_or_raw(people: World, control: str) -> None:
    before = stored(people)
    escaped = json.dumps({**POST, "title": f"标题{control}结尾"})
    status, data = send(people, "POST", "/posts", escaped, people.token("citizen"))
    assert status == 400 and "title" in data["error"]["fields"], data
    if not 0xD800 <= ord(control) <= 0xDFFF:  # a raw lone surrogate cannot even be encoded as UTF-8
        raw = json.dumps({**POST, "title": f"标题{control}结尾"}, ensure_ascii=False).encode()
        status, data = send(people, "POST", "/posts", raw, people.token("citizen"))
        assert status == 400, data
    assert stored(people) == before


def test_a_control_character_in_a_key_is_400_without_echoing_the_key(people: World) -> None:
    before = stored(people)
    status, data = send(people, "POST", "/posts", json.dumps({**POST, "ti\u0001tle": "x"}), people.token("citizen"))
    assert status == 400 and data["error"]["fields"] == {
        "body": "a key contains a control or invalid character (U+0001)"
    }, data
    assert stored(people) == before


def test_newline_tab_crlf_and_invisible_but_printable_characters_are_kept(people: World) -> None:
    body = "第一行\n第二行\t缩进\r\n第三行 👨\u200d👩\u200d👧 \u202e反向"
    post = people.api.new_post(people.token("citizen"), body=body)
    assert post["body"] == body
    # the public reads it without the bidi override, which could turn a number around (see masking.py)
    assert people.api.detail(post["id"])["post"]["body"] == body.replace("\u202e", "")


def test_a_cad_event_with_a_control_character_is_400(people: World) -> None:
    import time

    from chalicelib.services.incidents import sign
    from tests.conftest import TEST_ENV

    raw = json.dumps(
        {
            "incident_id": "i-1",
            "post_id": "p-1",
            "event": "arrived",
            "unit_name": "巡警\u0007",
            "at": "2026-03-13T16:05:00+08:00",
        }
    ).encode()
    stamp = str(int(time.time()))
    headers = {"X-Timestamp": stamp, "X-Signature": sign(TEST_ENV["CAD_SECRET"], stamp, raw)}
    status, data = send(people, "POST", "/cad/events", raw, None, headers)
    assert status == 400 and "unit_name" in data["error"]["fields"], data


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


DEEP = [
    pytest.param(nested(1100), "body", id="array-1100"),
    pytest.param('{"a":' * 1100 + "1" + "}" * 1100, "body", id="object-1100"),
    pytest.param(json.dumps(POST)[:-1] + ', "title": ' + nested(1100) + "}", "body", id="field-1100"),
    pytest.param(json.dumps(POST)[:-1] + ', "extra": ' + nested(200000) + "}", "body", id="array-200000"),
    pytest.param(nested(33), "body", id="array-33"),
]


@pytest.mark.parametrize(("raw", "field"), DEEP)
def test_json_nested_deeper_than_32_levels_is_400(people: World, raw: str, field: str) -> None:
    before = stored(people)
    status, data = send(people, "POST", "/posts", raw, people.token("citizen"))
    assert status in (400, 413), data
    if status == 400:
        assert data["error"]["fields"] == {field: "nested deeper than 32 levels"}, data
    assert stored(people) == before


def test_json_nested_32_levels_is_parsed_and_judged_by_the_model(people: World) -> None:
    status, data = send(
        people, "POST", "/posts", json.dumps({**POST, "title": json.loads(nested(31))}), people.token("citizen")
    )
    assert status == 400 and set(data["error"]["fields"]) == {"title"}, data  # not a string, but parsed
    status, data = send(people, "POST", "/posts", '{"t": "' + "[" * 2000 + '"}', people.token("citizen"))
    assert status == 400 and "t" in data["error"]["fields"], data  # brackets inside a string do not nest


NUMBERS = [
    pytest.param("/auth/otp", '{"phone": 1' + "0" * 5000 + "}", "phone", id="int-5000-digits"),
    pytest.param("/auth/otp", '{"phone": -1' + "0" * 5000 + "}", "phone", id="negative-5000-digits"),
    pytest.param("/auth/otp", '{"phone": 13800009999}', "phone", id="number-for-a-string"),
    pytest.param("/auth/otp", '{"phone": 1e999}', "phone", id="float-overflow"),
    pytest.param("/auth/otp", '{"phone": NaN}', "phone", id="nan"),
    pytest.param("/auth/otp", '{"phone": -Infinity}', "phone", id="minus-infinity"),
    pytest.param("/auth/otp", '{"phone": "13800009999", "phone": "13800009998"}', "phone", id="duplicate-key"),
    pytest.param("/auth/otp", '{"phone": "13800009999", "x": [1' + "0" * 5000 + "]}", "x.0", id="nested-huge"),
]


@pytest.mark.parametrize(("path", "raw", "field"), NUMBERS)
def test_huge_or_non_finite_numbers_and_duplicate_keys_are_400_naming_the_field(
    people: World, path: str, raw: str, field: str
) -> None:
    from tests.conftest import sent_sms

    sms_before, before = len(sent_sms()), stored(people)
    status, data = send(people, "POST", path, raw, None)
    assert status == 400, data
    assert_error_shape(data, "validation_error")
    assert field in data["error"]["fields"], data
    assert len(sent_sms()) == sms_before and stored(people) == before


def test_a_huge_number_in_a_version_is_400(people: World, post: dict) -> None:
    before = stored(people)
    status, data = send(
        people,
        "POST",
        f"/posts/{post['id']}/status",
        '{"status": "acknowledged", "version": 9' + "9" * 5000 + "}",
        people.token("leader"),
    )
    assert status == 400 and "version" in data["error"]["fields"], data
    assert stored(people) == before


BAD_KEYS = [
    pytest.param("k" * 3000, id="3000-chars"),
    pytest.param("k" * 65, id="65-chars"),
    pytest.param("", id="empty"),
    pytest.param("key with spaces", id="spaces"),
    pytest.param("键-1", id="non-ascii"),
    pytest.param("a/b", id="slash"),
]


@pytest.mark.parametrize("key", BAD_KEYS)
@pytest.mark.parametrize("target", ["post", "reply"])
def test_an_idempotency_key_outside_1_to_64_of_the_alphabet_is_400_and_nothing_is_stored(
    people: World, post: dict, key: str, target: str
) -> None:
    path, body = ("/posts", POST) if target == "post" else (f"/posts/{post['id']}/replies", {"body": "好的"})
    before = stored(people)
    status, data = send(people, "POST", path, json.dumps(body), people.token("citizen"), {"Idempotency-Key": key})
    assert status == 400, data
    assert data["error"]["fields"] == {"Idempotency-Key": "expected 1-64 characters of A-Z a-z 0-9 _ -"}
    assert stored(people) == before
    status, data = send(people, "POST", path, json.dumps(body), None, {"Idempotency-Key": key})
    assert status == 400, data  # 400 comes before the missing token's 401


def test_an_idempotency_key_of_64_characters_works(people: World) -> None:
    key = "A-z_9" * 12 + "abcd"
    body, token = json.dumps({**POST, "title": "六十四"}), people.token("citizen")
    (status, first), (again_status, again) = (
        send(people, "POST", "/posts", body, token, {"Idempotency-Key": key}) for _ in range(2)
    )
    assert status == 201, first
    assert again_status == 201 and again["id"] == first["id"]


@pytest.mark.parametrize("stamp", ["²", "١٧٠٠٠٠٠٠٠٠", "9" * 5000, "-1", "1e9", " 1"])
def test_a_cad_timestamp_that_is_not_ascii_digits_is_401_not_a_5xx(people: World, stamp: str) -> None:
    status, data = send(people, "POST", "/cad/events", b"{}", None, {"X-Timestamp": stamp, "X-Signature": "sha256=0"})
    assert status == 401, data
    assert_error_shape(data, "unauthenticated")


@pytest.mark.parametrize("phone", ["１３８００００９９９９", "13８00009999", "١٣٨٠٠٠٠٩٩٩٩"])
def test_a_phone_in_other_than_ascii_digits_is_400_and_no_sms_leaves(people: World, phone: str) -> None:
    from tests.conftest import sent_sms

    sms_before = len(sent_sms())
    status, data = send(people, "POST", "/auth/otp", json.dumps({"phone": phone}), None)
    assert status == 400 and "phone" in data["error"]["fields"], data
    assert len(sent_sms()) == sms_before
