"""The 110 hand-off on fakes, through the bootstrap: one record per post, as the contract describes it, and the
command system's events applied once each."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from chalicelib.domain.commands import NewPost
from chalicelib.domain.errors import Forbidden, NotFound, Unauthenticated, ValidationFailed
from chalicelib.domain.incidents import CadEventIn
from chalicelib.domain.people import Actor
from chalicelib.services.incidents import sign
from tests.unit.services import CAD_SECRET, CITIZEN_PHONE, TIP_OFF, Station, station
from tests.unit.world import CENTER_OFFICER, CITIZEN, KUNQU_OFFICER, LEADER, OTHER_CITIZEN

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "cad-incident.schema.json").read_text(encoding="utf-8"))
DRUGS = replace(TIP_OFF, title="有人在小区门口贩毒", body="联系电话13812345678,地点昆区锦泰小区")
QUESTION = NewPost(board="qa", type="question", title="邻居家传出呼救声", body="不确定是否需要报警")


def handed_off() -> tuple[Station, str, dict[str, Any]]:
    s = station()
    post = s.post(new=DRUGS)
    s.deliver()
    (record,) = s.cad.records
    return s, post.id, record


def event(record: dict[str, Any], kind: str, minute: int = 0) -> CadEventIn:
    return CadEventIn(
        incident_id=record["incident_id"],
        post_id=record["post_id"],
        event=kind,
        unit_name="昆区分局巡警大队",
        at=datetime.fromisoformat(f"2026-03-13T20:{minute:02d}:00+08:00"),
    )


def test_a_tip_off_on_an_incident_board_is_handed_off_once_as_the_contract_describes() -> None:
    s, post_id, record = handed_off()

    s.svc.dispatcher.handle({"kind": "dispatch", "post_id": post_id})  # redelivered
    s.svc.dispatcher.handle({"kind": "incident", "post_id": post_id})

    assert len(s.cad.records) == 1
    jsonschema.validate(record, SCHEMA)  # additionalProperties: false — nothing beyond the contract
    assert record["post_id"] == post_id and record["board"] == "report" and record["district"] == "昆都仑区"
    assert "13812345678" in record["body"]  # a police-only channel: unmasked
    assert record["reporter"] == {"nickname": CITIZEN.nickname, "phone": CITIZEN_PHONE}
    assert CITIZEN.user_id not in json.dumps(record, ensure_ascii=False)  # the account itself stays inside


@pytest.mark.parametrize(
    "new,handed",
    [
        (NewPost(board="hukou", type="question", title="户口迁移要带什么", body="请问需要哪些材料"), False),
        (NewPost(board="traffic", type="help", title="救命 车祸有人被困", body="快来人"), True),  # urgent
    ],
)
def test_only_incident_boards_and_urgent_calls_for_help_go_to_110_by_themselves(new: NewPost, handed: bool) -> None:
    s = station()
    post = s.post(new=new)

    s.deliver()

    assert [r["post_id"] for r in s.cad.records] == ([post.id] if handed else [])
    assert all(r["urgent"] for r in s.cad.records)


@pytest.mark.parametrize(
    "actor,allowed", [(LEADER, True), (CENTER_OFFICER, True), (KUNQU_OFFICER, False), (CITIZEN, False)]
)
def test_the_command_center_and_leaders_convert_a_post_once(actor: Actor, allowed: bool) -> None:
    s = station()
    post = s.post(new=QUESTION)
    s.deliver()

    for _ in range(2):
        if allowed:
            assert s.svc.incidents.convert(actor, post.id).startswith("INC-")
        else:
            with pytest.raises(Forbidden):
                s.svc.incidents.convert(actor, post.id)
    s.deliver()

    assert len(s.cad.records) == (1 if allowed else 0)
    assert [a for a in s.audit.actions() if a[1] == "incident"] == (
        [(actor.user_id, "incident", f"post:{post.id}")] * 2 if allowed else []
    )


def test_events_move_the_post_forward_once_each_and_the_author_is_asked_to_rate_once() -> None:
    s, post_id, record = handed_off()

    applied = [
        s.svc.incidents.apply(event(record, kind, n))
        for n, kind in enumerate(["accepted", "dispatched", "dispatched", "arrived", "closed", "closed"])
    ]
    s.deliver()

    assert applied == [True, True, False, True, True, False]
    detail = s.detail(post_id)
    cad = [e for e in detail.events if e.kind.startswith("cad_")]
    assert [e.kind for e in cad] == ["cad_accepted", "cad_dispatched", "cad_arrived", "cad_closed"]
    assert cad[0].text == "110指挥中心已接警（昆区分局巡警大队）"
    assert detail.post.status == "resolved"
    assert len([t for t in s.sms.texts_to(CITIZEN_PHONE) if "已办结" in t]) == 1


def test_out_of_order_events_never_move_the_status_back() -> None:
    s, post_id, record = handed_off()

    s.svc.incidents.apply(event(record, "closed", 30))
    s.svc.incidents.apply(event(record, "accepted", 1))

    detail = s.detail(post_id)
    assert detail.post.status == "resolved"
    assert {e.kind for e in detail.events} >= {"cad_closed", "cad_accepted"}


def test_an_unknown_incident_is_not_found_and_a_foreign_post_is_refused() -> None:
    s, _, record = handed_off()
    other = s.post(OTHER_CITIZEN, QUESTION)

    with pytest.raises(NotFound):
        s.svc.incidents.apply(event({**record, "incident_id": "INC-nope"}, "accepted"))
    with pytest.raises(ValidationFailed):
        s.svc.incidents.apply(event({**record, "post_id": other.id}, "accepted"))


@pytest.mark.parametrize("fault", ["none", "missing", "wrong_secret", "stale", "future", "tampered", "not_digits"])
def test_only_a_fresh_signature_of_the_raw_bytes_under_the_shared_secret_passes(fault: str) -> None:
    s = station()
    raw = b'{"event": "accepted"}'
    now = int(s.clock.now().timestamp())
    stamp = str({"stale": now - 301, "future": now + 301}.get(fault, now))
    signature: str | None = sign("guess" if fault == "wrong_secret" else CAD_SECRET, stamp, raw)
    if fault == "missing":
        signature = None
    body = raw.replace(b"accepted", b"closed") if fault == "tampered" else raw
    stamp = "12a" if fault == "not_digits" else stamp

    if fault == "none":
        s.svc.incidents.verify(body, stamp, signature)
    else:
        with pytest.raises(Unauthenticated):
            s.svc.incidents.verify(body, stamp, signature)
