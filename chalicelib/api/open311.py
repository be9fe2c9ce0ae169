"""Open311 GeoReport v2 routes (JSON and XML by extension) and the admin routes of partner API keys."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from chalicelib.api.http import query
from chalicelib.api.lazy import lazy_module
from chalicelib.api.open311_format import FORM, answer, format_of, read_form, split_name, within_budget
from chalicelib.api.open311_params import DATES, IDS, SERVICE_CODES, STATUS, UPDATE_IDS, georeport
from chalicelib.api.operation import ADMIN, Call, operation
from chalicelib.api.params import BODY_ERRORS
from chalicelib.api.render import build
from chalicelib.api.shapes import out
from chalicelib.bootstrap import services
from chalicelib.domain.errors import NotFound, ValidationFailed

if TYPE_CHECKING:
    from chalicelib.api import open311_schemas as schemas
    from chalicelib.domain import open311 as o311
    from chalicelib.domain import open311_filters as filters
    from chalicelib.domain.open311 import PartnerKey
else:
    schemas = lazy_module("chalicelib.api.open311_schemas")
    o311 = lazy_module("chalicelib.domain.open311")
    filters = lazy_module("chalicelib.domain.open311_filters")

bp = Blueprint(__name__)
V2 = "/open311/v2"
CONTACT = "包头市公安局 24小时警局"
# The resources directly under /open311/v2/, each as .json and .xml; any other name is answered by unknown_resource.
RESOURCES = frozenset({"discovery", "services", "requests", "tokens", "servicerequestupdates"})
keys = functools.partial(operation, bp, who=ADMIN, tag="Open311")  # the partner keys, kept by admins


@georeport(
    bp, f"GET {V2}/discovery.json", f"GET {V2}/discovery.xml", response="Open311Discovery", many=False, storage=False
)
def discovery() -> Response:
    """Describe this endpoint for service discovery: formats, changeset, contact (anyone)."""
    svc = services()
    endpoint = f"{svc.settings.site_url}/api{V2}"
    return answer(o311.discovery(endpoint, f"{CONTACT} {svc.settings.site_url}"), "discovery", _fmt())


@georeport(bp, f"GET {V2}/services.json", f"GET {V2}/services.xml", response="Open311Service", storage=False)
def list_services() -> Response:
    """List the boards as Open311 services (anyone)."""
    return answer(o311.services(), "services", _fmt())


@georeport(
    bp,
    f"GET {V2}/services/{{service_file}}",
    response="Open311ServiceDefinition",
    many=False,
    errors=(404,),
    storage=False,
)
def service_definition(service_file: str) -> Response:
    """Return a service's definition: its post types and districts (anyone)."""
    code, fmt = split_name(service_file)
    definition = o311.service_definition(o311.board_of(code), services().settings.districts)
    return answer(definition, "service_definition", fmt)


@georeport(
    bp,
    f"GET {V2}/requests.json",
    f"GET {V2}/requests.xml",
    response="Open311Request",
    errors=(400, 404),
    query=(IDS, SERVICE_CODES, *DATES, STATUS),
)
def list_requests() -> Response:
    """List public service requests newest first, by default of the last 90 days, at most 1000 (anyone)."""
    svc = services()
    wanted = filters.parse_request_query(query(bp.current_request), svc.clock.now())
    posts = svc.open311.requests(wanted)
    exempt = svc.open311.published_numbers(posts)
    found = [o311.request_out(post, exempt, svc.settings.media_url) for post in posts]
    return answer(within_budget(found), "service_requests", _fmt())


@georeport(bp, f"GET {V2}/requests/{{request_file}}", response="Open311Request", errors=(404,))
def get_request(request_file: str) -> Response:
    """Return one public service request as a one-element list (anyone)."""
    post_id, fmt = split_name(request_file)
    svc = services()
    post = svc.open311.request(post_id)
    return answer(
        [o311.request_out(post, svc.open311.published_numbers([post]), svc.settings.media_url)], "service_requests", fmt
    )


