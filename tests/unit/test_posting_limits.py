"""The posting and reply limits on fakes, through the bootstrap: refusals carry Retry-After and cost nothing."""

from __future__ import annotations

from dataclasses import replace
from itertools import count

import pytest

from chalicelib.domain.commands import NewPost
from chalicelib.domain.errors import DuplicatePost, TooManyRequests
from chalicelib.domain.people import Actor
from tests.unit.services import SETTINGS, Station, station
from tests.unit.world import LEADER

DEFAULTS = replace(SETTINGS, rate_limits="")  # the limits as deployed
_ids = count(1)


def account(s: Station, age_days: float = 30) -> Actor:
    created = int(s.clock.now().timestamp() - age_days * 24 * 3600)
    return Actor(role="citizen", user_id=f"u_limited{next(_ids)}", nickname="网友", account_created=created)


def question(title: str, body: str = "正文") -> NewPost:
    return NewPost(board="qa", type="question", title=title, body=body)


def refused(s: Station, actor: Actor, new: NewPost) -> int:
    """Post and expect a 429; return its Retry-After."""
    with pytest.raises(TooManyRequests) as refusal:
        s.post(actor, new)
    return refusal.value.retry_after


def test_a_second_post_within_30_seconds_waits_as_long_as_retry_after_says() -> None:
    s = station(DEFAULTS)
    citizen = account(s)
    s.post(citizen, question("第一条"))
    s.clock.advance(seconds=10)

    retry = refused(s, citizen, question("第二条"))

    assert 19 <= retry <= 20
    s.post(account(s), question("别人的帖子"))  # per account
    s.clock.advance(seconds=retry)
    s.post(citizen, question("第二条"))


def test_the_same_text_within_10_minutes_is_a_duplicate_naming_the_earlier_post() -> None:
    s = station(DEFAULTS)
    citizen = account(s)
    first = s.post(citizen, question("小区停车难", "晚上没有车位"))
    s.clock.advance(minutes=5)

    with pytest.raises(DuplicatePost) as duplicate:
        s.post(citizen, question("小区停车难", "晚上没有车位"))

    assert duplicate.value.post_id == first.id
    s.post(citizen, question("小区停车难", "白天也没有"))  # other text is no duplicate


def test_a_new_account_posts_5_on_its_first_day() -> None:
    s = station(DEFAULTS)
    citizen = account(s, age_days=0.5)
    for index in range(5):
        s.post(citizen, question(f"第一天第{index}条"))
        s.clock.advance(seconds=31)

    assert 1 <= refused(s, citizen, question("第一天第6条")) <= 24 * 3600


def test_replies_come_at_most_one_every_5_seconds() -> None:
    s = station(DEFAULTS)
    citizen = account(s)
    post = s.post(LEADER, question("警方提问", "请大家留言"))
    s.svc.forum.reply(citizen, post.id, "第一条回复")

    with pytest.raises(TooManyRequests) as refusal:
        s.svc.forum.reply(citizen, post.id, "第二条回复")

    assert 1 <= refusal.value.retry_after <= 5
    s.clock.advance(seconds=5)
    s.svc.forum.reply(citizen, post.id, "第二条回复")


def test_the_police_are_not_held_back() -> None:
    s = station(DEFAULTS)
    for index in range(3):
        s.post(LEADER, question(f"警情通报{index}"))


def test_a_refused_post_costs_nothing_and_starts_no_wait() -> None:
    s = station(DEFAULTS)
    citizen = account(s)
    s.post(citizen, question("第一条"))
    s.clock.advance(seconds=10)
    refused(s, citizen, question("第二条"))
    s.clock.advance(seconds=20)  # 30 s after the first: the refusal did not restart the wait

    s.post(citizen, question("第二条"))
