"""Signed bearer tokens (JWT, HS256 only), with key rotation by `kid`."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.errors import Unauthenticated
from chalicelib.domain.people import Actor

AUDIENCE = "police24"
ALGORITHMS = ["HS256"]
_BAD_TOKEN = "登录已失效或凭证无效,请重新登录"


class TokenService:
    """Issue and verify session tokens; the first key signs, every key verifies."""

    def __init__(self, keys: tuple[tuple[str, str], ...]) -> None:
        if not keys:
            raise RuntimeError("no token signing keys configured (TOKEN_KEYS)")
        self._keys = dict(keys)
        self._signing_kid = keys[0][0]

    def issue(self, actor: Actor, now: datetime, ttl: timedelta, purpose: str = "session") -> str:
        """Sign a token for an actor, valid for `ttl` from `now`."""
        claims: dict[str, Any] = {
            "sub": actor.user_id,
            "role": actor.role,
            "nick": actor.nickname,
            "aud": AUDIENCE,
            "typ": purpose,
            "iat": int(now.timestamp()),
            "exp": int((now + ttl).timestamp()),
        }
        if actor.officer_id:
            claims["off"] = actor.officer_id
        if actor.link_post_id:
            claims["post"] = actor.link_post_id
        if actor.account_created is not None:
            claims["acct"] = actor.account_created
        import jwt  # imported on first use: PyJWT pulls in `cryptography`, a cold-start cost

        return jwt.encode(
            claims, self._keys[self._signing_kid], algorithm="HS256", headers={"kid": self._signing_kid}
        )

    def claims(self, token: str, now: datetime, purpose: str = "session") -> dict[str, Any]:
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
        if claims.get("typ") != purpose or claims["exp"] <= now.timestamp():
            raise Unauthenticated(_BAD_TOKEN)
        return claims

    def actor(self, token: str, now: datetime) -> Actor:
        """Verify a session token and return who holds it."""
        claims = self.claims(token, now)
        role = claims.get("role")
        if role not in ("citizen", "officer", "leader", "admin"):
            raise Unauthenticated(_BAD_TOKEN)
        return Actor(
            role=role,
            user_id=str(claims["sub"]),
            nickname=str(claims.get("nick", "")),
            officer_id=claims.get("off"),
            link_post_id=claims.get("post"),
            account_created=claims.get("acct") if isinstance(claims.get("acct"), int) else None,
        )
