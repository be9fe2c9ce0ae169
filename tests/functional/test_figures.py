"""Honest figures (阳光执法): what each public figure counts, per day too, through the real app on moto."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from chalicelib.services.stats import CSV_COLUMNS, NOTES
from tests.conftest import ROOT, Api, MovableClock, deliver
from tests.functional.contract import Contract
from tests.functional.test_cad import cad_records, event, send_event
from tests.functional.test_dispatch import invoke, sweep
from tests.posting import new_post

KUNQU_OFFICER = "13900000003"
CHIEF = "13900000001"
RESIDENT = "13812345678"
BEIJING = timezone(timedelta(hours=8))


def figures(api: Api, unit: str | None = None) -> dict[str, Any]:
    status, stats, _ = api.call("GET", "/stats")
    assert status == 200
    if unit is None:
        return dict(stats["overall"])
    return dict(next(u for u in stats["units"] if u["unit"]["id"] == unit))


def reply(api: Api, token: str, post_id: str, body: str = "你好,已收悉,正在处置。") -> None:
    status, data, _ = api.call("POST", f"/posts/{post_id}/replies", {"body": body}, token=token)
    assert status == 201, data


@pytest.fixture
def contract(api: Api) -> Contract:
    return Contract(api.call("GET", "/openapi.json")[1])


def test_an_urgent_tip_off_overdue_escalated_twice_and_never_answered_is_not_answered_in_time(
    api: Api, directory: dict, aws: dict, clock: MovableClock
) -> None:
    resident = api.sign_in(RESIDENT)
    urgent = new_post(api, resident, title="救命 有人持刀", body="快来人")
    answered = new_post(api, resident)
    deliver(api.client, aws)
    assert urgent["urgent"] is True
    officer = api.sign_in(KUNQU_OFFICER)
    reply(api, officer, answered["id"])
    deliver(api.client, aws)
    sweep(api)
    # The urgent post's deadline is still ahead and it is unanswered: not counted yet.
    assert (figures(api)["deadlines"], figures(api)["answered_within_deadline"]) == (1, 1.0)

    clock.advance(minutes=6)
    sweep(api)
    clock.advance(minutes=6)
    sweep(api)
    sweep(api)
    timeline = api.call("GET", f"/posts/{urgent['id']}")[1]["timeline"]
    assert [e["kind"] for e in timeline].count("escalated") == 2
    overall = figures(api)
    assert (overall["deadlines"], overall["answered_in_time"], overall["answered_within_deadline"]) == (2, 1, 0.5)
    assert figures(api, "kunqu")["answered_within_deadline"] == 0.5

    reply(api, officer, urgent["id"], "已出警。")  # late: it stays late, and is not counted again
    deliver(api.client, aws)
    overall = figures(api)
    assert (overall["deadlines"], overall["answered_in_time"], overall["first_responses"]) == (2, 1, 2)
    assert overall["median_first_response_minutes"] == 0  # one at 0 minutes, one at 12: the lower middle


def test_a_post_resolved_before_any_reply_counts_its_resolution_as_its_first_response(
    api: Api, directory: dict, aws: dict, clock: MovableClock
) -> None:
    resident = api.sign_in(RESIDENT)
    created = new_post(api, resident)
    deliver(api.client, aws)
    officer = api.sign_in(KUNQU_OFFICER)
    clock.advance(minutes=3)
    version = api.call("GET", f"/posts/{created['id']}", token=officer)[1]["post"]["version"]
    change = {"status": "resolved", "version": version, "note": "已到场处置"}
    assert api.call("POST", f"/posts/{created['id']}/status", change, token=officer)[0] == 200
    reply(api, officer, created["id"], "已处置完毕。")  # after the resolution: not a second first response
    deliver(api.client, aws)
    overall = figures(api)
    assert (overall["first_responses"], overall["median_first_response_minutes"]) == (1, 3)
    assert (overall["deadlines"], overall["answered_within_deadline"]) == (1, 1.0)


def test_assignment_and_110_dispatch_are_two_figures_and_routing_never_reads_as_a_dispatch(
    api: Api, directory: dict, aws: dict
) -> None:
    resident = api.sign_in(RESIDENT)
    tip = new_post(api, resident)  # the report board goes to 110 as well
    question = new_post(api, resident, board="qa", type="question", title="户口迁移", body="要带什么材料")
    deliver(api.client, aws)
    [record] = cad_records(aws)
    assert record["post_id"] == tip["id"]
    before = figures(api)
    assert (before["assigned"], before["incidents"], before["police_dispatches"]) == (2, 1, 0)

    for _ in range(2):  # 110 reports the same dispatch twice
        assert send_event(api, event(record, "dispatched"))[0] == 200
    after, kunqu = figures(api), figures(api, "kunqu")
    assert (after["assigned"], after["incidents"], after["police_dispatches"]) == (2, 1, 1)
    assert (kunqu["assigned"], kunqu["incidents"], kunqu["police_dispatches"]) == (1, 1, 1)

    chief = api.sign_in(CHIEF)
    assert api.call("POST", f"/posts/{question['id']}/route", {"unit_id": "qingfu"}, token=chief)[0] == 200
    detail = api.call("GET", f"/posts/{question['id']}")[1]
    words = [(e["kind"], e["text"]) for e in detail["timeline"]]
    assert words[1][0] == "dispatched" and words[1][1].startswith("已分派至")
    assert words[2] == ("transferred", "包头市公安局指挥中心卜连海将帖子转交东河区青福派出所")
    assert not [text for _, text in words if "派警" in text or "出警" in text]
    assert figures(api, "qingfu")["assigned"] == 1 and figures(api)["assigned"] == 2  # a transfer is no new post


def test_a_redelivered_reply_message_counts_the_first_response_once(
    api: Api, directory: dict, aws: dict, clock: MovableClock
) -> None:
    # Noon in Beijing, so the deadline falls on the same day as the answer whenever the suite runs.
    noon = datetime.now(BEIJING).replace(hour=12, minute=0, second=0, microsecond=0)
    clock.current = noon.astimezone(UTC)
    resident = api.sign_in(RESIDENT)
    created = new_post(api, resident)
    deliver(api.client, aws)
    officer = api.sign_in(KUNQU_OFFICER)
    reply(api, officer, created["id"])
    message = {"kind": "official_reply", "post_id": created["id"], "reply_id": "whatever"}
    deliver(api.client, aws)
    invoke(api, message)
    invoke(api, message, message)
    overall = figures(api)
    assert (overall["first_responses"], overall["deadlines"], overall["answered_in_time"]) == (1, 1, 1)
    today = api.call("GET", "/stats/daily")[1]["days"][-1]
    assert (today["first_responses"], today["deadlines"], today["official_replies"]) == (1, 1, 1)


def test_every_figure_says_how_it_is_computed_and_the_page_says_it_in_the_same_words(api: Api) -> None:
    stats = api.call("GET", "/stats")[1]
    shown = {
        "posts",
        "official_replies",
        "assigned",
        "police_dispatches",
        "resolved",
        "escalations",
        "median_first_response_minutes",
        "answered_within_deadline",
        "satisfaction",
    }
    assert shown <= set(stats["notes"]) and set(stats["notes"]) <= set(stats["overall"])
    assert all(text.endswith("。") and "\n" not in text for text in stats["notes"].values())
    i18n = (ROOT / "web" / "js" / "i18n.js").read_text(encoding="utf-8")
    zh = i18n[: i18n.index("const EN")]
    for name, text in NOTES.items():
        assert f'"stats.how.{name}": {json.dumps(text, ensure_ascii=False)},' in zh, name
        assert re.search(rf'"stats\.how\.{name}": "[A-Z][^"]+\."', i18n[i18n.index("const EN") :]), name


def test_the_last_30_days_come_day_by_day_with_zeros_on_empty_days(
    api: Api, directory: dict, aws: dict, clock: MovableClock, contract: Contract
) -> None:
    noon = datetime.now(BEIJING).replace(hour=12, minute=0, second=0, microsecond=0)
    clock.current = (noon - timedelta(days=3)).astimezone(UTC)  # three days ago at noon, Beijing time
    old = new_post(api, api.sign_in(RESIDENT))
    deliver(api.client, aws)
    clock.advance(minutes=7)
    reply(api, api.sign_in(KUNQU_OFFICER), old["id"])
    deliver(api.client, aws)
    clock.advance(days=3)
    new_post(api, api.sign_in(RESIDENT), district="东河区")
    deliver(api.client, aws)

    status, daily, _ = api.call("GET", "/stats/daily")
    contract.check("GET", "/stats/daily", status, daily)
    today = clock.now().astimezone(BEIJING).date()
    dates = [day["date"] for day in daily["days"]]
    assert dates == [(today - timedelta(days=n)).isoformat() for n in range(29, -1, -1)]
    by_date = {day["date"]: day for day in daily["days"]}
    three_ago = by_date[(today - timedelta(days=3)).isoformat()]
    assert (three_ago["posts"], three_ago["official_replies"], three_ago["median_first_response_minutes"]) == (1, 1, 7)
    assert three_ago["answered_within_deadline"] == 1.0 and by_date[today.isoformat()]["posts"] == 1
    empty = by_date[(today - timedelta(days=10)).isoformat()]
    assert empty == {
        "date": empty["date"],
        "posts": 0,
        "official_replies": 0,
        "first_responses": 0,
        "median_first_response_minutes": None,
        "deadlines": 0,
        "answered_in_time": 0,
        "answered_within_deadline": None,
        "ratings": 0,
        "satisfaction": None,
    }

    status, kunqu, _ = api.call("GET", "/stats/daily?unit=kunqu")
    contract.check("GET", "/stats/daily", status, kunqu)
    assert kunqu["unit"] == {"id": "kunqu", "name": "昆都仑区公安分局"}
    assert sum(day["posts"] for day in kunqu["days"]) == 1
    status, qingfu, _ = api.call("GET", "/stats/daily?unit=qingfu")
    assert [day["posts"] for day in qingfu["days"]][-1] == 1
    status, missing, _ = api.call("GET", "/stats/daily?unit=nowhere")
    contract.check("GET", "/stats/daily", status, missing)
    assert status == 404


def test_the_csv_opens_in_excel_with_one_row_per_day_and_scope(api: Api, directory: dict, aws: dict) -> None:
    resident = api.sign_in(RESIDENT)
    new_post(api, resident, visibility="police_only", title="毒品线索", body="三楼有人贩毒")
    deliver(api.client, aws)
    response = api.client.http.get("/stats/daily.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="police24-daily.csv"'
    raw = response.body if isinstance(response.body, bytes) else response.body.encode("utf-8")
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == [label for _, label in CSV_COLUMNS]
    assert len(rows) == 1 + 30 * (1 + len(directory["units"]))
    assert {len(row) for row in rows} == {len(CSV_COLUMNS)}
    today = datetime.now(UTC).astimezone(BEIJING).date().isoformat()
    overall_today = next(r for r in rows[1:] if r[0] == today and r[1] == "all")
    assert overall_today[2] == "全平台" and overall_today[3] == "1"
    kunqu_today = next(r for r in rows[1:] if r[0] == today and r[1] == "kunqu")
    assert kunqu_today[2] == "昆都仑区公安分局" and kunqu_today[3] == "1" and kunqu_today[6] == ""
    assert "三楼" not in raw.decode("utf-8") and "毒品" not in raw.decode("utf-8")  # counts only

    one = api.client.http.get("/stats/daily.csv?unit=qingfu")
    assert one.status_code == 200
    assert (
        len(
            list(
                csv.reader(
                    io.StringIO(
                        one.body.decode("utf-8-sig") if isinstance(one.body, bytes) else one.body.lstrip("\ufeff")
                    )
                )
            )
        )
        == 31
    )
    assert api.client.http.get("/stats/daily.csv?unit=nowhere").status_code == 404


def test_a_police_notice_carries_no_status(api: Api, directory: dict, aws: dict) -> None:
    chief = api.sign_in(CHIEF)
    body = {"board": "anti-drug", "type": "publicity", "title": "禁毒知识", "body": "珍爱生命，远离毒品。"}
    status, notice, _ = api.call("POST", "/posts", body, token=chief)
    assert status == 201 and notice["status"] is None
    assert api.call("GET", f"/posts/{notice['id']}")[1]["post"]["status"] is None
    feed = api.call("GET", "/posts?board=anti-drug")[1]
    assert [p["status"] for p in feed["posts"] if p["id"] == notice["id"]] == [None]
    change = {"status": "resolved", "version": notice["version"]}
    assert api.call("POST", f"/posts/{notice['id']}/status", change, token=chief)[0] == 409


def test_the_description_lists_the_figures_routes(api: Api) -> None:
    document = json.loads(Path(ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))
    assert {"/stats", "/stats/daily", "/stats/daily.csv"} <= set(document["paths"])
    csv_ok = document["paths"]["/stats/daily.csv"]["get"]["responses"]["200"]["content"]
    assert list(csv_ok) == ["text/csv; charset=utf-8"]


def test_reading_the_figures_never_scans(api: Api, directory: dict, aws: dict) -> None:
    from bench.counting import CallRecorder

    resident = api.sign_in(RESIDENT)
    new_post(api, resident)
    deliver(api.client, aws)
    recorder = CallRecorder()
    recorder.attach_app_clients()
    with recorder.recording() as totals:
        assert api.call("GET", "/stats")[0] == 200
    with recorder.recording() as daily:
        assert api.call("GET", "/stats/daily?unit=kunqu")[0] == 200
    # /stats: the STATS partition and the unit directory; one unit's 30 days: the unit and its DAILY partition.
    assert [c.label for c in totals.dynamodb] == ["Query[table]", "Query[table]"]
    assert [c.label for c in daily.dynamodb] == ["GetItem(DIR)", "Query[table]"]
    assert daily.items_read <= 1 + 30
