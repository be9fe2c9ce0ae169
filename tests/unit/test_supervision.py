"""The every-minute sweep on fakes, through the bootstrap: lost dispatches come back, overdue posts are escalated
to the unit's leaders and then the command center, each once."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.domain.commands import NewPost
from tests.unit.services import Station, station
from tests.unit.world import KUNQU_OFFICER, OFFICERS

CHIEF = next(o for o in OFFICERS if o.id == "o-chief")

# The Kunqu branch's own leader, off duty: leaders hear of an overdue post even so.
KUNQU_CHIEF = CHIEF.model_copy(
    update={"id": "o-kunqu-chief", "phone": "13900000009", "unit_id": "kunqu", "on_duty": False}
)


def dispatched_tip_off() -> tuple[Station, str]:
    """A station whose Kunqu branch has an off-duty leader, and a report dispatched to Kunqu (15 minutes to answer)."""
    s = station()
    s.directory.put_officer(KUNQU_CHIEF)
    post = s.post()
    s.deliver()
    return s, post.id


def test_an_overdue_post_goes_to_the_units_leader_then_the_command_center_each_once() -> None:
    s, post_id = dispatched_tip_off()
    s.clock.advance(minutes=14)
    s.svc.supervision.sweep()
    assert "escalated" not in s.timeline(post_id)

    s.clock.advance(minutes=2)
    first = s.svc.supervision.sweep()
    again = s.svc.supervision.sweep()  # a second run in the same minute changes nothing

    assert (first.escalated_to_leaders, again.escalated_to_leaders, again.escalated_to_command) == (1, 0, 0)
    assert s.timeline(post_id).count("escalated") == 1
    (to_leader,) = s.notices_to(KUNQU_CHIEF.id)  # leaders hear of it even off duty
    assert to_leader.startswith("【24小时警局】督办")
    assert s.notices_to("o-center") == []

    s.clock.advance(minutes=15)
    second = s.svc.supervision.sweep()
    s.clock.advance(minutes=30)
    last = s.svc.supervision.sweep()

    assert (second.escalated_to_command, last.escalated_to_command) == (1, 0)
    events = s.detail(post_id).events
    assert [e.kind for e in events].count("escalated") == 2
    assert "指挥中心" in events[-1].text
    assert len(s.notices_to("o-center")) == 1 and len(s.notices_to("o-chief")) == 1
    assert len(s.notices_to(KUNQU_CHIEF.id)) == 1


def test_a_post_of_the_command_center_goes_straight_to_it_when_overdue() -> None:
    s = station()
    post = s.post(new=NewPost(board="qa", type="question", title="户口迁移要带什么", body="请问需要哪些材料"))
    s.deliver()
    due = s.detail(post.id).post.first_response_due
    assert due is not None
    s.clock.set(due + timedelta(minutes=1))

    report = s.svc.supervision.sweep()
    s.svc.supervision.sweep()

    assert (report.escalated_to_leaders, report.escalated_to_command) == (0, 1)
    assert s.timeline(post.id).count("escalated") == 1
    assert [n.startswith("【24小时警局】督办") for n in s.notices_to("o-center")] == [
        False,
        True,
    ]  # new, then escalated


def test_an_answered_post_is_not_escalated() -> None:
    s, post_id = dispatched_tip_off()
    s.svc.forum.reply(KUNQU_OFFICER, post_id, "已收悉")
    s.deliver()
    s.clock.advance(minutes=40)

    report = s.svc.supervision.sweep()

    assert (report.escalated_to_leaders, report.escalated_to_command) == (0, 0)
    assert "escalated" not in s.timeline(post_id)
    assert s.notices_to(KUNQU_CHIEF.id) == []


def test_a_lost_dispatch_message_is_queued_again_after_two_minutes_and_dispatched_once() -> None:
    s = station()
    post = s.post()
    s.queue.messages.clear()  # the message never got through

    assert s.svc.supervision.sweep().requeued == 0  # not yet: two minutes of grace
    s.clock.advance(minutes=3)
    assert s.svc.supervision.sweep().requeued == 1
    assert s.deliver() == 1
    s.clock.advance(minutes=3)

    assert s.svc.supervision.sweep().requeued == 0
    assert s.timeline(post.id) == ["received", "dispatched"]
    assert len(s.notices_to("o-kunqu")) == 1


def test_a_failed_enqueue_is_recovered_by_the_sweep() -> None:
    s = station()
    s.queue.failing = True
    post = s.post()  # stored; the message could not be sent
    s.queue.failing = False
    s.clock.advance(minutes=3)

    s.svc.supervision.sweep()
    s.deliver()

    assert s.timeline(post.id) == ["received", "dispatched"]


def lost_dispatches(count: int) -> Station:
    """A station with `count` posts whose dispatch messages never got through, all due three minutes on."""
    s = station()
    for number in range(count):
        s.post(new=NewPost(board="qa", type="question", title=f"咨询第{number}号", body="请问需要哪些材料"))
    s.queue.messages.clear()
    s.clock.advance(minutes=3)
    return s


def test_one_sweep_drains_a_backlog_larger_than_a_page() -> None:
    s = lost_dispatches(250)  # the sweep reads 100 a page

    report = s.svc.supervision.sweep()

    assert (report.requeued, report.pages, report.stopped_early) == (250, 3, False)
    assert len({m.post_id for m in s.queue.messages}) == 250
    assert s.svc.supervision.sweep().requeued == 0  # each is due again only two minutes on


def test_a_sweep_short_of_time_stops_and_the_next_run_goes_on_where_work_is_left() -> None:
    s = lost_dispatches(30)
    budget = iter(range(25_000, -30_000, -1_000))  # 25 s left, a second per post: 16 posts before the 10 s margin

    first = s.svc.supervision.sweep(lambda: next(budget))
    second = s.svc.supervision.sweep(lambda: 50_000)

    assert (first.requeued, first.stopped_early) == (16, True)
    assert (second.requeued, second.stopped_early) == (14, False)
    assert len({m.post_id for m in s.queue.messages}) == 30
