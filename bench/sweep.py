"""`python -m bench.sweep`: a backlog of due posts on moto, and how many every-minute sweeps it takes to clear it.

The backlog (5,000 posts by default, all due at once) is what piles up when the sweep could not run for a while:
stale due entries of posts answered meanwhile (60 %, each settled by one write) and overdue posts nobody answered
(each escalated to its unit's leaders; their next step, the command center at twice their time, is not due yet).
It is cleared when no post is due any more. A run is the real sweep
(services.supervision) with the Lambda's 50 s and its 10 s margin, but on a simulated clock: moto's speed means
nothing, so each AWS call is charged the latency it would take in AWS (LATENCY_MS, a guess, said as one).

Prints the calls of each run and writes the figures into docs/bench.json under "operations" (only its own keys).

moto backs up the whole table (a deep copy) for every item of every transaction, which makes a 5,000-post run take
hours: the bench skips that backup (`no_table_backups`). Only a transaction refused after its first item would
need it, and none of the sweep's is (each is refused, if ever, by its first item's condition).
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import patch

from bench.counting import CallRecorder, Calls
from bench.stack import ROOT, Http, chalice_client, moto_stack
from bench.work import UNITS, seed_officers

RUN_MS = 50_000  # the sweep's Lambda timeout (.chalice/config.json)
# A guess at AWS's latency per call from Lambda in the same region (ms): single-item calls, queries, transactions.
LATENCY_MS = {"Query": 10, "TransactWriteItems": 15, "BatchWriteItem": 12, "BatchGetItem": 10, "Publish": 30}
OTHER_MS = 6
BENCH_JSON = ROOT / "docs" / "bench.json"
T0 = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


def simulated_ms(calls: Calls) -> int:
    """Return the time the calls of a run would take in AWS, one after another."""
    return sum(LATENCY_MS.get(c.operation, OTHER_MS) for c in calls.calls)


def backlog_items(count: int, answered_share: float = 0.6) -> Iterator[dict[str, Any]]:
    """Yield the items of `count` posts all due by T0: answered ones with a stale due entry, overdue ones."""
    from chalicelib.adapters.dynamodb import keys
    from chalicelib.adapters.dynamodb.items import post_item
    from chalicelib.domain.posts import Post, UnitRef, epoch_ms

    unit = UnitRef(id="kun-branch", name=UNITS["kun-branch"]["name"])
    answered = int(count * answered_share)
    for number in range(count):
        created = T0 - timedelta(minutes=20, milliseconds=number)  # 15 minutes to answer: overdue, not yet twice
        post = Post(
            id=f"ps{number:014d}",
            board="report",
            type="report",
            title="小区门口有可疑人员",
            body="小区门口有可疑人员徘徊，请民警来看看。",
            author_id=f"u_sweep{number % 97:08d}",
            author_nickname="网友",
            author_phone=f"138{number:08d}",
            district="昆都仑区",
            status="dispatched",
            created_at=created,
            updated_at=created,
            first_response_due=Post.first_response_due_for("report", created),
            first_official_reply_at=created + timedelta(minutes=5) if number < answered else None,
            assigned_unit=unit,
            dispatch_round=1,
        )
        item = post_item(post)
        if number < answered:  # answered before replies cleared the entry: the sweep only settles it
            due = post.first_response_due or created
            item.update(GSI5PK=keys.DUE, GSI5SK=keys.epoch_ms_key(epoch_ms(due), post.id))
        yield item


def fill(dynamodb: Any, table: str, count: int) -> None:
    """Write the backlog through BatchWriteItem, 25 items a call."""
    from chalicelib.adapters.dynamodb.table import to_item

    batch: list[dict[str, Any]] = []
    for item in backlog_items(count):
        batch.append({"PutRequest": {"Item": to_item(item)}})
        if len(batch) == 25:
            dynamodb.batch_write_item(RequestItems={table: batch})
            batch = []
    if batch:
        dynamodb.batch_write_item(RequestItems={table: batch})


def due_left(dynamodb: Any, table: str, now: datetime) -> int:
    """Count the entries of the due index at or before `now` (outside the recorded runs)."""
    upper = f"{int(now.timestamp() * 1000):013d}#~"
    total, start = 0, None
    while True:
        extra = {"ExclusiveStartKey": start} if start else {}
        got = dynamodb.query(
            TableName=table,
            IndexName="GSI5",
            KeyConditionExpression="GSI5PK = :pk AND GSI5SK <= :upper",
            ExpressionAttributeValues={":pk": {"S": "DUE"}, ":upper": {"S": upper}},
            Select="COUNT",
            **extra,
        )
        total += got["Count"]
        start = got.get("LastEvaluatedKey")
        if not start:
            return total


class _NoTableBackup:
    """Stands in for the `copy` module inside moto's DynamoDB backend: a table is not copied, anything else is."""

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        from moto.dynamodb.models.table import Table

        return value if isinstance(value, Table) else copy.deepcopy(value, memo)


