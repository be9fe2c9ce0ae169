"""The review queue on fakes: held and flagged posts oldest first, publish or hide once, audited, who may."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from itertools import count

import pytest

from chalicelib.domain.commands import NewPost
from chalicelib.domain.errors import Conflict, Forbidden, NotFound
from chalicelib.domain.people import Actor
from tests.fakes import InterleavedPosts
from tests.unit.services import SETTINGS, Station, station
from tests.unit.world import ADMIN, CENTER_OFFICER, CITIZEN, KUNQU_OFFICER, LEADER, OTHER_CITIZEN, link_session

HELD = NewPost(board="qa", type="question", title="问个事", body="这里有敏感词出现")
PLAIN = NewPost(board="qa", type="question", title="卖二手手机", body="加微信")
_ids = count(1)


def desk(**overrides: object) -> Station:
    limits = "post_interval=0,posts_per_day=0,posts_first_day=0,duplicate_window=0,flag_interval=0,flags_per_hour=0"
    return station(replace(SETTINGS, sensitive_words=("敏感词",), rate_limits=limits), **overrides)


def flag_three_times(s: Station, post_id: str) -> None:
    created = int((s.clock.now() - timedelta(days=30)).timestamp())
    for _ in range(3):
        account = Actor(role="citizen", user_id=f"u_f{next(_ids)}", nickname="网友", account_created=created)
        s.svc.moderation.flag(account, post_id, "广告")


def queue_ids(s: Station, actor: Actor = LEADER) -> list[str]:
    return [p.id for p in s.svc.review.page(actor, None, 50).posts]


def test_held_flagged_and_protected_posts_wait_oldest_first_with_the_count() -> None:
    s = desk()
    held = s.post(new=HELD).id
    s.clock.advance(minutes=1)
    flagged = s.post(new=PLAIN).id
    notice = s.post(LEADER, NewPost(board="qa", type="question", title="使用须知", body="欢迎")).id
    s.clock.advance(minutes=1)
    flag_three_times(s, notice)  # the police's post: stays up, asks for review
    s.clock.advance(minutes=1)
    flag_three_times(s, flagged)  # hidden by the flags
    s.post(new=replace(PLAIN, title="另一条"))  # nothing to review

    assert queue_ids(s) == [held, notice, flagged]
    assert s.svc.review.page(LEADER, None, 50).count == 3 == s.svc.review.count()
    assert s.svc.feeds.detail(CITIZEN, notice).post.hidden is False


def test_pages_follow_one_another_without_repeats() -> None:
    s = desk()
    ids = []
    for _ in range(5):
        ids.append(s.post(new=HELD).id)
        s.clock.advance(seconds=1)
    first = s.svc.review.page(ADMIN, None, 2)
    second = s.svc.review.page(ADMIN, first.next_cursor, 2)
    third = s.svc.review.page(ADMIN, second.next_cursor, 2)
    assert [p.id for p in first.posts + second.posts + third.posts] == ids
    assert third.next_cursor is None and first.count == 5


def test_publishing_shows_the_post_takes_it_off_the_queue_and_is_audited_with_the_note() -> None:
    s = desk()
    post_id = s.post(new=HELD).id

    post = s.svc.review.decide(CENTER_OFFICER, post_id, "publish", "误判，内容正常")

    assert not post.hidden and post.hidden_reason is None
    assert s.svc.feeds.detail(OTHER_CITIZEN, post_id).post.id == post_id  # the public sees it now
    assert queue_ids(s) == [] and s.svc.review.count() == 0
    entry = s.audit.entries[-1]
    assert (entry.action, entry.target, entry.actor) == ("review_publish", f"post:{post_id}", "o-center")
    assert entry.after is not None and entry.after["note"] == "误判，内容正常" and entry.after["hidden"] is False


def test_hiding_keeps_it_from_the_public_and_off_the_queue() -> None:
    s = desk()
    post_id = s.post(new=PLAIN).id
    flag_three_times(s, post_id)

    post = s.svc.review.decide(LEADER, post_id, "hide", "广告")

    assert post.hidden and post.hidden_reason == "reviewed"
    with pytest.raises(NotFound):  # its author still sees it, as any hidden post of theirs
        s.svc.feeds.detail(OTHER_CITIZEN, post_id)
    assert queue_ids(s) == []
    assert s.audit.entries[-1].action == "review_hide"


def test_a_post_is_decided_once_even_when_two_reviewers_race() -> None:
    s = desk()
    post_id = s.post(new=HELD).id
    s.svc.review.decide(LEADER, post_id, "hide", None)
    with pytest.raises(Conflict):
        s.svc.review.decide(ADMIN, post_id, "publish", None)

    posts = InterleavedPosts(s.ports["posts"])
    raced = desk(posts=posts)
    other = raced.post(new=HELD).id
    posts.meanwhile = lambda: raced.svc.review.decide(LEADER, other, "hide", "先到")
    with pytest.raises(Conflict):
        raced.svc.review.decide(ADMIN, other, "publish", "后到")
    stored = posts.inner.get(other)
    assert stored is not None and stored.hidden and stored.hidden_reason == "reviewed"
    assert [e.action for e in raced.audit.entries if e.action.startswith("review_")] == ["review_hide"]


@pytest.mark.parametrize(
    "actor", [CITIZEN, KUNQU_OFFICER, link_session("p1")], ids=["citizen", "unit officer", "reply link"]
)
def test_only_leaders_the_command_center_and_admins_review(actor: Actor) -> None:
    s = desk()
    post_id = s.post(new=HELD).id
    with pytest.raises(Forbidden):
        s.svc.review.page(actor, None, 20)
    with pytest.raises(Forbidden):
        s.svc.review.decide(actor, post_id, "publish", None)
    assert queue_ids(s) == [post_id]


def test_a_post_not_awaiting_review_cannot_be_decided() -> None:
    s = desk()
    post_id = s.post(new=PLAIN).id
    with pytest.raises(Conflict):
        s.svc.review.decide(LEADER, post_id, "hide", None)
    with pytest.raises(NotFound):
        s.svc.review.decide(LEADER, "p_missing", "hide", None)
