"""Keep the local table in `.data/table.json`: dump it atomically, restore it at start.

With a journal (local/journal.py) the snapshot records the number of the last journalled write it holds
(`journal_seq`); restoring replays the writes journalled after it, and each dump empties the journal.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from local.journal import Entry, Journal

log = logging.getLogger(__name__)

Item = dict[str, Any]
TTL_ATTRIBUTE = "expires_at"


def scan(client: Any, table: str) -> list[Item]:
    """Read every item of the table in DynamoDB's typed form (dev tooling only)."""
    items: list[Item] = []
    for page in client.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
        items.extend(page["Items"])
    items.sort(key=lambda item: (_key_text(item, "PK"), _key_text(item, "SK")))
    return items


def _key_text(item: Item, name: str) -> str:
    value = item.get(name, {})
    return str(next(iter(value.values()), "")) if isinstance(value, dict) else ""


def _convert(value: Any, binary: Callable[[Any], Any]) -> Any:
    """Apply `binary` to every binary value (B, and each of BS) in a typed value, keeping the rest."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for kind, inner in value.items():
            if kind == "B":
                out[kind] = binary(inner)
            elif kind == "BS":
                out[kind] = [binary(b) for b in inner]
            else:
                out[kind] = _convert(inner, binary)
        return out
    if isinstance(value, list):
        return [_convert(v, binary) for v in value]
    return value


def _encode(value: Any) -> Any:
    """Turn typed values into JSON: binary becomes base64, as on DynamoDB's wire."""
    return _convert(value, lambda raw: base64.b64encode(raw).decode("ascii"))


def _decode(value: Any) -> Any:
    """Invert `_encode`."""
    return _convert(value, base64.b64decode)


def serialize(items: list[Item], journal_seq: int = 0) -> bytes:
    """Render items (and the last journalled write they hold) as stable UTF-8 JSON."""
    document = {"format": "dynamodb-typed-json/1", "journal_seq": journal_seq, "items": [_encode(i) for i in items]}
    text = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True)
    return text.encode("utf-8")


def write_atomically(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old or the new content, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)  # the rename itself must be on disk before the journal is emptied
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def dump(client: Any, table: str, path: Path) -> int:
    """Write every item of the table to `path`; return how many."""
    items = scan(client, table)
    write_atomically(path, serialize(items))
    return len(items)


def load(path: Path) -> list[Item]:
    """Read the items of a snapshot file (none if there is no file)."""
    return load_document(path)[0]


def load_document(path: Path) -> tuple[list[Item], int]:
    """Read the items of a snapshot file and the last journalled write they hold (none and 0 without a file)."""
    if not path.exists():
        return [], 0
    document = json.loads(path.read_text(encoding="utf-8"))
    return [_decode(item) for item in document["items"]], int(document.get("journal_seq", 0))


def _expired(item: Item, now: float) -> bool:
    """Tell whether DynamoDB's TTL would have removed the item by now."""
    ttl = item.get(TTL_ATTRIBUTE, {})
    try:
        return "N" in ttl and float(ttl["N"]) < now
    except ValueError:
        return False


