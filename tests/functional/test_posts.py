"""Boards, districts, units, posting and replying: who may, and what each caller sees."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import DIRECTORY
from tests.functional.conftest import CITIZENS, OFFICERS, POLICE, ROLES, UNIT_NAMES, World, assert_error_shape

BOARD_IDS = [
    "report",
    "hukou",
    "exit-entry",
    "traffic",
    "anti-drug",
    "anti-terror",
    "legal-education",
    "online-lawyer",
    "legal-aid",
    "environment",
    "hometown",
    "qa",
]
BAOTOU = [
    "昆都仑区",
    "青山区",
    "东河区",
    "九原区",
    "石拐区",
    "白云鄂博矿区",
    "土默特右旗",
    "固阳县",
    "达尔罕茂明安联合旗",
]
PHONE, PHONE_MASKED = "13812345678", "138****5678"
ID_CARD, ID_CARD_MASKED = "150203199001011232", "1" + "*" * 15 + "32"  # a valid GB 11643 check digit
ALL_200 = {role: 200 for role in ROLES}
READERS = {**ALL_200, "admin_key": 401}  # the ADMIN_KEY is no person's session: a bad bearer token


def expected(default: int, **overrides: int) -> dict[str, int]:
    return {role: overrides.get(role, default) for role in ROLES}


# -- reading the directory of boards, districts and units ----------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_everyone_sees_the_twelve_boards(people: World, role: str) -> None:
    status, data, _ = people.api.call("GET", "/boards", token=people.token(role))
    assert status == 200
    assert [b["id"] for b in data["boards"]] == BOARD_IDS
    for board in data["boards"]:
        assert board["name"] and board["description"]
        assert board["post_types"] and set(board["post_types"]) <= {"report", "help", "publicity", "question"}


@pytest.mark.parametrize("role", ROLES)
def test_everyone_sees_baotous_nine_districts(people: World, role: str) -> None:
    status, data, _ = people.api.call("GET", "/districts", token=people.token(role))
    assert status == 200
    assert data == {"districts": BAOTOU}


@pytest.mark.parametrize("role", ROLES)
def test_everyone_sees_the_unit_directory_with_published_contacts_only(people: World, role: str) -> None:
    status, data, _ = people.api.call("GET", "/units", token=people.token(role))
    assert status == 200
    units = {u["id"]: u for u in data["units"]}
    assert {"command-center", "kunqu", "qingfu"} <= set(units)
    assert units["command-center"]["name"] == UNIT_NAMES["command-center"]
    assert units["command-center"]["public_contact"] == "0472-110"
    text = str(data)
    for officer in DIRECTORY["officers"].values():
        assert officer["phone"] not in text  # private numbers never leave the directory
    assert "wang@example.org" not in text


# -- the feed and a post's detail ----------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_who_may_read_the_feed(people: World, role: str) -> None:
    post = people.api.new_post(people.token("citizen"), board="hukou", title="集体户口能否迁回原籍")
    status, data, _ = people.api.call("GET", "/posts?board=hukou", token=people.token(role))
    assert status == READERS[role], data
    if status == 200:
        assert post["id"] in [p["id"] for p in data["posts"]]


@pytest.mark.parametrize("role", ROLES)
def test_who_may_read_a_post(people: World, role: str) -> None:
    post = people.api.new_post(people.token("citizen"))
    status, data, _ = people.api.call("GET", f"/posts/{post['id']}", token=people.token(role))
    assert status == READERS[role], data
    if status == 200:
        assert data["post"]["id"] == post["id"] and data["post"]["title"] == post["title"]
        assert [e["kind"] for e in data["timeline"]][:1] == ["received"]
        assert data["replies"] == []


def test_an_unknown_post_is_404(people: World) -> None:
    status, data, _ = people.api.call("GET", "/posts/p0000000000000000")
    assert status == 404
    assert_error_shape(data, "not_found")


# -- posting -------------------------------------------------------------------------------------


def post_as(
    people: World, role: str, board: str, type_: str, title: str, body: str, **more: str
) -> tuple[int, dict[str, Any]]:
    """POST /posts as one of the roles; the status and the answer."""
    fields = {"board": board, "type": type_, "title": title, "body": body, **more}
    status, post, _ = people.api.call("POST", "/posts", fields, token=people.token(role))
    return status, post


@pytest.mark.parametrize("role", ROLES)
def test_who_may_post_a_question(people: World, role: str) -> None:
    title = f"{role}:夜间噪音扰民怎么处理"
    status, post = post_as(
        people, role, "environment", "question", title, "楼下烧烤店每晚营业到三点。", district="青山区"
    )
    assert status == expected(201, anonymous=401, admin_key=401)[role], post
    titles = [p["title"] for p in people.api.call("GET", "/posts?board=environment&limit=50")[1]["posts"]]
    if status == 201:
        assert post["status"] == "received" and post["title"] == title and post["district"] == "青山区"
        assert post["visibility"] == "public" and post["pinned"] is False and post["reply_count"] == 0
        assert post["assigned_unit"] is None and post["version"] >= 1
        assert post["created_at"].endswith("+08:00")
        assert title in titles
    else:
        assert title not in titles


@pytest.mark.parametrize("role", ROLES)
def test_only_police_may_post_publicity(people: World, role: str) -> None:
    title = f"{role}:禁毒知识进社区"
    status, post = post_as(people, role, "anti-drug", "publicity", title, "珍爱生命,远离毒品。")
    assert status == expected(403, anonymous=401, admin_key=401, **{r: 201 for r in POLICE})[role], post
    titles = [p["title"] for p in people.api.call("GET", "/posts?board=anti-drug&limit=50")[1]["posts"]]
    assert (title in titles) == (status == 201)
    if status == 201:
        assert post["first_response_due"] is None  # publicity awaits no answer


def test_an_officer_posts_under_the_real_name(people: World) -> None:
    post = people.api.new_post(people.token("unit_officer"), board="anti-drug", type="publicity")
    assert post["author"] == {"nickname": DIRECTORY["officers"]["o-kunqu"]["name"]}


def test_a_title_of_100_characters_and_a_body_of_5000_are_accepted(people: World) -> None:
    post = people.api.new_post(people.token("citizen"), title="标" * 100, body="文" * 5000)
    assert len(post["title"]) == 100 and len(post["body"]) == 5000
    assert people.api.detail(post["id"])["post"]["body"] == "文" * 5000


def test_a_citizens_question_gets_a_first_response_deadline(people: World) -> None:
    post = people.api.new_post(people.token("citizen"))
    assert post["first_response_due"] > post["created_at"]


# -- replying ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_who_may_reply_and_whose_reply_is_official(people: World, role: str) -> None:
    post = people.api.new_post(people.token("citizen"))
    status, reply, _ = people.api.call(
        "POST", f"/posts/{post['id']}/replies", {"body": "您好,请携带户口簿和身份证原件。"}, token=people.token(role)
    )
    assert status == expected(201, anonymous=401, admin_key=401)[role], reply
    detail = people.api.detail(post["id"])
    if status != 201:
        assert detail["replies"] == [] and detail["post"]["reply_count"] == 0
        return
    assert detail["post"]["reply_count"] == 1
    assert [r["id"] for r in detail["replies"]] == [reply["id"]]
    assert reply["post_id"] == post["id"] and reply["body"] == "您好,请携带户口簿和身份证原件。"
    if role in POLICE:
        officer = DIRECTORY["officers"][OFFICERS[role]]
        unit_id = officer["unit_id"]
        assert reply["official"] is True
        assert reply["author"] == {
            "name": officer["name"],
            "title": officer["title"],
            "unit": {"id": unit_id, "name": UNIT_NAMES[unit_id]},
        }
        assert "replied" in [e["kind"] for e in detail["timeline"]]
    else:
        assert role in CITIZENS
        assert reply["official"] is False
        assert set(reply["author"]) == {"nickname"} and reply["author"]["nickname"]
    assert detail["replies"][0] == reply


def test_replying_to_an_unknown_post_is_404(people: World) -> None:
    status, data, _ = people.api.call(
        "POST", "/posts/p0000000000000000/replies", {"body": "在吗"}, token=people.token("citizen")
    )
    assert status == 404
    assert_error_shape(data, "not_found")


def test_a_reply_of_2000_characters_is_accepted(people: World) -> None:
    post = people.api.new_post(people.token("citizen"))
    status, reply, _ = people.api.call(
        "POST", f"/posts/{post['id']}/replies", {"body": "答" * 2000}, token=people.token("other_citizen")
    )
    assert status == 201 and len(reply["body"]) == 2000


# -- Idempotency-Key -----------------------------------------------------------------------------


def test_a_replayed_idempotency_key_returns_the_same_post_once(people: World) -> None:
    api, token = people.api, people.token("citizen")
    body = {"board": "traffic", "type": "help", "title": "车辆被剐蹭找不到车主", "body": "停在小区门口被剐蹭。"}
    headers = {"Idempotency-Key": "replay-1"}
    first = api.call("POST", "/posts", body, token=token, headers=headers)
    again = api.call("POST", "/posts", body, token=token, headers=headers)
    assert first[0] == again[0] == 201
    assert again[1]["id"] == first[1]["id"] and again[1]["title"] == body["title"]
    titles = [p["title"] for p in api.call("GET", "/posts?board=traffic&limit=50")[1]["posts"]]
    assert titles.count(body["title"]) == 1


def test_the_same_idempotency_key_with_another_body_is_409(people: World) -> None:
    api, token = people.api, people.token("citizen")
    body = {"board": "traffic", "type": "help", "title": "电动车被盗", "body": "昨晚停在楼下。"}
    headers = {"Idempotency-Key": "replay-2"}
    assert api.call("POST", "/posts", body, token=token, headers=headers)[0] == 201
    status, data, _ = api.call("POST", "/posts", {**body, "title": "另一件事"}, token=token, headers=headers)
    assert status == 409
    assert_error_shape(data)
    titles = [p["title"] for p in api.call("GET", "/posts?board=traffic&limit=50")[1]["posts"]]
    assert titles.count("电动车被盗") == 1 and "另一件事" not in titles


def test_an_idempotency_key_belongs_to_one_account(people: World) -> None:
    api = people.api
    body = {"board": "traffic", "type": "help", "title": "路口信号灯坏了", "body": "建设路与民族东路口。"}
    headers = {"Idempotency-Key": "shared-key"}
    one = api.call("POST", "/posts", body, token=people.token("citizen"), headers=headers)[1]
    two = api.call("POST", "/posts", body, token=people.token("other_citizen"), headers=headers)[1]
    assert one["id"] != two["id"]


# -- police_only posts and masking ---------------------------------------------------------------

STUB_VIEWERS = ("anonymous", "other_citizen")
WHOLE_VIEWERS = ("citizen", *POLICE)


def test_a_police_only_post_is_a_stub_for_the_public_and_whole_for_author_and_police(people: World) -> None:
    api = people.api
    secret_title, secret_body = "小区有人贩毒", "3号楼2单元地下室,每晚十点以后交易。"
    post = api.new_report(
        people.token("citizen"), secret_title, secret_body, board="anti-drug", visibility="police_only"
    )
    assert post["visibility"] == "police_only" and post["title"] == secret_title  # the author sees it whole
    official = api.call(
        "POST", f"/posts/{post['id']}/replies", {"body": "线索已收到,民警将核查。"}, token=people.token("unit_officer")
    )[1]
    for role in STUB_VIEWERS:
        shown = api.detail(post["id"], people.token(role))
        assert secret_title not in str(shown) and "地下室" not in str(shown)
        assert shown["post"]["title"] and shown["post"]["body"]  # a notice, not nothing
        assert shown["post"]["visibility"] == "police_only"
        assert "民警将核查" not in str(shown)
    feed = api.call("GET", "/posts?board=anti-drug&limit=50")[1]
    stub = next(p for p in feed["posts"] if p["id"] == post["id"])
    assert (stub["title"], stub["body"]) == (shown["post"]["title"], shown["post"]["body"])
    for role in WHOLE_VIEWERS:
        shown = api.detail(post["id"], people.token(role))
        assert (shown["post"]["title"], shown["post"]["body"]) == (secret_title, secret_body), role
        assert shown["replies"][0]["body"] == official["body"]
    feed = api.call("GET", "/posts?board=anti-drug&limit=50", token=people.token("leader"))[1]
    assert next(p for p in feed["posts"] if p["id"] == post["id"])["body"] == secret_body


def test_public_output_masks_mobile_and_id_numbers_but_the_author_sees_them(people: World) -> None:
    api = people.api
    title = f"失主电话{PHONE}"
    body = f"捡到身份证{ID_CARD},失主请联系{PHONE}。"
    post = api.new_post(people.token("citizen"), board="hometown", type="help", title=title, body=body)
    assert (post["title"], post["body"]) == (title, body)
    reply = f"我认识失主,电话{PHONE}"
    api.call("POST", f"/posts/{post['id']}/replies", {"body": reply}, token=people.token("other_citizen"))
    public_title = f"失主电话{PHONE_MASKED}"
    public_body = f"捡到身份证{ID_CARD_MASKED},失主请联系{PHONE_MASKED}。"
    for role in STUB_VIEWERS:
        shown = api.detail(post["id"], people.token(role))
        assert (shown["post"]["title"], shown["post"]["body"]) == (public_title, public_body)
        assert len(shown["post"]["body"]) == len(body)
        feed = api.call("GET", "/posts?board=hometown&limit=50", token=people.token(role))[1]
        listed = next(p for p in feed["posts"] if p["id"] == post["id"])
        assert (listed["title"], listed["body"]) == (public_title, public_body)
    assert api.detail(post["id"])["replies"][0]["body"] == f"我认识失主,电话{PHONE_MASKED}"
    assert api.detail(post["id"], people.token("other_citizen"))["replies"][0]["body"] == reply  # its own author
    mine = api.detail(post["id"], people.token("citizen"))
    assert (mine["post"]["title"], mine["post"]["body"]) == (title, body)
    police = api.detail(post["id"], people.token("center_officer"))
    assert police["post"]["body"] == body
