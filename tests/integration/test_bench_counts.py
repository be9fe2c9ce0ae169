"""The read routes cost what keys.py promises, counted in DynamoDB calls (never in time)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from bench.counting import CallRecorder, Calls
from bench.fill import Filler
from bench.operations import feed_first_page, feed_next_page, post_detail
from bench.stack import Http


class Measured:
    """A table of 30 posts (some pinned), a signed-in citizen and a recorder on the app's clients."""

    def __init__(self, client: Any, table_name: str) -> None:
        self.http = Http(client)
        self.token = self.http.sign_in("13812345678")
        self.recorder = CallRecorder()
        self.recorder.attach_app_clients()
        dynamodb = boto3.session.Session().client("dynamodb")
        self.filler = Filler(dynamodb, table_name, newest=datetime.now(UTC) - timedelta(minutes=1))
        self.filler.fill_to(30, progress=False)


@pytest.fixture
def measured(client: Any, aws: dict[str, str]) -> Measured:
    return Measured(client, aws["TableName"])


def assert_one_feed_query_and_one_pin_query(calls: Calls) -> None:
    assert [c.label for c in calls.calls] == ["Query[GSI4]", "Query[GSI1]"]


def test_the_first_feed_page_costs_one_feed_query_and_one_pin_query(measured: Measured) -> None:
    calls, page = feed_first_page(measured.http, measured.recorder, measured.token)

    assert_one_feed_query_and_one_pin_query(calls)
    assert len(page["posts"]) == 20 and len(page["pinned"]) == 2


def test_the_next_feed_page_costs_one_feed_query_and_one_pin_query(measured: Measured) -> None:
    _, page = feed_first_page(measured.http, measured.recorder, measured.token)

    calls = feed_next_page(measured.http, measured.recorder, measured.token, page["next_cursor"])

    assert_one_feed_query_and_one_pin_query(calls)


def test_a_post_detail_costs_one_query_on_its_partition(measured: Measured) -> None:
    assert measured.filler.target is not None

    calls = post_detail(measured.http, measured.recorder, measured.token, measured.filler.target.id)

    assert [c.label for c in calls.calls] == ["Query[table]"]
    assert calls.items_read == 1 + 2 + 6  # the post, its two timeline events, its six replies
