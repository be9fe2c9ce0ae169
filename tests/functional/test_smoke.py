from __future__ import annotations

from tests.conftest import Api


def test_a_citizen_posts_and_reads_the_feed(api: Api, directory: dict) -> None:
    token = api.sign_in("13812345678")
    status, post, _ = api.call(
        "POST",
        "/posts",
        {
            "board": "report",
            "type": "report",
            "title": "捡到求救纸条",
            "body": "昆区锦泰驾校小区",
            "district": "昆都仑区",
        },
        token=token,
    )
    assert status == 201, post
    status, feed, headers = api.call("GET", "/posts")
    assert status == 200
    assert [p["id"] for p in feed["posts"]] == [post["id"]]
    assert headers["X-Content-Type-Options"] == "nosniff"
