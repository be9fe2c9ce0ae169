"""WeChat on the citizen page: 微信登录 and the phone bound once, the channels of 消息通知, the share card; and the
whole loop through the local WeChat simulator, where the police's answer reaches the resident by WeChat, not SMS.

The page-only tests answer the WeChat routes of the API in the browser (page.route), so that they show what the
page does with each answer; the loop test runs against the stack's own API and WeChat simulator.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

from tests.e2e.conftest import sign_in_page
from tests.e2e.stack import CODE, Stack, unique
from tests.e2e.test_reach import blocking_violations

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("csp_guard")]

WECHAT_AGENT = (
    "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile "
    "Safari/537.36 MicroMessenger/8.0.47.2560(0x28002F35) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN"
)
in_wechat = pytest.mark.browser_context_args(user_agent=WECHAT_AGENT)
JWEIXIN = "https://res.wx.qq.com/open/js/jweixin-1.6.0.js"
# What WeChat's JS-SDK does with the page's calls, as far as the page can tell: it records them.
FAKE_JWEIXIN = """
window.__wx = [];
window.wx = {
  config: (options) => window.__wx.push(["config", options]),
  ready: (callback) => setTimeout(callback, 0),
  error: () => {},
  updateAppMessageShareData: (card) => window.__wx.push(["updateAppMessageShareData", card]),
  updateTimelineShareData: (card) => window.__wx.push(["updateTimelineShareData", card]),
};
"""
SIGNED = {"app_id": "wx-test-app", "timestamp": 1764750000, "nonce_str": "n0nce", "signature": "5ign"}
HUKOU_OFFICER = "13900000032"  # an officer of 东河区青福派出所, where a 东河区 户籍 question goes


def answer(route: Route, status: int, body: Any = None) -> None:
    """Answer a routed API call with JSON (or nothing)."""
    if body is None:
        route.fulfill(status=status, body="")
    else:
        route.fulfill(status=status, content_type="application/json", body=json.dumps(body))


def offer_wechat(page: Page, simulator: bool = True) -> None:
    """Say, as GET /auth/wechat/config would, that WeChat (locally: its simulator) is configured."""
    config = {"enabled": True, "app_id": "wx-test-app", "simulator": simulator}
    page.route("**/api/auth/wechat/config", lambda route: answer(route, 200, config))


def come_back_from_wechat(page: Page, ticket: str) -> list[str]:
    """Send WeChat's sign-in straight back to where it was asked to go, with `wx=<ticket>`; return the `next`s."""
    asked: list[str] = []

    def start(route: Route) -> None:
        (following,) = parse_qs(urlsplit(route.request.url).query)["next"]
        asked.append(following)
        route.fulfill(status=302, headers={"Location": f"{following}#wx={ticket}"})

    page.route("**/api/auth/wechat/start?*", start)
    return asked


def test_the_sign_in_page_offers_wechat_where_the_simulator_is_configured(page: Page) -> None:
    offer_wechat(page)
    page.goto("/#/login")
    button = page.get_by_role("button", name="微信登录", exact=True)
    expect(button).to_be_visible()
    expect(page.get_by_label("手机号码")).to_be_visible()  # the phone stays an option

    page.evaluate("localStorage.setItem('p24.lang', 'en')")
    page.reload()
    expect(page.get_by_role("button", name="Sign in with WeChat", exact=True)).to_be_visible()
    page.evaluate("localStorage.setItem('p24.lang', 'zh')")


def test_an_ordinary_browser_without_the_simulator_is_not_offered_wechat(page: Page) -> None:
    offer_wechat(page, simulator=False)
    page.goto("/#/login")
    expect(page.get_by_label("手机号码")).to_be_visible()
    expect(page.get_by_role("button", name="微信登录")).to_have_count(0)


@in_wechat
def test_inside_wechat_the_sign_in_page_starts_wechats_sign_in_at_once(page: Page) -> None:
    offer_wechat(page, simulator=False)
    asked = come_back_from_wechat(page, "T-at-once")
    page.route("**/api/auth/wechat/session", lambda route: answer(route, 401, {"error": {"code": "expired"}}))
    page.goto("/#/login?next=/compose")
    expect(page.get_by_role("alert")).to_contain_text("微信登录已过期，请重新微信登录。")
    assert asked == ["/#/compose"]  # started once by itself; after a failure it waits to be asked again
    expect(page.get_by_role("button", name="重新微信登录")).to_be_visible()


