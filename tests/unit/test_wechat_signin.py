"""WeChat sign-in on fakes: the signed single-use state, single-use tickets, binding once by phone, officers."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib.domain.errors import Conflict, NotFound, Unauthenticated, Undeliverable, ValidationFailed
from chalicelib.domain.people import Officer
from chalicelib.services.identity import Session
from chalicelib.services.wechat import BindRequired
from tests.fakes import InMemoryOtpRepository
from tests.unit.services import CITIZEN_PHONE, SETTINGS, Station, station
from tests.unit.world import ADMIN

SITE = "http://127.0.0.1:8000"


def state_of(authorize_url: str) -> str:
    return parse_qs(urlsplit(authorize_url).query)["state"][0]


BROWSER: dict[str, str] = {}  # the browser's secret (its cookie) of the last sign-in a test started


def start(s: Station, next_path: str = "/") -> str:
    """Start a sign-in; remember the browser's cookie; return the state WeChat will send back."""
    url, BROWSER["secret"] = s.svc.wechat.start(next_path)
    return state_of(url)


def come_back(s: Station, openid: str, next_path: str = "/") -> str:
    """Go to WeChat and back as `openid`; return the sign-in ticket the page finds in its address."""
    state = start(s, next_path)
    s.wechat.codes[f"code-{openid}"] = openid
    location = s.svc.wechat.callback(f"code-{openid}", state, BROWSER["secret"])
    assert location.startswith(SITE + next_path)
    return location.rsplit("wx=", 1)[1]


def exchange(s: Station, ticket: str) -> Session | BindRequired:
    return s.svc.wechat.session(ticket, BROWSER["secret"])


def bind_with(s: Station, phone: str, code: str, ticket: str) -> Session:
    return s.svc.wechat.sign_in_and_bind(phone, code, ticket, BROWSER["secret"])


def code_for(s: Station, phone: str) -> str:
    s.svc.identity.request_code(phone)
    phone_sent, template, params = s.sms.templates[-1]
    assert (phone_sent, template) == (phone, "otp")
    return params["code"]


def bind_ticket(s: Station, openid: str) -> str:
    found = exchange(s, come_back(s, openid))
    assert isinstance(found, BindRequired)
    return found.ticket


def test_the_start_sends_to_wechat_with_our_callback_and_a_signed_state() -> None:
    s = station()
    url, browser = s.svc.wechat.start("/#/me")
    assert len(browser) >= 24
    query = parse_qs(urlsplit(url).query)
    assert query["redirect_uri"] == [f"{SITE}/api/auth/wechat/callback"]
    nonce, signature = query["state"][0].split(".")
    assert len(nonce) >= 16 and len(signature) == 22


@pytest.mark.parametrize("next_path", ["//evil.example/", "https://evil.example", "/\\evil", "evil", "/" + "a" * 300])
def test_a_next_off_the_site_is_refused(next_path: str) -> None:
    with pytest.raises(ValidationFailed):
        start(station(), next_path)


def test_a_forged_or_reused_state_is_refused() -> None:
    s = station()
    state = start(s)
    s.wechat.codes["c1"] = s.wechat.codes["c2"] = "o-wx-zhang"
    nonce, signature = state.split(".")

    with pytest.raises(ValidationFailed):
        s.svc.wechat.callback("c1", f"{nonce}.{'0' * len(signature)}", BROWSER["secret"])  # not ours
    with pytest.raises(ValidationFailed):
        s.svc.wechat.callback(
            "c1", f"{'A' * len(nonce)}.{signature}", BROWSER["secret"]
        )  # another nonce under our signature
    s.svc.wechat.callback("c1", state, BROWSER["secret"])
    with pytest.raises(ValidationFailed):
        s.svc.wechat.callback("c2", state, BROWSER["secret"])  # single use


def test_a_bad_code_is_refused_and_an_expired_state_too() -> None:
    s = station()
    with pytest.raises(ValidationFailed):
        s.svc.wechat.callback("never-issued", start(s), BROWSER["secret"])
    state = start(s)
    s.clock.advance(minutes=11)
    s.wechat.codes["late"] = "o-wx-zhang"
    with pytest.raises(ValidationFailed):
        s.svc.wechat.callback("late", state, BROWSER["secret"])


def test_an_unbound_wechat_user_binds_once_by_phone_and_then_signs_in_with_no_sms() -> None:
    s = station()
    ticket = bind_ticket(s, "o-wx-zhang")

    session = bind_with(s, CITIZEN_PHONE, code_for(s, CITIZEN_PHONE), ticket)
    texts_before = len(s.sms.sent)
    again = exchange(s, come_back(s, "o-wx-zhang"))

    assert not isinstance(again, BindRequired)
    assert again.user.id == session.user.id and again.user.phone == CITIZEN_PHONE
    assert len(s.sms.sent) == texts_before  # no code this time
    assert s.svc.identity.actor(again.token).user_id == session.user.id


def test_a_ticket_is_single_use_and_expires_in_five_minutes() -> None:
    s = station()
    ticket = come_back(s, "o-wx-zhang")
    exchange(s, ticket)
    with pytest.raises(Unauthenticated):
        exchange(s, ticket)

    late = come_back(s, "o-wx-zhang")
    s.clock.advance(minutes=5, seconds=1)
    with pytest.raises(Unauthenticated):
        exchange(s, late)


