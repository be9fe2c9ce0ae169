"""The review queue (审核): posts held on sensitive words, hidden by citizens' flags, and protected posts (the
police's, pinned ones) that flags asked a reviewer to look at; oldest first, decided once.

A post waits while it carries `review_since` (domain/posts.py): the table's item mapping puts it in a sparse
index (GSI9, keys.py), so a page is one Query and the count one Query of counts, never a scan. A decision goes
through PostStore against the version read: of two reviewers deciding at once one wins, the other gets 409.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from chalicelib.domain import access
from chalicelib.domain.errors import Conflict, Forbidden, NotFound, StaleVersion
from chalicelib.domain.people import Actor
from chalicelib.domain.posts import Post
from chalicelib.services.audit import Auditor, snapshot
from chalicelib.services.cursors import CursorCodec
from chalicelib.services.ports import Clock
from chalicelib.services.staff import Staff
from chalicelib.services.store import PostStore

Decision = Literal["publish", "hide"]
VIEW = "review"  # the cursors' view


class ReviewIndex(Protocol):
    """The posts awaiting review, oldest first (a sparse index)."""

    def page(self, limit: int, after: str | None) -> tuple[list[Post], str | None]:
        """Return up to `limit` posts after a position, and the position of the last if more may follow."""

    def count(self) -> int:
        """Return how many posts await review."""


@dataclass(frozen=True)
class ReviewPage:
    """A page of the queue, the whole queue's size and the cursor of the next page."""

    posts: list[Post]
    count: int
    next_cursor: str | None


class Review:
    """Reading and deciding the review queue (leaders, the command center, admins)."""

    def __init__(
        self, index: ReviewIndex, store: PostStore, staff: Staff, cursors: CursorCodec, clock: Clock, auditor: Auditor
    ) -> None:
        self.index, self.store, self.staff, self.cursors = index, store, staff, cursors
        self.clock, self.auditor = clock, auditor

    def require_reviewer(self, actor: Actor) -> None:
        """Admit leaders, admins and officers of the command center (signed in, not through a reply link)."""
        access.require_signed_in(actor)
        if actor.link_post_id is not None or not actor.is_police:
            raise Forbidden("只有局领导、指挥中心和管理员可以审核")
        if actor.role in ("leader", "admin"):
            return
        if not access.is_command_center(self.staff.unit_of(actor)()):
            raise Forbidden("只有局领导、指挥中心和管理员可以审核")

    def page(self, actor: Actor, cursor: str | None, limit: int) -> ReviewPage:
        """Return the oldest posts awaiting review, with the queue's count."""
        self.require_reviewer(actor)
        after = self.cursors.decode(cursor, VIEW) if cursor else None
        posts, last = self.index.page(limit, after)
        return ReviewPage(posts, self.index.count(), self.cursors.encode(last, VIEW) if last else None)

    def count(self) -> int:
        """Return how many posts await review (the command-center board shows it)."""
        return self.index.count()

    def decide(self, actor: Actor, post_id: str, decision: Decision, note: str | None) -> Post:
        """Publish or hide a post awaiting review, once; audited with the note."""
        self.require_reviewer(actor)
        read = self.store.get(post_id)
        if read is None:
            raise NotFound("帖子不存在")
        if not read.awaiting_review:
            raise Conflict("该帖子不在审核队列中（可能已被他人审核）")
        try:
            post = self.store.save(read, read.decide_review(decision == "publish", self.clock.now()))
        except StaleVersion as raced:
            raise Conflict("该帖子刚被他人审核或更新，请刷新后重试") from raced
        after = {**snapshot(post), "decision": decision, "note": note}
        self.auditor.log(actor, f"review_{decision}", f"post:{post.id}", snapshot(read), after)
        return post
