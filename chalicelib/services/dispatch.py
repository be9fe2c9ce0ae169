"""The dispatcher: assign a post to a unit, notify its officers, tell the author of answers and resolutions.

Every effect is decided by a conditional write keyed on the post (never on the message id), so a
message delivered twice, or a post enqueued twice, has one effect.
"""

from __future__ import annotations

import logging
from typing import Any

from chalicelib.domain import access
from chalicelib.domain.boards import POLICE_ONLY_TYPES
from chalicelib.domain.errors import StaleVersion
from chalicelib.domain.people import Officer
from chalicelib.domain.posts import Post, UnitRef
from chalicelib.domain.status import Status
from chalicelib.services.incidents import Incidents
from chalicelib.services.notices import AuthorNotices, OfficerNotices, post_number
from chalicelib.services.ports import Clock, DirectoryRepository, StatsRepository
from chalicelib.services.store import PostStore
from chalicelib.services.tally import Tally

__all__ = ["Dispatcher", "post_number"]
log = logging.getLogger(__name__)


class Dispatcher:
    """Carries out the work messages of the dispatch queue."""

    def __init__(
        self,
        store: PostStore,
        directory: DirectoryRepository,
        notices: OfficerNotices,
        authors: AuthorNotices,
        stats: StatsRepository,
        incidents: Incidents,
        clock: Clock,
    ) -> None:
        self.store, self.directory, self.notices, self.authors = store, directory, notices, authors
        self.incidents, self.clock = incidents, clock
        self.tally = Tally(stats)

    def handle(self, message: dict[str, Any]) -> None:
        """Carry out one message; raise to let SQS retry it."""
        post_id = message.get("post_id")
        if not isinstance(post_id, str):
            raise ValueError(f"message without a post id: {message!r}")
        kind = message.get("kind", "dispatch")
        if kind == "dispatch":
            self.dispatch(post_id)
        elif kind == "incident":
            self.incidents.hand_off(post_id)
        elif kind == "official_reply":
            self.official_reply(post_id, str(message.get("reply_id", "")))
        elif kind == "resolved":
            self.resolved(post_id)
        elif kind == "follow_up":
            self.follow_up(post_id, str(message.get("reply_id", "")))
        elif kind == "status":
            self.status_changed(post_id, str(message.get("status", "")))
        elif kind == "photos":
            self.store.follow_photos(post_id)
        else:
            raise ValueError(f"unknown message kind {kind!r}")

    def dispatch(self, post_id: str) -> None:
        """Assign a new post to the responsible unit, then notify the unit's on-duty officers."""
        post = self.store.get(post_id)
        if post is None:
            log.warning("dispatch of a missing post", extra={"post_id": post_id})
            return
        if post.type in POLICE_ONLY_TYPES:
            return  # a notice by the police themselves
        officers = None  # the unit's officers, when the assignment read them with the unit
        if post.status == Status.RECEIVED:
            post, officers = self._assign(post)
        if self.incidents.is_incident(post):
            self.incidents.hand_off(post.id)
        if post.assigned_unit is not None and post.status != Status.RESOLVED:
            round_key = f"round{post.dispatch_round}"
            self.notices.notify_unit(post, post.assigned_unit.id, round_key, officers=officers)
        if post.status == Status.DISPATCHED:
            self._tell_dispatched(post)

    def _tell_dispatched(self, post: Post) -> None:
        """Tell the author (by WeChat only) which unit has the post; never holds up the officers' notices."""
        try:
            self.authors.tell(post, f"tell#dispatched#{post.dispatch_round}", Status.DISPATCHED)
        except Exception:
            log.warning("could not tell the author of the dispatch", extra={"post_id": post.id}, exc_info=True)

    def _assign(self, read: Post) -> tuple[Post, list[Officer] | None]:
        """Assign a post to the unit its routing names (the command center if none, or if that unit is gone); return
        the post stored and the unit's officers (None if another writer assigned it first)."""
        unit_id = self.directory.routing().unit_for(read.board, read.type, read.district)
        unit, officers = self.directory.unit_with_officers(unit_id) if unit_id else (None, [])
        if unit is None:  # unroutable: no rule matches, or its unit is gone; the command center takes it
            if unit_id:
                log.error("a routing rule names a unit not in the directory", extra={"unit_id": unit_id})
            center = access.command_center(self.directory.units())
            unit, officers = self.directory.unit_with_officers(center.id) if center else (None, [])
        if unit is None:
            raise RuntimeError(f"no unit to dispatch post {read.id} to, and no command center")
        now = self.clock.now()
        assigned = read.assign(UnitRef(id=unit.id, name=unit.name, name_en=unit.name_en), now)
        count = self.tally.count(["all", unit.id], {"dispatches": 1, "posts_assigned": 1}, now)
        try:
            post = self.store.save(read, assigned, count=count)  # counted in the same transaction: once
        except StaleVersion:
            fresh = self.store.get(read.id)
            if fresh is None:
                raise
            return fresh, None  # another delivery (or an officer) got there first
        self.tally.stored(count)
        return post, officers

    def official_reply(self, post_id: str, reply_id: str) -> None:
        """Count the first response once (with its deadline's outcome) and tell the author once per reply."""
        post = self.store.get(post_id)
        if post is None:
            return
        if post.first_official_reply_at is not None:
            self.tally.first_response(post, post.first_official_reply_at)
        self.authors.tell(post, f"sms#reply#{reply_id}", "reply")  # ledger keys kept from the SMS-only days

    def resolved(self, post_id: str) -> None:
        """Tell the author a post was resolved and ask for a rating, once per resolution (dispatch round)."""
        post = self.store.get(post_id)
        if post is None or post.status != Status.RESOLVED or not post.awaiting_feedback:
            return  # rated (or reopened) meanwhile
        if post.type in POLICE_ONLY_TYPES:
            return  # a notice by the police themselves
        self.authors.tell(post, f"sms#resolved#{post.dispatch_round}", "resolved")

    def status_changed(self, post_id: str, status: str) -> None:
        """Tell the author the post moved (acknowledged, in progress): by WeChat only, never worth an SMS."""
        post = self.store.get(post_id)
        if post is None or post.status != status or post.type in POLICE_ONLY_TYPES:
            return  # moved on meanwhile: the newer status tells its own news
        self.authors.tell(post, f"tell#{status}#{post.dispatch_round}", status)

    def follow_up(self, post_id: str, reply_id: str) -> None:
        """Tell the officer handling a post of its author's follow-up, or the unit's on-duty officers if none is."""
        post = self.store.get(post_id)
        if post is None or post.assigned_unit is None:
            return  # not dispatched yet: the unit's first notice is still to come
        round_key = f"followup-{reply_id}"
        handler = self.handler_of(post)
        if handler is not None:
            self.notices.notify_officer(post, handler, round_key, kind="follow_up")
        else:
            officers = [o for o in self.directory.officers_of(post.assigned_unit.id) if o.on_duty]
            self.notices.notify_officers(post, officers, round_key, "follow_up")

    def handler_of(self, post: Post) -> Officer | None:
        """Return the on-duty officer of the assigned unit who last acted on a post (replied or moved it), if any."""
        detail = self.store.detail(post.id)
        acts = [(r.created_at, r.official.officer_id) for r in (detail.replies if detail else []) if r.official]
        acts += [(e.at, e.officer_id) for e in (detail.events if detail else []) if e.officer_id]
        unit_id = post.assigned_unit.id if post.assigned_unit else None
        for _, officer_id in sorted(acts, key=lambda act: act[0], reverse=True):
            officer = self.directory.officer(officer_id)
            if officer is not None and officer.on_duty and officer.unit_id == unit_id:
                return officer
        return None
