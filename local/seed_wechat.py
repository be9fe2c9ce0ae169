"""Bind the demo officers to the WeChat simulator's test users (`o-wx-<officer id>`) through the real flow: the
sign-in start, the simulator's authorize page, the callback, the ticket, and the phone's one-time code, as an
officer does once. The default the bureau aims for (issue 16): every officer on WeChat, notices there."""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from local.seed import SeedError, call, expect


class _Stay(urllib.request.HTTPRedirectHandler):
    """Answer a redirect instead of following it (the next hop is read from its Location)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _redirect(url: str, headers: dict[str, str] | None = None) -> tuple[str, str]:
    """Open an address that redirects; return where to, and the cookie it set (name=value), if any."""
    opener = urllib.request.build_opener(_Stay)
    try:
        opener.open(urllib.request.Request(url, headers=headers or {}), timeout=10)
    except urllib.error.HTTPError as redirect:
        if redirect.code == 302:
            return str(redirect.headers["Location"]), str(redirect.headers.get("Set-Cookie") or "").split(";")[0]
        raise SeedError(f"{url.split('?')[0]} answered {redirect.code}") from redirect
    raise SeedError(f"{url.split('?')[0]} did not redirect")


def openid_of(officer_id: str) -> str:
    """The simulator's test user of a demo officer."""
    return f"o-wx-{officer_id}"


def wechat_session(base: str, openid: str) -> dict[str, Any]:
    """Open the site from WeChat as a test user: {token, user}, or {bind_required, ticket} if bound to nobody
    (with the browser's `cookie` the binding needs)."""
    authorize, cookie = _redirect(f"{base}/api/auth/wechat/start?next=/")
    browser = {"Cookie": cookie}  # ties the rest of the sign-in to this "browser"
    back = urlsplit(_redirect(f"{authorize.split('#', 1)[0]}&openid={quote(openid)}")[0])
    query = parse_qs(back.query)
    landing = f"{base}/api/auth/wechat/callback?code={query['code'][0]}&state={quote(query['state'][0])}"
    ticket = re.search(r"wx=([A-Za-z0-9_-]+)", _redirect(landing, browser)[0])
    if ticket is None:
        raise SeedError("the WeChat callback gave no ticket")
    answer = call(base, "POST", "/api/auth/wechat/session", {"ticket": ticket.group(1)}, headers=browser)
    return {**expect(*answer, "wechat session"), "cookie": cookie}


def bind(base: str, officer: dict[str, Any], read_code: Callable[[str], str | None]) -> str:
    """Bind one officer's WeChat test user to the officer, the way the officer would; return the session."""
    found = wechat_session(base, openid_of(officer["id"]))
    if not found.get("bind_required"):
        return str(found["token"])  # bound already
    expect(*call(base, "POST", "/api/auth/otp", {"phone": officer["phone"]}), "POST /api/auth/otp")
    code = _code(officer["phone"], read_code)
    if code is None:
        raise SeedError(f"no one-time code reached {officer['phone']}")
    body = {"phone": officer["phone"], "code": code, "wechat_ticket": found["ticket"]}
    answer = call(base, "POST", "/api/auth/session", body, headers={"Cookie": found["cookie"]})
    return str(expect(*answer, "POST /api/auth/session (bind)")["token"])


def _code(phone: str, read_code: Callable[[str], str | None]) -> str | None:
    deadline = time.monotonic() + 10
    while (code := read_code(phone)) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    return code


def bind_officers(
    base: str, officers: tuple[dict[str, Any], ...], read_code: Callable[[str], str | None]
) -> dict[str, str]:
    """Bind every demo officer's WeChat test user; return each officer's session (by phone)."""
    return {officer["phone"]: bind(base, officer, read_code) for officer in officers}
