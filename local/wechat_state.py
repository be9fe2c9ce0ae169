"""What the WeChat simulator (local/wechat_simulator.py) remembers, and the rules of WeChat's it applies.

Its rules follow WeChat's: a sign-in code is single use and lasts 5 minutes; /cgi-bin/token issues a new token
on every call and the previous one stays valid 5 more minutes; /cgi-bin/stable_token returns the current token
(a new one only in its last 5 minutes, or when forced, which voids the old one); a notice goes only to a user
of the account (one who authorized, or a configured test user) who accepts notices, of a known template, with
every field within WeChat's limits. Every answer is WeChat's: a dict, `{"errcode", "errmsg"}` when refused.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from local import demo

APP_ID = "wx-sim-police24"
SECRET = "sim-secret-police24"
TEMPLATE_ID = "sim-tmpl-work-order"  # 工单状态通知: 事项, 编号, 状态, 时间
LIFETIME, GRACE = 7200, 300  # seconds a token lives; seconds an old token (or a code) stays good
RESIDENTS = (("o-wx-zhang", "张先生"), ("o-wx-wang", "王女士"), ("o-wx-refuse", "刘先生（拒收通知）"))
USERS: tuple[tuple[str, str], ...] = RESIDENTS + tuple(
    (f"o-wx-{officer['id']}", f"{officer['name']}（{officer['title']}）") for officer in demo.OFFICERS
)
REFUSING = ("o-wx-refuse",)
# WeChat's length limits of a template field, by the kind its name starts with (订阅通知 参数值限制).
LIMITS = {"thing": 20, "phrase": 5, "character_string": 32, "number": 32, "letter": 32, "name": 10, "time": 30}
TIME = re.compile(r"^[0-9年月日: ~/-]+$")
SCOPES = ("snsapi_base", "snsapi_userinfo")


def error(code: int, message: str) -> dict[str, Any]:
    return {"errcode": code, "errmsg": message}


@dataclass
class Grant:
    """A sign-in code the authorize page handed out."""

    openid: str
    scope: str
    issued: float
    used: bool = False


@dataclass
class WechatState:
    """Everything the simulator remembers; every method runs under the lock."""

    app_id: str
    secret: str
    templates: dict[str, tuple[str, ...]]
    users: dict[str, str]
    refusing: set[str]
    clock: Callable[[], float]
    codes: dict[str, Grant] = field(default_factory=dict)
    tokens: dict[str, float] = field(default_factory=dict)  # token -> when it stops working
    stable: str = ""
    issued: int = 0  # the account's access tokens issued so far (the adapter's cache is measured by this)
    messages: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def grant(self, openid: str, scope: str) -> str:
        code = secrets.token_hex(16)
        self.codes[code] = Grant(openid, scope, self.clock())
        self.users.setdefault(openid, openid)  # whoever authorized is a user of the account from now on
        return code

    def exchange(self, query: dict[str, str]) -> dict[str, Any]:
        if query.get("appid") != self.app_id:
            return error(40013, "invalid appid")
        if query.get("secret") != self.secret:
            return error(40125, "invalid appsecret")
        if query.get("grant_type") != "authorization_code":
            return error(40002, "invalid grant_type")
        grant = self.codes.get(query.get("code", ""))
        if grant is None or self.clock() - grant.issued > GRACE:
            return error(40029, "invalid code")
        if grant.used:
            return error(40163, "code been used")
        grant.used = True
        return {
            "access_token": secrets.token_urlsafe(48),  # a web token (for snsapi_userinfo), not the account's
            "expires_in": LIFETIME,
            "refresh_token": secrets.token_urlsafe(32),
            "openid": grant.openid,
            "scope": grant.scope,
        }

    def issue(self) -> str:
        token = secrets.token_urlsafe(48)
        self.tokens[token] = self.clock() + LIFETIME
        self.issued += 1
        return token

    def credentials(self, body: dict[str, Any]) -> dict[str, Any] | None:
        if body.get("grant_type") != "client_credential":
            return error(40002, "invalid grant_type")
        if body.get("appid") != self.app_id:
            return error(40013, "invalid appid")
        if body.get("secret") != self.secret:
            return error(40125, "invalid appsecret")
        return None

    def token(self, query: dict[str, str]) -> dict[str, Any]:
        refused = self.credentials(query)
        if refused:
            return refused
        now = self.clock()
        for old, until in self.tokens.items():
            self.tokens[old] = min(until, now + GRACE)
        self.stable = self.issue()
        return {"access_token": self.stable, "expires_in": LIFETIME}

    def stable_token(self, body: dict[str, Any]) -> dict[str, Any]:
        refused = self.credentials(body)
        if refused:
            return refused
        now = self.clock()
        left = self.tokens.get(self.stable, 0) - now
        if body.get("force_refresh") is True:
            self.tokens.pop(self.stable, None)
        elif left > GRACE:
            return {"access_token": self.stable, "expires_in": int(left)}
        self.stable = self.issue()
        return {"access_token": self.stable, "expires_in": LIFETIME}

    def check(self, token: str) -> dict[str, Any] | None:
        """Return WeChat's answer to a call with a bad access token, or None for a good one."""
        until = self.tokens.get(token)
        if until is None:
            return error(40001, "invalid credential, access_token is invalid or not latest")
        if until <= self.clock():
            return error(42001, "access_token expired")
        return None

    def send(self, api: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
        refused = self.check(token)
        if refused:
            return refused
        openid, template = str(body.get("touser", "")), str(body.get("template_id", ""))
        if openid not in self.users:
            return error(40003, "invalid openid")
        if template not in self.templates:
            return error(40037, "invalid template_id")
        data = body.get("data")
        if not isinstance(data, dict):
            return error(47003, "argument invalid! data is empty")
        values = {}
        for name in self.templates[template]:
            value = data.get(name, {}).get("value") if isinstance(data.get(name), dict) else None
            problem = field_problem(name, value)
            if problem:
                return error(47003, f"argument invalid! data.{name}.value {problem}")
            values[name] = str(value)
        link = str(body.get("page" if api == "subscribe" else "url") or "")
        if link and not link.startswith(("http://", "https://")):
            return error(47003, "argument invalid! page must be a web address")
        if openid in self.refusing:
            return error(43101, "user refuse to accept the msg")
        msgid = 1_000_000 + len(self.messages)
        self.messages.append(
            {"msgid": msgid, "api": api, "touser": openid, "template_id": template, "url": link, "data": values}
        )
        return {"errcode": 0, "errmsg": "ok", "msgid": msgid}

    def ticket(self, query: dict[str, str]) -> dict[str, Any]:
        refused = self.check(query.get("access_token", ""))
        if refused:
            return refused
        if query.get("type") != "jsapi":
            return error(40097, "invalid args")
        return {"errcode": 0, "errmsg": "ok", "ticket": secrets.token_urlsafe(60), "expires_in": LIFETIME}


def field_problem(name: str, value: Any) -> str:
    """Say what is wrong with a template field's value by WeChat's rules, or "" when nothing is."""
    if not isinstance(value, str) or not value:
        return "is empty"
    kind = re.sub(r"\d+$", "", name)
    if len(value) > LIMITS.get(kind, 200):
        return f"exceeds {LIMITS.get(kind, 200)} characters"
    if kind == "time" and not TIME.match(value):
        return "is not a time"
    if kind == "character_string" and not value.isascii():
        return "is not letters, digits and symbols"
    return ""
