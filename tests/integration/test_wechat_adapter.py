"""The WeChat adapter against the simulator and a moto table: sign-in codes, notices, the shared token cache."""

from __future__ import annotations

import logging
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib.adapters.dynamodb.table import Table
from chalicelib.adapters.wechat import WechatClient
from chalicelib.config import Settings
from chalicelib.domain.errors import Unavailable, Undeliverable, ValidationFailed
from local.wechat_simulator import WechatSimulator
from local.wechat_state import APP_ID, SECRET, TEMPLATE_ID
from tests.conftest import TEST_ENV
from tests.integration.test_wechat_simulator import FIELDS, Clock, NoRedirect

CALLBACK = "http://127.0.0.1:8000/api/auth/wechat/callback"
LINK = "http://127.0.0.1:8000/#/posts/p-1"


@pytest.fixture(scope="module")
def table_name() -> Iterator[str]:
    """The stack provisioned from infra/ on moto once for this module."""
    from moto import mock_aws

    from chalicelib.adapters.aws import clear_clients
    from local.provision import provision

    with pytest.MonkeyPatch.context() as patch:
        for key, value in TEST_ENV.items():
            patch.setenv(key, value)
        patch.delenv("AWS_ENDPOINT_URL", raising=False)
        clear_clients()
        with mock_aws():
            yield provision("police24-wechat")["TableName"]
        clear_clients()


@pytest.fixture
def table(table_name: str) -> Iterator[Table]:
    table = Table(table_name, "us-east-1")
    yield table
    for kind in ("access", "jsapi"):
        table.call("delete_item", TableName=table_name, Key={"PK": {"S": "WECHAT"}, "SK": {"S": f"TOKEN#{kind}"}})


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sim(clock: Clock) -> Iterator[WechatSimulator]:
    simulator = WechatSimulator(clock=clock).start()
    yield simulator
    simulator.stop()


def client(sim: WechatSimulator, table: Table, clock: Clock, **settings: Any) -> WechatClient:
    """A new adapter (as a new Lambda instance would build it) for the simulator's account."""
    config = Settings(
        wechat_app_id=APP_ID,
        wechat_secret=SECRET,
        wechat_oauth_base=sim.base_url,
        wechat_api_base=sim.base_url,
        wechat_templates=(("*", TEMPLATE_ID),),
        **settings,
    )
    return WechatClient(config, table, clock=clock)


def sign_in(url: str, openid: str) -> str:
    """Do what WeChat and the user do on the authorize page: return the code WeChat hands the callback."""
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(url.removesuffix("#wechat_redirect") + f"&openid={openid}", timeout=5)
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 302
        return parse_qs(urlsplit(redirect.headers["Location"]).query)["code"][0]
    raise AssertionError("the authorize page did not redirect")


def test_authorize_url_is_wechats_with_the_redirect_encoded(sim: WechatSimulator, table: Table, clock: Clock) -> None:
    url = client(sim, table, clock).authorize_url(CALLBACK, "st.ate")

    assert url == (
        f"{sim.base_url}/connect/oauth2/authorize?appid={APP_ID}"
        "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8000%2Fapi%2Fauth%2Fwechat%2Fcallback"
        "&response_type=code&scope=snsapi_base&state=st.ate#wechat_redirect"
    )


def test_a_sign_in_code_gives_the_openid_once(sim: WechatSimulator, table: Table, clock: Clock) -> None:
    wechat = client(sim, table, clock)
    code = sign_in(wechat.authorize_url(CALLBACK, "s"), "o-wx-wang")

    assert wechat.openid(code) == "o-wx-wang"
    with pytest.raises(ValidationFailed) as used:
        wechat.openid(code)
    assert "微信" in used.value.message


def test_an_unknown_or_expired_code_is_a_validation_error(sim: WechatSimulator, table: Table, clock: Clock) -> None:
    wechat = client(sim, table, clock)
    code = sign_in(wechat.authorize_url(CALLBACK, "s"), "o-wx-wang")
    clock.now += 301

    for bad in (code, "made-up"):
        with pytest.raises(ValidationFailed):
            wechat.openid(bad)


