"""What officers and authors are told, and to whom; the Messenger picks the channel.

Officers: a post to handle (with a reply link), an escalation (督办), an author's follow-up. Authors: the police
answered, the status moved, the post was resolved (please rate). Each notice is sent once per effect, by a ledger
key, whichever channel carries it.

Official texts carry only what the police control (board, district, post number, deadline), never a resident's
words: a title such as "点击 http://evil.example 领取补贴" must not go out under the bureau's name.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from chalicelib.domain.boards import BOARDS_BY_ID, POST_TYPE_NAMES
from chalicelib.domain.messages import Notice
from chalicelib.domain.people import Officer
from chalicelib.domain.posts import Post, iso_cst
from chalicelib.domain.status import STATUS_NAMES
from chalicelib.services.links import issue_link
from chalicelib.services.messenger import Messenger, Person
from chalicelib.services.once import once
from chalicelib.services.ports import Clock, DirectoryRepository, LinkStore, NoticeLedger, UserRepository

NOTICE_HEADS = {  # kind of officer notice -> (SMS-style head, e-mail subject)
    "new": ("【24小时警局】新警情", "24小时警局新帖待处理"),
    "escalated": ("【24小时警局】督办：超时未回复", "24小时警局督办"),
    "follow_up": ("【24小时警局】发帖人补充", "24小时警局发帖人补充"),
}
_OFFICER_STATE = {"new": "待处理", "escalated": "督办", "follow_up": "有补充"}
_AUTHOR_STATE = {"reply": "民警已回复", "resolved": "待评价"}


def post_number(post_id: str) -> str:
    """Return the short number an official text names a post by: the last 6 characters of its id."""
    return post_id[-6:].upper()


def post_link(site_url: str, post_id: str) -> str:
    """Return the address of a post's page on the citizen site (the page's route, from the site and the id only)."""
    return f"{site_url}/#/post/{post_id}"


def short_time(moment: datetime) -> str:
    """Return a time as officers read it in a notice: 03-13 16:05 (Beijing time)."""
    return iso_cst(moment)[5:16].replace("T", " ")


def subject_of(post: Post) -> str:
    """Return what a notice says the post is about: its board and kind, and its district."""
    board = BOARDS_BY_ID[post.board].name if post.board in BOARDS_BY_ID else "帖子"
    kind = POST_TYPE_NAMES.get(post.type, "")
    what = f"{board}·{kind}" if kind and kind not in board else board
    return f"{what} {post.district}" if post.district else what


def due_of(post: Post) -> str | None:
    """Return the first-response deadline an officer must meet, or None once answered."""
    if post.first_response_due and not post.answered_since_start():
        return short_time(post.first_response_due)
    return None


def notice_text(post: Post, link: str, escalated: bool = False, notice: str | None = None) -> str:
    """Return an officer's e-mail text, from fields the police control only."""
    parts = [subject_of(post).replace(" ", "，"), f"编号{post_number(post.id)}"]
    due = due_of(post)
    if due:
        parts.append(f"{due}前回复")
    head = NOTICE_HEADS[notice or ("escalated" if escalated else "new")][0]
    return f"{head}：{'，'.join(parts)}。处理：{link}"


def officer_notice(post: Post, kind: str, link: str, now: datetime) -> Notice:
    """Return an officer's notice of a kind (new, escalated, follow_up) with its reply link."""
    due = due_of(post)
    params = {"number": post_number(post.id)}
    if kind == "new":
        params["due"] = due or "无"
    return Notice(
        kind=f"officer_{kind}",
        subject=subject_of(post),
        number=post_number(post.id),
        state=_OFFICER_STATE[kind],
        at=due or short_time(now),
        url=link,
        email_subject=NOTICE_HEADS[kind][1],
        email_text=notice_text(post, link, notice=kind),
        sms=f"officer_{kind}",
        sms_params=params,
    )


def author_notice(post: Post, kind: str, site_url: str, now: datetime) -> Notice:
    """Return an author's notice: `reply`, `resolved` (both also by SMS) or a status name (WeChat only)."""
    state = _AUTHOR_STATE.get(kind) or STATUS_NAMES.get(kind, kind)
    sms = kind if kind in _AUTHOR_STATE else None
    return Notice(
        kind=kind if sms else "status",
        subject=subject_of(post),
        number=post_number(post.id),
        state=state,
        at=short_time(now),
        url=post_link(site_url, post.id),
        sms=sms,
        sms_params={"number": post_number(post.id)},
    )


class OfficerNotices:
    """Tells officers of a post: a unit's on-duty officers (or its leaders), or one officer."""

    def __init__(
        self,
        directory: DirectoryRepository,
        ledger: NoticeLedger,
        messenger: Messenger,
        links: LinkStore,
        clock: Clock,
        site_url: str,
    ) -> None:
        self.directory, self.ledger, self.messenger, self.links = directory, ledger, messenger, links
        self.clock, self.site_url = clock, site_url

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
        """Send one officer a notice with a reply link, at most once per round, by the officer's first channel."""
        now = self.clock.now()
        notice = kind or ("escalated" if escalated else "new")
        person = Person(officer.id, officer.phone, officer.email, officer=True, stamp=officer.sessions)

        def send() -> None:
            code = issue_link(self.links, officer.id, post.id, now, officer.sessions)
            link = f"{self.site_url}/reply.html#t={code}"
            self.messenger.deliver(person, officer_notice(post, notice, link, now))

        return int(once(self.ledger, post.id, f"notify#{round_key}#{officer.id}", now, send))


class AuthorNotices:
    """Tells a post's author what the police did: answered, moved the status, resolved it."""

    def __init__(
        self,
        users: UserRepository,
        directory: DirectoryRepository,
        ledger: NoticeLedger,
        messenger: Messenger,
        clock: Clock,
        site_url: str,
    ) -> None:
        self.users, self.directory, self.ledger, self.messenger = users, directory, ledger, messenger
        self.clock, self.site_url = clock, site_url

    def tell(self, post: Post, key: str, kind: str) -> bool:
        """Tell the author once per ledger key; True if this call sent it (or found nobody to tell)."""
        person = self._author(post)
        if person is None:
            return False
        now = self.clock.now()
        notice = author_notice(post, kind, self.site_url, now)
        if notice.sms is None and not self.messenger.reachable(person, notice):
            return False  # a WeChat-only notice to someone not on WeChat: nothing to send, nothing to record

        def gate(effect: Callable[[], None]) -> bool:  # one SMS per post and round: it points to "我的"
            return once(self.ledger, post.id, f"author-sms#{post.dispatch_round}", now, effect)

        return once(self.ledger, post.id, key, now, lambda: self.messenger.deliver(person, notice, gate))

    def _author(self, post: Post) -> Person | None:
        user = self.users.get(post.author_id)
        if user is not None:
            return Person(user.id, user.phone)
        officer = self.directory.officer(post.author_id)
        if officer is None:
            return None
        return Person(officer.id, officer.phone, officer.email, officer=True, stamp=officer.sessions)
