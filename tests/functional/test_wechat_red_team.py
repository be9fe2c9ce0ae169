"""Red team of the WeChat sign-in (issue 16): odd input is a clear 4xx, never a 5xx; no secret reaches the logs;
a forwarded sign-in, a link session and a stale binding get nowhere."""

from __future__ import annotations

import json
import logging
import re
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from tests.conftest import WECHAT, Api, deliver, last_code
from tests.functional.test_wechat import (
    BROWSER,
    RESIDENT,
    SITE,
    authorize,
    bind,
    callback,
    sent_to,
    start,
    ticket_for,
    wechat_session,
)
from tests.posting import new_post

NONCE = "A" * 22


@pytest.mark.parametrize(
    "state",
    [
        f"{NONCE}.é",  # a non-ASCII signature: hmac.compare_digest raises TypeError on it
        f"{NONCE}.签名",
        f"{NONCE}.{'é' * 22}",
        "é" * 30,
        ".",
        "",
        f"{NONCE}." + "A" * 105,
        "A" * 129,
    ],
)
def test_an_odd_state_is_a_clear_400(api: Api, aws: dict, state: str) -> None:
    start(api)
    status, body, _ = api.call("GET", f"/auth/wechat/callback?code=abc&state={quote(state)}", headers=BROWSER)
    assert status == 400, body


@pytest.mark.parametrize("code", ["", "é", "a b", "A" * 129, "A" * 5000, "%00", "..%2Fx"])
def test_an_odd_code_is_a_clear_400_and_the_state_tells_nothing(api: Api, aws: dict, code: str) -> None:
    _, state = authorize(start(api), "o-wx-zhang")
    status, body, _ = api.call("GET", f"/auth/wechat/callback?code={quote(code)}&state={quote(state)}", headers=BROWSER)
    assert status == 400, body


@pytest.mark.parametrize(
    "next_path",
    [
        "//evil.example/",
        "/\\evil.example",
        "/\\\\evil.example",
        "/%2F%2Fevil.example",
        "/%2f%2fevil.example",
        "/%09/evil.example",
        "/\t/evil.example",
        "/@evil.example",
        "/%40evil.example",
        "/.evil.example",
        "/．/evil.example",
        "https://evil.example/",
        "/#//evil.example",
        "/?next=//evil.example",
        "\\/evil.example",
        " /evil",
    ],
)
def test_next_never_leaves_the_site(api: Api, aws: dict, next_path: str) -> None:
    status, body, headers = api.call("GET", f"/auth/wechat/start?next={quote(next_path)}")
    if status == 400:
        return
    assert status == 302, body
    BROWSER["Cookie"] = headers["Set-Cookie"].split(";", 1)[0]
    code, state = authorize(headers["Location"], "o-wx-zhang")
    status, body, headers = callback(api, code, state)
    assert status == 302, body
    location = headers["Location"]
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}" == SITE and parts.path.startswith("/") and "\\" not in location
    assert not parts.path.startswith("//") and "@" not in parts.netloc


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"ticket": None},
        {"ticket": 123},
        {"ticket": ["a" * 20]},
        {"ticket": "é" * 20},
        {"ticket": "A" * 65},
        {"ticket": "A" * 100000},
        {"ticket": "A" * 20, "extra": 1},
        [],
        "null",
        "not json",
    ],
)
def test_odd_session_bodies_are_a_clear_4xx(api: Api, aws: dict, body: Any) -> None:
    status, answer, _ = api.call("POST", "/auth/wechat/session", body, headers=BROWSER)
    assert 400 <= status < 500, answer


@pytest.mark.parametrize(
    "cookie",
    [
        'p24_wx="\\x00"',
        "p24_wx=é",
        "p24_wx=" + "A" * 5000,
        "p24_wx",
        "=;=;",
        'p24_wx="unterminated',
        "p24_wx=a; p24_wx=b",
    ],
)
def test_an_odd_cookie_is_the_wrong_browser_never_a_5xx(api: Api, aws: dict, cookie: str) -> None:
    ticket = ticket_for(api, "o-wx-zhang")
    status, answer, _ = api.call("POST", "/auth/wechat/session", {"ticket": ticket}, headers={"Cookie": cookie})
    assert status == 401, answer


@pytest.mark.parametrize(
    "url",
    [None, "", SITE, SITE + "/é", SITE + "/" + "a" * 600, SITE + ".evil.example/", SITE + "@evil.example/", "%"],
)
def test_odd_jssdk_urls_are_a_clear_400(api: Api, aws: dict, url: str | None) -> None:
    path = "/wechat/jssdk" if url is None else f"/wechat/jssdk?url={quote(url)}"
    status, answer, _ = api.call("GET", path)
    assert status in (200, 400), answer
    if url in (None, "", SITE, SITE + "/" + "a" * 600, SITE + ".evil.example/", SITE + "@evil.example/", "%"):
        assert status == 400, (url, answer)


