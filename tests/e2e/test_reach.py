"""Reach: every page passes axe-core, works by keyboard alone, has a large-text mode and a one-tap 110 link;
a cold feed visit is the page, one script, one stylesheet and the data, a warm one re-downloads no asset."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from bench.page import cold_and_warm, kind_counts
from tests.e2e.conftest import MOBILE, sign_in_page
from tests.e2e.stack import Stack, unique

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("csp_guard")]

DUTY_OFFICER = "13900000023"  # 张磊, 社区民警, 青山区纺织道派出所 (environment posts in 青山区 reach him)
BLOCKING = ("serious", "critical")
AXE = Axe()


@pytest.fixture(scope="module")
def world(stack: Stack) -> dict[str, Any]:
    """A resident with a long post in 青山区 and the reply-page link that reached the officer."""
    resident = stack.sign_in(stack.new_phone())
    post = stack.report_in_qingshan(
        resident["token"],
        "工地夜间施工噪音扰民",
        "青山区某工地每天夜里十一点以后还在施工，噪音很大，附近居民无法入睡，希望尽快处理。" * 4,
    )
    return {"resident": resident, "post": post, "link": stack.officer_link(DUTY_OFFICER, post["id"])}


def blocking_violations(page: Page) -> list[str]:
    """Run axe-core on the page as it is; return its serious and critical findings and skipped headings."""
    results = AXE.run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in BLOCKING or violation["id"] == "heading-order":  # a skipped level loses a reader
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]][:5]
            found.append(f"{violation['impact']} {violation['id']}: {violation['help']} at {targets}")
    return found


def settled(page: Page) -> None:
    """Wait until the view has rendered (no loading text left)."""
    expect(page.locator("#main .view")).to_be_attached()
    expect(page.locator("#main .loading")).to_have_count(0, timeout=15_000)
    page.wait_for_load_state("networkidle")


def citizen_views(world: dict[str, Any]) -> dict[str, str]:
    return {
        "feed": "/#/",
        "board": "/#/board/environment",
        "boards": "/#/boards",
        "post": f"/#/post/{world['post']['id']}",
        "stats": "/#/stats",
        "share": "/#/share",
        "sign-in": "/#/login",
    }


SIGNED_IN_VIEWS = {"compose": "/#/compose", "me": "/#/me"}


def every_view(page: Page, world: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Visit each view of the three pages (signed out, then signed in); yield (name, url) once it is shown."""
    for name, url in citizen_views(world).items():
        page.goto(url)
        settled(page)
        yield name, url
    sign_in_page(page, world["resident"])
    for name, url in {**SIGNED_IN_VIEWS, "feed (signed in)": "/#/"}.items():
        page.goto(url)
        settled(page)
        yield name, url
    page.goto(world["link"])
    expect(page.locator("#main .loading")).to_have_count(0, timeout=15_000)
    page.wait_for_load_state("networkidle")
    yield "reply.html", world["link"]
    page.goto("/outbox.html")
    expect(page.locator("#messages li").first).to_be_visible(timeout=15_000)
    yield "outbox.html", "/outbox.html"


def test_every_view_passes_axe_core_with_no_serious_or_critical_violation(page: Page, world: dict[str, Any]) -> None:
    problems: dict[str, list[str]] = {}
    for name, _ in every_view(page, world):
        found = blocking_violations(page)
        if found:
            problems[name] = found
    page.goto("/#/")
    settled(page)
    page.get_by_role("button", name="大字模式").click()
    page.get_by_role("button", name="Switch to English").click()
    settled(page)
    for name, _ in every_view(page, world):  # in English and in large text too
        found = blocking_violations(page)
        if found:
            problems[f"{name} (English, large text)"] = found
    assert problems == {}, problems


def overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the screen (0: no sideways scrolling)."""
    return int(page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"))


def call_110_in_view(page: Page) -> None:
    link = page.locator('a[href="tel:110"]').first
    expect(link).to_be_visible()
    expect(link).to_be_in_viewport()
    assert "110" in link.inner_text()


def test_every_view_keeps_a_one_tap_110_link_on_screen_even_scrolled_to_the_end(
    page: Page, world: dict[str, Any]
) -> None:
    for name, _ in every_view(page, world):
        call_110_in_view(page)
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        page.wait_for_function("window.scrollY > 0 || document.documentElement.scrollHeight <= innerHeight")
        try:
            call_110_in_view(page)
        except AssertionError as error:
            raise AssertionError(f"{name}: the 110 link is off screen once scrolled") from error


def test_large_text_survives_a_reload_and_never_scrolls_sideways_at_375_px(page: Page, world: dict[str, Any]) -> None:
    page.goto("/#/")
    settled(page)
    normal = page.locator(".post-title").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    toggle = page.get_by_role("button", name="大字模式")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    page.reload()
    settled(page)
    expect(page.get_by_role("button", name="大字模式")).to_have_attribute("aria-pressed", "true")
    large = page.locator(".post-title").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert large >= normal * 1.2, (normal, large)
    wide = {}
    for name, _ in every_view(page, world):
        expect(page.locator("html")).to_have_class(re.compile(r"\blarge-text\b"))
        if overflow(page) > 0:
            wide[name] = overflow(page)
    page.get_by_role("button", name="Switch to English").click()
    for name, url in citizen_views(world).items():
        page.goto(url)
        settled(page)
        if overflow(page) > 0:
            wide[f"{name} (English)"] = overflow(page)
    assert page.viewport_size == MOBILE and wide == {}, wide
    page.get_by_role("button", name="Large text mode").click()
    page.reload()
    expect(page.get_by_role("button", name="Large text mode")).to_have_attribute("aria-pressed", "false")


FOCUS_SHOWN = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el.tabIndex < 0) return null;  // a heading focused by a route change
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  return { shown: outline || style.boxShadow !== "none", what: el.id || el.textContent.trim().slice(0, 20) };
}"""