def test_a_ticket_of_a_bound_wechat_signs_in_and_leaves_the_address(page: Page, stack: Stack) -> None:
    resident = stack.sign_in(stack.new_phone())
    offer_wechat(page)
    asked = come_back_from_wechat(page, "T-bound")
    exchanged: list[Any] = []

    def session(route: Route) -> None:
        exchanged.append(route.request.post_data_json)
        answer(route, 200, resident)

    page.route("**/api/auth/wechat/session", session)
    page.goto("/#/compose")
    page.get_by_role("link", name="去登录").click()
    page.get_by_role("button", name="微信登录").click()

    expect(page.get_by_label("标题", exact=True)).to_be_visible()  # on to where the resident was going
    expect(page.locator("#account")).to_have_text(resident["user"]["nickname"])
    assert asked == ["/#/compose"] and exchanged == [{"ticket": "T-bound"}]
    assert "wx=" not in page.url and page.url.endswith("/#/compose")
    page.go_back()  # the ticket was never in the history: Back does not exchange it again
    assert "wx=" not in page.url
    assert exchanged == [{"ticket": "T-bound"}]


def test_a_new_wechat_user_binds_a_phone_once_with_an_sms_code(page: Page, stack: Stack) -> None:
    phone = stack.new_phone()
    resident = stack.sign_in(phone)  # what POST /auth/session answers once the phone is bound
    offer_wechat(page)
    come_back_from_wechat(page, "T-new")
    page.route(
        "**/api/auth/wechat/session",
        lambda route: answer(route, 200, {"bind_required": True, "ticket": "B-bind"}),
    )
    bound: list[Any] = []

    def session(route: Route) -> None:
        bound.append(route.request.post_data_json)
        answer(route, 200, resident)

    page.route("**/api/auth/session", session)
    page.goto("/#/login?next=/me")
    page.get_by_role("button", name="微信登录").click()

    expect(page.get_by_role("heading", name="绑定手机号")).to_be_visible()
    expect(page.get_by_text("首次使用微信登录需验证一次手机号，以后无需短信。")).to_be_visible()
    page.get_by_label("手机号码").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    page.get_by_label("6 位验证码").fill("123456")
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(re.compile(r"#/me$"))
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    assert bound == [{"phone": phone, "code": "123456", "wechat_ticket": "B-bind"}]


def test_a_stale_ticket_says_so_in_chinese_and_offers_wechat_again(page: Page) -> None:
    offer_wechat(page)
    page.route("**/api/auth/wechat/session", lambda route: answer(route, 400, {"error": {"code": "bad_ticket"}}))
    page.goto("/#/me#wx=T-old")
    expect(page.get_by_role("alert")).to_have_text("微信登录已过期，请重新微信登录。")
    assert "wx=" not in page.url
    page.route("**/api/auth/wechat/start?*", lambda route: answer(route, 204))
    with page.expect_request("**/api/auth/wechat/start?*") as again:
        page.get_by_role("button", name="重新微信登录").click()
    assert parse_qs(urlsplit(again.value.url).query)["next"] == ["/#/me"]


