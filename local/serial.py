"""moto's server, serving one AWS request at a time, as DynamoDB applies each request atomically.

moto is not thread safe: two concurrent DynamoDB transactions can both pass their conditions (a lost
update) and its dicts can change while another request iterates them ("dictionary changed size during
iteration"). Real DynamoDB applies each request atomically, so the local stack lets moto serve one request
at a time; the app's code between two requests (reads, decisions, retries) still interleaves freely.

An SQS long poll is the one request that waits for another (a send) to happen: held under the lock it would
stall every other request for its whole wait. It is served as a series of short polls instead, each under
the lock, until a message arrives or the wait is over, so a consumer still gets a message within ~50 ms.

It also counts the DynamoDB writes it served, so the snapshotter can tell that the table did not change
without reading it all, and, once given a journal (local/journal.py), writes each DynamoDB write moto served
successfully to it, fsynced, before the answer leaves: an acknowledged write survives kill -9. `replay` sends
journalled requests again at start, without journalling them twice.
"""

from __future__ import annotations

import io
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from moto.server import ThreadedMotoServer
from werkzeug.datastructures import EnvironHeaders
from werkzeug.test import EnvironBuilder

from local.journal import Entry, Journal

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
POLL_EVERY = 0.05
DYNAMODB_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
log = logging.getLogger(__name__)


class OneRequestAtATime:
    """WSGI middleware: run the wrapped app for one request at a time."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app
        self.lock = threading.Lock()
        self.writes = 0  # DynamoDB write requests served so far
        self.journal: Journal | None = None  # where DynamoDB writes go before they are answered

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        body = _read_body(environ)
        wait, short_poll = _long_poll(environ, body)
        if wait <= 0:
            target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
            writes = target.startswith("DynamoDB_") and target.rsplit(".", 1)[-1] in DYNAMODB_WRITES
            journal = self.journal if writes else None
            if journal is None:
                status, headers, payload = self._serve(environ, body, writes)
            else:
                with journal.gate.write():
                    status, headers, payload = self._serve(environ, body, writes, journal)
                    written = journal.seq
                journal.sync(written)  # on disk before the answer leaves (outside the lock: fsyncs are shared)
        else:
            deadline = time.monotonic() + wait
            while True:
                status, headers, payload = self._serve(environ, short_poll)
                if b"ReceiptHandle" in payload or time.monotonic() >= deadline:
                    break
                time.sleep(POLL_EVERY)
        start_response(status, headers)
        return [payload]

    def replay(self, entries: Iterable[Entry]) -> tuple[int, int]:
        """Serve journalled requests again, in order, unjournalled; return (applied, refused).

        A refused one (a condition that no longer holds) is logged and skipped: it changed nothing the first
        time either, or the table it found was not the one it was journalled against.
        """
        applied = refused = 0
        for entry in entries:
            builder = EnvironBuilder(
                method=entry.method, path=entry.path, query_string=entry.query, headers=entry.headers, data=entry.body
            )
            try:
                environ = builder.get_environ()
            finally:
                builder.close()
            status, _, payload = self._serve(environ, entry.body)
            if status.startswith("200"):
                applied += 1
            else:
                refused += 1
                log.warning("journal entry %d refused at replay: %s %s", entry.seq, status, payload[:300])
        return applied, refused

    def _serve(
        self, environ: dict[str, Any], body: bytes, writes: bool = False, journal: Journal | None = None
    ) -> tuple[str, list[tuple[str, str]], bytes]:
        """Call the app under the lock with this body; return its status, headers and whole body.

        With a journal, a successful request is written to it in the order moto applied it (not yet fsynced).
        """
        answer: dict[str, Any] = {}

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
            answer["status"], answer["headers"] = status, headers
            return chunks.append

        chunks: list[bytes] = []
        request = dict(environ, **{"wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))})
        with self.lock:
            self.writes += writes
            result = self.app(request, start)
            try:
                chunks.extend(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
            if journal is not None and answer["status"].startswith("200"):
                journal.append(*_request_of(environ), body)
        return answer["status"], answer["headers"], b"".join(chunks)


def _request_of(environ: dict[str, Any]) -> tuple[str, str, str, list[tuple[str, str]]]:
    """Return the method, path, query and headers of a request, as they came (Content-Length left out)."""
    headers = [(name, value) for name, value in EnvironHeaders(environ).items() if name.lower() != "content-length"]
    return (
        str(environ.get("REQUEST_METHOD", "POST")),
        str(environ.get("PATH_INFO") or "/"),
        str(environ.get("QUERY_STRING", "")),
        headers,
    )


def _read_body(environ: dict[str, Any]) -> bytes:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    stream = environ.get("wsgi.input")
    return stream.read(length) if stream is not None and length > 0 else b""


def _long_poll(environ: dict[str, Any], body: bytes) -> tuple[float, bytes]:
    """Return (seconds to wait, the same request as a short poll) for an SQS long poll, else (0, body)."""
    if environ.get("HTTP_X_AMZ_TARGET") == "AmazonSQS.ReceiveMessage":  # the JSON protocol (boto3 today)
        try:
            params = json.loads(body or b"{}")
            wait = float(params.get("WaitTimeSeconds") or 0)
        except (ValueError, TypeError, AttributeError):
            return 0, body
        return wait, json.dumps({**params, "WaitTimeSeconds": 0}).encode()
    if b"Action=ReceiveMessage" in body:  # the query protocol (older SDKs)
        params = dict(parse_qsl(body.decode("utf-8", "replace")))
        try:
            wait = float(params.get("WaitTimeSeconds") or 0)
        except ValueError:
            return 0, body
        return wait, urlencode({**params, "WaitTimeSeconds": "0"}).encode()
    return 0, body


class SerialMotoServer(ThreadedMotoServer):
    """moto's threaded server whose app serves one request at a time (see the module's docstring)."""

    serial: OneRequestAtATime | None = None

    def start(self) -> None:
        super().start()
        server = self._server
        assert server is not None
        self.serial = OneRequestAtATime(server.app)
        server.app = self.serial  # before anyone knows the port: no request came yet

    def writes(self) -> int:
        """DynamoDB write requests served so far."""
        return self.serial.writes if self.serial is not None else 0

    def replay(self, entries: Iterable[Entry]) -> tuple[int, int]:
        """Serve journalled requests again (see `OneRequestAtATime.replay`)."""
        assert self.serial is not None, "start the server first"
        return self.serial.replay(entries)

    def keep_journal(self, journal: Journal) -> None:
        """From now on, write every successful DynamoDB write to `journal` before answering it."""
        assert self.serial is not None, "start the server first"
        self.serial.journal = journal
