"""Opaque, tamper-evident feed cursors."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from chalicelib.domain.errors import ValidationFailed

_BAD = "分页游标无效"


class CursorCodec:
    """Wrap a repository's position in a signed token bound to one view of the feed."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"cursor:" + secret.encode()).digest()

    def _sign(self, payload: bytes) -> str:
        return hmac.new(self._key, payload, hashlib.sha256).hexdigest()[:16]

    def encode(self, position: str, view: str) -> str:
        """Return the cursor for a position in a view (a board id or '*')."""
        payload = json.dumps({"p": position, "v": view}, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(payload).decode().rstrip("=") + "." + self._sign(payload)

    def decode(self, cursor: str, view: str) -> str:
        """Return the position a cursor holds, or refuse a foreign or tampered one with 400."""
        try:
            encoded, signature = cursor.split(".", 1)
            payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
            if not hmac.compare_digest(signature, self._sign(payload)):
                raise ValueError("bad signature")
            data = json.loads(payload)
            if data["v"] != view or not isinstance(data["p"], str):
                raise ValueError("cursor of another view")
            return str(data["p"])
        except (ValueError, KeyError, TypeError) as error:
            raise ValidationFailed(_BAD, {"cursor": "unknown or tampered cursor"}) from error