def test_my_notices_follow_the_order_and_switches_chosen_and_wechat_unbinds_after_a_confirm(
    page: Page, stack: Stack
) -> None:
    resident = stack.sign_in(stack.new_phone())
    sign_in_page(page, resident)
    unbound: list[str] = []

    def me(route: Route) -> None:
        if route.request.method != "GET":
            route.fallback()
            return
        answer(route, 200, {**route.fetch().json(), "wechat": True})  # as if bound through the simulator

    def unbind(route: Route) -> None:
        unbound.append(route.request.method)
        route.fallback()

    page.route("**/api/me", me)
    page.route("**/api/me/wechat", unbind)
    page.goto("/#/me")
    panel = page.locator("section.notify")
    expect(panel).to_contain_text("微信通知免费；短信仅在没有微信时发送。")
    expect(panel.locator("li.channel")).to_have_count(2)  # a resident has no email channel
    assert panel.locator("li.channel").evaluate_all("els => els.map((el) => el.dataset.channel)") == ["wechat", "sms"]

    page.get_by_role("button", name="上移短信").click()
    expect(page.get_by_role("button", name="下移短信")).to_be_focused()
    page.get_by_label("微信", exact=True).uncheck()
    page.get_by_label("短信", exact=True).uncheck()
    page.get_by_role("button", name="保存通知设置").click()
    expect(panel.get_by_role("alert")).to_have_text("请至少保留一种通知方式。")
    page.get_by_label("微信", exact=True).check()
    page.get_by_label("短信", exact=True).check()
    page.get_by_role("button", name="保存通知设置").click()
    expect(panel.get_by_text("通知设置已保存。")).to_be_visible()
    assert stack.call("GET", "/me", token=resident["token"])[1]["notify"] == ["sms", "wechat"]

    expect(panel.get_by_text("已绑定微信")).to_be_visible()
    panel.get_by_role("button", name="解除绑定").click()
    expect(panel.get_by_text("确定解除微信绑定吗")).to_be_visible()
    assert unbound == []  # asked first
    panel.get_by_role("button", name="确定解除").click()
    expect(panel.get_by_text("已解除微信绑定。")).to_be_visible()
    assert unbound == ["DELETE"]
    expect(panel.get_by_role("button", name="绑定微信")).to_be_visible()
    expect(panel.get_by_text("（未绑定）")).to_be_visible()


@in_wechat
def test_inside_wechat_the_share_page_sets_wechats_share_card(page: Page, stack: Stack, base_url: str) -> None:
    _, config = stack.call("GET", "/auth/wechat/config")
    asked: list[str] = []
    page.on(
        "request",
        lambda request: (
            asked.append(parse_qs(urlsplit(request.url).query)["url"][0])
            if "/api/wechat/jssdk?" in request.url
            else None
        ),
    )
    page.route(JWEIXIN, lambda route: route.fulfill(status=200, content_type="text/javascript", body=FAKE_JWEIXIN))
    page.goto("/#/share")
    page.wait_for_function("() => window.__wx && window.__wx.length === 3")
    calls = dict(page.evaluate("window.__wx"))
    assert asked == [f"{base_url}/"]  # the address without its #
    signed = calls["config"]
    assert signed["appId"] == config["app_id"] and re.fullmatch(r"[0-9a-f]{40}", signed["signature"]), signed
    assert signed["nonceStr"] and isinstance(signed["timestamp"], int)
    assert signed["jsApiList"] == ["updateAppMessageShareData", "updateTimelineShareData"]
    card = {"title": "24小时警局", "link": f"{base_url}/", "imgUrl": f"{base_url}/share-icon.png"}
    assert calls["updateAppMessageShareData"] == {**card, "desc": calls["updateAppMessageShareData"]["desc"]}
    assert "包头市公安局" in calls["updateAppMessageShareData"]["desc"]
    assert calls["updateTimelineShareData"] == card
    icon = page.request.get(card["imgUrl"])
    assert icon.ok and icon.headers["content-type"] == "image/png"


def test_outside_wechat_the_share_page_loads_nothing_from_wechat(page: Page) -> None:
    remote: list[str] = []
    page.on("request", lambda request: remote.append(request.url) if "qq.com" in request.url else None)
    page.route("**/api/wechat/jssdk?*", lambda route: answer(route, 200, SIGNED))
    page.goto("/#/share")
    expect(page.locator("#site-qr img")).to_be_visible()
    page.wait_for_timeout(500)
    assert remote == []


def pick_test_user(page: Page, name: str) -> None:
    """On the WeChat simulator's authorize page, sign in as one of its test users."""
    page.get_by_role("link", name=re.compile(name)).first.click()


def outbox(stack: Stack) -> list[dict[str, Any]]:
    status, body = stack.call("GET", "/dev/outbox?limit=100")
    assert status == 200, body
    return list(body["messages"])


