"""A write-ahead journal of the AWS requests that changed the local table, so that no acknowledged write is lost.

The snapshot (local/snapshot.py) is written every few seconds; alone it would lose what was written since, when
the stack is killed. So local/serial.py appends every DynamoDB write moto served successfully to `journal.log`,
one JSON line each, and fsyncs the file before moto's answer leaves: once the app has its answer (and its caller a
201), the request is on disk. Requests are appended under the one-request-at-a-time lock, so the file's order is
the order moto applied them in; the fsync comes after the lock is released (one fsync covers every entry written
before it, so requests waiting together share one), so moto is not held up by the disk. Another request may read a
write whose fsync is still under way; a write that depends on it is further down the file, so its own fsync covers
both.

At start the snapshot is restored and the entries numbered after the snapshot's `journal_seq` are replayed through
moto again, exactly as they were sent. The snapshotter then writes a snapshot that records the last entry it holds
and empties the journal. A crash between those two steps leaves entries the snapshot already holds: their numbers
are not above its `journal_seq`, so they are skipped. A last line cut short by a crash (its answer never left) is
dropped, and cut off the file before anything is appended.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entry:
    """One request moto served, as it was sent: enough to send it again."""

    seq: int
    method: str
    path: str
    query: str
    headers: list[tuple[str, str]]
    body: bytes

    def line(self) -> bytes:
        """Render the entry as one JSON line (the body as text when it is UTF-8, as DynamoDB's JSON is)."""
        record: dict[str, Any] = {
            "seq": self.seq,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": [list(pair) for pair in self.headers],
        }
        try:
            record["body"] = self.body.decode("utf-8")
        except UnicodeDecodeError:
            record["body64"] = base64.b64encode(self.body).decode("ascii")
        return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"

    @classmethod
    def parse(cls, line: bytes) -> Entry:
        """Read a line written by `line` (ValueError, KeyError or TypeError if it is not one)."""
        record = json.loads(line)
        body = record["body"].encode("utf-8") if "body" in record else base64.b64decode(record["body64"])
        headers = [(str(name), str(value)) for name, value in record["headers"]]
        return cls(int(record["seq"]), str(record["method"]), str(record["path"]), str(record["query"]), headers, body)


class Gate:
    """Many writes at a time, or one snapshot and no write: so that a snapshot sees every write whole.

    A write does not hold up another (moto's own lock orders them), nor wait behind anything but a snapshot.
    """

    def __init__(self) -> None:
        self._state = threading.Condition()
        self._writes = 0
        self._closed = False

    @contextmanager
    def write(self) -> Iterator[None]:
        with self._state:
            while self._closed:
                self._state.wait()
            self._writes += 1
        try:
            yield
        finally:
            with self._state:
                self._writes -= 1
                if not self._writes:
                    self._state.notify_all()

    @contextmanager
    def closed(self) -> Iterator[None]:
        """Wait for the writes under way to finish and keep new ones out meanwhile."""
        with self._state:
            while self._closed:
                self._state.wait()
            self._closed = True
            while self._writes:
                self._state.wait()
        try:
            yield
        finally:
            with self._state:
                self._closed = False
                self._state.notify_all()


class Journal:
    """Append-only file of the requests that changed the table since the last snapshot."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # Journalled requests pass the gate while moto serves them; the snapshot closes it while it reads the
        # table, so that it sees every write whole and knows the number of the last one it holds.
        self.gate = Gate()
        self.seq = 0  # the number of the last entry written (or held by the snapshot)
        self._synced = 0  # the number of the last entry known to be on disk
        self._sync_lock = threading.Lock()
        self._fd: int | None = None

    def recover(self, after: int) -> list[Entry]:
        """Open the journal; return the entries numbered after `after` (the snapshot's last), to replay.

        A torn last line is cut off. Entries that do not follow on from `after` (the snapshot they belong to is
        gone: a developer deleted `table.json` to start over) would replay half a history: the file is moved aside
        and nothing is replayed.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = self.path.read_bytes() if self.path.exists() else b""
        entries, good = _read(data)
        if good < len(data):
            log.warning("journal: ignoring %d byte(s) of a torn last entry in %s", len(data) - good, self.path)
        if entries and entries[0].seq > after + 1:
            aside = self.path.with_name(f"{self.path.name}.orphaned-{int(time.time())}")
            log.warning(
                "journal: entries %d.. do not follow the snapshot (%d); moved to %s", entries[0].seq, after, aside
            )
            os.replace(self.path, aside)
            entries, good = [], 0
        pending = [entry for entry in entries if entry.seq > after]
        self.seq = self._synced = max([after] + [entry.seq for entry in entries])
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        if not pending:
            good = 0  # everything in it is in the snapshot already
        os.ftruncate(self._fd, good)
        os.fsync(self._fd)
        _fsync_directory(self.path.parent)
        return pending

    def append(self, method: str, path: str, query: str, headers: list[tuple[str, str]], body: bytes) -> int:
        """Write one request (in the order moto applied it); return its number. `sync` before answering it."""
        if self._fd is None:
            raise RuntimeError("the journal is not open (call recover first)")
        entry = Entry(self.seq + 1, method, path, query, headers, body)
        line = entry.line()
        if os.write(self._fd, line) != len(line):
            raise OSError(f"short write to {self.path}")
        self.seq = entry.seq
        return entry.seq

    def sync(self, upto: int) -> None:
        """Return once the entries up to `upto` are on disk: fsync, unless another caller's fsync covered them."""
        with self._sync_lock:
            if self._synced >= upto or self._fd is None:
                return
            written = self.seq  # everything written so far goes down with this fsync
            os.fsync(self._fd)
            self._synced = written

    def compacted(self, upto: int) -> None:
        """Empty the journal: a snapshot holding entries up to `upto` is on disk. Close `gate` meanwhile."""
        if self._fd is not None and upto == self.seq and os.fstat(self._fd).st_size:
            os.ftruncate(self._fd, 0)
            os.fsync(self._fd)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _read(data: bytes) -> tuple[list[Entry], int]:
    """Parse whole lines up to the first torn or unreadable one; return them and where the good part ends."""
    entries: list[Entry] = []
    good = 0
    while good < len(data):
        end = data.find(b"\n", good)
        if end < 0:
            break  # a last line without its newline: the write was cut short
        try:
            entry = Entry.parse(data[good:end])
        except (ValueError, KeyError, TypeError):
            break
        if entries and entry.seq != entries[-1].seq + 1:
            break
        entries.append(entry)
        good = end + 1
    return entries, good


def _fsync_directory(directory: Path) -> None:
    """Make a file's creation or renaming in `directory` survive a crash."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
