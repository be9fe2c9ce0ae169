"""The OpenAPI 3.1 description: the route table below, request models of schemas.py, responses.py.

Built on request from the routes the app really has (so stage-only routes appear where they exist);
`python -m chalicelib.api.spec > docs/openapi.json` writes the copy kept in the repository.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from chalicelib.api import open311_format, open311_schemas
from chalicelib.api import responses as out
from chalicelib.api import schemas as body
from chalicelib.api.http import MAX_BODY_BYTES
from chalicelib.domain.actors import PHONE_PATTERN
from chalicelib.domain.boards import BOARDS

ANYONE, SIGNED_IN, ADMIN, CAD = "anyone", "signed_in", "admin", "cad"
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"


@dataclass(frozen=True)
class Param:
    """A query or header parameter."""

    name: str
    schema: dict[str, Any]
    description: str = ""
    required: bool = False


@dataclass(frozen=True)
class Op:
    """What the description says about one route: who, what goes in, what comes out, which errors."""

    who: str
    response: type[BaseModel] | None  # None: no body (204)
    status: int = 200
    request: type[BaseModel] | None = None
    errors: tuple[int, ...] = ()
    query: tuple[Param, ...] = ()
    headers: tuple[Param, ...] = ()
    tag: str = "forum"
    media: str | None = None  # a body other than JSON (a string of this type), e.g. text/csv


def _limit(default: int, high: int) -> Param:
    return Param(
        "limit", {"type": "integer", "minimum": 1, "default": default}, f"page size; above {high} is treated as {high}"
    )


CURSOR = Param("cursor", {"type": "string"}, "opaque, from `next_cursor`; an unknown or tampered one is 400")
IDEMPOTENCY = Param(
    "Idempotency-Key",
    {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"},
    "1-64 of [A-Za-z0-9_-] (else 400); per account, kept 24 h: a replay returns the first result; "
    "another body with it is 409",
)
BOARD = Param("board", {"type": "string", "enum": [b.id for b in BOARDS]}, "one board; none = all boards")
UNIT = Param(
    "unit",
    {"type": "string"},
    "a unit id; none = the platform (CSV: the platform and every unit); an unknown one is 404",
)
BODY_ERRORS = (400, 413, 415)
POST_ERRORS = (*BODY_ERRORS, 401, 403, 404)

# (method, path) -> what the description says; every route of the app must be here (tests/functional/test_openapi.py).
ROUTES: dict[tuple[str, str], Op] = {
    ("POST", "/auth/otp"): Op(ANYONE, out.CodeSent, 202, body.OtpIn, (*BODY_ERRORS, 429), tag="identity"),
    ("POST", "/auth/session"): Op(ANYONE, out.Session, 200, body.SessionIn, (*BODY_ERRORS, 401), tag="identity"),
    ("POST", "/auth/link"): Op(ANYONE, out.LinkSession, 200, body.LinkIn, (*BODY_ERRORS, 401), tag="identity"),
    ("GET", "/me"): Op(SIGNED_IN, out.User, errors=(401, 404), tag="identity"),
    ("PATCH", "/me"): Op(SIGNED_IN, out.User, 200, body.ProfileIn, (*BODY_ERRORS, 401, 403), tag="identity"),
    ("GET", "/me/posts"): Op(SIGNED_IN, out.MyPosts, errors=(400, 401), query=(CURSOR, _limit(20, 50)), tag="identity"),
    ("GET", "/boards"): Op(ANYONE, out.Boards),
    ("GET", "/districts"): Op(ANYONE, out.Districts),
    ("GET", "/units"): Op(ANYONE, out.Units),
    ("GET", "/emergency-rule"): Op(ANYONE, out.EmergencyRule),
    ("GET", "/templates"): Op(ANYONE, out.Templates),
    ("GET", "/stats"): Op(ANYONE, out.Stats, tag="figures"),
    ("GET", "/stats/daily"): Op(ANYONE, out.DailyStats, errors=(404,), query=(UNIT,), tag="figures"),
    ("GET", "/stats/daily.csv"): Op(
        ANYONE, None, errors=(404,), query=(UNIT,), tag="figures", media="text/csv; charset=utf-8"
    ),
    ("GET", "/openapi.json"): Op(ANYONE, out.OpenApi, tag="meta"),
    ("GET", "/posts"): Op(ANYONE, out.Feed, errors=(400, 401), query=(BOARD, CURSOR, _limit(20, 50))),
    ("POST", "/posts"): Op(
        SIGNED_IN, out.NewPost, 201, body.PostIn, (*BODY_ERRORS, 401, 403, 409, 429), headers=(IDEMPOTENCY,)
    ),
    ("GET", "/posts/{post_id}"): Op(ANYONE, out.PostDetail, errors=(401, 404)),
    ("POST", "/posts/{post_id}/replies"): Op(
        SIGNED_IN, out.Reply, 201, body.ReplyIn, (*POST_ERRORS, 409, 429), headers=(IDEMPOTENCY,)
    ),
    ("POST", "/posts/{post_id}/status"): Op(
        SIGNED_IN, out.Post, 200, body.StatusIn, (*POST_ERRORS, 409), tag="lifecycle"
    ),
    ("POST", "/posts/{post_id}/route"): Op(
        SIGNED_IN, out.Post, 200, body.RouteIn, (*POST_ERRORS, 409), tag="lifecycle"
    ),
    ("POST", "/posts/{post_id}/feedback"): Op(
        SIGNED_IN, out.Post, 200, body.FeedbackIn, (*POST_ERRORS, 409), tag="lifecycle"
    ),
    ("POST", "/posts/{post_id}/flags"): Op(
        SIGNED_IN, out.Flagged, 202, body.FlagIn, (*POST_ERRORS, 429), tag="moderation"
    ),
    ("POST", "/posts/{post_id}/incident"): Op(
        SIGNED_IN, out.IncidentQueued, 202, errors=(401, 403, 404, 409), tag="110"
    ),
    ("POST", "/cad/events"): Op(
        CAD,
        out.CadApplied,
        200,
        body.CadEventBody,
        (*BODY_ERRORS, 401, 404, 409),
        headers=(
            Param("X-Timestamp", {"type": "string", "pattern": "^[0-9]+$"}, "Unix seconds, within ±300 s", True),
            Param("X-Signature", {"type": "string"}, 'sha256=<hex HMAC-SHA256 of "<X-Timestamp>.<raw body>">', True),
        ),
        tag="110",
    ),
    ("PUT", "/admin/posts/{post_id}/pin"): Op(ADMIN, out.Post, 200, body.PinIn, (*POST_ERRORS, 409), tag="admin"),
    ("DELETE", "/admin/posts/{post_id}/pin"): Op(ADMIN, out.Post, errors=(400, 401, 403, 404, 409), tag="admin"),
    ("PUT", "/admin/posts/{post_id}/hidden"): Op(ADMIN, out.Post, 200, body.HideIn, (*POST_ERRORS, 409), tag="admin"),
    ("DELETE", "/admin/posts/{post_id}/hidden"): Op(ADMIN, out.Post, errors=(400, 401, 403, 404, 409), tag="admin"),
    ("GET", "/admin/audit"): Op(
        ADMIN,
        out.AuditPage,
        errors=(400, 401, 403),
        query=(
            Param(
                "month",
                {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
                "YYYY-MM (+08:00); the current month by default",
            ),
            CURSOR,
            _limit(50, 200),
        ),
        tag="admin",
    ),
    ("PUT", "/admin/units/{unit_id}"): Op(ADMIN, out.Unit, 200, body.UnitIn, (*BODY_ERRORS, 401, 403), tag="admin"),
    ("PUT", "/admin/officers/{officer_id}"): Op(
        ADMIN, out.Officer, 200, body.OfficerIn, (*BODY_ERRORS, 401, 403), tag="admin"
    ),
    ("PUT", "/admin/templates"): Op(ADMIN, out.Templates, 200, body.TemplatesIn, (*BODY_ERRORS, 401, 403), tag="admin"),
    ("POST", "/admin/api-keys"): Op(
        ADMIN, out.IssuedApiKey, 201, open311_schemas.ApiKeyIn, (*BODY_ERRORS, 401, 403), tag="Open311"
    ),
    ("GET", "/admin/api-keys"): Op(ADMIN, out.ApiKeys, errors=(401, 403), tag="Open311"),
    ("DELETE", "/admin/api-keys/{key_id}"): Op(ADMIN, out.ApiKey, errors=(400, 401, 403, 404), tag="Open311"),
    ("DELETE", "/admin/officers/{officer_id}"): Op(ADMIN, None, 204, errors=(400, 401, 403, 404), tag="admin"),
    ("GET", "/admin/routing"): Op(ADMIN, out.Routing, errors=(401, 403), tag="admin"),
    ("PUT", "/admin/routing"): Op(ADMIN, out.Routing, 200, body.RoutingIn, (*BODY_ERRORS, 401, 403), tag="admin"),
    ("GET", "/dev/outbox"): Op(
        ANYONE,
        out.Outbox,
        errors=(400, 404),
        query=(Param("to", {"type": "string"}, "a phone (with or without +86) or an address"), _limit(100, 1000)),
        tag="local only",
    ),
}


@dataclass(frozen=True)
class Open311Op:
    """What the description says about one Open311 route: GeoReport v2 shapes, errors as `[{code, description}]`."""

    response: type[BaseModel] | None
    many: bool = True  # the answer is a list of `response`
    errors: tuple[int, ...] = ()
    query: tuple[Param, ...] = ()
    storage: bool = True


V2 = "/open311/v2"
_FORMATS = ("json", "xml")
_MEDIA = {"json": "application/json", "xml": "text/xml"}
_ID_LIST = {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}(,[A-Za-z0-9_-]{1,64}){0,99}$"}
_IDS = Param("service_request_id", _ID_LIST, "comma-delimited, at most 100; with ids the other filters are ignored")
_UPDATE_IDS = Param("service_request_id", _ID_LIST, "comma-delimited, at most 100; of any time unless dated")
_SERVICE_CODES = Param(
    "service_code",
    {"type": "string", "pattern": f"^({'|'.join(b.id for b in BOARDS)})(,({'|'.join(b.id for b in BOARDS)}))*$"},
    "comma-delimited board ids; an unknown one is 404",
)
_DATES = tuple(
    Param(
        name,
        {"type": "string", "format": "date-time"},
        "W3C date-time (+08:00 without an offset); start to end at most 90 days, by default the last 90",
    )
    for name in ("start_date", "end_date")
)
_STATUS = Param("status", {"type": "string", "pattern": "^(open|closed)(,(open|closed))?$"}, "open, closed or both")
OPEN311: dict[tuple[str, str], Open311Op] = {
    **{
        ("GET", f"{V2}/discovery.{fmt}"): Open311Op(out.Open311Discovery, many=False, storage=False) for fmt in _FORMATS
    },
    **{("GET", f"{V2}/services.{fmt}"): Open311Op(out.Open311Service, storage=False) for fmt in _FORMATS},
    ("GET", f"{V2}/services/{{service_file}}"): Open311Op(
        out.Open311ServiceDefinition, many=False, errors=(404,), storage=False
    ),
    **{
        ("GET", f"{V2}/requests.{fmt}"): Open311Op(
            out.Open311Request, errors=(400, 404), query=(_IDS, _SERVICE_CODES, *_DATES, _STATUS)
        )
        for fmt in _FORMATS
    },
    ("GET", f"{V2}/requests/{{request_file}}"): Open311Op(out.Open311Request, errors=(404,)),
    ("GET", f"{V2}/tokens/{{token_file}}"): Open311Op(None, errors=(404,), storage=False),
    **{
        ("GET", f"{V2}/servicerequestupdates.{fmt}"): Open311Op(
            out.Open311Update, errors=(400,), query=(_UPDATE_IDS, *_DATES)
        )
        for fmt in _FORMATS
    },
    # The partner key goes in the form only: a URL is kept in the CloudFront logs (one there is 400).
    **{
        ("POST", f"{V2}/requests.{fmt}"): Open311Op(out.Open311Submitted, errors=(400, 403, 413, 429))
        for fmt in _FORMATS
    },
    # Any other name under v2/ (services.csv, a misspelt resource): 404 in the spec's shape, never the gateway's 403.
    **{(method, f"{V2}/{{file_name}}"): Open311Op(None, errors=(404,), storage=False) for method in ("GET", "POST")},
}
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

_NO_STORAGE = frozenset(
    {
        ("GET", "/boards"),
        ("GET", "/templates"),
        ("GET", "/openapi.json"),
        ("GET", "/districts"),
        ("GET", "/emergency-rule"),
    }
)
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
    return {"content": _json(_ref(op.response))} if op.response else {}


def _error_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {"description": _DESCRIPTIONS[status], "content": _json(_ref(out.Error))}
    if status in (429, 503):
        response["headers"] = _RETRY_AFTER
    return response


def _summary(view: Any) -> str:
    doc = (getattr(view, "__doc__", None) or "").strip()
    return doc.splitlines()[0] if doc else ""


def _path_params(path: str, op: Op | None) -> list[dict[str, Any]]:
    params = []
    for name in re.findall(r"{(\w+)}", path):
        schema: dict[str, Any] = {"type": "string", "minLength": 1}
        if op is not None and op.tag == "admin" and name in ("unit_id", "officer_id"):
            schema = {"type": "string", "pattern": ID_PATTERN}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return params


def _operation(method: str, path: str, op: Op, view: Any) -> dict[str, Any]:
    parameters = _path_params(path, op)
    parameters += [
        {"name": p.name, "in": "query", "required": p.required, "schema": p.schema, "description": p.description}
        for p in op.query
    ]
    parameters += [
        {"name": p.name, "in": "header", "required": p.required, "schema": p.schema, "description": p.description}
        for p in op.headers
    ]
    errors = {*op.errors, 415}  # any request whose Content-Type is not JSON
    if (method, path) not in _NO_STORAGE:
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
    if op.request is not None:
        operation["requestBody"] = {"required": True, "content": _json(_ref(op.request))}
    return operation


def _open311_content(fmt: tuple[str, ...], schema: dict[str, Any]) -> dict[str, Any]:
    """The same data as JSON (this schema) or XML (the spec's element names), by the extension of the path."""
    content: dict[str, Any] = {}
    if "json" in fmt:
        content[_MEDIA["json"]] = {"schema": schema}
    if "xml" in fmt:
        content[_MEDIA["xml"]] = {"schema": {"type": "string"}}
    return content


def _open311(method: str, path: str, op: Open311Op, view: Any) -> dict[str, Any]:
    """Describe a GeoReport v2 route: JSON or XML by extension, form-encoded POST, errors in the spec's shape."""
    last = path.rsplit("/", 1)[-1]
    fmt = (last.rsplit(".", 1)[1],) if "." in last and "{" not in last else _FORMATS
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": _OPEN311_FILES.get(name, {"type": "string"})}
        for name in re.findall(r"{(\w+)}", path)
    ]
    parameters += [
        {"name": p.name, "in": "query", "required": p.required, "schema": p.schema, "description": p.description}
        for p in op.query
    ]
    errors = {*op.errors, 415} | ({503} if op.storage else set())
    error_schema = {"type": "array", "minItems": 1, "items": _ref(out.Open311Error)}
    responses: dict[str, Any] = {}
    if op.response is not None:
        schema = {"type": "array", "items": _ref(op.response)} if op.many else _ref(op.response)
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


