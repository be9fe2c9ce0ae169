"""Closing the loop: the author is asked to rate, follow-ups reach the officer, reasons, comments, fresh deadlines."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from chalicelib.services.dispatch import post_number
from tests.conftest import Api, MovableClock, deliver, officer_messages, sent_sms
from tests.functional.test_cad import cad_records, event, send_event
from tests.functional.test_dispatch import invoke, link_of, sweep, timeline
from tests.posting import new_post

RESIDENT = "13812345678"
KUNQU_OFFICER = "13900000003"  # 王警官, 昆都仑区公安分局
SECOND_KUNQU_OFFICER = "13900000008"
SITE = "http://127.0.0.1:8000"


def resolve(api: Api, post_id: str, token: str) -> dict[str, Any]:
    version = api.call("GET", f"/posts/{post_id}")[1]["post"]["version"]
    status, body, _ = api.call(
        "POST", f"/posts/{post_id}/status", {"status": "resolved", "version": version}, token=token
    )
    assert status == 200, body
    return dict(body)


def texts(phone: str, words: str) -> list[str]:
    return [text for _, text in sent_sms(phone) if words in text]


def officer_link(api: Api) -> str:
    status, session, _ = api.call("POST", "/auth/link", {"token": link_of(officer_messages(KUNQU_OFFICER)[0])})
    assert status == 200, session
    return str(session["token"])


def test_a_resolved_post_asks_its_author_to_rate_it_once_with_a_link(api: Api, directory: dict, aws: dict) -> None:
    resident = api.sign_in(RESIDENT)
    created = new_post(api, resident)
    deliver(api.client, aws)
    officer = officer_link(api)
    resolve(api, created["id"], officer)
    deliver(api.client, aws)
    invoke(api, {"kind": "resolved", "post_id": created["id"]})  # SQS delivers it again
    asked = texts(RESIDENT, "已办结")
    assert asked == [
        f"【24小时警局】您发布的帖子（编号{post_number(created['id'])}）已办结，请到“我的”评价办理结果：{SITE}"
    ]

    # Unsatisfied reopens it; resolving it again asks again, once.
    assert (
        api.call(
            "POST", f"/posts/{created['id']}/feedback", {"satisfied": False, "comment": "噪音还在"}, token=resident
        )[0]
        == 200
    )
    deliver(api.client, aws)
    resolve(api, created["id"], officer)
    deliver(api.client, aws)
    invoke(api, {"kind": "resolved", "post_id": created["id"]})
    assert len(texts(RESIDENT, "已办结")) == 2


def test_a_post_the_110_system_closes_asks_its_author_to_rate_it(api: Api, directory: dict, aws: dict) -> None:
    resident = api.sign_in(RESIDENT)
    created = new_post(api, resident)  # a report on an incident board: handed to 110
    deliver(api.client, aws)
    record = cad_records(aws)[0]
    for _ in range(2):
        assert send_event(api, event(record, "closed", 5))[0] == 200
    deliver(api.client, aws)
    assert texts(RESIDENT, "已办结") == [
        f"【24小时警局】您发布的帖子（编号{post_number(created['id'])}）已办结，请到“我的”评价办理结果：{SITE}"
    ]


def test_a_post_rated_before_the_message_arrives_asks_nothing(api: Api, directory: dict, aws: dict) -> None:
    resident = api.sign_in(RESIDENT)
    created = new_post(api, resident)
    deliver(api.client, aws)
    resolve(api, created["id"], officer_link(api))
    assert api.call("POST", f"/posts/{created['id']}/feedback", {"satisfied": True}, token=resident)[0] == 200
    deliver(api.client, aws)
    assert texts(RESIDENT, "已办结") == []


def test_the_police_answered_sms_carries_only_the_sites_fixed_link(api: Api, directory: dict, aws: dict) -> None:
    resident = api.sign_in(RESIDENT)
    created = new_post(api, resident)
    deliver(api.client, aws)
    assert api.call("POST", f"/posts/{created['id']}/replies", {"body": "已收悉"}, token=officer_link(api))[0] == 201
    deliver(api.client, aws)
    answered = texts(RESIDENT, "民警回复")
    assert answered == [
        f"【24小时警局】您发布的帖子（编号{post_number(created['id'])}）有了民警回复，请到“我的”查看：{SITE}"
    ]


def test_a_follow_up_reaches_the_unit_then_the_officer_who_acted_last(api: Api, directory: dict, aws: dict) -> None:
    second = {
        "name": "赵警官",
        "title": "值班民警",
        "phone": SECOND_KUNQU_OFFICER,
        "unit_id": "kunqu",
        "role": "officer",
        "on_duty": True,
    }
    assert api.admin("PUT", "/admin/officers/o-kunqu-2", second)[0] == 200
    resident = api.sign_in(RESIDENT)
    created = new_post(api, resident)
    deliver(api.client, aws)
    assert len(officer_messages(KUNQU_OFFICER)) == len(officer_messages(SECOND_KUNQU_OFFICER)) == 1

    # Nobody has answered yet: the unit's on-duty officers hear of the follow-up, once each.
    follow_up = {"body": "补充:人往北边去了"}
    status, first, _ = api.call("POST", f"/posts/{created['id']}/replies", follow_up, token=resident)
    assert status == 201, first
    deliver(api.client, aws)
    invoke(api, {"kind": "follow_up", "post_id": created["id"], "reply_id": first["id"]})
    for phone in (KUNQU_OFFICER, SECOND_KUNQU_OFFICER):
        notices = [m for m in officer_messages(phone) if "发帖人补充" in m]
        assert len(notices) == 1, notices
        assert f"编号{post_number(created['id'])}" in notices[0] and "北边" not in notices[0]
    assert link_of(next(m for m in officer_messages(KUNQU_OFFICER) if "发帖人补充" in m))  # by e-mail: the link
    (by_sms,) = [m for m in officer_messages(SECOND_KUNQU_OFFICER) if "发帖人补充" in m]
    assert by_sms.endswith(f"{SITE}/work.html") and "reply.html" not in by_sms  # an SMS: the fixed link only

    # 王警官 answered: the next follow-up goes to him alone, with a link that opens the post.
    officer = officer_link(api)
    assert api.call("POST", f"/posts/{created['id']}/replies", {"body": "民警已出发"}, token=officer)[0] == 201
    api.call("POST", f"/posts/{created['id']}/replies", {"body": "补充:车牌蒙K12345"}, token=resident)
    deliver(api.client, aws)
    assert len([m for m in officer_messages(KUNQU_OFFICER) if "发帖人补充" in m]) == 2
    assert len([m for m in officer_messages(SECOND_KUNQU_OFFICER) if "发帖人补充" in m]) == 1
    latest = [m for m in officer_messages(KUNQU_OFFICER) if "发帖人补充" in m][-1]
    status, session, _ = api.call("POST", "/auth/link", {"token": link_of(latest)})
    assert status == 200 and session["post_id"] == created["id"]

    # 赵警官 took it over (moved it along): the next one goes to him alone.
    version = api.call("GET", f"/posts/{created['id']}")[1]["post"]["version"]
    change = {"status": "in_progress", "version": version}
    assert api.call("POST", f"/posts/{created['id']}/status", change, token=api.sign_in(SECOND_KUNQU_OFFICER))[0] == 200
    api.call("POST", f"/posts/{created['id']}/replies", {"body": "补充:他们又回来了"}, token=resident)
    deliver(api.client, aws)
    assert len([m for m in officer_messages(KUNQU_OFFICER) if "发帖人补充" in m]) == 2
    assert len([m for m in officer_messages(SECOND_KUNQU_OFFICER) if "发帖人补充" in m]) == 2


def test_another_residents_reply_notifies_no_officer(api: Api, directory: dict, aws: dict) -> None:
    resident, other = api.sign_in(RESIDENT), api.sign_in("13712345678")
    created = new_post(api, resident)
    deliver(api.client, aws)
    api.call("POST", f"/posts/{created['id']}/replies", {"body": "我也看到了"}, token=other)
    deliver(api.client, aws)
    assert [m for m in officer_messages(KUNQU_OFFICER) if "发帖人补充" in m] == []


def test_unsatisfied_needs_a_reason_before_it_reopens(api: Api, directory: dict, aws: dict) -> None:
    resident = api.sign_in(RESIDENT)
    created = new_post(api, resident)
    deliver(api.client, aws)
    resolve(api, created["id"], officer_link(api))
    for body in ({"satisfied": False}, {"satisfied": False, "comment": "   "}):
        status, error, _ = api.call("POST", f"/posts/{created['id']}/feedback", body, token=resident)
        assert status == 400, error
        assert error["error"]["code"] == "validation_error" and "comment" in error["error"]["fields"]
        if "comment" not in body:  # (a blank one is refused by the schema, naming the field too)
            assert "不满意" in error["error"]["message"] and "原因" in error["error"]["message"]
            assert "comment" in error["error"]["message"]
    mine = api.call("GET", f"/posts/{created['id']}", token=resident)[1]["post"]
    assert mine["status"] == "resolved" and mine["awaiting_feedback"] is True
    status, rated, _ = api.call(
        "POST", f"/posts/{created['id']}/feedback", {"satisfied": False, "comment": "人还在"}, token=resident
    )
    assert status == 200 and rated["status"] == "reopened"


def test_the_rating_comment_shows_on_the_timeline_masked(api: Api, directory: dict, aws: dict) -> None:
    resident = api.sign_in(RESIDENT)
    created = new_post(api, resident)
    deliver(api.client, aws)
    resolve(api, created["id"], officer_link(api))
    comment = "处理及时,可打13812345678回访"
    assert (
        api.call("POST", f"/posts/{created['id']}/feedback", {"satisfied": True, "comment": comment}, token=resident)[0]
        == 200
    )
    public = [e for e in api.call("GET", f"/posts/{created['id']}")[1]["timeline"] if e["kind"] == "rated"]
    assert len(public) == 1 and "处理及时" in public[0]["text"] and "满意" in public[0]["text"]
    assert "13812345678" not in public[0]["text"] and "138****5678" in public[0]["text"]
    own = [e for e in api.call("GET", f"/posts/{created['id']}", token=resident)[1]["timeline"] if e["kind"] == "rated"]
    assert comment in own[0]["text"]


def test_the_rating_comment_of_a_police_only_post_stays_withheld(api: Api, directory: dict, aws: dict) -> None:
    resident = api.sign_in(RESIDENT)
    created = new_post(api, resident, visibility="police_only")
    deliver(api.client, aws)
    resolve(api, created["id"], officer_link(api))
    assert (
        api.call(
            "POST", f"/posts/{created['id']}/feedback", {"satisfied": False, "comment": "嫌疑人是老张"}, token=resident
        )[0]
        == 200
    )
    public = api.call("GET", f"/posts/{created['id']}")[1]
    assert "老张" not in json.dumps(public, ensure_ascii=False)
    assert [e["text"] for e in public["timeline"] if e["kind"] == "rated"] == ["发帖人已评价"]
    own = api.call("GET", f"/posts/{created['id']}", token=resident)[1]["timeline"]
    assert any("老张" in e["text"] for e in own if e["kind"] == "rated")


def cst(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_a_reopened_post_gets_a_fresh_deadline_and_is_escalated_anew(
    api: Api, directory: dict, aws: dict, clock: MovableClock
) -> None:
    resident = api.sign_in(RESIDENT)
    created = new_post(api, resident)  # a report: 15 minutes to a first official reply
    deliver(api.client, aws)
    officer = officer_link(api)
    assert api.call("POST", f"/posts/{created['id']}/replies", {"body": "已收悉"}, token=officer)[0] == 201
    deliver(api.client, aws)
    resolve(api, created["id"], officer)
    clock.advance(hours=3)
    status, reopened, _ = api.call(
        "POST", f"/posts/{created['id']}/feedback", {"satisfied": False, "comment": "问题没解决"}, token=resident
    )
    assert status == 200 and reopened["status"] == "reopened"
    reopened_at = next(
        e["at"] for e in api.call("GET", f"/posts/{created['id']}")[1]["timeline"] if e["kind"] == "reopened"
    )
    assert cst(reopened["first_response_due"]) == cst(reopened_at) + timedelta(minutes=15)
    assert cst(reopened["first_response_due"]) > cst(created["first_response_due"]) + timedelta(hours=2)
    deliver(api.client, aws)
    renotice = officer_messages(KUNQU_OFFICER)[-1]
    assert cst(reopened["first_response_due"]).strftime("%m-%d %H:%M") + "前回复" in renotice

    clock.advance(minutes=14)
    sweep(api)
    assert "escalated" not in timeline(api, created["id"])  # the new deadline has not passed
    clock.advance(minutes=2)
    sweep(api)
    sweep(api)
    assert timeline(api, created["id"]).count("escalated") == 1  # overdue again: 督办 from the start

    assert api.call("POST", f"/posts/{created['id']}/replies", {"body": "再次处理"}, token=officer)[0] == 201
    deliver(api.client, aws)
    clock.advance(minutes=30)
    sweep(api)
    assert timeline(api, created["id"]).count("escalated") == 1  # answered since the reopening: left alone
