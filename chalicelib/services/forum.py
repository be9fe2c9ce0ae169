"""Posting, reading, replying and moving posts along their lifecycle."""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from chalicelib.domain.boards import BOARDS_BY_ID, POLICE_ONLY_TYPES, POST_TYPE_NAMES
from chalicelib.domain.emergency import reads_as_emergency
from chalicelib.domain.errors import Conflict, DuplicatePost, Forbidden, NotFound, Unauthenticated, ValidationFailed
from chalicelib.domain.masking import numbers_in
from chalicelib.domain.people import Actor, Officer
from chalicelib.domain.posts import STATUS_NAMES, Event, NewPost, OfficialAuthor, Post, Reply, UnitRef
from chalicelib.domain.screening import contains_sensitive
from chalicelib.domain.templates import template_of
from chalicelib.domain.times import epoch_ms
from chalicelib.services.audit import Auditor, snapshot
from chalicelib.services.cursors import CursorCodec
from chalicelib.services.limits import Limits
from chalicelib.services.ports import (
    Clock,
    DirectoryRepository,
    DispatchQueue,
    IdempotencyRecord,
    IdempotencyStore,
    NoticeLedger,
    PostDetail,
    PostRepository,
    StatsRepository,
)
from chalicelib.services.tally import Tally, day_of

log = logging.getLogger(__name__)
_id_lock = threading.Lock()
_last_ns = 0


def new_id(prefix: str) -> str:
    """Return a fresh opaque id that sorts by creation within a process (ties in one millisecond)."""
    global _last_ns
    with _id_lock:
        _last_ns = max(time.time_ns(), _last_ns + 1)
        stamp = _last_ns
    return f"{prefix}{stamp:016x}{secrets.token_hex(3)}"


@dataclass(frozen=True)
class Feed:
    """The pinned posts (first page only) and a page of the rest, newest first."""

    pinned: list[Post]
    posts: list[Post]
    next_cursor: str | None


