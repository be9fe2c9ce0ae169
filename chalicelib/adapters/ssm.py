"""Secrets and settings from SSM Parameter Store: read on first use, cached for a few minutes."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from chalicelib.adapters.aws import client

log = logging.getLogger(__name__)
CACHE_SECONDS = 300.0  # a rotated secret is picked up within five minutes

_values: dict[tuple[str, str], tuple[float, str]] = {}
_lock = threading.Lock()


def parameter(name: str, region: str, *, clock: Callable[[], float] = time.monotonic) -> str:
    """Return a parameter's (decrypted) value; keep serving the last good one if a refresh fails."""
    key = (name, region)
    now = clock()
    found = _values.get(key)
    if found is not None and now - found[0] < CACHE_SECONDS:
        return found[1]
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        response = client("ssm", region).get_parameter(Name=name, WithDecryption=True)
    except (BotoCoreError, ClientError):
        if found is None:
            raise
        log.warning("could not refresh an SSM parameter; using the cached value", extra={"parameter": name})
        return found[1]
    value = str(response["Parameter"]["Value"])
    with _lock:
        _values[key] = (now, value)
    return value


def forget() -> None:
    """Drop every cached value (tests)."""
    with _lock:
        _values.clear()
