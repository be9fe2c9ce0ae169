"""Who is calling: bearer sessions for people, ADMIN_KEY (locally) or IAM (in AWS) for admins.

A session token names a person only; what an officer may do (role, unit, standing) is read from the directory
once per request (Identity.actor) and kept on the request for the rest of it.
"""

from __future__ import annotations

import hmac
from dataclasses import replace
from typing import TYPE_CHECKING

from chalice.app import Request

from chalicelib.domain.actors import ANONYMOUS, Actor
from chalicelib.domain.errors import Forbidden, Unauthenticated

if TYPE_CHECKING:
    from chalicelib.bootstrap import Services


def bearer(request: Request) -> str | None:
    """Return the bearer token of a request, if any."""
    header = str(request.headers.get("authorization", ""))
    scheme, _, token = header.partition(" ")
    if not header:
        return None
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("登录已失效或凭证无效，请重新登录")
    return token.strip()


_CACHE = "_police24_actor"  # the caller, resolved once per request
# What a session limited to enrolling the second factor may reach (OFFICER_MFA=required, not yet enrolled).
ENROLMENT = frozenset({("POST", "/me/totp"), ("POST", "/me/totp/confirm"), ("GET", "/me")})


def current_actor(request: Request, services: Services) -> Actor:
    """Return the caller; anonymous without a token, 401 with a bad or ended one."""
    cached = getattr(request, _CACHE, None)
    if isinstance(cached, tuple) and cached[0] is services and isinstance(cached[1], Actor):
        return cached[1]
    token = bearer(request)
    actor = ANONYMOUS if token is None else services.identity.actor(token)
    if actor.enrol_only and (request.method, request.path) not in ENROLMENT:
        raise Forbidden("请先绑定动态口令（双因素认证）", {"totp": "enrolment required"})
    setattr(request, _CACHE, (services, actor))
    return actor


def signed_in(request: Request, services: Services) -> Actor:
    """Return the caller, who must be signed in."""
    actor = current_actor(request, services)
    if not actor.signed_in:
        raise Unauthenticated("请先登录")
    if actor.officer_id is None:  # a citizen may have renamed since the token was issued
        user = services.identity.users.get(actor.user_id)
        if user is not None and user.nickname != actor.nickname:
            return replace(actor, nickname=user.nickname)
    return actor


def require_admin(request: Request, services: Services) -> Actor:
    """Admit an admin: IAM-signed in AWS (API Gateway checked it), ADMIN_KEY locally."""
    settings = services.settings
    if not settings.is_local:
        identity = (request.context or {}).get("identity") or {}
        if not identity.get("userArn"):
            raise Forbidden("需要管理员权限")
        return Actor(role="admin", user_id=str(identity["userArn"]), nickname="管理员")
    token = bearer(request)
    if token is None:
        raise Unauthenticated("需要管理员凭证")
    if not settings.admin_key or not hmac.compare_digest(token.encode(), settings.admin_key.encode()):
        if "." in token:  # a person's session: known, but not an admin
            current_actor(request, services)
            raise Forbidden("需要管理员权限")
        raise Unauthenticated("管理员凭证无效")
    return Actor(role="admin", user_id="admin", nickname="管理员")


def cad_signed(request: Request, services: Services) -> None:
    """Admit the 110 command system: the HMAC of the raw body and the timestamp (any fault is 401)."""
    raw = request.raw_body or b""
    raw_bytes = raw.encode() if isinstance(raw, str) else raw
    timestamp, signature = request.headers.get("x-timestamp"), request.headers.get("x-signature")
    services.incidents.verify(raw_bytes, timestamp, signature)
