"""Officers' second factor through the API: enrolment, sign-in with and without it under OFFICER_MFA=required and
optional, replay refused, an admin's reset ends the officer's sessions (audited)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest

from tests.conftest import last_code, moto_stack
from tests.functional.conftest import ROOT, CheckedApi, ShiftedClock, seed_directory

OFFICER = "13900000003"  # o-kunqu, 昆都仑区公安分局
CITIZEN = "13800000001"


@contextmanager
def stack(mode: str) -> Iterator[tuple[CheckedApi, ShiftedClock]]:
    """A stack of its own with OFFICER_MFA as given (and no wait between one-time codes)."""
    from chalice.test import Client

    from app import app
    from chalicelib import bootstrap
    from chalicelib.config import Settings

    with pytest.MonkeyPatch.context() as patch, moto_stack(patch):
        patch.setenv("OFFICER_MFA", mode)
        patch.setenv("RATE_LIMITS", "otp_interval=0,post_interval=0,posts_per_day=0,duplicate_window=0")
        clock = ShiftedClock()
        settings = Settings.from_env()
        bootstrap._cache[settings] = bootstrap.build(settings, clock=clock)
        with Client(app, stage_name="test", project_dir=str(ROOT)) as client:
            api = CheckedApi(client)
            seed_directory(api)
            yield api, clock


def sign_in(api: CheckedApi, phone: str = OFFICER, totp: str | None = None) -> tuple[int, Any]:
    assert api.call("POST", "/auth/otp", {"phone": phone})[0] == 202
    body = {"phone": phone, "code": last_code(phone)} | ({"totp": totp} if totp is not None else {})
    status, data, _ = api.call("POST", "/auth/session", body)
    return status, data


def enrol(api: CheckedApi, clock: ShiftedClock, token: str) -> pyotp.TOTP:
    """Enrol with the otpauth URI the API gives; confirm; return the authenticator app."""
    status, data, _ = api.call("POST", "/me/totp", token=token)
    assert status == 200, data
    app = pyotp.TOTP(parse_qs(urlsplit(data["otpauth_uri"]).query)["secret"][0])
    status, confirmed, _ = api.call("POST", "/me/totp/confirm", {"code": app.at(clock.now())}, token=token)
    assert status == 200 and confirmed["user"]["id"] == "o-kunqu", confirmed
    clock.advance(seconds=30)  # that code is used up
    return app


def test_required_an_officer_enrols_with_a_session_limited_to_enrolment_then_signs_in_with_the_code() -> None:
    with stack("required") as (api, clock):
        status, limited = sign_in(api)
        assert status == 200
        token = limited["token"]
        assert api.call("GET", "/me/posts", token=token)[0] == 403  # nothing but enrolment
        assert api.call("GET", "/posts", token=token)[0] == 403
        assert api.call("GET", "/me", token=token)[0] == 200

        app = enrol(api, clock, token)

        status, refused = sign_in(api)
        assert status == 401 and refused["error"]["fields"] == {"totp": "required"}, refused
        status, session = sign_in(api, totp=app.at(clock.now()))
        assert status == 200
        assert api.call("GET", "/me/posts", token=session["token"])[0] == 200
        assert api.call("POST", "/me/totp", token=session["token"])[0] == 403  # only an admin resets a device


def test_a_code_is_refused_the_second_time_within_its_window() -> None:
    with stack("required") as (api, clock):
        app = enrol(api, clock, sign_in(api)[1]["token"])
        code = app.at(clock.now())
        assert sign_in(api, totp=code)[0] == 200
        status, replayed = sign_in(api, totp=code)
        assert status == 401 and "已使用" in replayed["error"]["message"]


def test_optional_an_officer_signs_in_without_a_code_until_enrolled() -> None:
    with stack("optional") as (api, clock):
        status, session = sign_in(api)
        assert status == 200
        assert api.call("GET", "/me/posts", token=session["token"])[0] == 200  # a full session
        app = enrol(api, clock, session["token"])
        assert sign_in(api)[0] == 401
        assert sign_in(api, totp=app.at(clock.now()))[0] == 200


def test_citizens_cannot_enrol_and_sign_in_as_before() -> None:
    with stack("required") as (api, _):
        status, session = sign_in(api, CITIZEN)
        assert status == 200
        assert api.call("POST", "/me/totp", token=session["token"])[0] == 403
        assert api.call("GET", "/me/posts", token=session["token"])[0] == 200


def test_the_admin_reset_ends_the_officers_sessions_and_is_audited() -> None:
    with stack("required") as (api, clock):
        app = enrol(api, clock, sign_in(api)[1]["token"])
        token = sign_in(api, totp=app.at(clock.now()))[1]["token"]

        status, _, _ = api.admin("DELETE", "/admin/officers/o-kunqu/totp")

        assert status == 204
        assert api.call("GET", "/me", token=token)[0] == 401
        status, again = sign_in(api)  # no code asked: enrols a new device
        assert status == 200 and api.call("GET", "/me/posts", token=again["token"])[0] == 403
        entries = api.admin("GET", "/admin/audit")[1]["entries"]
        assert any(e["action"] == "reset_totp" and e["target"] == "officer:o-kunqu" for e in entries)
        assert api.admin("DELETE", "/admin/officers/o-nobody/totp")[0] == 404
