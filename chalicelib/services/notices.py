"""Notices to officers (SMS and e-mail through their channel), each with a reply link, once per officer and round.

Official texts carry only what the police control (board, district, post number, deadline), never a resident's
words: a title such as "点击 http://evil.example 领取补贴" must not go out under the bureau's name.
"""

from __future__ import annotations

from chalicelib.domain.boards import BOARDS_BY_ID, POST_TYPE_NAMES
from chalicelib.domain.people import Officer
from chalicelib.domain.posts import Post, iso_cst
from chalicelib.services.links import issue_link
from chalicelib.services.once import once
from chalicelib.services.ports import Clock, DirectoryRepository, LinkStore, NoticeLedger, OfficerChannel

NOTICE_HEADS = {  # kind of officer notice -> (SMS head, e-mail subject)
    "new": ("【24小时警局】新警情", "24小时警局新帖待处理"),
    "escalated": ("【24小时警局】督办：超时未回复", "24小时警局督办"),
    "follow_up": ("【24小时警局】发帖人补充", "24小时警局发帖人补充"),
}


def post_number(post_id: str) -> str:
    """Return the short number an official text names a post by: the last 6 characters of its id."""
    return post_id[-6:].upper()


def post_link(site_url: str, post_id: str) -> str:
    """Return the address of a post's page on the citizen site (the page's route, from the site and the id only)."""
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
        parts.append(f"{iso_cst(post.first_response_due)[5:16].replace('T', ' ')}前回复")
    head = NOTICE_HEADS[notice or ("escalated" if escalated else "new")][0]
    return f"{head}：{'，'.join(parts)}。处理：{link}"


class OfficerNotices:
    """Tells officers of a post: a unit's on-duty officers (or its leaders), or one officer."""

    def __init__(
        self,
        directory: DirectoryRepository,
        ledger: NoticeLedger,
        officers: OfficerChannel,
        links: LinkStore,
        clock: Clock,
        site_url: str,
    ) -> None:
        self.directory, self.ledger, self.officers, self.links = directory, ledger, officers, links
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
        """Send one officer a notification with a reply link, at most once per round."""
        now = self.clock.now()
        notice = kind or ("escalated" if escalated else "new")

        def send() -> None:
            code = issue_link(self.links, officer.id, post.id, now, officer.sessions)
            text = notice_text(post, f"{self.site_url}/reply.html#t={code}", notice=notice)
            self.officers.notify(officer.id, NOTICE_HEADS[notice][1], text)

        return int(once(self.ledger, post.id, f"notify#{round_key}#{officer.id}", now, send))
