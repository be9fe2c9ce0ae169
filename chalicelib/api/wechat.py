"""Routes of the WeChat sign-in (公众号网页授权) and the share card's JS-SDK signature."""

from __future__ import annotations

import functools

from chalice.app import Blueprint, Request, Response

from chalicelib.api.operation import ANYONE, Call, operation
from chalicelib.api.params import BODY_ERRORS, NEXT, PAGE_URL, WECHAT_CODE, WECHAT_STATE
from chalicelib.api.render import build, user_out
from chalicelib.api.shapes import out

bp = Blueprint(__name__)
wechat = functools.partial(operation, bp, tag="identity")


COOKIE = "p24_wx"  # services.wechat.BROWSER_COOKIE (named here too: `import app` stays free of the services)


def _redirect(location: str, cookie: str | None = None) -> Response:
    headers: dict[str, str | list[str]] = {"Location": location, "Cache-Control": "no-store"}
    if cookie is not None:
        headers["Set-Cookie"] = cookie
    return Response(body="", status_code=302, headers=headers)


def browser_secret(request: Request) -> str | None:
    """Return the secret of the WeChat sign-in this browser started (its cookie), or None.

    Read by hand, not with http.cookies: SimpleCookie gives up on the whole header (or on the rest of it) at any
    cookie it finds odd, e.g. a JSON value, a space or a `[` in another cookie of the site, and the sign-in
    would then fail in that browser for good."""
    for part in (request.headers.get("cookie") or "").split(";"):
        name, found, value = part.strip().partition("=")
        if found and name.strip() == COOKIE and value.strip().strip('"'):
            return value.strip().strip('"')
    return None


def _cookie(secret: str, site_url: str) -> str:
    secure = "; Secure" if site_url.startswith("https://") else ""
    return f"{COOKIE}={secret}; Path=/api/auth; Max-Age=1800; HttpOnly; SameSite=Lax{secure}"


@wechat("GET", "/auth/wechat/config", who=ANYONE, response="WechatConfig", storage=False)
def config(call: Call) -> out.WechatConfig:
    """Say whether the site offers WeChat sign-in (and, locally, whether the simulator stands in for WeChat)."""
    settings = call.svc.settings
    enabled = settings.wechat_enabled
    return build(
        out.WechatConfig,
        enabled=enabled,
        app_id=settings.wechat_app_id if enabled else None,
        simulator=enabled and settings.is_local,
    )


@wechat("GET", "/auth/wechat/start", who=ANYONE, response=None, status=302, errors=(400, 404), query=(NEXT,))
def start(call: Call) -> Response:
    """Send the browser to WeChat's authorize page, with a signed single-use `state` and, in an HttpOnly cookie,
    the secret that ties the rest of the sign-in to this browser (anyone)."""
    location, secret = call.svc.wechat.start(call.params["next"])
    return _redirect(location, _cookie(secret, call.svc.settings.site_url))


@wechat(
    "GET",
    "/auth/wechat/callback",
    who=ANYONE,
    response=None,
    status=302,
    errors=(400, 404),
    query=(WECHAT_CODE, WECHAT_STATE),
)
def callback(call: Call) -> Response:
    """WeChat comes back here: the page is sent to `next` with a single-use ticket (`#wx=`)."""
    found = call.svc.wechat.callback(call.params["code"], call.params["state"], browser_secret(call.request))
    return _redirect(found)


@wechat(
    "POST",
    "/auth/wechat/session",
    who=ANYONE,
    request="WechatSessionIn",
    response="WechatSession",
    errors=(*BODY_ERRORS, 401, 404, 429),
)
def session(call: Call) -> out.WechatSession:
    """Trade a WeChat ticket for a session, or for a bind ticket when the WeChat account is bound to nobody."""
    from chalicelib.services.identity import Session
    from chalicelib.services.wechat import BindRequired, TotpRequired  # on first use: `import app` stays light

    browser = browser_secret(call.request)
    found: Session | BindRequired | TotpRequired
    if call.body.totp is not None:
        found = call.svc.wechat.with_totp(call.body.ticket, call.body.totp, browser)
    else:
        found = call.svc.wechat.session(call.body.ticket, browser)
    if isinstance(found, BindRequired):
        return build(out.WechatSession, bind_required=True, ticket=found.ticket)
    if isinstance(found, TotpRequired):
        return build(out.WechatSession, totp_required=True, ticket=found.ticket)
    return build(out.WechatSession, token=found.token, user=user_out(found.user, call.svc.directory))


@wechat("GET", "/wechat/jssdk", who=ANYONE, response="JsSignature", errors=(400, 404), query=(PAGE_URL,))
def jssdk(call: Call) -> out.JsSignature:
    """Sign a page of this site for WeChat's JS-SDK (the share card); 404 where the bureau has no official account."""
    signed = call.svc.wechat.js_signature(call.params["url"])
    return build(
        out.JsSignature,
        app_id=signed.app_id,
        timestamp=signed.timestamp,
        nonce_str=signed.nonce_str,
        signature=signed.signature,
    )
