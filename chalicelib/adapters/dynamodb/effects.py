"""One-time effects, counters, figures, incidents and the audit trail."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.batch import put_items
from chalicelib.adapters.dynamodb.table import (
    Table,
    cancellation_codes,
    condition_failed,
    from_item,
    put_request,
    to_item,
)
from chalicelib.domain.times import CST
from chalicelib.services.audit import AuditEntry
from chalicelib.services.ports import Count

KEEP_DAYS = 400  # a scope's day of figures is kept this long (TTL)


class DynamoNoticeLedger:
    """One item per one-time effect of a post, claimed with a conditional write."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def claim(self, post_id: str, key: str, now: datetime, stale_after: int = 60) -> bool:
        stamp = int(now.timestamp())
        try:
            self.table.call(
                "put_item",
                TableName=self.table.name,
                Item=to_item({"PK": keys.notice_pk(post_id), "SK": key, "state": "claimed", "at": stamp}),
                ConditionExpression="attribute_not_exists(PK) OR (#state = :claimed AND #at < :stale)",
                ExpressionAttributeNames={"#state": "state", "#at": "at"},
                ExpressionAttributeValues=to_item({":claimed": "claimed", ":stale": stamp - stale_after}),
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def claim_many(self, post_id: str, keys_: Sequence[str], now: datetime, stale_after: int = 60) -> set[str]:
        """Claim in one transaction (two write units an item); keys refused by their condition (taken, or done)
        are dropped and the rest claimed again, so a redelivery takes only what is left."""
        wanted = list(dict.fromkeys(keys_))
        if len(wanted) <= 1:
            return {key for key in wanted if self.claim(post_id, key, now, stale_after)}
        stamp = int(now.timestamp())
        while wanted:
            try:
                self.table.transact([self._claim_request(post_id, key, stamp, stale_after) for key in wanted])
                return set(wanted)
            except ClientError as error:
                codes = cancellation_codes(error)
                if len(codes) != len(wanted) or "ConditionalCheckFailed" not in codes:
                    raise
                wanted = [key for key, code in zip(wanted, codes, strict=True) if code != "ConditionalCheckFailed"]
        return set()

    def _claim_request(self, post_id: str, key: str, stamp: int, stale_after: int) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self.table.name,
                "Item": to_item({"PK": keys.notice_pk(post_id), "SK": key, "state": "claimed", "at": stamp}),
                "ConditionExpression": "attribute_not_exists(PK) OR (#state = :claimed AND #at < :stale)",
                "ExpressionAttributeNames": {"#state": "state", "#at": "at"},
                "ExpressionAttributeValues": to_item({":claimed": "claimed", ":stale": stamp - stale_after}),
            }
        }

    def confirm_many(self, post_id: str, keys_: Sequence[str]) -> None:
        """Mark done in one BatchWriteItem (a done entry is only ever read for its state)."""
        put_items(self.table, [{"PK": keys.notice_pk(post_id), "SK": key, "state": "done"} for key in keys_])

    def confirm(self, post_id: str, key: str) -> None:
        self.table.call(
            "update_item",
            TableName=self.table.name,
            Key=to_item({"PK": keys.notice_pk(post_id), "SK": key}),
            UpdateExpression="SET #state = :done",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues=to_item({":done": "done"}),
        )

    def release(self, post_id: str, key: str) -> None:
        try:
            self.table.call(
                "delete_item",
                TableName=self.table.name,
                Key=to_item({"PK": keys.notice_pk(post_id), "SK": key}),
                ConditionExpression="#state = :claimed",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues=to_item({":claimed": "claimed"}),
            )
        except ClientError as error:
            if not condition_failed(error):
                raise  # a claim already done (or gone) stays as it is


