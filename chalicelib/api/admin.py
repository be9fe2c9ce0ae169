"""Admin routes: pins, the directory and routing rules (IAM in AWS, ADMIN_KEY locally)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from chalice.app import Blueprint, IAMAuthorizer, Response

from chalicelib.api.auth import require_admin
from chalicelib.api.http import http_errors, ok, parse, query, query_int, require_no_body
from chalicelib.api.lazy import lazy_module
from chalicelib.api.render import post_out, unit_out
from chalicelib.bootstrap import services
from chalicelib.domain.actors import normalize_phone
from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.times import CST

if TYPE_CHECKING:
    from chalicelib.api import schemas
    from chalicelib.domain import people
else:
    schemas = lazy_module("chalicelib.api.schemas")
    people = lazy_module("chalicelib.domain.people")

bp = Blueprint(__name__)
iam = IAMAuthorizer()
_ID_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


def _check_id(value: str, name: str) -> str:
    if not _ID_OK.match(value):
        raise ValidationFailed("编号只能包含字母、数字、- 和 _", {name: "invalid id"})
    return value


@bp.route("/admin/posts/{post_id}/pin", methods=["PUT"], authorizer=iam)
@http_errors
def pin(post_id: str) -> Response:
    """Pin a post on its board or on every feed (admins)."""
    svc = services()
    body = parse(bp.current_request, schemas.PinIn)
    admin = require_admin(bp.current_request, svc)
    post = svc.admin.pin(post_id, body.scope, body.until, by=admin)
    return ok(post_out(post, admin, svc.clock.now()))


@bp.route("/admin/posts/{post_id}/pin", methods=["DELETE"], authorizer=iam)
@http_errors
def unpin(post_id: str) -> Response:
    """Take a pin off a post (admins)."""
    svc = services()
    require_no_body(bp.current_request)
    admin = require_admin(bp.current_request, svc)
    post = svc.admin.unpin(post_id, by=admin)
    return ok(post_out(post, admin, svc.clock.now()))


@bp.route("/admin/posts/{post_id}/hidden", methods=["PUT"], authorizer=iam)
@http_errors
def hide(post_id: str) -> Response:
    """Hide a post from the public (admins)."""
    svc = services()
    body = parse(bp.current_request, schemas.HideIn)
    admin = require_admin(bp.current_request, svc)
    post = svc.moderation.set_hidden(admin, post_id, True, body.reason)
    return ok(post_out(post, admin, svc.clock.now()))


@bp.route("/admin/posts/{post_id}/hidden", methods=["DELETE"], authorizer=iam)
@http_errors
def unhide(post_id: str) -> Response:
    """Show a hidden post again (admins)."""
    svc = services()
    require_no_body(bp.current_request)
    admin = require_admin(bp.current_request, svc)
    post = svc.moderation.set_hidden(admin, post_id, False, None)
    return ok(post_out(post, admin, svc.clock.now()))


@bp.route("/admin/audit", methods=["GET"], authorizer=iam)
@http_errors
def audit() -> Response:
    """List a month's audit entries newest first (admins)."""
    svc = services()
    request = bp.current_request
    params = query(request)
    month = params.get("month") or svc.clock.now().astimezone(CST).strftime("%Y-%m")  # as the trail files them
    if not re.fullmatch(r"\d{4}-\d{2}", month):
        raise ValidationFailed("月份格式应为 YYYY-MM", {"month": "expected YYYY-MM"})
    limit = query_int(request, "limit", 50, 1, 200)
    require_admin(request, svc)
    after = svc.cursors.decode(params["cursor"], f"audit:{month}") if params.get("cursor") else None
    entries, last = svc.audit.month(month, limit, after)
    return ok(
        {
            "entries": [{**e.__dict__, "at": e.at.isoformat()} for e in entries],
            "next_cursor": svc.cursors.encode(last, f"audit:{month}") if last else None,
        }
    )


@bp.route("/admin/units/{unit_id}", methods=["PUT"], authorizer=iam)
@http_errors
def put_unit(unit_id: str) -> Response:
    """Create or replace a unit (admins)."""
    svc = services()
    body = parse(bp.current_request, schemas.UnitIn)
    _check_id(unit_id, "unit_id")
    admin = require_admin(bp.current_request, svc)
    unit = svc.admin.put_unit(people.Unit(id=unit_id, **body.model_dump()), by=admin)
    return ok(unit_out(unit))


@bp.route("/admin/officers/{officer_id}", methods=["PUT"], authorizer=iam)
@http_errors
def put_officer(officer_id: str) -> Response:
    """Create or replace an officer (admins)."""
    svc = services()
    body = parse(bp.current_request, schemas.OfficerIn)
    _check_id(officer_id, "officer_id")
    phone = normalize_phone(body.phone)
    admin = require_admin(bp.current_request, svc)
    officer = svc.admin.put_officer(people.Officer(id=officer_id, **{**body.model_dump(), "phone": phone}), by=admin)
    return ok(officer.model_dump())


@bp.route("/admin/officers/{officer_id}", methods=["DELETE"], authorizer=iam)
@http_errors
def remove_officer(officer_id: str) -> Response:
    """Remove an officer from the directory, ending every session and reply link of theirs (admins)."""
    svc = services()
    require_no_body(bp.current_request)
    _check_id(officer_id, "officer_id")
    admin = require_admin(bp.current_request, svc)
    svc.admin.remove_officer(officer_id, by=admin)
    return Response(body="", status_code=204)


@bp.route("/admin/routing", methods=["GET"], authorizer=iam)
@http_errors
def get_routing() -> Response:
    """Return the routing rules (admins)."""
    svc = services()
    require_admin(bp.current_request, svc)
    return ok(svc.admin.routing().model_dump())


@bp.route("/admin/routing", methods=["PUT"], authorizer=iam)
@http_errors
def put_routing() -> Response:
    """Replace the whole set of routing rules (admins)."""
    svc = services()
    body = parse(bp.current_request, schemas.RoutingIn)
    admin = require_admin(bp.current_request, svc)
    rules = tuple(people.RoutingRule(**rule.model_dump()) for rule in body.rules)
    routing = svc.admin.put_routing(people.Routing(rules=rules, default_unit_id=body.default_unit_id), by=admin)
    return ok(routing.model_dump())
