"""In-memory fakes of the ports in chalicelib/services/ports.py, with the DynamoDB adapters' semantics."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.adapters.dynamodb.posts import require_bump
from chalicelib.domain.errors import Conflict, NotFound, StaleVersion, Unavailable, Undeliverable, ValidationFailed
from chalicelib.domain.messages import SMS_TEMPLATES
from chalicelib.domain.open311 import PartnerKey
from chalicelib.domain.people import Officer, Routing, Unit, User
from chalicelib.domain.photos import Photo, Upload
from chalicelib.domain.posts import Event, Post, Reply, epoch_ms
from chalicelib.services.audit import AuditEntry
from chalicelib.services.ports import (
    Binding,
    Contact,
    Count,
    FeedPage,
    Idempotency,
    IdempotencyRecord,
    OtpRecord,
    PostDetail,
    ReplyLink,
)
from tests.fake_photos import InMemoryUploadBook
from tests.fake_work import InMemoryWork

IDEMPOTENCY_TTL = timedelta(hours=24)
COUNTED = (
    "reply_count",
    "first_official_reply_at",
    "latest_official_reply",
    "latest_official_reply_at",
    "latest_followup_at",
    "flag_count",
)


def feed_key(post: Post) -> str:
    """Return a post's place in the feed: `<13-digit epoch ms>#<post id>`, as the feed indexes sort it."""
    return f"{epoch_ms(post.created_at):013d}#{post.id}"


def _timeline_key(moment: datetime, ident: str) -> tuple[int, str]:
    return epoch_ms(moment), ident