@georeport(bp, f"GET {V2}/tokens/{{token_file}}", response=None, errors=(404,), storage=False)
def get_token(token_file: str) -> Response:
    """Resolve a token: never found, since every request gets its id at once (anyone)."""
    split_name(token_file)
    raise NotFound("本平台实时受理（realtime），提交即返回 service_request_id，没有令牌")


@georeport(
    bp,
    f"GET {V2}/servicerequestupdates.json",
    f"GET {V2}/servicerequestupdates.xml",
    response="Open311Update",
    errors=(400,),
    query=(UPDATE_IDS, *DATES),
)
def list_updates() -> Response:
    """List the public timeline as request updates newest first, at most 1000 (anyone)."""
    svc = services()
    ids, window = filters.parse_update_query(query(bp.current_request), svc.clock.now())
    found = [o311.update_out(update) for update in svc.open311.updates(ids, window)]
    return answer(within_budget(found), "service_request_updates", _fmt())


# The partner key goes in the form only: a URL is kept in the CloudFront logs (one there is 400).
@georeport(
    bp,
    f"POST {V2}/requests.json",
    f"POST {V2}/requests.xml",
    response="Open311Submitted",
    errors=(400, 403, 413, 429),
    content_types=[FORM],
)
def file_request() -> Response:
    """File a service request for a citizen's phone (partner apps with a live api_key)."""
    svc = services()
    request = bp.current_request
    if "api_key" in query(request):  # a URL is written to the CloudFront and access logs, kept for months
        raise ValidationFailed(
            "api_key 须放在表单正文中，不能写在网址里", {"api_key": "must be in the form body, not the URL"}
        )
    form = read_form(request)
    key = svc.partners.admit(form.get("api_key"))
    submission = schemas.parse_submission(form, svc.settings.districts)
    post = svc.open311.submit(key, submission)
    return answer([o311.submitted_out(post)], "service_requests", _fmt())


# Any other name under v2/ (services.csv, a misspelt resource): 404 in the spec's shape, never the gateway's 403.
@georeport(
    bp,
    f"GET {V2}/{{file_name}}",
    f"POST {V2}/{{file_name}}",
    response=None,
    errors=(404,),
    storage=False,
    content_types=[FORM, "application/json"],
)
def unknown_resource(file_name: str) -> Response:
    """Answer a resource or format this endpoint does not have: 404 in the spec's shape (anyone)."""
    stem, dot, fmt = file_name.rpartition(".")
    if dot and stem in RESOURCES:
        raise NotFound(f"不支持的格式：{fmt}（请以 .json 或 .xml 结尾）")
    raise NotFound(f"没有这个资源：{file_name}")


@keys(
    "POST", "/admin/api-keys", request="ApiKeyIn", response="IssuedApiKey", status=201, errors=(*BODY_ERRORS, 401, 403)
)
def issue_api_key(call: Call) -> out.IssuedApiKey:
    """Issue an Open311 API key to a partner app; its secret is shown this once (admins)."""
    key, api_key = call.svc.partners.issue(call.body.name, by=call.actor)
    return build(out.IssuedApiKey, **_key_fields(key), api_key=api_key)


@keys("GET", "/admin/api-keys", response="ApiKeys", errors=(401, 403))
def list_api_keys(call: Call) -> out.ApiKeys:
    """List the partner API keys, without their secrets (admins)."""
    keys = call.svc.partners.list()
    return build(out.ApiKeys, keys=[build(out.ApiKey, **_key_fields(key)) for key in keys])


@keys("DELETE", "/admin/api-keys/{key_id}", response="ApiKey", errors=(400, 401, 403, 404))
def revoke_api_key(call: Call, key_id: str) -> out.ApiKey:
    """Revoke a partner API key for good (admins)."""
    key = call.svc.partners.revoke(key_id, by=call.actor)
    return build(out.ApiKey, **_key_fields(key))


def _fmt() -> str:
    return format_of(bp.current_request)


def _key_fields(key: PartnerKey) -> dict[str, Any]:
    return {"id": key.id, "name": key.name, "created_at": key.created_at, "revoked_at": key.revoked_at}
