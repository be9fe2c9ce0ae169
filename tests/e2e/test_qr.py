"""The share page's QR code: segno's symbol of the stack's own address, drawn at build, shown on the page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.stack import Stack
from tests.qr_symbol import drawn, expected
from tools import build_web

pytestmark = pytest.mark.slow


def test_the_share_page_shows_the_qr_code_of_its_own_address(page: Page, stack: Stack) -> None:
    page.goto("/#/share")
    code = page.locator("#site-qr img")
    expect(code).to_have_attribute("alt", re.compile(re.escape(f"{stack.base}/")))
    page.wait_for_function("() => document.querySelector('#site-qr img').naturalWidth > 0")  # it loaded
    served = page.evaluate("async () => (await fetch(document.querySelector('#site-qr img').src)).text()")
    assert served == build_web.site_qr(stack.base)
    assert drawn(served) == expected(f"{stack.base}/")  # the symbol, module for module
    assert f"<title>{stack.base}/</title>" in served


def test_the_page_carries_no_qr_encoder(page: Page) -> None:
    page.goto("/#/share")
    assert page.evaluate("async () => (await fetch('/js/qr.js')).status") == 404
