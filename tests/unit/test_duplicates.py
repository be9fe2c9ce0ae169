"""A duplicate post names the earlier post, so the page can link to it instead of saying someone else edited it."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.domain.errors import DuplicatePost
from chalicelib.domain.posts import NewPost
from chalicelib.services.limits import Limits, LimitSettings
from tests.fakes import FixedClock, InMemoryCounters
from tests.unit.world import CITIZEN, OTHER_CITIZEN, build_forum

LAMP = NewPost(board="qa", type="question", title="小区路灯不亮", body="晚上门口一片漆黑。")


def test_the_same_text_again_is_refused_naming_the_authors_earlier_post() -> None:
    clock = FixedClock()
    forum = build_forum(clock=clock, limits=Limits(InMemoryCounters(), LimitSettings.parse("post_interval=0")))
    earlier = forum.create_post(CITIZEN, LAMP)
    forum.create_post(CITIZEN, replace(LAMP, title="另一件事"))
    forum.create_post(OTHER_CITIZEN, LAMP)  # someone else's same text is not the author's earlier post
    clock.advance(minutes=3)

    with pytest.raises(DuplicatePost) as refused:
        forum.create_post(CITIZEN, LAMP)

    assert refused.value.code == "conflict"
    assert refused.value.message == "您在10分钟内已发布过相同内容的帖子"
    assert refused.value.post_id == earlier.id


def test_a_duplicate_whose_original_is_not_stored_yet_names_none() -> None:
    counters = InMemoryCounters()
    limits = Limits(counters, LimitSettings.parse("post_interval=0"))
    forum = build_forum(limits=limits)
    limits.post(CITIZEN.user_id, None, LAMP.title, LAMP.body, FixedClock().now() - timedelta(seconds=1))

    with pytest.raises(DuplicatePost) as refused:
        forum.create_post(CITIZEN, LAMP)

    assert refused.value.post_id is None
