"""A feed card's text: the head of a body that is enough to cut the card's excerpt from, as the whole body would.

A feed page is read from the feed indexes alone (adapters/dynamodb/keys.py), which hold the card, not the whole
body: the head of the body and its sizes. The card's excerpt (api/render.py) is cut from the text a viewer may
read, the body as written or masked, and masking reads a number across the place the head would end: so the
head is made long enough that masking it gives the same first characters (and title) as masking the whole body.
"""

from __future__ import annotations

from typing import NamedTuple

from chalicelib.domain.masking import mask_title_and_body

EXCERPT_CHARS = 120  # characters of a card's excerpt, at most
HEAD_CHARS = EXCERPT_CHARS + 1  # characters of a head to try first (an excerpt reads that many); doubled while
# masking sees a number across its end


class CardText(NamedTuple):
    """What a card keeps of a body: its head, and the sizes of the whole body as written and as masked."""

    head: str
    length: int
    masked_length: int


def card_text(title: str, body: str) -> CardText:
    """Return the shortest head (from HEAD_CHARS, doubling) whose masking agrees with the whole body's on the
    title and on every character an excerpt reads (its first EXCERPT_CHARS + 1, and whether there are more)."""
    masked_title, masked_body = mask_title_and_body(title, body)
    seen = EXCERPT_CHARS + 1
    size = HEAD_CHARS
    while size < len(body):
        head = body[:size]
        title_of_head, masked_head = mask_title_and_body(title, head)
        if (
            title_of_head == masked_title
            and masked_head[:seen] == masked_body[:seen]
            and (len(masked_head) > EXCERPT_CHARS) == (len(masked_body) > EXCERPT_CHARS)
        ):
            return CardText(head, len(body), len(masked_body))
        size *= 2
    return CardText(body, len(body), len(masked_body))
