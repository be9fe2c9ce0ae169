"""The channel to the 110 command system: one incident record out per post, progress events back in."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from chalicelib.domain import access
from chalicelib.domain.errors import Forbidden, NotFound, Unauthenticated, ValidationFailed
from chalicelib.domain.incidents import CAD_EVENTS, SCHEMA_ID, SCHEMA_VERSION, CadEventIn, incident_id_for
from chalicelib.domain.people import Actor
from chalicelib.domain.posts import Changed, Post, iso_cst
from chalicelib.domain.status import Status
from chalicelib.services.audit import Auditor
from chalicelib.services.once import once
from chalicelib.services.photos import Photos
from chalicelib.services.ports import Clock, NoticeLedger, StatsRepository, UserRepository
from chalicelib.services.staff import Staff
from chalicelib.services.store import Message, PostStore
from chalicelib.services.tally import Tally, count_quietly, scopes_of

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


class IncidentSettings(NamedTuple):
    """Where the incident records link to, which boards hand off by themselves, and the HMAC secret of 110."""

    site_url: str
    incident_boards: tuple[str, ...]
    secret: str


PHOTO_LINK_SECONDS = 7 * 24 * 3600  # a 110 record's photo links are good for a week


def sign(secret: str, timestamp: str, raw_body: bytes) -> str:
    """Return the `X-Signature` value for a body: sha256=<hex HMAC of "<timestamp>.<body>">."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + raw_body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def _photo_sig(secret: str, photo_id: str, expires: str) -> str:
    """Return the HMAC of a 110 photo link (the photo and until when), with the channel's secret."""
    return hmac.new(secret.encode(), f"photo:{photo_id}:{expires}".encode(), hashlib.sha256).hexdigest()


class Incidents:
    """Hand posts off to 110 exactly once and apply the events it reports once each."""

    def __init__(
        self,
        store: PostStore,
        staff: Staff,
        users: UserRepository,
        ledger: NoticeLedger,
        outbox: CadOutbox,
        incidents: IncidentRepository,
        stats: StatsRepository,
        clock: Clock,
        auditor: Auditor,
        settings: IncidentSettings,
        photos: Photos | None = None,
    ) -> None:
        self.store, self.staff, self.users, self.ledger, self.outbox = store, staff, users, ledger, outbox
        self.photos = photos
        self.incidents, self.stats, self.clock, self.auditor = incidents, stats, clock, auditor
        self.site_url, self.incident_boards, self.secret = settings
        self.tally = Tally(stats)

    def is_incident(self, post: Post) -> bool:
        """Tell whether a new post goes to 110 by itself: urgent, or on an incident board."""
        return post.type in HANDOFF_TYPES and (post.urgent or post.board in self.incident_boards)

    def convert(self, actor: Actor, post_id: str) -> str:
        """Make a post an incident on the command center's word (leaders, command center)."""
        access.require_signed_in(actor)
        post = self.store.visible(actor, post_id)
        access.require_may_convert(actor, post, self.staff.unit_of(actor))
        self.store.send(post.id, [Message("incident")])
        self.auditor.log(actor, "incident", f"post:{post.id}", None, {"incident_id": incident_id_for(post.id)})
        return incident_id_for(post.id)

    def hand_off(self, post_id: str) -> bool:
        """Put the post's one incident record on the command system's queue; False if already there."""
        post = self.store.get(post_id)
        if post is None:
            return False
        incident_id = incident_id_for(post.id)
        now = self.clock.now()
        self.incidents.put(incident_id, post.id, now)
        if not once(self.ledger, post.id, "cad-handoff", now, lambda: self.outbox.send(self.record(post, incident_id))):
            return False
        count_quietly(self.stats, scopes_of(post), {"incidents": 1}, now)  # after the claim: once per post
        return True

    def record(self, post: Post, incident_id: str) -> dict[str, Any]:
        """Return the incident record: unmasked, for police eyes only."""
        user = self.users.get(post.author_id)
        officer = None if user else self.staff.officer(post.author_id)
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
            "reported_at": iso_cst(post.created_at),
            "reporter": {"nickname": post.author_nickname, "phone": phone},
            "urgent": post.urgent,
            "link": f"{self.site_url}/#/posts/{post.id}",
            **self._attachments(post),
        }

    def _attachments(self, post: Post) -> dict[str, Any]:
        """The photos (signed links to the full images, good for a week) and the exact place, where given."""
        found: dict[str, Any] = {}
        if post.photos and self.photos is not None and self.secret:
            expires = str(int(self.clock.now().timestamp()) + PHOTO_LINK_SECONDS)
            base = f"{self.site_url}/api/cad/photos"
            found["photos"] = [
                f"{base}/{photo.id}?expires={expires}&sig={_photo_sig(self.secret, photo.id, expires)}"
                for photo in post.photos
            ]
        if post.location is not None:
            found["location"] = {"lat": post.location.lat, "long": post.location.long}
        if post.address:
            found["address"] = post.address
        return found

    def open_photo(self, photo_id: str, expires: str | None, sig: str | None) -> str:
        """Check a 110 record's photo link (our HMAC, not yet expired) and return a fresh signed storage address.

        The record cannot carry storage's own signed URLs for a week: they are signed with the function's
        temporary credentials, which lapse within hours."""
        if (
            self.photos is None
            or not self.secret
            or not expires
            or not sig
            or not re.fullmatch(r"[0-9]{1,12}", expires)
        ):
            raise Forbidden("链接无效或已过期")
        if int(expires) < self.clock.now().timestamp():
            raise Forbidden("链接无效或已过期")
        if not hmac.compare_digest(_photo_sig(self.secret, photo_id, expires).encode(), sig.encode()):
            raise Forbidden("链接无效或已过期")
        return self.photos.original(photo_id)

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
        now = self.clock.now()
        return once(self.ledger, post_id, f"cad#{event.event}", now, lambda: self._record_event(post_id, event, now))

    def _record_event(self, post_id: str, event: CadEventIn, now: datetime) -> None:
        words, target = CAD_EVENTS[event.event]
        text = f"{words}（{event.unit_name}）" if event.unit_name else words
        reads: list[Post] = []

        def decide(read: Post) -> Changed:
            reads.append(read)
            return read.report_progress(target, f"cad_{event.event}", text, now, event.at)

        post = self.store.retry(post_id, decide)
        if event.event == "dispatched":  # 已派警: police really sent, as 110 reports it (once: the ledger)
            count_quietly(self.stats, scopes_of(post), {"police_dispatches": 1}, now)
        if post.status == Status.RESOLVED and reads[-1].status != Status.RESOLVED:
            count_quietly(self.stats, scopes_of(post), {"resolved": 1}, now)
            if post.first_official_reply_at is None:
                self.tally.quietly(post, now)
            self.store.send(post.id, [Message("resolved")])  # the author is asked to rate, as for an officer's
