"""A stand-in for WeChat's official-account APIs, for the local stack and the tests: an HTTP server.

It speaks the documented endpoints the app uses (网页授权 authorize and code exchange, access token, stable
token, 订阅通知 bizsend, 模板消息 send, JS-SDK ticket) with WeChat's answers: HTTP 200 and
`{"errcode": N, "errmsg": "..."}` for bad input (local/wechat_state.py holds the rules). The authorize page is a
picker of test users instead of WeChat's consent screen; with `&openid=` it redirects at once with a code. A bad
authorize request gets an error page naming WeChat's code (with status 400, where WeChat answers 200, so that
a test or `curl -f` notices). Controls for tests live under `/sim/` (not WeChat's): `GET /sim/messages`,
`POST /sim/expire-tokens`, `POST /sim/refuse {"openid"}`.
"""

from __future__ import annotations

import html
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from chalicelib.domain.messages import WECHAT_FIELDS
from local.wechat_state import APP_ID, REFUSING, SCOPES, SECRET, TEMPLATE_ID, USERS, WechatState, error


def _query(path: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(path).query, keep_blank_values=True))


def authorize_problem(state: WechatState, query: dict[str, str], hosts: tuple[str, ...]) -> dict[str, Any] | None:
    """Say why WeChat would refuse to show its authorize page for these parameters, or None."""
    redirect = urlsplit(query.get("redirect_uri", ""))
    if query.get("appid") != state.app_id:
        return error(40013, "appid 参数错误（invalid appid）")
    if not query.get("redirect_uri"):
        return error(10011, "redirect_uri 不能为空")
    if redirect.scheme not in ("http", "https") or (hosts and redirect.hostname not in hosts):
        return error(10003, "redirect_uri 域名与后台配置不一致")
    if query.get("response_type") != "code":
        return error(40097, "response_type 参数错误（invalid args）")
    if not query.get("scope"):
        return error(10010, "scope 不能为空")
    if query["scope"] not in SCOPES:
        return error(10005, "此公众号并没有这些 scope 的权限")
    return None


def picker(path: str, users: dict[str, str]) -> str:
    """The test-user picker shown instead of WeChat's authorize screen."""
    items = "".join(
        f'<li><a href="{html.escape(path + "&" + urlencode({"openid": openid}))}">{html.escape(name)}</a> '
        f"<code>{html.escape(openid)}</code></li>"
        for openid, name in users.items()
    )
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>微信授权（模拟器）</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>'
        "<h1>微信授权（模拟器）</h1><p>请选择以哪位微信用户的身份登录：</p>"
        f"<ul>{items}</ul></body></html>"
    )


def problem_page(answer: dict[str, Any]) -> str:
    return (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>微信授权出错</title></head><body>'
        f"<h1>出错了</h1><p>错误码：{answer['errcode']}</p><p>{html.escape(answer['errmsg'])}</p></body></html>"
    )


class WechatHandler(BaseHTTPRequestHandler):
    """Routes WeChat's endpoints (and the `/sim/` controls) to the simulator's state."""

    state: WechatState
    hosts: tuple[str, ...] = ()

    def log_message(self, format: str, *args: Any) -> None:
        """Say nothing: query strings carry secrets and tokens, as WeChat's do."""

    def _send(self, status: int, payload: bytes, kind: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _json(self, answer: Any, status: int = 200) -> None:
        self._send(status, json.dumps(answer, ensure_ascii=False).encode(), "application/json; charset=utf-8")

    def _html(self, page: str, status: int = 200) -> None:
        self._send(status, page.encode(), "text/html; charset=utf-8")

    def _body(self) -> dict[str, Any] | None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def do_GET(self) -> None:
        route, query = urlsplit(self.path).path, _query(self.path)
        with self.state.lock:
            if route == "/connect/oauth2/authorize":
                self._authorize(query)
            elif route == "/sns/oauth2/access_token":
                self._json(self.state.exchange(query))
            elif route == "/cgi-bin/token":
                self._json(self.state.token(query))
            elif route == "/cgi-bin/ticket/getticket":
                self._json(self.state.ticket(query))
            elif route == "/sim/messages":
                self._json({"messages": self.state.messages})
            else:
                self._json(error(404, f"no such api: {route}"), 404)

    def do_POST(self) -> None:
        route, query, body = urlsplit(self.path).path, _query(self.path), self._body()
        token = query.get("access_token", "")
        with self.state.lock:
            if body is None:
                self._json(error(47001, "data format error"))
            elif route == "/cgi-bin/stable_token":
                self._json(self.state.stable_token(body))
            elif route == "/cgi-bin/message/subscribe/bizsend":
                self._json(self.state.send("subscribe", token, body))
            elif route == "/cgi-bin/message/template/send":
                self._json(self.state.send("template", token, body))
            elif route == "/sim/expire-tokens":
                now = self.state.clock()
                self.state.tokens = {known: min(until, now) for known, until in self.state.tokens.items()}
                self._json({"expired": len(self.state.tokens)})
            elif route == "/sim/refuse":
                self.state.refusing.add(str(body.get("openid", "")))
                self._json({"refusing": sorted(self.state.refusing)})
            else:
                self._json(error(404, f"no such api: {route}"), 404)

    def _authorize(self, query: dict[str, str]) -> None:
        problem = authorize_problem(self.state, query, self.hosts)
        if problem:
            self._html(problem_page(problem), 400)
        elif query.get("openid"):
            code = self.state.grant(query["openid"], query["scope"])
            target = query["redirect_uri"]
            target += ("&" if "?" in target else "?") + urlencode({"code": code, "state": query.get("state", "")})
            self._send(302, b"", "text/plain", {"Location": target})
        else:
            self._html(picker(self.path, self.state.users))


class WechatSimulator:
    """The simulator as a server on a loopback port of its own (0: any free one), run in a thread."""

    def __init__(
        self,
        *,
        app_id: str = APP_ID,
        secret: str = SECRET,
        templates: dict[str, tuple[str, ...]] | None = None,
        users: tuple[tuple[str, str], ...] = USERS,
        refusing: tuple[str, ...] = REFUSING,
        redirect_hosts: tuple[str, ...] = (),
        clock: Callable[[], float] = time.time,
        port: int = 0,
    ) -> None:
        self.state = WechatState(
            app_id=app_id,
            secret=secret,
            templates=templates or {TEMPLATE_ID: tuple(name for name, _ in WECHAT_FIELDS)},
            users=dict(users),
            refusing=set(refusing),
            clock=clock,
        )
        handler = type("Handler", (WechatHandler,), {"state": self.state, "hosts": redirect_hosts})
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def issued(self) -> int:
        """How many access tokens were issued so far."""
        with self.state.lock:
            return self.state.issued

    def messages(self) -> list[dict[str, Any]]:
        """Every message sent so far, oldest first."""
        with self.state.lock:
            return list(self.state.messages)

    def env(self) -> dict[str, str]:
        """The app's settings that point it at this simulator."""
        return {
            "WECHAT_APP_ID": self.state.app_id,
            "WECHAT_SECRET": self.state.secret,
            "WECHAT_OAUTH_BASE": self.base_url,
            "WECHAT_API_BASE": self.base_url,
            "WECHAT_TEMPLATES": "*=" + next(iter(self.state.templates)),
        }

    def start(self) -> WechatSimulator:
        self._thread = threading.Thread(target=self.server.serve_forever, name="wechat-simulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self.server.shutdown()
        self.server.server_close()
