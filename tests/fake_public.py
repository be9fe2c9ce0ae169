"""An in-memory bucket of public copies (services.publish.PublicObjects), with S3's conditional writes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass
class InMemoryPublicObjects:
    """Objects by key, their ETag the MD5 of the body, as S3 gives it; what the edge was told to forget."""

    objects: dict[str, bytes] = field(default_factory=dict)
    invalidated: list[str] = field(default_factory=list)
    puts: int = 0

    def etag(self, key: str) -> str | None:
        body = self.objects.get(key)
        return None if body is None else hashlib.md5(body, usedforsecurity=False).hexdigest()

    def write(self, key: str, body: bytes, etag: str | None, cache_control: str) -> bool:
        if self.etag(key) != etag:
            return False  # another writer came between
        if etag != hashlib.md5(body, usedforsecurity=False).hexdigest():
            self.objects[key] = body
            self.puts += 1
        return True

    def delete(self, key: str) -> bool:
        return self.objects.pop(key, None) is not None

    def invalidate(self, paths: list[str]) -> None:
        self.invalidated += paths
