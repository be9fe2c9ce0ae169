"""The workbench on fakes, through the bootstrap: which view a post is in as it lives, the order and counts of
each view, who may read which queue, and the command-center board."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.domain.commands import NewPost
from chalicelib.domain.errors import Forbidden, NotFound, Unauthenticated, ValidationFailed
from chalicelib.domain.people import Actor
from chalicelib.domain.status import Status
from chalicelib.services.work import QueueAsk
from tests.unit.services import TIP_OFF, Station, station
from tests.unit.world import (
    ADMIN,
    ANONYMOUS,
    CENTER_OFFICER,
    CITIZEN,
    KUNQU_OFFICER,
    LEADER,
    QINGFU_OFFICER,
    link_session,
)

QINGFU_TIP = replace(TIP_OFF, district="东河区", title="东河区的线索")


def dispatched(s: Station, new: NewPost = TIP_OFF, by: Actor = CITIZEN) -> str:
    post = s.post(by, new)
    s.deliver()
    return post.id


def ids(s: Station, actor: Actor, view: str, **ask: object) -> list[str]:
    return [p.id for p in s.svc.work.queue(actor, QueueAsk(view=view, **ask)).posts]  # type: ignore[arg-type]


def counts(s: Station, actor: Actor = KUNQU_OFFICER, **ask: object) -> dict[str, int]:
    return s.svc.work.queue(actor, QueueAsk(**ask)).counts  # type: ignore[arg-type]


def version(s: Station, post_id: str) -> int:
    return s.detail(post_id).post.version


def test_a_post_moves_through_the_views_as_it_is_answered_followed_up_resolved_and_rated() -> None:
    s = station()
    post_id = dispatched(s)
    assert ids(s, KUNQU_OFFICER, "due") == [post_id]

    s.clock.advance(minutes=16)  # a report's first reply is due in 15 minutes
    assert ids(s, KUNQU_OFFICER, "overdue") == [post_id] and ids(s, KUNQU_OFFICER, "due") == []

    s.svc.forum.reply(KUNQU_OFFICER, post_id, "已收悉，民警正在处置")
    s.deliver()
    assert ids(s, KUNQU_OFFICER, "in_progress") == [post_id] and counts(s)["overdue"] == 0

    s.clock.advance(minutes=1)
    heard = len(s.notices_to("o-kunqu"))
    s.svc.forum.reply(CITIZEN, post_id, "人还在门口，请快来")
    s.deliver()
    assert ids(s, KUNQU_OFFICER, "followups") == [post_id] and counts(s)["in_progress"] == 0
    assert len(s.notices_to("o-kunqu")) == heard + 1  # the officer who last replied hears of it

    s.clock.advance(minutes=1)
    s.svc.forum.reply(KUNQU_OFFICER, post_id, "民警已到场")
    assert ids(s, KUNQU_OFFICER, "followups") == [] and ids(s, KUNQU_OFFICER, "in_progress") == [post_id]

    s.svc.lifecycle.change_status(KUNQU_OFFICER, post_id, "resolved", version(s, post_id), None)
    assert ids(s, KUNQU_OFFICER, "awaiting_feedback") == [post_id]

    s.svc.lifecycle.feedback(CITIZEN, post_id, True, None)
    assert ids(s, KUNQU_OFFICER, "resolved") == [post_id]
    assert counts(s) == {
        "due": 0,
        "overdue": 0,
        "in_progress": 0,
        "awaiting_feedback": 0,
        "resolved": 1,
        "followups": 0,
    }


def test_an_unsatisfied_rating_puts_the_post_back_in_due_with_a_fresh_deadline() -> None:
    s = station()
    post_id = dispatched(s)
    s.svc.forum.reply(KUNQU_OFFICER, post_id, "已处理")
    s.svc.lifecycle.change_status(KUNQU_OFFICER, post_id, "resolved", version(s, post_id), None)

    s.clock.advance(hours=3)
    s.svc.lifecycle.feedback(CITIZEN, post_id, False, "没人来过")

    assert ids(s, KUNQU_OFFICER, "due") == [post_id] and counts(s)["resolved"] == 0


def test_a_follow_up_before_any_official_reply_leaves_the_post_due_and_another_citizens_reply_is_no_follow_up() -> None:
    s = station()
    post_id = dispatched(s)
    s.svc.forum.reply(CITIZEN, post_id, "补充：是两个人")
    assert ids(s, KUNQU_OFFICER, "due") == [post_id]

    s.svc.forum.reply(KUNQU_OFFICER, post_id, "已收悉")
    s.clock.advance(minutes=1)
    s.svc.forum.reply(Actor(role="citizen", user_id="u_other", nickname="网友D4E5F6"), post_id, "我也看到了")
    assert counts(s)["followups"] == 0 and ids(s, KUNQU_OFFICER, "in_progress") == [post_id]


def test_due_is_soonest_deadline_first_and_overdue_longest_overdue_first_with_pages_and_a_cursor() -> None:
    s = station()
    made = []
    for n in range(5):
        made.append(dispatched(s, replace(TIP_OFF, title=f"线索{n}")))
        s.clock.advance(minutes=1)
    assert ids(s, KUNQU_OFFICER, "due") == made

    s.clock.advance(minutes=12, seconds=30)  # 17.5 minutes after the first: three deadlines have passed
    overdue = ids(s, KUNQU_OFFICER, "overdue")
    assert overdue == made[:3] and ids(s, KUNQU_OFFICER, "due") == made[3:]
    assert counts(s)["overdue"] == 3 and counts(s)["due"] == 2

    first = s.svc.work.queue(KUNQU_OFFICER, QueueAsk(view="overdue", limit=2))
    assert [p.id for p in first.posts] == made[:2] and first.next_cursor
    rest = s.svc.work.queue(KUNQU_OFFICER, QueueAsk(view="overdue", limit=2, cursor=first.next_cursor))
    assert [p.id for p in rest.posts] == made[2:3] and rest.next_cursor is None


def test_resolved_is_newest_first_and_a_cursor_of_another_view_is_refused() -> None:
    s = station()
    made = [dispatched(s, replace(TIP_OFF, title=f"线索{n}")) for n in range(3)]
    for post_id in made:
        s.clock.advance(minutes=1)
        s.svc.lifecycle.change_status(KUNQU_OFFICER, post_id, "resolved", version(s, post_id), None)
        s.svc.lifecycle.feedback(CITIZEN, post_id, True, None)
    page = s.svc.work.queue(KUNQU_OFFICER, QueueAsk(view="resolved", limit=2))
    assert [p.id for p in page.posts] == made[::-1][:2]

    with pytest.raises(ValidationFailed):
        s.svc.work.queue(KUNQU_OFFICER, QueueAsk(view="due", cursor=page.next_cursor))


def test_board_and_district_filters_keep_the_counts_to_the_same_posts() -> None:
    s = station()
    report = dispatched(s)
    dispatched(s, NewPost(board="qa", type="question", title="户口迁移", body="要带什么", district="昆都仑区"))

    assert ids(s, LEADER, "due", board="report") == [report]
    assert counts(s, LEADER, board="report")["due"] == 1
    assert counts(s, LEADER, district="东河区")["due"] == 0
    with pytest.raises(ValidationFailed):
        counts(s, LEADER, board="no-such-board")
    with pytest.raises(ValidationFailed):
        counts(s, LEADER, district="火星区")


def test_officers_read_their_own_unit_and_leaders_and_the_command_center_any_or_all() -> None:
    s = station()
    kunqu, qingfu = dispatched(s), dispatched(s, QINGFU_TIP)

    assert ids(s, KUNQU_OFFICER, "due") == [kunqu]
    assert ids(s, QINGFU_OFFICER, "due") == [qingfu]
    assert ids(s, KUNQU_OFFICER, "due", unit="kunqu") == [kunqu]
    for everyone in (LEADER, CENTER_OFFICER, ADMIN):
        assert sorted(ids(s, everyone, "due")) == sorted([kunqu, qingfu])
        assert ids(s, everyone, "due", unit="qingfu") == [qingfu]
    assert s.svc.work.queue(LEADER, QueueAsk()).unit is None
    assert s.svc.work.queue(KUNQU_OFFICER, QueueAsk()).unit.id == "kunqu"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("actor", "ask", "refusal"),
    [
        (ANONYMOUS, QueueAsk(), Unauthenticated),
        (CITIZEN, QueueAsk(), Forbidden),
        (link_session("p-any"), QueueAsk(), Forbidden),
        (KUNQU_OFFICER, QueueAsk(unit="qingfu"), Forbidden),
        (LEADER, QueueAsk(unit="no-such-unit"), NotFound),
        (LEADER, QueueAsk(view="everything"), ValidationFailed),
    ],
)
def test_the_queue_refuses_who_may_not_read_it_and_what_it_does_not_know(
    actor: Actor, ask: QueueAsk, refusal: type[Exception]
) -> None:
    with pytest.raises(refusal):
        station().svc.work.queue(actor, ask)


def test_the_board_shows_every_unit_and_the_posts_escalated_to_the_command_center_first() -> None:
    s = station()
    late = dispatched(s)
    s.clock.advance(minutes=1)
    qingfu = dispatched(s, QINGFU_TIP)
    answered = dispatched(s, replace(TIP_OFF, title="已回复的线索"))
    s.svc.forum.reply(KUNQU_OFFICER, answered, "已收悉")
    s.deliver()
    s.clock.advance(minutes=16)
    s.svc.supervision.sweep()  # the unit's leaders (督办 level 1)
    s.clock.advance(minutes=15)
    s.svc.supervision.sweep()  # the command center (level 2)

    board = s.svc.work.board(LEADER)

    rows = {row["unit"].id: row for row in board["units"]}
    assert (rows["kunqu"]["open"], rows["kunqu"]["overdue"], rows["kunqu"]["escalated"]) == (2, 1, 1)
    assert (rows["qingfu"]["open"], rows["qingfu"]["overdue"], rows["qingfu"]["escalated"]) == (1, 1, 1)
    assert rows["kunqu"]["median_first_response_minutes_today"] == 0
    assert [p.id for p in board["escalated"]] == [late, qingfu]  # longest overdue first
    assert rows["command-center"]["open"] == 0


@pytest.mark.parametrize(
    ("actor", "refusal"),
    [(ANONYMOUS, Unauthenticated), (CITIZEN, Forbidden), (KUNQU_OFFICER, Forbidden), (link_session("p"), Forbidden)],
)
def test_the_board_is_for_leaders_the_command_center_and_admins(actor: Actor, refusal: type[Exception]) -> None:
    s = station()
    with pytest.raises(refusal):
        s.svc.work.board(actor)
    for allowed in (LEADER, CENTER_OFFICER, ADMIN):
        assert s.svc.work.board(allowed)["units"]


def test_a_status_change_on_a_copy_read_before_a_reply_keeps_the_reply_and_its_view() -> None:
    s = station()
    post_id = dispatched(s)
    posts = s.ports["posts"]
    stale = posts.get(post_id)
    s.svc.forum.reply(KUNQU_OFFICER, post_id, "已收悉")

    posts.update(stale.model_copy(update={"status": Status.ACKNOWLEDGED, "version": stale.version + 1}), stale.version)

    assert ids(s, KUNQU_OFFICER, "in_progress") == [post_id] and counts(s)["due"] == 0


def test_the_clock_alone_turns_a_due_post_overdue() -> None:
    s = station()
    post_id = dispatched(s)
    deadline = s.detail(post_id).post.first_response_due
    assert deadline is not None
    s.clock.set(deadline - timedelta(milliseconds=1))
    assert ids(s, KUNQU_OFFICER, "due") == [post_id]
    s.clock.set(deadline)
    assert ids(s, KUNQU_OFFICER, "overdue") == [post_id]


def test_the_routes_views_are_the_rules_views() -> None:
    from chalicelib.api.work import VIEWS as ROUTE_VIEWS
    from chalicelib.domain.work import VIEWS

    assert ROUTE_VIEWS == VIEWS
