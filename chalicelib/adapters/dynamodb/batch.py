"""Batches: posts by id in BatchGetItem rounds (Open311 id lists, workbench pages), and any items read or
written at once (a dispatch's contacts, links and notices)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chalicelib.adapters.dynamodb import items as it
from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.table import Table, from_item, to_item
from chalicelib.domain.errors import Unavailable
from chalicelib.domain.posts import Post

BATCH = 100  # BatchGetItem takes at most 100 keys
ATTEMPTS = 5  # rounds for the keys DynamoDB left unprocessed


def posts_by_id(table: Table, ids: Sequence[str], consistent: bool = False) -> list[Post]:
    """Return the posts of these ids that exist, in the order asked, each once (`consistent`: strongly)."""
    wanted = list(dict.fromkeys(ids))
    found: dict[str, Post] = {}
    for first in range(0, len(wanted), BATCH):
        chunk = [to_item({"PK": keys.post_pk(i), "SK": keys.META}) for i in wanted[first : first + BATCH]]
        request: dict[str, Any] = {table.name: {"Keys": chunk, "ConsistentRead": consistent}}
        for _ in range(ATTEMPTS):
            response = table.call("batch_get_item", RequestItems=request)
            for item in response.get("Responses", {}).get(table.name, []):
                post = it.post_from(from_item(item))
                found[post.id] = post
            request = response.get("UnprocessedKeys") or {}
            if not request:
                break
    return [found[i] for i in wanted if i in found]


WRITE_BATCH = 25  # BatchWriteItem takes at most 25 requests


def get_items(table: Table, wanted: Sequence[tuple[str, str]], consistent: bool = False) -> list[dict[str, Any]]:
    """Return the items of these (PK, SK) keys that exist, in no particular order."""
    found: list[dict[str, Any]] = []
    unique = list(dict.fromkeys(wanted))
    for first in range(0, len(unique), BATCH):
        chunk = [to_item({"PK": pk, "SK": sk}) for pk, sk in unique[first : first + BATCH]]
        request: dict[str, Any] = {table.name: {"Keys": chunk, "ConsistentRead": consistent}}
        for _ in range(ATTEMPTS):
            response = table.call("batch_get_item", RequestItems=request)
            found += [from_item(item) for item in response.get("Responses", {}).get(table.name, [])]
            request = response.get("UnprocessedKeys") or {}
            if not request:
                break
        if request:
            raise Unavailable("服务繁忙，请稍后重试", retry_after=1)
    return found


def put_items(table: Table, items: Sequence[dict[str, Any]]) -> None:
    """Write these items (unconditional puts), 25 a call, until DynamoDB has processed every one."""
    for first in range(0, len(items), WRITE_BATCH):
        request: dict[str, Any] = {
            table.name: [{"PutRequest": {"Item": to_item(item)}} for item in items[first : first + WRITE_BATCH]]
        }
        for _ in range(ATTEMPTS):
            request = table.call("batch_write_item", RequestItems=request).get("UnprocessedItems") or {}
            if not request:
                break
        if request:
            raise Unavailable("服务繁忙，请稍后重试", retry_after=1)
