"""The feeds' backfill places posts stored before the one-Query feeds, with their pins' copies, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from chalicelib.adapters.dynamodb import items as it
from chalicelib.adapters.dynamodb.posts import DynamoPostRepository
from chalicelib.adapters.dynamodb.table import Table, to_item
from chalicelib.domain.parts import Pin
from chalicelib.domain.posts import Post
from tools.backfill_feed import backfill

NEW_ATTRS = (*it.FEED_KEYS, "body_head", "body_length", "body_masked_length")


def old_post(post_id: str, at: datetime, **fields: Any) -> Post:
    return Post(
        id=post_id,
        board="report",
        type="report",
        title=f"旧帖子{post_id}",
        body="存于一次查询的信息流之前。" * 20,
        author_id="u1",
        author_nickname="网友A",
        created_at=at,
        updated_at=at,
        **fields,
    )


def test_posts_stored_before_the_feed_indexes_are_placed_with_their_pin_copies_once(aws: dict[str, Any]) -> None:
    now = datetime.now(UTC)
    pinned = old_post("p-pinned", now - timedelta(minutes=2), pin=Pin(scope="global", at=now - timedelta(minutes=1)))
    plain = old_post("p-plain", now - timedelta(minutes=1))
    dynamodb = boto3.client("dynamodb")
    for post in (pinned, plain):  # as the release before wrote them: no feed keys, no card text, no copies
        item = {k: v for k, v in it.post_item(post).items() if k not in NEW_ATTRS}
        dynamodb.put_item(TableName=aws["TableName"], Item=to_item(item))
    stale = it.pin_copy_items(pinned)[0] | {"PK": "PINCOPY#p-plain"}  # a copy no post wants
    dynamodb.put_item(TableName=aws["TableName"], Item=to_item(stale))
    posts = DynamoPostRepository(Table(aws["TableName"], "us-east-1"))
    assert posts.feed(None, 10, None, now).posts == []

    before = backfill(dynamodb, aws["TableName"], copies=False)  # while the release before still runs
    assert (before.seen, before.written, before.copies_removed) == (2, 2, 0)
    assert posts.feed("traffic", 10, None, now).pinned == []
    first, second = backfill(dynamodb, aws["TableName"]), backfill(dynamodb, aws["TableName"])

    assert (first.seen, first.written, first.copies_removed) == (2, 11, 1)  # the eleven copies, a stale one gone
    assert (second.written, second.copies_removed) == (0, 0)
    every = posts.feed(None, 10, None, now)
    assert [p.id for p in every.pinned] == ["p-pinned"] and [p.id for p in every.posts] == ["p-plain"]
    for board in ("report", "traffic", "hukou"):
        assert [p.id for p in posts.feed(board, 10, None, now).pinned] == ["p-pinned"]
    (card,) = every.posts
    assert card.head_of is not None and card.head_of.length == len(plain.body) > len(card.body)