def _foreign(method: str, path: str, view: Any) -> dict[str, Any]:
    """A route the table does not know: Open311 follows its own spec (open311/); anything else is flagged."""
    operation: dict[str, Any] = {
        "operationId": getattr(view, "__name__", f"{method.lower()}_{path}"),
        "summary": _summary(view),
        "parameters": _path_params(path, None),
        "responses": {"default": {"description": "see the summary"}},
    }
    if path.startswith("/open311/"):
        operation["tags"] = ["Open311"]
        operation["description"] = "GeoReport v2 (form-encoded, JSON or XML); errors are `[{code, description}]`."
        operation["responses"] = {"default": {"description": "GeoReport v2 response or error list"}}
        if method == "POST":
            key = {"type": "object", "properties": {"api_key": {"type": "string"}}, "required": ["api_key"]}
            form = {"allOf": [_ref(open311_schemas.ServiceRequestForm), key]}
            operation["requestBody"] = {
                "required": True,
                "content": {"application/x-www-form-urlencoded": {"schema": form}},
            }
    else:
        operation["x-undocumented"] = True
    if not operation["parameters"]:
        del operation["parameters"]
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


@functools.lru_cache(maxsize=4)
def _document(routes: tuple[tuple[str, str, Any], ...], districts: tuple[str, ...]) -> str:
    """Return the description as compact JSON text (cached: built once per set of routes and of districts)."""
    paths: dict[str, dict[str, Any]] = {}
    used: list[type[BaseModel]] = [out.Error]
    for method, path, view in routes:
        op = ROUTES.get((method, path))
        if (method, path) in OPEN311:
            o311 = OPEN311[(method, path)]
            paths.setdefault(path, {})[method.lower()] = _open311(method, path, o311, view)
            used += [out.Open311Error, *([o311.response] if o311.response else [])]
            used += [open311_schemas.ServiceRequestForm] if method == "POST" else []
            continue
        if op is None:
            paths.setdefault(path, {})[method.lower()] = _foreign(method, path, view)
            used += [open311_schemas.ServiceRequestForm] if path.startswith("/open311/") and method == "POST" else []
            continue
        paths.setdefault(path, {})[method.lower()] = _operation(method, path, op, view)
        used += ([op.response] if op.response else []) + ([op.request] if op.request else [])
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
    flat = tuple(
        (method, path, entry.view_function)
        for path, methods in sorted(routes.items())
        for method, entry in sorted(methods.items())
    )
    return _document(flat, body.districts())


def document(routes: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Return the description of these Chalice routes (`app.routes`)."""
    loaded: dict[str, Any] = json.loads(document_text(routes))
    return loaded


def main() -> None:
    """Print the description of the app's routes, indented (redirect it to docs/openapi.json)."""
    from app import app

    sys.stdout.write(json.dumps(document(app.routes), ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    main()