def _chunks(items: list[Item], size: int = 25) -> Iterator[list[Item]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def restore(client: Any, table: str, path: Path, *, now: float | None = None) -> int:
    """Put the snapshot's items into the table, leaving out TTL-expired ones; return how many."""
    moment = time.time() if now is None else now
    items = [item for item in load(path) if not _expired(item, moment)]
    _put(client, table, items)
    return len(items)


def _put(client: Any, table: str, items: list[Item]) -> None:
    _batch(client, table, [{"PutRequest": {"Item": item}} for item in items])


def _batch(client: Any, table: str, requests: list[dict[str, Any]]) -> None:
    """Send BatchWriteItem requests 25 at a time until none is left unprocessed."""
    for chunk in _chunks(requests):
        while chunk:
            answer = client.batch_write_item(RequestItems={table: chunk})
            chunk = answer.get("UnprocessedItems", {}).get(table, [])


def _expire(client: Any, table: str, now: float) -> int:
    """Delete what DynamoDB's TTL would have removed by now; return how many items are left."""
    items = scan(client, table)
    expired = [item for item in items if _expired(item, now)]
    if not expired:
        return len(items)
    keys = [key["AttributeName"] for key in client.describe_table(TableName=table)["Table"]["KeySchema"]]
    _batch(client, table, [{"DeleteRequest": {"Key": {name: item[name] for name in keys}}} for item in expired])
    return len(items) - len(expired)


class Snapshotter:
    """Dump the table whenever its content changed since the last dump (and empty the journal, if any)."""

    def __init__(self, client: Any, table: str, path: Path, journal: Journal | None = None) -> None:
        self.client = client
        self.table = table
        self.path = path
        self.journal = journal
        self.replayed = (0, 0)  # journal entries applied and refused at the last restore
        self._digest = ""
        self._lock = threading.Lock()

    def restore(self, replay: Callable[[list[Entry]], tuple[int, int]] | None = None) -> int:
        """Restore the snapshot, replay the journal after it, and remember the snapshot as already saved.

        With a journal every item goes back in first, expired or not, so that the journalled writes find the
        table they were made against; what TTL would have removed by now goes after, and the result is saved
        at once (emptying the journal), so that the writes journalled from now on are replayed, after a crash,
        against this very table. Return the items restored.
        """
        if self.journal is None:
            count = restore(self.client, self.table, self.path)
            self._digest = hashlib.sha256(serialize(scan(self.client, self.table))).hexdigest()
            return count
        items, seq = load_document(self.path)
        _put(self.client, self.table, items)
        entries = self.journal.recover(seq)
        if entries:
            if replay is None:
                raise ValueError("the journal holds writes to replay: pass `replay`")
            self.replayed = replay(entries)
        count = _expire(self.client, self.table, time.time())
        self._digest = hashlib.sha256(self.path.read_bytes()).hexdigest() if self.path.exists() else ""
        self.dump_if_changed()
        return count

    def dump_if_changed(self) -> bool:
        """Write the snapshot if the table changed; tell whether it wrote. Then empty the journal.

        Writes wait meanwhile (the journal's gate is closed), so that the snapshot holds exactly the journalled
        writes up to the number it records.
        """
        with self._lock, self.journal.gate.closed() if self.journal is not None else nullcontext():
            seq = self.journal.seq if self.journal is not None else 0
            data = serialize(scan(self.client, self.table), seq)
            digest = hashlib.sha256(data).hexdigest()
            wrote = digest != self._digest
            if wrote:
                write_atomically(self.path, data)
                self._digest = digest
            if self.journal is not None:
                self.journal.compacted(seq)
            return wrote

    def run(self, stop: threading.Event, interval: float = 2.0, writes: Callable[[], int] | None = None) -> None:
        """Dump every `interval` seconds until stopped (the caller dumps once more after).

        Reading the whole table costs more as it grows, and moto serves nothing else meanwhile: with `writes`
        (a count of the writes so far) a table nobody wrote to is not read, and dumps take at most a tenth
        of the time.
        """
        if writes is None:
            _every(stop, interval, self.dump_if_changed, "snapshot")
            return
        dumped = None
        while not stop.wait(interval):
            count = writes()
            if count == dumped:
                continue
            started = time.monotonic()
            try:
                self.dump_if_changed()
                dumped = count
            except Exception:
                log.exception("snapshot failed")
            if stop.wait(9 * (time.monotonic() - started)):
                return


def _every(stop: threading.Event, interval: float, action: Callable[[], object], what: str) -> None:
    """Call `action` every `interval` seconds until `stop` is set, logging failures."""
    while not stop.wait(interval):
        try:
            action()
        except Exception:
            log.exception("%s failed", what)
