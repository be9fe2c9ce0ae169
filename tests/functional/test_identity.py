"""Signing in by SMS code, sessions and the caller's profile."""

from __future__ import annotations

import re
from typing import Any

import pytest

from chalicelib.domain.errors import Unauthenticated
from chalicelib.services.dispatch import post_number
from tests.burst import all_at_once
from tests.conftest import ADMIN_KEY, DIRECTORY, deliver, last_code, officer_messages, sent_sms
from tests.fakes import Lockstep
from tests.functional.conftest import CITIZENS, OFFICERS, ROLES, CheckedApi, World, assert_error_shape

ROLE_OF = {"citizen": "citizen", "other_citizen": "citizen"} | {
    persona: DIRECTORY["officers"][officer]["role"] for persona, officer in OFFICERS.items()
}
SIGNED_IN = {role: 200 for role in ROLES} | {"anonymous": 401, "admin_key": 401}


def request_code(people: World, phone: str) -> int:
    return people.api.call("POST", "/auth/otp", {"phone": phone})[0]


def new_code(people: World, phone: str) -> str:
    """Ask for a sign-in code for the phone and return the one the SMS carried."""
    assert request_code(people, phone) == 202
    return last_code(phone)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


# -- who may ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_anyone_may_ask_for_a_code_and_sign_in(people: World, role: str) -> None:
    phone = f"136000000{ROLES.index(role):02d}"
    status, data, _ = people.api.call("POST", "/auth/otp", {"phone": phone}, token=people.token(role))
    assert status == 202 and data == {"expires_in": 300}
    status, session, headers = people.api.call(
        "POST", "/auth/session", {"phone": phone, "code": last_code(phone)}, token=people.token(role)
    )
    assert status == 200, session
    assert session["user"]["role"] == "citizen" and session["user"]["id"] and session["user"]["nickname"]
    assert "no-store" in headers.get("Cache-Control", "")


@pytest.mark.parametrize("role", ROLES)
def test_who_may_see_their_profile(people: World, role: str) -> None:
    status, me, _ = people.api.call("GET", "/me", token=people.token(role))
    assert status == SIGNED_IN[role], me
    if status == 200:
        assert me["role"] == ROLE_OF[role]
        if role in OFFICERS:
            officer = DIRECTORY["officers"][OFFICERS[role]]
            assert me["id"] == OFFICERS[role] and me["nickname"] == officer["name"]


@pytest.mark.parametrize("role", ROLES)
def test_who_may_change_a_nickname(people: World, role: str) -> None:
    token = people.token(role)
    before = people.api.call("GET", "/me", token=token)[1] if SIGNED_IN[role] == 200 else None
    nickname = f"昵称{ROLES.index(role)}"
    status, data, _ = people.api.call("PATCH", "/me", {"nickname": nickname}, token=token)
    # Citizens choose a nickname; officers always show their real name (not theirs to change: 403).
    assert status == (200 if role in CITIZENS else 403 if role in OFFICERS else 401), data
    if before is None:
        return
    after = people.api.call("GET", "/me", token=token)[1]
    assert after["nickname"] == (nickname if status == 200 else before["nickname"])
    if status == 200:
        assert data["nickname"] == nickname
        post = people.api.new_post(token)
        assert post["author"] == {"nickname": nickname}
        reply = people.api.call("POST", f"/posts/{post['id']}/replies", {"body": "补充一下"}, token=token)[1]
        assert reply["author"] == {"nickname": nickname}


# -- codes -----------------------------------------------------------------------------------------


def test_the_code_arrives_by_sms_and_its_session_works(people: World) -> None:
    phone = "13511110001"
    assert request_code(people, phone) == 202
    texts = [text for _, text in sent_sms(phone)]
    assert len(texts) == 1
    assert "验证码" in texts[0] and "回复" not in texts[0]
    assert re.search(r"(?<!\d)\d{6}(?!\d)", texts[0])
    status, session, _ = people.api.call("POST", "/auth/session", {"phone": phone, "code": last_code(phone)})
    assert status == 200
    status, me, _ = people.api.call("GET", "/me", token=session["token"])
    assert status == 200
    assert {key: me[key] for key in session["user"]} == session["user"] and me["role"] == "citizen"
    assert (me["wechat"], me["notify"]) == (False, ["wechat", "sms"])  # not bound; WeChat first once bound