@pytest.mark.parametrize(
    "notify",
    [None, "sms", 1, True, [1], [None], [["sms"]], [{"a": 1}], ["sms"] * 1000, ["wechat", "sms", "email", "x"], {}],
)
def test_odd_notify_values_change_nothing(api: Api, aws: dict, notify: Any) -> None:
    token = bind(api, "o-wx-zhang", RESIDENT)
    assert api.call("PATCH", "/me", {"notify": ["sms", "wechat"]}, token=token)[0] == 200
    status, answer, _ = api.call("PATCH", "/me", {"notify": notify}, token=token)
    assert 400 <= status < 500, (notify, answer)
    assert api.call("GET", "/me", token=token)[1]["notify"] == ["sms", "wechat"]


def test_a_link_session_can_neither_choose_channels_nor_leave_wechat(api: Api, aws: dict, directory: dict) -> None:
    officer_phone = directory["officers"]["o-qingfu"]["phone"]
    bind(api, "o-wx-o-qingfu", officer_phone)
    resident = api.sign_in(RESIDENT)
    new_post(api, resident, district="东河区", title="东河区路口信号灯坏了")
    deliver(api.client, aws)
    (message,) = sent_to("o-wx-o-qingfu")
    link = re.search(r"#t=(\S+)$", message["url"]).group(1)  # type: ignore[union-attr]
    session = api.call("POST", "/auth/link", {"token": link})[1]["token"]

    assert api.call("PATCH", "/me", {"notify": ["sms"]}, token=session)[0] == 403
    assert api.call("DELETE", "/me/wechat", token=session)[0] == 403
    assert "token" in wechat_session(api, ticket_for(api, "o-wx-o-qingfu"))  # still bound


def test_an_officer_whose_phone_changed_or_who_left_is_no_longer_signed_in_or_told_by_wechat(
    api: Api, aws: dict, directory: dict
) -> None:
    officer = directory["officers"]["o-qingfu"]
    bind(api, "o-wx-o-qingfu", officer["phone"])
    fields = {k: v for k, v in officer.items() if k not in ("id",)}
    assert api.admin("PUT", "/admin/officers/o-qingfu", {**fields, "phone": "13900009999"})[0] == 200

    resident = api.sign_in(RESIDENT)
    new_post(api, resident, district="东河区", title="东河区路口信号灯坏了")
    deliver(api.client, aws)
    assert sent_to("o-wx-o-qingfu") == []  # the binding of the old phone carries nothing
    me = api.call("GET", "/me", token=api.sign_in("13900009999"))[1]
    assert me["wechat"] is False, me  # and the officer is not told that WeChat still reaches him
    assert wechat_session(api, ticket_for(api, "o-wx-o-qingfu"))["bind_required"] is True


