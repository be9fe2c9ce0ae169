"""The OpenAPI 3.1 description of this API, built on first request (pydantic stays out of `import app`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice.app import Blueprint, Response

from chalicelib.api.http import JSON_HEADERS
from chalicelib.api.lazy import lazy_module
from chalicelib.api.operation import ANYONE, Call, operation

if TYPE_CHECKING:
    from chalicelib.api import spec
else:
    spec = lazy_module("chalicelib.api.spec")

bp = Blueprint(__name__)


@operation(bp, "GET", "/openapi.json", who=ANYONE, response="OpenApi", tag="meta", storage=False)
def openapi(call: Call) -> Response:
    """Return the OpenAPI 3.1 description of every route (anyone)."""
    headers: dict[str, str | list[str]] = {**JSON_HEADERS}
    return Response(body=spec.document_text(bp.current_app.routes), status_code=200, headers=headers)