class InMemoryPostRepository(InMemoryWork):
    """Posts, replies, timelines and idempotency records in dicts; every read and write copies."""

    def __init__(self) -> None:
        self.posts: dict[str, Post] = {}
        self.replies: dict[str, dict[str, Reply]] = {}
        self.events: dict[str, dict[str, Event]] = {}
        self.idempotency: dict[str, tuple[IdempotencyRecord, datetime]] = {}
        self.next_check: dict[str, datetime] = {}  # the sparse "due" index: set on add and update only
        self._lock = threading.Lock()
        self.uploads: InMemoryUploadBook | None = None  # claims of photos go through it (tests.fake_photos)
        self.stats: InMemoryStatsRepository | None = None  # figures added with a write, as in its transaction

    def _index_due(self, post: Post) -> None:
        at = post.next_check()
        if at is None:
            self.next_check.pop(post.id, None)
        else:
            self.next_check[post.id] = at

    def add(
        self, post: Post, event: Event, idempotency: Idempotency | None = None, claims: Sequence[Upload] = ()
    ) -> None:
        with self._lock:
            if post.id in self.posts:
                raise Conflict("重复的请求")
            if idempotency is not None and idempotency[0] in self.idempotency:
                raise Conflict("重复的请求")
            if claims and self.uploads is not None:
                self.uploads.claim(claims, post.id)
            self.posts[post.id] = post.model_copy(deep=True)
            self.replies[post.id] = {}
            self.events[post.id] = {event.id: event}
            self._index_due(post)
            if idempotency is not None:
                scope, record = idempotency
                self.idempotency[scope] = (record, post.created_at + IDEMPOTENCY_TTL)

    def get(self, post_id: str) -> Post | None:
        post = self.posts.get(post_id)
        return post.model_copy(deep=True) if post else None

    def current(self, ids: Sequence[str]) -> list[Post]:
        return [post for post in (self.get(i) for i in dict.fromkeys(ids)) if post is not None]

    def detail(self, post_id: str, consistent: bool = False) -> PostDetail | None:
        post = self.get(post_id)
        if post is None:
            return None
        replies = sorted(self.replies[post_id].values(), key=lambda r: _timeline_key(r.created_at, r.id))
        events = sorted(self.events[post_id].values(), key=lambda e: _timeline_key(e.at, e.id))
        return PostDetail(post, replies, events)

    def update(
        self,
        post: Post,
        expected_version: int,
        events: Sequence[Event] = (),
        before: Post | None = None,
        count: Count | None = None,
    ) -> None:
        require_bump(post, expected_version)
        with self._lock:
            stored = self.posts.get(post.id)
            if stored is None or stored.version != expected_version:
                raise StaleVersion("帖子已被他人更新,请刷新后重试")
            if count is not None:
                if self.stats is None:
                    raise AssertionError("a write that counts needs the figures: set `stats` on the fake")
                self.stats.add(list(count.scopes), dict(count.counters), count.day)
            # Counters belong to add_reply and count_flag: a saved copy never overwrites them.
            self.posts[post.id] = post.model_copy(deep=True, update={name: getattr(stored, name) for name in COUNTED})
            self._index_due(post)
            for event in events:
                self.events[post.id][event.id] = event

    def add_reply(
        self,
        reply: Reply,
        event: Event | None = None,
        idempotency: Idempotency | None = None,
        post: Post | None = None,
        claims: Sequence[Upload] = (),
    ) -> None:
        post_id = reply.post_id
        with self._lock:
            stored = self.posts.get(post_id)
            if stored is None:
                raise NotFound("帖子不存在")
            if post is not None and stored.version != post.version:
                raise StaleVersion("帖子已被他人更新")
            if reply.id in self.replies[post_id] or (idempotency is not None and idempotency[0] in self.idempotency):
                raise Conflict("重复的请求")
            if claims and self.uploads is not None:
                self.uploads.claim(claims, f"{post_id}/{reply.id}")
            self.replies[post_id][reply.id] = reply
            changes: dict[str, Any] = {"reply_count": stored.reply_count + 1, "updated_at": reply.created_at}
            if reply.official is not None and stored.first_official_reply_at is None:
                changes["first_official_reply_at"] = reply.created_at
            if reply.official is not None:
                changes["latest_official_reply"] = reply.body
                changes["latest_official_reply_at"] = reply.created_at
            elif post is not None and reply.author_id == stored.author_id:
                changes["latest_followup_at"] = reply.created_at  # as work.after_reply: the same rule
            self.posts[post_id] = stored.model_copy(update=changes)
            if post is not None and reply.official is not None:
                self._index_due(self.posts[post_id])  # as the table: an answered post leaves the due index
            if event is not None:
                self.events[post_id][event.id] = event
            if idempotency is not None:
                scope, record = idempotency
                self.idempotency[scope] = (record, reply.created_at + IDEMPOTENCY_TTL)

    def set_reply_photos(self, reply: Reply, photos: tuple[Photo, ...]) -> None:
        with self._lock:
            stored = self.replies[reply.post_id][reply.id]
            self.replies[reply.post_id][reply.id] = stored.model_copy(update={"photos": photos})

    def reply(self, post_id: str, created_ms: int, reply_id: str) -> Reply | None:
        found = self.replies.get(post_id, {}).get(reply_id)
        return found if found is not None and epoch_ms(found.created_at) == created_ms else None

    def count_flag(self, post_id: str) -> int:
        with self._lock:
            stored = self.posts.get(post_id)
            if stored is None:
                raise NotFound("帖子不存在")
            self.posts[post_id] = stored.model_copy(update={"flag_count": stored.flag_count + 1})
            return stored.flag_count + 1

    def feed(self, board: str | None, limit: int, after: str | None, now: datetime) -> FeedPage:
        shown = [p for p in self.posts.values() if not p.hidden and (board is None or p.board == board)]

        def pinned_here(post: Post) -> bool:  # as the feed indexes sort: a pin in force on this view
            return post.is_pinned(now) and (board is not None or (post.pin is not None and post.pin.scope == "global"))

        pins = [
            p
            for p in self.posts.values()
            if not p.hidden
            and p.is_pinned(now)
            and p.pin is not None
            and (p.pin.scope == "global" or (board is not None and p.board == board))
        ]
        ordered = sorted(pins, key=lambda p: (p.pin.scope == "global", p.pin.at, p.id) if p.pin else (), reverse=True)
        candidates = sorted((p for p in shown if not pinned_here(p)), key=feed_key, reverse=True)
        if after is not None:
            candidates = [p for p in candidates if feed_key(p) < after]
        page = [p.model_copy(deep=True) for p in candidates[:limit]]
        more = len(candidates) > limit
        pinned = [p.model_copy(deep=True) for p in ordered] if after is None else []
        return FeedPage(page, feed_key(page[-1]) if more and page else None, pinned)

    def by_author(self, author: str, limit: int, after: str | None) -> FeedPage:
        chosen = [p for p in self.posts.values() if p.author_id == author]  # hidden ones included
        candidates = sorted(chosen, key=feed_key, reverse=True)
        if after is not None:
            candidates = [p for p in candidates if feed_key(p) < after]
        page = [p.model_copy(deep=True) for p in candidates[:limit]]
        more = len(candidates) > limit
        return FeedPage(page, feed_key(page[-1]) if more and page else None)

    def reschedule(self, post: Post, at: datetime) -> None:
        post_id, expected_version = post.id, post.version
        with self._lock:
            stored = self.posts.get(post_id)
            if stored is None or stored.version != expected_version:
                raise StaleVersion("帖子已被他人更新,请刷新后重试")
            if post_id in self.next_check:
                self.next_check[post_id] = at
                self.posts[post_id] = stored.model_copy(update={"version": expected_version + 1})

    def due(self, now: datetime, limit: int, after: str | None = None) -> FeedPage:
        due = [(at, post_id) for post_id, at in self.next_check.items() if epoch_ms(at) <= epoch_ms(now)]
        due.sort(key=lambda pair: _timeline_key(*pair))
        keyed = [(f"{epoch_ms(at):013d}#{post_id}", post_id) for at, post_id in due]
        keyed = [(key, post_id) for key, post_id in keyed if after is None or key > after]
        page = keyed[:limit]
        more = len(keyed) > limit
        return FeedPage(
            [self.posts[post_id].model_copy(deep=True) for _, post_id in page], page[-1][0] if more else None
        )


