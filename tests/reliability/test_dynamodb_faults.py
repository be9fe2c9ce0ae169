"""DynamoDB throttling and 5xx: retried out of sight, or a clean 503 with Retry-After; never half a post."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from tests.conftest import Api, officer_messages
from tests.posting import new_post
from tests.reliability.conftest import (
    ANSWER_LOST,
    ATTEMPTS,
    CONNECTION_RESET,
    DispatchQueue,
    Faults,
    timeline,
)

THROTTLED = pytest.param("ProvisionedThroughputExceededException", 400, id="ProvisionedThroughputExceeded")
THROTTLING = pytest.param("ThrottlingException", 400, id="ThrottlingException")
INTERNAL = pytest.param("InternalServerError", 500, id="500 InternalServerError")
UNAVAILABLE = pytest.param("ServiceUnavailable", 503, id="503 ServiceUnavailable")
RESET = pytest.param(CONNECTION_RESET, 0, id="connection reset")
TIP = {
    "board": "report",
    "type": "report",
    "title": "夜间施工扰民",
    "body": "工地凌晨两点还在施工。",
    "district": "昆都仑区",
}


def items_mentioning(text: str) -> list[dict[str, Any]]:
    """Every item of the table holding `text` in any attribute (a test may scan; the app never does)."""
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    found = []
    for page in dynamodb.get_paginator("scan").paginate(TableName="police24"):
        found += [item for item in page["Items"] if text in str(item)]
    return found


def assert_clean_503(status: int, body: Any, headers: dict[str, str]) -> None:
    assert status == 503, body
    assert body["error"]["code"] == "unavailable" and "Traceback" not in body["error"]["message"]
    assert int(headers["Retry-After"]) >= 1


@pytest.mark.parametrize(("code", "status"), [THROTTLED, INTERNAL, RESET])
def test_a_post_written_while_dynamodb_fails_a_few_times_is_stored_once(
    api: Api, directory: dict, faults: Faults, code: str, status: int, figures: dict[str, Any]
) -> None:
    resident = api.sign_in("13812345678")
    fault = faults.inject("dynamodb", "TransactWriteItems", code, ATTEMPTS - 1, status=status)
    created = new_post(api, resident, **TIP)
    assert fault.injected == ATTEMPTS - 1
    assert [p["id"] for p in api.call("GET", "/me/posts", token=resident)[1]["posts"]] == [created["id"]]
    assert timeline(api, created["id"]) == ["received"]
    figures.update(failed_attempts=fault.injected, answer=201, posts_stored=1)


@pytest.mark.parametrize(("code", "status"), [THROTTLED, UNAVAILABLE, RESET])
def test_a_post_refused_with_503_left_nothing_behind_and_its_retry_is_stored_once(
    api: Api, directory: dict, queue: DispatchQueue, faults: Faults, code: str, status: int, figures: dict[str, Any]
) -> None:
    resident = api.sign_in("13812345678")
    key = {"Idempotency-Key": "tip-0001"}
    faults.inject("dynamodb", "TransactWriteItems", code, ATTEMPTS, status=status)

    assert_clean_503(*api.call("POST", "/posts", TIP, token=resident, headers=key))
    assert items_mentioning(TIP["title"]) == []  # no post, no timeline entry, no idempotency record
    assert api.call("GET", "/me/posts", token=resident)[1]["posts"] == []
    assert queue.depth() == 0  # and nothing was sent to dispatch

    status_code, first, _ = api.call("POST", "/posts", TIP, token=resident, headers=key)
    again = api.call("POST", "/posts", TIP, token=resident, headers=key)[1]
    assert status_code == 201 and again["id"] == first["id"]
    assert [p["id"] for p in api.call("GET", "/me/posts", token=resident)[1]["posts"]] == [first["id"]]
    queue.drain()
    assert timeline(api, first["id"]) == ["received", "dispatched"]
    figures.update(failed_attempts=ATTEMPTS, answer=503, items_left=0, retry_answer=201, posts_stored=1)


@pytest.mark.parametrize(("code", "status"), [THROTTLING, INTERNAL])
def test_a_reply_refused_with_503_is_not_counted_and_its_retry_is_counted_once(
    api: Api, directory: dict, faults: Faults, code: str, status: int
) -> None:
    resident = api.sign_in("13812345678")
    created = new_post(api, resident, **TIP)
    faults.inject("dynamodb", "TransactWriteItems", code, ATTEMPTS, status=status)

    assert_clean_503(*api.call("POST", f"/posts/{created['id']}/replies", {"body": "补充:在三号楼"}, token=resident))
    detail = api.call("GET", f"/posts/{created['id']}")[1]
    assert detail["post"]["reply_count"] == 0 and detail["replies"] == []

    assert api.call("POST", f"/posts/{created['id']}/replies", {"body": "补充:在三号楼"}, token=resident)[0] == 201
    detail = api.call("GET", f"/posts/{created['id']}")[1]
    assert detail["post"]["reply_count"] == 1 and [r["body"] for r in detail["replies"]] == ["补充:在三号楼"]


@pytest.mark.parametrize(
    ("operation", "path", "code", "status"),
    [
        pytest.param("Query", "/posts", "ProvisionedThroughputExceededException", 400, id="GET /posts throttled"),
        pytest.param("Query", "/posts?board=report", "InternalServerError", 500, id="GET /posts?board= 500"),
        pytest.param("Query", "/stats", "ThrottlingException", 400, id="GET /stats throttled"),
        pytest.param("GetItem", "/me", "ServiceUnavailable", 503, id="GET /me 503"),
    ],
)
def test_reads_are_retried_and_past_the_retries_answer_503(
    api: Api, directory: dict, faults: Faults, operation: str, path: str, code: str, status: int
) -> None:
    resident = api.sign_in("13812345678")
    new_post(api, resident, **TIP)
    faults.inject("dynamodb", operation, code, ATTEMPTS - 1, status=status)
    assert api.call("GET", path, token=resident)[0] == 200
    faults.inject("dynamodb", operation, code, ATTEMPTS, status=status)
    assert_clean_503(*api.call("GET", path, token=resident))
    assert api.call("GET", path, token=resident)[0] == 200


@pytest.mark.parametrize(
    ("conflicts", "expected"),
    [pytest.param(4, 201, id="4 conflicts: retried"), pytest.param(5, 503, id="5 conflicts: 503")],
)
def test_transaction_conflicts_are_retried_then_answered_with_503(
    api: Api, directory: dict, faults: Faults, conflicts: int, expected: int
) -> None:
    """Real DynamoDB cancels transactions that race on an item (TransactionConflict); moto never does."""
    resident = api.sign_in("13812345678")
    created = new_post(api, resident, **TIP)
    faults.inject(
        "dynamodb",
        "TransactWriteItems",
        "TransactionCanceledException",
        conflicts,
        reasons=("None", "TransactionConflict", "None"),
    )
    status, body, headers = api.call("POST", f"/posts/{created['id']}/replies", {"body": "我也看到了"}, token=resident)
    if expected == 503:
        assert_clean_503(status, body, headers)
    else:
        assert status == 201, body
    detail = api.call("GET", f"/posts/{created['id']}")[1]
    assert detail["post"]["reply_count"] == len(detail["replies"]) == (1 if expected == 201 else 0)


def test_a_counter_failing_after_the_post_is_stored_does_not_turn_it_into_a_503(
    api: Api, directory: dict, queue: DispatchQueue, faults: Faults
) -> None:
    """The post is written; a figure that cannot be counted must not tell the author it was not."""
    resident = api.sign_in("13812345678")
    faults.inject("dynamodb", "UpdateItem", "ProvisionedThroughputExceededException", ATTEMPTS)
    status, created, _ = api.call("POST", "/posts", TIP, token=resident)
    assert status == 201, created
    queue.drain()
    assert timeline(api, created["id"]) == ["received", "dispatched"]
    assert len(officer_messages("13900000003")) == 1


@pytest.mark.parametrize(("code", "status"), [THROTTLED, INTERNAL])
def test_dispatch_outlasting_dynamodb_faults_comes_back_and_assigns_once(
    api: Api, directory: dict, queue: DispatchQueue, faults: Faults, code: str, status: int
) -> None:
    resident = api.sign_in("13812345678")
    created = new_post(api, resident, **TIP)
    faults.inject("dynamodb", "TransactWriteItems", code, ATTEMPTS, status=status)  # the assignment's write
    queue.drain()
    assert list(queue.deliveries.values()) == [2]
    assert timeline(api, created["id"]) == ["received", "dispatched"]
    assert len(officer_messages("13900000003")) == 1


@pytest.mark.parametrize("write", ["post", "reply", "status"])
def test_a_write_whose_answer_was_lost_is_answered_as_done_and_applied_once(
    api: Api, directory: dict, faults: Faults, write: str
) -> None:
    """DynamoDB applied the transaction, the answer never came, botocore sent it again: still one effect, no 409."""
    resident = api.sign_in("13812345678")
    created = new_post(api, resident, **TIP) if write != "post" else None
    fault = faults.inject("dynamodb", "TransactWriteItems", ANSWER_LOST, 1)
    if write == "post":
        status, body, _ = api.call("POST", "/posts", TIP, token=resident)
        assert status == 201, body
        assert [p["id"] for p in api.call("GET", "/me/posts", token=resident)[1]["posts"]] == [body["id"]]
        assert timeline(api, body["id"]) == ["received"]
    elif write == "reply":
        assert created is not None
        status, body, _ = api.call("POST", f"/posts/{created['id']}/replies", {"body": "补充:在三号楼"}, token=resident)
        assert status == 201, body
        detail = api.call("GET", f"/posts/{created['id']}")[1]
        assert detail["post"]["reply_count"] == 1 and [r["body"] for r in detail["replies"]] == ["补充:在三号楼"]
    else:
        assert created is not None
        officer = api.sign_in("13900000003")
        change = {"status": "in_progress", "version": created["version"], "note": "已出警"}
        status, body, _ = api.call("POST", f"/posts/{created['id']}/status", change, token=officer)
        assert status == 200, body
        assert body["status"] == "in_progress" and body["version"] == created["version"] + 1
        assert timeline(api, created["id"]).count("in_progress") == 1
    assert fault.injected == 1
