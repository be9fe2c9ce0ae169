"""Posting and replying."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from chalicelib.domain import access
from chalicelib.domain.boards import BOARDS_BY_ID, POLICE_ONLY_TYPES, POST_TYPE_NAMES
from chalicelib.domain.emergency import reads_as_emergency
from chalicelib.domain.errors import Conflict, DuplicatePost, Forbidden, ValidationFailed
from chalicelib.domain.ids import new_id
from chalicelib.domain.people import Actor
from chalicelib.domain.photos import Location, Upload, refused_text
from chalicelib.domain.posts import Event, NewPost, OfficialAuthor, Post, Reply
from chalicelib.domain.screening import contains_sensitive
from chalicelib.domain.status import Status
from chalicelib.domain.templates import template_of
from chalicelib.domain.times import epoch_ms
from chalicelib.services.audit import Auditor
from chalicelib.services.limits import Limits
from chalicelib.services.photos import Photos
from chalicelib.services.ports import Clock, IdempotencyRecord, IdempotencyStore, StatsRepository
from chalicelib.services.staff import Staff
from chalicelib.services.store import Message, PostStore
from chalicelib.services.tally import count_quietly

__all__ = ["Forum", "new_id"]


def _shown(uploads: list[Upload]) -> dict[str, object]:
    """The photos a post or reply shows (the processed uploads) and the places of those refused."""
    return {
        "photos": tuple(upload.photo() for upload in uploads if upload.state == "ready"),
        "refused_photos": tuple(n for n, upload in enumerate(uploads, 1) if upload.state != "ready"),
    }


def _plain(value: object) -> object:
    """Let a request's hash take the values of a command (a location, a partner)."""
    dump = getattr(value, "model_dump", None)
    return dump(mode="json") if dump is not None else str(value)


_KEY_REUSED = "该 Idempotency-Key 已用于另一条内容不同的请求"