class Forum:
    """The use cases of the forum; it sees only ports."""

    def __init__(
        self,
        posts: PostRepository,
        directory: DirectoryRepository,
        queue: DispatchQueue,
        idempotency: IdempotencyStore,
        clock: Clock,
        cursors: CursorCodec,
        districts: tuple[str, ...],
        stats: StatsRepository,
        limits: Limits,
        auditor: Auditor,
        sensitive_words: tuple[str, ...] = (),
        ledger: NoticeLedger | None = None,
    ) -> None:
        self.limits, self.auditor, self.sensitive_words = limits, auditor, sensitive_words
        self.tally = Tally(stats, ledger, clock) if ledger is not None else None
        self.posts, self.directory, self.queue, self.stats = posts, directory, queue, stats
        self.idempotency, self.clock, self.cursors, self.districts = idempotency, clock, cursors, districts

    # -- writing -----------------------------------------------------------------------------

    def create_post(self, actor: Actor, new: NewPost, idempotency_key: str | None = None) -> Post:
        """Publish a post and hand it to dispatch; a replayed key returns the first post."""
        self.require_signed_in(actor)
        self._check_new_post(actor, new)
        scope = request_hash = None
        if idempotency_key is not None:
            scope = f"{actor.user_id}#{idempotency_key}"
            request_hash = hashlib.sha256(json.dumps(new.__dict__, sort_keys=True).encode()).hexdigest()
            replay = self._replay(scope, request_hash)
            if replay is not None:
                return replay
        now = self.clock.now()
        if not actor.is_police:
            created = datetime.fromtimestamp(actor.account_created, UTC) if actor.account_created else None
            try:
                self.limits.post(actor.user_id, created, new.title, new.body, now)
            except DuplicatePost as duplicate:
                duplicate.post_id = self._same_text(actor.user_id, new)
                raise
        urgent = reads_as_emergency(new.title, new.body)
        held = contains_sensitive(self.sensitive_words, new.title, new.body)
        post = Post(
            id=new_id("p"),
            board=new.board,
            type=new.type,
            title=new.title,
            body=new.body,
            author_id=actor.user_id,
            author_nickname=actor.nickname,
            district=new.district,
            visibility=new.visibility,
            created_at=now,
            updated_at=now,
            first_response_due=Post.first_response_due_for(new.type, now, urgent),
            urgent=urgent,
            hidden=held,
            hidden_reason="held_for_review" if held else None,
            via=new.via,
        )
        received = f"已收悉（经{new.via.name}提交）" if new.via else "已收悉"
        event = Event(id=new_id("e"), at=now, kind="received", text=f"{received}，正在分派处置单位")
        record = (scope, IdempotencyRecord(request_hash, post.id)) if scope and request_hash else None
        try:
            self.posts.add(post, event, idempotency=record)
        except Conflict:
            if scope and request_hash and (replay := self._replay(scope, request_hash)) is not None:
                return replay
            raise
        self.count(["all"], {"posts": 1}, now)
        if post.type not in POLICE_ONLY_TYPES:  # notices by the police need no dispatch
            self._enqueue(post)
        return post

    def _same_text(self, author_id: str, new: NewPost) -> str | None:
        """The newest of an author's recent posts with this title and body (a duplicate's original), if any."""
        recent = self.posts.feed(None, 20, None, frozenset(), author=author_id).posts
        return next((p.id for p in recent if (p.title, p.body) == (new.title, new.body)), None)

    def _replay(self, scope: str, request_hash: str) -> Post | None:
        record = self.idempotency.get(scope)
        if record is None:
            return None
        if record.request_hash != request_hash:
            raise Conflict("该 Idempotency-Key 已用于另一条内容不同的请求")
        return self.posts.get(record.result_id)

    def _enqueue(self, post: Post) -> None:
        """Send the dispatch message; on failure the post stays marked for the sweep."""
        try:
            self.queue.enqueue(post.id, "dispatch", **({"urgent": "1"} if post.urgent else {}))
        except Exception:
            log.exception("dispatch enqueue failed", extra={"post_id": post.id})
            try:
                self.posts.mark_enqueue_failed(post.id, post.version)
                post.version += 1
            except Exception:
                log.exception("could not mark enqueue failure", extra={"post_id": post.id})

    def _check_new_post(self, actor: Actor, new: NewPost) -> None:
        board = BOARDS_BY_ID.get(new.board)
        if board is None:
            raise ValidationFailed("没有这个板块", {"board": f"unknown board {new.board!r}"})
        if new.type not in POST_TYPE_NAMES:
            raise ValidationFailed("没有这种帖子类型", {"type": f"unknown type {new.type!r}"})
        if new.type in POLICE_ONLY_TYPES and not actor.is_police:
            raise Forbidden("只有民警可以发布宣传帖")
        if new.type not in board.post_types:
            raise ValidationFailed(
                f"{board.name}板块不接受{POST_TYPE_NAMES[new.type]}帖", {"type": "not accepted on this board"}
            )
        if new.district is not None and new.district not in self.districts:
            raise ValidationFailed("没有这个地区", {"district": f"unknown district {new.district!r}"})
        if actor.link_post_id:
            raise Forbidden("通知链接只能用于处理对应的帖子")

    def reply(
        self, actor: Actor, post_id: str, body: str, template: str | None = None, idempotency_key: str | None = None
    ) -> tuple[Reply, Post]:
        """Add a reply; an officer's reply is official and carries name, title and unit."""
        self.require_signed_in(actor)
        post = self.visible_post(post_id, actor)
        if actor.link_post_id and actor.link_post_id != post_id:
            raise Forbidden("通知链接只能用于处理对应的帖子")
        if post.visibility == "police_only" and not self.sees_whole(actor, post):
            raise Forbidden("该线索仅警方可见，只有发帖人和民警可以回复")
        record = None
        if idempotency_key is not None:
            scope = f"{actor.user_id}#reply:{idempotency_key}"
            request_hash = hashlib.sha256(json.dumps([post_id, body, template]).encode()).hexdigest()
            previous = self.idempotency.get(scope)
            if previous is not None:
                return self._replayed_reply(previous, request_hash, post)
        now = self.clock.now()
        if not actor.is_police:
            self.limits.reply(actor.user_id, now)
        official = None
        event = None
        exempt: tuple[str, ...] = ()
        if actor.officer_id:
            officer = self.officer_of(actor)
            unit = self.directory.unit(officer.unit_id)
            unit_ref = UnitRef(
                id=officer.unit_id, name=unit.name if unit else officer.unit_id, name_en=unit.name_en if unit else None
            )
            official = OfficialAuthor(officer_id=officer.id, name=officer.name, title=officer.title, unit=unit_ref)
            exempt = self.published_numbers_in(body)
            event = Event(
                id=new_id("e"), at=now, kind="replied", text=f"{unit_ref.name}{officer.name}已回复", unit=unit_ref
            )
        reply_id = new_id("r")
        if idempotency_key is not None:
            record = (scope, IdempotencyRecord(request_hash, f"{post.id}|{epoch_ms(now)}|{reply_id}"))
        reply = Reply(
            id=reply_id,
            post_id=post.id,
            body=body,
            created_at=now,
            author_id=actor.user_id,
            nickname=None if official else actor.nickname,
            official=official,
            template=template_of(template, body, official.unit.name) if official else None,
            exempt=exempt,
        )
        try:
            self.posts.add_reply(post.id, reply, event, idempotency=record)
        except Conflict:
            if record is not None and (previous := self.idempotency.get(record[0])) is not None:
                return self._replayed_reply(previous, record[1].request_hash, post)
            raise
        if official is not None:
            self.notify_later(post.id, "official_reply", reply_id=reply.id)
            self.auditor.log(actor, "reply", f"post:{post.id}", None, {"reply_id": reply.id})
            self.count(["all", official.unit.id], {"replies": 1, "official_replies": 1}, now)
        else:
            self.count(["all"], {"replies": 1}, now)
            if actor.user_id == post.author_id:  # a follow-up: the officer handling it hears of it
                self.notify_later(post.id, "follow_up", reply_id=reply.id)
        return reply, post

    def _replayed_reply(self, record: IdempotencyRecord, request_hash: str, post: Post) -> tuple[Reply, Post]:
        if record.request_hash != request_hash:
            raise Conflict("该 Idempotency-Key 已用于另一条内容不同的请求")
        post_id, ms, reply_id = [*record.result_id.split("|"), "", ""][:3]
        stored = self.posts.reply(post_id, int(ms or 0), reply_id)
        if stored is None or post_id != post.id:
            raise Conflict("该 Idempotency-Key 已用于另一条回复")
        return stored, post

    def count(self, scopes: list[str], counters: dict[str, int], at: datetime | None = None) -> None:
        """Add to the public figures (the total, and the day of `at`) once a write is stored; a failure is logged,
        the stored write stands."""
        try:
            self.stats.add(scopes, counters, day_of(at or self.clock.now()))
        except Exception:
            log.exception("could not count", extra={"scopes": scopes, "counters": counters})

    def notify_later(self, post_id: str, kind: str, **extra: str) -> None:
        """Queue follow-up work (notices, SMS); a failure is logged, the stored change stands."""
        try:
            self.queue.enqueue(post_id, kind, **extra)
        except Exception:
            log.exception("could not queue follow-up work", extra={"post_id": post_id, "kind": kind})

    def change_status(self, actor: Actor, post_id: str, status: str, version: int, note: str | None) -> Post:
        """Move a post along its lifecycle, with optimistic locking on `version`."""
        self.require_signed_in(actor)
        post = self.visible_post(post_id, actor)
        self.require_may_handle(actor, post)
        if status == "hidden":
            raise ValidationFailed("隐藏帖子请使用管理接口", {"status": "use the admin hidden route"})
        if post.type in POLICE_ONLY_TYPES:
            raise Conflict("警方通告没有办理状态")
        now = self.clock.now()
        before = snapshot(post)
        post.move_to(status, now, version)
        expected = post.version
        post.version += 1
        who = self.who(actor)
        text = f"{who}将状态改为{STATUS_NAMES[status]}" + (f"：{note}" if note else "")
        event = Event(
            id=new_id("e"),
            at=now,
            kind=status,
            text=text,
            unit=post.assigned_unit,
            actor=who,
            officer_id=actor.officer_id,
        )
        self.posts.update(post, expected, event)
        self.auditor.log(actor, "status", f"post:{post.id}", before, snapshot(post))
        if status == "reopened":
            self.notify_later(post.id, "dispatch")
        if status == "resolved":
            self.count(["all"] + ([post.assigned_unit.id] if post.assigned_unit else []), {"resolved": 1}, now)
            if post.first_official_reply_at is None and self.tally is not None:
                self.tally.quietly(post, now)  # resolved before any official reply: that is its first response
            self.notify_later(post.id, "resolved")  # the author is told and asked to rate
        return post

    # -- reading -----------------------------------------------------------------------------

    def feed(self, board: str | None, cursor: str | None, limit: int) -> Feed:
        """Return pinned posts first (first page only), then newest first, never repeating pins."""
        if board is not None and board not in BOARDS_BY_ID:
            raise ValidationFailed("没有这个板块", {"board": f"unknown board {board!r}"})
        view = board or "*"
        after = self.cursors.decode(cursor, view) if cursor else None
        now = self.clock.now()
        pinned = [
            p
            for p in self.posts.pinned()
            if p.pin is not None
            and p.pinned_at(now)
            and not p.hidden
            and (p.pin.scope == "global" or (board is not None and p.board == board))
        ]
        pinned.sort(key=lambda p: (p.pin.scope != "global" if p.pin else True, -(p.pin.at.timestamp() if p.pin else 0)))
        page = self.posts.feed(board, limit, after, frozenset(p.id for p in pinned))
        next_cursor = self.cursors.encode(page.next_key, view) if page.next_key else None
        return Feed(pinned=pinned if after is None else [], posts=page.posts, next_cursor=next_cursor)

    def my_posts(self, actor: Actor, cursor: str | None, limit: int) -> Feed:
        """Return the caller's own posts, newest first (hidden ones included)."""
        self.require_signed_in(actor)
        view = f"author:{actor.user_id}"
        after = self.cursors.decode(cursor, view) if cursor else None
        page = self.posts.feed(None, limit, after, frozenset(), author=actor.user_id)
        next_cursor = self.cursors.encode(page.next_key, view) if page.next_key else None
        return Feed(pinned=[], posts=page.posts, next_cursor=next_cursor)

    def detail(self, actor: Actor, post_id: str) -> PostDetail:
        """Return a post with its replies and timeline."""
        detail = self.posts.detail(post_id)
        if detail is None or not self.may_see(actor, detail.post):
            raise NotFound("帖子不存在或已被隐藏")
        return detail

    # -- helpers -----------------------------------------------------------------------------

    def visible_post(self, post_id: str, actor: Actor) -> Post:
        post = self.posts.get(post_id)
        if post is None or not self.may_see(actor, post):
            raise NotFound("帖子不存在或已被隐藏")
        return post

    @staticmethod
    def may_see(actor: Actor, post: Post) -> bool:
        """Hidden posts are seen by the police and their author only."""
        return not post.hidden or Forum.sees_whole(actor, post)

    @staticmethod
    def sees_whole(actor: Actor, post: Post) -> bool:
        """The author and the police (a link session on its own post only) see a post as written."""
        return actor.police_for(post.id) or (actor.signed_in and actor.user_id == post.author_id)

    def published_numbers_in(self, text: str) -> tuple[str, ...]:
        """Return the units' and officers' published contact numbers a text quotes (no read if it quotes none)."""
        quoted = numbers_in(text)
        if not quoted:
            return ()
        contacts = [u.public_contact for u in self.directory.units()]
        contacts += [o.public_contact for o in self.directory.officers()]
        published = set().union(*(numbers_in(contact) for contact in contacts if contact))
        return tuple(sorted(quoted & published))

    def officer_of(self, actor: Actor) -> Officer:
        officer = self.directory.officer(actor.officer_id or "")
        if officer is None:
            raise Forbidden("民警账号已停用")
        return officer

    def who(self, actor: Actor) -> str:
        if actor.officer_id:
            officer = self.directory.officer(actor.officer_id)
            if officer is not None:
                unit = self.directory.unit(officer.unit_id)
                return f"{unit.name if unit else ''}{officer.name}"
        return "管理员" if actor.role == "admin" else actor.nickname

    def require_may_handle(self, actor: Actor, post: Post) -> None:
        """Officers of the assigned unit (any while none), leaders, command center, admins."""
        if actor.link_post_id is not None and actor.link_post_id != post.id:
            raise Forbidden("通知链接只能用于处理对应的帖子")
        if actor.role in ("admin", "leader"):
            return
        if actor.role != "officer":
            raise Forbidden("只有民警可以办理帖子")
        officer = self.officer_of(actor)
        unit = self.directory.unit(officer.unit_id)
        if unit is not None and unit.kind == "command_center":
            return
        if post.assigned_unit is not None and post.assigned_unit.id != officer.unit_id:
            raise Forbidden("该帖子已派至其他单位办理")

    @staticmethod
    def require_signed_in(actor: Actor) -> None:
        if not actor.signed_in:
            raise Unauthenticated("请先登录")
