"""Masking ID-card and mobile numbers in public text."""

from __future__ import annotations

import re
import unicodedata

import pytest

from bench.masking import long_body
from chalicelib.domain.masking import (
    CHECK_LETTER,
    CHINESE_DIGITS,
    DIGIT,
    INVISIBLE,
    SEPARATOR,
    id15_valid,
    id18_valid,
    mask_phone,
    mask_text,
    normalize_number,
    numbers_in,
)

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
    assert mask_text("编号8613812345678") == "编号86138****5678"  # 86 without the plus is the same prefix


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
        "138 - - 1234 5678",  # four separators: two numbers too short to be anything
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
    assert normalize_number("0086 138\u200b0000 1111") == normalize_number("0١٣٨٠٠٠٠١١١١") == "13800001111"


# -- disguises: what a person still reads as the number ------------------------------------------------

MOBILE, MOBILE_MASKED = "13812345678", "138****5678"
ID_CARD, ID_MASKED = "11010519491231002X", "1***************2X"
DISGUISES = [
    # invisible characters are dropped inside a masked number: the visible characters keep their places
    ("138\u200b1234\u200b5678", MOBILE_MASKED),  # zero-width space
    ("138\u200c1234\u200c5678", MOBILE_MASKED),  # zero-width non-joiner
    ("138\u20601234\u20605678", MOBILE_MASKED),  # word joiner
    ("138\ufeff1234\ufeff5678", MOBILE_MASKED),  # byte order mark
    ("138\u00ad1234\u00ad5678", MOBILE_MASKED),  # soft hyphen
    ("1\u200d3\u200d8\u200d1\u200d2\u200d3\u200d4\u200d5\u200d6\u200d7\u200d8", MOBILE_MASKED),
    (
        "1\ufe0f\u20e33\ufe0f\u20e38\ufe0f\u20e31\ufe0f\u20e32\ufe0f\u20e33\ufe0f\u20e34\ufe0f\u20e35\ufe0f\u20e3"
        "6\ufe0f\u20e37\ufe0f\u20e38\ufe0f\u20e3",
        MOBILE_MASKED + "\ufe0f\u20e3",
    ),  # keycaps
    # separators stay where they are
    ("138.1234.5678", "138.****.5678"),
    ("138/1234/5678", "138/****/5678"),
    ("138\n1234\n5678", "138\n****\n5678"),
    ("1381234\r\n5678", "138****\r\n5678"),
    ("138，1234，5678", "138，****，5678"),
    ("138、1234、5678", "138、****、5678"),
    ("138—1234—5678", "138—****—5678"),
    ("138\t1234\t5678", "138\t****\t5678"),
    ("138  1234  5678", "138  ****  5678"),
    ("138 - 1234 - 5678", "138 - **** - 5678"),
    ("１３８．１２３４．５６７８", "１３８．****．５６７８"),
    # digits of other scripts keep their script
    ("١٣٨١٢٣٤٥٦٧٨", "١٣٨****٥٦٧٨"),  # Arabic-Indic
    ("۱۳۸۱۲۳۴۵۶۷۸", "۱۳۸****۵۶۷۸"),  # extended Arabic-Indic
    ("𝟏𝟑𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖", "𝟏𝟑𝟖****𝟓𝟔𝟕𝟖"),  # mathematical bold
    ("𝟙𝟛𝟠𝟙𝟚𝟛𝟜𝟝𝟞𝟟𝟠", "𝟙𝟛𝟠****𝟝𝟞𝟟𝟠"),  # mathematical double-struck
    ("①③⑧①②③④⑤⑥⑦⑧", "①③⑧****⑤⑥⑦⑧"),  # circled
    ("138١٢٣٤5678", MOBILE_MASKED),  # mixed
    # prefixes stay, the number after them is masked
    ("013812345678", "0" + MOBILE_MASKED),
    ("8613812345678", "86" + MOBILE_MASKED),
    ("008613812345678", "0086" + MOBILE_MASKED),
    # ID cards
    ("110105.19491231.002X", "1*****.********.**2X"),
    ("110105\u200b19491231002X", ID_MASKED),
    ("11010519491231002\u200bX", ID_MASKED),
    ("110105/1949/1231/002x", "1*****/****/****/**2x"),
]


@pytest.mark.parametrize(("text", "masked"), DISGUISES)
def test_a_disguised_number_is_masked_and_stays_readable(text: str, masked: str) -> None:
    assert mask_text(f"请联系{text}谢谢") == f"请联系{masked}谢谢"
    assert mask_text(masked) == masked
    assert numbers_in(mask_text(text)) == set()


