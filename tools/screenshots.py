"""Take the README screenshots (docs/screenshots/*.png) against a fresh local stack.

Run: `make screenshots` (or `.venv/bin/python tools/screenshots.py`). Needs Debian's Chromium and, for the
Chinese text to render, a CJK font (`apt-get install -y chromium fonts-noto-cjk`).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from tests.e2e.stack import CODE, Stack  # noqa: E402
from tools.chromium import CHROMIUM, LAUNCH_ARGS  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
VIEWPORT = {"width": 375, "height": 812}
CHIEF = "13900000011"  # 王海峰, 昆都仑区公安分局
DUTY = "13900000012"  # 李晓东, 昆都仑区公安分局
QINGFU = "13900000032"  # 陈静, 东河区青福派出所

# board, type, district, title, body: what four residents post
DEMO_POSTS = (
    (
        "report",
        "report",
        "昆都仑区",
        "小区门口消防通道长期被车辆占用",
        "昆都仑区阿尔丁大街某小区东门，每天晚上都有七八辆私家车停在消防通道上，"
        "物业劝阻无效。万一发生火情，消防车根本进不来，希望警方处理。",
    ),
    (
        "hukou",
        "question",
        "东河区",
        "身份证丢了，补办需要带什么材料？",
        "户籍在东河区，身份证前天丢了，想问补办要带哪些材料，能不能在网上预约？",
    ),
    (
        "environment",
        "report",
        "青山区",
        "工地夜间施工噪音扰民",
        "青山区某工地连续一周晚上十一点以后还在施工，噪音很大，老人孩子都睡不好。",
    ),
    (
        "traffic",
        "report",
        "九原区",
        "建设路与钢铁大街路口信号灯不亮",
        "今天早上开始，建设路与钢铁大街交叉口的红绿灯全部不亮，车辆和行人通行很乱。",
    ),
)
# template, body, status after: the duty officer answers the parking post, 青福派出所 the ID card question
DEMO_REPLIES = (
    (
        "received",
        "你好，该警情已收悉，昆都仑区公安分局正在处置，感谢您对24小时警局的关注。已通知辖区民警前往现场核实。",
        "in_progress",
    ),
    (
        "consult",
        "你好，您咨询的问题答复如下：补办身份证请携带户口簿到户籍所在地派出所办理，"
        "也可在“包头公安”公众号预约;办理时可申请临时身份证。",
        "resolved",
    ),
)


def officer_session(stack: Stack, phone: str, post_id: str) -> str:
    """Open an officer's notification link through the API; return the link session token."""
    link = stack.officer_link(phone, post_id)
    status, body = stack.call("POST", "/auth/link", {"token": link.split("#t=")[1]})
    assert status == 200, body
    return str(body["token"])


