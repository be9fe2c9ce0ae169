"""The workbench's backfill places posts stored before it came, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from chalicelib.adapters.dynamodb import items as it
from chalicelib.adapters.dynamodb.posts import DynamoPostRepository
from chalicelib.adapters.dynamodb.table import Table, to_item
from chalicelib.domain.posts import Post, UnitRef
from chalicelib.services.ports import WorkFilter
from tools.backfill_work import backfill


def test_a_post_stored_without_its_place_is_placed_once(aws: dict[str, Any]) -> None:
    now = datetime.now(UTC)
    post = Post(
        id="p-old",
        board="report",
        type="report",
        title="旧帖子",
        body="存于工作台之前。",
        author_id="u1",
        author_nickname="网友A",
        created_at=now,
        updated_at=now,
        first_response_due=now + timedelta(minutes=15),
        assigned_unit=UnitRef(id="kunqu", name="昆都仑区公安分局"),
        status="dispatched",
    )
    item = {k: v for k, v in it.post_item(post).items() if k not in it.WORK_ATTRS}
    dynamodb = boto3.client("dynamodb")
    dynamodb.put_item(TableName=aws["TableName"], Item=to_item(item))
    posts = DynamoPostRepository(Table(aws["TableName"], "us-east-1"))
    assert posts.work_count("kunqu", "due", now, WorkFilter()) == 0

    first, second = backfill(dynamodb, aws["TableName"]), backfill(dynamodb, aws["TableName"])

    assert (first.seen, first.written, second.written) == (1, 1, 0)
    assert [p.id for p in posts.work_page("kunqu", "due", now, 10, None, WorkFilter()).posts] == ["p-old"]
