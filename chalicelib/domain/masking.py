"""Mask ID-card and mobile numbers in public text, keeping its length."""

from __future__ import annotations

import re

_ID18 = re.compile(r"(?<![0-9０-９])([1-9１-９])([0-9０-９]{15})([0-9０-９][0-9０-９Xx])(?![0-9０-９Xx])")
_ID15 = re.compile(r"(?<![0-9０-９])([1-9１-９])([0-9０-９]{12})([0-9０-９]{2})(?![0-9０-９Xx])")
_MOBILE = re.compile(
    r"(?:(?<![0-9０-９])|(?<=[+＋]86)|(?<=[+＋]８６))([1１][3-9３-９][0-9０-９])([0-9０-９]{4})([0-9０-９]{4})(?![0-9０-９])"
)


def mask_text(text: str) -> str:
    """Replace the middle of ID-card and mobile numbers with '*', keeping the length."""
    text = _ID18.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)
    text = _ID15.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)
    return _MOBILE.sub(lambda m: m.group(1) + "*" * 4 + m.group(3), text)


def mask_phone(phone: str) -> str:
    """Mask a phone number for display: first 3 and last 4 digits kept."""
    digits = phone.removeprefix("+86")
    if len(digits) < 8:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
