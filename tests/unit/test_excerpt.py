"""A feed excerpt is cut cleanly: at a clause where one is near, never inside an emoji sequence or a number."""

from __future__ import annotations

from chalicelib.api.render import excerpt


def test_a_text_within_the_limit_is_whole() -> None:
    assert excerpt("路灯坏了。") == ("路灯坏了。", False)
    assert excerpt("字" * 120) == ("字" * 120, False)


def test_the_cut_ends_a_clause_when_one_ends_near_the_limit() -> None:
    text = "字" * 100 + "，" + "字" * 50
    assert excerpt(text) == ("字" * 100 + "，", True)


def test_without_a_clause_near_the_limit_the_cut_is_at_the_limit() -> None:
    assert excerpt("字" * 300) == ("字" * 120, True)


def test_an_emoji_sequence_is_never_split() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # five code points, one picture
    text = "字" * 118 + family + "字" * 10
    cut, more = excerpt(text)
    assert more and not cut.endswith("\u200d") and cut in ("字" * 118, "字" * 118 + family)


def test_a_masked_number_is_left_out_whole_rather_than_halved() -> None:
    text = "字" * 115 + "138****5678" + "字" * 10
    assert excerpt(text) == ("字" * 115, True)


def test_a_clause_end_wins_over_a_later_line_break() -> None:
    text = "字" * 100 + "；" + "字" * 10 + "\n" + "字" * 50
    assert excerpt(text) == ("字" * 100 + "；", True)
