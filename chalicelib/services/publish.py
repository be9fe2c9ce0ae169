"""Public copies: the anonymous first page of every feed and every public post page, as static JSON objects.

The table's stream says which posts changed (`PostChange`); the publisher never writes what a change record
carries. For each post it reads the post as it stands now (a strongly consistent read) and writes its page, or
deletes the page when the public may not read the post whole (hidden, police-only, gone). Then it rewrites the
first page of every feed the post shows in, or showed in: all boards, its board, and every board for a global
pin. So a record delivered twice, or late, rewrites the newest state again and never an older one. Every minute
`refresh_feeds` catches what no write marks: a pin that ran out, and feeds that have no copy yet.

A feed is read from the table's indexes, which lag a write by a moment: the page is checked against each changed
post as read (it must show that very version, or not show a hidden one) and read again while it disagrees;
`StaleIndex` if it still does, so the stream delivers the batch again. Two writers of one feed (two shards at
once) do not overwrite each other: each write is conditional on the object it read (`objects.write` returns False
when another came between, and the feed is read again).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from chalicelib.domain.boards import BOARDS
from chalicelib.domain.posts import Post
from chalicelib.services.feeds import Feed, Feeds
from chalicelib.services.ports import Clock, PostDetail, PostRepository

FEED_LIMIT = 20  # the page's first page, and the API's default
# Short-lived at the edge; a stale copy may be served for a while, while the edge fetches the new one.
CACHE_CONTROL = "public, max-age=15, stale-while-revalidate=30"
PREFIX = "data/"
PIN_WINDOW = timedelta(minutes=10)  # a pin that ran out this recently still rewrites the feeds (missed minutes)
TRIES = 4  # reads of a feed whose index has not caught up with a change yet


def feed_key(board: str | None) -> str:
    """Return the object key of a feed's first page (`data/feed.json`, `data/feed/<board>.json`)."""
    return f"{PREFIX}feed.json" if board is None else f"{PREFIX}feed/{board}.json"


def post_key(post_id: str) -> str:
    """Return the object key of a post's public page (`data/posts/<id>.json`)."""
    return f"{PREFIX}posts/{post_id}.json"


@dataclass(frozen=True)
class PostChange:
    """A post whose item, reply or timeline changed, with what its stored images said of where it was shown."""

    post_id: str
    boards: frozenset[str] = frozenset()
    global_pin: bool = False


@dataclass
class Published:
    """What one run did: keys that now hold the current copy (written, or equal already), keys deleted, and paths
    the edge was told to forget."""

    written: list[str]
    deleted: list[str]
    invalidated: list[str]


class StaleIndex(Exception):
    """A feed's index still disagrees with a post as read: deliver the change again later."""


class PublicObjects(Protocol):
    """The bucket of public copies (adapters.s3_public)."""

    def etag(self, key: str) -> str | None:
        """Return the object's ETag, or None when there is none."""

    def write(self, key: str, body: bytes, etag: str | None, cache_control: str) -> bool:
        """Write JSON unless it is the same as stored; only over the object of `etag` (None: only if there is
        none). Return False when another writer came between."""

    def delete(self, key: str) -> bool:
        """Delete an object; return whether there was one."""

    def invalidate(self, paths: list[str]) -> None:
        """Tell the edge to forget these paths (no edge configured: nothing)."""


class PublicRender(Protocol):
    """The API's answers to an anonymous reader, as bytes (api.public)."""

    def feed(self, feed: Feed, now: datetime) -> bytes:
        """Return `GET /posts[?board=]` (first page) as the API writes it to an anonymous reader."""

    def detail(self, detail: PostDetail, now: datetime) -> bytes:
        """Return `GET /posts/{id}` as the API writes it to an anonymous reader."""


