"""Reading: the feeds and a post's page."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain import access
from chalicelib.domain.boards import BOARDS_BY_ID
from chalicelib.domain.errors import NotFound, ValidationFailed
from chalicelib.domain.people import Actor
from chalicelib.domain.posts import Post
from chalicelib.services.cursors import CursorCodec
from chalicelib.services.ports import Clock, PostDetail, PostRepository


@dataclass(frozen=True)
class Feed:
    """The pinned posts (first page only) and a page of the rest, newest first."""

    pinned: list[Post]
    posts: list[Post]
    next_cursor: str | None


class Feeds:
    """The public feed, a board's feed, the caller's own posts and a post's page."""

    def __init__(self, posts: PostRepository, cursors: CursorCodec, clock: Clock) -> None:
        self.posts, self.cursors, self.clock = posts, cursors, clock

    def feed(self, board: str | None, cursor: str | None, limit: int) -> Feed:
        """Return pinned posts first (first page only), then newest first, never repeating pins: one read."""
        if board is not None and board not in BOARDS_BY_ID:
            raise ValidationFailed("没有这个板块", {"board": f"unknown board {board!r}"})
        view = board or "*"
        after = self.cursors.decode(cursor, view) if cursor else None
        page = self.posts.feed(board, limit, after, self.clock.now())
        next_cursor = self.cursors.encode(page.next_key, view) if page.next_key else None
        return Feed(pinned=page.pinned, posts=page.posts, next_cursor=next_cursor)

    def my_posts(self, actor: Actor, cursor: str | None, limit: int) -> Feed:
        """Return the caller's own posts, newest first (hidden ones included)."""
        access.require_signed_in(actor)
        view = f"author:{actor.user_id}"
        after = self.cursors.decode(cursor, view) if cursor else None
        page = self.posts.by_author(actor.user_id, limit, after)
        next_cursor = self.cursors.encode(page.next_key, view) if page.next_key else None
        return Feed(pinned=[], posts=page.posts, next_cursor=next_cursor)

    def detail(self, actor: Actor, post_id: str) -> PostDetail:
        """Return a post with its replies and timeline."""
        detail = self.posts.detail(post_id)
        if detail is None or not access.may_see(actor, detail.post):
            raise NotFound("帖子不存在或已被隐藏")
        return detail
