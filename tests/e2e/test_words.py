"""Words and layout on the real page: the tagline at 320 px, the current board's chip, folded pins, English mode."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from chalicelib.domain.templates import REPLY_TEMPLATES
from tests.e2e.conftest import sign_in_page
from tests.e2e.stack import Stack, unique

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("csp_guard")]

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
DUTY_OFFICER = "13900000023"  # 张磊, 社区民警, 青山区纺织道派出所 (local/demo.py)
LEGAL_OFFICER = "13900000054"  # 罗娜, 法制民警: may post notices (local/demo.py)
# What the page does not own: what people wrote (titles, bodies, nicknames) and people's names.
# The logo's 警 and the switch back to 中文 are Chinese on purpose.
NOT_THE_PAGES = (
    ".post-title, .post-body, .excerpt, .author, .nickname, .officer-name, #account, .brand-mark, #lang-toggle"
)


def admin_key(stack: Stack) -> str:
    found = re.search(r"Admin key:\s+(\S+)", stack.output())
    assert found, "the stack prints its admin key"
    return found.group(1)


def english(page: Page) -> None:
    page.goto("/favicon.svg")
    page.evaluate("localStorage.setItem('p24.lang', 'en')")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_tagline_fits_at_320_px(page: Page, language: str) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    if language == "en":
        english(page)
    page.goto("/")
    expect(page.locator("main h1").first).to_be_visible()
    widths = page.evaluate("[document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]")
    assert max(widths[:2]) <= widths[2] == 320, widths
    tagline = page.locator(".brand-tagline")
    expect(tagline).to_be_visible()
    shown = tagline.evaluate("el => [el.scrollWidth, el.clientWidth, el.getBoundingClientRect().right]")
    assert shown[0] <= shown[1] and shown[2] <= 320, shown  # whole, not cut off with an ellipsis


def test_the_current_boards_chip_scrolls_into_view(page: Page) -> None:
    page.goto("/#/board/qa")  # the last of twelve chips: far off the first screen's width
    chip = page.locator('.chip[aria-current="page"]')
    expect(chip).to_have_attribute("href", "#/board/qa")
    expect(page.locator("main .loading")).to_have_count(0)
    box = chip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"], box


def test_global_pins_fold_to_one_line_on_a_board_page(page: Page, stack: Stack) -> None:
    officer = stack.sign_in(LEGAL_OFFICER)
    notice = stack.post(
        officer["token"],
        board="legal-education",
        type="publicity",
        title=unique("冬季防火安全提示"),
        body="冬季取暖请注意用火用电安全。" * 8,
    )
    status, body = stack.call("PUT", f"/admin/posts/{notice['id']}/pin", {"scope": "global"}, admin_key(stack))
    assert status == 200, body
    resident = stack.sign_in(stack.new_phone())
    mine = stack.post(
        resident["token"],
        board="traffic",
        type="question",
        title=unique("驾驶证到期怎么换证"),
        body="驾驶证下个月到期，在哪里可以换证？需要带什么材料？",
    )
    stack.wait_for_copies(notice["id"], "traffic")  # the pin, in the feeds' public copies
    stack.wait_for_copies(mine["id"], "traffic")

    page.goto("/#/board/traffic")
    card = page.locator(f'li.post-card[data-post-id="{mine["id"]}"]')
    expect(card).to_be_visible()
    pins = page.locator("ol.feed > li.pin-line")
    expect(pins).to_have_count(2)  # the seeded welcome notice and this one, pinned for every board
    for box in pins.evaluate_all("els => els.map(el => el.getBoundingClientRect().height)"):
        assert box < 48, box  # one line each
    expect(pins.filter(has_text=notice["title"]).locator("a")).to_have_attribute("href", f"#/post/{notice['id']}")
    first = page.locator("ol.feed > li.post-card:not(.pinned)").first
    box = first.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 812, box  # the first resident post on the first screen

    page.goto("/")  # the home page keeps every pin as a card
    expect(page.locator(f'li.post-card.pinned[data-post-id="{notice["id"]}"]')).to_be_visible()
    expect(page.locator("li.pin-line")).to_have_count(0)


def test_english_mode_shows_no_chinese_the_page_owns_on_a_post_with_a_timeline_and_an_official_reply(
    page: Page, stack: Stack
) -> None:
    resident = stack.sign_in(stack.new_phone())
    post = stack.report_in_qingshan(
        resident["token"], "小区旁的工厂夜里排放黑烟", "小区旁的工厂每天夜里排放黑烟，气味刺鼻。"
    )
    status, link = stack.call(
        "POST", "/auth/link", {"token": stack.officer_link(DUTY_OFFICER, post["id"]).split("#t=")[1]}
    )
    assert status == 200, link
    template = dict(REPLY_TEMPLATES)["received"].replace("{unit}", "青山区纺织道派出所")
    status, body = stack.call(
        "POST", f"/posts/{post['id']}/replies", {"body": template, "template": "received"}, link["token"]
    )
    assert status == 201, body
    _, detail = stack.call("GET", f"/posts/{post['id']}")
    status, body = stack.call(
        "POST",
        f"/posts/{post['id']}/status",
        {"status": "in_progress", "version": detail["post"]["version"], "note": "已到现场"},
        link["token"],
    )
    assert status == 200, body

    sign_in_page(page, resident)
    english(page)
    page.goto(f"/#/post/{post['id']}")
    timeline = page.locator("ol.timeline > li")
    expect(timeline.filter(has_text="Assigned to Fangzhidao Police Station, Qingshan")).to_have_count(1)
    expect(timeline.filter(has_text="An officer of Fangzhidao Police Station, Qingshan replied")).to_have_count(1)
    expect(timeline.last).to_have_text(re.compile("Status changed to “In progress”"))
    reply = page.locator("li.reply.official").first
    expect(reply.locator(".reply-body")).to_contain_text("this report has been received")
    expect(reply.locator(".badge.unit")).to_have_text("Fangzhidao Police Station, Qingshan")
    expect(reply.locator(".officer-title")).to_have_text("Community officer")
    expect(page.locator(".post-detail .badge.district")).to_have_text("Qingshan District")
    expect(page.locator(".post-detail .unit-name")).to_have_text("Handled by: Fangzhidao Police Station, Qingshan")

    owned = page.evaluate(
        """(skip) => {
             const copy = document.body.cloneNode(true);
             for (const el of copy.querySelectorAll(skip)) el.remove();
             for (const el of copy.querySelectorAll('script, noscript')) el.remove();
             return copy.textContent;
           }""",
        NOT_THE_PAGES,
    )
    assert HAN.findall(owned) == [], [line.strip() for line in owned.splitlines() if HAN.search(line)]

    page.evaluate("localStorage.setItem('p24.lang', 'zh')")
    page.reload()  # Chinese shows the server's own words
    expect(page.locator("ol.timeline > li").filter(has_text="已分派至青山区纺织道派出所")).to_have_count(1)
    expect(page.locator("li.reply.official .reply-body").first).to_have_text(template)


def test_english_mode_names_districts_in_the_compose_form(page: Page, stack: Stack) -> None:
    sign_in_page(page, stack.sign_in(stack.new_phone()))
    english(page)
    page.goto("/#/compose")
    expect(page.locator('#compose-district option[value="达尔罕茂明安联合旗"]')).to_have_count(1)
    options = page.locator("#compose-district option").evaluate_all("os => os.map(o => [o.value, o.textContent])")
    named = dict(options)
    assert named["达尔罕茂明安联合旗"] == "Darhan Muminggan United Banner" and named["昆都仑区"] == "Kundulun District"
    assert not any(HAN.search(text) for _, text in options)
