"""Masking ID-card and mobile numbers in public text."""

from __future__ import annotations

import pytest

from chalicelib.domain.masking import id15_valid, id18_valid, mask_phone, mask_text, normalize_number, numbers_in

CASES = [
    ("身份证110105199001011734号", "身份证1***************34号"),
    ("身份证11010519900101103X", "身份证1***************3X"),
    ("身份证11010519900101103x。", "身份证1***************3x。"),
    ("老证110105900101123", "老证1************23"),
    ("电话13812345678", "电话138****5678"),
    ("电话:19912345678,急", "电话:199****5678,急"),
    ("全角１３８１２３４５６７８", "全角１３８****５６７８"),
    ("全角证１１０１０５１９９００１０１１７３４", "全角证１***************３４"),
    ("两个13812345678和13987654321", "两个138****5678和139****4321"),
]


@pytest.mark.parametrize(("text", "masked"), CASES)
def test_id_cards_and_mobiles_are_masked_in_the_middle(text: str, masked: str) -> None:
    assert mask_text(text) == masked


@pytest.mark.parametrize(("text", "masked"), CASES)
def test_masking_keeps_the_length_and_is_idempotent(text: str, masked: str) -> None:
    assert len(mask_text(text)) == len(text)
    assert mask_text(mask_text(text)) == mask_text(text)


@pytest.mark.parametrize(
    "text",
    [
        "订单号1234567890123456789",  # 19 digits: neither an ID nor a mobile
        "座机04725110000",
        "12345678901",  # not a mobile prefix
        "1381234567",  # 10 digits
        "2026年3月13日16时05分",
        "没有数字",
    ],
)
def test_other_numbers_and_text_are_left_alone(text: str) -> None:
    assert mask_text(text) == text


def test_a_mobile_after_the_country_code_is_masked() -> None:
    assert mask_text("电话+8613812345678") == "电话+86138****5678"
    assert mask_text("电话＋８６１３８１２３４５６７８") == "电话＋８６１３８****５６７８"
    assert mask_text("编号8613812345678") == "编号8613812345678"  # 13 digits: not a mobile


def test_a_phone_shows_its_first_three_and_last_four_digits() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+8613812345678") == "138****5678"
    assert mask_phone("1234") == "****"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("电话138 1234 5678", "电话138 **** 5678"),
        ("电话138-1234-5678。", "电话138-****-5678。"),
        ("电话1381234 5678", "电话138**** 5678"),
        ("电话+86 138 1234 5678", "电话+86 138 **** 5678"),
        ("全角１３８－１２３４－５６７８", "全角１３８－****－５６７８"),
        ("全角１３８　１２３４　５６７８", "全角１３８　****　５６７８"),
        ("证号110105 19900101 1734", "证号1***** ******** **34"),
        ("证号110105-1990-0101-103X", "证号1*****-****-****-**3X"),
        ("两个13812345678 13987654321", "两个138****5678 139****4321"),
        ("老证号110105 900101 123", "老证号1***** ****** *23"),
    ],
)
def test_numbers_written_with_spaces_or_dashes_are_masked_digit_by_digit(text: str, masked: str) -> None:
    assert mask_text(text) == masked
    assert mask_text(masked) == masked


@pytest.mark.parametrize(
    "text",
    [
        "编号110105199001011234",  # 18 digits, wrong check digit
        "编号11010519900101123X",  # wrong check letter
        "编号110105901301123",  # 15 digits, month 13
        "编号110105900230123",  # 15 digits, 30 February
        "13 14 15 16 17 18",  # numbers in a list, no group run spells a mobile
        "2026-03-13 16:05",
        "138  1234  5678",  # two spaces: three separate numbers
    ],
)
def test_numbers_that_are_no_id_or_mobile_are_left_alone(text: str) -> None:
    assert mask_text(text) == text


def test_a_valid_check_digit_is_what_makes_an_id_card() -> None:
    assert id18_valid("11010519491231002X") and id18_valid("110105199001011734")
    assert not id18_valid("110105199001011735") and not id18_valid("010105199001011734")
    assert id15_valid("110105491231002") and not id15_valid("110105491232002")


def test_published_contacts_are_exempt_in_any_spelling() -> None:
    text = "请拨打本所电话138-0000-1111,或联系民警１３９００００２２２２;报案人13812345678"
    masked = mask_text(text, exempt=["13800001111", "+86 139 0000 2222"])
    assert masked == "请拨打本所电话138-0000-1111,或联系民警１３９００００２２２２;报案人138****5678"
    assert mask_text(masked, exempt=["13800001111", "13900002222"]) == masked


def test_numbers_in_a_text_are_listed_normalized() -> None:
    text = "电话１３８－００００－１１１１,座机0472-5110000,身份证11010519491231002x"
    assert numbers_in(text) == {"13800001111", "11010519491231002X"}
    assert normalize_number("+86 138-0000-1111") == "13800001111"
