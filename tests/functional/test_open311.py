"""Open311 GeoReport v2 through the real app: schemas, JSON/XML parity, partner keys, a third-party client.

Every JSON answer is validated against the GeoReport v2 JSON Schemas in tests/functional/open311/
(Draft 4, copied from open311/schema-validation, referring to each other by file name); every XML answer must
be well-formed and carry the same data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit
from xml.etree import ElementTree

import pytest

from chalicelib.services.dispatch import post_number
from tests.conftest import deliver, officer_messages, sent_sms
from tests.functional.conftest import PERSONAS, ROLES, World

SCHEMAS = Path(__file__).parent / "open311"
V2 = "/open311/v2"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
LISTS = {
    "services",
    "service_requests",
    "service_request_updates",
    "attributes",
    "values",
    "endpoints",
    "formats",
    "errors",
}
UPDATE_SCHEMA = {  # the FixMyStreet extension has no schema of its own: its documented fields
    "type": "array",
    "items": {
        "type": "object",
        "required": ["update_id", "service_request_id", "status", "updated_datetime", "description"],
        "properties": {
            "update_id": {"type": "string"},
            "service_request_id": {"type": "string"},
            "status": {"enum": ["open", "closed"]},
            "updated_datetime": {"type": "string", "format": "date-time"},
            "description": {"type": "string"},
            "media_url": {"type": ["string", "null"]},
        },
    },
}
Validate = Callable[[str, Any], None]


@pytest.fixture(scope="module")
def validate() -> Validate:
    """Validate data against one of the shared GeoReport v2 schemas (or the updates schema above)."""
    from jsonschema import Draft4Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    assert SCHEMAS.is_dir(), f"the Open311 schemas are expected in {SCHEMAS}"
    resources = {
        path.name: Resource.from_contents(json.loads(path.read_text(encoding="utf-8")), default_specification=DRAFT4)
        for path in SCHEMAS.glob("*.json")
    }
    resources["updates.json"] = Resource.from_contents(UPDATE_SCHEMA, default_specification=DRAFT4)
    registry = Registry().with_resources(resources.items())

    def check(name: str, data: Any) -> None:
        schema = resources[name].contents
        Draft4Validator(schema, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER).validate(data)

    return check


def get(world: World, path: str) -> tuple[int, Any, dict[str, str]]:
    """GET an Open311 resource; parse JSON, or XML into plain data."""
    response = world.api.client.http.get(path)
    return response.status_code, parse(path, response.body, response.headers), dict(response.headers)


def post_form(world: World, path: str, fields: dict[str, str], headers: dict[str, str] | None = None) -> tuple:
    response = world.api.client.http.post(path, headers=headers or FORM, body=urlencode(fields))
    return response.status_code, parse(path, response.body, response.headers), dict(response.headers)


def parse(path: str, body: bytes, headers: dict[str, str]) -> Any:
    assert headers.get("X-Content-Type-Options") == "nosniff"
    if path.split("?")[0].endswith(".xml"):
        assert headers["Content-Type"].startswith("text/xml"), headers
        assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
        return xml_data(ElementTree.fromstring(body))
    assert headers["Content-Type"].startswith("application/json"), headers
    return json.loads(body)


def xml_data(element: ElementTree.Element) -> Any:
    """Read the spec's XML back: list elements hold entries, others fields; leaves are text."""
    if element.tag in LISTS:
        return [xml_data(child) for child in element]
    if len(element):
        return {child.tag: xml_data(child) for child in element}
    return element.text or ""


def as_text(data: Any) -> Any:
    """Write JSON data as XML carries it: every leaf a string, null empty, booleans in lower case."""
    if isinstance(data, list):
        return [as_text(entry) for entry in data]
    if isinstance(data, dict):
        return {name: as_text(value) for name, value in data.items()}
    if data is None:
        return ""
    if isinstance(data, bool):
        return "true" if data else "false"
    return str(data)


def assert_spec_error(data: Any, status: int) -> None:
    """Assert the spec's error shape: [{"code", "description"}] (XML read back as text)."""
    assert isinstance(data, list) and len(data) == 1, data
    assert str(data[0]["code"]) == str(status) and data[0]["description"], data
    assert "Traceback" not in data[0]["description"]


@pytest.fixture(scope="module")
def api_key(people: World) -> str:
    """A live partner key."""
    status, key, _ = people.api.admin("POST", "/admin/api-keys", {"name": "12345政务服务便民热线"})
    assert status == 201, key
    return str(key["api_key"])


def form(api_key: str | None, **fields: str) -> dict[str, str]:
    values = {
        "service_code": "report",
        "description": "小区门口有人卖假药\n每天晚上八点以后",
        "phone": "13811112222",
        "attribute[type]": "report",
        "attribute[district]": "昆都仑区",
    }
    values.update(fields)
    return {**({"api_key": api_key} if api_key is not None else {}), **values}


def file(people: World, api_key: str, **fields: str) -> str:
    status, answer, _ = post_form(people, f"{V2}/requests.json", form(api_key, **fields))
    assert status == 200, answer
    return str(answer[0]["service_request_id"])


