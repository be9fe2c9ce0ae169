"""The page remembers: a pending sign-in, a compose draft and the session across reloads and tabs; it says the
server's own words for a duplicate post and a wrong code, and checks emergencies with the server's rule."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.conftest import sign_in_page
from tests.e2e.stack import CODE, Stack, unique

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("csp_guard")]


def test_posting_the_same_text_again_says_so_and_links_the_earlier_post(page: Page, stack: Stack) -> None:
    resident = stack.sign_in(stack.new_phone())
    title, body = unique("小区门口路灯不亮"), "晚上十点以后门口一片漆黑,老人孩子出入不便。"
    earlier = stack.post(resident["token"], board="qa", type="question", title=title, body=body)
    sign_in_page(page, resident)
    page.goto("/#/compose")
    page.get_by_label("标题", exact=True).fill(title)
    page.get_by_label("内容", exact=True).fill(body)
    page.get_by_role("button", name="发布", exact=True).click()

    expect(page.get_by_text("您在10分钟内已发布过相同内容的帖子")).to_be_visible()
    expect(page.get_by_text("帖子已被他人更新")).to_have_count(0)
    assert page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('p24.draft'))") == []  # published
    page.get_by_role("link", name="查看您已发布的帖子").click()
    expect(page).to_have_url(re.compile(rf"#/post/{earlier['id']}$"))
    expect(page.locator("main h1")).to_contain_text(title)


def test_a_code_once_sent_survives_a_reload_and_another_tab(page: Page, context: BrowserContext, stack: Stack) -> None:
    phone = stack.new_phone()
    page.goto("/#/login")
    page.get_by_label("手机号码").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.get_by_label("6 位验证码")).to_be_visible()
    code = stack.wait_for_message(phone, "验证码", CODE)

    page.reload()
    expect(page.get_by_label("手机号码")).to_have_value(phone)
    expect(page.get_by_label("6 位验证码")).to_be_visible()
    expect(page.get_by_text("前有效")).to_be_visible()
    expect(page.locator("#login-send")).to_be_disabled()
    expect(page.locator("#login-send")).to_contain_text("秒后可重新获取")
    stored = page.evaluate("localStorage.getItem('p24.pendingSignIn')")
    assert phone in stored and code not in stored  # never the code

    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    page.get_by_label("6 位验证码").fill(wrong)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_text("还可尝试4次")).to_be_visible()
    expect(page.get_by_text("已失效")).to_have_count(0)

    other = context.new_page()
    other.goto("/#/login")
    expect(other.get_by_label("6 位验证码")).to_be_visible()
    other.get_by_label("6 位验证码").fill(code)
    other.get_by_role("button", name="登录", exact=True).click()
    expect(other.locator("#account")).not_to_have_text("登录")
    # The first tab, still on the sign-in form, follows: it is signed in too and leaves the form.
    expect(page).to_have_url(re.compile(r"#/me$"))
    expect(page.locator("#login-phone")).to_have_count(0)
    assert page.evaluate("localStorage.getItem('p24.pendingSignIn')") is None


def test_a_code_asked_for_in_one_tab_shows_its_box_in_another_already_open(
    page: Page, context: BrowserContext, stack: Stack
) -> None:
    phone = stack.new_phone()
    page.goto("/#/login")
    expect(page.get_by_label("手机号码")).to_be_visible()
    other = context.new_page()
    other.goto("/#/login")
    other.get_by_label("手机号码").fill(phone)
    other.get_by_role("button", name="获取验证码").click()
    expect(other.get_by_label("6 位验证码")).to_be_visible()

    expect(page.get_by_label("6 位验证码")).to_be_visible()
    expect(page.get_by_label("手机号码")).to_have_value(phone)
    page.get_by_label("6 位验证码").fill(stack.wait_for_message(phone, "验证码", CODE))
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.locator("#account")).not_to_have_text("登录")
    expect(other).to_have_url(re.compile(r"#/me$"))  # the other tab leaves its form too


def test_asking_again_too_soon_still_leaves_the_code_box(page: Page, stack: Stack) -> None:
    phone = stack.new_phone()
    assert stack.call("POST", "/auth/otp", {"phone": phone})[0] == 202  # e.g. from another device
    page.goto("/#/login")
    page.get_by_label("手机号码").fill(phone)
    page.get_by_role("button", name="获取验证码").click()
    expect(page.locator("#login-send")).to_contain_text("秒后可重新获取")
    page.get_by_label("6 位验证码").fill(stack.wait_for_message(phone, "验证码", CODE))
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.locator("#account")).not_to_have_text("登录")


def test_a_compose_draft_survives_a_reload_and_goes_once_posted(page: Page, stack: Stack) -> None:
    sign_in_page(page, stack.sign_in(stack.new_phone()))
    title = unique("小区楼道堆放杂物")
    page.goto("/#/compose")
    page.get_by_label("板块").select_option("traffic")
    page.get_by_label("类型").select_option("report")
    page.get_by_label("所在地区").select_option("青山区")
    page.get_by_label("标题", exact=True).fill(title)
    page.get_by_label("内容", exact=True).fill("三号楼二单元楼道里堆满了纸箱,有消防隐患。")
    page.get_by_label("仅警方可见", exact=False).check()

    page.reload()
    expect(page.get_by_label("板块")).to_have_value("traffic")
    expect(page.get_by_label("类型")).to_have_value("report")
    expect(page.get_by_label("所在地区")).to_have_value("青山区")
    expect(page.get_by_label("标题", exact=True)).to_have_value(title)
    expect(page.get_by_label("内容", exact=True)).to_have_value("三号楼二单元楼道里堆满了纸箱,有消防隐患。")
    expect(page.get_by_label("仅警方可见", exact=False)).to_be_checked()
    expect(page.locator("#compose-title-count")).to_contain_text(str(len(title)))

    page.get_by_role("button", name="发布", exact=True).click()
    expect(page.get_by_text("发布成功")).to_be_visible()
    page.goto("/#/compose")
    page.reload()
    expect(page.get_by_label("标题", exact=True)).to_have_value("")
    expect(page.get_by_label("内容", exact=True)).to_have_value("")


def test_signing_out_in_one_tab_signs_out_the_others(page: Page, context: BrowserContext, stack: Stack) -> None:
    sign_in_page(page, stack.sign_in(stack.new_phone()))
    page.goto("/#/compose")
    page.get_by_label("标题", exact=True).fill("写了一半的帖子")
    other = context.new_page()
    other.goto("/#/me")
    other.get_by_role("button", name="退出登录").click()

    expect(page.get_by_text("请先登录")).to_be_visible()
    expect(page.locator("#account")).to_have_text("登录")
    expect(page.locator("#compose-title")).to_have_count(0)
    assert page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('p24.draft'))") == []


def test_a_signed_in_resident_is_not_shown_the_sign_in_form(page: Page, stack: Stack) -> None:
    sign_in_page(page, stack.sign_in(stack.new_phone()))
    page.goto("/#/login")
    expect(page).to_have_url(re.compile(r"#/me$"))
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    expect(page.locator("#login-phone")).to_have_count(0)
    page.goto("/#/login?next=/compose")
    expect(page).to_have_url(re.compile(r"#/compose$"))
    expect(page.locator("#compose-title")).to_be_visible()


def test_the_emergency_banner_uses_the_servers_rule_and_wording(page: Page, stack: Stack) -> None:
    _, rule = stack.call("GET", "/emergency-rule")
    resident = stack.sign_in(stack.new_phone())
    sign_in_page(page, resident)
    page.goto("/#/compose")
    banner = page.locator("#emergency-banner")
    title = unique("我正在办理出国手续")
    page.get_by_label("标题", exact=True).fill(title)
    page.get_by_label("内容", exact=True).fill("请问需要开具无犯罪记录证明吗?在哪里办理?")
    expect(banner).to_be_hidden()

    page.get_by_label("内容", exact=True).fill("楼下有人正在砍人")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(rule["notice"])
    expect(banner).to_contain_text(rule["warning"])

    page.get_by_label("内容", exact=True).fill("请问需要开具无犯罪记录证明吗?在哪里办理?")
    expect(banner).to_be_hidden()
    page.get_by_role("button", name="发布", exact=True).click()  # no second confirmation asked
    expect(page.locator("ol.feed > li.post-card.fresh .post-title")).to_have_text(title)
