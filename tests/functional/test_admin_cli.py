"""The admin CLI (python -m tools.admin) against the real app: ADMIN_KEY locally, SigV4 for AWS."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.conftest import ADMIN_KEY, DIRECTORY, Api
from tests.posting import publish
from tools import admin
from tools.admin import AdminClient, region_of


def serve(handle: Any) -> tuple[HTTPServer, str]:
    """Serve HTTP on a free port in a thread; `handle(method, path, headers, body)` returns (status, headers, body)."""

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            status, headers, body = handle(self.command, self.path, dict(self.headers.items()), self.rfile.read(length))
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = _any

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def local_api(client: Any) -> Iterator[str]:
    """The app behind a real HTTP port under /api, as `make dev` serves it."""

    def handle(method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        assert path.startswith("/api/")
        response = client.http.request(method, path.removeprefix("/api"), headers=headers, body=body)
        return response.status_code, dict(response.headers), response.body

    server, url = serve(handle)
    yield url + "/api"
    server.shutdown()


def cli(capsys: pytest.CaptureFixture[str], url: str, *args: str, key: str = ADMIN_KEY) -> tuple[int, Any, str]:
    """Run the CLI; return its exit code, decoded stdout and stderr."""
    code = admin.main(["--local", url, "--admin-key", key, *args])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip() else None, err


def test_the_directory_routing_and_templates_are_managed_from_files(
    local_api: str,
    api: Api,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for unit_id, unit in DIRECTORY["units"].items():
        (tmp_path / f"{unit_id}.json").write_text(json.dumps(unit, ensure_ascii=False), encoding="utf-8")
        code, out, err = cli(capsys, local_api, "unit", unit_id, str(tmp_path / f"{unit_id}.json"))
        assert code == 0, err
        assert out["name"] == unit["name"]
    officer = DIRECTORY["officers"]["o-kunqu"]
    (tmp_path / "officer.json").write_text(json.dumps(officer, ensure_ascii=False), encoding="utf-8")
    code, out, _ = cli(capsys, local_api, "officer", "o-kunqu", str(tmp_path / "officer.json"))
    assert code == 0 and out["name"] == "王警官"
    officer_token = api.sign_in(officer["phone"])
    assert api.call("GET", "/me", token=officer_token)[0] == 200
    code, _, err = cli(capsys, local_api, "remove-officer", "o-kunqu")
    assert code == 0, err
    assert api.call("GET", "/me", token=officer_token)[0] == 401  # every session of that officer ended
    assert cli(capsys, local_api, "remove-officer", "o-kunqu")[0] != 0  # unknown now: 404
    assert cli(capsys, local_api, "officer", "o-kunqu", str(tmp_path / "officer.json"))[0] == 0
    (tmp_path / "routing.json").write_text(json.dumps(DIRECTORY["routing"], ensure_ascii=False), encoding="utf-8")
    assert cli(capsys, local_api, "routing", "put", str(tmp_path / "routing.json"))[0] == 0
    code, out, _ = cli(capsys, local_api, "routing", "get", "--out", str(tmp_path / "saved.json"))
    assert code == 0
    saved = json.loads((tmp_path / "saved.json").read_text(encoding="utf-8"))
    assert [(r["board"], r["district"], r["unit_id"]) for r in saved["rules"]] == [
        (r["board"], r["district"], r["unit_id"]) for r in DIRECTORY["routing"]["rules"]
    ]
    templates = {"templates": [{"id": "ack", "text": "你好,该警情已收悉,XXX派出所正在处置,感谢您对24小时警局的关注"}]}
    (tmp_path / "templates.json").write_text(json.dumps(templates, ensure_ascii=False), encoding="utf-8")
    code, out, _ = cli(capsys, local_api, "templates", str(tmp_path / "templates.json"))
    assert code == 0 and out["templates"][0]["id"] == "ack"
    status, units, _ = api.call("GET", "/units")
    assert status == 200 and "kunqu" in json.dumps(units)


def test_posts_are_pinned_hidden_and_restored(local_api: str, api: Api, capsys: pytest.CaptureFixture[str]) -> None:
    token = api.sign_in("13800000099")
    question = {
        "board": "qa",
        "type": "question",
        "title": "请问办理居住证需要什么材料",
        "body": "刚搬到昆区,想办居住证。",
    }
    post = publish(api, token, question)
    code, out, err = cli(capsys, local_api, "pin", post["id"], "--scope", "global")
    assert code == 0, err
    assert out["pinned"] is not None
    assert cli(capsys, local_api, "unpin", post["id"])[0] == 0
    assert cli(capsys, local_api, "hide", post["id"], "--reason", "含个人信息")[0] == 0
    assert api.call("GET", f"/posts/{post['id']}")[0] == 404
    assert cli(capsys, local_api, "unhide", post["id"])[0] == 0
    assert api.call("GET", f"/posts/{post['id']}")[0] == 200
    code, out, _ = cli(capsys, local_api, "audit", "--limit", "10")
    assert code == 0 and len(out["entries"]) >= 4


def test_partner_api_keys_are_issued_listed_and_revoked(local_api: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, issued, err = cli(capsys, local_api, "api-keys", "create", "市民热线")
    assert code == 0, err
    assert issued["api_key"] and issued["id"]
    code, listed, _ = cli(capsys, local_api, "api-keys", "list")
    assert code == 0 and issued["id"] in json.dumps(listed)
    assert cli(capsys, local_api, "api-keys", "revoke", issued["id"])[0] == 0


def test_a_refused_request_exits_1_with_the_apis_error(local_api: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, local_api, "routing", "get", key="not-the-admin-key")
    assert code == 1 and out is None
    assert "HTTP 401" in err and "unauthenticated" in err


def test_in_aws_mode_each_request_carries_a_valid_sigv4_signature_for_execute_api() -> None:
    seen: list[tuple[str, str, dict[str, str], bytes]] = []

    def record(method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        seen.append((method, path, headers, body))
        return 200, {"Content-Type": "application/json"}, b'{"ok": true}'

    server, url = serve(record)
    credentials = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token")
    try:
        client = AdminClient(url + "/api", credentials=credentials, region="cn-north-1")
        assert client.put_routing({"rules": [], "default_unit_id": "command-center"}) == {"ok": True}
        assert client.audit(month="2026-11") == {"ok": True}
    finally:
        server.shutdown()
    for method, path, headers, body in seen:
        authorization = headers["Authorization"]
        assert authorization.startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
        assert "/cn-north-1/execute-api/aws4_request" in authorization
        signed = re.search(r"SignedHeaders=([^,]+)", authorization).group(1).split(";")
        assert {"host", "x-amz-date", "x-amz-security-token"} <= set(signed)
        lower = {k.lower(): v for k, v in headers.items()}
        request = AWSRequest(method=method, url=url + path, data=body, headers={h: lower[h] for h in signed})
        request.context["timestamp"] = lower["x-amz-date"]
        signer = SigV4Auth(credentials, "execute-api", "cn-north-1")
        expected = signer.signature(signer.string_to_sign(request, signer.canonical_request(request)), request)
        assert authorization.endswith(f"Signature={expected}")
        assert "bearer" not in authorization.lower()
    assert [(m, p) for m, p, _, _ in seen] == [("PUT", "/api/admin/routing"), ("GET", "/api/admin/audit?month=2026-11")]


@pytest.mark.parametrize(
    ("url", "region"),
    [
        ("https://abc123.execute-api.ap-east-1.amazonaws.com/api", "ap-east-1"),
        ("https://abc123.execute-api.cn-north-1.amazonaws.com.cn/api", "cn-north-1"),
        ("https://admin.example.org/api", "eu-west-1"),
    ],
)
def test_the_signing_region_comes_from_the_api_address(url: str, region: str) -> None:
    assert region_of(url, "eu-west-1") == region
