"""Several accounts' contacts read at once (a dispatch's officers): the same answers as one by one."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.adapters.dynamodb.contacts import DynamoContactBook
from chalicelib.adapters.dynamodb.table import Table


def test_contacts_read_together_match_each_read_alone_and_an_unknown_account_has_the_defaults(aws: dict) -> None:
    book = DynamoContactBook(Table(aws["TableName"], "us-east-1"))
    book.bind("o-kunqu", "openid-wang", datetime(2026, 3, 13, tzinfo=UTC), stamp="s1")
    book.set_notify("o-center", ("sms",))

    together = book.contacts(["o-kunqu", "o-center", "o-nobody"])

    assert together == {account: book.contact(account) for account in ("o-kunqu", "o-center", "o-nobody")}
    assert together["o-kunqu"].openid == "openid-wang" and together["o-center"].notify == ("sms",)
    assert together["o-nobody"].openid is None
