"""Open311 reads and partner keys in the one table (access patterns 23-28 in keys.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb import items as it
from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.batch import posts_by_id
from chalicelib.adapters.dynamodb.table import Table, condition_failed, from_item, to_item
from chalicelib.domain.errors import NotFound
from chalicelib.domain.open311 import PartnerKey
from chalicelib.domain.posts import Event, Post, epoch_ms
from chalicelib.domain.status import Status


class DynamoOpen311Reads:
    """Posts by time window or by ids, and timeline entries by time, with Queries and batch reads only."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def _between(self, index: str, pk: str, start: datetime, end: datetime) -> dict[str, Any]:
        low, high = keys.ms_range(epoch_ms(start), epoch_ms(end))
        return {
            "IndexName": index,
            "KeyConditionExpression": f"{index}PK = :pk AND {index}SK BETWEEN :low AND :high",
            "ExpressionAttributeValues": {":pk": pk, ":low": low, ":high": high},
        }

    def _collect(self, kwargs: dict[str, Any], limit: int) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        start: dict[str, Any] | None = None
        while len(found) < limit:
            page, start = self.table.query(**kwargs, Limit=limit, **({"ExclusiveStartKey": start} if start else {}))
            found += page
            if not start:
                break
        return found[:limit]

    def window(self, board: str | None, start: datetime, end: datetime, status: str | None, limit: int) -> list[Post]:
        index, pk = ("GSI2", keys.board_pk(board)) if board else ("GSI1", keys.FEED)
        kwargs = self._between(index, pk, start, end)
        values = kwargs["ExpressionAttributeValues"]
        if status is not None:
            kwargs["FilterExpression"] = "#status = :resolved" if status == "closed" else "#status <> :resolved"
            kwargs["ExpressionAttributeNames"] = {"#status": "status"}
            values[":resolved"] = Status.RESOLVED.value
        kwargs["ExpressionAttributeValues"] = to_item(values)
        return [it.post_from(item) for item in self._collect({**kwargs, "ScanIndexForward": False}, limit)]

    def posts(self, ids: Sequence[str]) -> list[Post]:
        return posts_by_id(self.table, ids)

    def events(self, post_id: str) -> list[Event]:
        return [
            it.event_from(item)
            for item in self.table.query_all(
                KeyConditionExpression="PK = :pk AND begins_with(SK, :events)",
                ExpressionAttributeValues=to_item({":pk": keys.post_pk(post_id), ":events": "EVENT#"}),
            )
        ]

    def updates(self, start: datetime, end: datetime, limit: int) -> list[tuple[str, Event]]:
        kwargs = self._between("GSI1", keys.UPDATES, start, end)
        kwargs["ExpressionAttributeValues"] = to_item(kwargs["ExpressionAttributeValues"])
        found = self._collect({**kwargs, "ScanIndexForward": False}, limit)
        return [(str(item["post_id"]), it.event_from(item)) for item in found if item.get("post_id")]


def _key_item(key: PartnerKey) -> dict[str, Any]:
    return {
        "PK": keys.PARTNER_KEYS,
        "SK": keys.partner_key_sk(key.id),
        "id": key.id,
        "name": key.name,
        "secret_hash": key.secret_hash,
        "created_at": key.created_at.isoformat(),
        "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
    }


def _key_from(item: dict[str, Any]) -> PartnerKey:
    revoked = item.get("revoked_at")
    return PartnerKey(
        id=str(item["id"]),
        name=str(item["name"]),
        secret_hash=str(item["secret_hash"]),
        created_at=datetime.fromisoformat(str(item["created_at"])),
        revoked_at=datetime.fromisoformat(str(revoked)) if revoked else None,
    )


class DynamoPartnerKeyRepository:
    """Partner API keys, a few items in one partition; only the hash of each secret."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def add(self, key: PartnerKey) -> None:
        self.table.call(
            "put_item",
            TableName=self.table.name,
            Item=to_item(_key_item(key)),
            ConditionExpression="attribute_not_exists(PK)",
        )

    def get(self, key_id: str) -> PartnerKey | None:
        item = self.table.get(keys.PARTNER_KEYS, keys.partner_key_sk(key_id), consistent=True)
        return _key_from(item) if item else None

    def all(self) -> list[PartnerKey]:
        return [
            _key_from(item)
            for item in self.table.query_all(
                KeyConditionExpression="PK = :pk", ExpressionAttributeValues=to_item({":pk": keys.PARTNER_KEYS})
            )
        ]

    def revoke(self, key_id: str, at: datetime) -> PartnerKey:
        try:
            response = self.table.call(
                "update_item",
                TableName=self.table.name,
                Key=to_item({"PK": keys.PARTNER_KEYS, "SK": keys.partner_key_sk(key_id)}),
                UpdateExpression="SET revoked_at = if_not_exists(revoked_at, :at)",
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeValues=to_item({":at": at.isoformat()}),
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if condition_failed(error):
                raise NotFound("没有这个接入密钥") from error
            raise
        return _key_from(from_item(response["Attributes"]))
