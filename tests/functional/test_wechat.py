"""WeChat sign-in and notices through the real app against the WeChat simulator (as `make dev` runs them):
the signed single-use state, the code exchange, single-use tickets, binding once by phone, officers, notices."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from chalicelib.services.dispatch import post_number
from tests.conftest import WECHAT, Api, deliver, last_code, sent_sms
from tests.posting import new_post

RESIDENT = "13812340001"
SITE = "http://127.0.0.1:8000"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def authorize(location: str, openid: str) -> tuple[str, str]:
    """Pick a test user on the simulator's authorize page; return the (code, state) WeChat sends back."""
    url = location.split("#", 1)[0] + f"&openid={quote(openid)}"
    opener = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirected:
        opener.open(url, timeout=5)
    assert redirected.value.code == 302
    back = urlsplit(redirected.value.headers["Location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == f"{SITE}/api/auth/wechat/callback"
    query = parse_qs(back.query)
    return query["code"][0], query["state"][0]


BROWSER = {"Cookie": ""}  # the browser's cookie jar, one cookie: the WeChat sign-in it started


def start(api: Api, next_path: str = "/") -> str:
    status, body, headers = api.call("GET", f"/auth/wechat/start?next={quote(next_path)}")
    assert status == 302, body
    cookie = headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/api/auth" in cookie
    BROWSER["Cookie"] = cookie.split(";", 1)[0]
    return headers["Location"]


def callback(api: Api, code: str, state: str) -> tuple[int, Any, dict[str, str]]:
    return api.call("GET", f"/auth/wechat/callback?code={code}&state={quote(state)}", headers=BROWSER)


def ticket_for(api: Api, openid: str, next_path: str = "/") -> str:
    """Go through WeChat as `openid` and back; return the ticket the page finds in its address."""
    code, state = authorize(start(api, next_path), openid)
    status, body, headers = callback(api, code, state)
    assert status == 302, body
    assert headers["Location"].startswith(SITE + next_path)
    return str(re.search(r"wx=([A-Za-z0-9_-]+)$", headers["Location"]).group(1))  # type: ignore[union-attr]


def wechat_session(api: Api, ticket: str) -> dict[str, Any]:
    status, body, _ = api.call("POST", "/auth/wechat/session", {"ticket": ticket}, headers=BROWSER)
    assert status == 200, body
    return dict(body)


def bind(api: Api, openid: str, phone: str) -> str:
    """Bind a WeChat user to a phone's account the one time it takes a code; return the session token."""
    found = wechat_session(api, ticket_for(api, openid))
    assert found == {"bind_required": True, "ticket": found["ticket"]}
    assert api.call("POST", "/auth/otp", {"phone": phone})[0] == 202
    body = {"phone": phone, "code": last_code(phone), "wechat_ticket": found["ticket"]}
    status, session, _ = api.call("POST", "/auth/session", body, headers=BROWSER)
    assert status == 200, session
    return str(session["token"])


def sent_to(openid: str) -> list[dict[str, Any]]:
    return [m for m in WECHAT[0].messages() if m["touser"] == openid]


def test_the_start_goes_to_wechats_authorize_page_with_our_callback_and_a_state(api: Api, aws: dict) -> None:
    location = start(api, "/#/me")
    parts = urlsplit(location)
    query = parse_qs(parts.query)
    assert location.startswith(aws["WechatBase"] + "/connect/oauth2/authorize?") and parts.fragment == "wechat_redirect"
    assert query["redirect_uri"] == [f"{SITE}/api/auth/wechat/callback"] and query["scope"] == ["snsapi_base"]
    assert query["appid"] == [WECHAT[0].state.app_id] and "secret" not in location
    assert api.call("GET", "/auth/wechat/start?next=//evil.example/")[0] == 400


def test_a_resident_binds_once_then_signs_in_from_wechat_with_no_sms(api: Api, aws: dict, directory: dict) -> None:
    token = bind(api, "o-wx-zhang", RESIDENT)
    codes = len(sent_sms(RESIDENT))

    again = wechat_session(api, ticket_for(api, "o-wx-zhang", "/#/me"))

    assert set(again) == {"token", "user"} and again["user"]["role"] == "citizen"
    assert len(sent_sms(RESIDENT)) == codes  # no code this time
    me = api.call("GET", "/me", token=again["token"])[1]
    assert me["id"] == api.call("GET", "/me", token=token)[1]["id"] and me["wechat"] is True
    assert me["notify"] == ["wechat", "sms"]


def test_a_bad_or_reused_state_an_expired_code_and_a_reused_ticket_are_refused(api: Api, aws: dict) -> None:
    code, state = authorize(start(api), "o-wx-zhang")
    nonce, signature = state.split(".")
    forged = f"{nonce}.{'A' * len(signature)}"
    assert callback(api, code, forged)[0] == 400
    assert callback(api, code, state)[0] == 302
    assert callback(api, code, state)[0] == 400  # state used

    code, state = authorize(start(api), "o-wx-zhang")
    WECHAT[0].state.codes[code].issued -= 301  # WeChat's codes live five minutes
    status, body, _ = callback(api, code, state)
    assert status == 400 and body["error"]["code"] == "validation_error"

    ticket = ticket_for(api, "o-wx-wang")
    wechat_session(api, ticket)
    assert api.call("POST", "/auth/wechat/session", {"ticket": ticket}, headers=BROWSER)[0] == 401  # single use
    assert api.call("POST", "/auth/wechat/session", {"ticket": "x"}, headers=BROWSER)[0] == 400


def test_a_wrong_code_keeps_the_bind_ticket_and_nothing_is_bound(api: Api, aws: dict) -> None:
    found = wechat_session(api, ticket_for(api, "o-wx-wang"))
    assert api.call("POST", "/auth/otp", {"phone": RESIDENT})[0] == 202
    right = last_code(RESIDENT)
    wrong = "000000" if right != "000000" else "111111"

    body = {"phone": RESIDENT, "code": wrong, "wechat_ticket": found["ticket"]}
    assert api.call("POST", "/auth/session", body, headers=BROWSER)[0] == 401
    assert api.call("POST", "/auth/session", {**body, "code": right}, headers=BROWSER)[0] == 200
    assert "token" in wechat_session(api, ticket_for(api, "o-wx-wang"))  # bound by the retry


def test_an_officer_binds_with_the_directory_phone_and_gets_dispatches_by_wechat_with_the_reply_link(
    api: Api, aws: dict, directory: dict
) -> None:
    officer_phone = directory["officers"]["o-qingfu"]["phone"]
    token = bind(api, "o-wx-o-qingfu", officer_phone)
    assert api.call("GET", "/me", token=token)[1]["role"] == "officer"
    resident = api.sign_in(RESIDENT)

    created = new_post(api, resident, district="东河区", title="东河区路口信号灯坏了")
    deliver(api.client, aws)

    (message,) = sent_to("o-wx-o-qingfu")
    assert message["data"]["character_string2"] == post_number(created["id"])
    assert "信号灯" not in str(message["data"])  # never the resident's words
    link = re.fullmatch(rf"{re.escape(SITE)}/reply\.html#t=(\S+)", message["url"])
    assert link, message
    status, session, _ = api.call("POST", "/auth/link", {"token": link.group(1)})
    assert status == 200 and session["post_id"] == created["id"]
    assert [t for _, t in sent_sms(officer_phone) if "验证码" not in t] == []  # no SMS besides the one code


def test_a_bound_resident_hears_the_answer_by_wechat_with_the_posts_link_and_no_sms(
    api: Api, aws: dict, directory: dict
) -> None:
    token = bind(api, "o-wx-zhang", RESIDENT)
    codes = len(sent_sms(RESIDENT))
    created = new_post(api, token, district="东河区", title="楼下有人吵架")
    deliver(api.client, aws)
    officer = api.sign_in(directory["officers"]["o-qingfu"]["phone"])
    assert api.call("POST", f"/posts/{created['id']}/replies", {"body": "民警已出发"}, token=officer)[0] == 201
    deliver(api.client, aws)

    states = [m["data"]["phrase3"] for m in sent_to("o-wx-zhang")]
    assert states == ["已分派", "民警已回复"]
    assert sent_to("o-wx-zhang")[-1]["url"] == f"{SITE}/#/post/{created['id']}"
    assert len(sent_sms(RESIDENT)) == codes


def test_a_wechat_account_bound_by_one_resident_is_a_conflict_for_another(api: Api, aws: dict) -> None:
    early = wechat_session(api, ticket_for(api, "o-wx-zhang"))["ticket"]  # before anyone bound it
    early_browser = dict(BROWSER)
    bind(api, "o-wx-zhang", RESIDENT)
    other = "13812340002"
    assert api.call("POST", "/auth/otp", {"phone": other})[0] == 202
    body = {"phone": other, "code": last_code(other), "wechat_ticket": early}
    status, error, _ = api.call("POST", "/auth/session", body, headers=early_browser)
    assert status == 409, error


def test_a_sign_in_link_forwarded_to_someone_else_binds_nothing(api: Api, aws: dict) -> None:
    """An attacker's own WeChat sign-in link (`#wx=`), opened by a victim who then enters her phone and code,
    must not bind the attacker's WeChat to her account."""
    ticket = ticket_for(api, "o-wx-wang")  # the attacker's browser holds the cookie
    victim = {"Cookie": "p24_wx=the-victims-own-browser-0123456789"}
    status, body, _ = api.call("POST", "/auth/wechat/session", {"ticket": ticket}, headers=victim)
    assert status == 401, body
    status, body, _ = api.call("POST", "/auth/wechat/session", {"ticket": ticket})  # no cookie at all
    assert status == 401, body
    assert api.call("POST", "/auth/wechat/session", {"ticket": ticket}, headers=BROWSER)[0] == 401  # used up


def test_unbinding_and_choosing_channels(api: Api, aws: dict) -> None:
    token = bind(api, "o-wx-zhang", RESIDENT)

    assert api.call("PATCH", "/me", {"notify": ["sms", "wechat"]}, token=token)[1]["notify"] == ["sms", "wechat"]
    for bad in ([], ["sms", "sms"], ["email"], ["fax"]):
        status, error, _ = api.call("PATCH", "/me", {"notify": bad}, token=token)
        assert status == 400 and "notify" in str(error), (bad, error)
    assert api.call("PATCH", "/me", {}, token=token)[0] == 400
    assert api.call("DELETE", "/me/wechat", token=token)[0] == 204
    me = api.call("GET", "/me", token=token)[1]
    assert me["wechat"] is False and me["notify"] == ["sms", "wechat"]
    assert wechat_session(api, ticket_for(api, "o-wx-zhang"))["bind_required"] is True


def test_the_config_and_the_share_cards_signature(api: Api, aws: dict) -> None:
    config = api.call("GET", "/auth/wechat/config")[1]
    assert config == {"enabled": True, "app_id": WECHAT[0].state.app_id, "simulator": True}
    status, signed, _ = api.call("GET", f"/wechat/jssdk?url={quote(SITE + '/')}")
    assert status == 200 and set(signed) == {"app_id", "timestamp", "nonce_str", "signature"}
    assert api.call("GET", f"/wechat/jssdk?url={quote('https://evil.example/')}")[0] == 400
