"""Lazily built, cached boto3 clients: none exists at import time."""

from __future__ import annotations

import os
import threading
from typing import Any

_clients: dict[tuple[str, str, str], Any] = {}
_lock = threading.Lock()


def client(service: str, region: str) -> Any:
    """Return a cached boto3 client for a service, built on first use."""
    key = (service, region, os.environ.get("AWS_ENDPOINT_URL", ""))
    found = _clients.get(key)
    if found is not None:
        return found
    with _lock:
        if key not in _clients:
            import boto3
            from botocore.config import Config

            # S3 presigns with SigV2 in us-east-1 unless told otherwise, which buckets made since June 2020 refuse.
            signing = {"signature_version": "s3v4"} if service == "s3" else {}
            config = Config(
                retries={"mode": "standard", "max_attempts": 4},
                connect_timeout=3,
                read_timeout=10,
                max_pool_connections=32,
                **signing,
            )
            _clients[key] = boto3.session.Session().client(service, region_name=region, config=config)
        return _clients[key]


def clear_clients() -> None:
    """Forget every cached client (tests switch endpoints between runs)."""
    with _lock:
        _clients.clear()