def test_a_wrong_secret_or_no_wechat_is_unavailable_and_nothing_secret_is_logged(
    sim: WechatSimulator, table: Table, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    code = sign_in(client(sim, table, clock).authorize_url(CALLBACK, "s"), "o-wx-wang")
    wrong = WechatClient(
        Settings(wechat_app_id=APP_ID, wechat_secret="wrong", wechat_api_base=sim.base_url), table, clock=clock
    )

    with pytest.raises(Unavailable):
        wrong.openid(code)
    sim.stop()
    with pytest.raises(Unavailable):
        client(sim, table, clock).openid(code)
    assert [getattr(record, "errcode", None) for record in caplog.records if record.levelname == "ERROR"] == [40125]
    assert code not in caplog.text and SECRET not in caplog.text and "wrong" not in caplog.text


def test_the_token_is_cached_in_the_table_for_every_instance(sim: WechatSimulator, table: Table, clock: Clock) -> None:
    client(sim, table, clock).send("o-wx-zhang", TEMPLATE_ID, FIELDS, LINK)
    client(sim, table, clock).send("o-wx-wang", TEMPLATE_ID, FIELDS, LINK)

    assert sim.issued == 1
    assert [m["touser"] for m in sim.messages()] == ["o-wx-zhang", "o-wx-wang"]
    cached = table.get("WECHAT", "TOKEN#access")
    assert cached is not None and cached["expires_at"] == int(clock.now) + 7200 and cached["value"]


def test_the_token_is_refreshed_five_minutes_before_it_expires(
    sim: WechatSimulator, table: Table, clock: Clock
) -> None:
    wechat = client(sim, table, clock)
    wechat.send("o-wx-zhang", TEMPLATE_ID, FIELDS, LINK)
    clock.now += 7200 - 400
    wechat.send("o-wx-zhang", TEMPLATE_ID, FIELDS, LINK)
    assert sim.issued == 1

    clock.now += 150
    wechat.send("o-wx-zhang", TEMPLATE_ID, FIELDS, LINK)
    assert sim.issued == 2 and len(sim.messages()) == 3


def test_an_expired_token_is_refreshed_once_and_the_notice_retried(
    sim: WechatSimulator, table: Table, clock: Clock
) -> None:
    wechat = client(sim, table, clock)
    wechat.send("o-wx-zhang", TEMPLATE_ID, FIELDS, LINK)
    urllib.request.urlopen(urllib.request.Request(f"{sim.base_url}/sim/expire-tokens", data=b"{}"), timeout=5)

    client(sim, table, clock).send("o-wx-han-lijun", TEMPLATE_ID, FIELDS, LINK)
    wechat.send("o-wx-wang", TEMPLATE_ID, FIELDS, LINK)

    assert sim.issued == 2  # one forced refresh, written to the table: the first instance finds it there, no more
    assert [m["touser"] for m in sim.messages()] == ["o-wx-zhang", "o-wx-han-lijun", "o-wx-wang"]


def test_a_user_who_refused_notices_is_undeliverable_without_a_retry(
    sim: WechatSimulator, table: Table, clock: Clock
) -> None:
    wechat = client(sim, table, clock)

    for openid in ("o-wx-refuse", "o-wx-nobody"):
        with pytest.raises(Undeliverable):
            wechat.send(openid, TEMPLATE_ID, FIELDS, LINK)

    assert sim.issued == 1 and sim.messages() == []


def test_a_wrong_template_is_undeliverable_and_logged(
    sim: WechatSimulator, table: Table, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(Undeliverable):
        client(sim, table, clock).send("o-wx-zhang", "no-such-template", FIELDS, LINK)

    assert [getattr(record, "errcode", None) for record in caplog.records if record.levelname == "ERROR"] == [40037]


@pytest.mark.parametrize(("messages", "api"), [("subscribe", "subscribe"), ("template", "template")])
def test_notices_go_through_the_configured_api_with_their_link(
    sim: WechatSimulator, table: Table, clock: Clock, messages: str, api: str
) -> None:
    client(sim, table, clock, wechat_messages=messages).send("o-wx-zhang", TEMPLATE_ID, FIELDS, LINK)

    assert [(m["api"], m["url"], m["data"]) for m in sim.messages()] == [(api, LINK, FIELDS)]


def test_wechat_out_of_reach_is_unavailable(sim: WechatSimulator, table: Table, clock: Clock) -> None:
    sim.stop()

    with pytest.raises(Unavailable):
        client(sim, table, clock).send("o-wx-zhang", TEMPLATE_ID, FIELDS, LINK)


def test_the_jsapi_ticket_is_cached_in_the_table(sim: WechatSimulator, table: Table, clock: Clock) -> None:
    first = client(sim, table, clock).jsapi_ticket()
    second = client(sim, table, clock).jsapi_ticket()

    assert first == second and sim.issued == 1
    cached = table.get("WECHAT", "TOKEN#jsapi")
    assert cached is not None and cached["value"] == first
