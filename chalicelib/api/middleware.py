"""One HTTP middleware: common headers, and Chalice's own errors in the API's shape."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

from chalice.app import Request, Response

from chalicelib.api.http import JSON_HEADERS, error_body
from chalicelib.api.open311_format import chalice_error

_CHALICE_ERRORS = {
    415: ("unsupported_media_type", "请求内容类型必须是 application/json"),
    405: ("method_not_allowed", "不支持该请求方法"),
    404: ("not_found", "not found"),
    400: ("bad_request", "请求有误"),
    500: ("internal_error", "服务器内部错误,请稍后重试"),
}


def _is_chalice_error(response: Response) -> bool:
    body = response.body
    if isinstance(body, (bytes, str)):
        try:
            body = json.loads(body)
        except (ValueError, TypeError):
            return False
    return isinstance(body, dict) and "Code" in body and "error" not in body


def common_headers(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """Add nosniff and no-store headers and normalize framework errors."""
    response = get_response(request)
    if response.status_code in _CHALICE_ERRORS and _is_chalice_error(response):
        code, message = _CHALICE_ERRORS[response.status_code]
        response = Response(body=error_body(code, message), status_code=response.status_code,
                            headers={**response.headers, **JSON_HEADERS})
        if request.path.startswith("/open311/"):  # Open311 clients read errors in the spec's shape
            response = chalice_error(response.status_code, request)
    headers: dict[str, Any] = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    origin = request.headers.get("origin")
    if origin and origin.rstrip("/") == os.environ.get("SITE_URL", "").rstrip("/"):
        headers["Access-Control-Allow-Origin"] = origin  # the site's own origin only, never "*"
        headers["Vary"] = "Origin"
    if request.headers.get("authorization") or request.method != "GET":
        headers["Cache-Control"] = "no-store"
    return response
