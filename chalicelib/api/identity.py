"""Routes of identity: one-time codes, sessions and the caller's profile."""

from __future__ import annotations

import functools

from chalice.app import Blueprint

from chalicelib.api.middleware import client_address
from chalicelib.api.operation import ANYONE, SIGNED_IN, Call, operation
from chalicelib.api.params import BODY_ERRORS, CURSOR, limit
from chalicelib.api.render import build, post_summary_out, user_out
from chalicelib.api.shapes import out

bp = Blueprint(__name__)
identity = functools.partial(operation, bp, tag="identity")


@identity("POST", "/auth/otp", who=ANYONE, request="OtpIn", response="CodeSent", status=202, errors=(*BODY_ERRORS, 429))
def request_code(call: Call) -> out.CodeSent:
    """Send a one-time code by SMS (anyone)."""
    expires_in = call.svc.identity.request_code(call.body.phone, client_address(call.request, call.svc.settings))
    return out.CodeSent(expires_in=expires_in)


@identity("POST", "/auth/session", who=ANYONE, request="SessionIn", response="Session", errors=(*BODY_ERRORS, 401))
def sign_in(call: Call) -> out.Session:
    """Exchange a phone's one-time code for a session token (anyone)."""
    session = call.svc.identity.sign_in(call.body.phone, call.body.code)
    return build(out.Session, token=session.token, user=user_out(session.user, call.svc.directory))


@identity("GET", "/me", who=SIGNED_IN, response="User", errors=(401, 404))
def me(call: Call) -> out.User:
    """Return the caller's profile (signed in)."""
    return user_out(call.svc.identity.profile(call.actor), call.svc.directory)


@identity("PATCH", "/me", who=SIGNED_IN, request="ProfileIn", response="User", errors=(*BODY_ERRORS, 401, 403))
def rename(call: Call) -> out.User:
    """Change the caller's nickname (signed-in citizens)."""
    return user_out(call.svc.identity.rename(call.actor, call.body.nickname))


@identity("GET", "/me/posts", who=SIGNED_IN, response="MyPosts", errors=(400, 401), query=(CURSOR, limit(20, 50)))
def my_posts(call: Call) -> out.MyPosts:
    """Return the caller's own posts, newest first (signed in)."""
    page = call.svc.feeds.my_posts(call.actor, call.params["cursor"], call.params["limit"])
    now = call.svc.clock.now()
    return build(
        out.MyPosts, posts=[post_summary_out(p, call.actor, now) for p in page.posts], next_cursor=page.next_cursor
    )
