"""Moderation through the real app: flags hide at the third distinct established account (older than a day),
never a police or pinned post (those go to review), sensitive words hold a post, admins hide and unhide, and
every privileged action leaves an audit entry (who, when, what, before/after)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from itertools import count
from typing import Any

import pytest

from chalicelib.domain.times import CST
from tests.conftest import DIRECTORY
from tests.functional.conftest import World

_phones = count(1)


def new_citizen(people: World) -> str:
    return people.api.sign_in(f"1340000{next(_phones):04d}")


@pytest.fixture(scope="module")
def elders(people: World) -> Iterator[str]:
    """Tokens of citizens whose accounts are over a day old (signed in, then the module's clock moved a day on)."""
    tokens = [new_citizen(people) for _ in range(15)]
    people.clock.advance(days=1, minutes=1)
    return iter(tokens)


def flag(people: World, post_id: str, token: str | None) -> int:
    status, data, _ = people.api.call("POST", f"/posts/{post_id}/flags", {"reason": "广告"}, token=token)
    assert status in (202, 404), data
    return status


def visible_to_the_public(people: World, post_id: str) -> bool:
    return people.api.call("GET", f"/posts/{post_id}")[0] == 200


def test_a_post_is_hidden_at_the_third_distinct_account_and_not_before(people: World, elders: Iterator[str]) -> None:
    post = people.api.new_post(people.token("citizen"), title="卖二手手机", body="全新未拆封,加微信")
    first, second, third = (next(elders) for _ in range(3))
    assert flag(people, post["id"], first) == 202
    assert flag(people, post["id"], first) == 202  # the same account again counts once
    assert flag(people, post["id"], first) == 202
    assert visible_to_the_public(people, post["id"])
    assert flag(people, post["id"], second) == 202
    assert visible_to_the_public(people, post["id"])
    assert flag(people, post["id"], third) == 202
    assert not visible_to_the_public(people, post["id"])
    assert post["id"] not in people.api.feed_ids("board=qa")
    mine = people.api.detail(post["id"], people.token("citizen"))["post"]
    assert (mine["hidden"], mine["hidden_reason"]) == (True, "flagged")  # the author still sees it, and why
    assert people.api.detail(post["id"], people.token("unit_officer"))["post"]["hidden"] is True


def test_the_author_flagging_the_own_post_is_one_account_too(people: World) -> None:
    post = people.api.new_post(people.token("citizen"), title="自己举报自己", body="测试")
    for token in (people.token("citizen"), people.token("citizen"), new_citizen(people)):
        assert flag(people, post["id"], token) == 202
    assert visible_to_the_public(people, post["id"])


def test_an_admin_shows_a_flagged_post_again(people: World, elders: Iterator[str]) -> None:
    post = people.api.new_post(people.token("citizen"), title="被误举报的帖子", body="其实没问题")
    for _ in range(3):
        flag(people, post["id"], next(elders))
    assert not visible_to_the_public(people, post["id"])
    assert people.api.admin("DELETE", f"/admin/posts/{post['id']}/hidden")[0] == 200
    assert visible_to_the_public(people, post["id"])


def test_three_brand_new_accounts_cannot_hide_a_post(people: World) -> None:
    post = people.api.new_post(people.token("citizen"), title="正常的求助", body="钱包丢了")
    for _ in range(4):
        assert flag(people, post["id"], new_citizen(people)) == 202  # accepted, but counts towards nothing
    assert visible_to_the_public(people, post["id"])
    assert post["id"] in people.api.feed_ids("board=qa")


@pytest.mark.parametrize("kind", ["pinned", "police"])
def test_flags_never_hide_the_bureaus_pinned_or_own_posts_but_send_them_to_review(
    people: World, elders: Iterator[str], kind: str
) -> None:
    author = people.token("leader") if kind == "police" else people.token("citizen")
    post = people.api.new_post(
        author, title="欢迎来到24小时警局" if kind == "police" else "小区停水通知", body="使用须知"
    )
    if kind == "pinned":
        assert people.api.admin("PUT", f"/admin/posts/{post['id']}/pin", {"scope": "global"})[0] == 200
    for _ in range(3):
        flag(people, post["id"], new_citizen(people))  # three new accounts
    for _ in range(3):
        flag(people, post["id"], next(elders))  # and three established ones

    assert visible_to_the_public(people, post["id"])
    assert post["id"] in people.api.feed_ids()
    reviews = [e for e in audit_entries(people) if e["target"] == f"post:{post['id']}" and e["action"] != "pin"]
    assert [(e["action"], e["actor"]) for e in reviews] == [("flag_review", "system")]
    assert reviews[0]["after"]["hidden"] is False and reviews[0]["after"]["flag_count"] == 3


def test_a_sensitive_word_holds_a_post_for_review(people: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENSITIVE_WORDS", "代开发票,办证")
    post = people.api.new_post(people.token("citizen"), title="专业办证", body="各类证件,联系我")
    assert post["hidden"] is True and post["hidden_reason"] == "held_for_review"
    assert not visible_to_the_public(people, post["id"])
    assert people.api.admin("DELETE", f"/admin/posts/{post['id']}/hidden")[0] == 200
    assert visible_to_the_public(people, post["id"])
    clean = people.api.new_post(people.token("citizen"), title="办理居住证要带什么", body="刚搬来")
    assert "hidden" not in clean


# -- the audit trail --------------------------------------------------------------------------------------


def audit_entries(people: World) -> list[dict[str, Any]]:
    month = people.clock.now().astimezone(CST).strftime("%Y-%m")
    status, page, _ = people.api.admin("GET", f"/admin/audit?month={month}&limit=200")
    assert status == 200, page
    return list(page["entries"])


def post_id_of(people: World) -> str:
    return str(people.api.new_report(people.token("citizen"), "路灯不亮", "三号路口", district="昆都仑区")["id"])


def routed(people: World) -> str:
    post_id = post_id_of(people)
    status, data, _ = people.api.call(
        "POST", f"/posts/{post_id}/route", {"unit_id": "kunqu"}, token=people.token("leader")
    )
    assert status == 200, data
    return post_id


def act_status(people: World) -> tuple[str, str]:
    post_id = routed(people)
    version = people.api.detail(post_id)["post"]["version"]
    body = {"status": "in_progress", "version": version, "note": "民警已到场"}
    assert people.api.call("POST", f"/posts/{post_id}/status", body, token=people.token("unit_officer"))[0] == 200
    return "o-kunqu", f"post:{post_id}"


def act_reply(people: World) -> tuple[str, str]:
    post_id = post_id_of(people)
    body = {"body": "已收到,马上处理"}
    assert people.api.call("POST", f"/posts/{post_id}/replies", body, token=people.token("unit_officer"))[0] == 201
    return "o-kunqu", f"post:{post_id}"


def act_route(people: World) -> tuple[str, str]:
    return "o-chief", f"post:{routed(people)}"


def act_incident(people: World) -> tuple[str, str]:
    post_id = post_id_of(people)
    assert people.api.call("POST", f"/posts/{post_id}/incident", token=people.token("center_officer"))[0] == 202
    return "o-center", f"post:{post_id}"


def admin_act(method: str, path: str, body: Any, target: str) -> Callable[[World], tuple[str, str]]:
    def act(people: World) -> tuple[str, str]:
        post_id = post_id_of(people) if "{post}" in path else ""
        if method == "DELETE" and path.endswith("/pin"):
            assert people.api.admin("PUT", path.format(post=post_id), {"scope": "board"})[0] == 200
        if method == "DELETE" and path.endswith("/hidden"):
            assert people.api.admin("PUT", path.format(post=post_id), {"reason": "待核实"})[0] == 200
        status, data, _ = people.api.admin(method, path.format(post=post_id), body)
        assert status == 200, data
        return "admin", target.format(post=post_id)

    return act


OFFICER = {**DIRECTORY["officers"]["o-qingfu"], "on_duty": False}
ACTIONS: dict[str, Callable[[World], tuple[str, str]]] = {
    "status": act_status,
    "reply": act_reply,
    "route": act_route,
    "incident": act_incident,
    "pin": admin_act("PUT", "/admin/posts/{post}/pin", {"scope": "global"}, "post:{post}"),
    "unpin": admin_act("DELETE", "/admin/posts/{post}/pin", None, "post:{post}"),
    "hide": admin_act("PUT", "/admin/posts/{post}/hidden", {"reason": "广告"}, "post:{post}"),
    "unhide": admin_act("DELETE", "/admin/posts/{post}/hidden", None, "post:{post}"),
    "put_unit": admin_act(
        "PUT", "/admin/units/audit-unit", {"name": "审计派出所", "kind": "station"}, "unit:audit-unit"
    ),
    "put_officer": admin_act("PUT", "/admin/officers/o-qingfu", OFFICER, "officer:o-qingfu"),
    "put_routing": admin_act("PUT", "/admin/routing", DIRECTORY["routing"], "routing"),
}
COMPARED = {
    "status": "status",
    "route": "assigned_unit",
    "pin": "pin",
    "unpin": "pin",
    "hide": "hidden",
    "unhide": "hidden",
    "put_officer": "on_duty",
}


@pytest.mark.parametrize("action", list(ACTIONS))
def test_each_privileged_action_is_audited_with_who_when_and_before_after(people: World, action: str) -> None:
    started = people.clock.now()
    actor, target = ACTIONS[action](people)
    entries = [entry for entry in audit_entries(people) if datetime.fromisoformat(entry["at"]) >= started]
    mine = [entry for entry in entries if entry["action"] == action and entry["target"] == target]
    assert len(mine) == 1, entries
    entry = mine[0]
    assert entry["actor"] == actor
    assert entry["role"] == ("admin" if actor == "admin" else "leader" if actor == "o-chief" else "officer")
    assert datetime.fromisoformat(entry["at"]) - started < timedelta(minutes=1)
    assert entry["after"]
    if action in COMPARED:
        field = COMPARED[action]
        assert entry["before"] and entry["before"][field] != entry["after"][field], entry


def test_an_automatic_hide_on_flags_is_audited_as_the_system(people: World, elders: Iterator[str]) -> None:
    post = people.api.new_post(people.token("citizen"), title="垃圾广告", body="加微信")
    for _ in range(3):
        flag(people, post["id"], next(elders))
    entries = [e for e in audit_entries(people) if e["target"] == f"post:{post['id']}"]
    assert [(e["action"], e["actor"], e["after"]["hidden_reason"]) for e in entries] == [("hide", "system", "flagged")]


def test_the_audit_trail_is_for_admins_only(people: World) -> None:
    for role in ("anonymous", "citizen", "unit_officer", "leader", "admin_officer"):
        status, _, _ = people.api.call("GET", "/admin/audit", token=people.token(role))
        assert status in (401, 403), role
