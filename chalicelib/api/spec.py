"""The OpenAPI 3.1 description, generated from what each route's decorator recorded (operation.OPERATIONS):
request models of schemas.py, response models of responses.py.

Built on request from the routes the app really has (so stage-only routes appear where they exist);
`python -m chalicelib.api.spec > docs/openapi.json` writes the copy kept in the repository.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from chalicelib.api import open311_format, open311_responses, open311_schemas
from chalicelib.api import responses as out
from chalicelib.api import schemas as body
from chalicelib.api.http import MAX_BODY_BYTES
from chalicelib.api.operation import ADMIN, ANYONE, CAD, OPERATIONS, SIGNED_IN, Op
from chalicelib.api.params import Param
from chalicelib.domain.actors import PHONE_PATTERN
from chalicelib.domain.boards import BOARDS

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
_FORMATS = ("json", "xml")
_MEDIA = {"json": "application/json", "xml": "text/xml"}
# What a path parameter of Open311 takes: a board's definition, any request, a token (never found).
_OPEN311_FILES = {
    "service_file": {"type": "string", "enum": [f"{b.id}.{fmt}" for b in BOARDS for fmt in _FORMATS]},
    "request_file": {"type": "string", "pattern": "^[^/]+\\.(json|xml)$"},
    "token_file": {"type": "string", "pattern": "^[^/]+\\.(json|xml)$"},
}
_O311_DESCRIPTIONS = {
    400: "bad filter or field",
    403: "no live api_key",
    404: "no such service, request or token",
    413: f"request over {MAX_BODY_BYTES} bytes",
    415: "not the content type of the operation",
    429: "slow down (see Retry-After)",
    503: "storage busy, retry (see Retry-After)",
}

_DESCRIPTIONS = {
    400: "bad input",
    401: "no or bad credentials",
    403: "not allowed",
    404: "not found",
    409: "conflict or stale version",
    413: f"request over {MAX_BODY_BYTES} bytes",
    415: "not application/json",
    429: "slow down (see Retry-After)",
    503: "storage busy, retry (see Retry-After)",
}
SECURITY = {
    ANYONE: [{}, {"session": []}],  # a token is optional; a bad one is 401
    SIGNED_IN: [{"session": []}],
    ADMIN: [{"adminKey": []}, {"sigv4": []}],
    CAD: [{}],
}
_RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer", "minimum": 1}, "description": "seconds"}}


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _content(op: Op) -> dict[str, Any]:
    if op.media:
        return {"content": {op.media: {"schema": {"type": "string"}}}}
    return {"content": _json(_ref(op.response_model))} if op.response_model else {}


def _error_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {"description": _DESCRIPTIONS[status], "content": _json(_ref(out.Error))}
    if status in (429, 503):
        response["headers"] = _RETRY_AFTER
    return response


def _summary(view: Any) -> str:
    doc = (getattr(view, "__doc__", None) or "").strip()
    return doc.splitlines()[0] if doc else ""


def _path_params(path: str, op: Op) -> list[dict[str, Any]]:
    params = []
    for name in re.findall(r"{(\w+)}", path):
        schema: dict[str, Any] = {"type": "string", "minLength": 1}
        if name in op.ids:
            schema = {"type": "string", "pattern": ID_PATTERN}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return params


def _params(where: str, params: Iterable[Param]) -> list[dict[str, Any]]:
    return [
        {"name": p.name, "in": where, "required": p.required, "schema": p.schema, "description": p.description}
        for p in params
    ]


def _operation(method: str, path: str, op: Op, view: Any) -> dict[str, Any]:
    parameters = _path_params(path, op) + _params("query", op.query) + _params("header", op.headers)
    errors = {*op.errors, 415}  # any request whose Content-Type is not JSON
    if op.storage:
        errors.add(503)
    if op.who in (SIGNED_IN, ADMIN):
        errors.add(401)
    operation: dict[str, Any] = {
        "operationId": getattr(view, "__name__", f"{method.lower()}_{path}"),
        "summary": _summary(view),
        "tags": [op.tag],
        "security": SECURITY[op.who],
        "responses": {
            str(op.status): {"description": "OK", **_content(op)},
            **{str(status): {"$ref": f"#/components/responses/E{status}"} for status in sorted(errors)},
        },
    }
    if parameters:
        operation["parameters"] = parameters
    if op.request_model is not None:
        operation["requestBody"] = {"required": True, "content": _json(_ref(op.request_model))}
    return operation


def _open311_content(fmt: tuple[str, ...], schema: dict[str, Any]) -> dict[str, Any]:
    """The same data as JSON (this schema) or XML (the spec's element names), by the extension of the path."""
    content: dict[str, Any] = {}
    if "json" in fmt:
        content[_MEDIA["json"]] = {"schema": schema}
    if "xml" in fmt:
        content[_MEDIA["xml"]] = {"schema": {"type": "string"}}
    return content


def _open311(method: str, path: str, op: Op, view: Any) -> dict[str, Any]:
    """Describe a GeoReport v2 route: JSON or XML by extension, form-encoded POST, errors in the spec's shape."""
    last = path.rsplit("/", 1)[-1]
    fmt = (last.rsplit(".", 1)[1],) if "." in last and "{" not in last else _FORMATS
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": _OPEN311_FILES.get(name, {"type": "string"})}
        for name in re.findall(r"{(\w+)}", path)
    ]
    parameters += _params("query", op.query)
    errors = {*op.errors, 415} | ({503} if op.storage else set())
    error_schema = {"type": "array", "minItems": 1, "items": _ref(open311_responses.Open311Error)}
    responses: dict[str, Any] = {}
    if op.response_model is not None:
        schema = {"type": "array", "items": _ref(op.response_model)} if op.many else _ref(op.response_model)
        responses["200"] = {"description": "OK", "content": _open311_content(fmt, schema)}
    for status in sorted(errors):
        response: dict[str, Any] = {
            "description": _O311_DESCRIPTIONS[status],
            "content": _open311_content(fmt, error_schema),
        }
        if status in (429, 503):
            response["headers"] = _RETRY_AFTER
        responses[str(status)] = response
    operation: dict[str, Any] = {
        "operationId": getattr(view, "__name__", f"{method.lower()}_{path}"),
        "summary": _summary(view),
        "description": "GeoReport v2: JSON or XML by the extension; errors are `[{code, description}]` "
        "(`<errors><error>` in XML).",
        "tags": ["Open311"],
        "security": [{}],
        "responses": responses,
    }
    if parameters:
        operation["parameters"] = parameters
    if method == "POST":
        key = {"type": "object", "properties": {"api_key": {"type": "string"}}, "required": ["api_key"]}
        checked = {
            "type": "object",
            "properties": {
                "service_code": {"type": "string", "enum": [b.id for b in BOARDS]},
                "phone": {"type": "string", "pattern": PHONE_PATTERN},
                "attribute[district]": {"type": "string", "enum": list(body.districts())},
            },
        }
        form = {"allOf": [_ref(open311_schemas.ServiceRequestForm), key, checked]}
        operation["requestBody"] = {"required": True, "content": {open311_format.FORM: {"schema": form}}}
    return operation