class Forum:
    """Publishing posts and replies; a replayed Idempotency-Key returns what the first request made."""

    def __init__(
        self,
        store: PostStore,
        idempotency: IdempotencyStore,
        staff: Staff,
        clock: Clock,
        limits: Limits,
        stats: StatsRepository,
        auditor: Auditor,
        districts: tuple[str, ...],
        sensitive_words: tuple[str, ...] = (),
        photos: Photos | None = None,
        area: tuple[float, float, float, float] | None = None,
    ) -> None:
        self.store, self.idempotency, self.staff, self.clock = store, idempotency, staff, clock
        self.limits, self.stats, self.auditor = limits, stats, auditor
        self.districts, self.sensitive_words = districts, sensitive_words
        self.photos, self.area = photos, area

    def create_post(self, actor: Actor, new: NewPost, idempotency_key: str | None = None) -> Post:
        """Publish a post and hand it to dispatch; a replayed key returns the first post."""
        access.require_signed_in(actor)
        self._check_new_post(actor, new)
        record = None
        if idempotency_key is not None:
            request_hash = hashlib.sha256(json.dumps(new.__dict__, sort_keys=True, default=_plain).encode()).hexdigest()
            record = (f"{actor.user_id}#{idempotency_key}", IdempotencyRecord(request_hash, ""))
            replay = self._replay(*record)
            if replay is not None:
                return replay
        uploads = self._uploads(actor, new.photos)
        now = self.clock.now()
        if not actor.is_police:
            created = datetime.fromtimestamp(actor.account_created, UTC) if actor.account_created else None
            try:
                self.limits.post(actor.user_id, created, new.title, new.body, now)
            except DuplicatePost as duplicate:
                duplicate.post_id = self._same_text(actor.user_id, new)
                raise
        post = self._new_post(actor, new, now)
        post = self._with_photos(post, uploads)
        received = f"已收悉（经{new.via.name}提交）" if new.via else "已收悉"
        text = "。".join([f"{received}，正在分派处置单位", *(refused_text(n) for n in post.refused_photos)])
        event = Event(id=new_id("e"), at=now, kind=Status.RECEIVED, text=text)
        if record is not None:
            record = (record[0], IdempotencyRecord(record[1].request_hash, post.id))
        # Notices by the police need no dispatch.
        messages = (
            [] if post.type in POLICE_ONLY_TYPES else [Message("dispatch", {"urgent": "1"} if post.urgent else {})]
        )
        try:
            self._publish(uploads, post.shown_publicly)
            self.store.create(post, event, idempotency=record, messages=messages, claims=uploads)
        except Conflict:
            self._withdraw(post, uploads)
            if record is not None and (replay := self._replay(*record)) is not None:
                return replay
            raise
        except Exception:
            self._withdraw(post, uploads)
            raise
        count_quietly(self.stats, ["all"], {"posts": 1}, now)
        return post

    def _new_post(self, actor: Actor, new: NewPost, now: datetime) -> Post:
        urgent = reads_as_emergency(new.title, new.body)
        held = contains_sensitive(self.sensitive_words, new.title, new.body)
        return Post(
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
            review_since=now if held else None,
            via=new.via,
            location=new.location,
            address=new.address,
        )

    def _uploads(self, actor: Actor, ids: tuple[str, ...]) -> list[Upload]:
        """The caller's processed uploads a post or reply is to show (400 if not theirs or used; may wait)."""
        if not ids:
            return []
        if self.photos is None:
            raise ValidationFailed("本站未开通照片上传", {"photos": "photos are not configured"})
        return self.photos.claimable(actor, ids)

    def _withdraw(self, post: Post, uploads: list[Upload]) -> None:
        """A public post published photos, then failed to be written (another request took one of them): their
        public copies follow whoever uses them now (a police-only tip's stay private), or go."""
        if not uploads or self.photos is None or not post.shown_publicly:
            return
        for used_by in self.photos.withdraw(uploads):
            self.store.follow_photos(used_by.split("/")[0], strict=False)

    def _with_photos(self, post: Post, uploads: list[Upload]) -> Post:
        return post.model_copy(update=_shown(uploads)) if uploads else post

    def _publish(self, uploads: list[Upload], public: bool) -> None:
        """Keep the processed copies and, for a public post, publish them: before the write that shows them."""
        if uploads and self.photos is not None:
            self.photos.prepare(uploads, public)

    def _follow_if_moved(self, read: Post) -> None:
        """A reply's photos were published as the post stood when read; if it was hidden or shown since (the
        reply's write then read it again), make them follow the post as it stands now."""
        current = self.store.get(read.id)
        if current is not None and current.shown_publicly != read.shown_publicly:
            self.store.follow_photos(read.id, strict=False)

    def _same_text(self, author_id: str, new: NewPost) -> str | None:
        """The newest of an author's recent posts with this title and body (a duplicate's original), if any."""
        recent = self.store.recent_of(author_id, 20)
        return next((p.id for p in recent if (p.title, p.body) == (new.title, new.body)), None)

    def _replay(self, scope: str, asked: IdempotencyRecord) -> Post | None:
        record = self.idempotency.get(scope)
        if record is None:
            return None
        if record.request_hash != asked.request_hash:
            raise Conflict(_KEY_REUSED)
        return self.store.get(record.result_id)

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
        if new.location is not None and self.area is not None:
            Location.within(new.location.lat, new.location.long, self.area)
        access.require_link_for(actor, None)

    def reply(
        self,
        actor: Actor,
        post_id: str,
        body: str,
        template: str | None = None,
        idempotency_key: str | None = None,
        photos: tuple[str, ...] = (),
    ) -> tuple[Reply, Post]:
        """Add a reply; an officer's reply is official and carries name, title and unit."""
        access.require_signed_in(actor)
        post = self.store.visible(actor, post_id)
        access.require_link_for(actor, post_id)
        access.require_may_take_part(actor, post, "该线索仅警方可见，只有发帖人和民警可以回复")
        record = None
        if idempotency_key is not None:
            request_hash = hashlib.sha256(json.dumps([post_id, body, template, *photos]).encode()).hexdigest()
            record = (f"{actor.user_id}#reply:{idempotency_key}", IdempotencyRecord(request_hash, ""))
            previous = self.idempotency.get(record[0])
            if previous is not None:
                return self._replayed_reply(previous, request_hash, post)
        uploads = self._uploads(actor, photos)
        now = self.clock.now()
        if not actor.is_police:
            self.limits.reply(actor.user_id, now)
        reply, event = self._new_reply(actor, post, body, template, now)
        if uploads:
            reply = reply.model_copy(update=_shown(uploads))
        if record is not None:
            result = f"{post.id}|{epoch_ms(now)}|{reply.id}"
            record = (record[0], IdempotencyRecord(record[1].request_hash, result))
        if reply.official is not None:
            messages = [Message("official_reply", {"reply_id": reply.id})]
        elif actor.user_id == post.author_id:  # a follow-up: the officer handling it hears of it
            messages = [Message("follow_up", {"reply_id": reply.id})]
        else:
            messages = []
        try:
            self._publish(uploads, post.shown_publicly)
            self.store.add_reply(reply, event, idempotency=record, messages=messages, read=post, claims=uploads)
        except Conflict:
            self._withdraw(post, uploads)
            if record is not None and (previous := self.idempotency.get(record[0])) is not None:
                return self._replayed_reply(previous, record[1].request_hash, post)
            raise
        except Exception:
            self._withdraw(post, uploads)
            raise
        if uploads:
            self._follow_if_moved(post)
        if reply.official is not None:
            self.auditor.log(actor, "reply", f"post:{post.id}", None, {"reply_id": reply.id})
            count_quietly(self.stats, ["all", reply.official.unit.id], {"replies": 1, "official_replies": 1}, now)
        else:
            count_quietly(self.stats, ["all"], {"replies": 1}, now)
        return reply, post

    def _new_reply(
        self, actor: Actor, post: Post, body: str, template: str | None, now: datetime
    ) -> tuple[Reply, Event | None]:
        """Return the reply and, for an official one, its timeline entry."""
        official = event = None
        if actor.officer_id:
            officer = self.staff.officer_of(actor)
            unit = self.staff.unit_ref(officer.unit_id)
            official = OfficialAuthor(officer_id=officer.id, name=officer.name, title=officer.title, unit=unit)
            event = Event(id=new_id("e"), at=now, kind="replied", text=f"{unit.name}{officer.name}已回复", unit=unit)
        reply = Reply(
            id=new_id("r"),
            post_id=post.id,
            body=body,
            created_at=now,
            author_id=actor.user_id,
            nickname=None if official else actor.nickname,
            official=official,
            template=template_of(template, body, official.unit.name) if official else None,
            exempt=self.staff.published_numbers_in(body) if official else (),
        )
        return reply, event

    def _replayed_reply(self, record: IdempotencyRecord, request_hash: str, post: Post) -> tuple[Reply, Post]:
        if record.request_hash != request_hash:
            raise Conflict(_KEY_REUSED)
        post_id, ms, reply_id = [*record.result_id.split("|"), "", ""][:3]
        stored = self.store.reply(post_id, int(ms or 0), reply_id)
        if stored is None or post_id != post.id:
            raise Conflict("该 Idempotency-Key 已用于另一条回复")
        return stored, post
