"""Signing in with WeChat (公众号网页授权): a resident proves a phone once, ever; afterwards opening the site from
the official account signs them in with no SMS. Officers bind the same way with their directory phone.

The flow: `start` signs a single-use `state` and sends the browser to WeChat; WeChat comes back to `callback`
with a code, exchanged here for the openid, which is kept server-side behind a single-use ticket in the page's
address (`#wx=`); the page trades the ticket for a session (`session`), or, for an openid bound to nobody, for a
bind ticket that the phone sign-in takes once (`sign_in_and_bind`). Codes, tokens and the app secret never
reach the page or the logs; tickets and states are kept by their hash only.

Every step is tied to the browser that started the flow (a random secret in an HttpOnly cookie, kept by its
hash beside the state and the tickets): a sign-in link (`#wx=`) forwarded to someone else signs nobody in and
binds nothing, so an attacker cannot get their own WeChat account bound to a victim's phone.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from chalicelib.domain.errors import NotFound, Unauthenticated, ValidationFailed
from chalicelib.services.identity import Identity, Session
from chalicelib.services.ports import Binding, Clock, ContactBook, UserRepository, Vouchers, Wechat

STATE_TTL = timedelta(minutes=10)
TICKET_TTL = timedelta(minutes=5)
BIND_TTL = timedelta(minutes=15)
_NEXT = re.compile(r"/[A-Za-z0-9/_.~#%=&?-]{0,199}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{16,64}")
_GONE = "微信登录已失效，请重新用微信登录"
_OTHER_BROWSER = "请在发起微信登录的同一浏览器中完成登录"
BROWSER_COOKIE = "p24_wx"  # the browser's secret of a WeChat sign-in in progress (HttpOnly, /api/auth)


def digest(secret: str) -> str:
    """Return the hash a voucher is kept under (never the secret itself)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _same_browser(data: dict[str, str], browser: str | None) -> None:
    """Refuse a step from another browser than the one that started the sign-in."""
    expected = data.get("browser", "")
    if not browser or not expected or not hmac.compare_digest(expected, digest(browser)):
        raise ValidationFailed(_OTHER_BROWSER, {"browser": "not the browser that started the sign-in"})


def safe_next(raw: object) -> str:
    """Return a path on this site to come back to (never another site: `//evil.example`, `https:`, `\\`), and
    never one carrying a `wx=` of its own: the page takes the first ticket it finds, so a planted one would shadow
    the real ticket (and leave that one in the history)."""
    if raw is None or raw == "":
        return "/"
    if not isinstance(raw, str) or not _NEXT.fullmatch(raw) or raw.startswith("//") or re.search(r"[#?&]wx=", raw):
        raise ValidationFailed("返回地址无效", {"next": "must be a path on this site"})
    return raw


@dataclass(frozen=True)
class BindRequired:
    """The openid is bound to nobody (yet): the phone sign-in with this ticket binds it."""

    ticket: str


@dataclass(frozen=True)
class TotpRequired:
    """A bound officer with a second factor: the same endpoint with this ticket and a TOTP code gives the session."""

    ticket: str


@dataclass(frozen=True)
class JsSignature:
    """What the page passes to `wx.config` for the share card."""

    app_id: str
    timestamp: int
    nonce_str: str
    signature: str


