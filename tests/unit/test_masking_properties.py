"""Properties of masking, for any text Hypothesis can think of and for texts seeded with real numbers.

The numbers are built here independently of chalicelib (provinces, real birth dates, GB 11643-1999 check
digit, 13-19 prefixes) and written in every disguise a person can still read: any digit script, groups (of an
ID card: cut anywhere; of a mobile: as people write one) joined by up to three separators, invisible
characters between any two digits, and the phone prefixes 0, 86, +86 and 0086.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass
from datetime import date

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from chalicelib.domain.masking import CHINESE_DIGITS, mask_text, numbers_in

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
PROVINCES = (
    "11",
    "12",
    "13",
    "14",
    "15",
    "21",
    "22",
    "23",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "41",
    "42",
    "43",
    "44",
    "45",
    "46",
    "50",
    "51",
    "52",
    "53",
    "54",
    "61",
    "62",
    "63",
    "64",
    "65",
    "71",
    "81",
    "82",
)
SCRIPTS = (  # ten digits each
    "0123456789",
    "０１２３４５６７８９",  # full width
    "٠١٢٣٤٥٦٧٨٩",  # Arabic-Indic
    "۰۱۲۳۴۵۶۷۸۹",  # extended Arabic-Indic
    "०१२३४५६७८९",  # Devanagari
    "".join(chr(0x1D7CE + i) for i in range(10)),  # mathematical bold
    "".join(chr(0x1D7D8 + i) for i in range(10)),  # mathematical double-struck
    "".join(chr(0x1D7F6 + i) for i in range(10)),  # mathematical monospace
    "⁰¹²³⁴⁵⁶⁷⁸⁹",  # superscript
    "⓪①②③④⑤⑥⑦⑧⑨",  # circled
)
CHECK_LETTERS = ("X", "x", "Ｘ", "ｘ")
SEPARATORS = (
    " ",
    "-",
    "  ",
    "\t",
    "\n",
    "\r\n",
    ".",
    "/",
    ",",
    "，",
    "、",
    "—",
    "－",
    "\u3000",
    "\u00a0",
    " - ",
    "·",
    "_",
    "．",
    "／",
    "。",
    "\u2800",
)
INVISIBLES = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\ufe0f", "\u20e3")
GLUED_PREFIXES = ("0", "86", "+86", "0086", "＋８６")
PREFIXES = ("+86 ", "0086 ", "86-", "0 ", "+86\u00a0")
MOBILE_GROUPINGS = ((11,), (3, 4, 4), (3, 8), (7, 4), (4, 4, 3), (1,) * 11)
DENSE = "0123456789０١𝟏¹①１３８ -.,、\n\u200b\ufeffXx+８６"  # texts where numbers touch and overlap
FILLER = st.text(
    st.characters(
        blacklist_categories=(
            "Nd",
            "No",
            "Nl",
            "Cc",
            "Cf",
            "Cs",
            "Co",
            "Cn",
            "Mn",
            "Me",
            "Zs",
            "Zl",
            "Zp",
            "Pd",
            "Pc",
            "Po",
            "Sm",
        ),
        blacklist_characters="\u2800\u115f\u1160\u3164\uffa0",
    ).filter(lambda c: unicodedata.normalize("NFKC", c) not in ("X", "x") and c not in CHINESE_DIGITS),
    max_size=8,
)
EXAMPLES = int(os.environ.get("MASKING_EXAMPLES", "150"))  # MASKING_EXAMPLES=5000 for a longer search
settings.register_profile("masking", max_examples=EXAMPLES, deadline=None)


@dataclass(frozen=True)
class Number:
    """A number as written, what masking must make of it, and its digits."""

    text: str
    masked: str
    digits: str  # normalized: ASCII, X for the check letter, no prefix


def check_digit(first17: str) -> str:
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def _cuts(draw: st.DrawFn, size: int, standard: tuple[tuple[int, ...], ...], anywhere: bool) -> list[int]:
    """Where the groups of a number start: as people write it, or (ID cards) anywhere."""
    if not anywhere or draw(st.booleans()):
        groups = draw(st.sampled_from(standard))
        return [sum(groups[:i]) for i in range(1, len(groups))]
    return sorted(draw(st.sets(st.integers(1, size - 1), max_size=size - 1)))


def reads_as_amount_or_date(digits: str, joints: list[str]) -> bool:
    """Tell whether some groups read as an amount (1,000 or 2.13) or a date (2019-11-05): masking leaves those.

    `joints[i]` is what stands between digit i-1 and digit i ("" when they touch; joints[0] is "").
    """
    starts = [i for i, joint in enumerate(joints) if i == 0 or joint]
    groups = [digits[a:b] for a, b in zip(starts, [*starts[1:], len(digits)], strict=True)]
    before = [joints[start] for start in starts] + [""]  # before[k]: what stands before group k
    for k in range(len(groups)):
        last = k
        while before[last + 1] == ",":
            last += 1
        if last > k and len(groups[k]) <= 3 and all(len(g) == 3 for g in groups[k + 1 : last + 1]):
            return True
        if (
            k + 1 < len(groups)
            and before[k + 1] == "."
            and len(groups[k + 1]) <= 2
            and "." not in (before[k], before[k + 2])
        ):
            return True
        if k + 2 < len(groups):
            year, month, day = groups[k : k + 3]
            if (
                (len(year), before[k + 1]) == (4, before[k + 2])
                and before[k + 1] in "-/.－／．"
                and (
                    "1900" <= year <= "2099"
                    and len(month) <= 2
                    and len(day) <= 2
                    and "X" not in month + day
                    and 1 <= int(month) <= 12
                    and 1 <= int(day) <= 31
                )
            ):
                return True
    return False


@st.composite
def disguised(
    draw: st.DrawFn, digits: str, kept: tuple[int, int], standard: tuple[tuple[int, ...], ...], prefix: str = ""
) -> Number:
    """Write `digits` in some disguise and say what its masked form must be."""
    cuts = _cuts(draw, len(digits), standard, anywhere=len(digits) > 11)  # a mobile as people write one
    separators = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(cuts), max_size=len(cuts)))
    joints = [""] * len(digits)
    for cut, separator in zip(cuts, separators, strict=True):
        joints[cut] = separator
    for index in range(1, len(digits)):
        if draw(st.integers(0, 4)) == 0:
            joints[index] += draw(st.sampled_from(INVISIBLES))  # dropped from the masked form
    assume(not reads_as_amount_or_date(digits, joints))
    one_script = draw(st.sampled_from(SCRIPTS))
    mixed = draw(st.booleans())
    head, tail = kept
    text, masked = [prefix], [prefix]
    for index, digit in enumerate(digits):
        text.append(joints[index])
        masked.append("".join(char for char in joints[index] if char not in INVISIBLES))
        if digit == "X":
            char = draw(st.sampled_from(CHECK_LETTERS))
        else:
            char = (draw(st.sampled_from(SCRIPTS)) if mixed else one_script)[int(digit)]
        text.append(char)
        masked.append("*" if head <= index < len(digits) - tail else char)
    return Number("".join(text), "".join(masked), digits)


@st.composite
def id_cards(draw: st.DrawFn) -> Number:
    region = draw(st.sampled_from(PROVINCES)) + f"{draw(st.integers(0, 9999)):04d}"
    born = draw(st.dates(date(1900, 1, 1), date(2025, 12, 31))).strftime("%Y%m%d")
    body = region + born + f"{draw(st.integers(0, 999)):03d}"
    return draw(disguised(body + check_digit(body), (1, 2), ((18,), (6, 8, 4), (6, 4, 4, 4))))


@st.composite
def old_id_cards(draw: st.DrawFn) -> Number:
    region = draw(st.sampled_from(PROVINCES)) + f"{draw(st.integers(0, 9999)):04d}"
    born = draw(st.dates(date(1900, 1, 1), date(1999, 12, 31))).strftime("%y%m%d")
    digits = region + born + f"{draw(st.integers(0, 999)):03d}"
    return draw(disguised(digits, (1, 2), ((15,), (6, 6, 3))))


@st.composite
def mobiles(draw: st.DrawFn) -> Number:
    digits = "1" + str(draw(st.integers(3, 9))) + f"{draw(st.integers(0, 10**9 - 1)):09d}"
    prefix = draw(st.sampled_from(("", *GLUED_PREFIXES, *PREFIXES)))
    return draw(disguised(digits, (3, 4), MOBILE_GROUPINGS, prefix))


NUMBERS = st.one_of(id_cards(), old_id_cards(), mobiles())


@st.composite
def texts(draw: st.DrawFn) -> tuple[str, str, list[Number]]:
    """Filler and numbers, each set apart by a visible character that is no digit or separator.

    Returns the text, what masking must make of it, and its numbers.
    """
    text, masked, numbers = [], [], []
    for number in draw(st.lists(NUMBERS, max_size=4)):
        filler = draw(FILLER) or "号"
        text += [filler, number.text]
        masked += [filler, number.masked]
        numbers.append(number)
    filler = draw(FILLER)
    return "".join([*text, filler]), "".join([*masked, filler]), numbers


def invisible(char: str) -> bool:
    category = unicodedata.category(char)
    return category in ("Cf", "Mn", "Me", "Cn") or (category == "Cc" and not char.isspace())


def digit(char: str) -> str | None:
    if char in CHINESE_DIGITS:
        return CHINESE_DIGITS[char]
    folded = unicodedata.normalize("NFKC", char)
    value = unicodedata.decimal(char, None)
    if value is None and len(folded) == 1:
        value = unicodedata.decimal(folded, None)
    return None if value is None else str(value)


def as_read(text: str) -> str:
    """The digits a reader sees, in ASCII: invisible characters and separators skipped, anything else a break."""
    out = []
    for char in text:
        if invisible(char) or char.isspace() or unicodedata.category(char) == "Pd" or char in ".,/_、，。．／·\u2800":
            continue
        value = digit(char)
        out.append(value if value is not None else "X" if unicodedata.normalize("NFKC", char) in "Xx" else "|")
    return "".join(out)


@settings(settings.get_profile("masking"))
@given(st.text(max_size=200))
def test_any_text_keeps_its_visible_characters_in_place_and_only_digits_turn_into_stars(text: str) -> None:
    masked = mask_text(text)
    visible = [char for char in text if not invisible(char)]
    shown = [char for char in masked if not invisible(char)]
    assert len(shown) == len(visible)
    assert all(a == b or (b == "*" and digit(a) is not None) for a, b in zip(visible, shown, strict=True))


@settings(settings.get_profile("masking"))
@given(st.one_of(st.text(max_size=200), st.text(alphabet=DENSE, max_size=60)))
def test_masking_twice_is_masking_once_and_leaves_no_number_behind(text: str) -> None:
    masked = mask_text(text)
    assert mask_text(masked) == masked
    assert numbers_in(masked) == set()


@settings(settings.get_profile("masking"))
@given(texts())
def test_no_disguised_id_or_mobile_survives(seeded: tuple[str, str, list[Number]]) -> None:
    text, expected, numbers = seeded
    masked = mask_text(text)
    assert masked == expected  # first and last digits kept as written, invisible characters inside dropped
    assert mask_text(masked) == masked
    for number in numbers:
        assert number.digits not in as_read(masked), (number.text, masked)
        assert number.digits in numbers_in(text)
    assert numbers_in(masked) == set()


@settings(settings.get_profile("masking"))
@given(texts(), mobiles(), st.sampled_from(["{n}", "请拨打{n}", "本所电话：{n}。"]))
def test_exempt_numbers_are_never_touched(
    seeded: tuple[str, str, list[Number]], contact: Number, template: str
) -> None:
    text, _, _ = seeded
    published = template.format(n=contact.text)
    combined = f"{published}；{text}"
    masked = mask_text(combined, exempt=[contact.digits])
    assert masked.startswith(published)  # the published contact, as written
    assert masked[len(published) + 1 :] == mask_text(text, exempt=[contact.digits])
    assert numbers_in(masked) <= {contact.digits}


ORDINARY = st.one_of(
    st.dates(date(1900, 1, 1), date(2099, 12, 31)).map(lambda d: d.isoformat()),
    st.dates(date(1900, 1, 1), date(2099, 12, 31)).map(lambda d: f"{d.year}/{d.month}/{d.day}"),
    st.times().map(lambda t: t.strftime("%H:%M:%S")),
    st.integers(0, 10**8 - 1).map(lambda n: f"{n:,}元"),
    st.decimals(0, 10**7, places=2).map(lambda n: f"{n:,}"),
    st.integers(0, 999999).map(lambda n: f"验证码{n:06d}"),
    st.sampled_from(["014010", "014030", "100000", "010010"]),
)


@settings(settings.get_profile("masking"))
@given(st.lists(ORDINARY, min_size=1, max_size=6), st.sampled_from(["，", "、", " ", ", ", "\n"]), mobiles())
def test_dates_times_amounts_and_codes_stay_next_to_a_masked_number(
    ordinary: list[str], joint: str, number: Number
) -> None:
    text = joint.join(ordinary)
    assert mask_text(f"{text}。电话{number.text}") == f"{text}。电话{number.masked}"