def wait_for_wechat(stack: Stack, openid: str, url_end: str, timeout: float = 30) -> dict[str, Any]:
    """Wait for a WeChat message to `openid` whose link ends with `url_end`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in outbox(stack):
            if message["channel"] == "wechat" and message["to"] == openid and message.get("url", "").endswith(url_end):
                return message
        time.sleep(0.3)
    raise AssertionError(f"no WeChat message to {openid} linking to {url_end}")


def test_a_resident_signs_in_with_wechat_and_hears_the_police_by_wechat_not_sms(page: Page, stack: Stack) -> None:
    status, config = stack.call("GET", "/auth/wechat/config")
    assert status == 200 and config["simulator"] is True, config
    phone = stack.new_phone()
    page.goto("/#/compose")
    page.get_by_role("link", name="去登录").click()
    page.get_by_role("button", name="微信登录").click()
    pick_test_user(page, "张先生")  # o-wx-zhang

    expect(page.get_by_role("heading", name="绑定手机号")).to_be_visible()
    assert "wx=" not in page.url
    page.get_by_label("手机号码").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    page.get_by_label("6 位验证码").fill(stack.wait_for_message(phone, "验证码", CODE))
    page.get_by_role("button", name="登录", exact=True).click()

    title = unique("新生儿落户需要带什么材料")
    page.get_by_label("板块").select_option("hukou")
    page.get_by_label("类型").select_option("question")
    page.get_by_label("所在地区").select_option("东河区")
    page.get_by_label("标题", exact=True).fill(title)
    page.get_by_label("内容", exact=True).fill("孩子上个月出生，想在东河区落户，需要准备哪些材料？")
    page.get_by_role("button", name="发布", exact=True).click()
    card = page.locator("ol.feed > li.post-card.fresh")
    expect(card.locator(".post-title")).to_have_text(title)
    post_id = card.get_attribute("data-post-id")
    assert post_id

    # The officer answers from the link of the WeChat notice that reached them (the seed bound demo officers).
    link = stack.officer_link(HUKOU_OFFICER, post_id).split("#t=")[1]
    status, officer = stack.call("POST", "/auth/link", {"token": link})
    assert status == 200, officer
    words = "您好，请携带出生医学证明、父母户口簿和身份证到青福派出所户籍窗口办理。"
    status, body = stack.call("POST", f"/posts/{post_id}/replies", {"body": words}, officer["token"])
    assert status == 201, body

    message = wait_for_wechat(stack, "o-wx-zhang", f"/#/post/{post_id}")
    page.goto(message["url"])
    expect(page.locator(".post-detail h1, main h1").first).to_contain_text(title)
    expect(page.get_by_text(words)).to_be_visible()
    texts = [m["body"] for m in outbox(stack) if m["channel"] == "sms" and phone in m["to"]]
    assert texts and all("验证码" in text for text in texts), texts  # the one code that bound the phone, no more

    # Signed out and back with WeChat: no phone, no code, no SMS; 我的 says WeChat is bound.
    page.goto("/#/me")
    page.get_by_role("button", name="退出登录").click()
    page.goto("/#/login?next=/me")
    page.get_by_role("button", name="微信登录").click()
    pick_test_user(page, "张先生")
    expect(page.locator("section.notify")).to_contain_text("已绑定微信")
    expect(page).to_have_url(re.compile(r"/#/me$"))
    assert [m["body"] for m in outbox(stack) if m["channel"] == "sms" and phone in m["to"]] == texts


def test_the_wechat_views_pass_axe_core_in_chinese_and_in_english_large_text(page: Page, stack: Stack) -> None:
    resident = stack.sign_in(stack.new_phone())
    offer_wechat(page)
    page.route("**/api/auth/wechat/session", lambda route: answer(route, 200, {"bind_required": True, "ticket": "B"}))
    page.route("**/api/me", lambda route: answer(route, 200, {**route.fetch().json(), "role": "officer"}))
    problems: dict[str, list[str]] = {}
    page.goto("/#/")
    for mode in ("zh", "en"):
        if mode == "en":
            page.get_by_role("button", name="大字模式").click()
            page.get_by_role("button", name="Switch to English").click()
        page.evaluate("localStorage.removeItem('p24.session')")
        views = {"sign-in": "/#/login", "bind": "/#/login?next=/me#wx=T", "me": "/#/me"}
        for name, url in views.items():
            if name == "me":
                sign_in_page(page, resident)
            page.goto(url)
            expect(page.locator("#main .view h1")).to_be_visible()
            expect(page.locator("#main .loading")).to_have_count(0, timeout=15_000)
            if found := blocking_violations(page):
                problems[f"{name} ({mode})"] = found
    expect(page.locator("section.notify li.channel")).to_have_count(3)  # an officer may choose email too
    assert problems == {}, problems
