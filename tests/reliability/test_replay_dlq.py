"""The operator's DLQ replay: what failed comes back once the cause is fixed, and replaying twice is harmless."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.services.dispatch import post_number
from tests.conftest import Api, officer_messages
from tests.posting import new_post
from tests.reliability.conftest import ATTEMPTS, DispatchQueue, Faults, timeline
from tools.replay_dlq import main as replay_dlq

CHIEF, CENTER_OFFICER = "13900000001", "13900000002"


def dead_post(api: Api, queue: DispatchQueue, faults: Faults) -> dict[str, Any]:
    """A post whose officers could not be told three deliveries running (SNS down): its message is in the DLQ."""
    resident = api.sign_in("13812345678")
    created = new_post(api, resident, board="qa", type="question", district=None, title="护照丢失")
    for phone in (CHIEF, CENTER_OFFICER):  # each officer's notice fails three deliveries running
        faults.inject("sns", "Publish", "InternalError", 3 * ATTEMPTS, status=500, recipient=phone)
    queue.drain()
    assert queue.depth(queue.dlq_url) == 1 and queue.depth() == 0
    assert [m for m in officer_messages(CHIEF) if f"编号{post_number(created['id'])}" in m] == []
    faults.clear()  # SNS is back
    return created


def test_replaying_the_dlq_delivers_what_failed_and_a_second_run_moves_nothing(
    api: Api,
    directory: dict,
    queue: DispatchQueue,
    faults: Faults,
    capsys: pytest.CaptureFixture[str],
    figures: dict[str, Any],
) -> None:
    created = dead_post(api, queue, faults)

    assert replay_dlq([]) == 0
    assert "moved 1," in capsys.readouterr().out
    queue.drain()
    assert replay_dlq([]) == 0
    assert "moved 0," in capsys.readouterr().out

    assert queue.depth(queue.dlq_url) == 0 and queue.depth() == 0
    assert timeline(api, created["id"]) == ["received", "dispatched"]
    for phone in (CHIEF, CENTER_OFFICER):
        assert len([m for m in officer_messages(phone) if f"编号{post_number(created['id'])}" in m]) == 1
    figures.update(in_dlq=1, moved_first_run=1, moved_second_run=0, notices_per_officer=1)


def test_a_message_replayed_twice_after_a_failed_delete_still_has_one_effect(
    api: Api, directory: dict, queue: DispatchQueue, faults: Faults, capsys: pytest.CaptureFixture[str]
) -> None:
    created = dead_post(api, queue, faults)
    faults.inject("sqs", "DeleteMessage", "ServiceUnavailable", ATTEMPTS, status=503)

    assert replay_dlq(["--visibility", "0"]) == 1  # sent, but still in the DLQ
    assert "sent but not deleted 1" in capsys.readouterr().out
    assert replay_dlq(["--visibility", "0"]) == 0  # sent again, and deleted
    assert queue.depth() == 2 and queue.depth(queue.dlq_url) == 0
    queue.drain()

    assert timeline(api, created["id"]) == ["received", "dispatched"]
    for phone in (CHIEF, CENTER_OFFICER):
        assert len([m for m in officer_messages(phone) if f"编号{post_number(created['id'])}" in m]) == 1


def test_the_cad_outbox_dlq_goes_back_to_the_cad_outbox_with_its_record_intact(
    aws: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    import boto3

    sqs = boto3.client("sqs", region_name="us-east-1")
    record = {"incident_id": "i-1", "post_id": "p-1", "title": "可疑包裹", "urgent": True}
    sqs.send_message(
        QueueUrl=aws["CadDlqUrl"],
        MessageBody=json.dumps(record, ensure_ascii=False),
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "incident"}},
    )

    assert replay_dlq(["--queue", "cad", "--dry-run"]) == 0
    assert "holds 1 message" in capsys.readouterr().out
    assert replay_dlq(["--queue", "cad"]) == 0

    [message] = sqs.receive_message(QueueUrl=aws["CadQueueUrl"], MessageAttributeNames=["All"])["Messages"]
    assert json.loads(message["Body"]) == record
    assert message["MessageAttributes"]["kind"]["StringValue"] == "incident"
    assert sqs.receive_message(QueueUrl=aws["CadDlqUrl"]).get("Messages", []) == []
