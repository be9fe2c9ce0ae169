"""Officers' TOTP enrolments under TOTP#<officer> (the secret sealed by services.mfa before it gets here)."""

from __future__ import annotations

from datetime import datetime

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.table import Table, to_item
from chalicelib.services.mfa import TotpRecord

_SK = "TOTP"


class DynamoTotpStore:
    """One item per officer: the sealed secret, confirmed or pending, and when the enrolment began."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, officer_id: str) -> TotpRecord | None:
        item = self.table.get(keys.totp_pk(officer_id), _SK, consistent=True)
        if item is None:
            return None
        created = datetime.fromisoformat(str(item["created_at"]))
        return TotpRecord(officer_id, str(item["sealed"]), bool(item.get("confirmed")), created)

    def put(self, record: TotpRecord) -> None:
        item = {
            "PK": keys.totp_pk(record.officer_id),
            "SK": _SK,
            "item_type": "totp",
            "sealed": record.sealed,
            "confirmed": record.confirmed,
            "created_at": record.created_at.isoformat(),
        }
        self.table.call("put_item", TableName=self.table.name, Item=to_item(item))

    def delete(self, officer_id: str) -> bool:
        key = to_item({"PK": keys.totp_pk(officer_id), "SK": _SK})
        found = self.table.call("delete_item", TableName=self.table.name, Key=key, ReturnValues="ALL_OLD")
        return bool(found.get("Attributes"))