class InterleavedPosts:
    """Wraps a post repository: right after its next read (`get` or `due`) returns, `meanwhile` runs once.

    That is another writer's turn between a use case's read and its write (an officer while the sweep works).
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.meanwhile: Callable[[], object] | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def _then(self, found: Any) -> Any:
        turn, self.meanwhile = self.meanwhile, None
        if turn is not None:
            turn()
        return found

    def get(self, post_id: str) -> Post | None:
        found: Post | None = self._then(self.inner.get(post_id))
        return found

    def due(self, now: datetime, limit: int, after: str | None = None) -> FeedPage:
        page: FeedPage = self._then(self.inner.due(now, limit, after))
        return page


class InMemoryIdempotencyStore:
    """Reads the idempotency records a post repository wrote with the posts they created."""

    def __init__(self, posts: InMemoryPostRepository, clock: FixedClock | None = None) -> None:
        self._posts, self._clock = posts, clock

    def get(self, scope: str) -> IdempotencyRecord | None:
        found = self._posts.idempotency.get(scope)
        if found is None:
            return None
        record, expires_at = found
        if self._clock is not None and expires_at < self._clock.now():
            return None
        return record


class InMemoryUserRepository:
    """Accounts by id and by phone."""

    def __init__(self) -> None:
        self.users: dict[str, User] = {}
        self._lock = threading.Lock()

    def by_phone(self, phone: str) -> User | None:
        return next((u for u in self.users.values() if u.phone == phone), None)

    def get(self, user_id: str) -> User | None:
        return self.users.get(user_id)

    def create(self, user: User) -> User:
        with self._lock:
            existing = self.by_phone(user.phone)
            if existing is not None:
                return existing
            if user.id in self.users:
                raise Conflict("账号已存在")
            self.users[user.id] = user
            return user

    def set_nickname(self, user_id: str, nickname: str) -> User:
        user = self.users.get(user_id)
        if user is None:
            raise NotFound("账号不存在")
        renamed = user.model_copy(update={"nickname": nickname})
        self.users[user_id] = renamed
        return renamed

    def verify(self, user_id: str) -> User:
        user = self.users.get(user_id)
        if user is None:
            raise NotFound("账号不存在")
        verified = user.model_copy(update={"verified": True})
        self.users[user_id] = verified
        return verified


class InMemoryDirectoryRepository:
    """Units, officers, their subscriptions and the routing rules."""

    def __init__(self) -> None:
        self.unit_map: dict[str, Unit] = {}
        self.officer_map: dict[str, Officer] = {}
        self.subscription_map: dict[str, list[str]] = {}
        self.rules = Routing()
        self.template_list: list[tuple[str, str]] | None = None

    def templates(self) -> list[tuple[str, str]] | None:
        return None if self.template_list is None else list(self.template_list)

    def put_templates(self, templates: list[tuple[str, str]]) -> None:
        self.template_list = list(templates)

    def units(self) -> list[Unit]:
        return [self.unit_map[k] for k in sorted(self.unit_map)]

    def unit(self, unit_id: str) -> Unit | None:
        return self.unit_map.get(unit_id)

    def put_unit(self, unit: Unit) -> None:
        self.unit_map[unit.id] = unit

    def officer(self, officer_id: str, consistent: bool = False) -> Officer | None:
        return self.officer_map.get(officer_id)

    def officers(self) -> list[Officer]:
        return [self.officer_map[k] for k in sorted(self.officer_map)]

    def officer_by_phone(self, phone: str) -> Officer | None:
        return next((o for o in self.officers() if o.phone == phone), None)

    def unit_with_officers(self, unit_id: str) -> tuple[Unit | None, list[Officer]]:
        return self.unit(unit_id), self.officers_of(unit_id)

    def officers_of(self, unit_id: str) -> list[Officer]:
        return [o for o in self.officers() if o.unit_id == unit_id]

    def put_officer(self, officer: Officer) -> None:
        self.officer_map[officer.id] = officer

    def remove_officer(self, officer_id: str) -> None:
        self.officer_map.pop(officer_id, None)
        self.subscription_map.pop(officer_id, None)

    def subscriptions(self, officer_id: str) -> list[str]:
        return list(self.subscription_map.get(officer_id, []))

    def set_subscriptions(self, officer_id: str, ids: list[str]) -> None:
        self.subscription_map[officer_id] = list(ids)

    def routing(self) -> Routing:
        return self.rules

    def put_routing(self, routing: Routing) -> None:
        self.rules = routing


class InMemoryLinkStore:
    """Reply links by the hash of their code."""

    def __init__(self) -> None:
        self.links: dict[str, ReplyLink] = {}

    def put(self, code_hash: str, link: ReplyLink) -> None:
        self.links[code_hash] = link

    def put_many(self, links: Mapping[str, ReplyLink]) -> None:
        self.links.update(links)

    def get(self, code_hash: str) -> ReplyLink | None:
        return self.links.get(code_hash)


class InMemoryOtpRepository:
    """Pending codes by phone; like the table, expiry is kept to the whole second, and a try is taken, and a
    code consumed, atomically (under a lock, as DynamoDB applies one conditional write at a time)."""

    def __init__(self) -> None:
        self.records: dict[str, OtpRecord] = {}
        self._lock = threading.Lock()

    def put(self, record: OtpRecord) -> None:
        with self._lock:
            self.records[record.phone] = OtpRecord(
                record.phone, record.code_hash, record.expires_at.replace(microsecond=0), record.tries
            )

    def get(self, phone: str) -> OtpRecord | None:
        return self.records.get(phone)

    def take_try(self, phone: str, limit: int) -> OtpRecord | None:
        with self._lock:
            record = self.records.get(phone)
            if record is None or record.tries >= limit:
                return None
            record = self.records[phone] = replace(record, tries=record.tries + 1)
            return record

    def consume(self, phone: str, code_hash: str) -> bool:
        with self._lock:
            record = self.records.get(phone)
            if record is None or record.code_hash != code_hash:
                return False
            del self.records[phone]
            return True

    def delete(self, phone: str) -> None:
        with self._lock:
            self.records.pop(phone, None)


class InMemoryNoticeLedger:
    """One-time effects per post: claimed, then confirmed (done for good) or released."""

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], tuple[str, int | None]] = {}  # (post, key) -> (state, claimed at)
        self._lock = threading.Lock()

    def claim(self, post_id: str, key: str, now: datetime, stale_after: int = 60) -> bool:
        stamp = int(now.timestamp())
        with self._lock:
            found = self.entries.get((post_id, key))
            if found is not None:
                state, at = found
                if state != "claimed" or at is None or at >= stamp - stale_after:
                    return False
            self.entries[(post_id, key)] = ("claimed", stamp)
            return True

    def confirm(self, post_id: str, key: str) -> None:
        with self._lock:
            _, at = self.entries.get((post_id, key), ("done", None))
            self.entries[(post_id, key)] = ("done", at)

    def claim_many(self, post_id: str, keys: Sequence[str], now: datetime, stale_after: int = 60) -> set[str]:
        return {key for key in dict.fromkeys(keys) if self.claim(post_id, key, now, stale_after)}

    def confirm_many(self, post_id: str, keys: Sequence[str]) -> None:
        for key in keys:
            self.confirm(post_id, key)

    def release(self, post_id: str, key: str) -> None:
        with self._lock:
            if self.entries.get((post_id, key), ("", None))[0] == "claimed":
                del self.entries[(post_id, key)]

    def done(self, post_id: str) -> set[str]:
        """Return the keys of a post's confirmed effects."""
        return {key for (pid, key), (state, _) in self.entries.items() if pid == post_id and state == "done"}


