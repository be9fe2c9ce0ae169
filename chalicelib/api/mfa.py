"""Routes of officers' second factor (TOTP): enrolment by the officer, recovery by an admin."""

from __future__ import annotations

import functools

from chalice.app import Blueprint

from chalicelib.api.operation import ADMIN, SIGNED_IN, Call, operation
from chalicelib.api.params import BODY_ERRORS
from chalicelib.api.render import build, user_out
from chalicelib.api.shapes import out

bp = Blueprint(__name__)
mfa = functools.partial(operation, bp, tag="identity")


@mfa("POST", "/me/totp", who=SIGNED_IN, response="TotpEnrolment", errors=(400, 401, 403))
def enrol(call: Call) -> out.TotpEnrolment:
    """Start enrolling a TOTP authenticator: the otpauth URI, shown this once (officers; citizens 403)."""
    uri = call.svc.mfa.enrol(call.actor, call.svc.clock.now())
    return build(out.TotpEnrolment, otpauth_uri=uri)


@mfa(
    "POST",
    "/me/totp/confirm",
    who=SIGNED_IN,
    request="TotpConfirmIn",
    response="Session",
    errors=(*BODY_ERRORS, 401, 403, 429),
)
def confirm(call: Call) -> out.Session:
    """Confirm the enrolment with a code from the app; answers a fresh full session (officers; citizens 403)."""
    svc = call.svc
    svc.mfa.confirm(call.actor, call.body.code, svc.clock.now())
    found = svc.identity.officer_account(call.actor.officer_id or "")
    if found is None:  # removed meanwhile
        from chalicelib.domain.errors import Unauthenticated

        raise Unauthenticated("登录已失效或凭证无效，请重新登录")
    session = svc.identity.session_for(*found)
    return build(out.Session, token=session.token, user=user_out(session.user, svc.directory))


@mfa(
    "DELETE",
    "/admin/officers/{officer_id}/totp",
    who=ADMIN,
    response=None,
    status=204,
    errors=(400, 401, 403, 404),
    ids=("officer_id",),
)
def reset(call: Call, officer_id: str) -> None:
    """Clear an officer's TOTP enrolment and end every session of theirs (a lost phone); audited (admins)."""
    call.svc.mfa.reset(officer_id, by=call.actor)
