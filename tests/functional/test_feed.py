"""The feed: pages newest first, pins on the first page only, board and global pins, expiry, unpinning."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.conftest import MovableClock
from tests.functional.conftest import CheckedApi, assert_error_shape

CITIZEN = "13800000001"


def publish(api: CheckedApi, token: str, board: str, title: str) -> dict[str, Any]:
    types = {"qa": "question", "hukou": "question", "traffic": "help"}
    return api.new_post(token, board=board, type=types[board], title=title, body=f"{title}的详细情况")


def pages(api: CheckedApi, query: str, limit: int) -> list[dict[str, Any]]:
    """Walk every page of a feed and return them as the API gave them."""
    found, cursor = [], None
    while True:
        path = f"/posts?limit={limit}" + (f"&{query}" if query else "") + (f"&cursor={cursor}" if cursor else "")
        status, page, _ = api.call("GET", path)
        assert status == 200, page
        found.append(page)
        cursor = page["next_cursor"]
        if cursor is None:
            return found
        assert len(found) < 20, "the feed never ends"


def titles(posts: list[dict[str, Any]]) -> list[str]:
    return [p["title"] for p in posts]


def assert_newest_first(posts: list[dict[str, Any]]) -> None:
    keys = [(p["created_at"], p["id"]) for p in posts]
    assert keys == sorted(keys, reverse=True) and len(set(keys)) == len(keys)


def test_pages_with_a_global_and_a_board_pin(fresh_api: CheckedApi) -> None:
    api = fresh_api
    token = api.sign_in(CITIZEN)
    everywhere = publish(api, token, "hukou", "户籍窗口周六照常办公")
    on_qa = publish(api, token, "qa", "问题解答板块须知")
    questions = [publish(api, token, "qa", f"问题{i}") for i in range(7)]
    elsewhere = publish(api, token, "traffic", "路口信号灯故障")
    assert api.admin("PUT", f"/admin/posts/{everywhere['id']}/pin", {"scope": "global"})[0] == 200
    assert api.admin("PUT", f"/admin/posts/{on_qa['id']}/pin", {"scope": "board"})[0] == 200

    # One board: global pins, then that board's pins, on the first page only; then newest first.
    qa = pages(api, "board=qa", 3)
    assert [titles(p["pinned"]) for p in qa] == [["户籍窗口周六照常办公", "问题解答板块须知"], [], []]
    assert [titles(p["posts"]) for p in qa] == [["问题6", "问题5", "问题4"], ["问题3", "问题2", "问题1"], ["问题0"]]
    assert all(p["pinned"] is True for p in qa[0]["pinned"])
    assert all(p["pinned"] is False for page in qa for p in page["posts"])
    assert [p["next_cursor"] is None for p in qa] == [False, False, True]
    assert_newest_first([p for page in qa for p in page["posts"]])

    # All boards: only the global pin is pinned; the board pin is an ordinary post there.
    every = pages(api, "", 3)
    assert [titles(p["pinned"]) for p in every] == [["户籍窗口周六照常办公"], [], []]
    listed = [p for page in every for p in page["posts"]]
    assert titles(listed) == ["路口信号灯故障", *[f"问题{i}" for i in range(6, -1, -1)], "问题解答板块须知"]
    assert [len(p["posts"]) for p in every] == [3, 3, 3] and every[-1]["next_cursor"] is None
    assert_newest_first(listed)

    # Another board shows the global pin but not the qa board's pin.
    traffic = pages(api, "board=traffic", 3)
    assert [(titles(p["pinned"]), titles(p["posts"])) for p in traffic] == [
        (["户籍窗口周六照常办公"], ["路口信号灯故障"])
    ]
    hukou = pages(api, "board=hukou", 3)
    assert [(titles(p["pinned"]), titles(p["posts"])) for p in hukou] == [(["户籍窗口周六照常办公"], [])]
    assert elsewhere["id"] not in {p["id"] for page in qa for p in page["posts"]}
    assert len(questions) == 7


def test_a_cursor_keeps_its_place_when_new_posts_arrive(fresh_api: CheckedApi) -> None:
    api = fresh_api
    token = api.sign_in(CITIZEN)
    for i in range(4):
        publish(api, token, "qa", f"旧{i}")
    first = api.call("GET", "/posts?board=qa&limit=2")[1]
    publish(api, token, "qa", "新帖")
    second = api.call("GET", f"/posts?board=qa&limit=2&cursor={first['next_cursor']}")[1]
    assert titles(first["posts"]) == ["旧3", "旧2"]
    assert titles(second["posts"]) == ["旧1", "旧0"] and second["pinned"] == []


def test_an_empty_feed_has_no_next_page(fresh_api: CheckedApi) -> None:
    status, page, _ = fresh_api.call("GET", "/posts?board=qa")
    assert status == 200 and page == {"pinned": [], "posts": [], "next_cursor": None}


def test_a_pin_with_until_expires_and_the_post_returns_to_its_place(fresh_api: CheckedApi, clock: MovableClock) -> None:
    api = fresh_api
    token = api.sign_in(CITIZEN)
    pinned = publish(api, token, "qa", "限时置顶:春节安全提示")
    clock.advance(seconds=1)
    later = publish(api, token, "qa", "后来的帖子")
    until = (clock.now() + timedelta(hours=1)).isoformat()
    status, post, _ = api.admin("PUT", f"/admin/posts/{pinned['id']}/pin", {"scope": "global", "until": until})
    assert status == 200 and post["pinned"] is True
    page = api.call("GET", "/posts?board=qa")[1]
    assert titles(page["pinned"]) == ["限时置顶:春节安全提示"] and titles(page["posts"]) == ["后来的帖子"]

    clock.advance(hours=1, seconds=1)
    for query in ("board=qa", ""):
        page = api.call("GET", f"/posts?{query}")[1]
        assert page["pinned"] == []
        assert titles(page["posts"]) == ["后来的帖子", "限时置顶:春节安全提示"]
    assert api.detail(pinned["id"])["post"]["pinned"] is False
    assert later["id"] != pinned["id"]


def test_a_pin_until_a_past_time_is_refused(fresh_api: CheckedApi) -> None:
    api = fresh_api
    post = publish(api, api.sign_in(CITIZEN), "qa", "想置顶到过去")
    status, data, _ = api.admin(
        "PUT", f"/admin/posts/{post['id']}/pin", {"scope": "global", "until": "2001-01-01T00:00:00+08:00"}
    )
    assert status == 400
    assert_error_shape(data, "validation_error")
    assert api.call("GET", "/posts")[1]["pinned"] == []


def test_unpinning_returns_the_post_to_its_place(fresh_api: CheckedApi) -> None:
    api = fresh_api
    token = api.sign_in(CITIZEN)
    first = publish(api, token, "qa", "曾经置顶")
    publish(api, token, "qa", "普通帖子")
    assert api.admin("PUT", f"/admin/posts/{first['id']}/pin", {"scope": "board"})[0] == 200
    assert titles(api.call("GET", "/posts?board=qa")[1]["pinned"]) == ["曾经置顶"]
    for _ in range(2):  # unpinning twice is harmless
        status, post, _ = api.admin("DELETE", f"/admin/posts/{first['id']}/pin")
        assert status == 200 and post["pinned"] is False
        page = api.call("GET", "/posts?board=qa")[1]
        assert page["pinned"] == [] and titles(page["posts"]) == ["普通帖子", "曾经置顶"]


def test_moving_a_pin_from_board_to_global_shows_it_on_every_board(fresh_api: CheckedApi) -> None:
    api = fresh_api
    post = publish(api, api.sign_in(CITIZEN), "qa", "全站公告")
    assert api.admin("PUT", f"/admin/posts/{post['id']}/pin", {"scope": "board"})[0] == 200
    assert api.call("GET", "/posts?board=traffic")[1]["pinned"] == []
    assert api.admin("PUT", f"/admin/posts/{post['id']}/pin", {"scope": "global"})[0] == 200
    for query in ("board=traffic", "board=qa", ""):
        page = api.call("GET", f"/posts?{query}")[1]
        assert titles(page["pinned"]) == ["全站公告"] and page["posts"] == []


def test_a_hidden_global_pin_leaves_every_board_and_comes_back_when_shown(fresh_api: CheckedApi) -> None:
    api = fresh_api
    token = api.sign_in(CITIZEN)
    post = publish(api, token, "hukou", "全站置顶:办事指南")
    publish(api, token, "traffic", "路口信号灯故障")
    assert api.admin("PUT", f"/admin/posts/{post['id']}/pin", {"scope": "global"})[0] == 200
    boards = ("board=traffic", "board=hukou", "board=qa", "")
    assert all(titles(api.call("GET", f"/posts?{q}")[1]["pinned"]) == ["全站置顶:办事指南"] for q in boards)

    assert api.admin("PUT", f"/admin/posts/{post['id']}/hidden", {"reason": "内容待核实"})[0] == 200
    for query in boards:
        page = api.call("GET", f"/posts?{query}")[1]
        assert page["pinned"] == [] and post["id"] not in {p["id"] for p in page["posts"]}

    assert api.admin("DELETE", f"/admin/posts/{post['id']}/hidden")[0] == 200
    assert all(titles(api.call("GET", f"/posts?{q}")[1]["pinned"]) == ["全站置顶:办事指南"] for q in boards)


def test_a_reply_to_a_global_pin_counts_on_its_card_in_every_board(fresh_api: CheckedApi) -> None:
    api = fresh_api
    token = api.sign_in(CITIZEN)
    post = publish(api, token, "hukou", "全站置顶:春节值班安排")
    assert api.admin("PUT", f"/admin/posts/{post['id']}/pin", {"scope": "global"})[0] == 200
    status, _, _ = api.call("POST", f"/posts/{post['id']}/replies", {"body": "请问初一派出所上班吗?"}, token=token)
    assert status == 201

    for query in ("board=traffic", "board=hukou", ""):
        (card,) = api.call("GET", f"/posts?{query}")[1]["pinned"]
        assert card["reply_count"] == 1