class Publisher:
    """Rewrites the public copies a set of changed posts touches, from the table as it stands."""

    def __init__(
        self,
        posts: PostRepository,
        feeds: Feeds,
        objects: PublicObjects,
        render: PublicRender,
        clock: Clock,
        pause: Callable[[float], None] = time.sleep,
    ) -> None:
        self.posts, self.feeds, self.objects, self.render = posts, feeds, objects, render
        self.clock, self.pause = clock, pause

    def publish(self, changes: Iterable[PostChange]) -> Published:
        """Rewrite (or delete) each changed post's page, then the feeds they show or showed in."""
        now = self.clock.now()
        done = Published([], [], [])
        current: dict[str, Post | None] = {}
        boards: set[str | None] = {None}
        everywhere = False
        try:
            for change in _merged(changes):
                post = self._post(change.post_id, now, done)
                current[change.post_id] = post
                boards |= change.boards | ({post.board} if post else set())
                everywhere |= change.global_pin or _global(post)
            if not current:
                return done
            for board in [None, *(b.id for b in BOARDS)] if everywhere else sorted(boards, key=lambda b: b or ""):
                self._feed(board, current, now, done)
        finally:  # what was withdrawn leaves the edge even when the run fails later (its retry deletes nothing)
            if done.invalidated:
                self.objects.invalidate(done.invalidated)
        return done

    def refresh_feeds(self) -> Published:
        """Rewrite the feeds of posts whose pin ran out in the last minutes (no write marks that), and write every
        feed's copy when there is none (a new stack, or copies lost): run every minute. The pins are each feed's
        as they stood `PIN_WINDOW` ago (one small Query per feed: its pins and a post); a pin that ran out before
        that was put back among the posts by some read of its feed since, a write the stream has carried here."""
        now = self.clock.now()
        lapsed: dict[str, PostChange] = {}
        for board in [None, *(b.id for b in BOARDS)]:
            for p in self.posts.feed(board, 1, None, now - PIN_WINDOW).pinned:
                if p.pin is not None and p.pin.until is not None and p.pin.until <= now:
                    lapsed[p.id] = PostChange(p.id, frozenset({p.board}), _global(p))
        if lapsed:
            return self.publish(lapsed.values())
        done = Published([], [], [])
        if self.objects.etag(feed_key(None)) is None:
            for board in [None, *(b.id for b in BOARDS)]:
                self._feed(board, {}, now, done)
        return done

    def _post(self, post_id: str, now: datetime, done: Published) -> Post | None:
        """Write (or delete) a post's page from the post as it stands; return the post read (None: gone).

        The object's ETag is read before the post, so a page written over is the one seen then; and after a write
        the post is read again: a hide that committed meanwhile may have found no page to delete (its run came
        between this one's reads), so this run deletes it. Return the post as last read."""
        key = post_key(post_id)
        for _ in range(TRIES):  # one writer per post (its stream shard), but the pin refresh may race it
            etag = self.objects.etag(key)
            detail = self.posts.detail(post_id, consistent=True)
            if detail is None or not detail.post.shown_publicly:
                self._withdraw(key, done)
                return detail.post if detail else None
            if not self.objects.write(key, self.render.detail(detail, now), etag, CACHE_CONTROL):
                continue
            latest = self.posts.detail(post_id, consistent=True)
            again = latest.post if latest else None
            if again is None or not again.shown_publicly:
                self._withdraw(key, done)
                return again
            done.written.append(key)
            return detail.post
        raise StaleIndex(f"{key} kept changing under the writer")

    def _hidden_since(self, feed: Feed) -> bool:
        """Tell whether a card of the page is of a post hidden (or gone) by now: the index may lag a hide whose
        own run has already written this feed, and this write would put the card back (one strongly consistent
        batch read of the page's posts)."""
        cards = [*feed.pinned, *feed.posts]
        latest = {p.id: p for p in self.posts.current([c.id for c in cards])}
        return any(card.id not in latest or latest[card.id].hidden for card in cards)

    def _withdraw(self, key: str, done: Published) -> None:
        if self.objects.delete(key):
            done.deleted.append(key)
            done.invalidated.append(f"/{key}")

    def _feed(self, board: str | None, current: dict[str, Post | None], now: datetime, done: Published) -> None:
        key = feed_key(board)
        for attempt in range(TRIES):
            etag = self.objects.etag(key)
            feed = self.feeds.feed(board, None, FEED_LIMIT)
            if not all(_agrees(feed, board, post_id, post, now) for post_id, post in current.items()):
                self.pause(0.2 * (attempt + 1))
                continue
            if self._hidden_since(feed):
                self.pause(0.2 * (attempt + 1))
                continue
            if self.objects.write(key, self.render.feed(feed, now), etag, CACHE_CONTROL):
                done.written.append(key)
                if done.deleted:  # a post just withdrawn: the edge must not keep serving it
                    done.invalidated.append(f"/{key}")
                return
        raise StaleIndex(f"{key}: the feed index has not caught up with {sorted(current)}")


def _global(post: Post | None) -> bool:
    """Tell whether a post carries a pin for every board (it shows on every feed while the pin lasts)."""
    return post is not None and post.pin is not None and post.pin.scope == "global"


def _merged(changes: Iterable[PostChange]) -> list[PostChange]:
    """Merge the changes of one post (a batch holds many records of a post: its item, replies, timeline)."""
    merged: dict[str, PostChange] = {}
    for change in changes:
        seen = merged.get(change.post_id)
        if seen is not None:
            change = PostChange(change.post_id, seen.boards | change.boards, seen.global_pin or change.global_pin)
        merged[change.post_id] = change
    return list(merged.values())


def _agrees(feed: Feed, board: str | None, post_id: str, post: Post | None, now: datetime) -> bool:
    """Tell whether a feed's first page shows a post as read (or newer), or not at all where it must not."""
    shown = {p.id: p for p in (*feed.pinned, *feed.posts)}.get(post_id)
    if post is None or post.hidden:
        return shown is None
    if shown is not None:  # that version, or one written since (the next record of it rewrites the feed again)
        return shown.version >= post.version and shown.reply_count >= post.reply_count
    if post.is_pinned(now) and post.pin is not None and (post.pin.scope == "global" or post.board == board):
        return False  # a pin shows on the first page
    if board is not None and post.board != board:
        return True
    if feed.next_cursor is None or not feed.posts:
        return False  # the page holds every post of the feed: this one belongs on it
    last = feed.posts[-1]
    return (post.created_at, post.id) < (last.created_at, last.id)  # older than the page: not on it
