"""The unit of work for posts: every write of a post goes through `PostStore`.

It writes the post (its version checked against the copy read, and bumped), the timeline entries the change
caused and any idempotency record in one transaction, then hands the follow-up messages to the queue. A message
that cannot be sent is logged and the stored change stands: a dispatch is sent again by the sweep (a post still
`received` is due two minutes on), and notices are best effort.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from chalicelib.domain import access
from chalicelib.domain.actors import Actor
from chalicelib.domain.errors import NotFound, StaleVersion
from chalicelib.domain.photos import Photo, Upload
from chalicelib.domain.posts import Changed, Event, Post, Reply
from chalicelib.services.ports import Count, DispatchQueue, FeedPage, Idempotency, PostDetail, PostRepository

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    """Follow-up work about a post, for the dispatcher (services.dispatch.Dispatcher.handle)."""

    kind: str
    extra: Mapping[str, str] = field(default_factory=dict)


class PostStore:
    """Loads posts and writes them back, with their timeline, as one transaction each; then queues the work."""

    def __init__(
        self, posts: PostRepository, queue: DispatchQueue, follow: Callable[[PostDetail], None] | None = None
    ) -> None:
        """`follow`: makes the public copies of a post's photos follow it (services.photos.Photos.follow)."""
        self.posts, self.queue, self.follow = posts, queue, follow

    def get(self, post_id: str) -> Post | None:
        """Return a post as stored, or None."""
        return self.posts.get(post_id)

    def detail(self, post_id: str) -> PostDetail | None:
        """Return a post with its replies and timeline."""
        return self.posts.detail(post_id)

    def due(self, now: datetime, limit: int, after: str | None = None) -> FeedPage:
        """Return a page of posts whose next check (dispatch grace or deadline) is at or before `now`."""
        return self.posts.due(now, limit, after)

    def recent_of(self, author_id: str, limit: int) -> list[Post]:
        """Return an author's newest posts."""
        return self.posts.by_author(author_id, limit, None).posts

    def visible(self, actor: Actor, post_id: str) -> Post:
        """Return a post the caller may see (404 for a missing one and for a hidden one they may not)."""
        post = self.posts.get(post_id)
        if post is None or not access.may_see(actor, post):
            raise NotFound("帖子不存在或已被隐藏")
        return post

    def create(
        self,
        post: Post,
        event: Event,
        idempotency: Idempotency | None = None,
        messages: Sequence[Message] = (),
        claims: Sequence[Upload] = (),
    ) -> None:
        """Store a new post with its first timeline entry (and idempotency record), claiming its uploads; then
        queue the messages."""
        self.posts.add(post, event, idempotency=idempotency, claims=claims)
        self.send(post.id, messages)

    def save(
        self, read: Post, change: Changed | Post, messages: Sequence[Message] = (), count: Count | None = None
    ) -> Post:
        """Write a change of the post read as `read` (with the figures it adds to, in the same transaction):
        StaleVersion if it was written since; return the post stored."""
        changed, events = change if isinstance(change, Changed) else (change, ())
        stored = changed.model_copy(update={"version": read.version + 1})
        self.posts.update(stored, read.version, events, before=read, count=count)
        if read.shown_publicly != stored.shown_publicly:
            self.follow_photos(stored.id, strict=False)
        self.send(stored.id, messages)
        return stored

    def follow_photos(self, post_id: str, strict: bool = True) -> None:
        """Publish or withdraw the photos of a post and its replies as it now stands (hidden: withdrawn at once).
        Not strict (in a request): a failure is logged and left to the dispatcher (`photos` message), which
        raises, so SQS tries again."""
        if self.follow is None:
            return
        try:
            detail = self.posts.detail(post_id)
            if detail is not None:
                self.follow(detail)
        except Exception:
            if strict:
                raise
            log.exception("could not update the photos' public copies", extra={"post_id": post_id})
            self.send(post_id, [Message("photos")])

    def retry(self, post_id: str, decide: Callable[[Post], Changed | Post | None], tries: int = 5) -> Post:
        """Read, decide and save until no other writer came between (`decide` returns None: nothing to write)."""
        for _ in range(tries):
            read = self.posts.get(post_id)
            if read is None:
                raise NotFound("帖子不存在")
            change = decide(read)
            if change is None:
                return read
            try:
                return self.save(read, change)
            except StaleVersion:
                continue
        raise StaleVersion("帖子正在被频繁更新，请重试")

    def add_reply(
        self,
        reply: Reply,
        event: Event | None,
        idempotency: Idempotency | None,
        messages: Sequence[Message] = (),
        read: Post | None = None,
        tries: int = 5,
        claims: Sequence[Upload] = (),
    ) -> None:
        """Store a reply, count it on its post and note it on the timeline, atomically; then queue the messages.

        Given the post as read, the same write moves it in the work queue (an official reply out of due or
        follow-ups, the author's into follow-ups); a post written since is read again (no reply is lost)."""
        for _ in range(tries):
            try:
                self.posts.add_reply(reply, event, idempotency=idempotency, post=read, claims=claims)
                break
            except StaleVersion:
                read = self.posts.get(reply.post_id)
                if read is None:
                    raise NotFound("帖子不存在") from None
        else:
            raise StaleVersion("帖子正在被频繁更新，请重试")
        self.send(reply.post_id, messages)

    def reply(self, post_id: str, created_ms: int, reply_id: str) -> Reply | None:
        """Return a stored reply, or None."""
        return self.posts.reply(post_id, created_ms, reply_id)

    def set_reply_photos(self, reply: Reply, photos: tuple[Photo, ...]) -> None:
        """Replace a reply's photos (an admin's removal of one)."""
        self.posts.set_reply_photos(reply, photos)

    def reschedule(self, read: Post, at: datetime, message: Message) -> None:
        """Move the post's next check to `at` (StaleVersion if it was written since), then send the message."""
        self.posts.reschedule(read, at)
        self.queue.enqueue(read.id, message.kind, **message.extra)

    def count_flag(self, post_id: str) -> int:
        """Add one flag to a post atomically; return the new count."""
        return self.posts.count_flag(post_id)

    def send(self, post_id: str, messages: Sequence[Message]) -> None:
        """Queue follow-up work once the write is stored; a failure is logged, the stored change stands."""
        for message in messages:
            try:
                self.queue.enqueue(post_id, message.kind, **message.extra)
            except Exception:
                log.exception("could not queue work", extra={"post_id": post_id, "kind": message.kind})
