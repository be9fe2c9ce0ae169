"""SMS_PROVIDER=tencent: the real Tencent SDK sends our templates through a fake SendSms endpoint."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator

import pytest

from chalicelib.adapters.sms import sms_sender
from chalicelib.adapters.tencent_sms import TencentSmsSender
from chalicelib.config import Settings
from chalicelib.domain.errors import TooManyRequests, Unavailable, Undeliverable
from tests.integration.tencent_fake import FakeTencentSms

SECRET_ID, SECRET_KEY = "AKIDfake0123456789", "fake-secret-key-0123456789"
TEMPLATE_IDS = (
    "otp=100001,reply=100002,resolved=100003,officer_new=100004,officer_escalated=100005,officer_follow_up=100006"
)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTencentSms]:
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    server = FakeTencentSms(SECRET_ID, SECRET_KEY).start()
    yield server
    server.stop()


def settings(endpoint: str, credentials: str = f"{SECRET_ID}:{SECRET_KEY}") -> Settings:
    return Settings.from_env(
        {
            "SMS_PROVIDER": "tencent",
            "SMS_TEMPLATES": TEMPLATE_IDS,
            "SMS_SIGN_NAME": "包头公安",
            "SMS_APP_ID": "1400000001",
            "SMS_ENDPOINT": endpoint,
            "SMS_CREDENTIALS": credentials,
        }
    )


def test_a_template_goes_out_with_its_id_its_parameters_in_order_the_sign_and_a_86_number(
    fake: FakeTencentSms,
) -> None:
    sender = sms_sender(settings(fake.endpoint))
    assert isinstance(sender, TencentSmsSender)
    sender.send("13812345678", "officer_new", {"due": "15分钟内回复", "number": "3F9A2C"})
    sender.send("+8613900001111", "otp", {"minutes": "5", "code": "123456"})
    first, second = (request["body"] for request in fake.requests)
    assert first == {
        "PhoneNumberSet": ["+8613812345678"],
        "SmsSdkAppId": "1400000001",
        "SignName": "包头公安",
        "TemplateId": "100004",
        "TemplateParamSet": ["3F9A2C", "15分钟内回复"],  # the template's order: number, then due
    }
    assert second["TemplateId"] == "100001" and second["TemplateParamSet"] == ["123456", "5"]
    assert second["PhoneNumberSet"] == ["+8613900001111"]
    headers = fake.requests[0]["headers"]
    assert headers["x-tc-action"] == "SendSms" and headers["x-tc-version"] == "2021-01-11"


def test_a_wrong_secret_is_refused_by_the_signature_check(fake: FakeTencentSms) -> None:
    sender = sms_sender(settings(fake.endpoint, credentials=f"{SECRET_ID}:not-the-secret"))
    with pytest.raises(Unavailable):  # AuthFailure: our configuration, not this number: retried, alarmed
        sender.send("13812345678", "reply", {"number": "3F9A2C"})


@pytest.mark.parametrize(
    "code",
    [
        "FailedOperation.PhoneNumberInBlacklist",
        "InvalidParameterValue.IncorrectPhoneNumber",
        "FailedOperation.TemplateIncorrectOrUnapproved",
    ],
)
def test_a_refused_number_or_template_is_undeliverable(fake: FakeTencentSms, code: str) -> None:
    fake.error = code
    with pytest.raises(Undeliverable, match=code):
        sms_sender(settings(fake.endpoint)).send("13812345678", "resolved", {"number": "3F9A2C"})


def test_a_number_the_provider_did_not_take_is_undeliverable(fake: FakeTencentSms) -> None:
    fake.number_code = "FailedOperation.PhoneNumberInBlacklist"
    with pytest.raises(Undeliverable):
        sms_sender(settings(fake.endpoint)).send("13812345678", "reply", {"number": "3F9A2C"})


@pytest.mark.parametrize("code", ["LimitExceeded.PhoneNumberDailyLimit", "LimitExceeded.PhoneNumberThirtySecondLimit"])
def test_a_numbers_own_frequency_limit_is_too_many_requests_not_a_bad_number(fake: FakeTencentSms, code: str) -> None:
    fake.number_code = code
    with pytest.raises(TooManyRequests) as limited:
        sms_sender(settings(fake.endpoint)).send("13812345678", "otp", {"code": "123456", "minutes": "5"})
    assert limited.value.retry_after == 60


@pytest.mark.parametrize(
    "code", ["RequestLimitExceeded", "InternalError.Timeout", "LimitExceeded.GlobalSmsSendingRateLimit"]
)
def test_throttling_and_internal_errors_pass(fake: FakeTencentSms, code: str) -> None:
    fake.error = code
    with pytest.raises(Unavailable):
        sms_sender(settings(fake.endpoint)).send("13812345678", "reply", {"number": "3F9A2C"})


def test_a_server_fault_and_a_dead_endpoint_pass(fake: FakeTencentSms) -> None:
    fake.http_status = 502
    with pytest.raises(Unavailable):
        sms_sender(settings(fake.endpoint)).send("13812345678", "reply", {"number": "3F9A2C"})
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    with pytest.raises(Unavailable):
        sms_sender(settings(f"http://127.0.0.1:{closed}")).send("13812345678", "reply", {"number": "3F9A2C"})


def test_neither_the_code_nor_the_secret_reaches_the_logs(
    fake: FakeTencentSms, caplog: pytest.LogCaptureFixture
) -> None:
    fake.error = "FailedOperation.PhoneNumberInBlacklist"
    with caplog.at_level(logging.DEBUG), pytest.raises(Undeliverable) as refused:
        sms_sender(settings(fake.endpoint)).send("13812345678", "otp", {"code": "864209", "minutes": "5"})
    assert caplog.records  # the refusal is logged, with its code
    text = caplog.text + str(refused.value) + repr(refused.value.__cause__) + repr(sms_sender(settings(fake.endpoint)))
    assert "864209" not in text and SECRET_KEY not in text
    codes = [getattr(record, "code", None) for record in caplog.records]
    assert "FailedOperation.PhoneNumberInBlacklist" in codes
