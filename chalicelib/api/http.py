"""The edge's plumbing: one error table, body parsing, responses and common headers."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from chalice.app import Request, Response

from chalicelib.domain import errors

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
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


def error_body(code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    """Return the error shape of API.md."""
    error: dict[str, Any] = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    return {"error": error}


def error_response(status: int, code: str, message: str, fields: dict[str, str] | None = None,
                   headers: dict[str, str] | None = None) -> Response:
    """Return an error response in the API's shape."""
    return ok(error_body(code, message, fields), status, headers)


def domain_error_response(error: errors.DomainError) -> Response:
    """Map a domain error to its status by type."""
    status = 413 if isinstance(error, PayloadTooLarge) else next(
        (code for kind, code in ERROR_STATUS if isinstance(error, kind)), 400
    )
    headers = {}
    if isinstance(error, (errors.TooManyRequests, errors.Unavailable)):
        headers["Retry-After"] = str(max(1, error.retry_after))
    return error_response(status, error.code, error.message, error.fields, headers)


def http_errors(view: Callable[..., Response]) -> Callable[..., Response]:
    """Turn domain and validation errors raised by a route into the documented responses."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return view(*args, **kwargs)
        except errors.DomainError as error:
            return domain_error_response(error)

    return wrapper


def validation_fields(error: ValidationError) -> dict[str, str]:
    """Return a field -> message map from a pydantic error."""
    fields: dict[str, str] = {}
    for item in error.errors(include_url=False, include_input=False):
        name = ".".join(str(part) for part in item["loc"]) or "body"
        fields.setdefault(name, item["msg"])
    return fields


def parse(request: Request, model: type[Model]) -> Model:
    """Parse a JSON body into a model, or raise the right 4xx."""
    body = request.raw_body or b""
    raw = body.encode() if isinstance(body, str) else body
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge("请求内容过大")
    try:
        data = json.loads(raw.decode("utf-8")) if raw else None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise errors.ValidationFailed("请求内容不是合法的 JSON", {"body": "invalid JSON"}) from error
    if not isinstance(data, dict):
        raise errors.ValidationFailed("请求内容必须是 JSON 对象", {"body": "expected a JSON object"})
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise errors.ValidationFailed("请求内容有误", validation_fields(error)) from error


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


def created(body: Any) -> Response:
    """Return a 201 JSON response."""
    return ok(body, 201)


def query(request: Request) -> dict[str, str]:
    """Return the query parameters of a request (last value wins)."""
    return dict(request.query_params or {})


def query_int(request: Request, name: str, default: int, low: int, high: int) -> int:
    """Read an integer query parameter, clamping it to [low, high]."""
    raw = query(request).get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as error:
        raise errors.ValidationFailed(f"参数 {name} 必须是整数", {name: "must be an integer"}) from error
    if value < low:
        raise errors.ValidationFailed(f"参数 {name} 至少为 {low}", {name: f"must be at least {low}"})
    return min(value, high)
