"""The feed and "my posts" carry an excerpt of each body; the post page carries it whole."""

from __future__ import annotations

from tests.functional.conftest import CheckedApi

CITIZEN = "13800000001"
CLAUSE = "青山区钢铁大街与民主路交叉口的信号灯从早上七点起一直不亮，"  # 30 characters


def test_the_feed_cuts_a_long_body_at_a_clause_and_the_post_page_keeps_it_whole(fresh_api: CheckedApi) -> None:
    api = fresh_api
    token = api.sign_in(CITIZEN)
    body = CLAUSE * 5 + "车辆通行十分混乱，希望尽快处理。"
    post = api.new_post(token, board="traffic", type="help", title="信号灯不亮", body=body)

    status, feed, _ = api.call("GET", "/posts?board=traffic")
    assert status == 200, feed
    card = next(p for p in feed["posts"] if p["id"] == post["id"])
    assert card["truncated"] is True and card["body_length"] == len(body)
    assert len(card["body"]) <= 120 and body.startswith(card["body"])
    assert card["body"].endswith("，")  # ends on a whole clause, not mid-word

    status, page, _ = api.call("GET", f"/posts/{post['id']}")
    assert status == 200 and page["post"]["body"] == body

    status, mine, _ = api.call("GET", "/me/posts", token=token)
    assert status == 200
    assert next(p for p in mine["posts"] if p["id"] == post["id"])["truncated"] is True

    # GeoReport v2 defines `description` as the request's full description (up to 4,000 characters): no excerpt.
    status, listed, _ = api.call("GET", "/open311/v2/requests.json")
    assert status == 200
    assert next(r for r in listed if r["service_request_id"] == post["id"])["description"] == body


def test_a_short_body_comes_whole_and_a_phone_is_masked_before_the_cut(fresh_api: CheckedApi) -> None:
    api = fresh_api
    token = api.sign_in(CITIZEN)
    short = api.new_post(token, board="traffic", type="help", title="路灯坏了", body="路灯坏了。")
    # The number straddles the 120th character: the cut leaves it out whole rather than show half of it.
    long = api.new_post(
        token, board="traffic", type="help", title="联系方式", body="情" * 112 + "请联系13912345678谢谢"
    )
    reader = api.sign_in("13800000002")
    status, feed, _ = api.call("GET", "/posts?board=traffic", token=reader)
    assert status == 200
    cards = {p["id"]: p for p in feed["posts"]}
    assert cards[short["id"]]["body"] == "路灯坏了。" and cards[short["id"]]["truncated"] is False
    cut = cards[long["id"]]["body"]
    assert cut.endswith("请联系") and "139" not in cut and cards[long["id"]]["truncated"] is True
