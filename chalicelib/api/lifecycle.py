"""Routes of the lifecycle: notification links, re-routing, the author's verdict."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice.app import Blueprint, IAMAuthorizer, Response

from chalicelib.api.auth import require_admin, signed_in
from chalicelib.api.http import http_errors, ok, parse
from chalicelib.api.lazy import lazy_module
from chalicelib.api.render import post_out, user_out
from chalicelib.bootstrap import services

if TYPE_CHECKING:
    from chalicelib.api import schemas
else:
    schemas = lazy_module("chalicelib.api.schemas")

bp = Blueprint(__name__)
iam = IAMAuthorizer()


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
    """Rate a resolved post; 不满意 needs a reason (`comment`) and reopens it with a fresh deadline (the author)."""
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


@bp.route("/templates", methods=["GET"])
@http_errors
def templates() -> Response:
    """List the reply templates; `{unit}` stands for the officer's unit (anyone)."""
    return ok({"templates": [{"id": key, "text": text} for key, text in services().admin.templates()]})


@bp.route("/admin/templates", methods=["PUT"], authorizer=iam)
@http_errors
def put_templates() -> Response:
    """Replace the reply templates (admins)."""
    svc = services()
    body = parse(bp.current_request, schemas.TemplatesIn)
    admin = require_admin(bp.current_request, svc)
    saved = svc.admin.put_templates([(t.id, t.text) for t in body.templates], by=admin)
    return ok({"templates": [{"id": key, "text": text} for key, text in saved]})