def _components(models: list[type[BaseModel]]) -> dict[str, Any]:
    _, top = models_json_schema([(m, "validation") for m in models], ref_template="#/components/schemas/{model}")
    return dict(top.get("$defs", {}))


def _unique_operation_ids(paths: dict[str, dict[str, Any]]) -> None:
    """Tell apart one view serving several routes (`requests.json`, `requests.xml`) by extension or method."""
    seen: dict[str, int] = {}
    for operations in paths.values():
        for operation in operations.values():
            seen[operation["operationId"]] = seen.get(operation["operationId"], 0) + 1
    for path, operations in paths.items():
        for method, operation in operations.items():
            if seen[operation["operationId"]] > 1:
                last = path.rsplit("/", 1)[-1]
                operation["operationId"] += "_" + (last.rsplit(".", 1)[1] if "." in last else method)


def _models(op: Op) -> list[type[BaseModel]]:
    """Return the models an operation's description refers to."""
    found = [m for m in (op.response_model, op.request_model) if m is not None]
    if op.georeport:
        found.append(open311_responses.Open311Error)
        found += [open311_schemas.ServiceRequestForm] if op.method == "POST" else []
    return found


@functools.lru_cache(maxsize=4)
def _document(routes: tuple[tuple[str, str], ...], districts: tuple[str, ...]) -> str:
    """Return the description as compact JSON text (cached: built once per set of routes and of districts)."""
    paths: dict[str, dict[str, Any]] = {}
    used: list[type[BaseModel]] = [out.Error]
    for method, path in routes:
        op = OPERATIONS[(method, path)]  # a KeyError: a route declared without @operation
        describe = _open311 if op.georeport else _operation
        paths.setdefault(path, {})[method.lower()] = describe(method, path, op, op.view)
        used += _models(op)
    _unique_operation_ids(paths)
    document = {
        "openapi": "3.1.0",
        "info": {
            "title": "Police24 (24小时警局)",
            "version": "1",
            "description": "The HTTP contract of docs/API.md. JSON bodies only (415 otherwise); errors are "
            '`{"error": {"code", "message", "fields"?}}`; public output masks ID-card and mobile '
            "numbers and shows police-only posts as stubs.",
        },
        "servers": [{"url": "/api"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": _components(list(dict.fromkeys(used))),
            "responses": {f"E{status}": _error_response(status) for status in _DESCRIPTIONS},
            "securitySchemes": {
                "session": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "a session from /auth/session or /auth/link",
                },
                "adminKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "locally: `Authorization: Bearer <ADMIN_KEY>`",
                },
                "sigv4": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "in AWS: API Gateway IAM authorization (SigV4-signed requests)",
                },
            },
        },
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def document_text(routes: Mapping[str, Mapping[str, Any]]) -> str:
    """Return the description of these Chalice routes (`app.routes`) as compact JSON text."""
    flat = tuple((method, path) for path, methods in sorted(routes.items()) for method in sorted(methods))
    return _document(flat, body.districts())


def document(routes: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """Return the description of these Chalice routes, by default of every route declared on this stage."""
    if routes is None:
        routes = _declared()
    loaded: dict[str, Any] = json.loads(document_text(routes))
    return loaded


def _declared() -> dict[str, dict[str, Op]]:
    from chalicelib.api.blueprints import blueprints

    blueprints()  # importing the route modules declares their operations
    declared: dict[str, dict[str, Op]] = {}
    for (method, path), op in OPERATIONS.items():
        declared.setdefault(path, {})[method] = op
    return declared


def main() -> None:
    """Print the description of the declared routes, indented (redirect it to docs/openapi.json)."""
    sys.stdout.write(json.dumps(document(), ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    main()
