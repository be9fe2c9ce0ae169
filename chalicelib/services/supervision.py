"""The every-minute sweep: re-queue lost dispatches, escalate overdue posts (督办).

A run pages through the due index until it is empty or the run's time is nearly up (the handler passes the
Lambda's remaining time), so a backlog drains in a few runs, not at 100 posts a minute. Each post is acted on at
most once a run: one escalated to its leaders whose next step is already due waits for the next run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from chalicelib.domain.errors import StaleVersion
from chalicelib.domain.people import Unit
from chalicelib.domain.posts import Post
from chalicelib.domain.status import Status
from chalicelib.services.notices import OfficerNotices
from chalicelib.services.ports import Clock, StatsRepository
from chalicelib.services.staff import Staff
from chalicelib.services.store import Message, PostStore
from chalicelib.services.tally import Tally

log = logging.getLogger(__name__)
REQUEUE_EVERY = timedelta(minutes=2)
SAFETY_MS = 10_000  # stop taking posts when less is left of the run: one post's notices fit in it


@dataclass
class SweepReport:
    """What one sweep did."""

    requeued: int = 0
    escalated_to_leaders: int = 0
    escalated_to_command: int = 0
    settled: int = 0
    pages: int = 0  # due-index reads
    stopped_early: bool = False  # time ran short with due posts left: the next run goes on


class Supervision:
    """Finds due posts on the sparse index and acts on each once."""

    def __init__(
        self,
        store: PostStore,
        staff: Staff,
        notices: OfficerNotices,
        stats: StatsRepository,
        clock: Clock,
        batch: int = 100,
    ) -> None:
        self.store, self.staff, self.notices, self.clock, self.batch = store, staff, notices, clock, batch
        self.tally = Tally(stats)

    def sweep(self, time_left_ms: Callable[[], float] | None = None) -> SweepReport:
        """Run one pass over every post whose next check is due, page after page, while `time_left_ms` (the
        run's remaining time) stays above the safety margin."""
        report = SweepReport()
        now = self.clock.now()
        seen: set[str] = set()
        after: str | None = None
        center = cache(self.staff.command_center)  # read once a run, and only if a post needs it
        while True:
            page = self.store.due(now, self.batch, after)
            report.pages += 1
            for post in page.posts:
                if time_left_ms is not None and time_left_ms() < SAFETY_MS:
                    report.stopped_early = True
                    log.warning("sweep stopped for time with due posts left", extra={"report": report.__dict__})
                    return report
                if post.id in seen:
                    continue  # moved further down the index by this run: its next step is the next run's
                seen.add(post.id)
                try:
                    self._check(post, report, center)
                except StaleVersion:
                    log.info("post changed during the sweep; next pass", extra={"post_id": post.id})
            if page.next_key is None:
                return report
            after = page.next_key

    def _check(self, post: Post, report: SweepReport, command_center: Callable[[], Unit | None]) -> None:
        now = self.clock.now()
        if post.status == Status.RECEIVED:
            # Rescheduling first, on the version read: a post dispatched meanwhile is left alone (StaleVersion).
            self.store.reschedule(post, now + REQUEUE_EVERY, Message("dispatch"))
            report.requeued += 1
            return
        if not post.deadline_passed(now) or post.escalation_level >= 2:
            self.store.save(post, post)  # recomputes the next check: nothing left to do
            report.settled += 1
            return
        self._count_missed(post)
        level = post.escalation_level + 1
        unit_id = post.assigned_unit.id if post.assigned_unit else None
        center = command_center()
        if level == 1 and unit_id is not None and (unit_id != (center.id if center else None)):
            target_id, target_name = unit_id, post.assigned_unit.name if post.assigned_unit else ""
            text = f"超过首次回复时限，已提请{target_name}领导督办"
        else:
            level = 2
            target_id, target_name = (center.id, center.name) if center else (unit_id or "", "")
            text = f"超过首次回复时限两倍，已上报{target_name}督办"
        # Notify first (once per officer and level, by the ledger), then record: a failure retries both.
        self.notices.notify_unit(post, target_id, f"esc{level}", leaders_only=level == 1)
        count = self.tally.count(["all"] + ([unit_id] if unit_id else []), {"escalations": 1}, now)
        self.store.save(post, post.escalate(level, text, now), count=count)  # counted in the same transaction
        self.tally.stored(count)
        if level == 1:
            report.escalated_to_leaders += 1
        else:
            report.escalated_to_command += 1

    def _count_missed(self, post: Post) -> None:
        """Count the passed deadline once (tried again at the next escalation if the count fails)."""
        try:
            self.tally.deadline_missed(post)
        except Exception:
            log.exception("could not count a missed deadline", extra={"post_id": post.id})