class WechatSignIn:
    """The WeChat sign-in and binding flow, and the JS-SDK signature of the share card."""

    def __init__(
        self,
        identity: Identity,
        wechat: Wechat | None,
        contacts: ContactBook,
        vouchers: Vouchers,
        users: UserRepository,
        clock: Clock,
        secret: str,
        site_url: str,
        app_id: str,
    ) -> None:
        self.identity, self.wechat, self.contacts, self.vouchers = identity, wechat, contacts, vouchers
        self.users, self.clock, self._key, self.site_url, self.app_id = users, clock, secret.encode(), site_url, app_id

    def _client(self) -> Wechat:
        if self.wechat is None:
            raise NotFound("本站未开通微信登录")
        return self.wechat

    def _sign(self, nonce: str) -> str:
        return hmac.new(self._key, f"wechat-state:{nonce}".encode(), hashlib.sha256).hexdigest()[:22]

    def start(self, next_path: object) -> tuple[str, str]:
        """Return WeChat's authorize address for a sign-in that comes back to `next_path`, and the browser's secret
        (for its cookie)."""
        client, path = self._client(), safe_next(next_path)
        nonce, browser = secrets.token_urlsafe(16), secrets.token_urlsafe(24)
        data = {"next": path, "browser": digest(browser)}
        self.vouchers.put("state", digest(nonce), data, self.clock.now() + STATE_TTL)
        url = client.authorize_url(f"{self.site_url}/api/auth/wechat/callback", f"{nonce}.{self._sign(nonce)}")
        return url, browser

    def callback(self, code: object, state: object, browser: str | None) -> str:
        """Check the state (signed, single use), exchange the code, and return where the browser goes next."""
        client = self._client()
        nonce, _, signature = state.partition(".") if isinstance(state, str) else ("", "", "")
        if not _SECRET.fullmatch(nonce) or not hmac.compare_digest(signature.encode(), self._sign(nonce).encode()):
            raise ValidationFailed("登录请求无效，请重新用微信登录", {"state": "bad signature"})
        if not isinstance(code, str) or not re.fullmatch(r"[A-Za-z0-9_-]{1,128}", code):
            raise ValidationFailed("微信授权无效，请重新用微信登录", {"code": "missing or malformed"})
        now = self.clock.now()
        started = self.vouchers.take("state", digest(nonce), now)
        if started is None:
            raise ValidationFailed("登录请求已使用或已过期，请重新用微信登录", {"state": "used or expired"})
        _same_browser(started, browser)
        openid = client.openid(code)
        ticket = secrets.token_urlsafe(24)
        self.vouchers.put("ticket", digest(ticket), {"openid": openid, "browser": started["browser"]}, now + TICKET_TTL)
        path = started.get("next") or "/"
        return f"{self.site_url}{path}{'&' if '#' in path else '#'}wx={ticket}"

    def session(self, ticket: object, browser: str | None) -> Session | BindRequired | TotpRequired:
        """Trade a sign-in ticket for a session of the bound account, a TOTP ticket, or a bind ticket."""
        now = self.clock.now()
        found = self._take("ticket", ticket, browser)
        openid = found["openid"]
        binding = self.contacts.account_of(openid)
        if binding is not None:
            session = self._session_of(binding, found)
            if session is not None:
                return session
            self.contacts.unbind(binding.account_id)  # the account is gone or the officer's phone changed
        bind = secrets.token_urlsafe(24)
        self.vouchers.put("bind", digest(bind), {"openid": openid, "browser": found["browser"]}, now + BIND_TTL)
        return BindRequired(bind)

    def with_totp(self, ticket: object, totp: object, browser: str | None) -> Session:
        """Trade a TOTP ticket and the officer's TOTP code for a session; a wrong code gives the ticket back (the
        tries are limited by the second factor itself)."""
        found = self._take("totp", ticket, browser)
        officer = self.identity.officer_account(found.get("account_id", ""))
        if officer is None or not hmac.compare_digest(officer[1].sessions, found.get("stamp", "")):
            raise Unauthenticated(_GONE)
        try:
            self.identity.second_step(officer[1], totp)
        except Exception:
            self.vouchers.put("totp", digest(str(ticket)), found, self.clock.now() + TICKET_TTL)
            raise
        return self.identity.session_for(*officer)

    def sign_in_and_bind(
        self, phone: object, code: object, bind_ticket: object, browser: str | None, totp: object = None
    ) -> Session:
        """Sign in by phone and code and bind the WeChat account of the bind ticket to that account.

        The ticket is taken first (one request binds it) and given back if the code is wrong, so a mistyped
        code costs a retry, not the whole WeChat round trip.
        """
        found = self._take("bind", bind_ticket, browser)
        try:
            session = self.identity.sign_in(phone, code, totp)
        except Exception:
            self.vouchers.put("bind", digest(str(bind_ticket)), found, self.clock.now() + BIND_TTL)
            raise
        officer = self.identity.officer_account(session.user.id) if session.user.role != "citizen" else None
        stamp = officer[1].sessions if officer else ""
        self.contacts.bind(session.user.id, found["openid"], self.clock.now(), stamp=stamp)
        return session

    def _take(self, kind: str, secret: object, browser: str | None) -> dict[str, str]:
        if not isinstance(secret, str) or not _SECRET.fullmatch(secret):
            raise ValidationFailed(_GONE, {"ticket": "malformed"})
        found = self.vouchers.take(kind, digest(secret), self.clock.now())
        if found is None or "openid" not in found:
            raise Unauthenticated(_GONE)
        try:
            _same_browser(found, browser)
        except ValidationFailed as other:  # used up all the same: a forwarded link is dead for everyone
            raise Unauthenticated(_OTHER_BROWSER) from other
        return found

    def _session_of(self, binding: Binding, found: dict[str, str]) -> Session | TotpRequired | None:
        officer = self.identity.officer_account(binding.account_id)
        if officer is not None:
            account, record = officer
            if not hmac.compare_digest(record.sessions, binding.stamp):
                return None
            need = self.identity.second_factor.need(record) if self.identity.second_factor is not None else "none"
            if need == "check":
                ticket, data = secrets.token_urlsafe(24), {**found, "account_id": record.id, "stamp": record.sessions}
                self.vouchers.put("totp", digest(ticket), data, self.clock.now() + TICKET_TTL)
                return TotpRequired(ticket)
            return self.identity.session_for(account, record, enrol_only=need == "enrol")
        user = self.users.get(binding.account_id)
        return self.identity.session_for(user, None) if user is not None else None

    def js_signature(self, url: object) -> JsSignature:
        """Sign a page address of this site for the JS-SDK (share card): sha1 over the ticket, nonce, time, url."""
        client = self._client()
        if not isinstance(url, str) or not url.startswith(self.site_url + "/") or "#" in url or len(url) > 500:
            raise ValidationFailed("只能为本站页面签名", {"url": "a page of this site, without #"})
        nonce, stamp = secrets.token_urlsafe(12), int(self.clock.now().timestamp())
        text = f"jsapi_ticket={client.jsapi_ticket()}&noncestr={nonce}&timestamp={stamp}&url={url}"
        return JsSignature(self.app_id, stamp, nonce, hashlib.sha1(text.encode()).hexdigest())  # noqa: S324 (WeChat's)
