"""SMS_PROVIDER: who sends the SMS templates (SNS, Tencent Cloud SMS, or nobody where no provider is set up)."""

from __future__ import annotations

import logging
import sys

import pytest

from chalicelib import bootstrap
from chalicelib.adapters.sms import LogSmsSender, sms_sender
from chalicelib.adapters.sns import SnsSmsSender
from chalicelib.adapters.tencent_sms import TencentSmsSender, endpoint_of
from chalicelib.config import Settings
from chalicelib.domain.messages import SMS_TEMPLATES

ALL_IDS = tuple((key, str(100001 + n)) for n, key in enumerate(SMS_TEMPLATES))


def tencent(**changes: object) -> Settings:
    base: dict[str, object] = {
        "sms_provider": "tencent",
        "sms_templates": ALL_IDS,
        "sms_sign_name": "包头公安",
        "sms_app_id": "1400000001",
        "sms_credentials": "AKIDexample:secret-key",
    }
    return Settings(**{**base, **changes})  # type: ignore[arg-type]


def test_sns_is_the_default_provider() -> None:
    settings = Settings.from_env({})
    assert settings.sms_provider == "sns"
    assert isinstance(sms_sender(settings), SnsSmsSender)


def test_the_log_provider_sends_nothing_and_never_logs_the_parameters(caplog: pytest.LogCaptureFixture) -> None:
    sender = sms_sender(Settings(sms_provider="log", region="cn-north-1"))
    assert isinstance(sender, LogSmsSender)
    with caplog.at_level(logging.INFO, logger="chalicelib.adapters.sms"):
        sender.send("13812345678", "otp", {"code": "123456", "minutes": "5"})
    (record,) = caplog.records
    assert record.to == "138****5678" and record.template == "otp"  # type: ignore[attr-defined]
    assert "123456" not in caplog.text and "13812345678" not in caplog.text


def test_tencent_is_chosen_by_name_without_loading_its_sdk() -> None:
    loaded = {name for name in sys.modules if name.startswith("tencentcloud")}
    sender = sms_sender(tencent())
    assert isinstance(sender, TencentSmsSender)
    assert sender.template_ids["officer_new"] == dict(ALL_IDS)["officer_new"]
    assert (sender.scheme, sender.host) == ("https", "sms.tencentcloudapi.com")
    assert {name for name in sys.modules if name.startswith("tencentcloud")} == loaded  # imported on first send
    assert "secret-key" not in repr(sender)


def test_a_template_without_a_tencent_id_is_refused_when_the_sender_is_built() -> None:
    partial = tuple(pair for pair in ALL_IDS if pair[0] not in ("resolved", "officer_follow_up"))
    with pytest.raises(ValueError, match="missing: resolved, officer_follow_up"):
        sms_sender(tencent(sms_templates=partial))


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"sms_app_id": ""}, "SMS_APP_ID"),
        ({"sms_sign_name": ""}, "SMS_SIGN_NAME"),
        ({"sms_credentials": "only-an-id"}, "SMS_CREDENTIALS"),
    ],
)
def test_tencent_without_its_account_settings_is_refused_by_name(change: dict[str, str], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        sms_sender(tencent(**change))


def test_the_endpoint_is_tencents_host_or_a_local_fake() -> None:
    assert endpoint_of("") == ("https", "sms.tencentcloudapi.com")
    assert endpoint_of("sms.ap-beijing.tencentcloudapi.com") == ("https", "sms.ap-beijing.tencentcloudapi.com")
    assert endpoint_of("http://127.0.0.1:9911/") == ("http", "127.0.0.1:9911")


def test_an_unknown_provider_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="sns, tencent, log"):
        sms_sender(Settings(sms_provider="aliyun"))


def test_bootstrap_builds_the_configured_sender() -> None:
    settings = Settings(sms_provider="log", token_keys=(("k1", "s" * 32),))
    services = bootstrap.build(settings)
    assert isinstance(services.identity.sms, LogSmsSender)
    assert isinstance(services.dispatcher.notices.messenger.sms, LogSmsSender)  # officer notices' last channel
    assert isinstance(services.dispatcher.authors.messenger.sms, LogSmsSender)  # "police answered you"