def test_signing_in_again_finds_the_same_account(people: World) -> None:
    phone = "13511110002"
    first = people.api.call("GET", "/me", token=people.api.sign_in(phone))[1]
    people.clock.advance(seconds=61)  # one code a minute per phone
    again = people.api.call("GET", "/me", token=people.api.sign_in(phone))[1]
    assert again["id"] == first["id"]


def test_a_wrong_code_is_401_and_the_right_one_still_works(people: World) -> None:
    phone = "13511110003"
    code = new_code(people, phone)
    status, data, _ = people.api.call("POST", "/auth/session", {"phone": phone, "code": wrong(code)})
    assert status == 401
    assert_error_shape(data)
    assert "token" not in data
    assert people.api.call("POST", "/auth/session", {"phone": phone, "code": code})[0] == 200
    assert people.api.call("POST", "/auth/session", {"phone": phone, "code": code})[0] == 401  # used once


def test_five_wrong_tries_kill_the_code(people: World) -> None:
    phone = "13511110004"
    code = new_code(people, phone)
    for _ in range(5):
        assert people.api.call("POST", "/auth/session", {"phone": phone, "code": wrong(code)})[0] == 401
    status, data, _ = people.api.call("POST", "/auth/session", {"phone": phone, "code": code})
    assert status == 401 and "token" not in data


def test_four_wrong_tries_leave_the_code_alive(people: World) -> None:
    phone = "13511110005"
    code = new_code(people, phone)
    for _ in range(4):
        assert people.api.call("POST", "/auth/session", {"phone": phone, "code": wrong(code)})[0] == 401
    assert people.api.call("POST", "/auth/session", {"phone": phone, "code": code})[0] == 200


def test_a_code_works_for_its_own_phone_only(people: World) -> None:
    assert request_code(people, "13511110006") == 202
    status, _, _ = people.api.call("POST", "/auth/session", {"phone": "13511110007", "code": last_code("13511110006")})
    assert status == 401


def test_a_second_code_within_a_minute_is_429_with_retry_after(people: World) -> None:
    phone = "13511110008"
    code = new_code(people, phone)
    status, data, headers = people.api.call("POST", "/auth/otp", {"phone": phone})
    assert status == 429
    assert_error_shape(data)
    assert 1 <= int(headers["Retry-After"]) <= 60
    assert len(sent_sms(phone)) == 1
    assert request_code(people, "13511110009") == 202  # per phone: another phone is not held up
    assert people.api.call("POST", "/auth/session", {"phone": phone, "code": code})[0] == 200
    people.clock.advance(seconds=61)
    assert request_code(people, phone) == 202  # a minute later the phone may ask again


def test_refused_requests_do_not_count_towards_the_code_limit(people: World) -> None:
    phone = "13511110010"
    assert people.api.call("POST", "/auth/otp", {"phone": phone, "channel": "sms"})[0] == 400
    assert people.api.raw("POST", "/auth/otp", f'{{"phone": "{phone}"}}', {"Content-Type": "text/plain"})[0] == 415
    assert sent_sms(phone) == []
    assert request_code(people, phone) == 202
    # ...and while a code is pending, bad input still answers 400/415 before the 429.
    assert people.api.call("POST", "/auth/otp", {"phone": phone, "channel": "sms"})[0] == 400
    assert people.api.raw("POST", "/auth/otp", f'{{"phone": "{phone}"}}', {"Content-Type": "text/plain"})[0] == 415


@pytest.mark.parametrize(
    "body",
    [
        {"phone": "12345"},
        {"phone": "1381234567a"},
        {"phone": 13812345678},
        {},
        {"phone": "13812345678", "code": "123456"},
    ],
)
def test_a_bad_phone_is_400_and_sends_nothing(people: World, body: dict) -> None:
    before = len(sent_sms())
    status, data, _ = people.api.call("POST", "/auth/otp", body)
    assert status == 400
    assert_error_shape(data, "validation_error")
    assert len(sent_sms()) == before


@pytest.mark.parametrize(
    "body",
    [
        {"phone": "13511110011", "code": "12345"},
        {"phone": "13511110011", "code": 123456},
        {"phone": "13511110011"},
        {"phone": "bad", "code": "123456"},
    ],
)
def test_a_malformed_sign_in_is_400(people: World, body: dict) -> None:
    status, data, _ = people.api.call("POST", "/auth/session", body)
    assert status == 400
    assert_error_shape(data, "validation_error")