# -- services ---------------------------------------------------------------------------------


def test_discovery_services_and_definitions_follow_the_spec(people: World, validate: Validate) -> None:
    status, found, _ = get(people, f"{V2}/discovery.json")
    assert status == 200
    endpoint = found["endpoints"][0]
    assert endpoint["url"] == "http://127.0.0.1:8000/api/open311/v2"
    assert set(endpoint["formats"]) == {"application/json", "text/xml"} and found["changeset"]
    status, services, _ = get(people, f"{V2}/services.json")
    assert status == 200
    validate("services.json", services)
    assert len(services) == 12 and {s["type"] for s in services} == {"realtime"}
    assert len({s["group"] for s in services}) == 4
    report = next(s for s in services if s["service_code"] == "report")
    assert report["service_name"] == "随手举报" and report["metadata"] is True
    for service in services:
        status, definition, _ = get(people, f"{V2}/services/{service['service_code']}.json")
        assert status == 200
        validate("service-definition.json", definition)
        attributes = {a["code"]: a for a in definition["attributes"]}
        assert attributes["type"]["required"] is True and attributes["district"]["required"] is False
        assert {a["datatype"] for a in attributes.values()} == {"singlevaluelist"}
        assert "publicity" not in {v["key"] for v in attributes["type"]["values"]}
    status, definition, _ = get(people, f"{V2}/services/report.json")
    assert [v["key"] for v in definition["attributes"][1]["values"]][:3] == ["昆都仑区", "青山区", "东河区"]


def test_the_schemas_do_refuse_what_breaks_them(validate: Validate) -> None:
    from jsonschema import ValidationError

    with pytest.raises(ValidationError):
        validate("requests.json", [{"status": "open", "service_code": "report", "requested_datetime": "now"}])


@pytest.mark.parametrize(
    "path",
    [
        "/services/parking.json",
        "/services/report.html",
        "/requests/pnope.json",
        "/tokens/t123.json",
        "/tokens/t123.xml",
    ],
)
def test_unknown_services_requests_and_tokens_are_404_in_the_spec_shape(people: World, path: str) -> None:
    status, data, _ = get(people, V2 + path)
    assert status == 404
    assert_spec_error(data, 404)


# -- filing through a partner --------------------------------------------------------------------


def test_a_request_filed_through_open311_shows_in_the_forum_and_is_dispatched(
    people: World, api_key: str, validate: Validate
) -> None:
    before = len(officer_messages("13900000003"))
    status, answer, _ = post_form(people, f"{V2}/requests.json", form(api_key, phone="13811112222"))
    assert status == 200
    assert answer == [
        {
            "service_request_id": answer[0]["service_request_id"],
            "service_notice": "民警将在15分钟内首次回复",
            "account_id": None,
        }
    ]
    post_id = answer[0]["service_request_id"]

    author = people.api.sign_in("13811112222")
    shown = people.api.detail(post_id, token=author)["post"]
    assert (shown["board"], shown["type"], shown["district"]) == ("report", "report", "昆都仑区")
    assert shown["title"] == "小区门口有人卖假药" and shown["body"] == "小区门口有人卖假药\n每天晚上八点以后"
    assert shown.get("mine") is True and shown["status"] == "received"
    assert post_id in people.api.feed_ids("board=report")

    deliver(people.api.client, people.outputs)
    assert len(officer_messages("13900000003")) > before
    assert any(f"编号{post_number(post_id)}" in text for text in officer_messages("13900000003"))
    status, found, _ = get(people, f"{V2}/requests/{post_id}.json")
    assert status == 200
    validate("requests.json", found)
    assert found[0]["agency_responsible"] == "昆都仑区公安分局" and found[0]["status"] == "open"
    assert found[0]["expected_datetime"].endswith("+08:00")

    officer = people.token("unit_officer")
    status, _, _ = people.api.call(
        "POST", f"/posts/{post_id}/replies", {"body": "已安排民警核查,可致电13912345678"}, token=officer
    )
    assert status == 201
    deliver(people.api.client, people.outputs)
    assert any("回复" in text for _, text in sent_sms("13811112222"))
    status, found, _ = get(people, f"{V2}/requests/{post_id}.json")
    assert found[0]["status_notes"] == "已安排民警核查,可致电139****5678"


def test_a_district_named_in_the_address_is_taken(people: World, api_key: str) -> None:
    post_id = file(
        people,
        api_key,
        **{
            "attribute[district]": "",
            "address_string": "内蒙古包头市东河区巴彦塔拉大街1号",
            "lat": "40.6",
            "long": "110.0",
            "attribute[type]": "help",
            "description": "老人走失,请帮忙寻找",
        },
    )
    shown = people.api.detail(post_id)["post"]
    assert (shown["district"], shown["type"]) == ("东河区", "help")


def test_the_xml_format_files_too(people: World, api_key: str) -> None:
    status, answer, _ = post_form(people, f"{V2}/requests.xml", form(api_key, description="XML 提交的举报"))
    assert status == 200
    assert answer[0]["service_notice"] == "民警将在15分钟内首次回复" and answer[0]["account_id"] == ""
    people.api.detail(answer[0]["service_request_id"])


