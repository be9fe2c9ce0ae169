"""Open311 use cases: partner keys, reading requests and their updates, filing a request for a citizen's phone."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from chalicelib.domain.actors import Actor
from chalicelib.domain.boards import POST_TYPE_NAMES
from chalicelib.domain.commands import NewPost
from chalicelib.domain.errors import Forbidden, NotFound, ValidationFailed
from chalicelib.domain.masking import numbers_in
from chalicelib.domain.open311 import (
    MAX_RESULTS,
    PartnerKey,
    Submission,
    Update,
    board_of,
    citizen_types,
    is_public,
    updates_of,
)
from chalicelib.domain.open311_filters import RequestQuery, Window
from chalicelib.domain.photos import Location
from chalicelib.domain.posts import Via

if TYPE_CHECKING:
    from chalicelib.domain.posts import Event, Post
    from chalicelib.services.audit import Auditor
    from chalicelib.services.forum import Forum
    from chalicelib.services.identity import Identity
    from chalicelib.services.limits import Limits
    from chalicelib.services.ports import Clock, PostRepository
    from chalicelib.services.staff import Staff

log = logging.getLogger(__name__)


class Open311Reads(Protocol):
    """The reads Open311 needs beyond the forum's: time windows, id lists and timelines."""

    def window(self, board: str | None, start: datetime, end: datetime, status: str | None, limit: int) -> list[Post]:
        """Return up to `limit` posts created in [start, end], newest first; `status` is open, closed or None."""

    def posts(self, ids: Sequence[str]) -> list[Post]:
        """Return the posts among these ids that exist."""

    def events(self, post_id: str) -> list[Event]:
        """Return a post's timeline, oldest first."""

    def updates(self, start: datetime, end: datetime, limit: int) -> list[tuple[str, Event]]:
        """Return up to `limit` timeline entries of any post made in [start, end], newest first, with post ids."""


class PartnerKeyRepository(Protocol):
    """API keys of partner apps."""

    def add(self, key: PartnerKey) -> None:
        """Store a new key."""

    def get(self, key_id: str) -> PartnerKey | None:
        """Return a key, or None."""

    def all(self) -> list[PartnerKey]:
        """Return every key, revoked ones included."""

    def revoke(self, key_id: str, at: datetime) -> PartnerKey:
        """Mark a key revoked (once; a second revocation keeps the first time); NotFound if unknown."""


def secret_hash(secret: str) -> str:
    """Return the stored form of a key's secret (256 random bits need no slow hash)."""
    return hashlib.sha256(secret.encode()).hexdigest()


class PartnerKeys:
    """Issue, list, revoke and check the API keys partner apps file requests with."""

    def __init__(self, keys: PartnerKeyRepository, clock: Clock, auditor: Auditor) -> None:
        self.keys, self.clock, self.auditor = keys, clock, auditor

    def issue(self, name: str, by: Actor) -> tuple[PartnerKey, str]:
        """Create a key and return it with the one copy of its secret: `<key id>.<secret>`."""
        secret = secrets.token_urlsafe(32)
        key = PartnerKey(
            id=f"pk{secrets.token_hex(8)}", name=name, secret_hash=secret_hash(secret), created_at=self.clock.now()
        )
        self.keys.add(key)
        self.auditor.log(by, "api_key_issue", f"api_key:{key.id}", None, {"name": name})
        return key, f"{key.id}.{secret}"

    def revoke(self, key_id: str, by: Actor) -> PartnerKey:
        """Revoke a key for good."""
        key = self.keys.revoke(key_id, self.clock.now())
        self.auditor.log(by, "api_key_revoke", f"api_key:{key.id}", None, {"name": key.name})
        return key

    def list(self) -> list[PartnerKey]:
        """Return every key, oldest first."""
        return sorted(self.keys.all(), key=lambda k: (k.created_at, k.id))

    def admit(self, api_key: object) -> PartnerKey:
        """Return the live key a request carries, or refuse it (missing, unknown or revoked)."""
        key_id = secret = ""
        if isinstance(api_key, str) and len(api_key) <= 200:
            key_id, _, secret = api_key.partition(".")
        key = self.keys.get(key_id) if key_id and secret else None
        if key is None or not hmac.compare_digest(key.secret_hash, secret_hash(secret)):
            raise Forbidden("api_key 缺失或无效")
        if key.revoked:
            raise Forbidden("api_key 已被吊销")
        return key


