"""Routes of identity: one-time codes, sessions and the caller's profile."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice.app import Blueprint, Response

from chalicelib.api.auth import signed_in
from chalicelib.api.http import http_errors, ok, parse, query, query_int
from chalicelib.api.lazy import lazy_module
from chalicelib.api.middleware import client_address
from chalicelib.api.render import post_summary_out, user_out
from chalicelib.bootstrap import services

if TYPE_CHECKING:
    from chalicelib.api import schemas
else:
    schemas = lazy_module("chalicelib.api.schemas")

bp = Blueprint(__name__)


@bp.route("/auth/otp", methods=["POST"])
@http_errors
def request_code() -> Response:
    """Send a one-time code by SMS (anyone)."""
    request = bp.current_request
    body = parse(request, schemas.OtpIn)
    svc = services()
    expires_in = svc.identity.request_code(body.phone, client_address(request, svc.settings))
    return ok({"expires_in": expires_in}, 202)


@bp.route("/auth/session", methods=["POST"])
@http_errors
def sign_in() -> Response:
    """Exchange a phone's one-time code for a session token (anyone)."""
    body = parse(bp.current_request, schemas.SessionIn)
    session = services().identity.sign_in(body.phone, body.code)
    return ok({"token": session.token, "user": user_out(session.user, services().directory)})


@bp.route("/me", methods=["GET"])
@http_errors
def me() -> Response:
    """Return the caller's profile (signed in)."""
    svc = services()
    actor = signed_in(bp.current_request, svc)
    return ok(user_out(svc.identity.profile(actor), svc.directory))


@bp.route("/me", methods=["PATCH"])
@http_errors
def rename() -> Response:
    """Change the caller's nickname (signed-in citizens)."""
    svc = services()
    body = parse(bp.current_request, schemas.ProfileIn)
    actor = signed_in(bp.current_request, svc)
    return ok(user_out(svc.identity.rename(actor, body.nickname)))


@bp.route("/me/posts", methods=["GET"])
@http_errors
def my_posts() -> Response:
    """Return the caller's own posts, newest first (signed in)."""
    svc = services()
    request = bp.current_request
    limit = query_int(request, "limit", 20, 1, 50)
    actor = signed_in(request, svc)
    page = svc.feeds.my_posts(actor, query(request).get("cursor") or None, limit)
    now = svc.clock.now()
    return ok({"posts": [post_summary_out(p, actor, now) for p in page.posts], "next_cursor": page.next_cursor})