def act(stack: Stack, token: str, post_id: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    status, answer = stack.call("POST", f"/posts/{post_id}/{path}", body, token)
    assert status in (200, 201), answer
    return dict(answer)


def status(stack: Stack, token: str, post_id: str, value: str) -> None:
    """Move a post on; the local 110 simulator may move it at the same moment, so retry a stale version."""
    for _ in range(5):
        _, detail = stack.call("GET", f"/posts/{post_id}")
        code, answer = stack.call(
            "POST", f"/posts/{post_id}/status", {"status": value, "version": detail["post"]["version"]}, token
        )
        if code == 200:
            return
        assert code == 409, answer
        time.sleep(0.5)
    raise AssertionError(f"could not move {post_id} to {value}")


def seed_demo(stack: Stack) -> dict[str, Any]:
    """Residents post, officers answer: enough life for the feed, a post page and the figures."""
    a, b, c, d = (stack.sign_in(stack.new_phone()) for _ in range(4))
    parking, idcard, noise, _ = (
        stack.post(resident["token"], board=board, type=kind, district=district, title=title, body=body)
        for resident, (board, kind, district, title, body) in zip((a, b, c, d), DEMO_POSTS, strict=True)
    )
    for phone, post, (template, body, moved) in ((DUTY, parking, DEMO_REPLIES[0]), (QINGFU, idcard, DEMO_REPLIES[1])):
        token = officer_session(stack, phone, post["id"])
        act(stack, token, post["id"], "replies", {"body": body, "template": template})
        status(stack, token, post["id"], moved)
    act(stack, b["token"], idcard["id"], "feedback", {"satisfied": True, "comment": "回复很快，谢谢民警！"})
    act(stack, c["token"], noise["id"], "replies", {"body": "补充一下：昨晚十二点半还在打桩。"})
    return {"parking": parking, "resident": a}


def settle(page: Page) -> None:
    page.locator("main .loading").first.wait_for(state="detached", timeout=10_000)
    page.wait_for_timeout(300)


def shoot(page: Page, name: str) -> None:
    path = OUT / f"{name}.png"
    page.screenshot(path=str(path))
    print(f"wrote {path.relative_to(ROOT)}")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        stack = Stack(Path(folder) / "data", Path(folder) / "devstack.log")
        try:
            stack.wait_until_ready()
            demo = seed_demo(stack)
            time.sleep(1)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[*LAUNCH_ARGS, "--hide-scrollbars"])
                context = browser.new_context(
                    base_url=stack.base,
                    viewport=VIEWPORT,
                    device_scale_factor=2,
                    locale="zh-CN",
                    timezone_id="Asia/Shanghai",
                )
                page = context.new_page()
                page.goto("/")
                settle(page)
                shoot(page, "feed")

                page.goto("/favicon.svg")
                page.evaluate("s => localStorage.setItem('p24.session', JSON.stringify(s))", demo["resident"])
                page.goto(f"/#/post/{demo['parking']['id']}")
                settle(page)
                page.set_viewport_size({"width": VIEWPORT["width"], "height": 1480})
                page.evaluate("window.scrollTo(0, 0)")
                shoot(page, "post")
                page.set_viewport_size(VIEWPORT)

                page.goto("/#/compose")
                settle(page)
                page.get_by_label("板块").select_option("report")
                page.get_by_label("所在地区").select_option("东河区")
                page.get_by_label("标题", exact=True).fill("救命，有人正在撬我家隔壁的门")
                page.get_by_label("内容", exact=True).fill("东河区某小区3号楼，两个人正在撬邻居家的门，邻居不在家。")
                page.get_by_role("button", name="发布", exact=True).click()
                page.evaluate(
                    "window.scrollTo(0, document.getElementById('compose-title').getBoundingClientRect().top"
                    " + window.scrollY - 48)"
                )
                shoot(page, "compose-emergency")

                page.goto(stack.officer_link(CHIEF, demo["parking"]["id"]))
                page.locator(".officer-bar").wait_for()
                page.locator('button.template[data-template="dispatched"]').click()
                page.set_viewport_size({"width": VIEWPORT["width"], "height": 1560})
                page.evaluate("window.scrollTo(0, document.querySelector('.post-detail').offsetTop - 12)")
                page.evaluate("document.activeElement.blur()")
                page.mouse.move(1, 1)
                shoot(page, "reply")
                page.set_viewport_size(VIEWPORT)

                page.goto("/#/stats")
                settle(page)
                page.locator("section.daily svg.day-chart").first.wait_for()
                page.set_viewport_size({"width": VIEWPORT["width"], "height": 1480})
                page.evaluate(
                    "window.scrollTo(0, document.querySelector('dl.tiles .tile:nth-child(7)')"
                    ".getBoundingClientRect().top + window.scrollY - 12)"
                )
                shoot(page, "stats")
                page.set_viewport_size(VIEWPORT)

                page.goto("/#/share")
                settle(page)
                shoot(page, "share")

                stack.call("POST", "/auth/otp", {"phone": "13800001111"})
                stack.wait_for_message("13800001111", "验证码", CODE)
                page.goto("/outbox.html")
                page.locator("li.message").first.wait_for()
                shoot(page, "outbox")
                browser.close()
        finally:
            stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
