"""`make bench`: DynamoDB calls, bytes and request units per API operation at two table sizes, the flows behind
a post (sign-in, dispatch, status, official reply, sweep) with each Lambda handler's time, the import time of app.py,
and on the local stack the post-to-notification latency, a bounded load test, the fault-injection suite and
the feed page's requests and bytes in Chromium (bench/page.py).

Writes docs/bench.json (every operation's calls, bytes and units, the handlers' times: what `make cost` reads),
docs/PERFORMANCE.md (calls, bytes, import time, latency, the page), docs/page-weight.json and
docs/RELIABILITY.md (everything). `python -m bench --only operations --sizes 200` measures the operations and
flows alone on a small table and writes docs/bench.json only (a few minutes)."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import faults as fault_suite
from bench import latency as notification
from bench import masking as masking_speed
from bench import page as page_weight
from bench.counting import CallRecorder, Calls
from bench.figures import bench_json
from bench.fill import Filler
from bench.flows import FLOW_ROUTES, Flows, run_flows
from bench.imports import ImportReport, measure_imports
from bench.live import LocalStack
from bench.load import Load
from bench.load import Results as LoadResults
from bench.load import Settings as LoadSettings
from bench.load import summary as load_summary
from bench.operations import NEW_POST, ROUTES, Run, run_operations
from bench.reliability import Gathered, latency_section
from bench.reliability import markdown as reliability_markdown
from bench.report import Goal, Results, console, judge, markdown
from bench.stack import ROOT, Http, chalice_client, moto_stack
from bench.work import seed_officers

SIZES = (1_000, 10_000)
# Each size is measured by a fresh citizen, so that rate limits and duplicate checks never refuse a request.
CITIZEN = "1381234{:04d}"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def measure_sizes(sizes: tuple[int, ...], passes: int = 5) -> tuple[Results, dict[int, Run], Flows]:
    """Fill the table to each size in turn and measure every operation there; then, at the largest size, the
    flows behind a post (recorded once, timed `passes` times)."""
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
        officers = seed_officers(http)
        for number, size in enumerate(sizes):
            token = http.sign_in(CITIZEN.format(number))
            started = time.monotonic()
            log(f"filling the table to {size:,} posts")
            filler.fill_to(size)
            assert filler.target is not None
            log(f"  filled in {time.monotonic() - started:.1f} s; measuring the operations")
            before = filler.snapshot(filler.target.id)
            run = run_operations(http, recorder, token, filler.target.id, officers)
            # Undo the run's writes so that the next size sees exactly the same newest posts.
            filler.restore(filler.target.id, before)
            filler.remove(run.created_post_id)
            filler.remove(run.photo_post_id)
            results[size], runs[size] = run.calls, run
            log(f"  measured in {time.monotonic() - started:.1f} s")
        log(f"the flows behind a post at {sizes[-1]:,} posts: one recorded pass, {passes} timed")
        flows = run_flows(http, recorder, officers["unit"], NEW_POST, outputs["DispatchQueueUrl"], passes)
    return results, runs, flows


def write_bench_json(results: Results, flows: Flows) -> None:
    """Write docs/bench.json: the largest size's operations and the flows, and the handlers' times."""
    size = max(results)
    calls = {**results[size], **flows.calls}
    data = bench_json(size, calls, {**ROUTES, **FLOW_ROUTES}, flows.handlers(), flows.sweep)
    path = ROOT / "docs" / "bench.json"
    if path.exists():  # figures other commands merge in (python -m bench.sweep: sweep_backlog) stay
        kept = json.loads(path.read_text(encoding="utf-8")).get("operations", {})
        data["operations"] = {**{k: v for k, v in kept.items() if "read_units" not in v}, **data["operations"]}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    log(f"wrote {path.relative_to(ROOT)}")


def observations(results: Results, runs: dict[int, Run]) -> list[str]:
    """Say what the figures do not show at a glance."""
    size = max(results)
    calls, run = results[size], runs[size]
    notes = [
        f"feed page size {run.feed_page_size}; the table holds a few pinned posts (2 global, copied to the other "
        "boards' feeds, 1 board, 1 global whose pin has lapsed, back in its place) and the detail post has 6 replies "
        "and 2 timeline events."
    ]
    for op in ("feed first page", "feed next page"):
        reads = calls[op].dynamodb
        notes.append(
            f"{op}: {' + '.join(c.label for c in reads)} read {calls[op].items_read} index entries "
            f"({calls[op].bytes_compact:,} bytes compact) for {calls[op].bytes_returned:,} bytes of posts returned"
            + (f", {run.pinned_shown} of them pinned" if op == "feed first page" else ", none pinned")
            + "; the entries are cards (the head of the body), not whole posts."
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
    for op in ("start upload", "process upload", "create post with 3 photos"):
        notes.append(f"{op}: DynamoDB {calls[op].summary()}; S3 {calls[op].summary('s3')}.")
    counted = {op: sum(c.partition == "STATS" for c in calls[op].calls) for op in calls}
    if any(counted.values()):
        notes.append(
            "calls of their own to the figures (STATS): "
            + ", ".join(f"{op} {n}" for op, n in counted.items() if n)
            + "; the other counts ride in the write's own transaction, and every figures item stays under 1 KB "
            "(docs/PARTITIONS.md has each single-value key's rate at 100x)."
        )
    return notes


def measure_live(args: argparse.Namespace) -> tuple[notification.Latency, LoadResults, LoadSettings]:
    """Measure the notification latency, then the load, each on a fresh `make dev` stack on a free port.

    Fresh, because moto's queries walk every item: the local stack slows as its table grows.
    """
    settings = LoadSettings(args.load_duration, args.load_requests, args.load_users, args.load_concurrency)
    with tempfile.TemporaryDirectory(prefix="police24-bench-") as folder:
        with LocalStack(Path(folder) / "latency") as stack:
            log(f"local stack up at {stack.base}; {args.latency_posts} posts for the notification latency")
            latency = notification.measure(stack.base, args.latency_posts)
        with LocalStack(Path(folder) / "load") as stack:
            log(f"load: {settings.users} residents, {settings.concurrency} threads, {settings.duration:.0f} s")
            load = Load(stack.base, settings).run()
    print("\n" + "\n".join(latency_section(latency)) + "\n\n" + "\n".join(load_summary(load)))
    return latency, load, settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="table sizes in posts")
    parser.add_argument(
        "--only",
        choices=["operations"],
        help="measure only the operations and flows, write only docs/bench.json (with --sizes 200: minutes)",
    )
    parser.add_argument("--passes", type=int, default=5, help="timed passes of the flows behind a post")
    parser.add_argument("--import-runs", type=int, default=7, help="fresh interpreters per import timing")
    parser.add_argument("--no-write", action="store_true", help="write neither docs/PERFORMANCE.md nor RELIABILITY.md")
    parser.add_argument(
        "--skip-calls",
        action="store_true",
        help="skip the call counts and import time (docs/PERFORMANCE.md is left as it is)",
    )
    parser.add_argument("--skip-live", action="store_true", help="skip the local stack (latency and load)")
    parser.add_argument("--skip-faults", action="store_true", help="skip the fault-injection suite")
    parser.add_argument("--skip-page", action="store_true", help="skip the feed page's weight in Chromium")
    parser.add_argument("--latency-posts", type=int, default=50, help="posts timed to their notification")
    parser.add_argument("--load-duration", type=float, default=LoadSettings.duration, help="seconds of load")
    parser.add_argument("--load-requests", type=int, default=LoadSettings.requests, help="request budget")
    parser.add_argument("--load-users", type=int, default=LoadSettings.users, help="residents signing in")
    parser.add_argument("--load-concurrency", type=int, default=LoadSettings.concurrency, help="threads")
    args = parser.parse_args(argv)
    started = time.monotonic()
    if args.only == "operations":
        measured, _, flows = measure_sizes(tuple(sorted(args.sizes)), args.passes)
        if not args.no_write:
            write_bench_json(measured, flows)
        log(f"bench took {time.monotonic() - started:.0f} s")
        return 0
    results: Results | None = None
    imports: ImportReport | None = None
    goals: list[Goal] = []
    notes: list[str] = []
    if not args.skip_calls:
        results, runs, flows = measure_sizes(tuple(sorted(args.sizes)), args.passes)
        if not args.no_write:
            write_bench_json(results, flows)
        log("timing imports in fresh interpreters")
        imports = measure_imports(args.import_runs)
        goals = [*judge(results, imports), masking_speed.measure()]
        notes = observations(results, runs)
        print(console(results, imports, goals, notes))
    latency = load = load_settings = None
    if not args.skip_live:
        latency, load, load_settings = measure_live(args)
    faults = None
    if not args.skip_faults:
        log(f"running the fault-injection suite ({fault_suite.SUITE})")
        faults = fault_suite.run()
        log(f"  {faults.passed} of {len(faults.outcomes)} passed in {faults.seconds:.0f} s")
    if not args.no_write:
        if results is not None:
            text = markdown(results, imports, goals, notes)
            if latency is not None:
                text += "\n" + "\n".join(latency_section(latency)) + "\n"
            (ROOT / "docs" / "PERFORMANCE.md").write_text(text, encoding="utf-8")
            log("wrote docs/PERFORMANCE.md")
        gathered = Gathered(results, imports, goals, latency, load, load_settings, faults)
        (ROOT / "docs" / "RELIABILITY.md").write_text(reliability_markdown(gathered), encoding="utf-8")
        log("wrote docs/RELIABILITY.md")
    if not args.skip_page:
        log("weighing the feed page in Chromium (cold and warm visits)")
        page_weight.run(write_docs=not args.no_write)  # docs/page-weight.json and "The page" of PERFORMANCE.md
    log(f"bench took {time.monotonic() - started:.0f} s")
    return 0  # a report: failed goals are said loudly, not turned into an exit code


if __name__ == "__main__":
    sys.exit(main())
