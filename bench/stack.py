"""The app on moto, in this process: the stack from infra/, the Chalice test client, a signed-in citizen."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from local.fake_aws import MOTO_ENV

ROOT = Path(__file__).resolve().parent.parent
BENCH_ENV = {
    **MOTO_ENV,
    "STAGE": "test",
    "ADMIN_KEY": "bench-admin-key",
    "TOKEN_KEYS": "k1:bench-signing-secret-0123456789abcdef",
    "SITE_URL": "http://127.0.0.1:8000",
}
_CODE = re.compile(r"验证码是(\d{6})")


class BenchError(RuntimeError):
    """The app answered a measured request with an unexpected status."""


@contextmanager
def moto_stack(prefix: str = "police24-bench") -> Iterator[dict[str, str]]:
    """Start moto in-process, provision the stack and point the app at it; yield the stack's outputs."""
    os.environ.update(BENCH_ENV)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    from moto import mock_aws

    from chalicelib import bootstrap
    from chalicelib.adapters.aws import clear_clients
    from local.provision import provision

    clear_clients()
    bootstrap.reset()
    try:
        with mock_aws():
            outputs = provision(prefix)
            os.environ["TABLE_NAME"] = outputs["TableName"]
            os.environ["DISPATCH_QUEUE_URL"] = outputs["DispatchQueueUrl"]
            os.environ["OFFICER_TOPIC_ARN"] = outputs["OfficerTopicArn"]
            os.environ["CAD_QUEUE_URL"] = outputs.get("CadQueueUrl", "")
            yield outputs
    finally:
        clear_clients()
        bootstrap.reset()


@contextmanager
def chalice_client() -> Iterator[Any]:
    """Yield chalice.test.Client over the real app."""
    from chalice.test import Client

    from app import app

    with Client(app, stage_name="test", project_dir=str(ROOT)) as client:
        yield client


class Http:
    """JSON requests through chalice.test.Client, failing loudly on an unexpected status."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.last_bytes = 0  # the body of the last response

    def call(self, method: str, path: str, body: Any = None, token: str | None = None, expect: int = 200) -> Any:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        raw = None if body is None else json.dumps(body, ensure_ascii=False)
        response = getattr(self.client.http, method.lower())(path, headers=headers, body=raw)
        self.last_bytes = len(response.body or b"")
        data = json.loads(response.body) if response.body else None
        if response.status_code != expect:
            raise BenchError(f"{method} {path}: HTTP {response.status_code} (expected {expect}): {data}")
        return data

    def sign_in(self, phone: str) -> str:
        """Sign in by one-time code (read from moto's SNS) and return the session token."""
        self.call("POST", "/auth/otp", {"phone": phone}, expect=202)
        data = self.call("POST", "/auth/session", {"phone": phone, "code": last_code(phone)})
        return str(data["token"])


def last_code(phone: str, region: str = "us-east-1") -> str:
    """Return the newest one-time code moto's SNS "sent" to a phone."""
    from moto.core import DEFAULT_ACCOUNT_ID  # type: ignore[attr-defined]
    from moto.sns.models import sns_backends

    for to, text in reversed(list(sns_backends[DEFAULT_ACCOUNT_ID][region].sms_messages.values())):
        found = _CODE.search(text)
        if to.removeprefix("+86") == phone and found:
            return found.group(1)
    raise BenchError(f"no one-time code was sent to {phone}")
