"""Many callers at once on one post.

chalice.test.Client is not thread safe (Chalice keeps `current_request` on the app object), so the
threads call the use cases of `chalicelib.bootstrap.services()` against the same moto stack, as
concurrent Lambda invocations would; what they left behind is then read back over HTTP.

moto itself is not thread safe either (two conditional writes can both pass; its dicts change while
iterated), so `atomic_requests` serves one AWS request at a time, as DynamoDB applies each request
atomically. Everything between two requests (reads, decisions, retries) still interleaves freely.
"""

from __future__ import annotations

import pytest

from chalicelib.bootstrap import services
from chalicelib.domain.errors import StaleVersion
from tests.burst import all_at_once
from tests.functional.conftest import CheckedApi

THREADS = 20


pytestmark = pytest.mark.usefixtures("one_request_at_a_time")  # as each DynamoDB request is atomic


def test_twenty_concurrent_replies_are_all_stored_and_counted(fresh_api: CheckedApi) -> None:
    api = fresh_api
    author = api.sign_in("13800000001")
    replier = api.sign_in("13800000002")
    post = api.new_post(author)
    svc = services()
    actor = svc.identity.actor(replier)

    results = all_at_once(THREADS, lambda i: svc.forum.reply(actor, post["id"], f"第{i}条补充"))

    assert [r for r in results if isinstance(r, Exception)] == []
    detail = api.detail(post["id"])
    assert detail["post"]["reply_count"] == THREADS
    assert sorted(r["body"] for r in detail["replies"]) == sorted(f"第{i}条补充" for i in range(THREADS))
    assert len({r["id"] for r in detail["replies"]}) == THREADS
    assert api.call("GET", "/posts")[1]["posts"][0]["reply_count"] == THREADS


def test_concurrent_status_changes_on_one_version_let_exactly_one_win(fresh_api: CheckedApi) -> None:
    api = fresh_api
    post = api.new_post(api.sign_in("13800000001"))
    svc = services()
    from chalicelib.domain.people import Actor

    admin = Actor(role="admin", user_id="admin", nickname="管理员")
    results = all_at_once(
        THREADS, lambda i: svc.lifecycle.change_status(admin, post["id"], "acknowledged", post["version"], f"{i}")
    )

    winners = [r for r in results if not isinstance(r, Exception)]
    assert len(winners) == 1
    assert all(isinstance(r, StaleVersion) for r in results if isinstance(r, Exception))
    detail = api.detail(post["id"])
    assert detail["post"]["status"] == "acknowledged" and detail["post"]["version"] == post["version"] + 1
    assert [e["kind"] for e in detail["timeline"]] == ["received", "acknowledged"]
