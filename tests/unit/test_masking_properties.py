"""Properties of masking, for any text Hypothesis can think of and for texts seeded with real numbers.

The numbers are built here independently of chalicelib (GB 11643-1999 check digit, real dates, 13-19
prefixes), in any spelling a person types: full-width digits, spaces or dashes between the groups, +86.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.masking import mask_text, numbers_in

FULL = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
FILLER = st.text(st.characters(blacklist_categories=("Nd", "Cs"), blacklist_characters="Xxｘ Ｘ　-‐‑‒–－\u00a0+＋*"),
                 max_size=8)
settings.register_profile("masking", max_examples=150, deadline=None)


@dataclass(frozen=True)
class Number:
    """A number as written, and which of its characters must come out masked."""

    text: str
    masked: frozenset[int]  # offsets within `text`
    digits: str  # normalized


def _spell(digits: str, groups: tuple[int, ...], separator: str, full_width: bool, keep: tuple[int, int]) -> Number:
    pieces, offsets, position = [], [], 0
    for index, size in enumerate(groups):
        if index:
            pieces.append(separator)
            position += len(separator)
        for char in digits[sum(groups[:index]) : sum(groups[:index]) + size]:
            pieces.append(char.translate(FULL) if full_width else char)
            offsets.append(position)
            position += 1
    head, tail = keep
    return Number("".join(pieces), frozenset(offsets[head : len(offsets) - tail]), digits)


def check_digit(first17: str) -> str:
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


@st.composite
def id_cards(draw: st.DrawFn) -> Number:
    region = str(draw(st.integers(110000, 829999)))
    born = draw(st.dates(date(1900, 1, 1), date(2025, 12, 31))).strftime("%Y%m%d")
    body = region + born + f"{draw(st.integers(0, 999)):03d}"
    digits = body + check_digit(body)
    groups = draw(st.sampled_from([(18,), (6, 8, 4), (6, 4, 4, 4)]))
    number = _spell(digits, groups, draw(st.sampled_from([" ", "-"])), draw(st.booleans()), (1, 2))
    if draw(st.booleans()) and digits.endswith("X"):
        number = Number(number.text[:-1] + "x", number.masked, digits)
    return number


@st.composite
def old_id_cards(draw: st.DrawFn) -> Number:
    region = str(draw(st.integers(110000, 829999)))
    born = draw(st.dates(date(1900, 1, 1), date(1999, 12, 31))).strftime("%y%m%d")
    digits = region + born + f"{draw(st.integers(0, 999)):03d}"
    groups = draw(st.sampled_from([(15,), (6, 6, 3)]))
    return _spell(digits, groups, draw(st.sampled_from([" ", "-"])), draw(st.booleans()), (1, 2))


@st.composite
def mobiles(draw: st.DrawFn) -> Number:
    digits = "1" + str(draw(st.integers(3, 9))) + f"{draw(st.integers(0, 10**9 - 1)):09d}"
    groups = draw(st.sampled_from([(11,), (3, 4, 4), (3, 8), (7, 4)]))
    number = _spell(digits, groups, draw(st.sampled_from([" ", "-", "－", "　"])), draw(st.booleans()), (3, 4))
    if draw(st.booleans()):
        prefix = draw(st.sampled_from(["+86", "+86 ", "＋８６", "+86-"]))
        number = Number(prefix + number.text, frozenset(p + len(prefix) for p in number.masked), digits)
    return number


NUMBERS = st.one_of(id_cards(), old_id_cards(), mobiles())


@st.composite
def texts(draw: st.DrawFn) -> tuple[str, list[tuple[int, Number]]]:
    """Filler and numbers, each number set apart by at least one character that is no digit or separator."""
    parts, placed, position = [], [], 0
    for number in draw(st.lists(NUMBERS, max_size=4)):
        filler = draw(FILLER) or "，"
        parts.append(filler)
        position += len(filler)
        placed.append((position, number))
        parts.append(number.text)
        position += len(number.text)
    parts.append(draw(FILLER))
    return "".join(parts), placed


@settings(settings.get_profile("masking"))
@given(st.text(max_size=200))
def test_any_text_keeps_its_length_and_only_digits_turn_into_stars(text: str) -> None:
    masked = mask_text(text)
    assert len(masked) == len(text)
    assert all(a == b or (b == "*" and a.isdigit()) for a, b in zip(text, masked, strict=True))


@settings(settings.get_profile("masking"))
@given(st.one_of(st.text(max_size=200), st.text(alphabet="0123456789０１２３ -Xx+８６", max_size=60)))
def test_masking_twice_is_masking_once_and_leaves_no_number_behind(text: str) -> None:
    masked = mask_text(text)
    assert mask_text(masked) == masked
    assert numbers_in(masked) == set()


@settings(settings.get_profile("masking"))
@given(texts())
def test_no_valid_id_or_mobile_survives(seeded: tuple[str, list[tuple[int, Number]]]) -> None:
    text, placed = seeded
    masked = mask_text(text)
    assert len(masked) == len(text) and mask_text(masked) == masked
    for start, number in placed:
        shown = masked[start : start + len(number.text)]
        assert all(shown[offset] == "*" for offset in number.masked), (number.text, shown)
        kept = [i for i, char in enumerate(number.text) if i not in number.masked]
        assert all(shown[i] == number.text[i] for i in kept), (number.text, shown)  # first/last digits stay
    assert numbers_in(masked) == set()


@settings(settings.get_profile("masking"))
@given(texts(), mobiles(), st.sampled_from(["{n}", "请拨打{n}", "本所电话：{n}。"]))
def test_exempt_numbers_are_never_touched(seeded: tuple[str, list[tuple[int, Number]]], contact: Number,
                                          template: str) -> None:
    text, _ = seeded
    published = template.format(n=contact.text)
    combined = f"{published}；{text}"
    masked = mask_text(combined, exempt=[contact.digits])
    assert masked.startswith(published)  # the published contact, as written
    assert masked[len(published) + 1 :] == mask_text(text, exempt=[contact.digits])
    assert numbers_in(masked) <= {contact.digits}
