"""A card's head is enough to cut the whole body's excerpt, masked or not, however a number straddles its end."""

from __future__ import annotations

import pytest

from chalicelib.api.render import excerpt
from chalicelib.domain.cards import EXCERPT_CHARS, HEAD_CHARS, card_text
from chalicelib.domain.masking import mask_title_and_body

FILLER = "青山区钢铁大街与民主路交叉口的信号灯从早上七点起一直不亮，"  # 29 characters


def excerpts(title: str, text: str) -> tuple[tuple[str, bool], tuple[str, bool], str]:
    """The excerpt as written, the excerpt as masked, and the masked title."""
    masked_title, masked = mask_title_and_body(title, text)
    return excerpt(text), excerpt(masked), masked_title


@pytest.mark.parametrize(
    "body",
    [
        "路灯坏了。",
        FILLER * 10,
        "情" * 112 + "请联系13912345678谢谢" + FILLER * 5,  # a mobile across the excerpt's end
        "情" * 110 + "电话1\u200b" + "\u200b" * 40 + "3912345678" + FILLER * 5,  # a number stretched past the head
        "情" * (HEAD_CHARS - 6) + "13912345678" + FILLER * 5,  # a number across the first head's end
    ],
)
def test_the_head_gives_the_whole_bodys_excerpts_and_title(body: str) -> None:
    text = card_text("联系139", body)

    assert body.startswith(text.head) and text.length == len(body)
    assert text.masked_length == len(mask_title_and_body("联系139", body)[1])
    assert excerpts("联系139", text.head) == excerpts("联系139", body)
    assert len(text.head) == len(body) or len(text.head) > EXCERPT_CHARS


def test_a_short_body_is_its_own_head_and_a_long_one_is_cut() -> None:
    assert card_text("标题", "路灯坏了。").head == "路灯坏了。"
    assert len(card_text("标题", FILLER * 10).head) == HEAD_CHARS


def test_a_number_masking_reads_past_the_first_head_makes_the_head_longer() -> None:
    body = "情" * 110 + "电话1" + "\u200b" * 41 + "3912345678" + FILLER * 5  # invisible characters inside the number

    text = card_text("标题", body)

    assert len(text.head) == 2 * HEAD_CHARS
    assert "139****5678" in mask_title_and_body("标题", text.head)[1]  # the head holds the whole number
    assert "139****5678" not in mask_title_and_body("标题", body[:HEAD_CHARS])[1]
