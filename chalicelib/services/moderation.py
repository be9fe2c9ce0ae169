"""Moderation: flags from citizens, holds on sensitive words, hiding by admins, the audit trail."""

from __future__ import annotations

import logging
from typing import Protocol

from chalicelib.domain.errors import Forbidden, NotFound, StaleVersion
from chalicelib.domain.people import Actor
from chalicelib.domain.posts import Post
from chalicelib.services.audit import Auditor, snapshot
from chalicelib.services.forum import Forum
from chalicelib.services.ports import NoticeLedger

log = logging.getLogger(__name__)
FLAGS_TO_HIDE = 3


class FlagCounter(Protocol):
    """Counts the distinct accounts that flagged a post."""

    def count_flag(self, post_id: str) -> int:
        """Add one flag to a post atomically; return the new count."""


class Moderation:
    """Flags, hiding and unhiding, and writing the audit trail."""

    def __init__(self, forum: Forum, ledger: NoticeLedger, flags: FlagCounter, auditor: Auditor) -> None:
        self.forum, self.posts, self.clock = forum, forum.posts, forum.clock
        self.ledger, self.flags, self.auditor = ledger, flags, auditor

    def flag(self, actor: Actor, post_id: str, reason: str) -> None:
        """Flag a post once per account; the third distinct account hides it pending review."""
        self.forum.require_signed_in(actor)
        post = self.forum.visible_post(post_id, actor)
        if actor.link_post_id is not None and actor.link_post_id != post.id:
            raise Forbidden("通知链接只能用于处理对应的帖子")
        if post.visibility == "police_only" and not self.forum.sees_whole(actor, post):
            raise Forbidden("该线索仅警方可见,不能举报")
        if not self.ledger.claim(post.id, f"flag#{actor.user_id}", self.clock.now(), stale_after=10**9):
            return
        self.ledger.confirm(post.id, f"flag#{actor.user_id}")
        count = self.flags.count_flag(post.id)
        if count >= FLAGS_TO_HIDE and not post.hidden:
            self.set_hidden(Actor(role="admin", user_id="system", nickname="系统"), post.id, True, "flagged")

    def set_hidden(self, actor: Actor, post_id: str, hidden: bool, reason: str | None) -> Post:
        """Hide or unhide a post (admins, or the system on flags)."""
        for _ in range(5):
            post = self.posts.get(post_id)
            if post is None:
                raise NotFound("帖子不存在")
            if post.hidden == hidden:
                return post
            before, expected = snapshot(post), post.version
            post.hidden, post.hidden_reason = hidden, reason if hidden else None
            post.version += 1
            post.updated_at = self.clock.now()
            try:
                self.posts.update(post, expected)
            except StaleVersion:
                continue
            self.auditor.log(actor, "hide" if hidden else "unhide", f"post:{post.id}", before, snapshot(post))
            return post
        raise StaleVersion("帖子正在被频繁更新,请重试")
