"""A thin wrapper of the low-level DynamoDB client: typed items and domain errors."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.adapters.aws import client
from chalicelib.domain.errors import Unavailable

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
_TRANSIENT = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
}
# Reasons a transaction was cancelled that say "busy, try again" rather than "refused".
_BUSY_REASONS = {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"}


def to_item(data: dict[str, Any]) -> dict[str, Any]:
    """Serialize a plain dict into DynamoDB's typed form, dropping None values."""
    return {k: _serializer.serialize(v) for k, v in data.items() if v is not None}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    """Deserialize a typed item into plain Python (numbers as int where whole)."""
    out: dict[str, Any] = {}
    for key, value in item.items():
        plain = _deserializer.deserialize(value)
        out[key] = _plain(plain)
    return out


def _plain(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def cancellation_codes(error: ClientError) -> list[str]:
    """Return the per-item reasons of a cancelled transaction."""
    reasons = error.response.get("CancellationReasons") or []
    codes = [r.get("Code", "None") for r in reasons]
    if not codes:
        # moto and older APIs put the reasons only in the message: "[None, ConditionalCheckFailed]".
        message = error.response.get("Error", {}).get("Message", "")
        if "[" in message:
            codes = [c.strip() for c in message[message.index("[") + 1 : message.rindex("]")].split(",")]
    return codes


class Table:
    """One DynamoDB table, spoken to with plain dicts."""

    def __init__(self, name: str, region: str) -> None:
        self.name, self.region = name, region

    @property
    def client(self) -> Any:
        return client("dynamodb", self.region)

    def call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        """Call an operation; throttling and server faults that outlast retries become Unavailable."""
        try:
            response: dict[str, Any] = getattr(self.client, operation)(**kwargs)
            return response
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in _TRANSIENT:
                raise Unavailable("服务繁忙，请稍后重试", retry_after=1) from error
            raise
        except BotoCoreError as error:
            raise Unavailable("服务暂时不可用，请稍后重试", retry_after=1) from error

    def get(self, pk: str, sk: str, consistent: bool = False) -> dict[str, Any] | None:
        """Return one item, or None."""
        response = self.call(
            "get_item", TableName=self.name, Key=to_item({"PK": pk, "SK": sk}), ConsistentRead=consistent
        )
        item = response.get("Item")
        return from_item(item) if item else None

    def query(self, **kwargs: Any) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """Run one Query call; return its items and LastEvaluatedKey (typed)."""
        response = self.call("query", TableName=self.name, **kwargs)
        return [from_item(i) for i in response.get("Items", [])], response.get("LastEvaluatedKey")

    def query_all(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """Yield every item a Query matches, page after page."""
        start: dict[str, Any] | None = None
        while True:
            extra = {"ExclusiveStartKey": start} if start else {}
            items, start = self.query(**kwargs, **extra)
            yield from items
            if not start:
                return

    def transact(self, items: list[dict[str, Any]], attempts: int = 5) -> None:
        """Write a transaction, retrying conflicts with other transactions; Unavailable when they persist.

        Each attempt carries a client token, so DynamoDB applies it once however often botocore resends it
        after a lost answer; an emulator that ignores the token refuses the resend by its conditions, and
        the repositories tell their own landed write from another's (`resent`).
        """
        for attempt in range(attempts):
            try:
                self.call("transact_write_items", TransactItems=items, ClientRequestToken=uuid.uuid4().hex)
                return
            except ClientError as error:
                codes = cancellation_codes(error)
                if "TransactionConflict" in codes and attempt < attempts - 1:
                    time.sleep(0.02 * (2**attempt))
                    continue
                if _BUSY_REASONS.intersection(codes) and "ConditionalCheckFailed" not in codes:
                    raise Unavailable("服务繁忙，请稍后重试", retry_after=1) from error
                raise


def resent(error: ClientError) -> bool:
    """Tell whether botocore sent the failed call more than once: an earlier attempt may have been applied."""
    return int(error.response.get("ResponseMetadata", {}).get("RetryAttempts") or 0) > 0


def condition_failed(error: ClientError) -> bool:
    """Tell whether a single-item write was refused by its condition."""
    return bool(error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException")


def put_request(table: Table, item: dict[str, Any], condition: str | None = None) -> dict[str, Any]:
    """Return a Put of a transaction, with an optional condition."""
    put: dict[str, Any] = {"TableName": table.name, "Item": to_item(item)}
    if condition:
        put["ConditionExpression"] = condition
    return {"Put": put}
