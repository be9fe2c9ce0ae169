"""Officers' second factor on fakes: enrolment, sign-in with and without it, replay, tries, WeChat, recovery."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs, unquote, urlsplit

import pyotp
import pytest

from chalicelib.domain.errors import DomainError, Forbidden, TooManyRequests, Unauthenticated
from chalicelib.services.identity import Session
from chalicelib.services.mfa import Sealer
from chalicelib.services.wechat import BindRequired, TotpRequired
from tests.unit.services import CITIZEN_PHONE, SETTINGS, Station, station
from tests.unit.test_wechat_signin import BROWSER, bind_with, come_back, exchange
from tests.unit.world import ADMIN, CITIZEN, TOKEN_KEYS

PHONE = "13900000003"  # 王警官 of the Kunqu unit (tests/unit/world.py)
REQUIRED = replace(SETTINGS, officer_mfa="required")


def code_for(s: Station, phone: str) -> str:
    s.svc.identity.request_code(phone)
    return s.sms.templates[-1][2]["code"]


def sign_in(s: Station, totp: str | None = None, phone: str = PHONE) -> Session:
    return s.svc.identity.sign_in(phone, code_for(s, phone), totp)


def enrolled(s: Station) -> pyotp.TOTP:
    """Enrol 王警官 (signing in as the mode allows); return the authenticator app's generator."""
    session = sign_in(s)
    actor = s.svc.identity.actor(session.token)
    uri = s.svc.mfa.enrol(actor, s.clock.now())
    app = pyotp.TOTP(parse_qs(urlsplit(uri).query)["secret"][0])
    s.svc.mfa.confirm(actor, app.at(s.clock.now()), s.clock.now())
    s.clock.advance(seconds=30)  # the confirming code is used up; the next sign-in uses the next one
    return app


def test_optional_an_officer_not_enrolled_gets_a_full_session_without_a_code() -> None:
    s = station()
    actor = s.svc.identity.actor(sign_in(s).token)
    assert actor.officer_id == "o-kunqu" and not actor.enrol_only


def test_required_an_officer_not_enrolled_gets_a_session_that_may_only_enrol() -> None:
    s = station(REQUIRED)
    actor = s.svc.identity.actor(sign_in(s).token)
    assert actor.enrol_only

    uri = s.svc.mfa.enrol(actor, s.clock.now())

    parts = urlsplit(uri)
    assert parts.scheme == "otpauth" and unquote(parts.path) == "/24小时警局:王警官"
    secret = parse_qs(parts.query)["secret"][0]
    assert secret not in s.ports["totps"].items["o-kunqu"].sealed  # stored sealed, never in clear
    with pytest.raises(Unauthenticated):  # pending: sign-in still needs no code, only enrolment
        s.svc.mfa.check(s.directory.officer("o-kunqu"), pyotp.TOTP(secret).now(), s.clock.now())


def test_citizens_have_no_second_factor_to_enrol() -> None:
    s = station(REQUIRED)
    with pytest.raises(Forbidden):
        s.svc.mfa.enrol(CITIZEN, s.clock.now())
    assert not s.svc.identity.actor(sign_in(s, phone=CITIZEN_PHONE).token).enrol_only


@pytest.mark.parametrize("settings", [SETTINGS, REQUIRED], ids=["optional", "required"])
def test_an_enrolled_officer_needs_the_code_in_either_mode(settings: object) -> None:
    s = station(settings)  # type: ignore[arg-type]
    app = enrolled(s)

    with pytest.raises(Unauthenticated) as missing:
        sign_in(s)
    assert missing.value.fields == {"totp": "required"}
    with pytest.raises(Unauthenticated):
        sign_in(s, "000000" if app.at(s.clock.now()) != "000000" else "111111")
    actor = s.svc.identity.actor(sign_in(s, app.at(s.clock.now())).token)
    assert actor.officer_id == "o-kunqu" and not actor.enrol_only


def test_a_wrong_totp_keeps_the_sms_code_for_another_try() -> None:
    s = station(REQUIRED)
    app = enrolled(s)
    code = code_for(s, PHONE)
    with pytest.raises(Unauthenticated):
        s.svc.identity.sign_in(PHONE, code, "000000" if app.now() != "000000" else "111111")
    assert s.svc.identity.sign_in(PHONE, code, app.at(s.clock.now())).user.id == "o-kunqu"


