"""Dispatch, notices, link sessions and supervision through the real handlers on moto."""

from __future__ import annotations

import json
import re
from typing import Any

import boto3
import pytest

from tests.conftest import Api, MovableClock, deliver, officer_messages, sent_sms
from tests.posting import new_post

KUNQU_OFFICER = "13900000003"
CHIEF = "13900000001"
CENTER_OFFICER = "13900000002"


def invoke(api: Api, *bodies: dict[str, Any]) -> Any:
    event = api.client.events.generate_sqs_event(
        queue_name="police24-dispatch", message_bodies=[json.dumps(b) for b in bodies]
    )
    return api.client.lambda_.invoke("dispatch_post", event)


SCHEDULED = {
    "version": "0",
    "id": "tick",
    "detail-type": "Scheduled Event",
    "source": "aws.events",
    "account": "123456789012",
    "time": "2026-01-01T00:00:00Z",
    "region": "us-east-1",
    "resources": ["arn:aws:events:us-east-1:123456789012:rule/police24-sweep"],
    "detail": {},
}


def sweep(api: Api) -> Any:
    return api.client.lambda_.invoke("sweep", SCHEDULED)


def link_of(message: str) -> str:
    found = re.search(r"reply\.html#t=(\S+)", message)
    assert found, message
    return found.group(1)


def timeline(api: Api, post_id: str) -> list[str]:
    return [e["kind"] for e in api.call("GET", f"/posts/{post_id}")[1]["timeline"]]


def test_the_same_message_twice_gives_one_assignment_and_one_notice(api: Api, directory: dict, aws: dict) -> None:
    resident = api.sign_in("13812345678")
    created = new_post(api, resident)
    deliver(api.client, aws)
    invoke(api, {"kind": "dispatch", "post_id": created["id"]})
    invoke(api, {"kind": "dispatch", "post_id": created["id"]}, {"kind": "dispatch", "post_id": created["id"]})
    assert timeline(api, created["id"]) == ["received", "dispatched"]
    assert len(officer_messages(KUNQU_OFFICER)) == 1
    assert api.call("GET", "/stats")[1]["overall"]["assigned"] == 1


def test_notices_go_to_on_duty_officers_of_the_routed_unit_only(api: Api, directory: dict, aws: dict) -> None:
    resident = api.sign_in("13812345678")
    created = new_post(api, resident, district="东河区")
    deliver(api.client, aws)
    detail = api.call("GET", f"/posts/{created['id']}")[1]
    assert detail["post"]["assigned_unit"]["id"] == "qingfu"
    assert detail["timeline"][-1]["text"] == "已分派至东河区青福派出所"
    assert len(officer_messages("13900000004")) == 1
    assert officer_messages(KUNQU_OFFICER) == []


def test_a_post_no_rule_matches_goes_to_the_command_center(api: Api, directory: dict, aws: dict) -> None:
    resident = api.sign_in("13812345678")
    created = new_post(api, resident, board="qa", type="question", district=None)
    deliver(api.client, aws)
    detail = api.call("GET", f"/posts/{created['id']}")[1]
    assert detail["post"]["assigned_unit"]["id"] == "command-center"
    # on-duty officers of the center: the chief (leader, on duty) and the center officer; not the off-duty admin
    assert len(officer_messages(CHIEF)) == 1 and len(officer_messages(CENTER_OFFICER)) == 1
    assert officer_messages("13900000005") == []


def test_a_message_that_keeps_failing_is_retried_and_the_others_pass(api: Api, directory: dict, aws: dict) -> None:
    resident = api.sign_in("13812345678")
    created = new_post(api, resident)
    bodies = [json.dumps({"kind": "dispatch", "post_id": created["id"]}), json.dumps({"kind": "bogus"})]
    event = api.client.events.generate_sqs_event(queue_name="police24-dispatch", message_bodies=bodies)
    answer = api.client.lambda_.invoke("dispatch_post", event).payload
    # Only the failure is reported: SQS deletes the other and delivers the failure again (then the DLQ keeps it).
    assert answer == {"batchItemFailures": [{"itemIdentifier": event["Records"][1]["messageId"]}]}
    assert timeline(api, created["id"]) == ["received", "dispatched"]


