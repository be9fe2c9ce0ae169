"""Red team: disguises that got a number or a police claim past masking and the nickname rules.

Each case came back unmasked to an anonymous reader (or was accepted as a nickname) before the fix.
"""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.domain.masking import mask_text, numbers_in
from chalicelib.domain.nicknames import nickname_problem, public_nickname
from tests.functional.conftest import World

MOBILE = "13812345678"
DISGUISED_MOBILES = [
    "138\u05b01234\u05b05678",  # Hebrew point between the groups (a combining mark)
    "138\u064b1234\u064b5678",  # Arabic fathatan
    "138\u04831234\u04835678",  # Cyrillic titlo
    "138\u180b1234\u180b5678",  # Mongolian free variation selector
    "➀➂➇➀➁➂➃➄➅➆➇",  # dingbat circled digits
    "❶❸❽❶❷❸❹❺❻❼❽",  # negative circled digits
    "⓵⓷⓼⓵⓶⓷⓸⓹⓺⓻⓼",  # double circled digits
    "⒈⒊⒏⒈⒉⒊⒋⒌⒍⒎⒏",  # digits with a full stop
    "⑴⑶⑻⑴⑵⑶⑷⑸⑹⑺⑻",  # parenthesized digits
    "138~1234~5678",
    "138～1234～5678",
    "138+1234+5678",
    "138*1234*5678",
    "138|1234|5678",
    "138:1234:5678",
    "138•1234•5678",
    "\u202e87654321831\u202c",  # stored backwards under a right-to-left override: shown as 13812345678
]


@pytest.mark.parametrize("text", DISGUISED_MOBILES)
def test_a_disguised_mobile_is_masked(text: str) -> None:
    masked = mask_text(text)
    assert numbers_in(masked) == set()
    assert masked.count("*") == 4 or "\u202e" not in masked, masked
    if "\u202e" not in text:
        assert MOBILE in numbers_in(text), text


def test_a_reversed_id_card_under_an_override_is_shown_as_stored() -> None:
    shown = mask_text("身份证\u202eX2001321949150101\u202c")
    assert "\u202e" not in shown and "\u202d" not in shown


@pytest.mark.parametrize(
    "nickname",
    [
        "\u202e安公市头包",  # shown as 包头市公安
        "\u202eecilop",  # shown as police
        "ᴘᴏʟɪᴄᴇ",  # small capitals
        "pólice",  # an accent
        "p\u0301olice",  # a combining accent
        "❶❶⓪",  # 110 in dingbats
    ],
)
def test_a_nickname_cannot_claim_the_police_in_disguise(nickname: str) -> None:
    assert nickname_problem(nickname) is not None
    shown = public_nickname(nickname, "u_0123456789abcdef")
    assert "\u202e" not in shown


def test_disguised_numbers_are_masked_for_the_public_through_the_api(people: World) -> None:
    body = "联系我:" + "；".join(DISGUISED_MOBILES)
    post = people.api.new_post(people.token("citizen"), title="寻物启事", body=body)
    shown = people.api.detail(post["id"])["post"]["body"]
    assert numbers_in(shown) == set() and "\u202e" not in shown, shown
    assert people.api.detail(post["id"], people.token("citizen"))["post"]["body"] == body  # the author: as written


def test_a_nickname_turned_by_an_override_is_refused(people: World) -> None:
    status, data, _ = people.api.call("PATCH", "/me", {"nickname": "\u202e安公市头包"}, token=people.token("citizen"))
    assert status == 400, data


def test_a_number_begun_in_the_title_and_ended_in_the_body_is_masked(people: World) -> None:
    title, body = "捡到钱包一个,失主请联系138", "1234 5678,认领时请说明钱包颜色。"
    post = people.api.new_post(people.token("other_citizen"), title=title, body=body)
    for shown in (
        people.api.detail(post["id"])["post"],
        next(p for p in people.api.call("GET", "/posts?board=qa&limit=50")[1]["posts"] if p["id"] == post["id"]),
    ):
        assert (shown["title"], shown["body"]) == (title, "**** 5678,认领时请说明钱包颜色。"), shown
    assert people.api.detail(post["id"], people.token("other_citizen"))["post"]["body"] == body  # the author's own


@pytest.mark.parametrize("character", ["\ufffe", "\uffff"])
def test_an_open311_field_is_held_to_the_same_characters_as_the_json_api(people: World, character: str) -> None:
    """U+FFFE and U+FFFF are no XML characters: the JSON API refuses them (400), and so must a partner's form."""
    from tests.functional.test_open311 import V2, form, post_form

    status, key, _ = people.api.admin("POST", "/admin/api-keys", {"name": "便民热线"})
    assert status == 201, key
    assert (
        people.api.call(
            "POST",
            "/posts",
            {"board": "qa", "type": "question", "title": "问", "body": f"正文{character}"},
            token=people.token("citizen"),
        )[0]
        == 400
    )
    fields = form(key["api_key"], description=f"小区门口有人卖假药{character}", phone="13811113333")
    status, answer, _ = post_form(people, f"{V2}/requests.json", fields)
    assert status == 400, answer
    assert "description" in answer[0]["description"], answer


