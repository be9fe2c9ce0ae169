"""The Open311 edge: formats by extension, the spec's XML, spec-shaped errors and form bodies."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree

import pytest

from chalicelib.api.http import PayloadTooLarge
from chalicelib.api.open311_format import answer, read_form, split_name, to_xml, within_budget
from chalicelib.domain.errors import NotFound, ValidationFailed


class FakeRequest:
    def __init__(self, body: bytes | str | None) -> None:
        self.raw_body = body


def test_a_name_carries_its_format() -> None:
    assert split_name("p123.json") == ("p123", "json")
    assert split_name("exit-entry.xml") == ("exit-entry", "xml")
    for bad in ("p123", "p123.html", ".json", "p123."):
        with pytest.raises(NotFound):
            split_name(bad)


def test_lists_become_repeated_entries_and_null_an_empty_element() -> None:
    data = [{"service_code": "report", "metadata": True, "lat": None, "attributes": [{"values": [{"key": "a"}]}]}]
    text = to_xml("services", data)
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>\n<services><service>')
    root = ElementTree.fromstring(text.encode())
    service = root.find("service")
    assert service is not None
    assert service.findtext("metadata") == "true" and service.findtext("lat") == ""
    assert service.findtext("attributes/attribute/values/value/key") == "a"


def test_text_is_escaped_in_xml() -> None:
    root = ElementTree.fromstring(to_xml("errors", [{"code": 400, "description": "<b>&\"'"}]).encode())
    assert root.findtext("error/description") == "<b>&\"'"


def test_an_answer_is_json_or_xml_with_its_content_type() -> None:
    as_json = answer([{"code": 404, "description": "没有"}], "errors", "json", 404)
    assert as_json.headers["Content-Type"].startswith("application/json") and as_json.status_code == 404
    assert json.loads(as_json.body) == [{"code": 404, "description": "没有"}]
    as_xml = answer([{"code": 404, "description": "没有"}], "errors", "xml", 404, {"Retry-After": "5"})
    assert as_xml.headers["Content-Type"].startswith("text/xml") and as_xml.headers["Retry-After"] == "5"


def test_a_long_list_stops_short_of_the_budget() -> None:
    entries: list[dict[str, Any]] = [{"description": "字" * 1000} for _ in range(10)]
    kept = within_budget(entries, budget=3 * len(json.dumps(entries[0], ensure_ascii=False).encode()))
    assert len(kept) == 3
    assert within_budget(entries) == entries


def test_a_form_is_read_as_utf8_with_the_last_value_of_a_field() -> None:
    body = "service_code=report&attribute%5Btype%5D=report&description=%E5%81%87%E8%8D%AF&x=1&x=2&empty="
    assert read_form(FakeRequest(body.encode())) == {
        "service_code": "report",
        "attribute[type]": "report",
        "description": "假药",
        "x": "2",
        "empty": "",
    }
    assert read_form(FakeRequest(None)) == {}


@pytest.mark.parametrize(
    ("body", "error"),
    [(b"a=\xff\xfe", ValidationFailed), (b"a=1&" * 200, ValidationFailed), (b"a=" + b"x" * 70_000, PayloadTooLarge)],
)
def test_a_bad_form_is_refused(body: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        read_form(FakeRequest(body))


@pytest.mark.parametrize(
    "bad", ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1f", "\x85", "\ud800", "\udfff", "\ufffe", "\uffff"]
)
def test_no_stored_text_can_make_the_xml_invalid(bad: str) -> None:
    text = to_xml("service_requests", [{"description": f"有人\t卖{bad}假药\n第二行&<b>", "status": bad}])
    root = ElementTree.fromstring(text.encode("utf-8"))
    assert root.findtext("request/description") == "有人\t卖\ufffd假药\n第二行&<b>"
    assert root.findtext("request/status") == "\ufffd"


def test_a_json_answer_always_encodes_as_utf8() -> None:
    response = answer([{"description": "卖\ud800假药\x01"}], "service_requests", "json")
    body = response.body.encode("utf-8") if isinstance(response.body, str) else response.body
    assert json.loads(body) == [{"description": "卖\ufffd假药\x01"}]