@pytest.mark.parametrize("presented", ["missing", "unknown", "malformed", "revoked"])
def test_filing_without_a_live_key_is_403_and_stores_nothing(people: World, presented: str) -> None:
    status, key, _ = people.api.admin("POST", "/admin/api-keys", {"name": "测试"})
    if presented == "revoked":
        assert people.api.admin("DELETE", f"/admin/api-keys/{key['id']}")[0] == 200
    api_key = {"missing": None, "unknown": "pk0000000000000000.secret", "malformed": "nope", "revoked": key["api_key"]}[
        presented
    ]
    before = people.api.feed_ids()
    for fields in (form(api_key, description="不该存下"), {"api_key": api_key} if api_key else {}):
        for fmt in ("json", "xml"):
            status, data, _ = post_form(people, f"{V2}/requests.{fmt}", fields)
            assert status == 403, data
            assert_spec_error(data, 403)
    assert people.api.feed_ids() == before


@pytest.mark.parametrize(
    ("fields", "status", "named"),
    [
        ({"description": ""}, 400, "description"),
        ({"description": "长" * 4001}, 400, "description"),
        ({"phone": "12345"}, 400, "phone"),
        ({"phone": ""}, 400, "phone"),
        ({"attribute[type]": "publicity"}, 400, "attribute[type]"),
        ({"attribute[type]": ""}, 400, "attribute[type]"),
        ({"service_code": "online-lawyer"}, 400, "attribute[type]"),
        ({"attribute[district]": "朝阳区"}, 400, "attribute[district]"),
        ({"lat": "91"}, 400, "lat"),
        ({"service_code": ""}, 400, "service_code"),
        ({"service_code": "parking"}, 404, ""),
    ],
)
def test_bad_fields_are_refused_naming_the_field(
    people: World, api_key: str, fields: dict[str, str], status: int, named: str
) -> None:
    before = people.api.feed_ids()
    got, data, _ = post_form(people, f"{V2}/requests.json", form(api_key, **fields))
    assert got == status, data
    assert_spec_error(data, status)
    assert named in data[0]["description"]
    assert people.api.feed_ids() == before


def test_a_json_body_is_415_in_the_spec_shape(people: World, api_key: str) -> None:
    response = people.api.client.http.post(
        f"{V2}/requests.json", headers={"Content-Type": "application/json"}, body=json.dumps(form(api_key))
    )
    assert response.status_code == 415
    assert_spec_error(json.loads(response.body), 415)


def test_a_partner_key_is_rate_limited_with_retry_after(people: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "RATE_LIMITS",
        "partner_posts_per_hour=1,post_interval=0,posts_per_day=0,posts_first_day=0,"
        "reply_interval=0,duplicate_window=0",
    )
    status, key, _ = people.api.admin("POST", "/admin/api-keys", {"name": "限流测试"})
    first, _, _ = post_form(people, f"{V2}/requests.json", form(key["api_key"], phone="13811113333"))
    assert first == 200
    for fmt in ("json", "xml"):
        status, data, headers = post_form(people, f"{V2}/requests.{fmt}", form(key["api_key"], phone="13811114444"))
        assert status == 429
        assert_spec_error(data, 429)
        assert 1 <= int(headers["Retry-After"]) <= 3600
    other = people.api.admin("POST", "/admin/api-keys", {"name": "另一合作方"})[1]["api_key"]
    assert post_form(people, f"{V2}/requests.json", form(other, phone="13811114444"))[0] == 200


# -- partner keys (admin) ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_issue_partner_keys(people: World, role: str) -> None:
    status, data, _ = people.api.call("POST", "/admin/api-keys", {"name": "某合作方"}, token=people.token(role))
    expected = 201 if role == "admin_key" else 401 if PERSONAS[role] is None else 403
    assert status == expected, data
    assert people.api.call("GET", "/admin/api-keys", token=people.token(role))[0] == (
        200 if role == "admin_key" else expected
    )


def test_partner_keys_are_listed_without_secrets_and_revoked_once(people: World) -> None:
    status, key, _ = people.api.admin("POST", "/admin/api-keys", {"name": "市长热线"})
    assert status == 201 and key["api_key"].startswith(key["id"] + ".")
    assert people.api.admin("POST", "/admin/api-keys", {"name": ""})[0] == 400
    status, listed, _ = people.api.admin("GET", "/admin/api-keys")
    mine = next(k for k in listed["keys"] if k["id"] == key["id"])
    assert mine == {"id": key["id"], "name": "市长热线", "created_at": key["created_at"], "revoked_at": None}
    assert key["api_key"].split(".")[1] not in json.dumps(listed)
    status, revoked, _ = people.api.admin("DELETE", f"/admin/api-keys/{key['id']}")
    assert status == 200 and revoked["revoked_at"]
    assert people.api.admin("DELETE", f"/admin/api-keys/{key['id']}")[1] == revoked
    assert people.api.admin("DELETE", "/admin/api-keys/pk-missing")[0] == 404


