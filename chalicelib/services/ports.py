"""The ports the use cases see; adapters implement them, tests fake them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from chalicelib.domain.messages import CHANNELS
from chalicelib.domain.people import Officer, Routing, Unit, User
from chalicelib.domain.photos import Photo, Upload
from chalicelib.domain.posts import Event, Post, Reply


@dataclass(frozen=True)
class FeedPage:
    """One page of posts, newest first, where the next page starts, and (a public feed's first page) the pins."""

    posts: list[Post]
    next_key: str | None
    pinned: list[Post] = field(default_factory=list)


@dataclass(frozen=True)
class Count:
    """Counters of the public figures, added in the same transaction as the write that makes them true."""

    scopes: tuple[str, ...]
    counters: Mapping[str, int]
    day: str  # the Beijing date they count on


@dataclass(frozen=True)
class PostDetail:
    """A post with its replies and timeline, each oldest first."""

    post: Post
    replies: list[Reply]
    events: list[Event]


@dataclass(frozen=True)
class OtpRecord:
    """A pending one-time code, kept as a hash."""

    phone: str
    code_hash: str
    expires_at: datetime
    tries: int = 0


@dataclass(frozen=True)
class IdempotencyRecord:
    """What a request with an Idempotency-Key produced."""

    request_hash: str
    result_id: str


Idempotency = tuple[str, IdempotencyRecord]  # the scope (account and key) and what the request produced


@dataclass(frozen=True)
class WorkFilter:
    """A workbench filter: one board, one district (None: any)."""

    board: str | None = None
    district: str | None = None


@dataclass(frozen=True)
class WorkMark:
    """A post of a work view, as the command-center board counts it."""

    post_id: str
    unit_id: str
    escalation_level: int


class WorkIndex(Protocol):
    """The workbench's reads of the posts' queue index (domain/work.py decides the views)."""

    def work_page(
        self, unit: str | None, view: str, now: datetime, limit: int, after: str | None, only: WorkFilter
    ) -> FeedPage:
        """Return a page of a view of a unit's queue (None: every unit's) in the view's order."""

    def work_count(self, unit: str | None, view: str, now: datetime, only: WorkFilter) -> int:
        """Return how many posts a view of a unit's queue (None: every unit's) holds."""

    def work_marks(self, view: str, now: datetime) -> list[WorkMark]:
        """Return every post of a view of every unit's queue, as unit and escalation level."""


class PostRepository(WorkIndex, Protocol):
    """Posts, their replies and their timelines (and the work queue their index entries make)."""

    def add(
        self, post: Post, event: Event, idempotency: Idempotency | None = None, claims: Sequence[Upload] = ()
    ) -> None:
        """Store a new post with its first timeline entry (and its idempotency record), claiming its uploads in
        the same transaction (ValidationFailed if one is used already or not its author's)."""

    def get(self, post_id: str) -> Post | None:
        """Return a post, or None."""

    def current(self, ids: Sequence[str]) -> list[Post]:
        """Return the posts of these ids that exist, as they stand (a strongly consistent batch read)."""

    def detail(self, post_id: str, consistent: bool = False) -> PostDetail | None:
        """Return a post with its replies and timeline in one read (`consistent`: a strongly consistent one)."""

    def update(
        self,
        post: Post,
        expected_version: int,
        events: Sequence[Event] = (),
        before: Post | None = None,
        count: Count | None = None,
    ) -> None:
        """Save a changed post and its new timeline entries (and add `count` to the figures), in one transaction,
        if its stored version is still `expected_version` (else StaleVersion). `before`, the post as read, tells
        which copies of its card in other boards' feeds (a global pin's) the same transaction must delete.

        The post must carry `expected_version + 1` (ValueError otherwise): every write bumps the version, so a
        writer holding an older copy can never overwrite it (services.store.PostStore, the only writer, bumps it).
        Counters (replies, flags) are atomic ADDs, kept; a reply counted since the copy was read is merged into it
        before it is written, so its place in the work queue is worked out from the replies as stored.
        """

    def add_reply(
        self,
        reply: Reply,
        event: Event | None = None,
        idempotency: Idempotency | None = None,
        post: Post | None = None,
        claims: Sequence[Upload] = (),
    ) -> None:
        """Store a reply and count it on its post, atomically (Conflict if the idempotency scope is taken), claiming
        its uploads in the same transaction.

        Given the post as read, also move it in the work queue (domain.work.after_reply), if it is still that
        version (StaleVersion otherwise: read it again)."""

    def reply(self, post_id: str, created_ms: int, reply_id: str) -> Reply | None:
        """Return a stored reply by its creation time (epoch ms) and id, or None."""

    def set_reply_photos(self, reply: Reply, photos: tuple[Photo, ...]) -> None:
        """Replace a stored reply's photos (an admin's removal of one)."""

    def feed(self, board: str | None, limit: int, after: str | None, now: datetime) -> FeedPage:
        """Return a page of a public feed (every board's, or one board's), never a hidden post: on the first page
        (no `after`) the pins in force at `now` too, global ones first, then the board's, the newest pin first;
        then posts newest first, never one pinned there. Posts are cards: `body` is its head (`Post.head_of`)."""

    def by_author(self, author: str, limit: int, after: str | None) -> FeedPage:
        """Return a page of an author's own posts, newest first, hidden ones included."""

    def count_flag(self, post_id: str) -> int:
        """Add one flag to a post atomically; return the new count (NotFound if there is no such post)."""

    def reschedule(self, post: Post, at: datetime) -> None:
        """Move the next check of a post as read to `at` and bump its version, if still the version read (else
        StaleVersion)."""

    def due(self, now: datetime, limit: int, after: str | None = None) -> FeedPage:
        """Return a page of posts whose next check (dispatch grace or deadline) is at or before `now`, soonest
        first, starting after the key a previous page ended on (`next_key`: None once nothing is left)."""


class UserRepository(Protocol):
    """Citizen accounts."""

    def by_phone(self, phone: str) -> User | None:
        """Return the account of a phone, or None."""

    def get(self, user_id: str) -> User | None:
        """Return an account, or None."""

    def create(self, user: User) -> User:
        """Store a new account; if the phone already has one, return that instead."""

    def set_nickname(self, user_id: str, nickname: str) -> User:
        """Change an account's nickname."""

    def verify(self, user_id: str) -> User:
        """Mark an account verified: its phone signed in with a code."""


class DirectoryRepository(Protocol):
    """Units, officers and routing rules."""

    def units(self) -> list[Unit]:
        """Return every unit."""

    def unit(self, unit_id: str) -> Unit | None:
        """Return a unit, or None."""

    def put_unit(self, unit: Unit) -> None:
        """Create or replace a unit."""

    def officer(self, officer_id: str, consistent: bool = False) -> Officer | None:
        """Return an officer, or None (`consistent`: as of now, for deciding what a session may do)."""

    def officers(self) -> list[Officer]:
        """Return every officer."""

    def officer_by_phone(self, phone: str) -> Officer | None:
        """Return the officer with this phone, or None."""

    def unit_with_officers(self, unit_id: str) -> tuple[Unit | None, list[Officer]]:
        """Return a unit and its officers, read at once (the unit None if it is not in the directory)."""

    def officers_of(self, unit_id: str) -> list[Officer]:
        """Return the officers of a unit."""

    def put_officer(self, officer: Officer) -> None:
        """Create or replace an officer (with its session stamp)."""

    def remove_officer(self, officer_id: str) -> None:
        """Delete an officer and the record of its subscriptions (nothing if unknown)."""

    def subscriptions(self, officer_id: str) -> list[str]:
        """Return the ids of the officer's notification subscriptions."""

    def set_subscriptions(self, officer_id: str, ids: list[str]) -> None:
        """Remember the ids of the officer's notification subscriptions."""

    def templates(self) -> list[tuple[str, str]] | None:
        """Return the bureau's reply templates, or None where it keeps the defaults."""

    def put_templates(self, templates: list[tuple[str, str]]) -> None:
        """Replace the reply templates."""

    def routing(self) -> Routing:
        """Return the routing rules."""

    def put_routing(self, routing: Routing) -> None:
        """Replace the routing rules."""


class OtpRepository(Protocol):
    """Pending one-time codes."""

    def put(self, record: OtpRecord) -> None:
        """Store (or replace) the code of a phone."""

    def get(self, phone: str) -> OtpRecord | None:
        """Return the pending code of a phone, or None."""

    def take_try(self, phone: str, limit: int) -> OtpRecord | None:
        """Count one try if fewer than `limit` were made, atomically; return the record as counted, else None."""

    def consume(self, phone: str, code_hash: str) -> bool:
        """Delete the code of a phone if it is still this one; True for the one caller that deleted it."""

    def delete(self, phone: str) -> None:
        """Forget the code of a phone."""


class IdempotencyStore(Protocol):
    """Results of requests that carried an Idempotency-Key."""

    def get(self, scope: str) -> IdempotencyRecord | None:
        """Return the record for an account's key, or None."""


class DispatchQueue(Protocol):
    """The queue that hands work (dispatch, notices) to the dispatcher."""

    def enqueue(self, post_id: str, kind: str = "dispatch", **extra: str) -> None:
        """Send one work message about a post."""


class NoticeLedger(Protocol):
    """Remembers which one-time effects (a notice, a count) already happened."""

    def claim(self, post_id: str, key: str, now: datetime, stale_after: int = 60) -> bool:
        """Claim an effect; True if this caller should carry it out (new, or a stale unfinished claim)."""

    def claim_many(self, post_id: str, keys: Sequence[str], now: datetime, stale_after: int = 60) -> set[str]:
        """Claim several effects of a post at once; return the keys this caller should carry out."""

    def confirm(self, post_id: str, key: str) -> None:
        """Mark a claimed effect as done for good."""

    def confirm_many(self, post_id: str, keys: Sequence[str]) -> None:
        """Mark several claimed effects of a post as done for good, at once."""

    def release(self, post_id: str, key: str) -> None:
        """Give a claim back after the effect failed, so a retry can take it."""


class OfficerChannel(Protocol):
    """E-mail to one officer (an SNS topic with a filter policy per officer)."""

    def notify(self, officer_id: str, subject: str, text: str) -> None:
        """Send an e-mail to one officer (nothing arrives if the officer has no address)."""

    def sync(self, officer: Officer, current: list[str]) -> list[str]:
        """Make the officer's subscriptions match the directory; return their ids."""

    def drop(self, current: list[str]) -> None:
        """End these subscriptions (an officer who left the directory)."""


class StatsRepository(Protocol):
    """Aggregate counters, platform-wide and per unit."""

    def add_once(self, post_id: str, key: str, scopes: list[str], counters: dict[str, int], day: str) -> bool:
        """Add counters for a fact of a post unless it was counted under `key` before (False then): the post's
        ledger entry and the counts in one transaction."""

    def note(self, count: Count) -> None:
        """Take note of counters a post's own transaction added (they are stored already: metrics only)."""

    def add(self, scopes: list[str], counters: dict[str, int], day: str | None = None) -> None:
        """Add to counters atomically in each scope (`all` or a unit id), and to that day's (YYYY-MM-DD) if given."""

    def all(self) -> dict[str, dict[str, int]]:
        """Return every scope's counters."""

    def days(self, scope: str, first: str, last: str) -> dict[str, dict[str, int]]:
        """Return one scope's counters of each day from first to last (YYYY-MM-DD) that has any."""


@dataclass(frozen=True)
class ReplyLink:
    """A notification link: which officer may act on which post, until when (kept by its hash only)."""

    officer_id: str
    post_id: str
    expires_at: datetime
    sessions: str = ""  # the officer's session stamp when the link was made: void once the stamp changes


class LinkStore(Protocol):
    """Reply links, found by the hash of their code."""

    def put(self, code_hash: str, link: ReplyLink) -> None:
        """Remember a link under the hash of its code."""

    def put_many(self, links: Mapping[str, ReplyLink]) -> None:
        """Remember several links (code hash -> link) at once."""

    def get(self, code_hash: str) -> ReplyLink | None:
        """Return the link with this code hash, or None."""


class SmsSender(Protocol):
    """Sends pre-approved SMS templates (domain/messages.SMS_TEMPLATES) to phones."""

    def send(self, phone: str, template: str, params: dict[str, str]) -> None:
        """Send one SMS: the template of that key with these parameters (Unavailable on a passing fault,
        Undeliverable when the provider refuses the number for good)."""


@dataclass(frozen=True)
class Contact:
    """How to reach an account besides its phone: its bound WeChat openid and its channels, in order."""

    account_id: str
    openid: str | None = None
    notify: tuple[str, ...] = CHANNELS
    stamp: str = ""  # an officer's session stamp when the openid was bound: void once the stamp changes


@dataclass(frozen=True)
class Binding:
    """Which account an openid is bound to (and, for an officer, under which session stamp)."""

    account_id: str
    stamp: str = ""


class ContactBook(Protocol):
    """WeChat bindings (both ways) and each account's choice of channels."""

    def contact(self, account_id: str) -> Contact:
        """Return an account's contact (no openid and every channel if it never bound or chose)."""

    def contacts(self, account_ids: Sequence[str]) -> dict[str, Contact]:
        """Return the contact of each account, read at once."""

    def account_of(self, openid: str) -> Binding | None:
        """Return the binding of an openid, or None."""

    def bind(self, account_id: str, openid: str, now: datetime, stamp: str = "") -> None:
        """Bind an openid to an account, replacing the account's old one (Conflict if another account has it)."""

    def unbind(self, account_id: str) -> None:
        """Forget an account's openid (nothing if none)."""

    def set_notify(self, account_id: str, channels: tuple[str, ...]) -> None:
        """Store an account's channels, in the order it wants them."""


class Vouchers(Protocol):
    """Single-use secrets (WeChat sign-in `state`, tickets), kept by their hash until used or expired."""

    def put(self, kind: str, digest: str, data: dict[str, str], expires_at: datetime) -> None:
        """Remember a voucher of a kind under the hash of its secret."""

    def take(self, kind: str, digest: str, now: datetime) -> dict[str, str] | None:
        """Use a voucher up, atomically: its data for the one caller that took it unexpired, else None."""


class Wechat(Protocol):
    """The bureau's WeChat official account: web sign-in (公众号网页授权) and notices (订阅通知 / 模板消息).

    Permanent refusals (the user declined notices: 43101; an unknown openid: 40003) raise Undeliverable;
    passing faults raise Unavailable; a bad, used or expired sign-in code raises ValidationFailed.
    """

    def authorize_url(self, redirect_uri: str, state: str) -> str:
        """Return the address of WeChat's authorize page for this redirect and state."""

    def openid(self, code: str) -> str:
        """Exchange a sign-in code for the user's openid."""

    def send(self, openid: str, template_id: str, fields: dict[str, str], url: str) -> None:
        """Send one notice of a template, with its fields, opening `url` when tapped."""

    def jsapi_ticket(self) -> str:
        """Return the current JS-SDK ticket (for the share card's signature)."""


class Clock(Protocol):
    """Tells the time."""

    def now(self) -> datetime:
        """Return the current time, timezone-aware."""