def stats_updates(scopes: Sequence[str], counters: Mapping[str, int], day: str | None) -> list[dict[str, Any]]:
    """Return the updates that add counters to each scope's total (STATS/<scope>) and its day (DAILY#<scope>/<day>,
    kept 400 days by TTL): Key, UpdateExpression, names and values (typed), for an UpdateItem or a transaction."""
    names = {f"#c{i}": name for i, name in enumerate(counters)}
    values: dict[str, Any] = {f":v{i}": value for i, value in enumerate(counters.values())}
    expression = "ADD " + ", ".join(f"#c{i} :v{i}" for i in range(len(counters)))
    updates = []
    for scope in scopes:
        updates.append(_update({"PK": keys.STATS, "SK": scope}, expression, names, values))
        if day is not None:
            expires = int(datetime.fromisoformat(day).replace(tzinfo=CST).timestamp()) + KEEP_DAYS * 86400
            updates.append(
                _update(
                    {"PK": keys.daily_pk(scope), "SK": day},
                    expression + " SET expires_at = :exp",
                    names,
                    {**values, ":exp": expires},
                )
            )
    return updates


def _update(key: dict[str, str], expression: str, names: dict[str, str], values: dict[str, Any]) -> dict[str, Any]:
    return {
        "Key": to_item(key),
        "UpdateExpression": expression,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": to_item(values),
    }


class DynamoStatsRepository:
    """Counters under the STATS partition, one item per scope, added to atomically; and one item per scope and
    day under DAILY#<scope> (kept 400 days by TTL), so that a scope's last 30 days are one Query."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def add(self, scopes: list[str], counters: dict[str, int], day: str | None = None) -> None:
        for update in stats_updates(scopes, counters, day):
            self.table.call("update_item", TableName=self.table.name, **update)

    def note(self, count: Count) -> None:
        """Nothing to do: the post's transaction stored the counters."""

    def add_once(self, post_id: str, key: str, scopes: list[str], counters: dict[str, int], day: str) -> bool:
        entry = {"PK": keys.notice_pk(post_id), "SK": key, "state": "done"}
        writes = [put_request(self.table, entry, "attribute_not_exists(PK)")]
        writes += [{"Update": {"TableName": self.table.name, **u}} for u in stats_updates(scopes, counters, day)]
        try:
            self.table.transact(writes)
        except ClientError as error:
            if cancellation_codes(error)[:1] == ["ConditionalCheckFailed"]:
                return False  # counted before (or by the first try of a resent transaction)
            raise
        return True

    def all(self) -> dict[str, dict[str, int]]:
        return {
            str(item["SK"]): {k: int(v) for k, v in item.items() if k not in ("PK", "SK")}
            for item in self.table.query_all(
                KeyConditionExpression="PK = :pk", ExpressionAttributeValues=to_item({":pk": keys.STATS})
            )
        }

    def days(self, scope: str, first: str, last: str) -> dict[str, dict[str, int]]:
        return {
            str(item["SK"]): {k: int(v) for k, v in item.items() if k not in ("PK", "SK", "expires_at")}
            for item in self.table.query_all(
                KeyConditionExpression="PK = :pk AND SK BETWEEN :first AND :last",
                ExpressionAttributeValues=to_item({":pk": keys.daily_pk(scope), ":first": first, ":last": last}),
            )
        }


