"""The post aggregate: immutable; each rule returns the new post and the timeline entries it caused."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from pydantic import Field

from chalicelib.domain.boards import FIRST_RESPONSE_MINUTES, POLICE_ONLY_TYPES
from chalicelib.domain.commands import NewPost
from chalicelib.domain.errors import Conflict, StaleVersion, ValidationFailed
from chalicelib.domain.ids import new_id
from chalicelib.domain.parts import BodySizes, Event, OfficialAuthor, Pin, PinScope, Reply, UnitRef, Via, Visibility
from chalicelib.domain.photos import Location, Photo
from chalicelib.domain.status import MOVABLE, STATUS_NAMES, Status, may_move
from chalicelib.domain.times import CST, epoch_ms, iso_cst
from chalicelib.domain.values import Value

URGENT_MINUTES = 5
# Why a hidden post waits for a reviewer: held on sensitive words, or hidden by citizens' flags.
REVIEW_REASONS = frozenset({"held_for_review", "flagged"})
# A post still `received` this long after creation (or after its last re-queue) is re-queued by the sweep: a
# dispatch message that could not be sent, or was lost, is sent again.
DISPATCH_GRACE = timedelta(minutes=2)


class Changed(NamedTuple):
    """What a rule of the aggregate produced: the new post and the timeline entries it caused."""

    post: Post
    events: tuple[Event, ...] = ()


class Post(Value):
    """A post on a board, the aggregate that replies and the timeline hang from. Immutable: every rule returns
    a new post; the version is bumped by the unit of work (services.store.PostStore) when it is written."""

    id: str
    board: str
    type: str
    title: str
    body: str
    author_id: str
    author_nickname: str
    author_phone: str = ""
    district: str | None = None
    status: Status = Status.RECEIVED
    visibility: Visibility = "public"
    pin: Pin | None = None
    created_at: datetime
    updated_at: datetime
    first_response_due: datetime | None = None
    first_official_reply_at: datetime | None = None
    latest_official_reply: str | None = None
    latest_official_reply_at: datetime | None = None
    latest_followup_at: datetime | None = None  # the author's last reply (a follow-up; counted by the store)
    resolved_at: datetime | None = None  # the last move to resolved (the workbench sorts by it)
    reopened_at: datetime | None = None
    assigned_unit: UnitRef | None = None
    reply_count: int = 0
    version: int = 1
    hidden: bool = False
    hidden_reason: str | None = None
    flag_count: int = 0
    urgent: bool = False
    dispatch_round: int = 0
    escalation_level: int = 0
    awaiting_feedback: bool = False
    satisfied: bool | None = None
    feedback_comment: str | None = None
    via: Via | None = None
    review_since: datetime | None = None  # in the review queue since then (services.review); None: not waiting
    photos: tuple[Photo, ...] = ()  # processed photos, in the author's order (services.photos)
    refused_photos: tuple[int, ...] = ()  # places (1-based) of the photos sent that were not images
    location: Location | None = None  # exact, for the police; the public sees it rounded (api.render)
    address: str | None = None  # as the author typed it
    # Set on a feed card only (read from a feed index): `body` is then the head of a body of these sizes, enough
    # for the card's excerpt (domain/cards.py); such a post is rendered, never written back.
    head_of: BodySizes | None = Field(default=None, exclude=True)

    @property
    def shown_publicly(self) -> bool:
        """Tell whether anyone may see the post whole (its photos then have public copies)."""
        return self.visibility == "public" and not self.hidden

    @staticmethod
    def first_response_due_for(type_: str, created_at: datetime, urgent: bool = False) -> datetime | None:
        """Return the deadline for the first official reply, if the type has one (urgent: 5 minutes)."""
        minutes = FIRST_RESPONSE_MINUTES.get(type_)
        if minutes is None:
            return None
        return created_at + timedelta(minutes=min(minutes, URGENT_MINUTES) if urgent else minutes)

    def _with(self, at: datetime, **changes: object) -> Post:
        return self.model_copy(update={**changes, "updated_at": at})

    def is_pinned(self, now: datetime) -> bool:
        """Tell whether the post is pinned right now."""
        return self.pin is not None and self.pin.active(now)

    def can_move_to(self, status: str) -> bool:
        """Tell whether the transition table allows moving to this status."""
        return may_move(self.status, status)

    def move_to(
        self, status: str, at: datetime, version: int, by: str, note: str | None = None, officer_id: str | None = None
    ) -> Changed:
        """Move the post along its lifecycle for someone (`by`, as the timeline names them), refusing stale
        versions and steps back."""
        if status not in MOVABLE:
            raise ValidationFailed("不支持的状态", {"status": f"unknown status {status!r}"})
        if version != self.version:
            raise StaleVersion("帖子已被他人更新，请刷新后重试")
        if not self.can_move_to(status):
            raise Conflict(f"帖子当前状态为{STATUS_NAMES[self.status]}，不能改为{STATUS_NAMES[Status(status)]}")
        text = f"{by}将状态改为{STATUS_NAMES[Status(status)]}" + (f"：{note}" if note else "")
        moved = self._moved(Status(status), at)
        unit = moved.assigned_unit
        event = Event(id=new_id("e"), at=at, kind=status, text=text, unit=unit, actor=by, officer_id=officer_id)
        return Changed(moved, (event,))

    def _moved(self, status: Status, at: datetime) -> Post:
        if status == Status.REOPENED:
            return self.reopen(at)
        if status == Status.RESOLVED:
            return self._with(at, status=status, awaiting_feedback=True, resolved_at=at)
        return self._with(at, status=status, awaiting_feedback=False)

    def report_progress(self, target: str, kind: str, text: str, at: datetime, reported_at: datetime) -> Changed:
        """Record progress another system reports (110): a timeline entry, and the move if the table allows it."""
        moved = self._moved(Status(target), at) if self.can_move_to(target) else self
        return Changed(moved, (Event(id=new_id("e"), at=reported_at, kind=kind, text=text, unit=moved.assigned_unit),))

    def reopen(self, at: datetime) -> Post:
        """Reopen a resolved post: a new dispatch round and a fresh deadline, counted from now as for a new post."""
        return self._with(
            at,
            status=Status.REOPENED,
            awaiting_feedback=False,
            dispatch_round=self.dispatch_round + 1,
            escalation_level=0,
            reopened_at=at,
            first_response_due=Post.first_response_due_for(self.type, at, self.urgent),
        )

    @property
    def clock_start(self) -> datetime:
        """Return when the first-response clock started: creation, or the last reopening."""
        return self.reopened_at or self.created_at

    def answered_since_start(self) -> bool:
        """Tell whether an official reply came since the clock started (a reopened post needs a new one)."""
        latest = self.latest_official_reply_at or self.first_official_reply_at
        if latest is None:
            return False
        return self.reopened_at is None or latest >= self.reopened_at

    def assign(self, unit: UnitRef, at: datetime, by: str | None = None, note: str | None = None) -> Changed:
        """Hand the post to a unit (a new dispatch round, escalation starts over); a new post becomes `dispatched`.

        `by`: who routed it by hand (None: the dispatcher by its rules). Routing is not a police dispatch (已派警 is
        110's word): a first assignment reads 已分派, a move 已转交.
        """
        if self.status == Status.RESOLVED:
            raise ValidationFailed("已办结的帖子不能改派", {"unit_id": "post is resolved"})
        first = self.assigned_unit is None
        status = Status.DISPATCHED if self.status == Status.RECEIVED else self.status
        post = self._with(
            at, assigned_unit=unit, dispatch_round=self.dispatch_round + 1, escalation_level=0, status=status
        )
        kind: str
        if by is None:
            kind, text = Status.DISPATCHED, f"已分派至{unit.name}"
        elif first:
            kind, text = Status.DISPATCHED, f"{by}将帖子分派至{unit.name}"
        else:
            kind, text = "transferred", f"{by}将帖子转交{unit.name}"
        text += f"：{note}" if note else ""
        return Changed(post, (Event(id=new_id("e"), at=at, kind=kind, text=text, unit=unit),))

    def rate(self, satisfied: bool, comment: str | None, at: datetime) -> Changed:
        """Record the author's verdict on a resolved post; unsatisfied reopens it."""
        if self.status != Status.RESOLVED or not self.awaiting_feedback:
            raise Conflict("只有已办结且尚未评价的帖子可以评价")
        post = self._with(at, satisfied=satisfied, feedback_comment=comment, awaiting_feedback=False)
        text = "网友评价：满意" if satisfied else "网友评价：不满意，帖子已重新办理"
        if comment is not None:
            text += f"。评价说明：{comment}"  # masked for the public, withheld on a police-only post (render.py)
        events = (Event(id=new_id("e"), at=at, kind="rated", text=text),)
        if satisfied:
            return Changed(post, events)
        post = post.reopen(at)
        reopened = Event(id=new_id("e"), at=at, kind=Status.REOPENED, text="帖子已重新办理", unit=post.assigned_unit)
        return Changed(post, (*events, reopened))

    def escalate(self, level: int, text: str, at: datetime) -> Changed:
        """Record a 督办 of the given level (1: the unit's leaders, 2: the command center)."""
        event = Event(id=new_id("e"), at=at, kind="escalated", text=text, unit=self.assigned_unit)
        return Changed(self.model_copy(update={"escalation_level": level}), (event,))

    def deadline_passed(self, now: datetime) -> bool:
        """Tell whether the first-response deadline passed without an official reply (since a reopening)."""
        due = self.first_response_due
        return due is not None and not self.answered_since_start() and now >= due

    def next_check(self) -> datetime | None:
        """Return when the sweep next has work for the post: re-queue its dispatch, or escalate it."""
        if self.hidden or self.type in POLICE_ONLY_TYPES:
            return None  # hidden, or a notice of the police themselves: nothing to dispatch or escalate
        if self.status == Status.RECEIVED:
            return self.created_at + DISPATCH_GRACE
        if self.answered_since_start() or self.first_response_due is None or self.status == Status.RESOLVED:
            return None
        if self.escalation_level == 0:
            return self.first_response_due
        if self.escalation_level == 1:  # twice the time allowed, from creation or the last reopening
            return self.clock_start + 2 * (self.first_response_due - self.clock_start)
        return None

    def without_photo(self, photo_id: str, at: datetime) -> Post:
        """Take one photo off the post (an admin's removal)."""
        return self._with(at, photos=tuple(photo for photo in self.photos if photo.id != photo_id))

    def pin_with(self, scope: PinScope, until: datetime | None, at: datetime) -> Post:
        """Pin the post on its board or on every feed."""
        if until is not None and until <= at:
            raise ValidationFailed("置顶截止时间必须晚于现在", {"until": "must be in the future"})
        return self._with(at, pin=Pin(scope=scope, until=until, at=at))

    def unpin(self, at: datetime) -> Post:
        """Take the pin off."""
        return self._with(at, pin=None)

    def set_hidden(self, hidden: bool, reason: str | None, at: datetime) -> Post:
        """Hide the post (with the reason) or show it again; hidden for review, it waits in the review queue
        (from the first time), otherwise an admin's hiding or showing settles any review."""
        since = (self.review_since or at) if hidden and reason in REVIEW_REASONS else None
        return self._with(at, hidden=hidden, hidden_reason=reason if hidden else None, review_since=since)

    @property
    def awaiting_review(self) -> bool:
        """Tell whether a reviewer must decide on the post (posts held before the queue existed count too)."""
        return self.review_since is not None or (self.hidden and self.hidden_reason in REVIEW_REASONS)

    def to_review(self, at: datetime) -> Post:
        """Ask a reviewer to look at a post that stays up (a protected post flagged): into the queue once."""
        return self._with(at, review_since=self.review_since or at)

    def decide_review(self, publish: bool, at: datetime) -> Post:
        """A reviewer's decision: publish (shown, out of the queue) or hide (hidden as reviewed, out of the queue)."""
        return self._with(at, hidden=not publish, hidden_reason=None if publish else "reviewed", review_since=None)


__all__ = [
    "CST",
    "STATUS_NAMES",
    "Changed",
    "Event",
    "NewPost",
    "OfficialAuthor",
    "Pin",
    "PinScope",
    "Post",
    "Reply",
    "Status",
    "UnitRef",
    "Via",
    "Visibility",
    "epoch_ms",
    "iso_cst",
]
