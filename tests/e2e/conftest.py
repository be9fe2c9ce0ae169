"""Browser tests: one local stack per session, Debian's Chromium, and a guard against CSP violations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.stack import Stack
from tools.chromium import CHROMIUM, LAUNCH_ARGS

MOBILE = {"width": 375, "height": 812}


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """One running local stack for the whole browser session."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: apt-get install -y chromium (make test installs it)")
    folder = tmp_path_factory.mktemp("stack")
    running = Stack(folder / "data", folder / "devstack.log")
    try:
        running.wait_until_ready()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def base_url(stack: Stack) -> str:
    return stack.base


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": LAUNCH_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """Mobile first: every page is tested at 375 px wide, in Chinese."""
    return {**browser_context_args, "viewport": MOBILE, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__reportCsp(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${where}`);
});
"""


@pytest.fixture
def csp_guard(context: Any) -> Iterator[list[str]]:
    """Fail the test on any CSP violation, uncaught page error or dialog (e.g. an injected alert)."""
    problems: list[str] = []
    context.expose_binding("__reportCsp", lambda source, text: problems.append(f"CSP: {text}"))
    context.add_init_script(CSP_LISTENER)

    def on_console(message: Any) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            problems.append(f"console: {message.text}")

    def on_page(page: Any) -> None:
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))

    context.on("console", on_console)
    context.on("page", on_page)
    for page in context.pages:
        on_page(page)
    yield problems
    assert problems == [], problems


def sign_in_page(page: Any, session: dict[str, Any]) -> None:
    """Put a resident's session where the citizen page keeps it."""
    page.goto("/favicon.svg")
    page.evaluate("s => localStorage.setItem('p24.session', JSON.stringify(s))", session)
