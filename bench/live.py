"""The local stack (`make dev`) for measurements over real HTTP on loopback, and a small JSON client for it."""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import time
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote, urlsplit

from local import launch
from local.chalice_local import free_port

# The stack's own settings must come from `make dev`'s defaults (rate limits included), not from this process.
APP_ENV = (*launch.APP_ENV, "DISPATCH_QUEUE_NAME", "CAD_QUEUE_URL", "RATE_LIMITS", "PORT")
CODE = re.compile(r"验证码是(\d{6})")


class StackError(RuntimeError):
    """The local stack did not start, or answered what it should not."""


class LocalStack:
    """`python -m local.devstack` on a free port with a data folder of its own, stopped by Ctrl-C at the end."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder, self.port = folder, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = folder / "devstack.log"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> LocalStack:
        self.process = launch.start_devstack(self.port, self.folder / "data", self.log, clear=APP_ENV)
        try:
            launch.wait_until_ready(self.process, self.output, timeout=120)
        except RuntimeError as error:
            self.__exit__(None, None, None)
            raise StackError(str(error)) from None
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        if self.process is not None:
            launch.interrupt(self.process, grace=30)

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
