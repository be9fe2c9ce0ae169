"""The proxy's storage routes: `/storage/*` is S3 (moto) on the site's own origin, `/media/*` the public photos.

In the cloud the browser posts its photo straight to S3 (a presigned POST) and reads photos of restricted posts
through signed S3 URLs, while CloudFront serves `/media/*` from the bucket's `media/` keys alone. Locally,
STORAGE_URL is "/storage": the proxy forwards `/storage/<photos bucket>/...` to moto as it came (method, query,
headers, body), so the browser needs no CORS and signed URLs stay valid; and `/media/<id>/<full|thumb>.jpg`
reads `media/<id>/...` and nothing else, as the distribution's origin access does. moto does not hold a POST
upload to its policy: local/post_policy.py does, as S3 would.
"""

from __future__ import annotations

import http.client
import logging
import re
import threading
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

from local import post_policy

log = logging.getLogger(__name__)
_SIGNER_LOCK = threading.Lock()  # the handler's threads make the one signing client once

STORAGE_PREFIX = "/storage"
MEDIA = re.compile(r"/media/([A-Za-z0-9_-]{1,100})/(full|thumb)\.jpg")
# A 10 MB photo in a multipart form, with its fields, stays well under this; S3's policy refuses above 10 MB.
MAX_STORAGE_BODY = 12 * 1024 * 1024
MEDIA_HEADERS = ("content-type", "cache-control", "etag", "last-modified", "content-length")
DROPPED = frozenset(
    {"connection", "keep-alive", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host"}
)
ANSWER_DROPPED = DROPPED - {"host"} | {"content-length", "server", "date", "proxy-authenticate"}


def is_storage(path: str) -> bool:
    return path == STORAGE_PREFIX or path.startswith(STORAGE_PREFIX + "/")


def is_media(path: str) -> bool:
    return path.startswith("/media/")


def _signed_for(headers: Any, query: str) -> str | None:
    """Name the AWS service a request is signed for (header or presigned query), or None when unsigned."""
    auth = headers.get("Authorization", "")
    credential = ""
    if "Credential=" in auth:
        credential = auth.split("Credential=", 1)[1].split(",", 1)[0]
    elif "X-Amz-Credential" in query:
        credential = parse_qs(query).get("X-Amz-Credential", [""])[0]
    parts = credential.split("/")
    return parts[3].lower() if len(parts) >= 5 else ("unknown" if auth else None)


class StorageRoutes:
    """Mixed into the proxy's request handler (local/proxy.py), whose `_read_body`, `_send` and server it uses.

    The handler's server carries `storage_endpoint` (moto's address) and `photos_bucket`; either empty: 404.
    """

    server: Any
    headers: Any
    path: str
    command: str
    wfile: Any
    close_connection: bool

    def _storage_error(self, status: HTTPStatus, code: str, message: str) -> None:
        body = f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>{message}</Message></Error>"
        self._send(status, body.encode("utf-8"), "application/xml", {"Connection": "close"})

    def _storage_target(self) -> str | None:
        """The path and query to ask moto for, or None unless the request is for the photos bucket."""
        bucket = self.server.photos_bucket
        parts = urlsplit(self.path)
        rest = parts.path[len(STORAGE_PREFIX) :]
        if not bucket or not self.server.storage_endpoint:
            return None
        if rest != "/" + bucket and not rest.startswith("/" + bucket + "/"):
            return None
        if self.headers.get("X-Amz-Target") or _signed_for(self.headers, parts.query) not in (None, "s3"):
            return None  # the origin reaches S3 only, never moto's other services
        return self.path[len(STORAGE_PREFIX) :]

    def forward_storage(self) -> None:
        """Pass one request to moto's S3 and its answer back as it came."""
        target = self._storage_target()
        if target is None:
            self._storage_error(HTTPStatus.NOT_FOUND, "NoSuchBucket", "only the photos bucket is here")
            return
        declared = self.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > MAX_STORAGE_BODY:
            self.close_connection = True
            self._storage_error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "EntityTooLarge", "the upload is too large")
            return
        body = self._read_body()
        if len(body) > MAX_STORAGE_BODY:
            self._storage_error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "EntityTooLarge", "the upload is too large")
            return
        if not self._allowed(target):
            self._storage_error(HTTPStatus.FORBIDDEN, "AccessDenied", "only presigned uploads and reads are allowed")
            return
        refusal = self._refused_post(target, body)
        if refusal is not None:
            self._storage_error(HTTPStatus(refusal.status), refusal.code, refusal.message)
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in DROPPED}
        if body or self.command in ("POST", "PUT"):
            headers["Content-Length"] = str(len(body))
        try:
            status, answer, payload = self._ask_storage(self.command, target, body, headers)
        except OSError as error:
            log.warning("proxy: storage unreachable: %s", error)
            self._storage_error(HTTPStatus.BAD_GATEWAY, "BadGateway", "the local storage is not answering")
            return
        self.send_response(status)
        for key, value in answer:
            if key.lower() not in ANSWER_DROPPED:
                self.send_header(key, value)
        length = next((v for k, v in answer if k.lower() == "content-length"), "0")
        self.send_header("Content-Length", length if self.command == "HEAD" else str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _allowed(self, target: str) -> bool:
        """What the app hands a browser, and nothing else: the form POST to the bucket (held to its policy below),
        and presigned GET/HEAD of a private photo. moto answers anyone; S3 would refuse an unsigned list, PUT or
        DELETE. (moto does not check signatures, and neither does this: a read needs the photo's unguessable id.)"""
        parts = urlsplit(target)
        bucket = "/" + self.server.photos_bucket
        if self.command == "POST":
            return parts.path.rstrip("/") == bucket and not parts.query
        presigned = "X-Amz-Signature" in parse_qs(parts.query)
        return self.command in ("GET", "HEAD") and presigned and parts.path.startswith(bucket + "/photos/")

    def _refused_post(self, target: str, body: bytes) -> post_policy.Refusal | None:
        """A browser upload (POST of a form to the bucket) is held to its policy, as S3 holds it; moto does not."""
        content_type = self.headers.get("Content-Type", "")
        form = content_type.lower().startswith("multipart/form-data")
        if self.command != "POST" or not form or urlsplit(target).path.rstrip("/") != "/" + self.server.photos_bucket:
            return None
        return post_policy.check(body, content_type, self.server.photos_bucket)

    def _ask_storage(
        self, method: str, target: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        endpoint = urlsplit(self.server.storage_endpoint)
        connection = http.client.HTTPConnection(endpoint.hostname or "127.0.0.1", endpoint.port or 80, timeout=60)
        try:
            connection.request(method, target, body=body or None, headers=headers)
            answer = connection.getresponse()
            return answer.status, answer.getheaders(), answer.read()
        finally:
            connection.close()

    def serve_media(self) -> None:
        """Serve `/media/<id>/<full|thumb>.jpg` from the bucket's `media/` keys; anything else is 404."""
        found = MEDIA.fullmatch(urlsplit(self.path).path)
        if self.command not in ("GET", "HEAD"):
            self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"", "text/plain", {"Allow": "GET, HEAD"})
            return
        if found is None or not self.server.photos_bucket or not self.server.storage_endpoint:
            self._media_missing()
            return
        key = f"media/{found.group(1)}/{found.group(2)}.jpg"
        conditions = {k: v for k, v in self.headers.items() if k.lower() in ("if-none-match", "if-modified-since")}
        try:
            status, answer, payload = self._ask_storage(self.command, self._signed(key), b"", conditions)
        except OSError as error:
            log.warning("proxy: storage unreachable: %s", error)
            self._send(HTTPStatus.BAD_GATEWAY, b"", "text/plain")
            return
        if status not in (HTTPStatus.OK, HTTPStatus.NOT_MODIFIED):
            self._media_missing()
            return
        self.send_response(status)
        for name, value in answer:
            if name.lower() in MEDIA_HEADERS and name.lower() != "content-type":
                self.send_header(name, value)
        self.send_header("Content-Type", "image/jpeg")  # only the processor writes media/: JPEG, whatever is stored
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if self.command != "HEAD" and status == HTTPStatus.OK:
            self.wfile.write(payload)

    def _signed(self, key: str) -> str:
        """A presigned path and query for the key (moto, like S3, refuses anonymous reads of a private bucket)."""
        with _SIGNER_LOCK:
            signer = getattr(self.server, "storage_signer", None)
            if signer is None:
                import boto3
                from botocore.config import Config

                signer = self.server.storage_signer = boto3.session.Session().client(
                    "s3",
                    endpoint_url=self.server.storage_endpoint,
                    region_name="us-east-1",
                    aws_access_key_id="testing",  # moto's; the local stack never holds real credentials
                    aws_secret_access_key="testing",
                    config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"),
                )
        operation = "head_object" if self.command == "HEAD" else "get_object"
        url = signer.generate_presigned_url(operation, Params={"Bucket": self.server.photos_bucket, "Key": key})
        parts = urlsplit(url)
        return f"{parts.path}?{parts.query}"

    def _media_missing(self) -> None:
        page = "<!doctype html><meta charset=utf-8><title>404</title><p>404 找不到图片</p>"
        self._send(HTTPStatus.NOT_FOUND, page.encode("utf-8"), "text/html; charset=utf-8")
