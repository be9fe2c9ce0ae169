"""The hand-off to the 110 command system (三台合一) and the events it reports back."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import boto3
import jsonschema
import pytest

from chalicelib.services.incidents import sign
from tests.conftest import ROOT, Api, deliver
from tests.posting import publish

SECRET = "test-cad-secret"
SCHEMA = json.loads((ROOT / "docs" / "cad-incident.schema.json").read_text(encoding="utf-8"))


def cad_records(aws: dict[str, str]) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs", region_name="us-east-1")
    records = []
    while True:
        got = sqs.receive_message(QueueUrl=aws["CadQueueUrl"], MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return records
        for message in got:
            records.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=aws["CadQueueUrl"], ReceiptHandle=message["ReceiptHandle"])


TIP_OFF = {
    "board": "report",
    "type": "report",
    "title": "有人在小区门口贩毒",
    "body": "联系电话13812345678,地点昆区锦泰小区",
    "district": "昆都仑区",
}


def tip_off(api: Api, token: str, **fields: Any) -> dict[str, Any]:
    return publish(api, token, {**TIP_OFF, **fields})


def send_event(
    api: Api,
    payload: dict[str, Any] | bytes,
    *,
    secret: str = SECRET,
    timestamp: int | None = None,
    signature: str | None = None,
    tamper: bool = False,
) -> tuple[int, Any]:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Timestamp": stamp,
        "X-Signature": signature if signature is not None else sign(secret, stamp, raw),
    }
    if tamper:
        raw = raw.replace(b"accepted", b"closed")
    response = api.client.http.post("/cad/events", headers=headers, body=raw)
    return response.status_code, json.loads(response.body)


def event(record: dict[str, Any], kind: str, minute: int = 0) -> dict[str, Any]:
    return {
        "incident_id": record["incident_id"],
        "post_id": record["post_id"],
        "event": kind,
        "unit_name": "昆区分局巡警大队",
        "at": f"2026-03-13T20:{minute:02d}:00+08:00",
    }


@pytest.fixture
def handed_off(api: Api, directory: dict, aws: dict) -> tuple[dict[str, Any], dict[str, Any], str]:
    resident = api.sign_in("13812345678")
    post = tip_off(api, resident)
    deliver(api.client, aws)
    records = cad_records(aws)
    assert len(records) == 1
    return post, records[0], resident


def test_a_tip_off_on_an_incident_board_is_handed_off_once_unmasked(handed_off: Any, api: Api, aws: dict) -> None:
    post, record, _ = handed_off
    jsonschema.validate(record, SCHEMA)
    assert record["post_id"] == post["id"] and record["board"] == "report" and record["district"] == "昆都仑区"
    assert "13812345678" in record["body"]  # police-only channel: unmasked
    assert record["reporter"]["phone"] == "13812345678"
    api.client.lambda_.invoke(
        "dispatch_post",
        api.client.events.generate_sqs_event(
            queue_name="police24-dispatch", message_bodies=[json.dumps({"kind": "dispatch", "post_id": post["id"]})]
        ),
    )
    assert cad_records(aws) == []  # redelivery: no second record


def test_a_question_elsewhere_is_not_handed_off(api: Api, directory: dict, aws: dict) -> None:
    resident = api.sign_in("13812345678")
    tip_off(api, resident, board="hukou", type="question", title="户口迁移要带什么", body="请问需要哪些材料")
    deliver(api.client, aws)
    assert cad_records(aws) == []


def test_an_urgent_help_post_on_any_board_is_handed_off(api: Api, directory: dict, aws: dict) -> None:
    resident = api.sign_in("13812345678")
    post = tip_off(api, resident, board="traffic", type="help", title="救命 车祸有人被困", body="快来人")
    assert post["urgent"] is True
    deliver(api.client, aws)
    records = cad_records(aws)
    assert len(records) == 1 and records[0]["urgent"] is True


@pytest.mark.parametrize(
    "phone,allowed", [("13900000001", True), ("13900000002", True), ("13900000003", False), ("13812345678", False)]
)
def test_the_command_center_converts_a_post_once(
    api: Api, directory: dict, aws: dict, phone: str, allowed: bool
) -> None:
    resident = api.sign_in("13812345678")
    post = tip_off(api, resident, board="qa", type="question", title="邻居家传出呼救声", body="不确定是否需要报警")
    deliver(api.client, aws)
    token = api.sign_in(phone) if phone != "13812345678" else resident
    for _ in range(2):
        status, body, _ = api.call("POST", f"/posts/{post['id']}/incident", token=token)
        assert status == (202 if allowed else 403), body
    deliver(api.client, aws)
    assert len(cad_records(aws)) == (1 if allowed else 0)


def test_events_move_the_post_forward_once_each_and_show_on_the_timeline(handed_off: Any, api: Api) -> None:
    post, record, _ = handed_off
    for minute, kind in enumerate(["accepted", "dispatched", "dispatched", "arrived", "closed"]):
        status, _ = send_event(api, event(record, kind, minute))
        assert status == 200
    detail = api.call("GET", f"/posts/{post['id']}")[1]
    cad = [e for e in detail["timeline"] if e["kind"].startswith("cad_")]
    assert [e["kind"] for e in cad] == ["cad_accepted", "cad_dispatched", "cad_arrived", "cad_closed"]
    assert [e["text"].split("（")[0] for e in cad] == [
        "110指挥中心已接警",
        "民警已出警",
        "民警已到达现场",
        "警情已处置完毕",
    ]
    assert detail["post"]["status"] == "resolved"
    stats = api.call("GET", "/stats")[1]
    kunqu = next(u for u in stats["units"] if u["unit"]["id"] == "kunqu")
    assert kunqu["police_dispatches"] == 1 and stats["overall"]["police_dispatches"] == 1


def test_out_of_order_events_never_move_the_status_back(handed_off: Any, api: Api) -> None:
    post, record, _ = handed_off
    assert send_event(api, event(record, "closed", 30))[0] == 200
    assert send_event(api, event(record, "accepted", 1))[0] == 200
    detail = api.call("GET", f"/posts/{post['id']}")[1]
    assert detail["post"]["status"] == "resolved"
    assert {e["kind"] for e in detail["timeline"]} >= {"cad_closed", "cad_accepted"}


@pytest.mark.parametrize("fault", ["missing", "wrong_secret", "stale", "future", "tampered", "not_hex"])
def test_a_badly_signed_event_is_refused_and_changes_nothing(handed_off: Any, api: Api, fault: str) -> None:
    post, record, _ = handed_off
    before = api.call("GET", f"/posts/{post['id']}")[1]
    kwargs: dict[str, Any] = {
        "missing": {"signature": ""},
        "wrong_secret": {"secret": "guess"},
        "stale": {"timestamp": int(time.time()) - 301},
        "future": {"timestamp": int(time.time()) + 301},
        "tampered": {"tamper": True},
        "not_hex": {"signature": "sha256=zz"},
    }[fault]
    status, body = send_event(api, event(record, "accepted"), **kwargs)
    assert status == 401 and body["error"]["code"] == "unauthenticated"
    assert api.call("GET", f"/posts/{post['id']}")[1] == before


def test_an_unknown_incident_is_404_and_a_foreign_post_400(handed_off: Any, api: Api) -> None:
    _, record, _ = handed_off
    assert send_event(api, {**event(record, "accepted"), "incident_id": "INC-nope"})[0] == 404
    assert send_event(api, {**event(record, "accepted"), "post_id": "pdeadbeef"})[0] == 400


def test_a_signed_but_malformed_event_is_400(handed_off: Any, api: Api) -> None:
    _, record, _ = handed_off
    assert send_event(api, {**event(record, "accepted"), "event": "teleported"})[0] == 400
    assert send_event(api, b"not json")[0] == 400


def test_the_schema_file_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert Path(ROOT / "docs" / "cad-incident.schema.json").exists()
