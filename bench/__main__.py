"""`make bench`: DynamoDB calls and bytes per API operation at two table sizes, and the import time of app.py."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta

from bench.counting import CallRecorder, Calls
from bench.fill import Filler
from bench.imports import measure_imports
from bench.operations import Run, run_operations
from bench.report import Results, console, judge, markdown
from bench.stack import ROOT, Http, chalice_client, moto_stack

SIZES = (1_000, 10_000)
# Each size is measured by a fresh citizen, so that rate limits and duplicate checks never refuse a request.
CITIZEN = "1381234{:04d}"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def measure_sizes(sizes: tuple[int, ...]) -> tuple[Results, dict[int, Run]]:
    """Fill the table to each size in turn and measure every operation there."""
    import boto3

    results: Results = {}
    runs: dict[int, Run] = {}
    with moto_stack() as outputs, chalice_client() as client:
        http = Http(client)
        recorder = CallRecorder()
        recorder.attach_app_clients()
        filler = Filler(
            boto3.session.Session().client("dynamodb"),
            outputs["TableName"],
            newest=datetime.now(UTC) - timedelta(minutes=1),
        )
        for number, size in enumerate(sizes):
            token = http.sign_in(CITIZEN.format(number))
            started = time.monotonic()
            log(f"filling the table to {size:,} posts")
            filler.fill_to(size)
            assert filler.target is not None
            log(f"  filled in {time.monotonic() - started:.1f} s; measuring the operations")
            before = filler.snapshot(filler.target.id)
            run = run_operations(http, recorder, token, filler.target.id)
            # Undo the run's writes so that the next size sees exactly the same newest posts.
            filler.restore(filler.target.id, before)
            filler.remove(run.created_post_id)
            results[size], runs[size] = run.calls, run
            log(f"  measured in {time.monotonic() - started:.1f} s")
    return results, runs


def observations(results: Results, runs: dict[int, Run]) -> list[str]:
    """Say what the figures do not show at a glance."""
    size = max(results)
    calls, run = results[size], runs[size]
    notes = [
        f"feed page size {run.feed_page_size}; the table holds a few pinned posts (2 global, 1 board, "
        "1 global whose pin has expired) and the detail post has 6 replies and 2 timeline events."
    ]
    pins = [c for c in calls["feed first page"].dynamodb if c.label == "Query[GSI4]"]
    if pins and pins[0].items != run.pinned_shown:
        notes.append(
            f"the pin read returns {pins[0].items} items but the first page shows {run.pinned_shown} pinned: "
            "board pins and expired pins stay in the pin index (GSI4) and are read, then dropped."
        )
    again = [c for c in calls["feed next page"].dynamodb if c.label == "Query[GSI4]"]
    if again:
        notes.append(
            f"the next page reads the pin index again ({again[0].items} items, {again[0].bytes_read:,} bytes) only to "
            "skip pinned posts; it shows none."
        )
    reads = [c for c in calls["reply"].dynamodb if c.operation in ("GetItem", "Query", "BatchGetItem")]
    if reads:
        notes.append(
            "reply reads before/after its write: "
            + " + ".join(f"{c.label} ({c.items} item{'s' * (c.items != 1)}, {c.bytes_read:,} bytes)" for c in reads)
        )
    for op in ("create post", "reply"):
        single = Calls([c for c in calls[op].dynamodb if c.operation in ("PutItem", "UpdateItem", "DeleteItem")])
        if single.calls:
            notes.append(f"{op} writes outside its transaction: {single.summary()}.")
    if any(c.partition == "STATS" for op in calls for c in calls[op].calls):
        notes.append("every post and reply adds to the one item STATS/all: a hot key under load.")
    return notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="table sizes in posts")
    parser.add_argument("--import-runs", type=int, default=7, help="fresh interpreters per import timing")
    parser.add_argument("--no-write", action="store_true", help="do not write docs/PERFORMANCE.md")
    args = parser.parse_args(argv)
    started = time.monotonic()
    results, runs = measure_sizes(tuple(sorted(args.sizes)))
    log("timing imports in fresh interpreters")
    imports = measure_imports(args.import_runs)
    goals = judge(results, imports)
    notes = observations(results, runs)
    print(console(results, imports, goals, notes))
    if not args.no_write:
        path = ROOT / "docs" / "PERFORMANCE.md"
        path.write_text(markdown(results, imports, goals, notes), encoding="utf-8")
        log(f"wrote {path.relative_to(ROOT)}")
    log(f"bench took {time.monotonic() - started:.0f} s")
    return 0  # a report: failed goals are said loudly, not turned into an exit code


if __name__ == "__main__":
    sys.exit(main())