def test_no_secret_reaches_the_logs(api: Api, aws: dict, directory: dict, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    location = start(api)
    browser = BROWSER["Cookie"].split("=", 1)[1]
    code, state = authorize(location, "o-wx-secretive")
    _, _, headers = callback(api, code, state)
    ticket = headers["Location"].rsplit("wx=", 1)[1]
    bind_ticket = wechat_session(api, ticket)["ticket"]
    phone = "13812349876"
    assert api.call("POST", "/auth/otp", {"phone": phone})[0] == 202
    otp = last_code(phone)
    body = {"phone": phone, "code": otp, "wechat_ticket": bind_ticket}
    status, session, _ = api.call("POST", "/auth/session", body, headers=BROWSER)
    assert status == 200
    token = new_post(api, session["token"], district="东河区", title="楼下有人吵架")
    deliver(api.client, aws)
    assert token
    # a refused code and a stale ticket log too
    callback(api, "nonsense-code", state)
    code2, state2 = authorize(start(api), "o-wx-secretive")
    WECHAT[0].state.codes[code2].issued -= 301  # expired: WeChat refuses the exchange
    assert callback(api, code2, state2)[0] == 400
    api.call("POST", "/auth/wechat/session", {"ticket": ticket}, headers=BROWSER)

    def text(record: logging.LogRecord) -> str:
        return record.getMessage() + " " + json.dumps({k: str(v) for k, v in vars(record).items()})

    ours = [r for r in caplog.records if not r.name.startswith(("botocore", "boto3", "urllib3", "moto", "werkzeug"))]
    logged = "\n".join(text(r) for r in ours)
    secrets = {
        "code": code,
        "expired code": code2,
        "state": state.split(".")[0],
        "ticket": ticket,
        "bind ticket": bind_ticket,
        "browser": browser,
        "otp": f"{otp}",
        "app secret": WECHAT[0].state.secret,
        "session token": session["token"],
    }
    for name, value in secrets.items():
        if value:
            assert value not in logged, name


def _at_once(calls: list[Any]) -> list[Any]:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


@pytest.mark.usefixtures("one_request_at_a_time")
def test_one_ticket_used_at_once_many_times_gives_one_session(api: Api, aws: dict) -> None:
    bind(api, "o-wx-zhang", RESIDENT)
    ticket = ticket_for(api, "o-wx-zhang")
    browser = dict(BROWSER)
    answers = _at_once(
        [lambda: api.call("POST", "/auth/wechat/session", {"ticket": ticket}, headers=browser) for _ in range(6)]
    )
    assert sorted(status for status, _, _ in answers) == [200, 401, 401, 401, 401, 401], answers


@pytest.mark.usefixtures("one_request_at_a_time")
def test_two_phones_binding_one_wechat_at_once_bind_it_once(api: Api, aws: dict) -> None:
    first = wechat_session(api, ticket_for(api, "o-wx-zhang"))["ticket"]
    first_browser = dict(BROWSER)
    second = wechat_session(api, ticket_for(api, "o-wx-zhang"))["ticket"]
    second_browser = dict(BROWSER)
    other = "13812340002"
    for phone in (RESIDENT, other):
        assert api.call("POST", "/auth/otp", {"phone": phone})[0] == 202
    bodies = [
        ({"phone": RESIDENT, "code": last_code(RESIDENT), "wechat_ticket": first}, first_browser),
        ({"phone": other, "code": last_code(other), "wechat_ticket": second}, second_browser),
    ]
    answers = _at_once([lambda b=b, h=h: api.call("POST", "/auth/session", b, headers=h) for b, h in bodies])
    assert sorted(status for status, _, _ in answers) == [200, 409], answers
    winner = next(body for status, body, _ in answers if status == 200)
    signed = wechat_session(api, ticket_for(api, "o-wx-zhang"))
    assert signed["user"]["id"] == winner["user"]["id"]
    loser_phone = other if winner["user"]["id"] == api.call("GET", "/me", token=winner["token"])[1]["id"] else RESIDENT
    assert loser_phone


@pytest.mark.usefixtures("one_request_at_a_time")
def test_binding_another_wechat_while_unbinding_leaves_one_consistent_state(api: Api, aws: dict, clock: Any) -> None:
    token = bind(api, "o-wx-zhang", RESIDENT)
    clock.advance(minutes=2)  # the next code may be asked for
    bind_ticket = wechat_session(api, ticket_for(api, "o-wx-wang"))["ticket"]
    browser = dict(BROWSER)
    assert api.call("POST", "/auth/otp", {"phone": RESIDENT})[0] == 202
    body = {"phone": RESIDENT, "code": last_code(RESIDENT), "wechat_ticket": bind_ticket}
    answers = _at_once(
        [
            lambda: api.call("POST", "/auth/session", body, headers=browser),
            lambda: api.call("DELETE", "/me/wechat", token=token),
        ]
    )
    assert all(status < 500 for status, _, _ in answers), answers
    me = api.call("GET", "/me", token=token)[1]
    old = wechat_session(api, ticket_for(api, "o-wx-zhang"))
    new = wechat_session(api, ticket_for(api, "o-wx-wang"))
    assert old.get("bind_required") is True  # the old WeChat is released either way
    assert (me["wechat"], "token" in new) in ((True, True), (False, False)), (me, new)


@pytest.mark.parametrize("next_path", ["/#wx=AAAAAAAAAAAAAAAAAAAA", "/#/me?wx=AAAAAAAAAAAAAAAAAAAA", "/?a=1&wx=x"])
def test_next_cannot_plant_a_ticket_of_its_own(api: Api, aws: dict, next_path: str) -> None:
    """The page takes the first `wx=` in its address: a planted one would shadow the real ticket."""
    assert api.call("GET", f"/auth/wechat/start?next={quote(next_path)}")[0] == 400


@pytest.mark.parametrize(
    "others", ['consent={"ads":false}; ', "a[b]=1; ", "a{b}=1; ", "name=a b; ", "nick=张三; ", 'q="x; ', "flag; "]
)
def test_another_odd_cookie_of_the_site_does_not_break_the_sign_in(api: Api, aws: dict, others: str) -> None:
    """Another cookie on the site (analytics, consent, a framework's) must not hide the sign-in's cookie."""
    bind(api, "o-wx-zhang", RESIDENT)
    ticket = ticket_for(api, "o-wx-zhang")
    both = {"Cookie": others + BROWSER["Cookie"] + "; " + others.rstrip("; ")}
    status, answer, _ = api.call("POST", "/auth/wechat/session", {"ticket": ticket}, headers=both)
    assert status == 200 and "token" in answer, answer
