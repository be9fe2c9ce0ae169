"""Flags on fakes: a limit per account, only established accounts count, police and pinned posts go to review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from itertools import count

import pytest

from chalicelib.domain.commands import NewPost
from chalicelib.domain.errors import TooManyRequests
from chalicelib.domain.people import Actor
from chalicelib.services.forum import Forum
from chalicelib.services.limits import Limits, LimitSettings
from chalicelib.services.moderation import Moderation
from tests.fakes import FixedClock, InMemoryAuditLog, InMemoryCounters, InMemoryPostRepository
from tests.unit.world import CITIZEN, LEADER, build_services

_ids = count(1)
ADVERT = NewPost(board="qa", type="question", title="卖二手手机", body="加微信")


@dataclass
class Desk:
    moderation: Moderation
    forum: Forum
    posts: InMemoryPostRepository
    audit: InMemoryAuditLog
    clock: FixedClock

    def account(self, age: timedelta = timedelta(days=30)) -> Actor:
        """A citizen whose account was opened `age` ago."""
        created = int((self.clock.now() - age).timestamp())
        return Actor(role="citizen", user_id=f"u_{next(_ids)}", nickname="网友", account_created=created)

    def post(self, by: Actor = CITIZEN, new: NewPost = ADVERT) -> str:
        return self.forum.create_post(by, new).id

    def hidden(self, post_id: str) -> bool:
        stored = self.posts.get(post_id)
        assert stored is not None
        return stored.hidden

    def flag_each(self, post_id: str, accounts: list[Actor]) -> None:
        for account in accounts:
            self.moderation.flag(account, post_id, "广告")


POSTING_OFF = "post_interval=0,posts_per_day=0,posts_first_day=0,duplicate_window=0"


def desk(flag_limits: str = "flag_interval=0,flags_per_hour=0") -> Desk:
    """A moderation desk on fakes; posting is not limited, flagging as told (the defaults when "")."""
    posts, clock, audit = InMemoryPostRepository(), FixedClock(), InMemoryAuditLog()
    limits = Limits(InMemoryCounters(), LimitSettings.parse(",".join(filter(None, (POSTING_OFF, flag_limits)))))
    built = build_services(posts=posts, clock=clock, audit=audit, limits=limits)
    return Desk(built.moderation, built.forum, posts, audit, clock)


def test_three_established_accounts_hide_a_post() -> None:
    d = desk()
    post_id = d.post()
    d.flag_each(post_id, [d.account(), d.account()])
    assert not d.hidden(post_id)

    d.flag_each(post_id, [d.account()])

    assert d.hidden(post_id)


def test_three_brand_new_accounts_cannot_hide_a_post() -> None:
    d = desk()
    post_id = d.post()

    d.flag_each(post_id, [d.account(age=timedelta(hours=23)) for _ in range(10)])

    assert not d.hidden(post_id)
    d.flag_each(post_id, [d.account(age=timedelta(days=1)) for _ in range(3)])  # a day old: they count
    assert d.hidden(post_id)


def test_an_account_whose_age_is_unknown_does_not_count() -> None:
    d = desk()
    post_id = d.post()

    d.flag_each(post_id, [Actor(role="citizen", user_id=f"u_old_{n}", nickname="网友") for n in range(3)])

    assert not d.hidden(post_id)


@pytest.mark.parametrize("kind", ["pinned", "publicity", "by_an_officer"])
def test_flags_never_hide_a_pinned_or_police_post_but_send_it_to_review_once(kind: str) -> None:
    d = desk()
    if kind == "publicity":
        post_id = d.post(LEADER, NewPost(board="anti-drug", type="publicity", title="禁毒知识", body="远离毒品。"))
    elif kind == "by_an_officer":
        post_id = d.post(LEADER, NewPost(board="qa", type="question", title="欢迎来到24小时警局", body="使用须知"))
    else:
        post_id = d.post()
        d.posts.posts[post_id] = d.posts.posts[post_id].pin_with(
            "global", None, d.clock.now()
        )  # as an admin's pin stores it

    d.flag_each(post_id, [d.account() for _ in range(5)])

    assert not d.hidden(post_id)
    reviews = [(e.actor, e.action, e.target) for e in d.audit.entries if e.action == "flag_review"]
    assert reviews == [("system", "flag_review", f"post:{post_id}")]
    (entry,) = [e for e in d.audit.entries if e.action == "flag_review"]
    assert entry.after is not None and entry.after["flag_count"] == 3 and entry.after["hidden"] is False


def test_an_expired_pin_protects_no_more() -> None:
    d = desk()
    post_id = d.post()
    d.posts.posts[post_id] = d.posts.posts[post_id].pin_with(
        "global", d.clock.now() + timedelta(hours=1), d.clock.now()
    )
    d.clock.advance(hours=2)

    d.flag_each(post_id, [d.account() for _ in range(3)])

    assert d.hidden(post_id)


def test_one_account_flags_once_per_10_seconds_and_10_an_hour() -> None:
    d = desk("")  # the defaults
    account = d.account()
    posts = [d.post() for _ in range(12)]
    d.moderation.flag(account, posts[0], "广告")

    with pytest.raises(TooManyRequests) as refused:
        d.moderation.flag(account, posts[1], "广告")

    assert 1 <= refused.value.retry_after <= 10
    d.clock.set(d.clock.now().replace(hour=9, minute=0, second=0))  # a new hour: ten flags, 10 s apart
    for post_id in posts[1:11]:
        d.moderation.flag(account, post_id, "广告")
        d.clock.advance(seconds=10)
    with pytest.raises(TooManyRequests) as refused:
        d.moderation.flag(account, posts[11], "广告")
    assert refused.value.retry_after > 3000  # the next hour


def test_a_refused_flag_is_not_recorded_and_a_repeat_costs_nothing() -> None:
    d = desk("flag_interval=10,flags_per_hour=0")
    first, second = d.account(), d.account()
    post_id, other_id = d.post(), d.post()
    d.moderation.flag(first, post_id, "广告")
    d.moderation.flag(first, post_id, "广告")  # a repeat within 10 s: no 429, no second count
    with pytest.raises(TooManyRequests):
        d.moderation.flag(first, other_id, "广告")
    d.clock.advance(seconds=10)

    d.flag_each(other_id, [first, second, d.account()])  # the refused flag was not kept: this one counts

    assert d.hidden(other_id)
    assert d.posts.posts[post_id].flag_count == 1


def test_the_police_are_not_held_back_when_flagging() -> None:
    d = desk("")
    for _ in range(3):
        d.moderation.flag(LEADER, d.post(), "广告")
