"""Feed cursors: opaque, bound to one view, refused when tampered with."""

from __future__ import annotations

import base64
import json

import pytest

from chalicelib.domain.errors import ValidationFailed
from chalicelib.services.cursors import CursorCodec

CODEC = CursorCodec("cursor-secret")
POSITION = "1773389100123#p0123456789abcdef"


def refused(cursor: str, view: str = "report", codec: CursorCodec = CODEC) -> None:
    with pytest.raises(ValidationFailed) as raised:
        codec.decode(cursor, view)
    assert "cursor" in raised.value.fields


def test_a_cursor_gives_back_its_position_in_its_view() -> None:
    for view in ("report", "*", "author:u1"):
        assert CODEC.decode(CODEC.encode(POSITION, view), view) == POSITION


def test_a_cursor_of_another_view_is_refused() -> None:
    cursor = CODEC.encode(POSITION, "report")

    refused(cursor, "traffic")
    refused(cursor, "*")


def test_a_cursor_with_a_changed_position_is_refused() -> None:
    cursor = CODEC.encode(POSITION, "report")
    _, signature = cursor.split(".")
    moved = json.dumps({"p": "9999999999999#p-last", "v": "report"}, separators=(",", ":")).encode()

    refused(base64.urlsafe_b64encode(moved).decode().rstrip("=") + "." + signature)


def test_a_cursor_with_a_changed_signature_is_refused() -> None:
    cursor = CODEC.encode(POSITION, "report")

    refused(cursor[:-1] + ("0" if cursor[-1] != "0" else "1"))


def test_a_cursor_signed_with_another_secret_is_refused() -> None:
    refused(CursorCodec("another-secret").encode(POSITION, "report"))


@pytest.mark.parametrize("cursor", ["", "abc", ".", "abc.def", "!!!.0123456789abcdef", "a.b.c"])
def test_garbage_is_refused(cursor: str) -> None:
    refused(cursor)


def test_a_signed_cursor_of_the_wrong_shape_is_refused() -> None:
    codec = CursorCodec("cursor-secret")
    for payload in (b"[]", b'{"p": 5, "v": "report"}', b'{"v": "report"}', b"\xff\xfe"):
        forged = base64.urlsafe_b64encode(payload).decode().rstrip("=") + "." + codec._sign(payload)
        refused(forged)
