"""The workbench's reads (access patterns 36-38 in keys.py): one Query of one sparse partition per page, then
one BatchGetItem of the page's posts.

The indexes project the keys and `PROJECTED` only (INCLUDE), so that a count (Select = COUNT) is billed on
small entries (about 200 bytes) rather than whole posts: at 10,000 posts a unit's biggest bucket counts in one
call. A page pays for it with the BatchGetItem of its `limit` posts.

A unit's views read GSI6 (`WORK#<unit>#<bucket>`), every unit's GSI7 (`WORK#ALL#<bucket>`). `due` and
`overdue` are the two halves of the `open` partition at `now`. `board` and `district` are a FilterExpression on
that one partition: without one a page is one Query of `limit + 1` items; with one, the Query reads 1 MB pages
of the partition until the page is full (a station's open work is a few hundred posts at most; the resolved
partition of a busy station is where a filter costs, as its cost note in services/work.py says).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.adapters.dynamodb import items as it
from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.batch import posts_by_id
from chalicelib.adapters.dynamodb.table import Table, to_item
from chalicelib.domain import work
from chalicelib.domain.posts import Post, Reply, epoch_ms
from chalicelib.services.ports import FeedPage, WorkFilter, WorkMark

# What the workbench indexes project besides the keys: what the filters and the board read, nothing more.
PROJECTED = ("board", "district", "assigned_unit", "escalation_level")


class WorkQueries:
    """The workbench's Queries, mixed into the post repository (they read the posts' own index entries)."""

    table: Table

    def _work_query(self, unit: str | None, view: str, now: datetime, only: WorkFilter) -> dict[str, Any]:
        """Return the Query of a view: its index, key condition and the filter, if any."""
        reading = work.READINGS[view]  # type: ignore[index]
        index = "GSI6" if unit else "GSI7"
        values: dict[str, Any] = {":pk": keys.work_pk(unit or keys.ALL_UNITS, reading.bucket)}
        condition = f"{index}PK = :pk"
        if reading.side != "any":
            values[":now"] = f"{epoch_ms(now):013d}#~"  # at the deadline itself, overdue (Post.deadline_passed)
            condition += f" AND {index}SK {'<' if reading.side == 'before' else '>='} :now"
        query: dict[str, Any] = {
            "IndexName": index,
            "KeyConditionExpression": condition,
            "ScanIndexForward": not reading.newest_first,
        }
        filters = []
        if only.board:
            filters.append("board = :board")
            values[":board"] = only.board
        if only.district:
            filters.append("district = :district")
            values[":district"] = only.district
        if filters:
            query["FilterExpression"] = " AND ".join(filters)
        query["ExpressionAttributeValues"] = to_item(values)
        return query

    def work_page(
        self, unit: str | None, view: str, now: datetime, limit: int, after: str | None, only: WorkFilter
    ) -> FeedPage:
        query = self._work_query(unit, view, now, only)
        index = query["IndexName"]
        if "FilterExpression" not in query:
            query["Limit"] = limit + 1  # one more tells whether another page exists
        start = None
        if after:
            pk = from_values(query, ":pk")
            start = to_item(
                {
                    f"{index}PK": pk,
                    f"{index}SK": after,
                    "PK": keys.post_pk(it.post_id_of_feed_key(after)),
                    "SK": keys.META,
                }
            )
        kept: list[dict[str, Any]] = []
        while True:
            found, start = self.table.query(**query, **({"ExclusiveStartKey": start} if start else {}))
            kept.extend(found)
            if len(kept) > limit or not start:
                break
        more = len(kept) > limit
        kept = kept[:limit]
        posts = self._posts([post_id_of(item) for item in kept])
        return FeedPage(posts, str(kept[-1][f"{index}SK"]) if more else None)

    def _posts(self, ids: list[str]) -> list[Post]:
        """Return the posts of a page in its order: one BatchGetItem (the index holds keys and filters only)."""
        return posts_by_id(self.table, ids)

    def work_count(self, unit: str | None, view: str, now: datetime, only: WorkFilter) -> int:
        query = {**self._work_query(unit, view, now, only), "Select": "COUNT"}
        total, start = 0, None
        while True:
            response = self.table.call(
                "query", TableName=self.table.name, **query, **({"ExclusiveStartKey": start} if start else {})
            )
            total += int(response.get("Count", 0))
            start = response.get("LastEvaluatedKey")
            if not start:
                return total

    def work_marks(self, view: str, now: datetime) -> list[WorkMark]:
        query = self._work_query(None, view, now, WorkFilter())
        return [
            WorkMark(post_id_of(item), str(item["assigned_unit"]["id"]), int(item.get("escalation_level", 0)))
            for item in self.table.query_all(**query)
        ]


def reply_counts(reply: Reply, post: Post | None) -> dict[str, Any]:
    """Return the update of the post a reply counts on; given the post read, also its place in the work
    queue, on the condition that the post is still the version read (else StaleVersion, read again)."""
    values: dict[str, Any] = {":one": 1, ":now": reply.created_at.isoformat()}
    names: dict[str, str] = {}
    expression = "ADD reply_count :one SET updated_at = :now"
    condition = "attribute_exists(PK)"
    if reply.official is not None:
        expression += ", first_official_reply_at = if_not_exists(first_official_reply_at, :now)"
        expression += ", latest_official_reply = :body, latest_official_reply_at = :now"
        values[":body"] = reply.body
    if post is not None:
        if reply.official is None and reply.author_id == post.author_id:
            expression += ", latest_followup_at = :now"
        after = work.after_reply(post, reply)
        attrs = it.work_attrs(after)
        for index, name in enumerate(it.WORK_ATTRS):
            names[f"#w{index}"] = name
            if name in attrs:
                expression += f", #w{index} = :w{index}"
                values[f":w{index}"] = attrs[name]
        gone = [f"#w{index}" for index, name in enumerate(it.WORK_ATTRS) if name not in attrs]
        if reply.official is not None:  # answered: off the sweep's due index (GSI5) now, not at its next pass
            due = it.due_attrs(after)
            if due:
                expression += ", GSI5PK = :due, GSI5SK = :due_sk"
                values[":due"], values[":due_sk"] = due["GSI5PK"], due["GSI5SK"]
            else:
                gone += ["GSI5PK", "GSI5SK"]
        expression += (" REMOVE " + ", ".join(gone)) if gone else ""
        names["#version"] = "version"
        condition += " AND #version = :seen"
        values[":seen"] = post.version
    update: dict[str, Any] = {
        "UpdateExpression": expression,
        "ConditionExpression": condition,
        "ExpressionAttributeValues": to_item(values),
    }
    if names:
        update["ExpressionAttributeNames"] = names
    return update


def post_id_of(item: dict[str, Any]) -> str:
    """Return the post id of an index entry (its table key is POST#<id>)."""
    return str(item["PK"]).removeprefix("POST#")


def from_values(query: dict[str, Any], name: str) -> str:
    """Return a string placeholder's value of a Query (typed)."""
    return str(query["ExpressionAttributeValues"][name]["S"])
