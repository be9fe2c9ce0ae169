"""The proxy's `/data/*` route: the public copies (services.publish) from the photos bucket's `data/` keys, as
CloudFront's `/data/*` behaviour serves them: GET and HEAD only, the object's own Cache-Control and ETag, a 304
for a matching If-None-Match, gzip for a client that takes it, and 404 for anything that is not a copy."""

from __future__ import annotations

import gzip
import logging
import re
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

# data/feed.json, data/feed/<board>.json, data/posts/<id>.json: nothing else of the bucket.
DATA = re.compile(r"/data/(feed|feed/[a-z0-9-]{1,40}|posts/[A-Za-z0-9_-]{1,100})\.json")
DATA_HEADERS = ("cache-control", "etag", "last-modified")


def is_data(path: str) -> bool:
    return path.startswith("/data/")


class DataRoutes:
    """Mixed into the proxy's request handler after StorageRoutes, whose `_ask_storage` and `_signed` it uses."""

    server: Any
    headers: Any
    path: str
    command: str
    wfile: Any

    def serve_data(self) -> None:
        """Serve one public copy, or 404."""
        found = DATA.fullmatch(urlsplit(self.path).path)
        if self.command not in ("GET", "HEAD"):
            self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"", "text/plain", {"Allow": "GET, HEAD"})
            return
        if found is None or not self.server.photos_bucket or not self.server.storage_endpoint:
            self._data_missing()
            return
        target = self._signed(f"data/{found.group(1)}.json")
        try:
            status, answer, payload = self._ask_storage("GET", target, b"", {})
        except OSError as error:
            log.warning("proxy: storage unreachable: %s", error)
            self._send(HTTPStatus.BAD_GATEWAY, b"", "text/plain")
            return
        if status != HTTPStatus.OK:
            self._data_missing()
            return
        kept = [(name, value) for name, value in answer if name.lower() in DATA_HEADERS]
        etag = next((value for name, value in kept if name.lower() == "etag"), None)
        # As the edge answers from its cache: a 304 when the browser holds this very copy, with the same headers.
        fresh = etag is not None and etag in [tag.strip() for tag in self.headers.get("If-None-Match", "").split(",")]
        self.send_response(HTTPStatus.NOT_MODIFIED if fresh else HTTPStatus.OK)
        for name, value in kept:
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Vary", "Accept-Encoding")
        if fresh:
            payload = b""
        elif self._gzip_ok():
            payload = gzip.compress(payload, 6)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _data_missing(self) -> None:
        body = b'{"error":{"code":"not_found","message":"no public copy"}}'
        self._send(HTTPStatus.NOT_FOUND, body, "application/json; charset=utf-8")
