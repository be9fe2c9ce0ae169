"""The workbench over HTTP on moto: each view's order and counts as the clock moves, follow-ups reaching the
officer who replied, and the command-center board.

The module has a stack of its own (`people`): every post in it is made here, so the counts are exact.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import deliver, officer_messages
from tests.functional.conftest import PERSONAS, World

VIEWS = ("due", "overdue", "in_progress", "awaiting_feedback", "resolved", "followups")


def queue(world: World, role: str, query: str = "") -> dict[str, Any]:
    status, data, _ = world.api.call("GET", f"/work/queue{query}", token=world.token(role))
    assert status == 200, data
    return dict(data)


def ids(world: World, role: str, query: str) -> list[str]:
    return [post["id"] for post in queue(world, role, query)["posts"]]


def qingfu_report(world: World, n: int) -> str:
    """A report from 东河区: routed to 青福派出所, the unit this module's queue tests read."""
    post = world.api.new_report(world.token("citizen"), f"东河区线索{n}", f"第{n}条：楼下有人撬车。", district="东河区")
    deliver(world.api.client, world.outputs)
    return str(post["id"])


def change(world: World, role: str, post_id: str, status: str) -> None:
    version = world.api.detail(post_id, world.token("leader"))["post"]["version"]
    body = {"status": status, "version": version}
    code, data, _ = world.api.call("POST", f"/posts/{post_id}/status", body, token=world.token(role))
    assert code == 200, data


def reply(world: World, role: str, post_id: str, text: str) -> None:
    code, data, _ = world.api.call("POST", f"/posts/{post_id}/replies", {"body": text}, token=world.token(role))
    assert code == 201, data
    deliver(world.api.client, world.outputs)


def test_each_view_holds_its_posts_in_order_with_exact_counts_as_the_clock_moves(people: World) -> None:
    w, officer = people, "other_unit_officer"  # 青福派出所
    made = []
    for n in range(4):
        made.append(qingfu_report(w, n))
        w.clock.advance(minutes=2)
    # Reports are due 15 minutes after posting: now 8 minutes after the first.
    assert ids(w, officer, "?view=due") == made and ids(w, officer, "") == made  # due is the default
    assert queue(w, officer)["counts"] == dict.fromkeys(VIEWS, 0) | {"due": 4}

    w.clock.advance(minutes=10)  # 18 minutes after the first: the first two deadlines have passed
    assert ids(w, officer, "?view=overdue") == made[:2]  # longest overdue first
    assert ids(w, officer, "?view=due") == made[2:]

    reply(w, officer, made[0], "已收悉，民警正在处置。")
    change(w, officer, made[1], "in_progress")
    change(w, officer, made[2], "resolved")
    counts = queue(w, officer)["counts"]
    assert counts == {
        "due": 1,
        "overdue": 1,  # in progress without any official reply: its deadline still stands
        "in_progress": 1,
        "awaiting_feedback": 1,
        "resolved": 0,
        "followups": 0,
    }
    assert ids(w, officer, "?view=in_progress") == [made[0]]
    assert ids(w, officer, "?view=awaiting_feedback") == [made[2]]

    code, data, _ = w.api.call("POST", f"/posts/{made[2]}/feedback", {"satisfied": True}, token=w.token("citizen"))
    assert code == 200, data
    assert ids(w, officer, "?view=resolved") == [made[2]]

    first = queue(w, "leader", "?unit=qingfu&view=due&limit=1")
    assert [p["id"] for p in first["posts"]] == [made[3]] and first["next_cursor"] is None
    assert first["unit"]["id"] == "qingfu"


def test_a_follow_up_after_an_official_reply_reaches_the_officer_and_an_answer_takes_it_out(people: World) -> None:
    w, officer = people, "other_unit_officer"
    post_id = qingfu_report(w, 10)
    reply(w, officer, post_id, "已收悉。")
    heard = len(officer_messages(PERSONAS[officer] or ""))
    w.clock.advance(minutes=1)

    reply(w, "citizen", post_id, "他们又来了，还在楼下。")

    followups = queue(w, officer, "?view=followups")
    assert [p["id"] for p in followups["posts"]] == [post_id] and followups["counts"]["followups"] == 1
    assert followups["posts"][0]["latest_followup_at"]
    assert len(officer_messages(PERSONAS[officer] or "")) == heard + 1
    w.clock.advance(minutes=1)
    reply(w, officer, post_id, "民警马上到。")
    assert ids(w, officer, "?view=followups") == []
    assert post_id in ids(w, officer, "?view=in_progress")


def test_the_board_counts_every_units_open_and_overdue_work(people: World) -> None:
    w = people
    status, board, _ = w.api.call("GET", "/work/board", token=w.token("center_officer"))
    assert status == 200, board
    before = {row["unit"]["id"]: row for row in board["units"]}
    w.api.new_report(w.token("citizen"), "昆都仑区线索", "小区门口有人打架。", district="昆都仑区")
    deliver(w.api.client, w.outputs)
    w.clock.advance(minutes=16)

    status, board, _ = w.api.call("GET", "/work/board", token=w.token("leader"))

    rows = {row["unit"]["id"]: row for row in board["units"]}
    assert rows["kunqu"]["open"] == before["kunqu"]["open"] + 1
    assert rows["kunqu"]["overdue"] == before["kunqu"]["overdue"] + 1
    assert set(rows) >= {"kunqu", "qingfu", "command-center"}
