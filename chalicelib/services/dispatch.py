"""The dispatcher: assign a post to a unit, notify its officers, tell the author of answers and resolutions.

Every effect is decided by a conditional write keyed on the post (never on the message id), so a
message delivered twice, or a post enqueued twice, has one effect.
"""

from __future__ import annotations

import logging
from typing import Any

from chalicelib.domain.boards import BOARDS_BY_ID, POLICE_ONLY_TYPES, POST_TYPE_NAMES
from chalicelib.domain.errors import StaleVersion
from chalicelib.domain.people import Officer
from chalicelib.domain.posts import Event, Post, UnitRef, now_cst
from chalicelib.services.forum import new_id
from chalicelib.services.links import issue_link
from chalicelib.services.ports import (
    Clock,
    DirectoryRepository,
    LinkStore,
    NoticeLedger,
    OfficerChannel,
    PostRepository,
    SmsSender,
    StatsRepository,
    UserRepository,
)
from chalicelib.services.tally import Tally
from chalicelib.services.tokens import TokenService

log = logging.getLogger(__name__)
# Official texts carry only what the police control (board, district, post number, deadline), never a resident's
# words: a title such as "点击 http://evil.example 领取补贴" must not go out under the bureau's name.
# The link is the post's own page (the page's route), made from the site's address and the post id only.
REPLY_SMS = "【24小时警局】您发布的帖子（编号{number}）有了民警回复，查看：{link}"
RESOLVED_SMS = "【24小时警局】您发布的帖子（编号{number}）已办结，请评价办理结果：{link}"
NOTICE_HEADS = {  # kind of officer notice -> (SMS head, e-mail subject)
    "new": ("【24小时警局】新警情", "24小时警局新帖待处理"),
    "escalated": ("【24小时警局】督办：超时未回复", "24小时警局督办"),
    "follow_up": ("【24小时警局】发帖人补充", "24小时警局发帖人补充"),
}


def post_number(post_id: str) -> str:
    """Return the short number an official text names a post by: the last 6 characters of its id."""
    return post_id[-6:].upper()


def post_link(site_url: str, post_id: str) -> str:
    """Return the address of a post's page on the citizen site."""
    return f"{site_url}/#/post/{post_id}"


def notice_text(post: Post, link: str, escalated: bool = False, notice: str | None = None) -> str:
    """Return an officer's notice, from fields the police control only; short, since SMS bills by the part."""
    board = BOARDS_BY_ID[post.board].name if post.board in BOARDS_BY_ID else "帖子"
    kind = POST_TYPE_NAMES.get(post.type, "")
    parts = [f"{board}·{kind}" if kind and kind not in board else board]
    if post.district:
        parts.append(post.district)  # one of the configured districts (checked on input)
    parts.append(f"编号{post_number(post.id)}")
    if post.first_response_due and not post.answered_since_start():
        parts.append(f"{now_cst(post.first_response_due)[5:16].replace('T', ' ')}前回复")
    head = NOTICE_HEADS[notice or ("escalated" if escalated else "new")][0]
    return f"{head}：{'，'.join(parts)}。处理：{link}"


