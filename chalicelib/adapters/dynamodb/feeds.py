"""The public feeds (access patterns 3, 4 and 6 in keys.py): one Query of one feed index partition per page,
pins included, read from the index alone; and the writes that keep the copies of global pins right.

A page of every board's feed reads GSI8 (`FEED`), a board's GSI10 (`BOARD#<board>`), newest first. A pin in
force sorts ahead of every post in the same partition (keys.pinned_key), so the first page's Query returns the
pins, then the posts; a later page starts below its cursor, a post's key, so it never reads a pin again. A
global pin is in GSI8 and in its board's GSI10 partition by its own keys, and in every other board's partition
by a copy of its card (PK = PINCOPY#<post>, SK = BOARD#<board>), written in the same transaction as the post.

A pin that lapses (`until` passed) still sorts ahead until something rewrites its keys: the first page that
reads it drops it from the pins, puts it back among the posts where its creation time places it, and demotes it
(its keys as a post's, its copies deleted) in one conditional write, so that later reads find it in its place.
No scan and no timer: a lapsed pin costs one write, once, on the first read after it lapses.

The indexes project the card (items.CARD_ATTRS: the head of the body, not the whole body), so a page reads
what it shows. The first page reads as many entries past its `limit + 1` posts as there were pins the last
time this process read that feed (PIN_ROOM before the first read): one Query, unless pins were added since.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb import items as it
from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.table import Table, cancellation_codes, put_request, to_item
from chalicelib.domain.posts import Post
from chalicelib.services.ports import FeedPage

PIN_ROOM = 2  # entries read for pins on a feed's first page before this process has read it once


def copy_writes(table: Table, post: Post, before: Post | None) -> list[dict[str, Any]]:
    """Return the writes of a transaction that keep the copies of a post's card right as it is written: put in
    every other board while a global pin holds, deleted once it does not (unpinned, board pin, hidden, lapsed).
    `before`: the post as read (None: unknown, so every copy it may have had is deleted when none is wanted)."""
    if not it.copied_anywhere(post) and before is not None and not it.copied_anywhere(before):
        return []
    puts = it.pin_copy_items(post)
    if puts:
        return [put_request(table, item) for item in puts]
    return [
        {"Delete": {"TableName": table.name, "Key": to_item(it.pin_copy_key(post.id, board))}}
        for board in it.other_boards(post)
    ]


class FeedQueries:
    """The feeds' Queries, mixed into the post repository (they read the posts' own index entries)."""

    table: Table
    _pins_seen: dict[str, int]

    def feed(self, board: str | None, limit: int, after: str | None, now: datetime) -> FeedPage:
        index, pk = (it.BOARD_INDEX, keys.board_pk(board)) if board else (it.FEED_INDEX, keys.FEED)
        view = board or "*"
        room = 0 if after else self._pins_seen.get(view, PIN_ROOM)
        query: dict[str, Any] = {
            "IndexName": index,
            "KeyConditionExpression": f"{index}PK = :pk",
            "ExpressionAttributeValues": to_item({":pk": pk}),
            "ScanIndexForward": False,
            "Limit": limit + 1 + room,  # one more than the page tells whether another page exists
        }
        start = None
        if after:
            key = {"PK": keys.post_pk(it.post_id_of_feed_key(after)), "SK": keys.META}
            start = to_item({f"{index}PK": pk, f"{index}SK": after, **key})
        pinned: list[Post] = []
        posts: list[tuple[str, Post]] = []
        lapsed: list[Post] = []
        while True:
            found, start = self.table.query(**query, **({"ExclusiveStartKey": start} if start else {}))
            for item in found:
                card, sort = it.card_from(item), str(item[f"{index}SK"])
                if card.hidden:
                    continue  # never indexed while hidden; a stale entry is not shown either
                if not sort.startswith(keys.PINNED):
                    posts.append((sort, card))
                elif card.is_pinned(now):
                    pinned.append(card)
                else:
                    lapsed.append(card)
            if len(posts) > limit or not start:
                break
            query["Limit"] = limit + 1 - len(posts)
        if after is None:
            self._pins_seen[view] = len(pinned)
        for card in lapsed:
            self._demote(card, now)
            own = it.feed_key(card)
            if (board is None or card.board == board) and (not start or own > posts[-1][0]):
                posts.append((own, card))  # a copy in another board's feed is not that board's post
        posts.sort(key=lambda entry: entry[0], reverse=True)
        more = len(posts) > limit
        page = posts[:limit]
        return FeedPage([card for _, card in page], page[-1][0] if more else None, pinned)

    def _demote(self, card: Post, now: datetime) -> None:
        """Put a post whose pin lapsed back in its place: its feed keys as a post's and its copies deleted, on the
        condition that it was not written since (a write since placed it by its own time)."""
        sorts = it.feed_keys(card.model_copy(update={"pin": None}), now)
        writes: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self.table.name,
                    "Key": to_item({"PK": keys.post_pk(card.id), "SK": keys.META}),
                    "UpdateExpression": "SET GSI8SK = :all, GSI10SK = :board",
                    "ConditionExpression": "#version = :version AND attribute_exists(GSI10PK)",
                    "ExpressionAttributeNames": {"#version": "version"},
                    "ExpressionAttributeValues": to_item(
                        {":all": sorts["GSI8SK"], ":board": sorts["GSI10SK"], ":version": card.version}
                    ),
                }
            }
        ]
        if it.copied_anywhere(card):
            writes += [
                {"Delete": {"TableName": self.table.name, "Key": to_item(it.pin_copy_key(card.id, board))}}
                for board in it.other_boards(card)
            ]
        try:
            self.table.transact(writes)
        except ClientError as error:
            if "ConditionalCheckFailed" not in cancellation_codes(error):
                raise

    def by_author(self, author: str, limit: int, after: str | None) -> FeedPage:
        query: dict[str, Any] = {
            "IndexName": "GSI3",
            "KeyConditionExpression": "GSI3PK = :pk",
            "ExpressionAttributeValues": to_item({":pk": keys.author_pk(author)}),
            "ScanIndexForward": False,
            "Limit": limit + 1,  # one more than needed tells whether another page exists
        }
        start = None
        if after:
            key = {"PK": keys.post_pk(it.post_id_of_feed_key(after)), "SK": keys.META}
            start = to_item({"GSI3PK": keys.author_pk(author), "GSI3SK": after, **key})
        kept: list[Post] = []
        while True:
            page, start = self.table.query(**query, **({"ExclusiveStartKey": start} if start else {}))
            kept.extend(map(it.post_from, page))
            if len(kept) > limit or not start:
                break
        if len(kept) > limit:
            kept = kept[:limit]
            return FeedPage(kept, it.feed_key(kept[-1]))
        return FeedPage(kept, None)
