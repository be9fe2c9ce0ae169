"""Routes of the forum: boards, districts, units, posts, replies and status."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib.api.operation import ANYONE, SIGNED_IN, Call, operation
from chalicelib.api.params import BOARD, BODY_ERRORS, CURSOR, IDEMPOTENCY, POST_ERRORS, limit
from chalicelib.api.public import detail_out, feed_out
from chalicelib.api.render import new_post_out, reply_out, unit_out
from chalicelib.api.shapes import out
from chalicelib.domain.boards import BOARDS
from chalicelib.domain.commands import NewPost
from chalicelib.domain.emergency import CALL_110, PATTERN, WARNING

bp = Blueprint(__name__)


@operation(bp, "GET", "/boards", who=ANYONE, response="Boards", storage=False)
def list_boards(call: Call) -> out.Boards:
    """List the twelve boards (anyone)."""
    boards = [out.Board(id=b.id, name=b.name, description=b.description, post_types=list(b.post_types)) for b in BOARDS]
    return out.Boards(boards=boards)


@operation(bp, "GET", "/districts", who=ANYONE, response="Districts", storage=False)
def list_districts(call: Call) -> out.Districts:
    """List the districts a post may name (anyone)."""
    return out.Districts(districts=list(call.svc.settings.districts))


@operation(bp, "GET", "/emergency-rule", who=ANYONE, response="EmergencyRule", storage=False)
def emergency_rule(call: Call) -> out.EmergencyRule:
    """Return the rule that marks a post as an emergency in progress, and the warning to show (anyone)."""
    return out.EmergencyRule(pattern=PATTERN, notice=CALL_110, warning=WARNING)


@operation(bp, "GET", "/units", who=ANYONE, response="Units")
def list_units(call: Call) -> out.Units:
    """List the public unit directory with published contacts (anyone)."""
    directory = call.svc.directory
    officers = directory.officers()
    return out.Units(
        units=[unit_out(unit, [o for o in officers if o.unit_id == unit.id]) for unit in directory.units()]
    )


@operation(bp, "GET", "/posts", who=ANYONE, response="Feed", errors=(400, 401), query=(BOARD, CURSOR, limit(20, 50)))
def list_posts(call: Call) -> out.Feed:
    """Return the feed: pins on the first page, then newest first (anyone)."""
    params = call.params
    feed = call.svc.feeds.feed(params["board"], params["cursor"], params["limit"])
    return feed_out(feed, call.actor, call.svc.clock.now())


@operation(
    bp,
    "POST",
    "/posts",
    who=SIGNED_IN,
    request="PostIn",
    response="NewPost",
    status=201,
    errors=(*BODY_ERRORS, 401, 403, 409, 429),
    headers=(IDEMPOTENCY,),
)
def create_post(call: Call) -> out.NewPost:
    """Publish a post (signed-in users; publicity posts by police only)."""
    key = call.params["Idempotency-Key"]
    post = call.svc.forum.create_post(call.actor, new_post(call.body.model_dump()), idempotency_key=key)
    return new_post_out(post, call.actor, call.svc.clock.now(), CALL_110)


def new_post(fields: dict[str, Any]) -> NewPost:
    """Turn a checked request body into the command: photos as a tuple, the location as the domain's value."""
    from chalicelib.domain.photos import Location  # pydantic: loaded by the first request, not at import

    where = fields.pop("location", None)
    location = Location(lat=where["lat"], long=where["long"]) if where else None
    return NewPost(**{**fields, "photos": tuple(fields.get("photos") or ())}, location=location)


@operation(bp, "GET", "/posts/{post_id}", who=ANYONE, response="PostDetail", errors=(401, 404))
def get_post(call: Call, post_id: str) -> out.PostDetail:
    """Return a post with its replies and timeline (anyone; police-only posts as stubs)."""
    detail = call.svc.feeds.detail(call.actor, post_id)
    return detail_out(detail, call.actor, call.svc.clock.now())


@operation(
    bp,
    "POST",
    "/posts/{post_id}/replies",
    who=SIGNED_IN,
    request="ReplyIn",
    response="Reply",
    status=201,
    errors=(*POST_ERRORS, 409, 429),
    headers=(IDEMPOTENCY,),
)
def reply(call: Call, post_id: str) -> out.Reply:
    """Reply to a post (signed-in users; officers' replies are official)."""
    body, key = call.body, call.params["Idempotency-Key"]
    answer, post = call.svc.forum.reply(
        call.actor, post_id, body.body, body.template, idempotency_key=key, photos=tuple(body.photos)
    )
    return reply_out(answer, post, call.actor)
