"""Posts, replies and timelines in the one table (access patterns 1-7 in keys.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb import items as it
from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.batch import posts_by_id
from chalicelib.adapters.dynamodb.effects import stats_updates
from chalicelib.adapters.dynamodb.feeds import FeedQueries, copy_writes
from chalicelib.adapters.dynamodb.table import (
    Table,
    cancellation_codes,
    condition_failed,
    put_request,
    resent,
    to_item,
)
from chalicelib.adapters.dynamodb.uploads import claim_request
from chalicelib.adapters.dynamodb.work import WorkQueries, reply_counts
from chalicelib.domain.errors import Conflict, NotFound, StaleVersion, ValidationFailed
from chalicelib.domain.photos import Photo, Upload
from chalicelib.domain.posts import Event, Post, Reply, epoch_ms
from chalicelib.services.ports import Count, FeedPage, Idempotency, PostDetail

IDEMPOTENCY_TTL = 24 * 3600
MERGES = 5  # attempts of an update whose copy missed replies counted since it was read
# Fields the update path never overwrites: counters kept by atomic ADDs.
_COUNTED = frozenset(
    {
        "reply_count",
        "first_official_reply_at",
        "latest_official_reply",
        "latest_official_reply_at",
        "latest_followup_at",
        "flag_count",
    }
)


def _refuse_taken_photos(codes: list[str], first_claim: int, error: ClientError) -> None:
    """A claim refused in the transaction: the photo is someone else's or was used already (400, nothing written)."""
    if "ConditionalCheckFailed" in codes[first_claim:]:
        raise ValidationFailed("照片已被使用或不属于您，请重新添加", {"photos": "used already or not yours"}) from error


def require_bump(post: Post, expected_version: int) -> None:
    """Refuse a write that does not bump the version: a writer holding an older copy could overwrite it."""
    if post.version != expected_version + 1:
        raise ValueError(f"post {post.id} is written as version {post.version}, not {expected_version + 1}")


