"""Signed bearer tokens (JWT, HS256 only), with key rotation by `kid`.

A token names who holds it (an account, or an officer and the officer's session stamp), never what they may
do: role, unit and standing come from the directory at every request (services/identity.Identity.actor).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.errors import Unauthenticated
from chalicelib.domain.people import Actor

AUDIENCE = "police24"
ALGORITHMS = ["HS256"]
SESSION = "session"  # the one kind of token (reply links are random codes: services.links)
_BAD_TOKEN = "登录已失效或凭证无效，请重新登录"


@dataclass(frozen=True)
class SessionClaims:
    """Who a verified session token names: an account, or an officer (and the stamp it was issued under)."""

    user_id: str
    officer_id: str | None = None
    link_post_id: str | None = None
    account_created: int | None = None
    nickname: str = ""  # a citizen's nickname when signed in (display only)
    stamp: str = ""
    enrol_only: bool = False  # an officer who must enrol a second factor first (services.mfa)


class TokenService:
    """Issue and verify session tokens; the first key signs, every key verifies."""

    def __init__(self, keys: tuple[tuple[str, str], ...]) -> None:
        if not keys:
            raise RuntimeError("no token signing keys configured (TOKEN_KEYS)")
        self._keys = dict(keys)
        self._signing_kid = keys[0][0]

    def issue(self, actor: Actor, now: datetime, ttl: timedelta, stamp: str = "") -> str:
        """Sign a token naming an actor (not its role), valid for `ttl` from `now`; `stamp`: the officer's."""
        claims: dict[str, Any] = {
            "sub": actor.user_id,
            "aud": AUDIENCE,
            "typ": SESSION,
            "iat": int(now.timestamp()),
            "exp": int((now + ttl).timestamp()),
        }
        if actor.officer_id:
            claims["off"] = actor.officer_id
            claims["ses"] = stamp
        else:
            claims["nick"] = actor.nickname
        if actor.link_post_id:
            claims["post"] = actor.link_post_id
        if actor.account_created is not None:
            claims["acct"] = actor.account_created
        if actor.enrol_only:
            claims["mfa"] = "enrol"
        import jwt  # imported on first use: PyJWT pulls in `cryptography`, a cold-start cost

        return jwt.encode(claims, self._keys[self._signing_kid], algorithm="HS256", headers={"kid": self._signing_kid})

    def claims(self, token: str, now: datetime) -> dict[str, Any]:
        """Verify a token and return its claims; any fault is the same 401."""
        import jwt

        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = self._keys.get(kid) if isinstance(kid, str) else None
            if key is None:
                raise Unauthenticated(_BAD_TOKEN)
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=AUDIENCE,
                # `exp` is checked below against the caller's `now` (the Clock), not the wall clock.
                options={"require": ["exp", "iat", "sub", "aud"], "verify_iat": False, "verify_exp": False},
                leeway=0,
            )
        except jwt.PyJWTError as error:
            raise Unauthenticated(_BAD_TOKEN) from error
        if claims.get("typ") != SESSION or claims["exp"] <= now.timestamp():
            raise Unauthenticated(_BAD_TOKEN)
        return claims

    def session(self, token: str, now: datetime) -> SessionClaims:
        """Verify a session token and return whom it names (what they may do is the directory's to say)."""
        claims = self.claims(token, now)
        officer_id, post_id, created = claims.get("off"), claims.get("post"), claims.get("acct")
        if (officer_id is not None and not isinstance(officer_id, str)) or not isinstance(claims["sub"], str):
            raise Unauthenticated(_BAD_TOKEN)
        return SessionClaims(
            user_id=claims["sub"],
            officer_id=officer_id or None,
            link_post_id=post_id if isinstance(post_id, str) and post_id else None,
            account_created=created if isinstance(created, int) else None,
            nickname="" if officer_id else str(claims.get("nick", "")),
            stamp=str(claims.get("ses", "")),
            enrol_only=claims.get("mfa") == "enrol",
        )
