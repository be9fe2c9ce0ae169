"""Posts by id in BatchGetItem rounds: the one place that reads a list of posts (Open311 id lists, workbench pages)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chalicelib.adapters.dynamodb import items as it
from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.table import Table, from_item, to_item
from chalicelib.domain.posts import Post

BATCH = 100  # BatchGetItem takes at most 100 keys
ATTEMPTS = 5  # rounds for the keys DynamoDB left unprocessed


def posts_by_id(table: Table, ids: Sequence[str]) -> list[Post]:
    """Return the posts of these ids that exist, in the order asked, each once."""
    wanted = list(dict.fromkeys(ids))
    found: dict[str, Post] = {}
    for first in range(0, len(wanted), BATCH):
        chunk = [to_item({"PK": keys.post_pk(i), "SK": keys.META}) for i in wanted[first : first + BATCH]]
        request: dict[str, Any] = {table.name: {"Keys": chunk}}
        for _ in range(ATTEMPTS):
            response = table.call("batch_get_item", RequestItems=request)
            for item in response.get("Responses", {}).get(table.name, []):
                post = it.post_from(from_item(item))
                found[post.id] = post
            request = response.get("UnprocessedKeys") or {}
            if not request:
                break
    return [found[i] for i in wanted if i in found]
