"""Give every stored post its place in the one-Query feeds (GSI8, GSI10): `python -m tools.backfill_feed`.

Posts saved since the feeds moved to GSI8 and GSI10 carry their keys and card there already (a pin in force
sorted ahead, the head of the body, its lengths; keys.py); a post stored before, and not saved since, is in
neither feed until its next save, and a global pin has no copy in the other boards' feeds. This one-off migration
reads the table once (a Scan: a maintenance job, never a request path) and, for each post that lacks its feed
attributes or carries stale ones, writes them with the copies of its card a global pin in force wants, on the
condition that its version is still the one read (a post saved meanwhile placed itself); copies no post wants
any more are deleted on the same condition. Running it twice writes nothing the second time.

    python -m tools.backfill_feed --table police24-Table-XXXX      # AWS: the usual credentials and AWS_REGION
    AWS_ENDPOINT_URL=http://127.0.0.1:NNNNN python -m tools.backfill_feed --table <name>   # the local stack

docs/DEPLOY.md says when to run it: with `--no-copies` before the release that reads the new indexes, and in
full once more after.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass
class Backfill:
    """What one run did."""

    seen: int = 0
    written: int = 0
    copies_removed: int = 0  # copies no post wants any more (a written copy counts in `written`)
    raced: int = 0  # saved by the app meanwhile: it placed itself


def wanted_attrs(post: Any, now: datetime) -> dict[str, Any]:
    """Return the feed attributes a post should carry (None: absent), as the app writes them at `now`."""
    from chalicelib.adapters.dynamodb import items as it

    card = it.card_attrs(post)
    attrs = {name: card[name] for name in ("body_head", "body_length", "body_masked_length", *it.OMITTED_AT_DEFAULT)}
    keys = it.feed_keys(post, now)
    attrs.update({name: keys.get(name) for name in it.FEED_KEYS})
    return attrs


def backfill(dynamodb: Any, table: str, now: datetime | None = None, copies: bool = True) -> Backfill:
    """Write the missing or stale feed attributes and (`copies`) pin copies of every post of the table.

    Without copies while the release before still runs: it knows nothing of them, so a global pin it hid or
    unpinned would keep its copies, with their cards, in the other boards' feeds."""
    from chalicelib.adapters.dynamodb import items as it
    from chalicelib.adapters.dynamodb.table import from_item, to_item

    now = now or datetime.now(UTC)
    done = Backfill()
    versions: dict[str, int] = {}
    wanted: dict[tuple[str, str], dict[str, Any]] = {}  # (post id, board) -> the copy a global pin in force wants
    stored: set[tuple[str, str]] = set()  # (post id, board) of every copy in the table
    pages = dynamodb.get_paginator("scan").paginate(
        TableName=table,
        FilterExpression="item_type IN (:post, :copy)",
        ExpressionAttributeValues={":post": {"S": "post"}, ":copy": {"S": "pin_copy"}},
    )
    for page in pages:
        for raw in page["Items"]:
            item = from_item(raw)
            if item["item_type"] == "pin_copy":
                stored.add((str(item["PK"]).split("#", 1)[1], str(item["SK"]).split("#", 1)[1]))
                continue
            done.seen += 1
            post = it.post_from(item)
            versions[post.id] = post.version
            for copy in it.pin_copy_items(post, now):
                wanted[(post.id, str(copy["SK"]).split("#", 1)[1])] = copy
            attrs = wanted_attrs(post, now)
            if all(item.get(name) == value for name, value in attrs.items()):
                continue
            done.written += _write(dynamodb, [_update(table, raw, attrs, to_item)], done)
    for post_id, board in sorted(set(wanted) ^ stored) if copies else ():
        copy = wanted.get((post_id, board))
        change = (
            {"Put": {"TableName": table, "Item": to_item(copy)}}
            if copy is not None
            else {"Delete": {"TableName": table, "Key": to_item(it.pin_copy_key(post_id, board))}}
        )
        checks = [_still(table, post_id, versions[post_id], to_item)] if post_id in versions else []
        landed = _write(dynamodb, [change, *checks], done)
        if copy is not None:
            done.written += landed
        else:
            done.copies_removed += landed
    return done


def _write(dynamodb: Any, writes: list[dict[str, Any]], done: Backfill) -> int:
    """Write a transaction; 1 if it landed, 0 (and counted as raced) if a post was saved since it was read."""
    from botocore.exceptions import ClientError

    try:
        dynamodb.transact_write_items(TransactItems=writes)
        return 1
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
            raise
        done.raced += 1
        return 0


def _update(table: str, raw: dict[str, Any], wanted: dict[str, Any], to_item: Any) -> dict[str, Any]:
    """Return the Update that sets the wanted attributes of a post (REMOVE the absent ones) if still its version."""
    names = {f"#a{i}": name for i, name in enumerate(wanted)}
    sets = [f"#a{i} = :a{i}" for i, value in enumerate(wanted.values()) if value is not None]
    removes = [f"#a{i}" for i, value in enumerate(wanted.values()) if value is None]
    values = {f":a{i}": value for i, value in enumerate(wanted.values()) if value is not None}
    expression = ("SET " + ", ".join(sets) if sets else "") + (" REMOVE " + ", ".join(removes) if removes else "")
    return {
        "Update": {
            "TableName": table,
            "Key": {"PK": raw["PK"], "SK": raw["SK"]},
            "UpdateExpression": expression.strip(),
            "ConditionExpression": "#version = :version",
            "ExpressionAttributeNames": {**names, "#version": "version"},
            "ExpressionAttributeValues": {**to_item(values), ":version": raw["version"]},
        }
    }


def _still(table: str, post_id: str, version: int, to_item: Any) -> dict[str, Any]:
    """Return the ConditionCheck that the post is still the version read."""
    from chalicelib.adapters.dynamodb import keys

    return {
        "ConditionCheck": {
            "TableName": table,
            "Key": to_item({"PK": keys.post_pk(post_id), "SK": keys.META}),
            "ConditionExpression": "#version = :version",
            "ExpressionAttributeNames": {"#version": "version"},
            "ExpressionAttributeValues": to_item({":version": version}),
        }
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.backfill_feed", description=__doc__.splitlines()[0])
    parser.add_argument("--table", required=True, help="the table's name (the stack's TableName output)")
    parser.add_argument(
        "--no-copies", action="store_true", help="leave the pin copies alone (while the release before still runs)"
    )
    args = parser.parse_args(argv)
    import boto3

    done = backfill(boto3.client("dynamodb"), args.table, copies=not args.no_copies)
    print(
        f"{done.seen} posts read, {done.written} placed in the feeds, {done.copies_removed} stale pin copies "
        f"removed, {done.raced} saved meanwhile"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