# -- credentials -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "Bearer not-a-token",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4Iiwicm9sZSI6ImFkbWluIn0.",
    ],
)
def test_bad_credentials_are_401(people: World, header: str) -> None:
    status, data, _ = people.api.call("GET", "/me", headers={"Authorization": header})
    assert status == 401
    assert_error_shape(data, "unauthenticated")


def test_a_tampered_token_is_401(people: World) -> None:
    token = people.token("citizen")
    assert token is not None
    head, payload, signature = token.split(".")
    forged = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1]
    for bad in (f"{head}.{forged}.{signature}", f"{head}.{payload}.{signature[:-2]}xx"):
        assert people.api.call("GET", "/me", token=bad)[0] == 401


@pytest.mark.parametrize(
    "body",
    [
        {"nickname": "昵" * 21},
        {"nickname": ""},
        {"nickname": "   "},
        {"nickname": 7},
        {"nickname": "小王", "role": "admin"},
        {},
    ],
)
def test_a_bad_nickname_is_400_and_the_old_one_stays(people: World, body: dict) -> None:
    token = people.token("other_citizen")
    before = people.api.call("GET", "/me", token=token)[1]
    status, data, _ = people.api.call("PATCH", "/me", body, token=token)
    assert status == 400
    assert_error_shape(data, "validation_error")
    assert people.api.call("GET", "/me", token=token)[1] == before


def test_a_nickname_of_20_characters_is_accepted(people: World) -> None:
    token = people.api.sign_in("13511110012")
    status, me, _ = people.api.call("PATCH", "/me", {"nickname": "名" * 20}, token=token)
    assert status == 200 and me["nickname"] == "名" * 20


# -- a session follows the directory (issue 12, item 3) --------------------------------------------

FALLEN = {
    "name": "贾某",
    "title": "副局长",
    "phone": "13900000077",
    "email": "jia@example.org",  # notices with a reply link come by WeChat or e-mail, never by SMS
    "unit_id": "kunqu",
    "role": "leader",
    "on_duty": True,
}
NEW_PHONE = "13900000078"


def reply_link(api: CheckedApi, aws: dict[str, str], phone: str, post_id: str) -> str:
    """Hand the dispatch messages to the worker and return the reply link code 贾某 got about a post by e-mail."""
    deliver(api.client, aws)
    number = post_number(post_id)  # notices name a post by its number, never by what the resident wrote
    got = officer_messages(phone, "o-fallen")
    found = [re.findall(r"reply\.html#t=(\S+)", text) for text in got if number in text]
    assert found and found[-1], got
    return str(found[-1][0])


