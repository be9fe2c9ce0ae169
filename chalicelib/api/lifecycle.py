"""Routes of the lifecycle: notification links, status, re-routing, the author's verdict, flags, templates."""

from __future__ import annotations

import functools

from chalice.app import Blueprint

from chalicelib.api.operation import ADMIN, ANYONE, SIGNED_IN, Call, operation
from chalicelib.api.params import BODY_ERRORS, POST_ERRORS
from chalicelib.api.render import build, post_out, user_out
from chalicelib.api.shapes import out

bp = Blueprint(__name__)


@operation(
    bp,
    "POST",
    "/auth/link",
    who=ANYONE,
    request="LinkIn",
    response="LinkSession",
    errors=(*BODY_ERRORS, 401),
    tag="identity",
)
def exchange_link(call: Call) -> out.LinkSession:
    """Exchange a notification link token for a session on that one post (link holders)."""
    session, post_id = call.svc.identity.exchange_link(call.body.token)
    user = user_out(session.user, call.svc.directory)
    return build(out.LinkSession, token=session.token, user=user, post_id=post_id)


# A step of a post's lifecycle: the caller signed in, the post as it now is.
step = functools.partial(
    operation, bp, "POST", who=SIGNED_IN, response="Post", errors=(*POST_ERRORS, 409), tag="lifecycle"
)


@step("/posts/{post_id}/status", request="StatusIn")
def change_status(call: Call, post_id: str) -> out.Post:
    """Move a post along its lifecycle (officers of the unit, leaders, command center, admins)."""
    body = call.body
    post = call.svc.lifecycle.change_status(call.actor, post_id, body.status, body.version, body.note)
    return post_out(post, call.actor, call.svc.clock.now())


@step("/posts/{post_id}/route", request="RouteIn")
def route(call: Call, post_id: str) -> out.Post:
    """Re-dispatch a post to another unit (leaders, command center)."""
    post = call.svc.lifecycle.route(call.actor, post_id, call.body.unit_id, call.body.note)
    return post_out(post, call.actor, call.svc.clock.now())


@step("/posts/{post_id}/feedback", request="FeedbackIn")
def feedback(call: Call, post_id: str) -> out.Post:
    """Rate a resolved post; 不满意 needs a reason (`comment`) and reopens it with a fresh deadline (the author)."""
    post = call.svc.lifecycle.feedback(call.actor, post_id, call.body.satisfied, call.body.comment)
    return post_out(post, call.actor, call.svc.clock.now())


@operation(
    bp,
    "POST",
    "/posts/{post_id}/flags",
    who=SIGNED_IN,
    request="FlagIn",
    response="Flagged",
    status=202,
    errors=(*POST_ERRORS, 429),
    tag="moderation",
)
def flag(call: Call, post_id: str) -> out.Flagged:
    """Flag a post for review, once per account (signed-in users)."""
    call.svc.moderation.flag(call.actor, post_id, call.body.reason)
    return out.Flagged(post_id=post_id, flagged=True)


def _templates(pairs: list[tuple[str, str]]) -> out.Templates:
    return build(out.Templates, templates=[build(out.Template, id=k, text=t) for k, t in pairs])


@operation(bp, "GET", "/templates", who=ANYONE, response="Templates", storage=False)
def templates(call: Call) -> out.Templates:
    """List the reply templates; `{unit}` stands for the officer's unit (anyone)."""
    return _templates(call.svc.admin.templates())


@operation(
    bp,
    "PUT",
    "/admin/templates",
    who=ADMIN,
    request="TemplatesIn",
    response="Templates",
    errors=(*BODY_ERRORS, 401, 403),
    tag="admin",
)
def put_templates(call: Call) -> out.Templates:
    """Replace the reply templates (admins)."""
    saved = call.svc.admin.put_templates([(t.id, t.text) for t in call.body.templates], by=call.actor)
    return _templates(saved)
