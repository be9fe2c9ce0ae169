"""The local proxy serves the built page as CloudFront does: fingerprinted assets for a year, pages
revalidated, text gzipped (pages, scripts, styles and API JSON)."""

from __future__ import annotations

import gzip
import http.client
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from local.proxy import SiteServer
from tools import build_web


class Feed(BaseHTTPRequestHandler):
    """An upstream API that answers a feed-sized JSON body."""

    def do_GET(self) -> None:
        payload = json.dumps({"posts": [{"title": "路灯坏了", "body": "字" * 100}] * 20}).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet."""


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    build_web.ensure()
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), Feed)
    proxy = SiteServer(0, build_web.DIST, upstream.server_address[1], sources=build_web.WEB)
    threads = [threading.Thread(target=s.serve_forever, args=(0.05,), daemon=True) for s in (upstream, proxy)]
    for thread in threads:
        thread.start()
    yield proxy.server_address[1]
    for server in (proxy, upstream):
        server.shutdown()
        server.server_close()


def get(port: int, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers)
        answer = connection.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        connection.close()


def assets_of(port: int) -> list[str]:
    status, _, page = get(port, "/")
    assert status == 200
    return re.findall(r'(?:src|href)="(/assets/[^"]+)"', page.decode("utf-8"))


def test_the_page_names_one_fingerprinted_script_and_one_stylesheet(port: int) -> None:
    names = sorted(re.sub(r"\.[A-Z0-9]{8}\.", ".<hash>.", a) for a in assets_of(port))
    assert names == ["/assets/app.<hash>.js", "/assets/site.<hash>.css"]


def test_assets_are_immutable_for_a_year_and_pages_are_revalidated(port: int) -> None:
    for asset in assets_of(port):
        status, headers, _ = get(port, asset)
        assert status == 200 and headers["cache-control"] == "public, max-age=31536000, immutable"
    for page in ("/", "/index.html", "/reply.html", "/work.html", "/outbox.html"):
        status, headers, _ = get(port, page)
        assert status == 200 and headers["cache-control"] == "no-cache", page
        again, headers_again, body = get(port, page, **{"If-None-Match": headers["etag"]})
        assert again == 304 and body == b"" and headers_again["etag"] == headers["etag"]


def test_text_is_gzipped_for_a_client_that_accepts_it(port: int) -> None:
    script = next(a for a in assets_of(port) if a.endswith(".js"))
    for path in ("/", script, "/api/posts"):
        status, plain_headers, plain = get(port, path)
        assert status == 200 and "content-encoding" not in plain_headers, path
        status, headers, packed = get(port, path, **{"Accept-Encoding": "gzip, deflate, br"})
        assert status == 200 and headers["content-encoding"] == "gzip", path
        assert "Accept-Encoding" in headers["vary"]
        assert gzip.decompress(packed) == plain and len(packed) < len(plain)
        assert int(headers["content-length"]) == len(packed)
    status, headers, _ = get(port, script, **{"Accept-Encoding": "gzip;q=0, identity"})
    assert "content-encoding" not in headers


def test_a_source_module_the_build_lacks_is_served_from_web_for_tests_to_import(port: int) -> None:
    status, headers, body = get(port, "/js/linkify.js")
    assert status == 200 and headers["cache-control"] == "no-cache" and b"export" in body
    assert get(port, "/js/../../README.md")[0] == 404 and get(port, "/nothing.js")[0] == 404
