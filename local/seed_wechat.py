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


def _location(url: str) -> str:
    opener = urllib.request.build_opener(_Stay)
    try:
        opener.open(url, timeout=10)
    except urllib.error.HTTPError as redirect:
        if redirect.code == 302:
            return str(redirect.headers["Location"])
        raise SeedError(f"{url.split('?')[0]} answered {redirect.code}") from redirect
    raise SeedError(f"{url.split('?')[0]} did not redirect")


def openid_of(officer_id: str) -> str:
    """The simulator's test user of a demo officer."""
    return f"o-wx-{officer_id}"


def wechat_session(base: str, openid: str) -> dict[str, Any]:
    """Open the site from WeChat as a test user: {token, user}, or {bind_required, ticket} if bound to nobody."""
    authorize = _location(f"{base}/api/auth/wechat/start?next=/").split("#", 1)[0]
    back = urlsplit(_location(f"{authorize}&openid={quote(openid)}"))
    query = parse_qs(back.query)
    landing = _location(f"{base}/api/auth/wechat/callback?code={query['code'][0]}&state={quote(query['state'][0])}")
    ticket = re.search(r"wx=([A-Za-z0-9_-]+)", landing)
    if ticket is None:
        raise SeedError("the WeChat callback gave no ticket")
    return dict(expect(*call(base, "POST", "/api/auth/wechat/session", {"ticket": ticket.group(1)}), "wechat session"))


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
    return str(expect(*call(base, "POST", "/api/auth/session", body), "POST /api/auth/session (bind)")["token"])


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
