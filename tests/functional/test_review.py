"""The review queue through the API on the moto stack: held and flagged posts oldest first with the count,
publish or hide with a note (audited), decided once, even when two reviewers race; who may."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.conftest import moto_stack
from tests.functional.conftest import ROOT, CheckedApi, ShiftedClock, seed_directory

LEADER, CENTER, UNIT_OFFICER = "13900000001", "13900000002", "13900000003"
AUTHOR, FLAGGERS = "13800000001", ("13800000011", "13800000012", "13800000013")


@contextmanager
def stack() -> Iterator[tuple[CheckedApi, ShiftedClock, dict[str, str]]]:
    """A stack with a sensitive word, and everyone signed in."""
    from chalice.test import Client

    from app import app
    from chalicelib import bootstrap
    from chalicelib.config import Settings

    with pytest.MonkeyPatch.context() as patch, moto_stack(patch):
        patch.setenv("SENSITIVE_WORDS", "敏感词")
        clock = ShiftedClock()
        settings = Settings.from_env()
        bootstrap._cache[settings] = bootstrap.build(settings, clock=clock)
        with Client(app, stage_name="test", project_dir=str(ROOT)) as client:
            api = CheckedApi(client)
            seed_directory(api)
            phones = (LEADER, CENTER, UNIT_OFFICER, AUTHOR, *FLAGGERS)
            yield api, clock, {phone: api.sign_in(phone) for phone in phones}


def queue(api: CheckedApi, token: str, query: str = "") -> dict[str, Any]:
    status, page, _ = api.call("GET", f"/work/review{query}", token=token)
    assert status == 200, page
    return dict(page)


def test_the_queue_lists_held_then_flagged_posts_and_each_is_decided_once_and_audited() -> None:
    with stack() as (api, clock, tokens):
        held = api.new_post(tokens[AUTHOR], title="求助", body="这里有敏感词")
        flagged = api.new_post(tokens[AUTHOR], title="卖二手手机", body="加微信")
        api.new_post(tokens[AUTHOR], title="问路", body="火车站怎么走")  # nothing to review
        clock.advance(days=2)  # the flaggers' accounts count once a day old
        for phone in FLAGGERS:
            assert api.call("POST", f"/posts/{flagged['id']}/flags", {"reason": "广告"}, token=tokens[phone])[0] == 202

        page = queue(api, tokens[LEADER])
        assert [p["id"] for p in page["posts"]] == [held["id"], flagged["id"]] and page["count"] == 2
        assert api.call("GET", "/work/board", token=tokens[LEADER])[1]["review"] == 2  # the board shows the count
        first = queue(api, tokens[CENTER], "?limit=1")
        second = queue(api, tokens[CENTER], f"?limit=1&cursor={first['next_cursor']}")
        assert [p["id"] for p in first["posts"] + second["posts"]] == [held["id"], flagged["id"]]
        assert api.call("GET", f"/posts/{held['id']}")[0] == 404  # the public cannot see it yet

        status, published, _ = api.call(
            "POST", f"/work/review/{held['id']}", {"decision": "publish", "note": "误判"}, token=tokens[CENTER]
        )
        assert status == 200 and published["id"] == held["id"]
        assert api.call("GET", f"/posts/{held['id']}")[0] == 200
        status, again, _ = api.call("POST", f"/work/review/{held['id']}", {"decision": "hide"}, token=tokens[LEADER])
        assert status == 409, again
        status, _, _ = api.call("POST", f"/work/review/{flagged['id']}", {"decision": "hide"}, token=tokens[LEADER])
        assert status == 200 and api.call("GET", f"/posts/{flagged['id']}")[0] == 404

        assert queue(api, tokens[LEADER]) == {"posts": [], "count": 0, "next_cursor": None}
        entries = api.admin("GET", "/admin/audit")[1]["entries"]
        decided = [(e["action"], e["target"], e["after"]["note"]) for e in entries if e["action"].startswith("review_")]
        assert sorted(decided) == [
            ("review_hide", f"post:{flagged['id']}", None),
            ("review_publish", f"post:{held['id']}", "误判"),
        ]


def test_of_two_reviewers_at_once_one_decides_and_the_other_is_refused() -> None:
    from chalicelib.bootstrap import services
    from chalicelib.domain.errors import Conflict
    from chalicelib.domain.people import Actor

    with stack() as (api, _, tokens):
        post_id = api.new_post(tokens[AUTHOR], title="求助", body="这里有敏感词")["id"]
        review = services().review
        stale = review.store.get(post_id)  # the second reviewer read it ...
        assert api.call("POST", f"/work/review/{post_id}", {"decision": "hide"}, token=tokens[LEADER])[0] == 200
        review.store.get = lambda _: stale  # type: ignore[method-assign]  # ... before the first one wrote
        try:
            with pytest.raises(Conflict):
                review.decide(Actor(role="leader", user_id="o-chief", officer_id="o-chief"), post_id, "publish", None)
        finally:
            del review.store.get
        assert api.call("GET", f"/posts/{post_id}")[0] == 404  # the first decision stands


def test_officers_of_a_unit_and_citizens_are_refused_and_anonymous_must_sign_in() -> None:
    with stack() as (api, _, tokens):
        post_id = api.new_post(tokens[AUTHOR], title="求助", body="这里有敏感词")["id"]
        for phone in (UNIT_OFFICER, AUTHOR):
            assert api.call("GET", "/work/review", token=tokens[phone])[0] == 403
            assert api.call("POST", f"/work/review/{post_id}", {"decision": "publish"}, token=tokens[phone])[0] == 403
        assert api.call("GET", "/work/review")[0] == 401
        assert api.call("POST", f"/work/review/{post_id}", {"decision": "maybe"}, token=tokens[LEADER])[0] == 400
        assert queue(api, tokens[LEADER])["count"] == 1  # nothing changed