# -- reading -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def filed(people: World, api_key: str) -> dict[str, str]:
    """Requests of every kind: open, resolved, on another board, police-only and hidden."""
    ids = {
        "open": file(people, api_key, description="夜里有人飙车,电话13812345678"),
        "resolved": file(people, api_key, description="路灯下有人聚众赌博", phone="13811115555"),
        "traffic": file(
            people, api_key, service_code="traffic", description="红绿灯坏了", **{"attribute[type]": "question"}
        ),
    }
    citizen = people.token("citizen")
    tip = people.api.new_report(citizen, "仅警方可见的线索", "嫌疑人住在三楼", visibility="police_only")
    ids["police_only"] = tip["id"]
    ids["hidden"] = file(people, api_key, description="将被隐藏的帖子")
    assert people.api.admin("PUT", f"/admin/posts/{ids['hidden']}/hidden", {"reason": "重复"})[0] == 200
    deliver(people.api.client, people.outputs)
    leader = people.token("leader")
    version = people.api.detail(ids["resolved"])["post"]["version"]
    status, _, _ = people.api.call(
        "POST",
        f"/posts/{ids['resolved']}/status",
        {"status": "resolved", "version": version, "note": "已查处"},
        token=leader,
    )
    assert status == 200
    return ids


def listed(people: World, query: str = "") -> list[str]:
    status, found, _ = get(people, f"{V2}/requests.json" + (f"?{query}" if query else ""))
    assert status == 200, found
    return [r["service_request_id"] for r in found]


def test_requests_are_public_masked_newest_first(people: World, filed: dict[str, str], validate: Validate) -> None:
    status, found, _ = get(people, f"{V2}/requests.json")
    assert status == 200
    validate("requests.json", found)
    ids = [r["service_request_id"] for r in found]
    assert filed["hidden"] not in ids
    assert {filed["open"], filed["resolved"], filed["traffic"], filed["police_only"]} <= set(ids)
    times = [r["requested_datetime"] for r in found]
    assert times == sorted(times, reverse=True)
    by_id = {r["service_request_id"]: r for r in found}
    assert by_id[filed["open"]]["description"] == "夜里有人飙车,电话138****5678"
    stub = by_id[filed["police_only"]]
    assert stub["description"] is None and stub["status_notes"] is None and stub["service_code"] == "report"
    assert by_id[filed["resolved"]]["status"] == "closed"
    assert by_id[filed["traffic"]]["service_notice"] == "民警将在1小时内首次回复"
    assert get(people, f"{V2}/requests/{filed['hidden']}.json")[0] == 404


def test_requests_filter_by_status_service_ids_and_window(people: World, filed: dict[str, str]) -> None:
    closed = listed(people, "status=closed")
    assert filed["resolved"] in closed and filed["open"] not in closed
    assert filed["resolved"] not in listed(people, "status=open")
    assert {filed["open"], filed["resolved"]} <= set(listed(people, "status=open,closed"))
    assert listed(people, "service_code=traffic") == [filed["traffic"]]
    assert set(listed(people, "service_code=traffic,report")) >= {filed["traffic"], filed["open"]}
    wanted = [filed["open"], filed["hidden"], filed["traffic"], "pmissing"]
    assert set(listed(people, "service_request_id=" + ",".join(wanted))) == {filed["open"], filed["traffic"]}
    start = get(people, f"{V2}/requests/{filed['open']}.json")[1][0]["requested_datetime"]
    assert filed["open"] in listed(people, urlencode({"start_date": start}))
    assert filed["open"] not in listed(people, urlencode({"end_date": "2026-01-01T00:00:00+08:00"}))
    assert listed(people, urlencode({"start_date": "2020-01-01T00:00:00Z", "end_date": "2020-02-01T00:00:00Z"})) == []


def test_reads_are_range_queries_on_the_feed_indexes_never_scans(people: World, filed: dict[str, str]) -> None:
    from chalicelib.adapters import aws
    from chalicelib.config import Settings

    dynamodb = aws.client("dynamodb", Settings.from_env().region)
    seen: list[tuple[str, dict[str, Any]]] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        seen.append((model.name, params))

    def calls(path: str) -> list[tuple[str, str | None, str | None]]:
        """Return the calls a read made, past the directory reads that published contact numbers may need."""
        seen.clear()
        assert get(people, path)[0] == 200
        made = [(name, p.get("IndexName"), p.get("KeyConditionExpression")) for name, p in seen]
        directory = [c for c in made if c[0] == "Query" and c[1] is None and str(c[2]).startswith("PK = :pk AND")]
        return [c for c in made if c not in directory]

    dynamodb.meta.events.register("provide-client-params.dynamodb", record)
    try:
        assert calls(f"{V2}/requests.json") == [("Query", "GSI1", "GSI1PK = :pk AND GSI1SK BETWEEN :low AND :high")]
        assert calls(f"{V2}/requests.xml?service_code=traffic&status=open") == [
            ("Query", "GSI2", "GSI2PK = :pk AND GSI2SK BETWEEN :low AND :high")
        ]
        assert calls(f"{V2}/requests.json?service_request_id={filed['open']},{filed['traffic']}") == [
            ("BatchGetItem", None, None)
        ]
        assert calls(f"{V2}/servicerequestupdates.json") == [
            ("Query", "GSI1", "GSI1PK = :pk AND GSI1SK BETWEEN :low AND :high"),
            ("BatchGetItem", None, None),
        ]
        assert calls(f"{V2}/requests/{filed['open']}.json") == [("GetItem", None, None)]
    finally:
        dynamodb.meta.events.unregister("provide-client-params.dynamodb", record)


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("status=pending", 400),
        ("service_code=parking", 404),
        ("start_date=yesterday", 400),
        ("start_date=2025-01-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", 400),
        ("start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", 400),
    ],
)
def test_bad_filters_are_refused_in_the_spec_shape(people: World, query: str, status: int) -> None:
    for fmt in ("json", "xml"):
        got, data, _ = get(people, f"{V2}/requests.{fmt}?{query}")
        assert got == status, data
        assert_spec_error(data, status)


