"""Query and header parameters as routes declare them: what OpenAPI says, and how the value is read."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chalicelib.api.http import IDEMPOTENCY_KEY, int_param, valid_idempotency_key
from chalicelib.domain.boards import BOARDS
from chalicelib.domain.errors import ValidationFailed


def _text(raw: str | None) -> str | None:
    return raw or None


def _raw(raw: str | None) -> str | None:
    return raw


@dataclass(frozen=True)
class Param:
    """A query or header parameter: its description, and how its raw value is read (None when absent)."""

    name: str
    schema: dict[str, Any]
    description: str = ""
    required: bool = False
    read: Callable[[str | None], Any] = field(default=_text, compare=False, repr=False)


def limit(default: int, high: int) -> Param:
    """A page size: an integer of at least 1, `default` without one, above `high` read as `high`."""
    return Param(
        "limit",
        {"type": "integer", "minimum": 1, "default": default},
        f"page size; above {high} is treated as {high}",
        read=lambda raw: int_param("limit", raw, default, 1, high),
    )


def _month(raw: str | None) -> str | None:
    if raw and not re.fullmatch(r"\d{4}-\d{2}", raw):
        raise ValidationFailed("月份格式应为 YYYY-MM", {"month": "expected YYYY-MM"})
    return raw or None


CURSOR = Param("cursor", {"type": "string"}, "opaque, from `next_cursor`; an unknown or tampered one is 400")
IDEMPOTENCY = Param(
    "Idempotency-Key",
    {"type": "string", "pattern": f"^{IDEMPOTENCY_KEY.pattern}$"},
    "1-64 of [A-Za-z0-9_-] (else 400); per account, kept 24 h: a replay returns the first result; "
    "another body with it is 409",
    read=valid_idempotency_key,
)
BOARD = Param("board", {"type": "string", "enum": [b.id for b in BOARDS]}, "one board; none = all boards")
UNIT = Param(
    "unit",
    {"type": "string"},
    "a unit id; none = the platform (CSV: the platform and every unit); an unknown one is 404",
)
MONTH = Param(
    "month",
    {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
    "YYYY-MM (+08:00); the current month by default",
    read=_month,
)
TO = Param("to", {"type": "string"}, "a phone (with or without +86) or an address")
CAD_TIMESTAMP = Param(
    "X-Timestamp", {"type": "string", "pattern": "^[0-9]+$"}, "Unix seconds, within ±300 s", True, read=_raw
)
CAD_SIGNATURE = Param(
    "X-Signature", {"type": "string"}, 'sha256=<hex HMAC-SHA256 of "<X-Timestamp>.<raw body>">', True, read=_raw
)
BODY_ERRORS = (400, 413, 415)
POST_ERRORS = (*BODY_ERRORS, 401, 403, 404)
NEXT = Param("next", {"type": "string", "maxLength": 200}, "a path on this site to come back to (default /)")
WECHAT_CODE = Param("code", {"type": "string", "maxLength": 128}, "WeChat's one-time sign-in code")
WECHAT_STATE = Param("state", {"type": "string", "maxLength": 128}, "the signed state of `/auth/wechat/start`")
PAGE_URL = Param("url", {"type": "string", "maxLength": 500}, "the page's address, without its #fragment")
CAD_EXPIRES = Param("expires", {"type": "string", "maxLength": 12}, "until when the link is good (epoch seconds)")
CAD_SIG = Param("sig", {"type": "string", "maxLength": 64}, "the link's HMAC, made with the 110 channel's secret")
