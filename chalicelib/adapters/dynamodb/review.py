"""The review queue: the sparse GSI9 partition REVIEW, oldest first (keys.py, pattern 35)."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamodb import items as it
from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.table import Table, to_item
from chalicelib.domain.posts import Post


class DynamoReviewIndex:
    """Posts awaiting review, read from GSI9 (the item mapping writes and clears it with the post)."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def page(self, limit: int, after: str | None) -> tuple[list[Post], str | None]:
        kwargs: dict[str, Any] = {
            "IndexName": "GSI9",
            "KeyConditionExpression": "GSI9PK = :pk" + (" AND GSI9SK > :after" if after else ""),
            "ExpressionAttributeValues": to_item({":pk": keys.REVIEW, **({":after": after} if after else {})}),
            "ScanIndexForward": True,
            "Limit": limit + 1,  # one more tells whether another page exists
        }
        found, _ = self.table.query(**kwargs)
        posts = [it.post_from(item) for item in found]
        if len(posts) > limit:
            posts = posts[:limit]
            return posts, it.review_key(posts[-1])
        return posts, None

    def count(self) -> int:
        total, start = 0, None
        while True:
            extra: dict[str, Any] = {"ExclusiveStartKey": start} if start else {}
            response = self.table.call(
                "query",
                TableName=self.table.name,
                IndexName="GSI9",
                KeyConditionExpression="GSI9PK = :pk",
                ExpressionAttributeValues=to_item({":pk": keys.REVIEW}),
                Select="COUNT",
                **extra,
            )
            total += int(response.get("Count", 0))
            start = response.get("LastEvaluatedKey")
            if not start:
                return total
