"""Routes of the 110 command system channel: progress events in, conversions of posts to incidents."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice.app import Blueprint, Response

from chalicelib.api.auth import signed_in
from chalicelib.api.http import http_errors, ok, parse
from chalicelib.api.lazy import lazy_module
from chalicelib.bootstrap import services
from chalicelib.domain.incidents import CadEventIn

if TYPE_CHECKING:
    from chalicelib.api import schemas
else:
    schemas = lazy_module("chalicelib.api.schemas")

bp = Blueprint(__name__)


@bp.route("/cad/events", methods=["POST"])
@http_errors
def cad_event() -> Response:
    """Apply a progress event from the command system (signed with the shared secret)."""
    svc = services()
    request = bp.current_request
    raw = request.raw_body or b""
    raw_bytes = raw.encode() if isinstance(raw, str) else raw
    svc.incidents.verify(raw_bytes, request.headers.get("x-timestamp"), request.headers.get("x-signature"))
    body = parse(request, schemas.CadEventBody)
    applied = svc.incidents.apply(CadEventIn(**body.model_dump()))
    return ok({"applied": applied})


@bp.route("/posts/{post_id}/incident", methods=["POST"])
@http_errors
def convert(post_id: str) -> Response:
    """Hand a post to the 110 command system as an incident (leaders, command center)."""
    svc = services()
    actor = signed_in(bp.current_request, svc)
    incident_id = svc.incidents.convert(actor, post_id)
    return ok({"incident_id": incident_id, "post_id": post_id}, 202)
