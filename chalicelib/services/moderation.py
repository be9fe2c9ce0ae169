"""Moderation: flags from citizens, holds on sensitive words, hiding by admins, the audit trail.

Flags are limited per account (services.limits). Only flags of established accounts (older than a day, or
police) count towards hiding, so freshly made accounts cannot silence a post. The third counted flag hides a
post for review, and so does every third after it: once an admin has shown a post again, one more account
cannot overturn that review (the public cannot flag a hidden post, so the count moves on while it is shown).
Police posts and pinned posts are never hidden by flags: at each count that would hide another post they are
recorded for review instead (an audit entry `flag_review` by the system) and stay visible.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Protocol

from chalicelib.domain.boards import POLICE_ONLY_TYPES
from chalicelib.domain.errors import Forbidden, NotFound, StaleVersion, TooManyRequests
from chalicelib.domain.nicknames import CITIZEN_ACCOUNT
from chalicelib.domain.people import Actor
from chalicelib.domain.posts import Post
from chalicelib.services.audit import Auditor, snapshot
from chalicelib.services.forum import Forum
from chalicelib.services.ports import NoticeLedger

log = logging.getLogger(__name__)
FLAGS_TO_HIDE = 3
ESTABLISHED_AFTER = timedelta(days=1)  # an account's flags count towards hiding once it is this old
SYSTEM = Actor(role="admin", user_id="system", nickname="系统")


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
        """Flag a post once per account; the third established account hides it, or sends it to review."""
        self.forum.require_signed_in(actor)
        post = self.forum.visible_post(post_id, actor)
        if actor.link_post_id is not None and actor.link_post_id != post.id:
            raise Forbidden("通知链接只能用于处理对应的帖子")
        if post.visibility == "police_only" and not self.forum.sees_whole(actor, post):
            raise Forbidden("该线索仅警方可见，不能举报")
        key, now = f"flag#{actor.user_id}", self.clock.now()
        if not self.ledger.claim(post.id, key, now, stale_after=10**9):
            return  # this account flagged the post before: a repeat changes nothing and costs nothing
        if not actor.is_police:
            try:
                self.forum.limits.flag(actor.user_id, now)
            except TooManyRequests:
                self.ledger.release(post.id, key)  # a refused flag is not recorded
                raise
        self.ledger.confirm(post.id, key)
        if not self.established(actor, now):
            return  # recorded once per account, but a brand-new account's flag hides nothing
        count = self.flags.count_flag(post.id)
        if count % FLAGS_TO_HIDE:  # every third counted flag: a review settles the flags before it
            return
        if self.protected(post, now):  # stays up; each third counted flag asks for a review
            self.auditor.log(
                SYSTEM,
                "flag_review",
                f"post:{post.id}",
                snapshot(post),
                {**snapshot(post), "flag_count": count, "review": "flagged"},
            )
            return
        if not post.hidden:
            self.set_hidden(SYSTEM, post.id, True, "flagged")

    @staticmethod
    def established(actor: Actor, now: datetime) -> bool:
        """Tell whether an account's flags count towards hiding: the police, or accounts older than a day."""
        if actor.is_police:
            return True
        if actor.account_created is None:
            return False
        return now - datetime.fromtimestamp(actor.account_created, UTC) >= ESTABLISHED_AFTER

    def protected(self, post: Post, now: datetime) -> bool:
        """Tell whether flags may not hide a post: a pinned post, or a post by the police.

        A post by the police is one not written from a citizen account: its author is an officer, in the directory
        or no longer (an officer who left does not turn the bureau's notices into a citizen's posts).
        """
        if post.pinned_at(now) or post.type in POLICE_ONLY_TYPES:
            return True
        if not post.author_id.startswith(CITIZEN_ACCOUNT):
            return True
        return self.forum.directory.officer(post.author_id) is not None

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
        raise StaleVersion("帖子正在被频繁更新，请重试")
