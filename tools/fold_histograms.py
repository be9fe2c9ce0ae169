"""Fold the per-minute first-response counts of the figures into their buckets: `python -m tools.fold_histograms`.

Before issue 19 each first response added to `h_<minute>` (up to 1,441 attributes, ~12 KB an item, so every
write to it cost ~12 write units); now it adds to `h_<bucket start>` (domain.response_times, 67 buckets). The
figures read both shapes, but an item keeps its size, and its write cost, until its old counts are folded: one
UpdateItem per item (STATS/<scope> and each DAILY#<scope>/<day>) ADDs them to their buckets and REMOVEs them,
atomically. New writes only touch bucket names, so nothing is lost while the app runs, and a second run finds
nothing to fold. Uses the app's settings (TABLE_NAME, AWS_REGION; AWS_ENDPOINT_URL for the local stack).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.table import Table, to_item
from chalicelib.domain.response_times import BUCKETS, bucket_of


def folding(item: dict[str, Any]) -> tuple[dict[int, int], list[str]]:
    """Return what to add to each bucket and the old attribute names to remove, for one counter item."""
    add: dict[int, int] = {}
    gone: list[str] = []
    for name, value in item.items():
        if name.startswith("h_") and name[2:].isdigit() and int(name[2:]) not in BUCKETS:
            start = bucket_of(int(name[2:]))
            add[start] = add.get(start, 0) + int(value)
            gone.append(name)
    return add, gone


def fold(table: Table, item: dict[str, Any]) -> bool:
    """Fold one item's old counts; False if it has none."""
    add, gone = folding(item)
    if not gone:
        return False
    names = {f"#o{i}": name for i, name in enumerate(gone)} | {f"#b{start}": f"h_{start}" for start in add}
    expression = "ADD " + ", ".join(f"#b{start} :b{start}" for start in add)
    expression += " REMOVE " + ", ".join(f"#o{i}" for i in range(len(gone)))
    table.call(
        "update_item",
        TableName=table.name,
        Key=to_item({"PK": item["PK"], "SK": item["SK"]}),
        UpdateExpression=expression,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=to_item({f":b{start}": count for start, count in add.items()}),
    )
    return True


def run(table: Table) -> tuple[int, int]:
    """Fold every counter item: the totals under STATS, then each of their scopes' days; return (seen, folded)."""
    seen = folded = 0
    totals = list(
        table.query_all(KeyConditionExpression="PK = :pk", ExpressionAttributeValues=to_item({":pk": keys.STATS}))
    )
    for total in totals:
        days = table.query_all(
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues=to_item({":pk": keys.daily_pk(str(total["SK"]))}),
        )
        for item in [total, *days]:
            seen += 1
            folded += fold(table, item)
    return seen, folded


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(prog="python -m tools.fold_histograms", description=__doc__).parse_args(argv)
    from chalicelib.config import Settings

    settings = Settings.from_env()
    seen, folded = run(Table(settings.table_name, settings.region))
    print(f"counter items: {seen}, folded: {folded}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
