"""The channel to the 110 command system: one incident record out per post, progress events back in."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from datetime import datetime
from typing import Any, Protocol

from chalicelib.domain.errors import Forbidden, NotFound, StaleVersion, Unauthenticated, ValidationFailed
from chalicelib.domain.incidents import CAD_EVENTS, SCHEMA_ID, SCHEMA_VERSION, CadEventIn, incident_id_for
from chalicelib.domain.people import Actor
from chalicelib.domain.posts import Event, Post, now_cst
from chalicelib.services.forum import Forum, new_id
from chalicelib.services.ports import NoticeLedger, StatsRepository, UserRepository
from chalicelib.services.tally import Tally, scopes_of

log = logging.getLogger(__name__)
SIGNATURE_WINDOW = 300
HANDOFF_TYPES = frozenset({"report", "help"})


class CadOutbox(Protocol):
    """The queue the command system consumes."""

    def send(self, record: dict[str, Any]) -> None:
        """Put one incident record on the queue."""


class IncidentRepository(Protocol):
    """Which post each incident belongs to."""

    def put(self, incident_id: str, post_id: str, at: datetime) -> None:
        """Remember an incident (idempotent)."""

    def post_of(self, incident_id: str) -> str | None:
        """Return the post of an incident, or None."""


def sign(secret: str, timestamp: str, raw_body: bytes) -> str:
    """Return the `X-Signature` value for a body: sha256=<hex HMAC of "<timestamp>.<body>">."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + raw_body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


class Incidents:
    """Hand posts off to 110 exactly once and apply the events it reports once each."""

    def __init__(
        self,
        forum: Forum,
        users: UserRepository,
        ledger: NoticeLedger,
        outbox: CadOutbox,
        incidents: IncidentRepository,
        stats: StatsRepository,
        site_url: str,
        incident_boards: tuple[str, ...],
        secret: str,
    ) -> None:
        self.forum, self.posts, self.directory, self.clock = forum, forum.posts, forum.directory, forum.clock
        self.users, self.ledger, self.outbox, self.incidents, self.stats = users, ledger, outbox, incidents, stats
        self.site_url, self.incident_boards, self.secret = site_url, incident_boards, secret
        self.tally = Tally(stats, ledger, self.clock)

    def is_incident(self, post: Post) -> bool:
        """Tell whether a new post goes to 110 by itself: urgent, or on an incident board."""
        return post.type in HANDOFF_TYPES and (post.urgent or post.board in self.incident_boards)

    def convert(self, actor: Actor, post_id: str) -> str:
        """Make a post an incident on the command center's word (leaders, command center)."""
        self.forum.require_signed_in(actor)
        post = self.forum.visible_post(post_id, actor)
        if actor.link_post_id is not None and actor.link_post_id != post.id:
            raise Forbidden("通知链接只能用于处理对应的帖子")
        if actor.role != "leader" and not self._in_command_center(actor):
            raise Forbidden("只有局领导和指挥中心可以转为警情")
        self.forum.notify_later(post.id, "incident")
        self.forum.auditor.log(actor, "incident", f"post:{post.id}", None, {"incident_id": incident_id_for(post.id)})
        return incident_id_for(post.id)

    def _in_command_center(self, actor: Actor) -> bool:
        if actor.role not in ("officer", "admin") or not actor.officer_id:
            return False
        officer = self.forum.officer_of(actor)
        unit = self.directory.unit(officer.unit_id)
        return unit is not None and unit.kind == "command_center"

    def hand_off(self, post_id: str) -> bool:
        """Put the post's one incident record on the command system's queue; False if already there."""
        post = self.posts.get(post_id)
        if post is None:
            return False
        incident_id = incident_id_for(post.id)
        now = self.clock.now()
        self.incidents.put(incident_id, post.id, now)
        if not self.ledger.claim(post.id, "cad-handoff", now):
            return False
        try:
            self.outbox.send(self.record(post, incident_id))
        except Exception:
            self.ledger.release(post.id, "cad-handoff")
            raise
        self.ledger.confirm(post.id, "cad-handoff")
        self.forum.count(scopes_of(post), {"incidents": 1}, now)  # after the claim: once per post
        return True

    def record(self, post: Post, incident_id: str) -> dict[str, Any]:
        """Return the incident record: unmasked, for police eyes only."""
        user = self.users.get(post.author_id)
        officer = None if user else self.directory.officer(post.author_id)
        phone = user.phone if user else officer.phone if officer else None
        return {
            "$schema": SCHEMA_ID,
            "schema_version": SCHEMA_VERSION,
            "incident_id": incident_id,
            "post_id": post.id,
            "board": post.board,
            "type": post.type,
            "category": f"{post.board}/{post.type}",
            "title": post.title,
            "body": post.body,
            "district": post.district,
            "reported_at": now_cst(post.created_at),
            "reporter": {"nickname": post.author_nickname, "phone": phone},
            "urgent": post.urgent,
            "link": f"{self.site_url}/#/posts/{post.id}",
        }

    def verify(self, raw_body: bytes, timestamp: str | None, signature: str | None) -> None:
        """Check the HMAC of the raw bytes and the timestamp window; any fault is the same 401."""
        if not self.secret or not signature or not timestamp or not re.fullmatch(r"[0-9]{1,12}", timestamp):
            raise Unauthenticated("签名无效")
        if abs(self.clock.now().timestamp() - int(timestamp)) > SIGNATURE_WINDOW:
            raise Unauthenticated("签名无效")
        if not hmac.compare_digest(sign(self.secret, timestamp, raw_body).encode(), signature.encode()):
            raise Unauthenticated("签名无效")

    def apply(self, event: CadEventIn) -> bool:
        """Apply a progress event once; False when it was applied before."""
        post_id = self.incidents.post_of(event.incident_id)
        if post_id is None:
            raise NotFound("没有这个警情")
        if post_id != event.post_id:
            raise ValidationFailed("警情与帖子不符", {"post_id": "not this incident's post"})
        key = f"cad#{event.event}"
        now = self.clock.now()
        if not self.ledger.claim(post_id, key, now):
            return False
        try:
            self._record_event(post_id, event, now)
        except Exception:
            self.ledger.release(post_id, key)
            raise
        self.ledger.confirm(post_id, key)
        return True

    def _record_event(self, post_id: str, event: CadEventIn, now: datetime) -> None:
        words, target = CAD_EVENTS[event.event]
        for _ in range(5):
            post = self.posts.get(post_id)
            if post is None:
                raise NotFound("帖子不存在")
            expected = post.version
            moved = post.can_move_to(target)
            resolves = moved and target == "resolved"
            if moved:
                post.move_to(target, now, expected)
            post.version += 1  # the timeline entry alone is a write of the post too
            text = f"{words}（{event.unit_name}）" if event.unit_name else words
            timeline = Event(id=new_id("e"), at=event.at, kind=f"cad_{event.event}", text=text, unit=post.assigned_unit)
            try:
                self.posts.update(post, expected, timeline)
            except StaleVersion:
                continue
            if event.event == "dispatched":  # 已派警: police really sent, as 110 reports it (once: the ledger)
                self.forum.count(scopes_of(post), {"police_dispatches": 1}, now)
            if resolves:
                self.forum.count(scopes_of(post), {"resolved": 1}, now)
                if post.first_official_reply_at is None:
                    self.tally.quietly(post, now)
                self.forum.notify_later(post.id, "resolved")  # the author is asked to rate, as for an officer's
            return
        raise StaleVersion("帖子正在被频繁更新，请重试")
