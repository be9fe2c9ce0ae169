"""Mask ID-card and mobile numbers in public text, keeping its length; published contacts stay as written.

A number is a run of digit groups (ASCII or full-width digits) joined by single spaces or dashes,
`138 1234 5678` or `110105-19491231-002X`; any whole groups of a run that spell a number count:

- an 18-digit ID card whose GB 11643-1999 check digit is right (first digit and last two kept),
- a 15-digit old ID card with a real date at positions 7-12, YYMMDD (first digit and last two kept),
- an 11-digit mobile number starting 13-19, also after +86 (first three and last four kept).

Only digits turn into `*`, one for one, so the text keeps its length and its separators; masking
again changes nothing. Numbers listed in `exempt` (published contacts of units and officers) are
left alone wherever they appear.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date

_D = "0-9０-９"
_GROUP = rf"[{_D}]+[XxＸｘ]?"
_SEP = "[ \u00a0\u3000\\-\u2010-\u2013\uff0d]"
_RUN = re.compile(rf"(?<![{_D}])(?:{_GROUP})(?:{_SEP}(?:{_GROUP}))*")
_SEPARATOR = re.compile(_SEP)
_NORMAL = str.maketrans("０１２３４５６７８９xＸｘ", "0123456789XXX")
_NOT_DIGIT = re.compile(r"[^0-9X]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_ID15 = re.compile(r"[1-9]\d{14}")
_ID18 = re.compile(r"[1-9]\d{16}[\dX]")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def id18_valid(digits: str) -> bool:
    """Tell whether 18 characters are an ID-card number with a right GB 11643-1999 check digit."""
    if not _ID18.fullmatch(digits):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:17], _WEIGHTS, strict=True))
    return _CHECK[total % 11] == digits[17]


def id15_valid(digits: str) -> bool:
    """Tell whether 15 digits are an old ID-card number: a real YYMMDD birth date at positions 7-12."""
    if not _ID15.fullmatch(digits):
        return False
    try:
        date(1900 + int(digits[6:8]), int(digits[8:10]), int(digits[10:12]))
    except ValueError:
        return False
    return True


def _kept(digits: str) -> tuple[int, int] | None:
    """Return how many leading and trailing digits a number keeps, or None if it is no number."""
    if len(digits) == 11 and _MOBILE.fullmatch(digits):
        return 3, 4
    if (len(digits) == 15 and id15_valid(digits)) or (len(digits) == 18 and id18_valid(digits)):
        return 1, 2
    return None


def _numbers(text: str) -> Iterator[tuple[str, list[int], tuple[int, int]]]:
    """Yield every number of the text: its normalized digits, their positions, and what it keeps."""
    for run in _RUN.finditer(text):
        positions: list[int] = []
        chars: list[str] = []
        starts: set[int] = set()
        ends: set[int] = set()
        offset = run.start()
        for group in _SEPARATOR.split(run.group()):
            starts.add(len(chars))
            for index, char in enumerate(group):
                positions.append(offset + index)
                chars.append(char.translate(_NORMAL))
            ends.add(len(chars))
            if chars[-1] == "X":
                ends.add(len(chars) - 1)  # 13812345678X: the letter ends a mobile, or checks an ID card
            offset += len(group) + 1
        if run.start() > 0 and text[run.start() - 1] in "+＋" and chars[:2] == ["8", "6"]:
            starts.add(2)  # +86 13812345678
        for start in sorted(starts):
            for end in (start + 11, start + 15, start + 18):
                if end in ends:
                    digits = "".join(chars[start:end])
                    kept = _kept(digits)
                    if kept is not None:
                        yield digits, positions[start:end], kept


def normalize_number(raw: str) -> str:
    """Return a number's digits alone, in ASCII (`X` for the ID check letter), without a +86 prefix."""
    digits = _NOT_DIGIT.sub("", raw.translate(_NORMAL))
    return digits[2:] if len(digits) == 13 and digits.startswith("86") else digits


def numbers_in(text: str) -> set[str]:
    """Return the normalized ID-card and mobile numbers written in a text."""
    return {digits for digits, _, _ in _numbers(text)}


def _mask_once(text: str, exempt: frozenset[str]) -> str:
    masked: set[int] = set()
    protected: set[int] = set()
    for digits, positions, (head, tail) in _numbers(text):
        if digits in exempt:
            protected.update(positions)
        else:
            masked.update(positions[head : len(positions) - tail])
    masked -= protected
    if not masked:
        return text
    chars = list(text)
    for position in masked:
        chars[position] = "*"
    return "".join(chars)


def mask_text(text: str, exempt: Iterable[str] = ()) -> str:
    """Replace the middle digits of ID-card and mobile numbers with '*', keeping the length.

    Numbers in `exempt` (published contacts, in any spelling) are never touched.
    """
    if not text or not _RUN.search(text):
        return text
    kept = frozenset(normalize_number(number) for number in exempt)
    while True:  # a pass can expose a number only a later pass sees; stop when nothing changes
        masked = _mask_once(text, kept)
        if masked == text:
            return masked
        text = masked


def mask_phone(phone: str) -> str:
    """Mask a phone number for display: first 3 and last 4 digits kept."""
    digits = phone.removeprefix("+86")
    if len(digits) < 8:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
