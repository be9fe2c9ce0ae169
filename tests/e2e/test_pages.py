"""The citizen page, the officer reply page and the outbox, driven in Chromium against the local stack."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from chalicelib.services.dispatch import post_number
from tests.e2e.conftest import MOBILE, sign_in_page
from tests.e2e.stack import Stack, officer_openid, unique

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("csp_guard")]

# `report` posts also go to the 110 system, whose local simulator moves them along on its own clock;
# the officer tests use a board that stays with the police unit alone.
DUTY_OFFICER = "13900000023"  # 张磊, 社区民警, 青山区纺织道派出所
STATION_CHIEF = "13900000022"  # 刘建国, 所长 (leader), 青山区纺织道派出所


@pytest.fixture(scope="module")
def reported(stack: Stack) -> dict[str, Any]:
    """A resident and a report they posted in 青山区 (routed to 青山区纺织道派出所)."""
    resident = stack.sign_in(stack.new_phone())
    post = stack.report_in_qingshan(
        resident["token"], "工地夜间施工噪音扰民", "青山区某工地每天夜里十一点以后还在施工,噪音很大,希望处理。"
    )
    return {"resident": resident, "post": post}


def test_resident_signs_in_with_the_outbox_code_and_posts_under_the_pins(
    page: Page, context: BrowserContext, stack: Stack
) -> None:
    phone = stack.new_phone()
    title = unique("路口信号灯坏了")
    page.goto("/")
    page.get_by_role("link", name="登录", exact=True).click()
    page.get_by_label("手机号码").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_text("验证码已发送")).to_be_visible()

    outbox = context.new_page()
    outbox.goto(f"/outbox.html?to={phone}")
    code_button = outbox.locator("li.message button.code").first
    expect(code_button).to_be_visible(timeout=15_000)
    code = code_button.inner_text()
    outbox.close()

    page.get_by_label("6 位验证码").fill(code)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.locator("#account")).to_have_text(re.compile(r"^热心市民[1-9][0-9]{3}$"))

    page.get_by_role("link", name="发帖", exact=True).click()
    page.get_by_label("板块").select_option("traffic")
    page.get_by_label("类型").select_option("report")
    page.get_by_label("所在地区").select_option("青山区")
    page.get_by_label("标题", exact=True).fill(title)
    page.get_by_label("内容", exact=True).fill("青山区某路口的信号灯一直不亮,车辆通行混乱。")
    page.get_by_role("button", name="发布", exact=True).click()

    expect(page.get_by_text("发布成功")).to_be_visible()
    cards = page.locator("ol.feed > li.post-card")
    expect(cards.first).to_have_class(re.compile(r"\bpinned\b"))
    newest = page.locator("ol.feed > li.post-card:not(.pinned)").first
    expect(newest.locator(".post-title")).to_have_text(title)
    expect(newest).to_have_class(re.compile(r"\bfresh\b"))
    pinned_flags = cards.evaluate_all("cards => cards.map(c => c.classList.contains('pinned'))")
    assert pinned_flags[0] and pinned_flags == sorted(pinned_flags, reverse=True)
    expect(newest.locator(".badge.type")).to_have_text("举报")
    expect(newest.locator(".badge.district")).to_have_text("青山区")
    expect(newest.locator(".deadline")).to_contain_text("距首次回复时限还有")


def test_officer_replies_from_the_outbox_link_and_the_resident_sees_it(
    page: Page, context: BrowserContext, stack: Stack, reported: dict[str, Any]
) -> None:
    post = reported["post"]
    page.goto(f"/outbox.html?to={officer_openid(DUTY_OFFICER)}")  # the seed bound him to WeChat
    message = page.locator("li.message", has_text=post_number(post["id"])).first  # notices name the number
    link = message.locator("a.message-link")
    expect(link).to_be_visible(timeout=15_000)
    assert link.inner_text().startswith(f"{stack.base}/reply.html#t=")
    link.click()

    expect(page.locator(".officer-bar")).to_contain_text("张磊")
    expect(page.locator(".post-detail .post-title")).to_have_text(post["title"])
    assert "#t=" not in page.url
    _, untouched = stack.call("GET", f"/posts/{post['id']}")
    assert untouched["post"]["status"] == "dispatched" and untouched["replies"] == []
    statuses = page.locator(".status-buttons button").evaluate_all("bs => bs.map(b => b.dataset.status)")
    assert statuses == ["acknowledged", "in_progress", "resolved"]
    expect(page.locator("details.route")).to_have_count(1)

    page.locator('button.template[data-template="received"]').click()
    expect(page.get_by_role("textbox", name="回复内容")).to_have_value(re.compile("青山区纺织道派出所正在处置"))
    page.get_by_role("button", name="以实名发布回复").click()
    expect(page.get_by_text("回复已发布")).to_be_visible()
    official = page.locator("li.reply.official").first
    expect(official).to_contain_text("张磊")
    page.get_by_role("button", name="改为「处置中」").click()
    expect(page.get_by_text("状态已更新为「处置中」")).to_be_visible()

    resident = context.new_page()
    sign_in_page(resident, reported["resident"])
    resident.goto(f"/#/post/{post['id']}")
    reply = resident.locator("li.reply.official").first
    expect(reply.locator(".officer-name")).to_have_text("张磊")
    expect(reply.locator(".officer-title")).to_have_text("社区民警")
    expect(reply.locator(".badge.unit")).to_have_text("青山区纺织道派出所")
    expect(reply.locator(".reply-body")).to_contain_text("该警情已收悉")
    timeline = resident.locator("ol.timeline > li")
    expect(timeline.filter(has_text="已分派至青山区纺织道派出所")).to_have_count(1)
    expect(timeline.filter(has_text="青山区纺织道派出所张磊已回复")).to_have_count(1)
    expect(timeline.last).to_have_attribute("data-kind", "in_progress")
    expect(resident.locator(".post-detail .badge.status")).to_have_text("处置中")
    expect(resident.locator(".deadline-answered")).to_have_text("民警已回复")


def test_a_leader_gets_the_unit_picker_for_re_routing(page: Page, stack: Stack, reported: dict[str, Any]) -> None:
    page.goto(stack.officer_link(STATION_CHIEF, reported["post"]["id"]))
    expect(page.locator(".officer-bar")).to_contain_text("刘建国")
    picker = page.get_by_label("改派至")
    expect(picker).to_be_visible()
    units = picker.locator("option").evaluate_all("os => os.map(o => o.value)")
    assert "command-center" in units and "fangzhidao-station" not in units


def test_an_expired_or_missing_link_gets_a_clear_message(page: Page) -> None:
    page.goto("/reply.html#t=not-a-valid-token")
    expect(page.get_by_role("alert")).to_have_text(re.compile("该处理链接已失效或无效"))
    page.goto("/reply.html")
    expect(page.get_by_role("alert")).to_have_text(re.compile("请通过通知短信或邮件里的处理链接打开本页"))


def test_markup_in_a_post_shows_as_text(page: Page, stack: Stack) -> None:
    resident = stack.sign_in(stack.new_phone())
    title = "<img src=x onerror=alert(1)>"
    body = '<script>alert(2)</script><img src=x onerror="alert(3)"> <b>粗体</b>'
    post = stack.post(resident["token"], board="qa", type="question", title=title, body=body)
    stack.wait_for_copies(post["id"])  # an anonymous visit reads the feed's public copy, a moment behind
    page.goto("/")
    card = page.locator(f'li.post-card[data-post-id="{post["id"]}"]')
    expect(card.locator(".post-title")).to_have_text(title)
    page.goto(f"/#/post/{post['id']}")
    expect(page.locator(".post-detail h1")).to_have_text(title)
    expect(page.locator(".post-detail .post-body")).to_have_text(body)
    assert page.locator("main img, main script, main b").count() == 0
    page.goto("/outbox.html")
    expect(page.locator("li.message", has_text=post_number(post["id"])).first).to_be_visible(timeout=15_000)
    assert page.locator("main img, main script").count() == 0


def test_emergency_wording_shows_the_110_banner_and_needs_a_second_confirmation(page: Page, stack: Stack) -> None:
    resident = stack.sign_in(stack.new_phone())
    sign_in_page(page, resident)
    page.goto("/#/compose")
    banner = page.locator("#emergency-banner")
    expect(banner).to_be_hidden()
    title = unique("救命 有人正在抢劫")
    page.get_by_label("标题", exact=True).fill(title)
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("紧急情况请立即拨打110")
    expect(banner.get_by_role("link", name="拨打 110")).to_have_attribute("href", "tel:110")
    page.get_by_label("内容", exact=True).fill("东河区某商店门口,两人持刀抢劫路人。")
    page.get_by_role("button", name="发布", exact=True).click()
    expect(page.get_by_text("请先阅读上面的提示")).to_be_visible()
    _, mine = stack.call("GET", "/me/posts", token=resident["token"])
    assert mine["posts"] == []
    page.get_by_role("button", name="我已知晓，仍要发帖").click()
    expect(page.locator("ol.feed > li.post-card.fresh .post-title")).to_have_text(title)


@pytest.mark.parametrize(
    "route",
    [
        "/",
        "/#/boards",
        "/#/board/report",
        "/#/post/{post}",
        "/#/compose",
        "/#/login",
        "/#/me",
        "/#/stats",
        "/#/share",
        "/outbox.html",
        "/reply.html#t={link}",
        "en:/",
        "en:/#/stats",
    ],
)
def test_pages_fit_375_px_without_horizontal_scroll(
    page: Page, stack: Stack, reported: dict[str, Any], route: str
) -> None:
    english = route.startswith("en:")
    route = route.removeprefix("en:")
    sign_in_page(page, reported["resident"])
    if english:
        page.evaluate("localStorage.setItem('p24.lang', 'en')")
    if "{link}" in route:
        route = route.format(link=stack.officer_link(DUTY_OFFICER, reported["post"]["id"]).split("#t=")[1])
    page.goto(route.format(post=reported["post"]["id"]))
    expect(page.locator("main h1").first).to_be_visible()
    expect(page.locator("main .loading")).to_have_count(0)
    assert page.viewport_size == MOBILE
    widths = page.evaluate("[document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]")
    assert max(widths[:2]) <= widths[2] == MOBILE["width"], widths
    unlabeled = page.evaluate(
        """[...document.querySelectorAll('main input, main select, main textarea')]
             .filter(el => el.type !== 'hidden' && !el.labels.length && !el.getAttribute('aria-label'))
             .map(el => el.id || el.name)"""
    )
    assert unlabeled == []


def test_language_choice_switches_to_english_and_is_remembered(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_role("link", name="首页")).to_be_visible()
    page.get_by_role("button", name="Switch to English").click()
    expect(page.get_by_role("link", name="Home", exact=True)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.reload()
    expect(page.get_by_role("link", name="Home", exact=True)).to_be_visible()
    page.get_by_role("button", name="切换到中文").click()
    expect(page.get_by_role("link", name="首页")).to_be_visible()


def test_public_figures_show_charts_and_the_unit_directory(page: Page, reported: dict[str, Any]) -> None:
    page.goto("/#/stats")
    expect(page.locator("dl.tiles .tile")).to_have_count(9)
    expect(page.locator("svg.chart").first).to_be_visible()
    assert page.locator("svg.chart rect.chart-bar").count() >= 1
    expect(page.get_by_text("指挥中心值班室 0472-5110110")).to_be_visible()
    expect(page.locator(".officer-contacts").first).to_contain_text("韩立军")


def test_the_share_page_draws_a_qr_code_of_the_site(page: Page, stack: Stack) -> None:
    page.goto("/#/share")
    code = page.locator("#site-qr img")  # drawn at build by segno (tests/e2e/test_qr.py reads it)
    expect(code).to_have_attribute("alt", re.compile(re.escape(f"{stack.base}/")))
    expect(page.locator(".share-url")).to_have_text(f"{stack.base}/")
    page.wait_for_function("() => document.querySelector('#site-qr img').naturalWidth > 0")


def test_the_outbox_links_only_the_sites_own_addresses(page: Page, stack: Stack) -> None:
    page.goto("/reply.html")
    found = page.evaluate(
        """async (own) => {
          const { bodyNodes } = await import("/js/linkify.js");
          const others = `另见 http://evil.example/x 和 ${own}.evil.example/y。`;
          const text = `处理链接:${own}/reply.html#t=abc.def ${others}验证码是123456`;
          const nodes = bodyNodes(text, true);
          return {
            links: nodes.filter((n) => n.nodeName === "A").map((a) => [a.getAttribute("href"), a.textContent]),
            codes: nodes.filter((n) => n.nodeName === "BUTTON").map((b) => b.textContent),
            text: nodes.map((n) => (typeof n === "string" ? n : n.textContent)).join(""),
          };
        }""",
        stack.base,
    )
    own = f"{stack.base}/reply.html#t=abc.def"
    assert found["links"] == [[own, own]]
    assert found["codes"] == ["123456"]
    assert "http://evil.example/x" in found["text"] and f"{stack.base}.evil.example/y" in found["text"]


def test_the_author_rates_a_resolved_post_once(page: Page, stack: Stack) -> None:
    resident = stack.sign_in(stack.new_phone())
    post = stack.hukou_question_in_donghe(resident["token"], "补办身份证要带什么", "户籍在东河区,身份证丢了。")
    stack.resolve_through_link("13900000032", post["id"])  # the officer a 东河区 户籍 question reaches
    sign_in_page(page, resident)
    page.goto(f"/#/post/{post['id']}")
    page.get_by_label("评价说明").fill("办得很快")
    page.get_by_role("button", name="满意", exact=True).click()
    expect(page.get_by_text("感谢您的评价")).to_be_visible()
    expect(page.locator("ol.timeline > li").filter(has_text="网友评价：满意")).to_have_count(1)
    expect(page.locator("#feedback-heading")).to_have_count(0)
