"""Photo uploads (pattern 39): who uploads what, how processing went, and which post or reply uses it."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.table import Table, condition_failed, to_item
from chalicelib.domain.photos import UPLOAD_KEPT_SECONDS, Upload

SK = "UPLOAD"


def claim_request(table: Table, upload: Upload, used_by: str) -> dict[str, Any]:
    """Return the transaction's Update that marks an upload used: only its owner's, in the state read, unused."""
    return {
        "Update": {
            "TableName": table.name,
            "Key": to_item({"PK": keys.upload_pk(upload.id), "SK": SK}),
            "UpdateExpression": "SET used_by = :by REMOVE expires_at",
            "ConditionExpression": "owner_id = :owner AND #state = :state AND attribute_not_exists(used_by)",
            "ExpressionAttributeNames": {"#state": "state"},
            "ExpressionAttributeValues": to_item({":by": used_by, ":owner": upload.owner_id, ":state": upload.state}),
        }
    }


class DynamoUploadBook:
    """One item per upload, forgotten by TTL a day on unless a post or reply uses it."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def put(self, upload: Upload) -> None:
        item = {
            **upload.model_dump(mode="json"),
            "PK": keys.upload_pk(upload.id),
            "SK": SK,
            "item_type": "upload",
            "expires_at": int(upload.created_at.timestamp()) + UPLOAD_KEPT_SECONDS,
        }
        self.table.call(
            "put_item", TableName=self.table.name, Item=to_item(item), ConditionExpression="attribute_not_exists(PK)"
        )

    def get(self, upload_id: str, consistent: bool = True) -> Upload | None:
        item = self.table.get(keys.upload_pk(upload_id), SK, consistent=consistent)
        if item is None or item.get("item_type") != "upload":
            return None
        return Upload.model_validate({k: v for k, v in item.items() if k in Upload.model_fields})

    def settle(self, upload_id: str, state: str, width: int = 0, height: int = 0) -> bool:
        """Record how processing went, once: False if the upload is unknown or was settled before."""
        try:
            self.table.call(
                "update_item",
                TableName=self.table.name,
                Key=to_item({"PK": keys.upload_pk(upload_id), "SK": SK}),
                UpdateExpression="SET #state = :state, width = :w, height = :h",
                ConditionExpression="attribute_exists(PK) AND #state = :pending",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues=to_item({":state": state, ":w": width, ":h": height, ":pending": "pending"}),
            )
        except ClientError as error:
            if condition_failed(error):
                return False
            raise
        return True
