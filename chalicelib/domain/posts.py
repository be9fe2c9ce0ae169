"""Posts, replies and the public timeline, with the rules of their lifecycle."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, model_serializer

from chalicelib.domain.boards import FIRST_RESPONSE_MINUTES
from chalicelib.domain.commands import NewPost
from chalicelib.domain.errors import Conflict, StaleVersion, ValidationFailed
from chalicelib.domain.times import CST, epoch_ms, now_cst

URGENT_MINUTES = 5

Status = Literal["received", "dispatched", "acknowledged", "in_progress", "resolved", "reopened", "hidden"]
Visibility = Literal["public", "police_only"]
PinScope = Literal["board", "global"]

STATUS_NAMES = {
    "received": "已收悉",
    "dispatched": "已分派",  # routed to a unit; 已派警 (police sent) is only what 110 reports
    "acknowledged": "已受理",
    "in_progress": "处置中",
    "resolved": "已办结",
    "reopened": "重新办理",
    "hidden": "已隐藏",
}
# The order statuses move in; `reopened` sits just after `dispatched`.
_RANK = {
    "received": 0,
    "dispatched": 1,
    "reopened": 1.5,
    "acknowledged": 2,
    "in_progress": 3,
    "resolved": 4,
}


class UnitRef(BaseModel):
    """A unit as a post or a reply shows it; `name_en` when the directory gives the unit an English name."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    name_en: str | None = None

    @model_serializer(mode="wrap")
    def _without_absent_name_en(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out: dict[str, Any] = handler(self)
        if out.get("name_en") is None:
            out.pop("name_en", None)
        return out


class Pin(BaseModel):
    """An admin's pin on a post: on its board or on every feed, maybe until a time."""

    model_config = ConfigDict(frozen=True)

    scope: PinScope
    until: datetime | None = None
    at: datetime

    def active(self, now: datetime) -> bool:
        """Tell whether the pin still holds."""
        return self.until is None or self.until > now


class Event(BaseModel):
    """One entry of a post's public timeline."""

    model_config = ConfigDict(frozen=True)

    id: str
    at: datetime
    kind: str
    text: str
    unit: UnitRef | None = None
    actor: str | None = None
    officer_id: str | None = None  # the officer who did it, if one did (never shown: finds who handles a post)


class Via(BaseModel):
    """The partner app (by its Open311 key) a post was filed through."""

    model_config = ConfigDict(frozen=True)

    key_id: str
    name: str


class OfficialAuthor(BaseModel):
    """The real name, title and unit under an official reply."""

    model_config = ConfigDict(frozen=True)

    officer_id: str
    name: str
    title: str
    unit: UnitRef


class Reply(BaseModel):
    """A reply: a citizen's follow-up or an officer's official answer."""

    model_config = ConfigDict(frozen=True)

    id: str
    post_id: str
    body: str
    created_at: datetime
    author_id: str
    nickname: str | None = None
    official: OfficialAuthor | None = None
    template: str | None = None
    exempt: tuple[str, ...] = ()  # published contacts of units and officers in an official body: never masked


class Post(BaseModel):
    """A post on a board, the aggregate that replies and the timeline hang from."""

    model_config = ConfigDict(validate_assignment=False)

    id: str
    board: str
    type: str
    title: str
    body: str
    author_id: str
    author_nickname: str
    author_phone: str = ""
    district: str | None = None
    status: Status = "received"
    visibility: Visibility = "public"
    pin: Pin | None = None
    created_at: datetime
    updated_at: datetime
    first_response_due: datetime | None = None
    first_official_reply_at: datetime | None = None
    latest_official_reply: str | None = None
    latest_official_reply_at: datetime | None = None
    reopened_at: datetime | None = None
    assigned_unit: UnitRef | None = None
    reply_count: int = 0
    version: int = 1
    hidden: bool = False
    hidden_reason: str | None = None
    flag_count: int = 0
    enqueue_failed: bool = False
    urgent: bool = False
    dispatch_round: int = 0
    escalation_level: int = 0
    awaiting_feedback: bool = False
    satisfied: bool | None = None
    feedback_comment: str | None = None
    via: Via | None = None

    @staticmethod
    def first_response_due_for(type_: str, created_at: datetime, urgent: bool = False) -> datetime | None:
        """Return the deadline for the first official reply, if the type has one (urgent: 5 minutes)."""
        minutes = FIRST_RESPONSE_MINUTES.get(type_)
        if minutes is None:
            return None
        return created_at + timedelta(minutes=min(minutes, URGENT_MINUTES) if urgent else minutes)

    def pinned_at(self, now: datetime) -> bool:
        """Tell whether the post is pinned right now."""
        return self.pin is not None and self.pin.active(now)

    def can_move_to(self, status: str) -> bool:
        """Tell whether the lifecycle allows moving to this status."""
        if status == "reopened":
            return self.status == "resolved"
        if status not in _RANK or self.status == "hidden":
            return False
        return _RANK[status] > _RANK[self.status]

    def move_to(self, status: str, at: datetime, version: int) -> None:
        """Move the post along its lifecycle, refusing stale versions and steps back."""
        if status not in _RANK:
            raise ValidationFailed("不支持的状态", {"status": f"unknown status {status!r}"})
        if version != self.version:
            raise StaleVersion("帖子已被他人更新，请刷新后重试")
        if not self.can_move_to(status):
            raise Conflict(f"帖子当前状态为{STATUS_NAMES[self.status]}，不能改为{STATUS_NAMES[status]}")
        self.status = status  # type: ignore[assignment]
        self.updated_at = at
        self.awaiting_feedback = status == "resolved"
        if status == "reopened":
            self.reopen(at)

    def reopen(self, at: datetime) -> None:
        """Reopen a resolved post: a new dispatch round and a fresh deadline, counted from now as for a new post."""
        self.status = "reopened"
        self.updated_at = at
        self.awaiting_feedback = False
        self.dispatch_round += 1
        self.escalation_level = 0
        self.reopened_at = at
        self.first_response_due = Post.first_response_due_for(self.type, at, self.urgent)

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

    def assign(self, unit: UnitRef, at: datetime) -> None:
        """Hand the post to a unit (a new dispatch round); a new post becomes `dispatched`."""
        self.assigned_unit = unit
        self.dispatch_round += 1
        if self.status == "received":
            self.status = "dispatched"
        self.updated_at = at

    def rate(self, satisfied: bool, comment: str | None, at: datetime) -> None:
        """Record the author's verdict on a resolved post; unsatisfied reopens it."""
        if self.status != "resolved" or not self.awaiting_feedback:
            raise Conflict("只有已办结且尚未评价的帖子可以评价")
        self.satisfied, self.feedback_comment = satisfied, comment
        self.awaiting_feedback = False
        self.updated_at = at
        if not satisfied:
            self.reopen(at)

    def deadline_passed(self, now: datetime) -> bool:
        """Tell whether the first-response deadline passed without an official reply (since a reopening)."""
        due = self.first_response_due
        return due is not None and not self.answered_since_start() and now >= due

    def pin_with(self, scope: PinScope, until: datetime | None, at: datetime) -> None:
        """Pin the post on its board or on every feed."""
        if until is not None and until <= at:
            raise ValidationFailed("置顶截止时间必须晚于现在", {"until": "must be in the future"})
        self.pin = Pin(scope=scope, until=until, at=at)
        self.updated_at = at

    def unpin(self, at: datetime) -> None:
        """Take the pin off."""
        self.pin = None
        self.updated_at = at


__all__ = [
    "CST",
    "STATUS_NAMES",
    "Event",
    "NewPost",
    "OfficialAuthor",
    "Pin",
    "Post",
    "Reply",
    "UnitRef",
    "epoch_ms",
    "now_cst",
]