def test_a_wrong_code_keeps_the_bind_ticket_for_a_retry_and_the_sign_in_ticket_cannot_bind() -> None:
    s = station()
    sign_in_ticket = come_back(s, "o-wx-zhang")
    found = exchange(s, sign_in_ticket)
    assert isinstance(found, BindRequired)
    code = code_for(s, CITIZEN_PHONE)

    with pytest.raises(Unauthenticated):
        bind_with(s, CITIZEN_PHONE, "000000" if code != "000000" else "111111", found.ticket)
    with pytest.raises(Unauthenticated):
        bind_with(s, CITIZEN_PHONE, code, sign_in_ticket)  # a used sign-in ticket binds nothing
    bind_with(s, CITIZEN_PHONE, code, found.ticket)

    assert s.contacts.account_of("o-wx-zhang") is not None


def test_a_wechat_account_bound_meanwhile_by_someone_else_is_a_conflict_and_stays_theirs() -> None:
    s = station()
    first = bind_ticket(s, "o-wx-zhang")  # one phone's browser, before either binds
    first_browser = BROWSER["secret"]
    second = bind_ticket(s, "o-wx-zhang")  # another's
    second_browser = BROWSER["secret"]
    s.svc.wechat.sign_in_and_bind(CITIZEN_PHONE, code_for(s, CITIZEN_PHONE), first, first_browser)
    other = "13700001111"

    with pytest.raises(Conflict):
        s.svc.wechat.sign_in_and_bind(other, code_for(s, other), second, second_browser)

    binding = s.contacts.account_of("o-wx-zhang")
    assert binding is not None and binding.account_id == s.svc.identity.account(CITIZEN_PHONE).id


def test_an_officer_binds_with_the_directory_phone_and_loses_it_when_the_phone_changes() -> None:
    s = station()
    officer = s.directory.officer("o-kunqu")
    assert officer is not None
    bind_with(s, officer.phone, code_for(s, officer.phone), bind_ticket(s, "o-wx-kunqu"))

    signed = exchange(s, come_back(s, "o-wx-kunqu"))
    assert not isinstance(signed, BindRequired) and signed.user.role == "officer"
    assert s.svc.identity.actor(signed.token).officer_id == "o-kunqu"

    s.svc.admin.put_officer(Officer(**{**officer.model_dump(), "phone": "13900000099"}), by=ADMIN)
    assert isinstance(exchange(s, come_back(s, "o-wx-kunqu")), BindRequired)
    assert s.contacts.account_of("o-wx-kunqu") is None  # the stale binding is gone


def test_unbinding_brings_the_phone_sign_in_back() -> None:
    s = station()
    session = bind_with(s, CITIZEN_PHONE, code_for(s, CITIZEN_PHONE), bind_ticket(s, "o-wx-zhang"))
    actor = s.svc.identity.actor(session.token)

    s.svc.contacts.leave_wechat(actor)

    assert s.svc.contacts.of(actor).openid is None
    assert isinstance(exchange(s, come_back(s, "o-wx-zhang")), BindRequired)


def test_a_site_without_an_official_account_offers_no_wechat_sign_in() -> None:
    s = station(replace(SETTINGS, wechat_app_id="", wechat_secret=""), wechat=None)
    with pytest.raises(NotFound):
        start(s)


def test_the_share_card_signature_is_wechats_sha1_over_ticket_nonce_time_and_url() -> None:
    import hashlib

    s = station()
    signed = s.svc.wechat.js_signature(f"{SITE}/share.html")
    text = (
        f"jsapi_ticket=ticket-for-tests&noncestr={signed.nonce_str}&timestamp={signed.timestamp}&url={SITE}/share.html"
    )
    assert signed.signature == hashlib.sha1(text.encode()).hexdigest()
    with pytest.raises(ValidationFailed):
        s.svc.wechat.js_signature("https://evil.example/")


def test_a_number_the_sms_provider_refuses_for_good_is_a_clear_400_and_no_code_is_kept() -> None:
    class Refusing:
        def send(self, phone: str, template: str, params: dict[str, str]) -> None:
            raise Undeliverable("FailedOperation.PhoneNumberInBlacklist")

    otps = InMemoryOtpRepository()
    s = station(sms=Refusing(), otps=otps)

    with pytest.raises(ValidationFailed) as refused:
        s.svc.identity.request_code(CITIZEN_PHONE)

    assert refused.value.fields == {"phone": "the SMS provider refuses it"}
    assert otps.get(CITIZEN_PHONE) is None


def test_a_sign_in_link_forwarded_to_another_browser_signs_nobody_in_and_binds_nothing() -> None:
    s = station()
    ticket = come_back(s, "o-wx-attacker")  # the attacker's own WeChat, unbound

    with pytest.raises(Unauthenticated):
        s.svc.wechat.session(ticket, "the-victims-browser-has-another-cookie")
    with pytest.raises(Unauthenticated):
        exchange(s, ticket)  # used up, for the starting browser too
    assert s.contacts.account_of("o-wx-attacker") is None


def test_the_callback_from_another_browser_is_refused() -> None:
    s = station()
    state = start(s)
    s.wechat.codes["c"] = "o-wx-zhang"
    with pytest.raises(ValidationFailed):
        s.svc.wechat.callback("c", state, None)  # no cookie


def test_a_bind_ticket_works_only_in_the_browser_that_got_it() -> None:
    s = station()
    found = exchange(s, come_back(s, "o-wx-attacker"))
    assert isinstance(found, BindRequired)
    code = code_for(s, CITIZEN_PHONE)
    with pytest.raises(Unauthenticated):
        s.svc.wechat.sign_in_and_bind(CITIZEN_PHONE, code, found.ticket, "another-browser-secret")
    assert s.contacts.account_of("o-wx-attacker") is None
