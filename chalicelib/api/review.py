"""Routes of the review queue (审核): held and flagged posts, oldest first, and the decision on each."""

from __future__ import annotations

import functools

from chalice.app import Blueprint

from chalicelib.api.operation import SIGNED_IN, Call, operation
from chalicelib.api.params import BODY_ERRORS, CURSOR, limit
from chalicelib.api.render import build, post_out
from chalicelib.api.shapes import out

bp = Blueprint(__name__)
review = functools.partial(operation, bp, who=SIGNED_IN, tag="workbench")


@review("GET", "/work/review", response="ReviewPage", errors=(400, 401, 403), query=(CURSOR, limit(20, 50)))
def queue(call: Call) -> out.ReviewPage:
    """Posts awaiting review, oldest first, with the queue's count (leaders, the command center, admins)."""
    page = call.svc.review.page(call.actor, call.params["cursor"], call.params["limit"])
    now = call.svc.clock.now()
    return build(
        out.ReviewPage,
        posts=[post_out(p, call.actor, now) for p in page.posts],
        count=page.count,
        next_cursor=page.next_cursor,
    )


@review(
    "POST",
    "/work/review/{post_id}",
    request="ReviewIn",
    response="Post",
    errors=(*BODY_ERRORS, 401, 403, 404, 409),
    ids=("post_id",),
)
def decide(call: Call, post_id: str) -> out.Post:
    """Publish or hide a post awaiting review, with a note; audited (leaders, the command center, admins)."""
    post = call.svc.review.decide(call.actor, post_id, call.body.decision, call.body.note)
    return post_out(post, call.actor, call.svc.clock.now())
