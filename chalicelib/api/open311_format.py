"""Open311 answers as JSON or XML, chosen by the extension; errors in the spec's shape, not ours."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from chalice.app import Blueprint, Request, Response

from chalicelib.api.http import MAX_BODY_BYTES, PayloadTooLarge, error_status
from chalicelib.domain import errors

FORMATS = ("json", "xml")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
FORM = "application/x-www-form-urlencoded"
# The element of each entry of a list, by the element of the list (the spec's XML names).
ENTRY = {
    "services": "service",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}
# What XML 1.0 cannot carry (controls but tab, LF and CR; surrogates; U+FFFE, U+FFFF) and the C1 controls it
# discourages: each becomes U+FFFD, so that no stored text can make a document invalid.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
SURROGATES = re.compile("[\ud800-\udfff]")  # no UTF-8 text carries one: JSON gets U+FFFD in their place
# A Lambda answer may carry 6 MB; long lists stop short of that, XML being wordier than JSON.
BUDGET = 4_000_000
_CHALICE_MESSAGES = {
    415: f"请求内容类型必须是 {FORM}",
    405: "不支持该请求方法",
    404: "没有这个资源",
    400: "请求有误",
    500: "服务器内部错误，请稍后重试",
}


def split_name(name: str) -> tuple[str, str]:
    """Split `report.json` into ('report', 'json'); a name without a known format is not found."""
    stem, dot, fmt = name.rpartition(".")
    if not dot or not stem or fmt not in FORMATS:
        raise errors.NotFound(
            f"不支持的格式：{fmt}（请以 .json 或 .xml 结尾）" if dot and stem else "请以 .json 或 .xml 结尾指定格式"
        )
    return stem, fmt


def format_of(request: Request | None) -> str:
    """Return the format a request named by its extension: xml or (by default) json."""
    if request is None:
        return "json"
    names = [request.path, *(request.uri_params or {}).values()]
    return "xml" if any(str(name).endswith(".xml") for name in names) else "json"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return NOT_XML.sub("\ufffd", str(value))


def to_xml(root: str, data: Any) -> str:
    """Write data as the spec's XML: lists as repeated entry elements, null as an empty element."""
    from xml.etree import ElementTree

    def fill(element: ElementTree.Element, value: Any) -> None:
        if isinstance(value, list):
            for entry in value:
                fill(ElementTree.SubElement(element, ENTRY[element.tag]), entry)
        elif isinstance(value, dict):
            for name, item in value.items():
                fill(ElementTree.SubElement(element, name), item)
        else:
            element.text = _text(value)

    top = ElementTree.Element(root)
    fill(top, data)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(top, encoding="unicode")


def answer(data: Any, root: str, fmt: str, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Return data in the format asked for; `root` names the XML document element."""
    if fmt == "xml":
        body = to_xml(root, data)
    else:
        body = SURROGATES.sub("\ufffd", json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    return Response(body=body, status_code=status, headers={"Content-Type": CONTENT_TYPES[fmt], **(headers or {})})


def within_budget(entries: list[dict[str, Any]], budget: int = BUDGET) -> list[dict[str, Any]]:
    """Keep the leading entries whose JSON fits the budget (only very long lists of very long texts are cut)."""
    size = 0
    for index, entry in enumerate(entries):
        size += len(json.dumps(entry, ensure_ascii=False).encode("utf-8", "replace"))
        if size > budget:
            return entries[:index]
    return entries


def error_answer(status: int, description: str, fmt: str, headers: dict[str, str] | None = None) -> Response:
    """Return an error as the spec shapes it: [{"code", "description"}] or <errors><error>."""
    return answer([{"code": status, "description": description}], "errors", fmt, status, headers)


def describe(error: errors.DomainError) -> str:
    """Say what went wrong, naming the fields."""
    if not error.fields:
        return error.message
    return error.message + "(" + "; ".join(f"{name}: {why}" for name, why in error.fields.items()) + ")"


def spec_errors(bp: Blueprint) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Return a decorator that answers a route's domain errors in the spec's shape and format."""

    def decorate(view: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Response:
            try:
                return view(*args, **kwargs)
            except errors.DomainError as error:
                status, headers = error_status(error)
                return error_answer(status, describe(error), format_of(bp.current_request), headers)

        return wrapper

    return decorate


def chalice_error(status: int, request: Request) -> Response:
    """Answer one of Chalice's own errors (415, 405 …) on an Open311 path in the spec's shape."""
    return error_answer(status, _CHALICE_MESSAGES.get(status, "请求有误"), format_of(request))


def read_form(request: Request) -> dict[str, str]:
    """Read a form-encoded body (UTF-8); a repeated field keeps its last value."""
    raw = request.raw_body or b""
    body = raw.encode() if isinstance(raw, str) else raw
    if len(body) > MAX_BODY_BYTES:
        raise PayloadTooLarge("请求内容过大")
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=100)
    except (UnicodeDecodeError, ValueError) as error:
        raise errors.ValidationFailed("请求内容不是合法的 UTF-8 表单", {"body": "invalid form"}) from error
    return {name: values[-1] for name, values in fields.items()}