class Dispatcher:
    """Carries out the work messages of the dispatch queue."""

    def __init__(
        self,
        posts: PostRepository,
        directory: DirectoryRepository,
        users: UserRepository,
        ledger: NoticeLedger,
        officers: OfficerChannel,
        sms: SmsSender,
        stats: StatsRepository,
        tokens: TokenService,
        clock: Clock,
        site_url: str,
        links: LinkStore,
    ) -> None:
        self.links = links
        self.posts, self.directory, self.users, self.ledger = posts, directory, users, ledger
        self.officers, self.sms, self.stats, self.tokens = officers, sms, stats, tokens
        self.clock, self.site_url = clock, site_url
        self.tally = Tally(stats, ledger, clock)
        self.incidents: Any = None  # set by bootstrap: the 110 hand-off (services.incidents.Incidents)

    def handle(self, message: dict[str, Any]) -> None:
        """Carry out one message; raise to let SQS retry it."""
        post_id = message.get("post_id")
        if not isinstance(post_id, str):
            raise ValueError(f"message without a post id: {message!r}")
        kind = message.get("kind", "dispatch")
        if kind == "dispatch":
            self.dispatch(post_id)
        elif kind == "incident":
            if self.incidents is not None:
                self.incidents.hand_off(post_id)
        elif kind == "official_reply":
            self.official_reply(post_id, str(message.get("reply_id", "")))
        elif kind == "resolved":
            self.resolved(post_id)
        elif kind == "follow_up":
            self.follow_up(post_id, str(message.get("reply_id", "")))
        else:
            raise ValueError(f"unknown message kind {kind!r}")

    def dispatch(self, post_id: str) -> None:
        """Assign a new post to the responsible unit, then notify the unit's on-duty officers."""
        post = self.posts.get(post_id)
        if post is None:
            log.warning("dispatch of a missing post", extra={"post_id": post_id})
            return
        if post.type in POLICE_ONLY_TYPES:
            return  # a notice by the police themselves
        if post.status == "received":
            post = self._assign(post)
        if self.incidents is not None and self.incidents.is_incident(post):
            self.incidents.hand_off(post.id)
        if post.assigned_unit is not None and post.status != "resolved":
            self.notify_unit(post, post.assigned_unit.id, f"round{post.dispatch_round}")

    def _assign(self, post: Post) -> Post:
        routing = self.directory.routing()
        unit_id = routing.unit_for(post.board, post.type, post.district) or self._command_center_id()
        unit = self.directory.unit(unit_id) if unit_id else None
        if unit is None:
            raise RuntimeError(f"no unit to dispatch post {post.id} to (routing names {unit_id!r})")
        now = self.clock.now()
        expected = post.version
        ref = UnitRef(id=unit.id, name=unit.name, name_en=unit.name_en)
        post.assign(ref, now)
        post.version += 1
        event = Event(id=new_id("e"), at=now, kind="dispatched", text=f"已分派至{unit.name}", unit=ref)
        try:
            self.posts.update(post, expected, event)
        except StaleVersion:
            fresh = self.posts.get(post.id)
            if fresh is None:
                raise
            return fresh  # another delivery (or an officer) got there first
        self.tally.add(["all", unit.id], {"dispatches": 1, "posts_assigned": 1}, now)
        return post

    def _command_center_id(self) -> str | None:
        return next((u.id for u in self.directory.units() if u.kind == "command_center"), None)

    def notify_unit(self, post: Post, unit_id: str, round_key: str, leaders_only: bool = False) -> int:
        """Notify the on-duty officers (or the leaders) of a unit once each for this round."""
        officers = [o for o in self.directory.officers_of(unit_id) if o.on_duty or leaders_only]
        if leaders_only:
            officers = [o for o in officers if o.role == "leader"]
        sent = 0
        for officer in officers:
            sent += self.notify_officer(post, officer, round_key, escalated=leaders_only or round_key.startswith("esc"))
        return sent

    def notify_officer(
        self, post: Post, officer: Officer, round_key: str, escalated: bool = False, kind: str | None = None
    ) -> int:
        """Send one officer a notification with a reply link, at most once per round."""
        key = f"notify#{round_key}#{officer.id}"
        now = self.clock.now()
        if not self.ledger.claim(post.id, key, now):
            return 0
        link = f"{self.site_url}/reply.html#t={issue_link(self.links, officer.id, post.id, now, officer.sessions)}"
        kind = kind or ("escalated" if escalated else "new")
        text = notice_text(post, link, notice=kind)
        try:
            self.officers.notify(officer.id, NOTICE_HEADS[kind][1], text)
        except Exception:
            self.ledger.release(post.id, key)
            raise
        self.ledger.confirm(post.id, key)
        return 1

    def official_reply(self, post_id: str, reply_id: str) -> None:
        """Count the first response once (with its deadline's outcome) and tell the author by SMS once per reply."""
        post = self.posts.get(post_id)
        if post is None:
            return
        if post.first_official_reply_at is not None:
            self.tally.first_response(post, post.first_official_reply_at)
        self._tell_author(post, f"sms#reply#{reply_id}", REPLY_SMS)

    def resolved(self, post_id: str) -> None:
        """Tell the author a post was resolved and ask for a rating, once per resolution (dispatch round)."""
        post = self.posts.get(post_id)
        if post is None or post.status != "resolved" or not post.awaiting_feedback or post.type in POLICE_ONLY_TYPES:
            return  # rated (or reopened) meanwhile, or a notice by the police themselves
        self._tell_author(post, f"sms#resolved#{post.dispatch_round}", RESOLVED_SMS)

    def follow_up(self, post_id: str, reply_id: str) -> None:
        """Tell the officer handling a post of its author's follow-up, or the unit's on-duty officers if none is."""
        post = self.posts.get(post_id)
        if post is None or post.assigned_unit is None:
            return  # not dispatched yet: the unit's first notice is still to come
        round_key = f"followup-{reply_id}"
        handler = self.handler_of(post)
        if handler is not None:
            self.notify_officer(post, handler, round_key, kind="follow_up")
        else:
            officers = [o for o in self.directory.officers_of(post.assigned_unit.id) if o.on_duty]
            for officer in officers:
                self.notify_officer(post, officer, round_key, kind="follow_up")

    def handler_of(self, post: Post) -> Officer | None:
        """Return the on-duty officer of the assigned unit who last acted on a post (replied or moved it), if any."""
        detail = self.posts.detail(post.id)
        acts = [(r.created_at, r.official.officer_id) for r in (detail.replies if detail else []) if r.official]
        acts += [(e.at, e.officer_id) for e in (detail.events if detail else []) if e.officer_id]
        unit_id = post.assigned_unit.id if post.assigned_unit else None
        for _, officer_id in sorted(acts, key=lambda act: act[0], reverse=True):
            officer = self.directory.officer(officer_id)
            if officer is not None and officer.on_duty and officer.unit_id == unit_id:
                return officer
        return None

    def _tell_author(self, post: Post, key: str, template: str) -> None:
        """Text the author once per ledger key, with the post's number and a link to its page."""
        phone = self._author_phone(post)
        if not phone or not self.ledger.claim(post.id, key, self.clock.now()):
            return
        try:
            self.sms.send(phone, template.format(number=post_number(post.id), link=post_link(self.site_url, post.id)))
        except Exception:
            self.ledger.release(post.id, key)
            raise
        self.ledger.confirm(post.id, key)

    def _author_phone(self, post: Post) -> str | None:
        user = self.users.get(post.author_id)
        if user is not None:
            return user.phone
        officer = self.directory.officer(post.author_id)
        return officer.phone if officer else None
