"""The post lifecycle, pins and first-response deadlines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.errors import Conflict, StaleVersion, ValidationFailed
from chalicelib.domain.posts import Post
from chalicelib.domain.status import STATUS_NAMES, Status
from tests.unit.world import a_post

T0 = datetime(2026, 3, 13, 8, 5, tzinfo=UTC)
LATER = T0 + timedelta(minutes=5)
FORWARD = ["received", "dispatched", "acknowledged", "in_progress", "resolved"]


def post(status: str = "received", type_: str = "report", version: int = 1) -> Post:
    return a_post(T0, board="report", type=type_, status=status, version=version)


@pytest.mark.parametrize(
    ("start", "target"),
    [(a, b) for i, a in enumerate(FORWARD) for b in FORWARD[i + 1 :]]
    + [("reopened", "acknowledged"), ("reopened", "in_progress"), ("reopened", "resolved"), ("resolved", "reopened")],
)
def test_a_post_may_move_forward_and_skip_steps(start: str, target: str) -> None:
    subject = post(start)

    moved, events = subject.move_to(target, LATER, version=1, by="王警官")

    assert moved.status == target
    assert moved.updated_at == LATER
    assert [(e.kind, e.text) for e in events] == [(target, f"王警官将状态改为{STATUS_NAMES[Status(target)]}")]
    assert (subject.status, subject.updated_at) == (start, T0)  # the post read stays as it was


@pytest.mark.parametrize(
    ("start", "target"),
    [(b, a) for i, a in enumerate(FORWARD) for b in FORWARD[i:]]
    + [
        ("reopened", "dispatched"),
        ("reopened", "reopened"),
        ("in_progress", "reopened"),
        ("received", "reopened"),
        ("hidden", "resolved"),
        ("hidden", "reopened"),
    ],
)
def test_a_post_never_moves_back_or_stays_put(start: str, target: str) -> None:
    subject = post(start)

    with pytest.raises(Conflict) as raised:
        subject.move_to(target, LATER, version=1, by="王警官")

    assert type(raised.value) is Conflict
    assert (subject.status, subject.updated_at) == (start, T0)


def test_only_a_resolved_post_can_be_reopened() -> None:
    assert post("resolved").can_move_to("reopened")
    assert [s for s in FORWARD if post(s).can_move_to("reopened")] == ["resolved"]


def test_a_stale_version_is_refused_before_anything_changes() -> None:
    subject = post("dispatched", version=3)

    with pytest.raises(StaleVersion):
        subject.move_to("acknowledged", LATER, version=2, by="王警官")

    assert (subject.status, subject.updated_at) == ("dispatched", T0)


def test_an_unknown_status_is_a_validation_error() -> None:
    with pytest.raises(ValidationFailed) as raised:
        post().move_to("closed", LATER, version=1, by="王警官")

    assert "status" in raised.value.fields


def test_resolving_waits_for_feedback_and_an_unsatisfied_author_reopens() -> None:
    subject, _ = post("in_progress").move_to("resolved", LATER, version=1, by="王警官")
    assert subject.awaiting_feedback

    subject, events = subject.rate(False, "没人来", LATER + timedelta(hours=1))

    assert (subject.status, subject.satisfied, subject.awaiting_feedback) == ("reopened", False, False)
    assert [e.kind for e in events] == ["rated", "reopened"]
    with pytest.raises(Conflict):
        subject.rate(True, None, LATER + timedelta(hours=2))


@pytest.mark.parametrize(("type_", "minutes"), [("report", 15), ("help", 15), ("question", 60), ("publicity", None)])
def test_the_first_response_is_due_by_post_type(type_: str, minutes: int | None) -> None:
    due = Post.first_response_due_for(type_, T0)

    assert due == (None if minutes is None else T0 + timedelta(minutes=minutes))


def test_a_pin_without_an_end_holds_forever() -> None:
    subject = post().pin_with("global", None, T0)

    assert subject.is_pinned(T0 + timedelta(days=3650))
    assert subject.pin is not None and subject.pin.scope == "global"


def test_a_pin_with_an_end_holds_only_until_then() -> None:
    until = T0 + timedelta(hours=2)

    subject = post().pin_with("board", until, T0)

    assert subject.is_pinned(until - timedelta(seconds=1))
    assert not subject.is_pinned(until)
    assert not subject.is_pinned(until + timedelta(days=1))


@pytest.mark.parametrize("until", [T0, T0 - timedelta(minutes=1)])
def test_a_pin_cannot_end_before_it_starts(until: datetime) -> None:
    subject = post()

    with pytest.raises(ValidationFailed) as raised:
        subject.pin_with("board", until, T0)

    assert "until" in raised.value.fields
    assert subject.pin is None


def test_an_unpinned_post_is_not_pinned() -> None:
    subject = post().pin_with("global", None, T0).unpin(LATER)

    assert subject.pin is None and not subject.is_pinned(LATER)
    assert subject.updated_at == LATER