def test_a_demoted_officer_loses_the_powers_at_once_and_a_new_phone_or_removal_ends_his_sessions(
    people: World,
) -> None:
    api, aws, citizen = people.api, people.outputs, people.token("citizen")
    assert api.admin("PUT", "/admin/officers/o-fallen", FALLEN)[0] == 200
    ordinary = api.new_post(
        citizen, board="report", type="report", title="小区门口有人打架", body="请尽快处理", district="昆都仑区"
    )
    tip = api.new_report(citizen, "线索:某仓库藏有赃物", "夜里有人搬运", district="东河区", visibility="police_only")
    link = reply_link(api, aws, FALLEN["phone"], ordinary["id"])  # `ordinary` is assigned to 昆都仑区
    session = api.sign_in(FALLEN["phone"])
    status, opened, _ = api.call("POST", "/auth/link", {"token": link})
    assert status == 200, opened
    link_session = opened["token"]
    assert api.call("GET", "/me", token=session)[1]["role"] == "leader"
    assert api.detail(tip["id"], session)["post"]["title"] == tip["title"]  # police see a police-only post whole

    # Demoted to an officer of another unit, off duty: the same tokens lose a leader's powers at once.
    demoted = {**FALLEN, "role": "officer", "unit_id": "qingfu", "on_duty": False}
    assert api.admin("PUT", "/admin/officers/o-fallen", demoted)[0] == 200
    version = api.detail(ordinary["id"])["post"]["version"]
    for token in (session, link_session):
        assert api.call("POST", f"/posts/{ordinary['id']}/route", {"unit_id": "qingfu"}, token=token)[0] == 403
        assert (
            api.call(
                "POST", f"/posts/{ordinary['id']}/status", {"status": "resolved", "version": version}, token=token
            )[0]
            == 403
        )
        assert api.call("POST", f"/posts/{ordinary['id']}/incident", token=token)[0] == 403
    status, me, _ = api.call("GET", "/me", token=session)
    assert status == 200 and me["role"] == "officer" and me["unit"]["id"] == "qingfu", me
    # Off duty he may still act as an officer of his new unit (he is only not notified).
    tip_version = api.detail(tip["id"], session)["post"]["version"]
    status, handled, _ = api.call(
        "POST", f"/posts/{tip['id']}/status", {"status": "in_progress", "version": tip_version}, token=session
    )
    assert status == 200, handled

    # A new phone ends every session and reply link issued to the old one.
    assert api.admin("PUT", "/admin/officers/o-fallen", {**demoted, "phone": NEW_PHONE})[0] == 200
    for token in (session, link_session):
        assert api.call("GET", "/me", token=token)[0] == 401
        assert api.call("GET", f"/posts/{tip['id']}", token=token)[0] == 401
        assert api.call("POST", f"/posts/{ordinary['id']}/replies", {"body": "收到"}, token=token)[0] == 401
    assert api.call("POST", "/auth/link", {"token": link})[0] == 401
    assert api.detail(tip["id"])["post"]["title"] == "该线索仅警方可见"  # what the public (and he) may see
    session = api.sign_in(NEW_PHONE)
    assert api.call("GET", "/me", token=session)[1]["role"] == "officer"

    # Off duty, he is not notified; on duty again, he is, at the new phone.
    unseen = api.new_post(
        citizen, board="report", type="report", title="东河区路灯不亮", body="已经三天了", district="东河区"
    )
    deliver(api.client, aws)
    assert not [text for text in officer_messages(NEW_PHONE, "o-fallen") if post_number(unseen["id"]) in text]
    assert api.admin("PUT", "/admin/officers/o-fallen", {**demoted, "phone": NEW_PHONE, "on_duty": True})[0] == 200
    seen = api.new_post(
        citizen, board="report", type="report", title="东河区井盖丢失", body="很危险", district="东河区"
    )
    link = reply_link(api, aws, NEW_PHONE, seen["id"])
    link_session = api.call("POST", "/auth/link", {"token": link})[1]["token"]
    assert api.call("GET", "/me", token=session)[0] == 200

    # Removed from the directory: every session and reply link ends at once, and stays ended if he is put back.
    status, body, _ = api.call("DELETE", "/admin/officers/o-fallen", token=ADMIN_KEY)
    assert (status, body) == (204, None)
    for _ in range(2):
        for token in (session, link_session):
            assert api.call("GET", "/me", token=token)[0] == 401
            assert api.call("GET", "/posts", token=token)[0] == 401
            assert api.call("POST", f"/posts/{tip['id']}/replies", {"body": "收到"}, token=token)[0] == 401
        assert api.call("POST", "/auth/link", {"token": link})[0] == 401
        assert api.admin("PUT", "/admin/officers/o-fallen", {**demoted, "phone": NEW_PHONE})[0] == 200
    assert api.admin("DELETE", "/admin/officers/o-ghost")[0] == 404


# -- many guesses at once (issue 12, item 7) -------------------------------------------------------


def guess_at_once(monkeypatch: pytest.MonkeyPatch, phone: str, guesses: list[str]) -> list[Any]:
    """Send every guess to the sign-in use case on moto at once, one thread each, as concurrent Lambda invocations
    would, in the worst interleaving: every guess reaches the code's record before any is compared."""
    from chalicelib.bootstrap import services

    identity = services().identity
    lockstep = Lockstep(identity.otps, len(guesses))
    monkeypatch.setattr(identity, "otps", lockstep)

    def guess(index: int) -> str:
        lockstep.caller(index)
        return identity.sign_in(phone, guesses[index]).token

    return all_at_once(len(guesses), guess, timeout=120)


