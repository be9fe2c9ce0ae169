"""SQS and SNS failing: a lost enqueue is found by the sweep; a failed notification comes back and goes out once."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.services.dispatch import post_number
from tests.conftest import Api, MovableClock, officer_messages, sent_sms
from tests.posting import new_post
from tests.reliability.conftest import ATTEMPTS, CONNECTION_RESET, DispatchQueue, Faults, timeline

KUNQU_OFFICER, CHIEF, CENTER_OFFICER = "13900000003", "13900000001", "13900000002"


@pytest.mark.parametrize(
    ("code", "status", "times", "swept"),
    [
        pytest.param("ServiceUnavailable", 503, ATTEMPTS - 1, False, id="503s within botocore's retries"),
        pytest.param("ServiceUnavailable", 503, ATTEMPTS, True, id="503s outlasting them"),
        pytest.param(CONNECTION_RESET, 0, ATTEMPTS, True, id="connection resets outlasting them"),
    ],
)
def test_a_post_whose_dispatch_message_cannot_be_sent_is_requeued_by_the_sweep_and_dispatched(
    api: Api,
    directory: dict,
    queue: DispatchQueue,
    clock: MovableClock,
    faults: Faults,
    code: str,
    status: int,
    times: int,
    swept: bool,
) -> None:
    resident = api.sign_in("13812345678")
    fault = faults.inject("sqs", "SendMessage", code, times, status=status)
    created = new_post(api, resident)
    assert fault.injected == times
    assert created["status"] == "received"
    assert created["id"] in [p["id"] for p in api.call("GET", "/posts")[1]["posts"]]  # stored, whatever SQS did
    assert queue.depth() == (0 if swept else 1)

    queue.pump.run_schedules()  # the sweep a minute later: still in its two minutes of grace
    queue.drain()
    assert timeline(api, created["id"]) == (["received"] if swept else ["received", "dispatched"])
    clock.advance(minutes=3)
    queue.pump.run_schedules()
    queue.drain()
    queue.pump.run_schedules()  # and once more: nothing is left to re-queue
    queue.drain()

    assert timeline(api, created["id"]) == ["received", "dispatched"]
    assert len(officer_messages(KUNQU_OFFICER)) == 1


@pytest.mark.parametrize(
    ("times", "recipient", "deliveries"),
    [
        pytest.param(ATTEMPTS - 1, CHIEF, 1, id="within botocore's retries"),
        pytest.param(ATTEMPTS + 1, CHIEF, 2, id="outlasting them: the message comes back"),
        pytest.param(ATTEMPTS, CENTER_OFFICER, 2, id="the second officer's notice fails: only it is sent again"),
    ],
)
def test_a_throttled_notification_is_retried_and_each_officer_is_told_once(
    api: Api,
    directory: dict,
    queue: DispatchQueue,
    faults: Faults,
    times: int,
    recipient: str,
    deliveries: int,
    figures: dict[str, Any],
) -> None:
    resident = api.sign_in("13812345678")
    created = new_post(api, resident, board="qa", type="question", district=None, title="护照办理")  # to the center
    # One officer's notice is throttled (the unit's officers are told at once: a fault is one person's).
    fault = faults.inject("sns", "Publish", "Throttling", times, recipient=recipient)

    queue.drain()

    assert fault.injected == times
    assert list(queue.deliveries.values()) == [deliveries]
    assert queue.depth() == 0 and queue.depth(queue.dlq_url) == 0
    assert timeline(api, created["id"]) == ["received", "dispatched"]
    for phone in (CHIEF, CENTER_OFFICER):
        assert len([m for m in officer_messages(phone) if f"编号{post_number(created['id'])}" in m]) == 1, phone
    figures.update(throttled_publishes=times, deliveries=deliveries, notices_per_officer=1)


def test_the_authors_sms_about_an_official_reply_survives_sns_throttling_and_is_sent_once(
    api: Api, directory: dict, queue: DispatchQueue, faults: Faults
) -> None:
    resident = api.sign_in("13812345678")
    created = new_post(api, resident)
    queue.drain()
    officer = api.sign_in(KUNQU_OFFICER)
    faults.inject("sns", "Publish", "ThrottlingException", ATTEMPTS)
    status, _, _ = api.call("POST", f"/posts/{created['id']}/replies", {"body": "民警已出发"}, token=officer)
    assert status == 201

    queue.drain()

    answers = [text for _, text in sent_sms("13812345678") if "回复" in text]
    assert len(answers) == 1
    assert sorted(queue.deliveries.values()) == [1, 2]  # the dispatch once; the reply's message twice


def test_a_code_request_while_sns_is_throttled_is_a_clean_503(api: Api, faults: Faults) -> None:
    faults.inject("sns", "Publish", "Throttling", ATTEMPTS)
    status, body, headers = api.call("POST", "/auth/otp", {"phone": "13812345678"})
    assert status == 503, body
    assert body["error"]["code"] == "unavailable" and int(headers["Retry-After"]) >= 1
