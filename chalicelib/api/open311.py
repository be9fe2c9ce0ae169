"""Open311 GeoReport v2 routes (JSON and XML by extension) and the admin routes of partner API keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, IAMAuthorizer, Response

from chalicelib.api.auth import require_admin
from chalicelib.api.http import created, http_errors, ok, parse, query, require_no_body
from chalicelib.api.lazy import lazy_module
from chalicelib.api.open311_format import FORM, answer, format_of, read_form, spec_errors, split_name, within_budget
from chalicelib.bootstrap import services
from chalicelib.domain.errors import NotFound, ValidationFailed
from chalicelib.domain.times import iso_cst

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
iam = IAMAuthorizer()
in_spec_shape = spec_errors(bp)
V2 = "/open311/v2"
CONTACT = "包头市公安局 24小时警局"
# The resources directly under /open311/v2/, each as .json and .xml; any other name is answered by unknown_resource.
RESOURCES = frozenset({"discovery", "services", "requests", "tokens", "servicerequestupdates"})


@bp.route(f"{V2}/discovery.json", methods=["GET"])
@bp.route(f"{V2}/discovery.xml", methods=["GET"])
@in_spec_shape
def discovery() -> Response:
    """Describe this endpoint for service discovery: formats, changeset, contact (anyone)."""
    svc = services()
    endpoint = f"{svc.settings.site_url}/api{V2}"
    return answer(o311.discovery(endpoint, f"{CONTACT} {svc.settings.site_url}"), "discovery", _fmt())


@bp.route(f"{V2}/services.json", methods=["GET"])
@bp.route(f"{V2}/services.xml", methods=["GET"])
@in_spec_shape
def list_services() -> Response:
    """List the boards as Open311 services (anyone)."""
    return answer(o311.services(), "services", _fmt())


@bp.route(f"{V2}/services/{{service_file}}", methods=["GET"])
@in_spec_shape
def service_definition(service_file: str) -> Response:
    """Return a service's definition: its post types and districts (anyone)."""
    code, fmt = split_name(service_file)
    definition = o311.service_definition(o311.board_of(code), services().settings.districts)
    return answer(definition, "service_definition", fmt)


@bp.route(f"{V2}/requests.json", methods=["GET"])
@bp.route(f"{V2}/requests.xml", methods=["GET"])
@in_spec_shape
def list_requests() -> Response:
    """List public service requests newest first, by default of the last 90 days, at most 1000 (anyone)."""
    svc = services()
    wanted = filters.parse_request_query(query(bp.current_request), svc.clock.now())
    posts = svc.open311.requests(wanted)
    exempt = svc.open311.published_numbers(posts)
    found = [o311.request_out(post, exempt) for post in posts]
    return answer(within_budget(found), "service_requests", _fmt())


@bp.route(f"{V2}/requests/{{request_file}}", methods=["GET"])
@in_spec_shape
def get_request(request_file: str) -> Response:
    """Return one public service request as a one-element list (anyone)."""
    post_id, fmt = split_name(request_file)
    svc = services()
    post = svc.open311.request(post_id)
    return answer([o311.request_out(post, svc.open311.published_numbers([post]))], "service_requests", fmt)


@bp.route(f"{V2}/tokens/{{token_file}}", methods=["GET"])
@in_spec_shape
def get_token(token_file: str) -> Response:
    """Resolve a token: never found, since every request gets its id at once (anyone)."""
    split_name(token_file)
    raise NotFound("本平台实时受理（realtime），提交即返回 service_request_id，没有令牌")


@bp.route(f"{V2}/servicerequestupdates.json", methods=["GET"])
@bp.route(f"{V2}/servicerequestupdates.xml", methods=["GET"])
@in_spec_shape
def list_updates() -> Response:
    """List the public timeline as request updates newest first, at most 1000 (anyone)."""
    svc = services()
    ids, window = filters.parse_update_query(query(bp.current_request), svc.clock.now())
    found = [o311.update_out(update) for update in svc.open311.updates(ids, window)]
    return answer(within_budget(found), "service_request_updates", _fmt())


@bp.route(f"{V2}/requests.json", methods=["POST"], content_types=[FORM])
@bp.route(f"{V2}/requests.xml", methods=["POST"], content_types=[FORM])
@in_spec_shape
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


@bp.route(f"{V2}/{{file_name}}", methods=["GET", "POST"], content_types=[FORM, "application/json"])
@in_spec_shape
def unknown_resource(file_name: str) -> Response:
    """Answer a resource or format this endpoint does not have: 404 in the spec's shape (anyone)."""
    stem, dot, fmt = file_name.rpartition(".")
    if dot and stem in RESOURCES:
        raise NotFound(f"不支持的格式：{fmt}（请以 .json 或 .xml 结尾）")
    raise NotFound(f"没有这个资源：{file_name}")


@bp.route("/admin/api-keys", methods=["POST"], authorizer=iam)
@http_errors
def issue_api_key() -> Response:
    """Issue an Open311 API key to a partner app; its secret is shown this once (admins)."""
    svc = services()
    body = parse(bp.current_request, schemas.ApiKeyIn)
    admin = require_admin(bp.current_request, svc)
    key, api_key = svc.partners.issue(body.name, by=admin)
    return created({**_key_out(key), "api_key": api_key})


@bp.route("/admin/api-keys", methods=["GET"], authorizer=iam)
@http_errors
def list_api_keys() -> Response:
    """List the partner API keys, without their secrets (admins)."""
    svc = services()
    require_admin(bp.current_request, svc)
    return ok({"keys": [_key_out(key) for key in svc.partners.list()]})


@bp.route("/admin/api-keys/{key_id}", methods=["DELETE"], authorizer=iam)
@http_errors
def revoke_api_key(key_id: str) -> Response:
    """Revoke a partner API key for good (admins)."""
    svc = services()
    require_no_body(bp.current_request)
    admin = require_admin(bp.current_request, svc)
    return ok(_key_out(svc.partners.revoke(key_id, by=admin)))


def _fmt() -> str:
    return format_of(bp.current_request)


def _key_out(key: PartnerKey) -> dict[str, Any]:
    return {
        "id": key.id,
        "name": key.name,
        "created_at": iso_cst(key.created_at),
        "revoked_at": iso_cst(key.revoked_at) if key.revoked_at else None,
    }
