"""Closing the loop on the page: ownership by the API's flags, the rating asked by SMS, a reason for 不满意."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import sign_in_page
from tests.e2e.stack import LINK, Stack, officer_openid

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("csp_guard")]

HUKOU_OFFICER = "13900000032"  # the officer a 东河区 户籍 question reaches
SITE_LINK = re.compile(r"(http://\S+)$")  # an SMS ends with the site's fixed address, never a post's


def _resolved_post(stack: Stack, resident: dict[str, Any], title: str) -> dict[str, Any]:
    """A resident's question, resolved by the officer it reached (through the notice link)."""
    post = stack.hukou_question_in_donghe(resident["token"], title, "户籍在东河区,想问问手续。")
    return dict(post, officer=stack.resolve_through_link(HUKOU_OFFICER, post["id"]))


def test_a_resident_who_changed_nickname_still_rates_their_post(page: Page, stack: Stack) -> None:
    phone = stack.new_phone()
    resident = stack.sign_in(phone)
    post = stack.hukou_question_in_donghe(resident["token"], "新生儿落户要什么材料", "孩子刚出生,想在东河区落户。")
    sign_in_page(page, resident)
    page.goto("/#/me")
    letters = "".join(c for c in uuid.uuid4().hex if c.isalpha())[:4]  # no digits: 6 of them are refused
    page.get_by_label("昵称").fill(f"改过名的居民{letters}")
    page.get_by_role("button", name="保存昵称").click()
    expect(page.get_by_text("昵称已保存")).to_be_visible()

    stack.resolve_through_link(HUKOU_OFFICER, post["id"])

    page.reload()  # the list of 我的 as it is now
    card = page.locator(f"li.post-card[data-post-id='{post['id']}']")
    expect(card.locator(".badge.awaiting-feedback")).to_have_text("待您评价")
    card.get_by_role("link").click()
    expect(page.locator(".post-detail .badge.mine")).to_be_visible()
    expect(page.locator("#feedback-heading")).to_be_visible()
    page.get_by_role("button", name="满意", exact=True).click()
    expect(page.get_by_text("感谢您的评价")).to_be_visible()
    expect(page.locator("#feedback-heading")).to_have_count(0)
    expect(page.locator("ol.timeline > li[data-kind='rated']")).to_have_count(1)


def test_the_resolved_text_points_to_the_site_and_unsatisfied_asks_a_reason_first(page: Page, stack: Stack) -> None:
    phone = stack.new_phone()
    resident = stack.sign_in(phone)
    post = _resolved_post(stack, resident, "户口迁出要本人到场吗")
    link = stack.wait_for_message(phone, "已办结", SITE_LINK)
    assert link == stack.base  # China's SMS rules: a fixed link only; "我的" lists the post

    sign_in_page(page, resident)
    page.goto(f"{link}/#/post/{post['id']}")
    expect(page.locator("#feedback-heading")).to_be_visible()
    page.get_by_role("button", name=re.compile("^不满意")).click()
    reason = page.get_by_label("不满意的原因")
    expect(reason).to_be_visible()
    expect(reason).to_be_focused()
    page.get_by_role("button", name="提交并重新办理").click()
    expect(page.get_by_text("请先填写不满意的原因")).to_be_visible()
    assert stack.call("GET", f"/posts/{post['id']}")[1]["post"]["status"] == "resolved"  # nothing sent yet

    reason.fill("窗口说要本人到场,电话13812345678没人接")
    page.get_by_role("button", name="提交并重新办理").click()
    expect(page.get_by_text("感谢您的评价")).to_be_visible()
    expect(page.locator(".post-detail .badge.status")).to_have_text("重新办理")
    rated = page.locator("ol.timeline > li[data-kind='rated']")
    expect(rated).to_contain_text("窗口说要本人到场")
    expect(page.locator(".post-detail .deadline")).to_contain_text("距首次回复时限还有")  # a fresh deadline

    public = stack.call("GET", f"/posts/{post['id']}")[1]
    text = next(e["text"] for e in public["timeline"] if e["kind"] == "rated")
    assert "窗口说要本人到场" in text and "13812345678" not in text  # masked for the public

    # The author's follow-up reaches the officer handling it, with a link to act on it.
    page.get_by_label("跟帖内容").fill("补充:我周三上午可以再去一趟。")
    page.get_by_role("button", name="发表跟帖").click()
    expect(page.get_by_text("跟帖已发布")).to_be_visible()
    assert stack.wait_for_message(str(officer_openid(HUKOU_OFFICER)), "有补充", LINK)  # by WeChat, with the reply link
