from __future__ import annotations

from tests.conftest import Api
from tests.posting import new_post


def test_a_citizen_posts_and_reads_the_feed(api: Api, directory: dict) -> None:
    token = api.sign_in("13812345678")
    post = new_post(api, token, title="捡到求救纸条", body="昆区锦泰驾校小区")
    status, feed, headers = api.call("GET", "/posts")
    assert status == 200
    assert [p["id"] for p in feed["posts"]] == [post["id"]]
    assert headers["X-Content-Type-Options"] == "nosniff"
