"""Unit tests run on fakes alone: no AWS client, no network connection (`make check` relies on it)."""

from __future__ import annotations

import socket
from typing import Any

import pytest


class LeftTheProcess(AssertionError):
    """A unit test asked for an AWS client or a network connection."""


@pytest.fixture(autouse=True)
def _no_aws_and_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every boto3 client is made by botocore's create_client; every TCP/UDP connection goes through connect."""
    from botocore.session import Session

    def no_client(self: Session, service_name: str, *args: Any, **kwargs: Any) -> Any:
        raise LeftTheProcess(f"a unit test asked for an AWS client ({service_name}); use the fakes in tests/fakes.py")

    real_connect = socket.socket.connect

    def local_only(self: socket.socket, address: Any) -> Any:
        if self.family == socket.AF_UNIX:
            return real_connect(self, address)
        raise LeftTheProcess(f"a unit test tried to connect to {address!r}")

    monkeypatch.setattr(Session, "create_client", no_client)
    monkeypatch.setattr(socket.socket, "connect", local_only)