def guess_a_fresh_code_at_once(
    people: World, monkeypatch: pytest.MonkeyPatch, phone: str, count: int, right_at: int | None = None
) -> list[Any]:
    """Send `count` guesses at a fresh code all at once (the right one at `right_at`): none signs in, nor does the
    code afterwards. The answers, each an Unauthenticated error."""
    code = new_code(people, phone)
    guesses = [wrong(code)] * count
    if right_at is not None:
        guesses[right_at] = code
    results = guess_at_once(monkeypatch, phone, guesses)
    assert all(isinstance(r, Unauthenticated) for r in results), [r for r in results if isinstance(r, str)]
    status, data, _ = people.api.call("POST", "/auth/session", {"phone": phone, "code": code})
    assert status == 401 and "token" not in data
    return results


@pytest.mark.usefixtures("one_request_at_a_time")
def test_thirty_wrong_guesses_at_once_get_at_most_five_wrong_code_answers(
    people: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = guess_a_fresh_code_at_once(people, monkeypatch, "13511110020", 30)

    answered_wrong = [r.message for r in results if r.message.startswith("验证码错误，")]
    assert len(answered_wrong) == 5, answered_wrong  # the other 25 were refused before any comparison


@pytest.mark.usefixtures("one_request_at_a_time")
def test_forty_guesses_at_once_with_the_right_one_past_the_fifth_do_not_sign_in(
    people: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    guess_a_fresh_code_at_once(people, monkeypatch, "13511110021", 40, right_at=20)


def test_a_wrong_code_says_how_many_tries_remain(people: World) -> None:
    phone = "13511110022"
    code = new_code(people, phone)
    messages = [
        people.api.call("POST", "/auth/session", {"phone": phone, "code": wrong(code)})[1]["error"]["message"]
        for _ in range(2)
    ]
    assert messages == ["验证码错误，还可尝试4次", "验证码错误，还可尝试3次"]


@pytest.mark.parametrize(
    "nickname",
    [
        "11010519491231002X",  # a valid ID card number
        "138\u200b1234\u200b5678",
        "１３８１２３４５６７８",
        "QQ 123-456",
        "包头市公安局 值班民警",
        "公 安",
        "公\u200b安",
        "官方",
        "张所长",
        "指挥中心",
        "１１０",
    ],
)
def test_a_nickname_with_six_digits_or_a_police_claim_is_400_and_nothing_stored(people: World, nickname: str) -> None:
    token = people.token("other_citizen")
    before = people.api.call("GET", "/me", token=token)[1]
    status, data, _ = people.api.call("PATCH", "/me", {"nickname": nickname}, token=token)
    assert status == 400, data
    assert_error_shape(data, "validation_error")
    assert "昵称" in data["error"]["message"] and set(data["error"]["fields"]) == {"nickname"}
    assert people.api.call("GET", "/me", token=token)[1] == before


@pytest.mark.parametrize(
    ("phone", "stored", "shown"),
    [
        ("13700000031", "11010519491231002X", "1***************2X"),  # masked like any text
        ("13700000032", "包头市公安局 值班民警", None),  # a neutral personal name instead
        ("13700000033", "QQ12345678", None),
    ],
)
def test_a_stored_nickname_that_breaks_the_rules_never_shows_as_stored(
    people: World, phone: str, stored: str, shown: str | None
) -> None:
    from chalicelib.bootstrap import services

    token = people.api.sign_in(phone)
    me = people.api.call("GET", "/me", token=token)[1]
    services().identity.users.set_nickname(me["id"], stored)  # stored before the rules, or never checked
    post = people.api.new_post(token, title="请问办居住证", body="需要什么材料?")
    assert people.api.call("POST", f"/posts/{post['id']}/replies", {"body": "补充:我在昆都仑区"}, token=token)[0] == 201
    page = people.api.call("GET", "/posts?limit=50")[1]
    names = {
        "post": post["author"]["nickname"],
        "feed": next(p for p in page["posts"] if p["id"] == post["id"])["author"]["nickname"],
        "page": people.api.detail(post["id"])["post"]["author"]["nickname"],
        "reply": people.api.detail(post["id"])["replies"][0]["author"]["nickname"],
        "mine": people.api.call("GET", "/me/posts?limit=50", token=token)[1]["posts"][0]["author"]["nickname"],
    }
    assert len(set(names.values())) == 1, names
    name = names["post"]
    if shown is not None:
        assert name == shown
    else:
        assert re.fullmatch(r"热心市民[1-9][0-9]{3}", name), name