def test_a_batch_that_fails_whole_is_delivered_again_whole(api: Api, directory: dict, aws: dict) -> None:
    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

    with pytest.raises(BatchProcessingError):
        invoke(api, {"kind": "bogus"}, {"kind": "bogus"})


def test_a_lost_enqueue_is_recovered_by_the_sweep(api: Api, directory: dict, aws: dict, clock: MovableClock) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    resident = api.sign_in("13812345678")
    created = new_post(api, resident)
    sqs.purge_queue(QueueUrl=aws["DispatchQueueUrl"])  # the message never got through
    sweep(api)
    assert deliver(api.client, aws) == 0  # not yet: two minutes of grace
    clock.advance(minutes=3)
    sweep(api)
    assert deliver(api.client, aws) == 1
    assert timeline(api, created["id"]) == ["received", "dispatched"]


def test_a_failed_send_marks_the_post_and_the_sweep_still_dispatches_it(
    api: Api, directory: dict, aws: dict, clock: MovableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.adapters.sqs import SqsDispatchQueue

    resident = api.sign_in("13812345678")

    def broken(self: Any, post_id: str, kind: str = "dispatch", **extra: str) -> None:
        raise ConnectionError("queue down")

    with monkeypatch.context() as patch:
        patch.setattr(SqsDispatchQueue, "enqueue", broken)
        created = new_post(api, resident)
    assert created["status"] == "received"
    clock.advance(minutes=3)
    sweep(api)
    deliver(api.client, aws)
    assert timeline(api, created["id"]) == ["received", "dispatched"]


def test_an_overdue_post_is_escalated_to_the_leader_then_the_command_center(
    api: Api, directory: dict, aws: dict, clock: MovableClock
) -> None:
    resident = api.sign_in("13812345678")
    created = new_post(api, resident)  # a report: 15 minutes
    deliver(api.client, aws)
    api.admin(
        "PUT",
        "/admin/officers/o-kunqu-chief",
        {
            "name": "赵所长",
            "title": "分局局长",
            "phone": "13900000009",
            "unit_id": "kunqu",
            "role": "leader",
            "on_duty": False,
        },
    )
    clock.advance(minutes=14)
    sweep(api)
    assert "escalated" not in timeline(api, created["id"])
    clock.advance(minutes=2)
    sweep(api)
    sweep(api)  # a second run in the same minute changes nothing
    assert timeline(api, created["id"]).count("escalated") == 1
    leader_notices = officer_messages("13900000009")
    assert len(leader_notices) == 1 and "督办" in leader_notices[0]
    clock.advance(minutes=15)
    sweep(api)
    events = api.call("GET", f"/posts/{created['id']}")[1]["timeline"]
    assert [e["kind"] for e in events].count("escalated") == 2
    assert "指挥中心" in events[-1]["text"]
    assert len(officer_messages(CENTER_OFFICER)) == 1
    assert api.call("GET", "/stats")[1]["overall"]["escalations"] == 2


def test_a_status_change_on_the_version_read_before_an_escalation_is_409_and_the_escalation_counts_once(
    api: Api, directory: dict, aws: dict, clock: MovableClock
) -> None:
    resident = api.sign_in("13812345678")
    created = new_post(api, resident)
    deliver(api.client, aws)
    officer = api.call("POST", "/auth/link", {"token": link_of(officer_messages(KUNQU_OFFICER)[0])})[1]["token"]
    clock.advance(minutes=16)
    read = api.call("GET", f"/posts/{created['id']}", token=officer)[1]["post"]["version"]
    sweep(api)  # escalates while the officer's page still holds the version it read

    change = {"status": "in_progress", "version": read, "note": "已出警"}
    assert api.call("POST", f"/posts/{created['id']}/status", change, token=officer)[0] == 409
    fresh = api.call("GET", f"/posts/{created['id']}", token=officer)[1]["post"]["version"]
    assert api.call("POST", f"/posts/{created['id']}/status", {**change, "version": fresh}, token=officer)[0] == 200
    sweep(api)
    sweep(api)

    assert timeline(api, created["id"]).count("escalated") == 1
    assert api.call("GET", "/stats")[1]["overall"]["escalations"] == 1


def test_an_answered_post_is_not_escalated(api: Api, directory: dict, aws: dict, clock: MovableClock) -> None:
    resident = api.sign_in("13812345678")
    created = new_post(api, resident)
    deliver(api.client, aws)
    officer = api.call("POST", "/auth/link", {"token": link_of(officer_messages(KUNQU_OFFICER)[0])})[1]["token"]
    assert api.call("POST", f"/posts/{created['id']}/replies", {"body": "已收悉"}, token=officer)[0] == 201
    deliver(api.client, aws)
    clock.advance(minutes=40)
    sweep(api)
    assert "escalated" not in timeline(api, created["id"])
    figures = api.call("GET", "/stats")[1]["overall"]
    assert figures["answered_within_deadline"] == 1.0 and figures["median_first_response_minutes"] == 0


def due_index(aws: dict) -> list[str]:
    """The posts in the sweep's due index (GSI5), by id."""
    answer = boto3.client("dynamodb", region_name="us-east-1").query(
        TableName=aws["TableName"],
        IndexName="GSI5",
        KeyConditionExpression="GSI5PK = :due",
        ExpressionAttributeValues={":due": {"S": "DUE"}},
    )
    return [item["PK"]["S"].removeprefix("POST#") for item in answer["Items"]]


def test_an_official_reply_takes_the_post_off_the_sweeps_due_index_at_once(
    api: Api, directory: dict, aws: dict
) -> None:
    resident = api.sign_in("13812345678")
    answered, waiting = new_post(api, resident), new_post(api, resident, title="另一件事")
    deliver(api.client, aws)
    assert {answered["id"], waiting["id"]} <= set(due_index(aws))  # both wait for their first reply
    officer = api.call("POST", "/auth/link", {"token": link_of(officer_messages(KUNQU_OFFICER)[0])})[1]["token"]
    assert api.call("POST", f"/posts/{answered['id']}/replies", {"body": "已收悉"}, token=officer)[0] == 201
    found = set(due_index(aws))
    assert answered["id"] not in found and waiting["id"] in found  # no sweep needed to clear it
    assert api.call("POST", f"/posts/{waiting['id']}/replies", {"body": "补充一句"}, token=resident)[0] == 201
    assert waiting["id"] in set(due_index(aws))  # the author's follow-up is no answer


def test_the_author_is_told_once_per_official_reply(api: Api, directory: dict, aws: dict) -> None:
    resident = api.sign_in("13812345678")
    created = new_post(api, resident)
    deliver(api.client, aws)
    officer = api.sign_in(KUNQU_OFFICER)
    api.call("POST", f"/posts/{created['id']}/replies", {"body": "民警已出发"}, token=officer)
    api.call("POST", f"/posts/{created['id']}/replies", {"body": "我补充一下情况"}, token=resident)
    deliver(api.client, aws)
    answers = [text for _, text in sent_sms("13812345678") if "回复" in text]
    assert len(answers) == 1


def test_opening_a_link_changes_nothing(api: Api, directory: dict, aws: dict) -> None:
    resident = api.sign_in("13812345678")
    created = new_post(api, resident)
    deliver(api.client, aws)
    before = api.call("GET", f"/posts/{created['id']}")[1]
    link = link_of(officer_messages(KUNQU_OFFICER)[0])
    for _ in range(2):
        assert api.call("POST", "/auth/link", {"token": link})[0] == 200
    assert api.call("GET", f"/posts/{created['id']}")[1] == before


def test_a_link_session_may_act_only_on_its_own_post(api: Api, directory: dict, aws: dict) -> None:
    resident = api.sign_in("13812345678")
    first, second = new_post(api, resident), new_post(api, resident, title="另一条")
    deliver(api.client, aws)
    links = [link_of(m) for m in officer_messages(KUNQU_OFFICER)]
    session = api.call("POST", "/auth/link", {"token": links[0]})[1]
    other = second["id"] if session["post_id"] == first["id"] else first["id"]
    status, error, _ = api.call("POST", f"/posts/{other}/replies", {"body": "x"}, token=session["token"])
    assert status == 403 and error["error"]["code"] == "forbidden"
    version = api.call("GET", f"/posts/{other}")[1]["post"]["version"]
    assert (
        api.call(
            "POST", f"/posts/{other}/status", {"status": "in_progress", "version": version}, token=session["token"]
        )[0]
        == 403
    )


@pytest.mark.parametrize("tamper", ["flip", "expired", "session_token", "garbage"])
def test_a_bad_link_is_refused(api: Api, directory: dict, aws: dict, clock: MovableClock, tamper: str) -> None:
    resident = api.sign_in("13812345678")
    new_post(api, resident)
    deliver(api.client, aws)
    link = link_of(officer_messages(KUNQU_OFFICER)[0])
    if tamper == "flip":
        link = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    elif tamper == "expired":
        clock.advance(hours=73)
    elif tamper == "session_token":
        link = resident
    else:
        link = "not-a-token"
    status, error, _ = api.call("POST", "/auth/link", {"token": link})
    assert status == 401 and error["error"]["code"] == "unauthenticated"


ROLES = [
    "citizen_author",
    "citizen_other",
    "officer_assigned",
    "officer_other_unit",
    "center_officer",
    "leader",
    "anonymous",
]


def actor_token(api: Api, role: str, author: str) -> str | None:
    phones = {
        "citizen_other": "13712345678",
        "officer_assigned": KUNQU_OFFICER,
        "officer_other_unit": "13900000004",
        "center_officer": CENTER_OFFICER,
        "leader": CHIEF,
    }
    if role == "anonymous":
        return None
    if role == "citizen_author":
        return author
    return api.sign_in(phones[role])


def dispatched_report(api: Api, aws: dict) -> tuple[str, dict[str, Any]]:
    """A resident's report, dispatched to 昆都仑区公安分局: the author's session and the post."""
    author = api.sign_in("13812345678")
    created = new_post(api, author)
    deliver(api.client, aws)
    return author, created


@pytest.mark.parametrize("role", ROLES)
def test_who_may_re_route_a_post(api: Api, directory: dict, aws: dict, role: str) -> None:
    author, created = dispatched_report(api, aws)
    token = actor_token(api, role, author)
    status, body, _ = api.call("POST", f"/posts/{created['id']}/route", {"unit_id": "qingfu"}, token=token)
    allowed = role in ("center_officer", "leader")
    expected = 200 if allowed else 401 if role == "anonymous" else 403
    assert status == expected, body
    detail = api.call("GET", f"/posts/{created['id']}")[1]
    assert detail["post"]["assigned_unit"]["id"] == ("qingfu" if allowed else "kunqu")
    if allowed:
        deliver(api.client, aws)
        assert len(officer_messages("13900000004")) == 1  # the new unit is told


@pytest.mark.parametrize("role", ROLES)
def test_who_may_move_a_dispatched_post_along(api: Api, directory: dict, aws: dict, role: str) -> None:
    author, created = dispatched_report(api, aws)
    token = actor_token(api, role, author)
    version = api.call("GET", f"/posts/{created['id']}")[1]["post"]["version"]
    status, _, _ = api.call(
        "POST", f"/posts/{created['id']}/status", {"status": "in_progress", "version": version}, token=token
    )
    allowed = role in ("officer_assigned", "center_officer", "leader")
    assert status == (200 if allowed else 401 if role == "anonymous" else 403)
    assert api.call("GET", f"/posts/{created['id']}")[1]["post"]["status"] == (
        "in_progress" if allowed else "dispatched"
    )


@pytest.mark.parametrize("role", ROLES)
def test_only_the_author_rates_a_resolved_post(api: Api, directory: dict, aws: dict, role: str) -> None:
    author, created = dispatched_report(api, aws)
    officer = api.sign_in(KUNQU_OFFICER)
    version = api.call("GET", f"/posts/{created['id']}")[1]["post"]["version"]
    assert (
        api.call("POST", f"/posts/{created['id']}/status", {"status": "resolved", "version": version}, token=officer)[0]
        == 200
    )
    token = actor_token(api, role, author) if role != "officer_assigned" else officer
    status, _, _ = api.call("POST", f"/posts/{created['id']}/feedback", {"satisfied": True}, token=token)
    assert status == (200 if role == "citizen_author" else 401 if role == "anonymous" else 403)


def test_rating_before_resolution_or_twice_is_a_conflict(api: Api, directory: dict, aws: dict) -> None:
    author = api.sign_in("13812345678")
    created = new_post(api, author)
    assert api.call("POST", f"/posts/{created['id']}/feedback", {"satisfied": True}, token=author)[0] == 409
    officer = api.sign_in(KUNQU_OFFICER)
    deliver(api.client, aws)
    version = api.call("GET", f"/posts/{created['id']}")[1]["post"]["version"]
    api.call("POST", f"/posts/{created['id']}/status", {"status": "resolved", "version": version}, token=officer)
    assert api.call("POST", f"/posts/{created['id']}/feedback", {"satisfied": True}, token=author)[0] == 200
    assert api.call("POST", f"/posts/{created['id']}/feedback", {"satisfied": True}, token=author)[0] == 409
    figures = api.call("GET", "/stats")[1]["overall"]
    assert figures["satisfaction"] == 1.0 and figures["ratings"] == 1


def test_an_officer_notice_fits_in_two_sms_parts_and_stores_no_usable_code(
    api: Api, directory: dict, aws: dict
) -> None:
    resident = api.sign_in("13812345678")
    new_post(api, resident, title="小区门口有人兜售假药,每天早上七点左右在锦泰驾校小区门口出现")
    deliver(api.client, aws)
    notice = officer_messages(KUNQU_OFFICER)[0]
    assert len(notice) <= 134  # two UCS-2 parts of 67 characters
    code = link_of(notice)
    table = boto3.client("dynamodb", region_name="us-east-1")
    items = table.scan(TableName=aws["TableName"])["Items"]
    assert not any(code in json.dumps(item) for item in items)  # only the code's hash is kept


PHISHING_TITLE = "点击 http://evil.example 领取补贴"
PHISHING_BODY = "速领 https://evil.example/claim 过期作废"


def every_officer_notice() -> list[tuple[str, str]]:
    """Return (subject, message) of everything published to the officers' topic (their e-mail)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    backend = sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    return [
        (subject or "", message)
        for topic in backend.topics.values()
        for _, message, subject, _, _ in topic.sent_notifications
    ]


def test_official_texts_carry_no_resident_words_only_board_district_number_and_deadline(
    api: Api, directory: dict, aws: dict, clock: MovableClock
) -> None:
    from chalicelib.services.dispatch import post_number

    resident = api.sign_in("13812345678")
    created = new_post(api, resident, title=PHISHING_TITLE, body=PHISHING_BODY)
    deliver(api.client, aws)
    clock.advance(minutes=16)
    sweep(api)
    clock.advance(minutes=15)
    sweep(api)  # escalated to the command center
    officer = api.call("POST", "/auth/link", {"token": link_of(officer_messages(KUNQU_OFFICER)[0])})[1]["token"]
    assert api.call("POST", f"/posts/{created['id']}/replies", {"body": "已收悉"}, token=officer)[0] == 201
    deliver(api.client, aws)

    emails = every_officer_notice()  # 王警官 has an address: e-mail, with the reply link
    officer_sms = [text for phone in (CHIEF, CENTER_OFFICER) for _, text in sent_sms(phone)]  # the others: SMS
    answers = [text for _, text in sent_sms("13812345678") if "回复" in text]
    assert len(emails) >= 1 and any("督办" in text for text in officer_sms) and len(answers) == 1
    for subject, text in [*emails, *(("", text) for text in officer_sms), ("", answers[0])]:
        for words in ("evil", "点击", "领取补贴", "速领", "过期作废", "claim"):
            assert words not in subject and words not in text, (words, subject, text)
    for _, text in emails:
        assert text.startswith("【24小时警局】") and "随手举报" in text and "昆都仑区" in text
        assert f"编号{post_number(created['id'])}" in text and "前回复" in text
        assert re.search(r"处理：http://127\.0\.0\.1:8000/reply\.html#t=\S+$", text)
    for text in officer_sms:  # an approved template: the number and the fixed workbench link, never a post's link
        assert text.startswith("【24小时警局】") and f"编号{post_number(created['id'])}" in text
        assert text.endswith("http://127.0.0.1:8000/work.html") and "reply.html" not in text
    assert f"编号{post_number(created['id'])}" in answers[0]
