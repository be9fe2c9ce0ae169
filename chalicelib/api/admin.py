"""Admin routes: pins, hiding, the audit trail, the directory and routing rules (IAM in AWS, ADMIN_KEY locally)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from chalice.app import Blueprint

from chalicelib.api.lazy import lazy_module
from chalicelib.api.operation import ADMIN, Call, operation
from chalicelib.api.params import BODY_ERRORS, CURSOR, MONTH, POST_ERRORS, limit
from chalicelib.api.render import build, post_out, unit_out
from chalicelib.api.shapes import out
from chalicelib.domain.times import CST

if TYPE_CHECKING:
    from chalicelib.domain import people
else:
    people = lazy_module("chalicelib.domain.people")

bp = Blueprint(__name__)
admin = functools.partial(operation, bp, who=ADMIN, tag="admin")
# An admin's act on a post: the post as it now is.
on_post = functools.partial(admin, response="Post", errors=(*POST_ERRORS, 409))
DIRECTORY_ERRORS = (*BODY_ERRORS, 401, 403)
NO_BODY_ERRORS = (400, 401, 403, 404, 409)  # a DELETE: a body is refused (400), none is parsed


@on_post("PUT", "/admin/posts/{post_id}/pin", request="PinIn")
def pin(call: Call, post_id: str) -> out.Post:
    """Pin a post on its board or on every feed (admins)."""
    post = call.svc.admin.pin(post_id, call.body.scope, call.body.until, by=call.actor)
    return post_out(post, call.actor, call.svc.clock.now())


@on_post("DELETE", "/admin/posts/{post_id}/pin", errors=NO_BODY_ERRORS)
def unpin(call: Call, post_id: str) -> out.Post:
    """Take a pin off a post (admins)."""
    post = call.svc.admin.unpin(post_id, by=call.actor)
    return post_out(post, call.actor, call.svc.clock.now())


@on_post("PUT", "/admin/posts/{post_id}/hidden", request="HideIn")
def hide(call: Call, post_id: str) -> out.Post:
    """Hide a post from the public (admins)."""
    post = call.svc.moderation.set_hidden(call.actor, post_id, True, call.body.reason)
    return post_out(post, call.actor, call.svc.clock.now())


@on_post("DELETE", "/admin/posts/{post_id}/photos/{photo_id}", errors=NO_BODY_ERRORS)
def remove_photo(call: Call, post_id: str, photo_id: str) -> out.Post:
    """Take a photo off a post or one of its replies and delete every copy of it (admins; audited)."""
    post = call.svc.moderation.remove_photo(call.actor, post_id, photo_id)
    return post_out(post, call.actor, call.svc.clock.now())


@on_post("DELETE", "/admin/posts/{post_id}/hidden", errors=NO_BODY_ERRORS)
def unhide(call: Call, post_id: str) -> out.Post:
    """Show a hidden post again (admins)."""
    post = call.svc.moderation.set_hidden(call.actor, post_id, False, None)
    return post_out(post, call.actor, call.svc.clock.now())


@admin("GET", "/admin/audit", response="AuditPage", errors=(400, 401, 403), query=(MONTH, CURSOR, limit(50, 200)))
def audit(call: Call) -> dict[str, object]:
    """List a month's audit entries newest first (admins)."""
    svc, params = call.svc, call.params
    month = params["month"] or svc.clock.now().astimezone(CST).strftime("%Y-%m")  # as the trail files them
    cursors = svc.cursors
    after = cursors.decode(params["cursor"], f"audit:{month}") if params["cursor"] else None
    entries, last = svc.audit.month(month, params["limit"], after)
    return {  # the trail's own entries, times as it writes them
        "entries": [{**e.__dict__, "at": e.at.isoformat()} for e in entries],
        "next_cursor": cursors.encode(last, f"audit:{month}") if last else None,
    }


@admin("PUT", "/admin/units/{unit_id}", request="UnitIn", response="Unit", errors=DIRECTORY_ERRORS, ids=("unit_id",))
def put_unit(call: Call, unit_id: str) -> out.Unit:
    """Create or replace a unit (admins)."""
    unit = call.svc.admin.put_unit(people.Unit(id=unit_id, **call.body.model_dump()), by=call.actor)
    return unit_out(unit)


@admin(
    "PUT",
    "/admin/officers/{officer_id}",
    request="OfficerIn",
    response="Officer",
    errors=DIRECTORY_ERRORS,
    ids=("officer_id",),
)
def put_officer(call: Call, officer_id: str) -> out.Officer:
    """Create or replace an officer (admins)."""
    officer = call.svc.admin.put_officer(people.Officer(id=officer_id, **call.body.model_dump()), by=call.actor)
    return build(out.Officer, **officer.model_dump())


@admin(
    "DELETE",
    "/admin/officers/{officer_id}",
    response=None,
    status=204,
    errors=(400, 401, 403, 404),
    ids=("officer_id",),
)
def remove_officer(call: Call, officer_id: str) -> None:
    """Remove an officer from the directory, ending every session and reply link of theirs (admins)."""
    call.svc.admin.remove_officer(officer_id, by=call.actor)


@admin("GET", "/admin/routing", response="Routing", errors=(401, 403))
def get_routing(call: Call) -> out.Routing:
    """Return the routing rules (admins)."""
    return _routing_out(call.svc.admin.routing())


@admin("PUT", "/admin/routing", request="RoutingIn", response="Routing", errors=DIRECTORY_ERRORS)
def put_routing(call: Call) -> out.Routing:
    """Replace the whole set of routing rules (admins)."""
    body = call.body
    rules = tuple(people.RoutingRule(**rule.model_dump()) for rule in body.rules)
    routing = people.Routing(rules=rules, default_unit_id=body.default_unit_id)
    return _routing_out(call.svc.admin.put_routing(routing, by=call.actor))


def _routing_out(routing: people.Routing) -> out.Routing:
    rules = [build(out.Rule, **rule.model_dump()) for rule in routing.rules]
    return build(out.Routing, rules=rules, default_unit_id=routing.default_unit_id)
