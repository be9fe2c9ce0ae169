"""DynamoDB implementations of the repositories; access patterns are listed in keys.py."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb import items as it
from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.table import Table, cancellation_codes, from_item, to_item
from chalicelib.domain.errors import Conflict, NotFound, StaleVersion
from chalicelib.domain.people import Officer, Routing, Unit, User
from chalicelib.domain.posts import Event, Post, Reply
from chalicelib.services.audit import AuditEntry
from chalicelib.services.ports import FeedPage, IdempotencyRecord, OtpRecord, PostDetail

IDEMPOTENCY_TTL = 24 * 3600
# Fields the update path never overwrites: counters kept by atomic ADDs.
_COUNTED = frozenset({"reply_count", "first_official_reply_at", "flag_count"})


def _put(table: Table, item: dict[str, Any], condition: str | None = None) -> dict[str, Any]:
    put: dict[str, Any] = {"TableName": table.name, "Item": to_item(item)}
    if condition:
        put["ConditionExpression"] = condition
    return {"Put": put}


class DynamoPostRepository:
    """Posts, replies and timelines in the one table."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def add(self, post: Post, event: Event, idempotency: tuple[str, IdempotencyRecord] | None = None) -> None:
        writes = [
            _put(self.table, it.post_item(post), "attribute_not_exists(PK)"),
            _put(self.table, it.event_item(post.id, event)),
        ]
        if idempotency is not None:
            scope, record = idempotency
            expires = int(post.created_at.timestamp()) + IDEMPOTENCY_TTL
            item = {
                "PK": keys.idempotency_pk(*scope.split("#", 1)),
                "SK": "IDEM",
                "request_hash": record.request_hash,
                "result_id": record.result_id,
                "expires_at": expires,
            }
            writes.append(_put(self.table, item, "attribute_not_exists(PK)"))
        try:
            self.table.transact(writes)
        except ClientError as error:
            if "ConditionalCheckFailed" in cancellation_codes(error):
                raise Conflict("重复的请求") from error
            raise

    def get(self, post_id: str) -> Post | None:
        item = self.table.get(keys.post_pk(post_id), keys.META)
        return it.post_from(item) if item else None

    def detail(self, post_id: str) -> PostDetail | None:
        post: Post | None = None
        replies: list[Reply] = []
        events: list[Event] = []
        for item in self.table.query_all(
            KeyConditionExpression="PK = :pk", ExpressionAttributeValues=to_item({":pk": keys.post_pk(post_id)})
        ):
            kind = item.get("item_type")
            if kind == "post":
                post = it.post_from(item)
            elif kind == "reply":
                replies.append(it.reply_from(item))
            elif kind == "event":
                events.append(it.event_from(item))
        return PostDetail(post, replies, events) if post else None

    def update(self, post: Post, expected_version: int, event: Event | None = None) -> None:
        item = it.post_item(post)
        sets, removes, values, names = [], [], {":expected": expected_version}, {}
        for index, (field, value) in enumerate(sorted(item.items())):
            if field in ("PK", "SK") or field in _COUNTED:
                continue
            names[f"#f{index}"] = field
            if value is None:
                removes.append(f"#f{index}")
            else:
                sets.append(f"#f{index} = :v{index}")
                values[f":v{index}"] = value
        for index, attr in enumerate(a for a in it.index_attrs() if a not in item):
            names[f"#x{index}"] = attr
            removes.append(f"#x{index}")
        names["#version"] = "version"
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        writes: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self.table.name,
                    "Key": to_item({"PK": keys.post_pk(post.id), "SK": keys.META}),
                    "UpdateExpression": expression,
                    "ConditionExpression": "attribute_exists(PK) AND #version = :expected",
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": to_item(values),
                }
            }
        ]
        if event is not None:
            writes.append(_put(self.table, it.event_item(post.id, event)))
        try:
            self.table.transact(writes)
        except ClientError as error:
            if "ConditionalCheckFailed" in cancellation_codes(error):
                raise StaleVersion("帖子已被他人更新,请刷新后重试") from error
            raise

    def add_reply(self, post_id: str, reply: Reply, event: Event | None = None) -> None:
        values: dict[str, Any] = {":one": 1, ":now": reply.created_at.isoformat()}
        expression = "ADD reply_count :one SET updated_at = :now"
        if reply.official is not None:
            expression += ", first_official_reply_at = if_not_exists(first_official_reply_at, :now)"
        writes = [
            _put(self.table, it.reply_item(reply), "attribute_not_exists(PK)"),
            {
                "Update": {
                    "TableName": self.table.name,
                    "Key": to_item({"PK": keys.post_pk(post_id), "SK": keys.META}),
                    "UpdateExpression": expression,
                    "ConditionExpression": "attribute_exists(PK)",
                    "ExpressionAttributeValues": to_item(values),
                }
            },
        ]
        if event is not None:
            writes.append(_put(self.table, it.event_item(post_id, event)))
        try:
            self.table.transact(writes)
        except ClientError as error:
            if "ConditionalCheckFailed" in cancellation_codes(error):
                raise NotFound("帖子不存在") from error
            raise

    def feed(
        self, board: str | None, limit: int, after: str | None, exclude: frozenset[str], author: str | None = None
    ) -> FeedPage:
        index, pk = ("GSI2", keys.board_pk(board)) if board else ("GSI1", keys.FEED)
        if author is not None:
            index, pk = "GSI3", keys.author_pk(author)
        kwargs: dict[str, Any] = {
            "IndexName": index,
            "KeyConditionExpression": f"{index}PK = :pk",
            "ExpressionAttributeValues": to_item({":pk": pk}),
            "ScanIndexForward": False,
            # One more than needed tells whether another page exists, past any excluded pins.
            "Limit": limit + len(exclude) + 1,
        }
        start = (
            to_item(
                {
                    f"{index}PK": pk,
                    f"{index}SK": after,
                    "PK": keys.post_pk(it.post_id_of_feed_key(after)),
                    "SK": keys.META,
                }
            )
            if after
            else None
        )
        kept: list[Post] = []
        while True:
            page, start = self.table.query(**kwargs, **({"ExclusiveStartKey": start} if start else {}))
            kept.extend(p for p in map(it.post_from, page) if p.id not in exclude)
            if len(kept) > limit or not start:
                break
        if len(kept) > limit:
            kept = kept[:limit]
            return FeedPage(kept, it.feed_key(kept[-1]))
        return FeedPage(kept, None)

    def pinned(self) -> list[Post]:
        return [
            it.post_from(item)
            for item in self.table.query_all(
                IndexName="GSI4",
                KeyConditionExpression="GSI4PK = :pk",
                ExpressionAttributeValues=to_item({":pk": keys.PINNED}),
            )
        ]

    def mark_enqueue_failed(self, post_id: str) -> None:
        self.table.call(
            "update_item",
            TableName=self.table.name,
            Key=to_item({"PK": keys.post_pk(post_id), "SK": keys.META}),
            UpdateExpression="SET enqueue_failed = :t",
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeValues=to_item({":t": True}),
        )


    def reschedule(self, post_id: str, at: datetime) -> None:
        try:
            self.table.call(
                "update_item",
                TableName=self.table.name,
                Key=to_item({"PK": keys.post_pk(post_id), "SK": keys.META}),
                UpdateExpression="SET GSI5SK = :sk",
                ConditionExpression="attribute_exists(GSI5PK)",
                ExpressionAttributeValues=to_item({":sk": keys.epoch_ms_key(int(at.timestamp() * 1000), post_id)}),
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    def due(self, now: datetime, limit: int) -> list[Post]:
        upper = keys.epoch_ms_key(int(now.timestamp() * 1000), "~")
        found, _ = self.table.query(
            IndexName="GSI5",
            KeyConditionExpression="GSI5PK = :pk AND GSI5SK <= :upper",
            ExpressionAttributeValues=to_item({":pk": keys.DUE, ":upper": upper}),
            Limit=limit,
        )
        return [it.post_from(item) for item in found]


    def count_flag(self, post_id: str) -> int:
        response = self.table.call(
            "update_item",
            TableName=self.table.name,
            Key=to_item({"PK": keys.post_pk(post_id), "SK": keys.META}),
            UpdateExpression="ADD flag_count :one",
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeValues=to_item({":one": 1}),
            ReturnValues="UPDATED_NEW",
        )
        return int(response["Attributes"]["flag_count"]["N"])


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
        self.table.call(
            "delete_item",
            TableName=self.table.name,
            Key=to_item({"PK": keys.notice_pk(post_id), "SK": key}),
            ConditionExpression="#state = :claimed",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues=to_item({":claimed": "claimed"}),
        )


class DynamoStatsRepository:
    """Counters under the STATS partition, one item per scope, added to atomically."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def add(self, scopes: list[str], counters: dict[str, int]) -> None:
        names = {f"#c{i}": name for i, name in enumerate(counters)}
        values = {f":v{i}": value for i, value in enumerate(counters.values())}
        expression = "ADD " + ", ".join(f"#c{i} :v{i}" for i in range(len(counters)))
        for scope in scopes:
            self.table.call(
                "update_item",
                TableName=self.table.name,
                Key=to_item({"PK": keys.STATS, "SK": scope}),
                UpdateExpression=expression,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=to_item(values),
            )

    def all(self) -> dict[str, dict[str, int]]:
        return {
            str(item["SK"]): {k: int(v) for k, v in item.items() if k not in ("PK", "SK")}
            for item in self.table.query_all(
                KeyConditionExpression="PK = :pk", ExpressionAttributeValues=to_item({":pk": keys.STATS})
            )
        }


class DynamoUserRepository:
    """Citizen accounts, found by phone or by id."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def by_phone(self, phone: str) -> User | None:
        item = self.table.get(keys.phone_pk(phone), "USER")
        return it.user_from(item) if item else None

    def get(self, user_id: str) -> User | None:
        item = self.table.get(keys.user_pk(user_id), "PROFILE")
        return it.user_from(item) if item else None

    def create(self, user: User) -> User:
        phone_item, profile_item = it.user_items(user)
        try:
            self.table.transact(
                [
                    _put(self.table, phone_item, "attribute_not_exists(PK)"),
                    _put(self.table, profile_item, "attribute_not_exists(PK)"),
                ]
            )
        except ClientError as error:
            if "ConditionalCheckFailed" in cancellation_codes(error):
                existing = self.by_phone(user.phone)
                if existing is not None:
                    return existing
            raise
        return user

    def set_nickname(self, user_id: str, nickname: str) -> User:
        user = self.get(user_id)
        if user is None:
            raise NotFound("账号不存在")
        renamed = user.model_copy(update={"nickname": nickname})
        self.table.transact([_put(self.table, item) for item in it.user_items(renamed)])
        return renamed


class DynamoOtpRepository:
    """One-time codes, as hashes, expiring by TTL as well as by check."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def put(self, record: OtpRecord) -> None:
        item = {
            "PK": keys.otp_pk(record.phone),
            "SK": "OTP",
            "code_hash": record.code_hash,
            "expires_at": int(record.expires_at.timestamp()),
            "tries": record.tries,
        }
        self.table.call("put_item", TableName=self.table.name, Item=to_item(item))

    def get(self, phone: str) -> OtpRecord | None:
        item = self.table.get(keys.otp_pk(phone), "OTP", consistent=True)
        if item is None:
            return None
        expires = datetime.fromtimestamp(item["expires_at"]).astimezone()
        return OtpRecord(phone, item["code_hash"], expires, int(item.get("tries", 0)))

    def count_try(self, phone: str) -> int:
        try:
            response = self.table.call(
                "update_item",
                TableName=self.table.name,
                Key=to_item({"PK": keys.otp_pk(phone), "SK": "OTP"}),
                UpdateExpression="ADD tries :one",
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeValues=to_item({":one": 1}),
                ReturnValues="UPDATED_NEW",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return 10**6
            raise
        return int(response["Attributes"]["tries"]["N"])

    def delete(self, phone: str) -> None:
        self.table.call("delete_item", TableName=self.table.name, Key=to_item({"PK": keys.otp_pk(phone), "SK": "OTP"}))


class DynamoIdempotencyStore:
    """Results of requests with an Idempotency-Key (written with the post they created)."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, scope: str) -> IdempotencyRecord | None:
        item = self.table.get(keys.idempotency_pk(*scope.split("#", 1)), "IDEM", consistent=True)
        if item is None or item.get("expires_at", 0) < datetime.now().timestamp():
            return None
        return IdempotencyRecord(item["request_hash"], item["result_id"])


class DynamoDirectoryRepository:
    """Units, officers and routing rules under the DIR partition."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def units(self) -> list[Unit]:
        return [
            it.unit_from(item)
            for item in self.table.query_all(
                KeyConditionExpression="PK = :pk AND begins_with(SK, :unit)",
                ExpressionAttributeValues=to_item({":pk": keys.DIR, ":unit": "UNIT#"}),
            )
        ]

    def unit(self, unit_id: str) -> Unit | None:
        item = self.table.get(keys.DIR, keys.unit_sk(unit_id))
        return it.unit_from(item) if item else None

    def put_unit(self, unit: Unit) -> None:
        self.table.call("put_item", TableName=self.table.name, Item=to_item(it.unit_item(unit)))

    def officer(self, officer_id: str) -> Officer | None:
        item = self.table.get(keys.DIR, keys.officer_sk(officer_id))
        return it.officer_from(item) if item else None

    def officers(self) -> list[Officer]:
        return [
            it.officer_from(item)
            for item in self.table.query_all(
                KeyConditionExpression="PK = :pk AND begins_with(SK, :officer)",
                ExpressionAttributeValues=to_item({":pk": keys.DIR, ":officer": "OFFICER#"}),
            )
        ]

    def officer_by_phone(self, phone: str) -> Officer | None:
        found, _ = self.table.query(
            IndexName="GSI1",
            KeyConditionExpression="GSI1PK = :pk",
            ExpressionAttributeValues=to_item({":pk": keys.officer_phone_pk(phone)}),
        )
        return it.officer_from(found[0]) if found else None

    def officers_of(self, unit_id: str) -> list[Officer]:
        return [
            it.officer_from(item)
            for item in self.table.query_all(
                IndexName="GSI2",
                KeyConditionExpression="GSI2PK = :pk",
                ExpressionAttributeValues=to_item({":pk": keys.unit_officers_pk(unit_id)}),
            )
        ]

    def put_officer(self, officer: Officer) -> None:
        self.table.call("put_item", TableName=self.table.name, Item=to_item(it.officer_item(officer)))

    def subscriptions(self, officer_id: str) -> list[str]:
        item = self.table.get(keys.DIR, keys.subscriptions_sk(officer_id))
        return list(item.get("arns", [])) if item else []

    def set_subscriptions(self, officer_id: str, ids: list[str]) -> None:
        item = {"PK": keys.DIR, "SK": keys.subscriptions_sk(officer_id), "arns": ids}
        self.table.call("put_item", TableName=self.table.name, Item=to_item(item))

    def routing(self) -> Routing:
        item = self.table.get(keys.DIR, keys.ROUTING)
        return Routing.model_validate(item["routing"]) if item else Routing()

    def put_routing(self, routing: Routing) -> None:
        item = {"PK": keys.DIR, "SK": keys.ROUTING, "routing": routing.model_dump(mode="json")}
        self.table.call("put_item", TableName=self.table.name, Item=to_item(item))


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
                Item=to_item({"PK": f"RATE#{key}", "SK": "RATE", "at": Decimal(str(stamp)),
                              "expires_at": int(stamp) + seconds + 60}),
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


class DynamoAuditLog:
    """The audit trail, one partition per month, newest first."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def record(self, entry: AuditEntry) -> None:
        month = entry.at.strftime("%Y-%m")
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
                id=i["id"], at=datetime.fromisoformat(i["at"]), actor=i["actor"], role=i["role"],
                action=i["action"], target=i["target"], before=json.loads(i["before"]), after=json.loads(i["after"]),
            )
            for i in found
        ]
        return entries, (str(from_item(last)["SK"]) if last else None)