class InMemoryStatsRepository:
    """Counters per scope (`all` or a unit id)."""

    def __init__(self) -> None:
        self.scopes: dict[str, dict[str, int]] = {}
        self.daily: dict[tuple[str, str], dict[str, int]] = {}
        self.counted: set[tuple[str, str]] = set()  # (post, key) of facts counted once (the table's ledger entries)
        self.noted: list[Count] = []  # counts a post's own transaction added
        self._lock = threading.Lock()

    def note(self, count: Count) -> None:
        self.noted.append(count)

    def add_once(self, post_id: str, key: str, scopes: list[str], counters: dict[str, int], day: str) -> bool:
        with self._lock:
            if (post_id, key) in self.counted:
                return False
            self.counted.add((post_id, key))
        self.add(scopes, counters, day)
        return True

    def add(self, scopes: list[str], counters: dict[str, int], day: str | None = None) -> None:
        with self._lock:
            for scope in scopes:
                for mine in [self.scopes.setdefault(scope, {})] + (
                    [self.daily.setdefault((scope, day), {})] if day is not None else []
                ):
                    for name, value in counters.items():
                        mine[name] = mine.get(name, 0) + value

    def all(self) -> dict[str, dict[str, int]]:
        return {scope: dict(counters) for scope, counters in self.scopes.items()}

    def days(self, scope: str, first: str, last: str) -> dict[str, dict[str, int]]:
        return {d: dict(c) for (s, d), c in self.daily.items() if s == scope and first <= d <= last}