@contextmanager
def no_table_backups() -> Iterator[None]:
    """Skip moto's per-item backup of the whole table in transactions (see the module's docstring)."""
    from moto.dynamodb import models

    with patch.object(models, "copy", _NoTableBackup):
        yield


class Clock:
    """The simulated clock of the runs."""

    def __init__(self) -> None:
        self.current = T0

    def now(self) -> datetime:
        return self.current


def run(count: int, max_runs: int = 15) -> dict[str, Any]:
    """Fill the backlog, sweep once a simulated minute until nothing is due; return the figures."""
    import boto3

    from chalicelib import bootstrap
    from chalicelib.config import Settings

    with moto_stack("police24-sweep") as outputs, chalice_client() as client, no_table_backups():
        seed_officers(Http(client))
        table = outputs["TableName"]
        dynamodb = boto3.session.Session().client("dynamodb")
        fill(dynamodb, table, count)
        clock = Clock()
        services = bootstrap.build(Settings.from_env(), clock=clock)
        recorder = CallRecorder()
        recorder.attach_app_clients()
        runs: list[dict[str, Any]] = []
        print(f"backlog: {due_left(dynamodb, table, clock.now()):,} due posts at {T0:%H:%M} UTC")
        for minute in range(max_runs):
            clock.current = T0 + timedelta(minutes=minute)
            with recorder.recording() as calls:
                report = services.supervision.sweep(lambda calls=calls: RUN_MS - simulated_ms(calls))
            left = due_left(dynamodb, table, clock.now())
            figures = {
                "minute": minute,
                **report.__dict__,
                "calls": len(calls.calls),
                "dynamodb_calls": len(calls.dynamodb),
                "simulated_ms": simulated_ms(calls),
                "due_left": left,
            }
            runs.append(figures)
            print(
                f"run {minute}: {len(calls.calls):,} calls ({calls.summary(('dynamodb', 'sqs', 'sns'))}); "
                f"settled {report.settled:,}, escalated {report.escalated_to_leaders:,} to leaders and "
                f"{report.escalated_to_command:,} to the command center, {report.pages} pages, "
                f"{simulated_ms(calls) / 1000:.1f} s simulated; due left {left:,}",
                flush=True,
            )
            if left == 0:
                break
    handled = sum(r["settled"] + r["escalated_to_leaders"] + r["escalated_to_command"] for r in runs)
    total_calls = sum(r["calls"] for r in runs)
    return {
        "backlog_posts": count,
        "runs_to_clear": len(runs) if runs and runs[-1]["due_left"] == 0 else None,
        "calls": total_calls,
        "calls_per_post_handled": round(total_calls / handled, 2) if handled else None,
        "calls_per_run": [r["calls"] for r in runs],
        "simulated_seconds_per_run": [round(r["simulated_ms"] / 1000, 1) for r in runs],
        "latency_ms_assumed": {**LATENCY_MS, "other": OTHER_MS, "note": "a guess, not measured"},
        "runs": runs,
    }


def write(figures: dict[str, Any]) -> None:
    """Merge the figures into docs/bench.json under operations.sweep_backlog, leaving every other key as it is."""
    data = json.loads(BENCH_JSON.read_text(encoding="utf-8")) if BENCH_JSON.exists() else {}
    data.setdefault("operations", {})["sweep_backlog"] = figures
    BENCH_JSON.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sweep", description=__doc__)
    parser.add_argument("--posts", type=int, default=5_000, help="due posts in the backlog")
    parser.add_argument("--no-write", action="store_true", help="leave docs/bench.json as it is")
    args = parser.parse_args(argv)
    figures = run(args.posts)
    cleared = figures["runs_to_clear"]
    print(f"cleared {args.posts:,} due posts in {cleared} runs (minutes)" if cleared else "NOT cleared")
    if not args.no_write:
        write(figures)
        print(f"wrote {BENCH_JSON.relative_to(ROOT)} (operations.sweep_backlog)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
