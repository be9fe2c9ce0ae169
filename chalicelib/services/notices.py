"""What officers and authors are told, and to whom; the Messenger picks the channel.

Officers: a post to handle (with a reply link), an escalation (督办), an author's follow-up. Authors: the police
answered, the status moved, the post was resolved (please rate). Each notice is sent once per effect, by a ledger
key, whichever channel carries it.

Official texts carry only what the police control (board, district, post number, deadline), never a resident's
words: a title such as "点击 http://evil.example 领取补贴" must not go out under the bureau's name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from chalicelib.domain.boards import BOARDS_BY_ID, POST_TYPE_NAMES
from chalicelib.domain.messages import Notice
from chalicelib.domain.people import Officer
from chalicelib.domain.posts import Post, iso_cst
from chalicelib.domain.status import STATUS_NAMES
from chalicelib.services.links import issue_links
from chalicelib.services.messenger import Messenger, Person
from chalicelib.services.once import once
from chalicelib.services.ports import Clock, DirectoryRepository, LinkStore, NoticeLedger, UserRepository

NOTICE_HEADS = {  # kind of officer notice -> (SMS-style head, e-mail subject)
    "new": ("【24小时警局】新警情", "24小时警局新帖待处理"),
    "escalated": ("【24小时警局】督办：超时未回复", "24小时警局督办"),
    "follow_up": ("【24小时警局】发帖人补充", "24小时警局发帖人补充"),
}
PARALLEL = 8  # a unit's notices sent at once, at most
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

    def notify_unit(
        self,
        post: Post,
        unit_id: str,
        round_key: str,
        leaders_only: bool = False,
        officers: Sequence[Officer] | None = None,
    ) -> int:
        """Notify the on-duty officers (or the leaders) of a unit once each for this round (`officers`: the unit's,
        as read already)."""
        found = self.directory.officers_of(unit_id) if officers is None else officers
        chosen = [o for o in found if (o.role == "leader" if leaders_only else o.on_duty)]
        notice = "escalated" if leaders_only or round_key.startswith("esc") else "new"
        return self.notify_officers(post, chosen, round_key, notice)

    def notify_officer(
        self, post: Post, officer: Officer, round_key: str, escalated: bool = False, kind: str | None = None
    ) -> int:
        """Send one officer a notice with a reply link, at most once per round, by the officer's first channel."""
        return self.notify_officers(post, [officer], round_key, kind or ("escalated" if escalated else "new"))

    def notify_officers(self, post: Post, officers: Sequence[Officer], round_key: str, notice: str) -> int:
        """Send each officer a notice of a kind with a reply link, at most once per round; return how many went.

        At once: the notices claimed together, the officers' contacts read together and their links written
        together, then sent in parallel (each a WeChat, e-mail or SMS call of its own), so a unit's notices do
        not queue behind each other. Every officer is tried; the ones that went are confirmed, the others given
        back, and the first failure raised after, so a retry sends only what is missing."""
        if not officers:
            return 0
        now = self.clock.now()
        key_of = {o.id: f"notify#{round_key}#{o.id}" for o in officers}
        claimed = self.ledger.claim_many(post.id, list(key_of.values()), now)
        mine = [o for o in officers if key_of[o.id] in claimed]
        if not mine:
            return 0
        try:
            contacts = self.messenger.contacts_of([o.id for o in mine])
            codes = issue_links(self.links, [(o.id, o.sessions) for o in mine], post.id, now)
        except Exception:
            for officer in mine:
                self.ledger.release(post.id, key_of[officer.id])
            raise

        def send(officer: Officer) -> None:
            link = f"{self.site_url}/reply.html#t={codes[officer.id]}"
            person = Person(officer.id, officer.phone, officer.email, officer=True, stamp=officer.sessions)
            self.messenger.deliver(person, officer_notice(post, notice, link, now), contact=contacts[officer.id])

        failures = all_at_once(mine, send)
        went = [o for o, failure in zip(mine, failures, strict=True) if failure is None]
        if went:
            self.ledger.confirm_many(post.id, [key_of[o.id] for o in went])
        for officer, failure in zip(mine, failures, strict=True):
            if failure is not None:
                self.ledger.release(post.id, key_of[officer.id])
        first = next((failure for failure in failures if failure is not None), None)
        if first is not None:
            raise first  # once every officer was tried
        return len(went)


def all_at_once(officers: Sequence[Officer], send: Callable[[Officer], None]) -> list[BaseException | None]:
    """Run `send` for each officer in parallel (at most PARALLEL threads); return each one's failure or None."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(PARALLEL, len(officers))) as pool:
        futures = [pool.submit(send, officer) for officer in officers]
    return [future.exception() for future in futures]


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
        now = self.clock.now()
        notice = author_notice(post, kind, self.site_url, now)
        contact = None
        if notice.sms is None:  # WeChat only: someone not on WeChat is not even looked up
            contact = self.messenger.contact_of(post.author_id)
            if contact.openid is None:
                return False
        person = self._author(post)
        if person is None:
            return False
        if notice.sms is None and not self.messenger.reachable(person, notice, contact):
            return False  # a WeChat-only notice to someone not on WeChat: nothing to send, nothing to record

        def gate(effect: Callable[[], None]) -> bool:  # one SMS per post and round: it points to "我的"
            return once(self.ledger, post.id, f"author-sms#{post.dispatch_round}", now, effect)

        return once(self.ledger, post.id, key, now, lambda: self.messenger.deliver(person, notice, gate, contact))

    def _author(self, post: Post) -> Person | None:
        user = self.users.get(post.author_id)
        if user is not None:
            return Person(user.id, user.phone)
        officer = self.directory.officer(post.author_id)
        if officer is None:
            return None
        return Person(officer.id, officer.phone, officer.email, officer=True, stamp=officer.sessions)