class DynamoCounters:
    """Rate-limit counters: one item per key (and window), conditional writes, TTL to clean up."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def take_interval(self, key: str, seconds: int, now: datetime) -> int:
        stamp = now.timestamp()
        try:
            self.table.call(
                "put_item",
                TableName=self.table.name,
                Item=to_item(
                    {
                        "PK": f"RATE#{key}",
                        "SK": "RATE",
                        "at": Decimal(str(stamp)),
                        "expires_at": int(stamp) + seconds + 60,
                    }
                ),
                ConditionExpression="attribute_not_exists(PK) OR #at <= :since",
                ExpressionAttributeNames={"#at": "at"},
                ExpressionAttributeValues=to_item({":since": Decimal(str(stamp - seconds))}),
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            item = self.table.get(f"RATE#{key}", "RATE", consistent=True)
            last = float(item["at"]) if item else stamp
            return max(1, int(last + seconds - stamp + 0.999))
        return 0

    def take_quota(self, key: str, limit: int, expires: datetime) -> bool:
        try:
            self.table.call(
                "update_item",
                TableName=self.table.name,
                Key=to_item({"PK": f"RATE#{key}", "SK": "RATE"}),
                UpdateExpression="ADD #n :one SET expires_at = :exp",
                ConditionExpression="attribute_not_exists(#n) OR #n < :limit",
                ExpressionAttributeNames={"#n": "n"},
                ExpressionAttributeValues=to_item({":one": 1, ":limit": limit, ":exp": int(expires.timestamp()) + 60}),
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def release_quota(self, key: str) -> None:
        try:
            self.table.call(
                "update_item",
                TableName=self.table.name,
                Key=to_item({"PK": f"RATE#{key}", "SK": "RATE"}),
                UpdateExpression="ADD #n :minus",
                ConditionExpression="#n > :zero",  # never below zero, never an item made anew
                ExpressionAttributeNames={"#n": "n"},
                ExpressionAttributeValues=to_item({":minus": -1, ":zero": 0}),
            )
        except ClientError as error:
            if not condition_failed(error):
                raise

    def release_interval(self, key: str, now: datetime) -> None:
        try:
            self.table.call(
                "delete_item",
                TableName=self.table.name,
                Key=to_item({"PK": f"RATE#{key}", "SK": "RATE"}),
                ConditionExpression="#at = :stamp",  # only this request's own claim
                ExpressionAttributeNames={"#at": "at"},
                ExpressionAttributeValues=to_item({":stamp": Decimal(str(now.timestamp()))}),
            )
        except ClientError as error:
            if not condition_failed(error):
                raise


class DynamoIncidentRepository:
    """Incident id -> post id, written once at hand-off."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def put(self, incident_id: str, post_id: str, at: datetime) -> None:
        item = {"PK": keys.incident_pk(incident_id), "SK": "INCIDENT", "post_id": post_id, "at": at.isoformat()}
        try:
            self.table.call(
                "put_item",
                TableName=self.table.name,
                Item=to_item(item),
                ConditionExpression="attribute_not_exists(PK)",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    def post_of(self, incident_id: str) -> str | None:
        item = self.table.get(keys.incident_pk(incident_id), "INCIDENT")
        return str(item["post_id"]) if item else None


class DynamoAuditLog:
    """The audit trail, one partition per month, newest first."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def record(self, entry: AuditEntry) -> None:
        month = entry.at.astimezone(CST).strftime("%Y-%m")
        item = {
            "PK": f"AUDIT#{month}",
            "SK": keys.epoch_ms_key(int(entry.at.timestamp() * 1000), entry.id),
            "id": entry.id,
            "at": entry.at.isoformat(),
            "actor": entry.actor,
            "role": entry.role,
            "action": entry.action,
            "target": entry.target,
            "before": json.dumps(entry.before, ensure_ascii=False, default=str),
            "after": json.dumps(entry.after, ensure_ascii=False, default=str),
        }
        self.table.call("put_item", TableName=self.table.name, Item=to_item(item))

    def month(self, month: str, limit: int, after: str | None) -> tuple[list[AuditEntry], str | None]:
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": to_item({":pk": f"AUDIT#{month}"}),
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if after:
            kwargs["ExclusiveStartKey"] = to_item({"PK": f"AUDIT#{month}", "SK": after})
        found, last = self.table.query(**kwargs)
        entries = [
            AuditEntry(
                id=i["id"],
                at=datetime.fromisoformat(i["at"]),
                actor=i["actor"],
                role=i["role"],
                action=i["action"],
                target=i["target"],
                before=json.loads(i["before"]),
                after=json.loads(i["after"]),
            )
            for i in found
        ]
        return entries, (str(from_item(last)["SK"]) if last else None)
