"""Keep the local photos bucket on disk, so that `make dev` restarted still shows the photos its posts name.

moto keeps S3 in memory; the table survives a restart (local/snapshot.py) and would then point at photos that
are gone. Every second the bucket's listing is compared with the copy in the data folder: new or changed
objects (by ETag) are saved with their Content-Type, Cache-Control and tags, removed ones deleted; at start
the copy is put back. A photo written less than a second before a kill -9 may be lost (the processor then finds
no upload and the post shows the photo as missing); a retag alone (state=unused to used) does not change the
ETag and is saved with the object's next change only, which matters little locally, where no lifecycle runs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from local.snapshot import write_atomically

log = logging.getLogger(__name__)
INDEX = "index.json"


class BucketMirror:
    """The copy of one bucket in a folder: objects/<sha256 of the key> and index.json (key -> what to restore)."""

    def __init__(self, s3: Any, bucket: str, folder: Path) -> None:
        self.s3, self.bucket, self.folder = s3, bucket, folder
        path = folder / INDEX
        self.index: dict[str, dict[str, Any]] = json.loads(path.read_text("utf-8")) if path.exists() else {}

    def _file(self, key: str) -> Path:
        return self.folder / "objects" / hashlib.sha256(key.encode("utf-8")).hexdigest()

    def restore(self) -> int:
        """Put every saved object back into the bucket; return how many."""
        restored = 0
        for key, entry in list(self.index.items()):
            path = self._file(key)
            if not path.exists():
                del self.index[key]
                continue
            extra = {"ContentType": entry.get("content_type") or "binary/octet-stream"}
            if entry.get("cache_control"):
                extra["CacheControl"] = entry["cache_control"]
            if entry.get("tags"):
                extra["Tagging"] = urlencode(entry["tags"])
            answer = self.s3.put_object(Bucket=self.bucket, Key=key, Body=path.read_bytes(), **extra)
            entry["etag"] = answer["ETag"].strip('"')
            restored += 1
        self._save_index()
        return restored

    def sync(self) -> int:
        """Save what changed in the bucket since the last sync; return how many objects were saved or removed."""
        listed: dict[str, str] = {}
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            listed.update({item["Key"]: item["ETag"].strip('"') for item in page.get("Contents", [])})
        changed = 0
        for key in [k for k in self.index if k not in listed]:
            self._file(key).unlink(missing_ok=True)
            del self.index[key]
            changed += 1
        for key, etag in listed.items():
            if self.index.get(key, {}).get("etag") != etag:
                changed += self._save(key)
        if changed:
            self._save_index()
        return changed

    def _save(self, key: str) -> int:
        try:
            answer = self.s3.get_object(Bucket=self.bucket, Key=key)
            tags = self.s3.get_object_tagging(Bucket=self.bucket, Key=key)["TagSet"]
        except self.s3.exceptions.NoSuchKey:
            return 0  # deleted between the listing and now
        write_atomically(self._file(key), answer["Body"].read())
        self.index[key] = {
            "etag": answer["ETag"].strip('"'),
            "content_type": answer.get("ContentType", ""),
            "cache_control": answer.get("CacheControl", ""),
            "tags": {t["Key"]: t["Value"] for t in tags},
        }
        return 1

    def _save_index(self) -> None:
        write_atomically(self.folder / INDEX, json.dumps(self.index, ensure_ascii=False, sort_keys=True).encode())

    def run(self, stop: threading.Event, interval: float = 1.0) -> None:
        """Sync every `interval` seconds until stopped (the caller syncs once more after)."""
        while not stop.wait(interval):
            try:
                self.sync()
            except Exception:
                log.exception("photos mirror: sync of %s failed", self.bucket)
