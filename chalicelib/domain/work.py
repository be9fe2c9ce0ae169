"""The officers' work queue (警务工作台): which view of the queue a post is in, and where in it.

Each post with an assigned unit is in at most one bucket, so the views' counts add up to the unit's posts:

- `open`: not resolved, no official reply since the clock started (creation or the last reopening) and a deadline; the
  views `due` (deadline still ahead, soonest first) and `overdue` (deadline passed, longest overdue first) are
  the two halves of it, split at the reading's `now`. The same rule as the sweep's escalation
  (`Post.deadline_passed`), so a post is overdue exactly when it is being escalated.
- `followups`: answered, and its author wrote after the last official reply (whatever its status: a resident
  writing under a resolved post needs an answer too), oldest follow-up first; an official reply takes it out.
- `in_progress`: answered (or without a deadline) and not resolved, oldest clock first.
- `awaiting_feedback`: resolved, the author's rating still to come; `resolved`: resolved and rated (or no
  longer asked). Both newest resolution first.

A hidden post (held or taken down: the review queue's business) and a police notice (no work) are in none.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Literal, NamedTuple

from chalicelib.domain.boards import POLICE_ONLY_TYPES
from chalicelib.domain.status import Status

if TYPE_CHECKING:
    from chalicelib.domain.posts import Post, Reply

Bucket = Literal["open", "followups", "in_progress", "awaiting_feedback", "resolved"]
View = Literal["due", "overdue", "in_progress", "awaiting_feedback", "resolved", "followups"]
VIEWS: tuple[View, ...] = ("due", "overdue", "in_progress", "awaiting_feedback", "resolved", "followups")
DEFAULT_VIEW: View = "due"


class Slot(NamedTuple):
    """Where a post sits in its unit's queue: its bucket and the time it is sorted by."""

    bucket: Bucket
    at: datetime


class Reading(NamedTuple):
    """How a view is read from its bucket: the bucket, the side of `now` (due/overdue), and the order."""

    bucket: Bucket
    side: Literal["before", "from", "any"]  # before: sort time < now; from: sort time >= now
    newest_first: bool


READINGS: dict[View, Reading] = {
    "due": Reading("open", "from", False),
    "overdue": Reading("open", "before", False),
    "in_progress": Reading("in_progress", "any", False),
    "awaiting_feedback": Reading("awaiting_feedback", "any", True),
    "resolved": Reading("resolved", "any", True),
    "followups": Reading("followups", "any", False),
}


def slot(post: Post) -> Slot | None:
    """Return the bucket of a post and its sort time, or None for a post outside every queue."""
    if post.assigned_unit is None or post.hidden or post.type in POLICE_ONLY_TYPES:
        return None
    resolved = post.status == Status.RESOLVED
    if post.first_response_due is not None and not resolved and not post.answered_since_start():
        return Slot("open", post.first_response_due)
    if followed_up(post) and post.latest_followup_at is not None:
        return Slot("followups", post.latest_followup_at)
    if resolved:
        at = post.resolved_at or post.updated_at
        return Slot("awaiting_feedback" if post.awaiting_feedback else "resolved", at)
    return Slot("in_progress", post.clock_start)


def followed_up(post: Post) -> bool:
    """Tell whether the author wrote after the last official reply (and there was one)."""
    answered = post.latest_official_reply_at or post.first_official_reply_at
    return post.latest_followup_at is not None and answered is not None and post.latest_followup_at > answered


def view_of(post: Post, now: datetime) -> View | None:
    """Return the view a post shows in at `now` (the rule the index reads, for tests and the fakes)."""
    found = slot(post)
    if found is None:
        return None
    if found.bucket == "open":
        return "overdue" if found.at < now else "due"
    return found.bucket


def after_reply(post: Post, reply: Reply) -> Post:
    """Return the post as a reply leaves it (the fields the store counts atomically), to place it in the queue."""
    changes: dict[str, object] = {"reply_count": post.reply_count + 1, "updated_at": reply.created_at}
    if reply.official is not None:
        changes["first_official_reply_at"] = post.first_official_reply_at or reply.created_at
        changes["latest_official_reply"] = reply.body
        changes["latest_official_reply_at"] = reply.created_at
    elif reply.author_id == post.author_id:
        changes["latest_followup_at"] = reply.created_at
    return post.model_copy(update=changes)
