"""WeChat bindings, each account's channels, and single-use vouchers (WeChat sign-in state and tickets)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.batch import get_items
from chalicelib.adapters.dynamodb.table import Table, cancellation_codes, condition_failed, from_item, to_item
from chalicelib.domain.errors import Conflict
from chalicelib.domain.messages import CHANNELS
from chalicelib.services.ports import Binding, Contact

_TAKEN = "该微信已绑定其他账号，请先在原账号中解除绑定"


def _contact(account_id: str, item: dict[str, Any] | None) -> Contact:
    """Return the contact an item holds (no openid and every channel when there is none)."""
    if item is None:
        return Contact(account_id)
    notify = tuple(str(c) for c in item.get("notify") or () if c in CHANNELS) or CHANNELS
    return Contact(account_id, item.get("openid") or None, notify, str(item.get("stamp", "")))


class DynamoContactBook:
    """An account's contact under CONTACT#<account>; the openid's binding under WECHAT#<openid>, written together."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def contact(self, account_id: str) -> Contact:
        item = self.table.get(keys.contact_pk(account_id), "CONTACT", consistent=True)
        return _contact(account_id, item)

    def contacts(self, account_ids: Sequence[str]) -> dict[str, Contact]:
        wanted = [(keys.contact_pk(account_id), "CONTACT") for account_id in account_ids]
        found = {str(item["PK"]): item for item in get_items(self.table, wanted, consistent=True)}
        return {account_id: _contact(account_id, found.get(keys.contact_pk(account_id))) for account_id in account_ids}

    def account_of(self, openid: str) -> Binding | None:
        item = self.table.get(keys.wechat_pk(openid), "BIND", consistent=True)
        return Binding(str(item["account_id"]), str(item.get("stamp", ""))) if item else None

    def bind(self, account_id: str, openid: str, now: datetime, stamp: str = "") -> None:
        """Bind in one transaction: the openid's entry (free, or already this account's), the account's contact
        (still holding the openid read here), and the release of the account's previous openid."""
        old = self.contact(account_id).openid
        items: list[dict[str, Any]] = [
            self._put_binding(account_id, openid, now, stamp),
            self._update_contact(
                account_id, old, "SET openid = :new, stamp = :stamp", {":new": openid, ":stamp": stamp}
            ),
        ]
        if old and old != openid:
            items.append(self._delete_binding(account_id, old))
        self._write(items)

    def unbind(self, account_id: str) -> None:
        old = self.contact(account_id).openid
        if not old:
            return
        self._write(
            [self._update_contact(account_id, old, "REMOVE openid, stamp", {}), self._delete_binding(account_id, old)]
        )

    def set_notify(self, account_id: str, channels: tuple[str, ...]) -> None:
        self.table.call(
            "update_item",
            TableName=self.table.name,
            Key=to_item({"PK": keys.contact_pk(account_id), "SK": "CONTACT"}),
            UpdateExpression="SET notify = :notify",
            ExpressionAttributeValues=to_item({":notify": list(channels)}),
        )

    def _write(self, items: list[dict[str, Any]]) -> None:
        try:
            self.table.transact(items)
        except ClientError as error:
            codes = cancellation_codes(error)
            if codes and codes[0] == "ConditionalCheckFailed":
                raise Conflict(_TAKEN) from error
            if "ConditionalCheckFailed" in codes:
                raise Conflict("绑定信息刚刚发生变化，请重试") from error
            raise

    def _put_binding(self, account_id: str, openid: str, now: datetime, stamp: str) -> dict[str, Any]:
        item = {
            "PK": keys.wechat_pk(openid),
            "SK": "BIND",
            "account_id": account_id,
            "stamp": stamp,
            "bound_at": now.isoformat(),
        }
        return {
            "Put": {
                "TableName": self.table.name,
                "Item": to_item(item),
                "ConditionExpression": "attribute_not_exists(PK) OR account_id = :account",
                "ExpressionAttributeValues": to_item({":account": account_id}),
            }
        }

    def _update_contact(
        self, account_id: str, old: str | None, expression: str, values: dict[str, Any]
    ) -> dict[str, Any]:
        condition = "openid = :old" if old else "attribute_not_exists(openid)"
        values = {**values, ":old": old} if old else values
        update: dict[str, Any] = {
            "TableName": self.table.name,
            "Key": to_item({"PK": keys.contact_pk(account_id), "SK": "CONTACT"}),
            "UpdateExpression": expression,
            "ConditionExpression": condition,
        }
        if values:
            update["ExpressionAttributeValues"] = to_item(values)
        return {"Update": update}

    def _delete_binding(self, account_id: str, openid: str) -> dict[str, Any]:
        return {
            "Delete": {
                "TableName": self.table.name,
                "Key": to_item({"PK": keys.wechat_pk(openid), "SK": "BIND"}),
                "ConditionExpression": "attribute_not_exists(PK) OR account_id = :account",
                "ExpressionAttributeValues": to_item({":account": account_id}),
            }
        }


class DynamoVouchers:
    """Vouchers under VOUCHER#<kind>#<hash>; taking one is a conditional delete, so only one caller gets it."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def put(self, kind: str, digest: str, data: dict[str, str], expires_at: datetime) -> None:
        item = {
            "PK": keys.voucher_pk(kind, digest),
            "SK": "VOUCHER",
            "data": data,
            "expires_at": int(expires_at.timestamp()),
        }
        self.table.call("put_item", TableName=self.table.name, Item=to_item(item))

    def take(self, kind: str, digest: str, now: datetime) -> dict[str, str] | None:
        try:
            response = self.table.call(
                "delete_item",
                TableName=self.table.name,
                Key=to_item({"PK": keys.voucher_pk(kind, digest), "SK": "VOUCHER"}),
                ConditionExpression="attribute_exists(PK) AND expires_at > :now",
                ExpressionAttributeValues=to_item({":now": int(now.timestamp())}),
                ReturnValues="ALL_OLD",
            )
        except ClientError as error:
            if condition_failed(error):
                return None
            raise
        data = from_item(response.get("Attributes") or {}).get("data") or {}
        return {str(k): str(v) for k, v in data.items()}
