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

from chalicelib.domain import access
from chalicelib.domain.boards import POLICE_ONLY_TYPES
from chalicelib.domain.errors import NotFound
from chalicelib.domain.nicknames import CITIZEN_ACCOUNT
from chalicelib.domain.people import Actor
from chalicelib.domain.posts import Post
from chalicelib.services.audit import Auditor, snapshot
from chalicelib.services.limits import Limits
from chalicelib.services.once import once
from chalicelib.services.photos import Photos
from chalicelib.services.ports import Clock, DirectoryRepository, NoticeLedger
from chalicelib.services.store import PostStore

log = logging.getLogger(__name__)
FLAGS_TO_HIDE = 3
ESTABLISHED_AFTER = timedelta(days=1)  # an account's flags count towards hiding once it is this old
SYSTEM = Actor(role="admin", user_id="system", nickname="系统")
NEVER_STALE = 10**9


class FlagCounter(Protocol):
    """Counts the distinct accounts that flagged a post."""

    def count_flag(self, post_id: str) -> int:
        """Add one flag to a post atomically; return the new count."""


class Moderation:
    """Flags, hiding and unhiding, and writing the audit trail."""

    def __init__(
        self,
        store: PostStore,
        directory: DirectoryRepository,
        ledger: NoticeLedger,
        limits: Limits,
        clock: Clock,
        auditor: Auditor,
        photos: Photos | None = None,
    ) -> None:
        self.store, self.directory, self.ledger, self.limits = store, directory, ledger, limits
        self.clock, self.auditor, self.photos = clock, auditor, photos

    def remove_photo(self, actor: Actor, post_id: str, photo_id: str) -> Post:
        """Take a photo off a post or one of its replies and delete every copy of it (admins; audited)."""
        detail = self.store.detail(post_id)
        if detail is None or self.photos is None:
            raise NotFound("帖子不存在")
        post = detail.post
        if any(photo.id == photo_id for photo in post.photos):
            post = self.store.retry(post_id, lambda read: read.without_photo(photo_id, self.clock.now()))
            where = f"post:{post_id}"
        else:
            reply = next((r for r in detail.replies if any(p.id == photo_id for p in r.photos)), None)
            if reply is None:
                raise NotFound("该帖子没有这张照片")
            self.store.set_reply_photos(reply, tuple(p for p in reply.photos if p.id != photo_id))
            where = f"post:{post_id}/reply:{reply.id}"
        self.photos.erase(photo_id)
        self.auditor.log(actor, "delete_photo", where, {"photo": photo_id}, None)
        return post

    def flag(self, actor: Actor, post_id: str, reason: str) -> None:
        """Flag a post once per account; the third established account hides it, or sends it to review."""
        access.require_signed_in(actor)
        post = self.store.visible(actor, post_id)
        access.require_link_for(actor, post.id)
        access.require_may_take_part(actor, post, "该线索仅警方可见，不能举报")
        now = self.clock.now()
        limit = (lambda: None) if actor.is_police else (lambda: self.limits.flag(actor.user_id, now))
        # Recorded once per account: a repeat changes nothing and costs nothing; a refused flag is not recorded.
        if not once(self.ledger, post.id, f"flag#{actor.user_id}", now, limit, stale_after=NEVER_STALE):
            return
        if not self.established(actor, now):
            return  # recorded once per account, but a brand-new account's flag hides nothing
        count = self.store.count_flag(post.id)
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
            self.store.retry(post.id, lambda read: None if read.awaiting_review else read.to_review(now))
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
        if post.is_pinned(now) or post.type in POLICE_ONLY_TYPES:
            return True
        if not post.author_id.startswith(CITIZEN_ACCOUNT):
            return True
        return self.directory.officer(post.author_id) is not None

    def set_hidden(self, actor: Actor, post_id: str, hidden: bool, reason: str | None) -> Post:
        """Hide or unhide a post (admins, or the system on flags)."""
        reads: list[Post] = []

        def decide(read: Post) -> Post | None:
            reads.append(read)
            return None if read.hidden == hidden else read.set_hidden(hidden, reason, self.clock.now())

        post = self.store.retry(post_id, decide)
        if post.version != reads[-1].version:
            self.auditor.log(
                actor, "hide" if hidden else "unhide", f"post:{post.id}", snapshot(reads[-1]), snapshot(post)
            )
        return post
