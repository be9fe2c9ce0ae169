"""The page checks drafts with the server's own emergency rule, served with the warning's wording."""

from __future__ import annotations

import re

from chalicelib.domain.emergency import reads_as_emergency
from tests.functional.conftest import World


def test_the_rule_is_served_with_its_wording_and_marks_posts_as_the_server_does(people: World) -> None:
    status, rule, _ = people.api.call("GET", "/emergency-rule")
    assert status == 200, rule
    assert set(rule) == {"pattern", "notice", "warning"}
    assert rule["notice"] == "紧急情况请立即拨打110"
    assert "110" in rule["warning"]
    served = re.compile(rule["pattern"])
    for text in ("我正在办理出国手续", "有人正在砍人", "救命", "我正在打电话"):
        assert bool(served.search(text)) == reads_as_emergency(text)
    assert not served.search("我正在办理出国手续") and served.search("有人正在砍人")


def test_an_urgent_post_carries_the_same_notice(people: World) -> None:
    token = people.token("citizen") or ""
    post = {"board": "qa", "type": "question", "title": "救命", "body": "有人正在砍人"}
    status, created, _ = people.api.call("POST", "/posts", post, token=token)
    assert status == 201, created
    assert created["notice"] == people.api.call("GET", "/emergency-rule")[1]["notice"]
