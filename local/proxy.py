"""Serve the built page (`web/dist`) at `/` and forward `/api/*` to chalice local, as CloudFront does in the cloud.

`/storage/*` (S3 on the same origin) and `/media/*` (public photos) are local/storage_routes.py; `/data/*` (the
public copies of feeds and posts) is local/data_routes.py.

As CloudFront does: fingerprinted files under /assets/ are cached for a year (`immutable`), pages are
`no-cache` (an ETag makes the revalidation a 304), and text (pages, scripts, styles, API JSON) is
gzipped for a client that accepts it. A path the build lacks is looked up in the sources (`web/`), so that
tests may import a single module (`/js/linkify.js`); CloudFront has only the build.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import json
import logging
import os
import posixpath
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from local.data_routes import DataRoutes, is_data
from local.storage_routes import StorageRoutes, is_media, is_storage
from tools.build_web import cache_control

log = logging.getLogger(__name__)

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".webmanifest": "application/manifest+json; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".map": "application/json; charset=utf-8",
}
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",
    }
)
REPLACED_BY_PROXY = HOP_BY_HOP | {"server", "date"}
API_PREFIX = "/api"
# What CloudFront compresses (a subset of its list) and its lower bound: below 1 000 bytes it sends as is.
COMPRESSIBLE = ("text/", "application/json", "application/javascript", "application/manifest+json", "image/svg+xml")
MIN_COMPRESS = 1000


def accepts_gzip(header: str) -> bool:
    """Tell whether an Accept-Encoding header allows gzip (and does not refuse it with q=0)."""
    for item in header.split(","):
        name, _, params = item.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            quality = params.strip().lower().removeprefix("q=")
            try:
                return not params or float(quality) > 0
            except ValueError:
                return False
    return False


def compressible(content_type: str, size: int) -> bool:
    return size >= MIN_COMPRESS and content_type.lower().startswith(COMPRESSIBLE)


class SiteServer(ThreadingHTTPServer):
    """The local stand-in for CloudFront: static site plus the API under /api."""

    daemon_threads = True
    request_queue_size = 128  # socketserver's default backlog of 5 resets connections in a burst

    def __init__(
        self,
        port: int,
        web_root: Path,
        upstream_port: int = 0,
        sources: Path | None = None,
        own: Path | None = None,
        storage_endpoint: str = "",
        photos_bucket: str = "",
    ) -> None:
        self.web_root = web_root.resolve()
        # Local only: a path the build does not have (e.g. /js/linkify.js, which tests import) comes from the sources.
        self.sources = sources.resolve() if sources is not None else None
        # Local only: this stack's own files (its site QR code, for its own port), served before the build's.
        self.own = own.resolve() if own is not None else None
        self.upstream_port = upstream_port
        # S3 (moto) behind /storage/<photos_bucket>/ and the bucket's media/ keys behind /media/ (storage_routes.py)
        self.storage_endpoint = storage_endpoint
        self.photos_bucket = photos_bucket
        super().__init__(("127.0.0.1", port), SiteHandler)


class SiteHandler(DataRoutes, StorageRoutes, BaseHTTPRequestHandler):
    """Route one request to the static files, the API, the storage or the public photos."""

    server: SiteServer
    protocol_version = "HTTP/1.1"
    server_version = "police24-local"
    sys_version = ""

    def version_string(self) -> str:
        """Name the server without a Python version."""
        return self.server_version

    def log_message(self, format: str, *args: object) -> None:
        """Log through `logging` at debug level (chalice local already logs API calls)."""
        log.debug("%s %s", self.address_string(), format % args)

    def _is_api(self) -> bool:
        path = urlsplit(self.path).path
        return path == API_PREFIX or path.startswith(API_PREFIX + "/")

    def _handle(self) -> None:
        path = urlsplit(self.path).path
        if self._is_api():
            self._forward()
        elif is_storage(path):
            self.forward_storage()
        elif is_media(path):
            self.serve_media()
        elif is_data(path):
            self.serve_data()
        elif self.command in ("GET", "HEAD"):
            self._static()
        else:
            self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"", "text/plain", {"Allow": "GET, HEAD"})

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _handle

    def _read_body(self) -> bytes:
        """Read the request body, de-chunking it if needed."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _forward(self) -> None:
        """Pass the request to chalice local and its answer back unchanged."""
        body = self._read_body()
        target = self.path[len(API_PREFIX) :] or "/"
        if not target.startswith("/"):
            target = "/" + target
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        if body or self.command in ("POST", "PUT", "PATCH"):
            headers["Content-Length"] = str(len(body))
        connection = http.client.HTTPConnection("127.0.0.1", self.server.upstream_port, timeout=60)
        try:
            connection.request(self.command, target, body=body or None, headers=headers)
            answer = connection.getresponse()
            payload = answer.read()
            extra = [(k, v) for k, v in answer.getheaders() if k.lower() not in REPLACED_BY_PROXY]
            status = answer.status
        except OSError as error:
            log.warning("proxy: API unreachable: %s", error)
            message = {"error": {"code": "bad_gateway", "message": "the local API is not answering"}}
            payload = json.dumps(message).encode("utf-8")
            extra = [("Content-Type", "application/json"), ("X-Content-Type-Options", "nosniff")]
            status = HTTPStatus.BAD_GATEWAY
        finally:
            connection.close()
        content_type = next((v for k, v in extra if k.lower() == "content-type"), "")
        encoded = any(k.lower() == "content-encoding" for k, _ in extra)
        if not encoded and compressible(content_type, len(payload)) and self._gzip_ok():
            payload = gzip.compress(payload, 6)
            extra.append(("Content-Encoding", "gzip"))
            extra = [(k, v) for k, v in extra if k.lower() != "vary"] + [("Vary", self._vary(extra))]
        self.send_response(status)
        for key, value in extra:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _gzip_ok(self) -> bool:
        return accepts_gzip(self.headers.get("Accept-Encoding", ""))

    @staticmethod
    def _vary(headers: list[tuple[str, str]]) -> str:
        found = [v for k, v in headers if k.lower() == "vary"]
        return ", ".join([*found, "Accept-Encoding"])

    def _resolve(self) -> tuple[Path, Path] | None:
        """Map the URL path to (its root, a file under it): the web root first, then the sources; or None."""
        raw = unquote(urlsplit(self.path).path)
        if "\x00" in raw or "\\" in raw:
            return None
        clean = posixpath.normpath("/" + raw.lstrip("/"))
        if raw.endswith("/"):
            clean = clean.rstrip("/") + "/index.html"
        if any(part.startswith(".") for part in clean.split("/") if part):
            return None
        for root in (self.server.own, self.server.web_root, self.server.sources):
            if root is None:
                continue
            candidate = Path(os.path.realpath(root / clean.lstrip("/")))
            if candidate != root and root not in candidate.parents:
                return None
            if candidate.is_file():
                return root, candidate
        return None

    def _static(self) -> None:
        """Serve one file from the web root; never a directory listing."""
        found = self._resolve()
        if found is None:
            page = "<!doctype html><meta charset=utf-8><title>404</title><p>404 找不到页面</p>"
            self._send(HTTPStatus.NOT_FOUND, page.encode("utf-8"), CONTENT_TYPES[".html"])
            return
        root, path = found
        content_type = CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
        body = path.read_bytes()
        key = path.relative_to(root).as_posix()
        etag = 'W/"' + hashlib.sha256(body).hexdigest()[:32] + '"'  # weak: gzip or not, the same content
        headers = {"Cache-Control": cache_control(key), "ETag": etag}
        if compressible(content_type, len(body)):
            headers["Vary"] = "Accept-Encoding"
        if etag in [tag.strip() for tag in self.headers.get("If-None-Match", "").split(",")]:
            self._send(HTTPStatus.NOT_MODIFIED, b"", content_type, headers)
            return
        if compressible(content_type, len(body)) and self._gzip_ok():
            body = gzip.compress(body, 9)
            headers["Content-Encoding"] = "gzip"
        self._send(HTTPStatus.OK, body, content_type, headers)

    def _send(
        self,
        status: HTTPStatus,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if status != HTTPStatus.NOT_MODIFIED:
            self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "same-origin")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
