"""Keeping the public figures (阳光执法) as things happen: each fact counted once, on its day in Beijing time.

Every figure is an atomic `ADD` to two items per scope (`all` and the post's unit): the running total and the
item of the day (`services.stats` reads both without a scan). Facts a redelivered message or a retried request
could repeat are recorded in the post's ledger (keys below) in the transaction that counts them, so they count
once; facts a post's own write
makes true (an assignment, an escalation) are added in that write's transaction (`Tally.count`).

- first response: the first official reply, or the post's resolution if that comes first (key `first-response`);
  counted on the day it happened, with its minutes since the post in a bounded histogram for the median
  (domain.response_times: 67 buckets, so no counter item outgrows one write unit);
- the deadline's outcome (key `deadline`): decided by the first response (in time or late), or by the sweep when
  the deadline passes unanswered (late), whichever comes first; counted on the day of the deadline.
"""

from __future__ import annotations

import logging
from datetime import datetime

from chalicelib.domain.posts import Post
from chalicelib.domain.response_times import bucket_of
from chalicelib.domain.times import CST
from chalicelib.services.ports import Count, StatsRepository

log = logging.getLogger(__name__)
NEVER_STALE = 10**9  # a count claimed is never claimed again: at most once, never twice


def day_of(moment: datetime) -> str:
    """Return the Beijing date (YYYY-MM-DD) a moment falls on."""
    return moment.astimezone(CST).strftime("%Y-%m-%d")


def scopes_of(post: Post) -> list[str]:
    """Return the scopes a post's facts count in: the platform and the unit it is assigned to."""
    return ["all"] + ([post.assigned_unit.id] if post.assigned_unit else [])


def minutes_between(start: datetime, end: datetime) -> int:
    """Return whole minutes from start to end (never negative)."""
    return max(0, int((end - start).total_seconds() // 60))


def count_quietly(stats: StatsRepository, scopes: list[str], counters: dict[str, int], at: datetime) -> None:
    """Add to the public figures (the total, and the day of `at`) once a write is stored; a failure is logged,
    the stored write stands."""
    try:
        stats.add(scopes, counters, day_of(at))
    except Exception:
        log.exception("could not count", extra={"scopes": scopes, "counters": counters})


class Tally:
    """Counts the facts of a post's handling that must count once."""

    def __init__(self, stats: StatsRepository) -> None:
        self.stats = stats

    def once(self, post: Post, key: str, counters: dict[str, int], day: str) -> bool:
        """Add counters for a fact of a post unless it was counted before; False if it was (one transaction)."""
        return self.stats.add_once(post.id, key, scopes_of(post), counters, day)

    def first_response(self, post: Post, at: datetime) -> None:
        """Count a post's first response (an official reply or its resolution) and so its deadline's outcome."""
        minutes = bucket_of(minutes_between(post.created_at, at))  # a bounded histogram (domain.response_times)
        self.once(post, "first-response", {"answered": 1, f"h_{minutes}": 1}, day_of(at))
        if post.first_response_due is not None:
            in_time = int(at <= post.first_response_due)
            self.once(
                post, "deadline", {"with_deadline": 1, "answered_in_time": in_time}, day_of(post.first_response_due)
            )

    def deadline_missed(self, post: Post) -> None:
        """Count a deadline that passed without an answer (the sweep calls this; later answers stay late)."""
        if post.first_response_due is None:
            return
        self.once(post, "deadline", {"with_deadline": 1, "answered_in_time": 0}, day_of(post.first_response_due))

    def count(self, scopes: list[str], counters: dict[str, int], at: datetime) -> Count:
        """Return counters of a fact to add in the same transaction as the write that stores it."""
        return Count(tuple(scopes), counters, day_of(at))

    def stored(self, count: Count) -> None:
        """Say that a write's transaction added these counters (the metrics follow the figures)."""
        self.stats.note(count)

    def quietly(self, post: Post, at: datetime) -> None:
        """Count a first response from a request path: a failure is logged, the stored change stands."""
        try:
            self.first_response(post, at)
        except Exception:
            log.exception("could not count a first response", extra={"post_id": post.id})