class Open311:
    """Boards as services, posts as service requests, the public timeline as request updates."""

    def __init__(
        self,
        reads: Open311Reads,
        posts: PostRepository,
        forum: Forum,
        staff: Staff,
        identity: Identity,
        limits: Limits,
        clock: Clock,
        districts: tuple[str, ...],
    ) -> None:
        self.reads, self.posts, self.forum, self.staff, self.identity = reads, posts, forum, staff, identity
        self.limits, self.clock, self.districts = limits, clock, districts

    def requests(self, query: RequestQuery) -> list[Post]:
        """Return public requests newest first: the ids asked for, or those of a window (at most 1000)."""
        found: list[Post] = []
        if query.ids:
            found = self.reads.posts(query.ids)
        elif query.window is not None:
            start, end = query.window.start, query.window.end
            status = next(iter(query.statuses)) if len(query.statuses) == 1 else None
            for board in query.service_codes or (None,):
                found += self.reads.window(board, start, end, status, MAX_RESULTS)
        public = [post for post in found if is_public(post)]
        public.sort(key=lambda p: (p.created_at, p.id), reverse=True)
        return public[:MAX_RESULTS]

    def published_numbers(self, posts: Sequence[Post]) -> tuple[str, ...]:
        """Return the published contact numbers the official notes of these posts quote (no read if none)."""
        quoted = set().union(*(numbers_in(post.latest_official_reply or "") for post in posts))
        return self.staff.published_numbers_in("\n".join(sorted(quoted))) if quoted else ()

    def request(self, post_id: str) -> Post:
        """Return one public request."""
        post = self.posts.get(post_id)
        if post is None or not is_public(post):
            raise NotFound("没有这个服务请求")
        return post

    def updates(self, ids: tuple[str, ...], window: Window | None) -> list[Update]:
        """Return timeline updates newest first: of the requests asked for, or of every request in a window."""
        found: list[Update] = []
        if ids:
            for post in self.reads.posts(ids):
                if is_public(post):
                    found += updates_of(post, self.reads.events(post.id))
            if window is not None:
                found = [u for u in found if window.start <= u.event.at <= window.end]
        elif window is not None:
            by_post: dict[str, list[Event]] = {}
            for post_id, event in self.reads.updates(window.start, window.end, MAX_RESULTS):
                by_post.setdefault(post_id, []).append(event)
            for post in self.reads.posts(list(by_post)):
                if is_public(post):
                    found += updates_of(post, by_post[post.id])
        found.sort(key=lambda u: (u.event.at, u.event.id), reverse=True)
        return found[:MAX_RESULTS]

    def submit(self, key: PartnerKey, submission: Submission) -> Post:
        """File a post for a citizen's phone, marked as filed through the partner; never for an officer's phone.

        The usual limits and dispatch apply; an account opened for an unknown phone is unverified until that
        phone signs in with a code.
        """
        board = board_of(submission.service_code)
        if submission.type not in citizen_types(board):
            name = POST_TYPE_NAMES.get(submission.type, submission.type)
            raise ValidationFailed(f"{board.name}不接受{name}类诉求", {"attribute[type]": "not accepted here"})
        if submission.district is not None and submission.district not in self.districts:
            raise ValidationFailed("没有这个地区", {"attribute[district]": f"unknown district {submission.district!r}"})
        self.limits.partner_post(key.id, self.clock.now())
        user = self.identity.partner_account(submission.phone)
        created = datetime.fromisoformat(user.created_at) if user.created_at else None
        author = Actor(
            role="citizen",
            user_id=user.id,
            nickname=user.nickname,
            account_created=int(created.timestamp()) if created else None,
        )
        new = NewPost(
            board=board.id,
            type=submission.type,
            title=submission.title,
            body=submission.description,
            district=submission.district,
            via=Via(key_id=key.id, name=key.name),
            location=Location(lat=submission.lat, long=submission.long) if submission.lat is not None else None,
            address=submission.address,
        )
        post = self.forum.create_post(author, new)
        log.info("open311 request filed", extra={"api_key_id": key.id, "post_id": post.id})
        return post
