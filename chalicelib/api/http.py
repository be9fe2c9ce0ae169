"""The edge's plumbing: one error table, body parsing, responses and common headers."""

from __future__ import annotations

import json
import logging
import math
import re
from typing import TYPE_CHECKING, Any, TypeVar

from chalice.app import Request, Response

from chalicelib.domain import errors
from chalicelib.domain.text import unprintable

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
MAX_DEPTH = 32  # JSON nesting: arrays and objects inside one another
MAX_INT_DIGITS = 20  # longer integer literals are refused before Python converts them
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")
ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}

# Domain error type -> HTTP status, most specific first.
ERROR_STATUS: tuple[tuple[type[errors.DomainError], int], ...] = (
    (errors.ValidationFailed, 400),
    (errors.Unauthenticated, 401),
    (errors.Forbidden, 403),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.TooManyRequests, 429),
    (errors.Unavailable, 503),
)

Model = TypeVar("Model", bound="BaseModel")


class PayloadTooLarge(errors.DomainError):
    """The request body is over the size limit."""

    code = "payload_too_large"


def error_body(
    code: str, message: str, fields: dict[str, str] | None = None, post_id: str | None = None
) -> dict[str, Any]:
    """Return the error shape of API.md; `post_id` names the post a refusal points to (a duplicate's original)."""
    error: dict[str, Any] = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    if post_id:
        error["post_id"] = post_id
    return {"error": error}


def error_response(
    status: int,
    code: str,
    message: str,
    fields: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    post_id: str | None = None,
) -> Response:
    """Return an error response in the API's shape."""
    return ok(error_body(code, message, fields, post_id), status, headers)


def error_status(error: errors.DomainError) -> tuple[int, dict[str, str]]:
    """Return a domain error's HTTP status (by type) and its headers (Retry-After when the caller should wait)."""
    status = (
        413
        if isinstance(error, PayloadTooLarge)
        else next((code for kind, code in ERROR_STATUS if isinstance(error, kind)), 400)
    )
    headers = {}
    if isinstance(error, (errors.TooManyRequests, errors.Unavailable)):
        headers["Retry-After"] = str(max(1, error.retry_after))
    return status, headers


def domain_error_response(error: errors.DomainError) -> Response:
    """Map a domain error to its response in the API's shape."""
    status, headers = error_status(error)
    post_id = error.post_id if isinstance(error, errors.DuplicatePost) else None
    return error_response(status, error.code, error.message, error.fields, headers, post_id)


def validation_fields(error: ValidationError) -> dict[str, str]:
    """Return a field -> message map from a pydantic error."""
    fields: dict[str, str] = {}
    for item in error.errors(include_url=False, include_input=False):
        name = ".".join(str(part) for part in item["loc"]) or "body"
        fields.setdefault(name, item["msg"])
    return fields


class _Refused:
    """A JSON literal the API never takes, left where it stood so that the error can name its field."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _int(literal: str) -> int | _Refused:
    if len(literal.lstrip("-")) > MAX_INT_DIGITS:
        return _Refused(f"number has more than {MAX_INT_DIGITS} digits")
    return int(literal)


def _float(literal: str) -> float | _Refused:
    value = float(literal)
    return value if math.isfinite(value) else _Refused("number out of range")


def _constant(literal: str) -> _Refused:
    return _Refused(f"{literal} is not a JSON number")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        data[key] = _Refused("duplicate key") if key in data else value
    return data


def _depth(text: str) -> int:
    """Return how deep arrays and objects nest in a JSON text (counted without recursion, strings skipped)."""
    depth = deepest = 0
    for bracket in _NOT_BRACKET.sub("", _JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _refusals(value: Any, path: str, found: dict[str, str]) -> None:
    """Collect field -> reason for every string with a control character and every refused literal."""
    if isinstance(value, str):
        if reason := unprintable(value):
            found.setdefault(path or "body", reason)
    elif isinstance(value, _Refused):
        found.setdefault(path or "body", value.reason)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refusals(item, f"{path}.{index}" if path else str(index), found)
    elif isinstance(value, dict):
        for key, item in value.items():
            if reason := unprintable(key):  # never echo such a key
                found.setdefault(path or "body", f"a key {reason}")
            else:
                _refusals(item, f"{path}.{key}" if path else key, found)


def load_json(raw: bytes) -> Any:
    """Decode a JSON body safely: UTF-8, at most MAX_DEPTH deep, finite numbers of sane size, unique keys,
    and no string (value or key) with a control character other than newline and tab; else 400."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise errors.ValidationFailed("请求内容不是合法的 JSON", {"body": "invalid UTF-8"}) from error
    if _depth(text) > MAX_DEPTH:
        raise errors.ValidationFailed("请求内容嵌套过深", {"body": f"nested deeper than {MAX_DEPTH} levels"})
    try:
        data = json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant, object_pairs_hook=_object)
    except (json.JSONDecodeError, RecursionError) as error:
        raise errors.ValidationFailed("请求内容不是合法的 JSON", {"body": "invalid JSON"}) from error
    found: dict[str, str] = {}
    _refusals(data, "", found)
    if found:
        raise errors.ValidationFailed("请求内容含有不允许的字符或数值", found)
    return data


def parse(request: Request, model: type[Model]) -> Model:
    """Parse a JSON body into a model, or raise the right 4xx."""
    body = request.raw_body or b""
    raw = body.encode() if isinstance(body, str) else body
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge("请求内容过大")
    data = load_json(raw) if raw else None
    if not isinstance(data, dict):
        raise errors.ValidationFailed("请求内容必须是 JSON 对象", {"body": "expected a JSON object"})
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise errors.ValidationFailed("请求内容有误", validation_fields(error)) from error


def valid_idempotency_key(key: str | None) -> str | None:
    """Return an `Idempotency-Key` (1-64 of [A-Za-z0-9_-]), None without one, or refuse it (400)."""
    if key is None:
        return None
    if not IDEMPOTENCY_KEY.fullmatch(key):
        raise errors.ValidationFailed(
            "Idempotency-Key 须为1至64位字母、数字、- 或 _",
            {"Idempotency-Key": "expected 1-64 characters of A-Z a-z 0-9 _ -"},
        )
    return str(key)


def check_id(value: str, name: str) -> str:
    """Refuse a path id that is not 1-64 of [A-Za-z0-9_-] starting with a letter or digit (400)."""
    if not ID.match(value):
        raise errors.ValidationFailed("编号只能包含字母、数字、- 和 _", {name: "invalid id"})
    return value


def require_no_body(request: Request) -> None:
    """Refuse a body on a DELETE."""
    if request.raw_body:
        raise errors.ValidationFailed("DELETE 请求不接受请求体", {"body": "must be empty"})


def ok(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Return a JSON response."""
    return Response(
        body=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status_code=status,
        headers={**JSON_HEADERS, **(headers or {})},
    )


def query(request: Request) -> dict[str, str]:
    """Return the query parameters of a request (last value wins)."""
    return dict(request.query_params or {})


def int_param(name: str, raw: str | None, default: int, low: int, high: int) -> int:
    """Read an integer parameter, clamping it to [low, high]."""
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as error:
        raise errors.ValidationFailed(f"参数 {name} 必须是整数", {name: "must be an integer"}) from error
    if value < low:
        raise errors.ValidationFailed(f"参数 {name} 至少为 {low}", {name: f"must be at least {low}"})
    return min(value, high)
