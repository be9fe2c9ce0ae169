"""Routes of identity: one-time codes, sessions and the caller's profile."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from chalice.app import Blueprint

from chalicelib.api.middleware import client_address
from chalicelib.api.operation import ANYONE, SIGNED_IN, Call, operation
from chalicelib.api.params import BODY_ERRORS, CURSOR, limit
from chalicelib.api.render import build, post_summary_out, user_out
from chalicelib.api.shapes import out

if TYPE_CHECKING:
    from chalicelib.domain.people import User

bp = Blueprint(__name__)
identity = functools.partial(operation, bp, tag="identity")


@identity("POST", "/auth/otp", who=ANYONE, request="OtpIn", response="CodeSent", status=202, errors=(*BODY_ERRORS, 429))
def request_code(call: Call) -> out.CodeSent:
    """Send a one-time code by SMS (anyone)."""
    expires_in = call.svc.identity.request_code(call.body.phone, client_address(call.request, call.svc.settings))
    return out.CodeSent(expires_in=expires_in)


@identity("POST", "/auth/session", who=ANYONE, request="SessionIn", response="Session", errors=(*BODY_ERRORS, 401, 429))
def sign_in(call: Call) -> out.Session:
    """Exchange a phone's one-time code for a session token (anyone); with a WeChat bind ticket, bind it too."""
    if call.body.wechat_ticket is not None:
        from chalicelib.api.wechat import browser_secret

        wechat = call.svc.wechat
        session = wechat.sign_in_and_bind(
            call.body.phone, call.body.code, call.body.wechat_ticket, browser_secret(call.request), call.body.totp
        )
    else:
        session = call.svc.identity.sign_in(call.body.phone, call.body.code, call.body.totp)
    return build(out.Session, token=session.token, user=user_out(session.user, call.svc.directory))


def _me(call: Call, user: User) -> out.Me:
    contact = call.svc.contacts.of(call.actor)
    bound = contact.openid is not None
    if bound and call.actor.officer_id:  # bound under an older phone: WeChat neither signs in nor notifies
        officer = call.svc.directory.officer(call.actor.officer_id)
        bound = officer is not None and contact.stamp == officer.sessions
    me: out.Me = user_out(user, call.svc.directory, out.Me, wechat=bound, notify=list(contact.notify))
    return me


@identity("GET", "/me", who=SIGNED_IN, response="Me", errors=(401, 404))
def me(call: Call) -> out.Me:
    """Return the caller's profile, WeChat binding and channels (signed in)."""
    return _me(call, call.svc.identity.profile(call.actor))


@identity("PATCH", "/me", who=SIGNED_IN, request="ProfileIn", response="Me", errors=(*BODY_ERRORS, 401, 403))
def change_me(call: Call) -> out.Me:
    """Change the caller's nickname (citizens) and/or the channels notices take, in order (signed in)."""
    contacts = call.svc.contacts
    channels = contacts.check(call.actor, call.body.notify) if call.body.notify is not None else None
    user = call.svc.identity.rename(call.actor, call.body.nickname) if call.body.nickname is not None else None
    if channels is not None:  # checked before the nickname changed: a bad request changes nothing
        contacts.choose(call.actor, channels)
    return _me(call, user or call.svc.identity.profile(call.actor))


@identity("DELETE", "/me/wechat", who=SIGNED_IN, response=None, status=204, errors=(400, 401, 403))
def leave_wechat(call: Call) -> None:
    """Unbind the caller's WeChat account: sign-in by phone and code again, notices by SMS (signed in)."""
    call.svc.contacts.leave_wechat(call.actor)


@identity("GET", "/me/posts", who=SIGNED_IN, response="MyPosts", errors=(400, 401), query=(CURSOR, limit(20, 50)))
def my_posts(call: Call) -> out.MyPosts:
    """Return the caller's own posts, newest first (signed in)."""
    page = call.svc.feeds.my_posts(call.actor, call.params["cursor"], call.params["limit"])
    now = call.svc.clock.now()
    return build(
        out.MyPosts, posts=[post_summary_out(p, call.actor, now) for p in page.posts], next_cursor=page.next_cursor
    )