class InMemoryCounters:
    """Rate-limit counters: the last claim of an interval key and the uses of a quota key."""

    def __init__(self) -> None:
        self.last: dict[str, float] = {}
        self.uses: dict[str, int] = {}
        self._lock = threading.Lock()

    def take_interval(self, key: str, seconds: int, now: datetime) -> int:
        stamp = now.timestamp()
        with self._lock:
            last = self.last.get(key)
            if last is None or last <= stamp - seconds:
                self.last[key] = stamp
                return 0
            return max(1, int(last + seconds - stamp + 0.999))

    def take_quota(self, key: str, limit: int, expires: datetime) -> bool:
        with self._lock:
            if self.uses.get(key, 0) >= limit:
                return False
            self.uses[key] = self.uses.get(key, 0) + 1
            return True

    def release_interval(self, key: str, now: datetime) -> None:
        with self._lock:
            if self.last.get(key) == now.timestamp():
                del self.last[key]

    def release_quota(self, key: str) -> None:
        with self._lock:
            if self.uses.get(key, 0) > 0:
                self.uses[key] -= 1


class RecordingOfficerChannel:
    """Remembers every notice and subscription sync; told to fail (`failing = True`), notify raises."""

    def __init__(self, failing: bool = False) -> None:
        self.failing = failing
        self.notices: list[tuple[str, str, str]] = []
        self.synced: list[tuple[str, list[str]]] = []
        self.dropped: list[str] = []

    def notify(self, officer_id: str, subject: str, text: str) -> None:
        if self.failing:
            raise ConnectionError("the officer topic is unreachable")
        self.notices.append((officer_id, subject, text))

    def sync(self, officer: Officer, current: list[str]) -> list[str]:
        self.synced.append((officer.id, list(current)))
        return [f"sub:{officer.id}:email:{officer.email}"] if officer.email else []

    def drop(self, current: list[str]) -> None:
        self.dropped.extend(current)

    def texts_to(self, officer_id: str) -> list[str]:
        return [text for to, _, text in self.notices if to == officer_id]


