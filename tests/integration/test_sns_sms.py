"""SMS_PROVIDER=sns: templates rendered word for word; a number SNS refuses is undeliverable (on moto)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.sns import sns_backends

from chalicelib.adapters.aws import clear_clients
from chalicelib.adapters.sns import SnsSmsSender
from chalicelib.domain.errors import Undeliverable


@pytest.fixture
def sns(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    clear_clients()
    with mock_aws():
        yield
    clear_clients()


def test_a_template_goes_to_the_86_number_as_its_approved_wording(sns: None) -> None:
    SnsSmsSender("us-east-1", "https://jw24.example.cn").send("13812345678", "reply", {"number": "3F9A2C"})
    sent = sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sms_messages
    assert [(number, text) for number, text in sent.values()] == [
        (
            "+8613812345678",
            "【24小时警局】您发布的帖子（编号3F9A2C）有了民警回复，请到“我的”查看：https://jw24.example.cn",
        )
    ]


def test_a_number_sns_cannot_text_is_undeliverable(sns: None) -> None:
    with pytest.raises(Undeliverable):
        SnsSmsSender("us-east-1", "https://jw24.example.cn").send("+86-not-a-number", "reply", {"number": "3F9A2C"})