def test_updates_follow_the_public_timeline(people: World, filed: dict[str, str], validate: Validate) -> None:
    status, found, _ = get(people, f"{V2}/servicerequestupdates.json?service_request_id={filed['resolved']}")
    assert status == 200
    validate("updates.json", found)
    assert [u["external_status_code"] for u in found] == ["resolved", "dispatched", "received"]
    assert [u["status"] for u in found] == ["closed", "open", "open"]
    assert "已查处" in found[0]["description"]
    status, recent, _ = get(people, f"{V2}/servicerequestupdates.json")
    validate("updates.json", recent)
    ids = {u["service_request_id"] for u in recent}
    assert {filed["resolved"], filed["open"], filed["police_only"]} <= ids and filed["hidden"] not in ids
    assert [u for u in recent if u["service_request_id"] == filed["resolved"]] == found
    times = [u["updated_datetime"] for u in recent]
    assert times == sorted(times, reverse=True)
    old = urlencode({"start_date": "2020-01-01T00:00:00Z", "end_date": "2020-02-01T00:00:00Z"})
    assert get(people, f"{V2}/servicerequestupdates.json?{old}")[1] == []


def test_every_xml_answer_carries_the_same_data_as_json(people: World, filed: dict[str, str]) -> None:
    paths = [
        "discovery",
        "services",
        "services/report",
        "services/qa",
        "requests",
        f"requests/{filed['open']}",
        f"requests/{filed['police_only']}",
        "requests?status=closed",
        f"requests?service_request_id={filed['open']},{filed['traffic']}",
        "servicerequestupdates",
        f"servicerequestupdates?service_request_id={filed['resolved']}",
        "requests?status=bogus",
        "services/parking",
        "tokens/t1",
        f"requests/{filed['hidden']}",
    ]
    for path in paths:
        stem, _, query = path.partition("?")
        suffix = f"?{query}" if query else ""
        json_status, as_json, _ = get(people, f"{V2}/{stem}.json{suffix}")
        xml_status, as_xml, _ = get(people, f"{V2}/{stem}.xml{suffix}")
        assert json_status == xml_status, path
        assert as_xml == as_text(as_json), path


def test_a_third_party_georeport_client_lists_services_and_reads_requests(people: World, filed: dict[str, str]) -> None:
    import responses
    from georeport import GeoReport

    root = "http://police24.example/api/open311/v2"

    def forward(request: Any) -> tuple[int, dict[str, str], bytes]:
        """Hand the client's HTTP call to the app, as the site's /api proxy does."""
        url = urlsplit(request.url)
        path = url.path.removeprefix("/api") + (f"?{url.query}" if url.query else "")
        response = people.api.client.http.get(path)
        return response.status_code, {"Content-Type": response.headers["Content-Type"]}, response.body

    with responses.RequestsMock() as mock:
        mock.add_callback(responses.GET, re.compile(re.escape(root) + r"/.*"), callback=forward, content_type=None)
        for fmt in ("json", "xml"):
            client = GeoReport(root, output_format=fmt)
            services = client.get_service_list()
            assert [s["service_code"] for s in services][:2] == ["report", "hukou"], fmt
            definition = client.get_service_definition("report")
            assert definition["service_code"] == "report"
            both = client.get_service_requests(service_request_id=f"{filed['open']},{filed['traffic']}")
            assert {r["service_request_id"] for r in both} == {filed["open"], filed["traffic"]}
            closed = client.get_service_requests(status="closed", service_code="report")
            closed = closed if isinstance(closed, list) else [closed]
            assert filed["resolved"] in {r["service_request_id"] for r in closed}
            one = client.get_service_request(filed["open"])
            assert one["service_request_id"] == filed["open"] and one["status"] == "open"
            assert one["description"] == "夜里有人飙车,电话138****5678"


# -- confidentiality: police-only and hidden posts ------------------------------------------------


def text_of(people: World, path: str) -> str:
    """Return the raw text of an Open311 answer that must succeed."""
    response = people.api.client.http.get(path)
    assert response.status_code == 200, (path, response.body)
    return response.body.decode("utf-8")


