"""Citizen accounts, one-time codes and idempotency records."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb import items as it
from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.batch import put_items
from chalicelib.adapters.dynamodb.table import Table, cancellation_codes, from_item, put_request, to_item
from chalicelib.domain.errors import NotFound
from chalicelib.domain.people import User
from chalicelib.services.ports import Clock, IdempotencyRecord, OtpRecord, ReplyLink


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
                    put_request(self.table, phone_item, "attribute_not_exists(PK)"),
                    put_request(self.table, profile_item, "attribute_not_exists(PK)"),
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
        self.table.transact([put_request(self.table, item) for item in it.user_items(renamed)])
        return renamed

    def verify(self, user_id: str) -> User:
        user = self.get(user_id)
        if user is None:
            raise NotFound("账号不存在")
        update = {
            "TableName": self.table.name,
            "UpdateExpression": "SET verified = :yes",
            "ConditionExpression": "attribute_exists(PK)",
            "ExpressionAttributeValues": to_item({":yes": True}),
        }
        self.table.transact(
            [
                {"Update": {**update, "Key": to_item({"PK": keys.phone_pk(user.phone), "SK": "USER"})}},
                {"Update": {**update, "Key": to_item({"PK": keys.user_pk(user.id), "SK": "PROFILE"})}},
            ]
        )
        return user.model_copy(update={"verified": True})


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
        return self._record(phone, item) if item is not None else None

    @staticmethod
    def _record(phone: str, item: dict[str, Any]) -> OtpRecord:
        expires = datetime.fromtimestamp(int(item["expires_at"])).astimezone()
        return OtpRecord(phone, str(item["code_hash"]), expires, int(item.get("tries", 0)))

    def take_try(self, phone: str, limit: int) -> OtpRecord | None:
        try:
            response = self.table.call(
                "update_item",
                TableName=self.table.name,
                Key=to_item({"PK": keys.otp_pk(phone), "SK": "OTP"}),
                UpdateExpression="ADD tries :one",
                ConditionExpression="attribute_exists(PK) AND (attribute_not_exists(tries) OR tries < :limit)",
                ExpressionAttributeValues=to_item({":one": 1, ":limit": limit}),
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None
            raise
        return self._record(phone, from_item(response["Attributes"]))

    def consume(self, phone: str, code_hash: str) -> bool:
        try:
            self.table.call(
                "delete_item",
                TableName=self.table.name,
                Key=to_item({"PK": keys.otp_pk(phone), "SK": "OTP"}),
                ConditionExpression="code_hash = :hash",
                ExpressionAttributeValues=to_item({":hash": code_hash}),
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def delete(self, phone: str) -> None:
        self.table.call("delete_item", TableName=self.table.name, Key=to_item({"PK": keys.otp_pk(phone), "SK": "OTP"}))


class DynamoIdempotencyStore:
    """Results of requests with an Idempotency-Key (written with the post they created)."""

    def __init__(self, table: Table, clock: Clock) -> None:
        self.table, self.clock = table, clock

    def get(self, scope: str) -> IdempotencyRecord | None:
        item = self.table.get(keys.idempotency_pk(*scope.split("#", 1)), "IDEM", consistent=True)
        if item is None or item.get("expires_at", 0) < self.clock.now().timestamp():
            return None
        return IdempotencyRecord(item["request_hash"], item["result_id"])


def _link_item(code_hash: str, link: ReplyLink) -> dict[str, Any]:
    return {
        "PK": keys.link_pk(code_hash),
        "SK": "LINK",
        "officer_id": link.officer_id,
        "post_id": link.post_id,
        "expires_at": int(link.expires_at.timestamp()),
        "sessions": link.sessions,
    }


class DynamoLinkStore:
    """Reply links under LINK#<sha256 of the code>, expiring by TTL as well as by check."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def put(self, code_hash: str, link: ReplyLink) -> None:
        self.table.call("put_item", TableName=self.table.name, Item=to_item(_link_item(code_hash, link)))

    def put_many(self, links: Mapping[str, ReplyLink]) -> None:
        put_items(self.table, [_link_item(code_hash, link) for code_hash, link in links.items()])

    def get(self, code_hash: str) -> ReplyLink | None:
        item = self.table.get(keys.link_pk(code_hash), "LINK")
        if item is None:
            return None
        expires = datetime.fromtimestamp(int(item["expires_at"]), UTC)
        return ReplyLink(str(item["officer_id"]), str(item["post_id"]), expires, str(item.get("sessions", "")))
