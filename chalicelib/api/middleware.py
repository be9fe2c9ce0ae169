"""One HTTP middleware: the CloudFront origin check, common headers, and Chalice's own errors in the API's shape."""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from typing import Any

from chalice.app import Request, Response

from chalicelib.api.http import JSON_HEADERS, error_body
from chalicelib.api.open311_format import chalice_error
from chalicelib.config import Settings

ORIGIN_HEADER = "x-origin-verify"
VIEWER_ADDRESS = "cloudfront-viewer-address"  # "<ip>:<port>", set by CloudFront (origin request policy)

_CHALICE_ERRORS = {
    415: ("unsupported_media_type", "请求内容类型必须是 application/json"),
    405: ("method_not_allowed", "不支持该请求方法"),
    404: ("not_found", "not found"),
    400: ("bad_request", "请求有误"),
    500: ("internal_error", "服务器内部错误，请稍后重试"),
}


def _is_chalice_error(response: Response) -> bool:
    body = response.body
    if isinstance(body, (bytes, str)):
        try:
            body = json.loads(body)
        except (ValueError, TypeError):
            return False
    return isinstance(body, dict) and "Code" in body and "error" not in body


def came_through_cloudfront(request: Request, settings: Settings) -> bool:
    """Tell whether a request may reach the app: through CloudFront (its origin header), or IAM-signed admin.

    The local stack has no CloudFront. Admin routes are called on the API stage itself with a SigV4
    signature that API Gateway has already checked (the caller's ARN is in the request context).
    """
    if settings.is_local:
        return True
    identity = (request.context or {}).get("identity") or {}
    if request.path.startswith("/admin/") and identity.get("userArn"):
        return True
    sent = (request.headers.get(ORIGIN_HEADER) or "").encode()
    matches = [hmac.compare_digest(sent, secret.encode()) for secret in settings.origin_secrets]
    return bool(sent) and any(matches)


def client_address(request: Request, settings: Settings) -> str | None:
    """Return the caller's address, never from a header the caller writes (such as X-Forwarded-For).

    Where the API answers only CloudFront (an origin secret is set), API Gateway's sourceIp is a CloudFront
    edge shared by many residents, and CloudFront's own CloudFront-Viewer-Address names the reader; a caller
    cannot reach the app without passing CloudFront, so cannot write it. Elsewhere, API Gateway's sourceIp.
    """
    if settings.origin_secrets and not settings.is_local:
        viewer = (request.headers.get(VIEWER_ADDRESS) or "").strip()
        if viewer:
            return viewer.rsplit(":", 1)[0].strip("[]") if ":" in viewer else viewer
    identity = (request.context or {}).get("identity") or {}
    address = identity.get("sourceIp") if isinstance(identity, dict) else None
    return address if isinstance(address, str) and address else None


def common_headers(request: Request, get_response: Callable[[Request], Response]) -> Response:
    """Refuse requests that bypassed CloudFront, add nosniff and no-store headers, normalize framework errors."""
    if came_through_cloudfront(request, Settings.from_env()):
        response = get_response(request)
    else:
        response = Response(
            body=error_body("forbidden", "请通过本站地址访问"), status_code=403, headers=dict(JSON_HEADERS)
        )
    if response.status_code in _CHALICE_ERRORS and _is_chalice_error(response):
        code, message = _CHALICE_ERRORS[response.status_code]
        response = Response(
            body=error_body(code, message),
            status_code=response.status_code,
            headers={**response.headers, **JSON_HEADERS},
        )
        if request.path.startswith("/open311/"):  # Open311 clients read errors in the spec's shape
            response = chalice_error(response.status_code, request)
    headers: dict[str, Any] = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    if request.headers.get("authorization") or request.method != "GET":
        headers["Cache-Control"] = "no-store"
    return response