def every_output(post_id: str) -> list[str]:
    """Return every Open311 read that may carry a post, in both formats."""
    paths = []
    for fmt in ("json", "xml"):
        paths += [
            f"{V2}/requests.{fmt}",
            f"{V2}/requests.{fmt}?service_request_id={post_id}",
            f"{V2}/requests/{post_id}.{fmt}",
            f"{V2}/requests.{fmt}?service_code=report",
            f"{V2}/servicerequestupdates.{fmt}",
            f"{V2}/servicerequestupdates.{fmt}?service_request_id={post_id}",
        ]
    return paths


def handle(people: World, post_id: str, notes: dict[str, str]) -> None:
    """Have the leader move a post along and re-route it, writing a note each time."""
    leader = people.token("leader")
    for step, note in notes.items():
        if step == "route":
            status, data, _ = people.api.call(
                "POST", f"/posts/{post_id}/route", {"unit_id": "qingfu", "note": note}, token=leader
            )
        else:
            version = people.api.detail(post_id, token=leader)["post"]["version"]
            status, data, _ = people.api.call(
                "POST", f"/posts/{post_id}/status", {"status": step, "version": version, "note": note}, token=leader
            )
        assert status == 200, data


def test_updates_of_a_police_only_post_say_what_changed_but_never_the_police_notes(
    people: World, validate: Validate
) -> None:
    citizen = people.token("citizen")
    post_id = people.api.new_report(
        citizen, "毒品交易线索", "三楼有人贩毒", district="昆都仑区", visibility="police_only"
    )["id"]
    deliver(people.api.client, people.outputs)
    notes = {"acknowledged": "线人王五称周三交易", "route": "转青福所秘密布控", "in_progress": "已在301室外蹲守"}
    handle(people, post_id, notes)
    for path in every_output(post_id):
        text = text_of(people, path)
        for note in [*notes.values(), "王五", "蹲守", "布控", "三楼有人贩毒"]:
            assert note not in text, (path, note)
    status, found, _ = get(people, f"{V2}/servicerequestupdates.json?service_request_id={post_id}")
    assert status == 200
    validate("updates.json", found)
    assert [u["external_status_code"] for u in found] == [
        "in_progress",
        "transferred",
        "acknowledged",
        "dispatched",
        "received",
    ]
    assert [u["description"] for u in found] == [
        "状态改为处置中",
        "已转交东河区青福派出所",
        "状态改为已受理",
        "已分派至昆都仑区公安分局",
        "已收悉",
    ]
    assert get(people, f"{V2}/servicerequestupdates.xml?service_request_id={post_id}")[1] == as_text(found)


def test_a_hidden_post_shows_nowhere_in_open311_with_its_notes(people: World, api_key: str) -> None:
    post_id = file(people, api_key, description="将被隐藏的线索")
    deliver(people.api.client, people.outputs)
    handle(people, post_id, {"acknowledged": "核查人李四电话13700001234"})
    assert people.api.admin("PUT", f"/admin/posts/{post_id}/hidden", {"reason": "重复"})[0] == 200
    for path in every_output(post_id):
        if f"requests/{post_id}." in path:
            assert people.api.client.http.get(path).status_code == 404
            continue
        text = text_of(people, path)
        assert post_id not in text and "李四" not in text and "将被隐藏" not in text, path


def test_notes_on_public_posts_are_masked_in_updates(people: World, api_key: str) -> None:
    post_id = file(people, api_key, description="路口有人碰瓷")
    deliver(people.api.client, people.outputs)
    handle(people, post_id, {"acknowledged": "已联系报警人13700001234"})
    for fmt in ("json", "xml"):
        text = text_of(people, f"{V2}/servicerequestupdates.{fmt}?service_request_id={post_id}")
        assert "已联系报警人137****1234" in text and "13700001234" not in text


def test_no_open311_output_names_the_author_of_a_police_only_post(people: World) -> None:
    citizen = people.token("other_citizen")
    status, me, _ = people.api.call("GET", "/me", token=citizen)
    assert status == 200
    public_id = people.api.new_post(
        citizen, board="report", type="report", title="公开的举报", body="公开内容", district="昆都仑区"
    )["id"]
    post_id = people.api.new_report(citizen, "仅警方可见", "内情", district="昆都仑区", visibility="police_only")["id"]
    deliver(people.api.client, people.outputs)
    handle(people, post_id, {"acknowledged": "已核实"})
    assert people.api.call("POST", f"/posts/{post_id}/replies", {"body": "请补充线索"}, token=people.token("leader"))[0]
    for path in every_output(post_id):
        text = text_of(people, path)
        assert me["nickname"] not in text and me["id"] not in text, path
    assert public_id in text_of(people, f"{V2}/requests.json")


# -- partners file for citizens, never as officers -------------------------------------------------


def my_posts(people: World, token: str | None) -> list[dict[str, Any]]:
    status, page, _ = people.api.call("GET", "/me/posts?limit=50", token=token)
    assert status == 200, page
    return list(page["posts"])


