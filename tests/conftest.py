"""Shared fixtures: moto in-process, the stack provisioned from infra/, and the Chalice test client."""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest

from local.fake_aws import MOTO_ENV

ROOT = Path(__file__).resolve().parent.parent
ADMIN_KEY = "test-admin-key"
TEST_ENV = {
    **MOTO_ENV,
    "STAGE": "test",
    "ADMIN_KEY": ADMIN_KEY,
    "TOKEN_KEYS": "k1:test-signing-secret-0123456789abcdef",
    "SITE_URL": "http://127.0.0.1:8000",
    "CAD_SECRET": "test-cad-secret",
    # Posting limits are off for the suite; the limit tests switch them on. OTP limits stay at their defaults.
    "RATE_LIMITS": "post_interval=0,posts_per_day=0,posts_first_day=0,reply_interval=0,duplicate_window=0",
}
os.environ.update(TEST_ENV)
os.environ.pop("AWS_ENDPOINT_URL", None)


WECHAT: list[Any] = []  # the WeChat simulator of the running moto stack (tests look at what it sent)


@contextmanager
def moto_stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """Start moto in-process, provision the stack from infra/ and point the app at it."""
    from moto import mock_aws

    from chalicelib import bootstrap
    from chalicelib.adapters.aws import clear_clients
    from local.provision import provision
    from local.wechat_simulator import WechatSimulator

    for key, value in TEST_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    clear_clients()
    bootstrap.reset()
    wechat = WechatSimulator().start()  # the official account, as `make dev` runs it
    WECHAT[:] = [wechat]
    for key, value in wechat.env().items():
        monkeypatch.setenv(key, value)
    try:
        with mock_aws():
            outputs = provision("police24")
            monkeypatch.setenv("TABLE_NAME", outputs["TableName"])
            monkeypatch.setenv("DISPATCH_QUEUE_URL", outputs["DispatchQueueUrl"])
            monkeypatch.setenv("OFFICER_TOPIC_ARN", outputs["OfficerTopicArn"])
            monkeypatch.setenv("CAD_QUEUE_URL", outputs["CadQueueUrl"])
            yield {**outputs, "WechatBase": wechat.base_url}
    finally:
        wechat.stop()
    clear_clients()
    bootstrap.reset()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """Start moto in-process, provision the stack from infra/ and point the app at it."""
    with moto_stack(monkeypatch) as outputs:
        yield outputs


class MovableClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        from datetime import datetime

        self.current = datetime.now(UTC)

    def now(self) -> Any:
        return self.current

    def advance(self, **delta: float) -> None:
        from datetime import timedelta

        self.current += timedelta(**delta)


@pytest.fixture
def clock(aws: dict[str, str]) -> MovableClock:
    """Make the app's services run on a clock the test moves."""
    from chalicelib import bootstrap
    from chalicelib.config import Settings

    moving = MovableClock()
    settings = Settings.from_env()
    bootstrap._cache[settings] = bootstrap.build(settings, clock=moving)
    return moving


@pytest.fixture
def client(aws: dict[str, str]) -> Iterator[Any]:
    """The real Chalice app behind chalice.test.Client, on moto."""
    from chalice.test import Client

    from app import app

    with Client(app, stage_name="test", project_dir=str(ROOT)) as test_client:
        yield test_client


def sent_sms(phone: str | None = None) -> list[tuple[str, str]]:
    """Return (phone, text) of every SMS moto's SNS sent, oldest first."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    messages = list(sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sms_messages.values())
    return [(to, text) for to, text in messages if phone is None or to.removeprefix("+86") == phone]


def last_code(phone: str) -> str:
    """Return the last one-time code sent to a phone."""
    for _, text in reversed(sent_sms(phone)):
        found = re.search(r"验证码是(\d{6})", text)
        if found:
            return found.group(1)
    raise AssertionError(f"no code sent to {phone}")


class Api:
    """A small JSON client over chalice.test.Client."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def call(
        self, method: str, path: str, body: Any = None, token: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any, dict[str, str]]:
        all_headers = {"Content-Type": "application/json"} if body is not None else {}
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        all_headers.update(headers or {})
        raw = body if isinstance(body, (str, bytes)) or body is None else json.dumps(body)
        response = getattr(self.client.http, method.lower())(path, headers=all_headers, body=raw)
        data = json.loads(response.body) if response.body else None
        return response.status_code, data, dict(response.headers)

    def sign_in(self, phone: str) -> str:
        status, _, _ = self.call("POST", "/auth/otp", {"phone": phone})
        assert status == 202
        status, data, _ = self.call("POST", "/auth/session", {"phone": phone, "code": last_code(phone)})
        assert status == 200, data
        return str(data["token"])

    def admin(self, method: str, path: str, body: Any = None) -> tuple[int, Any, dict[str, str]]:
        return self.call(method, path, body, token=ADMIN_KEY)


