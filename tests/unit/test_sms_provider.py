"""SMS_PROVIDER: who sends citizens' texts (SNS, or nobody where SNS has no SMS, e.g. the China regions)."""

from __future__ import annotations

import logging

import pytest

from chalicelib import bootstrap
from chalicelib.adapters.sms import LogSmsSender, sms_sender
from chalicelib.adapters.sns import SnsSmsSender
from chalicelib.config import Settings


def test_sns_is_the_default_provider() -> None:
    assert Settings.from_env({}).sms_provider == "sns"
    assert isinstance(sms_sender("sns", "us-east-1"), SnsSmsSender)


def test_the_log_provider_sends_nothing_and_never_logs_the_text(caplog: pytest.LogCaptureFixture) -> None:
    sender = sms_sender("log", "cn-north-1")
    assert isinstance(sender, LogSmsSender)
    with caplog.at_level(logging.INFO, logger="chalicelib.adapters.sms"):
        sender.send("13812345678", "【24小时警局】您的验证码是123456,5分钟内有效。")
    (record,) = caplog.records
    assert record.to == "138****5678"  # type: ignore[attr-defined]
    assert "123456" not in caplog.text and "13812345678" not in caplog.text


def test_an_unknown_provider_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="sns, log"):
        sms_sender("aliyun", "cn-north-1")


def test_bootstrap_builds_the_configured_sender() -> None:
    settings = Settings(sms_provider="log", token_keys=(("k1", "s" * 32),))
    services = bootstrap.build(settings)
    assert isinstance(services.identity.sms, LogSmsSender)
    assert isinstance(services.dispatcher.sms, LogSmsSender)
