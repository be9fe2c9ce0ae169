"""Nicknames: what a citizen may choose, and how any stored nickname shows in public."""

from __future__ import annotations

import re

import pytest

from chalicelib.domain.nicknames import (
    BLANK,
    CITIZEN_ACCOUNT,
    CLAIMS_OFFICE,
    TOO_MANY_DIGITS,
    nickname_problem,
    public_nickname,
)

CITIZEN, OTHER_CITIZEN, OFFICER = CITIZEN_ACCOUNT + "0123456789abcdef", CITIZEN_ACCOUNT + "fedcba9876543210", "o-kunqu"


@pytest.mark.parametrize(
    ("nickname", "problem"),
    [
        ("11010519491231002X", TOO_MANY_DIGITS),  # a valid ID card
        ("13812345678", TOO_MANY_DIGITS),
        ("138\u200b1234\u200b5678", TOO_MANY_DIGITS),
        ("QQ 123-456", TOO_MANY_DIGITS),
        ("１２３４５６", TOO_MANY_DIGITS),
        ("小王١٢٣٤٥٦", TOO_MANY_DIGITS),  # Arabic-Indic digits
        ("𝟏𝟐𝟑𝟒𝟓𝟔", TOO_MANY_DIGITS),  # mathematical digits
        ("包头市公安局 值班民警", CLAIMS_OFFICE),
        ("公 安", CLAIMS_OFFICE),
        ("公\u200b安", CLAIMS_OFFICE),
        ("公-安-小王", CLAIMS_OFFICE),
        ("热心警嫂", CLAIMS_OFFICE),
        ("官方客服", CLAIMS_OFFICE),
        ("张局长", CLAIMS_OFFICE),
        ("李所長", CLAIMS_OFFICE),  # traditional characters
        ("指挥 中心", CLAIMS_OFFICE),
        ("青福派出所", CLAIMS_OFFICE),
        ("110", CLAIMS_OFFICE),
        ("１１０", CLAIMS_OFFICE),
        ("1 1 0 小王", CLAIMS_OFFICE),
        ("ＰＯＬＩＣＥ", CLAIMS_OFFICE),
        ("p0lice", CLAIMS_OFFICE),  # digits that pass for letters
        ("POL1CE", CLAIMS_OFFICE),
        ("\u0440oli\u0441\u0435", CLAIMS_OFFICE),  # Cyrillic р, с, е
        ("\u03c1o\u03b9i\u03f2e", CLAIMS_OFFICE),  # Greek ρ, ι, ϲ
        ("一一〇", CLAIMS_OFFICE),  # 110 in Chinese numerals
        ("幺幺零小王", CLAIMS_OFFICE),
        ("七七八八九九", TOO_MANY_DIGITS),
        ("\u200b\u200b", BLANK),
    ],
)
def test_a_nickname_with_six_digits_or_a_police_claim_is_refused(nickname: str, problem: str) -> None:
    assert nickname_problem(nickname) == problem


@pytest.mark.parametrize(
    "nickname",
    [
        "小王",
        "网友6090EC",
        "热心市民3721",
        "老李12345",
        "2026年的我",
        "~~",
        "Alice",
        "Scope",
        "Copenhagen",
        "一一",
        "三三两两",
    ],
)
def test_an_ordinary_nickname_is_accepted_and_shown_as_it_is(nickname: str) -> None:
    assert nickname_problem(nickname) is None
    assert public_nickname(nickname, CITIZEN) == nickname


def test_a_stored_id_card_nickname_shows_masked() -> None:
    assert public_nickname("11010519491231002X", CITIZEN) == "1***************2X"
    assert public_nickname("110105.19491231.002X", CITIZEN) == "1*****.********.**2X"


@pytest.mark.parametrize(
    "nickname", ["包头市公安局 值班民警", "公\u200b安", "110", "QQ12345678", "13812345678", "\u200b"]
)
def test_a_stored_nickname_that_breaks_the_rules_shows_as_a_neutral_name_of_the_account(nickname: str) -> None:
    shown = public_nickname(nickname, CITIZEN)
    assert re.fullmatch(r"热心市民[1-9][0-9]{3}", shown) and nickname_problem(shown) is None
    assert public_nickname("公安局长", CITIZEN) == shown  # the same account always shows the same name
    assert public_nickname(nickname, OTHER_CITIZEN) != shown


def test_an_officer_shows_the_real_name_of_the_directory() -> None:
    assert public_nickname("王警官", OFFICER) == "王警官"


def test_neutral_names_read_as_a_person_and_never_break_the_rules() -> None:
    accounts = [f"{CITIZEN_ACCOUNT}{n:016x}" for n in range(3000)]
    shown = [public_nickname("公安局长", account) for account in accounts]
    assert all(re.fullmatch(r"热心市民[1-9][0-9]{3}", name) and nickname_problem(name) is None for name in shown)
    assert len(set(shown)) > 2000  # spread over the numbers, so two people rarely share one
    assert not any("110" in name for name in shown)
