"""Re-routing, resolving, rating and reopening on fakes, through the bootstrap."""

from __future__ import annotations

import pytest

from chalicelib.domain.errors import Conflict, Forbidden, Unauthenticated, ValidationFailed
from chalicelib.domain.people import Actor
from chalicelib.services.dispatch import post_number
from tests.unit import world
from tests.unit.services import CITIZEN_PHONE, Station, station
from tests.unit.world import CITIZEN, KUNQU_OFFICER, LEADER


def dispatched() -> tuple[Station, str]:
    s = station()
    post = s.post()
    s.deliver()
    return s, post.id


def resolved() -> tuple[Station, str]:
    s, post_id = dispatched()
    version = s.detail(post_id).post.version
    s.svc.lifecycle.change_status(KUNQU_OFFICER, post_id, "resolved", version, "已处置")
    s.deliver()
    return s, post_id


@pytest.mark.parametrize("actor", [world.CENTER_OFFICER, LEADER])
def test_the_command_center_and_leaders_move_a_post_to_another_unit_which_is_told(actor: Actor) -> None:
    s, post_id = dispatched()

    moved = s.svc.lifecycle.route(actor, post_id, "qingfu", "辖区有误")
    s.deliver()

    assert moved.assigned_unit is not None and moved.assigned_unit.id == "qingfu"
    last = s.detail(post_id).events[-1]
    assert last.kind == "transferred" and last.text.endswith("将帖子转交东河区青福派出所：辖区有误")
    assert len(s.notices_to("o-qingfu")) == 1
    assert [a for a in s.audit.actions() if a[1] == "route"] == [(actor.user_id, "route", f"post:{post_id}")]


@pytest.mark.parametrize(
    "actor,refused",
    [
        (world.ANONYMOUS, Unauthenticated),
        (CITIZEN, Forbidden),
        (KUNQU_OFFICER, Forbidden),
        (world.QINGFU_OFFICER, Forbidden),
        (world.link_session("p-another"), Forbidden),
    ],
)
def test_nobody_else_may_move_a_post(actor: Actor, refused: type[Exception]) -> None:
    s, post_id = dispatched()

    with pytest.raises(refused):
        s.svc.lifecycle.route(actor, post_id, "qingfu", None)

    assigned = s.detail(post_id).post.assigned_unit
    assert assigned is not None and assigned.id == "kunqu"


def test_a_resolved_post_or_an_unknown_unit_cannot_be_routed() -> None:
    s, post_id = resolved()

    with pytest.raises(ValidationFailed):
        s.svc.lifecycle.route(LEADER, post_id, "qingfu", None)
    with pytest.raises(ValidationFailed):
        s.svc.lifecycle.route(LEADER, s.post().id, "nowhere", None)


def test_a_resolution_asks_the_author_to_rate_once() -> None:
    s, post_id = resolved()

    s.svc.dispatcher.handle({"kind": "resolved", "post_id": post_id})  # redelivered

    asked = [t for t in s.sms.texts_to(CITIZEN_PHONE) if "已办结" in t]
    assert asked == [
        f"【24小时警局】您发布的帖子（编号{post_number(post_id)}）已办结，请到“我的”评价办理结果：http://127.0.0.1:8000"
    ]
    assert s.detail(post_id, CITIZEN).post.awaiting_feedback


def test_a_satisfied_author_closes_the_loop_and_cannot_rate_twice() -> None:
    s, post_id = resolved()

    rated = s.svc.lifecycle.feedback(CITIZEN, post_id, True, None)

    assert rated.status == "resolved" and not rated.awaiting_feedback
    assert s.timeline(post_id)[-1] == "rated"
    with pytest.raises(Conflict):
        s.svc.lifecycle.feedback(CITIZEN, post_id, True, None)


def test_an_unsatisfied_author_must_say_why_and_the_post_reopens_for_the_unit_again() -> None:
    s, post_id = resolved()
    with pytest.raises(ValidationFailed):
        s.svc.lifecycle.feedback(CITIZEN, post_id, False, "  ")

    reopened = s.svc.lifecycle.feedback(CITIZEN, post_id, False, "还没解决")
    s.deliver()

    assert reopened.status == "reopened"
    assert s.timeline(post_id)[-2:] == ["rated", "reopened"]
    assert len(s.notices_to("o-kunqu")) == 2  # the unit is told again


def test_an_officer_reopening_a_resolved_post_tells_the_unit_again() -> None:
    s, post_id = resolved()
    version = s.detail(post_id).post.version

    s.svc.lifecycle.change_status(KUNQU_OFFICER, post_id, "reopened", version, None)
    s.deliver()

    assert s.detail(post_id).post.status == "reopened"
    assert len(s.notices_to("o-kunqu")) == 2


@pytest.mark.parametrize(
    "actor,refused",
    [
        (world.ANONYMOUS, Unauthenticated),
        (world.OTHER_CITIZEN, Forbidden),
        (KUNQU_OFFICER, Forbidden),
        (LEADER, Forbidden),
    ],
)
def test_only_the_author_rates(actor: Actor, refused: type[Exception]) -> None:
    s, post_id = resolved()

    with pytest.raises(refused):
        s.svc.lifecycle.feedback(actor, post_id, True, None)


def test_rating_before_the_resolution_is_a_conflict() -> None:
    s, post_id = dispatched()

    with pytest.raises(Conflict):
        s.svc.lifecycle.feedback(CITIZEN, post_id, True, None)
