"""A cold anonymous visit reads the feed and a post from their public copies (`/data/`, written from the table's
stream by the pump), never from the API; a resident who just posted reads the API and sees the post at once."""

from __future__ import annotations

import time
import urllib.request
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.stack import Stack, unique

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("csp_guard")]


def wait_for_copy(stack: Stack, path: str, text: str, timeout: float = 20) -> None:
    """Wait until the public copy at path (through the proxy) holds text."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{stack.base}{path}", timeout=5) as answer:
                if text in answer.read().decode("utf-8"):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{path} never showed {text!r}")


def test_a_cold_anonymous_visit_reads_the_feed_and_the_post_from_their_public_copies(
    page: Page, context: BrowserContext, stack: Stack
) -> None:
    resident = stack.sign_in(stack.new_phone())
    title = unique("公共副本读取测试")
    post = stack.post(resident["token"], board="qa", type="question", title=title, body="想问一下夜间办证的时间。")
    wait_for_copy(stack, "/data/feed.json", title)
    wait_for_copy(stack, f"/data/posts/{post['id']}.json", title)
    stack.wait_for_copies(post["id"], "qa")
    asked: list[str] = []
    context.on("request", lambda request: asked.append(urlsplit(request.url).path))

    page.goto("/")
    card = page.locator("ol.feed > li.post-card", has=page.get_by_role("link", name=title, exact=True))
    expect(card).to_be_visible()
    assert "/data/feed.json" in asked
    assert [path for path in asked if path.startswith("/api/")] == []  # boards are bundled, the feed is a copy

    card.get_by_role("link", name=title, exact=True).click()
    expect(page.locator("article.post-detail h1.post-title")).to_have_text(title)
    assert f"/data/posts/{post['id']}.json" in asked
    assert [path for path in asked if path.startswith("/api/")] == []

    page.goto("/#/board/qa")
    expect(page.get_by_role("link", name=title, exact=True)).to_be_visible()
    assert "/data/feed/qa.json" in asked
    assert [path for path in asked if path.startswith("/api/")] == []


def test_a_police_only_post_has_no_copy_and_the_public_gets_the_apis_stub(
    page: Page, context: BrowserContext, stack: Stack
) -> None:
    resident = stack.sign_in(stack.new_phone())
    title = unique("仅警方可见的线索")
    post = stack.post(
        resident["token"],
        board="report",
        type="report",
        district="青山区",
        title=title,
        body="线索详情只给警方。",
        visibility="police_only",
    )
    wait_for_copy(stack, "/data/feed/report.json", post["id"])  # the feed's copy holds its stub, as the API's
    asked: list[str] = []
    context.on("request", lambda request: asked.append(urlsplit(request.url).path))
    page.goto(f"/#/post/{post['id']}")
    expect(page.locator("article.post-detail h1.post-title")).to_have_text("该线索仅警方可见")
    assert asked.index(f"/data/posts/{post['id']}.json") < asked.index(f"/api/posts/{post['id']}")  # 404, then the API
    expect(page.get_by_text(title)).to_have_count(0)
