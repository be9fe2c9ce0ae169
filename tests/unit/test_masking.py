"""Masking ID-card and mobile numbers in public text."""

from __future__ import annotations

import pytest

from chalicelib.domain.masking import mask_phone, mask_text

CASES = [
    ("身份证110105199001011234号", "身份证1***************34号"),
    ("身份证11010519900101123X", "身份证1***************3X"),
    ("身份证11010519900101123x。", "身份证1***************3x。"),
    ("老证110105900101123", "老证1************23"),
    ("电话13812345678", "电话138****5678"),
    ("电话:19912345678,急", "电话:199****5678,急"),
    ("全角１３８１２３４５６７８", "全角１３８****５６７８"),
    ("全角证１１０１０５１９９００１０１１２３４", "全角证１***************３４"),
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
