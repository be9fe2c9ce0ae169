"""Routes of the lifecycle: notification links, re-routing, the author's verdict, figures."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice.app import Blueprint, Response

from chalicelib.api.auth import signed_in
from chalicelib.api.http import http_errors, ok, parse
from chalicelib.api.lazy import lazy_module
from chalicelib.api.render import post_out, user_out
from chalicelib.bootstrap import services
from chalicelib.domain.templates import REPLY_TEMPLATES

if TYPE_CHECKING:
    from chalicelib.api import schemas
else:
    schemas = lazy_module("chalicelib.api.schemas")

bp = Blueprint(__name__)


@bp.route("/auth/link", methods=["POST"])
@http_errors
def exchange_link() -> Response:
    """Exchange a notification link token for a session on that one post (link holders)."""
    body = parse(bp.current_request, schemas.LinkIn)
    svc = services()
    session, post_id = svc.identity.exchange_link(body.token)
    return ok({"token": session.token, "user": user_out(session.user, svc.directory), "post_id": post_id})


@bp.route("/posts/{post_id}/route", methods=["POST"])
@http_errors
def route(post_id: str) -> Response:
    """Re-dispatch a post to another unit (leaders, command center)."""
    svc = services()
    body = parse(bp.current_request, schemas.RouteIn)
    actor = signed_in(bp.current_request, svc)
    post = svc.lifecycle.route(actor, post_id, body.unit_id, body.note)
    return ok(post_out(post, actor, svc.clock.now()))


@bp.route("/posts/{post_id}/feedback", methods=["POST"])
@http_errors
def feedback(post_id: str) -> Response:
    """Rate a resolved post; unsatisfied reopens it (the author)."""
    svc = services()
    body = parse(bp.current_request, schemas.FeedbackIn)
    actor = signed_in(bp.current_request, svc)
    post = svc.lifecycle.feedback(actor, post_id, body.satisfied, body.comment)
    return ok(post_out(post, actor, svc.clock.now()))


@bp.route("/posts/{post_id}/flags", methods=["POST"])
@http_errors
def flag(post_id: str) -> Response:
    """Flag a post for review, once per account (signed-in users)."""
    svc = services()
    body = parse(bp.current_request, schemas.FlagIn)
    actor = signed_in(bp.current_request, svc)
    svc.moderation.flag(actor, post_id, body.reason)
    return ok({"post_id": post_id, "flagged": True}, 202)


@bp.route("/stats", methods=["GET"])
@http_errors
def stats() -> Response:
    """Return the public figures, overall and per unit (anyone)."""
    return ok(services().stats.public())


@bp.route("/templates", methods=["GET"])
@http_errors
def templates() -> Response:
    """List the reply templates (anyone; officers use them)."""
    return ok({"templates": [{"id": key, "text": text} for key, text in REPLY_TEMPLATES]})
