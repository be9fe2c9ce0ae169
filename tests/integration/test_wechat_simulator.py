"""The WeChat simulator answers as WeChat does: sign-in codes, tokens, notices and WeChat's error shape."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from local.wechat_simulator import WechatSimulator
from local.wechat_state import APP_ID, SECRET, TEMPLATE_ID

SITE = "http://127.0.0.1:8000/api/auth/wechat/callback"
FIELDS = {
    "thing1": "咨询求助·昆都仑区",
    "character_string2": "A1B2C3",
    "phrase3": "已回复",
    "time4": "2026-12-03 14:05",
}


class Clock:
    """Seconds since the epoch, moved by the test."""

    def __init__(self) -> None:
        self.now = 1_780_000_000.0

    def __call__(self) -> float:
        return self.now


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sim(clock: Clock) -> Iterator[WechatSimulator]:
    simulator = WechatSimulator(clock=clock).start()
    yield simulator
    simulator.stop()


def get(sim: WechatSimulator, path: str, **query: str) -> tuple[int, dict[str, str], str]:
    """GET without following redirects; return status, headers and text."""
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(f"{sim.base_url}{path}?{urlencode(query)}", timeout=5) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def get_json(sim: WechatSimulator, path: str, **query: str) -> dict[str, Any]:
    status, headers, text = get(sim, path, **query)
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    answer: dict[str, Any] = json.loads(text)
    return answer


def post(sim: WechatSimulator, path: str, body: Any, **query: str) -> dict[str, Any]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(f"{sim.base_url}{path}?{urlencode(query)}", data=data, method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        answer: dict[str, Any] = json.loads(response.read())
        return answer


def authorize(sim: WechatSimulator, openid: str | None = None, **changes: str) -> tuple[int, dict[str, str], str]:
    query = {"appid": APP_ID, "redirect_uri": SITE, "response_type": "code", "scope": "snsapi_base", "state": "s-1"}
    query.update(changes)
    if openid:
        query["openid"] = openid
    return get(sim, "/connect/oauth2/authorize", **query)


def sign_in_code(sim: WechatSimulator, openid: str) -> str:
    _, headers, _ = authorize(sim, openid)
    return parse_qs(urlsplit(headers["Location"]).query)["code"][0]


def exchange(sim: WechatSimulator, sign_in: str, **changes: str) -> dict[str, Any]:
    query = {"appid": APP_ID, "secret": SECRET, "code": sign_in, "grant_type": "authorization_code", **changes}
    return get_json(sim, "/sns/oauth2/access_token", **query)


def token(sim: WechatSimulator) -> str:
    answer = get_json(sim, "/cgi-bin/token", grant_type="client_credential", appid=APP_ID, secret=SECRET)
    return str(answer["access_token"])


def bizsend(sim: WechatSimulator, access_token: str, touser: str = "o-wx-zhang", **fields: str) -> dict[str, Any]:
    data = {name: {"value": value} for name, value in {**FIELDS, **fields}.items()}
    body = {"touser": touser, "template_id": TEMPLATE_ID, "page": "http://127.0.0.1:8000/#/p/1", "data": data}
    return post(sim, "/cgi-bin/message/subscribe/bizsend", body, access_token=access_token)


def test_authorize_shows_a_picker_of_test_users_linking_back_with_their_openid(sim: WechatSimulator) -> None:
    status, headers, page = authorize(sim)

    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "请选择" in page and "张先生" in page and "韩立军" in page
    assert "&amp;openid=o-wx-zhang" in page and "&amp;openid=o-wx-han-lijun" in page


def test_authorize_with_an_openid_redirects_with_a_code_and_the_state_unchanged(sim: WechatSimulator) -> None:
    status, headers, _ = authorize(sim, "o-wx-wang", state="abc.DEF-123")

    assert status == 302
    target = urlsplit(headers["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == SITE
    query = parse_qs(target.query)
    assert query["state"] == ["abc.DEF-123"] and len(query["code"][0]) >= 16


@pytest.mark.parametrize(
    ("change", "errcode"),
    [
        ({"appid": "wx-other"}, "40013"),
        ({"redirect_uri": "javascript:alert(1)"}, "10003"),
        ({"response_type": "token"}, "40097"),
        ({"scope": "snsapi_login"}, "10005"),
    ],
)
def test_authorize_refuses_bad_parameters_with_wechats_code(
    sim: WechatSimulator, change: dict[str, str], errcode: str
) -> None:
    status, _, page = authorize(sim, "o-wx-zhang", **change)

    assert status == 400 and f"错误码：{errcode}" in page


def test_a_code_gives_the_openid_once(sim: WechatSimulator) -> None:
    code = sign_in_code(sim, "o-wx-zhang")

    first = exchange(sim, code)
    again = exchange(sim, code)

    assert first["openid"] == "o-wx-zhang" and first["scope"] == "snsapi_base" and first["expires_in"] == 7200
    assert first["access_token"] and first["refresh_token"] and sim.issued == 0  # a web token, not the account's
    assert bizsend(sim, first["access_token"])["errcode"] == 40001
    assert again == {"errcode": 40163, "errmsg": "code been used"}


def test_a_code_expires_after_five_minutes(sim: WechatSimulator, clock: Clock) -> None:
    code = sign_in_code(sim, "o-wx-zhang")
    clock.now += 301

    assert exchange(sim, code)["errcode"] == 40029


@pytest.mark.parametrize(
    ("change", "errcode"), [({"code": "nope"}, 40029), ({"appid": "wx-other"}, 40013), ({"secret": "x"}, 40125)]
)
def test_a_bad_exchange_is_refused(sim: WechatSimulator, change: dict[str, str], errcode: int) -> None:
    code = sign_in_code(sim, "o-wx-zhang")

    assert exchange(sim, code, **change)["errcode"] == errcode


def test_token_issues_a_new_token_each_call_and_the_old_one_lasts_five_minutes(
    sim: WechatSimulator, clock: Clock
) -> None:
    old, new = token(sim), token(sim)

    assert old != new and sim.issued == 2
    assert bizsend(sim, old)["errcode"] == 0
    clock.now += 301
    assert bizsend(sim, old)["errcode"] == 42001
    assert bizsend(sim, new)["errcode"] == 0


def test_stable_token_returns_the_current_token_unless_forced(sim: WechatSimulator) -> None:
    body = {"grant_type": "client_credential", "appid": APP_ID, "secret": SECRET, "force_refresh": False}

    first = post(sim, "/cgi-bin/stable_token", body)
    same = post(sim, "/cgi-bin/stable_token", body)
    forced = post(sim, "/cgi-bin/stable_token", {**body, "force_refresh": True})

    assert first["access_token"] == same["access_token"] and first["expires_in"] == 7200
    assert forced["access_token"] != first["access_token"] and sim.issued == 2
    assert bizsend(sim, first["access_token"])["errcode"] == 40001
    assert post(sim, "/cgi-bin/stable_token", {**body, "secret": "x"})["errcode"] == 40125


def test_bizsend_records_the_notice(sim: WechatSimulator) -> None:
    answer = bizsend(sim, token(sim))

    assert answer["errcode"] == 0 and answer["errmsg"] == "ok" and answer["msgid"]
    assert get_json(sim, "/sim/messages")["messages"] == [
        {
            "msgid": answer["msgid"],
            "api": "subscribe",
            "touser": "o-wx-zhang",
            "template_id": TEMPLATE_ID,
            "url": "http://127.0.0.1:8000/#/p/1",
            "data": FIELDS,
        }
    ]


def test_template_send_takes_its_link_as_url(sim: WechatSimulator) -> None:
    body = {
        "touser": "o-wx-han-lijun",
        "template_id": TEMPLATE_ID,
        "url": "http://127.0.0.1:8000/reply.html#t=abc",
        "data": {name: {"value": value} for name, value in FIELDS.items()},
    }

    answer = post(sim, "/cgi-bin/message/template/send", body, access_token=token(sim))

    assert answer["errcode"] == 0
    assert [(m["api"], m["url"]) for m in sim.messages()] == [("template", "http://127.0.0.1:8000/reply.html#t=abc")]


@pytest.mark.parametrize(
    ("touser", "fields", "errcode"),
    [
        ("o-wx-nobody", {}, 40003),
        ("o-wx-refuse", {}, 43101),
        ("o-wx-zhang", {"thing1": "事" * 21}, 47003),
        ("o-wx-zhang", {"phrase3": "已经回复了的"}, 47003),
        ("o-wx-zhang", {"character_string2": "A" * 33}, 47003),
        ("o-wx-zhang", {"time4": "下午两点"}, 47003),
        ("o-wx-zhang", {"thing1": ""}, 47003),
    ],
)
def test_bizsend_refuses_what_wechat_refuses(
    sim: WechatSimulator, touser: str, fields: dict[str, str], errcode: int
) -> None:
    answer = bizsend(sim, token(sim), touser, **fields)

    assert answer["errcode"] == errcode and answer["errmsg"]
    assert sim.messages() == []


def test_bizsend_refuses_unknown_and_expired_tokens(sim: WechatSimulator) -> None:
    good = token(sim)

    assert bizsend(sim, "not-a-token")["errcode"] == 40001
    assert post(sim, "/sim/expire-tokens", {}) == {"expired": 1}
    assert bizsend(sim, good)["errcode"] == 42001


def test_a_user_can_start_refusing_notices(sim: WechatSimulator) -> None:
    post(sim, "/sim/refuse", {"openid": "o-wx-wang"})

    assert bizsend(sim, token(sim), "o-wx-wang")["errcode"] == 43101


def test_a_body_that_is_not_json_is_a_data_format_error(sim: WechatSimulator) -> None:
    answer = post(sim, "/cgi-bin/message/subscribe/bizsend", b"{not json", access_token=token(sim))

    assert answer == {"errcode": 47001, "errmsg": "data format error"}


def test_getticket_gives_a_jsapi_ticket_for_a_good_token(sim: WechatSimulator) -> None:
    answer = get_json(sim, "/cgi-bin/ticket/getticket", access_token=token(sim), type="jsapi")

    assert answer["errcode"] == 0 and answer["ticket"] and answer["expires_in"] == 7200
    assert get_json(sim, "/cgi-bin/ticket/getticket", access_token="bad", type="jsapi")["errcode"] == 40001