def test_flags_never_hide_a_post_by_an_officer_who_has_since_left(people: World) -> None:
    """A police post stays a police post when its author leaves the directory: flags send it to review."""
    from tests.conftest import ADMIN_KEY

    leaving = {
        "name": "赵警官",
        "title": "社区民警",
        "phone": "13900000066",
        "unit_id": "kunqu",
        "role": "officer",
        "on_duty": True,
    }
    assert people.api.admin("PUT", "/admin/officers/o-leaving", leaving)[0] == 200
    notice = people.api.new_post(people.api.sign_in(leaving["phone"]), title="冬季防火提示", body="请勿私拉电线")
    assert people.api.call("DELETE", "/admin/officers/o-leaving", token=ADMIN_KEY)[0] == 204
    elders = [people.api.sign_in(f"1370000{n:04d}") for n in range(3)]
    people.clock.advance(days=1, minutes=1)
    for token in elders:
        status, data, _ = people.api.call("POST", f"/posts/{notice['id']}/flags", {"reason": "广告"}, token=token)
        assert status == 202, data
    assert people.api.call("GET", f"/posts/{notice['id']}")[0] == 200


def test_after_an_admin_shows_a_flagged_post_again_one_more_flag_does_not_hide_it(people: World) -> None:
    """An admin's review settles the flags so far: it takes three new established accounts to hide it again."""
    post = people.api.new_post(people.token("citizen"), title="被误举报的求助", body="其实没问题")
    elders = [people.api.sign_in(f"1370001{n:04d}") for n in range(6)]
    people.clock.advance(days=1, minutes=1)

    def flag(token: str | None) -> None:
        status, data, _ = people.api.call("POST", f"/posts/{post['id']}/flags", {"reason": "广告"}, token=token)
        assert status == 202, data

    for token in elders[:3]:
        flag(token)
    assert people.api.call("GET", f"/posts/{post['id']}")[0] == 404
    assert people.api.admin("DELETE", f"/admin/posts/{post['id']}/hidden")[0] == 200

    flag(elders[3])
    assert people.api.call("GET", f"/posts/{post['id']}")[0] == 200  # one account does not overturn the review
    flag(elders[4])
    assert people.api.call("GET", f"/posts/{post['id']}")[0] == 200
    flag(elders[5])
    assert people.api.call("GET", f"/posts/{post['id']}")[0] == 404  # three new ones: hidden for review again


def test_a_partner_key_in_the_url_is_refused_since_urls_are_logged(people: World) -> None:
    """CloudFront's standard logs keep each URL's query for months: a key there would be readable by anyone who
    reads the logs. The key belongs in the form body, as the spec and API.md say."""
    from urllib.parse import quote

    from tests.functional.test_open311 import V2, form, post_form

    status, key, _ = people.api.admin("POST", "/admin/api-keys", {"name": "便民热线"})
    assert status == 201, key
    fields = form(None, description="网址里带着密钥", phone="13811114444")
    status, answer, _ = post_form(people, f"{V2}/requests.json?api_key={quote(key['api_key'])}", fields)
    assert status == 400, answer
    assert "api_key" in answer[0]["description"], answer
    assert post_form(people, f"{V2}/requests.json", form(key["api_key"], phone="13811114444"))[0] == 200


# -- the per-client code budget and IPv6 addresses that stand for one IPv4 host ------------------------------
# (kept last in the module: `limited` switches the default limits on for the module's stack)

from tests.functional.test_limits import (  # noqa: E402
    ask_codes,
    fresh_phones,
    from_address,
    limited,  # noqa: F401 (a fixture)
    otp_limits,  # noqa: F401 (a fixture)
    sms_to,
)


@pytest.mark.parametrize(
    "addresses",
    [
        [f"2002:cb00:7107:{n:x}::1" for n in range(30)],  # 6to4: the host 203.0.113.7 owns 2002:cb00:7107::/48
        [f"2001:0:4136:e378:8000:{n:x}:34ff:8ef8" for n in range(30)],  # Teredo: one client 203.0.113.7, many ports
    ],
)
def test_one_ipv4_host_behind_many_ipv6_networks_gets_one_budget(
    limited: World,  # noqa: F811
    otp_limits: Any,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    addresses: list[str],
) -> None:
    otp_limits("otp_per_client_per_hour=10")
    phones = fresh_phones(30)
    statuses = []
    for address, phone in zip(addresses, phones, strict=True):
        from_address(monkeypatch, address)
        statuses += ask_codes(limited, [phone])
    assert statuses == [202] * 10 + [429] * 20
    assert sms_to(phones) == 10


def test_clients_of_one_nat64_gateway_are_told_apart_by_the_ipv4_address_they_stand_for() -> None:
    from chalicelib.services.limits import client_bucket

    assert client_bucket("64:ff9b::cb00:7107") == "203.0.113.7"
    assert client_bucket("64:ff9b::c633:6414") == "198.51.100.20"
    assert client_bucket("2002:cb00:7107:1::1") == client_bucket("2002:cb00:7107:ffff::9") == "203.0.113.7"