@pytest.fixture
def api(client: Any) -> Api:
    return Api(client)


DIRECTORY = {
    "units": {
        "command-center": {"name": "包头市公安局指挥中心", "kind": "command_center", "public_contact": "0472-110"},
        "kunqu": {"name": "昆都仑区公安分局", "kind": "station", "district": "昆都仑区", "parent_id": "command-center"},
        "qingfu": {"name": "东河区青福派出所", "kind": "station", "district": "东河区", "parent_id": "command-center"},
    },
    "officers": {
        "o-chief": {
            "name": "卜连海",
            "title": "局长",
            "phone": "13900000001",
            "unit_id": "command-center",
            "role": "leader",
            "on_duty": True,
            "public_contact": "0472-5110000",
        },
        "o-center": {
            "name": "刘宇",
            "title": "指挥中心大队长",
            "phone": "13900000002",
            "unit_id": "command-center",
            "role": "officer",
            "on_duty": True,
        },
        "o-kunqu": {
            "name": "王警官",
            "title": "社区民警",
            "phone": "13900000003",
            "unit_id": "kunqu",
            "role": "officer",
            "on_duty": True,
            "email": "wang@example.org",
        },
        "o-qingfu": {
            "name": "李警官",
            "title": "值班民警",
            "phone": "13900000004",
            "unit_id": "qingfu",
            "role": "officer",
            "on_duty": True,
        },
        "o-admin": {
            "name": "张管理",
            "title": "平台管理员",
            "phone": "13900000005",
            "unit_id": "command-center",
            "role": "admin",
            "on_duty": False,
        },
    },
    "routing": {
        "rules": [
            {"board": "report", "district": "昆都仑区", "unit_id": "kunqu"},
            {"board": "report", "district": "东河区", "unit_id": "qingfu"},
        ]
    },
}


@pytest.fixture
def directory(api: Api) -> dict[str, Any]:
    """Seed units, officers and routing through the admin API."""
    for unit_id, unit in DIRECTORY["units"].items():
        assert api.admin("PUT", f"/admin/units/{unit_id}", unit)[0] == 200
    for officer_id, officer in DIRECTORY["officers"].items():
        assert api.admin("PUT", f"/admin/officers/{officer_id}", officer)[0] == 200
    assert api.admin("PUT", "/admin/routing", DIRECTORY["routing"])[0] == 200
    return DIRECTORY


def officer_messages(officer_phone: str, officer_id: str | None = None) -> list[str]:
    """Return every notice an officer (of DIRECTORY, or `officer_id`) received: SMS to the phone, and e-mail
    through the officers' topic."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    backend = sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]
    sms = [text for phone, text in list(backend.sms_messages.values()) if phone.removeprefix("+86") == officer_phone]
    out = [text for text in sms if "验证码" not in text]  # notices, not the officer's own sign-in codes
    officer_ids = [o_id for o_id, o in DIRECTORY["officers"].items() if o["phone"] == officer_phone] + [officer_id]
    for topic in backend.topics.values():
        for _, message, _, attributes, _ in topic.sent_notifications:
            if (attributes.get("officer_id") or {}).get("Value") in officer_ids:
                out.append(message)
    return out


def deliver(client: Any, aws: dict[str, str]) -> int:
    """Receive every message on the dispatch queue and hand it to the real handler, as Lambda would."""
    import boto3

    sqs = boto3.client("sqs", region_name="us-east-1")
    handled = 0
    while True:
        got = sqs.receive_message(QueueUrl=aws["DispatchQueueUrl"], MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return handled
        for message in got:
            event = client.events.generate_sqs_event(queue_name="police24-dispatch", message_bodies=[message["Body"]])
            client.lambda_.invoke("dispatch_post", event)
            sqs.delete_message(QueueUrl=aws["DispatchQueueUrl"], ReceiptHandle=message["ReceiptHandle"])
            handled += 1


@pytest.fixture
def one_request_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let moto serve one request at a time, as DynamoDB applies each request atomically (moto is not thread safe)."""
    from moto.core.botocore_stubber import BotocoreStubber

    lock = threading.RLock()
    serve = BotocoreStubber.process_request

    def one_at_a_time(self: BotocoreStubber, request: Any) -> Any:
        with lock:
            return serve(self, request)

    monkeypatch.setattr(BotocoreStubber, "process_request", one_at_a_time)