@pytest.mark.parametrize("phone", ["13900000001", "+86 139 0000 0001", "13900000004"])
def test_a_partner_may_never_file_as_an_officers_phone(people: World, api_key: str, phone: str) -> None:
    chief = people.token("leader")
    before, mine = people.api.feed_ids(), [p["id"] for p in my_posts(people, chief)]
    for fmt in ("json", "xml"):
        status, data, _ = post_form(
            people, f"{V2}/requests.{fmt}", form(api_key, phone=phone, description="局长本人举报")
        )
        assert status == 400, data
        assert_spec_error(data, 400)
        assert "phone" in data[0]["description"]
    assert people.api.feed_ids() == before
    assert [p["id"] for p in my_posts(people, chief)] == mine


def test_a_partner_post_says_which_partner_filed_it_on_the_post_and_its_timeline(people: World, api_key: str) -> None:
    post_id = file(people, api_key, phone="13811116666", description="菜市场有人卖野生动物")
    detail = people.api.detail(post_id)
    assert detail["post"]["via"] == {"name": "12345政务服务便民热线"}
    received = next(e for e in detail["timeline"] if e["kind"] == "received")
    assert received["text"] == "已收悉（经12345政务服务便民热线提交），正在分派处置单位"
    listed = next(p for p in people.api.call("GET", "/posts?board=report&limit=50")[1]["posts"] if p["id"] == post_id)
    assert listed["via"] == {"name": "12345政务服务便民热线"}
    citizen_post = people.api.new_post(people.token("citizen"))
    assert "via" not in people.api.detail(citizen_post["id"])["post"]
    updates = get(people, f"{V2}/servicerequestupdates.json?service_request_id={post_id}")[1]
    assert updates[-1]["description"] == "已收悉（经12345政务服务便民热线提交），正在分派处置单位"


def test_an_account_a_partner_opens_is_unverified_until_the_phone_signs_in_and_then_holds_its_posts(
    people: World, api_key: str
) -> None:
    from chalicelib.bootstrap import services

    phone = "13811117777"
    post_id = file(people, api_key, phone=phone, description="楼道里堆放易燃物")
    opened = services().identity.users.by_phone(phone)
    assert opened is not None and opened.verified is False and opened.role == "citizen"
    assert people.api.call("POST", "/auth/session", {"phone": phone, "code": "000000"})[0] == 401
    token = people.api.sign_in(phone)
    assert services().identity.users.by_phone(phone) == opened.model_copy(update={"verified": True})
    [mine] = my_posts(people, token)
    assert mine["id"] == post_id and mine["via"] == {"name": "12345政务服务便民热线"} and mine["mine"] is True
    status, me, _ = people.api.call("GET", "/me", token=token)
    assert status == 200 and (me["id"], me["role"]) == (opened.id, "citizen")


def test_a_partner_account_never_becomes_an_officers_identity(people: World, api_key: str) -> None:
    phone = "13811110000"
    post_id = file(people, api_key, phone=phone, description="网吧有未成年人")
    officer = {
        "name": "赵警官",
        "title": "社区民警",
        "phone": phone,
        "unit_id": "qingfu",
        "role": "officer",
        "on_duty": True,
    }
    assert people.api.admin("PUT", "/admin/officers/o-zhao", officer)[0] == 200
    token = people.api.sign_in(phone)
    status, me, _ = people.api.call("GET", "/me", token=token)
    assert status == 200 and (me["id"], me["role"], me["nickname"]) == ("o-zhao", "officer", "赵警官")
    assert post_id not in [p["id"] for p in my_posts(people, token)]
    assert people.api.detail(post_id)["post"]["author"]["nickname"] != "赵警官"
    status, data, _ = post_form(people, f"{V2}/requests.json", form(api_key, phone=phone))
    assert status == 400, data


# -- no stored text breaks a document --------------------------------------------------------------