class DynamoPostRepository(WorkQueries, FeedQueries):
    """Posts, replies and timelines in the one table."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self._pins_seen: dict[str, int] = {}

    def add(
        self, post: Post, event: Event, idempotency: Idempotency | None = None, claims: Sequence[Upload] = ()
    ) -> None:
        writes = [
            put_request(self.table, it.post_item(post), "attribute_not_exists(PK)"),
            put_request(self.table, it.event_item(post.id, event)),
        ]
        if idempotency is not None:
            writes.append(
                put_request(
                    self.table, self._idempotency_item(idempotency, post.created_at), "attribute_not_exists(PK)"
                )
            )
        first_claim = len(writes)
        writes += [claim_request(self.table, upload, post.id) for upload in claims]
        try:
            self.table.transact(writes)
        except ClientError as error:
            if resent(error) and self.get(post.id) is not None:
                return  # an earlier attempt landed; only its answer was lost
            codes = cancellation_codes(error)
            if "ConditionalCheckFailed" in codes[:first_claim]:
                raise Conflict("重复的请求") from error  # a replay's own record first: it answers with the post
            _refuse_taken_photos(codes, first_claim, error)
            raise

    def get(self, post_id: str) -> Post | None:
        item = self.table.get(keys.post_pk(post_id), keys.META)
        return it.post_from(item) if item else None

    def current(self, ids: Sequence[str]) -> list[Post]:
        return posts_by_id(self.table, ids, consistent=True)

    def detail(self, post_id: str, consistent: bool = False) -> PostDetail | None:
        post: Post | None = None
        replies: list[Reply] = []
        events: list[Event] = []
        for item in self.table.query_all(
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues=to_item({":pk": keys.post_pk(post_id)}),
            **({"ConsistentRead": True} if consistent else {}),
        ):
            kind = item.get("item_type")
            if kind == "post":
                post = it.post_from(item)
            elif kind == "reply":
                replies.append(it.reply_from(item))
            elif kind == "event":
                events.append(it.event_from(item))
        return PostDetail(post, replies, events) if post else None

    def update(
        self,
        post: Post,
        expected_version: int,
        events: Sequence[Event] = (),
        before: Post | None = None,
        count: Count | None = None,
    ) -> None:
        require_bump(post, expected_version)
        counted = [] if count is None else stats_updates(count.scopes, count.counters, count.day)
        for _ in range(MERGES):
            try:
                writes = self._update_writes(post, expected_version, events, before)
                self.table.transact(writes + [{"Update": {"TableName": self.table.name, **u}} for u in counted])
                return
            except ClientError as error:
                if resent(error) and self._landed(post):
                    return
                if "ConditionalCheckFailed" not in cancellation_codes(error):
                    raise
                post = self._merged(post, expected_version, error)
        raise StaleVersion("帖子正在被频繁更新，请重试")

    def _merged(self, post: Post, expected_version: int, error: ClientError) -> Post:
        """Return the copy with the counters a reply changed since it was read (they place it in the work queue);
        StaleVersion if another writer saved the post meanwhile."""
        stored = self.table.get(keys.post_pk(post.id), keys.META, consistent=True)
        if stored is None or stored.get("version") != expected_version:
            raise StaleVersion("帖子已被他人更新，请刷新后重试") from error
        current = it.post_from(stored)
        return post.model_copy(update={name: getattr(current, name) for name in _COUNTED})

    def _update_writes(
        self, post: Post, expected_version: int, events: Sequence[Event], before: Post | None
    ) -> list[dict[str, Any]]:
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
        names["#version"], names["#replies"] = "version", "reply_count"
        values[":replies"] = post.reply_count  # a reply since the read moves the work queue's bucket: merge it
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        writes: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self.table.name,
                    "Key": to_item({"PK": keys.post_pk(post.id), "SK": keys.META}),
                    "UpdateExpression": expression,
                    "ConditionExpression": "attribute_exists(PK) AND #version = :expected AND #replies = :replies",
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": to_item(values),
                }
            }
        ]
        writes += copy_writes(self.table, post, before)
        return writes + [put_request(self.table, it.event_item(post.id, event)) for event in events]

    def _landed(self, post: Post) -> bool:
        """Tell whether the stored post is this very write (same version and update time)."""
        item = self.table.get(keys.post_pk(post.id), keys.META, consistent=True)
        return (
            item is not None
            and item.get("version") == post.version
            and item.get("updated_at") == (it.post_item(post).get("updated_at"))
        )

    def add_reply(
        self,
        reply: Reply,
        event: Event | None = None,
        idempotency: Idempotency | None = None,
        post: Post | None = None,
        claims: Sequence[Upload] = (),
    ) -> None:
        post_id = reply.post_id
        writes = [
            put_request(self.table, it.reply_item(reply), "attribute_not_exists(PK)"),
            {
                "Update": {
                    "TableName": self.table.name,
                    "Key": to_item({"PK": keys.post_pk(post_id), "SK": keys.META}),
                    **reply_counts(reply, post),
                }
            },
        ]
        writes += self._reply_copies(reply, post, writes[1]["Update"])
        if event is not None:
            writes.append(put_request(self.table, it.event_item(post_id, event)))
        if idempotency is not None:
            writes.append(
                put_request(
                    self.table, self._idempotency_item(idempotency, reply.created_at), "attribute_not_exists(PK)"
                )
            )
        first_claim = len(writes)
        writes += [claim_request(self.table, upload, f"{post_id}/{reply.id}") for upload in claims]
        try:
            self.table.transact(writes)
        except ClientError as error:
            if resent(error) and self.reply(post_id, epoch_ms(reply.created_at), reply.id) is not None:
                return  # an earlier attempt landed; only its answer was lost
            codes = cancellation_codes(error)
            if len(codes) > 1 and codes[1] == "ConditionalCheckFailed":
                if post is not None and self.get(post_id) is not None:
                    raise StaleVersion("帖子已被他人更新") from error  # PostStore.add_reply reads it again
                raise NotFound("帖子不存在") from error
            if "ConditionalCheckFailed" in codes[:first_claim]:
                raise Conflict("重复的请求") from error
            _refuse_taken_photos(codes, first_claim, error)
            raise

    def _reply_copies(self, reply: Reply, post: Post | None, update: dict[str, Any]) -> list[dict[str, Any]]:
        """Return the writes that carry a reply's count to the copies of a globally pinned post's card, on the
        condition that the post still has the replies it was read with (a reply meanwhile: StaleVersion, read
        again). A post not read (None) is no pinned post's: the forum always reads the post it replies to."""
        if post is None or not it.copied_anywhere(post):
            return []
        changes: dict[str, Any] = {"reply_count": post.reply_count + 1, "updated_at": reply.created_at}
        if reply.official is not None and post.first_official_reply_at is None:
            changes["first_official_reply_at"] = reply.created_at
        update["ConditionExpression"] += " AND reply_count = :replies"
        update["ExpressionAttributeValues"].update(to_item({":replies": post.reply_count}))
        return copy_writes(self.table, post.model_copy(update=changes), post)

    def set_reply_photos(self, reply: Reply, photos: tuple[Photo, ...]) -> None:
        self.table.call(
            "update_item",
            TableName=self.table.name,
            Key=to_item({"PK": keys.post_pk(reply.post_id), "SK": keys.reply_sk(epoch_ms(reply.created_at), reply.id)}),
            UpdateExpression="SET photos = :photos",
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeValues=to_item({":photos": [photo.model_dump(mode="json") for photo in photos]}),
        )

    def reply(self, post_id: str, created_ms: int, reply_id: str) -> Reply | None:
        item = self.table.get(keys.post_pk(post_id), keys.reply_sk(created_ms, reply_id))
        return it.reply_from(item) if item and item.get("item_type") == "reply" else None

    def _idempotency_item(self, idempotency: Idempotency, at: datetime) -> dict[str, Any]:
        scope, record = idempotency
        return {
            "PK": keys.idempotency_pk(*scope.split("#", 1)),
            "SK": "IDEM",
            "request_hash": record.request_hash,
            "result_id": record.result_id,
            "expires_at": int(at.timestamp()) + IDEMPOTENCY_TTL,
        }

    def reschedule(self, post: Post, at: datetime) -> None:
        sort = keys.epoch_ms_key(int(at.timestamp() * 1000), post.id)
        if not it.copied_anywhere(post):
            self._versioned_set(post.id, post.version, "GSI5SK = :sk", {":sk": sort}, "attribute_exists(GSI5PK)")
            return
        # A globally pinned post: its copies carry the version, so they are written with it, as a transaction.
        update = {
            "TableName": self.table.name,
            "Key": to_item({"PK": keys.post_pk(post.id), "SK": keys.META}),
            "UpdateExpression": "SET GSI5SK = :sk, #version = :next",
            "ConditionExpression": "#version = :expected AND reply_count = :replies AND attribute_exists(GSI5PK)",
            "ExpressionAttributeNames": {"#version": "version"},
            "ExpressionAttributeValues": to_item(
                {":sk": sort, ":next": post.version + 1, ":expected": post.version, ":replies": post.reply_count}
            ),
        }
        stored = post.model_copy(update={"version": post.version + 1})
        try:
            self.table.transact([{"Update": update}, *copy_writes(self.table, stored, post)])
        except ClientError as error:
            if "ConditionalCheckFailed" not in cancellation_codes(error):
                raise
            current = self.get(post.id)
            if current is None or (current.version, current.reply_count) != (post.version, post.reply_count):
                raise StaleVersion("帖子已被他人更新，请刷新后重试") from error

    def _versioned_set(
        self, post_id: str, expected: int, assignment: str, values: dict[str, Any], also: str | None = None
    ) -> None:
        """SET one attribute and bump the version if it is still `expected`; a post off the index stays so."""
        try:
            self.table.call(
                "update_item",
                TableName=self.table.name,
                Key=to_item({"PK": keys.post_pk(post_id), "SK": keys.META}),
                UpdateExpression=f"SET {assignment}, #version = :next",
                ConditionExpression="#version = :expected" + (f" AND {also}" if also else ""),
                ExpressionAttributeNames={"#version": "version"},
                ExpressionAttributeValues=to_item({**values, ":expected": expected, ":next": expected + 1}),
            )
        except ClientError as error:
            if not condition_failed(error):
                raise
            current = self.get(post_id)
            if current is None or current.version != expected:
                raise StaleVersion("帖子已被他人更新，请刷新后重试") from error

    def due(self, now: datetime, limit: int, after: str | None = None) -> FeedPage:
        upper = keys.epoch_ms_key(int(now.timestamp() * 1000), "~")
        kwargs: dict[str, Any] = {}
        if after is not None:  # a position in the index: the post there may have moved since, the position stays
            post_id = it.post_id_of_feed_key(after)
            start = {"GSI5PK": keys.DUE, "GSI5SK": after, "PK": keys.post_pk(post_id), "SK": keys.META}
            kwargs["ExclusiveStartKey"] = to_item(start)
        found, last = self.table.query(
            IndexName="GSI5",
            KeyConditionExpression="GSI5PK = :pk AND GSI5SK <= :upper",
            ExpressionAttributeValues=to_item({":pk": keys.DUE, ":upper": upper}),
            Limit=limit,
            **kwargs,
        )
        return FeedPage([it.post_from(item) for item in found], str(found[-1]["GSI5SK"]) if last and found else None)

    def count_flag(self, post_id: str) -> int:
        try:
            response = self.table.call(
                "update_item",
                TableName=self.table.name,
                Key=to_item({"PK": keys.post_pk(post_id), "SK": keys.META}),
                UpdateExpression="ADD flag_count :one",
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeValues=to_item({":one": 1}),
                ReturnValues="UPDATED_NEW",
            )
        except ClientError as error:
            if condition_failed(error):
                raise NotFound("帖子不存在") from error
            raise
        return int(response["Attributes"]["flag_count"]["N"])
