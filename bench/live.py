"""The local stack (`make dev`) for measurements over real HTTP on loopback, and a small JSON client for it."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote, urlsplit

from bench.stack import ROOT

# The stack's own settings must come from `make dev`'s defaults (rate limits included), not from this process.
APP_ENV = (
    "STAGE",
    "ADMIN_KEY",
    "TOKEN_KEYS",
    "CAD_SECRET",
    "SITE_URL",
    "TABLE_NAME",
    "DISPATCH_QUEUE_URL",
    "DISPATCH_QUEUE_NAME",
    "OFFICER_TOPIC_ARN",
    "CAD_QUEUE_URL",
    "RATE_LIMITS",
    "PORT",
)
CODE = re.compile(r"验证码是(\d{6})")


class StackError(RuntimeError):
    """The local stack did not start, or answered what it should not."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LocalStack:
    """`python -m local.devstack` on a free port with a data folder of its own, stopped by Ctrl-C at the end."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder, self.port = folder, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = folder / "devstack.log"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> LocalStack:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k not in APP_ENV}
        env.update(PORT=str(self.port), POLICE24_DATA_DIR=str(self.folder / "data"), PYTHONUNBUFFERED="1")
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "local.devstack"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 120
        while "Press Ctrl-C" not in self.output():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise StackError("the local stack did not start:\n" + self.output()[-3000:])
            time.sleep(0.2)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""


class Http:
    """JSON over HTTP/1.1 to `<base>/api`, a fresh connection per request (a retried POST could write twice)."""

    def __init__(self, base: str, timeout: float = 30) -> None:
        parts = urlsplit(base)
        self.host, self.port, self.timeout = parts.hostname or "127.0.0.1", parts.port or 80, timeout

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
        """Send one request; return (status, parsed body). Status 0 means no answer (connection failed)."""
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json"} if data is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            connection.request(method, "/api" + path, body=data, headers=headers)
            answer = connection.getresponse()
            raw = answer.read()
        except (OSError, http.client.HTTPException) as error:
            return 0, {"error": {"code": "no_answer", "message": repr(error)}}
        finally:
            connection.close()
        try:
            return answer.status, json.loads(raw) if raw else None
        except ValueError:
            return answer.status, {"raw": raw[:200].decode("utf-8", "replace")}

    def code_for(self, phone: str, timeout: float = 15) -> str:
        """Wait for the newest sign-in code sent to a phone to reach the outbox."""
        deadline = time.monotonic() + timeout
        time.sleep(0.3)  # the outbox collector copies what SNS sent every 0.5 s
        while time.monotonic() < deadline:
            status, body = self.call("GET", f"/dev/outbox?to={quote(phone)}&limit=1")
            if status == 200:
                for message in body["messages"]:
                    if found := CODE.search(message["body"]):
                        return found.group(1)
            time.sleep(0.2)
        raise StackError(f"no sign-in code reached the outbox for {phone}")

    def sign_in(self, phone: str) -> str:
        """Sign a phone in with the code from the outbox; return the session token."""
        status, body = self.call("POST", "/auth/otp", {"phone": phone})
        if status != 202:
            raise StackError(f"POST /auth/otp: {status} {body}")
        status, body = self.call("POST", "/auth/session", {"phone": phone, "code": self.code_for(phone)})
        if status != 200:
            raise StackError(f"POST /auth/session: {status} {body}")
        return str(body["token"])


def phones(count: int, start: int = 0) -> list[str]:
    """Mobile numbers no earlier run used (the stack limits codes per phone)."""
    run = int(time.time()) % 10_000
    return [f"136{run:04d}{start + n:04d}" for n in range(count)]
