"""Give every stored post its place in the workbench's indexes (GSI6, GSI7): `python -m tools.backfill_work`.

Posts saved since the workbench came carry it already; a post stored before, and not saved since, is in no
view until its next save. This one-off migration reads the table once (a Scan: a maintenance job, never a
request path) and writes the index attributes of each post that lacks them or carries stale ones, on the
condition that its version is still the one read (a post saved meanwhile placed itself). Running it twice
writes nothing the second time.

    python -m tools.backfill_work --table police24-Table-XXXX      # AWS: the usual credentials and AWS_REGION
    AWS_ENDPOINT_URL=http://127.0.0.1:NNNNN python -m tools.backfill_work --table <name>   # the local stack
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import Any


@dataclass
class Backfill:
    """What one run did."""

    seen: int = 0
    written: int = 0
    raced: int = 0  # saved by the app meanwhile: it placed itself


def backfill(dynamodb: Any, table: str) -> Backfill:
    """Write the missing or stale workbench attributes of every post of the table."""
    from botocore.exceptions import ClientError

    from chalicelib.adapters.dynamodb import items as it
    from chalicelib.adapters.dynamodb.table import from_item, to_item

    done = Backfill()
    pages = dynamodb.get_paginator("scan").paginate(
        TableName=table, FilterExpression="item_type = :post", ExpressionAttributeValues={":post": {"S": "post"}}
    )
    for page in pages:
        for raw in page["Items"]:
            item = from_item(raw)
            done.seen += 1
            wanted = it.work_attrs(it.post_from(item))
            if all(item.get(name) == wanted.get(name) for name in it.WORK_ATTRS):
                continue
            names = {f"#w{i}": name for i, name in enumerate(it.WORK_ATTRS)}
            sets = [f"#w{i} = :w{i}" for i, name in enumerate(it.WORK_ATTRS) if name in wanted]
            removes = [f"#w{i}" for i, name in enumerate(it.WORK_ATTRS) if name not in wanted]
            values = {f":w{i}": wanted[name] for i, name in enumerate(it.WORK_ATTRS) if name in wanted}
            expression = ("SET " + ", ".join(sets) if sets else "") + (
                " REMOVE " + ", ".join(removes) if removes else ""
            )
            try:
                dynamodb.update_item(
                    TableName=table,
                    Key={"PK": raw["PK"], "SK": raw["SK"]},
                    UpdateExpression=expression.strip(),
                    ConditionExpression="#version = :version",
                    ExpressionAttributeNames={**names, "#version": "version"},
                    ExpressionAttributeValues=to_item({**values, ":version": item["version"]}),
                )
                done.written += 1
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                    raise
                done.raced += 1
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.backfill_work", description=__doc__.splitlines()[0])
    parser.add_argument("--table", required=True, help="the table's name (the stack's TableName output)")
    args = parser.parse_args(argv)
    import boto3

    done = backfill(boto3.client("dynamodb"), args.table)
    print(f"{done.seen} posts read, {done.written} placed in the workbench, {done.raced} saved meanwhile")
    return 0


if __name__ == "__main__":
    sys.exit(main())
