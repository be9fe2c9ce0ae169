"""Mask ID-card and mobile numbers in public text; published contacts stay as written.

Masking reads a text as a person does, so a number stays a number however it is disguised:

- a digit is any Unicode decimal digit (ASCII, full-width, Arabic-Indic, mathematical …), a character
  whose NFKC form is one (superscript, circled), any other with a digit value (⑴ ⒈ ⓵ ❶ ➀), or a Chinese
  numeral as people read a number aloud (〇零一二三四五六七八九, 幺 for one, and the financial
  壹贰叁肆伍陆柒捌玖); `X` or `x` in any width is an ID card's check letter;
- invisible characters are skipped: format characters (category Cf: zero-width space and joiners, U+2060,
  BOM, soft hyphen), every combining mark (Mn, Me: accents, keycaps, Hebrew and Arabic points) and
  control characters;
- up to three separators may stand between two digits: spaces of any kind (tab, ideographic space),
  line breaks, dots, commas, 、, slashes, underscores, dashes of any kind, tildes, pluses, stars, bars,
  colons and bullets;
- a bidi override (U+202D, U+202E) is dropped from the text: under one, a reader sees the digits in
  another order than they are stored, so 87654321831 would be read as 13812345678.

Digits joined that way form a run of groups; a group ends wherever something stands between two digits,
and where Chinese numerals meet digits of another script (电话13812345678一直没人接).
Any whole groups of a run that spell a number count:

- an 18-digit ID card: a province of GB/T 2260 (or 9), a real birth date YYYYMMDD at positions 7-14 and a
  right GB 11643-1999 check digit (first digit and last two kept),
- a 15-digit old ID card: a province and a real birth date YYMMDD at positions 7-12 (first digit and last
  two kept),
- an 11-digit mobile number starting 13-19, grouped as people write one: whole, 3-4-4, 3-8, 7-4, 4-4-3 or
  digit by digit (first three and last four kept), also after a prefix 0, 86, +86 or 0086, which stays.

No number takes in any digit of a date (2026-03-13, 2026/3/13, 2026.03.13; but an ID card's birth date
may be written as one) or of an amount: thousands with commas (13,812,345,678) and decimals (2.13).
Dates, times, amounts, codes and post codes are shorter or fail these checks, and stay.

Each masked digit turns into one `*`; kept digits, separators and all other text stay as written, and
invisible characters inside a masked number are dropped. So the visible text keeps its length: every
visible character keeps its place. Masking again changes nothing. Numbers listed in `exempt` (published
contacts of units and officers) are left alone wherever they appear, in any spelling.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from bisect import bisect_left, bisect_right
from calendar import isleap
from collections.abc import Iterable, Iterator
from operator import mul
from typing import NamedTuple

from chalicelib.domain.marks import COMBINING_MARKS

# What a reader takes for a digit, a check letter, a separator, or nothing at all. Written out for the
# regular expressions (which know no NFKC); tests/unit/test_masking.py checks them against unicodedata.
CHINESE_DIGITS = {  # numerals as a number is read aloud: 幺三八 is 138
    **{char: str(value) for value, char in enumerate("〇一二三四五六七八九")},
    **{char: str(value) for value, char in enumerate("零壹贰叁肆伍陆柒捌玖")},
    "幺": "1",
}
DIGIT = (  # every Unicode decimal digit, and what NFKC folds into one: superscripts, subscripts, circled
    "\\d\u00b2\u00b3\u00b9\u2070\u2074-\u2079\u2080-\u2089\u2460-\u2468\u24ea"
    # and every other character with a digit value: ⑴ ⒈ ⓵ ⓿ ❶ ➀ ➊, 🄁 and the Ethiopic ፩
    "\u1369-\u1371\u19da\u2474-\u247c\u2488-\u2490\u24f5-\u24fd\u24ff\u2776-\u277e\u2780-\u2788"
    "\u278a-\u2792\U00010a40-\U00010a43\U00010e60-\U00010e68\U00011052-\U0001105a\U0001f100-\U0001f10a"
    + "".join(CHINESE_DIGITS)
)
CHECK_LETTER = (  # X or x, and what NFKC folds into one (full-width, mathematical …)
    "Xx\u02e3\u2093\u2169\u2179\u24cd\u24e7\uff38\uff58\U0001d417\U0001d431\U0001d44b\U0001d465"
    "\U0001d47f\U0001d499\U0001d4b3\U0001d4cd\U0001d4e7\U0001d501\U0001d51b\U0001d535\U0001d54f"
    "\U0001d569\U0001d583\U0001d59d\U0001d5b7\U0001d5d1\U0001d5eb\U0001d605\U0001d61f\U0001d639"
    "\U0001d653\U0001d66d\U0001d687\U0001d6a1\U0001f147"
)
SEPARATOR = (
    "\\s"  # every space (tab, no-break, ideographic …) and line break
    "\\-\u058a\u05be\u1400\u1806\u2010-\u2015\u2e17\u2e1a\u2e3a\u2e3b\u2e40\u2e5d\u301c\u3030\u30a0"
    "\ufe31\ufe32\ufe58\ufe63\uff0d\U00010ead\u2212\u207b\u208b"  # dashes and minus signs
    ".,/\\\\_、。・·\u0387\u2024\ufe10-\ufe12\ufe33\ufe34\ufe4d-\ufe52\ufe68"  # dots, commas, slashes
    "\uff0c\uff0e\uff0f\uff3c\uff3f\uff61\uff64\uff65"
    "\u2800\u115f\u1160\u3164\uffa0"  # letters that look blank: braille blank, Hangul fillers
    "~\uff5e+\uff0b*\uff0a|\uff5c:\uff1a\u2022\u2027"  # tildes, pluses, stars, bars, colons, bullets
)
INVISIBLE = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"  # format characters (Cf)
    + COMBINING_MARKS  # every combining mark: accents, keycaps, variation selectors, Hebrew and Arabic points
    + "\u20d0-\u20ff\u1ab0-\u1aff\u1dc0-\u1dff"  # (the mark blocks whole, unassigned code points included)
    + "\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f"  # control characters that are no space
)
MAX_GAP = 3  # separators that may stand between two digits of one number
_RUN = re.compile(
    rf"[{DIGIT}](?:[{INVISIBLE}]*+(?:[{SEPARATOR}][{INVISIBLE}]*+){{0,{MAX_GAP}}}+[{DIGIT}{CHECK_LETTER}])*+"
)
_IS_DIGIT = re.compile(f"[{DIGIT}]")
_OVERRIDES = re.compile("[\u202d\u202e]")
_IS_CHECK_LETTER = re.compile(f"[{CHECK_LETTER}]")
_IS_SEPARATOR = re.compile(f"[{SEPARATOR}]")
_DIGIT_OR_LETTER = re.compile(f"[{DIGIT}{CHECK_LETTER}]")
_DIGITS = "0123456789"
_MOBILE = re.compile(r"1[3-9]\d{9}")
_ID15 = re.compile(r"[1-9]\d{14}")
_ID18 = re.compile(r"[1-9]\d{16}[\dX]")
_PREFIXES = {"1": ("",), "8": ("86",), "0": ("0086", "0")}  # by the first digit: +86 is 86
_DATE_SEPARATORS = ("-", "/", ".", "－", "／", "．")
_MOBILE_GROUPINGS = frozenset(  # where a mobile's groups start, after its first
    frozenset(starts) for starts in ((), (3,), (7,), (3, 7), (4, 8), range(1, 11))
)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_PROVINCES = frozenset(  # GB/T 2260; 81-83: residence permits of Hong Kong, Macao and Taiwan residents
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)
_CACHE_LIMIT = 20_000


def _kind(char: str) -> str:
    """Classify a character of a run: its digit '0'-'9', 'X', 's' for a separator or 'i' for an invisible one."""
    if char in CHINESE_DIGITS:
        return CHINESE_DIGITS[char]
    if _IS_DIGIT.match(char):
        value = unicodedata.digit(char, None)
        return _DIGITS[value if value is not None else unicodedata.decimal(unicodedata.normalize("NFKC", char))]
    if _IS_CHECK_LETTER.match(char):
        return "X"
    return "s" if _IS_SEPARATOR.match(char) else "i"


class _Kinds(dict[int, str]):
    """Code point -> kind, for str.translate: classified on first sight, then cached (bounded)."""

    def __missing__(self, code: int) -> str:
        if len(self) >= _CACHE_LIMIT:
            self.clear()
        kind = self[code] = _kind(chr(code))
        return kind


_KINDS = _Kinds()
_TOKENS = str.maketrans("", "", "si")  # kinds -> digits and letters alone


def _born(year: int, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month - 1] and (month != 2 or day != 29 or isleap(year))


def id18_valid(digits: str) -> bool:
    """Tell whether 18 characters are an ID-card number: a province, a birth date and a right check digit.

    The province is one of GB/T 2260 (or 9, a foreigner's permanent residence card), the birth date
    YYYYMMDD at positions 7-14 is real, and the GB 11643-1999 check digit is right.
    """
    if not _ID18.fullmatch(digits) or (digits[:2] not in _PROVINCES and digits[0] != "9"):
        return False
    if not _born(int(digits[6:10]), int(digits[10:12]), int(digits[12:14])) or not "18" <= digits[6:8] <= "20":
        return False
    total = sum(map(mul, map(int, digits[:17]), _WEIGHTS))
    return _CHECK[total % 11] == digits[17]


def id15_valid(digits: str) -> bool:
    """Tell whether 15 digits are an old ID-card number: a province, and a real YYMMDD birth date at positions 7-12."""
    if not _ID15.fullmatch(digits) or digits[:2] not in _PROVINCES:
        return False
    return _born(1900 + int(digits[6:8]), int(digits[8:10]), int(digits[10:12]))


def _grouped_as_mobile(begin: int, gaps: dict[int, str]) -> bool:
    """Tell whether 11 digits from `begin` are grouped as people write a mobile (invisible characters aside).

    Whole, 3-4-4, 3-8, 7-4, 4-4-3 or digit by digit: a list of numbers, 13，014010，100, spells none.
    """
    seen = frozenset(offset for offset in range(1, 11) if _IS_SEPARATOR.search(gaps.get(begin + offset, "")))
    return seen in _MOBILE_GROUPINGS


def _dates(bounds: list[int], digits: str, gaps: dict[int, str]) -> list[tuple[int, int]]:
    """Return where a run writes dates, 2019-11-05 or 2019/1/5, as (first digit, past the last digit)."""
    found = []
    for k in range(len(bounds) - 3):
        year, month, day = (digits[bounds[i] : bounds[i + 1]] for i in (k, k + 1, k + 2))
        if (
            len(year) == 4
            and "1900" <= year <= "2099"
            and len(month) <= 2
            and len(day) <= 2
            and month.isdigit()
            and day.isdigit()
            and 1 <= int(month) <= 12
            and 1 <= int(day) <= 31
            and gaps[bounds[k + 1]] == gaps[bounds[k + 2]] in _DATE_SEPARATORS
        ):
            found.append((bounds[k], bounds[k + 3]))
    return found


def _amounts(bounds: list[int], digits: str, gaps: dict[int, str]) -> list[tuple[int, int]]:
    """Return where a run writes amounts: thousands with commas (1,000,000) and decimals (2.13, 0.5)."""
    found = []
    sizes = [stop - start for start, stop in itertools.pairwise(bounds)]
    joints = ["", *(gaps[bound] for bound in bounds[1:-1]), ""]  # joints[k]: what stands before group k
    k = 0
    while k < len(sizes):  # a chain of groups joined by commas, every one but the first of three digits
        last = k
        while joints[last + 1] == ",":
            last += 1
        if last > k and sizes[k] <= 3 and all(size == 3 for size in sizes[k + 1 : last + 1]):
            found.append((bounds[k], bounds[last + 1]))
        k = last + 1
    for k in range(len(sizes) - 1):  # a whole and a fraction of one or two digits, not within 138.1234.5678
        if joints[k + 1] == "." and sizes[k + 1] <= 2 and joints[k] != "." and joints[k + 2] != ".":
            found.append((bounds[k], bounds[k + 2]))
    return [(start, stop) for start, stop in found if "X" not in digits[start:stop]]


def _clear(begin: int, end: int, fixed: list[tuple[int, int]], birth: tuple[int, int] | None) -> bool:
    """Tell whether digits begin..end touch no date or amount, but for an ID card's birth date written as one.

    So lists of dates and amounts, 2019-11-05、2019-03-08 or 2.13，1,000,000.00, spell no number, while
    110105 1949-12-31 002X is still an ID card.
    """
    return all(stop <= begin or end <= start or (start, stop) == birth for start, stop in fixed)


class _Number(NamedTuple):
    """A number found in a text: its normalized digits, where they stand, what it keeps, what lies within."""

    digits: str
    positions: list[int]
    kept: tuple[int, int]
    invisible: list[int]  # positions of invisible characters between its first and last digit


def _numbers(text: str) -> Iterator[_Number]:
    """Yield every number of the text."""
    for run in _RUN.finditer(text):
        if run.end() - run.start() >= 11:
            yield from _numbers_of_run(text, run.start(), run.group().translate(_KINDS))


def _numbers_of_run(text: str, base: int, kinds: str) -> Iterator[_Number]:
    """Yield the numbers that whole groups of one run spell; `kinds` classifies the run from `base` on."""
    digits = kinds.translate(_TOKENS)
    if len(digits) < 11:
        return
    positions = [base + i for i, kind in enumerate(kinds) if kind != "s" and kind != "i"]
    invisible = [base + i for i, kind in enumerate(kinds) if kind == "i"] if "i" in kinds else []
    chinese = [text[position] in CHINESE_DIGITS for position in positions]
    gaps = {  # group start -> what stands before it; a group also ends after a letter (13812345678X) and
        # where numerals change script, so words glued to a number (13812345678一直, 第一13812345678) stay apart
        j: text[positions[j - 1] + 1 : positions[j]]
        for j in range(1, len(positions))
        if positions[j] != positions[j - 1] + 1 or digits[j - 1] == "X" or chinese[j] != chinese[j - 1]
    }
    bounds = [0, *gaps, len(digits)]
    fixed = _dates(bounds, digits, gaps) + _amounts(bounds, digits, gaps) if gaps else []
    ends = {*gaps, len(digits), *(j for j, kind in enumerate(digits) if kind == "X")}

    def number(begin: int, end: int, kept: tuple[int, int]) -> _Number:
        first, last = positions[begin], positions[end - 1]
        within = invisible[bisect_right(invisible, first) : bisect_left(invisible, last)]
        return _Number(digits[begin:end], positions[begin:end], kept, within)

    for start in (0, *gaps):
        head = digits[start]
        if head != "0":
            for length, valid, birth in ((15, id15_valid, None), (18, id18_valid, (start + 6, start + 14))):
                end = start + length
                if end in ends and valid(digits[start:end]) and _clear(start, end, fixed, birth):
                    yield number(start, end, (1, 2))
        for prefix in _PREFIXES.get(head, ()):
            begin = start + len(prefix)
            if (
                begin + 11 in ends
                and digits.startswith(prefix, start)
                and _MOBILE.fullmatch(digits, begin, begin + 11)
                and (not prefix or begin not in gaps)  # a prefix apart is a number of its own
                and _grouped_as_mobile(begin, gaps)
                and _clear(start, begin + 11, fixed, None)
            ):
                yield number(begin, begin + 11, (3, 4))


def digit_count(text: str) -> int:
    """Count the digits a reader sees in a text, in any script."""
    return len(_IS_DIGIT.findall(text))


def normalize_number(raw: str) -> str:
    """Return a number's digits alone, in ASCII (`X` for the ID check letter), without a phone prefix."""
    kinds = "".join(_KINDS[ord(char)] for char in _DIGIT_OR_LETTER.findall(raw))
    for prefix in ("0086", "86", "0"):
        if len(kinds) == len(prefix) + 11 and kinds.startswith(prefix) and _MOBILE.fullmatch(kinds, len(prefix)):
            return kinds[len(prefix) :]
    return kinds


def numbers_in(text: str) -> set[str]:
    """Return the normalized ID-card and mobile numbers written in a text."""
    return {number.digits for number in _numbers(text)}


def _mask_once(text: str, exempt: frozenset[str]) -> str:
    masked: set[int] = set()
    dropped: set[int] = set()
    protected: set[int] = set()
    for number in _numbers(text):
        if number.digits in exempt:
            protected.update(range(number.positions[0], number.positions[-1] + 1))
        else:
            head, tail = number.kept
            masked.update(number.positions[head : len(number.positions) - tail])
            dropped.update(number.invisible)
    masked -= protected
    dropped -= protected
    if not masked and not dropped:
        return text
    chars = list(text)
    for position in masked:
        chars[position] = "*"
    for position in dropped:
        chars[position] = ""
    return "".join(chars)


def drop_overrides(text: str) -> str:
    """Drop bidi overrides (U+202D, U+202E): under one, 87654321831 is shown as 13812345678, 安公 as 公安."""
    return _OVERRIDES.sub("", text) if "\u202d" in text or "\u202e" in text else text


def mask_text(text: str, exempt: Iterable[str] = ()) -> str:
    """Replace the middle digits of ID-card and mobile numbers with '*'; visible characters keep their places.

    Numbers in `exempt` (published contacts, in any spelling) are never touched.
    """
    if not text:
        return text
    text = drop_overrides(text)
    kept = frozenset(normalize_number(number) for number in exempt)
    while True:  # a pass can expose a number only a later pass sees; stop when nothing changes
        masked = _mask_once(text, kept)
        if masked == text:
            return masked
        text = masked


def mask_title_and_body(title: str, body: str) -> tuple[str, str]:
    """Mask a post's title and body, also as one text read from the title on: 138 at the end of a title and
    1234 5678 at the start of its body are one number, as on the page, where the body stands under the title."""
    title, body = mask_text(title), mask_text(body)
    lines = title.count("\n") + 1  # masking keeps every line break
    joined = mask_text(title + "\n" + body).split("\n")
    return "\n".join(joined[:lines]), "\n".join(joined[lines:])


def mask_phone(phone: str) -> str:
    """Mask a phone number for display: first 3 and last 4 digits kept."""
    digits = phone.removeprefix("+86")
    if len(digits) < 8:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
