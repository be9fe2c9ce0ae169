"""Routes of the officers' workbench (警务工作台): the unit's queue and the command-center board."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from chalice.app import Blueprint

from chalicelib.api.operation import SIGNED_IN, Call, operation
from chalicelib.api.params import BOARD, CURSOR, Param, limit
from chalicelib.api.render import build, post_summary_out
from chalicelib.api.shapes import out

if TYPE_CHECKING:
    from chalicelib.domain.actors import Actor
    from chalicelib.domain.posts import Post

bp = Blueprint(__name__)
# The views of domain/work.py, named here so that `import app` does not load the rule (a unit test keeps them equal).
VIEWS = ("due", "overdue", "in_progress", "awaiting_feedback", "resolved", "followups")
VIEW = Param("view", {"type": "string", "enum": list(VIEWS), "default": "due"}, "which view of the queue")
WORK_UNIT = Param(
    "unit",
    {"type": "string"},
    "a unit id (leaders and the command center; an officer only their own); none: "
    "an officer's own unit, every unit for leaders and the command center; an unknown one is 404",
)
DISTRICT = Param("district", {"type": "string"}, "one district (a filter on the view's partition)")


def work_post_out(post: Post, viewer: Actor, now: datetime) -> out.WorkPost:
    """Render a post of the queue: the summary, its escalation level and its last follow-up."""
    summary = post_summary_out(post, viewer, now)
    fields = {name: getattr(summary, name) for name in summary.model_fields_set}
    return build(
        out.WorkPost, **fields, escalation_level=post.escalation_level, latest_followup_at=post.latest_followup_at
    )


@operation(
    bp,
    "GET",
    "/work/queue",
    who=SIGNED_IN,
    response="WorkQueue",
    errors=(400, 401, 403, 404),
    query=(VIEW, WORK_UNIT, BOARD, DISTRICT, CURSOR, limit(20, 50)),
    tag="workbench",
)
def work_queue(call: Call) -> out.WorkQueue:
    """Return a view of a unit's work queue with the counts of every view (police: officers their own unit,
    leaders and the command center any unit or all)."""
    from chalicelib.services.work import QueueAsk

    p = call.params
    ask = QueueAsk(p["view"], p["unit"], p["board"], p["district"], p["cursor"], p["limit"])
    queue = call.svc.work.queue(call.actor, ask)
    now = call.svc.clock.now()
    unit = build(out.UnitRef, id=queue.unit.id, name=queue.unit.name) if queue.unit else None
    return build(
        out.WorkQueue,
        view=queue.view,
        unit=unit,
        posts=[work_post_out(post, call.actor, now) for post in queue.posts],
        counts=build(out.WorkCounts, **queue.counts),
        next_cursor=queue.next_cursor,
    )


@operation(bp, "GET", "/work/board", who=SIGNED_IN, response="WorkBoard", errors=(401, 403), tag="workbench")
def work_board(call: Call) -> out.WorkBoard:
    """Return the command-center board: every unit side by side, and the posts escalated to the command center
    (leaders, the command center, admins)."""
    board = call.svc.work.board(call.actor)
    now = board["at"]
    rows = [
        build(
            out.BoardUnit,
            unit=build(out.UnitRef, id=row["unit"].id, name=row["unit"].name),
            open=row["open"],
            overdue=row["overdue"],
            escalated=row["escalated"],
            median_first_response_minutes_today=row["median_first_response_minutes_today"],
        )
        for row in board["units"]
    ]
    escalated = [work_post_out(post, call.actor, now) for post in board["escalated"]]
    review = call.svc.review.count()  # one Query that only counts (the board is read after the access check above)
    return build(out.WorkBoard, at=now, units=rows, escalated=escalated, review=review)
