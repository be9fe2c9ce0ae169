"""A running local stack (`python -m local.devstack`) and a small JSON client for set-up steps."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from chalicelib.services.dispatch import post_number

ROOT = Path(__file__).resolve().parents[2]
# The app's own settings must come from the stack, not from the test process (tests/conftest.py sets some).
APP_ENV = (
    "STAGE",
    "ADMIN_KEY",
    "TOKEN_KEYS",
    "CAD_SECRET",
    "SITE_URL",
    "TABLE_NAME",
    "DISPATCH_QUEUE_URL",
    "OFFICER_TOPIC_ARN",
)
CODE = re.compile(r"验证码是(\d{6})")
LINK = re.compile(r"(http://\S+/reply\.html#t=[A-Za-z0-9._-]+)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def notice_number(post_id: str) -> str:
    """Return how an officer notice names a post: `编号` and its short number."""
    return f"编号{post_number(post_id)}"


class Stack:
    """`python -m local.devstack` in its own process group, plus a small JSON client for set-up steps."""

    def __init__(self, data_dir: Path, log: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k not in APP_ENV}
        env.update(PORT=str(self.port), POLICE24_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1")
        # Posting fast is fine for the tests, but the same text twice is refused, as residents meet it.
        env["RATE_LIMITS"] = "post_interval=0,posts_per_day=0,posts_first_day=0,reply_interval=0"
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "local.devstack"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._phones = iter(range(1, 10_000))

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_until_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while "Press Ctrl-C" not in self.output():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the local stack did not start:\n" + self.output()[-4000:])
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def call(self, method: str, path: str, body: Any = None, token: str = "") -> tuple[int, Any]:
        """Send one JSON request to /api; return (status, body)."""
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(f"{self.base}/api{path}", data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                status, raw = answer.status, answer.read()
        except urllib.error.HTTPError as error:
            with error:
                status, raw = error.code, error.read()
        return status, json.loads(raw) if raw else None

    def new_phone(self) -> str:
        """A resident phone number no other test uses (codes are rate limited per phone)."""
        return f"137{os.getpid() % 10_000:04d}{next(self._phones):04d}"

    def wait_for_message(self, to: str, contains: str, pattern: re.Pattern[str], timeout: float = 20) -> str:
        """Wait for an outbox message to `to` containing `contains`; return the pattern's first group."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, body = self.call("GET", f"/dev/outbox?to={to}&limit=50")
            assert status == 200, body
            for message in body["messages"]:
                found = pattern.search(message["body"])
                if contains in message["body"] and found:
                    return found.group(1)
            time.sleep(0.2)
        raise AssertionError(f"no message to {to} containing {contains!r}")

    def sign_in(self, phone: str) -> dict[str, Any]:
        """Sign a phone in through the API with the code from the outbox; return {token, user}."""
        status, body = self.call("POST", "/auth/otp", {"phone": phone})
        assert status == 202, body
        code = self.wait_for_message(phone, "验证码", CODE)
        status, body = self.call("POST", "/auth/session", {"phone": phone, "code": code})
        assert status == 200, body
        return body

    def post(self, token: str, **fields: Any) -> dict[str, Any]:
        """Create a post through the API."""
        status, body = self.call("POST", "/posts", fields, token)
        assert status == 201, body
        return body

    def officer_link(self, phone: str, post_id: str) -> str:
        """The reply-page link that reached an officer for the post with this id."""
        # A notice names the post by its number, never by the resident's title.
        return self.wait_for_message(phone, notice_number(post_id), LINK)

    def resolve_through_link(self, phone: str, post_id: str) -> str:
        """Open the officer's notice link for a post and mark the post resolved; return the link session."""
        status, link = self.call("POST", "/auth/link", {"token": self.officer_link(phone, post_id).split("#t=")[1]})
        assert status == 200, link
        _, detail = self.call("GET", f"/posts/{post_id}")
        status, body = self.call(
            "POST",
            f"/posts/{post_id}/status",
            {"status": "resolved", "version": detail["post"]["version"]},
            link["token"],
        )
        assert status == 200, body
        return str(link["token"])
