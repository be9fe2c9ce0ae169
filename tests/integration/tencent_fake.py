"""A fake Tencent Cloud SMS endpoint (stdlib HTTP): answers SendSms as Tencent's API 3.0 does and records it.

It checks the TC3-HMAC-SHA256 signature with the secret it was given (a bad one gets Tencent's
AuthFailure.SignatureFailure), and answers either every number `Ok`, a per-number code, an API error
(`{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`) or an HTTP status, as the test sets.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def tc3_signature(secret_key: str, headers: dict[str, str], body: bytes) -> str:
    """Return the TC3-HMAC-SHA256 signature of a POST to / (content-type and host signed), as Tencent computes it."""
    timestamp = headers["x-tc-timestamp"]
    date = datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%d")
    canonical = "\n".join(
        (
            "POST",
            "/",
            "",
            f"content-type:{headers['content-type']}\nhost:{headers['host']}\n",
            "content-type;host",
            hashlib.sha256(body).hexdigest(),
        )
    )
    scope = f"{date}/sms/tc3_request"
    to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    key = ("TC3" + secret_key).encode()
    for part in (date, "sms", "tc3_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


@dataclass
class FakeTencentSms:
    """The fake's state: what it was sent, and how it answers the next SendSms."""

    secret_id: str
    secret_key: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""  # an API error code for every request ("" for none)
    number_code: str = "Ok"  # the SendStatus code of every number
    http_status: int = 200
    server: ThreadingHTTPServer | None = None

    @property
    def endpoint(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_port}"

    def answer(self, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        """Return (HTTP status, JSON) for one request, recording it."""
        request_id = str(uuid.uuid4())
        payload = json.loads(body or b"{}")
        self.requests.append({"headers": headers, "body": payload})
        if self.http_status != 200:
            return self.http_status, {"message": "upstream unavailable"}
        if headers.get("x-tc-action") != "SendSms":
            return 200, _error("InvalidAction", "only SendSms is faked", request_id)
        auth = headers.get("authorization", "")
        expected = f"Credential={self.secret_id}/"
        if expected not in auth or not auth.endswith("Signature=" + tc3_signature(self.secret_key, headers, body)):
            return 200, _error(
                "AuthFailure.SignatureFailure", "The provided credentials could not be validated.", request_id
            )
        if self.error:
            return 200, _error(self.error, f"faked {self.error}", request_id)
        statuses = [
            {
                "SerialNo": uuid.uuid4().hex,
                "PhoneNumber": number,
                "Fee": 1,
                "SessionContext": "",
                "Code": self.number_code,
                "Message": "send success" if self.number_code == "Ok" else self.number_code,
                "IsoCode": "CN",
            }
            for number in payload.get("PhoneNumberSet", [])
        ]
        return 200, {"Response": {"SendStatusSet": statuses, "RequestId": request_id}}

    def start(self) -> FakeTencentSms:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, answer = fake.answer({k.lower(): v for k, v in self.headers.items()}, body)
                raw = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def _error(code: str, message: str, request_id: str) -> dict[str, Any]:
    return {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": request_id}}
