"""Units, officers, their subscriptions and the routing rules, under the DIR partition."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamodb import items as it
from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.table import Table, to_item
from chalicelib.domain.people import Officer, Routing, Unit


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

    def officer(self, officer_id: str, consistent: bool = False) -> Officer | None:
        item = self.table.get(keys.DIR, keys.officer_sk(officer_id), consistent=consistent)
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

    def unit_with_officers(self, unit_id: str) -> tuple[Unit | None, list[Officer]]:
        """One Query: the unit's item sits in its officers' partition of GSI2 (a unit stored before it did is
        read by its key)."""
        found = self._unit_officers(unit_id)
        units = [it.unit_from(item) for item in found if item.get("item_type") == "unit"]
        officers = [it.officer_from(item) for item in found if item.get("item_type") != "unit"]
        return (units[0] if units else self.unit(unit_id)), officers

    def officers_of(self, unit_id: str) -> list[Officer]:
        return [it.officer_from(item) for item in self._unit_officers(unit_id) if item.get("item_type") != "unit"]

    def _unit_officers(self, unit_id: str) -> list[dict[str, Any]]:
        return list(
            self.table.query_all(
                IndexName="GSI2",
                KeyConditionExpression="GSI2PK = :pk",
                ExpressionAttributeValues=to_item({":pk": keys.unit_officers_pk(unit_id)}),
            )
        )

    def put_officer(self, officer: Officer) -> None:
        item = {**it.officer_item(officer), "sessions": officer.sessions}  # the stamp stays out of model dumps
        self.table.call("put_item", TableName=self.table.name, Item=to_item(item))

    def remove_officer(self, officer_id: str) -> None:
        for sk in (keys.officer_sk(officer_id), keys.subscriptions_sk(officer_id)):
            self.table.call("delete_item", TableName=self.table.name, Key=to_item({"PK": keys.DIR, "SK": sk}))

    def subscriptions(self, officer_id: str) -> list[str]:
        item = self.table.get(keys.DIR, keys.subscriptions_sk(officer_id))
        return list(item.get("arns", [])) if item else []

    def set_subscriptions(self, officer_id: str, ids: list[str]) -> None:
        item = {"PK": keys.DIR, "SK": keys.subscriptions_sk(officer_id), "arns": ids}
        self.table.call("put_item", TableName=self.table.name, Item=to_item(item))

    def templates(self) -> list[tuple[str, str]] | None:
        item = self.table.get(keys.DIR, keys.TEMPLATES)
        return [(str(t["id"]), str(t["text"])) for t in item["templates"]] if item else None

    def put_templates(self, templates: list[tuple[str, str]]) -> None:
        item = {"PK": keys.DIR, "SK": keys.TEMPLATES, "templates": [{"id": i, "text": t} for i, t in templates]}
        self.table.call("put_item", TableName=self.table.name, Item=to_item(item))

    def routing(self) -> Routing:
        item = self.table.get(keys.DIR, keys.ROUTING)
        return Routing.model_validate(item["routing"]) if item else Routing()

    def put_routing(self, routing: Routing) -> None:
        item = {"PK": keys.DIR, "SK": keys.ROUTING, "routing": routing.model_dump(mode="json")}
        self.table.call("put_item", TableName=self.table.name, Item=to_item(item))