class InMemoryAuditLog:
    """The audit trail in a list; a month reads newest first, paged by `<epoch ms>#<entry id>`."""

    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    def record(self, entry: AuditEntry) -> None:
        self.entries.append(entry)

    def month(self, month: str, limit: int, after: str | None) -> tuple[list[AuditEntry], str | None]:
        def key(entry: AuditEntry) -> str:
            return f"{epoch_ms(entry.at):013d}#{entry.id}"

        chosen = sorted((e for e in self.entries if e.at.strftime("%Y-%m") == month), key=key, reverse=True)
        if after is not None:
            chosen = [e for e in chosen if key(e) < after]
        page = chosen[:limit]
        return page, key(page[-1]) if len(page) == limit and page else None

    def actions(self) -> list[tuple[str, str, str]]:
        """Return (actor, action, target) of every entry, oldest first."""
        return [(e.actor, e.action, e.target) for e in self.entries]


@dataclass(frozen=True)
class QueuedMessage:
    """One message a RecordingDispatchQueue accepted."""

    post_id: str
    kind: str = "dispatch"
    extra: dict[str, str] = field(default_factory=dict)


class RecordingDispatchQueue:
    """Remembers every message; told to fail (`failing = True`), it raises instead."""

    def __init__(self, failing: bool = False) -> None:
        self.failing = failing
        self.messages: list[QueuedMessage] = []

    def enqueue(self, post_id: str, kind: str = "dispatch", **extra: str) -> None:
        if self.failing:
            raise ConnectionError("the dispatch queue is unreachable")
        self.messages.append(QueuedMessage(post_id, kind, dict(extra)))

    @property
    def post_ids(self) -> list[str]:
        return [m.post_id for m in self.messages]


class RecordingSmsSender:
    """Remembers every SMS it was asked to send: (phone, text as the phone shows it) and (phone, template, params)."""

    def __init__(self, site_url: str = "http://127.0.0.1:8000", failing: bool = False) -> None:
        self.site_url, self.failing = site_url, failing
        self.sent: list[tuple[str, str]] = []
        self.templates: list[tuple[str, str, dict[str, str]]] = []

    def send(self, phone: str, template: str, params: dict[str, str]) -> None:
        if self.failing:
            raise Unavailable("短信服务暂时不可用")
        self.sent.append((phone, SMS_TEMPLATES[template].render(params, self.site_url)))
        self.templates.append((phone, template, dict(params)))

    def texts_to(self, phone: str) -> list[str]:
        return [text for to, text in self.sent if to == phone]


