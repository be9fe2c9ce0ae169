"""Routes of the 110 command system channel: progress events in, conversions of posts to incidents."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib.api.operation import ANYONE, CAD, SIGNED_IN, Call, operation
from chalicelib.api.params import BODY_ERRORS, CAD_EXPIRES, CAD_SIG, CAD_SIGNATURE, CAD_TIMESTAMP
from chalicelib.api.shapes import out
from chalicelib.domain.incidents import CadEventIn

bp = Blueprint(__name__)


@operation(
    bp,
    "POST",
    "/cad/events",
    who=CAD,
    request="CadEventBody",
    response="CadApplied",
    errors=(*BODY_ERRORS, 401, 404, 409),
    headers=(CAD_TIMESTAMP, CAD_SIGNATURE),
    tag="110",
)
def cad_event(call: Call) -> out.CadApplied:
    """Apply a progress event from the command system (signed with the shared secret)."""
    applied = call.svc.incidents.apply(CadEventIn(**call.body.model_dump()))
    return out.CadApplied(applied=applied)


@operation(
    bp,
    "POST",
    "/posts/{post_id}/incident",
    who=SIGNED_IN,
    response="IncidentQueued",
    status=202,
    errors=(401, 403, 404, 409),
    tag="110",
)
def convert(call: Call, post_id: str) -> out.IncidentQueued:
    """Hand a post to the 110 command system as an incident (leaders, command center)."""
    incident_id = call.svc.incidents.convert(call.actor, post_id)
    return out.IncidentQueued(incident_id=incident_id, post_id=post_id)


@operation(
    bp,
    "GET",
    "/cad/photos/{photo_id}",
    who=ANYONE,
    response=None,
    status=302,
    errors=(400, 403),
    query=(CAD_EXPIRES, CAD_SIG),
    tag="110",
)
def cad_photo(call: Call, photo_id: str) -> Response:
    """Open a photo of a post handed to 110: the record's link is signed with the channel's secret and good for a
    week; each opening is sent on to a signed storage address good for 15 minutes (anyone holding the link)."""
    location = call.svc.incidents.open_photo(photo_id, call.params["expires"], call.params["sig"])
    return Response(body="", status_code=302, headers={"Location": location, "Cache-Control": "no-store"})
