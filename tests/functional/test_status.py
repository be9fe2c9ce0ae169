"""Moving a post along its lifecycle: who may, stale versions, forward-only statuses."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import deliver
from tests.functional.conftest import POLICE, ROLES, World, assert_error_shape

UNASSIGNED = {role: 200 if role in POLICE else 403 for role in ROLES} | {"anonymous": 401, "admin_key": 401}
ASSIGNED_TO_KUNQU = UNASSIGNED | {"other_unit_officer": 403}


def move(
    people: World, post_id: str, status: str, version: int, role: str = "center_officer", **extra: Any
) -> tuple[int, Any]:
    got = people.api.call(
        "POST", f"/posts/{post_id}/status", {"status": status, "version": version, **extra}, token=people.token(role)
    )
    return got[0], got[1]


@pytest.mark.parametrize("role", ROLES)
def test_who_may_change_the_status_of_an_unassigned_post(people: World, role: str) -> None:
    post = people.api.new_post(people.token("citizen"))
    status, data = move(people, post["id"], "acknowledged", post["version"], role, note="已受理")
    assert status == UNASSIGNED[role], data
    after = people.api.detail(post["id"])
    if status == 200:
        assert data["status"] == after["post"]["status"] == "acknowledged"
        assert data["version"] == after["post"]["version"] == post["version"] + 1
        assert after["timeline"][-1]["kind"] == "acknowledged" and "已受理" in after["timeline"][-1]["text"]
    else:
        assert after["post"]["status"] == "received" and after["post"]["version"] == post["version"]
        assert [e["kind"] for e in after["timeline"]] == ["received"]


@pytest.fixture(scope="module")
def kunqu_post(people: World) -> dict[str, Any]:
    """A report from 昆都仑区, dispatched by the routing rules to 昆都仑区公安分局."""
    post = people.api.new_report(
        people.token("citizen"), "小区门口有人打架", "锦泰小区东门,三四个人。", district="昆都仑区"
    )
    deliver(people.api.client, people.outputs)
    assigned = people.api.detail(post["id"])["post"]
    assert assigned["assigned_unit"] == {"id": "kunqu", "name": "昆都仑区公安分局"}
    return assigned


@pytest.mark.parametrize("role", ROLES)
def test_who_may_change_the_status_of_a_post_assigned_to_a_unit(people: World, kunqu_post: dict, role: str) -> None:
    before = people.api.detail(kunqu_post["id"])["post"]
    # in_progress is ahead of every status the post can be in here; only the version moves on.
    target = "in_progress" if before["status"] != "in_progress" else "resolved"
    status, data = move(people, kunqu_post["id"], target, before["version"], role)
    assert status == ASSIGNED_TO_KUNQU[role], data
    after = people.api.detail(kunqu_post["id"])["post"]
    if status == 200:
        assert after["status"] == target and after["version"] == before["version"] + 1
        if target == "resolved":  # put it back in play for the next role
            assert move(people, kunqu_post["id"], "reopened", after["version"])[0] == 200
    else:
        assert after == before


def test_a_stale_version_is_409_and_changes_nothing(people: World) -> None:
    post = people.api.new_post(people.token("citizen"))
    status, moved = move(people, post["id"], "acknowledged", post["version"])
    assert status == 200
    before = people.api.detail(post["id"])
    status, data = move(people, post["id"], "in_progress", post["version"], role="leader")
    assert status == 409
    assert_error_shape(data)
    assert people.api.detail(post["id"]) == before
    assert before["post"]["status"] == "acknowledged" and before["post"]["version"] == moved["version"]


def test_a_version_from_the_future_is_409(people: World) -> None:
    post = people.api.new_post(people.token("citizen"))
    status, data = move(people, post["id"], "acknowledged", post["version"] + 5)
    assert status == 409
    assert_error_shape(data)
    assert people.api.detail(post["id"])["post"]["status"] == "received"


def test_statuses_skip_forward_never_back_and_resolved_reopens(people: World) -> None:
    post = people.api.new_post(people.token("citizen"))
    version = post["version"]

    def step(status: str, expected: int) -> None:
        nonlocal version
        before = people.api.detail(post["id"])
        code, data = move(people, post["id"], status, version)
        assert code == expected, (status, data)
        if code == 200:
            assert data["status"] == status and data["version"] == version + 1
            version = data["version"]
        else:
            assert_error_shape(data)
            assert people.api.detail(post["id"]) == before

    step("reopened", 409)  # only a resolved post reopens
    step("received", 409)  # standing still is not a move
    step("in_progress", 200)  # received → in_progress skips forward
    step("acknowledged", 409)  # never back
    step("dispatched", 409)
    step("in_progress", 409)
    step("resolved", 200)
    step("in_progress", 409)
    step("reopened", 200)  # resolved → reopened
    step("reopened", 409)
    step("resolved", 200)
    kinds = [e["kind"] for e in people.api.detail(post["id"])["timeline"]]
    assert kinds[0] == "received"
    assert [k for k in kinds if k in ("in_progress", "resolved", "reopened")] == [
        "in_progress",
        "resolved",
        "reopened",
        "resolved",
    ]


def test_a_post_cannot_be_hidden_through_the_status_route(people: World) -> None:
    post = people.api.new_post(people.token("citizen"))
    status, data = move(people, post["id"], "hidden", post["version"], role="leader")
    assert status == 400
    assert "status" in data["error"]["fields"]
    assert people.api.detail(post["id"])["post"]["status"] == "received"


def test_the_status_of_an_unknown_post_is_404(people: World) -> None:
    status, data = move(people, "p0000000000000000", "acknowledged", 1)
    assert status == 404
    assert_error_shape(data, "not_found")
