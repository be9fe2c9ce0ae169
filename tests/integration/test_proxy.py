"""The local CloudFront stand-in: static files from web/ and /api/* passed through unchanged."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from local.proxy import SiteServer


class Echo(BaseHTTPRequestHandler):
    """An upstream that answers 418 with what it received."""

    def _echo(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        seen = {
            "method": self.command,
            "path": self.path,
            "auth": self.headers.get("Authorization"),
            "body": body.decode("utf-8"),
        }
        payload = json.dumps(seen, ensure_ascii=False).encode("utf-8")
        self.send_response(418)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Upstream", "yes")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = _echo

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet."""


def _serve(server: ThreadingHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    return thread


@pytest.fixture
def site(tmp_path: Path) -> Iterator[int]:
    """A proxy on a free port over a small web root and an echoing upstream."""
    (tmp_path / "web" / "css").mkdir(parents=True)
    (tmp_path / "web" / "index.html").write_text("<!doctype html><title>24小时警局</title>", encoding="utf-8")
    (tmp_path / "web" / "css" / "site.css").write_text("body{}", encoding="utf-8")
    (tmp_path / "web" / "app.js").write_text("export {};", encoding="utf-8")
    (tmp_path / "web" / "logo.svg").write_text("<svg/>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("outside", encoding="utf-8")
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    proxy = SiteServer(0, tmp_path / "web", upstream.server_address[1])
    threads = [_serve(upstream), _serve(proxy)]
    yield proxy.server_address[1]
    for server in (proxy, upstream):
        server.shutdown()
        server.server_close()
    for thread in threads:
        thread.join()


def _request(
    port: int, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/", "text/html; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/css/site.css", "text/css; charset=utf-8"),
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/logo.svg", "image/svg+xml"),
    ],
)
def test_static_files_have_their_content_type_and_nosniff(site: int, path: str, content_type: str) -> None:
    status, headers, _ = _request(site, "GET", path)
    assert status == 200
    assert headers["content-type"] == content_type
    assert headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", ["/../secret.txt", "/%2e%2e/secret.txt", "/css/", "/css", "/nothing.html"])
def test_no_traversal_and_no_directory_listing(site: int, path: str) -> None:
    status, _, body = _request(site, "GET", path)
    assert status == 404
    assert b"outside" not in body


def test_api_requests_pass_through_unchanged(site: int) -> None:
    body = json.dumps({"title": "求助"}, ensure_ascii=False).encode("utf-8")
    headers = {"Authorization": "Bearer t0k", "Content-Type": "application/json"}
    status, answer_headers, answer = _request(site, "POST", "/api/posts?board=qa&limit=5", body, headers)
    assert status == 418
    assert answer_headers["x-upstream"] == "yes"
    assert json.loads(answer) == {
        "method": "POST",
        "path": "/posts?board=qa&limit=5",
        "auth": "Bearer t0k",
        "body": '{"title": "求助"}',
    }


def test_api_is_unreachable_gives_a_json_502(tmp_path: Path) -> None:
    proxy = SiteServer(0, tmp_path, upstream_port=1)
    thread = _serve(proxy)
    try:
        status, _, body = _request(proxy.server_address[1], "GET", "/api/boards")
    finally:
        proxy.shutdown()
        proxy.server_close()
        thread.join()
    assert status == 502
    assert json.loads(body)["error"]["code"] == "bad_gateway"