@pytest.mark.parametrize(("text", "masked"), DISGUISES)
def test_a_disguised_number_is_found_as_its_plain_digits(text: str, masked: str) -> None:
    assert numbers_in(text) & {MOBILE, ID_CARD, "110105491231002"}


@pytest.mark.parametrize(
    "ordinary",
    [
        "2026-03-13",
        "2026-10-13, 2026-03-14, 2026-05-01",  # a list of dates joins into no ID card
        "2026年3月13日16:05",
        "2026.03.13 16:05:00",
        "金额1,234,567.89元",
        "金额13,812,345,678元",  # thousands commas: an amount, not a mobile
        "验证码 123456 五分钟内有效",
        "邮编014010、014030、100000",
        "帖子p00018c5e9f3a2b1c4d3e2f",
        "第1、2、3、4、5、6条",
        "身份证号11010519491231002",  # 17 digits: no ID card without its check letter
        "1999-01-01，0.00",  # no number takes in a date or an amount
        "2.13，1,000,000.00",
        "13,000、200,000元",
        "2019-11-05、2019-03-08、2019-04-01",
        "00:00:13，014010，100元",  # a list of numbers spells no mobile
    ],
)
def test_ordinary_numbers_stay_next_to_a_masked_one(ordinary: str) -> None:
    text = f"{ordinary}。电话138\u200b1234\u200b5678"
    assert mask_text(text) == f"{ordinary}。电话{MOBILE_MASKED}"


def test_an_id_card_may_write_its_birth_date_as_a_date() -> None:
    text = "身份证110105 1949-12-31 002X,电话138\u200b1234\u200b5678"
    assert mask_text(text) == "身份证1***** ****-**-** **2X,电话138****5678"


def test_a_disguised_published_contact_stays_as_written() -> None:
    text = "本所电话139\u200b0000\u200b2222,报案人139\u200b1234\u200b5678"
    assert mask_text(text, exempt=["13900002222"]) == "本所电话139\u200b0000\u200b2222,报案人139****5678"
    assert mask_text("０１３９００００２２２２", exempt=["+86 139-0000-2222"]) == "０１３９００００２２２２"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("电话一三八一二三四五六七八", "电话一三八****五六七八"),  # as a number is read aloud
        ("幺三八 幺二三四 五六七八", "幺三八 **** 五六七八"),  # 幺 is one
        ("壹叁捌壹贰叁肆伍陆柒捌", "壹叁捌****伍陆柒捌"),  # financial numerals
        ("打一三8１２３4五六七八", "打一三8****五六七八"),  # mixed scripts
        ("电话13812345678一直没人接", "电话138****5678一直没人接"),  # a word glued to a number stays apart
        ("第一13812345678", "第一138****5678"),
        ("身份证11010519491231002X一份", "身份证1***************2X一份"),
    ],
)
def test_a_mobile_in_chinese_numerals_is_masked(text: str, masked: str) -> None:
    assert mask_text(text) == masked


@pytest.mark.parametrize("text", ["一二三四五六七八九十", "二〇二六年三月十三日", "三三两两，七八个人", "一一〇报警"])
def test_chinese_numerals_that_spell_no_number_stay(text: str) -> None:
    assert mask_text(text) == text


def test_a_long_body_masks_its_numbers_at_the_end() -> None:
    """The body `make bench` times (bench/masking.py): its speed is a benchmark's figure, not an assertion."""
    assert mask_text(long_body()).endswith("电话138****5678，身份证1*****.********.**2X，备用0086 139 **** 5678")


def test_the_character_classes_agree_with_unicode() -> None:
    """Every character NFKC folds into a digit or X, every dash, space and format character is classified."""
    digit, letter = re.compile(f"[{DIGIT}]"), re.compile(f"[{CHECK_LETTER}]")
    separator, invisible = re.compile(f"[{SEPARATOR}]"), re.compile(f"[{INVISIBLE}]")
    for code in range(0x110000):
        char = chr(code)
        category = unicodedata.category(char)
        if category in ("Cs", "Co", "Cn", "Lo") or char in CHINESE_DIGITS:  # ideographs: CHINESE_DIGITS alone
            continue
        folded = unicodedata.normalize("NFKC", char)
        if unicodedata.digit(char, None) is not None or (len(folded) == 1 and folded.isdecimal()):
            assert digit.match(char), hex(code)
        elif folded in ("X", "x"):
            assert letter.match(char), hex(code)
        elif category in ("Zs", "Zl", "Zp", "Pd") or folded in tuple(".,/\\_、。・·−"):
            assert separator.match(char), hex(code)
        elif category in ("Cf", "Mn", "Me") or (category == "Cc" and not char.isspace()):
            assert invisible.match(char), hex(code)
        else:
            assert not digit.match(char), hex(code)