def test_text_stored_with_characters_xml_cannot_carry_still_gives_valid_documents(people: World) -> None:
    from chalicelib.bootstrap import services
    from chalicelib.domain.posts import Event, Post

    svc = services()
    now = people.clock.now()
    junk = "\x01\x08\x0b\x1f\x7f\x85\ufffe\uffff"  # DynamoDB stores no lone surrogate: the unit tests have them
    post = Post(
        id="pjunkxml0001",
        board="report",
        type="report",
        title=f"标题{junk}",
        body=f"有人{junk}卖假药\t第二段",
        author_id="u_junk",
        author_nickname="网友JUNK",
        district="昆都仑区",
        created_at=now,
        updated_at=now,
    )
    svc.open311.posts.add(post, Event(id="ejunkxml0001", at=now, kind="received", text=f"已收悉{junk}"))
    for fmt in ("json", "xml"):
        for path in (
            f"requests.{fmt}",
            f"requests.{fmt}?service_request_id={post.id}",
            f"requests/{post.id}.{fmt}",
            f"servicerequestupdates.{fmt}",
            f"servicerequestupdates.{fmt}?service_request_id={post.id}",
        ):
            response = people.api.client.http.get(f"{V2}/{path}")
            assert response.status_code == 200, (path, response.body)
            if fmt == "xml":
                root = ElementTree.fromstring(response.body)
                texts = [e.text for e in root.iter() if e.text and ("有人" in e.text or "已收悉" in e.text)]
            else:
                texts = [
                    v
                    for entry in json.loads(response.body)
                    for v in entry.values()
                    if isinstance(v, str) and ("有人" in v or "已收悉" in v)
                ]
            assert texts, path  # JSON escapes the controls (\u0001); XML has none left
            assert fmt == "json" or not any(c in t for t in texts for c in junk), path
    root = ElementTree.fromstring(people.api.client.http.get(f"{V2}/requests/{post.id}.xml").body)
    assert root.findtext("request/description") == "有人" + "\ufffd" * 8 + "卖假药\t第二段"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("description", "有人\x01卖假药"),
        ("description", "有人\x00卖假药"),
        ("description", "\x1b[31m红字"),
        ("description", "有人\x7f卖假药"),
        ("description", "有人\x85卖假药"),
        ("description", "有人\x9f卖假药"),
        ("attribute[district]", "昆都仑区\x01"),
        ("address_string", "昆都仑区\x0b阿尔丁大街"),
        ("attribute[type]", "report\x0c"),
    ],
)
def test_control_characters_in_a_request_are_refused(people: World, api_key: str, field: str, value: str) -> None:
    before = people.api.feed_ids()
    for fmt in ("json", "xml"):
        status, data, _ = post_form(people, f"{V2}/requests.{fmt}", form(api_key, **{field: value}))
        assert status == 400, data
        assert_spec_error(data, 400)
        assert field in data[0]["description"]
    assert people.api.feed_ids() == before


def test_tabs_and_line_breaks_of_any_kind_are_kept_as_tab_and_newline(people: World, api_key: str) -> None:
    post_id = file(people, api_key, description="第一行\r\n第二行\r第三行\n\t缩进", phone="13811118888")
    author = people.api.sign_in("13811118888")  # a phone of its own: the module's others used up their codes
    assert people.api.detail(post_id, token=author)["post"]["body"] == "第一行\n第二行\n第三行\n\t缩进"


# -- odd queries and unknown formats -------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "end_date=0001-01-01T00:00:00",
        "start_date=9999-12-31T00:00:00",
        "start_date=0001-01-01T00:00:00Z",
        "end_date=9999-12-31T23:59:59-14:00",
        "start_date=1800-01-01&end_date=1800-02-01",
        "end_date=1969-12-31",
        "start_date=2100-01-01T00:00:00Z",
        "start_date=2026-W01",
        "start_date=20260101",
        "start_date=2026-01-01T00",
        "start_date=2026-01-01T00:00:00%2B23:59",
        "start_date=2026-13-01",
        "start_date=%EF%BC%92026-01-01",
        "start_date=2026-01-01T00:00:00.Z",
        "end_date=%00",
        "end_date=2026-01-01T00:00:00Zjunk",
    ],
)
def test_extreme_or_malformed_dates_are_400_in_the_spec_shape(people: World, query: str) -> None:
    for resource in ("requests", "servicerequestupdates"):
        for fmt in ("json", "xml"):
            status, data, _ = get(people, f"{V2}/{resource}.{fmt}?{query}")
            assert status == 400, (resource, query, data)
            assert_spec_error(data, 400)
            assert "date" in data[0]["description"]


@pytest.mark.parametrize(
    "query",
    [
        "start_date=2026-03-01",
        "start_date=2026-03-01T08:00",
        "start_date=2026-03-01T08:00:00Z",
        "start_date=2026-03-01T08:00:00.1234567Z",
        "start_date=2026-03-01T08:00-14:00",
        "start_date=2026-03-01T08:00:00.5%2B08:00&end_date=2026-05-01T00:00:00-05:00",
        "end_date=2000-01-01T00:00:00%2B08:00",
    ],
)
def test_w3c_dates_with_or_without_an_offset_are_read(people: World, query: str) -> None:
    for resource in ("requests", "servicerequestupdates"):
        status, data, _ = get(people, f"{V2}/{resource}.json?{query}")
        assert status == 200, (resource, query, data)


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("GET", "services.csv"),
        ("GET", "discovery.csv"),
        ("GET", "requests.csv"),
        ("GET", "requests.html"),
        ("GET", "servicerequestupdates.csv"),
        ("GET", "services"),
        ("GET", "parking.json"),
        ("POST", "requests.csv"),
        ("POST", "requests"),
    ],
)
def test_an_unknown_format_or_resource_is_404_in_the_spec_shape(people: World, method: str, name: str) -> None:
    if method == "GET":
        status, data, _ = get(people, f"{V2}/{name}")
    else:
        status, data, _ = post_form(people, f"{V2}/{name}", {"api_key": "x", "service_code": "report"})
    assert status == 404, data
    assert_spec_error(data, 404)
    stem, dot, fmt = name.partition(".")
    if dot and stem in ("services", "discovery", "requests", "servicerequestupdates"):
        assert f"不支持的格式：{fmt}" in data[0]["description"]
