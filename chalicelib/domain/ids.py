"""Opaque ids that sort by creation."""

from __future__ import annotations

import secrets
import threading
import time

_id_lock = threading.Lock()
_last_ns = 0


def new_id(prefix: str) -> str:
    """Return a fresh opaque id that sorts by creation within a process (ties in one millisecond)."""
    global _last_ns
    with _id_lock:
        _last_ns = max(time.time_ns(), _last_ns + 1)
        stamp = _last_ns
    return f"{prefix}{stamp:016x}{secrets.token_hex(3)}"
