"""Moving a post along: its status by the officers handling it, re-routing by leaders and the command center,
and the author's verdict."""

from __future__ import annotations

from chalicelib.domain import access
from chalicelib.domain.boards import POLICE_ONLY_TYPES
from chalicelib.domain.errors import Conflict, NotFound, ValidationFailed
from chalicelib.domain.people import Actor
from chalicelib.domain.posts import Post, UnitRef
from chalicelib.domain.status import Status
from chalicelib.services.audit import Auditor, snapshot
from chalicelib.services.ports import Clock, StatsRepository
from chalicelib.services.staff import Staff
from chalicelib.services.store import Message, PostStore
from chalicelib.services.tally import Tally, count_quietly, scopes_of

DISPATCH = Message("dispatch")


def _messages_for(status: Status) -> list[Message]:
    """Return the work a move to a status queues: reopened is dispatched again; the author hears of the rest."""
    if status == Status.REOPENED:
        return [DISPATCH]
    if status == Status.RESOLVED:
        return [Message("resolved")]
    return [Message("status", {"status": status.value})]


class Lifecycle:
    """Use cases that move a post between statuses and units and close the loop with its author."""

    def __init__(
        self,
        store: PostStore,
        staff: Staff,
        clock: Clock,
        stats: StatsRepository,
        auditor: Auditor,
    ) -> None:
        self.store, self.staff, self.clock, self.stats, self.auditor = store, staff, clock, stats, auditor
        self.tally = Tally(stats)

    def change_status(self, actor: Actor, post_id: str, status: str, version: int, note: str | None) -> Post:
        """Move a post along its lifecycle, with optimistic locking on `version`."""
        access.require_signed_in(actor)
        read = self.store.visible(actor, post_id)
        access.require_may_handle(actor, read, self.staff.unit_of(actor))
        if status == Status.HIDDEN:
            raise ValidationFailed("隐藏帖子请使用管理接口", {"status": "use the admin hidden route"})
        if read.type in POLICE_ONLY_TYPES:
            raise Conflict("警方通告没有办理状态")
        now = self.clock.now()
        change = read.move_to(status, now, version, by=self.staff.who(actor), note=note, officer_id=actor.officer_id)
        post = self.store.save(read, change, _messages_for(Status(status)))  # resolved: the author is asked to rate
        self.auditor.log(actor, "status", f"post:{post.id}", snapshot(read), snapshot(post))
        if status == Status.RESOLVED:
            count_quietly(self.stats, scopes_of(post), {"resolved": 1}, now)
            if post.first_official_reply_at is None:
                self.tally.quietly(post, now)  # resolved before any official reply: that is its first response
        return post

    def route(self, actor: Actor, post_id: str, unit_id: str, note: str | None) -> Post:
        """Re-dispatch a post to another unit and notify it (leaders and the command center)."""
        access.require_signed_in(actor)
        read = self.store.visible(actor, post_id)
        access.require_may_route(actor, read, self.staff.unit_of(actor))
        unit = self.staff.unit(unit_id)
        if unit is None:
            raise ValidationFailed("没有这个单位", {"unit_id": "unknown unit"})
        now = self.clock.now()
        ref = UnitRef(id=unit.id, name=unit.name, name_en=unit.name_en)
        change = read.assign(ref, now, by=self.staff.who(actor), note=note)
        post = self.store.save(read, change, [DISPATCH])
        self.auditor.log(actor, "route", f"post:{post.id}", snapshot(read), snapshot(post))
        # The unit counts every post it is given (assigned or transferred to it), the platform each post once.
        first = read.assigned_unit is None
        count_quietly(self.stats, [unit.id], {"dispatches": 1, "posts_assigned": 1}, now)
        count_quietly(self.stats, ["all"], {"dispatches": 1, **({"posts_assigned": 1} if first else {})}, now)
        return post

    def feedback(self, actor: Actor, post_id: str, satisfied: bool, comment: str | None) -> Post:
        """Record the author's verdict on a resolved post; unsatisfied needs a reason, reopens and re-notifies."""
        access.require_signed_in(actor)
        read = self.store.get(post_id)
        if read is None or read.hidden:
            raise NotFound("帖子不存在或已被隐藏")
        access.require_may_rate(actor, read)
        comment = (comment or "").strip() or None
        if not satisfied and comment is None:
            reason = {"comment": "required when satisfied is false"}
            raise ValidationFailed("选择不满意时，请填写原因（comment）。", reason)
        now = self.clock.now()
        post = self.store.save(read, read.rate(satisfied, comment, now), [] if satisfied else [DISPATCH])
        count_quietly(self.stats, scopes_of(post), {"rated": 1, "satisfied": int(satisfied)}, now)
        return post