def tab_to(page: Page, selector: str, unseen: list[str], limit: int = 80) -> None:
    """Press Tab until the element matching selector has focus; note every stop whose focus does not show."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS_SHOWN)
        if focused is not None and not focused["shown"]:
            unseen.append(focused["what"])
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def choose(page: Page, value: str) -> None:
    """Pick an option of the focused select with the arrow keys."""
    for key in ("ArrowDown", "ArrowUp"):
        for _ in range(30):
            if page.evaluate("() => document.activeElement.value") == value:
                return
            page.keyboard.press(key)
    raise AssertionError(f"no option {value}")


def test_a_resident_signs_in_and_posts_with_the_keyboard_alone_and_always_sees_where_focus_is(
    page: Page, stack: Stack
) -> None:
    phone = stack.new_phone()
    title = unique("路灯不亮")
    unseen: list[str] = []
    page.goto("/")
    settled(page)
    tab_to(page, "a.skip", unseen)
    expect(page.locator("a.skip")).to_be_in_viewport()  # the skip link shows when it has focus
    tab_to(page, "#account", unseen)
    page.keyboard.press("Enter")
    tab_to(page, "#login-phone", unseen)
    page.keyboard.type(phone)
    page.keyboard.press("Enter")
    expect(page.locator("#login-code")).to_be_focused(timeout=15_000)
    page.keyboard.type(stack.wait_for_message(phone, "验证码", re.compile(r"验证码是(\d{6})")))
    page.keyboard.press("Enter")
    expect(page.locator("#account")).not_to_have_text("登录", timeout=15_000)
    settled(page)

    tab_to(page, 'a[data-nav="compose"]', unseen)
    page.keyboard.press("Enter")
    expect(page.locator("#compose-board")).to_be_attached(timeout=15_000)
    tab_to(page, "#compose-board", unseen)
    choose(page, "traffic")
    tab_to(page, "#compose-type", unseen)
    choose(page, "help")
    tab_to(page, "#compose-title", unseen)
    page.keyboard.type(title)
    tab_to(page, "#compose-body", unseen)
    page.keyboard.type("昆区钢铁大街的路灯一到晚上就不亮，行人走路看不清。")
    tab_to(page, "#compose-submit", unseen)
    page.keyboard.press("Enter")
    expect(page.get_by_text("发布成功")).to_be_visible(timeout=15_000)
    expect(page.locator(".post-title", has_text=title).first).to_be_visible()
    assert unseen == [], f"focus not visible on: {unseen}"


def test_a_cold_feed_visit_is_the_page_one_script_one_stylesheet_and_the_data_and_a_warm_one_no_asset(
    browser: Browser, base_url: str
) -> None:
    cold, warm = cold_and_warm(browser, base_url)
    # Residents' photos on the cards (thumbnails under /media/, when earlier tests posted some) are data too.
    photos = [r for r in cold.network if r.kind == "Image"]
    assert all(r.path.startswith("/media/") and r.path.endswith("/thumb.jpg") for r in photos)
    assert kind_counts(cold) == {
        "Document": 1,
        "Script": 1,
        "Stylesheet": 1,
        "Fetch": len(cold.network) - 3 - len(photos),
        **({"Image": len(photos)} if photos else {}),
    }
    # The data: the feed's public copy (the API's first page only while the copy does not exist yet); no boards.
    fetched = [r.path for r in cold.network if r.kind == "Fetch"]
    assert fetched[0] == "/data/feed.json" and set(fetched[1:]) <= {"/api/posts?limit=20"}, fetched
    text = [
        r
        for r in cold.network
        if r.kind in ("Document", "Script", "Stylesheet") or (r.kind == "Fetch" and r.bytes > 1500)
    ]
    assert all(r.encoding == "gzip" for r in text)  # JPEG photos are sent as they are
    assert {r.kind for r in warm.network} <= {"Document", "Fetch", "Image"}  # script, stylesheet: the cache
    assert all(r.path.startswith("/media/") for r in warm.network if r.kind == "Image")
    assert sorted(r.kind for r in warm.requests if r.cached and r.kind != "Image") == ["Script", "Stylesheet"]
    assert {r.path for r in warm.requests if r.kind == "Image" and r.cached} <= {r.path for r in photos}  # a year
    (page,) = [r for r in warm.network if r.kind == "Document"]
    assert page.status == 304 and page.bytes < 600


def test_make_dev_prints_the_outbox_page_and_whether_chinese_fonts_are_installed(stack: Stack) -> None:
    banner = stack.output()
    assert f"Outbox:     {stack.base}/outbox.html" in banner and "/api/dev/outbox" not in banner
    assert "Fonts:" in banner and ("Chinese fonts found" in banner or "fonts-noto-cjk" in banner)
