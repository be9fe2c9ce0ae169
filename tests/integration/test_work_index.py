"""The workbench reads its index, never the table at large: counted in DynamoDB calls on moto."""

from __future__ import annotations

from typing import Any

import pytest

from bench.counting import CallRecorder, Calls
from bench.stack import Http
from tests.conftest import DIRECTORY, deliver


@pytest.fixture
def officers(client: Any, aws: dict[str, str], directory: dict[str, Any]) -> dict[str, Any]:
    """Three reports routed to 昆都仑区 and the sessions of its officer and of the leader."""
    http = Http(client)
    citizen = http.sign_in("13812345678")
    for n in range(3):
        body = {
            "board": "report",
            "type": "report",
            "title": f"线索{n}",
            "body": f"第{n}条线索。",
            "district": "昆都仑区",
        }
        http.call("POST", "/posts", body, token=citizen, expect=201)
    deliver(client, aws)
    return {
        "http": http,
        "unit": http.sign_in(DIRECTORY["officers"]["o-kunqu"]["phone"]),
        "leader": http.sign_in(DIRECTORY["officers"]["o-chief"]["phone"]),
    }


def read(officers: dict[str, Any], who: str, path: str) -> tuple[Calls, Any]:
    recorder = CallRecorder()
    recorder.attach_app_clients()
    with recorder.recording() as calls:
        data = officers["http"].call("GET", path, token=officers[who])
    return calls, data


def test_an_officers_page_is_queries_of_the_units_partition_and_one_batch_get(officers: dict[str, Any]) -> None:
    calls, data = read(officers, "unit", "/work/queue?view=due&limit=2")

    labels = [c.label for c in calls.dynamodb]
    assert not [label for label in labels if label.startswith("Scan")], labels
    assert labels.count("Query[GSI6]") == 7, labels  # the page and the six counts
    assert labels.count("BatchGetItem") == 1, labels
    assert len(data["posts"]) == 2 and data["counts"]["due"] == 3 and data["next_cursor"]


def test_every_units_queue_and_the_board_read_the_all_units_partitions(officers: dict[str, Any]) -> None:
    calls, data = read(officers, "leader", "/work/queue?view=due")
    labels = [c.label for c in calls.dynamodb]
    assert labels.count("Query[GSI7]") == 7 and "Query[GSI6]" not in labels, labels
    assert not [label for label in labels if label.startswith("Scan")], labels
    assert data["counts"]["due"] == 3 and data["unit"] is None

    calls, board = read(officers, "leader", "/work/board")
    labels = [c.label for c in calls.dynamodb]
    assert labels.count("Query[GSI7]") == 4, labels  # due, overdue, in progress, follow-ups of every unit
    assert not [label for label in labels if label.startswith("Scan")], labels
    assert {row["unit"]["id"]: row["open"] for row in board["units"]}["kunqu"] == 3
