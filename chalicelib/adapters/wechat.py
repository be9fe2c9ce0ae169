"""The bureau's WeChat official account, spoken to on WeChat's documented HTTPS endpoints.

Why the standard library and not wechatpy (read from the wheel of wechatpy 1.8.18):
- it has no `/cgi-bin/stable_token`: its client fetches `/cgi-bin/token`, which issues a new token on every
  call, and on 40001/40014/42001 (`auto_retry`) fetches another, so instances of the Lambda would keep voiding
  each other's tokens; it does have bizsend (`WeChatMessage.send_subscribe_message`), a few lines here too;
- `import wechatpy` loads its client, OAuth, payment and XML parser modules, `requests` at module level among
  them (`wechatpy/client/base.py`), and it requires six, xmltodict, optionaldict and python-dateutil: all of
  that on every cold start, for four HTTP calls;
- its token storages are memory, Redis, memcached and shove, none shared by the Lambda's instances.

The access token and the JS-SDK ticket are cached in the table (keys.py, pattern 30) for every instance, and
refreshed 5 minutes before they expire through `stable_token`, so that instances refreshing at once get the
same token. A call refused for its token (40001, 42001, 40014) first looks for a newer token in the table (an
instance may have refreshed it), else forces a refresh; either way it is retried once, never again.
The secret, tokens, tickets and codes are never logged: log lines name WeChat's error code only.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.table import to_item
from chalicelib.domain.errors import Unavailable, Undeliverable, ValidationFailed

if TYPE_CHECKING:
    from chalicelib.adapters.dynamodb.table import Table
    from chalicelib.config import Settings

log = logging.getLogger(__name__)

TIMEOUT = 4.0  # seconds: a notice waits in its queue and a sign-in can be retried: a hung call must not hold the Lambda
MARGIN = 300  # seconds before expiry a cached token or ticket is replaced
STALE_TOKEN = {40001, 40014, 42001}  # invalid, malformed or expired access token
BUSY = {-1, 45009, 45011}  # system busy, daily quota reached, too frequent
REFUSED = {43101, 43004, 40003, 43019}  # user declined notices, not following, unknown openid, blocked us
BAD_CODE = {40029, 40163, 41008, 40030}  # invalid, used, missing code; invalid refresh token
SEND_PATHS = {"subscribe": "/cgi-bin/message/subscribe/bizsend", "template": "/cgi-bin/message/template/send"}


class WechatError(Exception):
    """WeChat answered with a non-zero errcode (kept inside this module)."""

    def __init__(self, code: int) -> None:
        super().__init__(f"WeChat errcode {code}")
        self.code = code


class WechatClient:
    """Implements the Wechat port (services/ports.py) for one official account."""

    def __init__(self, settings: Settings, table: Table, clock: Callable[[], float] = time.time) -> None:
        self.app_id, self.secret = settings.wechat_app_id, settings.wechat_secret
        self.oauth_base, self.api_base = settings.wechat_oauth_base, settings.wechat_api_base
        self.scope, self.messages = settings.wechat_scope, settings.wechat_messages
        self.table, self.clock = table, clock
        self._memo: dict[str, tuple[str, int]] = {}  # kind -> (value, expires_at): a warm instance skips the read
        if not all(base.startswith(("https://", "http://")) for base in (self.oauth_base, self.api_base)):
            raise ValueError("WECHAT_OAUTH_BASE and WECHAT_API_BASE must be http(s) addresses")
        if self.messages not in SEND_PATHS:
            raise ValueError(f"WECHAT_MESSAGES must be one of {', '.join(SEND_PATHS)}, not {self.messages!r}")

    def authorize_url(self, redirect_uri: str, state: str) -> str:
        """Return WeChat's authorize page for this redirect and state (parameters in WeChat's documented order)."""
        query = urlencode(
            [
                ("appid", self.app_id),
                ("redirect_uri", redirect_uri),
                ("response_type", "code"),
                ("scope", self.scope),
                ("state", state),
            ],
            quote_via=quote,
        )
        return f"{self.oauth_base}/connect/oauth2/authorize?{query}#wechat_redirect"

    def openid(self, code: str) -> str:
        """Exchange a sign-in code for the openid (ValidationFailed for a bad, used or expired code)."""
        query = {"appid": self.app_id, "secret": self.secret, "code": code, "grant_type": "authorization_code"}
        try:
            answer = self._call("GET", self.api_base + "/sns/oauth2/access_token", query)
        except WechatError as error:
            if error.code in BAD_CODE:
                raise ValidationFailed("微信授权已失效，请重新从公众号进入") from None
            raise self._trouble("code exchange", error.code) from None
        openid = answer.get("openid")
        if not isinstance(openid, str) or not openid:
            raise Unavailable("微信暂时无法登录，请稍后重试", retry_after=5)
        return openid

    def send(self, openid: str, template_id: str, fields: dict[str, str], url: str) -> None:
        """Send one notice by 订阅通知 (bizsend, `page`) or 模板消息 (template/send, `url`), as configured."""
        link = "page" if self.messages == "subscribe" else "url"
        body = {
            "touser": openid,
            "template_id": template_id,
            link: url,
            "data": {name: {"value": value} for name, value in fields.items()},
        }
        path = SEND_PATHS[self.messages]
        try:
            self._with_token(lambda token: self._call("POST", self.api_base + path, {"access_token": token}, body))
        except WechatError as error:
            if error.code in REFUSED:
                raise Undeliverable(f"WeChat refused the notice ({error.code})") from None
            if error.code in BUSY or error.code in STALE_TOKEN:  # busy, or still refused with a fresh token
                raise Unavailable("微信暂时无法发送，请稍后重试", retry_after=30) from None
            log.error("wechat notice refused: check the template and its fields", extra={"errcode": error.code})
            raise Undeliverable(f"WeChat refused the notice ({error.code})") from None

    def jsapi_ticket(self) -> str:
        """Return the JS-SDK ticket, cached in the table like the access token."""
        cached = self._cached("jsapi")
        if cached:
            return cached
        try:
            answer = self._with_token(
                lambda token: self._call(
                    "GET", self.api_base + "/cgi-bin/ticket/getticket", {"access_token": token, "type": "jsapi"}
                )
            )
        except WechatError as error:
            raise self._trouble("jsapi ticket", error.code) from None
        return self._store("jsapi", answer, "ticket")

    def _with_token(self, call: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
        """Make a call with the access token; once, if the token was refused, with a newer one."""
        token = self._access_token()
        try:
            return call(token)
        except WechatError as error:
            if error.code not in STALE_TOKEN:
                raise
        newer = self._cached("access", consistent=True)
        if not newer or newer == token:
            newer = self._fetch_token(force=True)
        return call(newer)

    def _access_token(self) -> str:
        return self._cached("access") or self._fetch_token(force=False)

    def _fetch_token(self, force: bool) -> str:
        """Get the account's token from stable_token (the same one for every instance) and cache it."""
        body = {"grant_type": "client_credential", "appid": self.app_id, "secret": self.secret}
        try:
            answer = self._call("POST", self.api_base + "/cgi-bin/stable_token", {}, {**body, "force_refresh": force})
        except WechatError as error:
            raise self._trouble("access token", error.code) from None
        return self._store("access", answer, "access_token")

    def _cached(self, kind: str, consistent: bool = False) -> str:
        """Return the token (or ticket) of a kind unless it expires within the margin, else "".

        A warm instance remembers what it last read or wrote; `consistent` reads the table again (to find a
        token another instance refreshed).
        """
        value, expires_at = self._memo.get(kind, ("", 0))
        if consistent or expires_at - MARGIN <= self.clock():
            item = self.table.get(keys.WECHAT, keys.wechat_token_sk(kind), consistent=consistent) or {}
            value, expires_at = str(item.get("value", "")), int(item.get("expires_at", 0))
            self._memo[kind] = (value, expires_at)
        return value if expires_at - MARGIN > self.clock() else ""

    def _store(self, kind: str, answer: dict[str, Any], name: str) -> str:
        value = answer.get(name)
        if not isinstance(value, str) or not value:
            raise Unavailable("微信暂时不可用，请稍后重试", retry_after=5)
        expires_at = int(self.clock()) + int(answer.get("expires_in") or 7200)
        item = {"PK": keys.WECHAT, "SK": keys.wechat_token_sk(kind), "value": value, "expires_at": expires_at}
        self.table.call("put_item", TableName=self.table.name, Item=to_item(item))
        self._memo[kind] = (value, expires_at)
        return value

    def _trouble(self, what: str, code: int) -> Unavailable:
        """A refusal the user cannot fix: busy (a warning) or the account's configuration (an error to fix)."""
        if code in BUSY:
            log.warning("wechat busy", extra={"call": what, "errcode": code})
        else:
            log.error(
                "wechat refused: check WECHAT_APP_ID, the secret, the IP allowlist",
                extra={"call": what, "errcode": code},
            )
        return Unavailable("微信暂时不可用，请稍后重试", retry_after=30)

    def _call(self, method: str, url: str, query: dict[str, str], body: dict[str, Any] | None = None) -> dict[str, Any]:
        """Call one endpoint; WechatError for a non-zero errcode, Unavailable when WeChat cannot be reached."""
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        target = f"{url}?{urlencode(query)}" if query else url
        request = urllib.request.Request(target, data=data, method=method)  # noqa: S310 (bases checked: http/https)
        if data is not None:
            request.add_header("Content-Type", "application/json; charset=utf-8")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
                answer = json.loads(response.read())
        except (OSError, ValueError) as error:  # URLError, HTTPError, timeouts, a page that is not JSON
            log.warning("wechat unreachable", extra={"error": type(error).__name__})
            raise Unavailable("微信暂时无法连接，请稍后重试", retry_after=30) from None
        if not isinstance(answer, dict):
            raise Unavailable("微信暂时不可用，请稍后重试", retry_after=30)
        code = int(answer.get("errcode") or 0)
        if code:
            raise WechatError(code)
        return answer
