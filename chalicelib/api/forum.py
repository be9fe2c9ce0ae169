"""Routes of the forum: boards, districts, units, posts, replies and status."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice.app import Blueprint, Response

from chalicelib.api.auth import current_actor, signed_in
from chalicelib.api.http import created, http_errors, idempotency_key, ok, parse, query, query_int
from chalicelib.api.lazy import lazy_module
from chalicelib.api.render import event_out, post_out, post_summary_out, reply_out, unit_out
from chalicelib.bootstrap import services
from chalicelib.domain.boards import BOARDS
from chalicelib.domain.commands import NewPost
from chalicelib.domain.emergency import CALL_110, PATTERN, WARNING

if TYPE_CHECKING:
    from chalicelib.api import schemas
else:
    schemas = lazy_module("chalicelib.api.schemas")

bp = Blueprint(__name__)


@bp.route("/boards", methods=["GET"])
@http_errors
def list_boards() -> Response:
    """List the twelve boards (anyone)."""
    boards = [
        {"id": b.id, "name": b.name, "description": b.description, "post_types": list(b.post_types)} for b in BOARDS
    ]
    return ok({"boards": boards})


@bp.route("/districts", methods=["GET"])
@http_errors
def list_districts() -> Response:
    """List the districts a post may name (anyone)."""
    return ok({"districts": list(services().settings.districts)})


@bp.route("/emergency-rule", methods=["GET"])
@http_errors
def emergency_rule() -> Response:
    """Return the rule that marks a post as an emergency in progress, and the warning to show (anyone)."""
    return ok({"pattern": PATTERN, "notice": CALL_110, "warning": WARNING})


@bp.route("/units", methods=["GET"])
@http_errors
def list_units() -> Response:
    """List the public unit directory with published contacts (anyone)."""
    directory = services().directory
    officers = directory.officers()
    units = [unit_out(unit, [o for o in officers if o.unit_id == unit.id]) for unit in directory.units()]
    return ok({"units": units})


@bp.route("/posts", methods=["GET"])
@http_errors
def list_posts() -> Response:
    """Return the feed: pins on the first page, then newest first (anyone)."""
    svc = services()
    request = bp.current_request
    params = query(request)
    limit = query_int(request, "limit", 20, 1, 50)
    viewer = current_actor(request, svc)
    feed = svc.feeds.feed(params.get("board") or None, params.get("cursor") or None, limit)
    now = svc.clock.now()
    return ok(
        {
            "pinned": [post_summary_out(p, viewer, now) for p in feed.pinned],
            "posts": [post_summary_out(p, viewer, now) for p in feed.posts],
            "next_cursor": feed.next_cursor,
        }
    )


@bp.route("/posts", methods=["POST"])
@http_errors
def create_post() -> Response:
    """Publish a post (signed-in users; publicity posts by police only)."""
    svc = services()
    request = bp.current_request
    body = parse(request, schemas.PostIn)
    key = idempotency_key(request)
    actor = signed_in(request, svc)
    post = svc.forum.create_post(actor, NewPost(**body.model_dump()), idempotency_key=key)
    out = post_out(post, actor, svc.clock.now())
    if post.urgent:
        out["notice"] = CALL_110
    return created(out)


@bp.route("/posts/{post_id}", methods=["GET"])
@http_errors
def get_post(post_id: str) -> Response:
    """Return a post with its replies and timeline (anyone; police-only posts as stubs)."""
    svc = services()
    viewer = current_actor(bp.current_request, svc)
    detail = svc.feeds.detail(viewer, post_id)
    now = svc.clock.now()
    return ok(
        {
            "post": post_out(detail.post, viewer, now),
            "replies": [reply_out(r, detail.post, viewer) for r in detail.replies],
            "timeline": [event_out(e, detail.post, viewer) for e in detail.events],
        }
    )


@bp.route("/posts/{post_id}/replies", methods=["POST"])
@http_errors
def reply(post_id: str) -> Response:
    """Reply to a post (signed-in users; officers' replies are official)."""
    svc = services()
    request = bp.current_request
    body = parse(request, schemas.ReplyIn)
    key = idempotency_key(request)
    actor = signed_in(request, svc)
    answer, post = svc.forum.reply(actor, post_id, body.body, body.template, idempotency_key=key)
    return created(reply_out(answer, post, actor))


@bp.route("/posts/{post_id}/status", methods=["POST"])
@http_errors
def change_status(post_id: str) -> Response:
    """Move a post along its lifecycle (officers of the unit, leaders, command center, admins)."""
    svc = services()
    request = bp.current_request
    body = parse(request, schemas.StatusIn)
    actor = signed_in(request, svc)
    post = svc.lifecycle.change_status(actor, post_id, body.status, body.version, body.note)
    return ok(post_out(post, actor, svc.clock.now()))
