"""The read routes cost what keys.py promises, counted in DynamoDB calls (never in time)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from bench.counting import CallRecorder
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


def test_the_first_feed_page_costs_one_query_of_the_feed_index_pins_included(measured: Measured) -> None:
    calls, page = feed_first_page(measured.http, measured.recorder, measured.token)

    assert [c.label for c in calls.calls] == ["Query[GSI8]"]
    assert len(page["posts"]) == 20 and len(page["pinned"]) == 2
    assert calls.items_read == 2 + 20 + 1  # the pins, the page, and one more that tells a next page exists
    assert calls.bytes_compact <= 1.25 * calls.bytes_returned


def test_the_next_feed_page_costs_one_query_and_reads_no_pin(measured: Measured) -> None:
    _, page = feed_first_page(measured.http, measured.recorder, measured.token)

    calls, following = feed_next_page(measured.http, measured.recorder, measured.token, page["next_cursor"])

    assert [c.label for c in calls.calls] == ["Query[GSI8]"]
    assert following["pinned"] == [] and len(following["posts"]) == 30 - 2 - 20  # the rest, no pin again
    assert calls.items_read == len(following["posts"]) and following["next_cursor"] is None
    assert calls.bytes_compact <= 1.25 * calls.bytes_returned


def test_a_board_feed_costs_one_query_with_the_global_pins_copied_there(measured: Measured) -> None:
    with measured.recorder.recording() as calls:
        page = measured.http.call("GET", "/posts?board=hukou&limit=5", token=measured.token)

    assert [c.label for c in calls.calls] == ["Query[GSI10]"]
    assert len(page["pinned"]) == 2 and all(p["pinned"] and p["board"] != "hukou" for p in page["pinned"])


def test_a_post_detail_costs_one_query_on_its_partition(measured: Measured) -> None:
    assert measured.filler.target is not None

    calls = post_detail(measured.http, measured.recorder, measured.token, measured.filler.target.id)

    assert [c.label for c in calls.calls] == ["Query[table]"]
    assert calls.items_read == 1 + 2 + 6  # the post, its two timeline events, its six replies