class FixedClock:
    """A clock that stands still until set or advanced."""

    def __init__(self, at: datetime | None = None) -> None:
        self.at = at or datetime(2026, 3, 13, 8, 5, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    def set(self, at: datetime) -> None:
        self.at = at

    def advance(self, seconds: float = 0, **delta: float) -> datetime:
        self.at = self.at + timedelta(seconds=seconds, **delta)
        return self.at


class InMemoryOpen311Reads:
    """Open311's reads over the in-memory posts: windows by creation time, id lists and timelines."""

    def __init__(self, posts: InMemoryPostRepository) -> None:
        self.store = posts

    def window(self, board: str | None, start: datetime, end: datetime, status: str | None, limit: int) -> list[Post]:
        low, high = epoch_ms(start), epoch_ms(end)
        found = [
            post.model_copy(deep=True)
            for post in self.store.posts.values()
            if not post.hidden  # hidden posts leave the feed indexes
            and (board is None or post.board == board)
            and low <= epoch_ms(post.created_at) <= high
            and (status is None or (post.status == "resolved") == (status == "closed"))
        ]
        return sorted(found, key=feed_key, reverse=True)[:limit]

    def posts(self, ids: Sequence[str]) -> list[Post]:
        return [post for i in dict.fromkeys(ids) if (post := self.store.get(i)) is not None]

    def events(self, post_id: str) -> list[Event]:
        return sorted(self.store.events.get(post_id, {}).values(), key=lambda e: _timeline_key(e.at, e.id))

    def updates(self, start: datetime, end: datetime, limit: int) -> list[tuple[str, Event]]:
        low, high = epoch_ms(start), epoch_ms(end)
        found = [
            (post_id, event)
            for post_id, events in self.store.events.items()
            for event in events.values()
            if low <= epoch_ms(event.at) <= high
        ]
        return sorted(found, key=lambda pair: _timeline_key(pair[1].at, pair[1].id), reverse=True)[:limit]


class InMemoryPartnerKeyRepository:
    """Partner API keys in a dict, as the DynamoDB repository keeps them (hashes only)."""

    def __init__(self) -> None:
        self.keys: dict[str, PartnerKey] = {}

    def add(self, key: PartnerKey) -> None:
        if key.id in self.keys:
            raise Conflict("重复的密钥")
        self.keys[key.id] = key

    def get(self, key_id: str) -> PartnerKey | None:
        return self.keys.get(key_id)

    def all(self) -> list[PartnerKey]:
        return list(self.keys.values())

    def revoke(self, key_id: str, at: datetime) -> PartnerKey:
        key = self.keys.get(key_id)
        if key is None:
            raise NotFound("没有这个接入密钥")
        if key.revoked_at is None:
            key = self.keys[key_id] = replace(key, revoked_at=at)
        return key


class Lockstep:
    """A port wrapper that forces the worst interleaving of concurrent callers: each caller (a thread that set
    `caller(index)`) makes its first call to the port in index order, and none goes on until all have made it.

    So every concurrent sign-in reads (or counts) before any of them compares or writes, as the race of many
    guesses arriving at once can have it on DynamoDB; calls outside a caller's first pass straight through.
    """

    def __init__(self, inner: Any, callers: int) -> None:
        self._inner, self._callers, self._turn = inner, callers, 0
        self._cond = threading.Condition()
        self._local = threading.local()

    def caller(self, index: int) -> None:
        """Mark the current thread as caller `index` (0-based)."""
        self._local.index, self._local.done = index, False

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._inner, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            index = getattr(self._local, "index", None)
            if index is None or self._local.done:
                return method(*args, **kwargs)
            self._local.done = True
            with self._cond:
                self._cond.wait_for(lambda: self._turn == index, timeout=30)
            try:
                return method(*args, **kwargs)
            finally:
                with self._cond:
                    self._turn += 1
                    self._cond.notify_all()
                    self._cond.wait_for(lambda: self._turn >= self._callers, timeout=30)

        return call


class InMemoryIncidentRepository:
    """Incident id -> post id, written once."""

    def __init__(self) -> None:
        self.posts: dict[str, str] = {}

    def put(self, incident_id: str, post_id: str, at: datetime) -> None:
        self.posts.setdefault(incident_id, post_id)

    def post_of(self, incident_id: str) -> str | None:
        return self.posts.get(incident_id)


class RecordingCadOutbox:
    """Keeps the incident records handed to the command system."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []

    def send(self, record: dict[str, Any]) -> None:
        self.records.append(record)


class InMemoryContactBook:
    """WeChat bindings both ways and each account's channels, in dicts."""

    def __init__(self) -> None:
        self.known: dict[str, Contact] = {}
        self.bindings: dict[str, Binding] = {}

    def contact(self, account_id: str) -> Contact:
        return self.known.get(account_id, Contact(account_id))

    def contacts(self, account_ids: Sequence[str]) -> dict[str, Contact]:
        return {account_id: self.contact(account_id) for account_id in account_ids}

    def account_of(self, openid: str) -> Binding | None:
        return self.bindings.get(openid)

    def bind(self, account_id: str, openid: str, now: datetime, stamp: str = "") -> None:
        taken = self.bindings.get(openid)
        if taken is not None and taken.account_id != account_id:
            raise Conflict("该微信已绑定其他账号，请先在原账号中解除绑定")
        old = self.contact(account_id)
        if old.openid and old.openid != openid:
            del self.bindings[old.openid]
        self.bindings[openid] = Binding(account_id, stamp)
        self.known[account_id] = replace(old, openid=openid, stamp=stamp)

    def unbind(self, account_id: str) -> None:
        old = self.contact(account_id)
        if old.openid:
            self.bindings.pop(old.openid, None)
            self.known[account_id] = replace(old, openid=None, stamp="")

    def set_notify(self, account_id: str, channels: tuple[str, ...]) -> None:
        self.known[account_id] = replace(self.contact(account_id), notify=channels)


class InMemoryVouchers:
    """Single-use vouchers in a dict; taking one removes it."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], tuple[dict[str, str], datetime]] = {}

    def put(self, kind: str, digest: str, data: dict[str, str], expires_at: datetime) -> None:
        self.items[(kind, digest)] = (dict(data), expires_at)

    def take(self, kind: str, digest: str, now: datetime) -> dict[str, str] | None:
        found = self.items.get((kind, digest))
        if found is None or found[1] <= now:
            return None
        del self.items[(kind, digest)]
        return found[0]


@dataclass
class WechatSent:
    """One WeChat notice a RecordingWechat sent."""

    openid: str
    template_id: str
    fields: dict[str, str]
    url: str


class RecordingWechat:
    """The official account, in memory: sign-in codes map to openids; notices are recorded.

    `refusing` openids decline notices (Undeliverable, as WeChat's 43101); `failing` makes every send a passing
    fault (Unavailable).
    """

    def __init__(self) -> None:
        self.codes: dict[str, str] = {}
        self.sent: list[WechatSent] = []
        self.refusing: set[str] = set()
        self.failing = False

    def authorize_url(self, redirect_uri: str, state: str) -> str:
        return f"https://open.weixin.qq.com/connect/oauth2/authorize?redirect_uri={redirect_uri}&state={state}"

    def openid(self, code: str) -> str:
        found = self.codes.pop(code, None)
        if found is None:
            raise ValidationFailed("微信授权已失效，请重新进入", {"code": "invalid or used"})
        return found

    def send(self, openid: str, template_id: str, fields: dict[str, str], url: str) -> None:
        if self.failing:
            raise Unavailable("微信服务繁忙")
        if openid in self.refusing:
            raise Undeliverable(f"43101 user refuse to accept the msg: {openid}")
        self.sent.append(WechatSent(openid, template_id, dict(fields), url))

    def jsapi_ticket(self) -> str:
        return "ticket-for-tests"

    def to(self, openid: str) -> list[WechatSent]:
        return [m for m in self.sent if m.openid == openid]

    @staticmethod
    def text(message: WechatSent) -> str:
        """A notice as the person reads it: its fields, then the link it opens."""
        return "\n".join([*message.fields.values(), message.url])


class InMemoryTotpStore:
    """Officers' TOTP enrolments in a dict (services.mfa.TotpStore)."""

    def __init__(self) -> None:
        self.items: dict[str, Any] = {}

    def get(self, officer_id: str) -> Any:
        return self.items.get(officer_id)

    def put(self, record: Any) -> None:
        self.items[record.officer_id] = record

    def delete(self, officer_id: str) -> bool:
        return self.items.pop(officer_id, None) is not None


class InMemoryReviewIndex:
    """The review queue over the in-memory posts, oldest first by the table's own sort key (services.review)."""

    def __init__(self, posts: InMemoryPostRepository) -> None:
        self.posts = posts

    def _waiting(self) -> list[tuple[str, Post]]:
        from chalicelib.adapters.dynamodb.items import review_key

        return sorted((review_key(p), p) for p in self.posts.posts.values() if p.awaiting_review)

    def page(self, limit: int, after: str | None) -> tuple[list[Post], str | None]:
        found = [(key, post.model_copy(deep=True)) for key, post in self._waiting() if after is None or key > after]
        if len(found) > limit:
            return [p for _, p in found[:limit]], found[limit - 1][0]
        return [p for _, p in found], None

    def count(self) -> int:
        return len(self._waiting())