def test_a_code_cannot_be_replayed_within_its_window() -> None:
    s = station(REQUIRED)
    app = enrolled(s)
    code = app.at(s.clock.now())
    sign_in(s, code)
    s.clock.advance(seconds=20)  # still inside the window that accepts this code
    with pytest.raises(Unauthenticated, match="已使用"):
        sign_in(s, code)


def test_wrong_codes_are_limited_and_a_right_code_costs_no_try() -> None:
    s = station(REQUIRED)
    app = enrolled(s)
    wrong = "000000" if app.at(s.clock.now()) != "000000" else "111111"
    officer = s.directory.officer("o-kunqu")
    assert officer is not None
    for _ in range(5):
        with pytest.raises(Unauthenticated):
            s.svc.mfa.check(officer, wrong, s.clock.now())
    with pytest.raises(TooManyRequests):
        s.svc.mfa.check(officer, app.at(s.clock.now()), s.clock.now())  # even the right one, until later
    s.clock.advance(minutes=15)
    s.svc.mfa.check(officer, app.at(s.clock.now()), s.clock.now())


def test_an_enrolled_officer_cannot_enrol_again_without_an_admin() -> None:
    s = station(REQUIRED)
    app = enrolled(s)
    actor = s.svc.identity.actor(sign_in(s, app.at(s.clock.now())).token)
    with pytest.raises(Forbidden):
        s.svc.mfa.enrol(actor, s.clock.now())


def test_the_admin_reset_clears_the_enrolment_ends_the_sessions_and_is_audited() -> None:
    s = station(REQUIRED)
    app = enrolled(s)
    token = sign_in(s, app.at(s.clock.now())).token

    s.svc.mfa.reset("o-kunqu", by=ADMIN)

    with pytest.raises(Unauthenticated):
        s.svc.identity.actor(token)
    assert s.svc.identity.actor(sign_in(s).token).enrol_only  # enrols anew
    assert [e.action for e in s.audit.entries] == ["enrol_totp", "reset_totp"]
    entry = s.audit.entries[-1]
    assert (entry.action, entry.target, entry.actor) == ("reset_totp", "officer:o-kunqu", "o-admin")


def test_wechat_asks_a_bound_officer_for_the_code_and_keeps_the_ticket_on_a_wrong_one() -> None:
    s = station(REQUIRED)
    found = exchange(s, come_back(s, "o-wx-wang"))
    assert isinstance(found, BindRequired)
    bind_with(s, PHONE, code_for(s, PHONE), found.ticket)  # not enrolled yet: an enrolment-only session
    app = enrolled(s)

    asked = exchange(s, come_back(s, "o-wx-wang"))
    assert isinstance(asked, TotpRequired)
    with pytest.raises(Unauthenticated):
        s.svc.wechat.with_totp(asked.ticket, "000000" if app.now() != "000000" else "111111", BROWSER["secret"])
    session = s.svc.wechat.with_totp(asked.ticket, app.at(s.clock.now()), BROWSER["secret"])
    assert not s.svc.identity.actor(session.token).enrol_only
    with pytest.raises(DomainError):  # the ticket is used up
        s.svc.wechat.with_totp(asked.ticket, app.at(s.clock.now()), BROWSER["secret"])


def test_a_sealed_secret_opens_only_with_its_key_and_untampered() -> None:
    sealer = Sealer(TOKEN_KEYS)
    sealed = sealer.seal("JBSWY3DPEHPK3PXP")
    assert sealer.open(sealed) == "JBSWY3DPEHPK3PXP" and "JBSWY3DPEHPK3PXP" not in sealed
    kid, body, tag = sealed.split(".")
    flipped = body[:-1] + ("0" if body[-1] != "0" else "1")
    with pytest.raises(Unauthenticated):
        sealer.open(f"{kid}.{flipped}.{tag}")
    with pytest.raises(Unauthenticated):
        Sealer((("k2", "another-key"),)).open(sealed)
